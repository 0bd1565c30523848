"""Build hook: compile the simulation engine with mypyc (same results, less time per replication).

Everything else about the package is in ``pyproject.toml``. This file compiles what
:func:`salessim.engine.compiled_sources` names (``salessim/model.py`` and the modules of
``salessim/engine/``) into C extensions beside their sources, and records the digest of each
source it compiled, so that a compiled engine older than its sources is refused at import
(see :mod:`salessim.engine`).

* ``SALESSIM_PURE_BUILD=1`` skips compilation (a pure-Python install).
* A failed compilation (no C compiler, say) is not an error: the extensions are optional and
  the package then runs its sources.
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

from setuptools import setup
from setuptools.command.build_ext import build_ext

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
from salessim.engine import COMPILED_FROM, PACKAGE_DIR, compiled_sources, source_digest  # noqa: E402  (stdlib only)

sys.path.pop(0)


def engine_extensions() -> list:
    """The mypyc extensions of the engine, or none (pure-Python build)."""
    if os.environ.get("SALESSIM_PURE_BUILD", "").strip().lower() in ("1", "true", "yes"):
        print("salessim: SALESSIM_PURE_BUILD is set; the engine stays pure Python", file=sys.stderr)
        return []
    try:
        from mypyc.build import mypycify
    except ImportError:
        print("salessim: mypyc is not installed; the engine stays pure Python", file=sys.stderr)
        return []
    paths = [p.relative_to(HERE).as_posix() for p in compiled_sources()]
    print(f"salessim: compiling the engine with mypyc ({len(paths)} modules, a minute or two)", file=sys.stderr)
    # -O2 without debug info: as fast as mypyc's default -O3 -g1 here, in less than half the compile time
    exts = mypycify(paths, opt_level="2", debug_level="0", group_name="salessim_engine")
    for ext in exts:
        ext.optional = True  # a compiler failure leaves the pure-Python engine, not a failed install
    return exts


def _builds() -> bool:
    """Does this run of setup.py build anything? pip also runs it only for metadata (egg_info,
    dist_info), where mypyc's type check and C generation would be wasted."""
    return bool({"build", "build_ext", "bdist_wheel", "editable_wheel", "develop", "install"} & set(sys.argv[1:]))


class BuildEngine(build_ext):
    """build_ext that also records the sources the engine was compiled from."""

    def run(self) -> None:
        super().run()
        if not self.extensions:
            return
        target = Path(self.get_ext_fullpath("salessim.model")).parent  # the built package folder
        record = {}
        for source in compiled_sources():
            name = source.relative_to(PACKAGE_DIR).with_suffix("").as_posix().replace("/", ".")
            if Path(self.get_ext_fullpath(f"salessim.{name}")).exists():
                record[source.relative_to(PACKAGE_DIR).as_posix()] = source_digest(source)
        (target / "engine").mkdir(parents=True, exist_ok=True)
        (target / "engine" / COMPILED_FROM).write_text(json.dumps(record, indent=1, sort_keys=True) + "\n")


setup(ext_modules=engine_extensions() if _builds() else [], cmdclass={"build_ext": BuildEngine})
