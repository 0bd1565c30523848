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
``pipeline_stage`` a second stage column beside a won / lost / open status (Pipedrive's Stage beside its
               Status; a Status beside a Result that is empty while a deal is open): read where the status
               is empty
``lost_reason`` a lost reason: a deal at an open stage with a lost reason is lost (Odoo keeps lost deals in
               their stage, archived, with a reason)
=============  ==============================================================

Each preset lists, per field, the column names its CRM's standard export uses (the first
name is the one :mod:`.export` writes), and where those names come from. Names are compared
case-insensitively with spaces collapsed. If your export differs (a renamed column, another
language), pass a mapping file (:func:`load_mapping`).
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Sequence

import numpy as np

from salessim.calibration.readers import (
    AMBIGUOUS,
    EXACT,
    _cell_text,
    normalise_name,
    parse_amounts,
    parse_date_cells,
    resolve_date_order,
    to_dates,
)
from salessim.errors import UserError

FIELDS = ("id", "rep", "stage", "created", "closed", "value", "product", "channel", "currency", "won_flag",
          "closed_flag", "won_time", "lost_time", "account", "pipeline_stage", "lost_reason")
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

# Generic names used when no preset matches (or to complete one): the column names most CRMs and
# spreadsheets use, in English, Russian, Spanish, Portuguese, French, German and Italian. Compared
# after :func:`name_key` (lower case; ``_ - . /`` read as spaces), so "engage_date" matches "engage date".
GENERIC: dict[str, tuple[str, ...]] = {
    "id": ("id", "deal id", "opportunity id", "record id", "deal number", "opportunity number", "deal no",
           "номер", "№", "id сделки", "номер сделки", "id oportunidad", "numero"),
    "rep": ("rep", "sales rep", "sales representative", "owner", "deal owner", "opportunity owner", "owner name",
            "sales agent", "agent", "salesperson", "sales person", "seller", "account executive", "account manager",
            "assigned to", "assignee", "responsible", "sales owner", "user", "employee", "manager",
            "ответственный", "менеджер", "продавец", "сотрудник", "vendedor", "vendedora", "comercial",
            "responsable", "propietario", "responsável", "verkäufer", "vertriebsmitarbeiter", "mitarbeiter",
            "vendeur", "commercial", "venditore", "agente"),
    "stage": ("stage", "deal stage", "opportunity stage", "pipeline stage", "sales stage", "status", "deal status",
              "outcome", "result", "won lost", "state", "phase", "этап", "стадия", "статус", "этап сделки",
              "стадия сделки", "etapa", "estado", "fase", "statut", "étape", "etape", "stufe", "phase de vente",
              "stato"),
    "created": ("created", "created on", "create date", "created date", "created at", "creation date",
                "date created", "created time", "creation time", "open date", "opened", "opened on", "opened date",
                "date opened", "start", "start date", "started", "engage date", "engaged", "engaged on",
                "engagement date", "first touch", "first touch date", "first contact", "first contact date",
                "lead date", "deal created", "opportunity created", "date added", "added on", "add time",
                "entry date", "дата создания", "создана", "создано", "дата начала", "дата открытия",
                "fecha de creación", "fecha de creacion", "fecha creación", "fecha creacion", "fecha alta",
                "fecha de alta", "data de criação", "data de criacao", "data criação", "erstellt", "erstellt am",
                "erstelldatum", "anlagedatum", "date de création", "date de creation", "date création",
                "data di creazione", "data creazione"),
    "closed": ("closed", "close date", "closed date", "closed on", "closed at", "closing date", "date closed",
               "close", "actual close date", "end date", "дата закрытия", "закрыта",
               "закрыто", "fecha de cierre", "fecha cierre", "data de fechamento", "data fechamento",
               "abschlussdatum", "geschlossen am", "date de clôture", "date de cloture", "data di chiusura",
               "data chiusura"),
    "value": ("value", "amount", "close value", "deal value", "deal amount", "deal size", "revenue", "price", "sum",
              "total", "contract value", "opportunity amount", "sale amount", "sales amount", "сумма", "бюджет",
              "стоимость", "сумма сделки", "importe", "monto", "valor", "betrag", "wert", "umsatz", "montant",
              "valeur", "valore", "importo"),
    "product": ("product", "product name", "products", "product group", "product line", "item", "sku", "service",
                "offering", "товар", "продукт", "услуга", "producto", "produit", "produkt", "prodotto", "produto"),
    "channel": ("channel", "source", "lead source", "origin", "источник", "канал", "canal", "fuente", "origen",
                "quelle", "kanal", "origine"),
    "currency": ("currency", "валюта", "moneda", "moeda", "währung", "devise", "valuta"),
    "account": ("account", "account name", "company", "client", "customer", "organization", "organisation",
                "компания", "клиент", "контрагент", "cliente", "empresa", "kunde", "firma", "société", "entreprise",
                "azienda"),
    # separate won and lost dates (Pipedrive's "Won time" / "Lost time", without its "Deal - " prefix)
    "won_time": ("won time", "won date", "date won", "won on", "won at", "дата выигрыша", "fecha ganada",
                 "gewonnen am"),
    "lost_time": ("lost time", "lost date", "date lost", "lost on", "lost at", "дата проигрыша", "fecha perdida",
                  "verloren am"),
    # yes/no columns: used only when the column holds yes/no values (a "Closed" column of dates is the close date)
    "won_flag": ("won", "is won", "iswon", "won?", "is closed won", "closed won", "deal won", "успешно", "ganada",
                 "gewonnen", "gagné"),
    "closed_flag": ("closed", "is closed", "isclosed", "closed?", "is deal closed", "is deal closed?", "deal closed",
                    "сделка закрыта", "закрыта", "cerrada", "geschlossen", "fermé"),
    "lost_reason": ("lost reason", "loss reason", "reason lost", "reason for loss", "reason for losing",
                    "closed lost reason", "deal lost reason", "lost reason description", "причина отказа",
                    "причина провала", "причина проигрыша", "motivo de pérdida", "motivo de perdida", "motivo perdida",
                    "motivo da perda", "raison de la perte", "motif de perte", "verlustgrund", "grund für verlust",
                    "motivo della perdita", "motivo perdita"),
}
_FLAG_FIELDS = ("won_flag", "closed_flag")

# Word patterns in a column's name (after :func:`name_key`): a weaker hint than a full name, used only when
# the column's content agrees (dates for the two dates, few distinct values for the stage, ...).
NAME_PATTERNS: dict[str, re.Pattern] = {
    "created": re.compile(r"creat|open|engag|start|first (touch|contact)|added|entry|созда|откры|начал|crea|"
                          r"erstell|anlage|ouvert|alta|criad"),
    "closed": re.compile(r"clos|end|finish|закры|cierre|fech(a|amento)|abschluss|cl[oô]tur|"
                         r"chius|ferm"),
    "rep": re.compile(r"owner|agent|\brep\b|sales ?person|seller|executive|assign|responsib|user|employee|"
                      r"ответств|менеджер|продав|сотрудн|vend|comercial|verk[aä]uf|responsa"),
    "stage": re.compile(r"stage|status|state|phase|outcome|result|этап|стади|статус|etapa|estado|fase|statut|"
                        r"[ée]tape|stufe|stato"),
    "value": re.compile(r"value|amount|revenue|price|\bsum\b|total|сумм|бюджет|стоим|importe|monto|valor|betrag|"
                        r"montant|valeur|importo"),
    "product": re.compile(r"product|item|\bsku\b|товар|продук|produ"),
    "lost_reason": re.compile(r"\b(lost|loss|lose)\b.*\breason\b|\breason\b.*\b(lost|loss)\b|причин.*(отказ|провал)|"
                              r"motivo.*perd|verlustgrund|raison.*perte|motif.*perte"),
}
# words that make a column a plan, not a fact ("Est. Revenue", "Expected Close Date"): a column named without
# them is preferred when both match a field's name pattern
_PLANNED = re.compile(r"\b(est|estimated|expected|forecast|projected|planned|target|weighted|potential|"
                      r"предполаг|ожидаем|plan|previst[oa]|esperad[oa]|voraussichtlich|prévu)\b")


# --------------------------------------------------------------------------- stage names
# Outcome words in English, Russian, German, French, Spanish, Portuguese and Italian (the languages of the generic
# column names), for stages no preset or mapping file names (:mod:`.stages`); lost is tried first ("не реализовано"
# holds "реализовано")
_LOST = re.compile(r"(closed[\s_\-]*lost|\blost\b|\blose\b|\bloss\b|провал|не\s+реализ|проигр|отказ|неуспеш|"
                   r"disqualif|unqualif|\bno[\s_\-]+decision|cancel+ed|out[\s_\-]?sold|\bdead\b|\bdeclined\b|"
                   r"\bverloren\b|storniert|\bperdu(e|es|s)?\b|\bperdid[oa]s?\b|\bpers[oa]\b|\bperdeu\b)")
_WON = re.compile(r"(closed[\s_\-]*won|\bwon\b|\bwin\b|успешн|выигр|реализовано|\bgewonnen\b|\bgagn[ée]e?s?\b|"
                  r"\bganad[oa]s?\b|\bganh[oa]s?\b|\bvint[oa]\b)")
# "Closed - Disqualified", "Closed (No Decision)", "Closed/Cancelled": closed, and not won, is lost ("Closed" alone
# says nothing about the outcome)
_CLOSED_OTHER = re.compile(r"\bclosed\b\W*[^\W\d_]")
_DELETED = re.compile(r"^(deleted|удал[её]н[аоы]?)$")


def outcome_by_name(key: str) -> tuple[str, str] | None:
    """The outcome a stage's name (lower case, :func:`normalise_name`) says by the patterns, with the rule; None
    when it names none (an open pipeline stage)."""
    if _DELETED.match(key):
        return "deleted", "name: deleted"
    if _LOST.search(key):
        return "lost", "name pattern (lost)"
    if _WON.search(key):
        return "won", "name pattern (won)"
    if _CLOSED_OTHER.search(key):
        return "lost", "name pattern (closed, not won: lost)"
    return None


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
    found_by: dict[str, str] = field(default_factory=dict)             # field -> how it was found

    def describe(self) -> str:
        parts = []
        for f in FIELDS:
            if f in self.names:
                by = self.found_by.get(f, "")
                parts.append(f"{f} <- {self.names[f]!r}" + (f" ({by})" if by and not by.startswith("preset") else ""))
        return f"{self.how}: " + ", ".join(parts)


def name_key(name: Any) -> str:
    """A column name compared loosely: :func:`normalise_name`, with ``_ - . / :`` read as spaces and a unit in
    brackets dropped ("Deal Value (USD)" -> "deal value", "engage_date" -> "engage date")."""
    s = normalise_name(name)
    s = re.sub(r"\([^)]*\)|\[[^]]*\]", " ", s)
    s = re.sub(r"[_\-./:]+", " ", s)
    return re.sub(r"\s+", " ", s).strip()


def expected_names() -> set[str]:
    """Every column name any preset or the generic list knows (normalised)."""
    out = {normalise_name(a) for p in PRESETS.values() for al in p.columns.values() for a in al}
    out |= {normalise_name(a) for al in GENERIC.values() for a in al}
    out |= {name_key(a) for al in GENERIC.values() for a in al}
    return out


def _match(header: Sequence[str], aliases: dict[str, Sequence[str]], taken: set[int] | None = None,
           skip: set[str] | None = None, not_dates: set[int] | None = None) -> dict[str, int]:
    """The first column named by each field's aliases; ``not_dates``: columns a date field never takes (yes/no
    columns: Salesforce's "Closed" is a flag, not the close date)."""
    norm = [normalise_name(h) for h in header]
    keys = [name_key(h) for h in header]
    out: dict[str, int] = {}
    used: set[int] = set(taken or ())
    for f in FIELDS:
        if skip and f in skip:
            continue
        barred = (not_dates or set()) if f in _DATE_FIELDS else set()
        for alias in aliases.get(f, ()):
            a, k = normalise_name(alias), name_key(alias)
            hits = [i for i in range(len(header)) if (norm[i] == a or keys[i] == k) and i not in used
                    and i not in barred]
            if hits:
                out[f] = hits[0]
                used.add(hits[0])
                break
    return out


# --------------------------------------------------------------------------- content of the columns
_DATE_FIELDS = ("created", "closed", "won_time", "lost_time")
_OUTCOME_WORD = re.compile(r"\bwon\b|\blost\b|closed|\bwin\b|успеш|провал|реализ|ganad|perdid|gewonnen|verloren|"
                           r"gagn|perdu|vinto|perso|ganh|disqualif", re.IGNORECASE)
_PERSON = re.compile(r"^[A-ZА-ЯЁÀ-Þ][\w'’.\-]+(?: [A-ZА-ЯЁÀ-Þ][\w'’.\-]*)+$")
_SAMPLE_ROWS = 4000
_YES_NO = {"yes", "no", "y", "n", "true", "false", "1", "0", "да", "нет", "истина", "ложь", "sí", "si", "sim", "não",
           "nao", "oui", "non", "ja", "nein", "wahr", "falsch", "vero", "falso", "verdadero", "x"}


@dataclass
class _Column:
    """What a column holds, from a sample of its cells."""

    filled: float = 0.0       # share of rows with a value
    dates: float = 0.0        # share of the filled cells that read as dates
    numbers: float = 0.0      # share of the filled cells that read as numbers
    distinct: int = 0
    outcome_like: bool = False
    person_like: float = 0.0  # share of filled cells that look like a person's name
    dates_value: Any = None   # datetime64[D] per sampled row (NaT where empty or not a date)
    yes_no: bool = False      # every filled cell is a yes/no value (true/false, yes/no, 1/0, да/нет, ...)
    values: tuple = ()        # the distinct filled values (up to 200), for the stage checks

    @property
    def is_date(self) -> bool:
        return self.filled > 0 and self.dates >= 0.8

    @property
    def is_text(self) -> bool:
        return self.filled > 0 and self.dates < 0.5 and self.numbers < 0.5


def profile_columns(header: Sequence[str], rows: Sequence[Sequence[Any]]) -> list[_Column]:
    """A :class:`_Column` per header column, from an even sample of the rows."""
    step = max(1, len(rows) // _SAMPLE_ROWS)
    sample = list(rows[::step])
    out = []
    for j in range(len(header)):
        cells = [r[j] if j < len(r) else "" for r in sample]
        text = [_cell_text(c) for c in cells]
        filled = [t for t in text if t]
        col = _Column()
        if not sample or not filled:
            out.append(col)
            continue
        col.filled = len(filled) / len(sample)
        dc = parse_date_cells(cells)
        kinds = dc.kind[[bool(t) for t in text]]
        col.dates = float(np.mean((kinds == EXACT) | (kinds == AMBIGUOUS)))
        if col.dates >= 0.5:
            col.dates_value, _ = to_dates(dc, resolve_date_order([dc]))
        am = parse_amounts([c for c, t in zip(cells, text) if t])
        col.numbers = float(np.mean(~am.bad & ~np.isnan(am.values)))
        uniq = set(filled)
        col.distinct = len(uniq)
        col.outcome_like = any(_OUTCOME_WORD.search(u) for u in list(uniq)[:200])
        col.person_like = float(np.mean([bool(_PERSON.match(t)) for t in filled]))
        col.yes_no = len(uniq) <= 2 and all(normalise_name(u) in _YES_NO for u in uniq)
        col.values = tuple(sorted(uniq)[:200])
        out.append(col)
    return out


def _content_ok(f: str, c: _Column | None) -> bool:
    """Whether a column matched by name holds what ``f`` needs (True when the content is not known)."""
    if c is None:
        return True
    if f in _DATE_FIELDS:
        return c.filled == 0 or c.dates >= 0.8
    if f == "value":
        return c.filled == 0 or c.numbers >= 0.5 or c.dates < 0.5
    if f in ("rep", "stage", "product"):
        return c.filled == 0 or (c.dates < 0.5 and (f != "stage" or c.distinct <= 200))
    return True


def _before_share(a: Any, b: Any) -> tuple[float, int]:
    """Share of rows with both dates where ``a <= b``, and how many rows have both."""
    both = ~np.isnat(a) & ~np.isnat(b)
    n = int(both.sum())
    return (float(np.mean(a[both] <= b[both])) if n else 0.0), n


class _Ambiguous(Exception):
    pass


def _by_content(f: str, header: Sequence[str], prof: list[_Column], cols: dict[str, int]) -> tuple[int, str] | None:
    """The column that holds ``f`` judged by its content, with the evidence; None if none; raises
    :class:`_Ambiguous` (with the message) when two columns fit equally well."""
    free = [j for j in range(len(header)) if j not in cols.values() and header[j]]
    if f in ("created", "closed"):
        other = "closed" if f == "created" else "created"
        cands = [j for j in free if prof[j].is_date and prof[j].filled >= (0.3 if f == "created" else 0.1)]
        if other in cols and prof[cols[other]].dates_value is not None:
            ref = prof[cols[other]].dates_value
            keep = []
            for j in cands:
                share, n = (_before_share(prof[j].dates_value, ref) if f == "created"
                            else _before_share(ref, prof[j].dates_value))
                if n == 0 or share >= 0.9:
                    keep.append(j)
            cands = keep
        elif len(cands) == 2 and f == "created":
            a, b = cands
            share, n = _before_share(prof[a].dates_value, prof[b].dates_value)
            if n and share != 0.5:
                cands = [a if share > 0.5 else b]
        if not cands:
            return None
        cands.sort(key=lambda j: -prof[j].filled)
        if len(cands) > 1 and prof[cands[0]].filled - prof[cands[1]].filled < 0.05:
            raise _Ambiguous(f"{_WHAT[f]}: {header[cands[0]]!r} or {header[cands[1]]!r}")
        j = cands[0]
        why = f"by content: dates on {prof[j].filled:.0%} of rows" + (
            ", not after the close date" if f == "created" and "closed" in cols else "")
        return j, why
    if f == "stage":
        cands = [j for j in free if prof[j].is_text and 2 <= prof[j].distinct <= 30]
        looks = [j for j in cands if prof[j].outcome_like]
        pick = looks or cands
        if not pick:
            return None
        if len(pick) > 1:
            raise _Ambiguous(f"{_WHAT[f]}: " + " or ".join(repr(header[j]) for j in pick[:4]))
        j = pick[0]
        return j, f"by content: {prof[j].distinct} distinct values" + (" naming won/lost" if looks else "")
    if f == "rep":
        cands = [j for j in free if prof[j].is_text and prof[j].filled >= 0.8 and prof[j].person_like >= 0.6
                 and prof[j].distinct >= 1]
        if not cands:
            return None
        if len(cands) > 1:
            raise _Ambiguous(f"{_WHAT[f]}: " + " or ".join(repr(header[j]) for j in cands[:4]))
        j = cands[0]
        return j, f"by content: {prof[j].distinct} distinct people's names"
    return None


def _outcomes_named(values: Sequence[str], preset: Preset | None) -> int:
    """How many of won and lost a column's distinct values name (0, 1 or 2), by the preset's stage names and the
    patterns (:func:`outcome_by_name`)."""
    own = {normalise_name(n): o for o, names in (preset.stage_names.items() if preset else ()) for n in names}
    got = set()
    for v in values:
        key = normalise_name(v)
        got.add(own.get(key) or (outcome_by_name(key) or ("open", ""))[0])
    return int("won" in got) + int("lost" in got)


def _choose_stage(header: Sequence[str], prof: list[_Column], cols: dict[str, int], found: dict[str, str],
                  chosen_preset: Preset | None) -> None:
    """Of the columns named like a stage or status, the one whose values name won and lost holds the outcome:
    Pipedrive's "Status" (open / won / lost) beside its pipeline "Stage", or a "Result" (Won / Lost, empty while
    open) beside a "Status" (Open / Closed). The other becomes ``pipeline_stage``, read where the outcome is empty.
    Nothing changes when the stage found names both, or yes/no Won / Closed columns decide the outcome."""
    if "stage" not in cols or "won_flag" in cols or "closed_flag" in cols or "pipeline_stage" in cols \
            or not found.get("stage", "").startswith(("preset", "by")):
        return
    keys = [name_key(h) for h in header]
    stage_names = {name_key(a) for a in GENERIC["stage"]} | {
        name_key(a) for p in PRESETS.values() for a in p.columns.get("stage", ())}
    cur = cols["stage"]
    taken = set(cols.values()) - {cur}
    cands = [j for j in range(len(header)) if j not in taken and prof[j].is_text and 0 < prof[j].distinct <= 200
             and (keys[j] in stage_names or NAME_PATTERNS["stage"].search(keys[j]))]
    if cur not in cands:
        return
    score = {j: _outcomes_named(prof[j].values, chosen_preset) for j in cands}
    best = max(cands, key=lambda j: (score[j], j == cur))
    if best == cur or score[best] <= score[cur]:
        return
    how = found.get("stage", "")
    cols["stage"], found["stage"] = best, (f"by name; its values name won and lost, {header[cur]!r}'s do not")
    cols["pipeline_stage"], found["pipeline_stage"] = cur, (how or "by name") + "; read where the status is empty"


_WHAT = {"created": "the created date", "closed": "the close date", "stage": "the stage (won / lost / open)",
         "rep": "the rep (deal owner)", "value": "the amount", "product": "the product"}


def detect(header: Sequence[str], source: str = "export", preset: str | None = None,
           rows: Sequence[Sequence[Any]] | None = None, overrides: dict[str, str] | None = None,
           override_source: str = "--map", override_path: str | None = None) -> Mapping:
    """Find the column of each field.

    In order: ``overrides`` (a mapping file's or ``--map``'s ``field = column``); the preset whose column
    names match most of the header (``preset`` forces one); for the fields still missing, the generic
    names (:data:`GENERIC`), then name patterns (:data:`NAME_PATTERNS`) whose column's content agrees, then,
    for the required fields and the close date, the content alone (a date column filled on most rows and
    not after the close date; a text column with few distinct values that look like stages; a column of
    people's names). ``rows`` (the data) enables the content checks. A required field nobody can find, or
    two columns that fit equally well, is one :class:`UserError` naming the choice to make.
    """
    if preset is not None and preset not in PRESETS:
        raise UserError(f"unknown preset {preset!r} (choose from: {', '.join(PRESETS)})", field="preset")
    prof = profile_columns(header, rows) if rows is not None else None
    cols: dict[str, int] = {}
    found: dict[str, str] = {}
    norm = [normalise_name(h) for h in header]
    keys = [name_key(h) for h in header]
    for f, col in (overrides or {}).items():
        if f not in FIELDS:
            raise UserError(f"unknown field {f!r} (expected one of: {', '.join(FIELDS)})", source=override_path,
                            field=f"columns.{f}" if override_path else "--map")
        hit = [i for i in range(len(header)) if norm[i] == normalise_name(col)] or \
              [i for i in range(len(header)) if keys[i] == name_key(col)]
        if not hit:
            raise UserError(f"no column {col!r} in the export (it has: {_show(header)})", source=override_path,
                            field=f"columns.{f}" if override_path else f"--map {f}")
        cols[f] = hit[0]
        found[f] = override_source
    chosen: Preset | None = None
    candidates = [PRESETS[preset]] if preset is not None else list(PRESETS.values())
    best: tuple[tuple[int, int], Preset | None, dict[str, int]] = ((0, 0), None, {})
    yes_no = {j for j in range(len(header)) if prof is not None and prof[j].yes_no}
    for p in candidates:
        m = _match(header, p.columns, set(cols.values()), set(cols), not_dates=yes_no)
        have = set(m) | set(cols)
        score = (sum(1 for f in REQUIRED if f in have), len(m))
        own = sum(1 for f in REQUIRED if f in m)     # a preset must name at least two required columns itself
        if (preset is not None or own >= 2) and score > best[0]:
            best = (score, p, m)
    if best[1] is not None:
        chosen = best[1]
        for f, i in best[2].items():
            cols[f], found[f] = i, f"preset {chosen.name}"
    n_preset = sum(1 for v in found.values() if v.startswith("preset"))
    # the generic names, then name patterns with content that agrees
    # (a column named exactly is used whatever it holds: validation then counts its bad cells by row)
    # yes/no columns named like a Won or Closed flag, before the dates (a "Closed" of yes/no is not the close date)
    for f in _FLAG_FIELDS:
        if f not in cols:
            hit = _match(header, {f: GENERIC[f]}, set(cols.values()), set(cols)).get(f)
            if hit is not None and hit in yes_no:
                cols[f], found[f] = hit, "by name, yes/no values"
    plain = {f: a for f, a in GENERIC.items() if f not in _FLAG_FIELDS}
    for f, i in _match(header, plain, set(cols.values()), set(cols), not_dates=yes_no).items():
        cols[f], found[f] = i, "by name"
    if prof is not None:
        for f in ("created", "closed", "rep", "stage", "value", "product", "lost_reason"):
            if f in cols:
                continue
            hits = [i for i in range(len(header)) if i not in cols.values() and NAME_PATTERNS[f].search(keys[i])
                    and _content_ok(f, prof[i]) and prof[i].filled > 0]
            if f in ("rep", "stage", "product", "lost_reason"):
                hits = [i for i in hits if prof[i].is_text]
            if f == "value":
                hits = [i for i in hits if prof[i].numbers >= 0.5]
            # "Actual Revenue" before "Est. Revenue", "Closed On" before "Expected Close Date"; an expected close
            # date is never the close when the export has won and lost dates
            hits.sort(key=lambda i: bool(_PLANNED.search(keys[i])))
            if f == "closed" and ("won_time" in cols or "lost_time" in cols):
                hits = [i for i in hits if not _PLANNED.search(keys[i])]
            if len(hits) >= 1:
                cols[f], found[f] = hits[0], "by a word in its name, content agrees"
        _choose_stage(header, prof, cols, found, chosen_preset=best[1])
        for f in ("stage", "created", "closed", "rep"):
            if f in cols or (f == "closed" and "won_time" in cols and "lost_time" in cols):
                continue
            try:
                got = _by_content(f, header, prof, cols)
            except _Ambiguous as e:
                raise UserError(f"cannot tell which column holds {e}; pass --map {f}=COLUMN (or name it in a "
                                f"mapping file)", source=source) from None
            if got is not None:
                cols[f], found[f] = got
    missing = [f for f in REQUIRED if f not in cols]
    if missing and preset is not None:
        p = PRESETS[preset]
        why = [f"{f} (one of: {', '.join(repr(a) for a in p.aliases(f))})" for f in missing]
        raise UserError(f"preset {preset!r} does not fit: missing required column(s) {'; '.join(why)}; "
                        f"the file has: {_show(header)}", source=source)
    if missing:
        looks = "; ".join(f"{_WHAT[f]}" for f in missing)
        raise UserError(
            f"missing required column(s) for {', '.join(missing)}: no column is named or looks like {looks}; the "
            f"file has: {_show(header)}. Pass --map {missing[0]}=COLUMN" + (" (and the others)" if len(missing) > 1
                                                                           else "")
            + f" or --preset NAME ({', '.join(PRESETS)})", source=source)
    if overrides and override_source.startswith("mapping"):
        how = override_source + (f" (on preset {chosen.name!r})" if chosen is not None and n_preset else "")
    elif chosen is not None and n_preset:
        how = f"preset {chosen.name!r} ({chosen.title}): {n_preset} of {len(chosen.columns)} of its columns found"
        extra = [f for f, v in found.items() if not v.startswith("preset")]
        if extra:
            how += f"; {', '.join(extra)} found otherwise"
    else:
        chosen = None
        how = "inferred from the column names and content (no preset matched)"
    return _finish(header, cols, how, chosen, source, found)


def _show(header: Sequence[str]) -> str:
    shown = ", ".join(repr(h) for h in header[:12])
    return shown + (", ..." if len(header) > 12 else "")


def _finish(header: Sequence[str], cols: dict[str, int], how: str, preset: Preset | None, source: str,
            found: dict[str, str] | None = None) -> Mapping:
    _check_duplicates(header, cols, source)
    names = {f: header[i] for f, i in cols.items()}
    ignored = [h for i, h in enumerate(header) if i not in cols.values() and h]
    return Mapping(cols, names, how, preset, ignored=ignored, found_by=dict(found or {}))


def _check_duplicates(header: Sequence[str], cols: dict[str, int], source: str) -> None:
    norm = [normalise_name(h) for h in header]
    for f, i in cols.items():
        same = [j + 1 for j, h in enumerate(norm) if h == norm[i]]
        if len(same) > 1:
            raise UserError(f"column {header[i]!r} (used for {f}) appears {len(same)} times in the header "
                            f"(columns {', '.join(map(str, same))}); rename one or pass --mapping", source=source)


def parse_map_flags(items: Sequence[str] | None) -> dict[str, str]:
    """``--map FIELD=COLUMN`` flags as a dict (a bad one is a :class:`UserError` naming it)."""
    out: dict[str, str] = {}
    for it in items or ():
        f, sep, col = it.partition("=")
        f, col = f.strip(), col.strip()
        if not sep or not f or not col:
            raise UserError(f"expected FIELD=COLUMN (e.g. created=engage_date), got {it!r}", field="--map")
        if f not in FIELDS:
            raise UserError(f"unknown field {f!r} in {it!r} (expected one of: {', '.join(FIELDS)})", field="--map")
        out[f] = col
    return out


def load_mapping(path: str | Path, header: Sequence[str], source: str = "export",
                 rows: Sequence[Sequence[Any]] | None = None, overrides: dict[str, str] | None = None) -> Mapping:
    """Read a mapping file (TOML) and apply it to ``header``.

    It overrides only what it names: the other fields are still detected (:func:`detect`). Format::

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

    ``overrides`` (``--map`` flags) win over the file's ``[columns]``.
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
    preset = raw.get("preset")
    if preset is not None and preset not in PRESETS:
        raise UserError(f"unknown preset {preset!r} (choose from: {', '.join(PRESETS)})", source=src, field="preset")
    columns = raw.get("columns", {})
    if not isinstance(columns, dict):
        raise UserError("expected a table [columns] of field = \"column name\"", source=src, field="columns")
    for f, col in columns.items():
        if f not in FIELDS:
            raise UserError(f"unknown field {f!r} (expected one of: {', '.join(FIELDS)})", source=src,
                            field=f"columns.{f}")
        if not isinstance(col, str):
            raise UserError(f"expected a column name in quotes, got {col!r}", source=src, field=f"columns.{f}")
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
    named = {f: str(c) for f, c in columns.items()}
    m = detect(header, source, preset, rows, named, override_source=f"mapping file {p.name}", override_path=src)
    if overrides:
        m = detect(header, source, preset, rows, {**named, **overrides}, override_source=f"mapping file {p.name}",
                   override_path=src)
        for f in overrides:
            m.found_by[f] = "--map"
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
