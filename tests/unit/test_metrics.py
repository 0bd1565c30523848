"""The one KPI table (salessim.results.metrics): it covers every metric a run reports, every P&L
line and every monthly series the charts draw, and its labels are unique."""

from __future__ import annotations

import math

import numpy as np
import pytest

import salessim as ss
from salessim.results import metrics
from salessim.runs.experiment import metric_names
from salessim.runs.replication import Task, run_replication


@pytest.fixture(scope="module")
def short_run():
    """One month of new_product_group (two products), kept whole."""
    sc = ss.load_scenario("new_product_group", {"calendar.months": 1, "calendar.warmup_months": 0})
    return run_replication(Task(sc, 0, 0, "outcome")), ss.simulate(sc, record_events=False, keep_leads=False)


# --------------------------------------------------------------------------- coverage
@pytest.mark.parametrize("name", ss.builtin_names())
def test_every_metric_a_builtin_scenario_reports_is_in_the_table(name):
    """A new summary metric without a row in the table fails here."""
    reported = metric_names(ss.load_scenario(name))
    missing = [m for m in reported if not metrics.known(m)]
    assert not missing, f"{name} reports metrics the KPI table does not know: {missing}"
    # and every row the table says every run reports is reported
    assert {m.name for m in metrics.TABLE if m.summary} <= set(reported)


def test_every_pnl_line_and_monthly_series_is_in_the_table(short_run):
    outcome, result = short_run
    columns = [c for c in result.pnl().columns if c != "month"]
    columns += [c for c in result.pnl_by_product().columns if c not in ("month", "product")]
    columns += list(outcome.series.monthly)
    columns += ["meetings_per_rep"]  # department_monthly's, drawn by salessim run and the report
    missing = [c for c in columns if not metrics.known(c)]
    assert not missing, missing
    # a P&L line that is not a summary figure is marked so (check_metrics must not take it for one)
    assert not metrics.is_summary("cogs") and metrics.is_summary("profit") and not metrics.is_summary("revenue_B")


def test_labels_are_unique_plain_words_without_brackets():
    products = ("A", "B", "C")
    names = [m.name for m in metrics.TABLE] + [f"{p}{p_}" for p, _ in metrics.PER_PRODUCT for p_ in products]
    labels = [metrics.label(n) for n in names]
    dupes = sorted({x for x in labels if labels.count(x) > 1})
    assert not dupes, dupes
    for n, text in zip(names, labels):
        assert text == text.strip() and "(" not in text and ")" not in text, (n, text)  # a unit in brackets follows
        assert text[:1] == text[:1].lower(), (n, text)
    # a series that is a summary metric month by month has its words
    assert metrics.label("meetings_per_rep") == metrics.label("meetings_per_rep_month")
    assert metrics.label("revenue_B") == "product B: revenue paid"


def test_units_directions_and_ranges():
    assert metrics.unit("revenue", "EUR") == "EUR" and metrics.unit("pay_per_rep_month", "EUR") == "EUR per rep-month"
    assert metrics.unit("win_rate", "EUR") == "share of closed deals, 0-1"
    assert metrics.shown_unit("win_rate", "EUR") == "% of closed deals"
    assert metrics.unit("cost_of_sales_pct", "EUR") == "% of revenue"
    assert metrics.unit("won_deals", "EUR") == "deals" and metrics.unit("cycle_days", "EUR") == "working days"
    assert metrics.unit("meetings_per_rep_month", "EUR") == "meetings per rep-month"
    assert metrics.unit("mean_invoice_wait_hours", "EUR") == "hours per invoice"
    assert metrics.direction("profit") == metrics.HIGHER and metrics.direction("salaries") == metrics.LOWER
    assert metrics.direction("calls") == metrics.NEITHER and metrics.direction("won_deals_B") == metrics.HIGHER
    assert metrics.bounds("key_clients_lost_share") == (0.0, 1.0) and metrics.bounds("won_deals_C") == (0.0, math.inf)
    assert metrics.bounds("variable_pay") == (-math.inf, math.inf)  # clawbacks
    for m in metrics.TABLE:
        assert m.kind in ("money", "share", "percent", "count", "days", "hours", "ratio"), m
        assert m.kind != "count" or m.of, f"{m.name}: a count names what it counts"
        assert m.direction in (-1, 0, 1) and m.low < m.high, m
    # a name outside the table (an output of your own function) still gets words
    assert metrics.label("my_output") == "my output" and not metrics.known("my_output")


def test_one_number_format():
    f = metrics.format_value
    assert f(3350720.4, "revenue") == "3,350,720" and f(1250.4, "revenue", "USD") == "1,250 USD"
    assert f(0.258, "win_rate") == "25.8%" and f(0.012, "win_rate", signed=True) == "+1.2 pts"
    assert f(12.34, "cost_of_sales_pct") == "12.3%" and f(-1.5, "cost_of_sales_pct", signed=True) == "-1.5 pts"
    assert f(496.27, "won_deals") == "496.3" and f(4321.5, "meetings") == "4,322"
    assert f(float("nan"), "profit") == "n/a" and f(None, "profit") == "n/a" and f(np.float32(2.0), "calls") == "2.0"
    assert metrics.money_text(1_250_000, "USD") == "1.25M USD" and metrics.money_text(-4500, "USD") == "-4.5k USD"
    assert metrics.money_text(950, "USD", signed=True) == "+950 USD"
    assert metrics.compact(350_000) == "350k"


def test_the_order_puts_the_headline_first_then_the_table_then_products_then_the_rest():
    names = ["revenue_B", "calls", "won_deals_A", "profit", "zzz", "revenue", "revenue_A"]
    assert metrics.order(names) == ["revenue", "profit", "calls", "revenue_A", "revenue_B", "won_deals_A", "zzz"]
    table_order = [m.name for m in metrics.TABLE]
    assert [m for m in table_order if m in metrics.HEADLINE] == list(metrics.HEADLINE)
