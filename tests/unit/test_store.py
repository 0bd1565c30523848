"""The resumable Parquet result store: atomic parts, resume, refusal to touch a damaged store."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd
import pytest

import salessim as ss
import salessim.runs.replications as replications
from salessim.analyses.sweep import sweep
from salessim.errors import UserError
from salessim.runs.store import KEY_COLUMNS, ResultStore

ROOT = Path(__file__).resolve().parents[2]
SHORT = {"calendar.months": 2, "calendar.warmup_months": 1}
GRID = {"team.reps.0.count": [4, 6, 8], "supervision.intensity_floor": [0.2, 0.3]}
N = 2


def _rows(keys, value):
    df = pd.DataFrame(keys, columns=list(KEY_COLUMNS))
    df["seed"] = df["seed"].astype("int64")
    df["replication"] = df["replication"].astype("int64")
    df["profit"] = float(value)
    return df


def test_parts_are_written_atomically_and_read_back_sorted(tmp_path):
    st = ResultStore.open(tmp_path / "s", "sweep", {"x": 1})
    st.write(_rows([("h", "{}", 0, 1)], 2.0))
    st.write(_rows([("h", "{}", 0, 0)], 1.0))
    assert not list((tmp_path / "s").glob(".tmp-*"))
    back = ResultStore.open(tmp_path / "s", "sweep", {"x": 1}, resume=True)
    assert back.rows["replication"].tolist() == [0, 1]
    assert back.rows["profit"].tolist() == [1.0, 2.0]
    assert back.finished() == {("h", "{}", 0, 0), ("h", "{}", 0, 1)}


def test_compact_merges_parts_and_identical_duplicates_are_harmless(tmp_path):
    st = ResultStore.open(tmp_path / "s", "sweep", {"x": 1})
    for r in range(3):
        st.write(_rows([("h", "{}", 0, r)], r))
    st.write(_rows([("h", "{}", 0, 2)], 2))          # e.g. a merge interrupted before deleting the old parts
    st.compact()
    assert len(list((tmp_path / "s").glob("part-*.parquet"))) == 1
    assert len(st.read()) == 3


def test_conflicting_duplicates_are_refused(tmp_path):
    st = ResultStore.open(tmp_path / "s", "sweep", {"x": 1})
    st.write(_rows([("h", "{}", 0, 0)], 1.0))
    st.write(_rows([("h", "{}", 0, 0)], 9.0))
    with pytest.raises(UserError, match="different results for the same run"):
        ResultStore.open(tmp_path / "s", "sweep", {"x": 1}, resume=True)


def test_a_leftover_temporary_part_is_removed_and_reported(tmp_path):
    st = ResultStore.open(tmp_path / "s", "sweep", {"x": 1})
    st.write(_rows([("h", "{}", 0, 0)], 1.0))
    (tmp_path / "s" / ".tmp-part-half-written.parquet").write_bytes(b"PAR1 half")
    again = ResultStore.open(tmp_path / "s", "sweep", {"x": 1}, resume=True)
    assert any("unfinished part" in n for n in again.notes)
    assert not list((tmp_path / "s").glob(".tmp-*"))
    assert len(again.rows) == 1


def test_a_damaged_part_is_reported_and_nothing_is_changed(tmp_path):
    st = ResultStore.open(tmp_path / "s", "sweep", {"x": 1})
    good = st.write(_rows([("h", "{}", 0, 0)], 1.0))
    bad = tmp_path / "s" / "part-99999999999999999999-1-000001.parquet"
    bad.write_bytes(b"this is not parquet")
    before = {p.name: p.read_bytes() for p in (tmp_path / "s").iterdir()}
    for kwargs in ({"resume": True}, {"overwrite": True}, {}):
        with pytest.raises(UserError, match="damaged part file") as e:
            ResultStore.open(tmp_path / "s", "sweep", {"x": 1}, **kwargs)
        assert bad.name in str(e.value)
    assert {p.name: p.read_bytes() for p in (tmp_path / "s").iterdir()} == before
    assert good.exists()


def test_a_damaged_description_is_reported(tmp_path):
    ResultStore.open(tmp_path / "s", "sweep", {"x": 1})
    (tmp_path / "s" / "experiment.json").write_text("{ not json")
    with pytest.raises(UserError, match="damaged store description"):
        ResultStore.open(tmp_path / "s", "sweep", {"x": 1}, resume=True)


def test_a_store_of_another_experiment_is_refused_and_kept(tmp_path):
    st = ResultStore.open(tmp_path / "s", "sweep", {"seed": 1})
    st.write(_rows([("h", "{}", 1, 0)], 1.0))
    with pytest.raises(UserError, match="different experiment .*differs in: seed.*pass --resume to extend it"):
        ResultStore.open(tmp_path / "s", "sweep", {"seed": 2})
    with pytest.raises(UserError, match="it is a 'sweep' store"):
        ResultStore.open(tmp_path / "s", "compare", {"seed": 1}, resume=True)
    assert len(ResultStore.open(tmp_path / "s", "sweep", {"seed": 1}, resume=True).rows) == 1


def test_resume_extends_a_store_of_the_same_kind_and_keeps_its_rows(tmp_path):
    st = ResultStore.open(tmp_path / "s", "sweep", {"seed": 1})
    st.write(_rows([("h", "{}", 1, 0)], 1.0))
    ext = ResultStore.open(tmp_path / "s", "sweep", {"seed": 2}, resume=True)
    assert len(ext.rows) == 1 and any("extending" in n for n in ext.notes)
    # the store now describes the new experiment, and still holds the old row
    assert len(ResultStore.open(tmp_path / "s", "sweep", {"seed": 2}, resume=True).rows) == 1


def test_a_store_of_other_model_code_is_never_extended(tmp_path, monkeypatch):
    ResultStore.open(tmp_path / "s", "sweep", {"x": 1}).write(_rows([("h", "{}", 0, 0)], 1.0))
    monkeypatch.setattr("salessim.runs.store.code_fingerprint", lambda: "another version")
    with pytest.raises(UserError, match="different version of the model code"):
        ResultStore.open(tmp_path / "s", "sweep", {"x": 2}, resume=True)


def test_a_sweep_extended_with_more_values_reuses_its_runs_and_equals_a_fresh_sweep(tmp_path):
    store = tmp_path / "grid"
    first = sweep("baseline", {"team.reps.0.count": [4, 6]}, n=N, seed=3, overrides=SHORT, workers=1, store=store)
    assert (first.ran, first.reused) == (2 * N, 0)
    wider = {"team.reps.0.count": [4, 6, 8]}
    extended = sweep("baseline", wider, n=N, seed=3, overrides=SHORT, workers=1, store=store, resume=True)
    assert (extended.ran, extended.reused) == (N, 2 * N)      # only the new value ran
    fresh = sweep("baseline", wider, n=N, seed=3, overrides=SHORT, workers=1)
    pd.testing.assert_frame_equal(extended.table, fresh.table)


def test_existing_results_need_resume_or_overwrite(tmp_path):
    st = ResultStore.open(tmp_path / "s", "sweep", {"x": 1})
    st.write(_rows([("h", "{}", 0, 0)], 1.0))
    with pytest.raises(UserError, match="pass --resume"):
        ResultStore.open(tmp_path / "s", "sweep", {"x": 1})
    fresh = ResultStore.open(tmp_path / "s", "sweep", {"x": 2}, overwrite=True)
    assert fresh.rows.empty and not list((tmp_path / "s").glob("part-*"))


def test_a_directory_of_other_files_is_not_taken_over(tmp_path):
    (tmp_path / "mine.txt").write_text("precious")
    with pytest.raises(UserError, match="not a salessim result store"):
        ResultStore.open(tmp_path, "sweep", {"x": 1}, overwrite=True)
    assert (tmp_path / "mine.txt").read_text() == "precious"


# --------------------------------------------------------------------------- resume
@pytest.fixture(scope="module")
def full_table():
    base = ss.load_scenario("baseline", SHORT)
    return sweep(base, GRID, n=N, seed=3, workers=1).table


def test_resume_runs_only_the_missing_keys(tmp_path, full_table, monkeypatch):
    base = ss.load_scenario("baseline", SHORT)
    part = {"team.reps.0.count": [4, 6, 8], "supervision.intensity_floor": [0.2, 0.3]}
    store = tmp_path / "s"
    # first run: only 1 of the 2 replications
    sweep(base, part, n=1, seed=3, store=store, workers=1)
    calls = []
    real = replications.run_replication
    monkeypatch.setattr(replications, "run_replication", lambda task: calls.append(task.replication) or real(task))
    resumed = sweep(base, part, n=N, seed=3, store=store, resume=True, workers=1)  # in this process: counted
    assert sorted(calls) == [1] * 6                  # only replication 1 of each of the 6 points ran
    pd.testing.assert_frame_equal(resumed.table, full_table)
    calls.clear()
    again = sweep(base, part, n=N, seed=3, store=store, resume=True, workers=1)
    assert calls == []                                 # nothing left to do
    pd.testing.assert_frame_equal(again.table, full_table)


KILL_SCRIPT = """
import sys
from salessim.cli import main
sys.exit(main(["sweep", "baseline", "--set", "calendar.months=2", "--set", "calendar.warmup_months=1",
               "--grid", "team.reps.0.count=4,6,8", "--grid", "supervision.intensity_floor=0.2,0.3",
               "-n", "{n}", "--seed", "3", "--workers", "{workers}", "--store", sys.argv[1], "--json"]))
"""


@pytest.mark.parametrize("workers", [1, 2])
def test_a_killed_sweep_resumes_to_the_same_table(tmp_path, full_table, workers):
    """SIGKILL a sweep part-way, resume it, and get exactly the uninterrupted table."""
    store = tmp_path / "store"
    script = tmp_path / "run.py"
    script.write_text(KILL_SCRIPT.format(n=N, workers=workers))
    proc = subprocess.Popen([sys.executable, str(script), str(store)], cwd=ROOT, start_new_session=True,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    total = len(full_table)
    try:
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline and proc.poll() is None:
            if len(list(store.glob("part-*.parquet"))) >= 2:
                break
            time.sleep(0.01)
        children = _children(proc.pid)
        os.kill(proc.pid, signal.SIGKILL)  # no chance to clean up
    finally:
        proc.wait(timeout=30)
    assert len(children) >= (2 if workers > 1 else 0)
    _assert_gone(children)  # its worker processes do not linger as orphans
    assert proc.returncode == -signal.SIGKILL, "the sweep finished before it could be killed"
    saved = _rows_on_disk(store)
    assert 0 < len(saved) < total
    resumed = sweep(ss.load_scenario("baseline", SHORT), GRID, n=N, seed=3, store=store, resume=True)
    pd.testing.assert_frame_equal(resumed.table, full_table)
    assert len(_rows_on_disk(store)) == total
    assert len(list(store.glob("part-*.parquet"))) == 1  # merged once complete


def _rows_on_disk(store: Path) -> pd.DataFrame:
    parts = sorted(store.glob("part-*.parquet"))
    return pd.concat([pd.read_parquet(p) for p in parts], ignore_index=True) if parts else pd.DataFrame()


def _children(pid: int) -> list[int]:
    try:
        return [int(c) for c in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]
    except OSError:
        return []


def _assert_gone(pids: list[int], timeout: float = 10.0) -> None:
    deadline = time.monotonic() + timeout
    alive = list(pids)
    while alive and time.monotonic() < deadline:
        alive = [p for p in alive if _running(p)]
        time.sleep(0.05)
    for p in alive:  # clean up before failing
        os.kill(p, signal.SIGKILL)
    assert not alive, f"worker processes {alive} outlived the killed sweep"


def _running(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (OSError, IndexError):
        return False
    return state not in ("Z", "X")
