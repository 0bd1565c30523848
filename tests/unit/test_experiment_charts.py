"""Experiment charts drawn from small hand-made results: colours follow verdicts, cells and bars
show the numbers they claim, every chart states its question, units and what its bands are."""

from __future__ import annotations

import matplotlib.colors as mcolors
import numpy as np
import pandas as pd
import pytest

from salessim.analyses.compare import Comparison
from salessim.analyses.sensitivity import SensitivityResult, analyse_function
from salessim.analyses.sweep import SweepResult
from salessim.views import experiment_charts as ec
from salessim.views import style


def _caption(fig) -> str:
    return " ".join(t.get_text() for t in fig.texts)


@pytest.fixture()
def comparison():
    rng = np.random.default_rng(0)
    n = 12
    base = {"revenue": 100 + rng.normal(0, 1, n), "profit": 50 + rng.normal(0, 1, n),
            "salaries": np.full(n, 30.0), "meetings": 200 + rng.normal(0, 5, n)}
    variant = {"revenue": base["revenue"] + 10 + rng.normal(0, 1, n),   # clearly better
               "profit": base["profit"] - 10 + rng.normal(0, 1, n),     # clearly worse
               "salaries": base["salaries"] - 5.0,                        # lower cost: better
               "meetings": base["meetings"] + rng.normal(0, 5, n)}       # no detectable difference
    rows = []
    for point, (label, vals) in enumerate([("base", base), ("variant", variant)]):
        for r in range(n):
            rows.append({"point": point, "label": label, "scenario_hash": "h", "seed": 0, "replication": r,
                         **{k: v[r] for k, v in vals.items()}})
    return Comparison(pd.DataFrame(rows), "base", ["variant"], seed=0)


def test_difference_bars_are_coloured_by_verdict(comparison):
    kpis = ["revenue", "profit", "salaries", "meetings"]
    verdicts = comparison.differences(kpis).set_index("kpi")["verdict"]
    assert list(verdicts) == ["better", "worse", "better", "no detectable difference"]
    fig = ec.difference_chart(comparison, kpis=kpis)
    ax = fig.axes[0]
    colours = [mcolors.to_hex(p.get_facecolor()) for p in ax.patches]
    expected = {"better": style.GOOD, "worse": style.BAD, "no detectable difference": style.NEUTRAL}
    assert colours == [expected[v] for v in verdicts]
    widths = [p.get_width() for p in ax.patches]
    assert widths == pytest.approx(list(comparison.differences(kpis)["diff_pct"]))
    assert ax.get_title() == "Does variant do better than base?"
    assert "% of the base mean" in ax.get_xlabel()
    assert "95% confidence interval" in _caption(fig)


def test_main_kpi_chart_is_in_the_kpis_unit(comparison):
    fig = ec.main_kpi_chart(comparison, "profit")
    ax = fig.axes[0]
    assert "(USD, whole period)" in ax.get_xlabel()
    assert ax.patches[0].get_width() == pytest.approx(comparison.differences(["profit"])["diff"].iloc[0])


@pytest.fixture()
def grid_sweep():
    rows = []
    point = 0
    for reps in (5, 7, 9):
        for floor in (0.2, 0.3):
            for r in range(4):
                rows.append({"point": point, "label": f"{reps},{floor}", "team.reps.0.count": reps,
                             "supervision.intensity_floor": floor, "scenario_hash": "h", "seed": 0,
                             "replication": r, "profit": 1000.0 * reps + 10_000 * floor + r})
            point += 1
    return SweepResult(pd.DataFrame(rows), ["team.reps.0.count", "supervision.intensity_floor"], "grid",
                       "baseline", 0)


def test_heatmap_cells_show_the_point_means(grid_sweep):
    fig = ec.sweep_heatmap(grid_sweep, "profit")
    ax = fig.axes[0]
    texts = {t.get_text() for t in ax.texts}
    # mean over replications 0..3 is 1000 reps + 10000 floor + 1.5; e.g. 9 reps, floor 0.3 -> 12,001.5 -> "12k"
    assert "12k" in texts and "7k" in texts and len(ax.texts) == 6
    # parameters are named by their path, with the unit the scenario schema gives them
    assert ax.get_xlabel() == "team.reps.0.count (people)"
    assert ax.get_ylabel() == "supervision.intensity_floor (share, 0-1)"


def test_sweep_lines_one_per_value_of_the_second_parameter(grid_sweep):
    fig = ec.sweep_line_chart(grid_sweep, "profit")
    ax = fig.axes[0]
    assert len(ax.lines) == 2
    assert ax.lines[0].get_ydata() == pytest.approx([5001.5 + 2000, 7001.5 + 2000, 9001.5 + 2000])
    assert "95% confidence interval" in _caption(fig)
    assert "USD" in ax.get_ylabel()


def test_tornado_bars_span_from_the_base_to_each_end():
    tornado = pd.DataFrame([
        {"output": "profit", "parameter": "a", "low_value": 1, "high_value": 2, "base_value": 1.5, "y_base": 100.0,
         "y_low": 60.0, "y_high": 150.0, "swing": 90.0, "swing_low": 80.0, "swing_high": 100.0},
        {"output": "profit", "parameter": "b", "low_value": 0.1, "high_value": 0.2, "base_value": 0.15,
         "y_base": 100.0, "y_low": 95.0, "y_high": 110.0, "swing": 15.0, "swing_low": 5.0, "swing_high": 25.0},
    ])
    res = SensitivityResult("morris", {"a": (1, 2), "b": (0.1, 0.2)}, ["profit"], pd.DataFrame(), pd.DataFrame(),
                            tornado, scenario="baseline", currency="USD", replications=3)
    fig = ec.tornado_chart(res, "profit")
    ax = fig.axes[0]
    spans = sorted((p.get_x(), p.get_x() + p.get_width()) for p in ax.patches)
    assert spans == sorted([(100.0, 60.0), (100.0, 150.0), (100.0, 95.0), (100.0, 110.0)])
    assert ax.get_title() == "Which parameters move profit most?"


def test_index_chart_and_saving_both_formats(tmp_path):
    res = analyse_function(lambda X: {"profit": 3 * X["a"] + X["b"]}, {"a": (0, 1), "b": (0, 1)}, "morris",
                           samples=4, seed=1)
    fig = ec.indices_chart(res, "profit")
    assert [t.get_text() for t in fig.axes[0].get_yticklabels()] == ["a", "b"]  # strongest on top
    files = style.save(fig, tmp_path / "idx")
    assert sorted(f.suffix for f in files) == [".png", ".svg"] and all(f.stat().st_size > 0 for f in files)


def test_with_several_variants_each_difference_chart_is_named_for_its_variant(tmp_path):
    from salessim.analyses.compare import compare
    from salessim.views.experiment_charts import comparison_charts

    cmp = compare("baseline", ["raise_deal_size", "baseline"], n=2, workers=1,
                  overrides={"calendar.months": 1, "calendar.warmup_months": 0})
    names = {f.name for f in comparison_charts(cmp, tmp_path, ["png"])}
    assert {"differences_raise_deal_size.png", "differences_baseline_2.png"} <= names, names
