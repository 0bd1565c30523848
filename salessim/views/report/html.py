"""Rendering a :class:`~salessim.views.report.build.Report` as one self-contained HTML page.

Self-contained means the file needs nothing else to open, offline, years later: the CSS is
in a ``<style>`` element, charts are inline SVG (or PNG as ``data:`` URIs), and nothing
refers to an external address (no scripts, fonts, style sheets or images from elsewhere).
Text from scenario files is escaped (Jinja2 autoescaping), so a scenario named
``<script>`` is shown, not run.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from jinja2 import Environment, PackageLoader, StrictUndefined
from markupsafe import Markup

from salessim.views import style

if TYPE_CHECKING:  # pragma: no cover
    from salessim.views.report.build import Report

_ID = re.compile(r'\bid="([^"]+)"')


def inline_svg(fig, prefix: str) -> str:
    """``fig`` as SVG markup ready to inline in HTML.

    Text stays text (searchable, small), the XML prolog, metadata and namespace URIs are
    removed (HTML parsers do not need them, and the page then names no external address),
    and every element id is prefixed so several charts can share a page.
    """
    prefix = re.sub(r"[^A-Za-z0-9_-]", "_", prefix)
    with style.plt.rc_context({"svg.fonttype": "none", "svg.hashsalt": prefix}):
        svg = style.figure_bytes(fig, "svg").decode("utf-8")
    svg = svg[svg.index("<svg"):]
    svg = re.sub(r"<metadata>.*?</metadata>\s*", "", svg, flags=re.S)
    svg = re.sub(r'\s+xmlns(:xlink)?="[^"]*"', "", svg)
    svg = re.sub(r"<!--.*?-->", "", svg, flags=re.S)
    ids = set(_ID.findall(svg))
    svg = _ID.sub(lambda m: f'id="{prefix}-{m.group(1)}"', svg)
    svg = re.sub(r"url\(#([^)]+)\)", lambda m: f"url(#{prefix}-{m.group(1)})" if m.group(1) in ids else m.group(0), svg)
    svg = re.sub(r'((?:xlink:)?href)="#([^"]+)"',
                 lambda m: f'{m.group(1)}="#{prefix}-{m.group(2)}"' if m.group(2) in ids else m.group(0), svg)
    title = style.title_of(fig)
    svg = svg.replace("<svg", f'<svg role="img" aria-label="{_attr(title)}"', 1)
    return svg.strip()


def _attr(text: str) -> str:
    return (text.replace("&", "&amp;").replace('"', "&quot;").replace("<", "&lt;").replace(">", "&gt;"))


def render(report: "Report") -> str:
    """The report as HTML text."""
    env = Environment(loader=PackageLoader("salessim.views.report", "templates"), autoescape=True, trim_blocks=True,
                      lstrip_blocks=True, undefined=StrictUndefined)
    env.filters["svg"] = lambda s: Markup(s)  # noqa: S704 - matplotlib's own SVG, ids rewritten above
    return env.get_template("report.html.j2").render(r=report)
