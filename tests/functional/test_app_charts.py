"""Charts of the growth and commission analyses: questions as titles, units, captions, one style, export."""

from __future__ import annotations

import matplotlib
import pytest

import salessim as ss
from salessim.analyses import commission_design as cd
from salessim.analyses import growth
from salessim.runs.cache import OutcomeCache
from salessim.views import commission_charts, growth_charts, style


@pytest.fixture(scope="module")
def result():
    base = ss.load_scenario("baseline", {"calendar.months": 3})
    s = growth.GrowthSettings(reps=9, heads=2, threshold_uplift=2.0, months=3, replications=2, seed=1)
    return growth.analyse(s, base, workers=1, cache=OutcomeCache())


@pytest.fixture(scope="module")
def schemes():
    design = cd.design_of("new_product_group").model_copy(update={"threshold": 0.4, "new_group_rate_multiple": 3})
    return cd.compare_schemes("new_product_group", design, n=2, months=3, workers=1, cache=OutcomeCache())


def _texts(fig) -> str:
    parts = [t.get_text() for t in fig.texts]
    for ax in fig.axes:
        parts += [ax.get_title(), ax.get_xlabel(), ax.get_ylabel()]
    return " | ".join(parts)


def _check(fig, question_words, unit):
    text = _texts(fig)
    titles = [ax.get_title() for ax in fig.axes] + [t.get_text() for t in fig.texts if t.get_fontweight() == "bold"]
    if fig._suptitle is not None:
        titles.append(fig._suptitle.get_text())
    assert any(t.endswith("?") for t in titles), f"no title asks a question: {titles}"
    for w in question_words:
        assert w in text
    assert unit in text, f"no unit {unit!r} in {text}"
    captions = [t.get_text() for t in fig.texts if t.get_fontsize() <= 8]
    assert captions and any(("band" in c or "whisker" in c.lower() or "Each" in c) for c in captions)


def test_growth_charts(result, tmp_path):
    _check(growth_charts.revenue_profit_chart(result), ["Revenue per month", "Profit per month"], "USD per month")
    _check(growth_charts.meetings_chart(result), ["meetings per rep"], "meetings per rep-month")
    _check(growth_charts.payroll_revenue_chart(result), ["payroll"], "USD, 3 months")
    _check(growth_charts.break_even_chart(result), ["new hires"], "USD")
    fig = growth_charts.dashboard(result)
    _check(fig, ["Grow by hiring"], "USD")
    files = style.save(fig, tmp_path / "dash", ["png", "svg", "pdf"])
    assert [f.suffix for f in files] == [".png", ".svg", ".pdf"] and all(f.stat().st_size > 1000 for f in files)
    assert files[2].read_bytes()[:4] == b"%PDF"


def test_option_colours_are_the_same_in_every_chart(result):
    fig = growth_charts.revenue_profit_chart(result)
    lines = {ln.get_label().split(":")[0]: matplotlib.colors.to_hex(ln.get_color()) for ln in fig.axes[0].lines}
    assert lines["today"] == growth_charts.COLOURS["today"] and lines["hire"] == growth_charts.COLOURS["hire"]
    assert lines["train (bigger deals)"] == growth_charts.COLOURS["train"]


def test_break_even_without_hires_says_so():
    base = ss.load_scenario("baseline", {"calendar.months": 3})
    r = growth.analyse(growth.GrowthSettings(reps=7, threshold_uplift=2.0, months=3, replications=2), base,
                       workers=1, cache=OutcomeCache())
    fig = growth_charts.break_even_chart(r)
    assert "No new hires" in " ".join(t.get_text() for t in fig.axes[0].texts)


def test_heatmap_hatches_cells_without_a_detectable_difference():
    base = ss.load_scenario("baseline", {"calendar.months": 3})
    g = growth.profit_grid(base, reps_values=(7, 9), uplift_values=(1.0, 2.0), months=3, n=2, workers=1,
                           cache=OutcomeCache())
    fig = growth_charts.profit_heatmap(g)
    hatched = [p for p in fig.axes[0].patches if p.get_hatch()]
    assert len(hatched) == int((g.table["verdict"] == "no detectable difference").sum()) >= 1
    assert len(fig.axes[0].texts) == len(g.table)
    _check(fig, ["headcount", "threshold"], "USD, 3 months")


def test_commission_charts(schemes, tmp_path):
    _check(commission_charts.pay_distribution_chart(schemes), ["pay"], "USD")
    _check(commission_charts.cost_of_sales_chart(schemes), ["revenue"], "% of revenue")
    _check(commission_charts.profit_chart(schemes), ["profit"], "USD, 3 months")
    _check(commission_charts.key_clients_chart(schemes), ["key clients"], "%")
    fig = commission_charts.effort_chart(schemes)
    assert "selling" in _texts(fig)
    fig = commission_charts.side_by_side(schemes)
    assert len(fig.axes) == 6 and "new design" in _texts(fig)
    files = style.save(fig, tmp_path / "side", ["png", "svg", "pdf"])
    assert all(f.stat().st_size > 1000 for f in files)


def test_month_ticks_name_the_month_and_cannot_be_read_as_a_day(result):
    """Ticks were "27-01" (year-month without the century), which reads like a day of the month."""
    assert style.month_tick("2027-01") == "Jan '27" and style.month_tick("2017-12") == "Dec '17"
    fig = growth_charts.revenue_profit_chart(result)
    ticks = [t.get_text() for ax in fig.axes for t in ax.get_xticklabels() if t.get_text()]
    months = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
    assert ticks and all(t.split(" ")[0] in months and t.endswith(" '27") for t in ticks), ticks
