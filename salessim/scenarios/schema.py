"""The scenario schema: every parameter of the department model, validated on load.

A scenario is a TOML file (see ``salessim/scenarios/baseline.toml`` for a complete, commented
example). Each section below is one concept of the model; each field's description gives its
unit. Scenario files are loaded by :mod:`salessim.scenarios.files`, which resolves ``extends``
and turns validation failures into one-line messages naming the file and the field.

Units used throughout:

* **hours**: working hours;
* **days**: working days of the scenario's calendar (weekends and holidays excluded);
* **months**: calendar months;
* **currency**: the scenario's ``currency`` (a label only);
* **probabilities and shares**: numbers between 0 and 1.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import math
import re
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from salessim.errors import shown
from salessim.scenarios.cross_field import CrossFieldError
from salessim.scenarios.distributions import Distribution
from salessim.scenarios.numbers import (
    MAX_AMOUNT,
    MAX_ELASTICITY,
    MAX_LEADS_PER_DAY,
    MAX_MARKET,
    MAX_MULTIPLIER,
    MAX_WORK_DAYS,
    Amount,
    Flag,
    Multiplier,
    PayMonth,
    Prob,
    Real,
    Share,
    Spread,
    TaskHours,
    TaskMinutes,
    Whole,
    WorkDays,
)
from salessim.scenarios.pay import PaySpec, check_pay_references

#: Most reps in a department: memory grows by about 0.7 GB per 1,000 reps (docs/experiments.md).
MAX_REPS = 10_000
#: Most working days a diary or a booking rule may reach ahead (a working year).
MAX_DAYS_AHEAD = 260
#: Longest scenario period and latest month index (months).
MAX_MONTHS = 120
#: Most key clients in one rep's book at the start, and in a whole department.
MAX_KEY_CLIENTS, MAX_KEY_CLIENTS_TOTAL = 10_000, 1_000_000
#: Dates a scenario may hold (a calendar's start, a hire, a holiday).
FIRST_DATE, LAST_DATE = dt.date(1950, 1, 1), dt.date(2200, 12, 31)
Name = Annotated[str, Field(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9_.\- ]+$")]
#: A reference to a name defined elsewhere in the scenario (a supervisor, a product, a region).
Ref = Annotated[str, Field(min_length=1, max_length=64)]
#: A free text line (a description, a question).
Text = Annotated[str, Field(max_length=2_000)]
#: A count of people, clients or prospects: a whole number from 0.
Count = Annotated[Whole, Field(ge=0)]
#: A month index (0 = the first month of the period).
MonthIndex = Annotated[Whole, Field(ge=0, lt=MAX_MONTHS)]
#: A date from :data:`FIRST_DATE` to :data:`LAST_DATE` (YYYY-MM-DD).
Date = Annotated[dt.date, Field(ge=FIRST_DATE, le=LAST_DATE)]
#: Hours within one day (a meeting, its travel, a contact, a day's coaching), 0 to 24.
DayHours = Annotated[Real, Field(ge=0, le=24)]
#: Leads per working day, 0 to :data:`~salessim.scenarios.numbers.MAX_LEADS_PER_DAY`.
LeadRate = Annotated[Real, Field(ge=0, le=MAX_LEADS_PER_DAY)]
#: An elasticity to the proposal's size, 0 to :data:`~salessim.scenarios.numbers.MAX_ELASTICITY`.
Elasticity = Annotated[Real, Field(ge=0, le=MAX_ELASTICITY)]
Weekday = Literal["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"]


class Section(BaseModel):
    """Base of every scenario section: unknown fields are errors."""

    model_config = ConfigDict(extra="forbid", populate_by_name=True, allow_inf_nan=False)


# --------------------------------------------------------------------------- calendar
class CalendarSpec(Section):
    """The working calendar of the simulated period."""

    start: Date = Field(description="First calendar day of the simulated period (1950 to 2200).")
    months: Whole = Field(ge=1, le=MAX_MONTHS, description="Length of the period (months, 1 to 120).")
    hours_per_day: Real = Field(ge=1, le=24, description="Working hours in a day (hours, 1 to 24).")
    workdays: list[Weekday] = Field(
        default_factory=lambda: ["Mon", "Tue", "Wed", "Thu", "Fri"],
        min_length=1, max_length=7,
        description="Days of the week that are worked (each at most once).",
    )
    holidays: list[Date] = Field(default_factory=list, max_length=10_000,
                                 description="Public holidays (dates; at most 10,000).")
    warmup_months: Whole = Field(
        2, ge=0, le=24,
        description="Months simulated before start and then discarded, so the pipeline is full on day one "
                    "(months, 0 to 24).",
    )

    @field_validator("workdays")
    @classmethod
    def _distinct_days(cls, v: list[str]) -> list[str]:
        if len(set(v)) != len(v):
            raise ValueError(f"expected each day of the week at most once, got {', '.join(v)}")
        return v

    @field_validator("start")
    @classmethod
    def _month_start(cls, v: dt.date) -> dt.date:
        if v.day != 1:
            raise ValueError(f"expected the first day of a month (plans and KPIs are monthly), got {v}")
        return v


# --------------------------------------------------------------------------- team
class SupervisorSpec(Section):
    """A head of sales or team lead."""

    id: Name
    reports_to: Ref | None = Field(None, description="Id of this supervisor's own head, if any.")
    weekly_hours: Real = Field(ge=1, le=100, description="Working hours per week (hours, 1 to 100).")
    salary_per_month: PayMonth = Field(description="Fixed pay (currency per month, at most 10 million).")
    hire_date: Date | None = Field(None, description="Start date; none = already in post.")
    leave_date: Date | None = Field(None, description="Last day in post is the day before; none = stays.")


class RepSpec(Section):
    """A group of ``count`` sales reps with the same attributes.

    With ``count = 1`` the rep's id is ``id``; otherwise the reps are ``id01``, ``id02``, ...
    """

    id: Name
    count: Count = Field(1, le=MAX_REPS, description="Reps in the group (people, 0 to 10,000).")
    supervisor: Ref | None = Field(description="Id of the supervisor they report to (none = unsupervised).")
    region: Name = "main"
    skill: Multiplier = Field(1.0, description="Conversion skill: multiplies the odds of every stage (1 = average; "
                                                "above 0, at most 100).")
    skill_spread: Spread = Field(0.0, description="Log-sd of skill across the group (drawn per rep; 0 to 3).")
    hire_date: Date | None = Field(None, description="Start date; none = hired long ago, fully ramped.")
    salary_per_month: PayMonth = Field(description="Fixed salary (currency per month, at most 10 million), paid "
                                                   "from day one.")
    threshold: Annotated[Real, Field(ge=1, le=MAX_AMOUNT)] | None = Field(
        None, description="Personal threshold: the largest deal they dare propose (currency, 1 to 1 billion); "
                          "none = no limit."
    )
    threshold_spread: Spread = Field(0.0, description="Log-sd of the threshold across the group (0 to 3).")
    plan_per_month: Amount | None = Field(None, description="Monthly plan (currency, at most 1 billion); none = "
                                                            "plan.monthly_per_rep.")
    key_clients: Count = Field(0, le=MAX_KEY_CLIENTS, description="Key clients in each rep's book at the start "
                                                                  "(0 to 10,000).")
    products: list[Ref] | None = Field(None, max_length=1_000, description="Products they sell; none = all.")
    inbound_weight: Annotated[Real, Field(gt=0, le=MAX_REPS)] = Field(
        1.0, description="Relative share of inbound leads each rep of the group gets under round_robin (1 = average; "
                         "above 0, at most 10,000)."
    )


class TeamSpec(Section):
    """Who works in the department."""

    supervisors: list[SupervisorSpec] = Field(default_factory=list, max_length=MAX_REPS)
    reps: list[RepSpec] = Field(min_length=1, max_length=MAX_REPS)


# --------------------------------------------------------------------------- products
class FunnelSpec(Section):
    """Stage conversion probabilities for an average, fully ramped, supervised rep."""

    booking_rate: Prob = Field(description="Outbound: probability a prospect reached by phone books a meeting.")
    contact_to_meeting: Prob = Field(description="Inbound: probability a contacted lead books a meeting.")
    meeting_to_proposal: Prob = Field(description="Probability a held meeting leads to a commercial proposal.")
    proposal_to_negotiation: Prob = Field(description="Probability a proposal is taken into negotiation (objections).")
    negotiation_to_won: Prob = Field(description="Probability a negotiation ends in a signed contract.")


class DelaysSpec(Section):
    """Client-side delays between stages (working days)."""

    meeting_to_proposal: Distribution = Field(description="From the meeting to the proposal request (days).")
    proposal_to_decision: Distribution = Field(description="From proposal sent to the client's answer (days).")
    negotiation_to_close: Distribution = Field(description="From negotiation start to signature or loss (days).")


class EffortSpec(Section):
    """Rep work per deal stage (hours), on top of the meeting itself."""

    proposal: TaskHours = Field(description="Preparing the commercial proposal (hours, at most 1,000).")
    negotiation: TaskHours = Field(description="Handling objections and the contract (hours, at most 1,000).")


class ProductSpec(Section):
    """A product (or product group) the department sells."""

    group: Ref | None = Field(None, description="Product group (for pay rates); none = the product name.")
    deal_size: Distribution = Field(description="Client potential: the largest deal a client would sign (currency).")
    margin: Prob = Field(description="Gross margin as a share of revenue.")
    funnel: FunnelSpec
    delays_days: DelaysSpec
    effort_hours: EffortSpec
    market_size: Count = Field(le=MAX_MARKET, description="Prospects in the finite market for outbound calls "
                                                          "(0 to 100 million).")
    familiarity_start: Real = Field(
        1.0, gt=0, le=1, description="How used clients are to buying it at the start (1 = established; above 0)."
    )
    familiarity_deals: Annotated[Real, Field(ge=0, le=1_000_000)] = Field(
        0.0, description="Deals won after which familiarity has closed 63% of its gap to 1 (0 = never grows; at most "
                         "a million)."
    )
    launch_month: MonthIndex | None = Field(
        None, description="Month index (0 = first month) in which the product goes on sale; none = already on sale."
    )
    stock_value: Amount = Field(0.0, description="Stock bought at launch, at cost (currency, at most 1 billion); "
                                                 "ties up capital.")
    stall_share: Prob = Field(
        0.0, description="Share of deals that stall after the first meeting: they stay open and never close."
    )


# --------------------------------------------------------------------------- leads
class LeadSourceSpec(Section):
    """An inbound lead channel."""

    name: Name
    product: Ref
    channel: Name = "web"
    kind: Literal["call", "form"] = Field(
        "form", description="call = a live inbound call, lost if nobody answers; form = waits in the inbox."
    )
    rate_per_day: LeadRate = Field(description="Mean leads per working day, department-wide (Poisson; at most "
                                                "10,000).")
    rate_by_month: dict[str, LeadRate] | None = Field(
        None, max_length=12 * (LAST_DATE.year - FIRST_DATE.year + 1),
        description="Leads per working day in named months ('YYYY-MM'), replacing rate_per_day there."
    )
    region: Ref | None = Field(None, description="Only reps of this region receive it; none = any.")

    @field_validator("rate_by_month")
    @classmethod
    def _month_keys(cls, v: dict[str, float] | None) -> dict[str, float] | None:
        for key in v or {}:
            if not re.fullmatch(r"\d{4}-(0[1-9]|1[0-2])", key):
                raise ValueError(f"expected month keys as 'YYYY-MM', got {shown(key)}")
        return v


class ProspectingSpec(Section):
    """Outbound prospecting of a finite market."""

    calls_per_hour: Annotated[Real, Field(gt=0, le=200)] = Field(
        description="Dials per hour of prospecting, including logging (calls/hour; above 0, at most 200).")
    connect_rate: Prob = Field(description="Probability a dial reaches a decision maker.")
    cooling_days: WorkDays = Field(description="Days before a reached prospect may be called again (days, at most "
                                               "2,600: ten working years).")


class ActivitySpec(Section):
    """Activity norms of a rep's working day."""

    meeting_hours: DayHours = Field(description="Length of a client meeting (hours, at most 24).")
    travel_hours: DayHours = Field(description="Travel per meeting (hours, at most 24).")
    meeting_lead_days: Count = Field(le=MAX_DAYS_AHEAD, description="Earliest day a booked meeting can take place, "
                                                                    "after booking (days, 0 to 260).")
    booking_horizon_days: Count = Field(le=MAX_DAYS_AHEAD, description="How far ahead a rep books; no free slot by "
                                                                       "then = lead lost (days, 0 to 260).")
    max_meetings_per_day: Count = Field(le=100, description="Most meetings a rep holds in a day (0 to 100; 0 = no "
                                                            "limit but the time they take).")
    first_contact_minutes: TaskMinutes = Field(description="One attempt to reach an inbound lead (minutes, at most "
                                                           "1,440).")
    inbound_connect_rate: Prob = Field(description="Probability one attempt reaches an inbound lead.")
    max_contact_attempts: Whole = Field(ge=1, le=100, description="Attempts before an unreachable inbound lead is "
                                                                  "dropped (1 to 100).")
    lead_patience_days: WorkDays = Field(description="Days an inbound lead waits for first contact before it goes "
                                                     "cold (days, at most 2,600).")
    admin_share: Share = Field(description="Share of the working day lost to reports and admin.")
    no_show_rate: Prob = Field(0.0, description="Probability a booked meeting does not take place.")
    client_contact_hours: DayHours = Field(description="One contact with an existing key client (hours, at most 24).")


class PlanSpec(Section):
    """Monthly plans per rep."""

    monthly_per_rep: Amount = Field(description="Default monthly plan per rep (currency, at most 1 billion).")
    fact_basis: Literal["won", "executed"] = Field(
        "executed", description="What counts as fact: value won, or value executed (paid)."
    )


# --------------------------------------------------------------------------- mechanics
class SupervisionSpec(Section):
    """Supervisors as a scarce resource, and how their attention keeps reps' intensity up."""

    enabled: Flag = Field(True, description="false = every rep works at full intensity regardless of supervision.")
    admin_share: Share = Field(description="Share of a supervisor's day on their own admin and reporting.")
    daily_planning_minutes: TaskMinutes = Field(description="Daily morning planning meeting (minutes, reps attend; "
                                                            "at most 1,440).")
    weekly_planning_hours: Annotated[Real, Field(ge=0, le=168)] = Field(
        description="Weekly planning meeting (hours, reps attend; at most 168).")
    calls_listened_per_rep_day: Annotated[Real, Field(ge=0, le=1_000)] = Field(
        description="Calls the head listens to per rep per day (at most 1,000).")
    minutes_per_listened_call: TaskMinutes = Field(description="Listening and feedback per call (minutes, at most "
                                                               "1,440).")
    coaching_hours_per_rep_day: DayHours = Field(description="Coaching and mentoring a rep needs per day (hours, "
                                                             "at most 24).")
    new_hire_coaching_multiplier: Annotated[Real, Field(ge=1, le=MAX_MULTIPLIER)] = Field(
        description="Coaching need of a ramping rep vs a ramped one (1 to 100).")
    review_threshold: Amount | None = Field(None, description="Proposals above this value need the head's review "
                                                              "(currency, at most 1 billion).")
    review_hours: TaskHours = Field(0.0, description="Head's time per proposal review (hours, at most 1,000).")
    intensity_floor: Prob = Field(description="Intensity of a rep left entirely alone (share of full activity).")
    attention_threshold: Share = Field(
        description="Attention ratio at or below which reps act as if left alone (target intensity = floor)."
    )
    recovery_per_day: Prob = Field(description="Share of the gap to target intensity closed per day when rising.")
    decay_per_day: Prob = Field(description="Share of the gap to target intensity closed per day when falling.")
    initial_intensity: Prob = Field(1.0, description="Intensity of reps in post at the start (share of full activity, 0 to 1).")


class CareerSpec(Section):
    """The 'sine' career: activity rises, peaks, then declines with routine."""

    enabled: Flag = False
    peak_month: Annotated[Real, Field(ge=0, le=600)] = Field(18.0, description="Tenure at which activity peaks "
                                                                               "(months, at most 600: 50 years).")
    decline_per_year: Prob = Field(0.15, description="Fall in activity per year of tenure after the peak (share, 0 to 1).")
    floor: Prob = Field(0.6, description="Lowest activity multiplier routine can bring (share of full activity, 0 to 1).")
    new_work_resets: Flag = Field(True, description="A rep given new work (a product launch) restarts their curve.")


class AttritionResponseSpec(Section):
    """Reps who leave more often after a bad month (off by default: both 0).

    At each month end, a rep in post leaves with the extra monthly hazard
    ``h0 * (shortfall * S + idle * I)``, where ``h0`` is the monthly hazard of
    ``people.attrition_per_year``, ``S`` the month's shortfall of plan fact below plan
    (``max(0, 1 - fact / plan)``: what variable pay follows in most schemes) and ``I`` the share
    of the month's paid hours the rep had nothing to do. The seat stays empty for
    ``replacement_delay_days``; meetings booked with the leaver in that time are lost.
    """

    shortfall: Annotated[Real, Field(ge=0, le=100)] = Field(
        0.0, description="Extra leaving hazard per unit of plan shortfall, in multiples of the base hazard "
                         "(e.g. 2: a month at half the plan triples the chance of leaving).")
    idle: Annotated[Real, Field(ge=0, le=100)] = Field(
        0.0, description="Extra leaving hazard per unit of idle share (paid hours with nothing to do), in multiples "
                         "of the base hazard.")


class PeopleSpec(Section):
    """Hiring, ramp, attrition and absence."""

    ramp_months: Annotated[Real, Field(ge=0, le=MAX_MONTHS)] = Field(
        description="Months for a new hire to reach full productivity (months, at most 120).")
    ramp_start: Prob = Field(description="Productivity on the first day, as a share of full: the odds multiplier "
                                         "of every conversion, rising linearly to 1 over ramp_months.")
    ramp_activity_start: Prob = Field(
        0.5, description="A new hire's activity on the first day, as a share of full (hours really worked of those "
                         "intensity allows), rising linearly to 1 over ramp_months: first calls, then meetings. "
                         "1 = new hires work as much as veterans.")
    attrition_per_year: Prob = Field(description="Probability a rep leaves within a year.")
    replacement_delay_days: WorkDays = Field(description="Days a seat stays empty before the replacement starts "
                                                         "(days, at most 2,600).")
    vacation_days_per_year: Annotated[Real, Field(ge=0, le=260)] = Field(
        description="Vacation per rep per year (days, at most 260: a working year).")
    vacation_block_days: Whole = Field(ge=1, le=260, description="Vacation is taken in blocks of this many days "
                                                                 "(1 to 260).")
    career: CareerSpec = Field(default_factory=CareerSpec)
    attrition_response: AttritionResponseSpec = Field(default_factory=AttritionResponseSpec)


class TrainingSpec(Section):
    """Training that raises reps' personal thresholds."""

    threshold_multiplier: Annotated[Real, Field(ge=1, le=MAX_MULTIPLIER)] = Field(
        1.0, description="Thresholds are multiplied by this after training (1 to 100).")
    cost_per_rep: PayMonth = Field(0.0, description="Fee per rep trained (currency, at most 10 million).")
    days_out: Annotated[Real, Field(ge=0, le=260)] = Field(0.0, description="Selling days each rep spends in "
                                                                            "training (days, at most 260).")
    month: MonthIndex = Field(0, description="Month index in which training happens (0 to 119).")


class DealSizeSpec(Section):
    """How proposal size is set and what it does to win chance and cycle time."""

    ask_spread: Spread = Field(description="Log-sd of a rep's ask around their threshold, deal to deal (0 to 3).")
    reference: Annotated[Real, Field(ge=1, le=MAX_AMOUNT)] | None = Field(
        None, description="Proposal size at which the multipliers below are 1 (currency, 1 to 1 billion); none = "
                          "product median potential.")
    win_elasticity: Elasticity = Field(description="Odds of winning scale as (proposal / reference) ** -elasticity "
                                                   "(0 to 5).")
    cycle_elasticity: Elasticity = Field(description="Client delays scale as (proposal / reference) ** elasticity "
                                                     "(0 to 5).")
    training: TrainingSpec = Field(default_factory=TrainingSpec)


class KeyClientsSpec(Section):
    """Existing key clients: reorders, contact needs, churn."""

    enabled: Flag = True
    product: Ref | None = Field(None, description="Product their reorders are booked under; none = the first product.")
    monthly_order: Distribution = Field(description="Value of one monthly reorder (currency).")
    reorder_prob_contacted: Prob = Field(description="Probability of a reorder in a month when contact is up to date.")
    reorder_prob_neglected: Prob = Field(description="Probability of a reorder in a month when contact is overdue.")
    contact_interval_days: Annotated[Real, Field(gt=0, le=MAX_WORK_DAYS)] = Field(
        description="Days between contacts a key client needs (days; above 0, at most 2,600).")
    churn_per_year: Prob = Field(description="Probability of churning within a year when contacted on time.")
    churn_growth_per_month_overdue: Annotated[Real, Field(ge=0, le=MAX_MULTIPLIER)] = Field(
        description="Each month without contact past the interval adds this many times the base churn hazard "
                    "(0 to 100)."
    )
    competitor_aggression: Annotated[Real, Field(ge=0, le=MAX_MULTIPLIER)] = Field(
        1.0, description="Multiplies the churn hazard (1 = normal competition; 0 to 100).")
    new_client_join_share: Prob = Field(0.0, description="Share of newly won clients who join the key-client book.")


class BackOfficeSpec(Section):
    """Invoicing as a shared queue, and payment."""

    enabled: Flag = True
    clerks: Whole = Field(ge=1, le=MAX_REPS, description="Accounting staff issuing invoices in parallel (1 to "
                                                         "10,000).")
    invoice_hours: Distribution = Field(description="Time to issue one invoice (hours).")
    sour_rate_per_hour: Annotated[Real, Field(ge=0, le=100)] = Field(
        description="Hazard of losing the deal per hour it waits at accounting (per hour, at most 100).")
    payment_delay_days: WorkDays = Field(description="Days from invoice to payment (days, at most 2,600).")
    nonpayment_rate: Prob = Field(description="Share of won deals that are never executed or paid.")
    salary_per_clerk_month: PayMonth = Field(0.0, description="Cost of a clerk (currency per month, at most 10 "
                                                              "million).")


class RoutingSpec(Section):
    """How inbound leads reach reps."""

    overflow: Flag = Field(description="Route a lead the assigned rep cannot take to another free rep.")
    assignment: Literal["round_robin", "least_loaded"] = "round_robin"


class LostReviewSpec(Section):
    """Reviewing lost deals with the head; some return to the funnel."""

    enabled: Flag = False
    return_share: Prob = Field(0.2, description="Share of reviewed lost deals that return to the funnel.")
    review_hours: TaskHours = Field(0.25, description="Head's time per lost deal reviewed (hours, at most 1,000).")
    delay_days: WorkDays = Field(5.0, description="Days from loss to the deal's return (days, at most 2,600).")


class EffortChoiceSpec(Section):
    """How reps split their free selling time between products and key clients."""

    temperature: Annotated[Real, Field(ge=0, le=100)] = Field(
        description="Bounded rationality of the pay-per-hour choice: 0 = all on the best-paid activity (relative "
                    "to the best pay per hour; at most 100)."
    )
    forced_mix: dict[str, Prob] | None = Field(
        None, max_length=1_001,
        description="Management's imposed split of free time (keys: products and 'key_clients'); sums to 1."
    )
    pace_boost: Annotated[Real, Field(ge=0, le=10)] = Field(
        0.0, description="Extra intensity per unit of pace shortfall late in the month (0 = off; at most 10)."
    )
    risky_share_contracted: Prob = Field(
        0.0, description="Extra share of won deals that never execute when pay follows contracted value."
    )


class ClosingPaceSpec(Section):
    """Month-to-month swings in how fast clients decide, shared by every open deal.

    Each simulated month draws a pace factor ``g`` (lognormal, mean 1, log-sd ``monthly_sd``);
    client delays run ``g`` times faster in that month (a busy quarter end, a slow holiday
    month). 0 = every month alike.
    """

    monthly_sd: Spread = Field(0.0, description="Log-sd of each month's pace factor on client delays (0 = none; "
                                                "at most 3).")


class MarketMoodSpec(Section):
    """Month-to-month swings in how readily clients buy, shared by every deal in the market.

    Each simulated month (warm-up included) has a mood ``z_m`` on the log-odds scale, a
    stationary AR(1) series: ``z_1 ~ N(0, s^2)``, ``z_m = r z_(m-1) + sqrt(1 - r^2) s e_m``
    with ``s = monthly_sd`` and ``r = persistence``. Every client decision on a deal made in
    month ``m`` (a prospect agreeing to meet, an inbound lead agreeing to meet, meeting ->
    proposal, proposal -> negotiation, negotiation -> won) has its odds multiplied by
    ``exp(z_m)``: a good month for one rep is a good month for all. A month at mood 0 is the
    funnel as written (the median month). ``monthly_sd = 0``: every month alike.
    ``salessim calibrate`` measures both from the monthly won share of an export's closed
    deals (:func:`salessim.calibration.fitting.market_mood`).
    """

    monthly_sd: Spread = Field(
        0.0, description="Log-odds sd of a month's mood on every client decision (0 = none; 0.2: odds x0.82 to x1.22 "
                         "in two months of three)."
    )
    persistence: Annotated[Real, Field(ge=0, le=0.99)] = Field(
        0.0, description="Correlation of one month's mood with the next (0 = independent months, 0.9 = slow cycles)."
    )


class CostsSpec(Section):
    """Costs other than pay."""

    overhead_per_head_month: PayMonth = Field(description="Office, equipment and tools per person (currency per "
                                                          "month, at most 10 million).")
    payroll_tax_rate: Share = Field(description="Employer taxes as a share of pay.")
    inventory_carrying_rate_per_month: Share = Field(0.0, description="Cost of capital tied in unsold stock, per month (share of its value).")


# --------------------------------------------------------------------------- scenario
class ProvenanceSpec(Section):
    """Where one parameter's value comes from (a scenario's ``[provenance]`` table; see
    :mod:`salessim.scenarios.provenance`, whose registry gives every parameter's default)."""

    kind: Literal["yours", "calibrated", "documents", "fitted", "anecdote", "assumed"] = Field(
        description="yours (a fact of your business), calibrated (read from your CRM export), documents, fitted "
                    "(to reproduce a claim of the documents), anecdote (one case in the documents) or assumed.")
    reason: str = Field("", max_length=300, description="One line: why this value, and why this range.")
    range: tuple[Annotated[Real, Field(ge=-1e12, le=1e12)], Annotated[Real, Field(ge=-1e12, le=1e12)]] | None = Field(
        None, description="Plausible values (the parameter's unit; multiples of its value if relative).")
    relative: Flag = Field(False, description="The range is in multiples of the scenario's value.")
    when: Ref | None = Field(None, description="A switch (dotted path) that must be on for the parameter to matter.")


class ClaimSpec(Section):
    """What the source documents say this scenario shows: a statement about one KPI that
    ``salessim compare VERSUS SCENARIO --robust`` checks across the plausible assumptions.

    ``compare = "difference"``: the paired difference (this scenario minus ``versus``) of
    ``kpi`` against ``threshold`` (in the KPI's unit, or with ``relative`` as a share of the
    ``versus`` scenario's mean: ``1.0`` = doubles). ``compare = "level"``: this scenario's own
    mean of ``kpi`` against ``threshold``.
    """

    text: str = Field(min_length=1, max_length=200, description="The claim in words, as the documents make it.")
    kpi: str = Field(min_length=1, max_length=64, description="The summary metric the claim is about.")
    versus: str = Field("baseline", min_length=1, max_length=200,
                        description="The scenario it is compared with (a built-in name or a file).")
    compare: Literal["difference", "level"] = Field(
        "difference", description="difference: this minus versus; level: this scenario's own value.")
    op: Literal[">", "<"] = Field(description="The claim holds when the compared quantity is above (>) or below (<) "
                                              "the threshold.")
    threshold: Real = Field(0.0, ge=-1e12, le=1e12, description="The threshold (the KPI's unit, or a share of "
                                                                  "versus's mean with relative).")
    relative: Flag = Field(False, description="With compare = difference: threshold as a share of versus's mean.")


class Scenario(Section):
    """A complete, validated description of a sales department and its environment."""

    name: Name
    description: Text = ""
    question: Text = Field("", description="The question this scenario answers, in one line.")
    extends: Annotated[str, Field(max_length=1_000)] | None = Field(
        None, description="Parent scenario this one was derived from.")
    currency: Annotated[str, Field(min_length=1, max_length=16)] = "USD"
    calendar: CalendarSpec
    team: TeamSpec
    products: dict[Ref, ProductSpec] = Field(min_length=1, max_length=1_000)
    lead_sources: list[LeadSourceSpec] = Field(default_factory=list, max_length=1_000)
    prospecting: ProspectingSpec
    activity: ActivitySpec
    plan: PlanSpec
    supervision: SupervisionSpec
    people: PeopleSpec
    deal_size: DealSizeSpec
    key_clients: KeyClientsSpec
    back_office: BackOfficeSpec
    routing: RoutingSpec
    lost_review: LostReviewSpec = Field(default_factory=LostReviewSpec)
    effort_choice: EffortChoiceSpec
    costs: CostsSpec
    pay: PaySpec = Field(default_factory=PaySpec)
    closing_pace: ClosingPaceSpec = Field(default_factory=ClosingPaceSpec)
    market_mood: MarketMoodSpec = Field(default_factory=MarketMoodSpec)
    claim: ClaimSpec | None = Field(None, description="What the source documents say this scenario shows "
                                                        "(checked by salessim compare --robust).")
    provenance: dict[Annotated[str, Field(max_length=300)], ProvenanceSpec] = Field(
        default_factory=dict, max_length=10_000, description="Where values come from, by dotted path, where this scenario differs from "
                                          "the registry (salessim/scenarios/registry/assumptions.toml).")

    @model_validator(mode="after")
    def _references(self) -> "Scenario":
        check_references(self)
        return self

    # ------------------------------------------------------------------ helpers
    def rep_ids(self) -> list[str]:
        """The ids of every rep seat, in order."""
        return [rid for group in self.team.reps for rid in group_rep_ids(group)]

    def n_reps(self) -> int:
        """Number of rep seats."""
        return sum(g.count for g in self.team.reps)

    def to_dict(self) -> dict[str, Any]:
        """A plain, JSON-compatible dict of every parameter (None values left out)."""
        return self.model_dump(mode="json", by_alias=True, exclude_none=True)

    def content_hash(self) -> str:
        """A short hash of every parameter that affects results (not name, text, claim or provenance)."""
        d = self.to_dict()
        for k in ("name", "description", "question", "extends", "claim", "provenance"):
            d.pop(k, None)
        blob = json.dumps(d, sort_keys=True, separators=(",", ":")).encode()
        return hashlib.sha256(blob).hexdigest()[:16]


def group_rep_ids(group: RepSpec) -> list[str]:
    """Rep ids of a group: the id itself for one rep, else id01, id02, ..."""
    if group.count == 1:
        return [group.id]
    width = max(2, len(str(group.count)))
    return [f"{group.id}{i:0{width}d}" for i in range(1, group.count + 1)]


def check_references(s: Scenario) -> None:
    """Check cross-references and consistency; raise :class:`CrossFieldError` naming the field."""
    sup_ids: dict[str, int] = {}
    for i, sup in enumerate(s.team.supervisors):
        if sup.id in sup_ids:
            raise CrossFieldError(f"team.supervisors.{i}.id", f"duplicate supervisor id {shown(sup.id)}")
        sup_ids[sup.id] = i
    for i, sup in enumerate(s.team.supervisors):
        if sup.reports_to is not None and sup.reports_to not in sup_ids:
            raise CrossFieldError(
                f"team.supervisors.{i}.reports_to",
                f"expected the id of a supervisor ({_choices(sup_ids)}), got {shown(sup.reports_to)}",
            )
    for i, sup in enumerate(s.team.supervisors):  # reporting cycles
        seen, cur = {sup.id}, sup.reports_to
        while cur is not None:
            if cur in seen:
                raise CrossFieldError(f"team.supervisors.{i}.reports_to", f"reporting cycle through {shown(cur)}")
            seen.add(cur)
            cur = s.team.supervisors[sup_ids[cur]].reports_to
    total = sum(g.count for g in s.team.reps)
    if total > MAX_REPS:
        raise CrossFieldError("team.reps", f"expected at most {MAX_REPS:,} reps in a department (memory grows by about "
                                           f"0.7 GB per 1,000 reps), got {total:,}")
    rep_ids: set[str] = set()
    for i, group in enumerate(s.team.reps):
        if group.supervisor is not None and group.supervisor not in sup_ids:
            raise CrossFieldError(
                f"team.reps.{i}.supervisor",
                f"expected the id of a supervisor ({_choices(sup_ids)}), got {shown(group.supervisor)}",
            )
        for rid in group_rep_ids(group):
            if rid in rep_ids:
                raise CrossFieldError(f"team.reps.{i}.id", f"duplicate rep id {shown(rid)}")
            rep_ids.add(rid)
        for p in group.products or []:
            if p not in s.products:
                raise CrossFieldError(f"team.reps.{i}.products", f"expected a product ({_choices(s.products)}), got {shown(p)}")
    if not rep_ids:
        raise CrossFieldError("team.reps", "expected at least one rep (all groups have count = 0)")
    names: set[str] = set()
    for i, src in enumerate(s.lead_sources):
        if src.product not in s.products:
            raise CrossFieldError(f"lead_sources.{i}.product", f"expected a product ({_choices(s.products)}), got {shown(src.product)}")
        if src.name in names:
            raise CrossFieldError(f"lead_sources.{i}.name", f"duplicate lead source {shown(src.name)}")
        names.add(src.name)
    regions = {g.region for g in s.team.reps}
    for i, src in enumerate(s.lead_sources):
        if src.region is not None and src.region not in regions:
            raise CrossFieldError(f"lead_sources.{i}.region", f"expected a region of the reps ({_choices(regions)}), got {shown(src.region)}")
    a = s.activity
    if a.booking_horizon_days < a.meeting_lead_days:
        raise CrossFieldError("activity.booking_horizon_days", "expected at least activity.meeting_lead_days")
    if s.key_clients.product is not None and s.key_clients.product not in s.products:
        raise CrossFieldError("key_clients.product", f"expected a product ({_choices(s.products)}), got {shown(s.key_clients.product)}")
    mix = s.effort_choice.forced_mix
    if mix is not None:
        allowed = set(s.products) | {"key_clients"}
        for k in mix:
            if k not in allowed:
                raise CrossFieldError(f"effort_choice.forced_mix.{k}", f"expected a product or 'key_clients' ({_choices(allowed)})")
        if abs(sum(mix.values()) - 1) > 1e-6:
            raise CrossFieldError("effort_choice.forced_mix", f"expected shares summing to 1, got {sum(mix.values()):g}")
    for p, prod in s.products.items():
        if prod.launch_month is not None and prod.launch_month >= s.calendar.months:
            raise CrossFieldError(f"products.{p}.launch_month", f"expected a month index below calendar.months ({s.calendar.months})")
    clients = sum(g.count * g.key_clients for g in s.team.reps)
    if clients > MAX_KEY_CLIENTS_TOTAL:
        raise CrossFieldError("team.reps", f"expected at most {MAX_KEY_CLIENTS_TOTAL:,} key clients in a department "
                                           f"(reps x key_clients), got {clients:,}")
    check_size_effects(s)
    check_pay_references(s)


#: Largest factor ``(proposal / reference) ** elasticity`` may reach (or smallest, as 1 / this): far
#: beyond any real effect of a deal's size, and far from a float's overflow (about 1e308), so the
#: odds it multiplies stay finite.
MAX_SIZE_FACTOR = 1e100
#: Largest ratio between a drawn deal size and the size reference, either way (beyond it the
#: ratio is no longer a normal float).
MAX_SIZE_RATIO = 1e300


def check_size_effects(s: Scenario) -> None:
    """Refuse deal sizes that the elasticities would turn into an overflowing factor.

    Win odds and client delays scale as ``(proposal / reference) ** elasticity``. A proposal is
    at most the client's potential (a draw of ``deal_size``); when a distribution can draw
    values many orders of magnitude from the reference (a gamma of cv 10 draws values below
    1e-300) the ratio underflows to 0 or the factor overflows inside the model. Each
    elasticity (0 to 5) and each distribution is plausible alone; this checks them together,
    for every product: draws within a factor :data:`MAX_SIZE_RATIO` of the reference, and a
    factor of at most :data:`MAX_SIZE_FACTOR`.
    """
    ds = s.deal_size
    e = max(ds.win_elasticity, ds.cycle_elasticity)
    if e <= 0:
        return
    which = "win_elasticity" if ds.win_elasticity >= ds.cycle_elasticity else "cycle_elasticity"
    for p, prod in s.products.items():
        low, high = prod.deal_size.draw_range()
        ref = ds.reference if ds.reference is not None else prod.deal_size.median
        if not ref > 0 or low <= 0:
            continue
        worst = max(abs(math.log(low) - math.log(ref)), abs(math.log(max(high, low)) - math.log(ref)))
        drawn = f"this distribution draws from {low:.3g} to {high:.3g} against a reference of {ref:,.6g}"
        if worst > math.log(MAX_SIZE_RATIO):
            raise CrossFieldError(
                f"products.{p}.deal_size",
                f"expected deal sizes within a factor {MAX_SIZE_RATIO:.0e} of the size reference (the size "
                f"effects of deal_size.{which} divide by it): {drawn}; narrow the distribution")
        if e * worst > math.log(MAX_SIZE_FACTOR):
            raise CrossFieldError(
                f"products.{p}.deal_size",
                f"expected deal sizes that deal_size.{which} ({e:g}) can scale: {drawn}, and (size / reference) ** "
                f"{e:g} would reach 1e{e * worst / math.log(10):.0f} (at most {MAX_SIZE_FACTOR:.0e}); narrow the "
                f"distribution or lower the elasticity")


def _choices(items) -> str:
    items = sorted(items)
    if not items:
        return "none defined"
    shown = ", ".join(repr(x) for x in items[:8])
    return shown + (", ..." if len(items) > 8 else "")
