"""Bounds that mean something: every number of a scenario, set to either end of its range, gives a
scenario that runs (one replication, one or two months) with finite results, or one clear refusal
(a cross-field rule, such as a booking horizon shorter than the meeting lead time).

The ends are read from the schema itself (the bound a refused value reports), so a new field or
a changed bound is tested without editing this file. Only a group's head count is run below its
end (10,000 reps need about 7 GB: 200 are run instead; the bound is a memory limit).
"""

from __future__ import annotations

import copy
import math

import pytest
from pydantic import ValidationError

import salessim as ss
from salessim.errors import ScenarioError
from salessim.runs.replications import simulate
from salessim.scenarios.files import apply_scheme, scenario_data, validate
from salessim.scenarios.numbers import SMALLEST
from salessim.scenarios.schema import Scenario

#: Sections a baseline switches off, switched on so their numbers matter.
ALL_ON = {"people.career.enabled": True, "lost_review.enabled": True, "supervision.review_threshold": 20000.0,
          "supervision.review_hours": 0.5, "closing_pace.monthly_sd": 0.2, "deal_size.training.days_out": 1.0,
          "deal_size.training.cost_per_rep": 100.0, "calendar.months": 2, "calendar.warmup_months": 0}
#: Heavy ends run at a smaller value (the bound itself is a memory limit).
RUN_AT = {"count": 200}
#: Money totals that must be a finite number (never nan: they are sums of money).
TOTALS = ("revenue", "profit", "salaries", "payroll", "gross_margin")


def bases() -> dict[str, ss.Scenario]:
    out = {name: ss.load_scenario(name, ALL_ON) for name in
           ("baseline", "lead_handoff_operator", "commission_tiered_accelerator", "commission_draw_new_hires",
            "commission_plan_50_50", "commission_per_action", "new_product_group", "head_leaves",
            "commission_contracted_clawback")}
    for scheme in ("bonus_and_contest", "team_override"):
        out[scheme] = apply_scheme(out["baseline"], scheme)
    return out


def numeric_leaves(data, prefix=""):
    if isinstance(data, dict):
        for k, v in data.items():
            yield from numeric_leaves(v, f"{prefix}{k}.")
    elif isinstance(data, list):
        for i, v in enumerate(data[:2]):
            yield from numeric_leaves(v, f"{prefix}{i}.")
    elif isinstance(data, (int, float)) and not isinstance(data, bool):
        yield prefix[:-1], data


def pattern(path: str) -> str:
    """A path with list indices and product names generalised (one test per field and scenario kind)."""
    parts = path.split(".")
    out = ["*" if p.isdigit() else p for p in parts]
    if out[0] == "products" and len(out) > 1:
        out[1] = "P"
    return ".".join(out)


def cases():
    seen, out = set(), []
    for name, sc in bases().items():
        for path, value in numeric_leaves(scenario_data(sc)):
            key = pattern(path)
            if key in seen or path.startswith(("provenance", "claim")):
                continue
            seen.add(key)
            out.append((name, path))
    return out


CASES = cases()
BASES = bases()


def set_path(data, path, value):
    parts = path.split(".")
    cur = data
    for p in parts[:-1]:
        cur = cur[int(p)] if isinstance(cur, list) else cur[p]
    if isinstance(cur, list):
        cur[int(parts[-1])] = value
    else:
        cur[parts[-1]] = value


def ends(data, path, current) -> list:
    """Both ends of the field's range, as the schema reports them when a value beyond is refused."""
    whole = isinstance(current, int)
    out = []
    for probe in ((-10**18, 10**18) if whole else (-1e300, 1e300)):
        d = copy.deepcopy(data)
        set_path(d, path, probe)
        try:
            Scenario.model_validate(d)
            continue
        except ValidationError as e:
            err = next((x for x in e.errors() if ".".join(map(str, x["loc"])).endswith(path.split(".")[-1])), None)
        except Exception:
            continue
        ctx = (err or {}).get("ctx") or {}
        if "ge" in ctx:
            out.append(ctx["ge"])
        elif "gt" in ctx:
            out.append(ctx["gt"] + max(SMALLEST, abs(ctx["gt"]) * 1e-9))
        elif "le" in ctx:
            out.append(ctx["le"])
        elif "lt" in ctx:
            out.append(ctx["lt"] - max(SMALLEST, abs(ctx["lt"]) * 1e-9))
    return out


def test_the_cases_cover_the_schema():
    fields = {pattern(p).split(".")[-1] for _, p in CASES}
    assert len(CASES) > 120
    assert {"threshold_spread", "cv", "sigma", "cycle_elasticity", "overhead_per_head_month", "stock_value",
            "per_month", "rate", "operators", "churned_client_months", "from"} <= fields


@pytest.mark.parametrize("name,path", CASES, ids=[f"{n}:{p}" for n, p in CASES])
def test_each_end_of_each_range_runs_with_finite_results(name, path):
    data = scenario_data(BASES[name])
    current = dict(numeric_leaves(data))[path]
    found = ends(data, path, current)
    assert len(found) == 2, f"{path}: expected a lower and an upper bound, found {found}"
    for value in found:
        field = path.split(".")[-1]
        value = min(value, RUN_AT.get(field, value))
        d = copy.deepcopy(data)
        set_path(d, path, int(value) if isinstance(current, int) else float(value))
        try:
            sc = validate(d)
        except ScenarioError:
            continue  # a cross-field rule refuses this end in this scenario: one clear line, also fine
        res = simulate(sc, 0, 0, record_events=False, keep_leads=False)
        summary = res.summary()
        bad = {k: v for k, v in summary.items() if isinstance(v, float) and math.isinf(v)}
        assert not bad, f"{path}={value}: {bad}"
        for k in TOTALS:
            assert math.isfinite(summary[k]), f"{path}={value}: {k} = {summary[k]}"
        assert abs(summary["profit"]) < 1e16, f"{path}={value}: profit {summary['profit']:.3g}"
