"""Loading scenario files: TOML, ``extends`` chains, dotted overrides, clear errors.

A scenario file may name a parent with ``extends = "baseline"`` (a built-in name or a path
relative to the file) and then hold only what differs. Tables are merged key by key; a list
(such as ``team.reps``) and a distribution (``{ dist = ... }``) replace the parent's whole.

Every validation failure becomes one :class:`~salessim.errors.ScenarioError` that names the
file the offending value came from, the field's dotted path, and what was expected.
"""

from __future__ import annotations

import datetime as dt
import difflib
import re
import types
from pathlib import Path
from typing import Annotated, Any, Iterable, Literal, Mapping, Union, get_args, get_origin

import numpy as np
import tomli_w
from pydantic import BaseModel, ValidationError

from salessim.errors import ScenarioError, UserError, shown
from salessim.scenarios.cross_field import CrossFieldError
from salessim.scenarios.pay import COMPONENT_TYPES
from salessim.scenarios.reading import builtin_names, builtin_path, merge_tables, read_toml, record_origin, short_path
from salessim.scenarios.schema import ProductSpec, Scenario
from salessim.scenarios.schemes import expand_scheme_reference, read_scheme, resolve_scheme


def resolve_reference(ref: str, relative_to: Path | None = None) -> Path:
    """Find the file a scenario reference names: a path, or a built-in name."""
    candidates = []
    p = Path(ref)
    if relative_to is not None and not p.is_absolute():
        candidates.append(relative_to / p)
        if p.suffix != ".toml":
            candidates.append(relative_to / f"{ref}.toml")
    candidates.append(p)
    if p.suffix != ".toml" and "/" not in ref:
        candidates.append(builtin_path(ref))
    for c in candidates:
        if c.is_file():
            return c.resolve()
    for c in candidates:
        if c.is_dir():
            raise ScenarioError("expected a scenario file (.toml), found a directory", source=ref)
    close = difflib.get_close_matches(ref.lower(), builtin_names(), n=1, cutoff=0.6)
    hint = f"did you mean {shown(close[0])}? " if close else ""
    raise ScenarioError(
        f"no such scenario file or built-in scenario ({hint}built-ins: {', '.join(builtin_names())})",
        source=ref,
    )


def load_raw(ref: str | Path, _chain: tuple[Path, ...] = ()) -> tuple[dict[str, Any], dict[str, str]]:
    """Read a scenario and its ``extends`` chain, merged; return (data, origin of each path)."""
    path = ref if isinstance(ref, Path) else resolve_reference(str(ref))
    path = path.resolve()
    if path in _chain:
        cycle = " -> ".join(p.name for p in (*_chain, path))
        raise ScenarioError(f"expected a parent that does not lead back here, found a cycle: {cycle}",
                            source=short_path(str(_chain[-1])), field="extends")
    raw = read_toml(path)
    parent_ref = raw.get("extends")
    data: dict[str, Any] = {}
    origin: dict[str, str] = {}
    if parent_ref is not None:
        if not isinstance(parent_ref, str):
            raise ScenarioError(f"expected a scenario name or path, got {shown(parent_ref)}", source=str(path), field="extends")
        try:
            parent_path = resolve_reference(parent_ref, relative_to=path.parent)
        except ScenarioError as e:
            raise ScenarioError(e.message, source=short_path(str(path)), field="extends") from None
        data, origin = load_raw(parent_path, (*_chain, path))
        # the parent's own name and text do not describe the child
        for key in ("name", "description", "question"):
            data.pop(key, None)
            origin.pop(key, None)
    merge_tables(data, raw, origin, str(path))
    if isinstance(raw.get("pay"), Mapping) and "scheme" in raw["pay"]:
        expand_scheme_reference(data, origin, path, raw["pay"])  # [pay] scheme = "FILE": the file's scheme
    data.setdefault("name", path.stem)
    origin.setdefault("name", str(path))
    return data, origin


# --------------------------------------------------------------------------- overrides
def set_path(data: dict[str, Any], dotted: str, value: Any) -> None:
    """Set ``data[a][b][0][c] = value`` for ``dotted = "a.b.0.c"``; unknown paths are errors.

    The path must already exist (so a typo is caught), except for a key inside a table that
    takes free keys, such as ``pay.components.0.rates.B``.
    """
    parts = dotted.split(".")
    cur: Any = data
    for depth, part in enumerate(parts):
        last = depth == len(parts) - 1
        where = ".".join(parts[: depth + 1])
        if isinstance(cur, list):
            if not part.isdigit() or int(part) >= len(cur):
                raise ScenarioError(
                    f"expected a list index below {len(cur)}, got {shown(part)}", source="override", field=where
                )
            if last:
                cur[int(part)] = value
            else:
                cur = cur[int(part)]
        elif isinstance(cur, dict):
            if part not in cur and not (last and _free_keys(parts[:depth])):
                known = ", ".join(sorted(map(str, cur))[:12]) or "none"
                raise ScenarioError(f"unknown parameter path (known here: {known})", source="override", field=where)
            if last:
                cur[part] = value
            else:
                cur = cur[part]
        else:
            raise ScenarioError("this parameter has no sub-fields", source="override", field=where)


def _free_keys(parent: list[str]) -> bool:
    return bool(parent) and parent[-1] in {"rates", "forced_mix", "products", "rate_by_month"}


def get_path(data: Any, dotted: str) -> Any:
    """The value at a dotted path of a dict/list tree (``KeyError`` naming the path if absent)."""
    cur = data
    for part in dotted.split("."):
        if isinstance(cur, list) and part.isdigit() and int(part) < len(cur):
            cur = cur[int(part)]
        elif isinstance(cur, dict) and part in cur:
            cur = cur[part]
        else:
            raise KeyError(dotted)
    return cur


# --------------------------------------------------------------------------- validation
def validate(data: dict[str, Any], origin: Mapping[str, str] | None = None, default_source: str = "scenario") -> Scenario:
    """Validate merged scenario data; raise :class:`ScenarioError` naming file and field."""
    origin = origin or {}
    try:
        return Scenario.model_validate(data)
    except CrossFieldError as e:
        raise ScenarioError(e.message, source=_source_of(e.field, origin, default_source), field=e.field) from None
    except ValidationError as e:
        err = _pick_error(e.errors())
        err["tagged_loc"] = tuple(err["loc"])  # with union tags, to find the fields a union member allows
        err["loc"] = tuple(_strip_union_tags(err["loc"]))  # "pay.components.0.commission.rates" -> "...0.rates"
        field = ".".join(str(p) for p in err["loc"])
        raise ScenarioError(_explain(err), source=_source_of(field, origin, default_source), field=field or None) from None


def _pick_error(errors: list[dict]) -> dict:
    """The most useful of pydantic's errors: for a union, the branch that got furthest."""
    return max(errors, key=lambda e: (len(e["loc"]), e["type"] != "union_tag_invalid"))


def _strip_union_tags(loc: Iterable) -> list:
    loc = list(loc)
    return [p for i, p in enumerate(loc) if not (isinstance(p, str) and (
        "[" in p or p in _TAGS
        # a pay component's type follows its list index: pay.components.0.<type>.rates
        or (p in COMPONENT_TYPES and i > 0 and isinstance(loc[i - 1], int))))]


_TAGS = {"fixed", "exponential", "gamma", "lognormal", "weibull", "uniform", "mixture"}


def _explain(err: dict, data: dict | None = None) -> str:
    """Turn a pydantic error into 'expected X, got Y', in our words (never the library's)."""
    err["loc"] = tuple(_strip_union_tags(err["loc"]))
    kind, ctx = err["type"], err.get("ctx") or {}
    if kind == "extra_forbidden":
        parent = err.get("tagged_loc", err["loc"])[:-1]
        known = _known_fields(parent)
        return f"unknown field (expected one of: {', '.join(known)})" if known else "unknown field"
    if kind == "missing":
        return "required field is missing"
    expected = _expected(kind, ctx, str(err["loc"][-1]) if err["loc"] else "")
    if kind in ("value_error", "assertion_error"):  # our own validators' messages
        msg = str(err.get("msg", ""))
        for prefix in ("Value error, ", "Assertion failed, "):
            if msg.startswith(prefix):
                msg = msg[len(prefix):]
        return msg
    if kind == "union_tag_invalid":
        return (f"expected one of {ctx.get('expected_tags')} for '{str(ctx.get('discriminator', '')).strip(chr(39))}'"
                f", got {shown(ctx.get('tag'))}")
    if kind == "union_tag_not_found":
        return f"expected a table with a {ctx.get('discriminator')} key"
    return f"expected {expected}, got {_got(err.get('input'))}"


def _got(value: Any) -> str:
    """The value a message echoes: cut to a readable length, with the kind of a table or list."""
    if isinstance(value, Mapping):
        return f"a table ({len(value):,} keys)" if value else "an empty table"
    if isinstance(value, (list, tuple)):
        return f"a list of {len(value):,} entries" if len(value) > 5 else shown(list(value))
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dt.date):
        return value.isoformat()
    return shown(value)


_ISO_DATE = re.compile(r"\d{4}-\d\d-\d\d")


def _expected(kind: str, ctx: Mapping[str, Any], field: str) -> str:
    """What a field takes, for each kind of pydantic error."""
    def num(x: Any) -> str:
        if isinstance(x, float) and x.is_integer() and abs(x) < 1e15:
            x = int(x)
        return f"{x:,}" if isinstance(x, int) and not isinstance(x, bool) else f"{x:g}" if isinstance(x, float) else str(x)

    if kind in ("greater_than", "greater_than_equal", "less_than", "less_than_equal"):
        op = {"greater_than": ">", "greater_than_equal": ">=", "less_than": "<", "less_than_equal": "<="}[kind]
        bound = ctx.get({">": "gt", ">=": "ge", "<": "lt", "<=": "le"}[op])
        if isinstance(bound, dt.date) or (isinstance(bound, str) and _ISO_DATE.fullmatch(bound)):
            return f"a date {op} {bound}"
        if kind == "less_than_equal" and bound == 1:
            return "a probability or share between 0 and 1"
        if field in {"count", "key_clients", "market_size", "clerks"} and kind == "greater_than_equal" and bound == 0:
            return "a count of 0 or more"
        return f"a number {op} {num(bound)}"
    if kind == "multiple_of":
        return f"a multiple of {num(ctx.get('multiple_of'))}"
    if kind == "finite_number":
        return "a finite number (not inf or nan)"
    if kind.startswith("int_"):
        return "a whole number"
    if kind.startswith("float_"):
        return "a number"
    if kind.startswith("bool_"):
        return "true or false"
    if kind.startswith(("date_", "datetime_")):
        return "a date (YYYY-MM-DD)"
    if kind == "string_too_long":
        return f"text of at most {num(ctx.get('max_length'))} characters"
    if kind == "string_too_short":
        return "non-empty text"
    if kind == "string_pattern_mismatch":
        return "a name of plain ASCII letters (a-z, A-Z), digits, spaces, '.', '_' or '-'"
    if kind.startswith(("string_", "str_")):
        return "text"
    if kind in ("list_type", "tuple_type", "set_type", "iterable_type"):
        return "a list [...]"
    if kind in ("dict_type", "model_type", "model_attributes_type", "dataclass_type", "mapping_type"):
        return "a table"
    if kind == "too_short":
        low = ctx.get("min_length", 1)
        return "at least one entry" if low == 1 else f"at least {num(low)} entries"
    if kind == "too_long":
        return f"at most {num(ctx.get('max_length'))} entries"
    if kind in ("literal_error", "enum"):
        return str(ctx.get('expected', 'one of the listed values'))  # "'a', 'b' or 'c'"
    if kind == "none_required":
        return "nothing here"
    return "a valid value for this field"


def validation_message(error: ValidationError) -> tuple[str, str]:
    """``(field, message)`` of the most useful error of any of our pydantic models, in our words
    (for the settings of the analyses and widgets, which are not scenarios)."""
    err = _pick_error(error.errors())
    field = ".".join(str(p) for p in _strip_union_tags(err["loc"]))
    return field, _explain(dict(err))


def _known_fields(loc: tuple) -> list[str]:
    """Field names allowed at a location of the schema (for 'unknown field' messages).

    ``loc`` may hold the tags of discriminated unions (``pay.components.0.tiered.tiers``):
    a tag picks the union member whose literal field has that value.
    """
    def is_model(t) -> bool:
        return isinstance(t, type) and issubclass(t, BaseModel)

    def tags(m) -> set:
        return {v for f in m.model_fields.values() if get_origin(f.annotation) is Literal for v in get_args(f.annotation)}

    model: Any = Scenario
    union: list | None = None
    for part in loc:
        if isinstance(part, int) or (isinstance(part, str) and part.isdigit()):
            continue
        if union is not None:
            member = next((m for m in union if part in tags(m)), None)
            union = None
            if member is not None:
                model = member
                continue
        if not is_model(model):
            return []
        fld = model.model_fields.get(str(part))
        if fld is None:
            return []
        ann = fld.annotation
        # unwrap Annotated[X, ...], list[X], dict[str, X], X | None; stop at a union of models
        while True:
            origin = get_origin(ann)
            if origin is Annotated:
                ann = get_args(ann)[0]
            elif origin in (Union, types.UnionType):
                members = [a for a in get_args(ann) if a is not type(None)]
                if len(members) > 1 and all(is_model(m) for m in members):
                    union = members
                    break
                ann = members[-1]
            elif origin is not None and origin is not Literal:
                ann = get_args(ann)[-1]
            else:
                break
        if union is not None:
            model = None
        elif is_model(ann) and part not in ("products",):
            model = ann
        elif part == "products":
            model = ("products", ProductSpec)
    if isinstance(model, tuple):
        return []
    if is_model(model):
        return sorted(f.alias or n for n, f in model.model_fields.items())
    return []


def _source_of(field: str, origin: Mapping[str, str], default: str) -> str:
    parts = field.split(".") if field else []
    for n in range(len(parts), 0, -1):
        key = ".".join(parts[:n])
        if key in origin:
            return short_path(origin[key])
    return short_path(origin.get("name", default))


# --------------------------------------------------------------------------- public
def load_scenario(ref: str | Path | Scenario, overrides: Mapping[str, Any] | None = None) -> Scenario:
    """Load a built-in scenario by name, or a scenario file by path, with optional overrides.

    Parameters
    ----------
    ref:
        ``"baseline"``, ``"path/to/file.toml"``, or an already loaded :class:`Scenario`.
    overrides:
        ``{"dotted.path": value}`` applied after ``extends`` is resolved, e.g.
        ``{"team.reps.0.count": 10, "calendar.months": 6}``.
    """
    if isinstance(ref, Scenario):
        return with_overrides(ref, overrides) if overrides else ref
    data, origin = load_raw(ref)
    scenario = validate(data, origin)
    return with_overrides(scenario, overrides) if overrides else scenario


def with_overrides(scenario: Scenario | str, overrides: Mapping[str, Any]) -> Scenario:
    """A copy of ``scenario`` (an object, a built-in name or a file) with ``{"dotted.path": value}``
    changes, validated."""
    if not isinstance(scenario, Scenario):
        scenario = load_scenario(scenario)
    if not isinstance(overrides, Mapping):
        raise UserError(f"expected overrides as a mapping {{'dotted.path': value}}, got {type(overrides).__name__}",
                        field="overrides")
    data = scenario_data(scenario)
    origin: dict[str, str] = {}
    for path, value in overrides.items():
        set_path(data, path, _jsonable(value))
        record_origin(origin, path, value, "override")
    return validate(data, origin, default_source=scenario.name)


def scenario_data(scenario: Scenario, exclude_none: bool = False) -> dict[str, Any]:
    """The scenario as plain data (dates kept as dates), ready to edit and re-validate.

    Every field is present, defaults and ``None`` included, so any parameter can be
    overridden by its dotted path.
    """
    return scenario.model_dump(mode="python", by_alias=True, exclude_none=exclude_none)


def _jsonable(value: Any) -> Any:
    if isinstance(value, np.generic):
        return value.item()
    return value


def to_toml(scenario: Scenario) -> str:
    """The fully resolved scenario as TOML text."""
    return tomli_w.dumps(_toml_ready(scenario_data(scenario, exclude_none=True)))


def _toml_ready(obj: Any) -> Any:
    if isinstance(obj, dict):
        return {k: _toml_ready(v) for k, v in obj.items() if v is not None}
    if isinstance(obj, (list, tuple)):
        return [_toml_ready(v) for v in obj]
    if isinstance(obj, dt.datetime):
        return obj
    return obj


def apply_scheme(scenario: "Scenario", ref: str | Path) -> "Scenario":
    """A copy of ``scenario`` paid by the scheme in file ``ref`` (a path or built-in name), validated.

    Errors name the scheme file and the field inside it (``components.0.rates.A``).
    """
    path = resolve_scheme(str(ref))
    scheme = read_scheme(path)
    data = scenario_data(scenario)
    data["pay"] = scheme
    origin: dict[str, str] = {}
    record_origin(origin, "pay", scheme, str(path))
    try:
        return validate(data, origin, default_source=scenario.name)
    except ScenarioError as e:
        if e.source == short_path(str(path)) and e.field and e.field.startswith("pay."):
            raise ScenarioError(e.message, source=e.source, field=e.field[len("pay."):]) from None
        raise
