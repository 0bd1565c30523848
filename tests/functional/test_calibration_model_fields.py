"""The small, optional scenario fields calibrated scenarios use, and that they change nothing by default.

* ``lead_sources[].rate_by_month``: a month's own arrival rate;
* ``team.reps[].inbound_weight``: each rep's share of inbound leads;
* ``products.X.stall_share``: deals that stay open for ever;
* ``closing_pace.monthly_sd``: month-to-month swings of the client delays;
* the ``mixture`` distribution.
"""

from __future__ import annotations

import math

import numpy as np
import pytest

import salessim as ss
from salessim.scenarios.files import scenario_data, validate
from tests.conftest import funnel_only


def _ci(x, z=3.0):
    x = np.asarray(x, dtype=float)
    half = z * x.std(ddof=1) / math.sqrt(len(x))
    return x.mean() - half, x.mean() + half


def test_defaults_leave_a_run_unchanged(baseline):
    """Writing the new fields at their defaults gives the identical result (same draws)."""
    data = scenario_data(baseline, exclude_none=True)
    explicit = validate(data)
    a = ss.simulate(baseline, seed=9, record_events=False).summary()
    b = ss.simulate(explicit, seed=9, record_events=False).summary()
    assert a == b
    assert baseline.closing_pace.monthly_sd == 0 and baseline.products["A"].stall_share == 0
    assert all(g.inbound_weight == 1.0 for g in baseline.team.reps)


def test_rate_by_month_sets_that_months_arrivals():
    sc = funnel_only(2.0, (1.0, 1.0, 1.0, 1.0), months=3)
    label = sc.calendar.start.strftime("%Y-%m")
    busy = ss.with_overrides(sc, {"lead_sources.0.rate_by_month": {label: 10.0}})
    n = 8
    base = ss.replicate(sc, n=n, seed=1).department_monthly()
    hot = ss.replicate(busy, n=n, seed=1).department_monthly()
    days = ss.simulate(sc, seed=1).calendar.days_in_month
    first = hot[hot["month"] == label]["inbound_leads"]
    lo, hi = _ci(first)
    assert lo <= 10.0 * days[0] <= hi
    # the other months keep rate_per_day
    for i, m in enumerate(sorted(hot["month"].unique())[1:], start=1):
        lo, hi = _ci(hot[hot["month"] == m]["inbound_leads"])
        assert lo <= 2.0 * days[i] <= hi, m
    lo, hi = _ci(base[base["month"] == label]["inbound_leads"])
    assert lo <= 2.0 * days[0] <= hi


def test_rate_by_month_keys_are_checked():
    sc = funnel_only(2.0, (1.0, 1.0, 1.0, 1.0))
    with pytest.raises(ss.ScenarioError, match="YYYY-MM"):
        ss.with_overrides(sc, {"lead_sources.0.rate_by_month": {"March": 3.0}})


def test_inbound_weight_sets_each_reps_share():
    sc = funnel_only(6.0, (1.0, 1.0, 1.0, 1.0), months=4, reps=1)
    groups = [{"id": "big", "count": 1, "supervisor": "head", "salary_per_month": 1.0, "inbound_weight": 3.0},
              {"id": "small", "count": 2, "supervisor": "head", "salary_per_month": 1.0}]
    sc = ss.with_overrides(sc, {"team.reps": groups})
    res = ss.simulate(sc, seed=2)
    counts = res.leads().groupby("rep").size()
    total = counts.sum()
    for rep, w in (("big", 3 / 5), ("small01", 1 / 5), ("small02", 1 / 5)):
        se = math.sqrt(total * w * (1 - w))
        assert abs(counts[rep] - total * w) < 4 * se, (rep, counts[rep], total * w)


def test_stall_share_leaves_that_share_open_for_ever():
    sc = funnel_only(5.0, (1.0, 1.0, 1.0, 0.5), months=6)
    sc = ss.with_overrides(sc, {"products.A.stall_share": 0.3})
    leads = ss.simulate(sc, seed=4).leads()
    met = leads[leads["created_day"] < leads["created_day"].max() - 2]   # had their meeting
    stalled = (met["reason"] == "stalled").mean()
    se = math.sqrt(0.3 * 0.7 / len(met))
    assert abs(stalled - 0.3) < 4 * se
    assert (met.loc[met["reason"] == "stalled", "state"] == "open").all()
    closed = met[met["state"].isin(["won", "lost"])]
    assert abs((closed["state"] == "won").mean() - 0.5) < 4 * math.sqrt(0.25 / len(closed))


def test_mixture_distribution_samples_its_components():
    d = ss.load_scenario("baseline", {"products.A.delays_days.negotiation_to_close": {
        "dist": "mixture", "weights": [0.25, 0.75],
        "components": [{"dist": "fixed", "value": 2.0}, {"dist": "fixed", "value": 10.0}]}}
    ).products["A"].delays_days.negotiation_to_close
    x = d.sample_n(np.random.default_rng(1), 20000)
    assert set(np.unique(x)) == {2.0, 10.0}
    assert abs((x == 2.0).mean() - 0.25) < 4 * math.sqrt(0.25 * 0.75 / 20000)
    assert d.mean == pytest.approx(0.25 * 2 + 0.75 * 10)
    with pytest.raises(ss.ScenarioError, match="summing to 1"):
        ss.load_scenario("baseline", {"products.A.delays_days.negotiation_to_close": {
            "dist": "mixture", "weights": [0.2, 0.2], "components": [{"dist": "fixed", "value": 1.0}] * 2}})


def test_closing_pace_swings_monthly_closes_but_keeps_their_mean():
    """Fast and slow months: closes per month vary more, while the average time to close stays put."""
    base = funnel_only(4.0, (1.0, 1.0, 1.0, 1.0), months=8)
    base = ss.with_overrides(base, {"products.A.delays_days.negotiation_to_close": {"dist": "fixed", "value": 15.0}})
    swing = ss.with_overrides(base, {"closing_pace.monthly_sd": 0.4})
    n = 6
    calm = ss.replicate(base, n=n, seed=3).department_monthly()
    wild = ss.replicate(swing, n=n, seed=3).department_monthly()
    late = sorted(calm["month"].unique())[2:]
    sd_calm = calm[calm["month"].isin(late)].groupby("replication")["wins"].std().mean()
    sd_wild = wild[wild["month"].isin(late)].groupby("replication")["wins"].std().mean()
    assert sd_wild > 2 * sd_calm
    lc = ss.simulate(base, seed=3).leads()
    lw = ss.simulate(swing, seed=3).leads()
    won = lc[(lc["state"] == "won") & (lc["created_day"] > 0)]
    assert (won["cycle_days"] == 16).all()   # the meeting day + 15 days
    mean_w = lw.loc[lw["state"] == "won", "cycle_days"].mean()
    assert 12 < mean_w < 22
