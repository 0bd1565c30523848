"""Build hook: compile the simulation engine with mypyc (same results, less time per replication).

Everything else about the package is in ``pyproject.toml``. This file only adds the compiled
engine: the modules of :data:`salessim.compiled.ENGINE_MODULES` (reps, leads, the department,
market, key clients, supervisors, back office, counters, effort, people, odds) are
compiled by mypyc into C extensions that sit beside their sources. The sources stay the
reference: :mod:`salessim.compiled` checks at import that the compiled modules were built from
the sources beside them, and otherwise runs the sources (see docs/model.md, "Compiled engine").

* ``SALESSIM_PURE_BUILD=1`` skips compilation (a pure-Python install).
* A failed compilation (no C compiler, say) is not an error: the extensions are optional and
  the package then runs its pure-Python engine.
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

from setuptools import setup
from setuptools.command.build_ext import build_ext

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE / "salessim"))
from compiled import ENGINE_MODULES, MANIFEST, source_digest  # noqa: E402  (stdlib-only module)

sys.path.pop(0)


def _wanted() -> bool:
    return os.environ.get("SALESSIM_PURE_BUILD", "").strip().lower() not in ("1", "true", "yes")


def engine_extensions() -> list:
    """The mypyc extensions of the engine, or none (pure-Python build)."""
    if not _wanted():
        print("salessim: SALESSIM_PURE_BUILD is set; the engine stays pure Python", file=sys.stderr)
        return []
    try:
        from mypyc.build import mypycify
    except ImportError:
        print("salessim: mypyc is not installed; the engine stays pure Python", file=sys.stderr)
        return []
    print(f"salessim: compiling the engine with mypyc ({len(ENGINE_MODULES)} modules, about a minute)",
          file=sys.stderr)
    paths = [f"salessim/{m}.py" for m in ENGINE_MODULES]
    # -O2 without debug info: as fast as mypyc's default -O3 -g1 here, in less than half the
    # compile time (about 1.5 min instead of 4 on 2 cores)
    exts = mypycify(paths, opt_level="2", debug_level="0", group_name="salessim_engine")
    for ext in exts:
        ext.optional = True  # a compiler failure leaves the pure-Python engine, not a failed install
    return exts


def _builds() -> bool:
    """Does this run of setup.py build anything? pip also runs it only for metadata (egg_info,
    dist_info), where mypyc's type check and C generation (most of a minute) would be wasted."""
    return bool({"build", "build_ext", "bdist_wheel", "editable_wheel", "develop", "install"} & set(sys.argv[1:]))


class BuildEngine(build_ext):
    """build_ext that also writes the manifest of the sources the engine was compiled from."""

    def run(self) -> None:
        super().run()
        if not self.extensions:
            return
        target = Path(self.get_ext_fullpath("salessim.rep")).parent
        built = [m for m in ENGINE_MODULES if Path(self.get_ext_fullpath(f"salessim.{m}")).exists()]
        manifest = {m: source_digest((HERE / "salessim" / f"{m}.py").read_bytes()) for m in built}
        target.mkdir(parents=True, exist_ok=True)
        (target / MANIFEST).write_text(json.dumps(manifest, indent=1, sort_keys=True) + "\n")


setup(ext_modules=engine_extensions() if _builds() else [], cmdclass={"build_ext": BuildEngine})
