"""Replications kept as outcomes (KPIs and monthly series) and their cache (salessim/runs/cache.py)."""

from __future__ import annotations

import numpy as np
import pytest

import salessim as ss
from salessim.runs.cache import OutcomeCache, cache_dir
from salessim.runs.replication import Outcome
from salessim.runs.replications import band_frame, replicate_many


def run_outcome_set(scenario, n, seed=0, workers=None, cache=None, progress=None):
    """Outcomes of replications 0..n-1 of one scenario, through the cache."""
    return replicate_many([scenario], n, seed, detail="outcome", workers=workers, cache=cache, on_progress=progress)[0]


@pytest.fixture(scope="module")
def short() -> ss.Scenario:
    return ss.load_scenario("baseline", {"calendar.months": 3})


def test_outcome_matches_the_full_result(short):
    cache = OutcomeCache()
    s = run_outcome_set(short, 2, seed=3, workers=1, cache=cache)
    for o in s.outcomes:
        res = ss.simulate(short, seed=3, replication=o.replication, record_events=False)
        assert o.summary == res.summary()
        pnl = res.pnl()
        np.testing.assert_allclose(o.series.monthly["profit"], pnl["profit"].to_numpy())
        np.testing.assert_allclose(o.series.monthly["payroll"], (pnl["salaries"] + pnl["variable_pay"]
                                                           + pnl["payroll_tax"]).to_numpy())
        rm = res.rep_monthly()
        pay = rm.pivot(index="month", columns="rep", values="pay_total")[res.reps].to_numpy()
        np.testing.assert_allclose(o.series.rep["pay"], pay)
        dm = res.department_monthly()
        np.testing.assert_allclose(o.series.monthly["meetings_per_rep"], dm["meetings_per_rep"].to_numpy())


def test_cache_answers_settings_already_seen_without_simulating(short):
    cache = OutcomeCache()
    calls = []
    first = run_outcome_set(short, 4, seed=1, workers=1, cache=cache, progress=lambda d, t: calls.append((d, t)))
    assert cache.simulated == 4 and calls[-1] == (4, 4)
    again = run_outcome_set(short, 4, seed=1, workers=1, cache=cache, progress=lambda d, t: calls.append((d, t)))
    assert cache.simulated == 4 and calls[-1] == (0, 0)
    assert [o.summary for o in again.outcomes] == [o.summary for o in first.outcomes]
    # more replications of the same seed run only the new ones; another seed runs all
    run_outcome_set(short, 6, seed=1, workers=1, cache=cache)
    assert cache.simulated == 6
    run_outcome_set(short, 2, seed=2, workers=1, cache=cache)
    assert cache.simulated == 8


def test_cache_key_is_the_scenario_content_not_its_name(short):
    cache = OutcomeCache()
    renamed = short.model_copy(update={"name": "another_name", "description": "same department"})
    changed = ss.load_scenario(short, {"team.reps.0.count": 6})
    run_outcome_set(short, 2, seed=0, workers=1, cache=cache)
    run_outcome_set(renamed, 2, seed=0, workers=1, cache=cache)
    assert cache.simulated == 2
    run_outcome_set(changed, 2, seed=0, workers=1, cache=cache)
    assert cache.simulated == 4


def test_parallel_equals_serial_and_scenarios_are_paired(short):
    other = ss.load_scenario(short, {"supervision.intensity_floor": 0.5})
    serial = replicate_many([short, other], 4, seed=5, detail="outcome", workers=1)
    parallel = replicate_many([short, other], 4, seed=5, detail="outcome", workers=2)
    for a, b in zip(serial, parallel):
        assert [o.summary for o in a.outcomes] == [o.summary for o in b.outcomes]
    assert [o.replication for o in serial[0].outcomes] == [o.replication for o in serial[1].outcomes] == [0, 1, 2, 3]


def test_cache_drops_the_least_recently_used(short):
    cache = OutcomeCache(max_items=3)
    run_outcome_set(short, 3, seed=0, workers=1, cache=cache)
    run_outcome_set(short, 1, seed=0, workers=1, cache=cache)          # touch replication 0
    run_outcome_set(short, 1, seed=9, workers=1, cache=cache)          # evicts replication 1 of seed 0
    assert len(cache) == 3
    before = cache.simulated
    run_outcome_set(short, 1, seed=0, workers=1, cache=cache)
    assert cache.simulated == before
    run_outcome_set(short, 2, seed=0, workers=1, cache=cache)
    assert cache.simulated == before + 1


def test_band_is_mean_and_central_quantiles():
    x = np.array([[1.0, 10.0], [2.0, 20.0], [3.0, np.nan], [4.0, 40.0]])
    b = band_frame(x, ["m1", "m2"], level=0.5)
    assert list(b.index) == ["m1", "m2"]
    assert b.loc["m1", "mean"] == pytest.approx(2.5)
    assert b.loc["m1", "low"] == pytest.approx(np.quantile([1, 2, 3, 4], 0.25))
    assert b.loc["m2", "mean"] == pytest.approx(70 / 3)
    assert b.loc["m2", "high"] == pytest.approx(np.quantile([10, 20, 40], 0.75))


def test_bad_counts_are_user_errors(short):
    with pytest.raises(ss.UserError, match="expected a whole number"):
        run_outcome_set(short, 0)
    with pytest.raises(ss.UserError, match="seed"):
        run_outcome_set(short, 1, seed=-1)


def test_disk_cache_answers_a_new_session_without_simulating(short, tmp_path):
    """Outcomes kept on disk serve a fresh cache (a notebook re-opened, an app view) with no run."""
    first = OutcomeCache(directory=tmp_path)
    a = run_outcome_set(short, 3, seed=4, workers=1, cache=first)
    assert first.simulated == 3 and len(list(tmp_path.glob("*.pkl"))) == 3
    later = OutcomeCache(directory=tmp_path)                 # another process, another day
    b = run_outcome_set(short, 3, seed=4, workers=1, cache=later)
    assert later.simulated == 0 and later.disk_hits == 3
    assert [o.summary for o in b.outcomes] == [o.summary for o in a.outcomes]
    np.testing.assert_array_equal(b.monthly("profit"), a.monthly("profit"))
    run_outcome_set(short, 4, seed=4, workers=1, cache=later)  # only the new replication runs
    assert later.simulated == 1


def test_disk_cache_rereads_a_damaged_file_by_running_again(short, tmp_path):
    cache = OutcomeCache(directory=tmp_path)
    good = run_outcome_set(short, 1, seed=2, workers=1, cache=cache).outcomes[0]
    (f,) = tmp_path.glob("*.pkl")
    f.write_bytes(b"not a pickle")                           # a truncated or foreign file
    fresh = OutcomeCache(directory=tmp_path)
    again = run_outcome_set(short, 1, seed=2, workers=1, cache=fresh).outcomes[0]
    assert fresh.simulated == 1 and fresh.disk_hits == 0
    assert again.summary == good.summary
    assert OutcomeCache(directory=tmp_path).get(("unknown", 0, 0)) is None
    reread = OutcomeCache(directory=tmp_path)._load((short.content_hash(), 2, 0))
    assert isinstance(reread, Outcome) and reread.summary == good.summary  # the file was rewritten whole


def test_disk_cache_folder_follows_the_environment_and_the_model_code(tmp_path, monkeypatch):
    monkeypatch.setenv("SALESSIM_CACHE_DIR", "off")
    assert cache_dir() is None and OutcomeCache().directory is None
    monkeypatch.setenv("SALESSIM_CACHE_DIR", str(tmp_path))
    d = cache_dir()
    assert d.parent == tmp_path and d.name.startswith("outcomes-")   # named for the model's code
    monkeypatch.setattr("salessim.runs.cache.code_fingerprint", lambda: "0123456789abcdef")
    assert cache_dir() != d                                  # changed code: another folder, nothing reused


def test_disk_cache_prunes_the_oldest_files(short, tmp_path):
    cache = OutcomeCache(directory=tmp_path)
    run_outcome_set(short, 4, seed=6, workers=1, cache=cache)
    assert cache.prune(max_files=2) == 2
    assert len(list(tmp_path.glob("*.pkl"))) == 2
    cache.clear(disk=True)
    assert not list(tmp_path.glob("*.pkl")) and len(cache) == 0


def test_unwritable_disk_cache_falls_back_to_memory_with_a_warning(short, tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("a file where the folder should be")
    cache = OutcomeCache(directory=blocker / "sub")
    with pytest.warns(RuntimeWarning, match="cannot write the outcome cache"):
        run_outcome_set(short, 2, seed=1, workers=1, cache=cache)
    assert cache.directory is None and cache.simulated == 2
    run_outcome_set(short, 2, seed=1, workers=1, cache=cache)
    assert cache.simulated == 2                               # still served from memory
