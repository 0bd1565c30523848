"""The ready-made panels the notebooks show: any scenario, hire vs train, and commission design.

Each is a :class:`~salessim.apps.widgets.panel.Panel` whose knobs are read from a pydantic
schema: the scenario schema (:class:`salessim.scenarios.schema.Scenario`, by dotted path),
:class:`salessim.analyses.growth.GrowthSettings` or :class:`salessim.analyses.commission_design.SchemeDesign`.

* :func:`scenario_panel`: edit any scenario parameters; revenue and profit per month with
  bands, and the headline numbers with 95% intervals;
* :func:`growth_panel`: reps, heads, threshold uplift, training fee, months, replications;
  the :func:`salessim.views.growth_charts.dashboard`, the numbers per option and the conclusion;
* :func:`commission_panel`: on-target pay, fixed share, pay base, the new group's rate,
  threshold, accelerator and cap; the scheme in place against the design, side by side.
"""

from __future__ import annotations

import html
from dataclasses import replace
from typing import Any, Sequence

from pydantic import BaseModel, ConfigDict, Field

from salessim.analyses.commission_design import (
    SchemeDesign,
    as_design,
    compare_schemes,
    describe_scheme,
    design_of,
    groups_of,
)
from salessim.analyses.growth import GrowthSettings, _settings, analyse
from salessim.apps import notebook as nb
from salessim.apps.widgets.knobs import Knob, KnobSpec, check_start, resolve
from salessim.apps.widgets.panel import Panel, Rendered
from salessim.errors import UserError
from salessim.results import metrics
from salessim.results.metrics import format_value
from salessim.results.statistics import mean_interval
from salessim.runs.cache import CACHE
from salessim.runs.replications import replicate_many
from salessim.scenarios.files import get_path, load_scenario, scenario_data
from salessim.scenarios.schema import Scenario
from salessim.views.charts import band_chart
from salessim.views.commission_charts import side_by_side
from salessim.views.growth_charts import dashboard


class RunSettings(BaseModel):
    """How many replications a panel runs (a knob like any other)."""

    model_config = ConfigDict(extra="forbid")
    replications: int = Field(20, ge=2, le=200, description="Replications per scenario (runs).")


# --------------------------------------------------------------------------- small HTML helpers
def _ul(lines: Sequence[str], title: str = "") -> str:
    head = f"<b>{html.escape(title)}</b>" if title else ""
    items = "".join(f"<li>{html.escape(s)}</li>" for s in lines)
    return f"<div style='font-size:13px;max-width:1100px'>{head}<ul style='margin-top:4px'>{items}</ul></div>"


def _table(header: Sequence[str], rows: Sequence[Sequence[str]], css: str = "salessim-numbers-table") -> str:
    th = "".join(f"<th style='text-align:left;padding:2px 10px;border-bottom:1px solid #ccc'>{html.escape(h)}</th>"
                 for h in header)
    td = "<td style='padding:2px 10px;white-space:nowrap'>{}</td>"
    body = "".join("<tr>" + "".join(td.format(html.escape(c)) for c in r) + "</tr>" for r in rows)
    return f"<table class='{css}' style='border-collapse:collapse;font-size:12px'><tr>{th}</tr>{body}</table>"


def _interval(mean: float, low: float, high: float, fmt) -> str:
    if low != low:
        return fmt(mean)
    return f"{fmt(mean)} ({fmt(low)} to {fmt(high)})"


def _metric_rows(names: Sequence[str], currency: str) -> list[str]:
    """A KPI's words with its unit, as the first cell of a numbers table."""
    return [f"{metrics.label(k)} ({metrics.shown_unit(k, currency)})" for k in names]


# --------------------------------------------------------------------------- any scenario
DEFAULT_SCENARIO_KNOBS = (
    Knob("team.reps.0.count", "Reps", min=1, max=30),
    Knob("supervision.intensity_floor", "Intensity of a rep left alone"),
    Knob("deal_size.training.threshold_multiplier", "Threshold after training", max=6, unit="x"),
    Knob("products.A.margin", "Gross margin of A"),
)

#: The KPIs the scenario panel shows (words, units and formats: the KPI table).
SUMMARY_KPIS = ("revenue", "profit", "won_deals", "meetings_per_rep_month", "win_rate", "payroll", "cost_of_sales_pct")


def scenario_panel(scenario: Scenario | str = "baseline", knobs: Sequence[Knob | str] = DEFAULT_SCENARIO_KNOBS, *,
                   replications: int = 20, seed: int = 1, workers: int | None = None, run_now: bool = True,
                   auto: bool = True) -> Panel:
    """A panel that edits ``knobs`` of ``scenario`` (dotted paths) and shows revenue and profit with bands.

    ``replications`` is a knob too (2-200). Each setting seen is answered from memory; each
    replication run is kept in the shared outcome cache.
    """
    base = load_scenario(scenario) if not isinstance(scenario, Scenario) else scenario
    data = scenario_data(base)
    cur = base.currency
    specs: list[KnobSpec] = []
    for k in knobs:
        k = Knob(k) if isinstance(k, str) else k
        try:
            value = get_path(data, k.path)
        except KeyError:
            raise UserError("unknown parameter path", source=base.name, field=k.path) from None
        specs.append(check_start(resolve(Scenario, k, value, cur)))
    specs.append(check_start(resolve(RunSettings, Knob("replications", "Replications", max=200), replications)))

    def compute(values: dict[str, Any], progress) -> Rendered:
        n = int(values.pop("replications"))
        sc = load_scenario(base, values)
        s = replicate_many([sc], n, seed, detail="outcome", workers=workers, cache=CACHE, on_progress=progress)[0]
        fig = band_chart({metrics.label(m): s.band(m) for m in ("revenue", "profit")},
                         f"{base.name}: what will revenue and profit be, month by month?", "revenue and profit",
                         currency=cur, n=n, seed=seed, unit=f"{cur} per month")
        rows = []
        for metric, label in zip(SUMMARY_KPIS, _metric_rows(SUMMARY_KPIS, cur)):
            mi = mean_interval(s.metric(metric), bounds=metrics.bounds(metric))
            rows.append((label, _interval(mi["mean"], mi["low"], mi["high"], lambda v: format_value(v, metric))))
        numbers = _table(("over the period", f"mean of {n} replications (95% interval)"), rows)
        return Rendered(fig, numbers, "")

    return Panel(f"{base.name}: {base.question or 'what does the department deliver?'}", specs, compute,
                 note=f"{base.calendar.months} months from {base.calendar.start:%B %Y}; seed {seed}. "
                      "Sliders update on release.", run_now=run_now, auto=auto)


# --------------------------------------------------------------------------- hire vs train
GROWTH_KNOBS = (
    Knob("reps", "Reps after hiring"),
    Knob("heads", "Heads of sales"),
    Knob("threshold_uplift", "Deal-size threshold after training", step=0.5),
    Knob("training_cost_per_rep", "Training fee", step=500),
    Knob("months", "Months simulated"),
    Knob("replications", "Replications per option", max=100),
)


def growth_panel(base: Scenario | str = "baseline", settings: Any = None, *, workers: int | None = None,
                 run_now: bool = True, auto: bool = True) -> Panel:
    """The headcount-vs-deal-size panel (:mod:`salessim.analyses.growth`): dashboard, numbers per option, conclusion.

    ``settings`` (a :class:`~salessim.analyses.growth.GrowthSettings` or a dict) sets the starting
    values; in quick mode (``SALESSIM_QUICK=1``) the default is 3 replications over 6 months.
    """
    today = load_scenario(base) if not isinstance(base, Scenario) else base
    if settings is None:
        settings = GrowthSettings(replications=nb.choose(10, 3), months=nb.choose(12, 6))
    settings = _settings(settings)
    cur = today.currency
    specs = [resolve(GrowthSettings, k, getattr(settings, k.path), cur) for k in GROWTH_KNOBS]
    fixed = {k: v for k, v in settings.model_dump().items() if k not in {k.path for k in GROWTH_KNOBS}}

    def compute(values: dict[str, Any], progress) -> Rendered:
        res = analyse(_settings({**fixed, **values}), today, workers=workers, progress=progress)
        fig = dashboard(res)
        t = res.summary()
        rows = []
        for r in t.itertuples():
            vs = ("" if r.option == "today" else
                  _interval(r.profit_vs_today, r.profit_vs_today_low, r.profit_vs_today_high,
                            lambda v: format_value(v, "profit", signed=True)))
            rows.append((r.option, f"{r.reps}", f"{r.heads}", f"x{r.threshold_x:g}", format_value(r.revenue, "revenue"),
                         format_value(r.profit, "profit"), vs, r.verdict,
                         format_value(r.meetings_per_rep_month, "meetings_per_rep_month"),
                         f"{r.payroll_pct_of_revenue:.1f}%", format_value(r.avg_deal, "avg_deal")))
        period = f"{cur}, {res.settings.months} months"
        numbers = _table(("option", "reps", "heads", "threshold", f"{metrics.label('revenue')} ({period})",
                          f"{metrics.label('profit')} ({period})", f"profit vs today ({cur}, 95% interval)", "verdict",
                          *_metric_rows(["meetings_per_rep_month", "cost_of_sales_pct", "avg_deal"], cur)), rows)
        return Rendered(fig, numbers, _ul(res.conclusion(), "What the numbers say"))

    return Panel("Grow by hiring (more reps, more heads) or by bigger deals (training)?", specs, compute,
                 note=f"Today: {today.n_reps()} reps, {len(today.team.supervisors)} head(s) ({today.name}). "
                      f"New hires start on day one and ramp up; training happens in the first month. Seed "
                      f"{settings.seed}; each option uses the same random numbers.", run_now=run_now, auto=auto)


# --------------------------------------------------------------------------- commission design
COMMISSION_KNOBS = (
    Knob("on_target_pay", "Pay at 100% of plan", min=2000, max=15000, step=250),
    Knob("fixed_share", "Fixed share of it", step=0.01),
    Knob("base", "Commission paid on"),
    Knob("new_group_rate_multiple", "Rate on new groups vs established", max=6, step=0.5),
    Knob("threshold", "Nothing paid below", max=1.5, step=0.05),
    Knob("accelerator_from", "Accelerator from", min=0.5, max=2.0, step=0.05),
    Knob("accelerator", "Accelerator", max=3, step=0.25),
    Knob("cap", "Cap", max=3, step=0.25),
)


class CommissionRun(BaseModel):
    model_config = ConfigDict(extra="forbid")
    months: int = Field(12, ge=3, le=36, description="Months simulated (months).")
    replications: int = Field(20, ge=2, le=200, description="Replications per scheme (runs).")


def commission_panel(scenario: Scenario | str = "new_product_group", design: Any = None, *, months: int | None = None,
                     replications: int | None = None, seed: int = 1, workers: int | None = None,
                     run_now: bool = True, auto: bool = True) -> Panel:
    """The commission-design panel (:mod:`salessim.analyses.commission_design`): the scheme in place against a design.

    The starting design is the one closest to the scenario's own scheme
    (:func:`~salessim.analyses.commission_design.design_of`, put on the sliders' steps), so the first
    view shows two nearly equal schemes; move a knob to see what changes.
    """
    sc = load_scenario(scenario) if not isinstance(scenario, Scenario) else scenario
    start = as_design(design) if design is not None else design_of(sc)
    cur = sc.currency
    run = CommissionRun(months=months or nb.choose(12, 6), replications=replications or nb.choose(10, 3))
    groups = groups_of(sc)
    knobs = [g for k in COMMISSION_KNOBS for g in _group_knobs(k, groups)]
    specs = [resolve(SchemeDesign, k, _design_value(start, k.path), cur) for k in knobs]
    specs = [_snap(s) for s in specs]
    specs += [resolve(CommissionRun, Knob("months", "Months simulated"), run.months),
              resolve(CommissionRun, Knob("replications", "Replications per scheme", max=100), run.replications)]

    def compute(values: dict[str, Any], progress) -> Rendered:
        m, n = int(values.pop("months")), int(values.pop("replications"))
        per_group = {p.split(".", 1)[1]: values.pop(p) for p in list(values) if p.startswith("group_rate_multiples.")}
        if per_group:
            values["group_rate_multiples"] = per_group
        c = compare_schemes(sc, values, n=n, seed=seed, months=m, workers=workers, progress=progress)
        fig = side_by_side(c)
        t = c.kpi_table().set_index("kpi")
        a, b = c.labels
        rows = []
        for k, label in zip(t.index, _metric_rows(list(t.index), cur)):
            r = t.loc[k]
            rows.append((label, format_value(r[a], k), format_value(r[b], k),
                         _interval(r["difference"], r["low"], r["high"], lambda v: format_value(v, k, signed=True)),
                         r["verdict"]))
        numbers = _table(("over the period", a, b, "difference (95% interval)", "verdict"), rows)
        text = _ul(describe_scheme(c.scenario_of(a)), f"The {a}") + _ul(describe_scheme(c.scenario_of(b)), f"The {b}")
        text += _ul(c.conclusion(), "What the numbers say")
        return Rendered(fig, numbers, text)

    return Panel(f"{sc.name}: how should reps be paid?", specs, compute,
                 note=f"The same on-target pay, split and based differently. Attainment knobs are shares of the "
                      f"monthly plan ({sc.plan.monthly_per_rep:,.0f} {cur}; 1 = 100%). Seed {seed}; both schemes use "
                      "the same random numbers.", run_now=run_now, auto=auto)


def _group_knobs(knob: Knob, groups: list[str]) -> list[Knob]:
    """The rate knob(s) for the scenario's groups: "Rate on group B vs A" with one new group, one
    knob per group (``group_rate_multiples.<group>``) with more; other knobs as they are."""
    if knob.path != "new_group_rate_multiple" or len(groups) < 2:
        return [knob]
    if len(groups) == 2:
        return [replace(knob, label=f"Rate on group {groups[1]} vs {groups[0]}")]
    return [replace(knob, path=f"group_rate_multiples.{g}", label=f"Rate on group {g} vs {groups[0]}")
            for g in groups[1:]]


def _design_value(design: Any, path: str) -> Any:
    if path.startswith("group_rate_multiples."):
        return design.multiple(path.split(".", 1)[1])
    return getattr(design, path)


def _snap(spec: KnobSpec) -> KnobSpec:
    """Put a starting value on the slider's grid (a design read from a scenario may fall between steps)."""
    if spec.kind != "float" or not spec.step:
        return spec
    v = round(round(float(spec.value) / spec.step) * spec.step, 10)
    return replace(spec, value=min(max(v, spec.min), spec.max))

