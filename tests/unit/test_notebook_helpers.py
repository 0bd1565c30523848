"""Helpers the notebooks call (salessim/notebook.py): quick mode, the sample export, tables."""

from __future__ import annotations

import pytest

from salessim.apps import notebook as nb
from tests.conftest import ROOT, SHARED_DATA


@pytest.mark.parametrize("value,quick", [("1", True), ("true", True), ("yes", True), ("0", False), ("", False)])
def test_quick_mode_follows_the_environment(monkeypatch, value, quick):
    monkeypatch.setenv(nb.QUICK_ENV, value)
    assert nb.quick() is quick
    assert nb.choose(40, 3) == (3 if quick else 40)
    assert ("Quick mode" in nb.mode_note()) is quick


def test_repo_root_is_this_clone():
    assert nb.repo_root() == ROOT


@pytest.mark.skipif(not (SHARED_DATA / "sales_pipeline.csv").exists(), reason=f"no sample export at {SHARED_DATA}")
def test_the_sample_export_is_found_beside_the_clone(monkeypatch):
    monkeypatch.delenv(nb.SAMPLE_ENV, raising=False)
    s = nb.crm_sample()
    assert not s.bundled and s.deals == SHARED_DATA / "sales_pipeline.csv"
    assert s.teams == SHARED_DATA / "sales_teams.csv" and s.products == SHARED_DATA / "products.csv"


def test_an_export_named_by_the_environment_comes_first(monkeypatch, tmp_path):
    (tmp_path / "sales_pipeline.csv").write_text("x\n")
    monkeypatch.setenv(nb.SAMPLE_ENV, str(tmp_path))
    s = nb.crm_sample()
    assert s.deals == tmp_path / "sales_pipeline.csv" and s.teams is None and not s.bundled


def test_without_the_sample_the_bundled_demo_is_used_with_a_note(monkeypatch, tmp_path):
    monkeypatch.delenv(nb.SAMPLE_ENV, raising=False)
    monkeypatch.setattr(nb, "repo_root", lambda start=None: tmp_path / "clone")
    s = nb.crm_sample()
    assert s.bundled and s.deals.name == "demo_deals.csv" and s.deals.is_file() and s.teams.is_file()
    assert "was not found" in s.note and str(tmp_path / "shared" / "data" / "crm_export_sample") in s.note
    assert "demo export bundled with salessim" in s.note


def test_tables_escape_text_and_format_numbers():
    import pandas as pd

    html = nb.table_html(pd.DataFrame({"name": ["<script>x</script>"], "value": [1234567.891], "share": [0.256],
                                       "pct": [12.34], "missing": [float("nan")]}),
                         {"share": "share", "pct": "pct"})
    assert "<script>" not in html and "&lt;script&gt;" in html
    assert "1,234,568" in html and "25.6%" in html and "12.3%" in html
