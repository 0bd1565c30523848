"""Knobs: what a widget needs to know about one setting, read from a pydantic schema.

A :class:`Knob` names a setting, either a dotted path of the scenario schema
(``team.reps.0.count``, ``supervision.intensity_floor``) or a field of a settings model
(:class:`salessim.analyses.growth.GrowthSettings`). :func:`resolve` reads from the schema what a
control needs: the kind of value (whole number, number, choice, yes/no), the bounds
(``ge``/``le``/``gt``/``lt``), the description, and the unit, taken from the description's
parenthesis ("(currency per month)" becomes "USD per month" for a scenario in USD;
probabilities and shares say "share"). A knob may narrow the bounds (a slider needs both
ends) and set a label and a step. Nothing here imports ipywidgets.
"""

from __future__ import annotations

import math
import re
import types
import typing
from dataclasses import dataclass
from typing import Any, Literal, Union, get_args, get_origin

from pydantic import BaseModel

from salessim.errors import UserError

#: First words that mark a description's parenthesis as a unit: "(currency per month)", "(hours)".
UNIT_WORDS = frozenset({"currency", "hours", "hour", "days", "day", "months", "month", "share", "people", "runs", "x",
                        "calls/hour", "minutes", "weeks", "week", "%", "reps", "deals"})


@dataclass(frozen=True)
class Knob:
    """A setting to edit: its path or field name, and optional overrides of what the schema says."""

    path: str
    label: str | None = None
    min: float | None = None
    max: float | None = None
    step: float | None = None
    unit: str | None = None
    options: tuple | None = None


@dataclass(frozen=True)
class KnobSpec:
    """Everything a control needs: resolved from the schema and the knob's overrides."""

    path: str
    kind: str                 # "int" | "float" | "choice" | "bool"
    label: str
    unit: str
    description: str
    value: Any
    min: float | None
    max: float | None
    step: float | None
    options: tuple = ()

    @property
    def name(self) -> str:
        """A CSS-safe name (for the control's class: ``salessim-knob-<name>``)."""
        return re.sub(r"[^A-Za-z0-9]+", "-", self.path).strip("-").lower()

    @property
    def full_label(self) -> str:
        return f"{self.label} ({self.unit})" if self.unit else self.label

    def check(self, value: Any) -> Any:
        """``value`` coerced to the knob's kind; :class:`UserError` if outside its bounds."""
        if self.kind == "int":
            if isinstance(value, float) and not value.is_integer():
                raise UserError(f"expected a whole number, got {value!r}", field=self.path)
            value = int(value)
        elif self.kind == "float":
            value = float(value)
        elif self.kind == "choice" and value not in self.options:
            raise UserError(f"expected one of {list(self.options)}, got {value!r}", field=self.path)
        if self.kind in ("int", "float"):
            if self.min is not None and value < self.min:
                raise UserError(f"expected at least {self.min:g}, got {value!r}", field=self.path)
            if self.max is not None and value > self.max:
                raise UserError(f"expected at most {self.max:g}, got {value!r}", field=self.path)
        return value


# --------------------------------------------------------------------------- reading the schema
def _unwrap(ann: Any) -> Any:
    """``X`` from ``X | None``, ``Annotated[X, ...]``."""
    while True:
        origin = get_origin(ann)
        if origin is typing.Annotated:
            ann = get_args(ann)[0]
        elif origin in (Union, types.UnionType):
            members = [a for a in get_args(ann) if a is not type(None)]
            if len(members) != 1:
                return ann
            ann = members[0]
        else:
            return ann


def field_info(model: type[BaseModel], path: str):
    """The pydantic ``FieldInfo`` at a dotted ``path`` of ``model`` (list indices and dict keys skipped).

    Raises :class:`UserError` naming the path when it does not lead to a field.
    """
    cur: Any = model
    info = None
    parts = path.split(".")
    i = 0
    while i < len(parts):
        part = parts[i]
        if not (isinstance(cur, type) and issubclass(cur, BaseModel)):
            raise UserError("this setting has no sub-fields", field=".".join(parts[: i + 1]))
        info = cur.model_fields.get(part)
        if info is None:
            known = ", ".join(sorted(cur.model_fields)[:12])
            raise UserError(f"unknown setting (known here: {known})", field=".".join(parts[: i + 1]))
        ann = _unwrap(info.annotation)
        i += 1
        # step through containers: list[X] takes an index, dict[str, X] a key
        while get_origin(ann) in (list, dict) and i < len(parts):
            ann = _unwrap(get_args(ann)[-1])
            i += 1
        cur = ann
    return info, cur


def _bounds(info) -> tuple[float | None, float | None, bool, bool]:
    lo = hi = None
    lo_open = hi_open = False
    for m in info.metadata:
        for attr, is_lo, open_ in (("ge", True, False), ("gt", True, True), ("le", False, False), ("lt", False, True)):
            v = getattr(m, attr, None)
            if v is not None:
                if is_lo:
                    lo, lo_open = float(v), open_
                else:
                    hi, hi_open = float(v), open_
    return lo, hi, lo_open, hi_open


def unit_of(description: str, currency: str = "") -> str:
    """The unit in a description's parenthesis: "(currency per month)" -> "USD per month", "(x; 1 = none)" -> "x"."""
    for text in re.findall(r"\(([^()]*)\)", description or ""):
        t = text.split(";")[0].split(",")[0].strip()
        if not t or "=" in t or t.split()[0].lower() not in UNIT_WORDS:
            continue
        return re.sub(r"\bcurrency\b", currency, t).strip() if currency else t
    return ""


def humanise(name: str) -> str:
    """``salary_per_month`` -> ``salary per month``."""
    return name.replace("_", " ")


def resolve(model: type[BaseModel], knob: Knob | str, value: Any, currency: str = "") -> KnobSpec:
    """The :class:`KnobSpec` of ``knob`` in ``model``, holding ``value`` now."""
    knob = Knob(knob) if isinstance(knob, str) else knob
    info, ann = field_info(model, knob.path)
    desc = info.description or ""
    lo, hi, lo_open, hi_open = _bounds(info)
    if get_origin(ann) is Literal:
        kind = "choice"
    elif ann is bool:
        kind = "bool"
    elif ann is int:
        kind = "int"
    elif ann is float:
        kind = "float"
    else:
        raise UserError(f"expected a setting that holds one number, choice or yes/no; this one holds {ann!r}",
                        field=knob.path)
    unit = knob.unit if knob.unit is not None else unit_of(desc, currency)
    if kind == "float" and not unit and hi == 1 and lo == 0:
        unit = "share"
    options = tuple(knob.options or (get_args(ann) if kind == "choice" else ()))
    step = knob.step
    if kind == "int":
        step = step or 1
        if lo is not None and lo_open:
            lo = math.floor(lo) + 1
        if hi is not None and hi_open:
            hi = math.ceil(hi) - 1
    elif kind == "float":
        if lo is not None and lo_open:
            lo = lo + (step or 0.001)
        if hi is not None and hi_open:
            hi = hi - (step or 0.001)
    lo = knob.min if knob.min is not None else lo
    hi = knob.max if knob.max is not None else hi
    if lo is not None and hi is not None and lo >= hi:
        raise UserError(f"expected the knob's min below its max, got min {lo:g} and max {hi:g}", field=knob.path)
    if kind in ("int", "float") and value is not None and isinstance(value, (int, float)):
        # a slider needs both ends: without a schema bound, up to 4x today's value
        if hi is None:
            hi = max(1.0, 4 * abs(float(value)))
        if lo is None:
            lo = min(0.0, float(value))
        if step is None:
            span = hi - lo
            step = 10 ** math.floor(math.log10(span / 100)) if span > 0 else 0.01
            if kind == "int":
                step = max(1, int(step))
    label = knob.label or humanise(knob.path.split(".")[-1])
    return KnobSpec(path=knob.path, kind=kind, label=label, unit=unit, description=desc, value=value, min=lo, max=hi,
                    step=step, options=options)


def check_start(spec: KnobSpec) -> KnobSpec:
    """``spec`` if its starting value lies within its range; otherwise :class:`UserError` (a slider
    would silently move the value to its nearest end, and the panel would show a setting that
    is not the scenario's)."""
    v = spec.value
    if spec.kind in ("int", "float") and isinstance(v, (int, float)) and not isinstance(v, bool):
        if (spec.min is not None and v < spec.min) or (spec.max is not None and v > spec.max):
            raise UserError(f"the starting value {v:g} is outside the knob's range ({spec.min:g} to {spec.max:g})",
                            field=spec.path)
    return spec

