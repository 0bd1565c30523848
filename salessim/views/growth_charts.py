"""Charts of the headcount-vs-deal-size question (:mod:`salessim.analyses.growth`), for non-technical readers.

Each chart's title asks the question it answers, axes carry units, and the caption explains
the lines, bands and whiskers; the style is the project's one (:func:`salessim.views.charts.style`).
Every option keeps its colour in every chart: today blue, hire orange, train green, both
purple. Save any of them as PNG, SVG and PDF with :func:`salessim.views.charts.save`.

* :func:`revenue_profit_chart`: monthly revenue and profit of each option, with bands;
* :func:`meetings_chart`: meetings per rep per month;
* :func:`payroll_revenue_chart`: payroll against revenue over the period, with lines of
  equal payroll share;
* :func:`break_even_chart`: the new hires' cumulative gross margin against their cost;
* :func:`profit_heatmap`: profit change against today over headcount x threshold uplift;
* :func:`dashboard`: the first four in one figure (what the notebook's panel shows).
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

import matplotlib
import matplotlib.pyplot as plt
import numpy as np

from salessim.runs.replications import band_frame
from salessim.views.charts import BAND_ALPHA, PALETTE, caption, money, month_tick, style

if TYPE_CHECKING:  # pragma: no cover
    from salessim.analyses.growth import GrowthResult, ProfitGrid

COLOURS = {"today": PALETTE[0], "hire": PALETTE[1], "train": PALETTE[2], "hire + train": PALETTE[4]}
LABELS = {"today": "today", "hire": "hire", "train": "train (bigger deals)", "hire + train": "hire + train"}


def colour(label: str) -> str:
    return COLOURS.get(label, PALETTE[5])


def _legend_label(res: "GrowthResult", label: str) -> str:
    return f"{LABELS.get(label, label)}: {res.option(label).description}"


def _month_axis(ax, months) -> None:
    x = np.arange(len(months))
    step = max(1, math.ceil(len(months) / 12))
    ax.set_xticks(x[::step], [month_tick(m) for m in months][::step], fontsize=8)
    ax.set_xlabel("month")


def _money_axis(ax, axis: str = "y") -> None:
    getattr(ax, f"{axis}axis").set_major_formatter(matplotlib.ticker.FuncFormatter(money))


def _bands(ax, res: "GrowthResult", series: str, legend: bool = True) -> None:
    for lab, band in res.bands(series).items():
        x = np.arange(len(band))
        c = colour(lab)
        ax.plot(x, band["mean"].to_numpy(), color=c, lw=2, label=_legend_label(res, lab) if legend else None)
        ax.fill_between(x, band["low"].to_numpy(), band["high"].to_numpy(), color=c, alpha=BAND_ALPHA, lw=0)
    _month_axis(ax, res.months)


def _finish(fig, text: str, bottom: float = 0.08) -> None:
    caption(fig, text)
    fig.tight_layout(rect=(0, bottom, 1, 1))


def _band_caption(res: "GrowthResult") -> str:
    return (f"Lines: mean of {res.n} replications per option; shaded bands: the middle 90% of replications in each "
            f"month. Every option uses the same random numbers (paired replications, seed {res.settings.seed}).")


# --------------------------------------------------------------------------- charts
def revenue_profit_chart(res: "GrowthResult"):
    """Monthly revenue (left) and profit (right) of every option, with bands."""
    style()
    fig, (a1, a2) = plt.subplots(1, 2, figsize=(11, 4.6))
    cur = res.currency
    _bands(a1, res, "revenue")
    _bands(a2, res, "profit", legend=False)
    a1.set_title("Revenue per month")
    a2.set_title("Profit per month")
    a1.set_ylabel(f"revenue, executed ({cur} per month)")
    a2.set_ylabel(f"profit ({cur} per month)")
    a2.axhline(0, color="#333333", lw=0.8)
    for ax in (a1, a2):
        _money_axis(ax)
    a1.legend(loc="best", fontsize=8)
    fig.suptitle("Grow by hiring or by bigger deals: what happens to revenue and profit?", fontweight="bold")
    _finish(fig, _band_caption(res) + " Profit = gross margin - pay, payroll tax, overhead, training and stock cost.")
    return fig


def meetings_chart(res: "GrowthResult", ax=None):
    """Meetings per rep per month, every option."""
    style()
    fig = None
    if ax is None:
        fig, ax = plt.subplots()
    _bands(ax, res, "meetings_per_rep")
    ax.set_ylabel("meetings per rep (per month)")
    ax.set_ylim(bottom=0)
    ax.set_title("How many meetings does each rep hold?")
    if fig is not None:
        ax.legend(loc="best", fontsize=8)
        _finish(fig, _band_caption(res) + " A rep-month counts the days each seat is filled.")
    return fig or ax.figure


def payroll_revenue_chart(res: "GrowthResult", ax=None):
    """Payroll against revenue over the period, per option, with 95% intervals."""
    style()
    fig = None
    if ax is None:
        fig, ax = plt.subplots(figsize=(7.5, 5))
    t = res.payroll_vs_revenue()
    for row in t.itertuples():
        c = colour(row.option)
        ax.errorbar(row.payroll, row.revenue,
                    xerr=[[row.payroll - row.payroll_low], [row.payroll_high - row.payroll]],
                    yerr=[[row.revenue - row.revenue_low], [row.revenue_high - row.revenue]],
                    fmt="o", ms=8, color=c, capsize=3, label=_legend_label(res, row.option))
    xmax = float(np.nanmax(t["payroll_high"])) * 1.15
    ymax = float(np.nanmax(t["revenue_high"])) * 1.15
    xs = np.linspace(0, xmax, 50)
    for share in (0.1, 0.2, 0.3, 0.5):
        ys = xs / share
        keep = ys <= ymax
        ax.plot(xs[keep], ys[keep], color="#999999", lw=0.7, ls=":")
        if keep.any():
            i = np.flatnonzero(keep)[-1]
            ax.text(xs[i], ys[i], f" payroll {share:.0%} of revenue", fontsize=7, color="#777777", va="top")
    ax.set_xlim(0, xmax)
    ax.set_ylim(0, ymax)
    cur = res.currency
    ax.set_xlabel(f"payroll: pay + payroll tax ({cur}, {res.settings.months} months)")
    ax.set_ylabel(f"revenue, executed ({cur}, {res.settings.months} months)")
    _money_axis(ax, "x")
    _money_axis(ax, "y")
    ax.set_title("Does revenue grow faster than payroll?")
    if fig is not None:
        ax.legend(loc="lower right", fontsize=8)
        _finish(fig, f"Dots: mean over {res.n} replications; whiskers: 95% confidence intervals. Dotted lines: equal "
                     "payroll as a share of revenue; up and to the left is better.")
    return fig or ax.figure


def break_even_chart(res: "GrowthResult", label: str | None = None, ax=None):
    """The new hires' cumulative gross margin against their cumulative cost, with the break-even month."""
    style()
    fig = None
    if ax is None:
        fig, ax = plt.subplots()
    be = res.break_even(label)
    if be is None:
        ax.text(0.5, 0.5, "No new hires in these settings:\nraise the number of reps to see when hires pay off.",
                ha="center", va="center", transform=ax.transAxes, fontsize=10, color="#555555")
        ax.set_title("When do the new hires pay for themselves?")
        ax.set_xticks([])
        ax.set_yticks([])
        return fig or ax.figure

    x = np.arange(len(be.months))
    for values, c, name in ((be.margin, PALETTE[2], "cumulative gross margin of the new hires"),
                            (be.cost, PALETTE[3], "their cumulative cost")):
        b = band_frame(values, be.months)
        ax.plot(x, b["mean"], color=c, lw=2, label=name)
        ax.fill_between(x, b["low"], b["high"], color=c, alpha=BAND_ALPHA, lw=0)
    s = be.stats()
    if s["reached"]:
        lo = s["low"] - 1
        hi = (s["high"] - 1) if math.isfinite(s["high"]) else len(x) - 1
        ax.axvspan(lo - 0.5, hi + 0.5, color="#999999", alpha=0.15, lw=0,
                   label="break-even month, 90% of replications")
        if math.isfinite(s["median"]):
            ax.axvline(s["median"] - 1, color="#333333", lw=1.2, ls="--",
                       label=f"median break-even: month {int(s['median'])}")
    _month_axis(ax, be.months)
    ax.set_ylabel(f"cumulative since the start ({res.currency})")
    _money_axis(ax)
    ax.set_title("When do the new hires pay for themselves?")
    ax.legend(loc="upper left", fontsize=8)
    if fig is not None:
        reached = "" if s["reached"] == s["n"] else (
            f" The new hires break even within the horizon in {s['reached']} of {s['n']} replications.")
        _finish(fig, f"Lines: mean of {be.n} replications; bands: the middle 90%. Cost: the new reps' pay with payroll "
                     "tax, overhead per head and training, plus any heads added for them. Grey span: the months in "
                     f"which 90% of replications break even.{reached}")
    return fig or ax.figure


def profit_heatmap(grid: "ProfitGrid"):
    """Profit change against today over headcount x threshold uplift; hatched cells are not detectably different."""
    style()
    t = grid.table
    reps = sorted(t["reps"].unique())
    ups = sorted(t["uplift"].unique(), reverse=True)
    vals = np.full((len(ups), len(reps)), np.nan)
    cells = {}
    for row in t.itertuples():
        i, j = ups.index(row.uplift), reps.index(row.reps)
        vals[i, j] = row.diff
        cells[(i, j)] = row
    fig, ax = plt.subplots(figsize=(8.5, 5.4))
    lim = float(np.nanmax(np.abs(vals))) if np.isfinite(vals).any() else 1.0
    lim = lim or 1.0
    im = ax.imshow(vals, cmap="RdYlGn", vmin=-lim, vmax=lim, aspect="auto")
    for (i, j), row in cells.items():
        v = vals[i, j]
        r, g, b, _ = im.cmap(im.norm(v)) if v == v else (1, 1, 1, 1)
        ink = "black" if 0.299 * r + 0.587 * g + 0.114 * b > 0.5 else "white"
        half = (row.high - row.low) / 2 if row.high == row.high else float("nan")
        text = f"{'+' if v > 0 else ''}{money(v)}" + (f"\n±{money(half)}" if half == half else "")
        if row.verdict == "no detectable difference":
            ax.add_patch(matplotlib.patches.Rectangle((j - 0.5, i - 0.5), 1, 1, fill=False, hatch="///",
                                                      edgecolor="#777777", lw=0))
        ax.text(j, i, text, ha="center", va="center", fontsize=8, color=ink)
    ax.set_xticks(range(len(reps)), [f"{r} reps\n{int(t[t['reps'] == r]['heads'].iloc[0])} head(s)" for r in reps])
    ax.set_yticks(range(len(ups)), [f"x{u:g}" for u in ups])
    ax.set_xlabel("headcount after hiring (reps and heads of sales)")
    ax.set_ylabel("reps' deal-size threshold after training (x today's)")
    ax.grid(False)
    cb = fig.colorbar(im, ax=ax)
    cb.set_label(f"profit change against today ({grid.currency}, {grid.months} months)")
    cb.formatter = matplotlib.ticker.FuncFormatter(money)
    cb.update_ticks()
    ax.set_title("Where does profit grow most: more reps, or bigger deals?")
    _finish(fig, f"Each cell: mean profit change against today ({grid.today_reps} reps, {grid.today_heads} head(s), no "
                 f"training) over {grid.n} paired replications (seed {grid.seed}); ± is the half-width of its 95% "
                 f"interval. Hatched: not detectably different from today. Heads are added so that no head has more "
                 f"than {grid.span} reps.", bottom=0.09)
    return fig


def dashboard(res: "GrowthResult"):
    """Profit per month, meetings per rep, payroll vs revenue and the new hires' break-even, in one figure."""
    style()
    fig, axes = plt.subplots(2, 2, figsize=(12, 8.4))
    (a1, a2), (a3, a4) = axes
    _bands(a1, res, "profit")
    a1.axhline(0, color="#333333", lw=0.8)
    a1.set_title("What profit does each option make, month by month?")
    a1.set_ylabel(f"profit ({res.currency} per month)")
    _money_axis(a1)
    a1.legend(loc="best", fontsize=7)
    meetings_chart(res, ax=a2)
    payroll_revenue_chart(res, ax=a3)
    break_even_chart(res, ax=a4)
    fig.suptitle("Grow by hiring or by bigger deals?", fontweight="bold", fontsize=13)
    _finish(fig, f"Lines: mean of {res.n} replications per option; shaded bands: the middle 90% of replications each "
                 f"month; whiskers (bottom left): 95% confidence intervals. Paired replications (seed "
                 f"{res.settings.seed}). Money in {res.currency}.", bottom=0.04)
    return fig
