"""Validation of a CRM export: a verdict for every row, and a summary of the reasons.

Nothing is dropped silently. Every data row of the export is either **accepted** (possibly
with notes, e.g. a won deal without a value, which still counts for win rates but not for
the deal-value fit) or **rejected** with one reason and its details. Row numbers are
1-based *data rows* (the header is row 0); ``line`` is the line in the file (the Excel
row for a workbook). The summary table counts each reason; accepted plus rejected rows
always equal the rows in the file.

Rejections, in the order they are checked (a row gets the first that applies):

========================  ==================================================================
``blank_row``             every cell empty
``repeated_header``       the header line again (two exports pasted together)
``wrong_field_count``     more or fewer fields than the header (shifted columns, a broken quote)
``missing_stage``         no stage / status
``deleted``               a deleted deal (Pipedrive status ``deleted``)
``missing_rep``           no rep
``missing_id``            no deal id (when the export has an id column)
``duplicate_id``          the same id as an earlier row (named)
``missing_created``       no created date
``bad_created``           a created date that cannot be read
``bad_closed``            a close date that cannot be read, on a won or lost deal
``missing_closed``        a won or lost deal without a close date
``bad_amount``            text in the amount of a won deal
``negative_amount``       a negative amount on a won deal
``other_currency``        an amount in a currency other than the export's main one
``close_before_create``   closed before it was created
``future_date``           created or closed after the export date (default: today)
``implausible_date``      created more than 20 years before the export date (a placeholder
                          such as 1900-01-01, or a typo in the year)
========================  ==================================================================

Notes on accepted rows: ``won_without_value``, ``amount_ignored`` (unreadable amount on a
lost or open deal), ``rep_not_in_teams``, ``product_not_in_price_list`` (with the nearest
name), ``missing_product``, ``open_close_date_ignored`` (an open deal's expected close date).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from salessim.calibration.presets import Mapping
from salessim.calibration.readers import (
    DateOrder,
    RawTable,
    _cell_text,
    normalise_name,
    parse_amounts,
    parse_date_cells,
    resolve_date_order,
    to_dates,
)
from salessim.calibration.stages import StageMap, map_stages
from salessim.calibration.tables import PriceList, Teams
from salessim.errors import UserError

#: Deals created longer ago than this before the export date are rejected as implausible.
MAX_HISTORY_YEARS = 20

REJECTIONS: dict[str, str] = {
    "blank_row": "blank row",
    "repeated_header": "the header line repeated inside the data",
    "wrong_field_count": "a different number of fields from the header (shifted columns or a broken quote)",
    "missing_stage": "no stage or status",
    "deleted": "a deleted deal",
    "missing_rep": "no rep (owner)",
    "missing_id": "no deal id",
    "duplicate_id": "duplicate deal id (an earlier row has it)",
    "missing_created": "no created date",
    "bad_created": "unreadable created date",
    "bad_closed": "unreadable close date on a won or lost deal",
    "missing_closed": "won or lost deal without a close date",
    "bad_amount": "text in the amount of a won deal",
    "negative_amount": "negative amount on a won deal",
    "other_currency": "amount in a currency other than the export's main one",
    "close_before_create": "closed before it was created",
    "future_date": "a date after the export date",
    "implausible_date": f"created more than {MAX_HISTORY_YEARS} years before the export date",
}
NOTES: dict[str, str] = {
    "won_without_value": "won deal without a value: kept for win rates and cycle times, left out of the deal-value fit",
    "amount_ignored": "unreadable amount on a lost or open deal: kept (its amount is not used)",
    "rep_not_in_teams": "rep not in the teams table: kept, under manager 'unassigned'",
    "product_not_in_price_list": "product not in the price list: kept",
    "missing_product": "no product: kept as product 'unspecified'",
    "open_close_date_ignored": "open deal with a close date (an expected date): the date is ignored",
}


@dataclass
class Validated:
    """The result of validating an export.

    Attributes
    ----------
    deals:
        Accepted deals: ``row, line, id, rep, product, channel, outcome (won/lost/open),
        created, closed (datetime64[D]; NaT when open), value (NaN when unknown)``.
    verdicts:
        One row per data row of the file: ``row, line, verdict, reason, detail, notes``.
    summary:
        One row per reason: ``verdict, reason, meaning, rows, example_rows``, then totals.
    info:
        How the file was read and interpreted (format, encoding, delimiter, mapping,
        date order, decimal mark, stage mapping, export date, ...).
    """

    deals: pd.DataFrame
    verdicts: pd.DataFrame
    summary: pd.DataFrame
    stage_map: StageMap
    info: dict[str, Any] = field(default_factory=dict)

    @property
    def n_rows(self) -> int:
        return len(self.verdicts)

    @property
    def n_accepted(self) -> int:
        return int((self.verdicts["verdict"] == "accepted").sum())

    @property
    def n_rejected(self) -> int:
        return int((self.verdicts["verdict"] == "rejected").sum())

    def summary_text(self) -> str:
        """The summary as a plain-text table (what the CLI prints)."""
        s = self.summary
        w = max(12, int(s["reason"].str.len().max()))
        lines = [f"{'verdict':<10}{'reason':<{w + 2}}{'rows':>8}  example rows (1-based data rows)"]
        for r in s.itertuples():
            lines.append(f"{r.verdict:<10}{r.reason:<{w + 2}}{r.rows:>8,}  {r.example_rows}")
        return "\n".join(lines)


def _txt(v: Any) -> str:
    return _cell_text(v)


def _examples(rows: np.ndarray, k: int = 8) -> str:
    rows = list(rows)
    shown = ", ".join(str(r) for r in rows[:k])
    return shown + (f", ... (+{len(rows) - k})" if len(rows) > k else "")


def validate(raw: RawTable, mapping: Mapping, *, teams: Teams | None = None, prices: PriceList | None = None,
             today: dt.date | None = None, as_of: dt.date | None = None) -> Validated:
    """Give every row of ``raw`` a verdict, and build the accepted deals table.

    Parameters
    ----------
    raw, mapping:
        The file as read, and which column holds which field.
    teams, prices:
        Optional side tables, for the rep and product checks.
    today:
        Dates after this are in the future (default: today's date, or ``as_of``).
    as_of:
        The export date, if known: open deals are observed up to it. Default: the latest
        date in the accepted rows.
    """
    n = raw.n_rows
    width = len(raw.header)
    cols = mapping.columns
    read = mapping.read
    limit = as_of or today or dt.date.today()

    def column(f: str) -> list[Any]:
        i = cols[f]
        return [r[i] if i < len(r) else "" for r in raw.rows]

    reason = np.array([""] * n, dtype=object)
    detail = np.array([""] * n, dtype=object)
    notes: list[list[str]] = [[] for _ in range(n)]

    def reject(mask: np.ndarray, code: str, details=None) -> None:
        sel = mask & (reason == "")
        if not sel.any():
            return
        reason[sel] = code
        if details is not None:
            idx = np.flatnonzero(sel)
            for i in idx:
                detail[i] = details(i)

    # -- structure
    blank = np.array([not any(_txt(c) for c in r) for r in raw.rows], dtype=bool)
    reject(blank, "blank_row")
    head = [normalise_name(h) for h in raw.header]
    rep_head = np.array([[normalise_name(c) for c in r[:width]] == head for r in raw.rows], dtype=bool)
    reject(rep_head, "repeated_header")
    counts = np.array([len(r) - _trailing_empty(r, width) for r in raw.rows])
    wrong = (counts != width) & (raw.format == "csv")
    reject(wrong, "wrong_field_count", lambda i: f"{counts[i]} fields, the header has {width}")

    # -- stage / outcome
    stage_cells = column("stage")
    outcome, stage_map = map_stages(
        [_txt(s) for s in stage_cells], mapping.preset, mapping.stages,
        column("won_flag") if "won_flag" in cols else None,
        column("closed_flag") if "closed_flag" in cols else None)
    outcome = np.where(reason == "", outcome, "")
    reject(outcome == "", "missing_stage")
    reject(outcome == "deleted", "deleted", lambda i: f"stage {_txt(stage_cells[i])!r}")

    reps = np.array([_txt(v) for v in column("rep")], dtype=object)
    reject(reps == "", "missing_rep")

    # -- ids
    if "id" in cols:
        ids = np.array([_txt(v) for v in column("id")], dtype=object)
        reject(ids == "", "missing_id")
        first: dict[str, int] = {}
        dup = np.zeros(n, dtype=bool)
        dup_of = {}
        for i in range(n):
            if reason[i] in ("blank_row", "repeated_header", "wrong_field_count") or not ids[i]:
                continue
            if ids[i] in first:
                dup[i] = True
                dup_of[i] = first[ids[i]]
            else:
                first[ids[i]] = i
        reject(dup, "duplicate_id", lambda i: f"id {ids[i]!r} first in row {raw.row_numbers[dup_of[i]]}")
    else:
        ids = np.array([f"row{r}" for r in raw.row_numbers], dtype=object)

    # -- dates (the day/month order is decided from all date columns together)
    created_cells = column("created")
    closed_src = [f for f in ("closed", "won_time", "lost_time") if f in cols]
    cell_sets = {f: parse_date_cells(column(f)) for f in ["created", *closed_src]}
    valid_rows = reason == ""

    def badness(order: str) -> int:
        o = DateOrder(order, "")
        c, _ = to_dates(cell_sets["created"], o)
        score = 0
        for f in closed_src:
            e, _ = to_dates(cell_sets[f], o)
            both = valid_rows & ~np.isnat(c) & ~np.isnat(e)
            score += int(np.sum(e[both] < c[both]))
        lim = np.datetime64(limit)
        score += int(np.sum(valid_rows & ~np.isnat(c) & (c > lim)))
        return score

    order = resolve_date_order(list(cell_sets.values()), read.get("date_order"), tie_break=badness)
    created, bad_c = to_dates(cell_sets["created"], order)
    closed_any = np.full(n, np.datetime64("NaT"), dtype="datetime64[D]")
    bad_e = np.zeros(n, dtype=bool)
    raw_closed = [""] * n
    for f in closed_src:
        d, b = to_dates(cell_sets[f], order)
        vals = column(f)
        use = np.isnat(closed_any) & ~np.isnat(d)
        if f == "won_time":
            use &= outcome == "won"
        elif f == "lost_time":
            use &= outcome == "lost"
        closed_any[use] = d[use]
        # unreadable close date: only when no other close column gave a date
        b_use = b & (outcome != "open") & (f == "closed" or (f == "won_time") == (outcome == "won"))
        bad_e |= b_use
        for i in np.flatnonzero(b_use):
            raw_closed[i] = _txt(vals[i])
    bad_e &= np.isnat(closed_any)
    is_closed = (outcome == "won") | (outcome == "lost")
    reject(np.array([not _txt(v) for v in created_cells]) & ~bad_c, "missing_created")
    reject(bad_c, "bad_created", lambda i: f"{_txt(created_cells[i])!r}")
    reject(bad_e & is_closed, "bad_closed", lambda i: f"{raw_closed[i]!r}")
    reject(is_closed & np.isnat(closed_any) & ~bad_e, "missing_closed", lambda i: f"{outcome[i]} deal")

    # -- amounts
    if "value" in cols:
        value_cells = column("value")
        amounts = parse_amounts(value_cells, read.get("decimal"))
        values = amounts.values
        bad_v = amounts.bad
        decimal_info = amounts.evidence
    else:
        value_cells = [""] * n
        values = np.full(n, np.nan)
        bad_v = np.zeros(n, dtype=bool)
        decimal_info = "no amount column"
    won = outcome == "won"
    reject(bad_v & won, "bad_amount", lambda i: f"{_txt(value_cells[i])!r}")
    reject(won & (values < 0), "negative_amount", lambda i: f"{values[i]:g}")
    currency_main = None
    if "currency" in cols:
        cur = np.array([_txt(v).upper() for v in column("currency")], dtype=object)
        present = cur[(reason == "") & (cur != "")]
        if present.size:
            u, c = np.unique(present.astype(str), return_counts=True)
            currency_main = str(u[np.argmax(c)])
            reject((cur != "") & (cur != currency_main), "other_currency",
                   lambda i: f"{cur[i]} (main currency {currency_main})")

    # -- date consistency
    has_both = is_closed & ~np.isnat(created) & ~np.isnat(closed_any)
    before = np.zeros(n, dtype=bool)
    before[has_both] = closed_any[has_both] < created[has_both]
    reject(before, "close_before_create", lambda i: f"created {created[i]}, closed {closed_any[i]}")
    lim = np.datetime64(limit)
    fut = (~np.isnat(created) & (created > lim)) | (is_closed & ~np.isnat(closed_any) & (closed_any > lim))
    reject(fut, "future_date", lambda i: f"created {created[i]}" + (f", closed {closed_any[i]}" if is_closed[i] else "")
           + f" (export date {limit})")
    oldest = lim - np.timedelta64(int(MAX_HISTORY_YEARS * 365.25), "D")
    reject(~np.isnat(created) & (created < oldest), "implausible_date",
           lambda i: f"created {created[i]} (export date {limit})")

    accepted = reason == ""
    # -- notes on accepted rows
    for i in np.flatnonzero(accepted & won & (np.isnan(values) | (values == 0)) & ~bad_v):
        notes[i].append("won_without_value")
    for i in np.flatnonzero(accepted & bad_v & ~won):
        notes[i].append("amount_ignored")
    open_with_date = accepted & (outcome == "open") & ~np.isnat(closed_any)
    for i in np.flatnonzero(open_with_date):
        notes[i].append("open_close_date_ignored")
    if "product" in cols:
        products = np.array([_txt(v) for v in column("product")], dtype=object)
    else:
        products = np.array(["all"] * n, dtype=object)
    for i in np.flatnonzero(accepted & (products == "")):
        notes[i].append("missing_product")
    products[products == ""] = "unspecified"
    suggestions: dict[str, str | None] = {}
    if prices is not None:
        for p in set(products[accepted]):
            if p not in prices.price:
                suggestions[p] = prices.suggest(p)
        for i in np.flatnonzero(accepted):
            if products[i] in suggestions:
                notes[i].append("product_not_in_price_list")
    missing_reps: set[str] = set()
    if teams is not None:
        for i in np.flatnonzero(accepted):
            if reps[i] not in teams.manager:
                notes[i].append("rep_not_in_teams")
                missing_reps.add(reps[i])
    channels = (np.array([_txt(v) or "unknown" for v in column("channel")], dtype=object)
                if "channel" in cols else np.array(["all"] * n, dtype=object))

    # -- verdict table
    verdicts = pd.DataFrame({
        "row": raw.row_numbers,
        "line": raw.lines,
        "verdict": np.where(accepted, "accepted", "rejected"),
        "reason": reason,
        "detail": detail,
        "notes": [",".join(x) for x in notes],
    })
    for i, nt in enumerate(notes):
        if "product_not_in_price_list" in nt and accepted[i]:
            s = suggestions.get(products[i])
            verdicts.at[i, "detail"] = f"product {products[i]!r}" + (f" (nearest in the price list: {s!r})" if s else "")
    acc = np.flatnonzero(accepted)
    values_out = values.copy()
    values_out[bad_v] = np.nan
    deals = pd.DataFrame({
        "row": np.asarray(raw.row_numbers)[acc],
        "line": np.asarray(raw.lines)[acc],
        "id": ids[acc],
        "rep": reps[acc],
        "product": products[acc],
        "channel": channels[acc],
        "outcome": outcome[acc].astype(str),
        "created": created[acc],
        "closed": np.where(is_closed[acc], closed_any[acc], np.datetime64("NaT")).astype("datetime64[D]"),
        "value": np.where(won[acc], values_out[acc], np.nan),
    })
    for c in ("id", "rep", "product", "channel", "outcome"):
        deals[c] = deals[c].astype(object)
    summary = _summary(verdicts, suggestions)
    if deals.empty:
        first = summary[summary["verdict"] == "rejected"].head(3)
        why = "; ".join(f"{r.reason} ({r.rows:,})" for r in first.itertuples())
        raise UserError(f"no usable rows: all {n:,} rows were rejected ({why})", source=raw.source)
    observed = [deals["created"].max()]
    if deals["closed"].notna().any():
        observed.append(deals["closed"].max())
    export_date = as_of or pd.Timestamp(max(observed)).date()
    info = {
        "file": raw.source,
        "read": raw.describe(),
        "read_notes": list(raw.notes),
        "mapping": mapping.describe(),
        "ignored_columns": mapping.ignored,
        "date_order": order.order,
        "date_order_reason": order.reason,
        "decimal": decimal_info,
        "currency": currency_main,
        "today": str(limit),
        "export_date": str(export_date),
        "export_date_source": "given (--as-of)" if as_of else "the latest date in the accepted rows",
        "reps_missing_from_teams": sorted(missing_reps),
        "products_missing_from_price_list": {k: v for k, v in sorted(suggestions.items())},
        "stage_flag_overrides": int(stage_map.table.attrs.get("flag_overrides", 0)),
    }
    return Validated(deals, verdicts, summary, stage_map, info)


def _trailing_empty(r: list, width: int) -> int:
    """Empty cells past the header's width (a trailing delimiter): not extra fields."""
    k = 0
    for c in reversed(r[width:]):
        if _txt(c):
            break
        k += 1
    return k


def _summary(verdicts: pd.DataFrame, suggestions: dict[str, str | None]) -> pd.DataFrame:
    rows = []
    rej = verdicts[verdicts["verdict"] == "rejected"]
    for code, meaning in REJECTIONS.items():
        sel = rej[rej["reason"] == code]
        if len(sel):
            rows.append(("rejected", code, meaning, len(sel), _examples(sel["row"].to_numpy())))
    acc = verdicts[verdicts["verdict"] == "accepted"]
    clean = acc[acc["notes"] == ""]
    for code, meaning in NOTES.items():
        sel = acc[acc["notes"].str.contains(code, regex=False)]
        if len(sel):
            if code == "product_not_in_price_list" and suggestions:
                meaning += " (" + "; ".join(f"{p!r}" + (f" ~ {s!r}?" if s else "") for p, s in suggestions.items()) + ")"
            rows.append(("note", code, meaning, len(sel), _examples(sel["row"].to_numpy())))
    rows.append(("accepted", "ok", "accepted without notes", len(clean), ""))
    rows.append(("accepted", "with_notes", "accepted with notes (counted above by note)", len(acc) - len(clean), ""))
    rows.append(("total", "accepted", "rows accepted", len(acc), ""))
    rows.append(("total", "rejected", "rows rejected", len(rej), ""))
    rows.append(("total", "rows", "data rows in the file (= accepted + rejected)", len(verdicts), ""))
    return pd.DataFrame(rows, columns=["verdict", "reason", "meaning", "rows", "example_rows"])
