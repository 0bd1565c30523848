"""Scenario parameters named by dotted path, and the values an experiment gives them.

A *parameter* is any scalar field of a scenario, named by its dotted path as in ``--set``
(``team.reps.0.count``, ``supervision.intensity_floor``, ``products.A.funnel.booking_rate``).
This module checks that a path exists, knows whether it takes whole numbers, and turns the
text of the command line into values:

* a **grid** ``PATH=v1,v2,v3`` (any TOML values: numbers, true/false, text) or
  ``PATH=START:STOP:COUNT`` (``COUNT`` evenly spaced numbers from ``START`` to ``STOP``,
  both included);
* a **range** ``PATH=LOW:HIGH`` for sampling (Latin hypercube, sensitivity analysis).

Whole-number parameters (counts, days given as integers) are kept whole: a grid value must
be whole (``7.0`` is accepted as ``7``, ``7.5`` is an error), a ``START:STOP:COUNT`` grid is
rounded to the nearest whole numbers and must stay ``COUNT`` distinct values, and a sample
from a range maps the unit interval onto the ``HIGH - LOW + 1`` whole numbers in equal
shares (``LOW + floor(u * (HIGH - LOW + 1))``), so each is equally likely.
"""

from __future__ import annotations

import math
import re
import tomllib
import typing
from dataclasses import dataclass
from typing import Any, Iterable, Mapping, Sequence

import numpy as np
from pydantic import BaseModel

from salessim.errors import ScenarioError, UserError, shown
from salessim.scenarios.files import get_path, scenario_data, set_path, with_overrides
from salessim.scenarios.schema import Scenario

#: Most values on one axis of a grid (each is a scenario to run).
MAX_AXIS_VALUES = 10_000

#: Top-level fields of a scenario that are not parameters of the model, and why: they cannot be
#: set with ``--set`` or varied by a sweep (the Python API's ``with_overrides`` may still rename).
NOT_PARAMETERS = {
    "name": "the scenario's name labels it (use another file or name the variant in Python)",
    "description": "the description is text about the scenario",
    "question": "the question is text about the scenario",
    "extends": "the parent is read with the file (write a scenario file with extends = ... instead)",
    "claim": "the documents' claim is what --robust checks (write it in the scenario file)",
    "provenance": "provenance says where values come from (write it in the scenario file)",
}


def check_parameter_path(path: str, field: str = "--set") -> None:
    """Refuse a path that is not a parameter of the model (:data:`NOT_PARAMETERS`)."""
    head = path.strip().split(".")[0]
    if head in NOT_PARAMETERS:
        raise UserError(f"not a parameter of the model: {NOT_PARAMETERS[head]}", field=f"{field} {path}")


def check_decimal(text: str, field: str) -> None:
    """Refuse a hexadecimal, octal or binary integer (TOML reads ``0x10`` as 16): numbers are taken as written."""
    t = text.strip()
    if re.fullmatch(r"[+-]?0[xob][0-9A-Fa-f_]+", t):
        raise UserError(f"expected a whole number written in decimal, got {shown(t)}", field=field)


@dataclass(frozen=True)
class Parameter:
    """A scenario field by dotted path, with the kind of value it holds."""

    path: str
    kind: str          # "int" | "float" | "bool" | "str" | "other"
    current: Any       # its value in the base scenario (None if the path is a new free key)

    @property
    def numeric(self) -> bool:
        return self.kind in ("int", "float")


def parameter(scenario: Scenario, path: str, source: str = "parameter") -> Parameter:
    """The parameter at ``path`` of ``scenario``; an unknown path raises :class:`ScenarioError`."""
    path = path.strip()
    if not path:
        raise UserError("expected a dotted parameter path such as team.reps.0.count, got an empty one", field=source)
    check_parameter_path(path, source)
    data = scenario_data(scenario)
    try:
        current = get_path(data, path)
    except KeyError:
        try:
            set_path(data, path, 0)  # raises "unknown parameter path (known here: ...)" unless it is a free key
        except ScenarioError as e:  # name where the path came from (--grid, --range, ...), not an override
            raise ScenarioError(e.message, field=f"{source} {e.field or path}") from None
        return Parameter(path, "float", None)
    if isinstance(current, bool):
        kind = "bool"
    elif isinstance(current, int):
        kind = "int"
    elif isinstance(current, float):
        kind = "float"
    elif isinstance(current, str):
        kind = "str"
    elif current is None:
        kind = "float"
    else:
        kind = "other"
    if kind == "other":
        raise ScenarioError(f"expected a single-valued parameter (a number, true/false or text); this path holds "
                            f"a {type(current).__name__}: vary one of its fields instead", field=f"{source} {path}")
    return Parameter(path, kind, current)


# --------------------------------------------------------------------------- parsing
def split_assignment(text: str, flag: str) -> tuple[str, str]:
    """``PATH=REST`` -> ``(PATH, REST)``, with a clear error naming ``flag``."""
    if "=" not in text:
        raise UserError(f"expected PATH=VALUES (e.g. team.reps.0.count=7,10,15), got {shown(text)}", field=flag)
    path, _, rest = text.partition("=")
    path, rest = path.strip(), rest.strip()
    if not path:
        raise UserError(f"expected a parameter path before '=', got {shown(text)}", field=flag)
    if not rest:
        raise UserError(f"empty list of values for {path}", field=flag)
    return path, rest


def _number(text: str, path: str, flag: str) -> float:
    try:
        v = float(text)
    except ValueError:
        raise UserError(f"expected a number, got {shown(text)}", field=f"{flag} {path}") from None
    if not math.isfinite(v):
        raise UserError(f"expected a finite number, got {shown(text)}", field=f"{flag} {path}")
    return v


def _value(text: str) -> Any:
    try:
        return tomllib.loads(f"v = {text}")["v"]
    except (tomllib.TOMLDecodeError, ValueError):  # ValueError: an integer of more than 4,300 digits
        return text


def parse_grid(text: str, flag: str = "--grid") -> tuple[str, list[Any] | tuple[float, float, int]]:
    """Parse ``PATH=v1,v2,...`` (a list) or ``PATH=START:STOP:COUNT`` (a tuple)."""
    path, rest = split_assignment(text, flag)
    if ":" in rest and "," not in rest:
        parts = rest.split(":")
        if len(parts) != 3:
            raise UserError(f"expected START:STOP:COUNT (e.g. 0.2:0.3:3), got {shown(rest)}", field=f"{flag} {path}")
        start, stop = (_number(p, path, flag) for p in parts[:2])
        count = _number(parts[2], path, flag)
        if count != int(count) or count < 1:
            raise UserError(f"expected a whole COUNT >= 1 in START:STOP:COUNT, got {shown(parts[2])}",
                            field=f"{flag} {path}")
        return path, (start, stop, int(count))
    items = [t.strip() for t in rest.split(",")]
    if any(not t for t in items):
        raise UserError(f"empty value in the list {shown(rest)}", field=f"{flag} {path}")
    for t in items:
        check_decimal(t, f"{flag} {path}")
    return path, [_value(t) for t in items]


def parse_range(text: str, flag: str = "--range") -> tuple[str, float, float]:
    """Parse ``PATH=LOW:HIGH``."""
    path, rest = split_assignment(text, flag)
    parts = rest.split(":")
    if len(parts) != 2:
        raise UserError(f"expected LOW:HIGH (e.g. 0.2:0.3), got {shown(rest)}", field=f"{flag} {path}")
    low, high = (_number(p, path, flag) for p in parts)
    return path, low, high


# --------------------------------------------------------------------------- values
def grid_values(param: Parameter, spec: Sequence[Any] | tuple[float, float, int], flag: str = "grid") -> list[Any]:
    """The values of a grid axis, checked against the parameter's kind (ints kept whole)."""
    where = f"{flag} {param.path}"
    if isinstance(spec, tuple) and len(spec) == 3 and not isinstance(spec, list):
        start, stop, count = spec
        if not param.numeric:
            raise UserError(f"a START:STOP:COUNT grid needs a numeric parameter; this one holds {param.kind}",
                            field=where)
        if count == 1 and start != stop:
            raise UserError("a grid of COUNT 1 needs START = STOP", field=where)
        if count > MAX_AXIS_VALUES:
            raise UserError(f"expected at most {MAX_AXIS_VALUES:,} values on one axis, got {count:,}", field=where)
        raw = np.linspace(start, stop, int(count))
        if param.kind == "int":
            vals = [int(round(v)) for v in raw]
            if len(set(vals)) != len(vals):
                raise UserError(f"{start:g}:{stop:g}:{count} gives only {len(set(vals))} distinct whole numbers "
                                f"({', '.join(map(str, sorted(set(vals))))}); use fewer points or a list", field=where)
            return vals
        return [float(v) for v in raw]
    if isinstance(spec, (str, bytes)) or not isinstance(spec, Iterable):
        raise UserError(f"expected a list of values (or START:STOP:COUNT), got {shown(spec)}", field=where)
    values = list(spec)
    if len(values) > MAX_AXIS_VALUES:
        raise UserError(f"expected at most {MAX_AXIS_VALUES:,} values on one axis, got {len(values):,}", field=where)
    if not values:
        raise UserError("empty list of values", field=where)
    out = [coerce(param, v, where) for v in values]
    if len({repr(v) for v in out}) != len(out):
        raise UserError(f"repeated value in {values}", field=where)
    return out


def coerce(param: Parameter, value: Any, where: str) -> Any:
    """``value`` as the parameter's kind (whole numbers for int parameters)."""
    if isinstance(value, np.generic):
        value = value.item()
    if param.kind == "int":
        if isinstance(value, bool) or not isinstance(value, (int, float)) or value != int(value):
            raise UserError(f"expected whole numbers for this parameter, got {shown(value)}", field=where)
        return int(value)
    if param.kind == "float":
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise UserError(f"expected numbers for this parameter, got {shown(value)}", field=where)
        return float(value)
    if param.kind == "bool" and not isinstance(value, bool):
        raise UserError(f"expected true or false for this parameter, got {shown(value)}", field=where)
    if param.kind == "str" and not isinstance(value, str):
        return str(value)
    return value


def check_range(param: Parameter, low: float, high: float, flag: str = "ranges") -> tuple[float, float]:
    """Validate a sampling range; whole-number parameters need whole bounds."""
    where = f"{flag} {param.path}"
    if not param.numeric:
        raise UserError(f"a range needs a numeric parameter; this one holds {param.kind}", field=where)
    if not (low < high):
        raise UserError(f"empty range: expected LOW < HIGH, got {low:g}:{high:g}", field=where)
    if param.kind == "int":
        if low != int(low) or high != int(high):
            raise UserError(f"expected whole-number bounds for this parameter, got {low:g}:{high:g}", field=where)
        return int(low), int(high)
    return float(low), float(high)


def from_unit(param: Parameter, low: float, high: float, u: np.ndarray) -> list[Any]:
    """Map points of the unit interval onto ``[low, high]`` (ints: equal shares per whole number)."""
    u = np.clip(np.asarray(u, dtype=float), 0.0, 1.0)
    if param.kind == "int":
        vals = low + np.floor(u * (high - low + 1))
        return [int(v) for v in np.minimum(vals, high)]
    return [float(v) for v in low + u * (high - low)]


def apply(scenario: Scenario, values: Mapping[str, Any]) -> Scenario:
    """``scenario`` with ``values`` set (validated; a bad value raises :class:`ScenarioError`)."""
    return with_overrides(scenario, dict(values)) if values else scenario


def label(values: Mapping[str, Any]) -> str:
    """A short label for a point: ``team.reps.0.count=10, supervision.intensity_floor=0.25``."""
    return ", ".join(f"{k}={_fmt(v)}" for k, v in values.items())


def _fmt(v: Any) -> str:
    if isinstance(v, float):
        return f"{v:.6g}"
    return str(v).lower() if isinstance(v, bool) else str(v)


# --------------------------------------------------------------------------- units (for chart axes)
_UNIT_WORDS = ("hours", "days", "months", "minutes", "currency", "calls/hour", "per month", "per day")


def _models_in(annotation: Any) -> list[type]:
    """Pydantic model classes an annotation may hold (through Optional, list, dict, Annotated, unions)."""
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return [annotation]
    out: list[type] = []
    for arg in typing.get_args(annotation):
        out += _models_in(arg)
    return out


def _field_description(path: str) -> tuple[str | None, str]:
    """The schema description of the field at a dotted path (the nearest described ancestor's) and its name."""
    models: list[type] = [Scenario]
    desc: str | None = None
    name = path.split(".")[-1]
    for part in path.split("."):
        if part.isdigit() or not models:
            continue
        found = [m.model_fields[part] for m in models if part in m.model_fields]
        if not found:  # a free key (a product name): its value has the dict's value type
            continue
        info = found[0]
        desc = info.description or desc
        name = part
        models = _models_in(info.annotation)
        for meta in info.metadata:
            models += _models_in(getattr(meta, "annotation", None))
    return desc, name


def parameter_unit(path: str, currency: str = "currency") -> str | None:
    """The unit of a parameter, read from the scenario schema's description (None if it has none).

    ``team.reps.0.count`` -> ``people``; ``supervision.intensity_floor`` -> ``share, 0-1``;
    ``activity.meeting_hours`` -> ``hours``; a money field -> the currency.
    """
    desc, name = _field_description(path)
    if name == "count":
        return "people"
    if name in ("rates", "default_rate", "rate") or path.split(".")[-2:-1] == ["rates"]:
        return "share of the base"
    if desc:
        for group in re.findall(r"\(([^()]*)\)", desc):
            unit = re.split(r"[,;]", group)[0].strip()  # "(hours, at most 24)": the unit, not its bounds
            if any(w in unit for w in _UNIT_WORDS):
                return unit.replace("currency", currency)
        low = desc.lower()
        if re.search(r"\b(probability|share)\b", low):
            return "share, 0-1"
        if "log-sd" in low:
            return "log-sd"
        if "multipl" in low:
            return "multiplier"
    if "elasticity" in name:
        return "elasticity"
    return None


def parameter_label(path: str, currency: str = "currency") -> str:
    """A dotted path with its unit in brackets, for an axis (``activity.meeting_hours (hours)``)."""
    unit = parameter_unit(path, currency)
    return f"{path} ({unit})" if unit else path
