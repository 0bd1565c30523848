"""Invariants of the department model: conservation, capacity, determinism."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import salessim as ss
from salessim.model import Department

TERMINAL = {"won", "lost", "dropped"}


@pytest.fixture(scope="module")
def run(baseline):
    return ss.simulate(baseline, seed=11)


@pytest.fixture(scope="module")
def overloaded(baseline):
    """Far more inbound leads than seven reps can handle."""
    sc = ss.with_overrides(baseline, {"lead_sources.0.rate_per_day": 25.0, "lead_sources.1.rate_per_day": 10.0})
    return ss.simulate(sc, seed=5)


def test_every_lead_ends_in_exactly_one_state(run):
    leads = run.leads()
    assert leads["lead_id"].is_unique
    assert set(leads["state"]) <= TERMINAL | {"open"}
    ev = run.events()
    closing = ev[ev["event"].isin(["won", "lost", "dropped"])]
    # one terminal event per closed lead, none for open ones
    per_lead = closing.groupby("lead_id").size()
    assert (per_lead == 1).all()
    closed_ids = set(leads.loc[leads["state"] != "open", "lead_id"])
    assert set(per_lead.index) == closed_ids
    assert (closing.set_index("lead_id")["event"].sort_index()
            == leads.set_index("lead_id").loc[sorted(closed_ids), "state"]).all()


def test_lead_states_agree_with_counters(run):
    leads = run.leads()
    in_period = leads["closed_day"].between(0, run.calendar.n_days - 1)
    assert (leads["state"].eq("won") & in_period).sum() == run.rp["wins"].sum()
    assert (leads["state"].eq("lost") & in_period).sum() == run.rp["losses"].sum()
    assert (leads["state"].eq("dropped") & in_period).sum() == run.r["dropped_leads"].sum()


def test_no_lead_is_stuck(run):
    """An open lead must be recent: with finite delays nothing waits for months."""
    leads = run.leads()
    open_ = leads[leads["state"] == "open"]
    assert len(open_) > 0
    age = run.calendar.n_days - open_["created_day"]
    assert age.max() < 90, open_.sort_values("created_day").head()


def _hours(df: pd.DataFrame) -> pd.Series:
    return df[[c for c in df.columns if c.startswith("hours_") and c != "hours_training"]].sum(axis=1)


@pytest.mark.parametrize("fixture", ["run", "overloaded"])
def test_no_rep_works_more_hours_than_the_calendar_gives(fixture, request):
    res = request.getfixturevalue(fixture)
    rm = res.rep_monthly()
    hpd = res.calendar.hours_per_day
    # every present day is fully accounted for (idle fills the rest) and never exceeded
    np.testing.assert_allclose(_hours(rm), rm["days_present"] * hpd, rtol=0, atol=1e-6)
    assert (_hours(rm) + rm["hours_training"] <= rm["days_employed"] * hpd + 1e-6).all()
    # meetings fit in the diary's slots
    dept = Department(res.scenario)
    assert (rm["meetings"] <= rm["days_present"] * dept.slots_per_day).all()
    assert (rm["hours_meetings"] <= rm["days_present"] * dept.slots_per_day * dept.meeting_block + 1e-6).all()


def test_saturated_reps_drop_leads_and_record_why(overloaded, run):
    leads = overloaded.leads()
    dropped = leads[leads["state"] == "dropped"]
    assert len(dropped) > 5 * (run.leads()["state"] == "dropped").sum()
    assert set(dropped["reason"]) <= {"missed_call", "not_contacted_in_time", "no_diary_slot", "rep_left"}
    assert (dropped["reason"] != "").all()


def test_same_seed_same_tables_different_seed_different(baseline):
    a = ss.simulate(baseline, seed=3)
    b = ss.simulate(baseline, seed=3)
    c = ss.simulate(baseline, seed=4)
    pd.testing.assert_frame_equal(a.rep_product_monthly(), b.rep_product_monthly())
    pd.testing.assert_frame_equal(a.leads(), b.leads())
    pd.testing.assert_frame_equal(a.events(), b.events())
    assert not a.rep_product_monthly().equals(c.rep_product_monthly())
    assert a.summary() != c.summary()


def test_replications_are_the_same_serial_or_parallel(baseline):
    serial = ss.replicate(baseline, n=4, seed=9, workers=1)
    parallel = ss.replicate(baseline, n=4, seed=9, workers=2)
    pd.testing.assert_frame_equal(serial.per_replication, parallel.per_replication)
    pd.testing.assert_frame_equal(serial.department_monthly(), parallel.department_monthly())


def test_event_log_is_optional_and_does_not_change_results(baseline):
    with_log = ss.simulate(baseline, seed=21, record_events=True)
    without = ss.simulate(baseline, seed=21, record_events=False)
    assert with_log.summary() == without.summary()
    with pytest.raises(ValueError, match="without its event log"):
        without.events()


def test_rep_streams_are_keyed_by_rep_not_position(baseline):
    """Adding reps must not change the draws of the reps already there (common random numbers)."""
    bigger = ss.with_overrides(baseline, {"team.reps": [
        baseline.team.reps[0].model_dump(exclude_none=True),
        {"id": "new", "count": 3, "supervisor": "head", "salary_per_month": 3000.0},
    ]})
    a = Department(baseline, seed=2)
    b = Department(bigger, seed=2)
    for ra, rb in zip(a.reps, b.reps[: len(a.reps)]):
        assert ra.id == rb.id
        assert ra.skill == rb.skill and ra.threshold == rb.threshold
        assert np.array_equal(ra.present, rb.present)
        assert ra.lead_luck.take() == rb.lead_luck.take()
        assert ra.rng_deals.random() == rb.rng_deals.random()


def test_the_same_lead_has_the_same_luck_in_two_scenarios(baseline):
    """Common random numbers per lead: the k-th lead a rep books (and the k-th inbound lead of
    a source) gets the same uniform numbers, so the same size, whatever else differs."""
    bigger = ss.with_overrides(baseline, {"team.reps": [
        baseline.team.reps[0].model_dump(exclude_none=True),
        {"id": "new", "count": 3, "supervisor": "head", "salary_per_month": 3000.0},
    ]})
    a = ss.simulate(baseline, seed=5, record_events=False).leads()
    b = ss.simulate(bigger, seed=5, record_events=False).leads()
    ids = set(a["rep"])
    checked = 0
    for rep in sorted(ids):
        la = a[(a["rep"] == rep) & (a["origin"] == "outbound")]["potential"].to_numpy()
        lb = b[(b["rep"] == rep) & (b["origin"] == "outbound")]["potential"].to_numpy()
        k = min(len(la), len(lb))
        assert k > 0
        np.testing.assert_array_equal(la[:k], lb[:k])
        checked += k
    ia = a[a["origin"] == "inbound"].sort_values("created_day")["potential"].to_numpy()
    ib = b[b["origin"] == "inbound"].sort_values("created_day")["potential"].to_numpy()
    assert len(ia) == len(ib) > 0
    np.testing.assert_array_equal(np.sort(ia), np.sort(ib))
    assert checked > 100


@pytest.mark.parametrize("block", [1, 3, 32])
def test_lead_luck_in_blocks_is_the_per_lead_draw(block):
    """Luck drawn a block of leads at a time gives each lead exactly rng.random(N_LUCK)."""
    from salessim.engine.lead import N_LUCK, LuckSupply

    supply = LuckSupply(np.random.default_rng(11), block=block)
    reference = np.random.default_rng(11)
    for _ in range(70):  # crosses several block boundaries
        assert supply.take() == reference.random(N_LUCK).tolist()


def test_counters_are_numpy_arrays_once_the_run_is_over(baseline):
    """The recorder counts in lists during the run and hands results float arrays of the same shape."""
    dept = Department(baseline, seed=3, record_events=False)
    assert isinstance(dept.recorder.rp["meetings"], list)
    res = dept.run()
    n_months, n_reps, n_products = dept.calendar.months, len(dept.reps), len(dept.products)
    assert dept.recorder.rp["meetings"].shape == (n_months, n_reps, n_products)
    assert dept.recorder.r["hours_idle"].shape == (n_months, n_reps)
    assert dept.recorder.daily_fact.shape == (dept.calendar.n_days, n_reps)
    assert res.rp["meetings"].dtype == float and res.rp["meetings"].sum() > 0
