"""Shared fixtures and scenario builders for the test suite."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

# Tests are hermetic: no outcome is read from or written to the user's disk cache
# (salessim.runs.cache); the tests of the disk layer give it a temporary folder. Set before
# salessim is imported, and inherited by notebook kernels and app views the tests start.
os.environ["SALESSIM_CACHE_DIR"] = "off"

from hypothesis import settings as _hypothesis_settings  # noqa: E402

import salessim as ss  # noqa: E402

# Property tests (hypothesis) draw the same examples on every run, so a commit's result does not
# depend on luck; HYPOTHESIS_PROFILE=explore searches afresh with more examples (a failure it
# finds is printed with the example, to be fixed and pinned as a plain test).
_hypothesis_settings.register_profile("repeatable", derandomize=True, print_blob=True)
_hypothesis_settings.register_profile("explore", max_examples=500, print_blob=True)
_hypothesis_settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "repeatable"))

ROOT = Path(__file__).resolve().parents[1]
SHARED_DATA = ROOT.parent / "shared" / "data" / "crm_export_sample"


@pytest.fixture(scope="session")
def baseline() -> ss.Scenario:
    return ss.load_scenario("baseline")


def funnel_only(rate_per_day: float, probs: tuple[float, float, float, float], months: int = 6,
                reps: int = 5) -> ss.Scenario:
    """A department with constant rates and no capacity limit: a plain funnel.

    Inbound form leads arrive at ``rate_per_day``; every first contact connects; all work
    and meetings take no time; client delays are zero; nobody is absent; supervision,
    key clients, the back office, outbound prospecting and the market's mood are off. ``probs`` are
    (contact->meeting, meeting->proposal, proposal->negotiation, negotiation->won).
    """
    zero = {"dist": "fixed", "value": 0.0}
    return ss.load_scenario("baseline", {
        "calendar.months": months,
        "calendar.warmup_months": 0,
        "team.reps": [{"id": "rep", "count": reps, "supervisor": "head", "salary_per_month": 3000.0,
                       "skill_spread": 0.0, "threshold_spread": 0.0, "threshold": 5000.0}],
        "lead_sources": [{"name": "web", "product": "A", "kind": "form", "rate_per_day": rate_per_day}],
        "products.A.market_size": 0,
        "products.A.funnel.contact_to_meeting": probs[0],
        "products.A.funnel.meeting_to_proposal": probs[1],
        "products.A.funnel.proposal_to_negotiation": probs[2],
        "products.A.funnel.negotiation_to_won": probs[3],
        "products.A.delays_days": {"meeting_to_proposal": zero, "proposal_to_decision": zero,
                                   "negotiation_to_close": zero},
        "products.A.effort_hours": {"proposal": 0.0, "negotiation": 0.0},
        "activity.meeting_hours": 0.0,
        "activity.travel_hours": 0.0,
        "activity.first_contact_minutes": 0.0,
        "activity.inbound_connect_rate": 1.0,
        "activity.max_contact_attempts": 1,
        "activity.no_show_rate": 0.0,
        "activity.max_meetings_per_day": 0,
        "activity.meeting_lead_days": 1,
        "activity.lead_patience_days": 1000.0,
        "supervision.enabled": False,
        "people.attrition_per_year": 0.0,
        "people.vacation_days_per_year": 0.0,
        "key_clients.enabled": False,
        "back_office.enabled": False,
        "deal_size.win_elasticity": 0.0,
        "deal_size.cycle_elasticity": 0.0,
        "market_mood.monthly_sd": 0.0,
    })
