"""Sensitivity analysis: Sobol indices against the Ishigami function's analytic values, Morris on a
linear function, range files, and a small run on the model."""

from __future__ import annotations

import math

import numpy as np
import pytest

from salessim.analyses.sensitivity import analyse_function, read_ranges, sensitivity
from salessim.errors import UserError

PI = math.pi


def ishigami(x: dict, a: float = 7.0, b: float = 0.1) -> np.ndarray:
    return np.sin(x["x1"]) + a * np.sin(x["x2"]) ** 2 + b * x["x3"] ** 4 * np.sin(x["x1"])


def ishigami_analytic(a: float = 7.0, b: float = 0.1) -> dict[str, tuple[float, float]]:
    """(S1, ST) per input, from the variance decomposition of the formula with inputs ~ U(-pi, pi).

    f = sin x1 (1 + b x3^4) + a sin^2 x2. With E[x3^4] = pi^4/5 and E[x3^8] = pi^8/9:
    V1 = Var(E[f|x1]) = (1 + b pi^4/5)^2 / 2; V2 = a^2 Var(sin^2 x2) = a^2/8;
    V13 = E[sin^2 x1] b^2 Var(x3^4) = b^2 pi^8 (1/9 - 1/25) / 2; x3 acts only through V13.
    """
    v1 = (1 + b * PI**4 / 5) ** 2 / 2
    v2 = a**2 / 8
    v13 = b**2 * PI**8 * (1 / 9 - 1 / 25) / 2
    v = v1 + v2 + v13
    return {"x1": (v1 / v, (v1 + v13) / v), "x2": (v2 / v, v2 / v), "x3": (0.0, v13 / v)}


def test_sobol_indices_of_ishigami_match_the_analytic_values():
    ranges = {n: (-PI, PI) for n in ("x1", "x2", "x3")}
    res = analyse_function(lambda X: {"y": ishigami(X)}, ranges, "sobol", samples=4096, seed=3)
    truth = ishigami_analytic()
    got = res.ranking("y").set_index("parameter")
    for name, (s1, st) in truth.items():
        row = got.loc[name]
        # within SALib's own 95% bootstrap interval (doubled: bootstrap intervals are approximate) and 0.05
        assert abs(row["S1"] - s1) <= min(0.05, max(2 * row["S1_conf"], 0.01)), (name, row["S1"], s1)
        assert abs(row["ST"] - st) <= min(0.05, max(2 * row["ST_conf"], 0.01)), (name, row["ST"], st)
    assert list(got.index) == ["x1", "x2", "x3"]  # ranked by total effect: 0.56, 0.44, 0.24


def test_morris_on_a_linear_function_gives_slope_times_range():
    """Every elementary effect of y = sum a_i x_i is a_i (high - low) per whole range: mu* exact, sigma 0."""
    slopes = {"a": 3.0, "b": -2.0, "c": 0.5}
    ranges = {"a": (0.0, 1.0), "b": (0.0, 2.0), "c": (-1.0, 1.0)}
    res = analyse_function(lambda X: {"y": sum(k * X[n] for n, k in slopes.items())}, ranges, "morris",
                           samples=8, seed=1)
    got = res.ranking("y").set_index("parameter")
    for n, k in slopes.items():
        lo, hi = ranges[n]
        assert got.loc[n, "mu_star"] == pytest.approx(abs(k) * (hi - lo))
        assert got.loc[n, "mu"] == pytest.approx(k * (hi - lo))
        assert got.loc[n, "sigma"] == pytest.approx(0, abs=1e-9)
    assert list(got.index) == ["b", "a", "c"]  # 4, 3, 1


def test_sobol_sample_size_must_be_a_power_of_two():
    with pytest.raises(UserError, match="power of 2"):
        analyse_function(lambda X: {"y": X["x"]}, {"x": (0, 1)}, "sobol", samples=100)
    with pytest.raises(UserError, match="expected a method"):
        analyse_function(lambda X: {"y": X["x"]}, {"x": (0, 1)}, "fast", samples=8)


# --------------------------------------------------------------------------- range files
def test_range_file(tmp_path):
    f = tmp_path / "ranges.toml"
    f.write_text('[[parameter]]\npath = "team.reps.0.count"\nlow = 5\nhigh = 15\n\n'
                 '[[parameter]]\npath = "supervision.intensity_floor"\nlow = 0.15\nhigh = 0.35\n')
    assert read_ranges(f) == {"team.reps.0.count": (5, 15), "supervision.intensity_floor": (0.15, 0.35)}


@pytest.mark.parametrize("text,fragment", [
    ('[[parameter]]\npath = "a.b"\nlow = 1\n', "missing high"),
    ('[[parameter]]\npath = "a.b"\nlow = 1\nhigh = "x"\n', "expected a number"),
    ('[[parameter]]\npath = "a.b"\nlow = 1\nhigh = 2\nstep = 1\n', "unknown key"),
    ('ranges = 1\n', "unknown key"),
    ('', "at least one [[parameter]]"),
    ('[[parameter]\n', "not valid TOML"),
])
def test_bad_range_files_are_clear_errors(tmp_path, text, fragment):
    f = tmp_path / "r.toml"
    f.write_text(text)
    with pytest.raises(UserError, match=fragment.replace("[", r"\[")) as e:
        read_ranges(f)
    assert str(f) in str(e.value)


# --------------------------------------------------------------------------- on the model
SHORT = {"calendar.months": 2, "calendar.warmup_months": 1}


@pytest.fixture(scope="module")
def morris_run():
    return sensitivity("baseline", {"team.reps.0.count": (3, 9), "supervision.intensity_floor": (0.15, 0.35)},
                       "morris", samples=3, n=3, seed=1, overrides=SHORT, workers=2)


def test_model_sensitivity_ranks_both_outputs(morris_run):
    res = morris_run
    assert set(res.indices["output"]) == {"profit", "revenue"}
    for o in ("profit", "revenue"):
        r = res.ranking(o)
        assert sorted(r["rank"]) == [1, 2] and (r["mu_star"] >= 0).all()
    counts = res.samples["team.reps.0.count"]
    assert counts.between(3, 9).all() and (counts == counts.round()).all()  # whole reps


def test_more_reps_bring_more_revenue_in_the_tornado(morris_run):
    """From 3 to 9 reps, revenue rises: the paired swing's 95% interval lies above zero."""
    t = morris_run.tornado
    row = t[(t["output"] == "revenue") & (t["parameter"] == "team.reps.0.count")].iloc[0]
    assert row["low_value"] == 3 and row["high_value"] == 9
    assert row["swing_low"] > 0
    runs = morris_run.table
    assert row["y_high"] == pytest.approx(runs.loc[runs["label"] == "team.reps.0.count=9", "revenue"].mean())


def test_unknown_output_is_a_clear_error():
    with pytest.raises(UserError, match="unknown metric 'proft'; did you mean 'profit'"):
        sensitivity("baseline", {"supervision.intensity_floor": (0.15, 0.35)}, "morris", samples=2, n=1,
                    outputs=["proft"], tornado=False, overrides={"calendar.months": 1, "calendar.warmup_months": 0})


def test_the_readme_example_spec_names_real_parameters_with_real_ranges():
    """`--spec examples/ranges.toml` in the README: every path resolves in the baseline, and a
    scenario at each range's low and high end validates."""
    import pathlib

    from salessim.scenarios.files import load_scenario, with_overrides
    from salessim.scenarios.parameters import check_range, parameter

    spec = pathlib.Path(__file__).resolve().parents[2] / "examples" / "ranges.toml"
    ranges = read_ranges(spec)
    base = load_scenario("baseline")
    assert len(ranges) >= 3
    for path, (low, high) in ranges.items():
        check_range(parameter(base, path), low, high)          # the CLI's own checks
        for v in (low, high):
            with_overrides(base, {path: v})                    # raises if a scenario there is invalid
