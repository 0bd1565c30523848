"""Each mechanism of the model does what docs/model.md says, shown on paired replications."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import stats

import salessim as ss
from salessim.model import Department
from salessim.results.statistics import mean_interval

N = 6


def paired(base, variant, col, n=N, seed=13):
    a = ss.replicate(base, n=n, seed=seed, workers=2).per_replication[col].to_numpy()
    b = ss.replicate(variant, n=n, seed=seed, workers=2).per_replication[col].to_numpy()
    return mean_interval(b - a), a, b


def test_overflow_routing_saves_inbound_calls(baseline):
    busy = ss.with_overrides(baseline, {"lead_sources.1.rate_per_day": 4.0})
    routed = ss.with_overrides(busy, {"routing.overflow": True})
    diff, off, on = paired(busy, routed, "missed_calls")
    assert diff["high"] < 0
    assert on.mean() < 0.5 * off.mean()


def test_lost_deal_review_returns_about_the_configured_share(baseline):
    sc = ss.with_overrides(baseline, {"lost_review.enabled": True})
    res = ss.simulate(sc, seed=4)
    leads = res.leads()
    ev = res.events()
    returned = (ev["event"] == "returned").sum()
    # a first loss at meeting, proposal or negotiation is one chance to return: the final losses of
    # leads never returned failed it, each 'returned' event passed it (a second loss has no chance)
    lost_late = ((leads["state"] == "lost") & ~leads["returned"]
                 & leads["stage"].isin(["meeting", "proposal", "negotiation"])
                 & leads["closed_day"].between(0, res.calendar.n_days - 1)).sum()
    returned_in_period = ((ev["event"] == "returned") & (ev["t_hours"] >= 0)).sum()
    trials = lost_late + returned_in_period
    share = sc.lost_review.return_share
    lo, hi = stats.binom.ppf([0.0005, 0.9995], trials, share)
    assert lo <= returned_in_period <= hi, (returned_in_period, trials)
    assert returned > 0
    # the head's time pays for it
    assert res.supervisor_monthly()["hours_reviews"].sum() > 0
    diff, _, _ = paired(baseline, sc, "won_deals")
    assert diff["low"] > 0


def test_attrition_empties_seats_and_replacements_ramp(baseline):
    sc = ss.with_overrides(baseline, {"people.attrition_per_year": 0.9, "people.replacement_delay_days": 20.0})
    dept = Department(sc, seed=3)
    rep = next(r for r in dept.reps if r.departures)
    leave, back = rep.departures[0]
    assert not any(rep.employed[leave:back]) and rep.employed[back]
    assert rep.tenure_days(back) == 0
    assert rep.effectiveness(back) == pytest.approx(rep.skill * sc.people.ramp_start)
    res = ss.simulate(sc, seed=3, record_events=False)
    calm = ss.simulate(baseline, seed=3, record_events=False)
    assert res.summary()["salaries"] < calm.summary()["salaries"]  # empty seats are not paid
    assert res.summary()["rep_months"] < calm.summary()["rep_months"]


def test_vacations_take_reps_out_of_the_diary(baseline):
    dept = Department(baseline, seed=1)
    rep = dept.reps[0]
    absent = [d for d in range(dept.calendar.n_days) if rep.employed[d] and not rep.present[d]]
    per_year = len(absent) / dept.calendar.n_days * dept.days_per_year
    assert per_year == pytest.approx(baseline.people.vacation_days_per_year, abs=baseline.people.vacation_block_days)
    assert all(rep.slot_cap[d] == 0 for d in absent)


def test_new_hires_are_paid_from_day_one_and_sell_later(baseline):
    one = ss.simulate("double_headcount_one_supervisor", seed=2, record_events=False)
    rm = one.rep_monthly()
    new = rm[rm["rep"].str.startswith("new")]
    first, later = new[new["month"] == "2027-01"], new[new["month"] >= "2027-05"]
    assert (first["salary"] > 0).all()
    assert first["wins"].sum() < later.groupby("month")["wins"].sum().mean()


def test_career_decline_lowers_activity_of_long_tenured_reps(baseline):
    sine = ss.with_overrides(baseline, {"people.career.enabled": True})
    diff, a, b = paired(baseline, sine, "meetings")
    assert diff["high"] < 0


def test_bigger_proposals_win_less_often_and_take_longer(baseline):
    big = ss.with_overrides(baseline, {"deal_size.reference": 1250.0})  # every proposal now 4x the reference
    diff_w, _, _ = paired(baseline, big, "win_rate")
    diff_c, _, _ = paired(baseline, big, "cycle_days")
    assert diff_w["high"] < 0 and diff_c["low"] > 0
    flat = ss.with_overrides(big, {"deal_size.win_elasticity": 0.0, "deal_size.cycle_elasticity": 0.0})
    diff_0, _, _ = paired(baseline, flat, "win_rate")
    assert diff_0["low"] <= 0 <= diff_0["high"]


def test_training_costs_appear_in_the_pnl(baseline):
    res = ss.simulate("raise_deal_size", seed=1, record_events=False)
    pnl = res.pnl()
    t = res.scenario.deal_size.training
    assert pnl["training"].sum() == pytest.approx(t.cost_per_rep * res.scenario.n_reps())
    assert pnl.loc[pnl["month"] == "2027-01", "training"].iloc[0] > 0
    assert res.rep_monthly()["hours_training"].sum() == pytest.approx(
        t.days_out * res.calendar.hours_per_day * res.scenario.n_reps())


def test_unsold_stock_ties_up_capital():
    res = ss.simulate("new_product_group", seed=1, record_events=False)
    pnl = res.pnl()
    stock = res.scenario.products["B"].stock_value
    assert 0 < pnl["inventory_at_cost"].iloc[-1] <= stock
    rate = res.scenario.costs.inventory_carrying_rate_per_month
    np.testing.assert_allclose(pnl["inventory_carrying"], rate * pnl["inventory_at_cost"])


def test_acquiring_a_client_costs_five_to_six_times_keeping_one(baseline):
    r = ss.replicate(baseline, n=40, seed=2, workers=2).per_replication["acquisition_to_retention_cost"]
    ci = mean_interval(r.to_numpy())
    assert 5.0 <= ci["low"] and ci["high"] <= 6.0, ci


def test_heads_spend_half_or_more_on_coaching_with_seven_reps(baseline):
    res = ss.simulate(baseline, seed=5, record_events=False)
    sm = res.supervisor_monthly()
    assert (sm["coaching_share"] >= 0.5).all()


def test_forced_mix_overrides_pay(baseline):
    npg = ss.load_scenario("new_product_group")
    forced = ss.with_overrides(npg, {"effort_choice.forced_mix": {"A": 0.5, "B": 0.5}})
    r = ss.simulate(forced, seed=1, record_events=False)
    hours = r.rep_product_monthly().groupby("product")["prospecting_hours"].sum()
    assert hours["B"] == pytest.approx(hours["A"], rel=0.15)
