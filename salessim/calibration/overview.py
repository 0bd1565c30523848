"""A calibration at a glance: the tables the walk-through notebook shows.

* :func:`reading_table`: how the export was read (format, encoding, dates, amounts, export date);
* :func:`mapping_table`: which export column feeds each model field, and the stage mapping;
* :func:`fitted_table`: the fitted parameters, one row each, with their 90% intervals and
  the number of deals behind them;
* :func:`plans_table`: each rep's proposed plan per month with the fact it is set from.

All figures come from a :class:`~salessim.calibration.Calibration` (and its plans); nothing
is computed twice.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

if TYPE_CHECKING:  # pragma: no cover
    from salessim.calibration import Calibration
    from salessim.calibration.plans import Plans

#: What each model field means, for the mapping table.
FIELD_MEANING = {
    "id": "deal identifier (duplicates are rejected)",
    "rep": "the sales rep who owns the deal",
    "stage": "deal stage, mapped to won / lost / open",
    "created": "date the deal was created",
    "closed": "date the deal was won or lost",
    "value": "deal value (currency)",
    "product": "product sold",
    "account": "client account (only counted, never written to the scenario)",
    "channel": "lead channel",
    "manager": "the rep's manager",
    "region": "region or office",
}


def reading_table(cal: "Calibration") -> pd.DataFrame:
    """How the export was read, and what the fit warns of: one row per aspect or note."""
    info = cal.validated.info
    rows = [("file", cal.source_name), ("read as", info["read"]),
            ("dates", f"{info['date_order']} ({info['date_order_reason']})"), ("amounts", info["decimal"]),
            ("export date", f"{info['export_date']} ({info['export_date_source']})"),
            ("columns not used", ", ".join(info.get("ignored_columns") or []) or "none")]
    rows += [("note", n) for n in info.get("read_notes", [])]
    # what the fit itself warns of (side tables' skipped rows, doubtful stages, thin or stale data)
    rows += [("fit note", n) for n in cal.fit.notes]
    return pd.DataFrame(rows, columns=["aspect", "what was found"])


def mapping_table(cal: "Calibration") -> pd.DataFrame:
    """Each model field, the export column that feeds it, and what it means."""
    m = cal.mapping
    rows = [(f, m.names[f], FIELD_MEANING.get(f, "")) for f in m.names]
    return pd.DataFrame(rows, columns=["model field", "export column", "meaning"])


def stage_table(cal: "Calibration") -> pd.DataFrame:
    """The export's stage names, the outcome each was mapped to, the rule used and the deals in each."""
    return cal.validated.stage_map.table.rename(columns={"stage": "stage in export", "outcome": "mapped to"})


def fitted_table(cal: "Calibration") -> pd.DataFrame:
    """The fitted parameters, each with its 90% interval and the deals behind it.

    Rows: the overall win rate (fitted and the export's own); win probability of an average
    rep per product; the between-rep spread of win odds; the median time to close and the
    share of deals that stall; the month-to-month swings of the closing pace and of the won
    share (the market's mood); lead arrivals
    per working day and median deal value per product.
    """
    f = cal.fit
    rows: list[tuple] = []
    rows.append(("win rate, all deals", "all", f.overall_win_rate(), np.nan, np.nan,
                 f"{int(f.wins.products['closed'].sum()):,} closed deals",
                 f"export's own: {f.data_figures['win_rate']:.1%}"))
    for r in f.wins.products.itertuples():
        rows.append(("win probability (average rep)", r.product, r.base_prob, r.low, r.high,
                     f"{int(r.closed):,} closed deals", ""))
    rows.append(("spread of reps' win odds (log-sd)", "all reps", f.wins.tau, np.nan, np.nan,
                 f"{len(f.wins.reps)} reps",
                 f"reps differ {'more' if f.wins.heterogeneity_p < 0.05 else 'no more'} than chance "
                 f"(p = {f.wins.heterogeneity_p:.3g})"))
    t = f.timing_fit
    lo, hi = t.median_interval()
    rows.append(("median working days to close", "all", t.median_cycle(), lo, hi, f"{int(t.n_closed):,} closed deals",
                 f"{t.family.replace('_', ' ')}; open deals counted as not closed yet"))
    slo, shi = t.stall_interval()
    rows.append(("share of deals that stall", "all", t.stall, slo, shi, f"{int(t.n_closed + t.n_open):,} deals",
                 "stay open and never close"))
    rows.append(("closing-pace swing between months (log-sd)", "all", f.pace["sd"], np.nan, np.nan,
                 f"{len(f.months)} months", f.pace.get("note", "")))
    if f.mood:
        rows.append(("market's swing of the won share between months (log-odds sd)", "all", f.mood["sd"],
                     f.mood["low"], f.mood["high"], f"{f.mood['months']} months", f.mood.get("note", "")))
    for r in f.sources.itertuples():
        rows.append(("new deals per working day", r.product, r.rate_per_day, r.low, r.high,
                     f"{int(r.n_history):,} deals",
                     f"recent {len(f.recent_months)} months"))
    vf = f.value_fits[f.value_fits["chosen"]]
    for r in vf.itertuples():
        rows.append(("median deal value", r.product, r.median, r.median_low, r.median_high, f"{int(r.n):,} won deals",
                     r.family))
    return pd.DataFrame(rows, columns=["parameter", "scope", "value", "low", "high", "based on", "note"])


def plans_table(plans: "Plans", month: str | None = None) -> pd.DataFrame:
    """Each rep's proposed plan for ``month`` (default: the first planned month) with the fact behind it."""
    p = plans.plans
    month = month or p["month"].iloc[0]
    sub = p[p["month"] == month].sort_values("plan", ascending=False)
    return sub[["rep", "plan", "fact_p10", "fact_median", "fact_p90", "attainment_check"]].rename(columns={
        "plan": f"plan {month}", "fact_p10": "fact p10", "fact_median": "fact median", "fact_p90": "fact p90",
        "attainment_check": "reached on fresh runs"}).reset_index(drop=True)
