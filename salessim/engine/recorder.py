"""What the simulation records: counters per month, rep and product, and an event log.

While the model runs, counters are nested Python lists indexed ``[month][rep][product]``
(adding to a list element costs a third of a numpy scalar update, and the model makes tens
of thousands of them per replication). :meth:`Recorder.freeze` turns them into numpy arrays
of the same shape when the run ends, and :mod:`salessim.results.result` makes tidy tables of them
only when asked. The event log is optional: replications that only need KPIs skip it.
"""

from __future__ import annotations

import math
from itertools import chain
from typing import Any

import numpy as np

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
