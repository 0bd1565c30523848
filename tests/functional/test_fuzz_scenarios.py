"""Fuzzing: the resolved baseline scenario, damaged at random, never breaks ``salessim run``.

Hypothesis draws one to four mutations of the baseline's resolved data (every key of
``salessim show baseline``): a key deleted, a value of the wrong type, an extreme number
(0, -1, 1e308, 5e-324, inf, nan, 10**30, a bound's neighbour), text (unicode, right-to-left
marks, 100,000 characters), a number scaled by up to 10**12 either way, a huge list (an
entry repeated 2,000 times, 10,000 numbers). The damaged scenario is written as a TOML file
and run through the command line for one short replication:

    salessim run DAMAGED.toml -n 1 --workers 1 --json

Every outcome must be either

* a run (exit 0) whose JSON is strict and whose KPIs are finite numbers (or null where a
  KPI is undefined, such as a win rate without closed deals; revenue, profit, salaries and
  payroll always finite), or
* one line on stderr, exit code 2, no traceback.

The run is kept short after mutating: the period is cut to at most 3 months (warm-up 1), a
rep group to at most 50 reps and 200 key clients each, a lead source to at most 500 leads a
day. Those caps only lower numbers that are valid and large; the ends of every range are
run by tests/functional/test_bounds.py.

The normal suite runs ``SALESSIM_MUTATIONS`` examples (default 40, about half a minute); a
nightly run sets it to 1,000 or more (``SALESSIM_MUTATIONS=1000 .venv/bin/python -m pytest -s
tests/functional/test_fuzz_scenarios.py``). How many ran, and how they ended, is printed (with
``-s``) and reported as a warning in the test summary.
"""

from __future__ import annotations

import contextlib
import copy
import datetime as dt
import io
import json
import math
import os
import warnings
from collections import Counter

import pytest
import tomli_w
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import salessim as ss
from salessim.cli import main
from salessim.errors import MAX_LINE
from salessim.scenarios.files import scenario_data

MUTATIONS = int(os.environ.get("SALESSIM_MUTATIONS", "40"))
OUTCOMES: Counter = Counter()
#: KPIs that are sums of money: never undefined
TOTALS = ("revenue", "profit", "salaries", "payroll")


class MutationCount(UserWarning):
    """Carries the number of mutations the fuzz test ran (shown in the warnings summary)."""


@pytest.fixture(scope="module", autouse=True)
def report_count():
    yield
    kinds = ", ".join(f"{k} {v}" for k, v in OUTCOMES.most_common())
    text = f"scenario fuzzing: {OUTCOMES.total()} mutations run ({kinds})"
    print(f"\n{text}")
    warnings.warn(MutationCount(text))


BASE = scenario_data(ss.load_scenario("baseline", {"calendar.months": 1, "calendar.warmup_months": 0}),
                     exclude_none=True)


def _paths(data, prefix=()):
    yield prefix
    if isinstance(data, dict):
        for k, v in data.items():
            yield from _paths(v, (*prefix, k))
    elif isinstance(data, list):
        for i, v in enumerate(data):
            yield from _paths(v, (*prefix, i))


PATHS = [p for p in _paths(BASE) if p]

EXTREMES = [0, -1, 1, 0.0, -0.0, 1e-7, 5e-324, 1e-308, 1e308, -1e308, math.inf, -math.inf, math.nan, 2**63, -2**63,
            10**30, 9.999e8, 1.0000001e9, 10_000, 10_001, 120, 121, 0.999999, 1.000001, 3.0000001, 5.0000001,
            260, 261, 2600.5]
WRONG = ["text", "", " 7 ", "0x10", "007", "true", "1e308", True, False, [], {}, [1, 2, 3], {"a": 1}, {"dist": "fixed"},
         dt.date(2027, 1, 1), dt.date(1, 1, 1), dt.date(9999, 12, 31), dt.datetime(2027, 1, 1, 12, 30)]
TEXTS = ["Ünïcödé", "\U0001F642" * 10, "\u202eevil", "=HYPERLINK(\"x\")", "x" * 100_000, "a\nb", "\\", "'\"",
         "Mon", "A", "head", "baseline", "round_robin", "lognormal"]

value = st.one_of(st.sampled_from(EXTREMES), st.sampled_from(WRONG), st.sampled_from(TEXTS),
                  st.floats(allow_nan=True, allow_infinity=True), st.integers(-10**30, 10**30))
mutation = st.one_of(
    st.tuples(st.just("delete"), st.sampled_from(PATHS), st.none()),
    st.tuples(st.just("set"), st.sampled_from(PATHS), value),
    st.tuples(st.just("scale"), st.sampled_from(PATHS), st.integers(-12, 12)),
    st.tuples(st.just("repeat"), st.sampled_from(PATHS), st.sampled_from([2, 50, 2000])),
    st.tuples(st.just("long_list"), st.sampled_from(PATHS), st.sampled_from([0.5, 1, "Mon", 10**6])),
)


def _parent(data, path):
    cur = data
    for p in path[:-1]:
        if isinstance(cur, dict) and p in cur:
            cur = cur[p]
        elif isinstance(cur, list) and isinstance(p, int) and p < len(cur):
            cur = cur[p]
        else:
            return None
    if isinstance(cur, dict) and path[-1] in cur:
        return cur
    if isinstance(cur, list) and isinstance(path[-1], int) and path[-1] < len(cur):
        return cur
    return None


def mutate(data, kind, path, arg) -> None:
    parent = _parent(data, path)
    if parent is None:
        return
    key = path[-1]
    old = parent[key]
    if kind == "delete" or (kind == "set" and arg is None):
        del parent[key]
    elif kind == "set":
        parent[key] = arg
    elif kind == "scale":
        if isinstance(old, (int, float)) and not isinstance(old, bool):
            parent[key] = old * 10.0**arg if isinstance(old, float) or arg < 0 else old * 10**arg
    elif kind == "repeat":
        if isinstance(old, list) and old:
            parent[key] = (old * arg)[: max(len(old) * arg, 1)]
        elif isinstance(parent, list):
            parent.extend([copy.deepcopy(old)] * arg)
    elif kind == "long_list":
        parent[key] = [arg] * 10_000


def _cap(d, key, top):
    v = d.get(key) if isinstance(d, dict) else None
    if isinstance(v, (int, float)) and not isinstance(v, bool) and math.isfinite(v) and v > top:
        d[key] = type(v)(top)


def keep_short(data) -> None:
    """Cut valid, large run sizes (see the module's docstring); a wrong value is left as it is."""
    cal = data.get("calendar")
    if isinstance(cal, dict):
        _cap(cal, "months", 3)
        _cap(cal, "warmup_months", 1)
    team = data.get("team")
    if isinstance(team, dict) and isinstance(team.get("reps"), list):
        for g in team["reps"]:
            if isinstance(g, dict):
                _cap(g, "count", 50)
                _cap(g, "key_clients", 200)
    if isinstance(data.get("lead_sources"), list):
        for src in data["lead_sources"]:
            if isinstance(src, dict):
                _cap(src, "rate_per_day", 500)
                months = src.get("rate_by_month")
                if isinstance(months, dict):
                    for k in list(months):
                        _cap(months, k, 500)


def strict_loads(text: str):
    def refuse(name):
        raise AssertionError(f"not strict JSON: {name}")
    return json.loads(text, parse_constant=refuse)


def outcome_kind(err: str) -> str:
    """A short name for how a refusal reads (for the summary of outcomes)."""
    for words, kind in (("unknown field", "unknown field"), ("required field is missing", "missing field"),
                        ("expected a whole number", "not a whole number"), ("expected a number <", "too large"),
                        ("expected a number >", "too small"), ("expected a number", "not a number"),
                        ("expected a finite number", "not finite"), ("between 0 and 1", "not a share"),
                        ("expected true or false", "not true/false"), ("expected text", "not text"),
                        ("expected a table", "not a table"), ("expected a list", "not a list"),
                        ("expected a date", "not a date"), ("not valid TOML", "not TOML"),
                        ("expected 0 or a number of at least", "too small"), ("entries", "list length"),
                        ("characters", "text length"), ("expected a name", "not a name")):
        if words in err:
            return f"refused: {kind}"
    return "refused: other rule"


@settings(max_examples=MUTATIONS, deadline=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.large_base_example])
@given(mutations=st.lists(mutation, min_size=1, max_size=4))
def test_a_damaged_scenario_runs_with_finite_kpis_or_is_one_line_exit_2(mutations, tmp_path_factory):
    data = copy.deepcopy(BASE)
    for kind, path, arg in mutations:
        mutate(data, kind, path, arg)
    keep_short(data)
    f = tmp_path_factory.mktemp("fuzz") / "damaged.toml"
    try:
        f.write_text(tomli_w.dumps(data), encoding="utf-8")
    except (TypeError, ValueError):  # a value TOML cannot hold (tomli_w refuses it): nothing to run
        OUTCOMES["not writable as TOML"] += 1
        return
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        try:
            code = main(["run", str(f), "-n", "1", "--workers", "1", "--json"])
        except SystemExit as e:
            code = e.code
    err_text = err.getvalue().strip()
    assert "Traceback" not in err_text, err_text[-3000:]
    if code == 2:
        lines = err_text.splitlines()
        assert len(lines) == 1 and lines[0].startswith("salessim run: error: "), err_text[:2000]
        assert len(lines[0]) <= MAX_LINE, lines[0][:300]
        OUTCOMES[outcome_kind(lines[0])] += 1
        return
    assert code == 0, f"exit {code}: {err_text[:2000]}"
    result = strict_loads(out.getvalue())
    for name, kpi in result.items():
        if isinstance(kpi, dict) and "mean" in kpi:
            for k, v in kpi.items():
                assert v is None or (isinstance(v, (int, float)) and math.isfinite(v)), (name, k, v)
    for name in TOTALS:
        assert result[name]["mean"] is not None, (name, result[name])
    OUTCOMES["ran, finite KPIs"] += 1
