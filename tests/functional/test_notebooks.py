"""The notebooks: committed without outputs, and run top to bottom in quick mode (as CI does)."""

from __future__ import annotations

import json
import time

import pytest

from tests.conftest import ROOT

NOTEBOOK_DIR = ROOT / "notebooks"
NOTEBOOKS = sorted(NOTEBOOK_DIR.glob("*.ipynb"))
EXPECTED = {"headcount_vs_dealsize", "commission_design", "calibrate_from_crm"}


def test_the_three_notebooks_are_there():
    assert {p.stem for p in NOTEBOOKS} >= EXPECTED


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_committed_notebooks_have_no_outputs(path):
    nb = json.loads(path.read_text(encoding="utf-8"))
    assert nb["nbformat"] == 4
    for i, cell in enumerate(nb["cells"]):
        if cell["cell_type"] == "code":
            assert cell.get("outputs") == [], f"{path.name} cell {i} has outputs: strip them before committing"
            assert cell.get("execution_count") is None, f"{path.name} cell {i} has an execution count"
    assert "widgets" not in nb.get("metadata", {}), f"{path.name} holds saved widget state"
    params = [c for c in nb["cells"] if "parameters" in c.get("metadata", {}).get("tags", [])]
    assert len(params) == 1, f"{path.name}: expected one cell tagged 'parameters' (papermill style)"


def _execute(path, monkeypatch):
    nbformat = pytest.importorskip("nbformat")
    nbclient = pytest.importorskip("nbclient")
    monkeypatch.setenv("SALESSIM_QUICK", "1")
    nb = nbformat.read(path, as_version=4)
    t = time.perf_counter()
    nbclient.NotebookClient(nb, timeout=600, kernel_name="python3",
                            resources={"metadata": {"path": str(path.parent)}}).execute()
    return nb, time.perf_counter() - t


def _outputs(nb):
    for cell in nb.cells:
        if cell.cell_type == "code":
            yield from cell.get("outputs", [])


@pytest.mark.slow
@pytest.mark.parametrize("name,images,needles", [
    ("headcount_vs_dealsize", 5, ["paired replications", "The new hires' own gross margin"]),
    ("commission_design", 6, ["Profit:", "New group (B)"]),
    ("calibrate_from_crm", 4, ["win probability (average rep)", "pace"]),
])
def test_notebook_runs_top_to_bottom_in_quick_mode(name, images, needles, monkeypatch):
    nb, seconds = _execute(NOTEBOOK_DIR / f"{name}.ipynb", monkeypatch)
    outs = list(_outputs(nb))
    assert not [o for o in outs if o.get("output_type") == "error"]
    pngs = [o for o in outs if "image/png" in o.get("data", {})]
    assert len(pngs) >= images, f"{name}: {len(pngs)} charts shown, expected at least {images}"
    text = " ".join(str(v) for o in outs for k, v in o.get("data", {}).items() if k.startswith("text/"))
    text += " ".join(o.get("text", "") for o in outs if o.get("output_type") == "stream")
    for needle in needles:
        assert needle in text, f"{name}: {needle!r} not in the outputs"
    assert "Quick mode" in text
    if name != "calibrate_from_crm":
        assert any("application/vnd.jupyter.widget-view+json" in o.get("data", {}) for o in outs), "no panel shown"
    print(f"{name}: {seconds:.1f} s in quick mode")
