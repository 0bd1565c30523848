"""The chart file formats, without matplotlib: the command line checks ``--formats`` with these
before anything is drawn (and ``salessim show`` never pays for importing matplotlib).

:func:`salessim.views.style.save` writes them.
"""

from __future__ import annotations

from typing import Iterable

from salessim.errors import UserError

#: File formats a chart can be saved in.
FORMATS = ("png", "svg", "pdf")
#: What the command line writes unless ``--formats`` says otherwise.
DEFAULT_FORMATS = ("png", "svg")


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
