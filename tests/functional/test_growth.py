"""Hire or train (salessim/growth.py): the two routes as scenarios, break-even, the grid, the conclusion."""

from __future__ import annotations

import numpy as np
import pytest

import salessim as ss
from salessim.analyses import growth
from salessim.analyses.compare import paired_difference
from salessim.analyses.growth import BreakEven, GrowthSettings, hire, train
from salessim.model import Department
from salessim.results.metrics import money_text
from salessim.runs.cache import OutcomeCache
from salessim.scenarios.files import scenario_data, validate


@pytest.fixture(scope="module")
def base() -> ss.Scenario:
    return ss.load_scenario("baseline", {"calendar.months": 3})


def test_hiring_keeps_existing_reps_and_adds_ramping_new_hires(base):
    hired = hire(base, 15, 2)
    ids = hired.rep_ids()
    assert ids[:7] == base.rep_ids()
    assert ids[7:] == [f"new{i:02d}" for i in range(1, 9)]
    groups = {g.id: g for g in hired.team.reps}
    old = base.team.reps[0]
    for rid in ids[7:]:
        g = groups[rid]
        assert g.hire_date == base.calendar.start and g.key_clients == 0
        assert g.salary_per_month == old.salary_per_month and g.threshold == old.threshold
    for rid in ids[:7]:
        assert groups[rid].hire_date is None and groups[rid].key_clients == old.key_clients
    assert [s.id for s in hired.team.supervisors] == ["head", "head2"]
    # seats are spread round-robin over the heads: experienced reps first, then new hires
    sup = {g.id: g.supervisor for g in hired.team.reps}
    assert [sup[r] for r in ids[:7]] == ["head", "head2"] * 3 + ["head"]
    assert [sup[r] for r in ids[7:]] == ["head", "head2"] * 4
    assert sum(1 for s in sup.values() if s == "head") == 8


def test_existing_reps_draw_the_same_traits_in_every_option(base):
    a = Department(base, seed=4, replication=2)
    b = Department(hire(base, 12, 2), seed=4, replication=2)
    by_id = {r.id: r for r in b.reps}
    for r in a.reps:
        assert by_id[r.id].skill == r.skill and by_id[r.id].threshold == r.threshold


def test_fewer_reps_cuts_the_last_seats_and_same_team_is_today(base):
    assert hire(base, 5, 1).rep_ids() == base.rep_ids()[:5]
    assert hire(base, 7, 1) is base


@pytest.mark.parametrize("reps,heads,field,fragment", [
    (3, 5, "heads", "no more heads than reps"),
    (0, 1, "reps", "at least 1 rep"),
])
def test_impossible_teams_are_user_errors(base, reps, heads, field, fragment):
    with pytest.raises(ss.UserError, match=fragment) as e:
        hire(base, reps, heads)
    assert e.value.field == field


def test_removing_heads_is_refused(base):
    two = hire(base, 10, 2)
    with pytest.raises(ss.UserError, match="at least the 2 heads"):
        hire(two, 12, 1)


def test_pay_components_for_rep_groups_follow_the_seats(base):
    data = scenario_data(base)
    data["pay"]["components"].append({"type": "bonus", "metric": "meetings", "target": 10, "amount": 100,
                                      "reps": ["rep"]})
    sc = validate(data)
    hired = hire(sc, 9, 1)
    bonus = [c for c in hired.pay.components if c.type == "bonus"][0]
    assert bonus.reps == base.rep_ids()             # the existing seats, not the new hires
    cut = hire(sc, 4, 1)
    assert [c for c in cut.pay.components if c.type == "bonus"][0].reps == base.rep_ids()[:4]


def test_training_sets_the_documented_mechanism(base):
    t = train(base, 3.0, 2500.0, days_out=2.0)
    assert t.deal_size.training.threshold_multiplier == 3.0
    assert t.deal_size.training.cost_per_rep == 2500.0 and t.deal_size.training.days_out == 2.0
    assert train(base, 1.0, 2500.0) is base
    with pytest.raises(ss.UserError, match="uplift of 1 or more"):
        train(base, 0.5, 0.0)


def test_options_left_out_when_they_equal_today(base):
    labels = lambda **kw: [o.label for o in growth.build_options(GrowthSettings(months=3, **kw), base)]  # noqa: E731
    assert labels(reps=7, heads=1, threshold_uplift=1.0) == ["today"]
    assert labels(reps=7, heads=1, threshold_uplift=2.0) == ["today", "train"]
    assert labels(reps=9, heads=1, threshold_uplift=1.0) == ["today", "hire"]
    assert labels(reps=9, heads=2, threshold_uplift=2.0) == ["today", "hire", "train", "hire + train"]


@pytest.mark.parametrize("row,expected", [
    ([-5, -2, 1, 3], 3.0),        # covered at the end of month 3
    ([-1, 2, -1, 4], 4.0),        # must stay covered: the dip in month 3 does not count
    ([-3, -1, -0.5], np.nan),     # not within the horizon
    ([1, 2, 3], 1.0),
])
def test_break_even_month(row, expected):
    got = BreakEven.first_month(np.array([row], dtype=float))[0]
    assert (np.isnan(got) and np.isnan(expected)) or got == expected


@pytest.fixture(scope="module")
def small_result(base):
    s = GrowthSettings(reps=9, heads=2, threshold_uplift=2.0, training_cost_per_rep=1000, months=3, replications=3,
                       seed=2)
    return growth.analyse(s, base, workers=1, cache=OutcomeCache())


def test_break_even_cost_is_the_new_hires_pay_tax_overhead_training_and_added_heads(small_result):
    be = small_result.break_even("hire + train")
    opt = small_result.option("hire + train")
    sc = opt.scenario
    assert set(opt.new_hires) == {"new01", "new02"} and opt.new_heads == ("head2",)
    for i in range(be.n):
        res = ss.simulate(sc, seed=2, replication=i, record_events=False, keep_leads=False)
        pr = res.payroll()
        mine = pr[pr["person"].isin([*opt.new_hires, "head2"])].groupby("month", sort=True)["amount"].sum()
        days = res.calendar.days_in_month.astype(float)
        idx = [res.reps.index(r) for r in opt.new_hires]
        seats = res.r["days_employed"][:, idx].sum(axis=1) / days
        heads = res.s["days_present"][:, res.supervisors.index("head2")] / days
        training = res.r["training_cost"][:, idx].sum(axis=1)
        cost = mine.to_numpy() * (1 + sc.costs.payroll_tax_rate) + sc.costs.overhead_per_head_month * (seats + heads) \
            + training
        np.testing.assert_allclose(be.cost[i], np.cumsum(cost), rtol=1e-9)
        rp = res.rp
        margin = (rp["executed_margin"] + rp["reorder_executed_margin"])[:, idx, :].sum(axis=(1, 2))
        np.testing.assert_allclose(be.margin[i], np.cumsum(margin), rtol=1e-9)
        today = ss.simulate(small_result.options[0].scenario, seed=2, replication=i, record_events=False,
                            keep_leads=False)
        np.testing.assert_allclose(be.department_gain[i],
                                   np.cumsum(res.pnl()["profit"].to_numpy() - today.pnl()["profit"].to_numpy()))


def test_conclusion_names_the_most_profitable_option_with_its_paired_interval(small_result):
    r = small_result
    prof = {lab: r.runs[lab].metric("profit") for lab in r.labels}
    best = max(r.labels[1:], key=lambda lab: prof[lab].mean())
    d = paired_difference(prof["today"], prof[best], 1)
    text = r.conclusion()
    assert growth._name(r.option(best)) in text[0]
    assert money_text(d["diff"], "USD", signed=True) in text[0]
    assert money_text(d["low"], "USD", signed=True) in text[0]
    assert any("meetings a month" in s for s in text)
    assert sum(s.startswith(("The new hires' own gross margin", "Counting the whole department")) for s in text) == 2
    summ = r.summary().set_index("option")
    assert summ.loc[best, "profit_vs_today"] == pytest.approx(d["diff"])
    assert summ.loc["today", "profit_vs_today"] == 0


def test_today_only_has_a_one_line_conclusion(base):
    r = growth.analyse(GrowthSettings(reps=7, heads=1, threshold_uplift=1.0, months=3, replications=2), base,
                       workers=1, cache=OutcomeCache())
    assert r.labels == ["today"] and len(r.conclusion()) == 1 and r.break_even() is None


def test_profit_grid_cells_are_paired_with_today(base):
    g = growth.profit_grid(base, reps_values=(7, 15), uplift_values=(1.0, 2.0), months=3, n=2, seed=1, workers=1,
                           cache=OutcomeCache())
    t = g.table.set_index(["reps", "uplift"])
    assert t.loc[(7, 1.0), "diff"] == 0 and t.loc[(7, 1.0), "verdict"] == "no detectable difference"
    assert t.loc[(15, 1.0), "heads"] == 3                       # ceil(15 / 7)
    assert len(g.table) == 4 and g.n == 2


def test_settings_are_validated():
    with pytest.raises(ss.UserError, match="reps"):
        growth.analyse({"reps": 0})
    assert growth.heads_for(15) == 3 and growth.heads_for(7) == 1 and growth.heads_for(3, minimum=2) == 2
