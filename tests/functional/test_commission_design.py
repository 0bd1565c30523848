"""Commission design (salessim/commission_design.py): schemes from a consultant's terms, and the comparison."""

from __future__ import annotations

import numpy as np
import pytest

import salessim as ss
from salessim.analyses import commission_design as cd
from salessim.analyses.compare import paired_difference
from salessim.engine.payroll import PayInputs, compute_pay
from salessim.runs.cache import OutcomeCache


@pytest.fixture(scope="module")
def npg() -> ss.Scenario:
    return ss.load_scenario("new_product_group")


def pay_selling(sc: ss.Scenario, a: float = 0.0, b: float = 0.0) -> np.ndarray:
    """Each rep's total pay in a month in which every rep sells (and is paid) ``a`` of A and ``b`` of B."""
    R, P = sc.n_reps(), len(sc.products)
    rev = np.zeros((1, R, P))
    rev[..., 0], rev[..., 1] = a, b
    mar = rev * np.array([p.margin for p in sc.products.values()])
    inp = PayInputs.build(sc, months=1, revenue=rev, margin=mar, executed_revenue=rev, executed_margin=mar)
    return compute_pay(sc, inp).rep_total()[0]


@pytest.mark.parametrize("design", [
    dict(base="executed_margin"),
    dict(base="revenue", fixed_share=0.3),
    dict(base="executed_revenue", fixed_share=0.8, on_target_pay=9000),
    dict(threshold=0.5),
    dict(threshold=0.4, accelerator=1.5, accelerator_from=0.8, cap=2.0),
    dict(accelerator=0.5, accelerator_from=0.7),                       # a decelerator
    dict(cap=0.9),                                                     # the cap bites before plan
    dict(fixed_share=1.0),
])
def test_a_rep_exactly_at_plan_earns_the_on_target_pay(npg, design):
    d = cd.SchemeDesign(**design)
    sc = cd.apply_design(npg, d)
    plan = sc.plan.monthly_per_rep
    np.testing.assert_allclose(pay_selling(sc, a=plan), d.on_target_pay, rtol=1e-4)
    # and the salary is the fixed share of it, whatever is sold
    np.testing.assert_allclose(pay_selling(sc), d.fixed_share * d.on_target_pay, rtol=1e-9)


def test_new_group_rate_is_the_multiple_of_the_established_one(npg):
    plain = cd.scheme_components(npg, cd.SchemeDesign(new_group_rate_multiple=3.0))
    rates = plain[1]["rates"]
    assert rates["B"] == pytest.approx(3 * rates["A"], rel=1e-4)
    tiered = cd.scheme_components(npg, cd.SchemeDesign(new_group_rate_multiple=3.0, threshold=0.5))
    kicker = [c for c in tiered if c.get("name") == "new_group_kicker"][0]
    assert kicker["rates"]["B"] == pytest.approx(2 * tiered[1]["tiers"][0]["rate"], rel=1e-4)
    # with the kicker, a B sale above the threshold pays the tier rate plus the kicker
    sc = cd.apply_design(npg, cd.SchemeDesign(new_group_rate_multiple=3.0, threshold=0.5))
    plan, m_b = sc.plan.monthly_per_rep, sc.products["B"].margin
    extra = pay_selling(sc, a=plan, b=1000.0) - pay_selling(sc, a=plan)
    # tiers share the base over attainment: the extra B margin lands in the band [0.5, 1.025)
    r = tiered[1]["tiers"][0]["rate"]
    att = (plan + 1000.0) / plan
    base_after = (plan * npg.products["A"].margin + 1000 * m_b)
    tier_pay = lambda base, a: base * r * (a - 0.5) / a  # noqa: E731
    expected = tier_pay(base_after, att) - tier_pay(plan * npg.products["A"].margin, 1.0) + 2 * r * 1000 * m_b
    np.testing.assert_allclose(extra, expected, rtol=1e-4)


def test_the_scheme_in_place_is_recovered_exactly(npg):
    d = cd.design_of(npg)
    assert d.on_target_pay == pytest.approx(3000 + 0.25 * 0.35 * 40000)
    assert d.new_group_rate_multiple == pytest.approx(2.0) and d.base == "executed_margin"
    sc = cd.apply_design(npg, d)
    com = [c for c in sc.pay.components if c.type == "commission"][0]
    assert com.rates == pytest.approx({"A": 0.25, "B": 0.50})
    short = {"calendar.months": 2}
    a = ss.simulate(ss.load_scenario(npg, short), seed=3, record_events=False).pnl()
    b = ss.simulate(ss.load_scenario(sc, short), seed=3, record_events=False).pnl()
    np.testing.assert_allclose(a["profit"], b["profit"], rtol=1e-9)
    np.testing.assert_allclose(a["commissions"], b["commissions"], rtol=1e-9)


@pytest.mark.parametrize("design,field,fragment", [
    (dict(threshold=0.5, cap=0.4), "cap", "cap above the threshold"),
    (dict(threshold=0.5, accelerator=2.0, accelerator_from=0.3), "accelerator_from", "start above the threshold"),
    (dict(accelerator=2.0, accelerator_from=1.5, cap=1.2), "accelerator_from", "below the cap"),
    (dict(threshold=0.2, new_group_rate_multiple=0.5), "new_group_rate_multiple", "plain commission"),
    (dict(threshold=1.0), "threshold", "no commission"),
])
def test_designs_that_do_not_hold_together_name_the_knob(npg, design, field, fragment):
    with pytest.raises(ss.UserError, match=fragment) as e:
        cd.apply_design(npg, design)
    assert e.value.field == field


def test_out_of_range_values_and_impossible_rates_are_user_errors(npg):
    with pytest.raises(ss.UserError) as e:
        cd.apply_design(npg, {"fixed_share": 1.5})
    assert e.value.field == "fixed_share"
    tiny_plan = ss.load_scenario(npg, {"plan.monthly_per_rep": 100.0})
    with pytest.raises(ss.UserError, match="plan is too small") as e:
        cd.apply_design(tiny_plan, {"on_target_pay": 20000})
    assert e.value.field == "on_target_pay"


def test_a_single_group_scenario_gets_no_new_group_rate():
    base = ss.load_scenario("baseline")
    comps = cd.scheme_components(base, cd.SchemeDesign(new_group_rate_multiple=4.0, threshold=0.3))
    assert all(c.get("name") != "new_group_kicker" for c in comps)
    assert list(cd.scheme_components(base, cd.SchemeDesign())[1]["rates"]) == ["A"]


@pytest.fixture(scope="module")
def five_x(npg):
    design = cd.design_of(npg).model_copy(update={"new_group_rate_multiple": 5.0})
    return cd.compare_schemes(npg, design, n=3, months=3, seed=1, workers=1, cache=OutcomeCache())


def test_comparison_tables_add_up(five_x):
    c = five_x
    e = c.effort_split().set_index("scheme")
    np.testing.assert_allclose(e.sum(axis=1), 1.0)
    r = c.revenue_by_product()
    for lab in c.labels:
        assert r[r["scheme"] == lab]["share"].sum() == pytest.approx(1.0)
        rev = c.runs[lab].metric("revenue").mean()
        assert r[r["scheme"] == lab]["revenue"].sum() == pytest.approx(rev)
    pdist = c.pay_distribution().set_index("scheme")
    for lab in c.labels:
        assert pdist.at[lab, "median"] == pytest.approx(np.median(c.rep_pay(lab)))
    t = c.kpi_table().set_index("kpi")
    d = paired_difference(c.runs[c.labels[0]].metric("profit"), c.runs[c.labels[1]].metric("profit"), 1)
    assert t.at["profit", "difference"] == pytest.approx(d["diff"]) and t.at["profit", "low"] == pytest.approx(d["low"])
    assert any("product B" in w for w in c.warnings()[cd.DESIGN])        # 5x on B exceeds its gross profit
    assert not c.warnings()[cd.CURRENT]
    text = " ".join(c.conclusion())
    assert "New group (B)" in text and "Warning (new design)" in text


def test_five_times_the_rate_on_b_moves_selling_time_to_b(five_x):
    """The documents: reps follow what pays per hour. Paired 95% interval of the shift excludes zero."""
    c = five_x

    def b_share(lab):
        s = c.runs[lab]
        hours = s.product_array("hours").sum(axis=1)                     # replications x products
        total = hours.sum(axis=1) + s.monthly("hours_clients").sum(axis=1) + s.monthly("hours_inbound").sum(axis=1)
        return hours[:, 1] / total

    d = paired_difference(b_share(cd.CURRENT), b_share(cd.DESIGN), 1)
    assert d["low"] > 0


# --------------------------------------------------------------------------- a rate per product group
@pytest.fixture(scope="module")
def three_groups(npg) -> ss.Scenario:
    """new_product_group with a third group C (a copy of B)."""
    from salessim.scenarios.files import scenario_data, validate

    data = scenario_data(npg)
    data["products"]["C"] = {**data["products"]["B"], "group": "C"}
    data["name"] = "three_groups"
    return validate(data, default_source="three_groups")


def _commission_rates(sc: ss.Scenario) -> dict[str, float]:
    return dict(next(c for c in sc.pay.components if c.type == "commission").rates)


def test_each_new_group_can_have_its_own_rate(three_groups):
    design = cd.SchemeDesign(new_group_rate_multiple=2.0, group_rate_multiples={"C": 3.5})
    rates = _commission_rates(cd.apply_design(three_groups, design))
    assert rates["B"] / rates["A"] == pytest.approx(2.0, rel=1e-4)
    assert rates["C"] / rates["A"] == pytest.approx(3.5, rel=1e-4)
    # the established group's rate is the one the on-target pay sets, whatever the other groups get
    assert rates["A"] == pytest.approx(_commission_rates(cd.apply_design(three_groups, cd.SchemeDesign()))["A"])
    # and the design is read back from the scenario it made
    back = cd.design_of(cd.apply_design(three_groups, design))
    assert back.multiple("B") == pytest.approx(2.0, rel=1e-4) and back.multiple("C") == pytest.approx(3.5, rel=1e-4)


def test_with_tiers_each_group_gets_its_own_kicker(three_groups):
    design = cd.SchemeDesign(threshold=0.5, new_group_rate_multiple=1.0, group_rate_multiples={"C": 3.0})
    comps = cd.apply_design(three_groups, design).pay.components
    kicker = next(c for c in comps if c.type == "commission" and c.name == "new_group_kicker")
    assert set(kicker.rates) == {"C"}             # B is paid like A: no kicker for it


@pytest.mark.parametrize("multiples,fragment", [
    ({"Z": 2.0}, "'Z' is not a product group of this scenario"),
    ({"A": 2.0}, "'A' is the established group"),
])
def test_a_rate_for_a_group_that_is_not_a_new_group_names_it(three_groups, multiples, fragment):
    with pytest.raises(ss.UserError, match=fragment) as e:
        cd.apply_design(three_groups, cd.SchemeDesign(group_rate_multiples=multiples))
    assert e.value.field == f"group_rate_multiples.{next(iter(multiples))}"


def test_the_commission_panel_has_a_rate_knob_per_new_group(three_groups):
    pytest.importorskip("ipywidgets")
    from salessim.apps.widgets import commission_panel

    p = commission_panel(three_groups, months=3, replications=2, workers=1, run_now=False)
    assert p.specs["group_rate_multiples.B"].label == "Rate on group B vs A"
    assert p.specs["group_rate_multiples.C"].label == "Rate on group C vs A"
    assert "new_group_rate_multiple" not in p.specs
    p.set(**{"group_rate_multiples.C": 4.0})
    assert p.last_error is None
    import re

    design_text = p.text.value.split("The new design", 1)[1]
    rates = {g: float(r) for g, r in re.findall(r"\b([ABC]) ([0-9.]+)%", design_text)}
    assert rates["C"] / rates["A"] == pytest.approx(4.0, rel=0.01)     # the knob reached the scheme
    assert rates["B"] / rates["A"] == pytest.approx(2.0, rel=0.01)     # B kept the scenario's multiple
