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

from salessim.scenarios.pay import handoff_sources

if TYPE_CHECKING:  # pragma: no cover
    from salessim.engine.rep import Rep
    from salessim.model import Department


class Market:
    """Outbound prospect pools and inbound lead arrivals."""

    def __init__(self, dept: "Department"):
        self.dept = dept
        s = dept.scenario
        n_days = dept.calendar.n_days
        cooling = int(np.ceil(s.prospecting.cooling_days))
        self.size = [float(s.products[p].market_size) for p in dept.products]
        self.available = list(self.size)
        self.returns = [[0.0] * (n_days + cooling + 2) for _ in dept.products]
        self.cooling = cooling
        self._released_to = [0] * len(dept.products)
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
        self._static_eligible: dict[int, list] = {}
        self._eligible_cache: dict[int, tuple[int, list]] = {}
        #: lead sources whose leads a hand-off operator passes on (pay.handoff), and whether they chase follow-up
        self.handoff = set(handoff_sources(s))
        self.policing = s.pay.handoff is not None and s.pay.handoff.polices

    # ------------------------------------------------------------------ outbound
    def _release(self, p: int, d: int) -> None:
        start = self._released_to[p]
        if d >= start:
            back = self.returns[p]
            self.available[p] += sum(back[start : d + 1])
            self._released_to[p] = d + 1

    def availability(self, p: int, d: int) -> float:
        """Share of product ``p``'s market not in its cooling period on day ``d``."""
        if self.size[p] <= 0:
            return 0.0
        self._release(p, d)
        return max(0.0, self.available[p]) / self.size[p]

    def has_prospects(self, p: int, d: int) -> bool:
        return self.dept.launched(p, self.dept.month_of[d]) and self.availability(p, d) > 0

    def consume(self, p: int, n: int, d: int) -> None:
        """``n`` prospects reached today leave the pool until their cooling period ends."""
        self.available[p] -= n
        self.returns[p][d + max(1, self.cooling)] += n

    # ------------------------------------------------------------------ inbound
    def arrive_today(self, d: int) -> None:
        """Inbound leads arriving on the morning of day ``d`` (runs before the reps' day)."""
        dept = self.dept
        m = dept.month_of[d]
        for k, src in enumerate(self.sources):
            rng = self.source_rngs[k]
            if not dept.launched(dept.product_index[src.product], m):
                continue
            rate = self.rates[k][m]
            n = int(rng.poisson(rate)) if rate > 0 else 0
            for _ in range(n):
                self._arrive(k, src, rng, d)

    def _eligible(self, k: int, src, d: int) -> list["Rep"]:
        """Employed reps who sell the source's product in its region (computed once a day)."""
        cached = self._eligible_cache.get(k)
        if cached is not None and cached[0] == d:
            return cached[1]
        static = self._static_eligible.get(k)
        if static is None:
            p = self.dept.product_index[src.product]
            static = [r for r in self.dept.reps if p in r.products and (src.region is None or r.region == src.region)]
            self._static_eligible[k] = static
        reps = [r for r in static if r.employed[d]]
        self._eligible_cache[k] = (d, reps)
        return reps

    def _arrive(self, k: int, src, rng: np.random.Generator, d: int) -> None:
        dept = self.dept
        s = dept.scenario
        p = dept.product_index[src.product]
        luck = dept.draw_luck(rng)  # drawn for every arrival, so the source's stream stays in step
        reps = self._eligible(k, src, d)
        rec = dept.recorder
        if not reps:
            rec.lead_unassigned(dept.month_of[d])
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
        m = dept.month_of[d]
        lead = dept.new_lead(rep, p, "inbound", src.channel, luck, arrival_day=d)
        if src.kind == "call":
            taker = rep if self._answers(rep, d) else None
            if taker is None and s.routing.overflow:
                others = sorted((r for r in reps if r is not rep and r.present[d]),
                                key=lambda r: (r.booked[d], r.index))
                taker = next((r for r in others if self._answers(r, d)), None)
            if taker is None:
                rec.missed_call(lead, m)
                dept.close_dropped(lead, "missed_call")
                return
            lead.answered_by(taker)
        elif not rep.present[d] and s.routing.overflow:
            present = [r for r in reps if r.present[d]]
            if present:
                lead.passed_to(min(present, key=lambda r: (len(r.inbox), r.index)))
        if src.name in self.handoff:
            lead.handed_off(self.policing)
        rec.inbound_lead(lead, m, dept.env.now)
        lead.rep.receive_lead(lead)

    def _answers(self, rep: "Rep", d: int) -> bool:
        """Is ``rep`` free to take a live call now? Not if absent or in a meeting."""
        if not rep.present[d]:
            return False
        busy = min(1.0, rep.booked[d] * self.dept.meeting_block / self.dept.calendar.hours_per_day)
        return self.route_rng.random() >= busy
