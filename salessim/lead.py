"""A lead and its journey through the funnel.

Stages: ``first_contact`` (inbound leads only) -> ``meeting`` -> ``proposal`` ->
``negotiation`` -> ``invoicing`` -> won. A lead can be lost at any stage, or dropped
before anyone worked it (a missed call, a lead nobody contacted in time, no free slot in
the rep's diary, a rep who left). Every lead ends in exactly one state: ``won``, ``lost``,
``dropped``, or ``open`` when the horizon ends first (or for ever, if the product's
``stall_share`` makes it a stalled deal after its first meeting).

The journey is a SimPy process that reads like the story. Rep work (holding the meeting,
writing the proposal, negotiating) is queued with the rep, who does it within their
working hours; the journey waits for it. Client-side delays are timeouts.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from . import odds

if TYPE_CHECKING:  # pragma: no cover
    from .model import Department
    from .rep import Rep

STAGES = ("first_contact", "meeting", "proposal", "negotiation", "invoicing")


class Lead:
    """One opportunity: who owns it, where it stands, and how it ended."""

    __slots__ = (
        "id", "rep", "product", "origin", "channel", "created", "stage", "state", "reason",
        "potential", "proposal", "closed", "executed", "risky", "returned", "event",
        "attempts", "arrival_day", "connected",
    )

    def __init__(self, lead_id: int, rep: "Rep", product: int, origin: str, channel: str, created: float,
                 potential: float):
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
        self.event = None             # the SimPy event the journey waits on
        self.attempts = 0             # inbound contact attempts
        self.arrival_day = 0
        self.connected = False        # an answered inbound call is already connected


def journey(dept: "Department", lead: Lead):
    """The lead's way through the funnel (a SimPy process)."""
    env, rec = dept.env, dept.recorder
    prod = dept.product_specs[lead.product]
    funnel, delays = prod.funnel, prod.delays_days

    if lead.origin == "inbound":
        booked = yield lead.rep.await_first_contact(lead)
        if not booked:
            return

    # ---- meeting: held on the booked day, then the client may ask for a proposal
    while True:
        held = yield lead.event  # set when the meeting is booked
        if held is None:  # dropped by the rep's side (left, no slot)
            return
        rep = lead.rep
        lead.proposal = rep.proposal_for(lead)
        if held and rep.rng_deals.random() < dept.conversion(rep, lead, funnel.meeting_to_proposal):
            break
        if not (yield from _lost_or_reviewed(dept, lead, "meeting", "no_show" if not held else "no_interest")):
            return
        lead.event = rep.book_meeting(lead, review=True)

    # ---- a stalled deal stays open for ever: nobody closes it (common in CRM histories)
    if prod.stall_share > 0 and lead.rep.rng_deals.random() < prod.stall_share:
        lead.stage, lead.reason = "proposal", "stalled"
        return

    size = dept.size_factor(lead)
    # ---- proposal: the client asks, the rep writes it, the client decides
    lead.stage = "proposal"
    while True:
        yield env.timeout(dept.client_delay(delays.meeting_to_proposal.sample(lead.rep.rng_deals) * size.cycle))
        yield lead.rep.queue_work(lead, prod.effort_hours.proposal, "proposal")
        if dept.needs_review(lead):
            yield dept.request_review(lead)
        m, r, p = dept.month_now(), lead.rep.index, lead.product
        rec.rp["proposals"][m, r, p] += 1
        rec.event(env.now, "proposal_sent", lead.id, r, p, "proposal", lead.proposal)
        yield env.timeout(dept.client_delay(delays.proposal_to_decision.sample(lead.rep.rng_deals) * size.cycle))
        if lead.rep.rng_deals.random() < dept.conversion(lead.rep, lead, funnel.proposal_to_negotiation, size.win):
            break
        if not (yield from _lost_or_reviewed(dept, lead, "proposal", "rejected")):
            return

    # ---- negotiation: objections, the contract
    lead.stage = "negotiation"
    while True:
        yield lead.rep.queue_work(lead, prod.effort_hours.negotiation, "negotiation")
        yield env.timeout(dept.client_delay(delays.negotiation_to_close.sample(lead.rep.rng_deals) * size.cycle))
        p_won = dept.conversion(lead.rep, lead, funnel.negotiation_to_won, size.win)
        risky_share = dept.risky_share
        if risky_share > 0:  # pay on contracted value: reps also sign clients who will never pay
            p_won = min(1.0, p_won / (1.0 - risky_share))
        if lead.rep.rng_deals.random() < p_won:
            lead.risky = risky_share > 0 and lead.rep.rng_deals.random() < risky_share
            break
        if not (yield from _lost_or_reviewed(dept, lead, "negotiation", "lost_to_objections")):
            return

    # ---- invoicing: a shared back-office queue; a long wait sours the client
    lead.stage = "invoicing"
    if dept.back_office is not None:
        kept = yield env.process(dept.back_office.invoice(lead))
        if not kept:
            dept.close_lost(lead, "invoicing", "soured_waiting_for_invoice")
            return
    dept.close_won(lead)


def _lost_or_reviewed(dept: "Department", lead: Lead, stage: str, reason: str):
    """Lose the lead at ``stage``; a lost-deal review may return it once. True if returned."""
    review = dept.scenario.lost_review
    if review.enabled and not lead.returned and lead.rep.rng_deals.random() < review.return_share:
        lead.returned = True
        dept.recorder.d["returned_deals"][dept.month_now()] += 1
        dept.recorder.event(dept.env.now, "returned", lead.id, lead.rep.index, lead.product, stage)
        yield dept.env.timeout(review.delay_days * dept.calendar.hours_per_day)
        return True
    dept.close_lost(lead, stage, reason)
    return False
    yield  # pragma: no cover - makes this a generator


def conversion_probability(p: float, multiplier: float) -> float:
    """Base stage probability ``p`` with its odds scaled by ``multiplier``."""
    return odds.scale(p, multiplier)
