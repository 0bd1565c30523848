"""A lead and its journey through the funnel.

Stages: ``first_contact`` (inbound leads only) -> ``meeting`` -> ``proposal`` ->
``negotiation`` -> ``invoicing`` -> won. A lead can be lost at any stage, or dropped
before anyone worked it (a missed call, a lead nobody contacted in time, no free slot in
the rep's diary, a rep who left). Every lead ends in exactly one state: ``won``, ``lost``,
``dropped``, or ``open`` when the horizon ends first (or for ever, if the product's
``stall_share`` makes it a stalled deal after its first meeting).

First contact and the meeting happen in the rep's working day (:mod:`salessim.engine.rep`), which
calls :func:`hold_meeting`. A meeting that leads on starts the deal's own SimPy process,
:func:`journey`, which reads like the story: the client asks for a proposal, the rep
writes it (work queued with the rep, done within their hours), the client decides, the
rep negotiates, the back office invoices. Client-side delays are timeouts.

**A lead's luck.** Every chance that concerns one lead (its size, no-show, each stage's
outcome, each client delay, the rep's ask) is decided by a uniform number drawn for that
lead when it is created, one per purpose (:data:`LUCK`), from the stream of whatever
created it (the lead source for inbound leads, the rep's lead stream for outbound ones).
Two scenarios run with the same seed therefore give the *same* lead the same luck: the
k-th inbound lead of a source, or the k-th lead a rep books, is as easy to win, as large
and as slow in both, whoever works it and whenever. This keeps paired comparisons (common
random numbers) in step far longer than one stream per rep consumed in event order. A
purpose used a second time for the same lead (a deal brought back by a lost-deal review
goes round again) draws from the rep's deal stream instead.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:  # pragma: no cover
    from salessim.engine.rep import Rep
    from salessim.model import Department

#: the purposes a lead's uniform numbers are drawn for, in slot order
LUCK = (
    "potential", "contact", "contact_meeting", "no_show", "meeting", "ask", "stall", "review_meeting",
    "delay_meeting_to_proposal", "proposal", "delay_proposal_to_decision", "delay_negotiation_to_close",
    "won", "risky", "nonpayment", "joins_key_clients", "review_deal",
)
(U_POTENTIAL, U_CONTACT, U_CONTACT_MEETING, U_NO_SHOW, U_MEETING, U_ASK, U_STALL, U_REVIEW_MEETING,
 U_DELAY_M2P, U_PROPOSAL, U_DELAY_P2D, U_DELAY_N2C, U_WON, U_RISKY, U_NONPAYMENT, U_JOIN,
 U_REVIEW_DEAL) = range(len(LUCK))
N_LUCK = len(LUCK)


class LuckSupply:
    """Lead luck from a stream used for nothing else, drawn ``block`` leads at a time.

    Gives exactly the numbers of ``rng.random(N_LUCK)`` per lead (a generator's uniforms
    come out in the same order whatever the batch size), with one numpy call per block
    instead of one per lead.
    """

    __slots__ = ("rng", "block", "buf", "pos")

    def __init__(self, rng, block: int = 32):
        self.rng = rng
        self.block = block
        self.buf: list[float] = []
        self.pos = 0

    def take(self) -> list[float]:
        """The next lead's luck: one uniform number per purpose in :data:`LUCK`."""
        i = self.pos
        if i >= len(self.buf):
            self.buf = self.rng.random(N_LUCK * self.block).tolist()
            i = 0
        self.pos = i + N_LUCK
        return self.buf[i:i + N_LUCK]


class Lead:
    """One opportunity: who owns it, where it stands, and how it ended."""

    __slots__ = (
        "id", "rep", "product", "origin", "channel", "created", "stage", "state", "reason",
        "potential", "proposal", "closed", "executed", "risky", "returned",
        "attempts", "arrival_day", "connected", "handoff", "policed", "luck", "_used",
    )

    def __init__(self, lead_id: int, rep: "Rep", product: int, origin: str, channel: str, created: float,
                 potential: float, luck: list[float], arrival_day: int = 0):
        self.id = lead_id
        self.rep = rep
        self.product = product
        self.origin = origin          # "inbound" | "outbound"
        self.channel = channel
        self.created = created        # hours
        self.stage = "first_contact" if origin == "inbound" else "meeting"
        self.state = "open"           # open | won | lost | dropped
        self.reason = ""
        self.potential = potential    # the client's largest acceptable deal (currency)
        self.proposal = 0.0           # the value proposed (currency)
        self.closed = -1.0            # hours
        self.executed = False
        self.risky = False
        self.returned = False
        self.attempts = 0             # inbound contact attempts
        self.arrival_day = arrival_day  # working day an inbound lead arrived
        self.connected = False        # an answered inbound call is already connected
        self.handoff = False          # passed on by a hand-off operator (pay.handoff)
        self.policed = False          # ... who chases the rep to follow it up
        self.luck = luck              # one uniform number per purpose in LUCK
        self._used = 0                # bit i set once luck[i] has been used

    def u(self, slot: int) -> float:
        """The lead's uniform number for purpose ``slot``; a second use draws from the rep's deal stream."""
        used = self._used
        bit = 1 << slot
        if used & bit:
            return self.rep.rng_deals.random()
        self._used = used | bit
        return self.luck[slot]

    # ------------------------------------------------------------------ what others do to a lead
    def answered_by(self, rep: "Rep") -> None:
        """An inbound call picked up by ``rep`` (the assigned rep or, by overflow, another): connected."""
        self.rep = rep
        self.connected = True

    def passed_to(self, rep: "Rep") -> None:
        """An inbound lead routed to ``rep`` instead of the absent rep it was assigned to."""
        self.rep = rep

    def handed_off(self, policed: bool) -> None:
        """Passed on by a hand-off operator (pay.handoff), who chases the rep to follow it up if ``policed``."""
        self.handoff = True
        self.policed = policed

    def contact_attempted(self) -> None:
        """The rep tried to reach the client (inbound first contact)."""
        self.attempts += 1

    def meeting_booked(self) -> None:
        """A meeting with the client is in the rep's diary (booked or moved)."""
        self.stage = "meeting"

    def close_won(self, now: float, nonpayment_rate: float) -> None:
        """Won at ``now`` (hours); executed (paid) unless risky or the client never pays (``nonpayment_rate``)."""
        self.state, self.closed = "won", now
        self.executed = not self.risky and self.u(U_NONPAYMENT) >= nonpayment_rate

    def close_lost(self, stage: str, reason: str, now: float) -> None:
        """Lost at ``stage`` for ``reason`` at ``now`` (hours)."""
        self.state, self.stage, self.reason, self.closed = "lost", stage, reason, now

    def close_dropped(self, reason: str, now: float) -> None:
        """Dropped unworked for ``reason`` at ``now`` (hours)."""
        self.state, self.reason, self.closed = "dropped", reason, now


def hold_meeting(dept: "Department", lead: Lead, held: bool) -> None:
    """The meeting has taken place (or the client did not show): does the deal go on?"""
    rep = lead.rep
    lead.proposal = rep.proposal_for(lead)
    if held and lead.u(U_MEETING) < dept.conversion(rep, lead, dept.product_specs[lead.product].funnel.meeting_to_proposal):
        lead.stage = "proposal"
        stall = dept.product_specs[lead.product].stall_share
        if stall > 0 and lead.u(U_STALL) < stall:
            # a stalled deal stays open for ever: nobody closes it (common in CRM histories)
            lead.reason = "stalled"
            return
        dept.env.process(journey(dept, lead))
        return
    review = dept.scenario.lost_review
    if review.enabled and not lead.returned and lead.u(U_REVIEW_MEETING) < review.return_share:
        dept.env.process(_rebook_after_review(dept, lead))
        return
    dept.close_lost(lead, "meeting", "no_show" if not held else "no_interest")


def _rebook_after_review(dept: "Department", lead: Lead):
    """A lost meeting brought back by review: a new meeting after the review delay."""
    lead.returned = True
    dept.recorder.deal_returned(lead, dept.month_now(), "meeting", dept.env.now)
    yield dept.env.timeout(dept.scenario.lost_review.delay_days * dept.hours_per_day)
    lead.rep.book_meeting(lead)


def journey(dept: "Department", lead: Lead):
    """A deal's way from a successful meeting to won or lost (a SimPy process)."""
    env, rec = dept.env, dept.recorder
    prod = dept.product_specs[lead.product]
    funnel, delays = prod.funnel, prod.delays_days
    size = dept.size_factor(lead)

    # ---- proposal: the client asks, the rep writes it, the client decides
    while True:
        yield env.timeout(dept.client_delay(delays.meeting_to_proposal.quantile(lead.u(U_DELAY_M2P)) * size.cycle))
        yield lead.rep.queue_work(lead, prod.effort_hours.proposal)
        if dept.needs_review(lead):
            yield dept.request_review(lead)
        rec.proposal_sent(lead, dept.month_now(), env.now)
        yield env.timeout(dept.client_delay(delays.proposal_to_decision.quantile(lead.u(U_DELAY_P2D)) * size.cycle))
        if lead.u(U_PROPOSAL) < dept.conversion(lead.rep, lead, funnel.proposal_to_negotiation, size.win):
            break
        if not (yield from _lost_or_reviewed(dept, lead, "proposal", "rejected")):
            return

    # ---- negotiation: objections, the contract
    lead.stage = "negotiation"
    while True:
        yield lead.rep.queue_work(lead, prod.effort_hours.negotiation)
        yield env.timeout(dept.client_delay(delays.negotiation_to_close.quantile(lead.u(U_DELAY_N2C)) * size.cycle))
        p_won = dept.conversion(lead.rep, lead, funnel.negotiation_to_won, size.win)
        risky_share = dept.risky_share
        if risky_share > 0:  # pay on contracted value: reps also sign clients who will never pay
            p_won = min(1.0, p_won / (1.0 - risky_share))
        if lead.u(U_WON) < p_won:
            lead.risky = risky_share > 0 and lead.u(U_RISKY) < risky_share
            break
        if not (yield from _lost_or_reviewed(dept, lead, "negotiation", "lost_to_objections")):
            return

    # ---- invoicing: a shared back-office queue; a long wait sours the client
    lead.stage = "invoicing"
    if dept.back_office is not None:
        kept = yield from dept.back_office.invoice(lead)
        if not kept:
            dept.close_lost(lead, "invoicing", "soured_waiting_for_invoice")
            return
    dept.close_won(lead)


def _lost_or_reviewed(dept: "Department", lead: Lead, stage: str, reason: str):
    """Lose the lead at ``stage``; a lost-deal review may return it once. True if returned."""
    review = dept.scenario.lost_review
    if review.enabled and not lead.returned and lead.u(U_REVIEW_DEAL) < review.return_share:
        lead.returned = True
        dept.recorder.deal_returned(lead, dept.month_now(), stage, dept.env.now)
        yield dept.env.timeout(review.delay_days * dept.calendar.hours_per_day)
        return True
    dept.close_lost(lead, stage, reason)
    return False
