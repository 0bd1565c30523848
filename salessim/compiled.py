"""The compiled engine: which modules mypyc compiles, and whether the compiled ones may run.

The engine's hot modules (:data:`ENGINE_MODULES`) are compiled by mypyc when the package is
installed (``setup.py``): the same Python sources become C extensions beside them, about
1.4x faster per replication, with results identical to the sources' (a test runs both).

The sources stay the reference. A compiled module is used only when every engine module was
compiled **from the source now beside it**: the build writes a manifest of the sources'
digests (:data:`MANIFEST`), and :func:`select_engine` compares it with the sources at import.
If any source changed since the build (an edit in a checkout), a module is missing, or
``SALESSIM_PURE=1`` is set, all engine modules are imported from their ``.py`` files instead
(never a mix: compiled modules call each other directly). Reinstalling (``make`` does it when
the sources change) compiles them again.

This module uses only the standard library: ``setup.py`` imports it before the package is built.
"""

from __future__ import annotations

import hashlib
import importlib.abc
import importlib.machinery
import importlib.util
import json
import os
import sys
import warnings
from pathlib import Path

#: Modules of the ``salessim`` package that mypyc compiles (the simulation's inner loop).
ENGINE_MODULES = (
    "back_office", "clients", "effort", "lead", "market", "model", "odds", "people",
    "recorder", "rep", "supervisor",
)

#: File beside the compiled modules: ``{module: digest of the source it was compiled from}``.
MANIFEST = "_engine_build.json"

PACKAGE_DIR = Path(__file__).resolve().parent

_state: dict[str, str] = {}


def source_digest(data: bytes) -> str:
    """SHA-256 of a source file's bytes (hex)."""
    return hashlib.sha256(data).hexdigest()


def _compiled_file(module: str, package_dir: Path = PACKAGE_DIR) -> Path | None:
    """The compiled file of an engine module in ``package_dir``, if there is one."""
    for suffix in importlib.machinery.EXTENSION_SUFFIXES:
        p = package_dir / f"{module}{suffix}"
        if p.exists():
            return p
    return None


def check_compiled(package_dir: Path = PACKAGE_DIR) -> tuple[bool, str]:
    """``(usable, reason)``: may the compiled engine in ``package_dir`` run?

    Usable when every module of :data:`ENGINE_MODULES` has a compiled file and the build's
    manifest lists, for each, the digest of the source beside it.
    """
    flag = os.environ.get("SALESSIM_PURE", "").strip().lower()
    if flag in ("1", "true", "yes"):
        return False, "SALESSIM_PURE is set"
    present = [m for m in ENGINE_MODULES if _compiled_file(m, package_dir) is not None]
    if not present:
        return False, "not compiled (installed without mypyc, or with SALESSIM_PURE_BUILD=1)"
    if len(present) < len(ENGINE_MODULES):
        missing = sorted(set(ENGINE_MODULES) - set(present))
        return False, f"compiled modules missing: {', '.join(missing)}"
    try:
        manifest = json.loads((package_dir / MANIFEST).read_text())
    except (OSError, ValueError):
        return False, f"no readable {MANIFEST} beside the compiled modules"
    stale = [m for m in ENGINE_MODULES
             if manifest.get(m) != source_digest((package_dir / f"{m}.py").read_bytes())]
    if stale:
        return False, f"sources changed since the build: {', '.join(stale)} (reinstall, e.g. make, to compile again)"
    return True, "compiled with mypyc from the sources beside it"


class _SourceFinder(importlib.abc.MetaPathFinder):
    """Imports the engine modules from their ``.py`` files, ahead of any compiled file."""

    def __init__(self, package_dir: Path):
        self.names = {f"salessim.{m}": package_dir / f"{m}.py" for m in ENGINE_MODULES}

    def find_spec(self, fullname, path=None, target=None):
        source = self.names.get(fullname)
        if source is None:
            return None
        return importlib.util.spec_from_file_location(fullname, source)


def select_engine() -> str:
    """Decide, once per process and before any engine module is imported, which engine runs.

    Returns ``"compiled"`` or ``"pure"``. Called by ``salessim/__init__.py``. When compiled
    files exist but may not run, says why in one warning and imports the sources.
    """
    if "mode" in _state:
        return _state["mode"]
    usable, reason = check_compiled()
    if not usable:
        if not any(isinstance(f, _SourceFinder) for f in sys.meta_path):
            sys.meta_path.insert(0, _SourceFinder(PACKAGE_DIR))
        if _compiled_file("rep") is not None and not reason.startswith("SALESSIM_PURE"):
            warnings.warn(f"salessim: running the pure-Python engine: {reason}", RuntimeWarning, stacklevel=2)
    _state["mode"], _state["reason"] = ("compiled" if usable else "pure"), reason
    return _state["mode"]


def engine_mode() -> str:
    """``"compiled"`` or ``"pure"``, with the reason: e.g. ``"pure (SALESSIM_PURE is set)"``."""
    select_engine()
    return f"{_state['mode']} ({_state['reason']})"
