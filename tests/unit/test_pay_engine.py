"""Unit tests of every pay component against hand-computed tables, including the exact boundaries.

Scenario (tests/pay_helpers.py): products A (margin 35%) and B (margin 20%); seats rep01,
rep02 (group 'rep', salary 3,000, under 'head') and hire (group 'hire', salary 2,000, under
'head2', who reports to 'head'); plan 40,000 a month; fact = executed revenue; 20 working
days a month. Each expected figure is worked out by hand in the comment next to it.
"""

from __future__ import annotations

import numpy as np
import pytest

from salessim.engine.payroll import PayInputs, apply_draw, compute_pay, tier_pay
from tests.pay_helpers import inputs, sales, scheme_scenario

TIERS = [{"from": 0.0, "rate": 0.0}, {"from": 0.5, "rate": 0.5}, {"from": 1.0, "rate": 0.6}]


def one_rep(sc, **counters) -> PayInputs:
    """The first seat alone (plan 40,000, salary 3,000), one month of 20 days."""
    inp = inputs(sc, months=1, **counters)
    keep = [0]
    return PayInputs(rp={k: v[:, keep] for k, v in inp.rp.items()}, r={k: v[:, keep] for k, v in inp.r.items()},
                     plan=inp.plan[:, keep], days_in_month=inp.days_in_month, rep_groups=["rep"],
                     rep_supervisor=["head"], supervisors=inp.supervisors, sup_salary=inp.sup_salary)


def part(sc, inp, name):
    return compute_pay(sc, inp).rep[name]


# --------------------------------------------------------------------------- salary
def test_team_salary_is_kept_and_a_salary_component_replaces_it_pro_rata():
    sc = scheme_scenario([])
    inp = inputs(sc, months=1)
    np.testing.assert_allclose(compute_pay(sc, inp).rep["salary"], [[3000, 3000, 2000]])
    sc = scheme_scenario([{"type": "salary", "per_month": 2500.0, "reps": ["rep"]}])
    inp = inputs(sc, months=1, days_employed=np.array([[20.0, 10.0, 20.0]]))
    # rep01 full month 2,500; rep02 half the month 1,250; hire keeps the team's 2,000
    np.testing.assert_allclose(compute_pay(sc, inp).rep["salary"], [[2500, 1250, 2000]])


# --------------------------------------------------------------------------- commission
def test_commission_by_product_and_group_with_reorders():
    sc = scheme_scenario([{"type": "commission", "base": "executed_margin", "rates": {"A": 0.25, "B": 0.5}}])
    s = sales(1, 3, a=10000.0, b=5000.0)
    reorder = np.zeros((1, 3, 2))
    reorder[..., 0] = 2000.0 * 0.35
    inp = inputs(sc, **s, reorder_executed_margin=reorder)
    bd = compute_pay(sc, inp)
    # 0.25 x (3,500 + 700) + 0.5 x 1,000 = 1,050 + 500 = 1,550
    np.testing.assert_allclose(bd.rep["commission"], [[1550, 1550, 1550]])
    np.testing.assert_allclose(bd.rep_product["commission"][0, 0], [1050, 500])


def test_commission_default_rate_and_reorders_excluded():
    sc = scheme_scenario([{"type": "commission", "base": "revenue", "rates": {"B": 0.1}, "default_rate": 0.05,
                           "include_reorders": False}])
    inp = inputs(sc, **sales(1, 3, a=10000.0, b=5000.0), reorder_revenue=1e6)
    # A at the default 5%: 500; B at 10%: 500; reorders ignored
    np.testing.assert_allclose(part(sc, inp, "commission"), [[1000, 1000, 1000]])


@pytest.mark.parametrize("a,expected", [(9000.0, 900.0), (10000.0, 1000.0), (10000.01, 1000.0), (30000.0, 1000.0)])
def test_commission_cap_boundary(a, expected):
    sc = scheme_scenario([{"type": "commission", "base": "executed_revenue", "default_rate": 0.1,
                           "cap_per_month": 1000.0}])
    inp = one_rep(sc, **sales(1, 3, a=a))
    np.testing.assert_allclose(part(sc, inp, "commission"), [[expected]])


# --------------------------------------------------------------------------- plan fulfilment (50/50)
@pytest.mark.parametrize("fact,expected", [
    (0.0, 0.0),
    (20000.0, 1500.0),      # 50% of plan: 0.5 x 3,000
    (40000.0, 3000.0),      # at plan: variable = salary (50/50)
    (120000.0, 9000.0),     # 3x plan: 9,000 + salary 3,000 = 12,000 = 200% of on-plan income 6,000
])
def test_plan_50_50_is_linear_in_fulfilment(fact, expected):
    sc = scheme_scenario([{"type": "plan_fulfilment", "variable_at_plan_per_salary": 1.0}])
    inp = one_rep(sc, **sales(1, 3, a=fact))
    np.testing.assert_allclose(part(sc, inp, "plan_fulfilment"), [[expected]])
    if fact == 120000.0:
        total = compute_pay(sc, inp).rep_total()[0, 0]
        assert total == pytest.approx(2.0 * (3000 + 3000))


@pytest.mark.parametrize("fact,expected", [
    (31999.0, 0.0),         # just below the 80% threshold: nothing
    (32000.0, 2400.0),      # exactly at the threshold: paid (0.8 x 3,000)
    (60000.0, 4500.0),      # exactly at the 150% cap
    (80000.0, 4500.0),      # above the cap: nothing more
])
def test_plan_threshold_and_cap_boundaries(fact, expected):
    sc = scheme_scenario([{"type": "plan_fulfilment", "threshold_fulfilment": 0.8, "cap_fulfilment": 1.5}])
    inp = one_rep(sc, **sales(1, 3, a=fact))
    np.testing.assert_allclose(part(sc, inp, "plan_fulfilment"), [[expected]])


def test_plan_fulfilment_pro_rata_and_absolute_target():
    sc = scheme_scenario([{"type": "plan_fulfilment", "variable_at_plan": 2000.0}])
    inp = one_rep(sc, **sales(1, 3, a=20000.0))
    inp.r["days_employed"] = np.array([[10.0]])
    inp.plan = np.array([[20000.0]])       # plan pro-rated to half a month
    # attainment 20,000 / 20,000 = 1; target pro-rated 2,000 x 10/20 = 1,000
    np.testing.assert_allclose(part(sc, inp, "plan_fulfilment"), [[1000.0]])


def test_plan_fulfilment_counts_contracted_value_when_fact_is_won():
    comps = [{"type": "plan_fulfilment"}]
    s = sales(1, 3, a=40000.0, executed_share=0.5)
    executed = scheme_scenario(comps)
    won = scheme_scenario(comps, **{"plan.fact_basis": "won"})
    np.testing.assert_allclose(part(executed, one_rep(executed, **s), "plan_fulfilment"), [[1500.0]])
    np.testing.assert_allclose(part(won, one_rep(won, **s), "plan_fulfilment"), [[3000.0]])


# --------------------------------------------------------------------------- tiers
# margin of A is 35% of revenue; fact = executed revenue; plan 40,000
@pytest.mark.parametrize("fact,expected", [
    (20000.0, 0.0),         # exactly at the 50% threshold: nothing has been earned above it yet
    (30000.0, 1750.0),      # A = 0.75: margin 10,500 x (0.25 x 0.5) / 0.75
    (40000.0, 3500.0),      # tier edge at 100%: margin 14,000 x (0.5 x 0.5) / 1
    (60000.0, 7700.0),      # A = 1.5: margin 21,000 x (0.25 + 0.5 x 0.6) / 1.5
    (80000.0, 11900.0),     # at the 200% cap: margin 28,000 x (0.25 + 0.6) / 2
    (100000.0, 11900.0),    # above the cap: nothing more
])
def test_tiered_marginal_bands(fact, expected):
    sc = scheme_scenario([{"type": "tiered", "base": "executed_margin", "tiers": TIERS, "cap": 2.0}])
    inp = one_rep(sc, **sales(1, 3, a=fact))
    np.testing.assert_allclose(part(sc, inp, "tiered"), [[expected]], rtol=1e-12, atol=1e-9)


@pytest.mark.parametrize("fact,expected", [
    (19999.0, 0.0),                   # just below the threshold: nothing
    (20000.0, 0.5 * 7000.0),          # at the threshold the band's rate applies to all margin
    (39999.0, 0.5 * 39999.0 * 0.35),  # just below the 100% edge
    (40000.0, 0.6 * 14000.0),         # at the edge: the next band's rate, on everything
    (80000.0, 0.6 * 28000.0),         # at the cap
    (100000.0, 0.6 * 28000.0),        # above the cap: base counted up to the cap
])
def test_tiered_retroactive_steps(fact, expected):
    sc = scheme_scenario([{"type": "tiered", "base": "executed_margin", "tiers": TIERS, "cap": 2.0,
                           "retroactive": True}])
    inp = one_rep(sc, **sales(1, 3, a=fact))
    np.testing.assert_allclose(part(sc, inp, "tiered"), [[expected]], rtol=1e-12)


def test_tiered_decelerator_gaps_and_monthly_cap():
    # 30% up to plan, a gap [1.0, 1.2) paying nothing, then 10%: A = 2 (revenue 80,000, margin 28,000)
    tiers = [{"from": 0.0, "to": 1.0, "rate": 0.3}, {"from": 1.2, "rate": 0.1}]
    sc = scheme_scenario([{"type": "tiered", "base": "executed_margin", "tiers": tiers}])
    inp = one_rep(sc, **sales(1, 3, a=80000.0))
    # 28,000 x (1.0 x 0.3 + 0.8 x 0.1) / 2 = 5,320
    np.testing.assert_allclose(part(sc, inp, "tiered"), [[5320.0]])
    sc = scheme_scenario([{"type": "tiered", "base": "executed_margin", "tiers": tiers, "cap_per_month": 5000.0}])
    np.testing.assert_allclose(part(sc, inp, "tiered"), [[5000.0]])


def test_tier_pay_function_table():
    bands = [(0.5, 1.0, 0.5), (1.0, np.inf, 0.6)]
    a = np.array([0.0, 0.25, 0.5, 1.0, 2.0])
    # average rate over [0, a): 0, 0, 0, 0.25, (0.25 + 0.6) / 2
    np.testing.assert_allclose(tier_pay(bands, a, None, False), [0, 0, 0, 0.25, 0.425])
    np.testing.assert_allclose(tier_pay(bands, a, None, True), [0, 0, 0.5, 0.6, 0.6])


# --------------------------------------------------------------------------- per action
def test_per_action_table_and_product_filter():
    rates = {"call": 0.5, "contact": 2.0, "meeting": 30.0, "proposal": 10.0, "deal": 100.0, "executed_deal": 50.0,
             "client_contact": 5.0}
    counts = dict(calls=np.array([300.0, 0.0]), connects=np.array([80.0, 0.0]), meetings=np.array([20.0, 0.0]),
                  proposals=np.array([12.0, 0.0]), wins=np.array([6.0, 0.0]), executed_wins=np.array([5.0, 0.0]))
    sc = scheme_scenario([{"type": "per_action", "rates": rates}])
    inp = one_rep(sc, client_contacts=10.0, **counts)
    # 150 + 160 + 600 + 120 + 600 + 250 + 50 = 1,930
    np.testing.assert_allclose(part(sc, inp, "per_action"), [[1930.0]])
    sc = scheme_scenario([{"type": "per_action", "rates": rates, "products": ["B"]}])
    # only B's actions count (none), plus key-client contacts (not product-specific): 50
    np.testing.assert_allclose(part(sc, one_rep(sc, client_contacts=10.0, **counts), "per_action"), [[50.0]])


# --------------------------------------------------------------------------- bonuses
@pytest.mark.parametrize("meetings,expected", [(19.0, 0.0), (20.0, 200.0), (25.0, 250.0), (60.0, 400.0)])
def test_bonus_at_target_above_and_capped(meetings, expected):
    sc = scheme_scenario([{"type": "bonus", "metric": "meetings", "target": 20.0, "amount": 200.0,
                           "per_unit_above": 10.0, "cap_per_month": 400.0}])
    inp = one_rep(sc, meetings=np.array([meetings, 0.0]))
    np.testing.assert_allclose(part(sc, inp, "bonus"), [[expected]])


@pytest.mark.parametrize("metric,counters,value", [
    ("calls_per_day", {"calls": np.array([300.0, 0.0]), "days_present": 20.0}, 15.0),
    ("successful_calls_pct", {"calls": np.array([300.0, 0.0]), "connects": np.array([75.0, 0.0])}, 25.0),
    ("returning_clients_pct", {"reorders": np.array([7.0, 0.0]), "clients_active": 10.0}, 70.0),
    ("new_clients", {"wins": np.array([4.0, 2.0])}, 6.0),
    ("orders", {"wins": np.array([4.0, 2.0]), "reorders": np.array([7.0, 0.0])}, 13.0),
    ("attainment_pct", {"executed_revenue": np.array([30000.0, 2000.0])}, 80.0),
    ("client_contacts", {"client_contacts": 9.0}, 9.0),
])
def test_bonus_metrics_exactly_at_target(metric, counters, value):
    hit = scheme_scenario([{"type": "bonus", "metric": metric, "target": value, "amount": 100.0}])
    miss = scheme_scenario([{"type": "bonus", "metric": metric, "target": value + 1e-6, "amount": 100.0}])
    np.testing.assert_allclose(part(hit, one_rep(hit, **counters), "bonus"), [[100.0]])
    np.testing.assert_allclose(part(miss, one_rep(miss, **counters), "bonus"), [[0.0]])


# --------------------------------------------------------------------------- contest
def test_contest_top_rep_wins_ties_share_and_days_off_are_valued():
    sc = scheme_scenario([{"type": "contest", "metric": "executed_revenue", "prize": 500.0, "prize_days_off": 1.0}])
    rev = np.zeros((2, 3, 2))
    rev[0, :, 0] = [100.0, 300.0, 300.0]     # month 0: a tie between rep02 and hire
    rev[1, :, 0] = [900.0, 300.0, 0.0]       # month 1: rep01 wins
    inp = inputs(sc, months=2, executed_revenue=rev)
    got = compute_pay(sc, inp).rep["contest"]
    # 500 shared by two + a day's salary (3,000 / 20 = 150; hire: 2,000 / 20 = 100)
    np.testing.assert_allclose(got, [[0.0, 250.0 + 150.0, 250.0 + 100.0], [500.0 + 150.0, 0.0, 0.0]])


def test_contest_without_a_positive_metric_has_no_winner_and_absent_reps_cannot_win():
    sc = scheme_scenario([{"type": "contest", "metric": "executed_revenue", "prize": 500.0}])
    np.testing.assert_allclose(compute_pay(sc, inputs(sc)).rep["contest"], 0.0)
    rev = np.zeros((1, 3, 2))
    rev[0, :, 0] = [100.0, 50.0, 900.0]
    inp = inputs(sc, executed_revenue=rev, days_employed=np.array([[20.0, 20.0, 0.0]]))
    np.testing.assert_allclose(compute_pay(sc, inp).rep["contest"], [[500.0, 0.0, 0.0]])


# --------------------------------------------------------------------------- draw
def _draw_inputs(sc, earned: list[float], hire_day: int = 10, leave_day: int | None = None, rehire: int | None = None):
    """One seat over 4 months of 20 days, hired on day ``hire_day``; commission = 10% of executed revenue."""
    months, days = 4, 20
    ten = np.full((months * days, 1), -1)
    ten[hire_day:, 0] = np.arange(months * days - hire_day)
    if leave_day is not None:
        ten[leave_day:, 0] = -1
        ten[rehire:, 0] = np.arange(months * days - rehire)
    rev = np.zeros((months, 1, 2))
    rev[:, 0, 0] = np.array(earned) / 0.1
    return PayInputs(rp={"revenue": rev, "executed_revenue": rev}, r={"salary": np.full((months, 1), 3000.0)},
                     plan=np.full((months, 1), 40000.0), days_in_month=np.full(months, 20.0), rep_groups=["rep"],
                     rep_supervisor=["head"], tenure_days=ten, month_of_day=np.repeat(np.arange(months), days))


def _draw_scheme(recoverable: bool):
    return scheme_scenario([
        {"type": "commission", "base": "executed_revenue", "default_rate": 0.1},
        {"type": "draw", "per_month": 2000.0, "months": 3.0, "recoverable": recoverable, "recovery_share": 0.5},
    ])


def test_non_recoverable_draw_in_ramp_months():
    # draw period = 3 x 52 x 5 / 12 = 65 working days of tenure; hired on day 10
    # month 0: 10 draw days -> guarantee 1,000; earned 300 -> top-up 700
    # month 1: 20 days -> 2,000; earned 1,500 -> 500.  month 2: 2,000; earned 2,500 -> 0
    # month 3: tenure 50..69, 15 days under 65 -> 1,500; earned 1,000 -> 500
    sc = _draw_scheme(False)
    bd = compute_pay(sc, _draw_inputs(sc, [300.0, 1500.0, 2500.0, 1000.0]))
    np.testing.assert_allclose(bd.rep["draw"][:, 0], [700.0, 500.0, 0.0, 500.0])
    assert bd.draw_balance[0] == 0.0


def test_recoverable_draw_is_advanced_then_withheld():
    # top-ups 700 and 500 (balance 1,200); month 2: excess 500 -> withhold 0.5 x 500 = 250 (balance 950);
    # month 3: guarantee 1,500, earned 3,000 -> withhold min(950, 0.5 x 1,500) = 750 (balance 200)
    sc = _draw_scheme(True)
    bd = compute_pay(sc, _draw_inputs(sc, [300.0, 1500.0, 2500.0, 3000.0]))
    np.testing.assert_allclose(bd.rep["draw"][:, 0], [700.0, 500.0, -250.0, -750.0])
    assert bd.draw_balance[0] == pytest.approx(200.0)
    # variable pay never goes below zero through a draw: earned + draw >= 0 every month
    assert (bd.rep["commission"] + bd.rep["draw"] >= 0).all()


def test_recoverable_draw_is_written_off_when_the_holder_leaves():
    # the first holder (hired day 10) leaves on day 30 owing 700 + 2,000 x 10/20 - 0 = ...; a new holder starts day 40
    sc = _draw_scheme(True)
    bd = compute_pay(sc, _draw_inputs(sc, [300.0, 0.0, 0.0, 0.0], leave_day=30, rehire=40))
    # month 0: 700; month 1: holder 1 for 10 days + holder 2 for 0 days (days 20..29 in draw) -> guarantee 1,000
    # month 2 (days 40..59): new holder, 20 draw days -> 2,000; balance of holder 1 (700 + 1,000) written off
    np.testing.assert_allclose(bd.rep["draw"][:, 0], [700.0, 1000.0, 2000.0, 2000.0])
    assert bd.draw_written_off[0] == pytest.approx(1700.0)
    assert bd.draw_balance[0] == pytest.approx(4000.0)


def test_apply_draw_table():
    part, balance, off = apply_draw(np.array([[1000.0], [0.0]]), np.array([[400.0], [2000.0]]),
                                    np.zeros((2, 1)), recoverable=True, recovery_share=1.0)
    np.testing.assert_allclose(part[:, 0], [600.0, -600.0])
    assert balance[0] == 0.0 and off[0] == 0.0


# --------------------------------------------------------------------------- clawback
def test_clawback_of_unpaid_deals_after_the_lag_and_pending_at_the_horizon():
    comps = [{"type": "salary", "per_month": 0.0},
             {"type": "commission", "base": "revenue", "default_rate": 0.1},
             {"type": "clawback", "unpaid": True, "lag_months": 1}]
    sc = scheme_scenario(comps)
    rev = np.zeros((3, 3, 2))
    rev[0, :, 0] = 10000.0
    rev[2, :, 0] = 5000.0
    exe = rev.copy()
    exe[0, :, 0] = 8000.0                     # 2,000 of month 0's contracts never paid
    exe[2, :, 0] = 4000.0                     # 1,000 of month 2's never paid: due after the horizon
    bd = compute_pay(sc, inputs(sc, months=3, revenue=rev, executed_revenue=exe))
    # month 0 pays 1,000; month 1 claws back 10% x 2,000 = 200 with nothing earned: pay is -200 (declared clawback)
    np.testing.assert_allclose(bd.rep["commission"][:, 0], [1000.0, 0.0, 500.0])
    np.testing.assert_allclose(bd.rep["clawback"][:, 0], [0.0, -200.0, 0.0])
    np.testing.assert_allclose(bd.rep_total()[:, 0], [1000.0, -200.0, 500.0])
    np.testing.assert_allclose(bd.pending_clawback, [100.0, 100.0, 100.0])


def test_clawback_on_executed_pay_recovers_nothing_and_covers_plan_pay():
    sc = scheme_scenario([{"type": "commission", "base": "executed_revenue", "default_rate": 0.1},
                          {"type": "clawback", "lag_months": 0}])
    bd = compute_pay(sc, inputs(sc, **sales(1, 3, a=10000.0, executed_share=0.5)))
    np.testing.assert_allclose(bd.rep["clawback"], 0.0)
    sc = scheme_scenario([{"type": "plan_fulfilment"}, {"type": "clawback", "lag_months": 0}],
                         **{"plan.fact_basis": "won"})
    bd = compute_pay(sc, inputs(sc, **sales(1, 3, a=40000.0, executed_share=0.5)))
    # plan pay on contracts: 3,000 (rep); on paid value it would be 1,500: 1,500 is clawed back at once
    np.testing.assert_allclose(bd.rep["clawback"][0, 0], -1500.0)


def test_clawback_per_churned_key_client():
    sc = scheme_scenario([{"type": "commission", "base": "executed_margin", "rates": {"A": 0.25}},
                          {"type": "clawback", "unpaid": False, "churned_client_months": 2.0}])
    reorder = np.zeros((1, 3, 2))
    reorder[..., 0] = 700.0
    inp = inputs(sc, reorder_executed_margin=reorder, clients_active=9.0, clients_churned=1.0)
    # reorder commission 175 over 10 clients = 17.5 a client; one lost x 2 months = 35
    np.testing.assert_allclose(compute_pay(sc, inp).rep["clawback"], [[-35.0, -35.0, -35.0]])


# --------------------------------------------------------------------------- overrides and hand-off
def test_supervisor_override_direct_indirect_and_threshold():
    margin = np.zeros((1, 3, 2))
    margin[0, :, 0] = [1000.0, 2000.0, 4000.0]
    comps = [{"type": "override", "base": "executed_margin", "rate": 0.02}]
    sc = scheme_scenario(comps)
    bd = compute_pay(sc, inputs(sc, executed_margin=margin))
    # head: 2% x (1,000 + 2,000) = 60; head2: 2% x 4,000 = 80
    np.testing.assert_allclose(bd.supervisor["override"], [[60.0, 80.0]])
    np.testing.assert_allclose(bd.supervisor["salary"], [[6000.0, 5000.0]])
    sc = scheme_scenario([{**comps[0], "indirect": True, "supervisors": ["head"]}])
    np.testing.assert_allclose(compute_pay(sc, inputs(sc, executed_margin=margin)).supervisor["override"], [[140.0, 0.0]])
    sc = scheme_scenario([{**comps[0], "team_threshold": 1.0}])
    rev = np.zeros((1, 3, 2))
    rev[0, :, 0] = [40000.0, 39999.0, 40000.0]   # head's team just below plan; head2's exactly at it
    got = compute_pay(sc, inputs(sc, executed_margin=margin, executed_revenue=rev)).supervisor["override"]
    np.testing.assert_allclose(got, [[0.0, 80.0]])


def test_handoff_operators_fee_and_share_split_between_them():
    sc = scheme_scenario([], **{"pay.handoff": {"operators": 2, "salary_per_month": 1500.0, "fee_per_contact": 5.0,
                                               "share_of_sales": 0.02}})
    handed = np.zeros((1, 3, 2))
    handed[0, :, 0] = [4.0, 6.0, 0.0]
    sold = np.zeros((1, 3, 2))
    sold[0, :, 0] = [20000.0, 0.0, 0.0]
    bd = compute_pay(sc, inputs(sc, handoffs=handed, handoff_executed_revenue=sold))
    # fee 5 x 10 = 50, share 2% x 20,000 = 400; each of two operators gets half
    np.testing.assert_allclose(bd.operator["handoff_fee"], [[25.0, 25.0]])
    np.testing.assert_allclose(bd.operator["handoff_share"], [[200.0, 200.0]])
    np.testing.assert_allclose(bd.operator["salary"], [[1500.0, 1500.0]])


# --------------------------------------------------------------------------- composition
def test_parts_are_named_grouped_and_restricted_to_their_rep_groups():
    comps = [{"type": "commission", "name": "comm_A", "base": "executed_margin", "rates": {"A": 0.2}},
             {"type": "commission", "name": "comm_hire", "base": "executed_margin", "rates": {"A": 0.1},
              "reps": ["hire"]},
             {"type": "bonus", "metric": "new_clients", "target": 1.0, "amount": 50.0}]
    sc = scheme_scenario(comps)
    bd = compute_pay(sc, inputs(sc, **sales(1, 3, a=10000.0), wins=np.array([1.0, 0.0])))
    np.testing.assert_allclose(bd.rep["comm_A"], [[700.0, 700.0, 700.0]])
    np.testing.assert_allclose(bd.rep["comm_hire"], [[0.0, 0.0, 350.0]])
    totals = bd.group_totals()
    assert totals["commissions"][0] == pytest.approx(2450.0)
    assert totals["bonuses"][0] == pytest.approx(150.0)
    assert totals["salaries"][0] == pytest.approx(3000 + 3000 + 2000 + 6000 + 5000)


def test_variable_pay_keeps_its_earlier_signature():
    from salessim.engine.payroll import variable_pay

    sc = scheme_scenario([{"type": "commission", "base": "executed_margin", "rates": {"A": 0.25}}])
    base = sales(2, 3, a=4000.0)
    out = variable_pay(sc, base, np.full((2, 3), 40000.0), np.full((2, 3), 3000.0))
    np.testing.assert_allclose(out["commission"], 0.25 * 4000 * 0.35)
