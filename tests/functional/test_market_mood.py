"""The market's mood: good and bad months shared by every client decision, and how it is measured.

* the engine draws a stationary AR(1) series on the log-odds scale with the stated sd and
  persistence, from its own stream (off = every month alike, identical draws elsewhere);
* it moves every rep's decisions together;
* :func:`salessim.calibration.fitting.mood_swing` separates the swing from chance, and reads
  back, from simulated closes, the distribution a plain AR(1)-plus-binomial series gives;
* :func:`salessim.engine.odds.logit_sensitivity` is the derivative it claims to be.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from scipy import stats

import salessim as ss
from salessim.calibration.fitting import mood_swing
from salessim.engine import odds
from salessim.model import Department
from tests.conftest import funnel_only


def _log_moods(scenario: ss.Scenario, n: int, seed: int = 5) -> np.ndarray:
    """``log`` of each simulated month's mood, one row per replication."""
    return np.array([np.log(Department(scenario, seed=seed, replication=i, record_events=False).mood)
                     for i in range(n)])


def test_off_means_every_month_alike_and_leaves_other_draws_alone(baseline):
    off = ss.with_overrides(baseline, {"market_mood.monthly_sd": 0.0, "market_mood.persistence": 0.0})
    off_persistent = ss.with_overrides(off, {"market_mood.persistence": 0.8})
    dept = Department(off, seed=1)
    assert dept.mood == [1.0] * dept.calendar.months
    a = ss.simulate(off, seed=4, record_events=False).summary()
    b = ss.simulate(off_persistent, seed=4, record_events=False).summary()
    assert a == b                                     # persistence does nothing without a swing
    on = ss.with_overrides(off, {"market_mood.monthly_sd": 0.3})
    c = ss.simulate(on, seed=4, record_events=False).summary()
    assert c != a


@pytest.mark.parametrize("sd, persistence", [(0.3, 0.0), (0.25, 0.6)])
def test_the_series_has_the_stated_spread_and_persistence(baseline, sd, persistence):
    """Across 400 seeded replications, each month's log-mood is N(0, sd^2) and neighbouring months
    correlate at ``persistence``: a chi-square interval on the sd and a Fisher-z interval on the
    correlation, both at 99.9%."""
    sc = ss.with_overrides(baseline, {"market_mood.monthly_sd": sd, "market_mood.persistence": persistence,
                                      "calendar.months": 12, "calendar.warmup_months": 0})
    z = _log_moods(sc, 400)
    n = z.shape[0]
    for m in (0, 6, 11):                              # stationary: the first month too
        s2 = z[:, m].var(ddof=1)
        lo = (n - 1) * s2 / stats.chi2.ppf(0.9995, n - 1)
        hi = (n - 1) * s2 / stats.chi2.ppf(0.0005, n - 1)
        assert lo <= sd**2 <= hi, (m, math.sqrt(s2))
        assert abs(z[:, m].mean()) < 3.3 * sd / math.sqrt(n)
    r = np.corrcoef(z[:, 5], z[:, 6])[0, 1]
    half = 3.3 / math.sqrt(n - 3)
    assert math.tanh(math.atanh(r) - half) <= persistence <= math.tanh(math.atanh(r) + half)


def test_one_mood_for_the_whole_market(baseline):
    """The same seed gives the same months whatever the team, so paired scenarios share their market."""
    sc = ss.with_overrides(baseline, {"market_mood.monthly_sd": 0.3, "market_mood.persistence": 0.5})
    big = ss.load_scenario("double_headcount_one_supervisor", {"market_mood.monthly_sd": 0.3,
                                                                "market_mood.persistence": 0.5})
    for rep in range(3):
        assert Department(sc, seed=2, replication=rep).mood == Department(big, seed=2, replication=rep).mood
    assert Department(sc, seed=2, replication=0).mood != Department(sc, seed=2, replication=1).mood
    # anchored to the calendar: another warm-up or start shares the mood of the months both simulate
    later = ss.with_overrides(sc, {"calendar.warmup_months": 0, "calendar.start": "2027-04-01"})
    a, b = Department(sc, seed=2, replication=1), Department(later, seed=2, replication=1)
    mood_a = dict(zip(a.calendar.month_labels, a.mood))
    mood_b = dict(zip(b.calendar.month_labels, b.mood))
    shared = sorted(set(mood_a) & set(mood_b))
    assert len(shared) >= 8 and all(mood_a[m] == mood_b[m] for m in shared)


def _rep_month_wins(scenario: ss.Scenario, n: int) -> list[pd.DataFrame]:
    runs = ss.replicate(scenario, n=n, seed=8, keep_leads=True)
    out = []
    for res in runs.results:
        leads = res.leads()
        won = leads[leads["state"] == "won"]
        out.append(won.assign(month=won["closed_date"].dt.to_period("M")).groupby(["month", "rep"]).size()
                   .unstack(fill_value=0))
    return out


def test_a_good_month_for_one_rep_is_a_good_month_for_all():
    """Reps' monthly wins move together under a swing and not without one: the mean correlation
    between two reps' monthly wins, replication by replication, differs by more than 3 standard errors."""
    calm = funnel_only(12.0, (0.6, 0.6, 0.7, 0.6), months=18, reps=6)
    moody = ss.with_overrides(calm, {"market_mood.monthly_sd": 0.4})

    def mean_corr(table: pd.DataFrame) -> float:
        c = np.corrcoef(table.to_numpy().T)
        return float(c[np.triu_indices_from(c, 1)].mean())

    a = np.array([mean_corr(t) for t in _rep_month_wins(calm, 6)])
    b = np.array([mean_corr(t) for t in _rep_month_wins(moody, 6)])
    se = math.sqrt(a.var(ddof=1) / len(a) + b.var(ddof=1) / len(b))
    assert b.mean() - a.mean() > 3 * se
    assert abs(a.mean()) < 3 * a.std(ddof=1) / math.sqrt(len(a)) + 0.1   # no swing: reps are independent


# --------------------------------------------------------------------------- measuring it
def _reference(sd: float, persistence: float, months: int, closes: int, p: float, draws: int, seed: int = 0):
    """The estimator on a plain AR(1) log-odds series with binomial closes (no simulation model)."""
    rng = np.random.default_rng(seed)
    out = []
    for _ in range(draws):
        z = np.empty(months)
        z[0] = sd * rng.standard_normal()
        for i in range(1, months):
            z[i] = persistence * z[i - 1] + math.sqrt(1 - persistence**2) * sd * rng.standard_normal()
        share = np.array([odds.scale(p, math.exp(x)) for x in z])
        c = np.full(months, closes)
        out.append(mood_swing(rng.binomial(c, share), c))
    return out


@pytest.mark.parametrize("closes, p", [(400, 0.6), (50, 0.6), (50, 0.75)])
def test_chance_alone_is_not_a_swing(closes, p):
    """Months with a constant win probability: the variance the estimator attributes to the market,
    before it is cut at 0, averages 0 within 3 standard errors over 2,000 series (from 50 closes a month)."""
    est = _reference(0.0, 0.0, 12, closes, p, 2000)
    excess = np.array([e["raw_sd"] ** 2 - e["sampling_sd"] ** 2 for e in est])
    assert abs(excess.mean()) < 3 * excess.std(ddof=1) / math.sqrt(len(excess))


@pytest.mark.parametrize("closes, p", [(400, 0.6), (50, 0.6)])
def test_the_swing_is_measured_without_bias_when_months_are_independent(closes, p):
    """Independent months (persistence 0): var(log-odds) - chance is unbiased for sd^2."""
    sd = 0.3
    est = _reference(sd, 0.0, 12, closes, p, 2000, seed=1)
    excess = np.array([e["raw_sd"] ** 2 - e["sampling_sd"] ** 2 for e in est])
    assert abs(excess.mean() - sd**2) < 3 * excess.std(ddof=1) / math.sqrt(len(excess))


def test_simulated_closes_read_back_like_the_process_they_came_from():
    """The model's monthly won share (one decision, at the lead's arrival) and a plain AR(1) series
    with binomial closes give the estimator the same mean swing and persistence (Welch, 99.9%)."""
    sd, persistence, months = 0.3, 0.5, 24
    sc = funnel_only(30.0, (1.0, 1.0, 1.0, 0.6), months=months, reps=4)
    sc = ss.with_overrides(sc, {"market_mood.monthly_sd": sd, "market_mood.persistence": persistence})
    runs = ss.replicate(sc, n=10, seed=12, keep_leads=True, workers=2)
    model = []
    closes = []
    for res in runs.results:
        leads = res.leads()
        done = leads[leads["state"].isin(["won", "lost"])]
        by = done.assign(month=done["closed_date"].dt.to_period("M"), won=done["state"] == "won").groupby("month")
        model.append(mood_swing(by["won"].sum().to_numpy(), by.size().to_numpy()))
        closes.append(by.size().mean())
    ref = _reference(sd, persistence, months, int(round(np.mean(closes))), 0.6, 1000, seed=2)
    for key in ("sd", "persistence"):
        a = np.array([e[key] for e in model])
        b = np.array([e[key] for e in ref])
        t = stats.ttest_ind(a, b, equal_var=False)
        assert t.pvalue > 0.001, (key, a.mean(), b.mean())
    assert np.mean([e["sd"] for e in model]) > 3 * np.mean([e["sampling_sd"] for e in model])


def test_too_few_months_measure_no_swing():
    """Detrending takes two degrees of freedom: four months are the fewest that show a swing."""
    out = mood_swing(np.array([50, 60, 55]), np.array([100, 100, 100]))
    assert out["sd"] == 0.0 and out["persistence"] == 0.0 and "fewer than 4 months" in out["note"]
    out = mood_swing(np.array([50, 0, 60, 55, 70]), np.array([100, 0, 100, 100, 100]))
    assert out["months"] == 4                                   # a month with no close is not scored


def test_a_trend_in_the_won_share_is_not_a_swing():
    """A won share that rises steadily month after month has no good and bad months: detrended, no swing."""
    won = np.array([300, 330, 360, 390, 420, 450, 480, 510, 540])
    out = mood_swing(won, np.full(9, 1000))
    assert out["trend"] > 0.05 and out["sd"] < 0.02 < out["centred_sd"]


@pytest.mark.parametrize("probs", [[0.6], [0.6, 0.75, 0.667], [1.0, 0.8, 0.5], [0.2, 0.9]])
def test_logit_sensitivity_is_the_derivative_of_the_overall_log_odds(probs):
    def overall(z: float) -> float:
        p = math.prod(odds.scale(q, math.exp(z)) for q in probs)
        return math.log(p / (1 - p))

    h = 1e-5
    numeric = (overall(h) - overall(-h)) / (2 * h)
    assert odds.logit_sensitivity(probs) == pytest.approx(numeric, rel=1e-6)
    assert odds.logit_sensitivity([1.0, 1.0]) == 0.0


def test_bad_mood_values_are_clear_errors():
    with pytest.raises(ss.ScenarioError, match="market_mood.persistence"):
        ss.load_scenario("baseline", {"market_mood.persistence": 1.0})
    with pytest.raises(ss.ScenarioError, match="market_mood.monthly_sd"):
        ss.load_scenario("baseline", {"market_mood.monthly_sd": -0.1})
