"""Mechanism unit tests: intensity, the effort choice rule, key-client churn, the invoice queue."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import stats

import salessim as ss
from salessim.engine import effort
from salessim.engine.back_office import BackOffice
from salessim.engine.key_clients import cumulative_hazard, daily_churn_hazard, days_to_use_up
from salessim.engine.rep import next_intensity, target_intensity
from salessim.model import Department


# ---------------------------------------------------------------- intensity
def test_intensity_decays_geometrically_to_the_floor_when_left_alone():
    floor, down = 0.25, 0.05
    i = 1.0
    for day in range(1, 61):
        i = next_intensity(i, 0.0, floor, 0.5, 0.15, down)
        assert i == pytest.approx(floor + (1 - floor) * (1 - down) ** day)


def test_intensity_recovers_geometrically_with_full_attention():
    up = 0.15
    i = 0.25
    for day in range(1, 31):
        i = next_intensity(i, 1.0, 0.25, 0.5, up, 0.05)
        assert i == pytest.approx(1 - 0.75 * (1 - up) ** day)


def test_target_intensity_shape():
    floor, th = 0.25, 0.5
    assert target_intensity(1.0, floor, th) == pytest.approx(1.0)
    assert target_intensity(th, floor, th) == pytest.approx(floor)
    assert target_intensity(0.0, floor, th) == pytest.approx(floor)
    # monotone, and flat near full attention
    a = np.linspace(0, 1, 101)
    t = np.array([target_intensity(x, floor, th) for x in a])
    assert np.all(np.diff(t) >= -1e-12)
    assert target_intensity(0.95, floor, th) > 0.97


def test_unsupervised_reps_drift_to_the_floor_in_the_model(baseline):
    data = baseline.model_dump(by_alias=True)
    data["team"]["reps"][0]["supervisor"] = None
    alone = ss.Scenario.model_validate(data)
    res = ss.simulate(alone, seed=1, record_events=False)
    sup = ss.simulate(baseline, seed=1, record_events=False)
    floor = baseline.supervision.intensity_floor
    assert res.rep_monthly()["intensity"].iloc[-7:].mean() == pytest.approx(floor, abs=0.01)
    assert sup.rep_monthly()["intensity"].mean() > 0.95
    assert res.summary()["meetings"] < 0.5 * sup.summary()["meetings"]


# ---------------------------------------------------------------- effort choice
def test_choice_rule_follows_pay_per_hour():
    v = [10.0, 4.0, 2.0]
    assert effort.choice_shares(v, 0.0) == [1.0, 0.0, 0.0]
    s = effort.choice_shares(v, 0.25)
    assert sum(s) == pytest.approx(1)
    assert s[0] > s[1] > s[2]
    # the log-ratio of two shares is their value gap over temperature x best value
    assert math.log(s[0] / s[1]) == pytest.approx((10 - 4) / (0.25 * 10))
    hot = effort.choice_shares(v, 1e6)
    assert max(hot) - min(hot) < 1e-5
    assert effort.choice_shares([0.0, 0.0], 0.3) == [0.5, 0.5]


def test_choice_rule_is_currency_free():
    assert effort.choice_shares([10, 4], 0.3) == pytest.approx(effort.choice_shares([1000, 400], 0.3))


def test_allocation_respects_caps_and_rechooses_among_the_rest():
    values = [100.0, 10.0, 4.0]
    rule = lambda open_: effort.choice_shares([values[i] for i in open_], 0.25)  # noqa: E731
    out = effort.allocate(5.0, [0.5, None, None], rule)
    assert out[0] == pytest.approx(0.5)
    assert sum(out) == pytest.approx(5.0)
    # the remaining 4.5 h split between the two products by the rule applied to them alone
    s = effort.choice_shares([10.0, 4.0], 0.25)
    assert out[1] == pytest.approx(4.5 * s[0]) and out[2] == pytest.approx(4.5 * s[1])
    # everything capped: the rest stays unallocated
    assert sum(effort.allocate(5.0, [1.0, 1.0, 1.0], rule)) == pytest.approx(3.0)


@settings(max_examples=200, deadline=None)
@given(hours=st.floats(0, 12), caps=st.lists(st.one_of(st.none(), st.floats(0, 6)), min_size=1, max_size=5),
       temp=st.floats(0.01, 5))
def test_allocation_never_exceeds_hours_or_caps(hours, caps, temp):
    values = [float(i + 1) for i in range(len(caps))]
    out = effort.allocate(hours, caps, lambda o: effort.choice_shares([values[i] for i in o], temp))
    assert sum(out) <= hours + 1e-9
    for o, c in zip(out, caps):
        assert o >= -1e-12
        if c is not None:
            assert o <= c + 1e-9
    if any(c is None for c in caps):
        assert sum(out) == pytest.approx(hours, abs=1e-9)


# ---------------------------------------------------------------- key-client churn
@settings(max_examples=300, deadline=None)
@given(s=st.floats(0, 600), growth=st.floats(0, 10), interval=st.floats(1, 60))
def test_churn_day_inverts_the_cumulative_hazard(s, growth, interval):
    h0 = 3e-4
    x = cumulative_hazard(s, h0, interval, growth, 21.7)
    assert days_to_use_up(x, h0, interval, growth, 21.7) == pytest.approx(s, rel=1e-7, abs=1e-7)


def test_hazard_rises_with_time_since_contact():
    h = daily_churn_hazard(np.array([0, 21, 42, 84, 168]), 21, 0.08, 3.0, 1.0, 260, 21.7)
    assert h[0] == h[1]  # no extra hazard until contact is overdue
    assert np.all(np.diff(h[1:]) > 0)
    assert -math.expm1(-h[0] * 260) == pytest.approx(0.08)


def test_neglected_clients_churn_as_the_hazard_says(baseline):
    """Clients never contacted: the share lost by day D is 1 - exp(-H(D)) (binomial 99.9% bound)."""
    sc = ss.with_overrides(baseline, {"calendar.warmup_months": 0})
    dept = Department(sc, seed=4)
    from salessim.engine.key_clients import KeyClientBook

    n = 4000
    book = KeyClientBook(dept, dept.reps[0], 0)
    for _ in range(n):
        book._add(0.0)
    kc = sc.key_clients
    for day in (40, 90, 160):
        lost = sum(1 for i in range(n) if book.churn_day[i] <= day)
        p = -math.expm1(-cumulative_hazard(day, book.h0, kc.contact_interval_days, kc.churn_growth_per_month_overdue,
                                           dept.days_per_month))
        lo, hi = stats.binom.ppf([0.0005, 0.9995], n, p)
        assert lo <= lost <= hi, (day, lost, n * p)


def test_contact_resets_the_clock_but_keeps_the_hazard_already_used(baseline):
    dept = Department(baseline, seed=4)
    from salessim.engine.key_clients import KeyClientBook

    book = KeyClientBook(dept, dept.reps[0], 0)
    book._add(0.0)
    before = book.resistance[0]
    book.contact(1, 50)
    used = cumulative_hazard(50, book.h0, book.interval, book.growth, book.dpm)
    assert book.resistance[0] == pytest.approx(before - used)
    assert book.last_contact[0] == 50
    assert book.churn_day[0] == pytest.approx(50 + days_to_use_up(book.resistance[0], book.h0, book.interval,
                                                                     book.growth, book.dpm))


# ---------------------------------------------------------------- invoice queue vs Erlang C
def erlang_c_wait(lam: float, mu: float, c: int) -> float:
    """Mean wait in queue of an M/M/c queue (Erlang C)."""
    a = lam / mu
    rho = a / c
    top = a**c / math.factorial(c) / (1 - rho)
    p_wait = top / (sum(a**k / math.factorial(k) for k in range(c)) + top)
    return p_wait / (c * mu - lam)


@pytest.mark.parametrize("clerks,lam,mean_service", [(1, 0.6, 1.0), (2, 1.5, 1.0)])
def test_invoice_queue_matches_erlang_c(baseline, clerks, lam, mean_service):
    sc = ss.with_overrides(baseline, {
        "back_office.clerks": clerks,
        "back_office.invoice_hours": {"dist": "exponential", "mean": mean_service},
        "back_office.sour_rate_per_hour": 0.0,
    })
    means = []
    for rep in range(20):
        dept = Department(sc, seed=8, replication=rep)
        office = BackOffice(dept)
        rng = np.random.default_rng([8, rep])
        env = dept.env

        def arrivals():
            while True:
                yield env.timeout(rng.exponential(1 / lam))
                env.process(office.invoice(None))

        env.process(arrivals())
        env.run(until=dept.calendar.horizon_hours * 0 + 4000)
        waits = np.array(office.waits)
        means.append(waits[len(waits) // 10:].mean())  # drop a warm-up tenth
    expected = erlang_c_wait(lam, 1 / mean_service, clerks)
    m, se = np.mean(means), np.std(means, ddof=1) / math.sqrt(len(means))
    assert abs(m - expected) < stats.t.ppf(0.995, len(means) - 1) * se, (m, expected, se)


def test_waiting_for_an_invoice_sours_deals(baseline):
    slow = ss.with_overrides(baseline, {"back_office.invoice_hours": {"dist": "exponential", "mean": 3.5},
                                        "back_office.sour_rate_per_hour": 0.05})
    a = ss.replicate(baseline, n=4, seed=3).per_replication
    b = ss.replicate(slow, n=4, seed=3).per_replication
    assert (b["mean_invoice_wait_hours"] > 3 * a["mean_invoice_wait_hours"]).all()
    assert b["won_deals"].mean() < a["won_deals"].mean()
