"""Inverse-CDF draws: the quantiles the engine takes a lead's size and delays from."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import stats

from salessim.scenarios.distributions import (
    Exponential,
    Fixed,
    Gamma,
    Lognormal,
    Mixture,
    Uniform,
    Weibull,
    binomial_quantile,
)

UNIT = st.floats(min_value=1e-6, max_value=1 - 1e-6)


@settings(max_examples=60, deadline=None)
@given(u=UNIT, mean=st.floats(0.1, 100), cv=st.floats(0.1, 2.0), sigma=st.just(0.0) | st.floats(1e-6, 2.0),
       shape=st.floats(0.3, 5.0))
def test_quantiles_agree_with_scipy(u, mean, cv, sigma, shape):
    k = 1 / cv**2
    pairs = [
        (Exponential(dist="exponential", mean=mean), stats.expon(scale=mean)),
        (Gamma(dist="gamma", mean=mean, cv=cv), stats.gamma(k, scale=mean / k)),
        (Lognormal(dist="lognormal", median=mean, sigma=sigma), stats.lognorm(max(sigma, 1e-300), scale=mean)),
        (Weibull(dist="weibull", shape=shape, scale=mean), stats.weibull_min(shape, scale=mean)),
        (Uniform(dist="uniform", low=mean, high=2 * mean), stats.uniform(mean, mean)),
    ]
    for dist, ref in pairs:
        if isinstance(dist, Lognormal) and sigma == 0:
            assert dist.quantile(u) == mean
            continue
        assert dist.quantile(u) == pytest.approx(ref.ppf(u), rel=1e-7), type(dist).__name__
    assert Fixed(dist="fixed", value=mean).quantile(u) == mean


def test_quantiles_are_monotone_in_u():
    u = np.linspace(0.001, 0.999, 400)
    mix = Mixture(dist="mixture", weights=[0.3, 0.7], components=[
        Lognormal(dist="lognormal", median=5.0, sigma=0.3), Lognormal(dist="lognormal", median=50.0, sigma=0.3)])
    for dist in (Gamma(dist="gamma", mean=6.0, cv=0.8), Lognormal(dist="lognormal", median=2e4, sigma=1.0),
                 Weibull(dist="weibull", shape=0.7, scale=3.0), mix):
        q = np.array([dist.quantile(x) for x in u])
        assert np.all(np.diff(q) >= 0), type(dist).__name__


def test_mixture_quantile_of_uniforms_has_the_mixture_distribution():
    """Feeding uniforms through the mixture's quantile gives the mixture (two-sample KS at 1%)."""
    mix = Mixture(dist="mixture", weights=[0.25, 0.75], components=[
        Gamma(dist="gamma", mean=10.0, cv=0.5), Lognormal(dist="lognormal", median=12.0, sigma=0.6)])
    rng = np.random.default_rng(3)
    by_quantile = np.array([mix.quantile(x) for x in rng.random(4000)])
    by_sampling = mix.sample_n(np.random.default_rng(4), 4000)
    assert stats.ks_2samp(by_quantile, by_sampling).pvalue > 0.01


@settings(max_examples=200, deadline=None)
@given(n=st.integers(0, 300), p=st.floats(0.0, 1.0), u=UNIT)
def test_binomial_quantile_is_the_inverse_cdf(n, p, u):
    k = binomial_quantile(n, p, u)
    assert 0 <= k <= n
    if 0 < p < 1 and n > 0:
        # the smallest k with CDF(k) > u (up to rounding at the boundary)
        ref = stats.binom(n, p)
        assert ref.cdf(k) >= u - 1e-9
        assert k == 0 or ref.cdf(k - 1) <= u + 1e-9


@settings(max_examples=100, deadline=None)
@given(n=st.integers(0, 200), extra=st.integers(0, 50), p=st.floats(0.01, 0.99), u=UNIT)
def test_more_trials_never_give_fewer_successes(n, extra, p, u):
    """What keeps a rep's calls in step across scenarios: same u, more calls, no fewer connects."""
    assert binomial_quantile(n + extra, p, u) >= binomial_quantile(n, p, u)


def test_binomial_quantile_of_uniforms_has_the_binomial_mean_and_variance():
    n, p = 80, 0.12
    rng = np.random.default_rng(9)
    draws = np.array([binomial_quantile(n, p, x) for x in rng.random(20000)])
    se = np.sqrt(n * p * (1 - p) / len(draws))
    assert abs(draws.mean() - n * p) < 4 * se
    assert draws.var(ddof=1) == pytest.approx(n * p * (1 - p), rel=0.05)


def test_binomial_quantile_with_very_many_trials_uses_the_normal_approximation():
    n, p = 100000, 0.3
    assert binomial_quantile(n, p, 0.5) == pytest.approx(n * p, abs=2)
    lo, hi = binomial_quantile(n, p, 0.025), binomial_quantile(n, p, 0.975)
    sd = np.sqrt(n * p * (1 - p))
    assert (hi - lo) / (2 * 1.96 * sd) == pytest.approx(1.0, rel=0.01)
