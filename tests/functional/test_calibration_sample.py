"""Calibration on the real sample export (../shared/data/crm_export_sample/).

Every expected figure is computed here from the raw table with pandas, independently of
the calibration code: row counts, the win rate, and the median time to close (from a
Kaplan-Meier estimate written out below, allowing for deals that never close).
"""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

from salessim.calibration import calibrate
from salessim.cli import main
from salessim.errors import UserError
from tests.conftest import SHARED_DATA

pytestmark = pytest.mark.skipif(not (SHARED_DATA / "sales_pipeline.csv").exists(),
                                reason=f"the sample CRM export is not at {SHARED_DATA}")


@pytest.fixture(scope="module")
def raw() -> pd.DataFrame:
    return pd.read_csv(SHARED_DATA / "sales_pipeline.csv")


@pytest.fixture(scope="module")
def cal():
    return calibrate(SHARED_DATA / "sales_pipeline.csv", teams=SHARED_DATA / "sales_teams.csv",
                     products=SHARED_DATA / "products.csv")


def test_every_row_is_accounted_for(cal, raw):
    v = cal.validated
    assert v.n_rows == len(raw) == 14277
    s = v.summary.set_index(["verdict", "reason"])["rows"]
    assert s[("total", "accepted")] + s[("total", "rejected")] == len(raw)
    assert s[("accepted", "ok")] + s[("accepted", "with_notes")] == s[("total", "accepted")]
    assert (v.verdicts["verdict"].isin(["accepted", "rejected"])).all()
    # the won deals without a value, counted independently, are exactly the noted ones
    missing = raw[(raw["deal_stage"] == "Won") & raw["close_value"].isna()]
    assert s[("note", "won_without_value")] == len(missing)
    noted = v.verdicts.loc[v.verdicts["notes"].str.contains("won_without_value"), "row"]
    assert sorted(noted) == sorted(missing.index + 1)


def test_fitted_win_rate_matches_the_raw_table(cal, raw):
    closed = raw[raw["deal_stage"].isin(["Won", "Lost"])]
    rate = (closed["deal_stage"] == "Won").mean()
    assert cal.fit.overall_win_rate() == pytest.approx(rate, abs=1e-6)
    wp = cal.fit.wins.products.set_index("product")
    by_product = closed.groupby("product")["deal_stage"].apply(lambda s: (s == "Won").mean())
    for p, r in by_product.items():
        assert wp.at[p, "low"] <= r <= wp.at[p, "high"]


def _km_cure_median(raw: pd.DataFrame) -> float:
    """Median days to close among deals that close, from Kaplan-Meier and its plateau."""
    c = pd.to_datetime(raw["created_on"])
    e = pd.to_datetime(raw["close_date"])
    closed = raw["deal_stage"] != "In_Progress"
    t = (e - c).dt.days[closed].to_numpy()
    age = (pd.Timestamp("2017-12-31") - c[~closed]).dt.days.to_numpy()
    # model time: a deal closing after t days took D in [t-1, t) after its first meeting; cycle = 1 + floor(D)
    t = np.maximum(t, 1)
    times = np.arange(0, max(t.max(), age.max()) + 1)
    surv, s = [], 1.0
    for k in times:
        at_risk = (t >= k).sum() + (age >= k).sum()
        events = (t == k).sum()
        if at_risk:
            s *= 1 - events / at_risk
        surv.append(s)
    surv = np.array(surv)
    plateau = surv[-1]
    closed_share = (1 - surv) / (1 - plateau)
    return float(times[np.argmax(closed_share >= 0.5)])


def test_fitted_median_time_to_close_matches_the_raw_table(cal, raw):
    fit = cal.fit.time_fits[0]
    km = _km_cure_median(raw)
    lo, hi = fit.median_interval()
    # the Kaplan-Meier median is a whole day d with D in [d-1, d): the model's 1 + median(D) lies in [d, d+1)
    assert lo - 1 <= km <= hi + 1, (lo, km, hi)
    assert abs(fit.median_cycle() - km) <= 1.5
    # and the share that never closes matches the Kaplan-Meier plateau
    c = pd.to_datetime(raw["created_on"])
    old = raw[c <= pd.Timestamp("2017-06-30")]
    assert fit.stall == pytest.approx((old["deal_stage"] == "In_Progress").mean(), abs=0.03)


def test_candidate_families_are_compared_and_reported(cal):
    fams = [f.family for f in cal.fit.time_fits]
    assert set(fams) == {"exponential", "gamma", "weibull", "lognormal", "lognormal_mixture"}
    aics = [f.aic for f in cal.fit.time_fits]
    assert aics == sorted(aics)
    assert cal.fit.time_fits[0].km_distance < min(f.km_distance for f in cal.fit.time_fits[1:])


def test_scenario_holds_only_aggregates(cal, raw, tmp_path):
    text = cal.scenario_text()
    accounts = pd.read_csv(SHARED_DATA / "accounts.csv")["account"]
    assert not any(a in text for a in accounts)
    assert not any(i in text for i in raw["opportunity_id"].sample(500, random_state=1))
    sc = cal.write_scenario(tmp_path / "s.toml")
    assert sc.n_reps() == 30 and len(sc.team.supervisors) == 6
    assert set(sc.products) == set(raw["product"])


def test_xlsx_reads_like_the_csv(cal):
    x = calibrate(SHARED_DATA / "sales_pipeline.xlsx", teams=SHARED_DATA / "sales_teams.csv")
    assert x.raw.format == "xlsx" and x.validated.n_rows == 14277
    a = cal.validated.deals.sort_values("id").reset_index(drop=True)
    b = x.validated.deals.sort_values("id").reset_index(drop=True)
    for col in ("id", "rep", "product", "outcome"):
        assert (a[col].astype(str) == b[col].astype(str)).all(), col
    for col in ("created", "closed"):
        assert pd.to_datetime(a[col]).equals(pd.to_datetime(b[col])), col
    np.testing.assert_allclose(a["value"].fillna(-1), b["value"].fillna(-1))


@pytest.fixture(scope="module")
def backtest(cal):
    return cal.backtest(n=16, seed=5, workers=2)


def test_backtest_bands_cover_most_months_of_won_deals(backtest):
    s = backtest.scores.set_index("metric")
    assert s.at["won_deals", "months_scored"] == 10
    assert s.at["won_deals", "coverage"] > 0.5
    assert s.at["new_deals", "coverage"] >= 0.9


def test_backtest_reproduces_the_exports_own_totals(backtest, raw):
    t = backtest.totals.set_index("figure")
    closed = raw[raw["deal_stage"].isin(["Won", "Lost"])]
    days = (pd.to_datetime(closed["close_date"]) - pd.to_datetime(closed["created_on"])).dt.days
    assert t.at["median working days to close (closed deals)", "actual"] == float(np.median(days))
    for fig in ("win rate (won / closed)", "median working days to close (closed deals)"):
        assert t.at[fig, "low"] <= t.at[fig, "actual"] <= t.at[fig, "high"], fig


def test_cli_calibrate_writes_scenario_and_report(tmp_path, capsys):
    out, rep = tmp_path / "cal.toml", tmp_path / "report"
    code = main(["calibrate", str(SHARED_DATA / "sales_pipeline.csv"), "--teams", str(SHARED_DATA / "sales_teams.csv"),
                 "--products", str(SHARED_DATA / "products.csv"), "--out", str(out), "--report", str(rep),
                 "--no-backtest"])
    assert code == 0
    text = capsys.readouterr().out
    assert "won_without_value" in text and "14,277" in text
    summary = pd.read_csv(rep / "validation_summary.csv")
    assert int(summary.loc[summary["reason"] == "rows", "rows"].iloc[0]) == 14277
    scores = json.loads((rep / "scores.json").read_text())
    assert scores["accepted"] + scores["rejected"] == 14277
    for f in ("time_to_close_fits.csv", "win_reps.csv", "deal_values.csv", "time_to_close.png", "README.md",
              "market_mood.csv"):
        assert (rep / f).stat().st_size > 0
    assert "market's mood: the monthly won share swings" in text
    assert scores["market_mood_won_share_sd"] > scores["market_mood_won_share_sd_interval"][0] > 0
    assert main(["run", str(out), "-n", "1", "--months", "1", "--workers", "1", "--json"]) == 0


def test_rep_hours_do_not_throttle_the_calibrated_volume(cal):
    """Nothing is dropped for want of time, reps keep full intensity, meetings fill under half the day."""
    import salessim as ss

    sc = cal.scenario(months=2)
    res = ss.simulate(sc, seed=1, record_events=False)
    s = res.summary()
    assert s["dropped_leads"] == 0
    assert s["intensity"] > 0.99 and s["attention"] > 0.99
    rm = res.rep_monthly()
    selling = rm["days_present"] * (sc.calendar.hours_per_day * (1 - sc.activity.admin_share))
    assert (rm["hours_meetings"] <= 0.5 * selling).all()


def test_the_fit_keeps_its_notes_price_list_and_groups(cal, tmp_path):
    """Regression: ``Fit`` was built positionally; fields added in the middle of the dataclass
    shifted the price list's groups, the prices, the currency and every fit note into the wrong
    fields, where they were overwritten (a fit's warnings were never shown)."""
    f = cal.fit
    assert any("no deal closes before" in n for n in f.notes), f.notes      # this export's own gap
    assert f.timing in ("one_stage", "two_stage") and isinstance(f.timing_note, str)
    prices = pd.read_csv(SHARED_DATA / "products.csv")
    assert f.list_prices == pytest.approx(dict(zip(prices["product"], prices["sales_price"])))
    # a price list with a group column sets each product's group
    grouped = tmp_path / "products.csv"
    prices.assign(group=["G" + p[:3] for p in prices["product"]]).to_csv(grouped, index=False)
    g = calibrate(SHARED_DATA / "sales_pipeline.csv", teams=SHARED_DATA / "sales_teams.csv", products=grouped)
    assert g.fit.product_groups == {p: "G" + p[:3] for p in prices["product"]}
    assert {p.group for p in g.scenario().products.values()} == {"G" + p[:3] for p in prices["product"]}


def test_what_the_side_tables_skip_is_reported_with_the_fit(tmp_path):
    """The teams and price-list readers noted duplicates and bad prices, but nothing showed them."""
    teams = pd.read_csv(SHARED_DATA / "sales_teams.csv")
    dup = teams.iloc[0].copy()
    dup["manager"] = "Someone Else"
    teams_file = tmp_path / "teams.csv"
    pd.concat([teams, dup.to_frame().T]).to_csv(teams_file, index=False)
    prices = pd.read_csv(SHARED_DATA / "products.csv", dtype=str)
    prices.loc[0, "sales_price"], prices.loc[1, "sales_price"] = "-649", "abc"
    prices_file = tmp_path / "products.csv"
    prices.to_csv(prices_file, index=False)
    c = calibrate(SHARED_DATA / "sales_pipeline.csv", teams=teams_file, products=prices_file)
    notes = "\n".join(c.fit.notes)
    assert f"teams.csv: row {len(teams) + 1}: {dup['sales_agent']!r} appears again under 'Someone Else'" in notes
    assert f"products.csv: row 1: price '-649' is not above 0: no price for {prices.loc[0, 'product']!r}" in notes
    assert "products.csv: row 2: price 'abc' is not a number" in notes
    assert prices.loc[0, "product"] not in c.fit.list_prices


def test_a_price_list_without_prices_or_groups_is_refused(tmp_path):
    f = tmp_path / "products.csv"
    f.write_text("name,cost\nGTXBasic,641\n")
    with pytest.raises(UserError, match="expected a price column .* or a group column"):
        calibrate(SHARED_DATA / "sales_pipeline.csv", products=f)


def test_the_notebooks_reading_table_shows_the_fit_notes(cal):
    from salessim.calibration import overview

    t = overview.reading_table(cal)
    notes = t.loc[t["aspect"] == "fit note", "what was found"].tolist()
    assert notes == cal.fit.notes and any("no deal closes before" in n for n in notes)


def test_the_markets_mood_is_read_from_the_monthly_won_share(cal, raw, tmp_path):
    """The mood's monthly table counts the raw table's closes (pandas, here), and the calibrated
    scenario's per-decision sd is the won share's sd over the written funnel's sensitivity."""
    from salessim.engine.odds import logit_sensitivity

    mood = cal.fit.mood
    closed = raw[raw["deal_stage"].isin(["Won", "Lost"])].copy()
    month = pd.to_datetime(closed["close_date"]).dt.strftime("%Y-%m")
    counts = closed.assign(month=month, won=closed["deal_stage"] == "Won").groupby("month")["won"].agg(["size", "sum"])
    table = mood["table"].set_index("month")
    for m, row in counts.iterrows():
        assert table.at[m, "closed"] == row["size"] and table.at[m, "won"] == row["sum"], m
    assert mood["sd"] > 3 * mood["sampling_sd"]          # the months swing far more than chance
    assert 0 < mood["low"] < mood["sd"] < mood["high"]
    sc = cal.write_scenario(tmp_path / "fitted.toml", months=2)
    ks = [logit_sensitivity([pr.funnel.meeting_to_proposal, pr.funnel.proposal_to_negotiation,
                             pr.funnel.negotiation_to_won]) for pr in sc.products.values()]
    k = sum(ks) / len(ks)
    assert sc.market_mood.monthly_sd == pytest.approx(mood["sd"] / k, abs=1e-4)
    assert sc.market_mood.persistence == pytest.approx(mood["persistence"], abs=1e-3)


@pytest.mark.slow
def test_the_baseline_reads_back_the_sample_exports_swing(cal):
    """The baseline's [fit] market mood: run for as many months as the export has scored months
    and measured as calibrate measures an export, its mean swing and persistence over 40 seeded
    replications lie within 3 standard errors (plus the fitting grid's half-step) of the export's."""
    import math

    import numpy as np

    import salessim as ss
    from salessim.calibration.fitting import result_mood

    mood = cal.fit.mood
    sc = ss.load_scenario("baseline", {"calendar.months": mood["months"]})
    runs = ss.replicate(sc, n=40, seed=5, keep_leads=True, workers=2)
    got = [result_mood(r) for r in runs.results]
    for key, step in (("sd", 0.04), ("persistence", 0.12)):
        x = np.array([g[key] for g in got])
        se = x.std(ddof=1) / math.sqrt(len(x))
        assert abs(x.mean() - mood[key]) < 3 * se + step / 2, (key, x.mean(), se, mood[key])
