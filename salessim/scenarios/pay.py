"""The parts a pay scheme is built from, as they are declared in a scenario's ``[pay]`` table.

A scheme is a list of components (``[[pay.components]]``), each with a ``type``, plus an
optional lead hand-off role (``[pay.handoff]``). Money is in the scenario's currency and per
calendar month unless a name says otherwise; *attainment* is the rep's plan fact divided
by their (pro-rated) monthly plan, so ``1.0`` = 100% of plan.

========================  =================================================================
``type``                  pays
========================  =================================================================
``salary``                a fixed salary per month, replacing the team's ``salary_per_month``
``draw``                  a guaranteed minimum of variable pay for new hires, recoverable or not
``commission``            a share of revenue or margin, with a rate per product or group
``plan_fulfilment``       variable pay linear in attainment (the documents' 50/50 scheme)
``tiered``                rates by attainment band: thresholds, accelerators, decelerators, caps
``per_action``            an amount per funnel action: call, contact, meeting, deal, ...
``bonus``                 a lump sum (and/or an amount per unit above target) per monthly metric
``contest``               a monthly prize to the top rep on a metric
``clawback``              recovers pay given on deals that are never paid, and on lost key clients
``override``              a supervisor's share of their team's revenue or margin
========================  =================================================================

Every component may name the rep groups it applies to (``reps = ["senior"]``, the ids of
``[[team.reps]]``); without it, it applies to every rep. ``name`` labels its column in
payroll (default: the type).

Structural checks that need the whole scenario (a rate for an unknown product, tiers that
overlap, a cap below a threshold) are in :func:`check_pay_references`, which raises
:class:`~salessim.scenarios.schema.CrossFieldError` naming the exact field.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated, Literal, Union

from pydantic import BaseModel, ConfigDict, Field

from salessim.errors import shown
from salessim.scenarios.cross_field import CrossFieldError
from salessim.scenarios.numbers import MAX_AMOUNT, Amount, Flag, PayMonth, Real, Whole

if TYPE_CHECKING:  # pragma: no cover
    from salessim.scenarios.schema import Scenario

#: A rate: a share of a base (0 to 10: ten times the base at most).
Rate = Annotated[Real, Field(ge=0, le=10)]
#: An amount of money (currency), 0 to a billion; pay per month is at most 10 million.
Money = Amount

#: What a rate applies to. ``revenue`` and ``margin`` are *contracted* value (signed deals,
#: whether or not they are ever paid); ``executed_*`` counts only deals actually executed
#: and paid.
Base = Literal["revenue", "margin", "executed_revenue", "executed_margin"]
CONTRACTED_BASES = frozenset({"revenue", "margin"})

#: Funnel actions that can be paid per unit, and the counter each one reads.
ACTIONS: dict[str, str] = {
    "call": "calls",                    # an outbound dial
    "contact": "connects",              # a decision maker reached on an outbound call
    "client_contact": "client_contacts",  # a contact with an existing key client
    "meeting": "meetings",              # a meeting held
    "proposal": "proposals",            # a commercial proposal sent
    "deal": "wins",                     # a contract signed (contracted)
    "executed_deal": "executed_wins",   # a contract signed that is executed (paid)
}
Action = Literal["call", "contact", "client_contact", "meeting", "proposal", "deal", "executed_deal"]

#: Monthly metrics for bonuses and contests (all "higher is better").
Metric = Literal[
    "calls_per_day",          # outbound dials per day present
    "meetings",               # meetings held
    "new_clients",            # new deals won (every new deal is a new client)
    "orders",                 # new deals won + key-client reorders
    "returning_clients_pct",  # key clients who reordered / active key clients x 100
    "successful_calls_pct",   # dials that reached a decision maker / dials x 100
    "attainment_pct",         # plan fact / plan x 100
    "revenue",                # contracted revenue, new deals + reorders
    "margin",
    "executed_revenue",       # executed (paid) revenue, new deals + reorders
    "executed_margin",
    "client_contacts",        # key-client contacts made
]
METRICS: tuple[str, ...] = Metric.__args__  # type: ignore[attr-defined]


class _Component(BaseModel):
    model_config = ConfigDict(extra="forbid", populate_by_name=True, allow_inf_nan=False)

    name: str | None = Field(None, min_length=1, max_length=40, pattern=r"^[A-Za-z0-9_]+$",
                             description="Label of this part in payroll (default: the type).")
    reps: list[Annotated[str, Field(max_length=64)]] | None = Field(
        None, max_length=10_000, description="Rep groups (team.reps ids) it applies to; none = every rep.")

    @property
    def part(self) -> str:
        """The payroll part this component's pay is reported under."""
        return self.name or self.type  # type: ignore[attr-defined]

    def problems(self, scenario: "Scenario") -> list[tuple[str, str]]:
        """Inconsistencies as (sub-field, message); empty when the component is sound."""
        return []


class Salary(_Component):
    """A fixed salary (currency per month), pro-rated by the working days employed.

    It replaces the ``salary_per_month`` of the rep groups it applies to, so a scheme file
    can carry the whole pay package. Without a salary component the team's salaries apply.
    """

    type: Literal["salary"]
    per_month: PayMonth = Field(description="Fixed salary (currency per month, at most 10 million).")


class Draw(_Component):
    """A guaranteed minimum of variable pay while a hire ramps up.

    In each month of a seat holder's first ``months`` of tenure, variable pay is topped up to
    ``per_month`` (pro-rated by the draw days in the month). A *non-recoverable* draw is a
    gift. A *recoverable* draw is an advance: the top-ups accumulate as a balance that is
    withheld from later variable pay above the guarantee (at most ``recovery_share`` of it
    each month) until repaid. A balance still owed when the holder leaves is written off.
    """

    type: Literal["draw"]
    per_month: PayMonth = Field(description="Guaranteed variable pay per month in the draw period (currency, at most "
                                            "10 million).")
    months: Real | None = Field(None, gt=0, le=60, description="Draw period from hire (months, at most 60); none = "
                                                               "people.ramp_months.")
    recoverable: Flag = Field(False, description="true = an advance repaid from later variable pay.")
    recovery_share: Real = Field(1.0, gt=0, le=1, description="Largest share of a month's variable pay above the guarantee withheld to repay.")


class Commission(_Component):
    """A share of revenue or margin, with a rate per product or product group."""

    type: Literal["commission"]
    base: Base = Field(description="What the rate applies to; executed_* counts only deals actually paid.")
    rates: dict[Annotated[str, Field(max_length=64)], Rate] = Field(
        default_factory=dict, max_length=1_000, description="Rate per product or product group (share of the base, "
                                                            "0 to 10)."
    )
    default_rate: Rate = Field(0.0, description="Rate for products not listed.")
    include_reorders: Flag = Field(True, description="Also pay on key clients' reorders.")
    cap_per_month: Money | None = Field(None, description="Most this component pays a rep in a month (currency, at "
                                                          "most a billion).")

    def problems(self, scenario):
        return _rate_problems(self.rates, scenario)


class PlanFulfilment(_Component):
    """Variable pay linear in plan attainment (the documents' 50/50 scheme).

    At 100% of plan the variable part is ``variable_at_plan`` (currency), or
    ``variable_at_plan_per_salary`` x the month's salary; it is linear in attainment, so 3x
    plan pays 3x that (50/50: 50% + 50% x 3 = 200% of on-plan income). Below
    ``threshold_fulfilment`` nothing is paid; above ``cap_fulfilment`` nothing more. Fact is
    counted per ``plan.fact_basis`` (value won, or value executed).
    """

    type: Literal["plan_fulfilment"]
    variable_at_plan_per_salary: Real = Field(1.0, ge=0, le=20, description="Variable pay at 100% of plan (salaries, 0 to 20).")
    variable_at_plan: PayMonth | None = Field(None, description="Variable pay at 100% of plan (currency, at most 10 "
                                                                "million); overrides the above.")
    threshold_fulfilment: Real = Field(0.0, ge=0, le=10, description="Attainment below which nothing is paid (1 = 100%).")
    cap_fulfilment: Real | None = Field(None, gt=0, le=20, description="Attainment above which nothing more is paid (1 = 100%; at most 20).")

    def problems(self, scenario):
        if self.cap_fulfilment is not None and self.cap_fulfilment <= self.threshold_fulfilment:
            return [("cap_fulfilment", f"expected a cap above threshold_fulfilment ({self.threshold_fulfilment:g}), "
                                       f"got {self.cap_fulfilment:g}")]
        return []


class Tier(BaseModel):
    """One attainment band ``[from, to)`` and the rate paid on the base earned in it."""

    model_config = ConfigDict(extra="forbid", populate_by_name=True, allow_inf_nan=False)
    start: Real = Field(alias="from", ge=0, le=20, description="Attainment where the band starts (1 = 100% of plan).")
    end: Real | None = Field(None, alias="to", gt=0, le=20, description="Attainment where it ends (1 = 100%; at most 20); none = the next band's start.")
    rate: Rate = Field(description="Share of the base paid on what is earned in this band.")


class Tiered(_Component):
    """Rates by attainment band: thresholds, accelerators, decelerators and caps.

    The month's base (revenue or margin) is shared out over the bands in proportion to the
    attainment that falls in each, and each share is paid at its band's rate (like income
    tax brackets). Attainment below the first band (a *threshold*), in a gap between bands,
    or above ``cap`` earns nothing. A higher rate in a later band is an *accelerator*, a
    lower one a *decelerator*. With ``retroactive = true`` the rate of the band the month
    ends in applies to the whole base instead (a step scheme: crossing a threshold pays
    from the first sale).
    """

    type: Literal["tiered"]
    base: Base = Field(description="What the rates apply to.")
    include_reorders: Flag = Field(True, description="Count key clients' reorders in the base.")
    tiers: list[Tier] = Field(min_length=1, max_length=100, description="Bands in ascending order, none overlapping.")
    cap: Real | None = Field(None, gt=0, le=20, description="Attainment above which nothing more is paid (1 = 100%; at most 20).")
    retroactive: Flag = Field(False, description="true = the final band's rate applies to the whole base.")
    cap_per_month: Money | None = Field(None, description="Most this component pays a rep in a month (currency, at "
                                                          "most a billion).")

    def bands(self) -> list[tuple[float, float, float]]:
        """(start, end, rate) of each band; the last ends at ``cap`` or infinity; clipped at ``cap``."""
        out = []
        top = self.cap if self.cap is not None else float("inf")
        for i, t in enumerate(self.tiers):
            nxt = self.tiers[i + 1].start if i + 1 < len(self.tiers) else float("inf")
            end = t.end if t.end is not None else nxt
            out.append((t.start, min(end, top), t.rate))
        return [b for b in out if b[1] > b[0]]

    def has_decelerator(self) -> bool:
        """True if a later band pays a lower rate than an earlier one."""
        rates = [t.rate for t in self.tiers]
        return any(b < a for a, b in zip(rates, rates[1:]))

    def problems(self, scenario):
        out = []
        for i in range(len(self.tiers)):
            t = self.tiers[i]
            if t.end is not None and t.end <= t.start:
                out.append((f"tiers.{i}.to", f"expected a band end above its start ({t.start:g}), got {t.end:g}"))
            if i + 1 < len(self.tiers):
                nxt = self.tiers[i + 1]
                end = t.end if t.end is not None else nxt.start
                if nxt.start <= t.start or end > nxt.start:
                    out.append((f"tiers.{i + 1}.from",
                                f"tiers overlap: band {i} covers [{t.start:g}, {end:g}) but band {i + 1} starts at "
                                f"{nxt.start:g} (expected bands in ascending order, each starting at or after the "
                                f"previous one's end)"))
        if self.cap is not None and self.cap <= self.tiers[0].start:
            out.append(("cap", f"expected a cap above the first threshold ({self.tiers[0].start:g}), got {self.cap:g}"))
        return out


class PerAction(_Component):
    """An amount per funnel action (derived from funnel analysis): call, contact, meeting, deal."""

    type: Literal["per_action"]
    rates: dict[Action, PayMonth] = Field(description="Currency per action (at most 10 million).")
    products: list[Annotated[str, Field(max_length=64)]] | None = Field(None, max_length=1_000, description="Count only actions on these products; none = all.")
    cap_per_month: Money | None = Field(None, description="Most this component pays a rep in a month (currency, at "
                                                          "most a billion).")

    def problems(self, scenario):
        return [(f"products.{i}", msg) for i, msg in _product_problems(self.products or [], scenario)]


class Bonus(_Component):
    """A monthly bonus on a metric: ``amount`` at ``target``, plus ``per_unit_above`` beyond it."""

    type: Literal["bonus"]
    metric: Metric
    target: Amount = Field(description="Level of the metric that earns the bonus (in the metric's unit, at most a "
                                       "billion).")
    amount: PayMonth = Field(0.0, description="Paid when the month's metric reaches the target (currency, at most 10 "
                                              "million).")
    per_unit_above: PayMonth = Field(0.0, description="Paid per unit of the metric above the target (currency, at "
                                                      "most 10 million).")
    cap_per_month: Money | None = Field(None, description="Most this bonus pays a rep in a month (currency, at most "
                                                          "a billion).")


class Contest(_Component):
    """A monthly contest: the rep with the highest metric wins the prize (ties share it).

    The documents' prize, an extra day off next month, can be valued with
    ``prize_days_off`` at the winner's daily salary (the day off itself is not simulated).
    """

    type: Literal["contest"]
    metric: Metric
    prize: PayMonth = Field(0.0, description="Prize paid to the month's winner (currency, at most 10 million).")
    prize_days_off: Real = Field(0.0, ge=0, le=10, description="Days off for the winner, valued at their daily salary (days, 0 to 10).")
    min_metric: Real = Field(0.0, ge=0, le=MAX_AMOUNT, description="The winner's metric must exceed this (no winner otherwise).")


class Clawback(_Component):
    """Recovering pay that the company's results do not support.

    * ``unpaid``: pay given on contracted value for deals (and reorders) that are never paid
      is recovered ``lag_months`` after the month it was paid (when non-payment is known).
      It is the difference between the month's pay and the pay the same month would have
      given on executed value only, for every rep part except contests.
    * ``churned_client_months``: for each key client lost, the rep repays this many months
      of their average commission per key client in that month.

    Amounts due after the horizon are reported as pending, not deducted.
    """

    type: Literal["clawback"]
    unpaid: Flag = Field(True, description="Recover pay on deals that are never paid.")
    lag_months: Whole = Field(1, ge=0, le=12, description="Months from paying to recovering (months).")
    churned_client_months: Real = Field(0.0, ge=0, le=24, description="Months of per-client commission repaid per key client lost (months, 0 to 24).")


class Override(_Component):
    """A supervisor's override: a share of their team's revenue or margin.

    Paid to supervisors (``supervisors`` names which; none = all) on the results of the
    reps reporting to them, and, with ``indirect``, of reps under the supervisors who report
    to them. Nothing is paid in a month the team is below ``team_threshold`` of its plan.
    """

    type: Literal["override"]
    base: Base
    rate: Rate = Field(description="Share of the team's base paid to the supervisor (0 to 10).")
    include_reorders: Flag = True
    indirect: Flag = Field(False, description="Also pay on the teams of supervisors who report to them.")
    supervisors: list[Annotated[str, Field(max_length=64)]] | None = Field(
        None, max_length=10_000, description="Supervisor ids paid; none = all.")
    team_threshold: Real = Field(0.0, ge=0, le=10, description="Team attainment below which nothing is paid (1 = 100%).")

    def problems(self, scenario):
        known = {s.id for s in scenario.team.supervisors}
        return [(f"supervisors.{i}", f"expected a supervisor id ({_choices(known)}), got {shown(s)}")
                for i, s in enumerate(self.supervisors or []) if s not in known]


Component = Annotated[
    Union[Salary, Draw, Commission, PlanFulfilment, Tiered, PerAction, Bonus, Contest, Clawback, Override],
    Field(discriminator="type"),
]
COMPONENT_TYPES: tuple[str, ...] = (
    "salary", "draw", "commission", "plan_fulfilment", "tiered", "per_action", "bonus", "contest", "clawback", "override",
)
#: Types paid to reps, computed month by month from their own results.
EARNED_TYPES = frozenset({"commission", "plan_fulfilment", "tiered", "per_action", "bonus"})
#: How the P&L groups each type: commission-like (tied to sales) or bonus-like.
PNL_GROUP = {
    "draw": "commissions", "commission": "commissions", "plan_fulfilment": "commissions", "tiered": "commissions",
    "per_action": "commissions", "clawback": "commissions", "override": "commissions",
    "handoff_fee": "commissions", "handoff_share": "commissions", "bonus": "bonuses", "contest": "bonuses",
}


class HandoffSpec(BaseModel):
    """A lead hand-off role: chat operators who take enquiries and pass them to reps.

    Operators are paid a salary, a fee per lead handed off, and a share of the sales that
    result. The documents' point: the share makes operators *police* whether reps follow
    up. While ``policing`` is on (by default, whenever ``share_of_sales > 0``), handed-off
    leads go to the front of the rep's first-contact queue, wait
    ``policing_patience_multiplier`` times longer before going cold, and get
    ``policing_extra_attempts`` more contact attempts [assumed: the operator chases the rep].
    """

    model_config = ConfigDict(extra="forbid", populate_by_name=True, allow_inf_nan=False)
    operators: Whole = Field(1, ge=1, le=100, description="Operators in the role (people in payroll, 1 to 100).")
    salary_per_month: PayMonth = Field(description="Fixed salary per operator (currency per month, at most 10 "
                                                   "million).")
    fee_per_contact: PayMonth = Field(0.0, description="Paid per lead handed off (currency, at most 10 million).")
    share_of_sales: Real = Field(0.0, ge=0, le=1, description="Share of the base of sales from handed-off leads.")
    base: Base = Field("executed_revenue", description="What share_of_sales applies to.")
    sources: list[Annotated[str, Field(max_length=64)]] | None = Field(
        None, max_length=1_000, description="Lead sources they handle; none = every web-form source.")
    policing: Flag | None = Field(None, description="Operators chase follow-up; none = on when share_of_sales > 0.")
    policing_patience_multiplier: Real = Field(2.0, ge=1, le=20, description="Handed-off leads wait this many times longer (x, 1 to 20).")
    policing_extra_attempts: Whole = Field(2, ge=0, le=20, description="Extra contact attempts on handed-off leads (0 to 20).")

    @property
    def polices(self) -> bool:
        return self.share_of_sales > 0 if self.policing is None else self.policing


class PaySpec(BaseModel):
    """A pay scheme: fixed salaries (from the team, or a ``salary`` component) plus these components."""

    model_config = ConfigDict(extra="forbid", populate_by_name=True, allow_inf_nan=False)
    components: list[Component] = Field(default_factory=list, max_length=1_000)
    handoff: HandoffSpec | None = Field(None, description="A lead hand-off role (chat operators); none = no such role.")
    attainment_spread: Real = Field(
        0.35, ge=0, le=2,
        description="Reps' uncertainty about their month's attainment when they weigh thresholds, tiers and "
                    "bonuses (log-sd) [assumed].",
    )

    def of_type(self, *types: str) -> list:
        return [c for c in self.components if c.type in types]


# --------------------------------------------------------------------------- checks
def _choices(items) -> str:
    items = sorted(items)
    return ", ".join(repr(x) for x in items[:8]) + (", ..." if len(items) > 8 else "") if items else "none defined"


def _product_problems(names, scenario) -> list[tuple[int, str]]:
    return [(i, f"expected a product ({_choices(scenario.products)}), got {shown(p)}")
            for i, p in enumerate(names) if p not in scenario.products]


def _rate_problems(rates, scenario) -> list[tuple[str, str]]:
    known = set(scenario.products) | {p.group for p in scenario.products.values() if p.group}
    return [(f"rates.{k}", f"expected a product or product group ({_choices(known)}), got {shown(k)}")
            for k in rates if k not in known]


def check_pay_references(s: "Scenario") -> None:
    """Check the scheme against the scenario; raise ``CrossFieldError`` naming the first bad field.

    Catches rates for unknown products or groups, unknown rep groups, supervisors or lead
    sources, overlapping tiers, caps at or below a threshold, and two salaries, draws or
    clawbacks for the same rep group.
    """
    groups = [g.id for g in s.team.reps]
    seen: dict[tuple[str, str], int] = {}
    for i, comp in enumerate(s.pay.components):
        where = f"pay.components.{i}"
        for j, g in enumerate(comp.reps or []):
            if g not in groups:
                raise CrossFieldError(f"{where}.reps.{j}", f"expected a rep group id ({_choices(groups)}), got {shown(g)}")
        for sub, msg in comp.problems(s):
            raise CrossFieldError(f"{where}.{sub}", msg)
        if comp.type in ("salary", "draw", "clawback"):
            for g in comp.reps or groups:
                if (comp.type, g) in seen:
                    raise CrossFieldError(
                        f"{where}.reps",
                        f"rep group {shown(g)} already has a {comp.type} (pay.components.{seen[(comp.type, g)]}); "
                        f"expected at most one per group")
                seen[(comp.type, g)] = i
    h = s.pay.handoff
    if h is not None:
        names = [src.name for src in s.lead_sources]
        for j, name in enumerate(h.sources or []):
            if name not in names:
                raise CrossFieldError(f"pay.handoff.sources.{j}", f"expected a lead source ({_choices(names)}), got {shown(name)}")
        if not handoff_sources(s):
            raise CrossFieldError("pay.handoff.sources", "expected at least one lead source for the operators "
                                                         "(no web-form source in lead_sources)")


def handoff_sources(s: "Scenario") -> list[str]:
    """Names of the lead sources whose leads the hand-off operators pass on."""
    h = s.pay.handoff
    if h is None:
        return []
    if h.sources is not None:
        return list(h.sources)
    return [src.name for src in s.lead_sources if src.kind == "form"]
