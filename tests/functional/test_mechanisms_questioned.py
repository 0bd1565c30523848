"""The mechanisms a sales expert questions, each tested on seeded replications (issue 16, point 4).

* a new hire works as hard as the attention they get sustains from their first day (they do
  not start at full intensity and decay);
* a new hire's activity ramps up, as their odds do (first calls, then meetings);
* a client pays ``back_office.payment_delay_days`` after signing: executed revenue, the plan
  fact that counts payments, and commissions on it follow the payment;
* idle time (paid hours with nothing to do) is a KPI;
* reps may leave after a month short of plan or idle (off by default);
* the first months of a longer run are the shorter run (a 36-month answer's first year is the
  12-month answer).
"""

from __future__ import annotations

import numpy as np
import pytest

import salessim as ss
from salessim.engine.rep import target_intensity
from salessim.results.statistics import mean_interval

SEEDS = range(4)


def _monthly(name, overrides=None, seeds=SEEDS, **kw):
    sc = ss.load_scenario(name, overrides)
    return [ss.simulate(sc, seed=s, record_events=kw.get("events", False), keep_leads=False) for s in seeds]


# --------------------------------------------------------------------------- new hires' intensity
def test_new_hires_start_at_the_intensity_their_attention_sustains():
    """1 head + 15 reps: in January the eight new hires work at the intensity their share of the
    head's attention sustains (the target of the attention curve), below the seven in post, who
    start the year at full intensity and decay toward it (before, new hires too started at 1.0)."""
    sc = ss.load_scenario("double_headcount_one_supervisor")
    sup = sc.supervision
    gaps, errors = [], []
    for res in _monthly("double_headcount_one_supervisor"):
        rm = res.rep_monthly()
        jan = rm[rm["month"] == rm["month"].iloc[0]]
        new = jan[jan["rep"].str.startswith("new")]
        old = jan[jan["rep"].str.startswith("rep")]
        gaps.append(old["intensity"].mean() - new["intensity"].mean())
        target = target_intensity(float(new["attention"].mean()), sup.intensity_floor, sup.attention_threshold)
        errors.append(abs(new["intensity"].mean() - target))
    gap = mean_interval(np.array(gaps))
    assert gap["low"] > 0.1, gap                      # the new hires work well below the seven in post
    assert max(errors) < 0.08, errors                 # and at the level their attention sustains


# --------------------------------------------------------------------------- ramp of activity
def test_a_new_hires_activity_ramps_up_with_their_odds():
    """With supervision off (full intensity for all), a new hire's selling hours per day in their first
    month are about the ramp's average then of those after the ramp (before: the same from day one)."""
    over = {"supervision.enabled": False, "people.attrition_per_year": 0.0, "people.vacation_days_per_year": 0.0}
    worked = ["hours_meetings", "hours_deal_work", "hours_inbound", "hours_clients", "hours_prospecting"]
    ratios = []
    for res in _monthly("double_headcount_one_supervisor", over):
        rm = res.rep_monthly()
        new = rm[rm["rep"].str.startswith("new")]
        g = new.groupby("month", sort=True)
        per_day = g[worked].sum().sum(axis=1) / g["days_present"].sum()
        ratios.append(per_day.iloc[0] / per_day.iloc[6])   # January against July (past the 3-month ramp)
    ratios = np.array(ratios)
    ppl = ss.load_scenario("baseline").people
    days = ppl.ramp_months * 52 * 5 / 12
    # the ramp's mean over the first ~21 working days, from ramp_activity_start toward 1
    expected = ppl.ramp_activity_start + (1 - ppl.ramp_activity_start) * (21 / 2) / days
    assert ratios.max() < 0.8, ratios
    assert abs(ratios.mean() - expected) < 0.1, (ratios, expected)


def test_no_activity_ramp_when_it_starts_at_full():
    a = _monthly("double_headcount_one_supervisor", {"people.ramp_activity_start": 1.0}, seeds=[0])[0]
    b = _monthly("double_headcount_one_supervisor", {"people.ramp_activity_start": 0.5}, seeds=[0])[0]
    assert a.summary()["calls"] > b.summary()["calls"]


# --------------------------------------------------------------------------- payment delay
def test_executed_revenue_follows_payment_not_signature():
    """Each paid deal's payment comes payment_delay_days (working days) after it is signed."""
    sc = ss.load_scenario("baseline", {"back_office.payment_delay_days": 15.0, "back_office.nonpayment_rate": 0.0,
                                       "calendar.months": 4})
    res = ss.simulate(sc, seed=2, record_events=True, keep_leads=False)
    ev = res.events()
    won = ev[ev["event"] == "won"].set_index("lead_id")["t_hours"]
    paid = ev[ev["event"] == "paid"].set_index("lead_id")["t_hours"]
    both = won.index.intersection(paid.index)
    assert len(both) > 50
    np.testing.assert_allclose((paid[both] - won[both]).to_numpy(), 15.0 * sc.calendar.hours_per_day)
    end = res.calendar.n_days * sc.calendar.hours_per_day    # t_hours counts from the period's start
    late = won[(won > end - 15 * sc.calendar.hours_per_day)].index
    assert len(late) > 0 and not set(late) & set(paid.index)    # due after the horizon: not paid in it


def test_a_longer_payment_delay_moves_revenue_out_of_the_period():
    """Contracted revenue stays; executed revenue within a year falls by about the delay's share of it."""
    short, long = [], []
    for seed in range(6):
        short.append(ss.simulate(ss.load_scenario("baseline", {"back_office.payment_delay_days": 5.0}), seed=seed,
                                 record_events=False, keep_leads=False).summary())
        long.append(ss.simulate(ss.load_scenario("baseline", {"back_office.payment_delay_days": 60.0}), seed=seed,
                                record_events=False, keep_leads=False).summary())
    contracted = np.array([b["contracted_revenue"] - a["contracted_revenue"] for a, b in zip(short, long)])
    new_paid = np.array([b["new_business_revenue"] - a["new_business_revenue"] for a, b in zip(short, long)])
    assert abs(contracted.mean()) < 0.02 * np.mean([a["contracted_revenue"] for a in short])
    assert mean_interval(new_paid)["high"] < 0                      # paid within the year: less


# --------------------------------------------------------------------------- idle time
def test_idle_time_is_a_kpi_and_shows_a_market_worked_out():
    """A tiny market with no inbound leads leaves reps with nothing to do; the baseline's are busy."""
    tiny = {"products.A.market_size": 60, "lead_sources": [], "key_clients.enabled": False,
            "calendar.months": 4}
    busy = [r.summary()["idle_share"] for r in _monthly("baseline", {"calendar.months": 4})]
    idle = [r.summary()["idle_share"] for r in _monthly("baseline", tiny)]
    assert max(busy) < 0.05 and min(idle) > 0.3, (busy, idle)


# --------------------------------------------------------------------------- attrition response
def test_reps_short_of_plan_leave_more_when_attrition_responds():
    """An unreachable plan, and leaving that responds to shortfall: fewer rep-months in post (paired
    replications; off by default: the same runs as before)."""
    base = {"plan.monthly_per_rep": 400000.0}
    off = _monthly("baseline", base, seeds=range(8))
    on = _monthly("baseline", {**base, "people.attrition_response.shortfall": 20.0}, seeds=range(8))
    diff = np.array([b.summary()["rep_months"] - a.summary()["rep_months"] for a, b in zip(off, on)])
    assert mean_interval(diff)["high"] < 0, diff
    again = _monthly("baseline", {**base, "people.attrition_response.shortfall": 0.0}, seeds=range(2))
    assert [r.summary() for r in again] == [r.summary() for r in off[:2]]


# --------------------------------------------------------------------------- horizons
@pytest.mark.parametrize("name", ["baseline", "double_headcount_one_supervisor"])
def test_the_first_year_of_a_longer_run_is_the_one_year_run(name):
    """Every random draw is made in calendar order (vacations year by year), so a 36-month run's first 12
    months are the 12-month run: answers over several horizons come from one run and agree."""
    short = ss.simulate(ss.load_scenario(name), seed=5, record_events=False, keep_leads=False)
    long = ss.simulate(ss.load_scenario(name, {"calendar.months": 36}), seed=5, record_events=False, keep_leads=False)
    for col in ("revenue", "contracted_revenue", "salaries", "commissions"):
        np.testing.assert_array_equal(short.pnl()[col].to_numpy(), long.pnl()[col].to_numpy()[:12])
