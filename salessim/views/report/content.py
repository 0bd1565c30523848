"""The pieces a report is made of: sections holding text, charts and tables.

Charts and tables are numbered in reading order (Figure 1, Table 1, ...) when the report is
assembled; the table of contents is built from the same list, so it names exactly the
charts and tables the report holds.

A :class:`Table` keeps two forms of the same content: ``data``, tidy and numeric (what the
CSV and Excel exports write, with units in a column or in the column names), and
``display``, the formatted text the HTML shows.
"""

from __future__ import annotations

import base64
import re
from dataclasses import dataclass, field
from typing import Union

import pandas as pd


@dataclass
class Text:
    """Paragraphs (``kind="p"``), a bullet list (``"ul"``), a sub-heading (``"h3"``), a callout (``"note"``),
    or headings each with a list of lines (``"dl"``, in ``pairs``)."""

    kind: str
    lines: list[str]
    pairs: list[tuple[str, list[str]]] = field(default_factory=list)


@dataclass
class Chart:
    """A rendered chart: its question, caption and image (inline SVG markup or PNG bytes)."""

    key: str
    title: str
    caption: str
    svg: str | None = None
    png: bytes | None = None
    number: int = 0
    kind = "chart"

    @property
    def anchor(self) -> str:
        return f"figure-{self.number}"

    @property
    def label(self) -> str:
        return f"Figure {self.number}"

    @property
    def png_uri(self) -> str:
        return "data:image/png;base64," + base64.b64encode(self.png or b"").decode("ascii")


@dataclass
class Table:
    """A table: ``data`` (numeric, for export) and ``display`` (text, for the page)."""

    key: str
    title: str
    data: pd.DataFrame
    display: pd.DataFrame
    note: str = ""
    numeric: list[bool] = field(default_factory=list)   # per display column: right-align
    number: int = 0
    kind = "table"

    def __post_init__(self) -> None:
        if not self.numeric:
            self.numeric = [i > 0 for i in range(self.display.shape[1])]
        if len(self.numeric) != self.display.shape[1]:
            raise ValueError(f"table {self.key}: {len(self.numeric)} alignment flags for {self.display.shape[1]} columns")

    def rows(self) -> list[list[str]]:
        """The display cells as text."""
        return [["" if v is None or (isinstance(v, float) and v != v) else str(v) for v in row]
                for row in self.display.itertuples(index=False, name=None)]

    def columns(self) -> list[str]:
        return [str(c) for c in self.display.columns]

    @property
    def anchor(self) -> str:
        return f"table-{self.number}"

    @property
    def label(self) -> str:
        return f"Table {self.number}"

    @property
    def file_stem(self) -> str:
        """A file name for the exported table: ``03_kpi_summary``."""
        return f"{self.number:02d}_{slug(self.key)}"

    @property
    def sheet(self) -> str:
        """The Excel sheet name (at most 31 characters; unique by its number)."""
        return self.file_stem[:31]


Item = Union[Text, Chart, Table]


@dataclass
class Section:
    """A numbered part of the report."""

    key: str
    title: str
    items: list[Item] = field(default_factory=list)
    number: int = 0

    @property
    def anchor(self) -> str:
        return f"section-{slug(self.key)}"

    def add(self, item: Item) -> Item:
        self.items.append(item)
        return item

    def text(self, kind: str, *lines: str) -> None:
        self.items.append(Text(kind, [line for line in lines if line]))


def slug(text: str) -> str:
    """Lower-case letters, digits and underscores only."""
    return re.sub(r"[^a-z0-9]+", "_", text.lower()).strip("_") or "item"


def number_items(sections: list[Section]) -> None:
    """Number sections, figures and tables in reading order."""
    fig = tab = 0
    for i, s in enumerate(sections, start=1):
        s.number = i
        for item in s.items:
            if isinstance(item, Chart):
                fig += 1
                item.number = fig
            elif isinstance(item, Table):
                tab += 1
                item.number = tab
