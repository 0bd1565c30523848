"""Charts of a commission design against the scheme in place (:mod:`salessim.analyses.commission_design`).

In the house style (:mod:`salessim.views.style`): the title asks the question, axes carry
units, the caption says what bars, whiskers and bands are, over how many paired replications
and with which seed. The scheme in place is always blue, the design orange. Every function
takes an optional ``ax`` so :func:`side_by_side` can put them in one figure; save any figure
as PNG, SVG and PDF with :func:`salessim.views.style.save`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from salessim.results import metrics
from salessim.results.statistics import mean_interval
from salessim.views import style as st

if TYPE_CHECKING:  # pragma: no cover
    from salessim.analyses.commission_design import SchemeComparison

SCHEME_COLOURS = (st.PALETTE[0], st.PALETTE[1])
PART_COLOURS = ("#4c9fb8", st.PALETTE[2], st.PALETTE[4], st.PALETTE[6], st.PALETTE[5], st.PALETTE[3], "#bbbbbb",
                "#888888")
SIZE = (7.5, 4.4)


def _colours(c: "SchemeComparison") -> dict[str, str]:
    return dict(zip(c.labels, SCHEME_COLOURS))


def _runs(c: "SchemeComparison") -> str:
    return st.replications(c.n, c.seed, st.PAIRED)


def _bars(ax, c: "SchemeComparison", metric: str, scale: float = 1.0) -> None:
    cols = _colours(c)
    for i, lab in enumerate(c.labels):
        low, high = metrics.bounds(metric)
        mi = mean_interval(c.runs[lab].metric(metric) * scale, bounds=(low * scale, high * scale))
        err = [[mi["mean"] - mi["low"]], [mi["high"] - mi["mean"]]] if mi["low"] == mi["low"] else None
        ax.bar(i, mi["mean"], color=cols[lab], yerr=err, capsize=5, width=0.6)
    ax.set_xticks(range(len(c.labels)), c.labels)
    ax.grid(axis="x", visible=False)


def pay_distribution_chart(c: "SchemeComparison", ax=None):
    """Distribution of a rep's monthly pay under each scheme, with the on-target pay marked."""
    fig, ax = st.panel(ax, SIZE)
    cols = _colours(c)
    xs = [c.rep_pay(lab) for lab in c.labels]
    hi = float(np.quantile(np.concatenate(xs), 0.995)) if sum(len(x) for x in xs) else 1.0
    bins = np.linspace(0, max(hi, 1.0), 40)
    for lab, x in zip(c.labels, xs):
        w = np.full(len(x), 100.0 / max(len(x), 1))
        ax.hist(np.clip(x, bins[0], bins[-1]), bins=bins, weights=w, histtype="step", lw=2, color=cols[lab],
                label=f"{lab}: median {np.median(x):,.0f}")
    ax.axvline(c.design.on_target_pay, color=st.INK, ls="--", lw=1, label="design's pay at 100% of plan")
    ax.set_xlabel(st.axis_label("a rep's pay in a month", c.currency))
    ax.set_ylabel(st.axis_label("rep-months", "% of all"))
    st.money_axis(ax.xaxis)
    st.ask(ax, "What does a rep take home in a month?")
    ax.legend(fontsize=7, loc="upper right")
    return st.done(fig, ax, f"Each line: every rep-month of {_runs(c)} (seats left empty are left out); the last bin "
                            "also holds the top 0.5%.")


def cost_of_sales_chart(c: "SchemeComparison", ax=None):
    """Pay with payroll tax as % of revenue, per scheme."""
    fig, ax = st.panel(ax, SIZE)
    _bars(ax, c, "cost_of_sales_pct")
    st.metric_axis(ax, "cost_of_sales_pct", c.currency)
    st.ask(ax, "What share of revenue goes to pay?")
    return st.done(fig, ax, st.interval_caption(c.n, c.seed, pairing=st.PAIRED)
                   + " Cost of sales: pay with payroll tax.")


def profit_chart(c: "SchemeComparison", ax=None):
    """Profit over the period, per scheme."""
    fig, ax = st.panel(ax, SIZE)
    _bars(ax, c, "profit")
    st.reference_line(ax)
    st.metric_axis(ax, "profit", c.currency, f"{len(c.runs[c.labels[0]].months)} months")
    st.ask(ax, "Which scheme leaves more profit?")
    return st.done(fig, ax, st.interval_caption(c.n, c.seed, pairing=st.PAIRED)
                   + " Profit = gross margin - pay, payroll tax, overhead, training and stock cost.")


def key_clients_chart(c: "SchemeComparison", ax=None):
    """Share of the starting key clients lost over the period, per scheme."""
    fig, ax = st.panel(ax, SIZE)
    _bars(ax, c, "key_clients_lost_share", scale=100.0)
    ax.set_ylabel(st.metric_axis_label("key_clients_lost_share", c.currency, shown=True))
    st.ask(ax, "How many key clients are lost?")
    return st.done(fig, ax, st.interval_caption(c.n, c.seed, pairing=st.PAIRED)
                   + " Key clients churn faster when reps contact them less often.")


def effort_chart(c: "SchemeComparison", ax=None):
    """Share of reps' selling hours on each product, on key clients and on inbound first contact."""
    fig, ax = st.panel(ax, SIZE)
    e = c.effort_split().set_index("scheme")
    y = np.arange(len(e))[::-1]
    left = np.zeros(len(e))
    for col, colour in zip(e.columns, PART_COLOURS):
        v = e[col].to_numpy(dtype=float) * 100
        ax.barh(y, v, left=left, color=colour, label=col, height=0.55)
        for yi, li, vi in zip(y, left, v):
            if vi >= 6:
                ax.text(li + vi / 2, yi, f"{vi:.0f}%", ha="center", va="center", fontsize=8, color="white")
        left += v
    ax.set_yticks(y, list(e.index))
    ax.set_xlim(0, 100)
    ax.set_xlabel(st.axis_label("share of reps' selling hours", "%"))
    ax.grid(axis="y", visible=False)
    st.ask(ax, "Where do reps spend their selling time?")
    ax.legend(fontsize=7, loc="upper center", bbox_to_anchor=(0.5, -0.22), ncol=4, frameon=False)
    return st.done(fig, ax, f"Each bar: the selling hours of {_runs(c)}, split into prospecting, meetings with travel "
                            "and deal work per product; contacts with key clients; first contact of inbound leads.")


def revenue_by_group_chart(c: "SchemeComparison", ax=None):
    """Revenue per product under each scheme (stacked), with each product's share."""
    fig, ax = st.panel(ax, SIZE)
    r = c.revenue_by_product()
    x = np.arange(len(c.labels))
    bottom = np.zeros(len(c.labels))
    for p, colour in zip(c.products, PART_COLOURS):
        sub = r[r["product"] == p].set_index("scheme").reindex(c.labels)
        v = sub["revenue"].to_numpy(dtype=float)
        ax.bar(x, v, bottom=bottom, color=colour, width=0.6, label=f"product {p}")
        for xi, b, vi, s in zip(x, bottom, v, sub["share"]):
            if s >= 0.06:
                ax.text(xi, b + vi / 2, f"{s:.0%}", ha="center", va="center", fontsize=8, color="white")
        bottom += v
    ax.set_xticks(x, c.labels)
    ax.grid(axis="x", visible=False)
    st.metric_axis(ax, "revenue", c.currency, "whole period")
    st.ask(ax, "Does the new product group sell?")
    ax.legend(fontsize=7, loc="lower right", frameon=True, framealpha=0.95)
    return st.done(fig, ax, f"Bars: mean {metrics.label('revenue')} over {_runs(c)}, stacked by product; labels: "
                            "each product's share of revenue.")


def side_by_side(c: "SchemeComparison"):
    """The new-product-group case under the two schemes: six panels in one figure."""
    st.style()
    fig, axes = st.plt.subplots(2, 3, figsize=(15, 8.8))
    revenue_by_group_chart(c, axes[0][0])
    effort_chart(c, axes[0][1])
    key_clients_chart(c, axes[0][2])
    pay_distribution_chart(c, axes[1][0])
    cost_of_sales_chart(c, axes[1][1])
    profit_chart(c, axes[1][2])
    st.ask(fig, f"{c.scenario.name}: does the {c.labels[-1]} pay off better than the {c.labels[0]}?")
    st.finish(fig, f"Every panel: {_runs(c)}. Bars: means; whiskers: 95% confidence intervals. Money in "
                   f"{c.currency}. Design: {c.design.label()}.", top=0.97)
    return fig
