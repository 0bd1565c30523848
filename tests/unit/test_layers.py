"""The package's shape: floors that import only downward, no cycles, imports at the top, a fast start.

The floors and what each holds are listed in ``salessim/__init__.py``; the contracts are in
``pyproject.toml`` (``[tool.importlinter]``) and checked by import-linter.
"""

from __future__ import annotations

import ast
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PACKAGE = ROOT / "salessim"
BIN = Path(sys.executable).parent

#: The imports deliberately made inside functions, with why: (file, imported module) -> reason.
#: Everything else is imported at the top of its module.
LAZY = {
    ("runs/execution.py", "distributed"): "dask.distributed takes about a second to import; only --scheduler runs need it",
    ("runs/execution.py", "distributed.comm"): "the same, to probe a scheduler's address",
    ("apps/commands/present.py", "nbclient"): "notebook extra, only for present --prepare",
    ("apps/commands/present.py", "nbformat"): "notebook extra, only for present --prepare",
    ("apps/commands/present.py", "voila"): "notebook extra: a clear message when it is not installed",
    ("apps/notebook.py", "IPython"): "notebook extra: these helpers run inside a notebook kernel",
    ("apps/notebook.py", "IPython.display"): "notebook extra: these helpers run inside a notebook kernel",
    ("apps/widgets/panel.py", "IPython.display"): "notebook extra: a panel displays itself in a notebook kernel",
    ("apps/commands/calibrate.py", "salessim.calibration.outputs"): "the report writer brings matplotlib (0.4 s): "
    "calibrate loads it once the fit is done and the replications run on the workers (issue 17's 10-second command)",
}


def _function_imports() -> set[tuple[str, str]]:
    found = set()
    for path in PACKAGE.rglob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for fn in ast.walk(tree):
            if isinstance(fn, (ast.FunctionDef, ast.AsyncFunctionDef)):
                for node in ast.walk(fn):
                    if isinstance(node, ast.Import):
                        found |= {(path.relative_to(PACKAGE).as_posix(), a.name) for a in node.names}
                    elif isinstance(node, ast.ImportFrom):
                        found.add((path.relative_to(PACKAGE).as_posix(), node.module or "."))
    return found


def test_floors_import_only_downward_and_no_module_imports_round_a_circle():
    done = subprocess.run([str(BIN / "lint-imports"), "--config", str(ROOT / "pyproject.toml")], cwd=ROOT,
                          capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-2000:]
    assert "2 kept, 0 broken" in done.stdout


def test_imports_are_at_the_top_except_the_listed_lazy_ones():
    extra = sorted(_function_imports() - set(LAZY))
    assert extra == [], "import inside a function (move it to the top, or list it in LAZY with a reason):\n" + \
        "\n".join(f"  {f}: {m}" for f, m in extra)


def test_the_lazy_list_has_no_stale_entries():
    assert sorted(set(LAZY) - _function_imports()) == []


def test_no_unused_or_undefined_names_and_imports_sorted():
    done = subprocess.run([str(BIN / "ruff"), "check", "salessim", "tests", "benchmarks", "docs"], cwd=ROOT,
                          capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stdout[-3000:]


@pytest.mark.parametrize("args", [["--help"], ["scenarios"]])
def test_help_and_scenarios_import_no_heavy_library(args):
    """``salessim --help`` and ``salessim scenarios`` import none of pandas, scipy, matplotlib, dask,
    simpy or pydantic (their speed is measured by ``python -m benchmarks startup``)."""
    env = {**os.environ, "PYTHONPROFILEIMPORTTIME": "1"}
    done = subprocess.run([sys.executable, "-m", "salessim", *args], capture_output=True, text=True, env=env,
                          timeout=60)
    assert done.returncode == 0, done.stderr[-2000:]
    imported = {line.split("|")[-1].strip().split(".")[0] for line in done.stderr.splitlines() if "|" in line}
    assert "salessim" in imported  # the profile is on
    heavy = imported & {"pandas", "scipy", "matplotlib", "dask", "distributed", "simpy", "pydantic", "numpy"}
    assert heavy == set(), f"salessim {' '.join(args)} imported {sorted(heavy)}"
