"""The market: a finite pool of prospects for outbound calls, and inbound lead sources.

**Outbound.** Each product has ``market_size`` prospects. A prospect reached by phone
leaves the pool for ``prospecting.cooling_days`` and then returns. The chance a dial
reaches a decision maker falls in proportion to the share of the pool still available, so
more reps calling the same market each get less from it.

**Inbound.** Each lead source sends a Poisson number of leads per working day (its
``rate_per_day``, or its ``rate_by_month`` for the months that names). Leads are
assigned round-robin (or to the least-loaded rep) among employed reps who sell the
product in the source's region; when reps have unequal ``inbound_weight`` each lead goes
to an eligible rep with probability proportional to their weight. A live call reaches a
rep who is free with the chance that they are not in a meeting; if not, it is lost,
unless overflow routing passes it to another rep who is free. A web form waits in the
rep's inbox.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from .lead import journey

if TYPE_CHECKING:  # pragma: no cover
    from .model import Department
    from .rep import Rep


class Market:
    """Outbound prospect pools and inbound lead arrivals."""

    def __init__(self, dept: "Department"):
        self.dept = dept
        s = dept.scenario
        n_days = dept.calendar.n_days
        cooling = int(np.ceil(s.prospecting.cooling_days))
        self.size = np.array([s.products[p].market_size for p in dept.products], dtype=float)
        self.available = self.size.copy()
        self.returns = np.zeros((len(dept.products), n_days + cooling + 2))
        self.cooling = cooling
        self._released_to = np.zeros(len(dept.products), dtype=np.int64)
        self.sources = list(s.lead_sources)
        self.source_rngs = [dept.streams.get("inbound", src.name) for src in self.sources]
        self.route_rng = dept.streams.get("routing")
        self._rr = [0] * len(self.sources)
        labels = dept.calendar.month_labels
        #: leads per working day of each source in each simulated month (``rate_by_month`` wins)
        self.rates = [
            [(src.rate_by_month or {}).get(label, src.rate_per_day) for label in labels] for src in self.sources
        ]
        #: weighted routing when some rep has an inbound_weight other than 1 (own stream per source)
        self.weighted = any(g.inbound_weight != 1.0 for g in s.team.reps)
        self.assign_rngs = [dept.streams.get("assignment", src.name) for src in self.sources] if self.weighted else []
        self._cum_key: tuple[int, int] | None = None   # cumulative weights of the eligible reps, per (source, day)
        self._cum = np.zeros(0)

    # ------------------------------------------------------------------ outbound
    def _release(self, p: int, d: int) -> None:
        start = self._released_to[p]
        if d >= start:
            self.available[p] += self.returns[p, start : d + 1].sum()
            self._released_to[p] = d + 1

    def availability(self, p: int, d: int) -> float:
        """Share of product ``p``'s market not in its cooling period on day ``d``."""
        if self.size[p] <= 0:
            return 0.0
        self._release(p, d)
        return max(0.0, self.available[p]) / self.size[p]

    def has_prospects(self, p: int, d: int) -> bool:
        return self.dept.launched(p, int(self.dept.calendar.month_of_day[d])) and self.availability(p, d) > 0

    def consume(self, p: int, n: int, d: int) -> None:
        """``n`` prospects reached today leave the pool until their cooling period ends."""
        self.available[p] -= n
        self.returns[p, d + max(1, self.cooling)] += n

    # ------------------------------------------------------------------ inbound
    def arrivals(self):
        """Inbound leads arriving each morning (a SimPy process, started before the reps)."""
        dept = self.dept
        env = dept.env
        hpd = dept.calendar.hours_per_day
        for d in range(dept.calendar.n_days):
            m = int(dept.calendar.month_of_day[d])
            for k, src in enumerate(self.sources):
                rng = self.source_rngs[k]
                if not dept.launched(dept.product_index[src.product], m):
                    continue
                rate = self.rates[k][m]
                n = int(rng.poisson(rate)) if rate > 0 else 0
                for _ in range(n):
                    self._arrive(k, src, rng, d)
            yield env.timeout(hpd)

    def _eligible(self, src, d: int) -> list["Rep"]:
        p = self.dept.product_index[src.product]
        return [
            r for r in self.dept.reps
            if r.employed[d] and p in r.products and (src.region is None or r.region == src.region)
        ]

    def _arrive(self, k: int, src, rng: np.random.Generator, d: int) -> None:
        dept = self.dept
        s = dept.scenario
        p = dept.product_index[src.product]
        potential = s.products[src.product].deal_size.sample(rng)
        reps = self._eligible(src, d)
        if not reps:
            dept.recorder.d["missed_calls_unassigned"][dept.calendar.month_of_day[d]] += 1
            return
        if s.routing.assignment == "least_loaded":
            rep = min(reps, key=lambda r: (not r.present[d], len(r.inbox) + len(r.tasks), r.index))
        elif self.weighted:  # each lead goes to rep i with probability proportional to their weight
            key = (k, d)
            if self._cum_key != key:
                self._cum_key = key
                self._cum = np.cumsum([r.group.inbound_weight for r in reps])
            cum = self._cum
            rep = reps[min(int(np.searchsorted(cum, self.assign_rngs[k].random() * cum[-1], side="right")),
                           len(reps) - 1)]
        else:
            rep = reps[self._rr[k] % len(reps)]
            self._rr[k] += 1
        m = int(dept.calendar.month_of_day[d])
        lead = dept.new_lead(rep, p, "inbound", src.channel, potential)
        lead.arrival_day = d
        if src.kind == "call":
            taker = rep if self._answers(rep, d) else None
            if taker is None and s.routing.overflow:
                others = sorted((r for r in reps if r is not rep and r.present[d]),
                                key=lambda r: (r.booked[d], r.index))
                taker = next((r for r in others if self._answers(r, d)), None)
            if taker is None:
                dept.recorder.r["missed_calls"][m, rep.index] += 1
                dept.recorder.rp["inbound_leads"][m, rep.index, p] += 1
                dept.close_dropped(lead, "missed_call")
                return
            lead.rep = taker
            lead.connected = True
        elif not rep.present[d] and s.routing.overflow:
            present = [r for r in reps if r.present[d]]
            if present:
                lead.rep = min(present, key=lambda r: (len(r.inbox), r.index))
        dept.recorder.rp["inbound_leads"][m, lead.rep.index, p] += 1
        dept.recorder.event(dept.env.now, "lead_created", lead.id, lead.rep.index, p, "first_contact")
        dept.env.process(journey(dept, lead))

    def _answers(self, rep: "Rep", d: int) -> bool:
        """Is ``rep`` free to take a live call now? Not if absent or in a meeting."""
        if not rep.present[d]:
            return False
        busy = min(1.0, rep.booked[d] * self.dept.meeting_block / self.dept.calendar.hours_per_day)
        return self.route_rng.random() >= busy
