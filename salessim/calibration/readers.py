"""Reading CRM exports: CSV in any delimiter and common encoding, and XLSX workbooks.

:func:`read_table` turns a file into a :class:`RawTable`: the header and the data rows as
they were written, each with its 1-based *data row* number (the header is row 0) and its
*line* in the file (the Excel row, for a workbook). It decides, and reports:

* the **format** from the file's first bytes (an ``.xlsx`` renamed ``.csv`` still reads);
* the **encoding**: UTF-8 (with or without BOM), UTF-16 (with BOM), else cp1251 (common in
  Russian-language CRMs) or cp1252, told apart by which gives letters of one alphabet;
* the **delimiter** (``,`` ``;`` tab ``|``): the one that splits the first lines into the
  same number of fields most often;
* the **header row**: the first row that looks like column names (title lines above it
  are skipped and reported).

Cell values are parsed later, column by column: :func:`parse_amounts` (decimal commas,
thousands separators, currency signs) and :func:`parse_date_cells` with
:func:`resolve_date_order` (ISO, day-first or month-first, told apart from the data).
Nothing here drops a row: rows that cannot be used are flagged and counted by
:mod:`salessim.calibration.validation`.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import math
import re
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Sequence

import numpy as np
import openpyxl

from salessim.errors import UserError

DELIMITERS = (",", ";", "\t", "|")
_DELIM_NAMES = {",": "comma", ";": "semicolon", "\t": "tab", "|": "pipe"}


@dataclass
class RawTable:
    """A table as read from a file, before any value is interpreted.

    Attributes
    ----------
    source:
        The file name, for messages.
    header:
        Column names, stripped.
    rows:
        Data rows (lists of cell values: ``str`` for CSV; ``str``, numbers, dates or
        ``None`` for XLSX), in file order.
    row_numbers:
        1-based data row number of each row (the header is row 0).
    lines:
        Line of each row in the file (CSV: physical line where the record starts;
        XLSX: the Excel row number).
    """

    source: str
    header: list[str]
    rows: list[list[Any]]
    row_numbers: list[int]
    lines: list[int]
    format: str = "csv"
    encoding: str | None = None
    delimiter: str | None = None
    header_line: int = 1
    sheet: str | None = None
    notes: list[str] = field(default_factory=list)

    @property
    def n_rows(self) -> int:
        return len(self.rows)

    def describe(self) -> str:
        """One line: how the file was read."""
        if self.format == "xlsx":
            how = f"XLSX workbook, sheet {self.sheet!r}"
        else:
            how = f"CSV, {self.encoding}, {_DELIM_NAMES.get(self.delimiter or ',', repr(self.delimiter))}-separated"
        return f"{how}; header on line {self.header_line}; {self.n_rows:,} data rows"


# --------------------------------------------------------------------------- files
def read_table(path: str | Path, *, encoding: str | None = None, delimiter: str | None = None,
               sheet: str | None = None, expected: Sequence[str] = ()) -> RawTable:
    """Read a CSV or XLSX file into a :class:`RawTable`.

    Parameters
    ----------
    path:
        The file.
    encoding, delimiter, sheet:
        Force these instead of detecting them.
    expected:
        Column names that would be recognised (lower case); they help find the header
        row below title lines.
    """
    p = Path(path)
    src = str(path)
    if not p.exists():
        raise UserError("file not found", source=src)
    if p.is_dir():
        raise UserError("expected a file, found a directory", source=src)
    try:
        data = p.read_bytes()
    except OSError as e:
        raise UserError(f"cannot read file ({e.strerror})", source=src) from None
    if not data.strip():
        raise UserError("the file is empty (expected a header line and data rows)", source=src)
    if data[:4] == b"PK\x03\x04" or p.suffix.lower() in (".xlsx", ".xlsm"):
        return _read_xlsx(data, src, sheet, expected)
    if data[:8] == b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1":
        raise UserError("this is an old Excel .xls workbook; save it as .xlsx or CSV", source=src)
    text, enc, notes = decode(data, src, encoding)
    return _read_csv(text, src, enc, delimiter, expected, notes)


def decode(data: bytes, source: str, encoding: str | None = None) -> tuple[str, str, list[str]]:
    """Decode file bytes; return (text, encoding used, notes)."""
    notes: list[str] = []
    if encoding:
        try:
            return data.decode(encoding), encoding, notes
        except LookupError:
            raise UserError(f"unknown encoding {encoding!r}", source=source, field="encoding") from None
        except UnicodeDecodeError as e:
            raise UserError(f"the file is not valid {encoding} (byte {e.start}: {e.reason})", source=source,
                            field="encoding") from None
    if data.startswith(b"\xef\xbb\xbf"):
        return data[3:].decode("utf-8", errors="strict"), "utf-8-sig", notes
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return data.decode("utf-16"), "utf-16", notes
        except UnicodeDecodeError as e:
            raise UserError(f"the file starts like UTF-16 but is not valid UTF-16 (byte {e.start})", source=source) from None
    head = data[:65536]
    if head.count(b"\x00") > len(head) // 4:
        # UTF-16 without a byte-order mark: every other byte is zero for Latin text
        for enc in ("utf-16-le", "utf-16-be"):
            try:
                text = data.decode(enc)
            except UnicodeDecodeError:
                continue
            if _printable_share(text[:5000]) > 0.95:
                notes.append(f"no byte-order mark: read as {enc}")
                return text, enc, notes
        raise UserError(f"not a text file: binary data (zero bytes from byte {head.index(0)})", source=source)
    if b"\x00" in head:
        raise UserError(f"not a text file: binary data (a zero byte at byte {head.index(0)})", source=source)
    try:
        text = data.decode("utf-8")
        if _looks_double_encoded(text):
            notes.append("some text looks double-encoded (UTF-8 read as Windows-1252 and saved again, e.g. 'Ã©'); "
                         "check the names in the export")
        return text, "utf-8", notes
    except UnicodeDecodeError:
        pass
    cyr = data.decode("cp1251", errors="replace")
    lat = data.decode("cp1252", errors="replace")
    n_cyr = sum(1 for ch in cyr if "\u0400" <= ch <= "\u04ff")
    n_high = sum(1 for b in data if b >= 0x80)
    if n_high and n_cyr >= 0.6 * n_high and not _latin_words_in_cyrillic(cyr):
        return data.decode("cp1251", errors="strict"), "cp1251", notes
    try:
        return data.decode("cp1252", errors="strict"), "cp1252", notes
    except UnicodeDecodeError:
        notes.append("bytes that are neither UTF-8 nor Windows-1252: read as Latin-1")
        return lat if "\ufffd" not in lat else data.decode("latin-1"), "latin-1", notes


_WORD = re.compile(r"[A-Za-z\u0400-\u04ff]+")
_CYRILLIC = re.compile(r"[\u0400-\u04ff]")
_ASCII_LETTER = re.compile(r"[A-Za-z]")


def _latin_words_in_cyrillic(text: str) -> bool:
    """True when text decoded as Windows-1251 is really Latin text with accents.

    Every accented Latin letter of Windows-1252 (é, ñ, ü, ...) is also a Cyrillic letter in
    Windows-1251, so counting Cyrillic letters cannot tell the two apart. Words can: in Russian
    text the Cyrillic letters make whole words, while "José Núñez" read as Windows-1251 gives
    words that mix Latin and Cyrillic letters ("Josй", "Nъсez"), and "500 €" gives a lone "Ђ".
    """
    # one-letter "words" do not count: Windows-1252's euro sign is Windows-1251's "Ђ" ("500 €" reads "500 Ђ"), and
    # a file whose only "Cyrillic" is such signs is not Russian text
    words = [w for w in _WORD.findall(text[:200000]) if len(w) > 1 and _CYRILLIC.search(w)]
    if not words:
        return True
    mixed = sum(1 for w in words if _ASCII_LETTER.search(w))
    return mixed > 0.3 * len(words)


def _printable_share(text: str) -> float:
    if not text:
        return 0.0
    ok = sum(1 for ch in text if ch.isprintable() or ch in "\r\n\t")
    return ok / len(text)


_MOJIBAKE = re.compile(r"(?:Ã[\u0080-\u00bf]|Ð[\u0080-\u00bf]|Ñ[\u0080-\u00bf]|â€)")


def _looks_double_encoded(text: str) -> bool:
    return len(_MOJIBAKE.findall(text[:200000])) >= 3


def _read_csv(text: str, src: str, enc: str, delimiter: str | None, expected: Sequence[str],
              notes: list[str]) -> RawTable:
    if text.startswith("\ufeff"):
        text = text[1:]
    delim = delimiter or sniff_delimiter(text, src)
    limit = csv.field_size_limit()
    try:
        csv.field_size_limit(max(limit, len(text) + 1))
        reader = csv.reader(io.StringIO(text, newline=""), delimiter=delim, quotechar='"', doublequote=True,
                            skipinitialspace=False, strict=False)
        records: list[tuple[int, list[str]]] = []
        start = 1
        for rec in reader:
            records.append((start, rec))
            start = reader.line_num + 1
    except csv.Error as e:  # pragma: no cover - csv with strict=False rarely raises
        raise UserError(f"cannot parse the file as CSV ({e})", source=src) from None
    finally:
        csv.field_size_limit(limit)
    return _check_field_sizes(_assemble(src, records, "csv", enc, delim, None, expected, notes))


#: A field longer than this stops the read (naming its row); one above a tenth of it is noted.
MAX_FIELD_CHARS = 1_000_000


def _check_field_sizes(t: "RawTable") -> "RawTable":
    """An oversized field is named with its line and data row: a field of a million characters is an unclosed
    quote mark that swallowed the rows after it, or a blob that is not a deal's data."""
    for row, num, line in zip(t.rows, t.row_numbers, t.lines):
        for j, f in enumerate(row):
            n = len(f) if isinstance(f, str) else 0
            if n > MAX_FIELD_CHARS // 10:
                col = f" in column {t.header[j]!r}" if j < len(t.header) and t.header[j] else f" in field {j + 1}"
                where = f"row {num} (line {line})"
                if n > MAX_FIELD_CHARS:
                    raise UserError(f"a field of {n:,} characters{col}: more than {MAX_FIELD_CHARS:,} is not a deal's "
                                    "data (probably an unclosed quote mark that swallowed the lines after it); fix "
                                    "or remove that field", source=t.source, field=where)
                t.notes.append(f"{where}: a field of {n:,} characters{col}: probably an unclosed quote mark")
    return t


def sniff_delimiter(text: str, src: str = "") -> str:
    """The delimiter that splits the first lines into a constant number (> 1) of fields."""
    lines = [ln[:20000] for ln in text[:2_000_000].splitlines()[:60] if ln.strip()]
    best, best_score = None, (0, 0)
    for d in DELIMITERS:
        counts = [len(r) for r in csv.reader(lines, delimiter=d)]
        if not counts:
            continue
        values, freq = np.unique(counts, return_counts=True)
        mode = int(values[np.argmax(freq)])
        score = (int(freq.max()) if mode > 1 else 0, mode)
        if score > best_score:
            best, best_score = d, score
    if best is None:
        raise UserError("could not find a delimiter: every line is one column (expected fields separated by "
                        "',', ';', tab or '|')", source=src)
    return best


def _read_xlsx(data: bytes, src: str, sheet: str | None, expected: Sequence[str]) -> RawTable:
    try:
        wb = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, OSError, ValueError, TypeError) as e:
        raise UserError(f"not a valid XLSX workbook ({type(e).__name__}: {e})", source=src) from None
    try:
        names = wb.sheetnames
        if sheet is not None:
            if sheet not in names:
                raise UserError(f"no sheet {sheet!r} (sheets: {', '.join(names)})", source=src, field="--sheet")
            chosen = sheet
        else:
            chosen = _data_sheet(wb, names, expected, src)
        ws = wb[chosen]
        records = []
        for i, row in enumerate(ws.iter_rows(values_only=True), start=1):
            records.append((i, ["" if v is None else v for v in row]))
    except UserError:
        raise
    except Exception as e:  # openpyxl raises many kinds on damaged parts
        raise UserError(f"cannot read the workbook ({type(e).__name__}: {e})", source=src) from None
    finally:
        wb.close()
    notes = [f"sheets in the workbook: {', '.join(names)}; read {chosen!r}"] if len(names) > 1 else []
    return _check_field_sizes(_assemble(src, records, "xlsx", None, None, chosen, expected, notes))


def _data_sheet(wb, names: list[str], expected: Sequence[str], src: str) -> str:
    """The sheet that holds the deals: the one whose first rows name the most known columns (then the one with
    the most rows); when no sheet names a known column and several hold data, a :class:`UserError` naming them."""
    if len(names) == 1:
        return names[0]
    exp = {e.lower() for e in expected}
    scores = []
    for n in names:
        ws = wb[n]
        head = []
        rows = 0
        for i, row in enumerate(ws.iter_rows(values_only=True)):
            if any(v not in (None, "") for v in row):
                rows += 1
                if len(head) < 20:
                    head.append(row)
            if i > 5000:
                break
        known = max((sum(1 for c in r if normalise_name(c) in exp) for r in head), default=0)
        scores.append((known, rows, n))
    with_data = [x for x in scores if x[1] > 1]
    best = max(scores, key=lambda x: (x[0], x[1]))
    if best[0] == 0 and len(with_data) > 1:
        raise UserError(f"the workbook has {len(with_data)} sheets with data and none names a known column "
                        f"({', '.join(repr(x[2]) for x in with_data)}); pass --sheet NAME", source=src)
    return best[2] if best[1] > 0 else names[0]


def _cell_text(v: Any) -> str:
    """A cell as text; a whole number stored as a float (an XLSX id like 44651898.0) loses its '.0'; Excel's
    ``="..."`` wrapping (written to keep leading zeros or stop a number being read as one) is the text inside."""
    if isinstance(v, str):
        s = v.strip()
        if s.startswith('="') and s.endswith('"') and len(s) >= 3:
            s = s[2:-1].replace('""', '"').strip()
        return s
    if v is None:
        return ""
    if isinstance(v, float) and v.is_integer() and abs(v) < 1e15:
        return str(int(v))
    return str(v)


def _assemble(src: str, records: list[tuple[int, list[Any]]], fmt: str, enc: str | None, delim: str | None,
              sheet: str | None, expected: Sequence[str], notes: list[str]) -> RawTable:
    nonblank = [(ln, r) for ln, r in records if any(_cell_text(c) for c in r)]
    if not nonblank:
        raise UserError("the file has no rows (expected a header line and data rows)", source=src)
    # trailing empty cells (a trailing delimiter, an Excel sheet's unused columns) are not columns
    exp = {e.lower() for e in expected}
    h_index = _find_header(nonblank[:20], exp)
    header_line, header_cells = nonblank[h_index]
    header = [_cell_text(c) for c in header_cells]
    while header and not header[-1]:
        header.pop()
    if not header:
        raise UserError("the header line is empty", source=src)
    if h_index > 0:
        notes.append(f"skipped {h_index} line(s) above the header (a title or notes)")
    rows, numbers, lines = [], [], []
    n = 0
    seen_header = False
    for ln, rec in records:
        if ln <= header_line:
            continue
        seen_header = True
        n += 1
        rows.append(list(rec))
        numbers.append(n)
        lines.append(ln)
    if not seen_header or not rows or all(not any(_cell_text(c) for c in r) for r in rows):
        raise UserError(f"no data rows: the file holds only a header line ({', '.join(header[:6])}"
                        f"{', ...' if len(header) > 6 else ''})", source=src)
    # drop trailing blank records (a final newline, unused Excel rows): they are not data
    while rows and not any(_cell_text(c) for c in rows[-1]):
        rows.pop(), numbers.pop(), lines.pop()
    return RawTable(src, header, rows, numbers, lines, fmt, enc, delim, header_line, sheet, notes)


def _find_header(candidates: list[tuple[int, list[Any]]], expected: set[str]) -> int:
    """Index of the header among the first non-blank rows."""
    widths = [sum(1 for c in r if _cell_text(c)) for _, r in candidates]
    full = max(widths)
    best, best_score = 0, -1.0
    for i, (_, r) in enumerate(candidates):
        cells = [_cell_text(c) for c in r if _cell_text(c)]
        if not cells:
            continue
        known = sum(1 for c in cells if normalise_name(c) in expected)
        texty = sum(1 for c in cells if isinstance(c, str) and not _NUMBERISH.match(c))
        score = known * 10 + (texty if widths[i] >= max(2, 0.6 * full) else 0)
        if known == 0 and widths[i] < max(2, 0.6 * full):
            continue
        if score > best_score:
            best, best_score = i, score
        if known >= 2:  # the first row that names known columns is the header
            return i
    return best


_NUMBERISH = re.compile(r"^[\s\d.,:/\-+%$€₽]*$")


def normalise_name(name: Any) -> str:
    """A column name compared loosely: lower case, single spaces, no quotes or BOM."""
    s = _cell_text(name).replace("\ufeff", "").strip().strip('"').strip("'").lower()
    return re.sub(r"\s+", " ", s)


# --------------------------------------------------------------------------- amounts
# ISO currency codes (upper case), signs, and the rouble's abbreviations, before or after the number
_CURRENCY = re.compile(r"^(?:[A-Z]{3}|US\$|[$€£₽¥₴₸])\s*|\s*(?:[A-Z]{3}|[Рр][Уу][Бб]\.?|[Рр]\.|[$€£₽¥₴₸])$")
_SPACES = re.compile(r"[\s\u00a0\u202f\u2009']")
_PLAIN = re.compile(r"^[+-]?\d+(?:([.,])(\d+))?$")
_POINT_GROUPS = re.compile(r"^[+-]?\d{1,3}(?:\.\d{3})+$")
_GROUPED = re.compile(r"^[+-]?\d{1,3}(?:([.,])\d{3})+(?:([.,])(\d+))?$")


@dataclass
class Amounts:
    """Parsed amounts: ``values`` (NaN when empty or bad), ``bad`` (unparseable) and the decimal mark used."""

    values: np.ndarray
    bad: np.ndarray
    decimal: str
    evidence: str


def parse_amounts(cells: Sequence[Any], decimal: str | None = None) -> Amounts:
    """Parse money cells: ``1 234,56``, ``1,234.56``, ``$1200``, ``(300)``, ``1.234,5 руб.``, ``$ -`` (zero).

    The decimal mark is decided for the whole column from the cells that show it (a mark
    followed by other than three digits, or the last of two different marks); when none shows
    one and points are followed only by groups of three digits (``1.412``, ``12.500``), the
    point groups thousands; ``decimal`` forces it.
    """
    n = len(cells)
    values = np.full(n, np.nan)
    bad = np.zeros(n, dtype=bool)
    cleaned: list[str | None] = [None] * n
    votes = {".": 0, ",": 0}
    point_groups = 0
    for i, c in enumerate(cells):
        if isinstance(c, bool):
            bad[i] = True
            continue
        if isinstance(c, (int, float, np.integer, np.floating)):
            if isinstance(c, float) and math.isnan(c):
                continue
            values[i] = float(c)
            continue
        s = _cell_text(c)
        if not s:
            continue
        neg = s.startswith("(") and s.endswith(")")
        if neg:
            s = s[1:-1].strip()
        s = _CURRENCY.sub("", s)
        s = _SPACES.sub("", s)
        if s in ("-", "\u2013", "\u2014"):   # Excel's accounting format writes a zero as "$ -"
            values[i] = 0.0
            continue
        if neg:
            s = "-" + s.lstrip("+")
        cleaned[i] = s
        if _POINT_GROUPS.match(s):
            point_groups += 1
        m = _PLAIN.match(s)
        if m and m.group(1) and len(m.group(2)) != 3:
            votes[m.group(1)] += 1
        elif m is None:
            g = _GROUPED.match(s)
            if g and g.group(2):
                votes[g.group(2)] += 1
            elif g:  # 1.234.567: several grouping marks
                if s.count(g.group(1)) > 1:
                    votes["," if g.group(1) == "." else "."] += 1
    if decimal is None:
        if votes[","] > votes["."]:
            decimal, evidence = ",", f"decimal comma ({votes[',']} cells show it)"
        elif votes["."] > 0:
            decimal, evidence = ".", f"decimal point ({votes['.']} cells show it)"
        elif point_groups >= 3:
            # whole amounts written "1.412" and "12.500" (German, Dutch, ...): no cell shows a decimal mark, and every
            # point is followed by groups of three digits: the point groups thousands
            decimal, evidence = ",", (f"the point groups thousands ({point_groups} cells like '1.234', none shows a "
                                      "decimal mark)")
        else:
            decimal, evidence = ".", "no cell shows a decimal mark; assumed a decimal point"
    else:
        evidence = f"decimal {'comma' if decimal == ',' else 'point'} (given)"
    thousands = "." if decimal == "," else ","
    for i, s in enumerate(cleaned):
        if s is None:
            continue
        t = s
        if _GROUPED.match(t) and (thousands in t):
            t = t.replace(thousands, "")
        if thousands in t:
            bad[i] = True
            continue
        t = t.replace(decimal, ".")
        try:
            v = float(t)
        except ValueError:
            bad[i] = True
            continue
        if not math.isfinite(v):
            bad[i] = True
            continue
        values[i] = v
    return Amounts(values, bad, decimal, evidence)


# --------------------------------------------------------------------------- dates
# ISO, with an optional time, a zone ("Z", "+02:00", "+0000", " UTC", " CET") and AM/PM
_ISO = re.compile(r"^(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})(?:[ T]\d{1,2}:\d{2}(?::\d{2}(?:[.,]\d+)?)?(?:\s?[AaPp][Mm])?"
                  r"(?:\s?(?:Z|[+-]\d{2}:?\d{2}|(?:UTC|GMT|[A-Z]{3,4})(?:[+-]\d{1,2}(?::?\d{2})?)?))?)?$")
_AMBIG = re.compile(r"^(\d{1,2})([./-])(\d{1,2})\2(\d{4}|\d{2})(?:,?[ T]\d{1,2}:\d{2}(?::\d{2})?(?:\s?[AaPp][Mm])?)?$")
# "5 Mar 2017", "05-Mar-17" (Excel's d-mmm-yy), "24. Apr. 2017", "5 марта 2017", "24 de abril de 2017", "24 avr. 2017"
_NAMED = re.compile(r"^(\d{1,2})\.?(?:\s+de)?[\s.-]+([^\W\d_]+)\.?(?:\s+de)?[\s.,-]+(\d{4}|\d{2})"
                    r"(?:[ T,]+\d{1,2}:\d{2}(?::\d{2})?(?:\s?[AaPp][Mm])?)?$")
_NAMED_US = re.compile(r"^([^\W\d_]+)\.?\s+(\d{1,2}),?\s+(\d{4})(?:[ T,]+\d{1,2}:\d{2}(?::\d{2})?(?:\s?[AaPp][Mm])?)?$")
# month names by their first three letters (four for French "juin" / "juil"): English, Russian, German, French,
# Spanish, Portuguese, Italian, Dutch
_MONTHS = {
    "jan": 1, "feb": 2, "mar": 3, "apr": 4, "may": 5, "jun": 6, "jul": 7, "aug": 8, "sep": 9, "oct": 10,
    "nov": 11, "dec": 12, "янв": 1, "фев": 2, "мар": 3, "апр": 4, "мая": 5, "май": 5, "июн": 6, "июл": 7,
    "авг": 8, "сен": 9, "окт": 10, "ноя": 11, "дек": 12,
    "mär": 3, "mrz": 3, "mai": 5, "okt": 10, "dez": 12,                                    # German
    "fév": 2, "fev": 2, "avr": 4, "juin": 6, "juil": 7, "aoû": 8, "aou": 8, "déc": 12,     # French
    "ene": 1, "abr": 4, "ago": 8, "set": 9, "dic": 12,                                     # Spanish
    "out": 10,                                                                             # Portuguese
    "gen": 1, "mag": 5, "giu": 6, "lug": 7, "ott": 10,                                     # Italian
    "mrt": 3, "mei": 5,                                                                    # Dutch
}


def _month(name: str) -> int | None:
    t = name.lower()
    return _MONTHS.get(t[:4]) if t[:3] == "jui" else _MONTHS.get(t[:3])


EXCEL_EPOCH = dt.date(1899, 12, 30)

# kinds of a parsed date cell
EMPTY, BAD, EXACT, AMBIGUOUS = 0, 1, 2, 3


@dataclass
class DateCells:
    """Date cells parsed as far as possible without knowing the day/month order.

    ``kind`` is EMPTY, BAD, EXACT (``year, month, day`` known) or AMBIGUOUS (``year`` and
    the two numbers ``a``/``b`` in the order written, with separator ``sep``).
    """

    kind: np.ndarray
    year: np.ndarray
    a: np.ndarray
    b: np.ndarray
    sep: list[str]


def parse_date_cells(cells: Sequence[Any]) -> DateCells:
    """First pass over date cells: everything except the day/month order of ``01/02/2017``."""
    n = len(cells)
    kind = np.zeros(n, dtype=np.int8)
    year = np.zeros(n, dtype=np.int64)
    a = np.zeros(n, dtype=np.int64)
    b = np.zeros(n, dtype=np.int64)
    sep = [""] * n
    cache: dict[str, tuple[int, int, int, int, str]] = {}
    for i, c in enumerate(cells):
        if isinstance(c, dt.datetime):
            kind[i], year[i], a[i], b[i] = EXACT, c.year, c.month, c.day
            continue
        if isinstance(c, dt.date):
            kind[i], year[i], a[i], b[i] = EXACT, c.year, c.month, c.day
            continue
        if isinstance(c, (int, float, np.integer, np.floating)) and not isinstance(c, bool):
            r = _serial(float(c))
        else:
            s = _cell_text(c)
            if not s:
                continue
            r = cache.get(s)
            if r is None:
                r = cache[s] = _parse_date_text(s)
        kind[i], year[i], a[i], b[i], sep[i] = r
    return DateCells(kind, year, a, b, sep)


def _serial(x: float) -> tuple[int, int, int, int, str]:
    if not math.isfinite(x) or not (20000 <= x <= 80000):
        return BAD, 0, 0, 0, ""
    d = EXCEL_EPOCH + dt.timedelta(days=int(x))
    return EXACT, d.year, d.month, d.day, ""


def _parse_date_text(s: str) -> tuple[int, int, int, int, str]:
    m = _ISO.match(s)
    if m:
        return EXACT, int(m.group(1)), int(m.group(2)), int(m.group(3)), ""
    m = _AMBIG.match(s)
    if m:
        y = int(m.group(4))
        if y < 100:
            y += 2000 if y < 70 else 1900
        return AMBIGUOUS, y, int(m.group(1)), int(m.group(3)), m.group(2)
    m = _NAMED.match(s)
    if m:
        mon = _month(m.group(2))
        if mon:
            y = int(m.group(3))
            if y < 100:
                y += 2000 if y < 70 else 1900
            return EXACT, y, mon, int(m.group(1)), ""
    m = _NAMED_US.match(s)
    if m:
        mon = _month(m.group(1))
        if mon:
            return EXACT, int(m.group(3)), mon, int(m.group(2)), ""
    if re.fullmatch(r"\d{5}(?:\.\d+)?", s):
        return _serial(float(s))
    return BAD, 0, 0, 0, ""


@dataclass
class DateOrder:
    """The day/month order of ambiguous dates, and why it was chosen."""

    order: str                # "day_first" | "month_first" | "iso"
    reason: str
    day_first_evidence: int = 0
    month_first_evidence: int = 0
    ambiguous: int = 0


def date_order_evidence(columns: Sequence[DateCells]) -> tuple[int, int, int, list[str]]:
    """Cells that can only be day-first, only month-first, and those that could be either."""
    dfirst = mfirst = amb = 0
    seps: list[str] = []
    for col in columns:
        sel = col.kind == AMBIGUOUS
        a, b = col.a[sel], col.b[sel]
        dfirst += int(np.sum((a > 12) & (b <= 12)))
        mfirst += int(np.sum((b > 12) & (a <= 12)))
        amb += int(np.sum((a <= 12) & (b <= 12)))
        seps += [s for s, k in zip(col.sep, col.kind) if k == AMBIGUOUS][:50]
    return dfirst, mfirst, amb, seps


def resolve_date_order(columns: Sequence[DateCells], forced: str | None = None,
                       tie_break=None) -> DateOrder:
    """Decide day-first or month-first for the ambiguous cells of all date columns together.

    A cell like ``25/03/2017`` can only be day-first and ``03/25/2017`` only month-first;
    the order with such evidence wins (cells contradicting it become unparseable and are
    rejected with their row numbers). When every cell could be either, ``tie_break`` (a
    function of the order returning a badness score, e.g. how many deals would close
    before they were created) decides, then the separator's convention (``.`` and ``-``:
    day-first; ``/``: month-first).
    """
    dfirst, mfirst, amb, seps = date_order_evidence(columns)
    if forced in ("day_first", "month_first"):
        return DateOrder(forced, "given", dfirst, mfirst, amb)
    if dfirst == mfirst == amb == 0:
        return DateOrder("iso", "all dates are year-first (ISO) or spelled out", 0, 0, 0)
    if dfirst and not mfirst:
        return DateOrder("day_first", f"{dfirst} dates have a day above 12 in the first place", dfirst, 0, amb)
    if mfirst and not dfirst:
        return DateOrder("month_first", f"{mfirst} dates have a day above 12 in the second place", 0, mfirst, amb)
    if dfirst and mfirst:
        order = "day_first" if dfirst >= mfirst else "month_first"
        return DateOrder(order, f"mixed: {dfirst} dates can only be day-first and {mfirst} only month-first; "
                                f"the majority ({order.replace('_', '-')}) is used and the others are rejected",
                         dfirst, mfirst, amb)
    if tie_break is not None:
        bd, bm = tie_break("day_first"), tie_break("month_first")
        if bd != bm:
            order = "day_first" if bd < bm else "month_first"
            return DateOrder(order, f"every date could be either order; {order.replace('_', '-')} gives fewer "
                                    f"impossible deals ({min(bd, bm)} vs {max(bd, bm)})", 0, 0, amb)
    dot = sum(1 for s in seps if s in ".-")
    order = "day_first" if dot >= len(seps) / 2 else "month_first"
    conv = "'.' or '-' separators (European)" if order == "day_first" else "'/' separators (US)"
    return DateOrder(order, f"every date could be either order; assumed {order.replace('_', '-')} from the {conv}",
                     0, 0, amb)


def to_dates(col: DateCells, order: DateOrder) -> tuple[np.ndarray, np.ndarray]:
    """Dates (``datetime64[D]``, NaT when empty or bad) and a mask of unparseable cells."""
    n = len(col.kind)
    y, mo, d = col.year.copy(), col.a.copy(), col.b.copy()
    amb = col.kind == AMBIGUOUS
    if order.order == "day_first":
        mo[amb], d[amb] = col.b[amb], col.a[amb]
    out = np.full(n, np.datetime64("NaT"), dtype="datetime64[D]")
    bad = col.kind == BAD
    ok = (col.kind == EXACT) | amb
    valid = ok & (mo >= 1) & (mo <= 12) & (d >= 1) & (d <= 31) & (y >= 1900) & (y <= 2200)
    idx = np.flatnonzero(valid)
    if idx.size:
        ym = (y[idx] - 1970) * 12 + (mo[idx] - 1)
        first = ym.astype("datetime64[M]").astype("datetime64[D]")
        days = first + (d[idx] - 1).astype("timedelta64[D]")
        same_month = days.astype("datetime64[M]") == first.astype("datetime64[M]")
        out[idx[same_month]] = days[same_month]
        valid[idx[~same_month]] = False
    bad |= ok & ~valid
    return out, bad
