"""The house style of every chart in the package (:mod:`salessim.views.style`): a title that asks
the question, units on the quantitative axes, a caption that says what the marks and bands are,
over how many replications and with which seed; and PNG, SVG and PDF files that are valid and
reproducible."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from importlib import resources
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import salessim as ss
from salessim.analyses import commission_design as cd
from salessim.analyses import growth
from salessim.analyses.compare import Comparison
from salessim.analyses.pay_summary import pay_distribution
from salessim.analyses.sensitivity import SensitivityResult, analyse_function
from salessim.analyses.sweep import SweepResult
from salessim.calibration import charts as cc
from salessim.calibration.backtest import METRICS, BacktestResult
from salessim.cli import main
from salessim.runs.cache import OutcomeCache
from salessim.scenarios.parameters import parameter_unit
from salessim.views import charts, commission_charts, growth_charts, style
from salessim.views import experiment_charts as ec
from salessim.views.formats import parse_formats

DATA = Path(str(resources.files("salessim.calibration") / "demo"))


# --------------------------------------------------------------------------- inputs
@pytest.fixture(scope="module")
def reps():
    return ss.replicate(ss.load_scenario("baseline", {"calendar.months": 2}), n=3, seed=4, workers=1)


@pytest.fixture(scope="module")
def options():
    """Hire vs train: 2 paired replications of 3 months (today, hire, train, both)."""
    base = ss.load_scenario("baseline", {"calendar.months": 3})
    s = growth.GrowthSettings(reps=9, heads=2, threshold_uplift=2.0, months=3, replications=2, seed=5)
    return growth.analyse(s, base, workers=1, cache=OutcomeCache())


@pytest.fixture(scope="module")
def schemes():
    """The scheme in place against a design, 2 paired replications of 3 months."""
    design = cd.design_of("new_product_group").model_copy(update={"threshold": 0.4})
    return cd.compare_schemes("new_product_group", design, n=2, seed=6, months=3, workers=1, cache=OutcomeCache())


@pytest.fixture(scope="module")
def grid():
    base = ss.load_scenario("baseline", {"calendar.months": 2})
    return growth.profit_grid(base, reps_values=(7, 9), uplift_values=(1.0, 2.0), months=2, n=2, seed=8, workers=1,
                              cache=OutcomeCache())


@pytest.fixture(scope="module")
def inputs(reps, calibration, options, schemes, grid):
    return {"reps": reps, "calibration": calibration, "options": options, "schemes": schemes, "grid": grid}


def _comparison() -> Comparison:
    rng = np.random.default_rng(1)
    rows = []
    for point, (label, shift) in enumerate([("base", 0.0), ("variant", 5.0)]):
        for r in range(8):
            rows.append({"point": point, "label": label, "scenario_hash": "h", "seed": 3, "replication": r,
                         "revenue": 100 + shift + rng.normal(), "profit": 40 - shift + rng.normal(),
                         "won_deals": 20 + rng.normal(), "win_rate": 0.25 + 0.01 * rng.normal()})
    return Comparison(pd.DataFrame(rows), "base", ["variant"], seed=3)


def _sweep(design: str = "grid") -> SweepResult:
    rows, point = [], 0
    for reps_ in (5, 7):
        for floor in (0.2, 0.3):
            for r in range(3):
                rows.append({"point": point, "label": f"{reps_},{floor}", "team.reps.0.count": reps_,
                             "supervision.intensity_floor": floor, "scenario_hash": "h", "seed": 0, "replication": r,
                             "profit": 1000.0 * reps_ + 5000 * floor + r, "revenue": 3000.0 * reps_ + r})
            point += 1
    return SweepResult(pd.DataFrame(rows), ["team.reps.0.count", "supervision.intensity_floor"], design, "baseline", 0)


def _category_sweep() -> SweepResult:
    """A sweep of a parameter that holds categories (text), by a true/false one."""
    rows, point = [], 0
    for how in ("round_robin", "least_loaded"):
        for on in (True, False):
            for r in range(3):
                rows.append({"point": point, "label": f"{how},{on}", "routing.assignment": how,
                             "supervision.enabled": on, "scenario_hash": "h", "seed": 0, "replication": r,
                             "profit": 1000.0 * len(how) + 500 * on + r, "revenue": 3000.0 + r})
            point += 1
    return SweepResult(pd.DataFrame(rows), ["routing.assignment", "supervision.enabled"], "grid", "baseline", 0)


def _sensitivity() -> SensitivityResult:
    tornado = pd.DataFrame([
        {"output": "profit", "parameter": "team.reps.0.count", "low_value": 5, "high_value": 9, "base_value": 7,
         "y_base": 100.0, "y_low": 60.0, "y_high": 150.0, "swing": 90.0, "swing_low": 80.0, "swing_high": 100.0},
    ])
    return SensitivityResult("morris", {"team.reps.0.count": (5, 9)}, ["profit"], pd.DataFrame(), pd.DataFrame(),
                             tornado, scenario="baseline", currency="USD", replications=3)


def _backtest() -> BacktestResult:
    months = ["2026-01", "2026-02", "2026-03"]
    monthly = pd.DataFrame([{"month": m, "metric": k, "actual": 10.0 + i, "mean": 10.0, "low": 8.0, "high": 12.0,
                             "covered": True, "scored": i > 0} for k in METRICS for i, m in enumerate(months)])
    scores = pd.DataFrame([{"metric": k, "months_scored": 2, "months_empty": 0, "coverage": 1.0, "wape_pct": 5.0} for k in METRICS])
    return BacktestResult(monthly, scores, pd.DataFrame(), replications=4, seed=0, level=0.9)


@pytest.fixture(scope="module")
def calibration():
    lines = (DATA / "demo_deals.csv").read_text(encoding="utf-8").splitlines()[:600]
    import tempfile

    from salessim.calibration import calibrate

    with tempfile.TemporaryDirectory() as d:
        small = Path(d) / "deals.csv"
        small.write_text("\n".join(lines) + "\n", encoding="utf-8")
        return calibrate(small, teams=DATA / "demo_teams.csv", products=DATA / "demo_products.csv")


def _horizons(reps):
    from salessim.analyses.horizons import from_replications
    from salessim.runs.replications import replicate_many

    base, variant = replicate_many([ss.load_scenario("baseline", {"calendar.months": 3}),
                                    ss.load_scenario("double_headcount_two_supervisors", {"calendar.months": 3})],
                                   3, 4, detail="outcome")
    return from_replications(base, variant, (2, 3))


def _robustness():
    from salessim.analyses.robustness import Claim, Flip, Robustness

    curve = pd.DataFrame({"value": [0.15, 0.25, 0.35, 0.45], "diff": [-3e5, -1e5, 1e5, 3e5], "low": [-4e5, -2e5, 0.0, 2e5],
                          "high": [-2e5, 0.0, 2e5, 4e5]})
    flip = Flip("supervision.intensity_floor", "documents", (0.15, 0.45), 0.25, 0.3, 0.28, 0.32, "above", curve)
    return Robustness("baseline", "double_headcount_one_supervisor", Claim("revenue", "<", text="15 sell less"), "USD",
                      True, -1e5, -2e5, 0.0, 8, 2, 0.4, 0.2, 0.6, 24, [flip], [], [], [], pd.DataFrame(),
                      pd.DataFrame())


def _pace() -> pd.DataFrame:
    d = np.arange(1, 21)
    return pd.DataFrame({"working_day": d, "pace_median": 80 + d, "pace_p10": 20 + d, "pace_p90": 150 + d})


def _attainment() -> pd.DataFrame:
    return pd.DataFrame({"reps_at_plan_share": np.linspace(0.2, 0.9, 30)})


# every chart function of the package, with the inputs it needs (i: the fixtures by name)
CHARTS = {
    "band_chart": lambda i: charts.band_chart({"revenue": i["reps"].monthly_band("revenue", table="pnl")},
                                              "What will revenue be?", "revenue", currency="USD", n=i["reps"].n,
                                              seed=i["reps"].seed),
    "band_chart_unit": lambda i: charts.band_chart({"x": i["reps"].monthly_band("meetings_per_rep")},
                                                   "How many meetings?", "meetings", unit="per rep per month"),
    "summary_bars": lambda i: charts.summary_bars(i["reps"].summary(["revenue", "profit"]), ["revenue"], ["revenue"],
                                                  "Which is larger?", "amount", currency="USD"),
    "funnel_chart": lambda i: charts.funnel_chart({"meetings": 100.0, "proposals": 50.0, "won": 20.0}, months=2),
    "funnel_chart_grouped": lambda i: charts.funnel_chart(
        {"a": {"meetings": 100.0, "won": 20.0}, "b": {"meetings": 80.0, "won": 30.0}}, "Where do deals drop out?"),
    "pay_chart": lambda i: charts.pay_chart(pay_distribution(i["reps"]), "How much does each person earn?", "USD",
                                            n=i["reps"].n, seed=i["reps"].seed),
    "difference_chart": lambda i: ec.difference_chart(_comparison()),
    "main_kpi_chart": lambda i: ec.main_kpi_chart(_comparison(), "profit"),
    "sweep_line_chart": lambda i: ec.sweep_line_chart(_sweep(), "profit"),
    "sweep_heatmap": lambda i: ec.sweep_heatmap(_sweep(), "profit"),
    "sweep_category_chart": lambda i: ec.sweep_line_chart(_category_sweep(), "profit"),
    "sweep_category_heatmap": lambda i: ec.sweep_heatmap(_category_sweep(), "profit"),
    "sweep_scatter": lambda i: ec.sweep_scatter(_sweep("lhs"), "profit"),
    "tornado_chart": lambda i: ec.tornado_chart(_sensitivity(), "profit"),
    "indices_chart": lambda i: ec.indices_chart(analyse_function(
        lambda X: {"profit": 3 * X["a"] + X["b"]}, {"a": (0, 1), "b": (0, 1)}, "morris", samples=4, seed=1), "profit"),
    "indices_chart_sobol": lambda i: ec.indices_chart(analyse_function(
        lambda X: {"profit": 3 * X["a"] + X["b"]}, {"a": (0, 1), "b": (0, 1)}, "sobol", samples=16, seed=1), "profit"),
    "revenue_profit_chart": lambda i: growth_charts.revenue_profit_chart(i["options"]),
    "meetings_chart": lambda i: growth_charts.meetings_chart(i["options"]),
    "payroll_revenue_chart": lambda i: growth_charts.payroll_revenue_chart(i["options"]),
    "break_even_chart": lambda i: growth_charts.break_even_chart(i["options"]),
    "profit_heatmap": lambda i: growth_charts.profit_heatmap(i["grid"]),
    "dashboard": lambda i: growth_charts.dashboard(i["options"]),
    "pay_distribution_chart": lambda i: commission_charts.pay_distribution_chart(i["schemes"]),
    "cost_of_sales_chart": lambda i: commission_charts.cost_of_sales_chart(i["schemes"]),
    "profit_chart": lambda i: commission_charts.profit_chart(i["schemes"]),
    "key_clients_chart": lambda i: commission_charts.key_clients_chart(i["schemes"]),
    "effort_chart": lambda i: commission_charts.effort_chart(i["schemes"]),
    "revenue_by_group_chart": lambda i: commission_charts.revenue_by_group_chart(i["schemes"]),
    "side_by_side": lambda i: commission_charts.side_by_side(i["schemes"]),
    "backtest_chart": lambda i: cc.backtest_chart(_backtest(), "Does the model reproduce the history?", "USD"),
    "time_to_close_chart": lambda i: cc.time_to_close_chart(i["calibration"].fit),
    "pace_chart": lambda i: cc.pace_chart(_pace(), 0.7),
    "attainment_chart": lambda i: cc.attainment_chart(_attainment(), 0.7),
    "payback_chart": lambda i: ec.payback_chart(_horizons(i["reps"])),
    "turning_chart": lambda i: ec.turning_chart(_robustness()),
}
#: charts of replications: the caption names how many and the seed (the ``inputs`` fixture's
#: seeds are 4, 5, 6 and 8)
SEEDED = {
    "band_chart": 4, "pay_chart": 4, "revenue_profit_chart": 5, "meetings_chart": 5, "payroll_revenue_chart": 5,
    "break_even_chart": 5, "dashboard": 5, "profit_heatmap": 8, "pay_distribution_chart": 6,
    "cost_of_sales_chart": 6, "profit_chart": 6, "key_clients_chart": 6, "effort_chart": 6,
    "revenue_by_group_chart": 6, "side_by_side": 6, "difference_chart": 3, "main_kpi_chart": 3,
    "sweep_line_chart": 0, "sweep_heatmap": 0, "sweep_scatter": 0, "payback_chart": 4, "sweep_category_chart": 0,
    "sweep_category_heatmap": 0,
}


def quantitative_labels(fig) -> list[str]:
    """Every non-empty axis label of the figure (categorical axes carry none)."""
    out = []
    for ax in fig.axes:
        for label in (ax.get_xlabel(), ax.get_ylabel()):
            if label:
                out.append(label)
    return out


@pytest.mark.parametrize("name", sorted(CHARTS))
def test_every_chart_asks_a_question_names_units_and_explains_its_marks(name, inputs):
    fig = CHARTS[name](inputs)
    try:
        title = style.title_of(fig)
        assert title.rstrip().endswith("?"), f"{name}: title {title!r} does not ask a question"
        labels = quantitative_labels(fig)
        assert labels, f"{name}: no axis labels"
        for label in labels:
            assert label.rstrip().endswith(")") and "(" in label, f"{name}: axis {label!r} has no unit in brackets"
        cap = style.caption_of(fig)
        assert cap and len(cap) > 40, f"{name}: no caption"
        words = cap.lower()
        assert any(w in words for w in ("line", "bar", "band", "dot", "cell", "each")), cap
        if name in SEEDED:
            assert "replications" in words and f"seed {SEEDED[name]}" in words, f"{name}: {cap}"
        # the caption is drawn on the figure (wrapped) as well as kept for the HTML report
        drawn = [t.get_text() for t in fig.texts if t.get_gid() == "caption"]
        assert len(drawn) == 1 and drawn[0].replace("\n", " ") == cap
    finally:
        style.plt.close(fig)


def test_band_captions_say_what_the_band_is_how_many_replications_and_the_seed(reps):
    fig = CHARTS["band_chart"]({"reps": reps})
    cap = style.caption_of(fig)
    style.plt.close(fig)
    assert f"mean of {reps.n} replications (seed {reps.seed})" in cap
    assert "middle 90% of replications" in cap


def test_kpi_axes_take_their_words_and_units_from_the_kpi_table(options, schemes):
    from salessim.results import metrics

    fig = growth_charts.revenue_profit_chart(options)
    assert fig.axes[0].get_ylabel() == f"{metrics.label('revenue')} (USD per month)" == "revenue paid (USD per month)"
    style.plt.close(fig)
    fig = commission_charts.key_clients_chart(schemes)
    assert fig.axes[0].get_ylabel() == "key clients lost (% of key clients at the start)"
    style.plt.close(fig)
    assert style.metric_axis_label("win_rate", "EUR", "whole period") == \
        "win rate (share of closed deals, 0-1, whole period)"


def test_axis_units_come_from_the_scenario_and_the_schema(reps):
    fig = CHARTS["band_chart"]({"reps": reps})
    assert fig.axes[0].get_ylabel() == "revenue (USD)"
    style.plt.close(fig)
    assert parameter_unit("activity.meeting_hours") == "hours"
    assert parameter_unit("team.reps.0.salary_per_month", "EUR") == "EUR per month"
    assert parameter_unit("products.A.funnel.booking_rate") == "share, 0-1"
    assert parameter_unit("products.A.deal_size.median", "RUB") == "RUB"
    assert parameter_unit("team.reps.0.count") == "people"


def _check_png(b: bytes) -> None:
    assert b[:8] == b"\x89PNG\r\n\x1a\n"


def _check_svg(b: bytes) -> None:
    root = ET.fromstring(b)
    assert root.tag == "{http://www.w3.org/2000/svg}svg"


def _check_pdf(b: bytes) -> None:
    assert b[:5] == b"%PDF-" and b.rstrip().endswith(b"%%EOF")


def test_save_writes_valid_png_svg_and_pdf_and_the_same_chart_gives_the_same_bytes(tmp_path, reps):
    files = style.save(CHARTS["band_chart"]({"reps": reps}), tmp_path / "a" / "revenue", ("png", "svg", "pdf"))
    assert [f.name for f in files] == ["revenue.png", "revenue.svg", "revenue.pdf"]
    for f, check in zip(files, (_check_png, _check_svg, _check_pdf)):
        check(f.read_bytes())
    again = style.save(CHARTS["band_chart"]({"reps": reps}), tmp_path / "b" / "revenue", ("svg", "pdf", "png"))
    for f in again:
        assert f.read_bytes() == (tmp_path / "a" / f.name).read_bytes(), f.name


def test_money_ticks_keep_a_decimal_only_where_needed():
    assert [style.money(v) for v in (5500, 6000, 350_000, 1_250_000, 2_000_000, -4500, 80)] == \
        ["5.5k", "6k", "350k", "1.25M", "2M", "-4.5k", "80"]


def test_formats_are_checked():
    assert parse_formats(" PNG,svg,.pdf,png") == ("png", "svg", "pdf")
    for bad in ("gif", "png,jpeg", "", ","):
        with pytest.raises(ss.UserError, match="^formats: "):
            parse_formats(bad)


@pytest.mark.parametrize("argv", [
    ["run", "baseline", "--formats", "gif"],
    ["compare", "baseline", "raise_deal_size", "--formats", "png,tiff"],
    ["plan", "baseline", "--formats", ""],
])
def test_an_unknown_format_on_the_command_line_is_one_line_and_exit_2(argv, capsys):
    with pytest.raises(SystemExit) as e:
        main(argv)
    assert e.value.code == 2
    err = capsys.readouterr().err.strip()
    assert "--formats" in err and "png, svg, pdf" in err and len(err.splitlines()) == 1


def test_run_writes_every_requested_format(tmp_path, capsys):
    out = tmp_path / "o"
    assert main(["run", "baseline", "-n", "2", "--months", "1", "--workers", "1", "--out", str(out),
                 "--formats", "pdf,svg"]) == 0
    capsys.readouterr()
    for stem in ("revenue_profit", "meetings_per_rep", "funnel"):
        _check_pdf((out / f"{stem}.pdf").read_bytes())
        _check_svg((out / f"{stem}.svg").read_bytes())
        assert not (out / f"{stem}.png").exists()


@pytest.mark.parametrize("panels,width", [(1, 9.0), (2, 11.0), (3, 11.0)])
def test_month_labels_do_not_run_into_each_other(panels, width):
    """Twelve months on panels side by side: the drawn tick labels must not overlap (two panels on
    an 11-inch figure printed 'Jan '27Feb '27Mar '27...', every month crammed in)."""
    import matplotlib.pyplot as plt

    fig, axes = plt.subplots(1, panels, figsize=(width, 4), squeeze=False)
    months = [f"2027-{m:02d}" for m in range(1, 13)]
    for ax in axes[0]:
        ax.plot(range(12), range(12))
        style.month_axis(ax, months)
    fig.tight_layout()
    fig.canvas.draw()
    renderer = fig.canvas.get_renderer()
    for ax in axes[0]:
        boxes = [t.get_window_extent(renderer) for t in ax.get_xticklabels() if t.get_text()]
        assert len(boxes) >= 4
        assert all(a.x1 < b.x0 for a, b in zip(boxes, boxes[1:])), [t.get_text() for t in ax.get_xticklabels()]
    plt.close(fig)
