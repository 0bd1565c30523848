"""The back office: invoicing as a shared queue.

A won deal needs an invoice before it is booked. Invoices queue for ``clerks`` accounting
staff (a SimPy ``Resource``); each takes ``invoice_hours``. While the client waits, they
sour: the deal is lost with probability ``1 - exp(-sour_rate_per_hour * wait_hours)``
(the documents: a request that sits 1-2 hours at accounting costs the rep money).
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

import simpy

if TYPE_CHECKING:  # pragma: no cover
    from salessim.model import Department


class BackOffice:
    """Accounting clerks issuing invoices, first come first served."""

    def __init__(self, dept: "Department"):
        self.dept = dept
        self.spec = dept.scenario.back_office
        self.clerks = simpy.Resource(dept.env, capacity=self.spec.clerks)
        self.rng = dept.streams.get("back_office")
        self.waits: list[float] = []

    def invoice(self, lead):
        """Queue for an invoice (a generator for ``yield from``); returns True if the client is kept."""
        env = self.dept.env
        arrived = env.now
        with self.clerks.request() as req:
            yield req
            wait = env.now - arrived
            yield env.timeout(self.spec.invoice_hours.sample(self.rng))
        m = self.dept.month_now()
        rec = self.dept.recorder
        rec.invoice_issued(m, wait)
        self.waits.append(wait)
        lose = 1.0 - math.exp(-self.spec.sour_rate_per_hour * wait)
        if lose > 0 and self.rng.random() < lose:
            rec.invoice_lost(m)
            return False
        return True
