"""The mypyc-compiled engine: identical results to its sources, and never run when stale.

``setup.py`` compiles :data:`salessim.compiled.ENGINE_MODULES`; :mod:`salessim.compiled`
decides at import whether the compiled modules may run. CI sets
``SALESSIM_REQUIRE_COMPILED=1``, so a build that silently fell back to pure Python fails
there instead of skipping the comparison.
"""

from __future__ import annotations

import importlib.machinery
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

import salessim as ss
from salessim import compiled
from salessim.compiled import ENGINE_MODULES, MANIFEST, check_compiled, source_digest

COMPILED = ss.engine_mode().startswith("compiled")
REQUIRED = os.environ.get("SALESSIM_REQUIRE_COMPILED", "") == "1"

_PROBE = r"""
import json, sys
import salessim as ss
import salessim.rep
res = ss.simulate(sys.argv[1], seed=int(sys.argv[2]), record_events=True)
out = {
    "mode": ss.engine_mode(),
    "rep_file": salessim.rep.__file__,
    "summary": {k: repr(v) for k, v in res.summary().items()},
    "rep_product": res.rep_product_monthly().to_csv(),
    "pnl": res.pnl().to_csv(),
    "events": res.events().to_csv(),
}
print(json.dumps(out))
"""


def _probe(scenario: str, seed: int, pure: bool) -> dict:
    env = {k: v for k, v in os.environ.items() if k != "SALESSIM_PURE"}
    if pure:
        env["SALESSIM_PURE"] = "1"
    done = subprocess.run([sys.executable, "-c", _PROBE, scenario, str(seed)], capture_output=True, text=True,
                          env=env, timeout=300)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout.strip().splitlines()[-1])


def test_ci_build_is_compiled():
    """Where the build must be compiled (CI), it is, and it is what runs."""
    if not REQUIRED:
        pytest.skip("SALESSIM_REQUIRE_COMPILED is not set; this install runs: " + ss.engine_mode())
    assert COMPILED, ss.engine_mode()
    import salessim.rep

    assert not salessim.rep.__file__.endswith(".py")


@pytest.mark.parametrize("scenario,seed", [("baseline", 4), ("lead_handoff_operator", 1),
                                           ("commission_contracted_clawback", 2)])
def test_compiled_and_pure_engines_give_identical_results(scenario, seed):
    """Every summary figure, two full tables and the event log agree to the last digit."""
    if not COMPILED:
        pytest.skip("engine not compiled in this install: " + ss.engine_mode())
    fast, pure = _probe(scenario, seed, pure=False), _probe(scenario, seed, pure=True)
    assert fast["mode"].startswith("compiled") and not fast["rep_file"].endswith(".py")
    assert pure["mode"].startswith("pure") and pure["rep_file"].endswith("rep.py")
    for key in ("summary", "rep_product", "pnl", "events"):
        assert fast[key] == pure[key], key


# --------------------------------------------------------------------------- the staleness guard
def _fake_build(tmp_path: Path, modules=ENGINE_MODULES, manifest: dict | None = None) -> Path:
    pkg = tmp_path / "salessim"
    pkg.mkdir()
    suffix = importlib.machinery.EXTENSION_SUFFIXES[0]
    for m in ENGINE_MODULES:
        (pkg / f"{m}.py").write_text(f"# source of {m}\n")
    for m in modules:
        (pkg / f"{m}{suffix}").write_bytes(b"\x7fELF")
    if manifest is None:
        manifest = {m: source_digest((pkg / f"{m}.py").read_bytes()) for m in modules}
    (pkg / MANIFEST).write_text(json.dumps(manifest))
    return pkg


def test_guard_accepts_a_build_from_the_sources_beside_it(tmp_path, monkeypatch):
    monkeypatch.delenv("SALESSIM_PURE", raising=False)
    usable, reason = check_compiled(_fake_build(tmp_path))
    assert usable, reason


def test_guard_refuses_a_build_whose_source_changed(tmp_path, monkeypatch):
    monkeypatch.delenv("SALESSIM_PURE", raising=False)
    pkg = _fake_build(tmp_path)
    (pkg / "rep.py").write_text("# edited after the build\n")
    usable, reason = check_compiled(pkg)
    assert not usable and "rep" in reason and "changed" in reason


def test_guard_refuses_a_partial_build(tmp_path, monkeypatch):
    monkeypatch.delenv("SALESSIM_PURE", raising=False)
    usable, reason = check_compiled(_fake_build(tmp_path, modules=[m for m in ENGINE_MODULES if m != "lead"]))
    assert not usable and "lead" in reason


def test_guard_refuses_a_build_without_manifest(tmp_path, monkeypatch):
    monkeypatch.delenv("SALESSIM_PURE", raising=False)
    pkg = _fake_build(tmp_path)
    (pkg / MANIFEST).unlink()
    usable, reason = check_compiled(pkg)
    assert not usable and MANIFEST in reason


def test_pure_flag_wins_over_a_good_build(tmp_path, monkeypatch):
    monkeypatch.setenv("SALESSIM_PURE", "1")
    usable, reason = check_compiled(_fake_build(tmp_path))
    assert not usable and "SALESSIM_PURE" in reason


def test_pure_flag_imports_every_engine_module_from_source():
    """SALESSIM_PURE=1: every engine module comes from its .py file (never a mix)."""
    code = ("import salessim, importlib, json; "
            "print(json.dumps({m: importlib.import_module('salessim.' + m).__file__ for m in "
            "salessim.compiled.ENGINE_MODULES}))")
    env = {**os.environ, "SALESSIM_PURE": "1"}
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, timeout=120)
    assert done.returncode == 0, done.stderr
    files = json.loads(done.stdout)
    assert set(files) == set(ENGINE_MODULES)
    assert all(f.endswith(f"{m}.py") for m, f in files.items()), files


def test_engine_module_list_names_real_modules():
    for m in ENGINE_MODULES:
        assert (compiled.PACKAGE_DIR / f"{m}.py").exists(), m


def test_makefile_recompiles_when_any_compiled_source_changes():
    """make's list of engine sources (what triggers a recompile) is the list setup.py compiles."""
    import re

    text = (compiled.PACKAGE_DIR.parent / "Makefile").read_text()
    listed = re.search(r"^ENGINE_SRC := .*?addsuffix \.py,([a-z_ ]+)\)", text, re.M)
    assert listed is not None, "ENGINE_SRC not found in the Makefile"
    assert sorted(listed.group(1).split()) == sorted(ENGINE_MODULES)
