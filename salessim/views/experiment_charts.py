"""Charts of experiments: comparisons, sweeps and sensitivity analyses, in the house style.

Every chart's title asks the question it answers, axes carry units, and a caption says what
the bars, whiskers or bands are (see :mod:`salessim.views.charts`). :func:`comparison_charts`,
:func:`sweep_charts` and :func:`sensitivity_charts` write the standard set (PNG and SVG by default; ``formats``
may add PDF).

* :func:`difference_chart`: per KPI, the paired difference variant - base in % of the base
  mean, with its 95% interval; green = better, red = worse, grey = no detectable difference;
* :func:`main_kpi_chart`: the main KPI's difference for every variant, in its own unit;
* :func:`sweep_line_chart`: a KPI across a swept parameter: mean line, 95% interval band of
  the mean, and (for a single line) the band of the middle 90% of replications;
* :func:`sweep_heatmap`: a KPI's mean over a two-parameter grid;
* :func:`sweep_scatter`: a Latin-hypercube sweep, one panel per parameter;
* :func:`tornado_chart`: how far each parameter alone moves an output (low end vs high end);
* :func:`indices_chart`: Morris ``mu_star`` or Sobol ``S1``/``ST`` with their intervals.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import TYPE_CHECKING, Iterable, Sequence

import matplotlib
import matplotlib.pyplot as plt
import numpy as np

from salessim.analyses.compare import MONEY
from salessim.scenarios.parameters import parameter_label, parameter_unit
from salessim.views.charts import BAND_ALPHA, DEFAULT_FORMATS, PALETTE, axis_label, finish, money, save, style

if TYPE_CHECKING:  # pragma: no cover
    from salessim.analyses.compare import Comparison
    from salessim.analyses.sensitivity import SensitivityResult
    from salessim.analyses.sweep import SweepResult

GOOD, BAD, NEUTRAL = "#3a9e6f", "#b5443c", "#9a9a9a"

LABELS = {
    "revenue": "revenue (executed)", "profit": "profit", "won_deals": "deals won", "meetings": "meetings held",
    "meetings_per_rep_month": "meetings per rep-month", "win_rate": "win rate", "avg_deal": "average deal",
    "cycle_days": "sales cycle (working days)", "salaries": "fixed salaries", "variable_pay": "variable pay",
    "intensity": "rep intensity", "quota_attainment_rate": "rep-months at plan",
    "key_clients_lost_share": "key clients lost", "dropped_leads": "leads dropped", "payroll": "payroll",
    "gross_margin": "gross margin",
}
SHARES = {"win_rate", "intensity", "quota_attainment_rate", "key_clients_lost_share", "attention"}


def metric_label(metric: str) -> str:
    """A reader's name for a summary metric."""
    return LABELS.get(metric, metric.replace("_", " "))


def metric_unit(metric: str, currency: str) -> str:
    """The unit of a metric, for axis labels."""
    if metric in MONEY or metric.startswith("revenue_"):
        return currency
    if metric in SHARES:
        return "share"
    if metric.endswith("_pct"):
        return "%"
    if metric.endswith("_days"):
        return "working days"
    if metric.endswith("_hours"):
        return "hours"
    return "count"


def _money_axis(axis, metric: str, currency: str) -> None:
    if metric_unit(metric, currency) == currency:
        axis.set_major_formatter(matplotlib.ticker.FuncFormatter(money))


def _param(path: str, currency: str) -> str:
    return parameter_label(path, currency)


def _param_unit(path: str, currency: str) -> str:
    return parameter_unit(path, currency) or ""


# --------------------------------------------------------------------------- comparisons
def difference_chart(cmp: "Comparison", variant: str | None = None, kpis: Sequence[str] | None = None, *,
                     title: str | None = None):
    """Paired differences (% of the base mean) with 95% intervals, one bar per KPI.

    ``title`` replaces the default question ("Does VARIANT do better than BASE?"), e.g. with
    the variant scenario's own ``question``.
    """
    style()
    variant = variant or cmp.variants[0]
    d = cmp.differences(kpis)
    d = d[(d["variant"] == variant) & d["diff_pct"].notna()].reset_index(drop=True)
    fig, ax = plt.subplots(figsize=(8.5, 0.42 * len(d) + 1.9))
    y = np.arange(len(d))[::-1]
    colours = [GOOD if v == "better" else BAD if v == "worse" else NEUTRAL for v in d["verdict"]]
    err = np.vstack([d["diff_pct"] - d["low_pct"], d["high_pct"] - d["diff_pct"]]).clip(min=0)
    ax.barh(y, d["diff_pct"], color=colours, xerr=err, capsize=3, error_kw={"lw": 1, "ecolor": "#333333"})
    ax.axvline(0, color="#333333", lw=0.8)
    ax.set_yticks(y, [metric_label(k) for k in d["kpi"]])
    ax.grid(axis="y", visible=False)
    ax.set_xlabel(f"difference {variant} - {cmp.base} (% of the base mean)")
    ax.set_title(title or f"Does {variant} do better than {cmp.base}?")
    pairing = "common random numbers" if cmp.crn else "independent seeds"
    finish(fig, f"Bars: mean paired difference over {cmp.n} replications ({pairing}, seed {cmp.seed}). "
                 "Whiskers: 95% confidence interval. Green: better, red: worse, grey: no detectable difference "
                 "(the interval includes 0). Percentages are of the base scenario's mean.")
    return fig


def main_kpi_chart(cmp: "Comparison", kpi: str | None = None, *, title: str | None = None):
    """The difference of one KPI (default: the main KPI) for every variant, in its own unit."""
    style()
    kpi = kpi or cmp.main_kpi
    d = cmp.differences([kpi]).reset_index(drop=True)
    fig, ax = plt.subplots(figsize=(8, 0.55 * len(d) + 2.0))
    y = np.arange(len(d))[::-1]
    colours = [GOOD if v == "better" else BAD if v == "worse" else NEUTRAL for v in d["verdict"]]
    err = np.vstack([d["diff"] - d["low"], d["high"] - d["diff"]]).clip(min=0)
    ax.barh(y, d["diff"], color=colours, xerr=np.nan_to_num(err), capsize=4)
    ax.axvline(0, color="#333333", lw=0.8)
    ax.set_yticks(y, list(d["variant"]))
    ax.grid(axis="y", visible=False)
    unit = metric_unit(kpi, cmp.currency)
    ax.set_xlabel(f"change in {metric_label(kpi)} vs {cmp.base} ({unit}, whole period)")
    _money_axis(ax.xaxis, kpi, cmp.currency)
    ax.set_title(title or f"How much does each option change {metric_label(kpi)}?")
    pairing = "common random numbers" if cmp.crn else "independent seeds"
    finish(fig, f"Bars: mean paired difference from {cmp.base} over {cmp.n} replications ({pairing}, seed "
                 f"{cmp.seed}). Whiskers: 95% confidence interval. Green: better, red: worse, grey: no detectable "
                 "difference (the interval includes 0).")
    return fig


def comparison_charts(cmp: "Comparison", out_dir: str | Path, formats: Iterable[str] = DEFAULT_FORMATS) -> list[Path]:
    """One difference chart per variant and the main-KPI chart, written to ``out_dir``."""
    out = Path(out_dir)
    files: list[Path] = []
    for v in cmp.variants:
        # one variant: differences.png; several: differences_<variant>.png (the label made file-safe)
        name = "differences" if len(cmp.variants) == 1 else "differences_" + re.sub(r"[^A-Za-z0-9_.-]+", "_", v)
        files += save(difference_chart(cmp, v), out / name, formats)
    files += save(main_kpi_chart(cmp), out / f"{cmp.main_kpi}_difference", formats)
    return files


# --------------------------------------------------------------------------- sweeps
def sweep_line_chart(sw: "SweepResult", metric: str = "profit", x: str | None = None, by: str | None = None):
    """``metric`` against the swept parameter ``x`` (one line per value of ``by``) with bands."""
    style()
    x = x or sw.parameters[0]
    others = [p for p in sw.parameters if p != x]
    if by is None and others:
        by = others[0]
    s = sw.summary([metric])
    fig, ax = plt.subplots()
    groups = [(None, s)] if by is None else list(s.groupby(by, sort=True))
    single = len(groups) == 1
    for (key, g), colour in zip(groups, PALETTE * 4):
        g = g.sort_values(x)
        xs = g[x].to_numpy(dtype=float)
        lab = metric_label(metric) if key is None else f"{by} = {key}"
        ax.plot(xs, g["mean"], color=colour, lw=2, marker="o", ms=4, label=lab)
        ax.fill_between(xs, g["low"], g["high"], color=colour, alpha=BAND_ALPHA * 1.6, lw=0)
        if single:
            ax.fill_between(xs, g["p05"], g["p95"], color=colour, alpha=BAND_ALPHA * 0.6, lw=0)
    xs_all = np.sort(s[x].unique())
    if len(xs_all) <= 12:
        ax.set_xticks(xs_all.astype(float), [_tick(v) for v in xs_all])
    unit = metric_unit(metric, sw.currency)
    ax.set_xlabel(_param(x, sw.currency))
    ax.set_ylabel(f"{metric_label(metric)} ({unit}, whole period)")
    _money_axis(ax.yaxis, metric, sw.currency)
    ax.set_title(f"How does {metric_label(metric)} change with {x}?")
    if not single or by is not None:
        ax.legend(loc="best", fontsize=8)
    text = f"Lines: mean over {sw.n} replications per point (common random numbers, seed {sw.seed}). "
    text += "Dark band: 95% confidence interval of the mean." if not single else \
        "Dark band: 95% confidence interval of the mean; light band: the middle 90% of replications."
    finish(fig, text)
    return fig


def sweep_heatmap(sw: "SweepResult", metric: str = "profit", x: str | None = None, y: str | None = None):
    """Mean ``metric`` over a two-parameter grid, each cell annotated."""
    style()
    if len(sw.parameters) < 2:
        raise ValueError("a heatmap needs a sweep over two parameters")
    x = x or sw.parameters[0]
    y = y or sw.parameters[1]
    s = sw.summary([metric])
    grid = s.pivot_table(index=y, columns=x, values="mean", aggfunc="mean").sort_index(ascending=False)
    fig, ax = plt.subplots(figsize=(8, 5))
    vals = grid.to_numpy(dtype=float)
    lo, hi = np.nanmin(vals), np.nanmax(vals)
    if lo < 0 < hi:
        lim = max(-lo, hi)
        im = ax.imshow(vals, cmap="RdYlGn", vmin=-lim, vmax=lim, aspect="auto")
    else:
        im = ax.imshow(vals, cmap="viridis", aspect="auto")
    ax.set_xticks(range(grid.shape[1]), [_tick(v) for v in grid.columns])
    ax.set_yticks(range(grid.shape[0]), [_tick(v) for v in grid.index])
    ax.set_xlabel(_param(x, sw.currency))
    ax.set_ylabel(_param(y, sw.currency))
    ax.grid(False)
    is_money = metric_unit(metric, sw.currency) == sw.currency
    for i in range(grid.shape[0]):
        for j in range(grid.shape[1]):
            v = vals[i, j]
            if v == v:
                r, g, b, _ = im.cmap(im.norm(v))
                ink = "black" if 0.299 * r + 0.587 * g + 0.114 * b > 0.5 else "white"
                ax.text(j, i, money(v) if is_money else f"{v:,.3g}", ha="center", va="center", fontsize=8,
                        color=ink)
    cb = fig.colorbar(im, ax=ax)
    cb.set_label(f"{metric_label(metric)} ({metric_unit(metric, sw.currency)})")
    if is_money:
        cb.formatter = matplotlib.ticker.FuncFormatter(money)
        cb.update_ticks()
    ax.set_title(f"Where is {metric_label(metric)} highest across {x} and {y}?")
    finish(fig, f"Each cell: mean {metric_label(metric)} over {sw.n} replications at that grid point "
                 "(common random numbers). See the table for 95% intervals.")
    return fig


def _tick(v) -> str:
    return f"{v:.4g}" if isinstance(v, (float, np.floating)) else str(v)


def sweep_scatter(sw: "SweepResult", metric: str = "profit"):
    """A sampled (Latin-hypercube) sweep: point means with 95% intervals against each parameter."""
    style()
    s = sw.summary([metric])
    k = len(sw.parameters)
    fig, axes = plt.subplots(1, k, figsize=(max(5.0, 3.6 * k), 4.2), sharey=True, squeeze=False)
    for ax, p, colour in zip(axes[0], sw.parameters, PALETTE * 4):
        xs = s[p].to_numpy(dtype=float)
        err = np.vstack([s["mean"] - s["low"], s["high"] - s["mean"]])
        ax.errorbar(xs, s["mean"], yerr=np.nan_to_num(err), fmt="o", ms=4, color=colour, elinewidth=1, capsize=2)
        ax.set_xlabel(_param(p, sw.currency))
    axes[0][0].set_ylabel(f"{metric_label(metric)} ({metric_unit(metric, sw.currency)}, whole period)")
    _money_axis(axes[0][0].yaxis, metric, sw.currency)
    fig.suptitle(f"How does {metric_label(metric)} vary across the sampled parameters?", fontweight="bold")
    finish(fig, f"Dots: mean over {sw.n} replications at each of {s['point'].nunique()} Latin-hypercube points "
                 f"(common random numbers, seed {sw.seed}). Whiskers: 95% confidence interval of the mean. Each panel "
                 "shows the same points against one parameter.", top=0.93)
    return fig


def sweep_charts(sw: "SweepResult", out_dir: str | Path, metrics: Sequence[str] = ("profit", "revenue"),
                 formats: Iterable[str] = DEFAULT_FORMATS) -> list[Path]:
    """Lines (grid), a heatmap (2-parameter grid) or scatter panels (sample) per metric."""
    out = Path(out_dir)
    files: list[Path] = []
    for m in metrics:
        if sw.design == "lhs":
            files += save(sweep_scatter(sw, m), out / f"sweep_{m}", formats)
            continue
        files += save(sweep_line_chart(sw, m), out / f"sweep_{m}", formats)
        if len(sw.parameters) == 2:
            files += save(sweep_heatmap(sw, m), out / f"heatmap_{m}", formats)
    return files


# --------------------------------------------------------------------------- sensitivity
def tornado_chart(sens: "SensitivityResult", output: str = "profit"):
    """How far each parameter alone moves ``output``: bars from the base to the low and high ends."""
    style()
    if sens.tornado is None:
        raise ValueError("this analysis has no one-at-a-time runs (tornado=False)")
    t = sens.tornado[sens.tornado["output"] == output].reset_index(drop=True)
    fig, ax = plt.subplots(figsize=(8.5, 0.5 * len(t) + 2.2))
    y = np.arange(len(t))[::-1]
    base = float(t["y_base"].iloc[0])
    h = 0.38
    ax.barh(y + h / 2, t["y_low"] - base, h, left=base, color=PALETTE[0], label="parameter at the low end")
    ax.barh(y - h / 2, t["y_high"] - base, h, left=base, color=PALETTE[1], label="parameter at the high end")
    ax.axvline(base, color="#333333", lw=0.8)
    ax.margins(x=0.08)
    ax.set_yticks(y, [f"{p}\n{_tick(lo)} → {_tick(hi)} {_param_unit(p, sens.currency)}".rstrip() for p, lo, hi in
                      zip(t["parameter"], t["low_value"], t["high_value"])], fontsize=8)
    ax.grid(axis="y", visible=False)
    unit = metric_unit(output, sens.currency)
    ax.set_xlabel(f"{metric_label(output)} ({unit}, whole period)")
    _money_axis(ax.xaxis, output, sens.currency)
    ax.set_title(f"Which parameters move {metric_label(output)} most?")
    ax.legend(loc="best", fontsize=8, frameon=True, framealpha=0.9)
    finish(fig, f"Each bar: {metric_label(output)} with one parameter at the low or high end of its range and the "
                 f"others as in {sens.scenario} (vertical line: {sens.scenario} itself), mean of {sens.replications} "
                 "replication(s) with common random numbers. Widest bar first; the table gives 95% intervals.")
    return fig


def indices_chart(sens: "SensitivityResult", output: str = "profit"):
    """Morris ``mu_star`` (with ``sigma``) or Sobol ``S1`` and ``ST``, with 95% intervals."""
    style()
    d = sens.ranking(output)
    fig, ax = plt.subplots(figsize=(8.5, 0.5 * len(d) + 2.2))
    y = np.arange(len(d))[::-1]
    if sens.method == "morris":
        ax.barh(y, d["mu_star"], xerr=d["mu_star_conf"], color=PALETTE[0], capsize=3, label="mu* (mean |effect|)")
        ax.plot(d["sigma"], y, "D", color=PALETTE[1], ms=5, label="sigma (interactions, non-linearity)")
        ax.set_xlabel(f"change in {metric_label(output)} over a parameter's whole range "
                      f"({metric_unit(output, sens.currency)})")
        _money_axis(ax.xaxis, output, sens.currency)
        text = ("Morris screening. Bars: mu*, the mean absolute elementary effect, scaled to each parameter's whole "
                "range; whiskers: 95% bootstrap interval. Diamonds: sigma, the spread of the effects.")
    else:
        h = 0.38
        ax.barh(y + h / 2, d["S1"], h, xerr=d["S1_conf"], color=PALETTE[0], capsize=3, label="S1 (alone)")
        ax.barh(y - h / 2, d["ST"], h, xerr=d["ST_conf"], color=PALETTE[1], capsize=3, label="ST (with interactions)")
        ax.set_xlabel(axis_label(f"share of the variance of {metric_label(output)}", "0-1"))
        text = ("Sobol indices. Bars: S1, the share of the output's variance due to the parameter alone, and ST, "
                "including its interactions with the others. Whiskers: 95% bootstrap intervals.")
    ax.set_yticks(y, list(d["parameter"]), fontsize=8)
    ax.grid(axis="y", visible=False)
    ax.axvline(0, color="#333333", lw=0.8)
    ax.legend(loc="best", fontsize=8, frameon=True, framealpha=0.9)
    method = "Morris screening" if sens.method == "morris" else "Sobol indices"
    ax.set_title(f"What drives {metric_label(output)} ({method})?")
    finish(fig, text)
    return fig


def sensitivity_charts(sens: "SensitivityResult", out_dir: str | Path,
                       formats: Iterable[str] = DEFAULT_FORMATS) -> list[Path]:
    """Index chart and tornado chart for every output, written to ``out_dir``."""
    out = Path(out_dir)
    files: list[Path] = []
    for o in sens.outputs:
        files += save(indices_chart(sens, o), out / f"{sens.method}_{o}", formats)
        if sens.tornado is not None:
            files += save(tornado_chart(sens, o), out / f"tornado_{o}", formats)
    return files
