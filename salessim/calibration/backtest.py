"""Backtest: does the calibrated model reproduce the history it was fitted to, and forecast it?

:func:`backtest` re-simulates the history period from the fitted parameters (each source's
own monthly arrival rates, everything else as fitted, an empty pipeline at the start, as
the export shows it) and compares, month by month, three figures with the export:

* **new deals** (by the month they were created),
* **won deals** and **won revenue** (by the month they closed).

For each it reports the simulated mean and a 90% prediction band, whether the actual month
falls in the band (*coverage*), and the *WAPE* (weighted absolute percentage error: the sum
over months of ``|simulated mean - actual|`` over the sum of the actual values; unlike the
mean absolute percentage error it is defined when a month's actual is 0). The band is a
Student-t prediction interval of ``log(1 + value)`` over the replications: for a new draw from
the simulated distribution it holds 90% whatever the number of replications (it widens for
few), so a handful of replications gives an honest band, where the empirical 5th-95th
percentiles of 20 replications hold only about 86%.

Only **active months** are scored: for new deals, months in which the export has new deals;
for won deals and revenue, complete months from the export's first recorded close in which it
records any close. Empty months (a gap in the history, months before closes were recorded, a
month the export ends inside) are left out and counted (``months_empty``).

:func:`holdout` fits on the history up to a cut ``H`` months before the export date (the
export as it would have looked then: later closes are still open), simulates from a lead-in
before the cut (the months the calibrated scenario warms up for, which fill the pipeline as it
stood at the cut) on through the last ``H`` months with the rate the fit would have forecast,
and scores those months; a naive forecast (the mean of the last three active months before the
cut) is scored alongside. It refits the full fit's chosen model (the time-to-close family and
one or two clocks, started from the full fit's parameters) on the truncated history.

The replications run through the one runner, each reduced on its worker by :func:`history_figures` to the monthly
figures, so they can run on worker processes together with the plans' replications
(:mod:`salessim.calibration.checks`).
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
from scipy import stats

from salessim.calibration.fitting import Fit, month_label, month_start, working_days_between
from salessim.calibration.fitting import fit as fit_deals
from salessim.calibration.scenario_writer import scenario_text, warmup_for
from salessim.calibration.validation import Validated
from salessim.engine.calendar import add_months
from salessim.results.result import Result
from salessim.runs.replication import Task
from salessim.runs.replications import run

METRICS = ("new_deals", "won_deals", "won_revenue")
LABELS = {"new_deals": "new deals (by month created)", "won_deals": "won deals (by month closed)",
          "won_revenue": "won revenue (by month closed)"}
TOTALS = ("deals", "won", "lost", "open at the export date", "win rate (won / closed)",
          "median working days to close (closed deals)", "won revenue")


@dataclass
class BacktestResult:
    """Monthly comparison and scores of a backtest or a holdout."""

    monthly: pd.DataFrame            # month, metric, actual, mean, low, high, covered, scored
    scores: pd.DataFrame             # metric, months_scored, months_empty, coverage, wape_pct, (naive_wape_pct)
    totals: pd.DataFrame             # figure, actual, mean, low, high
    replications: int
    seed: int
    level: float
    cut: str | None = None           # holdout: last month fitted
    scenario_text: str = ""
    extra: dict[str, Any] = field(default_factory=dict)

    def score(self, metric: str, what: str = "coverage") -> float:
        return float(self.scores.set_index("metric").at[metric, what])

    def describe(self, metric: str) -> str:
        """One line per metric, in words, without a number that is not defined."""
        r = self.scores.set_index("metric").loc[metric]
        name = metric.replace("_", " ")
        empty = int(r["months_empty"])
        left = f"; {empty} empty month{'s' if empty != 1 else ''} left out" if empty else ""
        if int(r["months_scored"]) == 0:
            return f"{name}: not scored (no active months{left})"
        wape = (f", WAPE {r['wape_pct']:.0f}%" if np.isfinite(r["wape_pct"]) else "")
        if wape and "wape_floor_pct" in r.index and np.isfinite(r["wape_floor_pct"]) and metric != "new_deals":
            wape += f" (a perfect model: about {r['wape_floor_pct']:.0f}%)"
        naive = (f" (naive forecast {r['naive_wape_pct']:.0f}%)" if "naive_wape_pct" in r.index
                 and np.isfinite(r["naive_wape_pct"]) else "")
        return (f"{name}: {r['coverage']:.0%} of {int(r['months_scored'])} active months in the {self.level:.0%} "
                f"band{wape}{naive}{left}")


# --------------------------------------------------------------------------- replications as tasks
def history_figures(res: Result, months: list[str]) -> dict[str, Any]:
    """One replication of a history scenario reduced to what the scores need (a task's ``reduce``: it
    runs on the worker). Returns ``monthly`` (months x 3: new deals, won deals, won revenue) and
    ``totals`` (one value per :data:`TOTALS` figure)."""
    leads = res.leads()
    idx = {m: i for i, m in enumerate(months)}
    out = np.zeros((len(months), 3))
    cm = leads["created_date"].to_numpy().astype("datetime64[M]").astype(str)
    for m, n in zip(*np.unique(cm, return_counts=True)):
        if m in idx:
            out[idx[m], 0] = n
    state = leads["state"].to_numpy()
    won = state == "won"
    wm = leads["closed_date"].to_numpy()[won].astype("datetime64[M]").astype(str)
    vals = leads["value"].to_numpy(dtype=float)[won]
    for m in np.unique(wm):
        if m in idx:
            sel = wm == m
            out[idx[m], 1] = sel.sum()
            out[idx[m], 2] = vals[sel].sum()
    closed = np.isin(state, ["won", "lost"])
    cyc = leads["cycle_days"].to_numpy(dtype=float)[closed]
    totals = [len(leads), float(won.sum()), float((state == "lost").sum()),
              float(((state == "open") | (state == "dropped")).sum()), float(won.sum() / max(1, closed.sum())),
              float(np.median(cyc)) if len(cyc) else 0.0, float(vals.sum())]
    return {"monthly": out, "totals": np.array(totals, dtype=float)}


def history_scenario(fit: Fit, months: list[str], rates: dict[str, dict[str, float]], name: str,
                     source_name: str):
    """The scenario that re-simulates ``months`` of history with the given monthly rates."""
    return scenario_text(fit, source_name=source_name, start=month_start(months[0]), months=len(months),
                         warmup_months=0, rate_by_month=rates, weights="history", name=name)


def _run(tasks: list[Task], workers: int) -> list[dict[str, Any]]:
    return [o.reduced for o in run(tasks, workers=workers)]


# --------------------------------------------------------------------------- comparing
def actual_monthly(deals: pd.DataFrame, months: list[str]) -> pd.DataFrame:
    """The export's monthly new deals, won deals, won revenue, and closed deals (won or lost)."""
    dated = deals[deals["created"].notna()]
    created = dated["created"].map(month_label)
    won = deals[deals["outcome"] == "won"]
    won_m = won["closed"].map(month_label)
    closed_m = deals.loc[deals["closed"].notna(), "closed"].map(month_label)
    out = pd.DataFrame(index=pd.Index(months, name="month"))
    out["new_deals"] = created.value_counts().reindex(months, fill_value=0).astype(float)
    out["won_deals"] = won_m.value_counts().reindex(months, fill_value=0).astype(float)
    out["won_revenue"] = won["value"].fillna(0.0).groupby(won_m).sum().reindex(months, fill_value=0.0)
    out["closed_deals"] = closed_m.value_counts().reindex(months, fill_value=0).astype(float)
    return out


def prediction_band(x: np.ndarray, level: float) -> tuple[float, float]:
    """A Student-t prediction interval of ``log(1 + x)`` over replications ``x``, back on the original scale."""
    x = np.asarray(x, dtype=float)
    n = len(x)
    if n == 0:
        return 0.0, 0.0
    y = np.log1p(np.maximum(x, 0.0))
    if n < 2 or np.ptp(y) == 0:
        return float(x.min()), float(x.max())
    t = stats.t.ppf(1 - (1 - level) / 2, n - 1)
    half = t * float(np.std(y, ddof=1)) * math.sqrt(1 + 1 / n)
    m = float(np.mean(y))
    return float(max(0.0, np.expm1(m - half))), float(np.expm1(m + half))


def wape(actual: np.ndarray, predicted: np.ndarray) -> float:
    """Weighted absolute percentage error: ``sum |predicted - actual| / sum actual`` x 100 (NaN when the
    actuals sum to 0: there is nothing to weigh the error by)."""
    actual = np.asarray(actual, dtype=float)
    total = float(actual.sum())
    return float(np.abs(np.asarray(predicted, dtype=float) - actual).sum() / total * 100) if total > 0 else math.nan


def wape_floor(sim: np.ndarray) -> float:
    """The WAPE a perfect model would score: each replication (replications x months) taken as the actual and
    scored against the mean of the others, the median over replications. What the months' own swings (the
    closing pace, the market's mood, chance) leave for any forecast of the mean; NaN with fewer than 3."""
    n = sim.shape[0]
    if n < 3 or sim.shape[1] == 0:
        return math.nan
    total = sim.sum(axis=0)
    vals = [wape(sim[i], (total - sim[i]) / (n - 1)) for i in range(n)]
    vals = [v for v in vals if np.isfinite(v)]
    return float(np.median(vals)) if vals else math.nan


def compare(actual: pd.DataFrame, sim: np.ndarray, months: list[str], window: dict[str, list[str]],
            level: float) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Monthly table and scores. ``window``: per metric, the months that could be scored; of those, the
    active ones (new deals in the export, or closes) are scored and the empty ones counted."""
    rows = []
    for j, metric in enumerate(METRICS):
        base = "new_deals" if metric == "new_deals" else "closed_deals"
        for i, m in enumerate(months):
            x = sim[:, i, j]
            a = float(actual.at[m, metric])
            lo, hi = prediction_band(x, level)
            active = float(actual.at[m, base]) > 0
            rows.append((m, metric, a, float(x.mean()), lo, hi, bool(lo <= a <= hi),
                         bool(m in window[metric] and active), bool(m in window[metric] and not active)))
    monthly = pd.DataFrame(rows, columns=["month", "metric", "actual", "mean", "low", "high", "covered", "scored",
                                          "empty"])
    score_rows = []
    idx = {m: i for i, m in enumerate(months)}
    for j, metric in enumerate(METRICS):
        s = monthly[(monthly["metric"] == metric) & monthly["scored"]]
        n_empty = int(monthly.loc[monthly["metric"] == metric, "empty"].sum())
        score_rows.append((metric, len(s), n_empty, float(s["covered"].mean()) if len(s) else math.nan,
                           wape(s["actual"], s["mean"]) if len(s) else math.nan,
                           wape_floor(sim[:, [idx[m] for m in s["month"]], j]) if len(s) else math.nan))
    scores = pd.DataFrame(score_rows, columns=["metric", "months_scored", "months_empty", "coverage", "wape_pct",
                                              "wape_floor_pct"])
    return monthly.drop(columns="empty"), scores


def _history_rates(fit: Fit, months: list[str]) -> dict[str, dict[str, float]]:
    a = fit.arrivals[fit.arrivals["month"].isin(months)]
    return {s: dict(zip(g["month"], g["rate_per_day"])) for s, g in a.groupby("source")}


def _complete_months(months: list[str], export_date: dt.date) -> list[str]:
    last = months[-1]
    end = add_months(month_start(last), 1) - dt.timedelta(days=1)
    return months if export_date >= end else months[:-1]


# --------------------------------------------------------------------------- backtest
@dataclass
class BacktestPlan:
    """What a backtest simulates (built in the main process; the tasks can run anywhere)."""

    months: list[str]
    text: str
    scenario: Any
    n: int
    seed: int

    def tasks(self) -> list[Task]:
        """The plan's replications, each reduced on its worker to the history it simulated."""
        return [Task(self.scenario, self.seed, i, keep_leads=True, reduce=history_figures,
                     reduce_args=(list(self.months),)) for i in range(self.n)]


def plan_backtest(fit: Fit, *, n: int, seed: int, source_name: str = "export") -> BacktestPlan:
    months = list(fit.months)
    text, sc, _ = history_scenario(fit, months, _history_rates(fit, months), "calibrated_history", source_name)
    return BacktestPlan(months, text, sc, n, seed)


def finish_backtest(v: Validated, fit: Fit, plan: BacktestPlan, results: list[dict], level: float = 0.90
                    ) -> BacktestResult:
    months = plan.months
    sim = np.stack([r["monthly"] for r in results])
    actual = actual_monthly(v.deals, months)
    complete = _complete_months(months, fit.export_date)
    first_close = month_label(fit.first_closed) if fit.first_closed else months[-1]
    window = {"new_deals": complete,
              "won_deals": [m for m in complete if m >= first_close],
              "won_revenue": [m for m in complete if m >= first_close]}
    monthly, scores = compare(actual, sim, months, window, level)
    totals = _totals(v, fit, np.stack([r["totals"] for r in results]), level)
    return BacktestResult(monthly, scores, totals, plan.n, plan.seed, level, None, plan.text)


def backtest(v: Validated, fit: Fit, *, n: int = 8, seed: int = 0, workers: int = 1, level: float = 0.90,
             source_name: str = "export") -> BacktestResult:
    """Re-simulate the history from the fitted parameters and compare it month by month."""
    plan = plan_backtest(fit, n=n, seed=seed, source_name=source_name)
    return finish_backtest(v, fit, plan, _run(plan.tasks(), workers), level)


def _totals(v: Validated, fit: Fit, sims: np.ndarray, level: float) -> pd.DataFrame:
    """Whole-history figures of the export against the simulated exports (at the export date).

    Open deals without a created date are not simulated (their arrival is unknown): the export's open
    pipeline is compared without them, and they are listed on a row of their own.
    """
    d = v.deals
    dated = d[d["created"].notna()]
    wk = fit.workdays
    closed = d[d["outcome"].isin(["won", "lost"])]
    cyc = working_days_between(closed["created"].to_numpy().astype("datetime64[D]"),
                               closed["closed"].to_numpy().astype("datetime64[D]"), wk)
    actual = [len(dated), float((d["outcome"] == "won").sum()), float((d["outcome"] == "lost").sum()),
              float((dated["outcome"] == "open").sum()), float((d["outcome"] == "won").sum() / max(1, len(closed))),
              float(np.median(cyc)) if len(cyc) else 0.0, float(d.loc[d["outcome"] == "won", "value"].fillna(0).sum())]
    rows = []
    for k, name in enumerate(TOTALS):
        lo, hi = prediction_band(sims[:, k], level) if name != "win rate (won / closed)" else \
            _plain_band(sims[:, k], level)
        rows.append((name, actual[k], float(np.mean(sims[:, k])), lo, hi))
    undated = int(d["created"].isna().sum())
    if undated:
        rows.append(("open without a created date (not simulated)", float(undated), 0.0, 0.0, 0.0))
    return pd.DataFrame(rows, columns=["figure", "actual", "mean", "low", "high"])


def _plain_band(x: np.ndarray, level: float) -> tuple[float, float]:
    """A Student-t prediction interval on the original scale (for shares)."""
    n = len(x)
    if n < 2 or np.ptp(x) == 0:
        return float(np.min(x)), float(np.max(x))
    t = stats.t.ppf(1 - (1 - level) / 2, n - 1)
    half = t * float(np.std(x, ddof=1)) * math.sqrt(1 + 1 / n)
    return float(max(0.0, np.mean(x) - half)), float(min(1.0, np.mean(x) + half))


# --------------------------------------------------------------------------- holdout
def truncate(v: Validated, cut: dt.date) -> Validated:
    """The export as it would have looked on ``cut``: later deals gone, later closes still open."""
    d = v.deals
    cut64 = np.datetime64(cut)
    created = d["created"].to_numpy().astype("datetime64[D]")
    keep = ~np.isnat(created) & (created <= cut64)
    d = d[keep].copy()
    later = d["closed"].notna().to_numpy() & (d["closed"].to_numpy().astype("datetime64[D]") > cut64)
    d.loc[later, "outcome"] = "open"
    d.loc[later, "closed"] = pd.NaT
    d.loc[later, "value"] = np.nan
    info = dict(v.info)
    info["export_date"] = str(cut)
    return Validated(d.reset_index(drop=True), v.verdicts, v.summary, v.stage_map, info)


def _holdout_months(v: Validated, fit: Fit) -> list[str]:
    """Complete months up to the last one with any deal created or closed (a history that stops months
    before the export date is held out where it still has deals)."""
    months = _complete_months(list(fit.months), fit.export_date)
    d = v.deals
    active = set(d["created"].dropna().map(month_label)) | set(d["closed"].dropna().map(month_label))
    last = max((m for m in months if m in active), default=None)
    return months[: months.index(last) + 1] if last is not None else months


def holdout_possible(fit: Fit, months_out: int, v: Validated | None = None) -> bool:
    """Whether the history has enough complete (active) months for a holdout of ``months_out``."""
    months = _holdout_months(v, fit) if v is not None else _complete_months(list(fit.months), fit.export_date)
    return months_out > 0 and len(months) >= months_out + 3


@dataclass
class HoldoutPlan(BacktestPlan):
    fitted_months: list[str] = field(default_factory=list)
    out_months: list[str] = field(default_factory=list)
    cut: dt.date | None = None


def plan_holdout(v: Validated, fit_full: Fit, *, months_out: int, n: int, seed: int, teams=None, prices=None,
                 source_name: str = "export") -> HoldoutPlan:
    """Fit the truncated history (the full fit's chosen model) and build the scenario that forecasts on."""
    months = _holdout_months(v, fit_full)
    if len(months) < months_out + 3:
        raise ValueError(f"a holdout of {months_out} months needs at least {months_out + 3} complete months")
    fitted_months = months[:-months_out]
    out_months = months[-months_out:]
    cut = month_start(out_months[0]) - dt.timedelta(days=1)
    vt = truncate(v, cut)
    # the full fit's model, started from its time to close (the truncated history's optimum lies near it)
    f = fit_deals(vt, teams=teams, prices=prices, families=(fit_full.time_family,), timing=fit_full.timing,
                  start=fit_full.time_fits[0].theta)
    all_months = list(fit_full.months[: fit_full.months.index(out_months[-1]) + 1])
    # The forecast needs the pipeline as it stood at the cut, not the whole history: start the
    # simulation as many months before the cut as the calibrated scenario warms up for (by then 95%
    # of the deals that close have closed, so what was created earlier adds little after the cut).
    lead_in = min(len(all_months) - months_out, warmup_for(f))
    sim_months = all_months[len(all_months) - months_out - lead_in:]
    rates = _history_rates(f, fitted_months)
    text, sc, _ = history_scenario(f, sim_months, rates, "calibrated_holdout", source_name)
    return HoldoutPlan(sim_months, text, sc, n, seed, fitted_months, out_months, cut)


def finish_holdout(v: Validated, plan: HoldoutPlan, results: list[dict], level: float = 0.90) -> BacktestResult:
    sim = np.stack([r["monthly"] for r in results])
    actual = actual_monthly(v.deals, list(dict.fromkeys([*plan.fitted_months, *plan.months])))
    window = {m: list(plan.out_months) for m in METRICS}
    monthly, scores = compare(actual.loc[plan.months], sim, plan.months, window, level)
    # a naive forecast: each figure's mean over the last three active months before the cut
    naive = []
    for metric in METRICS:
        base = "new_deals" if metric == "new_deals" else "closed_deals"
        active_before = [m for m in plan.fitted_months if actual.at[m, base] > 0][-3:]
        guess = float(actual.loc[active_before, metric].mean()) if active_before else 0.0
        scored = monthly[(monthly["metric"] == metric) & monthly["scored"]]
        naive.append(wape(scored["actual"], np.full(len(scored), guess)) if len(scored) else math.nan)
    scores["naive_wape_pct"] = naive
    return BacktestResult(monthly, scores, pd.DataFrame(), plan.n, plan.seed, level, plan.fitted_months[-1],
                          plan.text, extra={"holdout_months": plan.out_months, "cut": str(plan.cut)})


def holdout(v: Validated, fit_full: Fit, *, months_out: int = 3, n: int = 8, seed: int = 0, workers: int = 1,
            level: float = 0.90, teams=None, prices=None, source_name: str = "export") -> BacktestResult:
    """Fit on all but the last ``months_out`` complete months, forecast them, and score the forecast."""
    plan = plan_holdout(v, fit_full, months_out=months_out, n=n, seed=seed, teams=teams, prices=prices,
                        source_name=source_name)
    return finish_holdout(v, plan, _run(plan.tasks(), workers), level)
