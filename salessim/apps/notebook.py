"""Helpers the notebooks call: quick mode, the sample CRM export, showing charts and tables.

Notebooks stay thin: they import the package, set a question, call a function and show a
chart. What they share lives here, where it is tested.

* **Quick mode.** With the environment variable ``SALESSIM_QUICK=1`` (as CI sets it),
  :func:`quick` is true and :func:`choose` returns the small value of each pair, so a
  notebook runs top to bottom in seconds with a few replications. Charts then say how
  many replications they show.
* **The sample export.** :func:`crm_sample` finds the sample CRM export
  (``../shared/data/crm_export_sample`` beside the clone of the repository, or the folder
  named by ``SALESSIM_CRM_SAMPLE``) and falls back to the demo export bundled with
  salessim, with a note saying so.
* **Display.** :func:`setup` makes matplotlib figures display as PNG in Jupyter and Voila;
  :func:`show` displays a figure and closes it; :func:`table` displays a DataFrame with
  readable numbers; :func:`say` displays Markdown.
"""

from __future__ import annotations

import html
import io
import math
import os
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any, Mapping, TypeVar

import matplotlib.pyplot as plt
import pandas as pd
from matplotlib.figure import Figure

import salessim

QUICK_ENV = "SALESSIM_QUICK"
SAMPLE_ENV = "SALESSIM_CRM_SAMPLE"
SAMPLE_FILES = ("sales_pipeline.csv", "sales_teams.csv", "products.csv")

T = TypeVar("T")


# --------------------------------------------------------------------------- quick mode
def quick() -> bool:
    """True when ``SALESSIM_QUICK`` is set to 1 / true / yes (CI runs the notebooks this way)."""
    return os.environ.get(QUICK_ENV, "").strip().lower() in ("1", "true", "yes", "on")


def choose(full: T, quick_value: T) -> T:
    """``quick_value`` in quick mode, else ``full`` (e.g. ``choose(40, 3)`` replications)."""
    return quick_value if quick() else full


def banner() -> None:
    """Display :func:`mode_note` in quick mode (nothing otherwise)."""
    if quick():
        say(mode_note())


def mode_note() -> str:
    """One line saying whether this is a quick run (for the top of a notebook)."""
    if quick():
        return (f"**Quick mode** ({QUICK_ENV}=1): few replications and short horizons, so the notebook runs in "
                "seconds. Bands are wide and conclusions tentative; unset it for the full analysis.")
    return ""


# --------------------------------------------------------------------------- the repository and the sample
def repo_root(start: Path | None = None) -> Path | None:
    """The salessim repository this code or the current directory belongs to (holds pyproject.toml and salessim/)."""
    candidates = [Path(salessim.__file__).resolve().parents[1]]
    here = (start or Path.cwd()).resolve()
    candidates += [here, *here.parents]
    for c in candidates:
        if (c / "pyproject.toml").is_file() and (c / "salessim" / "__init__.py").is_file():
            return c
    return None


@dataclass(frozen=True)
class SampleExport:
    """Where a CRM export for the walk-through is, and whether it is the bundled demo."""

    deals: Path
    teams: Path | None
    products: Path | None
    bundled: bool
    note: str


def crm_sample(start: Path | None = None) -> SampleExport:
    """The sample CRM export beside the repository, or the bundled demo export with a note.

    Looked for, in order: the folder in ``SALESSIM_CRM_SAMPLE``; ``shared/data/crm_export_sample``
    in the folder that holds the repository (``../shared/...`` from the repository's root).
    """
    tried: list[Path] = []
    env = os.environ.get(SAMPLE_ENV)
    if env:
        tried.append(Path(env).expanduser())
    root = repo_root(start)
    if root is not None:
        tried.append(root.parent / "shared" / "data" / "crm_export_sample")
    for d in tried:
        if (d / SAMPLE_FILES[0]).is_file():
            teams, products = d / SAMPLE_FILES[1], d / SAMPLE_FILES[2]
            return SampleExport(d / SAMPLE_FILES[0], teams if teams.is_file() else None,
                                products if products.is_file() else None, False,
                                f"Using the sample CRM export at {d}.")

    data = Path(str(resources.files("salessim.calibration") / "demo"))
    where = ", ".join(str(p) for p in tried) or "../shared/data/crm_export_sample (no repository found)"
    note = (f"The sample CRM export was not found (looked in: {where}). Using the demo export bundled with salessim "
            "instead: a year of the built-in baseline scenario, written as a HubSpot export. Set "
            f"{SAMPLE_ENV}=/path/to/folder to walk through another export.")
    return SampleExport(data / "demo_deals.csv", data / "demo_teams.csv", data / "demo_products.csv", True, note)


# --------------------------------------------------------------------------- display
def _png(fig, dpi: int | None = None) -> bytes:
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=dpi, bbox_inches="tight")
    return buf.getvalue()


def setup() -> None:
    """Make matplotlib figures display as PNG in this Jupyter kernel (the package draws headless)."""
    try:
        from IPython import get_ipython
    except ImportError:  # pragma: no cover - outside IPython there is nothing to set up
        return
    ip = get_ipython()
    if ip is None:
        return

    ip.display_formatter.formatters["image/png"].for_type(Figure, lambda fig: _png(fig))

    pd.set_option("display.max_columns", 40)
    pd.set_option("display.width", 200)


def show(fig, dpi: int | None = None) -> None:
    """Display ``fig`` as a PNG and close it (so it is shown once and frees its memory)."""
    from IPython.display import Image, display

    display(Image(data=_png(fig, dpi)))
    plt.close(fig)


def say(markdown: str) -> None:
    """Display Markdown text (for conclusions computed in the notebook)."""
    from IPython.display import Markdown, display

    display(Markdown(markdown))


def fmt_value(v: Any, kind: str = "number") -> str:
    """A number for a reader: thousands separators, % for shares, blanks for missing."""
    if v is None or (isinstance(v, float) and math.isnan(v)):
        return ""
    if isinstance(v, str):
        return v
    if kind == "pct":
        return f"{v:.1f}%"
    if kind == "share":
        return f"{100 * v:.1f}%"
    if kind == "int":
        return f"{v:,.0f}"
    a = abs(v)
    if a >= 100:
        return f"{v:,.0f}"
    if a >= 1:
        return f"{v:,.2f}"
    return f"{v:.3g}"


def table(df, formats: Mapping[str, str] | None = None, index: bool = False):
    """Display a DataFrame with readable numbers (``formats``: column -> number / int / pct / share)."""
    from IPython.display import HTML, display

    display(HTML(table_html(df, formats, index)))


def table_html(df, formats: Mapping[str, str] | None = None, index: bool = False,
               css_class: str = "salessim-table") -> str:
    """A DataFrame as a small HTML table with readable numbers (escaped text)."""
    formats = dict(formats or {})
    d = df.reset_index() if index else df
    head = "".join(f"<th>{html.escape(str(c))}</th>" for c in d.columns)
    rows = []
    for rec in d.itertuples(index=False):
        cells = []
        for c, v in zip(d.columns, rec):
            kind = formats.get(str(c), "number")
            text = fmt_value(v, kind) if not isinstance(v, (bool,)) else str(v)
            align = "left" if isinstance(v, str) else "right"
            cells.append(f'<td style="text-align:{align}">{html.escape(text)}</td>')
        rows.append("<tr>" + "".join(cells) + "</tr>")
    return (f'<table class="{css_class}" style="border-collapse:collapse;font-size:12px">'
            f"<thead><tr>{head}</tr></thead><tbody>{''.join(rows)}</tbody></table>")
