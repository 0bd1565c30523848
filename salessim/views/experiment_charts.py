"""Charts of experiments: comparisons, sweeps and sensitivity analyses, in the house style.

Every chart's title asks the question it answers, axes carry units, and a caption says what
the bars, whiskers or bands are (the house style, :mod:`salessim.views.style`); a KPI's words
and unit come from the KPI table (:mod:`salessim.results.metrics`). :func:`comparison_charts`,
:func:`sweep_charts` and :func:`sensitivity_charts` write the standard set (PNG and SVG by default; ``formats``
may add PDF).

* :func:`difference_chart`: per KPI, the paired difference variant - base in % of the base
  mean, with its 95% interval; green = better, red = worse, grey = no detectable difference;
* :func:`main_kpi_chart`: the main KPI's difference for every variant, in its own unit;
* :func:`sweep_line_chart`: a KPI across a swept parameter: mean line, 95% interval band of
  the mean, and (for a single line) the band of the middle 90% of replications; for a
  parameter that holds categories (text, true/false) a dot per category with its interval;
* :func:`sweep_heatmap`: a KPI's mean over a two-parameter grid;
* :func:`sweep_scatter`: a Latin-hypercube sweep, one panel per parameter;
* :func:`tornado_chart`: how far each parameter alone moves an output (low end vs high end);
* :func:`indices_chart`: Morris ``mu_star`` or Sobol ``S1``/``ST`` with their intervals;
* :func:`payback_chart`: the cumulative paired profit difference month by month, with its 95%
  band and the payback month (:mod:`salessim.analyses.horizons`);
* :func:`turning_chart`: for each assumption that turns a verdict, the claim's margin across its
  plausible range, with the value where it turns (:mod:`salessim.analyses.robustness`).
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import TYPE_CHECKING, Iterable, Sequence

import numpy as np

from salessim.results import metrics
from salessim.scenarios.parameters import parameter_label, parameter_unit
from salessim.views import style as st
from salessim.views.formats import DEFAULT_FORMATS

if TYPE_CHECKING:  # pragma: no cover
    from salessim.analyses.compare import Comparison
    from salessim.analyses.horizons import Horizons
    from salessim.analyses.robustness import Robustness
    from salessim.analyses.sensitivity import SensitivityResult
    from salessim.analyses.sweep import SweepResult


def _pairing(crn: bool) -> str:
    return "common random numbers" if crn else "independent seeds"


def _tick(v) -> str:
    if isinstance(v, (bool, np.bool_)):
        return "true" if v else "false"
    return f"{v:.4g}" if isinstance(v, (float, np.floating)) else str(v)


def _axis_label(sw: "SweepResult", path: str, summary) -> str:
    """A swept parameter's axis label with its unit, or what kind of category it holds."""
    text = parameter_label(path, sw.currency)
    cats = _categories(summary, path)
    if cats is not None and text == path:
        kind = "true/false" if all(isinstance(c, (bool, np.bool_)) for c in cats) else "category"
        text = f"{path} ({kind})"
    return text


def _categories(summary, x: str) -> list | None:
    """The values of a swept parameter that holds categories (text, true/false), in the grid's order;
    None for a numeric parameter (charted on a number line)."""
    values = list(dict.fromkeys(summary.sort_values("point")[x]))
    if any(isinstance(v, (str, bool, np.bool_)) for v in values):
        return values
    return None


# --------------------------------------------------------------------------- comparisons
def difference_chart(cmp: "Comparison", variant: str | None = None, kpis: Sequence[str] | None = None, *,
                     title: str | None = None):
    """Paired differences (% of the base mean) with 95% intervals, one bar per KPI.

    ``title`` replaces the default question ("Does VARIANT do better than BASE?"), e.g. with
    the variant scenario's own ``question``.
    """
    variant = variant or cmp.variants[0]
    d = cmp.differences(kpis)
    d = d[(d["variant"] == variant) & d["diff_pct"].notna()].reset_index(drop=True)
    fig, ax = st.panel(size=(8.5, 0.42 * len(d) + 1.9))
    y = np.arange(len(d))[::-1]
    err = np.vstack([d["diff_pct"] - d["low_pct"], d["high_pct"] - d["diff_pct"]]).clip(min=0)
    ax.barh(y, d["diff_pct"], color=[st.verdict_colour(v) for v in d["verdict"]], xerr=err, capsize=3,
            error_kw={"lw": 1, "ecolor": st.INK})
    st.reference_line(ax, vertical=True)
    ax.set_yticks(y, [metrics.label(k) for k in d["kpi"]])
    ax.grid(axis="y", visible=False)
    ax.set_xlabel(st.axis_label(f"difference {variant} - {cmp.base}", "% of the base mean"))
    st.ask(ax, title or f"Does {variant} do better than {cmp.base}?")
    return st.done(fig, ax, st.interval_caption(cmp.n, cmp.seed, what="mean paired difference",
                                                pairing=_pairing(cmp.crn))
                   + " Green: better, red: worse, grey: no detectable difference (the interval includes 0). "
                   "Percentages are of the base scenario's mean.")


def main_kpi_chart(cmp: "Comparison", kpi: str | None = None, *, title: str | None = None):
    """The difference of one KPI (default: the main KPI) for every variant, in its own unit."""
    kpi = kpi or cmp.main_kpi
    d = cmp.differences([kpi]).reset_index(drop=True)
    fig, ax = st.panel(size=(8, 0.55 * len(d) + 2.0))
    y = np.arange(len(d))[::-1]
    err = np.vstack([d["diff"] - d["low"], d["high"] - d["diff"]]).clip(min=0)
    ax.barh(y, d["diff"], color=[st.verdict_colour(v) for v in d["verdict"]], xerr=np.nan_to_num(err), capsize=4)
    st.reference_line(ax, vertical=True)
    ax.set_yticks(y, list(d["variant"]))
    ax.grid(axis="y", visible=False)
    ax.set_xlabel(st.axis_label(f"change in {metrics.label(kpi)} vs {cmp.base}",
                                f"{metrics.unit(kpi, cmp.currency)}, whole period"))
    if metrics.is_money(kpi):
        st.money_axis(ax.xaxis)
    st.ask(ax, title or f"How much does each option change {metrics.label(kpi)}?")
    return st.done(fig, ax, st.interval_caption(cmp.n, cmp.seed, what=f"mean paired difference from {cmp.base}",
                                                pairing=_pairing(cmp.crn))
                   + " Green: better, red: worse, grey: no detectable difference (the interval includes 0).")


def comparison_charts(cmp: "Comparison", out_dir: str | Path, formats: Iterable[str] = DEFAULT_FORMATS) -> list[Path]:
    """One difference chart per variant and the main-KPI chart, written to ``out_dir``."""
    out = Path(out_dir)
    files: list[Path] = []
    for v in cmp.variants:
        # one variant: differences.png; several: differences_<variant>.png (the label made file-safe)
        name = "differences" if len(cmp.variants) == 1 else "differences_" + re.sub(r"[^A-Za-z0-9_.-]+", "_", v)
        files += st.save(difference_chart(cmp, v), out / name, formats)
    files += st.save(main_kpi_chart(cmp), out / f"{cmp.main_kpi}_difference", formats)
    return files


# --------------------------------------------------------------------------- sweeps
def sweep_line_chart(sw: "SweepResult", metric: str = "profit", x: str | None = None, by: str | None = None):
    """``metric`` against the swept parameter ``x`` (one line per value of ``by``) with bands."""
    x = x or sw.parameters[0]
    others = [p for p in sw.parameters if p != x]
    if by is None and others:
        by = others[0]
    s = sw.summary([metric])
    fig, ax = st.panel()
    groups = [(None, s)] if by is None else list(s.groupby(by, sort=True))
    single = len(groups) == 1
    cats = _categories(s, x)
    if cats is not None:
        return _sweep_category_chart(sw, metric, x, by, s, groups, cats, fig, ax)
    for (key, g), colour in zip(groups, st.PALETTE * 4):
        g = g.sort_values(x)
        xs = g[x].to_numpy(dtype=float)
        lab = metrics.label(metric) if key is None else f"{by} = {key}"
        ax.plot(xs, g["mean"], color=colour, lw=2, marker="o", ms=4, label=lab)
        ax.fill_between(xs, g["low"], g["high"], color=colour, alpha=st.BAND_ALPHA * 1.6, lw=0)
        if single:
            ax.fill_between(xs, g["p05"], g["p95"], color=colour, alpha=st.BAND_ALPHA * 0.6, lw=0)
    xs_all = np.sort(s[x].unique())
    if len(xs_all) <= 12:
        ax.set_xticks(xs_all.astype(float), [_tick(v) for v in xs_all])
    ax.set_xlabel(parameter_label(x, sw.currency))
    st.metric_axis(ax, metric, sw.currency, "whole period")
    st.ask(ax, f"How does {metrics.label(metric)} change with {x}?")
    if not single or by is not None:
        ax.legend(loc="best", fontsize=8)
    text = f"Lines: mean over {st.replications(sw.n, sw.seed, 'common random numbers')} per point. "
    text += "Dark band: 95% confidence interval of the mean." if not single else \
        "Dark band: 95% confidence interval of the mean; light band: the middle 90% of replications."
    return st.done(fig, ax, text)


def _sweep_category_chart(sw, metric, x, by, s, groups, cats, fig, ax):
    """``metric`` at each category of ``x`` (text or true/false): dots with 95% intervals, side by side for
    each value of ``by``; no line joins categories, which have no order."""
    pos = {_tick(c): i for i, c in enumerate(cats)}
    single = len(groups) == 1
    width = 0.5 / max(1, len(groups))
    for j, ((key, g), colour) in enumerate(zip(groups, st.PALETTE * 4)):
        xs = np.array([pos[_tick(v)] for v in g[x]], dtype=float) + (j - (len(groups) - 1) / 2) * width
        mean, low, high = (g[c].to_numpy(dtype=float) for c in ("mean", "low", "high"))
        err = np.nan_to_num(np.vstack([mean - low, high - mean]))
        lab = metrics.label(metric) if key is None else f"{by} = {_tick(key)}"
        if single:
            ax.vlines(xs, g["p05"], g["p95"], color=colour, alpha=st.BAND_ALPHA * 1.2, lw=10)
        ax.errorbar(xs, mean, yerr=err, fmt="o", ms=6, color=colour, elinewidth=1.5, capsize=4, label=lab)
    ax.set_xticks(range(len(cats)), [_tick(c) for c in cats])
    ax.set_xlim(-0.6, len(cats) - 0.4)
    ax.grid(axis="x", visible=False)
    ax.set_xlabel(_axis_label(sw, x, s))
    st.metric_axis(ax, metric, sw.currency, "whole period")
    st.ask(ax, f"How does {metrics.label(metric)} change with {x}?")
    if not single:
        ax.legend(loc="best", fontsize=8)
    text = (f"Dots: mean over {st.replications(sw.n, sw.seed, 'common random numbers')} for each value of {x} "
            "(categories: no line joins them). Whiskers: 95% confidence interval of the mean.")
    if single:
        text += " Light bars: the middle 90% of replications."
    return st.done(fig, ax, text)


def sweep_heatmap(sw: "SweepResult", metric: str = "profit", x: str | None = None, y: str | None = None):
    """Mean ``metric`` over a two-parameter grid, each cell annotated."""
    if len(sw.parameters) < 2:
        raise ValueError("a heatmap needs a sweep over two parameters")
    x = x or sw.parameters[0]
    y = y or sw.parameters[1]
    s = sw.summary([metric])
    grid = s.pivot_table(index=y, columns=x, values="mean", aggfunc="mean").sort_index(ascending=False)
    fig, ax = st.panel(size=(8, 5))
    vals = grid.to_numpy(dtype=float)
    lo, hi = np.nanmin(vals), np.nanmax(vals)
    if lo < 0 < hi:
        lim = max(-lo, hi)
        im = ax.imshow(vals, cmap="RdYlGn", vmin=-lim, vmax=lim, aspect="auto")
    else:
        im = ax.imshow(vals, cmap="viridis", aspect="auto")
    ax.set_xticks(range(grid.shape[1]), [_tick(v) for v in grid.columns])
    ax.set_yticks(range(grid.shape[0]), [_tick(v) for v in grid.index])
    ax.set_xlabel(_axis_label(sw, x, s))
    ax.set_ylabel(_axis_label(sw, y, s))
    ax.grid(False)
    is_money = metrics.is_money(metric)
    for i in range(grid.shape[0]):
        for j in range(grid.shape[1]):
            v = vals[i, j]
            if v == v:
                r, g, b, _ = im.cmap(im.norm(v))
                ink = "black" if 0.299 * r + 0.587 * g + 0.114 * b > 0.5 else "white"
                ax.text(j, i, st.money(v) if is_money else f"{v:,.3g}", ha="center", va="center", fontsize=8,
                        color=ink)
    cb = fig.colorbar(im, ax=ax)
    cb.set_label(st.metric_axis_label(metric, sw.currency, "whole period"))
    if is_money:
        st.money_colorbar(cb)
    st.ask(ax, f"Where is {metrics.label(metric)} highest across {x} and {y}?")
    return st.done(fig, ax, f"Each cell: mean {metrics.label(metric)} over "
                            f"{st.replications(sw.n, sw.seed, 'common random numbers')} at that grid point. See the "
                            "table for 95% intervals.")


def sweep_scatter(sw: "SweepResult", metric: str = "profit"):
    """A sampled (Latin-hypercube) sweep: point means with 95% intervals against each parameter."""
    st.style()
    s = sw.summary([metric])
    k = len(sw.parameters)
    fig, axes = st.plt.subplots(1, k, figsize=(max(5.0, 3.6 * k), 4.2), sharey=True, squeeze=False)
    for ax, p, colour in zip(axes[0], sw.parameters, st.PALETTE * 4):
        xs = s[p].to_numpy(dtype=float)
        err = np.vstack([s["mean"] - s["low"], s["high"] - s["mean"]])
        ax.errorbar(xs, s["mean"], yerr=np.nan_to_num(err), fmt="o", ms=4, color=colour, elinewidth=1, capsize=2)
        ax.set_xlabel(parameter_label(p, sw.currency))
    st.metric_axis(axes[0][0], metric, sw.currency, "whole period")
    st.ask(fig, f"How does {metrics.label(metric)} vary across the sampled parameters?")
    st.finish(fig, st.interval_caption(sw.n, sw.seed, marks="Dots", pairing="common random numbers",
                                       what=f"mean at each of {s['point'].nunique()} Latin-hypercube points")
              + " Each panel shows the same points against one parameter.", top=0.93)
    return fig


def sweep_charts(sw: "SweepResult", out_dir: str | Path, metrics: Sequence[str] = ("profit", "revenue"),
                 formats: Iterable[str] = DEFAULT_FORMATS) -> list[Path]:
    """Lines (grid), a heatmap (2-parameter grid) or scatter panels (sample) per metric."""
    out = Path(out_dir)
    files: list[Path] = []
    for m in metrics:
        if sw.design == "lhs":
            files += st.save(sweep_scatter(sw, m), out / f"sweep_{m}", formats)
            continue
        files += st.save(sweep_line_chart(sw, m), out / f"sweep_{m}", formats)
        if len(sw.parameters) == 2:
            files += st.save(sweep_heatmap(sw, m), out / f"heatmap_{m}", formats)
    return files


# --------------------------------------------------------------------------- sensitivity
def tornado_chart(sens: "SensitivityResult", output: str = "profit"):
    """How far each parameter alone moves ``output``: bars from the base to the low and high ends."""
    if sens.tornado is None:
        raise ValueError("this analysis has no one-at-a-time runs (tornado=False)")
    t = sens.tornado[sens.tornado["output"] == output].reset_index(drop=True)
    fig, ax = st.panel(size=(8.5, 0.5 * len(t) + 2.2))
    y = np.arange(len(t))[::-1]
    base = float(t["y_base"].iloc[0])
    h = 0.38
    ax.barh(y + h / 2, t["y_low"] - base, h, left=base, color=st.PALETTE[0], label="parameter at the low end")
    ax.barh(y - h / 2, t["y_high"] - base, h, left=base, color=st.PALETTE[1], label="parameter at the high end")
    st.reference_line(ax, base, vertical=True)
    ax.margins(x=0.08)
    ax.set_yticks(y, [f"{p}\n{_tick(lo)} → {_tick(hi)} {parameter_unit(p, sens.currency) or ''}".rstrip()
                      for p, lo, hi in zip(t["parameter"], t["low_value"], t["high_value"])], fontsize=8)
    ax.grid(axis="y", visible=False)
    st.metric_axis(ax, output, sens.currency, "whole period", which="x")
    st.ask(ax, f"Which parameters move {metrics.label(output)} most?")
    ax.legend(loc="best", fontsize=8, frameon=True, framealpha=0.9)
    return st.done(fig, ax, f"Each bar: {metrics.label(output)} with one parameter at the low or high end of its range "
                            f"and the others as in {sens.scenario} (vertical line: {sens.scenario} itself), mean of "
                            f"{st.replications(sens.replications, sens.seed, 'common random numbers')}. Widest bar "
                            "first; the table gives 95% intervals.")


def indices_chart(sens: "SensitivityResult", output: str = "profit"):
    """Morris ``mu_star`` (with ``sigma``) or Sobol ``S1`` and ``ST``, with 95% intervals."""
    d = sens.ranking(output)
    fig, ax = st.panel(size=(8.5, 0.5 * len(d) + 2.2))
    y = np.arange(len(d))[::-1]
    runs = st.replications(sens.replications, sens.seed, "common random numbers")
    if sens.method == "morris":
        ax.barh(y, d["mu_star"], xerr=d["mu_star_conf"], color=st.PALETTE[0], capsize=3, label="mu* (mean |effect|)")
        ax.plot(d["sigma"], y, "D", color=st.PALETTE[1], ms=5, label="sigma (interactions, non-linearity)")
        ax.set_xlabel(st.axis_label(f"change in {metrics.label(output)} over a parameter's whole range",
                                    metrics.unit(output, sens.currency)))
        if metrics.is_money(output):
            st.money_axis(ax.xaxis)
        text = ("Morris screening. Bars: mu*, the mean absolute elementary effect, scaled to each parameter's whole "
                "range; whiskers: 95% bootstrap interval. Diamonds: sigma, the spread of the effects.")
    else:
        h = 0.38
        ax.barh(y + h / 2, d["S1"], h, xerr=d["S1_conf"], color=st.PALETTE[0], capsize=3, label="S1 (alone)")
        ax.barh(y - h / 2, d["ST"], h, xerr=d["ST_conf"], color=st.PALETTE[1], capsize=3,
                label="ST (with interactions)")
        ax.set_xlabel(st.axis_label(f"share of the variance of {metrics.label(output)}", "0-1"))
        text = ("Sobol indices. Bars: S1, the share of the output's variance due to the parameter alone, and ST, "
                "including its interactions with the others. Whiskers: 95% bootstrap intervals.")
    ax.set_yticks(y, list(d["parameter"]), fontsize=8)
    ax.grid(axis="y", visible=False)
    st.reference_line(ax, vertical=True)
    ax.legend(loc="best", fontsize=8, frameon=True, framealpha=0.9)
    method = "Morris screening" if sens.method == "morris" else "Sobol indices"
    st.ask(ax, f"What drives {metrics.label(output)} ({method})?")
    if sens.scenario:
        text += f" Each sample point: the mean of {runs}."
    return st.done(fig, ax, text)


def sensitivity_charts(sens: "SensitivityResult", out_dir: str | Path,
                       formats: Iterable[str] = DEFAULT_FORMATS) -> list[Path]:
    """Index chart and tornado chart for every output, written to ``out_dir``."""
    out = Path(out_dir)
    files: list[Path] = []
    for o in sens.outputs:
        files += st.save(indices_chart(sens, o), out / f"{sens.method}_{o}", formats)
        if sens.tornado is not None:
            files += st.save(tornado_chart(sens, o), out / f"tornado_{o}", formats)
    return files


# --------------------------------------------------------------------------- time and assumptions
def payback_chart(h: "Horizons", *, title: str | None = None):
    """The cumulative paired profit difference (variant - base) month by month, with its 95% band."""
    c = h.cumulative
    fig, ax = st.panel(size=(8.5, 4.2))
    x = np.arange(len(c))
    colour = st.PALETTE[0]
    ax.plot(x, c["mean"], color=colour, lw=2, label="mean cumulative difference")
    ax.fill_between(x, c["low"], c["high"], color=colour, alpha=st.BAND_ALPHA, lw=0, label="95% interval of the mean")
    st.reference_line(ax)
    for m in h.horizons:
        if m <= len(c):
            ax.axvline(m - 1, color=st.NEUTRAL, lw=0.6, ls=":")
    p = h.payback
    if p is not None and p.month is not None and not p.never_behind:
        ax.plot([p.month - 1], [c["mean"].iloc[p.month - 1]], "o", color=st.GOOD, ms=7,
                label=f"pays back: month {p.month}")
    st.month_axis(ax, list(c["label"]))
    ax.set_ylabel(st.axis_label("cumulative profit difference", h.currency))
    st.money_axis(ax.yaxis)
    ax.legend(loc="best", fontsize=8)
    st.ask(ax, title or f"When does {h.variant} pay back against {h.base}?")
    return st.done(fig, ax, st.interval_caption(h.n, h.seed, marks="Line", what=f"mean of the cumulative paired "
                                                f"difference in profit, {h.variant} - {h.base},",
                                                pairing=st.PAIRED).replace(
        "Whiskers", "Band") + " Dotted lines: the horizons of the answer; the dot: the month from which cumulative "
        "profit stays ahead.")


def turning_chart(rob: "Robustness", *, title: str | None = None):
    """For each assumption that turns the claim: its margin across the assumption's plausible range."""
    flips = rob.flips
    k = max(1, len(flips))
    fig, axes = st.plt.subplots(1, k, figsize=(max(6.5, min(4.2 * k, 13)), 3.9), squeeze=False)
    st.style()
    c = rob.claim
    for ax, f in zip(axes[0], flips):
        curve = f.curve
        ax.plot(curve["value"], curve["diff"], "o-", color=st.PALETTE[0], lw=1.6, ms=4)
        ax.fill_between(curve["value"], curve["low"], curve["high"], color=st.PALETTE[0], alpha=st.BAND_ALPHA, lw=0)
        st.reference_line(ax)
        ax.axvline(f.value, color=st.NEUTRAL, lw=0.8, ls=":")
        ax.axvline(f.flips_at, color=st.BAD, lw=1.2)
        if f.low is not None and f.high is not None:
            ax.axvspan(f.low, f.high, color=st.BAD, alpha=0.12, lw=0)
        unit = "multiple of each one's value" if f.relative else parameter_unit(f.parameter, rob.currency)
        ax.set_xlabel(st.axis_label(parameter_label(f.parameter, rob.currency).split(" (")[0], unit or None),
                      fontsize=8)
        if metrics.is_money(c.kpi):
            st.money_axis(ax.yaxis)
    if not flips:
        axes[0][0].text(0.5, 0.5, "no single assumption turns the claim\nwithin its plausible range",
                        ha="center", va="center", transform=axes[0][0].transAxes)
    axes[0][0].set_ylabel(st.axis_label("margin of the claim", metrics.unit(c.kpi, rob.currency)))
    st.ask(fig, title or f"Which assumptions turn the claim: {c.text}?")
    return st.done(fig, axes[0][0], st.interval_caption(rob.n // 2, None, marks="Points", what="the claim's margin "
                   "(the compared quantity less its threshold; on the claim's side of 0 it holds)",
                   pairing=st.PAIRED).replace("Whiskers", "Band") + " Dotted: the scenario's value; red line and "
                   "shade: where the claim turns, with its 95% interval.", top=0.9)
