"""The one table of KPIs: every metric's name, a reader's label, its unit, its good direction
and the values it can take, in the order they are listed.

Every command, chart, report and widget reads its words and units here, so a metric is
called the same everywhere. The table covers:

* every figure of a replication's summary (:meth:`salessim.results.result.Result.summary`),
  including the per-product ``revenue_<P>``, ``won_deals_<P>`` and
  ``commission_pct_of_gross_profit_<P>`` (one :data:`PER_PRODUCT` template each);
* every line of the monthly P&L (:meth:`~salessim.results.result.Result.pnl`) and of the P&L
  by product (:meth:`~salessim.results.result.Result.pnl_by_product`);
* the monthly series the charts draw (:class:`salessim.runs.replication.Series`,
  ``department_monthly``); a series that is a summary metric month by month is an
  :data:`ALIASES` entry of it (``meetings_per_rep`` is ``meetings_per_rep_month``).

**Revenue paid** is what the source documents call *executed* revenue: the value of won
deals that the client actually paid, booked in the month the deal was won. **Revenue
contracted** also counts deals that were signed but never paid.

Units (:attr:`Metric.kind`): ``money`` in the scenario's currency; ``share``, a fraction
from 0 to 1 (shown as %); ``percent``, already x 100; ``count``, with what is counted
(:attr:`Metric.of`: deals, meetings, leads, ...); ``days``, working days; ``hours``; ``ratio``,
a pure number. A rate names its denominator (:attr:`Metric.per`: meetings *per rep-month*).
Figures of a summary are totals over the reported period, or rates over it.

Good direction (:attr:`Metric.direction`): :data:`HIGHER` (+1) more is better, :data:`LOWER`
(-1) less is better, :data:`NEITHER` (0). Pay that grows with sales (commissions, bonuses)
and the cost of goods sold have none: more of them comes with more sales.

Functions: :func:`label`, :func:`unit`, :func:`shown_unit`, :func:`direction`, :func:`bounds`,
:func:`format_value` and :func:`format_number` (the one number format of tables),
:func:`money_text` (money in sentences), :func:`order` (the listing order). Standard library
only.
"""

from __future__ import annotations

import math
import numbers
from dataclasses import dataclass, replace
from typing import Iterable, Literal

#: How a metric is measured (see the module's docstring).
Kind = Literal["money", "share", "percent", "count", "days", "hours", "ratio", "number"]

HIGHER, LOWER, NEITHER = 1, -1, 0
_INF = math.inf


@dataclass(frozen=True)
class Metric:
    """One metric of the table.

    Attributes
    ----------
    name:
        The column or summary key (``won_deals``).
    label:
        A reader's words, lower case and without brackets, so a unit in brackets can follow
        (``deals won``).
    kind:
        The unit kind (:data:`Kind`).
    of:
        For a count, what is counted (``deals``); for a share or a percent, of what
        (``closed deals``: a win rate is a share of closed deals).
    per:
        For a rate, its denominator (``rep-month``).
    direction:
        :data:`HIGHER`, :data:`LOWER` or :data:`NEITHER` is better.
    low, high:
        The values it can take (a share 0-1; a count 0 or more; profit any number).
    summary:
        Whether every replication's summary reports it (P&L-only lines and series do not).
    """

    name: str
    label: str
    kind: Kind
    of: str = ""
    per: str = ""
    direction: int = NEITHER
    low: float = -_INF
    high: float = _INF
    summary: bool = True

    @property
    def bounds(self) -> tuple[float, float]:
        return self.low, self.high


def _m(name: str, label: str, kind: Kind, of: str = "", *, per: str = "", better: int = NEITHER,
       low: float | None = None, summary: bool = True) -> Metric:
    """A table row; shares lie in 0-1, counts, days and hours are 0 or more unless ``low`` says otherwise."""
    lo, hi = -_INF, _INF
    if kind == "share":
        lo, hi = 0.0, 1.0
    elif kind in ("count", "days", "hours"):
        lo = 0.0
    if low is not None:
        lo = low
    return Metric(name, label, kind, of, per, better, lo, hi, summary)


# --------------------------------------------------------------------------- the table
#: Every metric, in the order metrics are listed (experiment tables, ``--kpis`` help): the
#: headline first.
TABLE: tuple[Metric, ...] = (
    # the headline (HEADLINE below, plus payroll and gross margin)
    _m("revenue", "revenue paid", "money", better=HIGHER, low=0.0),
    _m("profit", "profit", "money", better=HIGHER),
    _m("won_deals", "deals won", "count", "deals", better=HIGHER),
    _m("meetings", "meetings held", "count", "meetings", better=HIGHER),
    _m("meetings_per_rep_month", "meetings per rep", "count", "meetings", per="rep-month", better=HIGHER),
    _m("win_rate", "win rate", "share", "closed deals", better=HIGHER),
    _m("avg_deal", "average deal", "money", better=HIGHER, low=0.0),
    _m("cycle_days", "sales cycle", "days", better=LOWER),
    _m("salaries", "fixed salaries", "money", better=LOWER, low=0.0),
    _m("variable_pay", "variable pay", "money", better=LOWER),
    _m("payroll", "payroll with taxes", "money", better=LOWER, low=0.0),
    _m("gross_margin", "gross margin", "money", better=HIGHER),
    _m("intensity", "rep intensity", "share", "full activity", better=HIGHER),
    _m("idle_share", "paid hours with nothing to do", "share", "paid rep hours", better=LOWER),
    _m("quota_attainment_rate", "rep-months at plan", "share", "rep-months", better=HIGHER),
    _m("key_clients_lost_share", "key clients lost", "share", "key clients at the start", better=LOWER),
    _m("dropped_leads", "leads dropped unworked", "count", "leads", better=LOWER),
    # money
    _m("contracted_revenue", "revenue contracted", "money", better=HIGHER, low=0.0),
    _m("new_business_revenue", "revenue paid from new deals", "money", better=HIGHER, low=0.0),
    _m("reorder_revenue", "revenue paid from key-client reorders", "money", better=HIGHER, low=0.0),
    _m("commissions", "commissions", "money"),
    _m("bonuses", "bonuses and prizes", "money"),
    _m("pay_per_rep_month", "pay per rep", "money", per="rep-month", low=0.0),
    _m("cost_of_sales_pct", "cost of sales", "percent", "revenue", better=LOWER),
    _m("commission_pct_of_gross_profit", "commissions relative to gross margin", "percent", "gross margin"),
    _m("clawback_pending", "clawbacks due after the period", "money"),
    _m("draw_outstanding", "recoverable draws still owed", "money"),
    _m("unsold_stock", "unsold stock left at the end", "money", better=LOWER, low=0.0),
    # activity, clients and the back office
    _m("calls", "calls made", "count", "calls"),
    _m("proposals", "proposals sent", "count", "proposals", better=HIGHER),
    _m("lost_deals", "deals lost", "count", "deals", better=LOWER),
    _m("risky_wins", "deals won that never pay", "count", "deals", better=LOWER),
    _m("meeting_to_contract_pct", "meeting-to-contract rate", "percent", "meetings held", better=HIGHER),
    _m("inbound_leads", "inbound leads", "count", "leads"),
    _m("missed_calls", "inbound calls missed", "count", "calls", better=LOWER),
    _m("rep_months", "rep seats filled", "count", "rep-months"),
    _m("attention", "attention from the heads of sales", "share", "the attention reps need", better=HIGHER),
    _m("key_clients_start", "key clients at the start", "count", "key clients"),
    _m("key_clients_lost", "key-client churn", "count", "key clients", better=LOWER),
    _m("acquisition_to_retention_cost", "cost of winning a client against keeping one a year", "ratio"),
    _m("mean_invoice_wait_hours", "wait for an invoice", "hours", per="invoice", better=LOWER),
    # P&L lines that are not summary figures (Result.pnl, Result.pnl_by_product)
    _m("cogs", "cost of goods sold", "money", summary=False),
    _m("payroll_tax", "payroll tax", "money", better=LOWER, summary=False),
    _m("overhead", "overhead", "money", better=LOWER, summary=False),
    _m("training", "training cost", "money", better=LOWER, summary=False),
    _m("inventory_carrying", "cost of carrying unsold stock", "money", better=LOWER, summary=False),
    _m("headcount", "headcount", "count", "people", summary=False),
    _m("inventory_at_cost", "unsold stock at cost", "money", better=LOWER, low=0.0, summary=False),
    _m("commission", "commission on the product", "money", summary=False),  # pnl_by_product: pay traced to it
    # monthly series that are neither (Series.monthly)
    _m("hours_clients", "hours on key clients", "hours", summary=False),
    _m("hours_inbound", "hours on inbound first contact", "hours", summary=False),
)

#: Metric names by name.
METRICS: dict[str, Metric] = {m.name: m for m in TABLE}

#: Monthly series that are a table metric month by month: series name -> metric name.
ALIASES: dict[str, str] = {"meetings_per_rep": "meetings_per_rep_month", "wins": "won_deals",
                           "clients_lost": "key_clients_lost"}

#: Per-product summary metrics: ``<prefix><product>`` -> the metric of the department's total.
PER_PRODUCT: tuple[tuple[str, str], ...] = (
    ("commission_pct_of_gross_profit_", "commission_pct_of_gross_profit"),
    ("won_deals_", "won_deals"),
    ("revenue_", "revenue"),
)

#: The headline KPIs: what ``salessim run`` prints and what a comparison reports by default.
HEADLINE: tuple[str, ...] = (
    "revenue", "profit", "won_deals", "meetings", "meetings_per_rep_month", "win_rate", "avg_deal", "cycle_days",
    "salaries", "variable_pay", "intensity", "quota_attainment_rate", "key_clients_lost_share", "dropped_leads",
)


# --------------------------------------------------------------------------- lookup
def product_of(name: str) -> tuple[str, str] | None:
    """``(metric of the total, product)`` of a per-product name (``revenue_B`` -> ``("revenue", "B")``), else None."""
    if name in METRICS:
        return None
    for prefix, total in PER_PRODUCT:
        if name.startswith(prefix) and len(name) > len(prefix):
            return total, name[len(prefix):]
    return None


def known(name: str) -> bool:
    """Whether the table has ``name`` (a metric, a series alias or a per-product metric)."""
    return name in METRICS or name in ALIASES or product_of(name) is not None


def is_summary(name: str) -> bool:
    """Whether every replication's summary reports ``name`` (not true of a per-product metric:
    it depends on the scenario's products)."""
    m = METRICS.get(name)
    return m is not None and m.summary


def metric(name: str) -> Metric:
    """The table's row for ``name``; a name outside the table (an output of your own function)
    gets a plain row: its name in words, kind ``number``, no direction, any value."""
    m = METRICS.get(name)
    if m is not None:
        return m
    if name in ALIASES:
        return replace(METRICS[ALIASES[name]], name=name)
    pp = product_of(name)
    if pp is not None:
        total, product = pp
        base = METRICS[total]
        return replace(base, name=name, label=f"product {product}: {base.label}")
    return Metric(name, name.replace("_", " "), "number", summary=False)


def label(name: str) -> str:
    """A reader's words for a metric (``won_deals`` -> ``deals won``)."""
    return metric(name).label


def direction(name: str) -> int:
    """+1 if more of ``name`` is better, -1 if less is, 0 if neither (per-product metrics follow their total)."""
    return metric(name).direction


def bounds(name: str) -> tuple[float, float]:
    """The values a metric can take: ``(0, 1)`` for shares, ``(0, inf)`` for counts and amounts that
    cannot be negative, ``(-inf, inf)`` otherwise (profit, pay with clawbacks).

    The true mean lies in this range, so cutting a confidence interval to it keeps its coverage
    and spares a reader "win rate 27.6% [-5.1%, 60.2%]" from two replications.
    """
    return metric(name).bounds


def _with_per(text: str, m: Metric) -> str:
    return f"{text} per {m.per}" if m.per else text


def unit(name: str, currency: str) -> str:
    """The unit of a metric's value, in words: ``USD``, ``USD per rep-month``, ``share of closed
    deals, 0-1``, ``% of revenue``, ``deals``, ``meetings per rep-month``, ``working days``,
    ``hours per invoice``, ``ratio`` (money without a ``currency``: ``currency units``)."""
    m = metric(name)
    if m.kind == "money":
        return _with_per(currency or "currency units", m)
    if m.kind == "share":
        return f"share of {m.of}, 0-1" if m.of else "share, 0-1"
    if m.kind == "percent":
        return f"% of {m.of}" if m.of else "%"
    if m.kind == "count":
        return _with_per(m.of or "count", m)
    if m.kind == "days":
        return _with_per("working days", m)
    if m.kind == "hours":
        return _with_per("hours", m)
    if m.kind == "ratio":
        return "ratio"
    return "value"


def shown_unit(name: str, currency: str) -> str:
    """The unit of :func:`format_value`'s text: as :func:`unit`, but a share is shown in % (``% of closed deals``)."""
    m = metric(name)
    if m.kind == "share":
        return f"% of {m.of}" if m.of else "%"
    return unit(name, currency)


def is_money(name: str) -> bool:
    """Whether a metric is an amount in the scenario's currency."""
    return metric(name).kind == "money"


# --------------------------------------------------------------------------- numbers
def format_value(value: float | None, name: str, currency: str | None = None, *, signed: bool = False) -> str:
    """A metric's value for a table cell, in its :func:`shown_unit` (:func:`format_number` of its kind).

    ``format_value(0.258, "win_rate")`` -> ``25.8%``; ``format_value(1250.4, "revenue", "USD")``
    -> ``1,250 USD``; ``format_value(0.012, "win_rate", signed=True)`` -> ``+1.2 pts``.
    """
    return format_number(value, metric(name).kind, currency, signed=signed)


def format_number(value: float | None, kind: Kind = "number", currency: str | None = None, *,
                  signed: bool = False) -> str:
    """The one number format of tables, by unit kind (for a figure that is not a table metric,
    such as a person's monthly pay).

    Money to the unit with thousands separators; shares (0-1) and percents in % with one
    decimal (a difference, ``signed``, in percentage points: ``+1.2 pts``); counts, days, hours
    and other numbers with one decimal (none from 1,000 on); ratios with two. Missing values
    read ``n/a``. With ``currency``, money carries it (``1,250 USD``), for text without a unit
    column.
    """
    if not isinstance(value, numbers.Real) or not math.isfinite(value):
        return "n/a"
    sign = "+" if signed else ""
    if kind in ("share", "percent"):
        v = 100 * value if kind == "share" else value
        return f"{v:{sign},.1f} pts" if signed else f"{v:,.1f}%"
    if kind == "money":
        text = f"{value:{sign},.0f}"
        return f"{text} {currency}" if currency else text
    if kind == "ratio":
        return f"{value:{sign},.2f}"
    if abs(value) >= 1000:
        return f"{value:{sign},.0f}"
    return f"{value:{sign},.1f}"


def compact(value: float) -> str:
    """A short amount: ``1.25M``, ``350k``, ``5.5k``, ``80`` (a decimal only where it is needed);
    the money ticks of charts and money in sentences."""
    a = abs(value)
    if a >= 1e6:
        return f"{value / 1e6:.2f}".rstrip("0").rstrip(".") + "M"
    if a >= 1e3:
        return f"{value / 1e3:.1f}".rstrip("0").rstrip(".") + "k"
    return f"{value:.0f}"


def money_text(value: float, currency: str, signed: bool = False) -> str:
    """Money for sentences: ``1.2M USD``, ``-310k USD``, ``+950 USD`` (``signed``); ``n/a`` when missing."""
    if value != value:
        return "n/a"
    text = compact(value)
    if signed and value > 0:
        text = "+" + text
    return f"{text} {currency}".strip()


# --------------------------------------------------------------------------- order
def order(names: Iterable[str]) -> list[str]:
    """``names`` in the table's order: its metrics first, then per-product metrics (by total,
    then product), then any other name alphabetically. Duplicates are dropped."""
    position = {m.name: i for i, m in enumerate(TABLE)}

    def key(name: str) -> tuple[int, int, str]:
        if name in position:
            return 0, position[name], ""
        pp = product_of(name)
        if pp is not None:
            return 1, position[pp[0]], pp[1]
        return 2, 0, name

    return sorted(dict.fromkeys(names), key=key)
