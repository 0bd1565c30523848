"""Charts for non-technical readers, in one consistent style.

The house rules, followed by every chart of the package (this module, the experiment charts
in :mod:`salessim.views.experiment_charts` and the calibration charts in
:mod:`salessim.calibration.charts`):

* the **title states the question** the chart answers ("Does a second head pay for
  itself?"), not the quantity ("profit");
* every quantitative **axis names its unit** in brackets at the end of its label
  (``revenue per month (USD)``, ``meetings (per rep per month)``): use :func:`axis_label`;
* a **caption** under the plot says what the lines, bars, whiskers and shaded bands are,
  how many replications they summarise and with which seed (:func:`finish`,
  :func:`band_caption`); :func:`caption_of` reads it back (the HTML report prints it under
  the chart);
* one palette, font and layout (:func:`style`), and export to **PNG, SVG and PDF**
  (:func:`save`; the command line's ``--formats png,svg,pdf``; :func:`parse_formats`
  checks a user's list). SVG and PDF files are reproducible: the same chart gives the same
  bytes (no creation date, fixed SVG ids).

Charts are matplotlib figures; nothing is shown on screen unless you are in a notebook.
"""

from __future__ import annotations

import io
import textwrap
from pathlib import Path
from typing import TYPE_CHECKING, Iterable, Mapping, Sequence

import matplotlib

matplotlib.use("Agg") if not hasattr(matplotlib, "_called_from_notebook") else None  # headless by default
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
from matplotlib.layout_engine import PlaceHolderLayoutEngine  # noqa: E402

from salessim.errors import UserError  # noqa: E402

if TYPE_CHECKING:  # pragma: no cover
    from salessim.runs.replications import Replications

PALETTE = ["#1f5f8b", "#e07b39", "#3a9e6f", "#b5443c", "#7d5ba6", "#8c7a5b", "#d4a017", "#4c9fb8"]
BAND_ALPHA = 0.22
CAPTION_SIZE = 8.0       # points
CAPTION_COLOUR = "#555555"

#: File formats :func:`save` writes.
FORMATS = ("png", "svg", "pdf")
#: What the command line writes unless ``--formats`` says otherwise.
DEFAULT_FORMATS = ("png", "svg")
_METADATA = {"png": {"Software": None}, "svg": {"Date": None}, "pdf": {"CreationDate": None}}


def style() -> None:
    """Apply the house style (called by every chart function)."""
    plt.rcParams.update({
        "figure.figsize": (8.0, 4.6),
        "figure.dpi": 110,
        "savefig.dpi": 150,
        "font.family": "sans-serif",
        "font.sans-serif": ["DejaVu Sans", "Liberation Sans", "Arial", "Helvetica"],
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
        "svg.hashsalt": "salessim",   # stable element ids: the same chart gives the same SVG
        "pdf.fonttype": 42,            # TrueType in PDF: text stays selectable and searchable
    })


def money(x: float, _pos=None) -> str:
    """Compact currency tick labels: 1.25M, 350k, 5.5k (a decimal only where it is needed)."""
    a = abs(x)
    if a >= 1e6:
        return f"{x / 1e6:.2f}".rstrip("0").rstrip(".") + "M"
    if a >= 1e3:
        return f"{x / 1e3:.1f}".rstrip("0").rstrip(".") + "k"
    return f"{x:.0f}"


def without_caption(fig):
    """Remove the caption from ``fig`` (when the caption is printed next to the chart instead); return ``fig``."""
    for t in list(fig.texts):
        if t.get_gid() == "caption":
            t.remove()
    return fig


_MONTH_NAMES = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


def month_tick(label: object) -> str:
    """A month label (``"2027-01"``) as an axis tick a reader cannot take for a day: ``"Jan '27"``."""
    text = str(label)
    try:
        year, month = text[:7].split("-")
        return f"{_MONTH_NAMES[int(month) - 1]} '{year[-2:]}"
    except (ValueError, IndexError):
        return text


def axis_label(what: str, unit: str | None = None) -> str:
    """An axis label with its unit in brackets at the end: ``axis_label("revenue", "USD")`` -> ``revenue (USD)``."""
    return f"{what} ({unit})" if unit else what


def band_caption(level: float = 0.90, n: int | None = None, seed: int | None = None, *,
                 line: str = "mean") -> str:
    """The standard words for a chart of lines with bands over replications."""
    runs = f"{n} replications" if n else "the replications"
    seeded = f" (seed {seed})" if seed is not None else ""
    return (f"Line: {line} of {runs}{seeded}. Shaded band: the middle {level:.0%} of replications in each "
            f"month (in {level:.0%} of simulated months the value fell inside it). The band shows how much a "
            "single month can vary, not the uncertainty of the mean.")


def _wrap(fig, text: str) -> str:
    width_in = fig.get_size_inches()[0]
    chars = max(40, int(width_in * 72 / (CAPTION_SIZE * 0.55)))
    return "\n".join(textwrap.fill(par, chars) for par in text.split("\n"))


def caption(fig, text: str):
    """A small caption under the plot area, wrapped to the figure's width; returns the text artist.

    The caption is kept on the figure (:func:`caption_of` reads it back). Call
    :func:`finish` instead to also make room for it.
    """
    wrapped = _wrap(fig, text)
    t = fig.text(0.01, 0.01, wrapped, fontsize=CAPTION_SIZE, color=CAPTION_COLOUR, ha="left", va="bottom")
    t.set_gid("caption")
    fig._salessim_caption = text  # noqa: SLF001 - read by caption_of
    return t


def finish(fig, text: str, top: float = 1.0) -> None:
    """Add the caption and lay the figure out so the caption does not overlap the axes."""
    t = caption(fig, text)
    lines = t.get_text().count("\n") + 1
    height_pt = fig.get_size_inches()[1] * 72
    bottom = min(0.45, (lines * CAPTION_SIZE * 1.3 + 10) / height_pt)
    fig.tight_layout(rect=(0, bottom, 1, top))
    # tight_layout leaves a placeholder layout engine behind, which makes every savefig lay the
    # figure out again in a draw of its own before the real one; the layout is done, drop it
    if isinstance(fig.get_layout_engine(), PlaceHolderLayoutEngine):
        fig.set_layout_engine(None)


def caption_of(fig) -> str | None:
    """The caption a chart function gave ``fig`` (None if it has none)."""
    return getattr(fig, "_salessim_caption", None)


def title_of(fig) -> str:
    """The question a chart asks: its figure title, else its first axes' title."""
    sup = getattr(fig, "_suptitle", None)
    if sup is not None and sup.get_text():
        return sup.get_text()
    for ax in fig.axes:
        if ax.get_title():
            return ax.get_title()
    return ""


# --------------------------------------------------------------------------- charts
def band_chart(bands: dict[str, pd.DataFrame], title: str, ylabel: str, level: float = 0.90,
               currency: str | None = None, n: int | None = None, ax=None, *, unit: str | None = None,
               seed: int | None = None):
    """Lines of the mean with shaded bands, one per series, over months.

    ``bands`` maps a series label to a frame indexed by month with ``mean``, ``low``,
    ``high`` columns (as :meth:`Replications.monthly_band` returns). The y axis is
    ``ylabel (unit)``, where the unit is ``unit`` or else ``currency`` (money is drawn with
    compact tick labels). ``n`` and ``seed`` go into the caption.
    """
    style()
    fig = None
    if ax is None:
        fig, ax = plt.subplots()
    for (label, df), color in zip(bands.items(), PALETTE * 4):
        x = np.arange(len(df))
        ax.plot(x, df["mean"].to_numpy(), color=color, lw=2, label=label)
        ax.fill_between(x, df["low"].to_numpy(), df["high"].to_numpy(), color=color, alpha=BAND_ALPHA, lw=0)
        step = max(1, int(np.ceil(len(df) / 12)))
        ax.set_xticks(x[::step], [month_tick(m) for m in df.index[::step]], rotation=0, fontsize=8)
    ax.set_title(title)
    ax.set_ylabel(axis_label(ylabel, unit or currency))
    ax.set_xlabel("month (month and year)")
    if currency:
        ax.yaxis.set_major_formatter(matplotlib.ticker.FuncFormatter(money))
    if any(float(b["low"].min()) < 0 for b in bands.values()):
        ax.axhline(0, color="#333333", lw=0.8)
    ax.legend(loc="best")
    if fig is not None:
        finish(fig, band_caption(level, n, seed))
    return fig or ax.figure


def summary_bars(summary: pd.DataFrame, metrics: Sequence[str], labels: Sequence[str], title: str, ylabel: str,
                 currency: str | None = None, *, unit: str | None = None, n: int | None = None,
                 seed: int | None = None):
    """Bars of means with 95% confidence intervals (from ``Replications.summary()``-like frames).

    ``summary`` is indexed by series label, with columns ``mean``, ``low``, ``high``.
    """
    style()
    fig, ax = plt.subplots()
    x = np.arange(len(summary))
    means = summary["mean"].to_numpy()
    err = np.vstack([means - summary["low"].to_numpy(), summary["high"].to_numpy() - means])
    ax.bar(x, means, color=PALETTE[: len(x)], yerr=np.nan_to_num(err), capsize=4)
    ax.set_xticks(x, list(summary.index))
    ax.set_title(title)
    ax.set_ylabel(axis_label(ylabel, unit or currency))
    if currency:
        ax.yaxis.set_major_formatter(matplotlib.ticker.FuncFormatter(money))
    runs = f"{n} replications" if n else "replications"
    seeded = f" (seed {seed})" if seed is not None else ""
    finish(fig, f"Bars: mean over {runs}{seeded}. Whiskers: 95% confidence interval of the mean (where the "
                "true long-run average lies, given the replications run).")
    return fig


def funnel_chart(counts: Mapping[str, float] | Mapping[str, Mapping[str, float]], title: str = "Where do leads go?",
                 *, n: int | None = None, months: int | None = None, seed: int | None = None, unit: str = "leads"):
    """Horizontal funnel: mean count per stage, with the conversion from each stage to the next.

    ``counts`` maps stage -> mean count; or, to compare scenarios, scenario -> (stage ->
    mean count), drawn as grouped bars (every scenario with the same stages).
    """
    style()
    grouped = bool(counts) and isinstance(next(iter(counts.values())), Mapping)
    series = dict(counts) if grouped else {"": counts}
    names = list(next(iter(series.values())))
    k = len(series)
    fig, ax = plt.subplots(figsize=(8, (0.45 if k == 1 else 0.3 * k + 0.25) * len(names) + 2.4))
    y = np.arange(len(names))[::-1].astype(float)
    h = 0.8 / k
    top = 1.0
    for j, ((label, c), colour) in enumerate(zip(series.items(), PALETTE * 4)):
        vals = [float(c[name]) for name in names]
        top = max(top, *vals)
        yj = y + (k - 1) / 2 * h - j * h
        ax.barh(yj, vals, height=h * 0.92, color=colour, label=label or None)
        for i, (yi, v) in enumerate(zip(yj, vals)):
            conv = f"  ({v / vals[i - 1]:.0%})" if i > 0 and vals[i - 1] > 0 else ""
            ax.text(v, yi, f" {v:,.0f}{conv}", va="center", fontsize=8 if grouped else 9)
    ax.set_yticks(y, names)
    period = f"over {months} months" if months else "over the period"
    ax.set_xlabel(axis_label("how many reach the stage", f"{unit} {period}, mean per replication"))
    ax.set_xlim(0, top * 1.35)
    ax.set_title(title)
    ax.grid(axis="y", visible=False)
    if grouped:
        ax.legend(loc="lower right", fontsize=8)
    runs = f"{n} replications" if n else "the replications"
    seeded = f" (seed {seed})" if seed is not None else ""
    finish(fig, f"Each bar: mean number per replication reaching that stage, over {runs}{seeded}. In brackets: "
                "the share of the stage above that went on to this one.")
    return fig


def pay_chart(dist: pd.DataFrame, title: str, currency: str, *, n: int | None = None, seed: int | None = None):
    """Monthly pay per person: the median as a dot, the 10th-90th percentile as a line.

    ``dist`` is :func:`salessim.analyses.pay_summary.pay_distribution` (``person``, ``role``,
    ``median``, ``p10``, ``p90``, ``variable_share``).
    """
    style()
    d = dist.reset_index(drop=True)
    fig, ax = plt.subplots(figsize=(8, 0.28 * len(d) + 2.2))
    y = np.arange(len(d))[::-1]
    roles = list(dict.fromkeys(d["role"]))
    colours = {r: PALETTE[i % len(PALETTE)] for i, r in enumerate(roles)}
    for role in roles:
        sel = (d["role"] == role).to_numpy()
        ax.hlines(y[sel], d["p10"][sel], d["p90"][sel], color=colours[role], lw=3, alpha=0.45)
        ax.plot(d["median"][sel], y[sel], "o", color=colours[role], ms=5, label=role)
    ax.set_yticks(y, [str(p) for p in d["person"]], fontsize=8)
    ax.set_xlabel(axis_label("pay in a month", f"{currency} per person per month"))
    ax.xaxis.set_major_formatter(matplotlib.ticker.FuncFormatter(money))
    ax.grid(axis="y", visible=False)
    ax.set_title(title)
    if len(roles) > 1:
        ax.legend(loc="upper left", bbox_to_anchor=(1.0, 1.0), fontsize=8)
    runs = f"{n} replications" if n else "the replications"
    seeded = f" (seed {seed})" if seed is not None else ""
    finish(fig, f"Dot: median monthly pay (salary plus every variable part) over the months of {runs}{seeded}. "
                "Line: from the 10th to the 90th percentile: eight months in ten fall inside it.")
    return fig


# --------------------------------------------------------------------------- output
def parse_formats(formats: str | Iterable[str]) -> tuple[str, ...]:
    """Check a list of chart formats (``"png,svg,pdf"`` or a sequence); raise :class:`UserError` if unknown."""
    items = [f.strip().lower().lstrip(".") for f in (formats.split(",") if isinstance(formats, str) else formats)]
    items = [f for f in items if f]
    if not items:
        raise UserError(f"expected one or more of {', '.join(FORMATS)} separated by commas, got nothing",
                        field="formats")
    bad = [f for f in items if f not in FORMATS]
    if bad:
        raise UserError(f"unknown chart format {bad[0]!r}: expected one or more of {', '.join(FORMATS)}",
                        field="formats")
    return tuple(dict.fromkeys(items))


def figure_bytes(fig, fmt: str = "png") -> bytes:
    """The chart as bytes in ``fmt`` (png, svg or pdf), without closing it."""
    (fmt,) = parse_formats([fmt])
    buf = io.BytesIO()
    fig.savefig(buf, format=fmt, bbox_inches="tight", metadata=_METADATA[fmt])
    return buf.getvalue()


def save(fig, path: str | Path, formats: Iterable[str] = DEFAULT_FORMATS) -> list[Path]:
    """Save ``fig`` as ``path.<fmt>`` for each format (png, svg, pdf); close it; return the files written."""
    formats = parse_formats(formats)
    path = Path(path)
    out = []
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        for fmt in formats:
            f = path.with_suffix(f".{fmt}")
            fig.savefig(f, format=fmt, bbox_inches="tight", metadata=_METADATA[fmt])
            out.append(f)
    except OSError as e:
        raise UserError(f"cannot write the chart ({e.strerror or e})", source=str(path)) from None
    finally:
        plt.close(fig)
    return out


def baseline_charts(reps: "Replications", out_dir: str | Path, formats: Iterable[str] = DEFAULT_FORMATS) -> list[Path]:
    """The standard charts of one scenario's replications, written to ``out_dir``."""
    cur = reps.scenario.currency
    name = reps.scenario.name
    n, seed = reps.n, reps.seed
    files: list[Path] = []
    pnl_rev = reps.monthly_band("revenue", table="pnl")
    pnl_profit = reps.monthly_band("profit", table="pnl")
    files += save(band_chart({"revenue": pnl_rev, "profit": pnl_profit},
                             f"{name}: what will revenue and profit be, month by month?", "revenue and profit",
                             currency=cur, n=n, seed=seed, unit=f"{cur} per month"),
                  Path(out_dir) / "revenue_profit", formats)
    mpr = reps.monthly_band("meetings_per_rep")
    files += save(band_chart({"meetings per rep": mpr}, f"{name}: how many meetings does each rep hold?",
                             "meetings held", unit="per rep per month", n=n, seed=seed),
                  Path(out_dir) / "meetings_per_rep", formats)
    pr = reps.per_replication
    funnel = {
        "meetings held": pr["meetings"].mean(),
        "proposals sent": pr["proposals"].mean(),
        "deals won": pr["won_deals"].mean(),
    }
    files += save(funnel_chart(funnel, f"{name}: how many meetings turn into contracts?", n=n, seed=seed,
                               months=reps.scenario.calendar.months, unit="count"),
                  Path(out_dir) / "funnel", formats)
    return files
