"""Probability distributions that scenario files can name.

Each is declared inline in TOML, e.g. ``deal_size = { dist = "lognormal", median = 20000,
sigma = 1.0 }``, validated on load, and sampled with a ``numpy.random.Generator``
(``sample``) or from a uniform number by its inverse distribution function (``quantile``;
the model draws a lead's sizes and delays this way so that the same lead gets the same
luck in every scenario, see :mod:`salessim.engine.lead`). Units are those of the field that
holds the distribution (days, hours, currency).

Bounds (:mod:`salessim.scenarios.numbers`): a value, mean, median, scale or end is at most a
billion (of the field's unit); a lognormal's log-sd at most 3; a gamma's cv from 0.01 to 10; a
Weibull's shape from 0.1 to 20; a mixture has at most 20 components.
"""

from __future__ import annotations

import math
from typing import Annotated, Literal, Union

import numpy as np
from pydantic import BaseModel, ConfigDict, Field
from scipy.special import cython_special

from salessim.scenarios.numbers import MAX_CV, MAX_DIST_VALUE, MAX_SPREAD, MIN_CV, Real

# Scalar special functions are called from the simulation's inner loop, thousands of times per
# replication. scipy's cython_special versions compute the same functions as the scipy.special
# ufuncs (identical values) without the ufunc machinery's per-call overhead (about 1.5 us of 2.5).
_normal_inv = cython_special.ndtri
_gamma_inv = cython_special.gammaincinv


class _Dist(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, allow_inf_nan=False)

    def sample(self, rng: np.random.Generator) -> float:  # pragma: no cover - abstract
        raise NotImplementedError

    def sample_n(self, rng: np.random.Generator, n: int) -> np.ndarray:  # pragma: no cover
        raise NotImplementedError

    def quantile(self, u: float) -> float:  # pragma: no cover - abstract
        """The value below which a share ``u`` (0 <= u < 1) of draws fall (inverse CDF)."""
        raise NotImplementedError

    @property
    def mean(self) -> float:  # pragma: no cover - abstract
        raise NotImplementedError

    @property
    def median(self) -> float:  # pragma: no cover - abstract
        raise NotImplementedError

    def scaled(self, factor: float) -> "_Dist":  # pragma: no cover - abstract
        """The same shape with every value multiplied by ``factor``."""
        raise NotImplementedError

    def draw_range(self) -> tuple[float, float]:
        """The smallest positive and the largest value a draw can take (``quantile`` over the uniform
        numbers a generator makes, ``2**-53`` apart; a mixture rescales them, hence the margin below).

        The smallest is the smallest positive float when draws come arbitrarily close to 0 (a
        gamma or Weibull of small shape underflows).
        """
        values = [self.quantile(u) for u in (_U_LOW, 0.5, _U_HIGH)]
        positive = [v for v in values if v > 0]
        low = min(positive) if positive else 0.0
        if positive and self.quantile(_U_LOW) <= 0 < self.quantile(0.5):
            low = _TINY
        return low, max(values)


#: The lowest and highest uniform numbers :meth:`_Dist.draw_range` tries, and the smallest positive float.
_U_LOW, _U_HIGH, _TINY = 2.0**-60, 1.0 - 2.0**-53, 5e-324


class Fixed(_Dist):
    """Always ``value``."""

    dist: Literal["fixed"]
    value: Real = Field(ge=0, le=MAX_DIST_VALUE, description="The value (the field's unit, 0 to a billion).")

    def sample(self, rng):
        return self.value

    def sample_n(self, rng, n):
        return np.full(n, self.value)

    def quantile(self, u):
        return self.value

    @property
    def mean(self):
        return self.value

    @property
    def median(self):
        return self.value

    def scaled(self, factor):
        return Fixed(dist="fixed", value=self.value * factor)


class Exponential(_Dist):
    """Exponential with the given ``mean``."""

    dist: Literal["exponential"]
    mean_: Real = Field(gt=0, le=MAX_DIST_VALUE, alias="mean", description="Mean (the field's unit, at most a billion).")

    def sample(self, rng):
        # numpy's exponential(scale) is scale * standard_exponential(): the same draw, less overhead
        return self.mean_ * rng.standard_exponential()

    def sample_n(self, rng, n):
        return rng.exponential(self.mean_, n)

    def quantile(self, u):
        return -self.mean_ * math.log1p(-u)

    @property
    def mean(self):
        return self.mean_

    @property
    def median(self):
        return self.mean_ * math.log(2)

    def scaled(self, factor):
        return Exponential(dist="exponential", mean=self.mean_ * factor)


class Gamma(_Dist):
    """Gamma with the given ``mean`` and coefficient of variation ``cv`` (sd / mean)."""

    dist: Literal["gamma"]
    mean_: Real = Field(gt=0, le=MAX_DIST_VALUE, alias="mean", description="Mean (the field's unit, at most a billion).")
    cv: Real = Field(ge=MIN_CV, le=MAX_CV, description="Coefficient of variation, sd / mean (0.01 to 10).")

    def sample(self, rng):
        k = 1.0 / self.cv**2
        return float(rng.gamma(k, self.mean_ / k))

    def sample_n(self, rng, n):
        k = 1.0 / self.cv**2
        return rng.gamma(k, self.mean_ / k, n)

    def quantile(self, u):
        k = 1.0 / self.cv**2
        return _gamma_inv(k, u) * self.mean_ / k

    @property
    def mean(self):
        return self.mean_

    @property
    def median(self):
        k = 1.0 / self.cv**2
        return float(self.mean_ / k * _gamma_inv(k, 0.5))  # the gamma quantile at one half, as scipy.stats gives it

    def scaled(self, factor):
        return Gamma(dist="gamma", mean=self.mean_ * factor, cv=self.cv)


class Lognormal(_Dist):
    """Lognormal with the given ``median`` and log-scale standard deviation ``sigma``."""

    dist: Literal["lognormal"]
    median_: Real = Field(gt=0, le=MAX_DIST_VALUE, alias="median",
                          description="Median (the field's unit, at most a billion).")
    sigma: Real = Field(ge=0, le=MAX_SPREAD, description="Log-sd: standard deviation of the log (0 to 3).")

    def sample(self, rng):
        return float(self.median_ * math.exp(self.sigma * rng.standard_normal()))

    def sample_n(self, rng, n):
        return self.median_ * np.exp(self.sigma * rng.standard_normal(n))

    def quantile(self, u):
        if self.sigma == 0:
            return self.median_
        return self.median_ * math.exp(self.sigma * _normal_inv(u))

    @property
    def mean(self):
        return self.median_ * math.exp(self.sigma**2 / 2)

    @property
    def median(self):
        return self.median_

    def scaled(self, factor):
        return Lognormal(dist="lognormal", median=self.median_ * factor, sigma=self.sigma)


class Weibull(_Dist):
    """Weibull with ``shape`` k and ``scale`` lambda."""

    dist: Literal["weibull"]
    shape: Real = Field(ge=0.1, le=20, description="Shape k (0.1 to 20; 1 = exponential).")
    scale: Real = Field(gt=0, le=MAX_DIST_VALUE, description="Scale lambda (the field's unit, at most a billion).")

    def sample(self, rng):
        return float(self.scale * rng.weibull(self.shape))

    def sample_n(self, rng, n):
        return self.scale * rng.weibull(self.shape, n)

    def quantile(self, u):
        return self.scale * (-math.log1p(-u)) ** (1.0 / self.shape)

    @property
    def mean(self):
        return self.scale * math.gamma(1 + 1 / self.shape)

    @property
    def median(self):
        return self.scale * math.log(2) ** (1 / self.shape)

    def scaled(self, factor):
        return Weibull(dist="weibull", shape=self.shape, scale=self.scale * factor)


class Uniform(_Dist):
    """Uniform between ``low`` and ``high``."""

    dist: Literal["uniform"]
    low: Real = Field(ge=0, le=MAX_DIST_VALUE, description="Lowest value (the field's unit, 0 to a billion).")
    high: Real = Field(ge=0, le=MAX_DIST_VALUE, description="Highest value (the field's unit, 0 to a billion).")

    def model_post_init(self, __context) -> None:
        if self.high < self.low:
            raise ValueError("high must be at least low")

    def sample(self, rng):
        return float(rng.uniform(self.low, self.high))

    def sample_n(self, rng, n):
        return rng.uniform(self.low, self.high, n)

    def quantile(self, u):
        return self.low + (self.high - self.low) * u

    @property
    def mean(self):
        return (self.low + self.high) / 2

    @property
    def median(self):
        return self.mean

    def scaled(self, factor):
        return Uniform(dist="uniform", low=self.low * factor, high=self.high * factor)


class Mixture(_Dist):
    """A mixture: with probability ``weights[i]`` a draw comes from ``components[i]``.

    For shapes no single family has, e.g. a sales cycle with a fast and a slow mode::

        { dist = "mixture", weights = [0.3, 0.7], components = [
            { dist = "lognormal", median = 8.0, sigma = 0.5 },
            { dist = "lognormal", median = 60.0, sigma = 0.3 } ] }
    """

    dist: Literal["mixture"]
    weights: list[Annotated[Real, Field(ge=0, le=1)]] = Field(
        min_length=1, max_length=20, description="Share of draws from each component (0 to 1 each; they sum to 1).")
    components: list["Distribution"] = Field(min_length=1, max_length=20)

    def model_post_init(self, __context) -> None:
        if len(self.weights) != len(self.components):
            raise ValueError(f"expected one weight per component ({len(self.components)}), got {len(self.weights)}")
        if abs(sum(self.weights) - 1.0) > 1e-6:
            raise ValueError(f"expected weights summing to 1, got {sum(self.weights):g}")

    def _pick(self, u: float) -> int:
        acc = 0.0
        for i, w in enumerate(self.weights):
            acc += w
            if u < acc:
                return i
        return len(self.weights) - 1

    def sample(self, rng):
        return self.components[self._pick(float(rng.random()))].sample(rng)

    def sample_n(self, rng, n):
        idx = rng.choice(len(self.weights), size=n, p=np.asarray(self.weights) / sum(self.weights))
        out = np.empty(n)
        for i, comp in enumerate(self.components):
            sel = idx == i
            if sel.any():
                out[sel] = comp.sample_n(rng, int(sel.sum()))
        return out

    def quantile(self, u):
        """A component picked by ``u``, then ``u`` rescaled within that component's share.

        Monotone in ``u`` within each component (what common random numbers need); it is
        the inverse CDF of the mixture only when the components do not overlap.
        """
        acc = 0.0
        last = len(self.weights) - 1
        for i, w in enumerate(self.weights):
            if u < acc + w or i == last:
                return self.components[i].quantile(min(max((u - acc) / w, 0.0), 1.0 - 1e-12) if w > 0 else 0.5)
            acc += w
        return self.components[last].quantile(0.5)  # pragma: no cover - unreachable

    @property
    def mean(self):
        return float(sum(w * c.mean for w, c in zip(self.weights, self.components)))

    @property
    def median(self):
        rng = np.random.Generator(np.random.PCG64(12345))  # fixed: a property, not a draw
        return float(np.median(self.sample_n(rng, 20000)))

    def scaled(self, factor):
        return Mixture(dist="mixture", weights=list(self.weights), components=[c.scaled(factor) for c in self.components])

    def draw_range(self):
        ranges = [c.draw_range() for w, c in zip(self.weights, self.components) if w > 0]
        positive = [lo for lo, _ in ranges if lo > 0]
        return (min(positive) if positive else 0.0), max(hi for _, hi in ranges)


Distribution = Annotated[
    Union[Fixed, Exponential, Gamma, Lognormal, Weibull, Uniform, Mixture], Field(discriminator="dist")
]
"""Any of the distributions above, chosen by the ``dist`` key."""

Mixture.model_rebuild()


def binomial_quantile(n: int, p: float, u: float) -> int:
    """The number of successes in ``n`` trials of chance ``p`` at uniform ``u`` (inverse CDF).

    Monotone in ``u`` and in ``n``: the same ``u`` with more trials never gives fewer
    successes, so two scenarios sharing ``u`` stay in step (common random numbers).
    """
    if n <= 0 or p <= 0.0:
        return 0
    if p >= 1.0:
        return n
    if p > 0.5:  # count the failures instead, so that (1 - p) ** n cannot underflow
        return n - binomial_quantile(n, 1.0 - p, math.nextafter(1.0 - u, 0.0))
    q = 1.0 - p
    pmf = q**n
    if pmf < 1e-280:  # very many trials (n > ~900): normal approximation with continuity correction
        k = math.floor(n * p + math.sqrt(n * p * q) * _normal_inv(u) + 0.5)
        return min(max(k, 0), n)
    ratio = p / q
    cdf = pmf
    k = 0
    while u >= cdf and k < n:
        pmf *= (n - k) / (k + 1) * ratio
        k += 1
        cdf += pmf
    return k

