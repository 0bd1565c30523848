"""Round trip: simulate a known department, write it as CRM exports, calibrate, recover the truth.

The known scenario has the calibrated form (every opportunity an inbound lead, the outcome
drawn at the close), so its true win probabilities, arrival rates, stalled shares and
median times to close are known exactly. One simulated history is written in two presets'
formats (HubSpot CSV, and Bitrix24: Windows-1251, ';', decimal commas, day-first dates)
and each is calibrated. The truth must lie inside the fitted intervals (taken at 99% here,
so that the eight independent checks all pass with probability ~0.92 for any seed), and
both formats must give the same fit.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from scipy import special

import salessim as ss
from salessim.calibration import calibrate
from salessim.calibration.export import export_date, write_export, write_price_list, write_teams
from salessim.calibration.fitting import poisson_rate_interval
from salessim.calibration.pooling import jeffreys_interval

TRUE = {
    "A": {"rate": 5.0, "win": 0.60, "median": 12.0, "sigma": 0.7, "stall": 0.15, "size": 2000.0},
    "B": {"rate": 2.5, "win": 0.35, "median": 30.0, "sigma": 0.5, "stall": 0.0, "size": 9000.0},
}
LEVEL = 0.99


def truth_scenario() -> ss.Scenario:
    zero = {"dist": "fixed", "value": 0.0}

    def product(t):
        return {
            "group": "G", "deal_size": {"dist": "lognormal", "median": t["size"], "sigma": 0.3}, "margin": 0.3,
            "market_size": 0, "stall_share": t["stall"],
            "funnel": {"booking_rate": 0.2, "contact_to_meeting": 1.0, "meeting_to_proposal": 1.0,
                       "proposal_to_negotiation": 1.0, "negotiation_to_won": t["win"]},
            "delays_days": {"meeting_to_proposal": zero, "proposal_to_decision": zero,
                            "negotiation_to_close": {"dist": "lognormal", "median": t["median"], "sigma": t["sigma"]}},
            "effort_hours": {"proposal": 0.0, "negotiation": 0.0},
        }

    reps = [{"id": f"Rep {k}", "count": 1, "supervisor": "Head One" if k < 3 else "Head Two",
             "region": "North" if k < 3 else "South", "salary_per_month": 3000.0} for k in range(6)]
    return ss.load_scenario("baseline", {
        "calendar.start": __import__("datetime").date(2025, 1, 1),
        "calendar.months": 12,
        "calendar.warmup_months": 0,
        "calendar.holidays": [],
        "team.supervisors": [{"id": "Head One", "weekly_hours": 40.0, "salary_per_month": 6000.0},
                             {"id": "Head Two", "weekly_hours": 40.0, "salary_per_month": 6000.0}],
        "team.reps": reps,
        "products.A": product(TRUE["A"]),
        "products.B": product(TRUE["B"]),
        "lead_sources": [{"name": "a", "product": "A", "kind": "form", "rate_per_day": TRUE["A"]["rate"]},
                         {"name": "b", "product": "B", "kind": "form", "rate_per_day": TRUE["B"]["rate"]}],
        "activity.meeting_hours": 0.25, "activity.travel_hours": 0.0, "activity.max_meetings_per_day": 0,
        "activity.inbound_connect_rate": 1.0, "activity.max_contact_attempts": 1, "activity.no_show_rate": 0.0,
        "activity.meeting_lead_days": 1, "activity.booking_horizon_days": 60, "activity.lead_patience_days": 60.0,
        "people.attrition_per_year": 0.0, "people.vacation_days_per_year": 0.0,
        "key_clients.enabled": False, "back_office.enabled": False,
        "deal_size.win_elasticity": 0.0, "deal_size.cycle_elasticity": 0.0, "deal_size.reference": 1000.0,
        "pay.components": [],
        "market_mood.monthly_sd": 0.0,        # a calm market: the win probabilities hold in every month
    })


@pytest.fixture(scope="module")
def history():
    return ss.simulate(truth_scenario(), seed=1)


@pytest.fixture(scope="module")
def calibrations(history, tmp_path_factory):
    d = tmp_path_factory.mktemp("roundtrip")
    teams = write_teams(history, d / "teams.csv")
    prices = write_price_list(history, d / "products.csv")
    out = {}
    for preset, name in (("hubspot", "hubspot.csv"), ("bitrix24", "bitrix.csv")):
        path = write_export(history, d / name, preset)
        out[preset] = calibrate(path, teams=teams, products=prices, as_of=export_date(history))
    return out


def test_exports_are_in_each_presets_format(calibrations):
    hub, bx = calibrations["hubspot"], calibrations["bitrix24"]
    assert hub.mapping.preset.name == "hubspot" and bx.mapping.preset.name == "bitrix24"
    assert bx.raw.encoding == "cp1251" and bx.raw.delimiter == ";"
    assert bx.validated.info["date_order"] == "day_first"
    assert bx.validated.info["decimal"].startswith("decimal comma")
    for cal in calibrations.values():
        assert cal.validated.n_rejected == 0


def test_both_formats_give_the_same_fit(calibrations):
    a, b = calibrations["hubspot"].fit, calibrations["bitrix24"].fit
    np.testing.assert_allclose(a.wins.products["base_prob"], b.wins.products["base_prob"], rtol=1e-9)
    np.testing.assert_allclose(a.sources["rate_per_day"], b.sources["rate_per_day"], rtol=1e-9)
    for p in TRUE:
        assert a.product_times[p].median_cycle() == pytest.approx(b.product_times[p].median_cycle(), rel=1e-6)


@pytest.mark.parametrize("preset", ["hubspot", "bitrix24"])
def test_win_probabilities_are_recovered(calibrations, preset):
    wp = calibrations[preset].fit.wins.products.set_index("product")
    for p, t in TRUE.items():
        lo, hi = jeffreys_interval(int(wp.at[p, "won"]), int(wp.at[p, "closed"]), LEVEL)
        assert lo <= t["win"] <= hi, (p, lo, t["win"], hi)


@pytest.mark.parametrize("preset", ["hubspot", "bitrix24"])
def test_arrival_rates_are_recovered(calibrations, preset):
    f = calibrations[preset].fit
    assert f.workdays == ["Mon", "Tue", "Wed", "Thu", "Fri"]
    src = f.sources.set_index("product")
    for p, t in TRUE.items():
        lo, hi = poisson_rate_interval(int(src.at[p, "n"]), float(src.at[p, "working_days"]), LEVEL)
        assert lo <= t["rate"] <= hi, (p, lo, t["rate"], hi)


@pytest.mark.parametrize("preset", ["hubspot", "bitrix24"])
def test_cycle_time_medians_and_stalled_shares_are_recovered(calibrations, preset):
    f = calibrations[preset].fit
    assert f.time_family in ("lognormal", "lognormal_mixture")
    for p, t in TRUE.items():
        fit = f.product_times[p]
        true_median = 1.0 + t["median"]   # the first meeting is the day after creation
        lo, hi = fit.median_interval(LEVEL)
        assert lo <= true_median <= hi, (p, lo, true_median, hi)
        slo, shi = fit.stall_interval(LEVEL)
        assert slo - 1e-3 <= t["stall"] <= shi + 1e-3, (p, slo, t["stall"], shi)


@pytest.mark.parametrize("preset", ["hubspot", "bitrix24"])
def test_a_calm_market_is_not_read_as_a_swinging_one(calibrations, preset):
    """Every month alike in the truth: the won share's month-to-month swing is within chance (the
    interval of the market's mood reaches 0)."""
    mood = calibrations[preset].fit.mood
    assert mood["months"] >= 6 and mood["low"] == 0.0, mood["note"]


def test_no_rep_differences_are_invented(calibrations):
    """The six reps have the same skill: pooling finds (almost) no spread, every skill interval covers 1."""
    reps = calibrations["hubspot"].fit.wins.reps
    assert calibrations["hubspot"].fit.wins.tau < 0.2
    assert ((reps["skill_low"] <= 1.0 + 1e-9) & (reps["skill_high"] >= 1.0 - 1e-9)).all()


def test_calibrated_scenario_reproduces_the_truth(calibrations, tmp_path):
    """The calibrated scenario's simulated win rate matches the truth's expected win rate."""
    sc = calibrations["hubspot"].write_scenario(tmp_path / "cal.toml", months=6)
    reps = ss.replicate(sc, n=4, seed=3)
    w = reps.per_replication["won_deals"].sum()
    l_ = reps.per_replication["lost_deals"].sum()
    rate = {p: TRUE[p]["rate"] * (1 - TRUE[p]["stall"]) for p in TRUE}
    expected = sum(rate[p] * TRUE[p]["win"] for p in TRUE) / sum(rate.values())
    se = math.sqrt(expected * (1 - expected) / (w + l_))
    assert abs(w / (w + l_) - expected) < 4 * se
    assert special.logit(0.5) == 0.0


# --------------------------------------------------------------------------- two clocks
def test_an_early_loss_point_is_found_and_recovered(tmp_path):
    """Losses at an early point (after D2) and at the close (after D2 + D3): the fit finds both clocks."""
    d2 = {"dist": "lognormal", "median": 3.0, "sigma": 0.5}
    d3 = {"dist": "lognormal", "median": 25.0, "sigma": 0.4}
    sc = ss.with_overrides(truth_scenario(), {
        "products.B.funnel.proposal_to_negotiation": 0.5,
        "products.A.funnel.proposal_to_negotiation": 0.5,
        "products.A.delays_days.proposal_to_decision": d2, "products.B.delays_days.proposal_to_decision": d2,
        "products.A.delays_days.negotiation_to_close": d3, "products.B.delays_days.negotiation_to_close": d3,
    })
    res = ss.simulate(sc, seed=77)
    path = write_export(res, tmp_path / "sf.csv", "salesforce")
    cal = calibrate(path, as_of=export_date(res))
    f = cal.fit
    assert cal.validated.info["date_order"] == "month_first"
    assert f.timing == "two_stage", f.timing_note
    two = f.two_stage
    # the truth: early losses are (1 - r) of the deals that close, late ones r (1 - w)
    wins = {p: TRUE[p]["win"] for p in TRUE}
    rate = {p: TRUE[p]["rate"] * (1 - TRUE[p]["stall"]) for p in TRUE}
    early = sum(rate[p] * 0.5 for p in TRUE)
    late = sum(rate[p] * 0.5 * (1 - wins[p]) for p in TRUE)
    lo, hi = two.early_interval(LEVEL)
    assert lo <= early / (early + late) <= hi, (lo, early / (early + late), hi)
    rng = np.random.default_rng(0)
    a = rng.lognormal(math.log(3.0), 0.5, 200000)
    b = rng.lognormal(math.log(25.0), 0.4, 200000)
    assert two.won_median() == pytest.approx(1 + np.median(a + b), rel=0.08)
    assert math.exp(two.x[0]) == pytest.approx(3.0, rel=0.15)
    sc2 = cal.scenario()
    assert sc2.products["A"].funnel.proposal_to_negotiation < 1
    assert sc2.products["A"].delays_days.proposal_to_decision.dist == "lognormal"


@pytest.mark.parametrize("preset", ["crm_sample", "salesforce", "pipedrive", "amocrm"])
def test_every_presets_export_reads_back_to_the_same_deals(history, calibrations, preset, tmp_path):
    path = write_export(history, tmp_path / f"{preset}.csv", preset)
    cal = calibrate(path, as_of=export_date(history))
    assert cal.mapping.preset.name == preset
    assert cal.validated.n_rejected == 0
    ref = calibrations["hubspot"].validated.deals.set_index("id").sort_index()
    got = cal.validated.deals.set_index("id").sort_index()
    assert list(got.index) == list(ref.index)
    assert (got["outcome"] == ref["outcome"]).all() and (got["rep"] == ref["rep"]).all()
    assert pd.to_datetime(got["created"]).equals(pd.to_datetime(ref["created"]))
    assert pd.to_datetime(got["closed"]).equals(pd.to_datetime(ref["closed"]))
    won = ref["outcome"] == "won"
    np.testing.assert_allclose(got.loc[won, "value"], ref.loc[won, "value"], rtol=1e-6)


# --------------------------------------------------------------------------- holdout
def test_the_holdout_forecasts_the_held_out_months_of_a_known_department(calibrations):
    """Fitted on the first nine months and simulated from a lead-in before the cut, the forecast
    of the last three months holds the truth's totals: the department is the model itself in a
    calm market, so the actual total of each figure over the held-out months lies in the 99%
    prediction band of the simulated totals (a lead-in that left the pipeline at the cut short
    would put the won deals of the first held-out month, and so the total, below the band)."""
    from salessim.calibration.backtest import METRICS, _run, actual_monthly, finish_holdout, plan_holdout

    cal = calibrations["hubspot"]
    plan = plan_holdout(cal.validated, cal.fit, months_out=3, n=20, seed=11)
    assert plan.months[-3:] == plan.out_months and len(plan.fitted_months) >= 6
    lead_in = len(plan.months) - 3
    assert 3 <= lead_in <= len(plan.fitted_months) and plan.months[:lead_in] == plan.fitted_months[-lead_in:]
    results = _run(plan.tasks(), workers=1)
    sim = np.stack([r["monthly"] for r in results])           # replication x month x figure
    actual = actual_monthly(cal.validated.deals, plan.out_months)
    for metric in ("new_deals", "won_deals"):
        totals = sim[:, -3:, METRICS.index(metric)].sum(axis=1)
        lo, hi = _band99(totals)
        assert lo <= float(actual[metric].sum()) <= hi, (metric, lo, float(actual[metric].sum()), hi)
    res = finish_holdout(cal.validated, plan, results)
    assert list(res.scores["months_scored"]) == [3, 3, 3]


def _band99(x: np.ndarray) -> tuple[float, float]:
    """A 99% Student-t prediction interval for one more draw of ``x``."""
    from scipy import stats
    n = len(x)
    half = stats.t.ppf(0.995, n - 1) * float(np.std(x, ddof=1)) * math.sqrt(1 + 1 / n)
    return float(np.mean(x) - half), float(np.mean(x) + half)
