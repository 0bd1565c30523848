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
``superseded``            one deal's earlier stage, when its id repeats with the same created date and
                          another stage (a stage-history export): its final state (the closed row, else
                          the last) is kept, the others are rejected naming it
``missing_created``       no created date
``bad_created``           a created date that cannot be read
``bad_closed``            a close date that cannot be read, on a won or lost deal
``missing_closed``        a won or lost deal without a close date
``other_currency``        an amount in a currency other than the export's main one
``close_before_create``   closed before it was created
``implausible_date``      created more than 20 years before the export date (a placeholder
                          such as 1900-01-01, or a typo in the year)
``future_date``           created or closed after the export date (``--as-of``; default:
                          today)
``date_outlier``          a date separated from the bulk of the history by a long empty gap
                          (test rows or typos months or years after, or before, everything
                          else); the export date is inferred from the bulk
========================  ==================================================================

Notes on accepted rows: ``won_without_value``, ``bad_amount`` and ``negative_amount`` (a won
deal whose amount is text or negative: it still counts for win rates and cycle times, as a
won deal without a value does, and is left out of the deal-value fit; rejecting it would
remove won deals only and bend the win rate), ``amount_ignored`` (unreadable amount on a
lost or open deal), ``open_without_created`` (an open deal without a created date, as
early-stage deals often are: kept as open pipeline of unknown age), ``rep_matched`` (a rep
written differently from the teams table: "Cantrell, Donn" or "donn.cantrell@example.com" for
"Donn Cantrell", read as the table's name), ``rep_not_in_teams``,
``product_not_in_price_list`` (with the nearest name), ``product_merged`` (a spelling of a
price-list product, or of another product of the export, that differs only in case, spaces
or punctuation: read as that product), ``missing_product``, ``open_close_date_ignored`` (an
open deal's expected close date).
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
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
    "superseded": "an earlier state of a deal listed again at a later stage (a stage-history export): the deal's "
                  "final state is kept",
    "missing_created": "no created date",
    "bad_created": "unreadable created date",
    "bad_closed": "unreadable close date on a won or lost deal",
    "missing_closed": "won or lost deal without a close date",
    "other_currency": "amount in a currency other than the export's main one",
    "close_before_create": "closed before it was created",
    "implausible_date": f"created more than {MAX_HISTORY_YEARS} years before the export date",
    "future_date": "a date after the export date",
    "date_outlier": "a date far from the rest of the history, across a long empty gap (test rows or typos)",
}
NOTES: dict[str, str] = {
    "won_without_value": "won deal without a value: kept for win rates and cycle times, left out of the deal-value fit",
    "bad_amount": "text in the amount of a won deal: kept for win rates and cycle times, left out of the deal-value "
                  "fit",
    "negative_amount": "negative amount on a won deal: kept for win rates and cycle times, left out of the deal-value "
                       "fit",
    "open_without_created": "open deal without a created date (an early stage): kept as open pipeline of unknown "
                            "age, left out of arrival rates and times to close",
    "product_merged": "product spelled differently from the price list or the export's other rows (case, spaces, "
                      "punctuation): read as that product",
    "amount_ignored": "unreadable amount on a lost or open deal: kept (its amount is not used)",
    "rep_matched": "rep written differently from the teams table (order of the names, case, an e-mail address): "
                   "read as the teams table's name",
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
    #: every data row (accepted or not): reason ('' = accepted), outcome, created, closed, value; for the
    #: bias check (figures with the rejected rows left out versus kept where possible)
    all_rows: pd.DataFrame | None = None

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


#: Rows whose dates lie across an empty gap at least this long from the rest are stray ...
STRAY_GAP_DAYS = 120
#: ... when they are this small a share of the rows (or at most STRAY_MIN_ROWS rows).
STRAY_SHARE = 0.02
STRAY_MIN_ROWS = 3


def validate(raw: RawTable, mapping: Mapping, *, teams: Teams | None = None, prices: PriceList | None = None,
             today: dt.date | None = None, as_of: dt.date | None = None, merge_products: bool = True) -> Validated:
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
        date in the accepted rows (after rows across a long empty gap are rejected).
    merge_products:
        Read a product spelled like a price-list product (or like another product of the
        export) but for case, spaces or punctuation as that product (with a note).
    """
    n = raw.n_rows
    width = len(raw.header)
    cols = mapping.columns
    read = mapping.read
    limit = as_of or today or dt.date.today()

    def raw_column(f: str) -> list[Any]:
        i = cols[f]
        return [r[i] if i < len(r) else "" for r in raw.rows]

    # a report grouped by stage or rep writes the group's value once, on its first row (a merged cell) or on a
    # header row above it: carried down to the rows of the group
    grouped: dict[str, list[Any]] = {}
    grouped_said: list[str] = []
    if "created" in cols:
        dated = [bool(_txt(c)) for c in raw_column("created")]
        for f in ("stage", "rep", "product", "channel"):
            if f in cols:
                got = _fill_groups(raw_column(f), dated)
                if got is not None:
                    grouped[f], k, g = got
                    grouped_said.append(f"the {f} column {raw.header[cols[f]]!r} names each of its {g:,} group(s) "
                                        f"once (a grouped report): its value was carried down to the {k:,} row(s) "
                                        "below it")

    def column(f: str) -> list[Any]:
        return grouped[f] if f in grouped else raw_column(f)

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
    first_head = head[0] if head else ""
    rep_head = np.array([bool(r) and normalise_name(r[0]) == first_head
                         and [normalise_name(c) for c in r[:width]] == head for r in raw.rows], dtype=bool)
    reject(rep_head, "repeated_header")
    counts = np.array([len(r) - _trailing_empty(r, width) for r in raw.rows])
    wrong = (counts != width) & (raw.format == "csv")
    reject(wrong, "wrong_field_count", lambda i: f"{counts[i]} fields, the header has {width}")

    # -- stage / outcome (a status empty while a deal is open is read from the pipeline stage beside it)
    stage_cells = column("stage")
    if "pipeline_stage" in cols:
        stage_cells = [s if _txt(s) else p for s, p in zip(stage_cells, column("pipeline_stage"))]
    outcome, stage_map = map_stages(
        [_txt(s) for s in stage_cells], mapping.preset, mapping.stages,
        column("won_flag") if "won_flag" in cols else None,
        column("closed_flag") if "closed_flag" in cols else None,
        column("lost_reason") if "lost_reason" in cols else None)
    outcome = np.where(reason == "", outcome, "")
    reject(outcome == "", "missing_stage")
    reject(outcome == "deleted", "deleted", lambda i: f"stage {_txt(stage_cells[i])!r}")

    reps = np.array([_txt(v) for v in column("rep")], dtype=object)
    reject(reps == "", "missing_rep")

    # -- ids
    if "id" in cols:
        ids = np.array([_txt(v) for v in column("id")], dtype=object)
        reject(ids == "", "missing_id")
        groups: dict[str, list[int]] = {}
        for i in range(n):
            if reason[i] in ("blank_row", "repeated_header", "wrong_field_count") or not ids[i]:
                continue
            groups.setdefault(ids[i], []).append(i)
        dup = np.zeros(n, dtype=bool)
        dup_of = {}
        superseded = np.zeros(n, dtype=bool)
        final_of = {}
        created_txt = [_txt(v) for v in column("created")]
        for rows_ in groups.values():
            if len(rows_) == 1:
                continue
            if len({created_txt[i] for i in rows_}) == 1 and len({_txt(stage_cells[i]) for i in rows_}) > 1:
                # one deal at several stages, created once (a stage-history export): its final state is the deal,
                # the last closed row if it closed, else its last row
                closed_rows = [i for i in rows_ if outcome[i] in ("won", "lost")]
                keep = closed_rows[-1] if closed_rows else rows_[-1]
                for i in rows_:
                    if i != keep:
                        superseded[i], final_of[i] = True, keep
            else:
                for i in rows_[1:]:
                    dup[i], dup_of[i] = True, rows_[0]
        reject(dup, "duplicate_id", lambda i: f"id {ids[i]!r} first in row {raw.row_numbers[dup_of[i]]}")
        reject(superseded, "superseded", lambda i: f"id {ids[i]!r} at stage {_txt(stage_cells[i])!r}; its final "
               f"state is row {raw.row_numbers[final_of[i]]} ({_txt(stage_cells[final_of[i]])!r})")
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
    no_created = np.array([not _txt(v) for v in created_cells]) & ~bad_c
    # an open deal without a created date (an early stage, e.g. 'Prospecting' before a first engagement) is
    # open pipeline of unknown age: kept, with a note, never dropped
    open_undated = no_created & (outcome == "open") & (reason == "")
    reject(no_created & ~open_undated, "missing_created")
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
    neg_v = won & ~bad_v & (values < 0)
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
    oldest = lim - np.timedelta64(int(MAX_HISTORY_YEARS * 365.25), "D")
    reject(~np.isnat(created) & (created < oldest), "implausible_date",
           lambda i: f"created {created[i]}: a placeholder or a typo in the year (export date {limit})")
    fut = (~np.isnat(created) & (created > lim)) | (is_closed & ~np.isnat(closed_any) & (closed_any > lim))
    what_limit = "the export date" if as_of else "today"
    reject(fut, "future_date", lambda i: f"created {created[i]}" + (f", closed {closed_any[i]}" if is_closed[i] else "")
           + f": after {what_limit} ({limit})")
    stray, stray_detail, stray_said = _stray_rows(created, np.where(is_closed, closed_any, np.datetime64("NaT")), reason == "")
    reject(stray, "date_outlier", lambda i: stray_detail[i])

    accepted = reason == ""
    # -- notes on accepted rows
    for i in np.flatnonzero(accepted & won & (np.isnan(values) | (values == 0)) & ~bad_v):
        notes[i].append("won_without_value")
    for i in np.flatnonzero(accepted & won & bad_v):
        notes[i].append("bad_amount")
        detail[i] = f"amount {_txt(value_cells[i])!r}"
    for i in np.flatnonzero(accepted & neg_v):
        notes[i].append("negative_amount")
        detail[i] = f"amount {values[i]:g}"
    for i in np.flatnonzero(accepted & open_undated):
        notes[i].append("open_without_created")
        detail[i] = f"stage {_txt(stage_cells[i])!r}"
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
    merged: dict[str, str] = {}
    if merge_products:
        merged = _product_spellings(products[accepted], prices)
        for i in np.flatnonzero(accepted):
            if products[i] in merged:
                notes[i].append("product_merged")
                detail[i] = (detail[i] + "; " if detail[i] else "") + \
                    f"product {products[i]!r} read as {merged[products[i]]!r}"
                products[i] = merged[products[i]]
    if prices is not None:
        for p in set(products[accepted]):
            if p not in prices.price:
                suggestions[p] = prices.suggest(p)
        for i in np.flatnonzero(accepted):
            if products[i] in suggestions:
                notes[i].append("product_not_in_price_list")
    missing_reps: set[str] = set()
    reps_matched: dict[str, str] = {}
    if teams is not None:
        reps_matched = _rep_spellings(set(reps[accepted]), teams)
        for i in np.flatnonzero(accepted):
            if reps[i] in reps_matched:
                notes[i].append("rep_matched")
                reps[i] = reps_matched[reps[i]]
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
    values_out[bad_v | neg_v] = np.nan
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
    observed = [x for x in (deals["created"].max(), deals["closed"].max()) if not pd.isna(x)]
    export_date = as_of or pd.Timestamp(max(observed)).date()
    date_notes = _date_notes(deals, export_date, as_of, int(stray.sum()), stray_said)
    date_notes[:0] = grouped_said
    n_rej = int((reason != "").sum())
    if n_rej > n / 2:
        codes, counts = np.unique(reason[reason != ""].astype(str), return_counts=True)
        top = str(codes[np.argmax(counts)])
        date_notes.insert(0, f"{n_rej:,} of the {n:,} rows were rejected, {int(counts.max()):,} of them as {top} "
                             f"({REJECTIONS[top]}): check the columns and the examples below before using the fit")
    n_superseded = int((reason == "superseded").sum())
    if n_superseded:
        date_notes.append(f"{n_superseded:,} row(s) are earlier stages of deals listed again (a stage-history export: "
                          "a row per stage); each deal's final state is used (superseded)")
    if reps_matched:
        shown = sorted(reps_matched.items())
        date_notes.append(f"{len(shown)} rep name(s) written differently from the teams table were read as its names: "
                          + "; ".join(f"{a!r} as {b!r}" for a, b in shown[:3]) + ("; ..." if len(shown) > 3 else ""))
    if merged:
        date_notes.append("products spelled alike were read as one: " + "; ".join(
            f"{a!r} as {b!r}" for a, b in sorted(merged.items())) + " (--no-merge-products keeps them apart)")
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
        "date_notes": date_notes,
        "value_column": mapping.names.get("value"),
        "stage_column": mapping.names.get("stage"),
        "products_merged": dict(sorted(merged.items())),
        "open_without_created": int((accepted & open_undated).sum()),
        "reps_missing_from_teams": sorted(missing_reps),
        "reps_matched_to_teams": dict(sorted(reps_matched.items())),
        "products_missing_from_price_list": {k: v for k, v in sorted(suggestions.items())},
        "stage_flag_overrides": int(stage_map.table.attrs.get("flag_overrides", 0)),
        "lost_by_reason": int(stage_map.table.attrs.get("lost_by_reason", 0)),
    }
    everything = pd.DataFrame({
        "reason": reason.astype(str), "outcome": np.asarray(outcome, dtype=object).astype(str),
        "created": created, "closed": np.where(is_closed, closed_any, np.datetime64("NaT")).astype("datetime64[D]"),
        "value": np.where(won & ~bad_v & ~neg_v, values, np.nan)})
    return Validated(deals, verdicts, summary, stage_map, info, everything)


def _stray_rows(created: np.ndarray, closed: np.ndarray, candidate: np.ndarray
                ) -> tuple[np.ndarray, dict[int, str], list[str]]:
    """Rows with a date across a long empty gap from the bulk of the history.

    All dates of the candidate rows (created, and closed for closed deals) are sorted and cut where
    ``STRAY_GAP_DAYS`` or more pass without any; a segment at either end that holds few rows
    (``STRAY_SHARE`` of them, at least ``STRAY_MIN_ROWS``) is stray, repeatedly, from the outside in.
    """
    n = len(created)
    stray = np.zeros(n, dtype=bool)
    detail: dict[int, str] = {}
    said: list[str] = []
    rows_c = np.flatnonzero(candidate & ~np.isnat(created))
    rows_e = np.flatnonzero(candidate & ~np.isnat(closed))
    d = np.concatenate([created[rows_c], closed[rows_e]]).astype("datetime64[D]")
    if len(d) < 2:
        return stray, detail, said
    owner = np.concatenate([rows_c, rows_e])
    kind = np.array(["created"] * len(rows_c) + ["closed"] * len(rows_e), dtype=object)
    order = np.argsort(d, kind="stable")
    d, owner, kind = d[order], owner[order], kind[order]
    gaps = np.diff(d).astype(int)
    cuts = np.flatnonzero(gaps >= STRAY_GAP_DAYS) + 1
    if not len(cuts):
        return stray, detail, said
    bounds = [0, *cuts.tolist(), len(d)]
    segs = [(bounds[k], bounds[k + 1]) for k in range(len(bounds) - 1)]
    n_rows = int(candidate.sum())
    small = max(STRAY_MIN_ROWS, int(STRAY_SHARE * n_rows))
    lo, hi = 0, len(segs) - 1

    def rows_of(seg):
        return set(owner[seg[0]:seg[1]].tolist())

    def months(days: int) -> str:
        m = days / 30.44
        return f"{days} days" if m < 2 else (f"{m:.0f} months" if m < 24 else f"{m / 12:.1f} years")

    while lo < hi and len(rows_of(segs[lo])) <= small:
        a, b = segs[lo]
        start = d[segs[lo + 1][0]]
        said.append(f"{len(rows_of(segs[lo]))} row(s) dated {d[a]}..{d[b - 1]}, "
                    f"{months(int((start - d[b - 1]).astype(int)))} before the rest of the history (which starts "
                    f"{start})")
        for k in range(a, b):
            i = int(owner[k])
            if not stray[i]:
                stray[i] = True
                detail[i] = (f"{kind[k]} {d[k]}: {months(int((start - d[k]).astype(int)))} before the rest of the "
                             f"history (which starts {start})")
        lo += 1
    while hi > lo and len(rows_of(segs[hi])) - int(stray[list(rows_of(segs[hi]))].sum()) <= small:
        a, b = segs[hi]
        end = d[segs[hi - 1][1] - 1]
        said.append(f"{len(rows_of(segs[hi]) - set(np.flatnonzero(stray).tolist()))} row(s) dated {d[a]}..{d[b - 1]}, "
                    f"{months(int((d[a] - end).astype(int)))} after the rest of the history (which ends {end})")
        for k in range(a, b):
            i = int(owner[k])
            if not stray[i]:
                stray[i] = True
                detail[i] = (f"{kind[k]} {d[k]}: {months(int((d[k] - end).astype(int)))} after the rest of the "
                             f"history (which ends {end})")
        hi -= 1
    return stray, detail, said


def _date_notes(deals: pd.DataFrame, export_date: dt.date, as_of: dt.date | None, n_stray: int,
                stray_said: list[str] | None = None) -> list[str]:
    """The history's shape in plain words: stray rows, empty months in the middle, empty months at the end."""
    out = []
    if n_stray:
        out.append(f"{n_stray:,} row(s) dated across a long empty gap from the rest of the history were rejected "
                   f"(date_outlier: {'; '.join(stray_said or [])}); the export date is "
                   + (f"{export_date} (given)" if as_of else f"taken from the rest: {export_date}"))
    created = deals["created"].dropna()
    if created.empty:
        return out
    months = pd.period_range(created.min(), pd.Timestamp(export_date), freq="M")
    counts = created.dt.to_period("M").value_counts().reindex(months, fill_value=0)
    empty = (counts == 0).to_numpy()
    last_new = created.max().date()
    # runs of empty months strictly inside the history
    k = 0
    inner = []
    while k < len(empty):
        if empty[k]:
            j = k
            while j < len(empty) and empty[j]:
                j += 1
            if k > 0 and j < len(empty) and j - k >= 2:
                inner.append((months[k], months[j - 1], j - k))
            k = j
        else:
            k += 1
    for a, b, m in inner:
        out.append(f"no new deals in {a}..{b} ({m} months in the middle of the history): those months count as "
                   "empty, and are left out of the scores")
    tail = 0
    while tail < len(empty) and empty[len(empty) - 1 - tail]:
        tail += 1
    if tail >= 1 and (export_date - last_new).days > 31:
        out.append(f"no new deals after {last_new}: the last {tail} month(s) before the export date {export_date} "
                   "have none" + ("" if as_of else "") + "; the next period's rates come from the last months "
                   "with new deals")
    return out


#: a group's subtotal or total row, never a group's value
_TOTAL = re.compile(r"\b(sub)?totals?\b|\bsumm?e\b|\bgesamt|итого|всего|\btotal(es)?\b", re.IGNORECASE)


def _fill_groups(cells: list[Any], dated: list[bool]) -> tuple[list[Any], int, int] | None:
    """A column of a grouped report with its group values carried down, how many cells were filled and how many
    groups; None when the column is not grouped. Grouped: most dated rows have it empty; a value is written once
    per group, on the group's first row or on a header row above it, so no two adjacent dated rows both have one;
    and a value comes back only in a few groups (a report grouped by stage, then by rep). A subtotal or total row
    ends a group."""
    txt = [_txt(c) for c in cells]
    filled = [t for t, d in zip(txt, dated) if d and t]
    n_dated = sum(dated)
    if n_dated < 10 or len(filled) > n_dated / 2:
        return None
    if any(dated[i] and dated[i + 1] and txt[i] and txt[i + 1] for i in range(len(txt) - 1)):
        return None   # values on adjacent rows: a column with gaps, not groups
    sources = [t for t in txt if t and not _TOTAL.search(t)]
    if not sources or len(sources) > 10 * len(set(sources)):
        return None
    out, cur, k = list(cells), "", 0
    for i, t in enumerate(txt):
        if t:
            cur = "" if _TOTAL.search(t) else t
        elif dated[i] and cur:
            out[i], k = cur, k + 1
    return (out, k, len(sources)) if k > n_dated / 2 else None


def _person_key(name: str) -> str:
    """A person's name with the order of its parts, case, accents and an e-mail domain left out: "Cantrell, Donn",
    "donn.cantrell@example.com" and "Donn Cantrell" give the same key."""
    s = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode() or name
    s = s.lower().split("@")[0] if "@" in s else s.lower()
    parts = [p for p in re.split(r"[\s,._\-]+", s) if p]
    return " ".join(sorted(parts)) if len(parts) >= 2 else ""


def _rep_spellings(reps: set[str], teams: Teams) -> dict[str, str]:
    """Reps of the export not in the teams table whose name is a teams table name written another way ("Last,
    First", an e-mail address, other case): read as the teams table's name (only when one name fits)."""
    keys: dict[str, list[str]] = {}
    for r in teams.manager:
        k = _person_key(r)
        if k:
            keys.setdefault(k, []).append(r)
    out = {}
    for r in reps:
        if r in teams.manager:
            continue
        hit = keys.get(_person_key(r), [])
        if len(hit) == 1:
            out[r] = hit[0]
    return out


def _product_spellings(products: np.ndarray, prices: PriceList | None) -> dict[str, str]:
    """Spellings to read as another product: a name equal to a price-list product but for case, spaces and
    punctuation ("GTXPro" and "GTX Pro"), or, without one, to a more frequent spelling in the export itself."""
    def squash(x: str) -> str:
        return re.sub(r"[\W_]+", "", x.lower())

    names, counts = np.unique(products.astype(str), return_counts=True)
    freq = dict(zip(names.tolist(), counts.tolist()))
    out: dict[str, str] = {}
    listed: dict[str, list[str]] = {}
    if prices is not None:
        for p in prices.price:
            listed.setdefault(squash(p), []).append(p)
    groups: dict[str, list[str]] = {}
    for nm in freq:
        groups.setdefault(squash(nm), []).append(nm)
    for key, spellings in groups.items():
        if not key:
            continue
        target = None
        if len(listed.get(key, [])) == 1:
            target = listed[key][0]
        elif prices is None or key not in listed:
            if len(spellings) > 1:
                target = max(spellings, key=lambda x: (freq[x], x))
        if target is None:
            continue
        for nm in spellings:
            if nm != target and (prices is None or nm not in prices.price):
                out[nm] = target
    return out


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
