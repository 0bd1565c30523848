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

