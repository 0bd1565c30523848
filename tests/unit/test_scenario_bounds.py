"""Every number of a scenario is typed as written and has a range a real department can have.

* every number, whole number and switch in the schema (scenario sections, distributions, pay
  components) is strict (``true`` is not 1, ``"7"`` is not 7, ``7.0`` is not a count) and
  every number and date has both a lower and an upper bound, said in its description;
* the built-in scenarios (and, in tests/unit/test_provenance.py, both ends of every plausible
  range of the assumptions registry) lie within the bounds;
* deal sizes and elasticities that are each plausible but together overflow are refused.
"""

from __future__ import annotations

import datetime as dt
import types
import typing
from typing import Annotated, Any, Literal, Union

import annotated_types as at
import pytest
from pydantic import BaseModel
from pydantic.fields import FieldInfo
from pydantic.types import Strict

import salessim as ss
from salessim.errors import ScenarioError
from salessim.scenarios.files import scenario_data, validate
from salessim.scenarios.reading import builtin_names
from salessim.scenarios.schema import Scenario


def _flatten(meta) -> list:
    out = []
    for m in meta:
        if isinstance(m, FieldInfo):
            out += _flatten(m.metadata)
        else:
            out.append(m)
    return out


def _leaves(annotation: Any, meta: tuple = ()):
    """(leaf type, metadata on the way to it) of an annotation; models are yielded as themselves."""
    origin = typing.get_origin(annotation)
    if origin is Annotated:
        base, *extra = typing.get_args(annotation)
        yield from _leaves(base, meta + tuple(_flatten(extra)))
    elif origin in (Union, types.UnionType):
        for a in typing.get_args(annotation):
            if a is not type(None):
                yield from _leaves(a, meta)
    elif origin is Literal:
        return
    elif origin in (list, tuple):
        for a in typing.get_args(annotation):
            yield from _leaves(a, ())
    elif origin is dict:
        yield from _leaves(typing.get_args(annotation)[1], ())
    else:
        yield annotation, meta


def _models() -> list[type[BaseModel]]:
    seen: list[type[BaseModel]] = []
    todo: list[type[BaseModel]] = [Scenario]
    while todo:
        m = todo.pop()
        if m in seen:
            continue
        seen.append(m)
        for f in m.model_fields.values():
            for leaf, _ in _leaves(f.annotation):
                if isinstance(leaf, type) and issubclass(leaf, BaseModel):
                    todo.append(leaf)
    return seen


def _fields():
    """(model.field, leaf type, metadata) of every scalar leaf of the schema."""
    for m in _models():
        for name, f in m.model_fields.items():
            for leaf, meta in _leaves(f.annotation, tuple(_flatten(f.metadata))):
                if leaf in (int, float, bool, dt.date):
                    yield f"{m.__name__}.{name}", leaf, meta, f


FIELDS = list(_fields())


def test_the_walk_finds_the_schema():
    names = {n for n, *_ in FIELDS}
    assert {"RepSpec.count", "RepSpec.threshold_spread", "Gamma.cv", "Tier.start", "HandoffSpec.operators",
            "CostsSpec.overhead_per_head_month", "SupervisionSpec.enabled", "CalendarSpec.start"} <= names
    assert len(FIELDS) > 150


@pytest.mark.parametrize("name,leaf,meta,info", FIELDS, ids=[f[0] for f in FIELDS])
def test_every_number_is_strict_and_bounded(name, leaf, meta, info):
    if leaf is not dt.date:
        assert any(isinstance(m, Strict) and m.strict for m in meta), f"{name}: not strict"
    if leaf is bool:
        return
    assert any(isinstance(m, (at.Ge, at.Gt)) for m in meta), f"{name}: no lower bound"
    assert any(isinstance(m, (at.Le, at.Lt)) for m in meta), f"{name}: no upper bound"


def test_every_bounded_field_of_a_section_says_its_unit_or_range():
    """Every number's description names its unit or range in brackets (probabilities and shares say so)."""
    missing = []
    for name, leaf, meta, info in FIELDS:
        d = info.description or ""
        if leaf in (bool, dt.date):
            continue
        if "(" not in d and not any(w in d.lower() for w in ("probability", "share", "log-sd", "rate")):
            missing.append(name)
    assert not missing, missing


@pytest.mark.parametrize("name", builtin_names())
def test_every_builtin_scenario_is_within_the_bounds(name):
    ss.load_scenario(name)


def refuse(overrides: dict) -> str:
    with pytest.raises(ScenarioError) as e:
        ss.load_scenario("baseline", overrides)
    return str(e.value)


@pytest.mark.parametrize("path,value,fragment", [
    ("team.reps.0.threshold_spread", 1e18, "expected a number <= 3"),
    ("key_clients.monthly_order.sigma", 1e6, "expected a number <= 3"),
    ("deal_size.cycle_elasticity", 999999, "expected a number <= 5"),
    ("products.A.delays_days.meeting_to_proposal.cv", 1e308, "expected a number <= 10"),
    ("costs.overhead_per_head_month", 1e308, "expected a number <= 10,000,000"),
    ("team.reps.0.salary_per_month", 1e308, "expected a number <= 10,000,000"),
    ("products.A.stock_value", 1e308, "expected a number <= 1,000,000,000"),
    ("prospecting.cooling_days", 1e308, "expected a number <= 2,600"),
    ("calendar.start", dt.date(9999, 12, 1), "expected a date <= 2200-12-31, got 9999-12-01"),
    ("effort_choice.temperature", 1e-300, "expected 0 or a number of at least 1e-06"),
    ("calendar.hours_per_day", 0.001, "expected a number >= 1"),
])
def test_values_beyond_any_department_are_refused(path, value, fragment):
    assert fragment in refuse({path: value})


@pytest.mark.parametrize("path,value", [
    ("team.reps.0.count", True), ("team.reps.0.count", 7.0), ("team.reps.0.count", "7"), ("team.reps.0.count", " 7"),
    ("calendar.months", False), ("plan.monthly_per_rep", True), ("plan.monthly_per_rep", "40000"),
    ("supervision.enabled", 1), ("supervision.enabled", "true"), ("products.A.deal_size.sigma", True),
    ("activity.max_contact_attempts", 3.0), ("pay.attainment_spread", False),
])
def test_types_are_taken_as_written(path, value):
    msg = refuse({path: value})
    assert "expected a whole number" in msg or "expected a number" in msg or "expected true or false" in msg


def test_true_in_a_scenario_file_is_not_a_count(tmp_path):
    f = tmp_path / "bool.toml"
    f.write_text('extends = "baseline"\n[[team.reps]]\nid = "rep"\ncount = true\nsupervisor = "head"\n'
                 'salary_per_month = 3000\n')
    with pytest.raises(ScenarioError) as e:
        ss.load_scenario(str(f))
    assert "team.reps.0.count: expected a whole number, got true" in str(e.value)


def test_each_day_of_the_week_at_most_once():
    assert "at most once" in refuse({"calendar.workdays": ["Mon", "Mon"]})


def test_deal_sizes_the_elasticities_would_overflow_are_refused():
    """Each value is within its bounds; together (size / reference) ** elasticity overflows a float."""
    gamma = {"dist": "gamma", "mean": 20000.0, "cv": 3.0}
    assert "deal_size.win_elasticity (5) can scale" in refuse({"products.A.deal_size": gamma,
                                                               "deal_size.win_elasticity": 5.0})
    wild = {"dist": "gamma", "mean": 20000.0, "cv": 10.0}       # draws come arbitrarily close to 0
    assert "within a factor 1e+300 of the size reference" in refuse({"products.A.deal_size": wild})
    ss.load_scenario("baseline", {"products.A.deal_size": gamma})               # the baseline's elasticities
    ss.load_scenario("baseline", {"products.A.deal_size": wild, "deal_size.win_elasticity": 0.0,
                                  "deal_size.cycle_elasticity": 0.0})       # no size effect: any distribution


def test_a_calibrated_and_a_resolved_scenario_round_trip(tmp_path):
    data = scenario_data(ss.load_scenario("lead_handoff_operator"))
    assert validate(data).content_hash() == ss.load_scenario("lead_handoff_operator").content_hash()
