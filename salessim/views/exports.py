"""Writing tables to CSV and Excel so that no cell can run as a spreadsheet formula.

A text cell that begins with ``=``, ``+``, ``-`` or ``@`` is read by Excel, LibreOffice and
Google Sheets as a formula (``=HYPERLINK(...)`` can send data away, ``=cmd|...`` could run
a program through DDE in old Excel). Scenario files, CRM exports and scheme files are user
input, and their names (products, reps, lead sources, columns of an export) end up in the
tables salessim writes. Every CSV and XLSX file the package writes therefore goes through
this module, the one place where cells are *neutralised* (OWASP "CSV Injection"; ASVS 5.0
requirement 1.2.10; CWE-1236):

* a **text** cell (or column header, or index label) whose first character is one of
  :data:`TRIGGERS` (``=``, ``+``, ``-``, ``@``, tab, carriage return, line feed, NUL, and
  the full-width forms ``＝ ＋ － ＠`` that some Excel locales also accept) gets a single
  quote ``'`` in front: ``=SUM(A1)`` is written as ``'=SUM(A1)``. A spreadsheet shows it as
  text and never evaluates it. The quote is visible, so the change is never silent;
  :func:`restore` takes it off again when salessim reads its own files;
* **numbers stay numbers**: a negative profit is written as ``-1234.5`` in CSV and as a
  numeric cell in XLSX (only ``str`` values are ever touched, never ints, floats, dates or
  booleans);
* CSV fields are quoted as RFC 4180 requires (a comma, quote or line break inside a field).

In XLSX the neutralised text is written as a plain string cell (openpyxl types a string
that begins with ``=`` as a formula; none reaches it).

Use :func:`to_csv` and :func:`to_excel` instead of ``DataFrame.to_csv`` /
``DataFrame.to_excel``; a test (``tests/unit/test_safe_export.py``) fails if any module of the
package calls those directly.
"""

from __future__ import annotations

import io
import re
from pathlib import Path
from typing import IO, Any, Iterable, Mapping

import numpy as np
import pandas as pd
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from salessim.errors import UserError

#: First characters that make a spreadsheet read a text cell as a formula (or as part of one).
TRIGGERS = ("=", "+", "-", "@", "\t", "\r", "\n", "\0", "\uff1d", "\uff0b", "\uff0d", "\uff20")
#: What is put in front of a dangerous text cell.
PREFIX = "'"

_SHEET_BAD = re.compile(r"[\[\]:*?/\\]")


def is_dangerous(text: str) -> bool:
    """Whether ``text`` would be read as a formula by a spreadsheet (it starts with a trigger)."""
    return bool(text) and text[0] in TRIGGERS


def neutralise(value: Any) -> Any:
    """``value`` made safe for a spreadsheet cell: dangerous text gets a leading ``'``; anything else is unchanged."""
    if isinstance(value, str) and is_dangerous(value):
        return PREFIX + value
    return value


def restore(value: Any) -> Any:
    """Undo :func:`neutralise` (for reading back a file salessim wrote)."""
    if isinstance(value, str) and len(value) > 1 and value[0] == PREFIX and value[1] in TRIGGERS:
        return value[1:]
    return value


def _is_text_column(s: pd.Series) -> bool:
    return (s.dtype == object or isinstance(s.dtype, pd.StringDtype) or pd.api.types.is_string_dtype(s.dtype)
            or isinstance(s.dtype, pd.CategoricalDtype))


def _safe_labels(index: pd.Index) -> pd.Index:
    if isinstance(index, pd.MultiIndex):
        return pd.MultiIndex.from_tuples([tuple(neutralise(v) for v in t) for t in index], names=index.names)
    if _is_text_column(pd.Series(index, dtype=index.dtype)):
        return pd.Index([neutralise(v) for v in index], name=neutralise(index.name), dtype=object)
    return index


def neutralise_frame(df: pd.DataFrame) -> pd.DataFrame:
    """A copy of ``df`` with every dangerous text cell, column header and index label neutralised.

    Numeric, date and boolean columns are returned as they are; in a column of mixed values
    (object dtype) only the ``str`` values are touched.
    """
    out = df.copy()
    for i, col in enumerate(out.columns):
        s = out.iloc[:, i]
        if isinstance(s.dtype, pd.CategoricalDtype):
            out.isetitem(i, s.cat.rename_categories([neutralise(c) for c in s.cat.categories]))
        elif _is_text_column(s):
            if s.map(lambda v: isinstance(v, str) and is_dangerous(v)).any():
                out.isetitem(i, s.map(neutralise).astype(s.dtype if s.dtype != object else object))
    out.columns = _safe_labels(out.columns)
    out.index = _safe_labels(out.index)
    return out


def to_csv(df: pd.DataFrame, path_or_buf: str | Path | IO[str] | None = None, *, index: bool = False,
           **kwargs: Any) -> str | None:
    """Write ``df`` as CSV with formula triggers neutralised (see the module docs).

    Keyword arguments go to :meth:`pandas.DataFrame.to_csv` (``sep``, ``encoding``, ...).
    With ``path_or_buf=None`` the CSV text is returned.
    """
    safe = neutralise_frame(df)
    try:
        return safe.to_csv(path_or_buf, index=index, **kwargs)
    except OSError as e:
        raise UserError(f"cannot write the CSV file ({e.strerror or e})", source=str(path_or_buf)) from None


def sheet_name(name: str, taken: Iterable[str] = ()) -> str:
    """A valid, unique Excel sheet name for ``name`` (at most 31 characters, none of ``[]:*?/\\``)."""
    base = _SHEET_BAD.sub("_", str(name)).strip("'") or "sheet"
    base = base[:31]
    taken_lower = {t.lower() for t in taken}
    cand, k = base, 2
    while cand.lower() in taken_lower:
        suffix = f"_{k}"
        cand = base[: 31 - len(suffix)] + suffix
        k += 1
    return cand


def to_excel(tables: pd.DataFrame | Mapping[str, pd.DataFrame], path: str | Path | IO[bytes], *,
             index: bool = False, notes: Mapping[str, str] | None = None) -> Path | IO[bytes]:
    """Write one table, or several (one sheet each, in order), to an XLSX workbook, neutralised.

    ``tables`` maps sheet names to DataFrames (names are made valid and unique with
    :func:`sheet_name`). ``notes`` optionally puts a line of text above a sheet's table (for
    example its units); notes are neutralised too. Headers are bold and frozen, and columns
    sized to their contents.
    """
    if isinstance(tables, pd.DataFrame):
        tables = {"table": tables}
    notes = dict(notes or {})
    target = path if not isinstance(path, (str, Path)) else Path(path)
    try:
        with pd.ExcelWriter(target, engine="openpyxl") as xw:
            used: list[str] = []
            for name, df in tables.items():
                sheet = sheet_name(name, used)
                used.append(sheet)
                note = notes.get(name)
                start = 2 if note else 0
                safe = neutralise_frame(df)
                safe.to_excel(xw, sheet_name=sheet, index=index, startrow=start)  # safe-export: neutralised above
                ws = xw.sheets[sheet]
                if note:
                    cell = ws.cell(row=1, column=1, value=neutralise(str(note)))
                    cell.data_type = "s"
                    cell.font = Font(italic=True)
                header_row = start + 1
                for cell in ws[header_row]:
                    cell.font = Font(bold=True)
                ws.freeze_panes = ws.cell(row=header_row + 1, column=1)
                _size_columns(ws, safe, index)
    except OSError as e:
        raise UserError(f"cannot write the Excel file ({e.strerror or e})", source=str(path)) from None
    return target


def _size_columns(ws, df: pd.DataFrame, index: bool) -> None:
    cols = ([pd.Series(df.index.astype(str))] if index else []) + [df.iloc[:, i] for i in range(df.shape[1])]
    names = ([str(df.index.name or "")] if index else []) + [str(c) for c in df.columns]
    for j, (name, s) in enumerate(zip(names, cols), start=1):
        sample = s.head(200)
        width = max([len(name)] + [len(_cell_text(v)) for v in sample])
        ws.column_dimensions[get_column_letter(j)].width = min(60, max(8, width + 2))


def _cell_text(v: Any) -> str:
    if isinstance(v, (float, np.floating)):
        return f"{v:,.2f}"
    return str(v)


def csv_text(df: pd.DataFrame, **kwargs: Any) -> str:
    """The neutralised CSV of ``df`` as text (for writing in a chosen encoding)."""
    buf = io.StringIO()
    to_csv(df, buf, **kwargs)
    return buf.getvalue()
