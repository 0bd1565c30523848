"""Every parameter knows where it comes from and the values it can plausibly take."""

from __future__ import annotations

import json

import pytest

import salessim as ss
from salessim.cli import main
from salessim.scenarios.files import with_overrides
from salessim.scenarios.provenance import (
    ASSUMPTION_KINDS,
    assumptions_of,
    matches,
    numeric_leaves,
    registry,
)
from salessim.scenarios.reading import builtin_names

BUILTINS = builtin_names()


@pytest.fixture(scope="module")
def scenarios():
    return {name: ss.load_scenario(name) for name in BUILTINS}


def test_patterns_match_one_step_per_star_and_any_tail_with_two():
    assert matches("team.reps.*.threshold", "team.reps.1.threshold")
    assert not matches("team.reps.*.threshold", "team.reps.1.threshold_spread")
    assert not matches("products.*.funnel.booking_rate", "products.A.funnel")
    assert matches("pay.components.**", "pay.components.0.tiers.1.rate")
    assert not matches("pay.components.**", "pay.handoff.share_of_sales")


def test_every_number_of_every_builtin_has_a_provenance(scenarios):
    """A parameter added to the schema without a registry entry fails here (assumptions_of raises)."""
    for name, sc in scenarios.items():
        items = assumptions_of(sc)
        assert items, name


def test_no_registry_entry_is_stale(scenarios):
    """Each entry names parameters some built-in has (a renamed field leaves no orphan)."""
    paths = {p for sc in scenarios.values() for p, _ in numeric_leaves({k: v for k, v in sc.to_dict().items()
                                                                         if k not in ("provenance", "claim")})}
    unused = [pat for pat in registry() if not any(matches(pat, p) for p in paths)]
    # the lost-deal review and career mechanisms are off in every built-in, but their numbers are present
    assert unused == [], unused


def test_each_assumption_has_a_reason_and_a_range_holding_the_scenario_value(scenarios):
    for name, sc in scenarios.items():
        for a in assumptions_of(sc):
            assert a.reason, (name, a.path)
            if a.is_assumption:
                assert a.low is not None or a.value == 0, (name, a.path)
                if a.low is not None:
                    assert a.low <= a.value <= a.high, (name, a.path, a.low, a.value, a.high)


@pytest.mark.parametrize("name", ["baseline", "new_product_group_forced", "double_headcount_one_supervisor"])
def test_both_ends_of_every_range_make_a_valid_scenario(scenarios, name):
    """A range that runs outside what the schema accepts would break a robustness check half-way."""
    sc = scenarios[name]
    for a in assumptions_of(sc):
        if a.is_assumption and a.low is not None and "forced_mix" not in a.path:
            for end in (a.low, a.high):
                value = int(round(end)) if a.integer else end
                with_overrides(sc, {a.path: value})


def test_a_scenario_names_what_it_takes_from_an_anecdote(scenarios):
    by_path = {a.path: a for a in assumptions_of(scenarios["raise_deal_size"])}
    m = by_path["deal_size.training.threshold_multiplier"]
    assert m.kind == "anecdote" and (m.low, m.high) == (1.5, 4.0) and m.value == 4.0
    base = {a.path: a for a in assumptions_of(scenarios["baseline"])}
    assert base["deal_size.training.threshold_multiplier"].kind == "yours"     # no training: the decision
    assert base["supervision.intensity_floor"].kind == "documents"
    assert base["supervision.attention_threshold"].kind == "fitted"


def test_provenance_and_claim_do_not_change_what_a_scenario_computes(scenarios):
    sc = scenarios["raise_deal_size"]
    bare = sc.model_copy(update={"provenance": {}, "claim": None})
    assert bare.content_hash() == sc.content_hash()


def test_kinds_of_the_registry_are_known():
    for pat, prov in registry().items():
        assert prov.kind in (*ASSUMPTION_KINDS, "yours", "calibrated"), pat
        if prov.kind in ASSUMPTION_KINDS:
            assert prov.range is not None and prov.range[0] < prov.range[1], pat


def test_show_assumptions_lists_them_with_their_ranges(capsys):
    assert main(["show", "double_headcount_one_supervisor", "--assumptions"]) == 0
    out = capsys.readouterr().out
    assert "supervision.intensity_floor" in out and "[0.15, 0.45]" in out
    assert "fitted" in out and "documents" in out
    assert "team.reps.0.count" not in out           # the headcount is the decision, not an assumption
    assert main(["show", "raise_deal_size", "--assumptions", "--json"]) == 0
    rows = json.loads(capsys.readouterr().out)
    row = next(r for r in rows if r["parameter"] == "deal_size.training.threshold_multiplier")
    assert row["provenance"] == "anecdote" and row["range"] == [1.5, 4.0]
