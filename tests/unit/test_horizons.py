"""Answers over several horizons and the payback month, on known series."""

from __future__ import annotations

import numpy as np
import pytest

import salessim as ss
from salessim.analyses import horizons as hz


def test_payback_is_the_month_the_cumulative_difference_turns_and_stays():
    mean = np.array([-3.0, -5.0, -4.0, -1.0, 0.5, 2.0, 4.0])
    low = mean - 2.0
    high = mean + 2.0
    p = hz._payback(mean, low, high, [f"m{i}" for i in range(1, 8)])
    assert (p.month, p.label, p.never_behind) == (5, "m5", False)
    assert p.earliest == 4          # the upper bound stays >= 0 from month 4 (+1)
    assert p.latest == 6            # the lower bound from month 6 (0.0)


def test_a_dip_after_turning_moves_the_payback_later():
    mean = np.array([-2.0, 1.0, -0.5, 1.0, 2.0])
    p = hz._payback(mean, mean - 0.1, mean + 0.1, list("abcde"))
    assert p.month == 4


def test_never_paying_back_and_never_behind_are_said_as_such():
    behind = hz._payback(np.array([-1.0, -2.0]), np.array([-3.0, -4.0]), np.array([0.5, -1.0]), ["a", "b"])
    assert behind.month is None and "does not pay back within 2 months" in behind.sentence(["a", "b"])
    ahead = hz._payback(np.array([1.0, 2.0]), np.array([0.5, 1.0]), np.array([2.0, 3.0]), ["a", "b"])
    assert ahead.never_behind and "from the first month" in ahead.sentence(["a", "b"])


def test_horizons_are_checked():
    assert hz.check_horizons([36, 12, 24, 12]) == (12, 24, 36)
    for bad in ([], [0], [121], [2.5]):
        with pytest.raises(ss.UserError):
            hz.check_horizons(bad)


def test_horizon_totals_add_the_first_months_of_each_replication():
    """The table's totals are the paired sums of the monthly series (checked against the series)."""
    sc = ss.load_scenario("baseline", {"calendar.months": 6})
    variant = ss.load_scenario(sc, {"products.A.margin": 0.45})
    from salessim.runs.replications import replicate_many

    b, v = replicate_many([sc, variant], 4, 3, detail="outcome")
    h = hz.from_replications(b, v, (2, 6))
    row = h.table[(h.table["kpi"] == "profit") & (h.table["months"] == 2)].iloc[0]
    expected = (v.monthly("profit")[:, :2].sum(axis=1) - b.monthly("profit")[:, :2].sum(axis=1)).mean()
    assert row["diff"] == pytest.approx(expected)
    assert row["verdict"] == "better" and row["low"] > 0
    cum = h.cumulative["mean"].to_numpy()
    assert cum[-1] == pytest.approx(h.table[(h.table["kpi"] == "profit") & (h.table["months"] == 6)]["diff"].iloc[0])
