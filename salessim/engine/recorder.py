"""What the simulation records: counters per month, rep and product, and an event log.

While the model runs, counters are nested Python lists indexed ``[month][rep][product]``
(adding to a list element costs a third of a numpy scalar update, and the model makes tens
of thousands of them per replication). :meth:`Recorder.freeze` turns them into numpy arrays
of the same shape when the run ends, and :mod:`salessim.results.result` makes tidy tables of them
only when asked. The event log is optional: replications that only need KPIs skip it.

**The ledger.** Actors do not write counters themselves: they tell the recorder what happened,
one named method per fact (:meth:`Recorder.meeting_held`, :meth:`Recorder.deal_won`, ...), and
the method adds to the counters (and the event log) that the fact concerns. Arguments are the
simulated month ``m`` (warm-up included), the rep ``r``, product ``p`` or supervisor ``i``
(indices), a lead where the fact is about one, and the simulation time ``t`` (working hours)
for facts that enter the event log. Hours are working hours, days working days, money the
scenario's currency. Each fact is added in the order it happens, one addition per fact, so the
counters' floating-point sums are those of the order of events.
"""

from __future__ import annotations

import math
from itertools import chain
from typing import TYPE_CHECKING, Any

import numpy as np

if TYPE_CHECKING:  # pragma: no cover
    from salessim.engine.lead import Lead

#: Counters kept per (month, rep, product).
REP_PRODUCT_METRICS = (
    "calls",               # outbound dials
    "connects",            # dials that reached a decision maker
    "inbound_leads",       # inbound leads assigned to the rep
    "contact_attempts",    # attempts to reach inbound leads
    "meetings_booked",
    "meetings",            # meetings held
    "proposals",           # proposals sent
    "wins",
    "losses",
    "revenue",             # contract value of won deals (currency)
    "margin",              # gross margin of won deals (currency)
    "executed_revenue",    # contract value of won deals that are executed (paid)
    "executed_margin",
    "cycle_days_sum",      # sum over won deals of created -> won (days)
    "risky_wins",          # won deals that will never execute
    "reorders",
    "reorder_revenue",
    "reorder_margin",
    "reorder_executed_revenue",
    "reorder_executed_margin",
    "prospecting_hours",
    "deal_work_hours",     # proposal and negotiation work (hours)
    "meeting_hours",       # meetings incl. travel (hours)
    "executed_wins",       # won deals that are executed (paid)
    "handoffs",            # inbound leads handed to the rep by a hand-off operator (pay.handoff)
    "handoff_revenue",     # contract value of won deals from handed-off leads
    "handoff_margin",
    "handoff_executed_revenue",
    "handoff_executed_margin",
)

#: Counters kept per (month, rep).
REP_METRICS = (
    "hours_admin",
    "hours_planning",      # planning meetings with the head
    "hours_coached",       # time spent being coached and listened to
    "hours_meetings",
    "hours_deal_work",
    "hours_inbound",       # first contact of inbound leads
    "hours_clients",       # key-client contacts
    "hours_prospecting",
    "hours_idle",          # available but not selling (low intensity, nothing to do)
    "nothing_to_do_hours",  # part of hours_idle: willing to work, but no task, lead, client or prospect left
    "hours_training",
    "days_present",
    "days_employed",
    "intensity_sum",       # sum over present days of intensity
    "attention_sum",       # sum over present days of attention ratio (received / needed)
    "salary",              # fixed pay due (currency)
    "client_contacts",
    "clients_churned",
    "cohort_churned",      # churned clients who were in the book when the period started
    "clients_active",      # at month end
    "clients_won",         # new clients joining the book
    "missed_calls",        # inbound calls nobody answered (assigned to this rep)
    "dropped_leads",       # leads dropped unworked (see the leads table for reasons)
    "training_cost",
    "fact",                # plan fact (won or executed value, per plan.fact_basis)
)

#: Counters kept per (month, supervisor).
SUPERVISOR_METRICS = (
    "hours_admin",
    "hours_planning",
    "hours_listening",
    "hours_coaching",
    "hours_reviews",
    "hours_idle",
    "salary",
    "days_present",
)

#: Counters kept per month for the whole department.
DEPARTMENT_METRICS = (
    "invoices",
    "invoice_wait_hours",
    "invoices_lost",
    "missed_calls_unassigned",
    "inventory_at_cost",    # unsold stock at month end (currency)
    "clerk_salary",
    "returned_deals",       # lost deals brought back by review
)


def _zeros(*shape: int) -> list:
    """A nested list of 0.0 of the given shape (the counters' form during a run)."""
    if len(shape) == 1:
        return [0.0] * shape[0]
    if len(shape) == 2:
        rows, cols = shape
        return [[0.0] * cols for _ in range(rows)]
    return [_zeros(*shape[1:]) for _ in range(shape[0])]


def _array(nested: list, shape: tuple[int, ...]) -> np.ndarray:
    """The float array of a nested list of ``shape``."""
    flat: Any = nested  # a nested list, then chained iterators
    for _ in range(len(shape) - 1):
        flat = chain.from_iterable(flat)
    return np.fromiter(flat, dtype=float, count=math.prod(shape)).reshape(shape)


class Recorder:
    """Counters and (optionally) the event log of one replication.

    During the run ``rp[k][month][rep][product]``, ``r[k][month][rep]``,
    ``s[k][month][supervisor]``, ``d[k][month]`` and ``daily_fact[day][rep]`` are nested
    lists; after :meth:`freeze` they are numpy arrays of those shapes.
    """

    def __init__(self, months: int, n_days: int, n_reps: int, n_products: int, n_supervisors: int,
                 record_events: bool):
        self._shapes = {"rp": (months, n_reps, n_products), "r": (months, n_reps),
                        "s": (months, max(n_supervisors, 0)), "d": (months,)}
        self.daily_fact: Any = _zeros(n_days, n_reps)  # plan fact booked per day and rep (currency)
        self.rp: dict[str, Any] = {k: _zeros(months, n_reps, n_products) for k in REP_PRODUCT_METRICS}
        self.r: dict[str, Any] = {k: _zeros(months, n_reps) for k in REP_METRICS}
        self.s: dict[str, Any] = {k: _zeros(months, max(n_supervisors, 0)) for k in SUPERVISOR_METRICS}
        self.d: dict[str, Any] = {k: _zeros(months) for k in DEPARTMENT_METRICS}
        self.record_events = record_events
        self.events: list[tuple] = []
        #: key clients in the reps' books on the reporting period's first day
        self.clients_at_start = 0
        self.frozen = False

    def freeze(self) -> None:
        """Turn the counters into float numpy arrays (once the run is over)."""
        if self.frozen:
            return
        for name, shape in self._shapes.items():
            table = getattr(self, name)
            for k, v in table.items():
                table[k] = _array(v, shape)
        self.daily_fact = _array(self.daily_fact, (len(self.daily_fact), self._shapes["r"][1]))
        self.frozen = True

    def event(self, t: float, kind: str, lead: int, rep: int, product: int, stage: str = "", value: float = 0.0) -> None:
        """Append one event (time in hours) to the log, if the log is kept."""
        if self.record_events:
            self.events.append((t, kind, lead, rep, product, stage, value))

    # ------------------------------------------------------------------ a rep's day
    def rep_employed(self, m: int, r: int, salary: float) -> None:
        """A working day on which rep seat ``r`` is filled: one day employed, ``salary`` due (currency)."""
        R = self.r
        R["days_employed"][m][r] += 1
        R["salary"][m][r] += salary

    def rep_in_training(self, m: int, r: int, hours: float) -> None:
        """A day of training (``hours`` working hours), out of selling."""
        self.r["hours_training"][m][r] += hours

    def training_paid(self, m: int, r: int, cost: float) -> None:
        """The training fee of one rep (currency)."""
        self.r["training_cost"][m][r] += cost

    def rep_at_work(self, m: int, r: int, admin: float, planning: float, coached: float, intensity: float,
                    attention: float) -> None:
        """A day present: its hours of admin, planning meetings and being coached, and the day's
        intensity and attention ratio (shares 0-1, summed over present days)."""
        R = self.r
        R["days_present"][m][r] += 1
        R["hours_admin"][m][r] += admin
        R["hours_planning"][m][r] += planning
        R["hours_coached"][m][r] += coached
        R["intensity_sum"][m][r] += intensity
        R["attention_sum"][m][r] += attention

    def meeting_booked(self, lead: "Lead", m: int, day: int, t: float) -> None:
        """A meeting with ``lead`` put in its rep's diary for working day ``day``."""
        r, p = lead.rep.index, lead.product
        self.rp["meetings_booked"][m][r][p] += 1
        self.event(t, "meeting_booked", lead.id, r, p, "meeting", day)

    def meeting_held(self, lead: "Lead", m: int, hours: float, t: float) -> None:
        """A meeting with ``lead`` that took place (the client showed up): ``hours`` with travel."""
        r, p = lead.rep.index, lead.product
        rp = self.rp
        rp["meetings"][m][r][p] += 1
        rp["meeting_hours"][m][r][p] += hours
        self.event(t, "meeting_held", lead.id, r, p, "meeting")

    def meeting_time(self, m: int, r: int, hours: float) -> None:
        """A day's hours in meetings and travel, no-shows included."""
        self.r["hours_meetings"][m][r] += hours

    def deal_worked(self, m: int, r: int, p: int, hours: float) -> None:
        """``hours`` of proposal or negotiation work on a deal of product ``p``."""
        self.rp["deal_work_hours"][m][r][p] += hours

    def deal_work_time(self, m: int, r: int, hours: float) -> None:
        """A day's hours of proposal and negotiation work."""
        self.r["hours_deal_work"][m][r] += hours

    def contact_attempted(self, lead: "Lead", m: int) -> None:
        """One attempt to reach an inbound lead."""
        self.rp["contact_attempts"][m][lead.rep.index][lead.product] += 1

    def inbound_time(self, m: int, r: int, hours: float) -> None:
        """A day's hours of first contact with inbound leads."""
        self.r["hours_inbound"][m][r] += hours

    def clients_contacted(self, m: int, r: int, n: int, hours: float) -> None:
        """``n`` key clients contacted, taking ``hours``."""
        R = self.r
        R["client_contacts"][m][r] += n
        R["hours_clients"][m][r] += hours

    def calls_made(self, m: int, r: int, p: int, calls: int, hours: float) -> None:
        """``calls`` outbound dials for product ``p`` in ``hours`` of prospecting."""
        rp = self.rp
        rp["calls"][m][r][p] += calls
        rp["prospecting_hours"][m][r][p] += hours

    def prospects_reached(self, m: int, r: int, p: int, n: int) -> None:
        """``n`` dials that reached a decision maker."""
        self.rp["connects"][m][r][p] += n

    def prospecting_time(self, m: int, r: int, hours: float) -> None:
        """Hours given to prospecting one product (whether or not they made a call)."""
        self.r["hours_prospecting"][m][r] += hours

    def idle_time(self, m: int, r: int, unworked: float, nothing_to_do: float) -> None:
        """A day's hours present but not selling: ``unworked`` (intensity below full) and
        ``nothing_to_do`` (willing to work, with no task, lead, client or prospect left), hours."""
        self.r["hours_idle"][m][r] += unworked + nothing_to_do
        self.r["nothing_to_do_hours"][m][r] += nothing_to_do

    def clients_in_book(self, m: int, r: int, n: int) -> None:
        """Active key clients in the rep's book at the end of the day (the month's last one stays)."""
        self.r["clients_active"][m][r] = n

    def clients_at_period_start(self, n: int) -> None:
        """``n`` key clients in a rep's book on the reporting period's first day."""
        self.clients_at_start += n

    # ------------------------------------------------------------------ a head's day
    def supervisor_in_post(self, m: int, i: int, salary: float) -> None:
        """A working day head ``i`` is in post: one day present, ``salary`` due (currency)."""
        S = self.s
        S["days_present"][m][i] += 1
        S["salary"][m][i] += salary

    def supervisor_own_time(self, m: int, i: int, admin: float, planning: float) -> None:
        """A head's hours of own admin and of planning meetings with the reps."""
        S = self.s
        S["hours_admin"][m][i] += admin
        S["hours_planning"][m][i] += planning

    def supervisor_reviews(self, m: int, i: int, hours: float) -> None:
        """A head's hours reviewing large proposals and lost deals."""
        self.s["hours_reviews"][m][i] += hours

    def supervisor_attention(self, m: int, i: int, listening: float, coaching: float, idle: float) -> None:
        """A head's hours listening to calls and coaching, and the hours left over."""
        S = self.s
        S["hours_listening"][m][i] += listening
        S["hours_coaching"][m][i] += coaching
        S["hours_idle"][m][i] += idle

    def supervisor_idle(self, m: int, i: int, hours: float) -> None:
        """A head's hours with nothing modelled to do (supervision switched off)."""
        self.s["hours_idle"][m][i] += hours

    # ------------------------------------------------------------------ leads and deals
    def lead_unassigned(self, m: int) -> None:
        """An inbound lead no employed rep could take (nobody sells its product in its region)."""
        self.d["missed_calls_unassigned"][m] += 1

    def missed_call(self, lead: "Lead", m: int) -> None:
        """An inbound call nobody answered: counted as the assigned rep's lead and missed call."""
        r = lead.rep.index
        self.r["missed_calls"][m][r] += 1
        self.rp["inbound_leads"][m][r][lead.product] += 1

    def inbound_lead(self, lead: "Lead", m: int, t: float) -> None:
        """An inbound lead reached its rep (and was handed over by a hand-off operator if ``lead.handoff``)."""
        r, p = lead.rep.index, lead.product
        rp = self.rp
        rp["inbound_leads"][m][r][p] += 1
        if lead.handoff:
            rp["handoffs"][m][r][p] += 1
        self.event(t, "lead_created", lead.id, r, p, "first_contact")

    def proposal_sent(self, lead: "Lead", m: int, t: float) -> None:
        """A proposal of ``lead.proposal`` (currency) sent to the client."""
        r, p = lead.rep.index, lead.product
        self.rp["proposals"][m][r][p] += 1
        self.event(t, "proposal_sent", lead.id, r, p, "proposal", lead.proposal)

    def deal_returned(self, lead: "Lead", m: int, stage: str, t: float) -> None:
        """A deal lost at ``stage`` that a lost-deal review brought back."""
        self.d["returned_deals"][m] += 1
        self.event(t, "returned", lead.id, lead.rep.index, lead.product, stage)

    def deal_won(self, lead: "Lead", m: int, d: int, margin: float, cycle_days: float, fact: float, paid: bool,
                 t: float) -> None:
        """A deal of ``lead.proposal`` (currency) with the product's ``margin`` (share) signed after
        ``cycle_days`` (days from the lead's creation), booking ``fact`` toward the rep's plan on day
        ``d``; ``paid``: the client pays today (else :meth:`deal_paid` books the payment later)."""
        r, p = lead.rep.index, lead.product
        value = lead.proposal
        rp = self.rp
        rp["wins"][m][r][p] += 1
        rp["revenue"][m][r][p] += value
        rp["margin"][m][r][p] += value * margin
        rp["cycle_days_sum"][m][r][p] += cycle_days
        if lead.risky:
            rp["risky_wins"][m][r][p] += 1
        if lead.handoff:  # a lead a hand-off operator passed on: their share of sales (pay.handoff)
            rp["handoff_revenue"][m][r][p] += value
            rp["handoff_margin"][m][r][p] += value * margin
        if paid:
            self._paid(lead, m, margin)
        self.r["fact"][m][r] += fact
        self.daily_fact[d][r] += fact
        self.event(t, "won", lead.id, r, p, "won", value)

    def deal_paid(self, lead: "Lead", m: int, d: int, margin: float, fact: float, t: float) -> None:
        """The client of a signed deal pays (its executed value, currency), booking ``fact`` toward the
        rep's plan on day ``d`` (when the plan counts payments)."""
        self._paid(lead, m, margin)
        r = lead.rep.index
        self.r["fact"][m][r] += fact
        self.daily_fact[d][r] += fact
        self.event(t, "paid", lead.id, r, lead.product, "won", lead.proposal)

    def _paid(self, lead: "Lead", m: int, margin: float) -> None:
        r, p = lead.rep.index, lead.product
        value = lead.proposal
        rp = self.rp
        rp["executed_wins"][m][r][p] += 1
        rp["executed_revenue"][m][r][p] += value
        rp["executed_margin"][m][r][p] += value * margin
        if lead.handoff:
            rp["handoff_executed_revenue"][m][r][p] += value
            rp["handoff_executed_margin"][m][r][p] += value * margin

    def deal_lost(self, lead: "Lead", m: int, stage: str, t: float) -> None:
        """A lead lost at ``stage``."""
        self.rp["losses"][m][lead.rep.index][lead.product] += 1
        self.event(t, "lost", lead.id, lead.rep.index, lead.product, stage)

    def lead_dropped(self, lead: "Lead", m: int, t: float) -> None:
        """A lead dropped before anyone worked it (its reason is on the lead)."""
        self.r["dropped_leads"][m][lead.rep.index] += 1
        self.event(t, "dropped", lead.id, lead.rep.index, lead.product, lead.stage)

    # ------------------------------------------------------------------ key clients
    def client_won(self, m: int, r: int) -> None:
        """A newly won client joined the rep's key-client book."""
        self.r["clients_won"][m][r] += 1

    def clients_churned(self, m: int, r: int, p: int, n: int, cohort: int, t: float) -> None:
        """``n`` key clients went to a competitor, ``cohort`` of them in the book since the period started."""
        R = self.r
        for _ in range(n):
            self.event(t, "client_churned", -1, r, p)
        R["clients_churned"][m][r] += n
        R["cohort_churned"][m][r] += cohort

    def reorders_booked(self, m: int, d: int, r: int, p: int, values: np.ndarray, total: float, executed: float,
                        margin: float, fact: float, t: float) -> None:
        """Key-client reorders of ``values`` (currency; ``total`` in all, ``executed`` of it paid) booked
        as product ``p`` with its ``margin`` (share), ``fact`` toward the rep's plan on day ``d``."""
        rp = self.rp
        rp["reorders"][m][r][p] += len(values)
        rp["reorder_revenue"][m][r][p] += total
        rp["reorder_margin"][m][r][p] += total * margin
        rp["reorder_executed_revenue"][m][r][p] += executed
        rp["reorder_executed_margin"][m][r][p] += executed * margin
        self.r["fact"][m][r] += fact
        self.daily_fact[d][r] += fact
        if self.record_events:
            for v in values:
                self.event(t, "reorder", -1, r, p, "won", float(v))

    # ------------------------------------------------------------------ the department
    def invoice_issued(self, m: int, wait: float) -> None:
        """An invoice issued after the client waited ``wait`` working hours in the queue."""
        D = self.d
        D["invoices"][m] += 1
        D["invoice_wait_hours"][m] += wait

    def invoice_lost(self, m: int) -> None:
        """A client soured by the wait for an invoice: the deal is lost."""
        self.d["invoices_lost"][m] += 1

    def month_end(self, m: int, stock: float, clerk_salary: float) -> None:
        """Month-end figures: unsold stock at cost and the clerks' salaries (currency)."""
        D = self.d
        D["inventory_at_cost"][m] = stock
        D["clerk_salary"][m] = clerk_salary
