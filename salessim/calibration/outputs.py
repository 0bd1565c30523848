"""The report directory of a calibration: validation, fitted parameters, backtest, plans.

Files (CSV tables, PNG/SVG charts, one JSON of headline figures and a README.md that
reads them out):

* validation: ``validation_summary.csv`` (rows per reason; accepted + rejected = rows),
  ``validation_rows.csv`` (every row's verdict, reason, detail, notes), ``stage_mapping.csv``,
  ``reading.json`` (encoding, delimiter, mapping, date order, decimal mark, export date);
* fitted parameters: ``arrivals_monthly.csv``, ``lead_sources.csv``, ``win_products.csv``,
  ``win_reps.csv``, ``time_to_close_fits.csv`` (every candidate family),
  ``time_to_close_products.csv``, ``closing_pace.csv``, ``market_mood.csv``, ``deal_values.csv``, ``teams.csv``,
  ``rep_ids.csv``, ``activities_monthly.csv`` (if given), ``time_to_close.png``;
* backtest and holdout: ``backtest_monthly.csv``, ``backtest_scores.csv``,
  ``backtest_totals.csv``, ``backtest.png``; ``holdout_*.csv``, ``holdout.png``;
* plans: ``plans.csv``, ``plan_attainment.csv``, ``pace_curve.csv``, ``pace_curve.png``,
  ``attainment.png``;
* ``scores.json``: the headline figures; ``README.md``: them in words.
"""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any, Iterable

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd

from salessim.calibration.charts import attainment_chart, backtest_chart, pace_chart, time_to_close_chart
from salessim.calibration.scenario_writer import names_map
from salessim.views.charts import DEFAULT_FORMATS, save
from salessim.views.exports import to_csv


def _num(v: Any) -> Any:
    if isinstance(v, (np.floating, float)):
        return None if not math.isfinite(float(v)) else round(float(v), 6)
    if isinstance(v, np.integer):
        return int(v)
    if isinstance(v, dict):
        return {str(k): _num(x) for k, x in v.items()}
    if isinstance(v, (list, tuple)):
        return [_num(x) for x in v]
    return v


def write_fit_report(cal, out: str | Path, *, formats: Iterable[str] = DEFAULT_FORMATS) -> dict[str, Any]:
    """The report's validation and fit part (tables and the time-to-close chart); returns the headline
    figures so far. :func:`write_checks_report` adds the backtest, holdout and plans and writes scores.json."""
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    v, f = cal.validated, cal.fit
    to_csv(v.summary, out / "validation_summary.csv", index=False)
    to_csv(v.verdicts, out / "validation_rows.csv", index=False)
    to_csv(v.stage_map.table, out / "stage_mapping.csv", index=False)
    (out / "reading.json").write_text(json.dumps(_num(v.info), indent=2, default=str), encoding="utf-8")
    to_csv(f.arrivals, out / "arrivals_monthly.csv", index=False)
    to_csv(f.sources, out / "lead_sources.csv", index=False)
    to_csv(f.wins.products, out / "win_products.csv", index=False)
    to_csv(f.wins.reps, out / "win_reps.csv", index=False)
    rows = []
    for t in f.time_fits:
        lo, hi = t.median_interval()
        slo, shi = t.stall_interval()
        rows.append({"family": t.family, "parameters": json.dumps(_num(t.parameters())), "k": t.k, "aic": t.aic,
                     "km_distance": t.km_distance, "stalled_share": t.stall, "stalled_low": slo, "stalled_high": shi,
                     "median_days_to_close": t.median_cycle(), "median_low": lo, "median_high": hi,
                     "chosen": t is f.time_fits[0], "closed": t.n_closed, "open": t.n_open})
    if f.two_stage is not None:
        t = f.two_stage
        lo, hi = t.median_interval()
        slo, shi = t.stall_interval()
        rows.append({"family": t.family, "parameters": json.dumps(_num(t.parameters())), "k": t.k,
                     "aic": t.aic, "km_distance": math.nan, "stalled_share": t.stall, "stalled_low": slo,
                     "stalled_high": shi, "median_days_to_close": t.median_cycle(), "median_low": lo,
                     "median_high": hi, "chosen": f.timing == "two_stage", "closed": t.n_closed, "open": t.n_open})
        for r in rows[:-1]:
            r["chosen"] = r["chosen"] and f.timing != "two_stage"
    to_csv(pd.DataFrame(rows), out / "time_to_close_fits.csv", index=False)
    (out / "timing.txt").write_text(f.timing_note + "\n", encoding="utf-8")
    prow = []
    for p, t in f.product_times.items():
        lo, hi = t.median_interval()
        prow.append({"product": p, "source": f.product_time_source[p], "family": t.family,
                     "parameters": json.dumps(_num(t.parameters())), "stalled_share": t.stall,
                     "median_days_to_close": t.median_cycle(), "median_low": lo, "median_high": hi})
    to_csv(pd.DataFrame(prow), out / "time_to_close_products.csv", index=False)
    to_csv(f.pace["table"], out / "closing_pace.csv", index=False)
    if "table" in f.mood:
        to_csv(f.mood["table"], out / "market_mood.csv", index=False)
    vf = f.value_fits.copy()
    vf["params"] = vf["params"].map(lambda d: json.dumps(_num(d)))
    to_csv(vf, out / "deal_values.csv", index=False)
    to_csv(f.teams, out / "teams.csv", index=False)
    if f.activities is not None:
        to_csv(f.activities, out / "activities_monthly.csv", index=False)

    reps, managers, products = names_map(f, cal.anonymize)
    to_csv(pd.DataFrame([("rep", k, x) for k, x in reps.items()] + [("manager", k, x) for k, x in managers.items()]
                        + [("product", k, x) for k, x in products.items()],
                        columns=["kind", "name_in_export", "id_in_scenario"]), out / "rep_ids.csv", index=False)

    save(time_to_close_chart(f), out / "time_to_close", formats)
    ot = f.outcome_times
    scores: dict[str, Any] = {
        "rows": v.n_rows, "accepted": v.n_accepted, "rejected": v.n_rejected,
        "rejected_by_reason": {r.reason: int(r.rows) for r in v.summary.itertuples() if r.verdict == "rejected"},
        "notes_by_reason": {r.reason: int(r.rows) for r in v.summary.itertuples() if r.verdict == "note"},
        "timings_s": cal.timings,
        "win_rate_data": f.data_figures["win_rate"],
        "win_rate_fitted": f.overall_win_rate(),
        "rep_skill_spread_tau": f.wins.tau,
        "rep_heterogeneity_p": f.wins.heterogeneity_p,
        "time_to_close_family": f.timing_fit.family,
        "timing": f.timing,
        "median_days_to_close_fitted": f.timing_fit.median_cycle(),
        "median_days_to_close_interval": list(f.timing_fit.median_interval()),
        "median_days_to_close_data_closed_deals": f.data_figures["median_cycle_working_days_closed"],
        "stalled_share": f.timing_fit.stall,
        "won_vs_lost_median_days": [ot.won_median, ot.lost_median] if ot else None,
        "won_vs_lost_p_value": ot.p_value if ot else None,
        "closing_pace_sd": f.pace["sd"],
        "market_mood_won_share_sd": f.mood.get("sd"),
        "market_mood_won_share_sd_interval": [f.mood.get("low"), f.mood.get("high")],
        "market_mood_persistence": f.mood.get("persistence"),
        "workdays": f.workdays,
        "export_date": str(f.export_date),
    }

    plt.close("all")
    return scores


def write_check_part(cal, out: str | Path, kind: str, result, *, formats: Iterable[str] = DEFAULT_FORMATS
                     ) -> dict[str, Any]:
    """One check's files ("backtest", "holdout" or "plans": its tables and charts); return its entries
    of scores.json. The command writes each as soon as its replications are in."""
    out = Path(out)
    cur = cal.fit.currency or ""
    if kind in ("backtest", "holdout"):
        for part in ("monthly", "scores"):
            to_csv(getattr(result, part), out / f"{kind}_{part}.csv", index=False)
        if kind == "backtest":
            to_csv(result.totals, out / "backtest_totals.csv", index=False)
            (out / "backtest_scenario.toml").write_text(result.scenario_text, encoding="utf-8")
            title = "Does the calibrated model reproduce the history?"
            extra = {"wape_perfect_model_pct": "wape_floor_pct"}
        else:
            title = f"Fitted up to {result.cut}: how well does it forecast the next months?"
            extra = {"naive_wape_pct": "naive_wape_pct"}
        save(backtest_chart(result, title, cur), out / kind, formats)
        entries = {kind: {r.metric: {"coverage": r.coverage, "wape_pct": r.wape_pct,
                                     **{name: getattr(r, column) for name, column in extra.items()},
                                     "months": r.months_scored, "empty_months_left_out": r.months_empty}
                          for r in result.scores.itertuples()},
                   f"{kind}_replications": result.replications}
        if kind == "holdout":
            entries["holdout_cut"] = result.extra.get("cut")
        return entries
    if kind == "plans":
        to_csv(result.plans, out / "plans.csv", index=False)
        to_csv(result.attainment, out / "plan_attainment.csv", index=False)
        to_csv(result.pace, out / "pace_curve.csv", index=False)
        save(pace_chart(result.pace, result.probability), out / "pace_curve", formats)
        save(attainment_chart(result.attainment, result.probability), out / "attainment", formats)
        return {"plans": result.summary()}
    raise ValueError(f"unknown check {kind!r}")


def write_checks_report(cal, out: str | Path, scores: dict[str, Any], *, scenario_path: str | Path | None = None,
                        backtest=None, holdout=None, plans=None, formats: Iterable[str] = DEFAULT_FORMATS,
                        bias: pd.DataFrame | None = None, written: dict[str, dict[str, Any]] | None = None
                        ) -> dict[str, Any]:
    """The report's backtest, holdout, plans and bias-check part, then scores.json and README.md.

    ``written``: the parts already written by :func:`write_check_part` (kind -> its scores entries)."""
    out = Path(out)
    v = cal.validated
    scores = dict(scores)
    written = written or {}
    for kind, result in (("backtest", backtest), ("holdout", holdout), ("plans", plans)):
        if result is not None:
            scores.update(written[kind] if kind in written else write_check_part(cal, out, kind, result,
                                                                                formats=formats))
    if bias is not None:
        to_csv(bias, out / "bias_check.csv", index=False)
        scores["bias_check"] = {r.figure: {"accepted": r.accepted, "kept_where_possible": r.kept_where_possible}
                                for r in bias.itertuples()}
    scores["open_without_created"] = int(v.info.get("open_without_created", 0))
    scores["date_notes"] = list(v.info.get("date_notes", []))
    (out / "scores.json").write_text(json.dumps(_num(scores), indent=2), encoding="utf-8")
    (out / "README.md").write_text(_readme(cal, scores, scenario_path, backtest, holdout, plans), encoding="utf-8")

    plt.close("all")
    return scores


def _readme(cal, s: dict, scenario_path, backtest, holdout, plans) -> str:
    v, f = cal.validated, cal.fit
    L = [f"# Calibration report: {cal.source_name}", ""]
    L += [f"Read as: {v.info['read']}.", f"Columns: {v.info['mapping']}.",
          f"Dates: {v.info['date_order']} ({v.info['date_order_reason']}). Amounts: {v.info['decimal']}.",
          f"Export date: {v.info['export_date']} ({v.info['export_date_source']}).", ""]
    L += ["## Validation", "", f"{s['rows']:,} data rows: {s['accepted']:,} accepted, {s['rejected']:,} rejected "
          "(see `validation_summary.csv`, every row in `validation_rows.csv`).", "", "```", v.summary_text(), "```", ""]
    L += ["## Fitted", "",
          f"- Working week: {', '.join(f.workdays)}.",
          f"- Win rate: fitted {s['win_rate_fitted']:.1%} vs the export's {s['win_rate_data']:.1%} "
          f"(won / (won + lost)); between-rep spread of win odds (log-sd) {f.wins.tau:.3f} "
          f"(reps differ {'more' if f.wins.heterogeneity_p < 0.05 else 'no more'} than chance would make them: "
          f"heterogeneity p = {f.wins.heterogeneity_p:.3g}).",
          f"- Time to close: {f.timing_fit.family.replace('_', ' ')} (by AIC); median "
          f"{s['median_days_to_close_fitted']:.1f} working days for deals that close (90% interval "
          f"{s['median_days_to_close_interval'][0]:.1f}-{s['median_days_to_close_interval'][1]:.1f}); the export's "
          f"median over its closed deals is {s['median_days_to_close_data_closed_deals']:.0f} (biased low by the "
          f"recent deals that have not closed yet); {s['stalled_share']:.1%} of deals stall and never close.",
          ]
    if f.outcome_times is not None:
        ot = f.outcome_times
        L.append(f"- Won vs lost: median {ot.won_median:.1f} vs {ot.lost_median:.1f} working days when fitted "
                 f"separately (likelihood-ratio p = {ot.p_value:.3g}).")
    L.append(f"- Timing: {f.timing_note}.")
    L.append(f"- Month-to-month swing of the closing pace (log-sd): {f.pace['sd']:.3f} ({f.pace['note']}).")
    if f.mood:
        L.append(f"- The market's mood, month-to-month swing of the won share (log-odds sd): {f.mood['sd']:.3f}, "
                 f"persistence {f.mood['persistence']:.2f} ({f.mood['note']}; `market_mood.csv`).")
    for n in f.notes:
        L.append(f"- Note: {n}")
    L.append("")
    if backtest is not None:
        L += ["## Backtest (the history re-simulated)", "", f"{backtest.replications} replications; scored on "
              "active months (empty months are counted and left out); the band is a 90% prediction interval; "
              "WAPE = sum of |simulated mean - actual| / sum of actual.", "", _table(backtest.scores), "",
              "![backtest](backtest.png)", ""]
    if holdout is not None:
        L += [f"## Holdout (fitted up to {holdout.cut}, forecast {', '.join(holdout.extra['holdout_months'])})", "",
              _table(holdout.scores), "", "![holdout](holdout.png)", ""]
    if plans is not None:
        ps = plans.summary()
        L += ["## Plans", "", f"Plans per rep and month reached in {plans.probability:.0%} of replications "
              f"(`plans.csv`). On fresh replications reps reach them {ps['mean_rep_attainment_probability']:.0%} of the "
              f"time; the share of reps at plan in a month averages {ps['attainment_rate_mean']:.0%} "
              f"(10-90%: {ps['attainment_rate_p10']:.0%}-{ps['attainment_rate_p90']:.0%}).", "",
              "![pace](pace_curve.png) ![attainment](attainment.png)", ""]
    if scenario_path:
        L += [f"Scenario: `{scenario_path}` (run it with `salessim run {scenario_path}`).", ""]
    return "\n".join(L)


def _table(df: pd.DataFrame) -> str:
    """A scores table as text, with 'n/a' where a figure is not defined (never 'nan')."""
    shown = df.astype(object).where(df.notna(), "n/a")
    for c in shown.columns:
        shown[c] = [f"{x:.3f}" if isinstance(x, float) else x for x in shown[c]]
    return shown.to_string(index=False)


