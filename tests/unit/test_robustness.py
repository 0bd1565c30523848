"""The robustness check's parts: claims, factors, grouping, crossings and intervals."""

from __future__ import annotations

import numpy as np
import pytest

import salessim as ss
from salessim.analyses import robustness as rb
from salessim.analyses.robustness import Claim, factors, group_of


def test_claims_parse_a_sign_a_share_of_the_base_and_a_level():
    c = Claim.parse("revenue < 0")
    assert (c.kpi, c.op, c.threshold, c.compare, c.relative) == ("revenue", "<", 0.0, "difference", False)
    c = Claim.parse("revenue>+100%")
    assert (c.op, c.threshold, c.relative) == (">", 1.0, True)
    c = Claim.parse("key_clients_lost_share > 0.3 level")
    assert (c.compare, c.threshold) == ("level", 0.3)
    for bad in ("revenue", "revenue = 0", "revenue > lots", "x > 10% level", "revenue > inf"):
        with pytest.raises(ss.UserError):
            Claim.parse(bad)


def test_a_claims_margin_is_its_quantity_less_the_threshold():
    b, v = np.array([[100.0, 200.0]]), np.array([[250.0, 350.0]])
    assert Claim("revenue", ">", 1.0, relative=True).quantity(b, v).tolist() == [[50.0, -50.0]]
    assert Claim("revenue", "<").quantity(b, v).tolist() == [[150.0, 150.0]]
    assert Claim("x", ">", 300.0, compare="level").quantity(b, v).tolist() == [[-50.0, 50.0]]
    assert Claim("revenue", "<").holds(-1.0) and not Claim("revenue", "<").holds(1.0)


def test_groups_follow_the_mechanisms():
    assert group_of("supervision.intensity_floor") == group_of("supervision.attention_threshold")
    assert group_of("supervision.intensity_floor") != group_of("supervision.admin_share")
    assert group_of("team.reps.3.threshold_spread") == group_of("deal_size.win_elasticity") == "deal sizes"
    assert group_of("products.B.funnel.booking_rate") == "the funnel's odds"
    assert group_of("something.new") == "something"


def test_factors_vary_assumptions_not_decisions():
    base, variant = ss.load_scenario("baseline"), ss.load_scenario("double_headcount_one_supervisor")
    fs = {f.name: f for f in factors(base, variant)}
    assert "supervision.intensity_floor" in fs and fs["supervision.intensity_floor"].where == "both"
    assert not any("count" in name or "salary" in name for name in fs)       # the decision and your facts stay
    # the new hires' group shares its thresholds' assumption with the reps in post: one factor, all groups
    spread = fs["team.reps.*.threshold_spread"]
    assert {p for p, _ in spread.variant_paths} == {"team.reps.0.threshold_spread", "team.reps.1.threshold_spread"}
    assert {p for p, _ in spread.base_paths} == {"team.reps.0.threshold_spread"}


def test_an_assumption_only_the_variant_makes_is_varied_in_the_variant():
    fs = {f.name: f for f in factors(ss.load_scenario("baseline"), ss.load_scenario("raise_deal_size"))}
    m = fs["deal_size.training.threshold_multiplier"]
    assert m.where == "variant" and (m.low, m.high, m.value) == (1.5, 4.0, 4.0)
    base_values, variant_values = m.settings(2.0)
    assert base_values == {} and variant_values == {"deal_size.training.threshold_multiplier": 2.0}


def test_paths_with_different_values_scale_together_by_a_multiple():
    fs = {f.name: f for f in factors(ss.load_scenario("baseline"), ss.load_scenario("baseline"))}
    rates = fs["lead_sources.*.rate_per_day"]
    assert rates.relative and rates.value == 1.0
    _, v = rates.settings(2.0)
    assert v == {"lead_sources.0.rate_per_day": 2.0, "lead_sources.1.rate_per_day": 1.0}
    size = fs["products.A.market_size"]      # one path: in its own unit, whole numbers kept whole
    assert not size.relative and (size.low, size.high) == (5000, 80000)
    assert isinstance(size.settings(12345.6)[1]["products.A.market_size"], int)


def test_a_forced_share_rescales_the_rest_of_the_mix():
    sc = ss.load_scenario("new_product_group_forced")
    out = rb._apply(sc, {"effort_choice.forced_mix.key_clients": 0.15})
    mix = out.effort_choice.forced_mix
    assert mix["key_clients"] == pytest.approx(0.15) and sum(mix.values()) == pytest.approx(1.0)
    assert mix["B"] / mix["A"] == pytest.approx(0.67 / 0.27)


def test_crossing_is_found_from_the_scenario_side_by_interpolation():
    xs = np.array([0.0, 1.0, 2.0, 3.0])
    assert rb._crossing(xs, np.array([-3.0, -1.0, 1.0, 3.0]), -1.0) == pytest.approx(1.5)
    assert rb._crossing(xs, np.array([-3.0, -2.0, -1.0, -0.5]), -1.0) is None


def test_wilson_interval_brackets_the_share():
    lo, hi = rb._wilson(12, 24)
    assert lo < 0.5 < hi and 0 <= lo and hi <= 1
    assert rb._wilson(24, 24)[1] == pytest.approx(1.0) and rb._wilson(24, 24)[0] < 0.9


def test_crossing_nearest_the_scenario_value_is_found_first():
    xs = np.array([0.0, 1.0, 2.0, 3.0, 4.0])
    ys = np.array([-1.0, 1.0, 1.0, 1.0, -1.0])          # holds (+) from 0.5 to 3.5
    assert rb._crossing(xs, ys, 1.0, start=3.0) == pytest.approx(3.5)
    assert rb._crossing(xs, ys, 1.0, start=1.0) == pytest.approx(0.5)
    assert rb._crossing(xs, ys, 1.0) == pytest.approx(0.5)


def test_the_flip_interval_holds_the_flip_point_where_the_margin_bends():
    """A margin that bends sharply (flat, then steep): the flip point reported is the crossing of
    the same local line whose interval is reported, so the interval holds it (the crossing of the
    grid's means, reported beside a line through more points, fell outside that line's interval);
    with the segment alone, the crossing is the means'."""
    rng = np.random.default_rng(5)
    xs = np.array([0.0, 1.0, 2.0, 3.0, 4.0])
    curve = np.array([-1.0, -0.9, 0.5, 3.0, 6.0])          # crosses between 1 and 2
    d = curve[:, None] + rng.normal(0, 0.05, (len(xs), 8)) + rng.normal(0, 0.2, 8)[None, :]  # paired noise
    root = rb._crossing(xs, d.mean(axis=1), -1.0, start=0.0)
    for wide in (True, False):
        flip, low, high = rb._fieller(xs, d, root, 0.95, wide)
        assert low is not None and low <= flip <= high, (wide, low, flip, high)
    assert rb._fieller(xs, d, root, 0.95, wide=False)[0] == pytest.approx(root)
