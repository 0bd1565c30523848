"""Reading TOML scenario and scheme files, and finding the built-in scenarios.

Standard library only, so that ``salessim scenarios`` lists the built-ins without loading the
schema. A file that cannot be read, or is not TOML, is one
:class:`~salessim.errors.ScenarioError` naming it.
"""

from __future__ import annotations

import copy
import re
import tomllib
from importlib import resources
from pathlib import Path
from typing import Any, Mapping

from salessim.errors import ScenarioError

#: The folder of the built-in scenario files (this package's folder).
BUILTIN_DIR = Path(str(resources.files("salessim.scenarios")))


# --------------------------------------------------------------------------- built-ins
def builtin_names() -> list[str]:
    """Names of the built-in scenarios."""
    return sorted(p.stem for p in BUILTIN_DIR.glob("*.toml"))


def builtin_path(name: str) -> Path:
    """Path of a built-in scenario file."""
    return BUILTIN_DIR / f"{name}.toml"


def describe_builtins() -> list[tuple[str, str]]:
    """(name, one-line question or description) for each built-in scenario."""
    out = []
    for name in builtin_names():
        raw = read_toml(builtin_path(name))
        out.append((name, raw.get("question") or raw.get("description", "")))
    return out


def read_toml(path: Path) -> dict[str, Any]:
    """The table a TOML file holds (a UTF-8 byte-order mark is allowed)."""
    try:
        text = path.read_text(encoding="utf-8-sig")  # a byte-order mark (Windows Notepad) is not part of the TOML
    except FileNotFoundError:
        raise ScenarioError("file not found", source=str(path)) from None
    except UnicodeDecodeError as e:
        raise ScenarioError(f"expected a UTF-8 text file ({e.reason} at byte {e.start})", source=str(path)) from None
    except OSError as e:
        raise ScenarioError(f"cannot read file ({e.strerror})", source=str(path)) from None
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as e:
        raise ScenarioError(f"not valid TOML: {e}", source=short_path(str(path))) from None
    except ValueError as e:  # an integer of more than 4,300 digits
        raise ScenarioError(f"expected numbers of a sensible size ({e})", source=short_path(str(path))) from None
    found = non_decimal_integer(text)
    if found is not None:
        literal, line = found
        raise ScenarioError(f"expected whole numbers written in decimal, got {literal} on line {line} (write "
                            f"{int(literal.replace('_', ''), 0):,})", source=short_path(str(path)))
    return data


#: What TOML text holds that a number literal is not part of: strings (multi-line first) and comments.
_NOT_CODE = r'''"""(?:[^\\]|\\.)*?"""|\'\'\'.*?\'\'\'|"(?:[^"\\\n]|\\.)*"|'[^'\n]*'|#[^\n]*'''
_NON_DECIMAL = re.compile(_NOT_CODE + r"|(?<![\w.])([+-]?0[xob][0-9A-Fa-f_]+)", re.S)


def non_decimal_integer(text: str) -> tuple[str, int] | None:
    """The first hexadecimal, octal or binary integer (``0x10``, ``0o7``, ``0b1``) in TOML text, with
    its line number, or None.

    TOML reads ``count = 0x10`` as 16; a scenario's numbers are taken as written, so a count
    written in hexadecimal is refused rather than silently read.
    """
    for m in _NON_DECIMAL.finditer(text):
        if m.group(1):
            return m.group(1), text.count("\n", 0, m.start(1)) + 1
    return None


def short_path(path: str) -> str:
    """A file path as an error message shows it: relative to the working folder, or ``<built-in>/NAME``."""
    p = Path(path)
    try:
        return str(p.relative_to(Path.cwd()))
    except ValueError:
        if p.parent == BUILTIN_DIR.resolve():
            return f"<built-in>/{p.name}"
        return str(p)


# --------------------------------------------------------------------------- merging (extends)
def merge_tables(base: dict, over: Mapping, origin: dict[str, str], src: str, prefix: str = "") -> dict:
    """Deep-merge ``over`` into ``base`` recording, for every path set, the file that set it."""
    for key, value in over.items():
        path = f"{prefix}{key}"
        # tables merge key by key, except a distribution ({dist = ...}), which replaces whole
        if isinstance(value, Mapping) and isinstance(base.get(key), dict) and "dist" not in value:
            merge_tables(base[key], value, origin, src, path + ".")
        else:
            base[key] = copy.deepcopy(value)
            for stale in [k for k in origin if k.startswith(path + ".")]:
                del origin[stale]
            record_origin(origin, path, value, src)
    return base


def record_origin(origin: dict[str, str], path: str, value: Any, src: str) -> None:
    """Record ``src`` as the origin of ``path`` and of every path below it (``origin`` is updated)."""
    origin[path] = src
    if isinstance(value, Mapping):
        for k, v in value.items():
            record_origin(origin, f"{path}.{k}", v, src)
