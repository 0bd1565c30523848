"""The robustness check finds what a verdict rests on, tested where the truth is known.

The simulation is replaced by a known function of the assumptions plus seeded noise (the same
noise for the same replication at every point, as common random numbers give), so each claim
below has an exact answer: which assumption turns the verdict, at which value, and in what
share of the plausible space it holds. A last test runs the real model through the command line.
"""

from __future__ import annotations

import json

import numpy as np
import pytest

from salessim.analyses import robustness as rb
from salessim.cli import main

FLOOR, THRESHOLD = "supervision.intensity_floor", "supervision.attention_threshold"
TRUE_FLIP = 0.33       # the margin is 4e5 * (floor - 0.33) - 2e5 * (threshold - 0.5) + noise
NOISE_SD = 30_000.0


def fake_runs(self, designs, reps):
    """(base, variant) revenue per point and replication from a known formula (noise shared by replication)."""
    noise = np.random.default_rng(7).normal(0.0, NOISE_SD, size=1000)[:reps]
    b = np.full((len(designs), reps), 3e6)
    v = np.empty_like(b)
    for i, values in enumerate(designs):
        floor = values.get(FLOOR, 0.25)
        threshold = values.get(THRESHOLD, 0.5)
        v[i] = 3e6 + 4e5 * (floor - TRUE_FLIP) - 2e5 * (threshold - 0.5) + noise
    return b, v


@pytest.fixture
def known(monkeypatch):
    monkeypatch.setattr(rb._Design, "runs", fake_runs)
    return rb.robustness("baseline", "double_headcount_one_supervisor", claim="revenue < 0", n=8, workers=1,
                         progress=False)


def test_the_deciding_assumption_is_found_with_its_flip_point(known):
    flips = {f.parameter: f for f in known.flips}
    assert FLOOR in flips
    f = flips[FLOOR]
    assert f.side == "above" and f.provenance == "documents"
    assert f.low < TRUE_FLIP < f.high                 # the interval covers the true crossing
    assert abs(f.flips_at - TRUE_FLIP) < 0.02
    assert known.holds                                 # at 0.25 the margin is -32,000: the claim holds


def test_assumptions_the_formula_ignores_do_not_matter(known):
    assert "the funnel's odds" in known.not_deciding and "costs" in known.not_deciding
    assert all(f.parameter in (FLOOR, THRESHOLD) for f in known.flips)
    top = known.screening.iloc[0]["group"]
    assert top == "how reps respond to supervision"


def test_the_share_of_the_space_that_agrees_matches_the_formula(known):
    """Where floor ~ U(0.15, 0.45) and threshold ~ U(0.3, 0.7) independently, the claim holds when
    4 (floor - 0.33) < 2 (threshold - 0.5); its exact probability, from a fine grid, lies in the interval."""
    f = np.linspace(0.15, 0.45, 601)[:, None]
    t = np.linspace(0.3, 0.7, 601)[None, :]
    exact = float(np.mean(4 * (f - TRUE_FLIP) - 2 * (t - 0.5) < 0))
    assert known.holds_low <= exact <= known.holds_high
    assert known.holds_share < 1


def test_flip_intervals_cover_the_truth_at_their_level(monkeypatch):
    """Over 300 noise seeds (a replication's own noise plus noise at each point), the 95% interval of the
    flip point covers 0.33 in at least 90% of them: with a true coverage of 95% a share below 90% has
    probability under 0.1% (binomial)."""
    factor = next(x for x in rb.factors(*_pair()) if x.name == FLOOR)
    design = rb._Design.__new__(rb._Design)
    design.claim = rb.Claim("revenue", "<")
    covered = trials = 0
    for seed in range(300):
        def runs(self, designs, reps, seed=seed):
            rng = np.random.default_rng(seed)
            shared = rng.normal(0.0, NOISE_SD, size=reps)
            own = rng.normal(0.0, NOISE_SD / 3, size=(len(designs), reps))
            v = np.array([[4e5 * (d.get(FLOOR, 0.25) - TRUE_FLIP)] * reps for d in designs]) + shared + own
            return np.zeros_like(v), v
        monkeypatch.setattr(rb._Design, "runs", runs)
        f = rb._flip(design, factor, 4, -1.0, 0.95)
        trials += 1
        covered += f is not None and f.low is not None and f.low <= TRUE_FLIP <= f.high
    print(f"flip-point interval coverage: {covered}/{trials}")
    assert covered >= 0.90 * trials, covered


def _pair():
    import salessim as ss
    return ss.load_scenario("baseline"), ss.load_scenario("double_headcount_one_supervisor")


@pytest.mark.slow
def test_the_headcount_verdict_rests_on_the_supervision_curve_from_the_command_line(capsys):
    """The real model: the documents' claim that 15 reps under one head sell less than 7 is turned by the
    supervision assumptions within their plausible ranges, and holds in less than all of the space."""
    code = main(["compare", "baseline", "double_headcount_one_supervisor", "-n", "4", "--robust", "--json",
                 "--workers", "2"])
    assert code == 0
    out = json.loads(capsys.readouterr().out)["robustness"]
    assert out["claim"]["kpi"] == "revenue" and out["claim"]["op"] == "<"
    assert out["holds_share"] < 1
    deciding = {p["parameter"]: p for p in out["parameters"]}
    supervision = [p for name, p in deciding.items() if name.startswith("supervision.")]
    assert supervision, deciding
    for p in supervision:
        assert p["range"][0] <= p["flips_at"] <= p["range"][1]
        if p["low"] is not None:
            assert p["low"] <= p["flips_at"] <= p["high"]
