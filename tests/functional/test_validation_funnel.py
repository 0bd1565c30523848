"""Validation against closed-form results.

With constant rates and no capacity limit the department is a plain funnel: inbound leads
arrive as a Poisson process of rate lambda per working day, and each converts through four
independent stages. A lead arriving on day d has its meeting on day d + 1 and (with zero
client delays) closes the same day, so the expected number of wins in the horizon is
``lambda * (N - 1) * p0 * p1 * p2 * p3`` for N working days. The simulated mean over
seeded replications must match it within a 99% confidence interval.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy import stats

import salessim as ss
from tests.conftest import funnel_only

PROBS = (0.5, 0.6, 0.75, 0.667)
RATE = 4.0
N_REPS = 40


@pytest.fixture(scope="module")
def funnel_runs():
    sc = funnel_only(RATE, PROBS)
    return sc, ss.replicate(sc, n=N_REPS, seed=2024)


def _ci(x, level=0.99):
    x = np.asarray(x, dtype=float)
    half = stats.t.ppf(0.5 + level / 2, len(x) - 1) * x.std(ddof=1) / math.sqrt(len(x))
    return x.mean() - half, x.mean() + half


def test_mean_wins_match_the_closed_form_funnel(funnel_runs):
    sc, reps = funnel_runs
    n_days = reps.results[0].calendar.n_days
    expected = RATE * (n_days - 1) * math.prod(PROBS)
    low, high = _ci(reps.per_replication["won_deals"])
    assert low <= expected <= high, (low, expected, high)


def test_each_stage_matches_its_closed_form(funnel_runs):
    sc, reps = funnel_runs
    n_days = reps.results[0].calendar.n_days
    arrivals = RATE * n_days
    meetings = RATE * (n_days - 1) * PROBS[0]
    proposals = meetings * PROBS[1]
    pr = reps.per_replication
    for col, expected in (("inbound_leads", arrivals), ("meetings", meetings), ("proposals", proposals)):
        low, high = _ci(pr[col])
        assert low <= expected <= high, (col, low, expected, high)


def test_no_capacity_limit_means_nothing_is_dropped(funnel_runs):
    sc, reps = funnel_runs
    assert reps.per_replication["dropped_leads"].sum() == 0


def test_a_different_funnel_moves_the_answer():
    """The check has power: halving the last stage halves the wins, beyond the interval."""
    sc = funnel_only(RATE, PROBS[:3] + (PROBS[3] / 2,))
    reps = ss.replicate(sc, n=20, seed=2024)
    n_days = reps.results[0].calendar.n_days
    full = RATE * (n_days - 1) * math.prod(PROBS)
    low, high = _ci(reps.per_replication["won_deals"])
    assert high < full
    assert low <= full / 2 <= high


def test_funnel_report_recovers_each_stage_probability():
    """The funnel report's stage-to-stage conversions estimate the configured probabilities."""
    sc = funnel_only(RATE, PROBS)
    res = ss.simulate(sc, seed=77)
    f = res.funnel().iloc[0]
    pairs = [("first_contact", "meeting", PROBS[0]), ("meeting", "proposal", PROBS[1]),
             ("proposal", "negotiation", PROBS[2]), ("negotiation", "won", PROBS[3])]
    for a, b, p in pairs:
        n, k = int(f[a]), int(f[b])
        lo, hi = stats.binom.ppf([0.0005, 0.9995], n, p)
        assert lo <= k <= hi, (a, b, k, n, p)
    cut = res.funnel("rep")
    assert cut["leads"].sum() == f["leads"] and set(cut["rep"]) == set(res.reps)
