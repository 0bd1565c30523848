"""Back tests: every built-in scenario's KPI table at a fixed seed equals the stored one.

The expected tables (``tests/back/expected``) were written by ``tests/back/regenerate.py``.
A refactoring must leave them as they are; a change meant to move the numbers regenerates
them (and says so in its commit). Values are compared to a relative 1e-9, so a different CPU's
last-bit rounding in numpy's vector maths does not fail the test, while any change of logic does.
"""

from __future__ import annotations

import pandas as pd
import pytest

import salessim as ss

from .regenerate import EXPECTED, kpi_table


@pytest.mark.parametrize("name", ss.builtin_names())
def test_kpi_table_matches_the_stored_one(name):
    path = EXPECTED / f"{name}.csv"
    assert path.exists(), f"no expected table for built-in {name!r}: run tests/back/regenerate.py"
    expected = pd.read_csv(path)
    got = kpi_table(name).reset_index(drop=True)
    assert list(got.columns) == list(expected.columns), "the KPIs reported changed"
    pd.testing.assert_frame_equal(got, expected, check_dtype=False, rtol=1e-9, atol=0)


def test_every_stored_table_belongs_to_a_builtin():
    stored = {p.stem for p in EXPECTED.glob("*.csv")}
    assert stored == set(ss.builtin_names())
