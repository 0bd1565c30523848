"""The model's parts: the actors of :mod:`salessim.model` and the mechanics they share.

Reps, supervisors, leads, the market, key clients and the back office (one module each), the
working calendar, random streams, the recorder of counters, and the arithmetic of pay that
reps respond to during a run.

**The compiled engine.** Installing the package compiles :mod:`salessim.model` and every
module of this folder (:func:`compiled_sources`; this ``__init__`` excepted) with mypyc into C
extensions beside their sources: the same code, faster (``python -m benchmarks engine``
measures by how much). The build records the digest of each source it compiled
(:data:`COMPILED_FROM`); :func:`check_build`, called when :mod:`salessim.model` is imported,
refuses to run a compiled engine whose sources have changed since, so an edited checkout never
runs old code: ``make venv`` compiles again, ``make pure`` removes the compiled files.

This module uses only the standard library: ``setup.py`` imports it to know what to compile.
"""

from __future__ import annotations

import hashlib
import importlib.machinery
import json
from pathlib import Path

from salessim.errors import UserError

#: The package folder (``salessim/``).
PACKAGE_DIR = Path(__file__).resolve().parents[1]
#: The build's record of what it compiled: ``{source path relative to the package: sha256}``.
COMPILED_FROM = "_compiled_from.json"


def compiled_sources(package_dir: Path = PACKAGE_DIR) -> list[Path]:
    """The sources mypyc compiles: ``model.py`` and every module of ``engine/`` but ``__init__.py``."""
    engine = sorted(p for p in (package_dir / "engine").glob("*.py") if p.name != "__init__.py")
    return [package_dir / "model.py", *engine]


def source_digest(path: Path) -> str:
    """SHA-256 of a source file's bytes (hex)."""
    return hashlib.sha256(path.read_bytes()).hexdigest()


def compiled_file(source: Path) -> Path | None:
    """The C extension compiled from ``source``, if there is one beside it."""
    for suffix in importlib.machinery.EXTENSION_SUFFIXES:
        p = source.with_name(source.stem + suffix)
        if p.exists():
            return p
    return None


def build_problem(package_dir: Path = PACKAGE_DIR) -> str | None:
    """Why the compiled engine in ``package_dir`` may not run, or None (compiled and current, or
    not compiled at all: then the sources run)."""
    sources = compiled_sources(package_dir)
    built = [s for s in sources if compiled_file(s) is not None]
    if not built:
        return None
    try:
        record = json.loads((package_dir / "engine" / COMPILED_FROM).read_text())
    except (OSError, ValueError):
        record = {}
    changed = [s.relative_to(package_dir).as_posix() for s in sources
               if record.get(s.relative_to(package_dir).as_posix()) != source_digest(s)]
    if not changed:
        return None
    return (f"the compiled engine is older than its sources ({', '.join(changed)} changed or added since it was built): "
            f"run 'make venv' to compile it again, or 'make pure' to remove it and run the sources")


def check_build(package_dir: Path = PACKAGE_DIR) -> None:
    """Raise :class:`~salessim.errors.UserError` if a compiled engine would run code older than its sources."""
    problem = build_problem(package_dir)
    if problem:
        raise UserError(problem, source="salessim")


def mode(package_dir: Path = PACKAGE_DIR) -> str:
    """``"compiled"`` or ``"pure"``: which engine runs. Python imports a C extension ahead of the
    source beside it, so the compiled engine runs wherever it was built (and is current)."""
    return "compiled" if compiled_file(package_dir / "model.py") is not None else "pure"
