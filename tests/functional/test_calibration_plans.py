"""Plans at a chosen attainment probability, the pace curve they imply, and the attainment rate."""

from __future__ import annotations

import numpy as np
import pytest

import salessim as ss
from salessim.calibration.plans import propose_plans
from tests.functional.test_calibration_roundtrip import truth_scenario

PROB = 0.7


@pytest.fixture(scope="module")
def plans():
    sc = ss.with_overrides(truth_scenario(), {"calendar.months": 2, "calendar.warmup_months": 2,
                                              "plan.fact_basis": "won"})
    return sc, propose_plans(sc, probability=PROB, n=20, seed=11)


def test_plans_are_reached_at_the_chosen_probability_on_fresh_replications(plans):
    _, p = plans
    assert len(p.plans) == 6 * 2 and (p.plans["plan"] > 0).all()
    # each cell: the 30th percentile of 20 runs, checked on 20 others; mean over 12 cells ~ 0.7 +- 0.05
    assert abs(p.plans["attainment_check"].mean() - PROB) < 0.15
    assert (p.plans["fact_p10"] <= p.plans["plan"]).all() and (p.plans["plan"] <= p.plans["fact_p90"]).all()


def test_attainment_rate_across_reps_is_the_share_at_plan(plans):
    _, p = plans
    a = p.attainment["reps_at_plan_share"]
    assert a.between(0, 1).all() and len(a) == 20 * 2
    assert abs(a.mean() - p.plans["attainment_check"].mean()) < 1e-9


def test_pace_on_the_last_day_is_plan_fulfilment(plans):
    """On the month's last working day, pace % = fact / plan x 100 (the pace formula with all days elapsed),
    each replication against the plan it is checked with (set without it)."""
    sc, p = plans
    last = p.pace.iloc[-1]
    cal = ss.simulate(sc, seed=11, record_events=False).calendar
    months = list(cal.month_labels)
    longest = [i for i, wd in enumerate(cal.days_in_month) if wd == last["working_day"]]
    ratios = [p.facts[r, i, j] / p.check_plans[r, i, j] * 100 for r in range(p.facts.shape[0]) for i in longest
              for j in range(p.facts.shape[2]) if p.check_plans[r, i, j] > 0]
    assert months and last["pace_median"] == pytest.approx(float(np.median(ratios)), rel=1e-9)
    assert (p.pace["pace_p10"] <= p.pace["pace_median"]).all()


def test_plans_hold_on_fresh_replications(plans):
    """The leave-one-out check agrees with a check on fresh replications (another seed) within sampling error."""
    sc, p = plans
    check = ss.replicate(sc, n=20, seed=12)
    plan = p.plans.set_index(["month", "rep"])["plan"]
    hits = [r.fact >= plan[(r.month, r.rep)] for res in check.results for r in res.rep_monthly().itertuples()]
    # 12 cells x 20 runs; the attainment probability is ~0.7 +- sampling noise of both sets of runs
    assert abs(np.mean(hits) - p.plans["attainment_check"].mean()) < 0.12


def test_plan_command(tmp_path, capsys):
    from salessim.cli import main

    out = tmp_path / "plans"
    assert main(["plan", "baseline", "--months", "1", "-n", "4", "--workers", "1", "--out", str(out)]) == 0
    text = capsys.readouterr().out
    assert "rep01" in text and "reach their plan" in text
    assert (out / "plans.csv").stat().st_size > 0 and (out / "pace_curve.png").stat().st_size > 0
    with pytest.raises(SystemExit) as e:
        main(["plan", "baseline", "--probability", "1.5"])
    assert e.value.code == 2
