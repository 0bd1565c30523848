"""Backtest: does the calibrated model reproduce the history it was fitted to, and forecast it?

:func:`backtest` re-simulates the history period from the fitted parameters (each source's
own monthly arrival rates, everything else as fitted, an empty pipeline at the start, as
the export shows it) and compares, month by month, three figures with the export:

* **new deals** (by the month they were created),
* **won deals** and **won revenue** (by the month they closed).

For each it reports the simulated mean and the band holding the central 90% of
replications, whether the actual month falls in the band (*coverage*), and the mean
absolute percentage error of the simulated mean (*MAPE*). Months before the first close
date in the export are not scored for won deals (the export does not record those closes),
nor a month the export ends inside.

:func:`holdout` fits on the history up to a cut ``H`` months before the export date (the
export as it would have looked then: later closes are still open), simulates on through the
last ``H`` months with the rate the fit would have forecast, and scores those months; a
naive forecast (the mean of the last three months before the cut) is scored alongside.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from salessim.calibration.fitting import Fit, month_label, month_start, working_days_between
from salessim.calibration.fitting import fit as fit_deals
from salessim.calibration.scenario_writer import scenario_text
from salessim.calibration.validation import Validated
from salessim.engine.calendar import add_months
from salessim.runs.replications import replicate

METRICS = ("new_deals", "won_deals", "won_revenue")
LABELS = {"new_deals": "new deals (by month created)", "won_deals": "won deals (by month closed)",
          "won_revenue": "won revenue (by month closed)"}


@dataclass
class BacktestResult:
    """Monthly comparison and scores of a backtest or a holdout."""

    monthly: pd.DataFrame            # month, metric, actual, mean, low, high, covered, scored
    scores: pd.DataFrame             # metric, months_scored, coverage, mape, (naive_mape)
    totals: pd.DataFrame             # figure, actual, mean, low, high
    replications: int
    seed: int
    level: float
    cut: str | None = None           # holdout: last month fitted
    scenario_text: str = ""
    extra: dict[str, Any] = field(default_factory=dict)

    def score(self, metric: str, what: str = "coverage") -> float:
        return float(self.scores.set_index("metric").at[metric, what])


def actual_monthly(deals: pd.DataFrame, months: list[str]) -> pd.DataFrame:
    """The export's monthly new deals, won deals and won revenue."""
    created = deals["created"].map(month_label)
    won = deals[deals["outcome"] == "won"]
    won_m = won["closed"].map(month_label)
    out = pd.DataFrame(index=pd.Index(months, name="month"))
    out["new_deals"] = created.value_counts().reindex(months, fill_value=0).astype(float)
    out["won_deals"] = won_m.value_counts().reindex(months, fill_value=0).astype(float)
    out["won_revenue"] = won["value"].fillna(0.0).groupby(won_m).sum().reindex(months, fill_value=0.0)
    return out


def simulated_monthly(reps, months: list[str]) -> tuple[np.ndarray, list[pd.DataFrame]]:
    """Per replication and month: new deals, won deals, won revenue (array reps x months x 3), and the leads."""
    out = np.zeros((len(reps.results), len(months), 3))
    idx = {m: i for i, m in enumerate(months)}
    leads_all = []
    for k, res in enumerate(reps.results):
        leads = res.leads()
        leads_all.append(leads)
        cm = pd.Series(leads["created_date"].to_numpy().astype("datetime64[M]").astype(str))
        for m, n in cm.value_counts().items():
            if m in idx:
                out[k, idx[m], 0] = n
        won = leads[leads["state"] == "won"]
        wm = pd.Series(won["closed_date"].to_numpy().astype("datetime64[M]").astype(str), index=won.index)
        g = won["value"].groupby(wm.to_numpy())
        for m, n in g.size().items():
            if m in idx:
                out[k, idx[m], 1] = n
        for m, v in g.sum().items():
            if m in idx:
                out[k, idx[m], 2] = v
    return out, leads_all


def _compare(actual: pd.DataFrame, sim: np.ndarray, months: list[str], scored: dict[str, list[str]],
             level: float) -> tuple[pd.DataFrame, pd.DataFrame]:
    lo_q, hi_q = (1 - level) / 2, 1 - (1 - level) / 2
    rows = []
    for j, metric in enumerate(METRICS):
        for i, m in enumerate(months):
            x = sim[:, i, j]
            a = float(actual.at[m, metric])
            lo, hi = float(np.quantile(x, lo_q)), float(np.quantile(x, hi_q))
            rows.append((m, metric, a, float(x.mean()), lo, hi, lo <= a <= hi, m in scored[metric]))
    monthly = pd.DataFrame(rows, columns=["month", "metric", "actual", "mean", "low", "high", "covered", "scored"])
    score_rows = []
    for metric in METRICS:
        s = monthly[(monthly["metric"] == metric) & monthly["scored"]]
        nz = s[s["actual"] > 0]
        mape = float((np.abs(nz["mean"] - nz["actual"]) / nz["actual"]).mean() * 100) if len(nz) else math.nan
        score_rows.append((metric, len(s), float(s["covered"].mean()) if len(s) else math.nan, mape))
    scores = pd.DataFrame(score_rows, columns=["metric", "months_scored", "coverage", "mape_pct"])
    return monthly, scores


def _history_rates(fit: Fit, months: list[str]) -> dict[str, dict[str, float]]:
    a = fit.arrivals[fit.arrivals["month"].isin(months)]
    return {s: dict(zip(g["month"], g["rate_per_day"])) for s, g in a.groupby("source")}


def backtest(v: Validated, fit: Fit, *, n: int = 20, seed: int = 0, workers: int = 1, level: float = 0.90,
             source_name: str = "export") -> BacktestResult:
    """Re-simulate the history from the fitted parameters and compare it month by month."""
    months = list(fit.months)
    text, sc, _ = scenario_text(fit, source_name=source_name, start=month_start(months[0]), months=len(months),
                                warmup_months=0, rate_by_month=_history_rates(fit, months), weights="history",
                                name="calibrated_history")
    reps = replicate(sc, n=n, seed=seed, workers=workers, keep_leads=True)
    sim, leads = simulated_monthly(reps, months)
    actual = actual_monthly(v.deals, months)
    complete = _complete_months(months, fit.export_date)
    first_close = month_label(fit.first_closed) if fit.first_closed else months[-1]
    scored = {"new_deals": complete,
              "won_deals": [m for m in complete if m >= first_close],
              "won_revenue": [m for m in complete if m >= first_close]}
    monthly, scores = _compare(actual, sim, months, scored, level)
    totals = _totals(v, fit, leads, level)
    return BacktestResult(monthly, scores, totals, n, seed, level, None, text)


def _complete_months(months: list[str], export_date: dt.date) -> list[str]:
    last = months[-1]
    end = add_months(month_start(last), 1) - dt.timedelta(days=1)
    return months if export_date >= end else months[:-1]


def _totals(v: Validated, fit: Fit, leads: list[pd.DataFrame], level: float) -> pd.DataFrame:
    """Whole-history figures of the export against the simulated exports (at the export date)."""
    d = v.deals
    wk = fit.workdays
    closed = d[d["outcome"].isin(["won", "lost"])]
    cyc = working_days_between(closed["created"].to_numpy().astype("datetime64[D]"),
                               closed["closed"].to_numpy().astype("datetime64[D]"), wk)
    actual = {
        "deals": len(d),
        "won": float((d["outcome"] == "won").sum()),
        "lost": float((d["outcome"] == "lost").sum()),
        "open at the export date": float((d["outcome"] == "open").sum()),
        "win rate (won / closed)": float((d["outcome"] == "won").sum() / max(1, len(closed))),
        "median working days to close (closed deals)": float(np.median(cyc)) if len(cyc) else math.nan,
        "won revenue": float(d.loc[d["outcome"] == "won", "value"].fillna(0).sum()),
    }
    sims: dict[str, list[float]] = {k: [] for k in actual}
    for L in leads:
        closed_l = L[L["state"].isin(["won", "lost"])]
        sims["deals"].append(len(L))
        sims["won"].append(float((L["state"] == "won").sum()))
        sims["lost"].append(float((L["state"] == "lost").sum()))
        sims["open at the export date"].append(float((L["state"] == "open").sum() + (L["state"] == "dropped").sum()))
        sims["win rate (won / closed)"].append(float((L["state"] == "won").sum() / max(1, len(closed_l))))
        sims["median working days to close (closed deals)"].append(float(np.median(closed_l["cycle_days"])))
        sims["won revenue"].append(float(L.loc[L["state"] == "won", "value"].sum()))
    lo_q, hi_q = (1 - level) / 2, 1 - (1 - level) / 2
    rows = [(k, actual[k], float(np.mean(x)), float(np.quantile(x, lo_q)), float(np.quantile(x, hi_q)))
            for k, x in sims.items()]
    return pd.DataFrame(rows, columns=["figure", "actual", "mean", "low", "high"])


def truncate(v: Validated, cut: dt.date) -> Validated:
    """The export as it would have looked on ``cut``: later deals gone, later closes still open."""
    d = v.deals
    cut64 = np.datetime64(cut)
    keep = d["created"].to_numpy().astype("datetime64[D]") <= cut64
    d = d[keep].copy()
    later = d["closed"].notna().to_numpy() & (d["closed"].to_numpy().astype("datetime64[D]") > cut64)
    d.loc[later, "outcome"] = "open"
    d.loc[later, "closed"] = pd.NaT
    d.loc[later, "value"] = np.nan
    info = dict(v.info)
    info["export_date"] = str(cut)
    return Validated(d.reset_index(drop=True), v.verdicts, v.summary, v.stage_map, info)


def holdout(v: Validated, fit_full: Fit, *, months_out: int = 3, n: int = 20, seed: int = 0, workers: int = 1,
            level: float = 0.90, teams=None, prices=None, source_name: str = "export") -> BacktestResult:
    """Fit on all but the last ``months_out`` complete months, forecast them, and score the forecast."""
    months = _complete_months(list(fit_full.months), fit_full.export_date)
    if len(months) < months_out + 3:
        raise ValueError(f"a holdout of {months_out} months needs at least {months_out + 3} complete months")
    fitted_months = months[:-months_out]
    out_months = months[-months_out:]
    cut = add_months(month_start(out_months[0]), 0) - dt.timedelta(days=1)
    vt = truncate(v, cut)
    f = fit_deals(vt, teams=teams, prices=prices)
    all_months = list(fit_full.months[: fit_full.months.index(out_months[-1]) + 1])
    rates = _history_rates(f, fitted_months)
    text, sc, _ = scenario_text(f, source_name=source_name, start=month_start(all_months[0]), months=len(all_months),
                                warmup_months=0, rate_by_month=rates, weights="history", name="calibrated_holdout")
    reps = replicate(sc, n=n, seed=seed, workers=workers, keep_leads=True)
    sim, _ = simulated_monthly(reps, all_months)
    actual = actual_monthly(v.deals, all_months)
    scored = {m: list(out_months) for m in METRICS}
    monthly, scores = _compare(actual, sim, all_months, scored, level)
    # a naive forecast: each figure's mean over the last three fitted months
    naive = []
    last3 = fitted_months[-3:]
    for metric in METRICS:
        guess = float(actual.loc[last3, metric].mean())
        a = actual.loc[out_months, metric]
        a = a[a > 0]
        naive.append(float((np.abs(guess - a) / a).mean() * 100) if len(a) else math.nan)
    scores["naive_mape_pct"] = naive
    return BacktestResult(monthly, scores, pd.DataFrame(), n, seed, level, fitted_months[-1], text,
                          extra={"holdout_months": out_months, "cut": str(cut)})
