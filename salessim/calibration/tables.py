"""Optional side tables of an export: teams, the price list, and activities.

* **Teams** (rep -> manager -> region): one supervisor per manager in the calibrated
  scenario, and each rep's region. Reps of the deals table missing here are noted.
* **Products** (product, price, group): the price list. Deal products missing from it are
  noted with the nearest name in the list (``GTXPro`` vs ``GTX Pro``).
* **Activities** (rep, date, type: call / meeting / ...): counted per rep and month, and
  reported next to the fitted parameters.

Each reader accepts CSV or XLSX (see :mod:`.readers`), finds its columns by name, and
raises :class:`~salessim.errors.UserError` naming the file and the missing column.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Sequence

import numpy as np
import pandas as pd

from salessim.calibration.readers import (
    RawTable,
    normalise_name,
    parse_amounts,
    parse_date_cells,
    read_table,
    resolve_date_order,
    to_dates,
)
from salessim.errors import UserError

TEAM_COLUMNS = {
    "rep": ("sales_agent", "rep", "sales rep", "agent", "owner", "name", "employee", "user", "сотрудник",
            "менеджер по продажам", "ответственный", "продавец"),
    "manager": ("manager", "supervisor", "head", "team lead", "teamlead", "lead", "руководитель", "руководитель отдела",
                "менеджер"),
    "region": ("regional_office", "region", "office", "branch", "territory", "team", "регион", "филиал", "офис",
               "отдел"),
}
PRODUCT_COLUMNS = {
    "product": ("product", "product name", "name", "item", "sku", "товар", "продукт", "наименование"),
    "price": ("sales_price", "price", "list price", "unit price", "list_price", "цена", "стоимость"),
    "group": ("series", "group", "product group", "category", "family", "product family", "группа", "категория",
              "серия"),
}
ACTIVITY_COLUMNS = {
    "rep": TEAM_COLUMNS["rep"] + ("assigned to", "activity owner", "deal owner"),
    "date": ("date", "activity date", "due date", "start", "start date", "created", "дата", "дата активности"),
    "type": ("type", "activity type", "kind", "subject type", "тип", "тип активности"),
}


def _columns(raw: RawTable, wanted: dict[str, Sequence[str]], required: Sequence[str]) -> dict[str, int]:
    norm = [normalise_name(h) for h in raw.header]
    out: dict[str, int] = {}
    for f, aliases in wanted.items():
        for a in aliases:
            if a in norm and norm.index(a) not in out.values():
                out[f] = norm.index(a)
                break
    missing = [f for f in required if f not in out]
    if missing:
        raise UserError(f"missing column(s) {', '.join(missing)} (looked for: "
                        + "; ".join(f"{f}: {', '.join(repr(a) for a in wanted[f][:5])}" for f in missing)
                        + f"); the file has: {', '.join(repr(h) for h in raw.header[:10])}", source=raw.source)
    return out


def _cell(row: list, i: int) -> str:
    v = row[i] if i < len(row) else ""
    return v.strip() if isinstance(v, str) else ("" if v is None else str(v))


# --------------------------------------------------------------------------- teams
@dataclass
class Teams:
    """Rep -> manager and region, from a teams table."""

    manager: dict[str, str]
    region: dict[str, str]
    source: str
    notes: list[str] = field(default_factory=list)

    def table(self) -> pd.DataFrame:
        reps = sorted(self.manager)
        return pd.DataFrame({"rep": reps, "manager": [self.manager[r] for r in reps],
                             "region": [self.region.get(r, "") for r in reps]})


def read_teams(path: str | Path) -> Teams:
    """Read a teams table (rep, manager, region)."""
    raw = read_table(path, expected=[a for al in TEAM_COLUMNS.values() for a in al])
    cols = _columns(raw, TEAM_COLUMNS, ("rep", "manager"))
    manager: dict[str, str] = {}
    region: dict[str, str] = {}
    notes: list[str] = []
    for row, num in zip(raw.rows, raw.row_numbers):
        rep = _cell(row, cols["rep"])
        man = _cell(row, cols["manager"])
        reg = _cell(row, cols["region"]) if "region" in cols else ""
        if not rep or not man:
            notes.append(f"row {num}: no {'rep' if not rep else 'manager'}: skipped")
            continue
        if rep in manager and manager[rep] != man:
            notes.append(f"row {num}: {rep!r} appears again under {man!r} (kept {manager[rep]!r} from the first row)")
            continue
        manager.setdefault(rep, man)
        region.setdefault(rep, reg or "main")
    if not manager:
        raise UserError("no rep with a manager in the teams table", source=raw.source)
    return Teams(manager, region, raw.source, notes[:50] + ([f"... {len(notes) - 50} more"] if len(notes) > 50 else []))


# --------------------------------------------------------------------------- products
@dataclass
class PriceList:
    """Products with their list price and group."""

    price: dict[str, float]
    group: dict[str, str]
    source: str
    notes: list[str] = field(default_factory=list)

    def suggest(self, name: str) -> str | None:
        """The price-list product nearest to ``name`` (same letters ignoring case and spacing, or close)."""
        key = _squash(name)
        for p in self.price:
            if _squash(p) == key:
                return p
        close = difflib.get_close_matches(name, list(self.price), n=1, cutoff=0.75)
        return close[0] if close else None

    def table(self) -> pd.DataFrame:
        names = sorted(self.price)
        return pd.DataFrame({"product": names, "price": [self.price[n] for n in names],
                             "group": [self.group.get(n, "") for n in names]})


def _squash(s: str) -> str:
    return re.sub(r"[\W_]+", "", s.lower())


def read_products(path: str | Path) -> PriceList:
    """Read a price list (product, price, optional group)."""
    raw = read_table(path, expected=[a for al in PRODUCT_COLUMNS.values() for a in al])
    cols = _columns(raw, PRODUCT_COLUMNS, ("product",))
    if "price" not in cols and "group" not in cols:
        raise UserError(f"expected a price column ({', '.join(PRODUCT_COLUMNS['price'])}) or a group column "
                        f"({', '.join(PRODUCT_COLUMNS['group'])}); found {', '.join(raw.header)}", source=raw.source)
    prices = (parse_amounts([row[cols["price"]] if cols["price"] < len(row) else "" for row in raw.rows])
              if "price" in cols else None)
    price: dict[str, float] = {}
    group: dict[str, str] = {}
    notes: list[str] = []
    for k, (row, num) in enumerate(zip(raw.rows, raw.row_numbers)):
        name = _cell(row, cols["product"])
        if not name:
            notes.append(f"row {num}: no product name: skipped")
            continue
        v = float(prices.values[k]) if prices is not None else float("nan")
        if prices is not None and prices.bad[k]:
            notes.append(f"row {num}: price {row[cols['price']]!r} is not a number: no price for {name!r}")
        elif v <= 0:
            notes.append(f"row {num}: price {row[cols['price']]!r} is not above 0: no price for {name!r}")
            v = float("nan")
        if name in price:
            notes.append(f"row {num}: {name!r} listed again: kept the first")
            continue
        price[name] = v
        if "group" in cols and _cell(row, cols["group"]):
            group[name] = _cell(row, cols["group"])
    if not price:
        raise UserError("no products in the price list", source=raw.source)
    return PriceList(price, group, raw.source, notes)


# --------------------------------------------------------------------------- activities
@dataclass
class Activities:
    """Calls, meetings and other activities counted per rep and month."""

    monthly: pd.DataFrame      # rep, month, type, count
    source: str
    rejected: int = 0
    notes: list[str] = field(default_factory=list)


def activity_kind(text: str) -> str:
    """'call', 'meeting', 'email', 'task' or 'other' from an activity type label."""
    t = text.lower()
    if re.search(r"call|звон|phone", t):
        return "call"
    if re.search(r"meet|встреч|demo|visit|презент", t):
        return "meeting"
    if re.search(r"mail|письм|почт", t):
        return "email"
    if re.search(r"task|задач", t):
        return "task"
    return "other"


def read_activities(path: str | Path) -> Activities:
    """Read an activities table (rep, date, type) and count activities per rep, month and kind."""
    raw = read_table(path, expected=[a for al in ACTIVITY_COLUMNS.values() for a in al])
    cols = _columns(raw, ACTIVITY_COLUMNS, ("rep", "date"))
    cells = parse_date_cells([row[cols["date"]] if cols["date"] < len(row) else "" for row in raw.rows])
    order = resolve_date_order([cells])
    dates, bad = to_dates(cells, order)
    reps = [_cell(row, cols["rep"]) for row in raw.rows]
    kinds = [activity_kind(_cell(row, cols["type"])) if "type" in cols else "activity" for row in raw.rows]
    ok = ~bad & ~np.isnat(dates) & np.array([bool(r) for r in reps])
    notes = []
    if (~ok).any():
        rows = [raw.row_numbers[i] for i in np.flatnonzero(~ok)[:10]]
        notes.append(f"{int((~ok).sum())} activity rows without a rep or a readable date were not counted "
                     f"(rows {', '.join(map(str, rows))}{', ...' if (~ok).sum() > 10 else ''})")
    df = pd.DataFrame({"rep": np.array(reps, dtype=object)[ok], "month": dates[ok].astype("datetime64[M]").astype(str),
                       "type": np.array(kinds, dtype=object)[ok]})
    monthly = df.groupby(["rep", "month", "type"]).size().rename("count").reset_index()
    return Activities(monthly, raw.source, int((~ok).sum()), notes)
