"""KPI formulas against hand-computed tables."""

import math

import numpy as np
import pytest

from salessim.results import kpi

# fact to date, monthly plan, working days in month, working days elapsed, expected pace %
PACE_TABLE = [
    (30_000, 100_000, 20, 5, 120.0),      # expected to date 25,000
    (40_000, 100_000, 22, 11, 80.0),      # expected 50,000
    (100_000, 100_000, 20, 20, 100.0),    # month end: pace equals fact / plan
    (0, 100_000, 21, 7, 0.0),
    (15_000, 60_000, 20, 4, 125.0),       # expected 12,000
]


@pytest.mark.parametrize("fact,plan,wd,el,expected", PACE_TABLE)
def test_pace_pct_hand_table(fact, plan, wd, el, expected):
    assert kpi.pace_pct(fact, plan, wd, el) == pytest.approx(expected)


def test_pace_is_not_the_plain_share():
    # the documents warn: 30k of 100k after 5 of 20 days is 30% of plan but 120% pace
    assert kpi.attainment_pct(30_000, 100_000) == pytest.approx(30.0)
    assert kpi.pace_pct(30_000, 100_000, 20, 5) == pytest.approx(120.0)


def test_pace_vectorised_and_undefined_cases():
    fact, plan, wd, el, want = (np.array(c) for c in zip(*PACE_TABLE))
    np.testing.assert_allclose(kpi.pace_pct(fact, plan, wd, el), want)
    assert math.isnan(kpi.pace_pct(10, 0, 20, 5))
    assert math.isnan(kpi.pace_pct(10, 100, 20, 0))


def test_win_rate_excludes_open_deals():
    assert kpi.win_rate(30, 70) == pytest.approx(0.30)
    assert math.isnan(kpi.win_rate(0, 0))


def test_quota_attainment_rate():
    assert kpi.quota_attainment_rate(np.array([120.0, 99.9, 100.0, np.nan])) == pytest.approx(2 / 3)


def test_an_interval_for_a_share_or_a_count_stays_within_what_the_metric_can_be():
    """Two replications gave 'win rate 27.6% [-5.1%, 60.2%]': cut to the metric's range. The true
    mean lies inside that range, so coverage is unchanged; seeded check over 2,000 samples."""
    from salessim.results.metrics import bounds
    from salessim.results.statistics import mean_interval

    assert bounds("win_rate") == (0.0, 1.0) and bounds("revenue_B")[0] == 0.0
    assert bounds("profit") == (float("-inf"), float("inf"))
    rng = np.random.default_rng(7)
    p, covered_raw, covered_cut = 0.1, 0, 0
    for _ in range(2000):
        x = rng.binomial(20, p, size=2) / 20
        raw, cut = mean_interval(x), mean_interval(x, bounds=bounds("win_rate"))
        assert 0.0 <= cut["low"] <= cut["high"] <= 1.0 or np.isnan(cut["low"])
        covered_raw += raw["low"] <= p <= raw["high"]
        covered_cut += cut["low"] <= p <= cut["high"]
    assert covered_cut == covered_raw                 # cutting to [0, 1] never loses the true value
