"""`salessim present`: finding the notebook, and clear exit-2 errors (the app itself: test_app_browser.py)."""

from __future__ import annotations

import json
import os
import shutil
import site
import socket
import subprocess
import sys
import zipfile
from importlib.metadata import version
from pathlib import Path

import pytest

import salessim.apps.notebook
from salessim.apps.commands import present
from salessim.cli import main
from tests.conftest import ROOT

BUILTINS = {"headcount_vs_dealsize", "commission_design", "calibrate_from_crm"}


def test_builtin_names_and_paths_resolve_to_the_notebooks():
    want = ROOT / "notebooks" / "headcount_vs_dealsize.ipynb"
    assert present.resolve_notebook("headcount_vs_dealsize") == want.resolve()
    assert present.resolve_notebook("headcount_vs_dealsize.ipynb") == want.resolve()
    assert present.resolve_notebook(str(want)) == want.resolve()
    assert BUILTINS <= set(present.builtin_notebooks())


def _empty_notebook(path: Path) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps({"cells": [], "metadata": {}, "nbformat": 4, "nbformat_minor": 5}), encoding="utf-8")
    return path


@pytest.fixture
def prefix(tmp_path, monkeypatch) -> Path:
    """A stand-in for the environment's prefix (``pip install`` puts the notebooks under it)."""
    monkeypatch.setattr(sys, "prefix", str(tmp_path / "prefix"))
    monkeypatch.setattr(site, "ENABLE_USER_SITE", False)
    return tmp_path / "prefix"


def _no_checkout(tmp_path, monkeypatch) -> None:
    """As after a plain ``pip install .``: no repository around the code or the current folder."""
    monkeypatch.setattr(salessim.apps.notebook, "repo_root", lambda start=None: None)
    (tmp_path / "elsewhere").mkdir()
    monkeypatch.chdir(tmp_path / "elsewhere")


def test_installed_notebooks_resolve_and_the_checkout_copy_wins(prefix, tmp_path, monkeypatch):
    installed = prefix / present.INSTALLED_NOTEBOOKS
    own = _empty_notebook(installed / "only_installed.ipynb")
    copy = _empty_notebook(installed / "commission_design.ipynb")
    assert installed == prefix / "share" / "salessim" / "notebooks"
    assert present.resolve_notebook("only_installed") == own.resolve()
    assert "only_installed" in present.builtin_notebooks()
    # a checkout's notebooks/ (perhaps edited) comes before the installed copy
    assert present.resolve_notebook("commission_design") == (ROOT / "notebooks" / "commission_design.ipynb").resolve()
    _no_checkout(tmp_path, monkeypatch)
    assert present.resolve_notebook("commission_design") == copy.resolve()
    assert present.builtin_notebooks() == ["commission_design", "only_installed"]


@pytest.mark.slow
def test_the_wheel_installs_the_notebooks_where_present_finds_them(prefix, tmp_path, monkeypatch):
    """``pip install .`` (a wheel) carries notebooks/*.ipynb to <prefix>/share/salessim/notebooks.

    Built offline from a copy of the sources (no build/ left in the repository) with the
    environment's setuptools; about 3 s.
    """
    if int(version("setuptools").split(".")[0]) < 77:
        pytest.skip("building the wheel needs setuptools>=77 (pyproject.toml's build-system): "
                    "pip install \"setuptools>=77\" (the dev extra has it)")
    src, dist = tmp_path / "src", tmp_path / "dist"
    src.mkdir()
    for name in ("pyproject.toml", "README.md"):
        shutil.copy(ROOT / name, src / name)
    for name in ("salessim", "notebooks"):
        shutil.copytree(ROOT / name, src / name, ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
    build = subprocess.run([sys.executable, "-m", "pip", "wheel", str(src), "--no-deps", "--no-build-isolation",
                            "--no-index", "-w", str(dist)], capture_output=True, text=True, timeout=120,
                           env={**os.environ, "PIP_DISABLE_PIP_VERSION_CHECK": "1"})
    assert build.returncode == 0, build.stdout + build.stderr
    (wheel,) = dist.glob("salessim-*.whl")
    data = "-".join(wheel.name.split("-")[:2]) + ".data/data/"   # salessim-<version>.data/data/
    where = data + present.INSTALLED_NOTEBOOKS.as_posix() + "/"
    with zipfile.ZipFile(wheel) as z:
        names = z.namelist()
        shipped = {n[len(where):] for n in names if n.startswith(where)}
        assert shipped == {p.name for p in (ROOT / "notebooks").glob("*.ipynb")}
        assert {f"{b}.ipynb" for b in BUILTINS} <= shipped
        for n in names:
            if n.startswith(data):   # install the data files as pip does, under the prefix
                z.extract(n, tmp_path / "wheel")
    shutil.copytree(tmp_path / "wheel" / data, prefix)
    _no_checkout(tmp_path, monkeypatch)
    for b in BUILTINS:
        assert present.resolve_notebook(b) == (prefix / present.INSTALLED_NOTEBOOKS / f"{b}.ipynb").resolve()


def test_the_server_listens_on_localhost_without_code_cells(tmp_path):
    cmd = present.voila_command(tmp_path / "x.ipynb", 8123, open_browser=False)
    assert "--port=8123" in cmd and "--Voila.ip=127.0.0.1" in cmd and "--strip_sources=True" in cmd
    assert "--Voila.open_browser=False" in cmd and cmd[1:3] == ["-m", "voila"]


def _err(capsys) -> str:
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and "Traceback" not in err
    return err


def test_missing_notebook(capsys):
    assert main(["present", "no_such_notebook", "--no-browser"]) == 2
    err = _err(capsys)
    assert "no such notebook file or built-in notebook" in err and "headcount_vs_dealsize" in err


@pytest.mark.parametrize("name,content,fragment", [
    ("notes.txt", "hello", "expected a Jupyter notebook (.ipynb), got a .txt"),
    ("broken.ipynb", "{not json", "not valid JSON"),
    ("other.ipynb", json.dumps({"a": 1}), "nbformat 4, with a list of cells"),
    ("binary.ipynb", None, "binary data"),
])
def test_files_that_are_not_notebooks(tmp_path, capsys, name, content, fragment):
    p = tmp_path / name
    if content is None:
        p.write_bytes(b"\xff\xfe\x00\x81" * 10)
    else:
        p.write_text(content, encoding="utf-8")
    assert main(["present", str(p), "--no-browser"]) == 2
    assert fragment in _err(capsys)


def test_a_directory_is_not_a_notebook(tmp_path, capsys):
    assert main(["present", str(tmp_path), "--no-browser"]) == 2
    assert "found a directory" in _err(capsys)


def test_busy_port(capsys):
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        s.listen(1)
        port = s.getsockname()[1]
        assert main(["present", "headcount_vs_dealsize", "--port", str(port), "--no-browser"]) == 2
    err = _err(capsys)
    assert f"port {port} on 127.0.0.1 is in use" in err and "--port" in err


@pytest.mark.parametrize("port", ["0", "70000", "http"])
def test_bad_port_numbers(capsys, port):
    with pytest.raises(SystemExit) as e:
        main(["present", "headcount_vs_dealsize", "--port", port])
    assert e.value.code == 2
    assert "expected a port number from 1 to 65535" in capsys.readouterr().err


def test_prepare_fills_the_disk_cache_so_a_showing_runs_nothing_again(tmp_path, monkeypatch, capsys):
    """--prepare runs the notebook headless; a second preparation (like the showing) simulates nothing."""
    pytest.importorskip("nbclient")
    monkeypatch.setenv("SALESSIM_CACHE_DIR", str(tmp_path))
    assert main(["present", "commission_design", "--quick", "--prepare"]) == 0
    out = capsys.readouterr().out
    assert "prepared commission_design.ipynb" in out and str(tmp_path) in out
    files = {p: p.stat().st_mtime_ns for p in tmp_path.rglob("*.pkl")}
    assert files, "the notebook's replications were not cached"
    assert main(["present", "commission_design", "--quick", "--prepare"]) == 0
    # every replication simulated is written to the cache: nothing new and nothing rewritten
    assert {p: p.stat().st_mtime_ns for p in tmp_path.rglob("*.pkl")} == files


def test_prepare_without_a_disk_cache_is_a_clear_error(monkeypatch, capsys):
    monkeypatch.setenv("SALESSIM_CACHE_DIR", "off")
    assert main(["present", "commission_design", "--prepare"]) == 2
    assert "SALESSIM_CACHE_DIR=off" in _err(capsys)
