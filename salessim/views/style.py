"""The house style of every chart in the package, in one place.

Every chart module (:mod:`salessim.views.charts`, :mod:`salessim.views.experiment_charts`,
:mod:`salessim.views.growth_charts`, :mod:`salessim.views.commission_charts`, the client
report) draws with it, and ``tests/unit/test_chart_style.py`` checks each chart:

* the **title asks the question** the chart answers ("Does a second head pay for itself?"),
  not the quantity ("profit"): :func:`ask`;
* every quantitative **axis names its unit** in brackets at the end of its label
  (``revenue paid (USD per month)``): :func:`axis_label`, and for a KPI
  :func:`metric_axis_label`, which takes the words and the unit from the KPI table
  (:mod:`salessim.results.metrics`); money ticks are compact (``1.25M``, ``350k``: :func:`money`);
* a **caption** under the plot says what the lines, bars, whiskers and shaded bands are,
  over how many replications and with which seed (:func:`replications`, :func:`band_caption`,
  :func:`interval_caption`; :func:`finish` draws it); :func:`caption_of` reads it back, and
  the HTML report prints it under the chart instead (:func:`without_caption`);
* one palette, font and layout (:func:`style`, :data:`PALETTE`, :data:`BAND_ALPHA`), months
  as ``Jan '27`` (:func:`month_axis`), and files in **PNG, SVG and PDF** (:func:`save`,
  :func:`figure_bytes`; the command line's ``--formats``, checked by
  :func:`salessim.views.formats.parse_formats`). The same chart gives the same bytes: no
  creation date, fixed SVG ids.

Charts are matplotlib figures; nothing is shown on screen unless you are in a notebook.
"""

from __future__ import annotations

import io
import textwrap
from pathlib import Path
from typing import Iterable, Sequence

import matplotlib

matplotlib.use("Agg") if not hasattr(matplotlib, "_called_from_notebook") else None  # headless by default
import matplotlib.pyplot as plt  # noqa: E402
from matplotlib.layout_engine import PlaceHolderLayoutEngine  # noqa: E402
from matplotlib.ticker import FuncFormatter  # noqa: E402

from salessim.errors import UserError  # noqa: E402
from salessim.results import metrics  # noqa: E402
from salessim.views.formats import DEFAULT_FORMATS, parse_formats  # noqa: E402

#: The series colours, in order.
PALETTE = ["#1f5f8b", "#e07b39", "#3a9e6f", "#b5443c", "#7d5ba6", "#8c7a5b", "#d4a017", "#4c9fb8"]
#: Opacity of a shaded band (the middle 90% of replications, an interval).
BAND_ALPHA = 0.22
#: Reference lines (zero, the base scenario) and error bars.
INK = "#333333"
#: A verdict's colour: better, worse, no detectable difference.
GOOD, BAD, NEUTRAL = "#3a9e6f", "#b5443c", "#9a9a9a"
CAPTION_SIZE = 8.0       # points
CAPTION_COLOUR = "#555555"

_METADATA = {"png": {"Software": None}, "svg": {"Date": None}, "pdf": {"CreationDate": None}}
_MONTH_NAMES = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


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


def verdict_colour(verdict: str) -> str:
    """:data:`GOOD` for ``better``, :data:`BAD` for ``worse``, :data:`NEUTRAL` otherwise."""
    return GOOD if verdict == "better" else BAD if verdict == "worse" else NEUTRAL


# --------------------------------------------------------------------------- figures and titles
def panel(ax=None, size: tuple[float, float] | None = None):
    """``(fig, ax)``: a new figure of ``size`` (inches) when ``ax`` is None, else ``(None, ax)`` to
    draw into another figure's axes (a dashboard); :func:`done` finishes either."""
    style()
    if ax is None:
        fig, ax = plt.subplots(figsize=size) if size else plt.subplots()
        return fig, ax
    return None, ax


def done(fig, ax, text: str, top: float = 1.0):
    """Finish a chart made by :func:`panel`: with a figure of its own, add the caption ``text``
    (:func:`finish`); drawn into another figure, leave the caption to that figure. Returns the figure."""
    if fig is not None:
        finish(fig, text, top)
        return fig
    return ax.figure


def ask(target, question: str) -> None:
    """Title a chart with the question it answers: an Axes gets its title, a Figure its bold suptitle."""
    if hasattr(target, "suptitle"):
        target.suptitle(question, fontweight="bold", fontsize=13)
    else:
        target.set_title(question)


def title_of(fig) -> str:
    """The question a chart asks: its figure title, else its first axes' title."""
    sup = getattr(fig, "_suptitle", None)
    if sup is not None and sup.get_text():
        return sup.get_text()
    for ax in fig.axes:
        if ax.get_title():
            return ax.get_title()
    return ""


def reference_line(ax, value: float = 0.0, vertical: bool = False) -> None:
    """A thin dark line at ``value`` (zero, or the base scenario) across the plot."""
    (ax.axvline if vertical else ax.axhline)(value, color=INK, lw=0.8)


# --------------------------------------------------------------------------- axes and units
def axis_label(what: str, unit: str | None = None) -> str:
    """An axis label with its unit in brackets at the end: ``axis_label("revenue", "USD")`` -> ``revenue (USD)``."""
    return f"{what} ({unit})" if unit else what


def metric_axis_label(name: str, currency: str, when: str = "", *, shown: bool = False) -> str:
    """A KPI's axis label from the KPI table: its words and unit, and when it is counted.

    ``metric_axis_label("revenue", "USD", "whole period")`` -> ``revenue paid (USD, whole
    period)``; ``when="per month"`` -> ``revenue paid (USD per month)``. ``shown``: the unit of
    the value as drawn in % for a share (:func:`salessim.results.metrics.shown_unit`).
    """
    unit = metrics.shown_unit(name, currency) if shown else metrics.unit(name, currency)
    if when:
        unit = f"{unit} {when}" if when.startswith("per ") else f"{unit}, {when}"
    return axis_label(metrics.label(name), unit)


def money(x: float, _pos=None) -> str:
    """Compact money tick labels: 1.25M, 350k, 5.5k (a decimal only where it is needed)."""
    return metrics.compact(x)


def money_axis(axis) -> None:
    """Compact money ticks on ``axis`` (``ax.xaxis`` or ``ax.yaxis``)."""
    axis.set_major_formatter(FuncFormatter(money))


def money_colorbar(cb) -> None:
    """Compact money ticks on a colour bar."""
    cb.formatter = FuncFormatter(money)
    cb.update_ticks()


def metric_axis(ax, name: str, currency: str, when: str = "", which: str = "y") -> None:
    """Label ``ax``'s ``which`` axis with a KPI (:func:`metric_axis_label`), with money ticks for an amount."""
    axis = ax.yaxis if which == "y" else ax.xaxis
    axis.set_label_text(metric_axis_label(name, currency, when))
    if metrics.is_money(name):
        money_axis(axis)


def month_tick(label: object) -> str:
    """A month label (``"2027-01"``) as an axis tick a reader cannot take for a day: ``"Jan '27"``."""
    text = str(label)
    try:
        year, month = text[:7].split("-")
        return f"{_MONTH_NAMES[int(month) - 1]} '{year[-2:]}"
    except (ValueError, IndexError):
        return text


#: Width a month's tick label (``Sep '27`` at 8 points: 0.42) needs, with a gap to the next (inches).
MONTH_TICK_INCHES = 0.5


def month_axis(ax, months: Sequence[object]) -> None:
    """Months on the x axis (``Jan '27``), for values drawn at 0, 1, 2, ...: every month, or every
    second, third, ... month, so that at most 12 labels show and they do not run into each other
    on the axes' width (a chart of two panels side by side shows every second month)."""
    width = ax.get_position().width * ax.figure.get_size_inches()[0]
    fits = max(2, min(12, int(width / MONTH_TICK_INCHES)))
    step = max(1, -(-len(months) // fits))
    ticks = list(range(0, len(months), step))
    ax.set_xticks(ticks, [month_tick(months[i]) for i in ticks], rotation=0, fontsize=8)
    ax.set_xlabel(axis_label("month", "month and year"))


# --------------------------------------------------------------------------- captions
#: How a set of paired replications is described.
PAIRED = "paired: the same random numbers for every option"


def replications(n: int | None, seed: int | None = None, pairing: str = "") -> str:
    """Over how many replications and with which seed: ``20 replications (seed 4)``,
    ``3 replications (paired: the same random numbers for every option, seed 1)``."""
    runs = (f"{n} replications" if n != 1 else "1 replication") if n else "the replications"
    notes = [t for t in (pairing, f"seed {seed}" if seed is not None else "") if t]
    return f"{runs} ({', '.join(notes)})" if notes else runs


def band_caption(level: float = 0.90, n: int | None = None, seed: int | None = None, *, line: str = "mean",
                 marks: str = "Line", pairing: str = "") -> str:
    """The standard words for lines with shaded bands over replications, month by month."""
    bands = "Shaded bands" if marks.endswith("s") else "Shaded band"
    return (f"{marks}: {line} of {replications(n, seed, pairing)}. {bands}: the middle {level:.0%} of replications "
            f"in each month (in {level:.0%} of simulated months the value fell inside it). A band shows how much a "
            "single month can vary, not the uncertainty of the mean.")


def interval_caption(n: int | None, seed: int | None = None, *, marks: str = "Bars", what: str = "mean",
                     pairing: str = "") -> str:
    """The standard words for means with 95% confidence intervals as whiskers."""
    return (f"{marks}: {what} over {replications(n, seed, pairing)}. Whiskers: 95% confidence interval of the mean "
            "(where the true long-run average lies, given the replications run).")


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


def without_caption(fig):
    """Remove the caption from ``fig`` (when the caption is printed next to the chart instead); return ``fig``."""
    for t in list(fig.texts):
        if t.get_gid() == "caption":
            t.remove()
    return fig


# --------------------------------------------------------------------------- files
def tight_box(fig):
    """The area every file of ``fig`` is cut to (inches): the tight box around what is drawn, padded
    as ``savefig`` pads it. Measured once with the figure's own renderer, so that saving in several
    formats does not lay the figure out again for each (``bbox_inches="tight"`` would: 0.1 s a
    file); "tight" where the canvas has no renderer of its own."""
    get_renderer = getattr(fig.canvas, "get_renderer", None)
    if get_renderer is None:
        return "tight"
    return fig.get_tightbbox(get_renderer()).padded(plt.rcParams["savefig.pad_inches"])


def figure_bytes(fig, fmt: str = "png") -> bytes:
    """The chart as bytes in ``fmt`` (png, svg or pdf), without closing it."""
    (fmt,) = parse_formats([fmt])
    buf = io.BytesIO()
    fig.savefig(buf, format=fmt, bbox_inches=tight_box(fig), metadata=_METADATA[fmt])
    return buf.getvalue()


def save(fig, path: str | Path, formats: Iterable[str] = DEFAULT_FORMATS) -> list[Path]:
    """Save ``fig`` as ``path.<fmt>`` for each format (png, svg, pdf); close it; return the files written."""
    formats = parse_formats(formats)
    path = Path(path)
    out = []
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        box = tight_box(fig)
        for fmt in formats:
            f = path.with_suffix(f".{fmt}")
            fig.savefig(f, format=fmt, bbox_inches=box, metadata=_METADATA[fmt])
            out.append(f)
    except OSError as e:
        raise UserError(f"cannot write the chart ({e.strerror or e})", source=str(path)) from None
    finally:
        plt.close(fig)
    return out
