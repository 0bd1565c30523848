"""KPI formulas, as the source documents define them.

Pure functions on numbers or numpy arrays, used by the result tables and tested against
hand-computed tables.
"""

from __future__ import annotations

import numpy as np


def ratio(num, den):
    """``num / den`` with NaN where ``den`` is zero (scalars or arrays)."""
    num = np.asarray(num, dtype=float)
    den = np.asarray(den, dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        out = np.where(den != 0, num / np.where(den != 0, den, 1), np.nan)
    return out if out.ndim else float(out)


def pace_pct(fact_to_date, monthly_plan, working_days_in_month, working_days_elapsed):
    """Plan completion to date (%): the dashboard's key figure.

    ``fact to date / (monthly plan / working days in month x working days elapsed) x 100``.
    Below 100 means that at the current pace the rep will miss the plan. Not to be confused
    with the plain share ``fact / plan x 100`` (:func:`attainment_pct`). Undefined (NaN)
    when the plan or the elapsed days are zero.
    """
    expected = ratio(monthly_plan, working_days_in_month) * np.asarray(working_days_elapsed, dtype=float)
    return ratio(fact_to_date, expected) * 100.0


def attainment_pct(fact, plan):
    """Plain plan fulfilment: ``fact / plan x 100`` (NaN where the plan is zero)."""
    return ratio(fact, plan) * 100.0


def win_rate(won, lost):
    """Won / (won + lost); open deals are excluded (NaN when nothing closed)."""
    return ratio(won, np.asarray(won, dtype=float) + np.asarray(lost, dtype=float))


def quota_attainment_rate(attainment: np.ndarray) -> float:
    """Share of reps (or rep-months) at 100% of plan or more, ignoring NaN."""
    a = np.asarray(attainment, dtype=float)
    a = a[~np.isnan(a)]
    return float((a >= 100.0).mean()) if a.size else float("nan")


#: Summary metrics that are shares (0 to 1) and metrics that cannot be negative: an interval
#: for their mean is cut to that range (see :func:`metric_bounds`).
SHARE_METRICS = frozenset({"win_rate", "intensity", "quota_attainment_rate", "key_clients_lost_share"})
NONNEGATIVE_METRICS = frozenset({
    "revenue", "won_deals", "meetings", "meetings_per_rep_month", "avg_deal", "cycle_days", "salaries", "payroll",
    "dropped_leads", "calls", "proposals", "lost_deals", "inbound_leads", "key_clients_lost", "key_clients_start",
    "missed_calls", "rep_months", "reorder_revenue", "new_business_revenue", "contracted_revenue", "risky_wins",
    "mean_invoice_wait_hours", "pay_per_rep_month", "unsold_stock",
})
NONNEGATIVE_PREFIXES = ("revenue_", "won_deals_")


def metric_bounds(name: str) -> tuple[float, float]:
    """The values a summary metric can take: ``(0, 1)`` for shares, ``(0, inf)`` for counts and
    amounts that cannot be negative, ``(-inf, inf)`` otherwise (profit, pay with clawbacks).

    The true mean lies in this range, so cutting a confidence interval to it keeps its coverage
    and spares a reader "win rate 27.6% [-5.1%, 60.2%]" from two replications.
    """
    if name in SHARE_METRICS:
        return 0.0, 1.0
    if name in NONNEGATIVE_METRICS or name.startswith(NONNEGATIVE_PREFIXES):
        return 0.0, float("inf")
    return float("-inf"), float("inf")
