"""Charts of a commission design against the scheme in place (:mod:`salessim.analyses.commission_design`).

House style (:func:`salessim.views.charts.style`): the title asks the question, axes carry units,
the caption says what bars, whiskers and bands are. The scheme in place is always blue,
the design orange. Every function takes an optional ``ax`` so :func:`side_by_side` can put
them in one figure; save any figure as PNG, SVG and PDF with :func:`salessim.views.charts.save`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import matplotlib
import matplotlib.pyplot as plt
import numpy as np

from salessim.results.statistics import mean_interval
from salessim.views.charts import PALETTE, caption, money, style

if TYPE_CHECKING:  # pragma: no cover
    from salessim.analyses.commission_design import SchemeComparison

SCHEME_COLOURS = (PALETTE[0], PALETTE[1])
PART_COLOURS = ("#4c9fb8", PALETTE[2], PALETTE[4], PALETTE[6], PALETTE[5], PALETTE[3], "#bbbbbb", "#888888")


def _colours(c: "SchemeComparison") -> dict[str, str]:
    return dict(zip(c.labels, SCHEME_COLOURS))


def _new(ax, size=(7.5, 4.4)):
    if ax is None:
        fig, ax = plt.subplots(figsize=size)
        return fig, ax
    return None, ax


def _done(fig, ax, text: str):
    if fig is not None:
        caption(fig, text)
        fig.tight_layout(rect=(0, 0.08, 1, 1))
    return fig or ax.figure


def _bars(ax, c: "SchemeComparison", metric: str, scale: float = 1.0) -> None:
    cols = _colours(c)
    for i, lab in enumerate(c.labels):
        mi = mean_interval(c.runs[lab].metric(metric) * scale)
        err = [[mi["mean"] - mi["low"]], [mi["high"] - mi["mean"]]] if mi["low"] == mi["low"] else None
        ax.bar(i, mi["mean"], color=cols[lab], yerr=err, capsize=5, width=0.6)
    ax.set_xticks(range(len(c.labels)), c.labels)
    ax.grid(axis="x", visible=False)


def pay_distribution_chart(c: "SchemeComparison", ax=None):
    """Distribution of a rep's monthly pay under each scheme, with the on-target pay marked."""
    style()
    fig, ax = _new(ax)
    cols = _colours(c)
    xs = [c.rep_pay(lab) for lab in c.labels]
    hi = float(np.quantile(np.concatenate(xs), 0.995)) if sum(len(x) for x in xs) else 1.0
    bins = np.linspace(0, max(hi, 1.0), 40)
    for lab, x in zip(c.labels, xs):
        w = np.full(len(x), 100.0 / max(len(x), 1))
        ax.hist(np.clip(x, bins[0], bins[-1]), bins=bins, weights=w, histtype="step", lw=2, color=cols[lab],
                label=f"{lab}: median {np.median(x):,.0f}")
    ax.axvline(c.design.on_target_pay, color="#333333", ls="--", lw=1, label="design's pay at 100% of plan")
    ax.set_xlabel(f"a rep's pay in a month ({c.currency})")
    ax.set_ylabel("% of rep-months")
    ax.xaxis.set_major_formatter(matplotlib.ticker.FuncFormatter(money))
    ax.set_title("What does a rep take home in a month?")
    ax.legend(fontsize=7, loc="upper right")
    return _done(fig, ax, f"Each line: every rep-month of {c.n} replications (seats left empty are left out); the "
                          "last bin also holds the top 0.5%.")


def cost_of_sales_chart(c: "SchemeComparison", ax=None):
    """Pay with payroll tax as % of revenue, per scheme."""
    style()
    fig, ax = _new(ax)
    _bars(ax, c, "cost_of_sales_pct")
    ax.set_ylabel("pay and payroll tax (% of revenue)")
    ax.set_title("What share of revenue goes to pay?")
    return _done(fig, ax, f"Bars: mean over {c.n} paired replications; whiskers: 95% confidence interval of the mean.")


def profit_chart(c: "SchemeComparison", ax=None):
    """Profit over the period, per scheme."""
    style()
    fig, ax = _new(ax)
    _bars(ax, c, "profit")
    ax.axhline(0, color="#333333", lw=0.8)
    ax.set_ylabel(f"profit ({c.currency}, {len(c.runs[c.labels[0]].months)} months)")
    ax.yaxis.set_major_formatter(matplotlib.ticker.FuncFormatter(money))
    ax.set_title("Which scheme leaves more profit?")
    return _done(fig, ax, f"Bars: mean over {c.n} paired replications; whiskers: 95% confidence interval of the mean. "
                          "Profit = gross margin - pay, payroll tax, overhead, training and stock cost.")


def key_clients_chart(c: "SchemeComparison", ax=None):
    """Share of the starting key clients lost over the period, per scheme."""
    style()
    fig, ax = _new(ax)
    _bars(ax, c, "key_clients_lost_share", scale=100.0)
    ax.set_ylabel("key clients lost (% of those at the start)")
    ax.set_title("How many key clients are lost?")
    return _done(fig, ax, f"Bars: mean over {c.n} paired replications; whiskers: 95% confidence interval. Key clients "
                          "churn faster when reps contact them less often.")


def effort_chart(c: "SchemeComparison", ax=None):
    """Share of reps' selling hours on each product, on key clients and on inbound first contact."""
    style()
    fig, ax = _new(ax)
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
    ax.set_xlabel("share of reps' selling hours (%)")
    ax.grid(axis="y", visible=False)
    ax.set_title("Where do reps spend their selling time?")
    ax.legend(fontsize=7, loc="upper center", bbox_to_anchor=(0.5, -0.22), ncol=4, frameon=False)
    return _done(fig, ax, f"Hours over {c.n} replications: prospecting, meetings with travel and deal work per "
                          "product; contacts with key clients; first contact of inbound leads.")


def revenue_by_group_chart(c: "SchemeComparison", ax=None):
    """Revenue per product under each scheme (stacked), with each product's share."""
    style()
    fig, ax = _new(ax)
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
    ax.set_ylabel(f"revenue, executed ({c.currency}, whole period)")
    ax.yaxis.set_major_formatter(matplotlib.ticker.FuncFormatter(money))
    ax.set_title("Does the new product group sell?")
    ax.legend(fontsize=7, loc="lower right", frameon=True, framealpha=0.95)
    return _done(fig, ax, f"Bars: mean revenue over {c.n} replications, stacked by product; labels: each product's "
                          "share of revenue.")


def side_by_side(c: "SchemeComparison"):
    """The new-product-group case under the two schemes: six panels in one figure."""
    style()
    fig, axes = plt.subplots(2, 3, figsize=(15, 8.8))
    revenue_by_group_chart(c, axes[0][0])
    effort_chart(c, axes[0][1])
    key_clients_chart(c, axes[0][2])
    pay_distribution_chart(c, axes[1][0])
    cost_of_sales_chart(c, axes[1][1])
    profit_chart(c, axes[1][2])
    fig.suptitle(f"{c.scenario.name}: the {c.labels[0]} against the {c.labels[-1]}", fontweight="bold", fontsize=13)
    caption(fig, f"{c.n} paired replications (same random numbers for both schemes, seed {c.seed}). Bars: means; "
                 f"whiskers: 95% confidence intervals. Money in {c.currency}. Design: {c.design.label()}.")
    fig.tight_layout(rect=(0, 0.04, 1, 0.97))
    return fig
