"""A reusable panel: knobs, a run button with a progress bar, a chart and numbers updated in place.

:class:`Panel` is generic: it is given knobs (read from a pydantic schema, see
:mod:`.knobs`) and a *compute* function ``compute(values, progress) -> (figure, numbers
HTML, text HTML)``. It

* builds one control per knob: a slider for numbers (it updates on release:
  ``continuous_update=False``), a drop-down for choices, a check box for yes/no; each label
  carries its unit, and its tooltip the schema's description;
* re-runs when a control changes (or on the *Run* button when *update on change* is off),
  showing a progress bar as replications finish;
* keeps the chart (an image widget) and the numbers (an HTML table) and replaces their
  contents **in place**, so the page does not jump;
* answers settings it has already shown from its own cache at once, and leaves
  replications already run to the shared outcome cache (:mod:`salessim.runs.cache`);
* shows an invalid combination of settings as salessim's one-line message in the panel
  (a :class:`~salessim.errors.UserError`), never a traceback, and keeps the last valid
  chart, marked as such.
"""

from __future__ import annotations

import html
import io
import logging
import time
from collections import OrderedDict
from dataclasses import dataclass
from typing import Any, Callable, Sequence

import ipywidgets as W
import matplotlib.pyplot as plt

from salessim.apps.widgets.knobs import KnobSpec, humanise
from salessim.errors import UserError
from salessim.runs.cache import CACHE
from salessim.views.style import caption_of

log = logging.getLogger("salessim.apps.widgets")

Progress = Callable[[int, int], None]
Compute = Callable[[dict[str, Any], Progress], "Rendered"]

LABEL_WIDTH = "300px"


@dataclass
class Rendered:
    """What a compute function returns: a matplotlib figure (or PNG bytes), numbers and text as HTML."""

    figure: Any
    numbers_html: str = ""
    text_html: str = ""


@dataclass
class View:
    """What the panel shows for one set of values."""

    png: bytes
    numbers_html: str
    text_html: str
    seconds: float
    simulated: int


def figure_png(fig, dpi: int = 90) -> bytes:
    """A matplotlib figure as PNG bytes (the figure is closed)."""
    if isinstance(fig, (bytes, bytearray)):
        return bytes(fig)

    buf = io.BytesIO()
    # a chart laid out by style.finish already fits its figure; a "tight" box would render
    # it twice (once to measure), about 15% of the drawing time on every panel update
    fig.savefig(buf, format="png", dpi=dpi, bbox_inches=None if caption_of(fig) is not None else "tight")
    plt.close(fig)
    return buf.getvalue()


# --------------------------------------------------------------------------- controls
def control(spec: KnobSpec):
    """The ipywidgets control of a knob (value set, updates on release)."""
    common = dict(layout=W.Layout(width="260px"))
    if spec.kind == "bool":
        c = W.Checkbox(value=bool(spec.value), indent=False, **common)
    elif spec.kind == "choice":
        # shown in words ("executed margin"), the value stays the schema's ("executed_margin")
        c = W.Dropdown(options=[(humanise(o) if isinstance(o, str) else str(o), o) for o in spec.options],
                       value=spec.value, **common)
    elif spec.kind == "int":
        c = W.IntSlider(value=int(spec.value), min=int(spec.min), max=int(spec.max), step=int(spec.step or 1),
                        continuous_update=False, **common)
    else:
        step = float(spec.step or 0.01)
        digits = max(0, -int(f"{step:e}".split("e")[1]))
        c = W.FloatSlider(value=float(spec.value), min=float(spec.min), max=float(spec.max), step=step,
                          continuous_update=False, readout_format=f".{digits}f", **common)
    c.add_class("salessim-knob")
    c.add_class(f"salessim-knob-{spec.name}")
    return c


def labelled(spec: KnobSpec, ctl) -> W.HBox:
    tip = html.escape(spec.description or spec.full_label, quote=True)
    lab = W.HTML(f'<span title="{tip}">{html.escape(spec.full_label)}</span>',
                 layout=W.Layout(width=LABEL_WIDTH))
    return W.HBox([lab, ctl])


# --------------------------------------------------------------------------- the panel
class Panel:
    """Knobs, a run button with a progress bar, and a chart and numbers updated in place.

    Parameters
    ----------
    title:
        The question the panel answers (shown at the top).
    specs:
        The knobs (:class:`~salessim.apps.widgets.knobs.KnobSpec`), in the order shown.
    compute:
        ``compute(values, progress) -> Rendered``; raises :class:`UserError` for settings
        that do not hold together (the message is shown in the panel).
    note:
        A line under the title (e.g. what the horizon is).
    auto:
        Re-run as soon as a control is released (otherwise only on *Run*).
    run_now:
        Compute once when the panel is built.
    """

    def __init__(self, title: str, specs: Sequence[KnobSpec], compute: Compute, *, note: str = "", auto: bool = True,
                 run_now: bool = True, max_views: int = 64, columns: int = 2):
        self.specs = {s.path: s for s in specs}
        self.compute = compute
        self.controls = {s.path: control(s) for s in specs}
        self._views: OrderedDict[tuple, View] = OrderedDict()
        self._max_views = max_views
        self._busy = False
        self.runs = 0                 # computations done (view-cache misses)
        self.view_hits = 0            # settings answered from the panel's own cache
        self.errors = 0
        self.last_error: str | None = None
        self.last_view: View | None = None
        self.last_values: dict[str, Any] | None = None

        self.title = W.HTML(f"<h3 style='margin:4px 0'>{html.escape(title)}</h3>"
                            + (f"<div style='color:#555;font-size:12px'>{html.escape(note)}</div>" if note else ""))
        rows = [labelled(self.specs[p], c) for p, c in self.controls.items()]
        per_col = -(-len(rows) // max(1, columns))
        cols = [W.VBox(rows[i: i + per_col], layout=W.Layout(margin="0 24px 0 0"))
                for i in range(0, len(rows), per_col)]
        self.knobs_box = W.HBox(cols, layout=W.Layout(flex_flow="row wrap"))
        self.run_button = W.Button(description="Run", button_style="primary", icon="play",
                                   tooltip="Simulate with these settings")
        self.run_button.add_class("salessim-run")
        self.auto = W.Checkbox(value=auto, description="update on change", indent=False,
                               layout=W.Layout(width="170px"))
        self.progress = W.IntProgress(value=0, min=0, max=1, bar_style="info",
                                      layout=W.Layout(width="240px", margin="0 12px"))
        self.progress.add_class("salessim-progress")
        self.status = W.HTML("")
        self.status.add_class("salessim-status")
        self.error = W.HTML("", layout=W.Layout(display="none"))
        self.error.add_class("salessim-error")
        self.image = W.Image(format="png", layout=W.Layout(width="100%", max_width="1200px"))
        self.image.add_class("salessim-chart")
        self.numbers = W.HTML("")
        self.numbers.add_class("salessim-numbers")
        self.text = W.HTML("")
        self.text.add_class("salessim-text")
        bar = W.HBox([self.run_button, self.auto, self.progress, self.status], layout=W.Layout(align_items="center"))
        self.widget = W.VBox([self.title, self.knobs_box, bar, self.error, self.image, self.numbers, self.text])
        self.widget.add_class("salessim-panel")

        self.run_button.on_click(lambda _b: self.run())
        for c in self.controls.values():
            c.observe(self._changed, names="value")
        if run_now:
            self.run()

    # ------------------------------------------------------------------ display
    def _ipython_display_(self) -> None:  # pragma: no cover - exercised in Jupyter / Voila
        from IPython.display import display

        display(self.widget)

    # ------------------------------------------------------------------ values
    def values(self) -> dict[str, Any]:
        """The controls' current values, by knob path."""
        return {p: c.value for p, c in self.controls.items()}

    def set(self, run: bool = True, **values: Any) -> View | None:
        """Set controls by knob path (dots as in the path; ``__`` may stand for ``.``) and run once."""
        old = self.auto.value
        self.auto.value = False
        try:
            for k, v in values.items():
                path = k if k in self.controls else k.replace("__", ".")
                if path not in self.controls:
                    raise KeyError(f"no knob {k!r}; knobs: {', '.join(self.controls)}")
                self.controls[path].value = v
        finally:
            self.auto.value = old
        return self.run() if run else None

    def _changed(self, _change) -> None:
        if self.auto.value and not self._busy:
            self.run()

    # ------------------------------------------------------------------ running
    def run(self) -> View | None:
        """Compute (or recall) the view of the current values and show it; None on an invalid combination."""
        values = self.values()
        key = tuple(sorted((k, repr(v)) for k, v in values.items()))
        t0 = time.perf_counter()
        cached = self._views.get(key)
        if cached is not None:
            self._views.move_to_end(key)
            self.view_hits += 1
            self._show(cached, values)
            self._status(f"same settings as before: shown from memory in {time.perf_counter() - t0:.2f} s")
            return cached
        self._busy = True
        self.run_button.disabled = True
        self.progress.bar_style = "info"
        self.progress.value = 0
        sim0 = CACHE.simulated
        try:
            checked = {p: self.specs[p].check(v) for p, v in values.items()}
            self._status("running ...")
            rendered = self.compute(checked, self._progress)
            png = figure_png(rendered.figure)
        except UserError as e:
            self.errors += 1
            self._fail(str(e))
            return None
        except Exception as e:  # a bug, not the user's input: say so briefly, log the details
            log.exception("panel computation failed")
            self.errors += 1
            self._fail(f"unexpected error ({type(e).__name__}: {e}); please report it with these settings")
            return None
        finally:
            self._busy = False
            self.run_button.disabled = False
        view = View(png, rendered.numbers_html, rendered.text_html, time.perf_counter() - t0, CACHE.simulated - sim0)
        self.runs += 1
        self._views[key] = view
        while len(self._views) > self._max_views:
            self._views.popitem(last=False)
        self._show(view, values)
        done = (f"{view.simulated} replication runs simulated" if view.simulated else "all replications from memory")
        self._status(f"{done}; {view.seconds:.1f} s")
        self.progress.bar_style = "success"
        self.progress.value = self.progress.max
        return view

    def _progress(self, done: int, total: int) -> None:
        self.progress.max = max(total, 1)
        self.progress.value = min(done, max(total, 1))
        if total:
            self._status(f"running: {done} of {total} replication runs")

    def _show(self, view: View, values: dict[str, Any]) -> None:
        self.error.value = ""
        self.error.layout.display = "none"
        self.image.value = view.png
        self.numbers.value = view.numbers_html
        self.text.value = view.text_html
        self.last_view = view
        self.last_values = dict(values)
        self.last_error = None

    def _fail(self, message: str) -> None:
        self.last_error = message
        stale = " The chart below still shows the last valid settings." if self.last_view is not None else ""
        box = "background:#fdecea;color:#8a1c1c;border:1px solid #f5c2c0;padding:6px 10px;border-radius:4px"
        self.error.value = (f"<div style='{box}'><b>These settings do not work:</b> {html.escape(message)}.{stale}"
                            "</div>")
        self.error.layout.display = None
        self.progress.bar_style = "danger"
        self._status("not run")

    def _status(self, text: str) -> None:
        self.status.value = f"<span style='color:#555;font-size:12px'>{html.escape(text)}</span>"
