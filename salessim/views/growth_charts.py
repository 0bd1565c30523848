"""Charts of the headcount-vs-deal-size question (:mod:`salessim.analyses.growth`), for non-technical readers.

In the house style (:mod:`salessim.views.style`): each chart's title asks the question it
answers, axes carry units, and the caption explains the lines, bands and whiskers, over how
many paired replications and with which seed. Every option keeps its colour in every chart:
today blue, hire orange, train green, both purple. Save any of them as PNG, SVG and PDF with
:func:`salessim.views.style.save`.

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
import numpy as np

from salessim.results import metrics
from salessim.runs.replications import band_frame
from salessim.views import style as st

if TYPE_CHECKING:  # pragma: no cover
    from salessim.analyses.growth import GrowthResult, ProfitGrid

COLOURS = {"today": st.PALETTE[0], "hire": st.PALETTE[1], "train": st.PALETTE[2], "hire + train": st.PALETTE[4]}
LABELS = {"today": "today", "hire": "hire", "train": "train (bigger deals)", "hire + train": "hire + train"}


def colour(label: str) -> str:
    return COLOURS.get(label, st.PALETTE[5])


def _legend_label(res: "GrowthResult", label: str) -> str:
    return f"{LABELS.get(label, label)}: {res.option(label).description}"


def _bands(ax, res: "GrowthResult", series: str, legend: bool = True) -> None:
    for lab, band in res.bands(series).items():
        x = np.arange(len(band))
        c = colour(lab)
        ax.plot(x, band["mean"].to_numpy(), color=c, lw=2, label=_legend_label(res, lab) if legend else None)
        ax.fill_between(x, band["low"].to_numpy(), band["high"].to_numpy(), color=c, alpha=st.BAND_ALPHA, lw=0)
    st.month_axis(ax, res.months)


def _band_caption(res: "GrowthResult") -> str:
    return st.band_caption(0.90, res.n, res.settings.seed, marks="Lines", line="each option's mean",
                           pairing=st.PAIRED)


# --------------------------------------------------------------------------- charts
def revenue_profit_chart(res: "GrowthResult"):
    """Monthly revenue (left) and profit (right) of every option, with bands."""
    st.style()
    fig, (a1, a2) = st.plt.subplots(1, 2, figsize=(11, 4.6))
    cur = res.currency
    _bands(a1, res, "revenue")
    _bands(a2, res, "profit", legend=False)
    a1.set_title("Revenue per month")
    a2.set_title("Profit per month")
    st.metric_axis(a1, "revenue", cur, "per month")
    st.metric_axis(a2, "profit", cur, "per month")
    st.reference_line(a2)
    a1.legend(loc="best", fontsize=8)
    st.ask(fig, "Grow by hiring or by bigger deals: what happens to revenue and profit?")
    st.finish(fig, _band_caption(res) + " Profit = gross margin - pay, payroll tax, overhead, training and stock "
                                        "cost.")
    return fig


def meetings_chart(res: "GrowthResult", ax=None):
    """Meetings per rep per month, every option."""
    fig, ax = st.panel(ax)
    _bands(ax, res, "meetings_per_rep")
    st.metric_axis(ax, "meetings_per_rep", res.currency)
    ax.set_ylim(bottom=0)
    st.ask(ax, "How many meetings does each rep hold?")
    if fig is not None:
        ax.legend(loc="best", fontsize=8)
    return st.done(fig, ax, _band_caption(res) + " A rep-month counts the days each seat is filled.")


def payroll_revenue_chart(res: "GrowthResult", ax=None):
    """Payroll against revenue over the period, per option, with 95% intervals."""
    fig, ax = st.panel(ax, (7.5, 5))
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
    months = f"{res.settings.months} months"
    st.metric_axis(ax, "payroll", res.currency, months, which="x")
    st.metric_axis(ax, "revenue", res.currency, months)
    st.ask(ax, "Does revenue grow faster than payroll?")
    if fig is not None:
        ax.legend(loc="lower right", fontsize=8)
    return st.done(fig, ax, st.interval_caption(res.n, res.settings.seed, marks="Dots", pairing=st.PAIRED)
                   + " Dotted lines: equal payroll as a share of revenue; up and to the left is better.")


def break_even_chart(res: "GrowthResult", label: str | None = None, ax=None):
    """The new hires' cumulative gross margin against their cumulative cost, with the break-even month."""
    fig, ax = st.panel(ax)
    question = "When do the new hires pay for themselves?"
    be = res.break_even(label)
    if be is None:
        ax.text(0.5, 0.5, "No new hires in these settings:\nraise the number of reps to see when hires pay off.",
                ha="center", va="center", transform=ax.transAxes, fontsize=10, color="#555555")
        st.ask(ax, question)
        ax.set_xticks([])
        ax.set_yticks([])
        return fig or ax.figure

    x = np.arange(len(be.months))
    for values, c, name in ((be.margin, st.PALETTE[2], "cumulative gross margin of the new hires"),
                            (be.cost, st.PALETTE[3], "their cumulative cost")):
        b = band_frame(values, be.months)
        ax.plot(x, b["mean"], color=c, lw=2, label=name)
        ax.fill_between(x, b["low"], b["high"], color=c, alpha=st.BAND_ALPHA, lw=0)
    s = be.stats()
    if s["reached"]:
        lo = s["low"] - 1
        hi = (s["high"] - 1) if math.isfinite(s["high"]) else len(x) - 1
        ax.axvspan(lo - 0.5, hi + 0.5, color="#999999", alpha=0.15, lw=0,
                   label="break-even month, 90% of replications")
        if math.isfinite(s["median"]):
            ax.axvline(s["median"] - 1, color=st.INK, lw=1.2, ls="--",
                       label=f"median break-even: month {int(s['median'])}")
    st.month_axis(ax, be.months)
    ax.set_ylabel(st.axis_label("cumulative since the start", res.currency))
    st.money_axis(ax.yaxis)
    st.ask(ax, question)
    ax.legend(loc="upper left", fontsize=8)
    reached = "" if s["reached"] == s["n"] else (
        f" The new hires break even within the horizon in {s['reached']} of {s['n']} replications.")
    return st.done(fig, ax, st.band_caption(0.90, be.n, res.settings.seed, marks="Lines", line="the mean",
                                            pairing=st.PAIRED)
                   + " Cost: the new reps' pay with payroll tax, overhead per head and training, plus any heads added "
                   f"for them. Grey span: the months in which 90% of replications break even.{reached}")


def profit_heatmap(grid: "ProfitGrid"):
    """Profit change against today over headcount x threshold uplift; hatched cells are not detectably different."""
    t = grid.table
    reps = sorted(t["reps"].unique())
    ups = sorted(t["uplift"].unique(), reverse=True)
    vals = np.full((len(ups), len(reps)), np.nan)
    cells = {}
    for row in t.itertuples():
        i, j = ups.index(row.uplift), reps.index(row.reps)
        vals[i, j] = row.diff
        cells[(i, j)] = row
    fig, ax = st.panel(size=(8.5, 5.4))
    lim = float(np.nanmax(np.abs(vals))) if np.isfinite(vals).any() else 1.0
    lim = lim or 1.0
    im = ax.imshow(vals, cmap="RdYlGn", vmin=-lim, vmax=lim, aspect="auto")
    for (i, j), row in cells.items():
        v = vals[i, j]
        r, g, b, _ = im.cmap(im.norm(v)) if v == v else (1, 1, 1, 1)
        ink = "black" if 0.299 * r + 0.587 * g + 0.114 * b > 0.5 else "white"
        half = (row.high - row.low) / 2 if row.high == row.high else float("nan")
        text = f"{'+' if v > 0 else ''}{st.money(v)}" + (f"\n±{st.money(half)}" if half == half else "")
        if row.verdict == "no detectable difference":
            ax.add_patch(matplotlib.patches.Rectangle((j - 0.5, i - 0.5), 1, 1, fill=False, hatch="///",
                                                      edgecolor="#777777", lw=0))
        ax.text(j, i, text, ha="center", va="center", fontsize=8, color=ink)
    ax.set_xticks(range(len(reps)), [f"{r} reps\n{int(t[t['reps'] == r]['heads'].iloc[0])} head(s)" for r in reps])
    ax.set_yticks(range(len(ups)), [f"x{u:g}" for u in ups])
    ax.set_xlabel(st.axis_label("headcount after hiring", "reps and heads of sales"))
    ax.set_ylabel(st.axis_label("reps' deal-size threshold after training", "x today's"))
    ax.grid(False)
    cb = fig.colorbar(im, ax=ax)
    cb.set_label(st.axis_label(f"{metrics.label('profit')} change against today",
                               f"{grid.currency}, {grid.months} months"))
    st.money_colorbar(cb)
    st.ask(ax, "Where does profit grow most: more reps, or bigger deals?")
    return st.done(fig, ax, f"Each cell: mean profit change against today ({grid.today_reps} reps, "
                            f"{grid.today_heads} head(s), no training) over "
                            f"{st.replications(grid.n, grid.seed, st.PAIRED)}; ± is the half-width of its 95% "
                            "interval. Hatched: not detectably different from today. Heads are added so that no head "
                            f"has more than {grid.span} reps.")


def dashboard(res: "GrowthResult"):
    """Profit per month, meetings per rep, payroll vs revenue and the new hires' break-even, in one figure."""
    st.style()
    fig, axes = st.plt.subplots(2, 2, figsize=(12, 8.4))
    (a1, a2), (a3, a4) = axes
    _bands(a1, res, "profit")
    st.reference_line(a1)
    a1.set_title("What profit does each option make, month by month?")
    st.metric_axis(a1, "profit", res.currency, "per month")
    a1.legend(loc="best", fontsize=7)
    meetings_chart(res, ax=a2)
    payroll_revenue_chart(res, ax=a3)
    break_even_chart(res, ax=a4)
    st.ask(fig, "Grow by hiring or by bigger deals?")
    st.finish(fig, _band_caption(res) + " Whiskers (bottom left): 95% confidence intervals of the mean. Money in "
                                        f"{res.currency}.")
    return fig
