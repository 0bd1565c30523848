"""Charts for non-technical readers, in one consistent style.

Every chart has a title that states the question, axis labels with units, and a caption
that explains the band (what share of replications it covers). Charts are matplotlib
figures; :func:`save` writes them as PNG and SVG (and PDF on request).
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Iterable, Sequence

import matplotlib

matplotlib.use("Agg") if not hasattr(matplotlib, "_called_from_notebook") else None  # headless by default
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402

if TYPE_CHECKING:  # pragma: no cover
    from .replications import Replications

PALETTE = ["#1f5f8b", "#e07b39", "#3a9e6f", "#b5443c", "#7d5ba6", "#8c7a5b", "#d4a017", "#4c9fb8"]
BAND_ALPHA = 0.22


def style() -> None:
    """Apply the house style (called by every chart function)."""
    plt.rcParams.update({
        "figure.figsize": (8.0, 4.6),
        "figure.dpi": 110,
        "axes.spines.top": False,
        "axes.spines.right": False,
        "axes.grid": True,
        "grid.alpha": 0.3,
        "axes.titlesize": 12,
        "axes.titleweight": "bold",
        "axes.labelsize": 10,
        "legend.frameon": False,
        "font.size": 10,
        "axes.prop_cycle": matplotlib.cycler(color=PALETTE),
    })


def money(x: float, _pos=None) -> str:
    """Compact currency tick labels: 1.2M, 350k."""
    a = abs(x)
    if a >= 1e6:
        return f"{x / 1e6:.1f}M"
    if a >= 1e3:
        return f"{x / 1e3:.0f}k"
    return f"{x:.0f}"


def caption(fig, text: str) -> None:
    """A small caption under the plot area."""
    fig.text(0.01, 0.01, text, fontsize=8, color="#555555", ha="left", va="bottom", wrap=True)


def band_chart(bands: dict[str, pd.DataFrame], title: str, ylabel: str, level: float = 0.90,
               currency: str | None = None, n: int | None = None, ax=None):
    """Lines of the mean with shaded bands, one per series, over months.

    ``bands`` maps a series label to a frame indexed by month with ``mean``, ``low``,
    ``high`` columns (as :meth:`Replications.monthly_band` returns).
    """
    style()
    fig = None
    if ax is None:
        fig, ax = plt.subplots()
    for (label, df), color in zip(bands.items(), PALETTE):
        x = np.arange(len(df))
        ax.plot(x, df["mean"].to_numpy(), color=color, lw=2, label=label)
        ax.fill_between(x, df["low"].to_numpy(), df["high"].to_numpy(), color=color, alpha=BAND_ALPHA, lw=0)
        ax.set_xticks(x, [str(m)[2:] for m in df.index], rotation=0, fontsize=8)
    ax.set_title(title)
    ax.set_ylabel(ylabel + (f" ({currency})" if currency else ""))
    ax.set_xlabel("month")
    if currency:
        ax.yaxis.set_major_formatter(matplotlib.ticker.FuncFormatter(money))
    ax.legend(loc="best")
    if fig is not None:
        reps = f" of {n} replications" if n else " of replications"
        caption(fig, f"Lines: mean{reps}. Shaded bands: the middle {level:.0%} of replications in each month.")
        fig.tight_layout(rect=(0, 0.05, 1, 1))
    return fig or ax.figure


def summary_bars(summary: pd.DataFrame, metrics: Sequence[str], labels: Sequence[str], title: str, ylabel: str,
                 currency: str | None = None):
    """Bars of means with 95% confidence intervals (from ``Replications.summary()``-like frames).

    ``summary`` is indexed by series label, with columns ``mean``, ``low``, ``high``.
    """
    style()
    fig, ax = plt.subplots()
    x = np.arange(len(summary))
    means = summary["mean"].to_numpy()
    err = np.vstack([means - summary["low"].to_numpy(), summary["high"].to_numpy() - means])
    ax.bar(x, means, color=PALETTE[: len(x)], yerr=err, capsize=4)
    ax.set_xticks(x, list(summary.index))
    ax.set_title(title)
    ax.set_ylabel(ylabel + (f" ({currency})" if currency else ""))
    if currency:
        ax.yaxis.set_major_formatter(matplotlib.ticker.FuncFormatter(money))
    caption(fig, "Bars: mean over replications. Whiskers: 95% confidence interval of the mean.")
    fig.tight_layout(rect=(0, 0.05, 1, 1))
    return fig


def funnel_chart(counts: dict[str, float], title: str = "Where do leads go?"):
    """Horizontal funnel: mean count per stage."""
    style()
    fig, ax = plt.subplots(figsize=(8, 3.8))
    names = list(counts)
    vals = [counts[k] for k in names]
    y = np.arange(len(names))[::-1]
    ax.barh(y, vals, color=PALETTE[0])
    for yi, v in zip(y, vals):
        ax.text(v, yi, f" {v:,.0f}", va="center", fontsize=9)
    ax.set_yticks(y, names)
    ax.set_xlabel("count per year (mean over replications)")
    ax.set_title(title)
    ax.grid(axis="y", visible=False)
    caption(fig, "Each bar: mean number per run reaching that stage; conversion is the ratio of consecutive bars.")
    fig.tight_layout(rect=(0, 0.06, 1, 1))
    return fig


def save(fig, path: str | Path, formats: Iterable[str] = ("png", "svg")) -> list[Path]:
    """Save ``fig`` as ``path.<fmt>`` for each format; return the files written."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    out = []
    for fmt in formats:
        f = path.with_suffix(f".{fmt}")
        fig.savefig(f, format=fmt, bbox_inches="tight")
        out.append(f)
    plt.close(fig)
    return out


def baseline_charts(reps: "Replications", out_dir: str | Path, formats: Iterable[str] = ("png", "svg")) -> list[Path]:
    """The standard charts of one scenario's replications, written to ``out_dir``."""
    cur = reps.scenario.currency
    name = reps.scenario.name
    n = reps.n
    files: list[Path] = []
    pnl_rev = reps.monthly_band("revenue", table="pnl")
    pnl_profit = reps.monthly_band("profit", table="pnl")
    files += save(band_chart({"revenue": pnl_rev, "profit": pnl_profit},
                             f"{name}: what will revenue and profit be, month by month?", "per month",
                             currency=cur, n=n), Path(out_dir) / "revenue_profit", formats)
    mpr = reps.monthly_band("meetings_per_rep")
    files += save(band_chart({"meetings per rep": mpr}, f"{name}: how many meetings does each rep hold?",
                             "meetings per rep per month", n=n), Path(out_dir) / "meetings_per_rep", formats)
    pr = reps.per_replication
    funnel = {
        "inbound leads": pr["inbound_leads"].mean(),
        "meetings held": pr["meetings"].mean(),
        "proposals sent": pr["proposals"].mean(),
        "deals won": pr["won_deals"].mean(),
    }
    files += save(funnel_chart(funnel, f"{name}: from meetings to contracts"), Path(out_dir) / "funnel", formats)
    return files
