"""The code fingerprint: a hash of every source file that decides a replication's numbers.

The result store (:mod:`salessim.runs.store`) and the outcome cache
(:mod:`salessim.runs.cache`) key what they keep by it, so numbers computed by other code are
never returned as if this code had computed them. It covers, whole, the floors a replication
runs through: :data:`FOLDERS` (the model's actors and mechanics, the scenario schema and the
built-ins, the result tables and KPIs, and the runs floor that reduces a run to what is kept)
and ``model.py``. Every file in them counts (``.py`` and data such as built-in ``.toml``
files), so a new module needs no list to be covered.
"""

from __future__ import annotations

import functools
import hashlib
from pathlib import Path

#: The package folder (``salessim/``).
PACKAGE_DIR = Path(__file__).resolve().parents[1]
#: The folders of the package that decide a replication's numbers, hashed whole.
FOLDERS = ("engine", "scenarios", "results", "runs")
#: Files at the package's top that do.
FILES = ("model.py",)
#: Files in those folders that are not code (bytecode and compiled extensions are built from the sources).
SKIPPED_SUFFIXES = (".pyc", ".so", ".pyd", ".json")


def code_files(package_dir: Path = PACKAGE_DIR) -> list[Path]:
    """Every file the fingerprint covers, in a fixed order (by path within the package)."""
    files = [package_dir / f for f in FILES]
    for folder in FOLDERS:
        files += [p for p in (package_dir / folder).rglob("*")
                  if p.is_file() and "__pycache__" not in p.parts and p.suffix not in SKIPPED_SUFFIXES]
    return sorted(files, key=lambda p: p.relative_to(package_dir).as_posix())


def fingerprint_of(package_dir: Path) -> str:
    """A short hash (16 hex digits) of the paths and contents of :func:`code_files` of ``package_dir``."""
    h = hashlib.sha256()
    for f in code_files(package_dir):
        h.update(f.relative_to(package_dir).as_posix().encode() + b"\0")
        h.update(f.read_bytes() + b"\0")
    return h.hexdigest()[:16]


@functools.cache
def code_fingerprint() -> str:
    """The fingerprint of this installation's code (computed once per process)."""
    return fingerprint_of(PACKAGE_DIR)
