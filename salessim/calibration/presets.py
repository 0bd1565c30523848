"""Column-mapping presets: which column of a CRM's export holds which field.

salessim needs these *fields* of each opportunity (deal); the first four are required:

=============  ==============================================================
``rep``        the sales rep who owns it
``stage``      its stage or status (mapped to won / lost / open, see :mod:`.stages`)
``created``    the date it was created
``closed``     the date it was won or lost (for open deals: ignored)
``value``      its amount (currency); needed for won deals
``id``         its id (duplicates are rejected); optional
``product``    product or product group; optional (else one product, "all")
``channel``    lead source or channel; optional
``currency``   the amount's currency; rows in a minority currency are rejected
``won_flag``   a Won yes/no column (Salesforce), used instead of the stage name
``closed_flag`` a Closed yes/no column (Salesforce, Bitrix24)
``won_time`` / ``lost_time``  separate won and lost dates (Pipedrive)
``account``    the client company: read only to be dropped, never written out
=============  ==============================================================

Each preset lists, per field, the column names its CRM's standard export uses (the first
name is the one :mod:`.export` writes), and where those names come from. Names are compared
case-insensitively with spaces collapsed. If your export differs (a renamed column, another
language), pass a mapping file (:func:`load_mapping`).
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Sequence

from salessim.calibration.readers import normalise_name
from salessim.errors import UserError

FIELDS = ("id", "rep", "stage", "created", "closed", "value", "product", "channel", "currency", "won_flag",
          "closed_flag", "won_time", "lost_time", "account")
REQUIRED = ("rep", "stage", "created")


@dataclass(frozen=True)
class Preset:
    """How one CRM names the columns of its deal export, and how it writes them.

    ``columns`` maps a field to the column names that hold it (first = the standard one).
    ``stage_names`` holds the stage values :mod:`.export` writes for won / lost / open,
    and extra values :mod:`.stages` should recognise. ``date_format``, ``delimiter``,
    ``decimal`` and ``encoding`` are how the CRM writes its CSV export.
    """

    name: str
    title: str
    source: str
    columns: dict[str, tuple[str, ...]]
    stage_names: dict[str, tuple[str, ...]]
    date_format: str = "%Y-%m-%d"
    delimiter: str = ","
    decimal: str = "."
    encoding: str = "utf-8"

    def aliases(self, f: str) -> tuple[str, ...]:
        return self.columns.get(f, ())


PRESETS: dict[str, Preset] = {}


def _add(p: Preset) -> Preset:
    PRESETS[p.name] = p
    return p


# The project's sample: ../shared/data/crm_export_sample/sales_pipeline.csv (a public
# sample CRM export of a fictional B2B company). Names as they appear in that file.
_add(Preset(
    name="crm_sample",
    title="the sample CRM export (sales_pipeline.csv)",
    source="the header of the sample export shipped with the project's shared data "
           "(sales_pipeline.csv, with sales_teams.csv and products.csv)",
    columns={
        "id": ("opportunity_id",),
        "rep": ("sales_agent",),
        "stage": ("deal_stage",),
        "created": ("created_on",),
        "closed": ("close_date",),
        "value": ("close_value",),
        "product": ("product",),
        "account": ("account",),
    },
    stage_names={"won": ("Won",), "lost": ("Lost",), "open": ("In_Progress", "Engaging", "Prospecting")},
))

# HubSpot: Sales > Deals > Export (CSV/XLSX). The columns are the deal properties' labels:
# "Record ID" (older exports: "Deal ID"), "Deal Name", "Deal Stage", "Pipeline", "Amount",
# "Close Date", "Create Date", "Deal owner" (older: "Deal Owner", "HubSpot Owner"),
# "Associated Company", and, when present, "Original Source Type" and line-item products.
# Default pipeline stages end in "Closed Won" / "Closed Lost". For open deals "Close Date"
# is the *expected* close date and is ignored.
_add(Preset(
    name="hubspot",
    title="HubSpot deals export",
    source="HubSpot's deal export: the default deal properties' labels (HubSpot knowledge base, "
           "'Export your records'; default pipeline stages), checked against public scripts that read such exports",
    columns={
        "id": ("Record ID", "Deal ID", "Deal Record ID"),
        "rep": ("Deal owner", "Deal Owner", "HubSpot Owner", "Owner"),
        "stage": ("Deal Stage", "Stage"),
        "created": ("Create Date", "Created Date", "Create date"),
        "closed": ("Close Date", "Closed Date"),
        "value": ("Amount", "Amount in company currency", "Deal Amount"),
        "product": ("Associated Product", "Product", "Products", "Product Name"),
        "channel": ("Original Source Type", "Original Source", "Original Traffic Source", "Deal source"),
        "currency": ("Currency", "Deal currency code"),
        "account": ("Associated Company", "Company", "Company name"),
    },
    stage_names={"won": ("Closed Won",), "lost": ("Closed Lost",),
                 "open": ("Contract Sent", "Decision Maker Bought-In", "Presentation Scheduled", "Qualified To Buy",
                          "Appointment Scheduled")},
    date_format="%Y-%m-%d %H:%M",
))

# Salesforce: an Opportunities report exported as CSV ("Details Only"), or a Data Loader
# extract (API names). Report columns: "Opportunity ID", "Opportunity Name", "Account Name",
# "Opportunity Owner", "Stage", "Amount", "Close Date", "Created Date", "Lead Source", "Won",
# "Closed", "Product Name" (in an Opportunities with Products report). API names: Id,
# StageName, Amount, CloseDate, CreatedDate, LeadSource, IsWon, IsClosed, Owner.Name.
# Standard closed stages: "Closed Won" / "Closed Lost". US exports write dates month-first.
_add(Preset(
    name="salesforce",
    title="Salesforce opportunities report",
    source="Salesforce's standard Opportunity fields: report column labels and their API names "
           "(Salesforce Object Reference: Opportunity), standard stage picklist",
    columns={
        "id": ("Opportunity ID", "Id", "Opportunity Id"),
        "rep": ("Opportunity Owner", "Owner Name", "Owner.Name", "Owner Full Name"),
        "stage": ("Stage", "StageName"),
        "created": ("Created Date", "CreatedDate"),
        "closed": ("Close Date", "CloseDate"),
        "value": ("Amount", "Amount (converted)"),
        "product": ("Product Name", "Product Family", "Product", "Product2.Name"),
        "channel": ("Lead Source", "LeadSource"),
        "currency": ("Opportunity Currency", "CurrencyIsoCode", "Amount Currency"),
        "won_flag": ("Won", "IsWon"),
        "closed_flag": ("Closed", "IsClosed"),
        "account": ("Account Name", "Account.Name", "AccountId"),
    },
    stage_names={"won": ("Closed Won",), "lost": ("Closed Lost",),
                 "open": ("Prospecting", "Qualification", "Needs Analysis", "Value Proposition", "Id. Decision Makers",
                          "Perception Analysis", "Proposal/Price Quote", "Negotiation/Review")},
    date_format="%m/%d/%Y",
))

# Pipedrive: Deals > "..." > Export filter results. Every column carries the "Deal - "
# prefix: "Deal - ID", "Deal - Title", "Deal - Owner", "Deal - Value", "Deal - Currency",
# "Deal - Status" (open / won / lost / deleted), "Deal - Stage" (a pipeline stage, not the
# outcome), "Deal - Deal created", "Deal - Deal closed on", "Deal - Won time",
# "Deal - Lost time", "Deal - Organization", "Deal - Source channel".
_add(Preset(
    name="pipedrive",
    title="Pipedrive deals export",
    source="Pipedrive's deal export ('Deal - ' prefixed field names of its Deal fields: Status open/won/lost/deleted), "
           "checked against public scripts that read such exports",
    columns={
        "id": ("Deal - ID",),
        "rep": ("Deal - Owner", "Deal - Owner name", "Deal - Creator"),
        "stage": ("Deal - Status",),
        "created": ("Deal - Deal created", "Deal - Add time", "Deal - Created"),
        "closed": ("Deal - Deal closed on", "Deal - Close time", "Deal - Closed on"),
        "won_time": ("Deal - Won time",),
        "lost_time": ("Deal - Lost time",),
        "value": ("Deal - Value",),
        "currency": ("Deal - Currency",),
        "product": ("Deal - Product name", "Deal - Products", "Deal - Product"),
        "channel": ("Deal - Source channel", "Deal - Source origin", "Deal - Source"),
        "account": ("Deal - Organization", "Deal - Organization name"),
    },
    stage_names={"won": ("won",), "lost": ("lost",), "open": ("open",), "deleted": ("deleted",)},
    date_format="%Y-%m-%d %H:%M:%S",
))

# amoCRM (Kommo): Сделки > ... > Экспорт (CSV/XLSX, Russian interface). Columns: "ID",
# "Название сделки", "Бюджет", "Ответственный", "Дата создания", "Дата закрытия",
# "Этап сделки" (older: "Статус"), "Воронка", "Компания", "Теги", "Источник". Final stages
# of every pipeline: "Успешно реализовано" (won, id 142) and "Закрыто и не реализовано"
# (lost, id 143). The English (Kommo) interface writes "Closed - won" / "Closed - lost".
_add(Preset(
    name="amocrm",
    title="amoCRM (Kommo) deals export",
    source="amoCRM's deal export in the Russian interface (standard lead fields and the two fixed final "
           "statuses 142 'Успешно реализовано' / 143 'Закрыто и не реализовано'); English names from Kommo",
    columns={
        "id": ("ID", "Id сделки"),
        "rep": ("Ответственный", "Ответственный пользователь", "Lead owner", "Responsible user"),
        "stage": ("Этап сделки", "Этап", "Статус", "Status", "Stage"),
        "created": ("Дата создания", "Создана", "Created", "Date created"),
        "closed": ("Дата закрытия", "Закрыта", "Closed", "Date closed"),
        "value": ("Бюджет", "Бюджет ₽", "Бюджет, руб.", "Budget", "Sale"),
        "product": ("Товар", "Продукт", "Product"),
        "channel": ("Источник", "Источник сделки", "Source"),
        "account": ("Компания", "Компания сделки", "Company"),
    },
    stage_names={"won": ("Успешно реализовано", "Closed - won"), "lost": ("Закрыто и не реализовано", "Closed - lost"),
                 "open": ("Первичный контакт", "Переговоры", "Принимают решение", "Согласование договора")},
    date_format="%d.%m.%Y %H:%M:%S",
    delimiter=";",
    decimal=",",
))

# Bitrix24: CRM > Сделки > ... > Экспорт в CSV / Excel (Russian interface). Columns: "ID",
# "Название сделки", "Стадия сделки", "Сумма", "Валюта", "Ответственный", "Дата создания",
# "Дата закрытия" (older portals: "Предполагаемая дата закрытия", set to the closing day
# when a deal is closed), "Сделка закрыта" (Да/Нет), "Компания", "Источник". Final stages:
# "Сделка успешна" (WON) and "Сделка провалена" (LOSE). Its CSV export is Windows-1251 with ';'.
_add(Preset(
    name="bitrix24",
    title="Bitrix24 deals export",
    source="Bitrix24's deal export in the Russian interface (standard deal fields; final stages WON "
           "'Сделка успешна' and LOSE 'Сделка провалена'); CSV export in Windows-1251 with ';'",
    columns={
        "id": ("ID",),
        "rep": ("Ответственный",),
        "stage": ("Стадия сделки", "Стадия"),
        "created": ("Дата создания", "Создано"),
        "closed": ("Дата закрытия", "Предполагаемая дата закрытия"),
        "value": ("Сумма", "Сумма сделки"),
        "currency": ("Валюта",),
        "closed_flag": ("Сделка закрыта", "Закрыта"),
        "product": ("Товар", "Товары", "Продукт", "Направление"),
        "channel": ("Источник",),
        "account": ("Компания", "Контакт"),
    },
    stage_names={"won": ("Сделка успешна", "Deal won"), "lost": ("Сделка провалена", "Анализ причины провала", "Deal lost"),
                 "open": ("Новая", "Подготовка документов", "Счёт на предоплату", "В работе", "Финальный счёт")},
    date_format="%d.%m.%Y %H:%M:%S",
    delimiter=";",
    decimal=",",
    encoding="cp1251",
))

# Generic names used when no preset matches: the column names most CRMs and spreadsheets use.
GENERIC: dict[str, tuple[str, ...]] = {
    "id": ("id", "deal id", "opportunity id", "deal_id", "opportunity_id", "record id", "номер", "№"),
    "rep": ("rep", "sales rep", "sales_rep", "owner", "deal owner", "sales agent", "sales_agent", "agent", "manager",
            "salesperson", "account executive", "assigned to", "responsible", "ответственный", "менеджер",
            "продавец"),
    "stage": ("stage", "deal stage", "deal_stage", "status", "outcome", "result", "этап", "стадия", "статус",
              "этап сделки", "стадия сделки"),
    "created": ("created", "created on", "created_on", "create date", "created date", "created at", "created_at",
                "date created", "open date", "start date", "дата создания", "создана", "создано"),
    "closed": ("closed", "close date", "close_date", "closed date", "closed on", "closed at", "closed_at",
               "date closed", "end date", "дата закрытия", "закрыта"),
    "value": ("value", "amount", "close value", "close_value", "deal value", "revenue", "sum", "price", "сумма",
              "бюджет", "стоимость"),
    "product": ("product", "product name", "product group", "item", "товар", "продукт"),
    "channel": ("channel", "source", "lead source", "lead_source", "источник", "канал"),
    "currency": ("currency", "валюта"),
    "account": ("account", "company", "client", "customer", "organization", "компания", "клиент", "контрагент"),
}


# --------------------------------------------------------------------------- mapping
@dataclass
class Mapping:
    """Which column (index and name) holds each field, and where the mapping came from."""

    columns: dict[str, int]
    names: dict[str, str]
    how: str                          # "preset NAME", "inferred", "mapping file F"
    preset: Preset | None = None
    stages: dict[str, tuple[str, ...]] = field(default_factory=dict)   # from a mapping file
    read: dict[str, Any] = field(default_factory=dict)                 # reading options from a mapping file
    ignored: list[str] = field(default_factory=list)                   # header columns not used

    def describe(self) -> str:
        parts = [f"{f} <- {self.names[f]!r}" for f in FIELDS if f in self.names]
        return f"{self.how}: " + ", ".join(parts)


def expected_names() -> set[str]:
    """Every column name any preset or the generic list knows (normalised)."""
    out = {normalise_name(a) for p in PRESETS.values() for al in p.columns.values() for a in al}
    out |= {normalise_name(a) for al in GENERIC.values() for a in al}
    return out


def _match(header: Sequence[str], aliases: dict[str, Sequence[str]]) -> dict[str, int]:
    norm = [normalise_name(h) for h in header]
    out: dict[str, int] = {}
    used: set[int] = set()
    for f in FIELDS:
        for alias in aliases.get(f, ()):
            key = normalise_name(alias)
            hits = [i for i, h in enumerate(norm) if h == key and i not in used]
            if hits:
                out[f] = hits[0]
                used.add(hits[0])
                break
    return out


def detect(header: Sequence[str], source: str = "export", preset: str | None = None) -> Mapping:
    """Pick the preset whose column names match the header best, or infer the columns.

    With ``preset`` given, only that preset is tried (its required fields must be present).
    """
    if preset is not None:
        if preset not in PRESETS:
            raise UserError(f"unknown preset {preset!r} (choose from: {', '.join(PRESETS)})", field="preset")
        candidates = [PRESETS[preset]]
    else:
        candidates = list(PRESETS.values())
    best: tuple[int, Preset | None, dict[str, int]] = (-1, None, {})
    for p in candidates:
        cols = _match(header, p.columns)
        if all(f in cols for f in REQUIRED):
            score = len(cols)
            if score > best[0]:
                best = (score, p, cols)
    if best[1] is not None:
        p, cols = best[1], best[2]
        how = f"preset {p.name!r} ({p.title}): {len(cols)} of {len(p.columns)} of its columns found"
        return _finish(header, cols, how, p, source)
    if preset is not None:
        p = PRESETS[preset]
        cols = _match(header, p.columns)
        missing = [f"{f} (one of: {', '.join(repr(a) for a in p.aliases(f))})" for f in REQUIRED if f not in cols]
        raise UserError(f"preset {preset!r} does not fit: missing required column(s) {'; '.join(missing)}; "
                        f"the file has: {_show(header)}", source=source)
    cols = _match(header, GENERIC)
    missing = [f for f in REQUIRED if f not in cols]
    if missing:
        raise UserError(
            f"missing required column(s) for {', '.join(missing)}: no preset matches and no column looks like "
            f"{' / '.join(missing)}; the file has: {_show(header)}. Pass --preset NAME ({', '.join(PRESETS)}) "
            "or --mapping FILE", source=source)
    return _finish(header, cols, "inferred from the column names (no preset matched)", None, source)


def _show(header: Sequence[str]) -> str:
    shown = ", ".join(repr(h) for h in header[:12])
    return shown + (", ..." if len(header) > 12 else "")


def _finish(header: Sequence[str], cols: dict[str, int], how: str, preset: Preset | None, source: str) -> Mapping:
    _check_duplicates(header, cols, source)
    names = {f: header[i] for f, i in cols.items()}
    ignored = [h for i, h in enumerate(header) if i not in cols.values() and h]
    return Mapping(cols, names, how, preset, ignored=ignored)


def _check_duplicates(header: Sequence[str], cols: dict[str, int], source: str) -> None:
    norm = [normalise_name(h) for h in header]
    for f, i in cols.items():
        same = [j + 1 for j, h in enumerate(norm) if h == norm[i]]
        if len(same) > 1:
            raise UserError(f"column {header[i]!r} (used for {f}) appears {len(same)} times in the header "
                            f"(columns {', '.join(map(str, same))}); rename one or pass --mapping", source=source)


def load_mapping(path: str | Path, header: Sequence[str], source: str = "export") -> Mapping:
    """Read a mapping file (TOML) and apply it to ``header``.

    Format::

        preset = "hubspot"            # optional: start from a preset's columns
        [columns]                     # field = "column name in the export"
        rep = "Owner Name"
        value = "Deal Value (USD)"
        [stages]                      # extra stage values (any case)
        won = ["Signed"]
        lost = ["Rejected", "No budget"]
        open = ["On hold"]
        [read]                        # optional: override detection
        encoding = "cp1251"           # or utf-8, utf-16, ...
        delimiter = ";"
        decimal = ","
        date_order = "day_first"      # or month_first
        sheet = "Deals"
    """
    p = Path(path)
    src = str(path)
    try:
        raw = tomllib.loads(p.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise UserError("mapping file not found", source=src) from None
    except (UnicodeDecodeError, OSError) as e:
        raise UserError(f"cannot read the mapping file ({e})", source=src) from None
    except tomllib.TOMLDecodeError as e:
        raise UserError(f"not valid TOML: {e}", source=src) from None
    unknown = set(raw) - {"preset", "columns", "stages", "read"}
    if unknown:
        raise UserError(f"unknown key(s) {', '.join(sorted(unknown))} (expected preset, [columns], [stages], [read])",
                        source=src)
    base: dict[str, int] = {}
    preset = None
    if "preset" in raw:
        name = raw["preset"]
        if name not in PRESETS:
            raise UserError(f"unknown preset {name!r} (choose from: {', '.join(PRESETS)})", source=src, field="preset")
        preset = PRESETS[name]
        base = _match(header, preset.columns)
    columns = raw.get("columns", {})
    if not isinstance(columns, dict):
        raise UserError("expected a table [columns] of field = \"column name\"", source=src, field="columns")
    norm = [normalise_name(h) for h in header]
    for f, col in columns.items():
        if f not in FIELDS:
            raise UserError(f"unknown field {f!r} (expected one of: {', '.join(FIELDS)})", source=src,
                            field=f"columns.{f}")
        if not isinstance(col, str):
            raise UserError(f"expected a column name in quotes, got {col!r}", source=src, field=f"columns.{f}")
        key = normalise_name(col)
        if key not in norm:
            raise UserError(f"no column {col!r} in the export (it has: {_show(header)})", source=src,
                            field=f"columns.{f}")
        base[f] = norm.index(key)
    missing = [f for f in REQUIRED if f not in base]
    if missing:
        raise UserError(f"the mapping leaves required field(s) {', '.join(missing)} unmapped", source=src,
                        field="columns")
    stages = raw.get("stages", {})
    if not isinstance(stages, dict) or set(stages) - {"won", "lost", "open", "deleted"}:
        raise UserError("expected [stages] with lists won = [...], lost = [...], open = [...]", source=src,
                        field="stages")
    for k, v in stages.items():
        if not isinstance(v, list) or not all(isinstance(x, str) for x in v):
            raise UserError(f"expected a list of stage names, got {v!r}", source=src, field=f"stages.{k}")
    read = raw.get("read", {})
    allowed = {"encoding", "delimiter", "decimal", "date_order", "sheet"}
    if not isinstance(read, dict) or set(read) - allowed:
        raise UserError(f"expected [read] with some of: {', '.join(sorted(allowed))}", source=src, field="read")
    if read.get("date_order") not in (None, "day_first", "month_first"):
        raise UserError(f"expected 'day_first' or 'month_first', got {read['date_order']!r}", source=src,
                        field="read.date_order")
    if read.get("decimal") not in (None, ".", ","):
        raise UserError(f"expected '.' or ',', got {read['decimal']!r}", source=src, field="read.decimal")
    m = _finish(header, base, f"mapping file {p.name}" + (f" (on preset {preset.name!r})" if preset else ""),
                preset, source)
    m.stages = {k: tuple(v) for k, v in stages.items()}
    m.read = dict(read)
    return m


def read_options(path: str | Path | None) -> dict[str, Any]:
    """The ``[read]`` options of a mapping file (needed before the export can be read)."""
    if path is None:
        return {}
    try:
        raw = tomllib.loads(Path(path).read_text(encoding="utf-8"))
    except Exception:
        return {}  # load_mapping reports the problem properly
    read = raw.get("read", {})
    return read if isinstance(read, dict) else {}
