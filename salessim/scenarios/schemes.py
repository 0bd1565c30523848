"""Scheme files: a pay scheme kept apart from the scenario it is tried on.

A scheme file is a TOML file with the contents of a scenario's ``[pay]`` table at its top
level (``[[components]]``, optionally ``[handoff]`` and ``attainment_spread``) and an
optional ``description``::

    description = "25% of executed margin, claw back what is never paid"
    [[components]]
    type = "commission"
    base = "executed_margin"
    rates = { A = 0.25 }

It is used in two ways:

* ``salessim comp SCENARIO --scheme FILE`` (or :func:`salessim.scenarios.files.apply_scheme`) replaces the
  scenario's scheme with the file's;
* a scenario names it with ``[pay] scheme = "FILE"``; other keys of that ``[pay]`` table
  then override the file's.

``FILE`` is a path (relative to the scenario file that names it) or the name of a built-in
scheme in ``salessim/schemes/`` (:func:`builtin_schemes`). Validation errors name the
scheme file and the field inside it.
"""

from __future__ import annotations

import copy
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Any

from salessim.errors import ScenarioError, shown
from salessim.scenarios.reading import merge_tables, read_toml, record_origin, short_path

if TYPE_CHECKING:  # pragma: no cover
    pass

SCHEME_DIR = Path(str(resources.files("salessim.scenarios") / "schemes"))
#: Keys a scheme file may hold besides the [pay] fields.
TEXT_KEYS = ("name", "description")


def builtin_schemes() -> list[str]:
    """Names of the built-in scheme files."""
    return sorted(p.stem for p in SCHEME_DIR.glob("*.toml"))


def resolve_scheme(ref: str, relative_to: Path | None = None) -> Path:
    """The file a scheme reference names: a path (relative to ``relative_to`` first) or a built-in name."""
    p = Path(ref)
    candidates = []
    if relative_to is not None and not p.is_absolute():
        candidates += [relative_to / p, relative_to / f"{ref}.toml"]
    candidates.append(p)
    if p.suffix != ".toml" and "/" not in ref:
        candidates.append(SCHEME_DIR / f"{ref}.toml")
    for c in candidates:
        if c.is_file():
            return c.resolve()
    raise ScenarioError(f"no such scheme file or built-in scheme (built-ins: {', '.join(builtin_schemes())})",
                        source=ref)


def read_scheme(path: Path) -> dict[str, Any]:
    """The [pay] fields of a scheme file (its ``name`` and ``description`` removed)."""

    raw = read_toml(path)
    if "components" not in raw and "handoff" not in raw:
        raise ScenarioError("expected a scheme file: [[components]] tables (and optionally [handoff]) at the top level",
                            source=short_path(str(path)))
    return {k: v for k, v in raw.items() if k not in TEXT_KEYS}


def expand_scheme_reference(data: dict[str, Any], origin: dict[str, str], scenario_path: Path,
                            own: dict[str, Any] | None = None) -> None:
    """Replace ``[pay] scheme = "FILE"`` in merged scenario data by the file's scheme (in place).

    The scheme replaces whatever a parent scenario paid; keys of the naming file's own
    ``[pay]`` table (``own``) other than ``scheme`` override the file's.
    """
    pay = data.get("pay")
    if not isinstance(pay, dict) or "scheme" not in pay:
        return
    ref = pay.pop("scheme")
    origin.pop("pay.scheme", None)
    if not isinstance(ref, str):
        raise ScenarioError(f"expected a scheme file path or built-in scheme name, got {shown(ref)}",
                            source=origin.get("pay", str(scenario_path)), field="pay.scheme")
    try:
        path = resolve_scheme(ref, relative_to=scenario_path.parent)
    except ScenarioError as e:
        raise ScenarioError(e.message, source=str(scenario_path), field="pay.scheme") from None
    scheme = read_scheme(path)
    local = {k: v for k, v in (own if own is not None else pay).items() if k != "scheme"}
    local_origin = {k: v for k, v in origin.items() if k.startswith("pay.")}
    for k in [k for k in origin if k == "pay" or k.startswith("pay.")]:
        del origin[k]
    merged: dict[str, Any] = {}
    merge_tables(merged, scheme, origin, str(path), "pay.")
    record_origin(origin, "pay", {}, str(path))
    for key, value in local.items():
        merged[key] = copy.deepcopy(value)
        for k, src in local_origin.items():
            if k == f"pay.{key}" or k.startswith(f"pay.{key}."):
                origin[k] = src
    data["pay"] = merged
