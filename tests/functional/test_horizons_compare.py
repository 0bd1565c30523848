"""compare answers over 12, 24 and 36 months and says when a change pays back (issue 16, point 3)."""

from __future__ import annotations

import json

import pytest

from salessim.analyses.compare import compare
from salessim.cli import main


@pytest.fixture(scope="module")
def two_heads():
    return compare("baseline", "double_headcount_two_supervisors", n=6, seed=2, workers=2, horizons=(12, 24, 36))


def test_the_twelve_month_column_is_the_twelve_month_comparison(two_heads):
    """A 36-month run's first year is the 12-month run: the horizon table's 12 months equal the comparison."""
    d = two_heads.differences(["profit"]).iloc[0]
    h = two_heads.horizons["double_headcount_two_supervisors"]
    row = h.table[(h.table["kpi"] == "profit") & (h.table["months"] == 12)].iloc[0]
    assert row["diff"] == pytest.approx(d["diff"], rel=1e-12)


def test_a_second_head_costs_first_and_its_payback_month_is_given(two_heads):
    h = two_heads.horizons["double_headcount_two_supervisors"]
    profit = h.table[h.table["kpi"] == "profit"].set_index("months")["diff"]
    assert profit[12] < profit[24] < profit[36]           # the cumulative difference improves with time
    assert h.payback is not None and not h.payback.never_behind
    if h.payback.month is not None:
        assert 1 < h.payback.month <= 36
        assert h.cumulative.loc[h.payback.month - 1, "mean"] >= 0 > h.cumulative.loc[h.payback.month - 2, "mean"]


def test_the_verdict_says_when_the_answer_changes_with_the_horizon(two_heads):
    text = two_heads.verdicts()["double_headcount_two_supervisors"]
    h = two_heads.horizons["double_headcount_two_supervisors"]
    assert "over 12 months" in text and "over 36 months" in text
    if h.turns("profit"):
        assert "changes with the horizon" in text


def test_the_command_line_prints_and_writes_the_horizons(capsys):
    assert main(["compare", "baseline", "double_headcount_two_supervisors", "-n", "3", "--workers", "2",
                 "--horizons", "12,24", "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    h = out["horizons"]["double_headcount_two_supervisors"]
    assert h["horizons"] == [12, 24] and {r["months"] for r in h["table"]} == {12, 24}
    assert "payback" in h
    assert main(["compare", "baseline", "raise_deal_size", "-n", "2", "--horizons", "none"]) == 0
    assert "over time" not in capsys.readouterr().out
    with pytest.raises(SystemExit) as stop:                   # a usage mistake: argparse's exit 2, one line
        main(["compare", "baseline", "raise_deal_size", "--horizons", "12,abc"])
    assert stop.value.code == 2 and "--horizons" in capsys.readouterr().err
