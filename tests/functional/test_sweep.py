"""Sweeps: parameter paths and values, grids, Latin hypercubes, and the tidy table they produce."""

from __future__ import annotations

import numpy as np
import pytest

import salessim as ss
from salessim.analyses.sweep import Grid, LatinHypercube, sweep
from salessim.errors import ScenarioError, UserError
from salessim.scenarios.parameters import check_range, from_unit, grid_values, parameter, parse_grid, parse_range

SHORT = {"calendar.months": 2, "calendar.warmup_months": 1}


@pytest.fixture(scope="module")
def base():
    return ss.load_scenario("baseline", SHORT)


# --------------------------------------------------------------------------- parsing and values
def test_grid_text_gives_lists_or_evenly_spaced_ranges():
    assert parse_grid("team.reps.0.count=7,10,15") == ("team.reps.0.count", [7, 10, 15])
    assert parse_grid("supervision.enabled=true,false") == ("supervision.enabled", [True, False])
    assert parse_grid("supervision.intensity_floor=0.2:0.3:3") == ("supervision.intensity_floor", (0.2, 0.3, 3))
    assert parse_range("supervision.intensity_floor=0.2:0.3") == ("supervision.intensity_floor", 0.2, 0.3)


@pytest.mark.parametrize("text,fragment", [
    ("team.reps.0.count", "expected PATH=VALUES"),
    ("team.reps.0.count=", "empty list of values"),
    ("team.reps.0.count=7,,9", "empty value"),
    ("supervision.intensity_floor=0.2:0.3", "START:STOP:COUNT"),
    ("supervision.intensity_floor=0.2:0.3:2.5", "whole COUNT"),
    ("supervision.intensity_floor=a:0.3:2", "expected a number"),
])
def test_bad_grid_text_is_a_clear_error(text, fragment):
    with pytest.raises(UserError, match=fragment):
        parse_grid(text)


def test_whole_number_parameters_stay_whole(base):
    count = parameter(base, "team.reps.0.count")
    assert count.kind == "int"
    assert grid_values(count, (7, 15, 3)) == [7, 11, 15]
    assert grid_values(count, (7, 12, 4)) == [7, 9, 10, 12]          # 7, 8.67, 10.33, 12 rounded
    assert grid_values(count, [7.0, 9]) == [7, 9]
    with pytest.raises(UserError, match="expected whole numbers"):
        grid_values(count, [7.5])
    with pytest.raises(UserError, match="only 2 distinct whole numbers"):
        grid_values(count, (7, 8, 5))
    floor = parameter(base, "supervision.intensity_floor")
    assert floor.kind == "float"
    assert grid_values(floor, (0.2, 0.3, 3)) == pytest.approx([0.2, 0.25, 0.3])


def test_unit_samples_give_each_whole_number_an_equal_share(base):
    count = parameter(base, "team.reps.0.count")
    u = (np.arange(40) + 0.5) / 40                      # 40 evenly spread points of [0, 1]
    vals = from_unit(count, 3, 6, u)
    assert sorted(set(vals)) == [3, 4, 5, 6]
    assert all(vals.count(v) == 10 for v in (3, 4, 5, 6))
    assert from_unit(count, 3, 6, np.array([1.0])) == [6]  # the top of the unit interval is still in range


@pytest.mark.parametrize("path,low,high,fragment", [
    ("supervision.intensity_floor", 0.3, 0.3, "empty range"),
    ("supervision.intensity_floor", 0.3, 0.2, "empty range"),
    ("team.reps.0.count", 3.5, 6, "whole-number bounds"),
    ("team.reps.0.id", 1, 2, "needs a numeric parameter"),
])
def test_bad_ranges_are_clear_errors(base, path, low, high, fragment):
    with pytest.raises(UserError, match=fragment):
        check_range(parameter(base, path), low, high)


def test_unknown_and_structured_paths_are_refused(base):
    with pytest.raises(ScenarioError, match="unknown parameter path"):
        parameter(base, "supervision.intensity_flor")
    with pytest.raises(ScenarioError, match="unknown parameter path"):
        sweep(base, {"calendar.monthz": [1, 2]}, n=1)
    with pytest.raises(ScenarioError, match="single-valued parameter"):
        parameter(base, "team.reps.0")


def test_a_value_the_scenario_rejects_names_the_point(base):
    with pytest.raises(UserError, match=r"^supervision.intensity_floor: at sweep point "
                       r"supervision.intensity_floor=1.5: expected a probability"):
        sweep(base, {"supervision.intensity_floor": [0.2, 1.5]}, n=1)


def test_empty_designs_are_refused(base):
    with pytest.raises(UserError, match="at least one parameter"):
        sweep(base, {}, n=1)
    with pytest.raises(UserError, match="empty range"):
        sweep(base, LatinHypercube({"supervision.intensity_floor": (0.3, 0.2)}, points=4), n=1)


# --------------------------------------------------------------------------- designs
def test_a_latin_hypercube_hits_every_stratum_of_every_range_once(base):
    k = 12
    design = LatinHypercube({"supervision.intensity_floor": (0.1, 0.4), "deal_size.ask_spread": (0.0, 0.6)},
                            points=k, seed=7)
    params, pts = design.sample_points(base)
    for path, (lo, hi) in design.ranges.items():
        strata = sorted(int((p[path] - lo) / (hi - lo) * k) for p in pts)
        assert strata == list(range(k)), path
    again = LatinHypercube(design.ranges, points=k, seed=7).sample_points(base)[1]
    other = LatinHypercube(design.ranges, points=k, seed=8).sample_points(base)[1]
    assert again == pts and other != pts


def test_a_grid_is_every_combination_in_order(base):
    _, pts = Grid({"team.reps.0.count": [5, 7], "supervision.intensity_floor": [0.2, 0.25, 0.3]}).sample_points(base)
    assert len(pts) == 6
    assert pts[0] == {"team.reps.0.count": 5, "supervision.intensity_floor": 0.2}
    assert pts[1] == {"team.reps.0.count": 5, "supervision.intensity_floor": 0.25}  # last path varies fastest


# --------------------------------------------------------------------------- the table
@pytest.fixture(scope="module")
def small_sweep(base):
    return sweep(base, {"team.reps.0.count": [5, 7, 9]}, n=3, seed=2, workers=2)


def test_one_row_per_point_and_replication(small_sweep):
    t = small_sweep.table
    assert len(t) == 3 * 3
    assert list(t.columns[:6]) == ["point", "label", "team.reps.0.count", "scenario_hash", "seed", "replication"]
    assert t.groupby("point")["replication"].apply(list).tolist() == [[0, 1, 2]] * 3
    assert t["team.reps.0.count"].tolist() == [5] * 3 + [7] * 3 + [9] * 3
    assert t["scenario_hash"].nunique() == 3 and (t["seed"] == 2).all()


def test_each_row_is_the_replication_of_that_point(base, small_sweep):
    """Row (point 9 reps, replication 1) equals a single simulate() of that scenario and replication."""
    t = small_sweep.table
    row = t[(t["team.reps.0.count"] == 9) & (t["replication"] == 1)].iloc[0]
    sc = ss.with_overrides(base, {"team.reps.0.count": 9})
    assert row["scenario_hash"] == sc.content_hash()
    direct = ss.simulate(sc, seed=2, replication=1, record_events=False).summary()
    for m in ("revenue", "profit", "won_deals", "meetings"):
        assert row[m] == direct[m], m


def test_the_base_values_reproduce_replicate(base, small_sweep):
    """The grid point equal to the base scenario gives replicate()'s numbers (same seed, same streams)."""
    t = small_sweep.table
    at_base = t[t["team.reps.0.count"] == base.team.reps[0].count].sort_values("replication")
    reps = ss.replicate(base, n=3, seed=2).per_replication
    assert at_base["revenue"].tolist() == reps["revenue"].tolist()


def test_summary_per_point(small_sweep):
    s = small_sweep.summary(["revenue"])
    assert len(s) == 3 and (s["low"] <= s["mean"]).all() and (s["mean"] <= s["high"]).all()
    means = small_sweep.table.groupby("point")["revenue"].mean().to_numpy()
    assert np.allclose(s["mean"].to_numpy(), means)
    with pytest.raises(UserError, match="unknown metric"):
        small_sweep.summary(["nonsense"])
