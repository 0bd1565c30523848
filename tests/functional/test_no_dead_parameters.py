"""No dead parameter: every field of the scenario schema changes some output of some built-in scenario.

A field a user sets that the model never reads (``back_office.payment_delay_days`` was one) is
a promise the tool does not keep. Each numeric, true/false and choice field of every built-in
scenario is moved (numbers halved, zeros made small and positive, whole numbers moved by one,
switches flipped, choices changed) with its mechanism switched on (the registry's ``when``), and
the run is compared with the unchanged one (same seed): the summary, the P&L, the rep and head
tables. A field counts as alive if moving it changes one of them in any built-in that has it.
Names, ids, references between tables, texts, dates and the distribution selectors are not
parameters of behaviour and are left out (listed in :data:`NOT_BEHAVIOUR`).
"""

from __future__ import annotations

import re
import typing
from typing import Any

import numpy as np
import pytest

import salessim as ss
from salessim.apps.widgets.knobs import field_info
from salessim.errors import UserError
from salessim.scenarios.files import with_overrides
from salessim.scenarios.pay import Component
from salessim.scenarios.provenance import provenance_of
from salessim.scenarios.reading import builtin_names
from salessim.scenarios.schema import Scenario

#: Fields that label, name or link things rather than set behaviour (checked by other tests).
NOT_BEHAVIOUR = re.compile(
    r"^(name|description|question|extends|currency|claim\..*|provenance\..*|calendar\.(start|holidays|workdays)(\..*)?"
    r"|.*\.(id|supervisor|reports_to|region|group|product|products|channel|name|dist|sources|reps|supervisors)"
    r"(\.\d+)?|.*hire_date|.*leave_date|pay\.components\.\d+\.type|effort_choice\.forced_mix\..*)$")


def _leaves(data: Any, prefix: str = "") -> list[tuple[str, Any]]:
    out: list[tuple[str, Any]] = []
    if isinstance(data, dict):
        for k, v in data.items():
            out += _leaves(v, f"{prefix}.{k}" if prefix else str(k))
    elif isinstance(data, list):
        for i, v in enumerate(data):
            out += _leaves(v, f"{prefix}.{i}")
    else:
        out.append((prefix, data))
    return out


def _general(path: str, data: dict) -> str:
    """The path with indices and product / component keys generalised (one check per schema field)."""
    parts = path.split(".")
    out = []
    for i, p in enumerate(parts):
        if p.isdigit():
            out.append("*")
        elif i > 0 and parts[i - 1] in ("products", "rates", "tiers_by_group", "group_rate_multiples"):
            out.append("*")
        else:
            out.append(p)
    if parts[:2] == ["pay", "components"] and len(parts) > 2:   # a component's fields depend on its type
        out[2] = str(data["pay"]["components"][int(parts[2])]["type"])
    return ".".join(out)


def _choices(path: str, data: dict) -> list[Any]:
    """The choices of a text field that takes one of a few values (a ``Literal``), else none."""
    parts = path.split(".")
    try:
        if parts[:2] == ["pay", "components"]:   # a component's class follows its type
            kind = data["pay"]["components"][int(parts[2])]["type"]
            model = next(m for m in typing.get_args(typing.get_args(Component)[0])
                         if typing.get_args(m.model_fields["type"].annotation) == (kind,))
            info, _ = field_info(model, ".".join(parts[3:]))
        else:
            info, _ = field_info(Scenario, path)
    except (UserError, KeyError):
        return []
    ann = info.annotation
    for arg in (ann, *typing.get_args(ann)):
        if typing.get_origin(arg) is typing.Literal:
            return list(typing.get_args(arg))
    return []


def _moves(path: str, value: Any, data: dict) -> list[Any]:
    if isinstance(value, bool):
        return [not value]
    if isinstance(value, int):
        return [value + 1, value - 1]
    if isinstance(value, float):
        return [0.1, 1.0] if value == 0 else [value * 0.5, value * 1.5]
    if isinstance(value, str):
        return [c for c in _choices(path, data) if c != value]
    return []


def _signature(sc: Scenario) -> list[np.ndarray]:
    res = ss.simulate(sc, seed=0, record_events=False, keep_leads=False)
    tables = [res.pnl(), res.rep_monthly(), res.supervisor_monthly()]
    summary = res.summary()
    return ([np.array([summary[k] for k in sorted(summary)], dtype=float)]
            + [t.select_dtypes("number").to_numpy(dtype=float) for t in tables])


def _same(a: list[np.ndarray], b: list[np.ndarray]) -> bool:
    return all(x.shape == y.shape and np.array_equal(x, y, equal_nan=True) for x, y in zip(a, b))


#: Fields the built-ins leave in a state where they cannot act, with the context in which they do, and
#: the value to move them to: (overrides, value or None for the usual move).
CONTEXT: dict[str, tuple[dict[str, Any], Any]] = {
    # the diary is rarely full at 20 meetings a month: with one meeting a day, it is
    "activity.booking_horizon_days": ({"activity.max_meetings_per_day": 1}, 3),
    "activity.max_meetings_per_day": ({}, 1),
    # leaving after a bad month: a plan nobody reaches, a market with nothing to do
    "people.attrition_response.shortfall": ({"plan.monthly_per_rep": 400000.0, "people.attrition_per_year": 0.5}, 20.0),
    "people.attrition_response.idle": ({"products.A.market_size": 30, "lead_sources": [],
                                        "people.attrition_per_year": 0.5}, 20.0),
    # the career's decline starts after its peak (18 months): peak after a month; the peak itself matters
    # for reps hired in the period; new work (a product launch) restarts a career past its peak
    "people.career.decline_per_year": ({"people.career.peak_month": 1.0}, None),
    "people.career.peak_month": ({}, 1.0),
    "people.career.new_work_resets": ({"people.career.enabled": True, "people.career.peak_month": 1.0}, None),
    # a market of 20,000 companies is not worked out in a year; one of 30 is
    "products.*.market_size": ({}, 30),
    # deal reviews happen for deals above a threshold, none by default
    "supervision.review_hours": ({"supervision.review_threshold": 1000.0}, 0.5),
}


def _switch_on(sc: Scenario, path: str) -> Scenario:
    """``sc`` with the switch ``path`` needs to act turned on (the registry's ``when``)."""
    found = provenance_of(path, {})
    if found is not None and found[1].when:
        return with_overrides(sc, {found[1].when: True})
    return sc


@pytest.mark.slow
def test_every_parameter_changes_some_output():
    """Moving each field changes some output of some built-in (4 months first, then the whole horizon)."""
    signatures: dict[str, list[np.ndarray]] = {}

    def signature(sc: Scenario) -> list[np.ndarray]:
        key = sc.content_hash()
        if key not in signatures:
            signatures[key] = _signature(sc)
        return signatures[key]

    where: dict[str, list[tuple[str, str, Any]]] = {}       # field -> (scenario, path, value) where it is
    for name in builtin_names():
        data = ss.load_scenario(name).to_dict()
        for path, value in _leaves(data):
            if not NOT_BEHAVIOUR.match(path):
                where.setdefault(_general(path, data), []).append((name, path, value))

    dead, unmovable = [], []
    for key, places in where.items():
        extra, to = CONTEXT.get(key, ({}, None))
        alive = False
        for months in (4, None):
            for name, path, value in places if months == 4 else places[:2]:
                base = _switch_on(ss.load_scenario(name, extra or None), path)
                if months is not None and base.calendar.months > months:
                    base = with_overrides(base, {"calendar.months": months})
                data = base.to_dict()
                moved = None
                for candidate in ([to] if to is not None else _moves(path, value, data)):
                    try:
                        moved = with_overrides(base, {path: candidate})
                        break
                    except UserError:
                        continue
                if moved is None:
                    unmovable.append(f"{name}: {path}")
                    continue
                if not _same(signature(base), signature(moved)):
                    alive = True
                    break
            if alive:
                break
        if not alive:
            dead.append(key)
    print(f"{len(where)} schema fields checked across {len(builtin_names())} built-in scenarios "
          f"({len(signatures)} runs)")
    assert not unmovable, unmovable
    assert dead == [], f"fields that change no output in any built-in scenario: {sorted(dead)}"
