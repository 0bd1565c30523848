"""Does leaving the rejected rows out bend the fit? A check, printed at the end of ``calibrate``.

A rejection that falls unevenly on won and lost deals bends what is fitted from the rest: when
an export writes its won deals' amounts in a way that cannot be read and those rows are
dropped, the win rate of the remainder is that of the lost deals. Validation keeps won deals
whose amount is unusable for exactly that reason; this check catches what is left.

:func:`bias_check` computes the figures the fit rests on twice: on the accepted rows (what the
fit used) and on every row that has what the figure needs, rejected or not ("kept where
possible": a row rejected for its id or its currency still says whether the deal was won).
Rows that carry nothing usable (blank, a repeated header, shifted fields, no stage, a deleted
deal, a second copy of an id, a deal's earlier stage in a stage-history export) are never kept.
A figure that moves by more than ``share`` (relative) is reported with the rejections behind the move.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

#: Rejections whose rows carry nothing to keep (or would be counted twice).
NEVER_KEPT = ("blank_row", "repeated_header", "wrong_field_count", "missing_stage", "deleted", "duplicate_id",
              "superseded")
#: Relative move above which a figure is reported.
SHARE = 0.05


def _figures(rows: pd.DataFrame) -> dict[str, float]:
    closed = rows[rows["outcome"].isin(["won", "lost"])]
    won = (closed["outcome"] == "won").sum()
    out = {"win rate (won / closed)": won / len(closed) if len(closed) else math.nan}
    both = closed[closed["created"].notna() & closed["closed"].notna()]
    days = (both["closed"] - both["created"]).dt.days if len(both) else pd.Series([], dtype=float)
    days = days[days >= 0]
    out["median days to close (closed deals)"] = float(np.median(days)) if len(days) else math.nan
    vals = rows.loc[(rows["outcome"] == "won") & (rows["value"] > 0), "value"]
    out["median won deal value"] = float(np.median(vals)) if len(vals) else math.nan
    return out


def bias_check(v, fit=None, share: float = SHARE) -> pd.DataFrame:
    """``figure, accepted, kept_where_possible, change, rows_added, reasons``: one row per figure that moves by
    more than ``share`` (empty when none does, or nothing was rejected)."""
    cols = ["figure", "accepted", "kept_where_possible", "change", "rows_added", "reasons"]
    a = v.all_rows
    if a is None or not (a["reason"] != "").any():
        return pd.DataFrame(columns=cols)
    acc = a[a["reason"] == ""]
    extra = a[(a["reason"] != "") & ~a["reason"].isin(NEVER_KEPT) & (a["outcome"] != "")]
    if extra.empty:
        return pd.DataFrame(columns=cols)
    f_acc = _figures(acc)
    f_all = _figures(pd.concat([acc, extra]))
    rows = []
    for k, x in f_acc.items():
        y = f_all[k]
        if not (math.isfinite(y)) or (math.isfinite(x) and x == y):
            continue
        if math.isfinite(x) and x != 0:
            change = (y - x) / abs(x)
        else:
            change = math.nan      # the accepted rows have no such figure at all
        if not math.isfinite(change) or abs(change) > share:
            reasons = extra["reason"].value_counts()
            rows.append((k, x, y, change, len(extra), ", ".join(f"{r} {n:,}" for r, n in reasons.items())))
    return pd.DataFrame(rows, columns=cols)


def describe(table: pd.DataFrame) -> list[str]:
    """Lines for the command's output."""

    def fmt(name: str, x: float) -> str:
        if not math.isfinite(x):
            return "none"
        return f"{x:.1%}" if "rate" in name else f"{x:,.0f}"

    out = []
    for r in table.itertuples():
        change = "new" if not math.isfinite(r.change) else f"{r.change:+.0%}"
        out.append(f"{r.figure}: {fmt(r.figure, r.accepted)} on the accepted rows, {fmt(r.figure, r.kept_where_possible)}"
                   f" with the rejected rows kept where possible ({change}; {r.rows_added:,} rejected rows: "
                   f"{r.reasons})")
    return out
