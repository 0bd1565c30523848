"""The one code fingerprint: every file that decides a replication's numbers, whole folders, no lists."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from salessim.runs import fingerprint
from salessim.runs.fingerprint import FOLDERS, code_files, code_fingerprint, fingerprint_of


@pytest.fixture
def copy(tmp_path) -> Path:
    """The package's sources copied to a temporary folder (edits there leave the real code alone)."""
    dest = tmp_path / "salessim"
    shutil.copytree(fingerprint.PACKAGE_DIR, dest, ignore=shutil.ignore_patterns("__pycache__", "*.so"))
    return dest


def _edit(path: Path) -> None:
    path.write_text(path.read_text() + "\n# an edit\n")


def test_it_is_the_installed_codes(copy):
    assert fingerprint_of(fingerprint.PACKAGE_DIR) == code_fingerprint() == fingerprint_of(copy)


@pytest.mark.parametrize("relative", ["engine/payroll.py", "engine/pay_response.py", "scenarios/pay.py",
                                      "engine/rep.py", "model.py", "results/result.py", "runs/replication.py",
                                      "scenarios/baseline.toml", "scenarios/schemes/margin_25.toml"])
def test_an_edit_to_the_code_behind_a_run_changes_it(copy, relative):
    """Pay rules, actors, the department, result tables, the task function, built-ins: each counts
    (the old list named ``pay`` as a file, found none, and hashed nothing of the pay rules)."""
    before = fingerprint_of(copy)
    _edit(copy / relative)
    assert fingerprint_of(copy) != before


def test_every_python_file_of_the_covered_folders_counts(copy):
    """No list to forget: each module of every covered folder is hashed."""
    covered = {p.relative_to(copy).as_posix() for p in code_files(copy)}
    for folder in FOLDERS:
        for module in (copy / folder).rglob("*.py"):
            assert module.relative_to(copy).as_posix() in covered


def test_a_new_module_changes_it(copy):
    before = fingerprint_of(copy)
    (copy / "engine" / "new_mechanic.py").write_text('"""A mechanic added later."""\n')
    assert fingerprint_of(copy) != before


def test_moving_code_between_files_changes_it(copy):
    """Paths are hashed with contents: the same bytes under another name are other code."""
    before = fingerprint_of(copy)
    shutil.move(copy / "engine" / "odds.py", copy / "engine" / "odds_moved.py")
    assert fingerprint_of(copy) != before


def test_charts_and_commands_do_not_invalidate_stored_runs(copy):
    """Code that only draws or prints what runs produced leaves the fingerprint (and the cache) as it is."""
    before = fingerprint_of(copy)
    for relative in ("views/charts.py", "apps/commands/run.py", "analyses/compare.py", "cli.py"):
        _edit(copy / relative)
    assert fingerprint_of(copy) == before
