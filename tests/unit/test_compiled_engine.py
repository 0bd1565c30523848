"""The mypyc-compiled engine: identical results to its sources, and never run when stale.

``setup.py`` compiles what :func:`salessim.engine.compiled_sources` names (``model.py`` and the
modules of ``engine/``); :func:`salessim.engine.check_build` refuses a compiled engine older
than its sources. CI sets ``SALESSIM_REQUIRE_COMPILED=1``, so a build that silently fell back
to pure Python fails there instead of skipping the comparison.
"""

from __future__ import annotations

import importlib.machinery
import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

import salessim as ss
from salessim import engine
from salessim.engine import COMPILED_FROM, build_problem, compiled_sources, source_digest

COMPILED = ss.engine_mode() == "compiled"
REQUIRED = os.environ.get("SALESSIM_REQUIRE_COMPILED", "") == "1"

_PROBE = r"""
import json, sys
import salessim as ss
import salessim.engine.rep
res = ss.simulate(sys.argv[1], seed=int(sys.argv[2]), record_events=True)
out = {
    "mode": ss.engine_mode(),
    "rep_file": salessim.engine.rep.__file__,
    "summary": {k: repr(v) for k, v in res.summary().items()},
    "rep_product": res.rep_product_monthly().to_csv(),
    "pnl": res.pnl().to_csv(),
    "events": res.events().to_csv(),
}
print(json.dumps(out))
"""


def _sources_only(tmp_path: Path) -> Path:
    """A copy of the package without its compiled files: what a pure-Python install runs."""
    dest = tmp_path / "src"
    shutil.copytree(engine.PACKAGE_DIR, dest / "salessim",
                    ignore=shutil.ignore_patterns("*.so", "*.pyd", "__pycache__", COMPILED_FROM))
    return dest


def _probe(scenario: str, seed: int, path: Path | None = None) -> dict:
    env = dict(os.environ)
    if path is not None:
        env["PYTHONPATH"] = str(path)
    done = subprocess.run([sys.executable, "-c", _PROBE, scenario, str(seed)], capture_output=True, text=True,
                          env=env, timeout=300, cwd=path or None)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout.strip().splitlines()[-1])


def test_ci_build_is_compiled():
    """Where the build must be compiled (CI), it is, and it is what runs."""
    if not REQUIRED:
        pytest.skip("SALESSIM_REQUIRE_COMPILED is not set; this install runs the " + ss.engine_mode() + " engine")
    assert COMPILED
    import salessim.engine.rep

    assert not salessim.engine.rep.__file__.endswith(".py")


@pytest.mark.parametrize("scenario,seed", [("baseline", 4), ("lead_handoff_operator", 1),
                                           ("commission_contracted_clawback", 2)])
def test_compiled_and_pure_engines_give_identical_results(scenario, seed, tmp_path):
    """Every summary figure, two full tables and the event log agree to the last digit."""
    if not COMPILED:
        pytest.skip("engine not compiled in this install")
    fast, pure = _probe(scenario, seed), _probe(scenario, seed, _sources_only(tmp_path))
    assert fast["mode"] == "compiled" and not fast["rep_file"].endswith(".py")
    assert pure["mode"] == "pure" and pure["rep_file"].endswith("rep.py")
    for key in ("summary", "rep_product", "pnl", "events"):
        assert fast[key] == pure[key], key


# --------------------------------------------------------------------------- the staleness check
def _fake_build(tmp_path: Path, skip: str | None = None) -> Path:
    """A package folder whose engine looks compiled from the sources beside it."""
    pkg = tmp_path / "salessim"
    (pkg / "engine").mkdir(parents=True)
    (pkg / "model.py").write_text("# the department\n")
    for name in ("rep", "lead", "market"):
        (pkg / "engine" / f"{name}.py").write_text(f"# source of {name}\n")
    (pkg / "engine" / "__init__.py").write_text("# not compiled\n")
    suffix = importlib.machinery.EXTENSION_SUFFIXES[0]
    record = {}
    for source in compiled_sources(pkg):
        source.with_name(source.stem + suffix).write_bytes(b"\x7fELF")
        rel = source.relative_to(pkg).as_posix()
        if rel != skip:
            record[rel] = source_digest(source)
    (pkg / "engine" / COMPILED_FROM).write_text(json.dumps(record))
    return pkg


def test_the_whole_engine_folder_and_the_model_are_compiled():
    names = {p.relative_to(engine.PACKAGE_DIR).as_posix() for p in compiled_sources()}
    on_disk = {f"engine/{p.name}" for p in (engine.PACKAGE_DIR / "engine").glob("*.py") if p.name != "__init__.py"}
    assert names == on_disk | {"model.py"}


def test_check_accepts_a_build_from_the_sources_beside_it(tmp_path):
    assert build_problem(_fake_build(tmp_path)) is None
    assert engine.mode(_fake_build(tmp_path / "again")) == "compiled"


def test_check_accepts_sources_that_were_never_compiled(tmp_path):
    pkg = _fake_build(tmp_path)
    for so in pkg.rglob("*.so"):
        so.unlink()
    assert build_problem(pkg) is None and engine.mode(pkg) == "pure"


def test_check_refuses_a_build_whose_source_changed(tmp_path):
    pkg = _fake_build(tmp_path)
    (pkg / "engine" / "rep.py").write_text("# edited after the build\n")
    problem = build_problem(pkg)
    assert problem is not None and "engine/rep.py" in problem and "make venv" in problem
    with pytest.raises(ss.UserError, match="older than its sources"):
        engine.check_build(pkg)


def test_check_refuses_a_module_added_after_the_build(tmp_path):
    pkg = _fake_build(tmp_path, skip="engine/market.py")
    assert "engine/market.py" in build_problem(pkg)


def test_check_refuses_a_build_without_its_record(tmp_path):
    pkg = _fake_build(tmp_path)
    (pkg / "engine" / COMPILED_FROM).unlink()
    assert "model.py" in build_problem(pkg)


def test_a_stale_engine_is_one_line_from_the_command_line(tmp_path):
    """A source edited after the build, beside the compiled engine: exit 2 and one line, no traceback."""
    if not COMPILED:
        pytest.skip("engine not compiled in this install")
    src = tmp_path / "src"
    shutil.copytree(engine.PACKAGE_DIR, src / "salessim", ignore=shutil.ignore_patterns("__pycache__"))
    for lib in engine.PACKAGE_DIR.parent.glob("salessim_engine__mypyc*"):   # mypyc's shared library of the group
        shutil.copy2(lib, src / lib.name)
    rep = src / "salessim" / "engine" / "rep.py"
    rep.write_text(rep.read_text() + "\n# edited after the build\n")
    done = subprocess.run([sys.executable, "-m", "salessim", "run", "baseline", "-n", "1", "--months", "1"],
                          capture_output=True, text=True, env={**os.environ, "PYTHONPATH": str(src)}, cwd=src,
                          timeout=120)
    assert done.returncode == 2, done.stderr
    assert "older than its sources" in done.stderr and "engine/rep.py" in done.stderr
    assert "Traceback" not in done.stderr and len(done.stderr.strip().splitlines()) == 1


def test_makefile_recompiles_when_any_compiled_source_changes():
    """make's engine sources (what triggers a recompile) are the model and the whole engine folder."""
    text = (engine.PACKAGE_DIR.parent / "Makefile").read_text()
    line = re.search(r"^ENGINE_SRC := (.*)$", text, re.M)
    assert line is not None, "ENGINE_SRC not found in the Makefile"
    assert "salessim/model.py" in line.group(1) and "$(wildcard salessim/engine/*.py)" in line.group(1)
