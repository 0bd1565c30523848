"""The one KPI table (salessim.results.metrics): it covers every metric a run reports, every P&L
line and every monthly series the charts draw; its labels are unique; and the commands,
charts, report and widgets print its words, not words of their own."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

import salessim as ss
from salessim.analyses import compare as compare_module
from salessim.analyses.compare import Comparison
from salessim.apps.commands import compare as compare_command
from salessim.apps.commands import sweep as sweep_command
from salessim.apps.widgets import panels
from salessim.cli import main
from salessim.results import metrics
from salessim.runs.experiment import metric_names
from salessim.runs.replication import Task, run_replication
from salessim.views import experiment_charts, style


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
    assert style.money(350_000) == metrics.compact(350_000) == "350k"


def test_the_order_puts_the_headline_first_then_the_table_then_products_then_the_rest():
    names = ["revenue_B", "calls", "won_deals_A", "profit", "zzz", "revenue", "revenue_A"]
    assert metrics.order(names) == ["revenue", "profit", "calls", "revenue_A", "revenue_B", "won_deals_A", "zzz"]
    table_order = [m.name for m in metrics.TABLE]
    assert [m for m in table_order if m in metrics.HEADLINE] == list(metrics.HEADLINE)


# --------------------------------------------------------------------------- the readers
def test_the_run_command_prints_the_tables_words_and_units(capsys):
    assert main(["run", "baseline", "-n", "2", "--months", "1", "--workers", "1"]) == 0
    lines = capsys.readouterr().out.splitlines()
    for m in metrics.HEADLINE:
        row = [ln for ln in lines if ln.startswith(metrics.label(m) + " ")]
        assert len(row) == 1, (m, lines)
        assert metrics.shown_unit(m, "USD") in row[0]


def _comparison() -> Comparison:
    rng = np.random.default_rng(2)
    rows = [{"point": p, "label": lab, "scenario_hash": "h", "seed": 0, "replication": r,
             **{k: 100.0 + 5 * p + rng.normal() for k in ("revenue", "profit", "won_deals", "cycle_days")},
             "win_rate": 0.3 + 0.01 * rng.normal()}
            for p, lab in enumerate(("base", "variant")) for r in range(5)]
    return Comparison(pd.DataFrame(rows), "base", ["variant"], seed=0)


def test_comparisons_print_and_draw_the_tables_words(capsys):
    cmp = _comparison()
    compare_command.print_report(cmp)
    out = capsys.readouterr().out
    for k in ("revenue", "profit", "won_deals", "win_rate", "cycle_days"):
        assert f"\n{metrics.label(k)} " in out, k
    assert "is better than base on profit" in out  # the verdict names the KPI by its words
    fig = experiment_charts.difference_chart(cmp)
    ticks = [t.get_text() for t in fig.axes[0].get_yticklabels()]
    style.plt.close(fig)
    assert set(ticks) <= {metrics.label(k) for k in cmp.metrics()} and ticks
    assert compare_module.direction is metrics.direction


def test_sweep_headers_and_widget_rows_use_the_table(capsys):
    from salessim.analyses.sweep import SweepResult

    rows = [{"point": p, "label": str(v), "team.reps.0.count": v, "scenario_hash": "h", "seed": 0, "replication": r,
             "profit": 10.0 * v + r, "win_rate": 0.2 + 0.01 * r} for p, v in enumerate((5, 7)) for r in range(3)]
    res = SweepResult(pd.DataFrame(rows), ["team.reps.0.count"], "grid", "baseline", 0)
    sweep_command.print_summary(res, res.summary(["profit", "win_rate"]), ["profit", "win_rate"])
    out = capsys.readouterr().out
    assert "profit (USD)" in out and "win rate (% of closed deals)" in out
    assert panels._metric_rows(["revenue"], "EUR") == ["revenue paid (EUR)"]
    assert all(metrics.known(k) for k in panels.SUMMARY_KPIS)


def test_the_report_reads_the_table():
    from salessim.views.report import build

    report = build.build_report("baseline", n=2, months=1, workers=1)
    table = next(t for t in report.tables() if t.key == "kpi_summary")
    assert list(table.display["KPI"]) == [metrics.label(k) for k in build.KPIS]
    assert list(table.display["unit"]) == [metrics.shown_unit(k, "USD") for k in build.KPIS]
    pnl = next(t for t in report.tables() if t.key == "pnl")
    assert set(pnl.display["line"]) <= {m.label for m in metrics.TABLE}
