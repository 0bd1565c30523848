"""Fitting a department to the accepted deals of a CRM export.

:func:`fit` estimates, from the deals that passed validation:

* the **working week** (the weekdays on which deals are created and closed);
* **arrival rates**: new opportunities per working day, per source (product, and channel
  where the export has one) and month, and a recent level for the next period;
* each rep's **share** of new opportunities and the products they sell;
* **win probabilities** by product and rep, reps partially pooled (:mod:`.pooling`);
* **time to close**, with open deals as right-censored observations and a share of
  deals that stall for ever; candidate families compared by AIC (:mod:`.survival`);
  won and lost deals are also fitted separately and compared;
* month-to-month swings: of the **closing pace** (closes per month beyond the fitted times)
  and of the **market's mood** (the won share of closed deals beyond chance);
* **deal values** by product (lognormal, gamma or Weibull, by AIC);
* the **team**: managers, their reps, regions (from a teams table);
* rep **capacity** norms large enough for the history's volume.

Every figure keeps its sample size and a 90% interval, for the scenario file's comments
and the report. Only aggregates are kept: no client names, ids or contact data.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
from scipy import optimize, stats

from salessim.calibration.pooling import WinModel, fit_win_model
from salessim.calibration.survival import (
    FAMILIES,
    Durations,
    OutcomeTimes,
    SurvivalFit,
    TwoStageFit,
    call,
    fit_all,
    fit_by_outcome,
    fit_family,
    fit_two_stage,
    km_distance,
    negloglik,
)
from salessim.calibration.tables import Activities, PriceList, Teams
from salessim.calibration.validation import Validated
from salessim.engine.calendar import WEEKDAYS, WorkCalendar, add_months
from salessim.errors import UserError
from salessim.runs.execution import run_tasks

LEVEL = 0.90
MIN_CLOSED_PER_PRODUCT_FIT = 300   # closed deals a product needs for its own time-to-close fit
MIN_VALUES_PER_PRODUCT_FIT = 8     # won values a product needs for its own value fit


@dataclass(kw_only=True)
class Fit:
    """Everything fitted from an export (see the module docstring)."""

    export_date: dt.date
    first_created: dt.date
    first_closed: dt.date | None
    workdays: list[str]
    workday_evidence: dict[str, int]
    months: list[str]                       # history months, YYYY-MM
    sources: pd.DataFrame                   # source, product, channel, n, rate_per_day, low, high
    arrivals: pd.DataFrame                  # source, product, channel, month, deals, working_days, rate_per_day
    recent_months: list[str]
    reps: pd.DataFrame                      # rep, deals, recent_deals, weight, weight_history, products, manager, region
    wins: WinModel
    time_fits: list[SurvivalFit]            # pooled candidates, best first
    time_family: str
    product_times: dict[str, SurvivalFit]
    product_time_source: dict[str, str]     # "own fit" | "pooled shape, own stalled share" | "pooled"
    outcome_times: OutcomeTimes | None
    value_fits: pd.DataFrame                # product, family, aic, params, n, median, low, high, chosen
    values: dict[str, dict]                 # product -> distribution table
    value_notes: dict[str, str]
    teams: pd.DataFrame                     # manager, reps, region(s)
    capacity: dict[str, float]
    data_figures: dict[str, Any]            # the data's own figures (naive), for comparison
    pace: dict[str, Any]                    # closing-pace swings: sd, interval, months, monthly table
    time_data: dict[str, np.ndarray]        # pooled working days to close (closed) and ages (open), for charts
    activities: pd.DataFrame | None = None
    timing: str = "one_stage"                # "one_stage" | "two_stage" (won and lost on different clocks)
    two_stage: TwoStageFit | None = None
    one_stage_product_times: dict[str, SurvivalFit] = field(default_factory=dict)
    timing_note: str = ""
    product_groups: dict[str, str] = field(default_factory=dict)
    list_prices: dict[str, float] = field(default_factory=dict)
    currency: str | None = None
    #: the market's mood: month-to-month swings of the won share of closed deals (:func:`market_mood`)
    mood: dict[str, Any] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)

    @property
    def timing_fit(self):
        """The time-to-close model the scenario uses (pooled)."""
        return self.two_stage if self.timing == "two_stage" else self.time_fits[0]

    def overall_win_rate(self) -> float:
        """The fitted model's win rate over the history's product and rep mix."""
        r = self.wins.reps
        return float((r["pooled_rate"] * r["closed"]).sum() / r["closed"].sum())


# --------------------------------------------------------------------------- helpers
def weekmask(workdays: list[str]) -> str:
    return "".join("1" if d in workdays else "0" for d in WEEKDAYS)


def working_days_between(a: np.ndarray, b: np.ndarray, workdays: list[str]) -> np.ndarray:
    """Working days in ``[a, b)`` (dates as datetime64[D])."""
    return np.busday_count(a.astype("datetime64[D]"), b.astype("datetime64[D]"), weekmask=weekmask(workdays))


def detect_workdays(dates: np.ndarray) -> tuple[list[str], dict[str, int]]:
    """Weekdays with at least a quarter of the busiest weekday's activity."""
    d = pd.to_datetime(pd.Series(dates)).dropna()
    counts = np.bincount(d.dt.day_of_week.to_numpy(), minlength=7)
    evidence = {WEEKDAYS[i]: int(c) for i, c in enumerate(counts)}
    top = counts.max()
    days = [WEEKDAYS[i] for i in range(7) if top > 0 and counts[i] >= 0.25 * top]
    return (days or list(WEEKDAYS[:5])), evidence


def month_label(d) -> str:
    d = pd.Timestamp(d)
    return f"{d.year:04d}-{d.month:02d}"


def month_start(label: str) -> dt.date:
    y, m = map(int, label.split("-"))
    return dt.date(y, m, 1)


def months_between(first: dt.date, last: dt.date) -> list[str]:
    out = []
    d = dt.date(first.year, first.month, 1)
    while d <= last:
        out.append(f"{d.year:04d}-{d.month:02d}")
        d = add_months(d, 1)
    return out


def poisson_rate_interval(count: int, exposure: float, level: float = LEVEL) -> tuple[float, float]:
    """Exact (Garwood) interval of a Poisson rate ``count / exposure``."""
    a = 1 - level
    lo = 0.0 if count == 0 else stats.chi2.ppf(a / 2, 2 * count) / 2
    hi = stats.chi2.ppf(1 - a / 2, 2 * count + 2) / 2
    return float(lo / exposure), float(hi / exposure)


# --------------------------------------------------------------------------- fit
def _fit_by_outcome(*args) -> OutcomeTimes | str:
    """:func:`fit_by_outcome`, or why it could not be fitted (a note; run on a worker, so returned, not raised)."""
    try:
        return fit_by_outcome(*args)
    except (ValueError, np.linalg.LinAlgError, FloatingPointError) as e:
        return str(e)


def _stage_said(v: Validated) -> str:
    """The stage column and its most frequent values, for a message."""
    col = v.info.get("stage_column")
    t = v.stage_map.table.groupby("stage", sort=False)["deals"].sum().sort_values(ascending=False)
    vals = ", ".join(f"{st!r} ({int(k):,})" for st, k in t.head(6).items())
    more = f", ... ({len(t)} values)" if len(t) > 6 else ""
    return (f"the stage column {col!r}" if col else "the stage column") + f" ({vals}{more})"


def fit(v: Validated, *, teams: Teams | None = None, prices: PriceList | None = None,
        activities: Activities | None = None, recent_months: int = 3, families=FAMILIES,
        timing: str | None = None, workers: int = 1, start: np.ndarray | None = None) -> Fit:
    """Fit the department's parameters from validated deals.

    ``families``: the time-to-close families to compare; ``timing``: ``"one_stage"`` or ``"two_stage"`` to
    fit that model without testing won against lost times (the holdout refits the full fit's choice);
    ``workers``: local worker processes for the time-to-close fits (the families, then the products and the
    won/lost test, side by side; the same fit as without); ``start``: with one family, its parameters to
    start the pooled fit from (the holdout starts from the full history's fit).
    """
    deals = v.deals.copy()
    export_date = dt.date.fromisoformat(v.info["export_date"])
    notes: list[str] = []
    # open deals without a created date: pipeline of unknown age, counted but not in rates or times
    undated = deals["created"].isna().to_numpy()
    n_undated = int(undated.sum())
    if n_undated:
        n_open_all = int((deals["outcome"] == "open").sum())
        notes.append(f"{n_undated:,} open deal(s) have no created date (early stages): kept as open pipeline of "
                     f"unknown age ({n_undated:,} of the {n_open_all:,} open deals at the export date); left out of "
                     "the arrival rates and times to close, which need the date")
        deals = deals[~undated].reset_index(drop=True)
    n_won = int((deals["outcome"] == "won").sum())
    n_lost = int((deals["outcome"] == "lost").sum())
    if n_won + n_lost == 0:
        raise UserError(f"all {len(deals):,} accepted deals are open: no value of {_stage_said(v)} reads as won "
                        "or lost, so there is nothing to fit win probabilities and times to close from; if the "
                        "outcome is in another column pass --map stage=COLUMN, if these values include won and lost "
                        "list them under [stages] won = [...], lost = [...] in a mapping file (--mapping), else "
                        "export a longer history that includes closed deals", source=v.info["file"])
    if n_won == 0:
        raise UserError(f"none of the {n_lost:,} closed deals is won: no value of {_stage_said(v)} reads as won, so "
                        "there is no won deal to fit deal values and win probabilities from; list the won stage under "
                        "[stages] won = [...] in a mapping file (--mapping), or pass --map stage=COLUMN if another "
                        "column holds the outcome", source=v.info["file"])
    if n_lost == 0 and n_won >= 30:
        notes.append(f"all {n_won:,} closed deals are won: no value of {_stage_said(v)} reads as lost; if some are, "
                     "list them under [stages] lost = [...] in a mapping file (--mapping), or pass --map "
                     "stage=COLUMN (a lost reason column marks deals at an open stage lost: --map lost_reason=COLUMN)")
    if n_won + n_lost < 10:
        notes.append(f"only {n_won + n_lost} closed deals: every fitted figure is very uncertain")
    created = deals["created"].to_numpy().astype("datetime64[D]")
    closed = deals["closed"].to_numpy().astype("datetime64[D]")
    workdays, evidence = detect_workdays(np.concatenate([created, closed[~np.isnat(closed)]]))
    first_created = pd.Timestamp(created.min()).date()
    first_closed = pd.Timestamp(closed[~np.isnat(closed)].min()).date() if (~np.isnat(closed)).any() else None
    months = months_between(first_created, export_date)

    # ---- arrivals per source and month
    cal = WorkCalendar(month_start(months[0]), len(months), 8.0, tuple(workdays))
    wd_month = dict(zip(cal.month_labels, cal.days_in_month.astype(float)))
    last = months[-1]
    last_month_end = add_months(month_start(last), 1) - dt.timedelta(days=1)
    if export_date < last_month_end:  # the last month is only observed up to the export date
        part = np.busday_count(np.datetime64(month_start(last)), np.datetime64(export_date + dt.timedelta(days=1)),
                               weekmask=weekmask(workdays))
        wd_month[last] = float(max(part, 1))
        notes.append(f"the export ends on {export_date}, inside {last}: that month's rate uses its first "
                     f"{int(wd_month[last])} working days")
    deals["month"] = [month_label(x) for x in deals["created"]]
    has_channel = deals["channel"].nunique() > 1 or deals["channel"].iloc[0] != "all"
    deals["source"] = (deals["product"] + " / " + deals["channel"]) if has_channel else deals["product"]
    grid = deals.groupby(["source", "month"]).size().unstack(fill_value=0).reindex(columns=months, fill_value=0)
    src_meta = deals.groupby("source")[["product", "channel"]].first()
    arr_rows = []
    for s in grid.index:
        for mth in months:
            c = int(grid.at[s, mth])
            arr_rows.append((s, src_meta.at[s, "product"], src_meta.at[s, "channel"], mth, c, wd_month[mth],
                             c / wd_month[mth]))
    arrivals = pd.DataFrame(arr_rows, columns=["source", "product", "channel", "month", "deals", "working_days",
                                               "rate_per_day"])
    complete = [m for m in months if not (m == last and export_date < last_month_end)]
    recent = complete[-recent_months:] if complete else months[-1:]
    monthly_new = grid.sum(axis=0)
    if recent and int(monthly_new[recent].sum()) == 0:
        # no arrivals in the recent period: use the last months that have some, and say so
        active = [m for m in (complete or months) if monthly_new[m] > 0]
        if not active:
            active = [m for m in months if monthly_new[m] > 0]
        fallback = active[-recent_months:]
        notes.append(f"no new deals in the last {len(recent)} month(s) before the export date {export_date} "
                     f"({recent[0]}..{recent[-1]}): the next period's arrival rates and rep shares use the last "
                     f"{len(fallback)} month(s) with new deals ({fallback[0]}..{fallback[-1]}); pass --as-of DATE "
                     "if the export date is wrong")
        recent = fallback
    src_rows = []
    for s in grid.index:
        c = int(grid.loc[s, recent].sum())
        w = float(sum(wd_month[m] for m in recent))
        lo, hi = poisson_rate_interval(c, w)
        src_rows.append((s, src_meta.at[s, "product"], src_meta.at[s, "channel"], c, w, c / w, lo, hi,
                         int(grid.loc[s].sum())))
    sources = pd.DataFrame(src_rows, columns=["source", "product", "channel", "n", "working_days", "rate_per_day",
                                              "low", "high", "n_history"])


    # ---- reps: shares, products, team
    rep_all = deals.groupby("rep").size()
    rep_recent = deals[deals["month"].isin(recent)].groupby("rep").size().reindex(rep_all.index, fill_value=0)
    all_products = sorted(deals["product"].unique())
    rep_products = deals.groupby("rep")["product"].agg(lambda x: sorted(set(x)))
    w_hist = rep_all / rep_all.mean()
    active = rep_recent[rep_recent > 0]
    w_recent = (rep_recent / active.mean()).where(rep_recent > 0, 0.0) if len(active) else w_hist
    gone = [r for r in rep_all.index if rep_recent[r] == 0]
    if gone and len(active):
        notes.append(f"{len(gone)} rep(s) have no deals in the last {len(recent)} months and are left out of the "
                     f"next period: {', '.join(gone[:8])}{', ...' if len(gone) > 8 else ''}")
    manager = {}
    region = {}
    for r in rep_all.index:
        if teams is not None and r in teams.manager:
            manager[r], region[r] = teams.manager[r], teams.region.get(r, "main")
        elif teams is not None:
            manager[r], region[r] = "unassigned", "unknown"
        else:
            manager[r], region[r] = "", "main"
    reps = pd.DataFrame({
        "rep": rep_all.index,
        "deals": rep_all.to_numpy(),
        "recent_deals": rep_recent.to_numpy(),
        "weight": w_recent.to_numpy() if len(active) else w_hist.to_numpy(),
        "weight_history": w_hist.to_numpy(),
        "products": [None if rep_products[r] == all_products else rep_products[r] for r in rep_all.index],
        "manager": [manager[r] for r in rep_all.index],
        "region": [region[r] for r in rep_all.index],
    })

    # ---- win probabilities
    closed_deals = deals[deals["outcome"].isin(["won", "lost"])].assign(won=lambda d: d["outcome"] == "won")
    wins = fit_win_model(closed_deals[["rep", "product", "won"]], LEVEL)

    # ---- time to close (working days), open deals censored at the export date
    is_closed = deals["outcome"].isin(["won", "lost"]).to_numpy()
    cyc = np.zeros(len(deals), dtype=np.int64)
    cyc[is_closed] = working_days_between(created[is_closed], closed[is_closed], workdays)
    export64 = np.datetime64(export_date)
    ages = working_days_between(created[~is_closed], np.full((~is_closed).sum(), export64), workdays)
    pooled_d = Durations.from_days(cyc[is_closed], ages)
    time_fits = fit_all(pooled_d, families, workers, start)
    best = time_fits[0]
    product_times: dict[str, SurvivalFit] = {}
    product_source: dict[str, str] = {}
    prod_arr = deals["product"].to_numpy()
    own: dict[str, Durations] = {}         # products with enough closed deals for a fit of their own
    for p in all_products:
        sel_c = is_closed & (prod_arr == p)
        sel_o = ~is_closed & (prod_arr == p)
        d_p = Durations.from_days(cyc[sel_c], working_days_between(created[sel_o], np.full(sel_o.sum(), export64),
                                                                   workdays))
        if d_p.closed >= MIN_CLOSED_PER_PRODUCT_FIT:
            own[p] = d_p
            product_source[p] = f"own fit ({d_p.closed:,} closed, {d_p.open:,} open)"
        elif d_p.closed > 0 and d_p.open > 0:
            product_times[p] = _stall_only(best, d_p)
            product_source[p] = f"pooled shape, own stalled share ({d_p.closed:,} closed, {d_p.open:,} open)"
        else:
            product_times[p] = best
            product_source[p] = f"pooled ({d_p.closed:,} closed, {d_p.open:,} open)"
    calls: list[tuple[Any, tuple]] = [(fit_family, (best.family, d_p, None, best.theta)) for d_p in own.values()]
    won_sel = (deals["outcome"] == "won").to_numpy()
    lost_sel = (deals["outcome"] == "lost").to_numpy()
    forced = timing
    by_outcome = forced is None and won_sel.sum() >= 20 and lost_sel.sum() >= 20
    if by_outcome:
        calls.append((_fit_by_outcome, (best.family, Durations.from_days(cyc[won_sel], []),
                                        Durations.from_days(cyc[lost_sel], []), ages, best,
                                        n_won / (n_won + n_lost), n_won, n_lost)))
    fitted = run_tasks(calls, call, workers=workers)   # the products' own fits and the won/lost test side by side
    product_times.update(zip(own, fitted))
    product_times = {p: product_times[p] for p in all_products}
    outcome_times = fitted[-1] if by_outcome else None
    if isinstance(outcome_times, str):      # pragma: no cover - diagnostic only
        notes.append(f"won and lost times could not be fitted separately ({outcome_times})")
        outcome_times = None

    # ---- won and lost on different clocks? (then an early loss point before the close)
    timing, two, timing_note = "one_stage", None, "won and lost deals share one time to close"
    one_stage_products = dict(product_times)
    test_two = (outcome_times is not None and outcome_times.p_value < 0.01) if forced is None else forced == "two_stage"
    if test_two and won_sel.sum() >= 30 and lost_sel.sum() >= 30:
        two = fit_two_stage(Durations.from_days(cyc[won_sel], []), Durations.from_days(cyc[lost_sel], []), ages)
        pw = n_won / (n_won + n_lost)
        aic_one = best.aic + 2 + 2 * -(n_won * math.log(pw) + n_lost * math.log(1 - pw)) if 0 < pw < 1 else math.inf
        if forced == "two_stage":
            timing = "two_stage"
            base = wins.products.set_index("product")["base_prob"]
            product_times = {p: two.with_product(float(base.get(p, pw)), one_stage_products[p].stall)
                             for p in all_products}
            timing_note = "won and lost deals on two clocks (the full history's choice, refitted)"
        elif two.aic < aic_one:
            timing = "two_stage"
            base = wins.products.set_index("product")["base_prob"]
            product_times = {p: two.with_product(float(base.get(p, pw)), one_stage_products[p].stall)
                             for p in all_products}
            timing_note = (f"won and lost deals close on different clocks (medians {outcome_times.won_median:.1f} vs "
                           f"{outcome_times.lost_median:.1f} working days, p = {outcome_times.p_value:.2g}): "
                           f"{two.early_loss_share():.0%} of losses come at an early point after "
                           f"{math.exp(two.x[0]):.1f} days; AIC {two.aic:,.0f} vs {aic_one:,.0f} for one clock")
        else:
            timing_note = (f"won and lost times differ (p = {outcome_times.p_value:.2g}) but an early loss point "
                           f"does not fit better (AIC {two.aic:,.0f} vs {aic_one:,.0f}): one clock is used")
    elif outcome_times is not None:
        timing_note = (f"won and lost deals share one time to close (medians {outcome_times.won_median:.1f} vs "
                       f"{outcome_times.lost_median:.1f} working days, p = {outcome_times.p_value:.2g})")

    # ---- month-to-month swings of the closing pace
    pace = closing_pace(deals, product_times, workdays, months, export_date, first_closed)
    mood = market_mood(deals, months, export_date, first_closed)

    # ---- deal values
    value_fits, values, value_notes = _fit_values(deals, all_products, prices, v.info.get("value_column"),
                                                  v.info["file"], notes)

    # ---- team table
    team_rows = []
    if teams is not None:
        for m, g in reps.groupby("manager"):
            team_rows.append((m, len(g), ", ".join(sorted(set(g["region"])))))
    teams_df = pd.DataFrame(team_rows, columns=["manager", "reps", "regions"])

    # ---- capacity: the busiest rep-month's daily load
    rm = deals.groupby(["rep", "month"]).size().rename("deals").reset_index()
    rm["per_day"] = rm["deals"] / rm["month"].map(wd_month)
    peak = float(rm["per_day"].max())
    design = float(stats.poisson.ppf(0.99, peak))
    capacity = {"peak_deals_per_rep_day": peak, "design_deals_per_day": max(1.0, design)}

    # ---- the data's own (naive) figures, for comparison in the report
    closed_days_cal = (closed[is_closed] - created[is_closed]).astype(int)
    data_figures = {
        "deals": len(deals), "won": n_won, "lost": n_lost, "open": int((~is_closed).sum()),
        "open_unknown_age": n_undated,
        "win_rate": n_won / (n_won + n_lost),
        "median_cycle_calendar_days_closed": float(np.median(closed_days_cal)),
        "median_cycle_working_days_closed": float(np.median(cyc[is_closed])),
        "median_cycle_working_days_won": float(np.median(cyc[won_sel])) if won_sel.any() else math.nan,
        "median_cycle_working_days_lost": float(np.median(cyc[lost_sel])) if lost_sel.any() else math.nan,
        "won_value_total": float(np.nansum(deals.loc[won_sel, "value"])),
        "won_value_median": (float(np.nanmedian(deals.loc[won_sel, "value"]))
                             if deals.loc[won_sel, "value"].notna().any() else math.nan),
        "recent_won_value": float(np.nansum(deals.loc[won_sel & np.isin(
            np.array([month_label(x) if not pd.isna(x) else "" for x in deals["closed"]]), recent), "value"])),
    }
    if data_figures["recent_won_value"] <= 0 and n_won:
        # no amounts in the recent months (an empty value column with a price list): the fitted typical values
        closed_month = np.array([month_label(x) if not pd.isna(x) else "" for x in deals["closed"]])
        rw = deals.loc[won_sel & np.isin(closed_month, recent), "product"]
        if not len(rw):
            rw = deals.loc[won_sel, "product"]
            scale = len(recent) / max(1, len({m for m in closed_month[won_sel] if m}))
        else:
            scale = 1.0
        data_figures["recent_won_value"] = float(sum(typical_value(values[p]) for p in rw) * scale)
    acts = activities.monthly if activities is not None else None
    groups = dict(prices.group) if prices is not None else {}
    list_prices = {p: v for p, v in (prices.price.items() if prices is not None else []) if np.isfinite(v)}
    if first_closed is not None and first_closed > first_created + dt.timedelta(days=60):
        notes.append(f"no deal closes before {first_closed}, although deals were created from {first_created}: "
                     "the export may not record closes before that date (months before it are not scored in the "
                     "backtest)")
    # by keyword: a positional call put groups, prices, currency and notes into the timing fields
    # when those were added in the middle of the dataclass, and every fit note was lost
    return Fit(export_date=export_date, first_created=first_created, first_closed=first_closed, workdays=workdays,
               workday_evidence=evidence, months=months, sources=sources, arrivals=arrivals, recent_months=recent,
               reps=reps, wins=wins, time_fits=time_fits, time_family=best.family, product_times=product_times,
               product_time_source=product_source, outcome_times=outcome_times, value_fits=value_fits, values=values,
               value_notes=value_notes, teams=teams_df, capacity=capacity, data_figures=data_figures, pace=pace,
               time_data={"closed": cyc[is_closed], "open": ages}, activities=acts, timing=timing, two_stage=two,
               one_stage_product_times=one_stage_products, timing_note=timing_note, product_groups=groups,
               list_prices=list_prices, currency=v.info.get("currency"), notes=notes, mood=mood)


def closing_pace(deals: pd.DataFrame, times: dict[str, SurvivalFit], workdays: list[str], months: list[str],
                 export_date: dt.date, first_closed: dt.date | None, level: float = LEVEL) -> dict[str, Any]:
    """How much more closes vary from month to month than independent deals would make them.

    The fitted times to close turn each day's new deals into expected closes per day
    (a convolution); summed by month they give ``E_m``. With a month pace factor ``g_m``
    (lognormal, log-sd ``s``) the closes are about ``g_m E_m``, so the variance of
    ``log(A_m / E_m)`` over the months is ``s^2`` plus the Poisson part ``~1/E_m``:
    ``s^2 = max(0, var(log(A/E)) - mean(1/A))``. Months scored: complete months from the
    second month with recorded closes (the first may hold a backlog).
    """
    start = month_start(months[0])
    cal = WorkCalendar(start, len(months), 8.0, tuple(workdays))
    n_days = cal.n_days
    start64 = np.datetime64(start)
    wm = weekmask(workdays)
    created_idx = np.busday_count(start64, deals["created"].to_numpy().astype("datetime64[D]"), weekmask=wm)
    expected = np.zeros(n_days)
    k = np.arange(n_days + 1, dtype=float)
    for p, f in times.items():
        sel = (deals["product"] == p).to_numpy()
        n_c = np.bincount(np.clip(created_idx[sel], 0, n_days - 1), minlength=n_days).astype(float)
        sf = f.sf(k)
        pmf = (1 - f.stall) * np.clip(sf[:-1] - sf[1:], 0, None)   # P(cycle = j + 1), j = 0 ..
        pmf = np.concatenate([[0.0], pmf])[:n_days]                   # index = cycle in days
        expected += np.convolve(n_c, pmf)[:n_days]
    closed = deals["closed"].dropna().to_numpy().astype("datetime64[D]")
    closed_idx = np.busday_count(start64, closed, weekmask=wm)
    actual = np.bincount(np.clip(closed_idx, 0, n_days - 1), minlength=n_days).astype(float)
    mo = cal.month_of_day
    e_m = np.bincount(mo, weights=expected, minlength=len(months))
    a_m = np.bincount(mo, weights=actual, minlength=len(months))
    months_ok = set(scored_months(months, export_date, first_closed))
    scored = [i for i, m in enumerate(months) if m in months_ok and e_m[i] > 0 and a_m[i] > 0]
    table = pd.DataFrame({"month": months, "closed_actual": a_m, "closed_expected": e_m,
                          "scored": [i in scored for i in range(len(months))]})
    if len(scored) < 3:
        return {"sd": 0.0, "low": 0.0, "high": 0.0, "months": len(scored), "table": table,
                "note": "fewer than 3 months to measure it: no month-to-month swings"}
    r = np.log(a_m[scored] / e_m[scored])
    var = float(np.var(r, ddof=1))
    poisson = float(np.mean(1.0 / a_m[scored]))
    sd = math.sqrt(max(0.0, var - poisson))
    dfree = len(scored) - 1
    lo = math.sqrt(max(0.0, dfree * var / stats.chi2.ppf((1 + level) / 2, dfree) - poisson))
    hi = math.sqrt(max(0.0, dfree * var / stats.chi2.ppf((1 - level) / 2, dfree) - poisson))
    return {"sd": sd, "low": lo, "high": hi, "months": len(scored), "table": table,
            "note": f"log(actual / expected closes) over {len(scored)} months: sd {math.sqrt(var):.3f}, of which "
                    f"Poisson noise ~{math.sqrt(poisson):.3f}"}


def scored_months(months: list[str], export_date: dt.date, first_closed: dt.date | None) -> list[str]:
    """Months whose closes can be compared: complete months after the first month with a recorded close
    (the first may hold a backlog, the last may be cut short by the export date)."""
    end_last = add_months(month_start(months[-1]), 1) - dt.timedelta(days=1)
    complete = months if export_date >= end_last else months[:-1]
    first = month_label(first_closed) if first_closed else months[-1]
    return [m for m in complete if m > first]


def mood_swing(won: np.ndarray, closed: np.ndarray, level: float = LEVEL) -> dict[str, Any]:
    """Month-to-month swing of the won share of closed deals, beyond what chance gives.

    ``won[m]`` of ``closed[m]`` deals closed in month ``m`` were won. With ``l_m`` the log-odds
    of the month's won share (the empirical logit ``log((w + 0.5) / (n - w + 0.5))``) and ``b_m``
    its sampling variance (``(n + 1)(n + 2) / (n (w + 1)(n - w + 1))``, about ``1 / (n p (1 - p))``),
    the market's own swing is ``sd^2 = var(l) - mean(b)`` (0 if negative) and its month-to-month
    ``persistence`` is the lag-1 autocovariance of ``l`` over ``sd^2`` (sampling noise is
    independent between months, so it does not enter the autocovariance), cut to [0, 0.9].
    The series is detrended first (a least-squares line through the months' log-odds, so
    ``n - 2`` degrees of freedom): a won share that drifts up over the history is a trend, not
    good and bad months that come and go, and left in it would both inflate the swing and pass
    for persistence. The trend is reported (``trend``: log-odds per month) and the undetrended
    figure kept as ``centred_sd``. With a short history both figures are low estimates (a slow
    swing looks like a trend).
    """
    closed = np.asarray(closed, dtype=float)
    won = np.asarray(won, dtype=float)
    keep = closed > 0
    n = int(keep.sum())
    out: dict[str, Any] = {"sd": 0.0, "low": 0.0, "high": 0.0, "persistence": 0.0, "months": n,
                           "raw_sd": math.nan, "sampling_sd": math.nan, "trend": 0.0, "centred_sd": math.nan}
    if n < 4:
        out["note"] = "fewer than 4 months to measure it: no month-to-month swings"
        return out
    w, c = won[keep], closed[keep]
    # the empirical logit and its variance (Gart and Zweifel 1967): nearly unbiased even for a few
    # dozen deals a month, and finite for a month won or lost to the last deal
    lo_odds = np.log((w + 0.5) / (c - w + 0.5))
    sampling = float(np.mean((c + 1) * (c + 2) / (c * (w + 1) * (c - w + 1))))
    t = np.arange(n, dtype=float)
    slope, intercept = np.polyfit(t, lo_odds, 1)
    dev = lo_odds - (intercept + slope * t)                    # what is left after the trend
    dfree = n - 2
    var = float(np.sum(dev * dev) / dfree)
    swing = max(0.0, var - sampling)
    sd = math.sqrt(swing)
    acov = float(np.sum(dev[:-1] * dev[1:]) / dfree)
    persistence = min(0.9, max(0.0, acov / swing)) if swing > 0 else 0.0
    centred = math.sqrt(max(0.0, float(np.var(lo_odds, ddof=1)) - sampling))
    lo = math.sqrt(max(0.0, dfree * var / stats.chi2.ppf((1 + level) / 2, dfree) - sampling))
    hi = math.sqrt(max(0.0, dfree * var / stats.chi2.ppf((1 - level) / 2, dfree) - sampling))
    note = (f"log-odds of the won share of closed deals over {n} months, after a trend of {slope:+.3f} a month: "
            f"sd {math.sqrt(var):.3f}, of which chance ~{math.sqrt(sampling):.3f}; month-to-month correlation "
            f"{persistence:.2f} (without detrending the swing would read {centred:.3f})")
    if float(np.median(c)) < 50:
        note += "; fewer than 50 closes in a typical month: the swing is uncertain and may be overstated"
    if n < 24:
        note += ("; under 24 months both figures are low estimates (a slow swing looks like a trend and is "
                 "partly taken as the series' mean)")
    out.update(sd=sd, low=lo, high=hi, persistence=persistence, raw_sd=math.sqrt(var), sampling_sd=math.sqrt(sampling),
               trend=float(slope), centred_sd=centred, note=note)
    return out


def market_mood(deals: pd.DataFrame, months: list[str], export_date: dt.date, first_closed: dt.date | None,
                level: float = LEVEL) -> dict[str, Any]:
    """The market's mood in the export: :func:`mood_swing` of the won share of deals closed in each scored
    month (:func:`scored_months`), with the monthly table (``month, closed, won, won_share, scored``)."""
    closed = deals[deals["outcome"].isin(["won", "lost"]) & deals["closed"].notna()]
    table = _closes_by_month(closed["closed"], closed["outcome"] == "won", months)
    table["won_share"] = np.where(table["closed"] > 0, table["won"] / table["closed"].clip(lower=1), np.nan)
    scored = set(scored_months(months, export_date, first_closed))
    table["scored"] = table["month"].isin(scored) & (table["closed"] > 0)
    sel = table[table["scored"]]
    out = mood_swing(sel["won"].to_numpy(), sel["closed"].to_numpy(), level)
    out["table"] = table
    return out


def result_mood(result, months: int | None = None) -> dict[str, Any]:
    """:func:`mood_swing` of a simulated run: the won share of each reporting month's closes.

    A lead that ended won, lost or dropped closed on its ``closed_date``, as in a CRM export of
    the run (:func:`salessim.calibration.export.export_frame`). Unlike calibrate on such an export,
    every reporting month is read (the first ``months``; default all), with the pipeline full
    from the warm-up (leads created in it count when they close in a reporting month): this is
    an export's *scored* months, not its first month with a backlog or a month cut short.
    """
    leads = result.leads()
    labels = list(result.calendar.month_labels)[: months or None]
    done = leads[leads["state"].isin(["won", "lost", "dropped"]) & (leads["closed_day"] >= 0)]
    table = _closes_by_month(done["closed_date"], done["state"] == "won", labels)
    return mood_swing(table["won"].to_numpy(), table["closed"].to_numpy())


def _closes_by_month(closed_dates: pd.Series, won: pd.Series, months: list[str]) -> pd.DataFrame:
    """``month, closed, won``: deals closed in each of ``months`` (``YYYY-MM``) and how many of them were won."""
    label = pd.to_datetime(closed_dates).dt.strftime("%Y-%m").to_numpy()
    by = pd.DataFrame({"month": label, "won": np.asarray(won, dtype=int)}).groupby("month")["won"]
    return pd.DataFrame({"month": months, "closed": by.size().reindex(months, fill_value=0).to_numpy(),
                         "won": by.sum().reindex(months, fill_value=0).to_numpy()})


def _stall_only(pooled: SurvivalFit, d: Durations) -> SurvivalFit:
    """The pooled shape, with this product's own stalled share (a one-parameter fit)."""
    theta = pooled.theta
    fn = lambda z: negloglik(pooled.family, np.append(theta, z), d, True)  # noqa: E731
    res = optimize.minimize_scalar(fn, bounds=(-12, 12), method="bounded")
    x = np.append(theta, res.x)
    cov = None
    if pooled.cov is not None:
        h = (fn(res.x + 1e-3) - 2 * fn(res.x) + fn(res.x - 1e-3)) / 1e-6
        cov = np.zeros((len(x), len(x)))
        k = len(theta)
        cov[:k, :k] = pooled.cov[:k, :k]
        cov[k, k] = 1.0 / h if h > 0 else 0.0
    f = SurvivalFit(pooled.family, x, cov, float(res.fun), d.closed, d.open, True)
    f.aic = 2 + 2 * f.nll
    f.km_distance = km_distance(f, d)
    return f


def typical_value(d: dict) -> float:
    """The median of a deal-value distribution table (``fixed``, ``lognormal``, ``gamma``, ``weibull``)."""
    kind = d.get("dist")
    if kind == "fixed":
        return float(d["value"])
    if kind == "lognormal":
        return float(d["median"])
    if kind == "gamma":
        k = 1.0 / d["cv"] ** 2
        return float(stats.gamma.median(k, scale=d["mean"] / k))
    if kind == "weibull":
        return float(d["scale"] * math.log(2) ** (1 / d["shape"]))
    return float(d.get("median", d.get("mean", d.get("value", 0.0))))


#: Below this share of won deals with a usable amount, the deal-size fit does not trust the amounts.
MIN_VALUED_SHARE = 0.5


def _median_interval(x: np.ndarray, level: float = LEVEL) -> tuple[float, float]:
    """Distribution-free interval of the median: order statistics from the binomial(n, 1/2) quantiles."""
    n = len(x)
    if n == 0:
        return math.nan, math.nan
    xs = np.sort(x)
    j = int(stats.binom.ppf((1 - level) / 2, n, 0.5))      # the j-th smallest and the j-th largest
    return float(xs[max(j - 1, 0)]), float(xs[min(n - j, n - 1)])


def _fit_values(deals: pd.DataFrame, products: list[str], prices: PriceList | None, column: str | None = None,
                source: str = "export", notes: list[str] | None = None):
    """Deal-value distributions of won deals by product; lognormal, gamma or Weibull by AIC.

    When fewer than :data:`MIN_VALUED_SHARE` of the won deals have a usable amount (an empty or unreadable
    value column), the amounts that are there are not a fair sample: the price list's prices are used, with a
    note, or, without a price list, a :class:`UserError` says what to pass.
    """
    rows = []
    chosen: dict[str, dict] = {}
    vnotes: dict[str, str] = {}
    won_all = deals[deals["outcome"] == "won"]
    won = won_all[won_all["value"] > 0]
    n_won, n_val = len(won_all), len(won)
    listed = {p: prices.price.get(p) for p in products} if prices is not None else {}
    listed = {p: float(x) for p, x in listed.items() if x is not None and np.isfinite(x) and x > 0}
    if n_won and n_val < MIN_VALUED_SHARE * n_won:
        what = f"column {column!r}" if column else "no amount column"
        if listed:
            if notes is not None:
                notes.append(f"only {n_val:,} of {n_won:,} won deals have a usable amount ({what}): deal values are "
                             f"the price list's prices ({len(listed)} of {len(products)} products), not fitted")
            fallback = float(np.median(list(listed.values())))
            for p in products:
                price = listed.get(p, fallback)
                chosen[p] = {"dist": "fixed", "value": price}
                vnotes[p] = ("the price list's price (most won deals have no usable amount)" if p in listed else
                             "not in the price list: the median list price (most won deals have no usable amount)")
                rows.append((p, "fixed", math.nan, chosen[p], 0, price, price, price, True))
            df = pd.DataFrame(rows, columns=["product", "family", "aic", "params", "n", "median", "median_low",
                                             "median_high", "chosen"])
            return df, chosen, vnotes
        raise UserError(f"only {n_val:,} of {n_won:,} won deals have a usable amount ({what}): deal values cannot be "
                        "fitted from so few; pass --products PRICE_LIST to use list prices, or --map value=COLUMN if "
                        "another column holds the amounts", source=source)
    all_vals = won["value"].to_numpy(dtype=float)
    pooled_sigma = float(np.std(np.log(all_vals))) if len(all_vals) > 1 else 0.5
    for p in products:
        x = won.loc[won["product"] == p, "value"].to_numpy(dtype=float)
        if len(x) >= 2:
            lo, hi = _median_interval(x)
        else:
            lo = hi = float(x[0]) if len(x) else math.nan
        if len(x) >= MIN_VALUES_PER_PRODUCT_FIT and np.ptp(x) > 0:
            cands = []
            for fam in ("lognormal", "gamma", "weibull"):
                try:
                    table, k, ll = _fit_value_family(fam, x)
                except (ValueError, RuntimeError, FloatingPointError):
                    continue
                if not math.isfinite(ll):
                    continue
                cands.append((2 * k - 2 * ll, fam, table))
            cands.sort(key=lambda c: c[0])
            for aic, fam, table in cands:
                rows.append((p, fam, aic, table, len(x), float(np.median(x)), lo, hi, fam == cands[0][1]))
            chosen[p] = cands[0][2]
            vnotes[p] = f"{cands[0][1]} (lowest AIC of {len(cands)}), n = {len(x):,} won deals with a value"
        else:
            price = listed.get(p)
            if price is not None:
                chosen[p] = {"dist": "fixed", "value": float(price)}
                vnotes[p] = f"only {len(x)} won deal(s) with a value: the list price"
            elif len(x):
                chosen[p] = {"dist": "lognormal", "median": float(np.median(x)), "sigma": pooled_sigma}
                vnotes[p] = f"only {len(x)} won deal(s) with a value: their median, spread of all products"
            else:
                med = float(np.median(all_vals))
                chosen[p] = {"dist": "lognormal", "median": med, "sigma": pooled_sigma}
                vnotes[p] = "no won deal with a value: the median of all products"
            med_p = float(np.median(x)) if len(x) else float(chosen[p].get("value", chosen[p].get("median")))
            rows.append((p, chosen[p]["dist"], math.nan, chosen[p], len(x), med_p,
                         lo if len(x) else med_p, hi if len(x) else med_p, True))
    df = pd.DataFrame(rows, columns=["product", "family", "aic", "params", "n", "median", "median_low", "median_high",
                                     "chosen"])
    return df, chosen, vnotes


def _fit_value_family(fam: str, x: np.ndarray) -> tuple[dict, int, float]:
    if fam == "lognormal":
        lx = np.log(x)
        mu, sd = float(lx.mean()), float(lx.std())
        sd = max(sd, 1e-6)
        ll = float(stats.lognorm.logpdf(x, sd, scale=math.exp(mu)).sum())
        return {"dist": "lognormal", "median": math.exp(mu), "sigma": sd}, 2, ll
    if fam == "gamma":
        a, _, scale = stats.gamma.fit(x, floc=0)
        ll = float(stats.gamma.logpdf(x, a, scale=scale).sum())
        return {"dist": "gamma", "mean": a * scale, "cv": 1 / math.sqrt(a)}, 2, ll
    c, _, scale = stats.weibull_min.fit(x, floc=0)
    ll = float(stats.weibull_min.logpdf(x, c, scale=scale).sum())
    return {"dist": "weibull", "shape": c, "scale": scale}, 2, ll
