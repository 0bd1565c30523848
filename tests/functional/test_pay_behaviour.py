"""How reps value an hour of each activity under every kind of scheme (unit tests).

Expected values are computed independently from the funnel (expected deal, hours per win,
executed probability) and the scheme's rates, then compared with
``PayModel.activity_values``, which reps use to split their free time.
"""

from __future__ import annotations

import numpy as np
import pytest

import salessim as ss
from salessim.engine.pay_response import PayModel
from salessim.model import Department


def _rep_values(sc, group_index: int = 0, day: int | None = None):
    dept = Department(sc, seed=0)
    rep = next(r for r in dept.reps if r.group_index == group_index)
    d = dept.day0 if day is None else day
    m = int(dept.calendar.month_of_day[d])
    names, values = dept.pay_model.activity_values(rep, d, m)
    return dept, rep, d, dict(zip(names, values))


def _hand_values(dept, rep, d, rate_on_margin: float) -> dict[str, float]:
    """Commission of ``rate_on_margin`` on executed margin, per hour: deals of A and key-client contacts."""
    s = dept.scenario
    spec = s.products["A"]
    hours = dept.hours_per_win(0, rep.effectiveness(d))
    per_deal = rate_on_margin * dept.expected_deal(0, rep.threshold) * spec.margin * dept.executed_prob
    kc = s.key_clients
    per_contact = (rate_on_margin * spec.margin * kc.monthly_order.mean * kc.reorder_prob_contacted
                   * (1 - s.back_office.nonpayment_rate))
    return {"A": per_deal / hours, "key_clients": per_contact / s.activity.client_contact_hours}


def _with_pay(baseline, components, **more):
    return ss.with_overrides(baseline, {"pay.components": components, **more})


def test_linear_commission_values_match_the_funnel_by_hand(baseline):
    dept, rep, d, got = _rep_values(baseline)
    want = _hand_values(dept, rep, d, 0.25)
    assert got == pytest.approx(want, rel=1e-12)


def test_numeric_marginal_pay_equals_linear_pay_where_the_scheme_is_locally_linear(baseline):
    """A one-band 'tier' at 25% of margin is linear: the numeric path must give the same values."""
    one_band = _with_pay(baseline, [{"type": "tiered", "base": "executed_margin", "tiers": [{"from": 0.0, "rate": 0.25}]}])
    dept, rep, d, got = _rep_values(one_band)
    assert got == pytest.approx(_hand_values(dept, rep, d, 0.25), rel=1e-9)


def test_accelerator_raises_marginal_pay_to_the_band_rate(baseline):
    # without uncertainty, a rep at 100% of plan (the first month) earns the 60% band on every extra sale
    tiers = [{"from": 0.0, "rate": 0.25}, {"from": 1.0, "rate": 0.6}]
    sc = _with_pay(baseline, [{"type": "tiered", "base": "executed_margin", "tiers": tiers}], **{"pay.attainment_spread": 0.0})
    dept, rep, d, got = _rep_values(sc)
    assert got == pytest.approx(_hand_values(dept, rep, d, 0.6), rel=1e-9)


def test_above_a_cap_or_far_below_a_threshold_an_hour_pays_nothing(baseline):
    capped = _with_pay(baseline, [{"type": "tiered", "base": "executed_margin", "tiers": [{"from": 0.0, "rate": 0.25}],
                                   "cap": 0.5}], **{"pay.attainment_spread": 0.0})
    assert all(v == 0.0 for v in _rep_values(capped)[3].values())
    far = _with_pay(baseline, [{"type": "tiered", "base": "executed_margin", "tiers": [{"from": 3.0, "rate": 0.25}]}],
                    **{"pay.attainment_spread": 0.0})
    assert all(v == 0.0 for v in _rep_values(far)[3].values())
    # with uncertainty about the month, some of the threshold's pay is within reach, but less than a flat rate
    unsure = ss.with_overrides(far, {"pay.attainment_spread": 0.35})
    dept, rep, d, got = _rep_values(unsure)
    flat = _hand_values(dept, rep, d, 0.25)
    assert 0.0 < got["A"] < flat["A"]


def test_a_bonus_just_out_of_reach_adds_pay_to_the_activity_that_reaches_it(baseline):
    base = _rep_values(baseline)[3]
    comps = [baseline.pay.components[0].model_dump(), {"type": "bonus", "metric": "client_contacts", "target": 1.0,
                                                       "amount": 500.0}]
    got = _rep_values(_with_pay(baseline, comps, **{"pay.attainment_spread": 0.0}))[3]
    # the bonus is earned by key-client contacts only; prospecting is unchanged
    assert got["A"] == pytest.approx(base["A"], rel=1e-9)
    assert got["key_clients"] > base["key_clients"]


def test_per_action_values(baseline):
    rates = {"executed_deal": 250.0, "meeting": 30.0, "contact": 2.0, "call": 0.1, "client_contact": 60.0}
    sc = _with_pay(baseline, [{"type": "per_action", "rates": rates}])
    dept, rep, d, got = _rep_values(sc)
    f = baseline.products["A"].funnel
    from salessim.engine import odds

    mult = rep.effectiveness(d)
    win = np.prod([odds.scale(p, mult) for p in (f.meeting_to_proposal, f.proposal_to_negotiation, f.negotiation_to_won)])
    meetings = 1 / win
    connects = meetings / odds.scale(f.booking_rate, mult)
    calls = connects / baseline.prospecting.connect_rate
    per_deal = 250.0 * dept.executed_prob + 30.0 * meetings + 2.0 * connects + 0.1 * calls
    assert got["A"] == pytest.approx(per_deal / dept.hours_per_win(0, mult), rel=1e-12)
    assert got["key_clients"] == pytest.approx(60.0 / baseline.activity.client_contact_hours, rel=1e-12)


def test_non_recoverable_draw_mutes_incentives_in_the_draw_period_only(baseline):
    team = [{"id": "new", "count": 1, "supervisor": "head", "salary_per_month": 3000.0, "hire_date": "2027-01-01"},
            {"id": "old", "count": 1, "supervisor": "head", "salary_per_month": 3000.0}]
    comm = baseline.pay.components[0].model_dump()
    draw = {"type": "draw", "per_month": 50000.0, "months": 3.0}
    sc = ss.with_overrides(baseline, {"team.reps": team, "pay.components": [comm, draw]})
    dept, rep, d, got = _rep_values(sc, group_index=0)
    assert all(v == 0.0 for v in got.values())          # nothing they do can lift them above the guarantee
    assert all(v > 0.0 for v in _rep_values(sc, group_index=1)[3].values())   # ramped reps are not in a draw
    later = dept.day0 + 100                              # tenure 100 days > 3 months: incentives are back
    assert all(v > 0.0 for v in _rep_values(sc, group_index=0, day=later)[3].values())
    recoverable = ss.with_overrides(sc, {"pay.components.1.recoverable": True})
    assert all(v > 0.0 for v in _rep_values(recoverable, group_index=0)[3].values())


@pytest.mark.parametrize("components,fact_basis,contracted", [
    ([{"type": "commission", "base": "revenue", "rates": {"A": 0.1}}], "executed", True),
    ([{"type": "commission", "base": "executed_revenue", "rates": {"A": 0.1}}], "executed", False),
    ([{"type": "commission", "base": "revenue", "rates": {"A": 0.1}}, {"type": "clawback"}], "executed", False),
    ([{"type": "plan_fulfilment"}], "won", True),
    ([{"type": "plan_fulfilment"}], "executed", False),
    ([{"type": "per_action", "rates": {"deal": 100.0}}], "executed", True),
    ([{"type": "per_action", "rates": {"executed_deal": 100.0}}], "executed", False),
    ([{"type": "contest", "metric": "revenue", "prize": 100.0}, {"type": "clawback"}], "executed", True),
    ([{"type": "bonus", "metric": "executed_revenue", "target": 1.0, "amount": 1.0}], "executed", False),
])
def test_which_schemes_pay_on_contracted_value(baseline, components, fact_basis, contracted):
    sc = ss.with_overrides(baseline, {"pay.components": components, "plan.fact_basis": fact_basis})
    assert PayModel(sc).pays_on_contracted() is contracted
    assert (Department(sc).risky_share > 0) is contracted
