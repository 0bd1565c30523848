"""The charts of one scenario's replications: months with bands, means with intervals, the
funnel, pay per person, and the standard set ``salessim run --out`` writes.

They follow the house style of :mod:`salessim.views.style` (the title asks the question,
axes name their units, a caption says what the marks are, over how many replications and
with which seed); save any of them with :func:`salessim.views.style.save`.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Iterable, Mapping, Sequence

import numpy as np
import pandas as pd

from salessim.results import metrics
from salessim.views import style as st
from salessim.views.formats import DEFAULT_FORMATS

# kept for salessim.calibration.charts and salessim.calibration.outputs, which import them from
# here; they belong to salessim.views.style (and views.formats), where new code takes them
from salessim.views.style import (  # noqa: F401
    BAND_ALPHA,
    PALETTE,
    axis_label,
    finish,
    money,
    month_tick,
    plt,
    save,
    style,
)

if TYPE_CHECKING:  # pragma: no cover
    from salessim.runs.replications import Replications


# --------------------------------------------------------------------------- charts
def band_chart(bands: dict[str, pd.DataFrame], title: str, ylabel: str, level: float = 0.90,
               currency: str | None = None, n: int | None = None, ax=None, *, unit: str | None = None,
               seed: int | None = None):
    """Lines of the mean with shaded bands, one per series, over months.

    ``bands`` maps a series label to a frame indexed by month with ``mean``, ``low``,
    ``high`` columns (as :meth:`Replications.band` and :meth:`Replications.monthly_band`
    return). The y axis is ``ylabel (unit)``, where the unit is ``unit`` or else ``currency``
    (money is drawn with compact tick labels). ``n`` and ``seed`` go into the caption.
    """
    fig, ax = st.panel(ax)
    months: list = []
    for (label, df), color in zip(bands.items(), st.PALETTE * 4):
        x = np.arange(len(df))
        ax.plot(x, df["mean"].to_numpy(), color=color, lw=2, label=label)
        ax.fill_between(x, df["low"].to_numpy(), df["high"].to_numpy(), color=color, alpha=st.BAND_ALPHA, lw=0)
        months = list(df.index) if len(df) > len(months) else months
    st.month_axis(ax, months)
    st.ask(ax, title)
    ax.set_ylabel(st.axis_label(ylabel, unit or currency))
    if currency:
        st.money_axis(ax.yaxis)
    if any(float(b["low"].min()) < 0 for b in bands.values()):
        st.reference_line(ax)
    ax.legend(loc="best")
    return st.done(fig, ax, st.band_caption(level, n, seed))


def summary_bars(summary: pd.DataFrame, metrics: Sequence[str], labels: Sequence[str], title: str, ylabel: str,
                 currency: str | None = None, *, unit: str | None = None, n: int | None = None,
                 seed: int | None = None):
    """Bars of means with 95% confidence intervals (from ``Replications.summary()``-like frames).

    ``summary`` is indexed by series label, with columns ``mean``, ``low``, ``high``.
    """
    fig, ax = st.panel()
    x = np.arange(len(summary))
    means = summary["mean"].to_numpy()
    err = np.vstack([means - summary["low"].to_numpy(), summary["high"].to_numpy() - means])
    ax.bar(x, means, color=st.PALETTE[: len(x)], yerr=np.nan_to_num(err), capsize=4)
    ax.set_xticks(x, list(summary.index))
    st.ask(ax, title)
    ax.set_ylabel(st.axis_label(ylabel, unit or currency))
    if currency:
        st.money_axis(ax.yaxis)
    return st.done(fig, ax, st.interval_caption(n, seed))


def funnel_chart(counts: Mapping[str, float] | Mapping[str, Mapping[str, float]], title: str = "Where do leads go?",
                 *, n: int | None = None, months: int | None = None, seed: int | None = None, unit: str = "leads"):
    """Horizontal funnel: mean count per stage, with the conversion from each stage to the next.

    ``counts`` maps stage -> mean count; or, to compare scenarios, scenario -> (stage ->
    mean count), drawn as grouped bars (every scenario with the same stages).
    """
    grouped = bool(counts) and isinstance(next(iter(counts.values())), Mapping)
    series = dict(counts) if grouped else {"": counts}
    names = list(next(iter(series.values())))
    k = len(series)
    fig, ax = st.panel(size=(8, (0.45 if k == 1 else 0.3 * k + 0.25) * len(names) + 2.4))
    y = np.arange(len(names))[::-1].astype(float)
    h = 0.8 / k
    top = 1.0
    for j, ((label, c), colour) in enumerate(zip(series.items(), st.PALETTE * 4)):
        vals = [float(c[name]) for name in names]
        top = max(top, *vals)
        yj = y + (k - 1) / 2 * h - j * h
        ax.barh(yj, vals, height=h * 0.92, color=colour, label=label or None)
        for i, (yi, v) in enumerate(zip(yj, vals)):
            conv = f"  ({v / vals[i - 1]:.0%})" if i > 0 and vals[i - 1] > 0 else ""
            ax.text(v, yi, f" {v:,.0f}{conv}", va="center", fontsize=8 if grouped else 9)
    ax.set_yticks(y, names)
    period = f"over {months} months" if months else "over the period"
    ax.set_xlabel(st.axis_label("how many reach the stage", f"{unit} {period}, mean per replication"))
    ax.set_xlim(0, top * 1.35)
    st.ask(ax, title)
    ax.grid(axis="y", visible=False)
    if grouped:
        ax.legend(loc="lower right", fontsize=8)
    return st.done(fig, ax, f"Each bar: mean number per replication reaching that stage, over "
                            f"{st.replications(n, seed)}. In brackets: the share of the stage above that went on to "
                            "this one.")


def pay_chart(dist: pd.DataFrame, title: str, currency: str, *, n: int | None = None, seed: int | None = None):
    """Monthly pay per person: the median as a dot, the 10th-90th percentile as a line.

    ``dist`` is :func:`salessim.analyses.pay_summary.pay_distribution` (``person``, ``role``,
    ``median``, ``p10``, ``p90``, ``variable_share``).
    """
    d = dist.reset_index(drop=True)
    fig, ax = st.panel(size=(8, 0.28 * len(d) + 2.2))
    y = np.arange(len(d))[::-1]
    roles = list(dict.fromkeys(d["role"]))
    colours = {r: st.PALETTE[i % len(st.PALETTE)] for i, r in enumerate(roles)}
    for role in roles:
        sel = (d["role"] == role).to_numpy()
        ax.hlines(y[sel], d["p10"][sel], d["p90"][sel], color=colours[role], lw=3, alpha=0.45)
        ax.plot(d["median"][sel], y[sel], "o", color=colours[role], ms=5, label=role)
    ax.set_yticks(y, [str(p) for p in d["person"]], fontsize=8)
    ax.set_xlabel(st.axis_label("pay in a month", f"{currency} per person per month"))
    st.money_axis(ax.xaxis)
    ax.grid(axis="y", visible=False)
    st.ask(ax, title)
    if len(roles) > 1:
        ax.legend(loc="upper left", bbox_to_anchor=(1.0, 1.0), fontsize=8)
    return st.done(fig, ax, f"Dot: median monthly pay (salary plus every variable part) over the months of "
                            f"{st.replications(n, seed)}. Line: from the 10th to the 90th percentile: eight months in "
                            "ten fall inside it.")


def baseline_charts(reps: "Replications", out_dir: str | Path, formats: Iterable[str] = DEFAULT_FORMATS) -> list[Path]:
    """The standard charts of one scenario's replications, written to ``out_dir``."""
    cur = reps.scenario.currency
    name = reps.scenario.name
    n, seed = reps.n, reps.seed
    out = Path(out_dir)
    files: list[Path] = []
    bands = {metrics.label(m): reps.monthly_band(m, table="pnl") for m in ("revenue", "profit")}
    files += st.save(band_chart(bands, f"{name}: what will revenue and profit be, month by month?",
                                "revenue and profit", currency=cur, n=n, seed=seed, unit=f"{cur} per month"),
                     out / "revenue_profit", formats)
    mpr = {metrics.label("meetings_per_rep"): reps.monthly_band("meetings_per_rep")}
    files += st.save(band_chart(mpr, f"{name}: how many meetings does each rep hold?",
                                metrics.label("meetings_per_rep"), unit=metrics.unit("meetings_per_rep", cur), n=n,
                                seed=seed),
                     out / "meetings_per_rep", formats)
    pr = reps.per_replication
    funnel = {metrics.label(m): pr[m].mean() for m in ("meetings", "proposals", "won_deals")}
    files += st.save(funnel_chart(funnel, f"{name}: how many meetings turn into contracts?", n=n, seed=seed,
                                  months=reps.scenario.calendar.months, unit="count"), out / "funnel", formats)
    return files
