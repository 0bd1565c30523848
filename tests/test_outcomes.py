"""Compact replication outcomes and their cache (salessim/outcomes.py)."""

from __future__ import annotations

import numpy as np
import pytest

import salessim as ss
from salessim.outcomes import OutcomeCache, band_frame, run_outcome_set, run_outcomes


@pytest.fixture(scope="module")
def short() -> ss.Scenario:
    return ss.load_scenario("baseline", {"calendar.months": 3})


def test_outcome_matches_the_full_result(short):
    cache = OutcomeCache()
    s = run_outcome_set(short, 2, seed=3, workers=1, cache=cache)
    for o in s.outcomes:
        res = ss.simulate(short, seed=3, replication=o.replication, record_events=False)
        assert o.summary == res.summary()
        pnl = res.pnl()
        np.testing.assert_allclose(o.monthly["profit"], pnl["profit"].to_numpy())
        np.testing.assert_allclose(o.monthly["payroll"], (pnl["salaries"] + pnl["variable_pay"]
                                                           + pnl["payroll_tax"]).to_numpy())
        rm = res.rep_monthly()
        pay = rm.pivot(index="month", columns="rep", values="pay_total")[res.reps].to_numpy()
        np.testing.assert_allclose(o.rep["pay"], pay)
        dm = res.department_monthly()
        np.testing.assert_allclose(o.monthly["meetings_per_rep"], dm["meetings_per_rep"].to_numpy())


def test_cache_answers_settings_already_seen_without_simulating(short):
    cache = OutcomeCache()
    calls = []
    first = run_outcome_set(short, 4, seed=1, workers=1, cache=cache, progress=lambda d, t: calls.append((d, t)))
    assert cache.simulated == 4 and calls[-1] == (4, 4)
    again = run_outcome_set(short, 4, seed=1, workers=1, cache=cache, progress=lambda d, t: calls.append((d, t)))
    assert cache.simulated == 4 and calls[-1] == (0, 0)
    assert [o.summary for o in again.outcomes] == [o.summary for o in first.outcomes]
    # more replications of the same seed run only the new ones; another seed runs all
    run_outcome_set(short, 6, seed=1, workers=1, cache=cache)
    assert cache.simulated == 6
    run_outcome_set(short, 2, seed=2, workers=1, cache=cache)
    assert cache.simulated == 8


def test_cache_key_is_the_scenario_content_not_its_name(short):
    cache = OutcomeCache()
    renamed = short.model_copy(update={"name": "another_name", "description": "same department"})
    changed = ss.load_scenario(short, {"team.reps.0.count": 6})
    run_outcome_set(short, 2, seed=0, workers=1, cache=cache)
    run_outcome_set(renamed, 2, seed=0, workers=1, cache=cache)
    assert cache.simulated == 2
    run_outcome_set(changed, 2, seed=0, workers=1, cache=cache)
    assert cache.simulated == 4


def test_parallel_equals_serial_and_scenarios_are_paired(short):
    other = ss.load_scenario(short, {"supervision.intensity_floor": 0.5})
    serial = run_outcomes([short, other], 4, seed=5, workers=1, cache=None)
    parallel = run_outcomes([short, other], 4, seed=5, workers=2, cache=None)
    for a, b in zip(serial, parallel):
        assert [o.summary for o in a.outcomes] == [o.summary for o in b.outcomes]
    assert [o.replication for o in serial[0].outcomes] == [o.replication for o in serial[1].outcomes] == [0, 1, 2, 3]


def test_cache_drops_the_least_recently_used(short):
    cache = OutcomeCache(max_items=3)
    run_outcome_set(short, 3, seed=0, workers=1, cache=cache)
    run_outcome_set(short, 1, seed=0, workers=1, cache=cache)          # touch replication 0
    run_outcome_set(short, 1, seed=9, workers=1, cache=cache)          # evicts replication 1 of seed 0
    assert len(cache) == 3
    before = cache.simulated
    run_outcome_set(short, 1, seed=0, workers=1, cache=cache)
    assert cache.simulated == before
    run_outcome_set(short, 2, seed=0, workers=1, cache=cache)
    assert cache.simulated == before + 1


def test_band_is_mean_and_central_quantiles():
    x = np.array([[1.0, 10.0], [2.0, 20.0], [3.0, np.nan], [4.0, 40.0]])
    b = band_frame(x, ["m1", "m2"], level=0.5)
    assert list(b.index) == ["m1", "m2"]
    assert b.loc["m1", "mean"] == pytest.approx(2.5)
    assert b.loc["m1", "low"] == pytest.approx(np.quantile([1, 2, 3, 4], 0.25))
    assert b.loc["m2", "mean"] == pytest.approx(70 / 3)
    assert b.loc["m2", "high"] == pytest.approx(np.quantile([10, 20, 40], 0.75))


def test_bad_counts_are_user_errors(short):
    with pytest.raises(ss.UserError, match="at least 1 replication"):
        run_outcome_set(short, 0)
    with pytest.raises(ss.UserError, match="seed"):
        run_outcome_set(short, 1, seed=-1)
