"""Widgets for notebooks and the app view: reusable panels built from the pydantic schemas.

* :mod:`.knobs`: what a control needs (kind, bounds, unit, description), read from a schema;
* :mod:`.panel`: :class:`Panel`, knobs plus a run button with a progress bar, a chart and
  numbers updated in place, a cache of settings already shown, and validation messages
  shown in the panel;
* :mod:`.panels`: the ready-made panels of the notebooks: :func:`scenario_panel`,
  :func:`growth_panel`, :func:`commission_panel`.

Needs ipywidgets (``pip install "salessim[notebooks]"``).
"""

from __future__ import annotations

try:
    import ipywidgets  # noqa: F401
except ImportError as e:  # pragma: no cover - the notebooks extra is not installed
    raise ImportError("salessim.apps.widgets needs ipywidgets: pip install \"salessim[notebooks]\"") from e

from salessim.apps.widgets.knobs import Knob, KnobSpec, resolve
from salessim.apps.widgets.panel import Panel, Rendered, View
from salessim.apps.widgets.panels import commission_panel, growth_panel, scenario_panel

__all__ = ["Knob", "KnobSpec", "Panel", "Rendered", "View", "commission_panel", "growth_panel", "resolve",
           "scenario_panel"]
