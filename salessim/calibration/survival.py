"""Time to close: censored maximum-likelihood fits with a share of deals that never close.

A CRM export shows, for each deal, how many working days it took to close, or, for an open
deal, how long it has been open at the export date (right-censored). Many exports also
hold deals that were never closed and never will be ("stalled": open for a year or more
while every closed deal closed within months). The model fitted here is therefore a
*mixture cure* model:

* with probability ``stall`` a deal never closes;
* otherwise it closes after ``T`` working days, ``T ~ F(theta)``.

In the simulation a deal created on day ``d`` has its first meeting on day ``d + 1`` and
closes ``D`` days later, on day ``d + 1 + floor(D)``. So a deal seen closing after ``t``
days says ``D`` lies in ``[t - 1, t)`` (interval-censored; ``t = 0`` is read as ``[0, 1)``)
and a deal open for ``a`` days says ``D >= a``. What is fitted is the distribution of
``D``, directly usable as the scenario's ``negotiation_to_close`` delay.

Candidate families: exponential, gamma, Weibull, lognormal, and a two-lognormal mixture
(a fast and a slow mode). Each is fitted by maximising the exact censored likelihood
(:func:`fit_family`); they are compared by AIC and by the largest distance between the
model's and the Kaplan-Meier estimate's share closed by each day (:func:`kaplan_meier`).
For the four single families without a stalled share the fit agrees with
``scipy.stats``' own censored fitting (``dist.fit(CensoredData)``), which the tests check.
Intervals come from the observed information (the numerical Hessian at the optimum),
propagated to derived figures (median, stalled share) by drawing parameters.
"""

from __future__ import annotations

import functools
import math
from dataclasses import dataclass, field
from typing import Callable

import numpy as np
from scipy import optimize, special, stats
from scipy.signal import fftconvolve

from salessim.runs.execution import run_tasks

FAMILIES = ("exponential", "gamma", "weibull", "lognormal", "lognormal_mixture")


@dataclass
class Durations:
    """Aggregated observations: closed deals as intervals ``[lo, hi)`` with counts, open ones as ages with counts."""

    lo: np.ndarray
    hi: np.ndarray
    n_closed: np.ndarray
    age: np.ndarray
    n_open: np.ndarray

    @classmethod
    def from_days(cls, closed_days: np.ndarray, open_ages: np.ndarray) -> "Durations":
        """From whole working days to close (closed deals) and ages (open deals)."""
        t = np.asarray(closed_days, dtype=np.int64)
        a = np.asarray(open_ages, dtype=np.int64)
        tu, tc = np.unique(t, return_counts=True)
        au, ac = np.unique(a, return_counts=True)
        lo = np.maximum(tu - 1, 0).astype(float)
        hi = np.maximum(tu, 1).astype(float)
        return cls(lo, hi, tc.astype(float), au.astype(float), ac.astype(float))

    @property
    def closed(self) -> int:
        return int(self.n_closed.sum())

    @property
    def open(self) -> int:
        return int(self.n_open.sum())


# --------------------------------------------------------------------------- families
def _sf(family: str, x: np.ndarray, t: np.ndarray) -> np.ndarray:
    """Survival function of the family with unconstrained parameters ``x`` at times ``t``."""
    t = np.maximum(t, 0.0)
    if family == "exponential":
        return np.exp(-t / math.exp(x[0]))
    if family == "gamma":
        mean, cv = math.exp(x[0]), math.exp(x[1])
        k = 1.0 / cv**2
        return special.gammaincc(k, t / (mean / k))
    if family == "weibull":
        shape, scale = math.exp(x[0]), math.exp(x[1])
        return np.exp(-((t / scale) ** shape))
    if family == "lognormal":
        return _ln_sf(t, x[0], math.exp(x[1]))
    if family == "lognormal_mixture":
        w = special.expit(x[0])
        return w * _ln_sf(t, x[1], math.exp(x[2])) + (1 - w) * _ln_sf(t, x[3], math.exp(x[4]))
    raise ValueError(family)


# the columns of each family's parameters that _sf exponentiates (the rest are used as they are)
_EXPONENTIATED = {"exponential": [0], "gamma": [0, 1], "weibull": [0, 1], "lognormal": [1],
                  "lognormal_mixture": [2, 4]}


def _sf_rows(family: str, th: np.ndarray, t: np.ndarray) -> np.ndarray:
    """:func:`_sf` for many parameter vectors at once: row ``i`` of ``th`` at time ``t[i]``.

    A row outside the domain the likelihood searches (a parameter of 50 or more in absolute
    value, see :func:`negloglik`) is NaN: such a draw says the fit cannot pin that parameter,
    not that the median is 1 day or infinite.
    """
    t = np.maximum(t, 0.0)
    with np.errstate(all="ignore"):
        e = np.exp(th)
        if family == "exponential":
            s = np.exp(-t / e[:, 0])
        elif family == "gamma":
            k = 1.0 / e[:, 1] ** 2
            s = special.gammaincc(k, t / (e[:, 0] / k))
        elif family == "weibull":
            s = np.exp(-((t / e[:, 1]) ** e[:, 0]))
        elif family == "lognormal":
            s = _ln_sf(t, th[:, 0], e[:, 1])
        elif family == "lognormal_mixture":
            w = special.expit(th[:, 0])
            s = w * _ln_sf(t, th[:, 1], e[:, 2]) + (1 - w) * _ln_sf(t, th[:, 3], e[:, 4])
        else:
            raise ValueError(family)
        bad = ~np.all(np.isfinite(e[:, _EXPONENTIATED[family]]), axis=1) | ~np.all(np.abs(th) < 50, axis=1)
    return np.where(bad, np.nan, s)


def _quantile_rows(family: str, th: np.ndarray, q: float, top: float = 1e7) -> np.ndarray:
    """The ``q``-quantile of D (working days) for each row of ``th``, as :meth:`SurvivalFit.quantile`
    finds it one row at a time: double an upper bound from 1 until the share closed reaches ``q``
    (infinite where the bound passes ``top``), then bisect to well below the 1e-6 days brentq is asked for.
    """
    n = len(th)
    hi = np.ones(n)
    below = lambda t: (1.0 - _sf_rows(family, th, t)) < q  # noqa: E731  (NaN compares False: no doubling)
    grow = below(hi) & (hi < top)
    while grow.any():
        hi = np.where(grow, hi * 2, hi)
        grow = below(hi) & (hi < top)
    unreached = hi >= top
    lo = np.zeros(n)
    for _ in range(64):
        mid = (lo + hi) / 2
        b = below(mid)
        lo, hi = np.where(b, mid, lo), np.where(b, hi, mid)
    out = (lo + hi) / 2
    nan = np.isnan(_sf_rows(family, th, out))
    return np.where(nan, np.nan, np.where(unreached, math.inf, out))


def _ln_sf(t: np.ndarray, log_median: float, sigma: float) -> np.ndarray:
    # log(1e-300) = -691: the survival at t = 0 comes out as 1 without a branch
    return special.ndtr((log_median - np.log(np.maximum(t, 1e-300))) / sigma)


def _n_params(family: str) -> int:
    return {"exponential": 1, "gamma": 2, "weibull": 2, "lognormal": 2, "lognormal_mixture": 5}[family]


def _starts(family: str, d: Durations) -> list[np.ndarray]:
    mids = (d.lo + d.hi) / 2
    w = d.n_closed
    if w.sum() == 0:
        mids, w = np.array([max(1.0, float(np.average(d.age, weights=d.n_open)) if d.open else 10.0)]), np.array([1.0])
    logm = np.log(np.maximum(mids, 0.5))
    mu = float(np.average(logm, weights=w))
    sd = float(max(0.2, math.sqrt(np.average((logm - mu) ** 2, weights=w))))
    mean = float(np.average(mids, weights=w))
    cv = float(max(0.2, math.sqrt(np.average((mids - mean) ** 2, weights=w)) / max(mean, 1e-9)))
    if family == "exponential":
        return [np.array([math.log(mean)])]
    if family == "gamma":
        return [np.array([math.log(mean), math.log(cv)])]
    if family == "weibull":
        k = max(0.3, min(5.0, 1.2 / cv))
        return [np.array([math.log(k), math.log(mean / math.gamma(1 + 1 / k))])]
    if family == "lognormal":
        return [np.array([mu, math.log(sd)])]
    qs = np.quantile(np.repeat(logm, w.astype(int)) if w.sum() < 2e6 else logm, [0.2, 0.5, 0.8])
    return [np.array([0.0, qs[0], math.log(sd / 2), qs[2], math.log(sd / 2)]),
            np.array([-1.0, qs[0] - 0.5, math.log(0.6), qs[1] + 0.3, math.log(0.3)]),
            np.array([1.0, qs[1] - 0.3, math.log(0.8), qs[2], math.log(0.25)])]


# --------------------------------------------------------------------------- fitting
@dataclass
class SurvivalFit:
    """One family fitted to durations: parameters, stalled share, fit statistics, intervals."""

    family: str
    x: np.ndarray                 # unconstrained parameters (family's, then the stalled share's logit if fitted)
    cov: np.ndarray | None
    nll: float
    n_closed: int
    n_open: int
    with_stall: bool
    aic: float = math.nan
    km_distance: float = math.nan
    converged: bool = True
    draws: np.ndarray | None = field(default=None, repr=False)
    _memo: dict = field(default_factory=dict, repr=False)

    @property
    def k(self) -> int:
        return len(self.x)

    @property
    def theta(self) -> np.ndarray:
        return self.x[: _n_params(self.family)]

    @property
    def stall(self) -> float:
        return float(special.expit(self.x[-1])) if self.with_stall else 0.0

    def sf(self, t: np.ndarray, x: np.ndarray | None = None) -> np.ndarray:
        """P(D > t) for a deal that closes."""
        with np.errstate(over="ignore", under="ignore"):
            return _sf(self.family, self.theta if x is None else x[: _n_params(self.family)],
                       np.asarray(t, dtype=float))

    def quantile(self, q: float, x: np.ndarray | None = None) -> float:
        """The q-quantile of D for a deal that closes (working days)."""
        f = lambda t: float(1 - self.sf(np.array([t]), x)[0]) - q  # noqa: E731
        hi = 1.0
        while f(hi) < 0 and hi < 1e7:
            hi *= 2
        return float(optimize.brentq(f, 0.0, hi, xtol=1e-6)) if hi < 1e7 else math.inf

    def median_cycle(self, x: np.ndarray | None = None) -> float:
        """Median working days from creation to close for deals that close (= 1 + median of D)."""
        return 1.0 + self.quantile(0.5, x)

    def parameters(self, x: np.ndarray | None = None) -> dict[str, float]:
        """The family's parameters in the units a scenario file uses."""
        x = self.theta if x is None else x
        f = self.family
        if f == "exponential":
            return {"mean": math.exp(x[0])}
        if f == "gamma":
            return {"mean": math.exp(x[0]), "cv": math.exp(x[1])}
        if f == "weibull":
            return {"shape": math.exp(x[0]), "scale": math.exp(x[1])}
        if f == "lognormal":
            return {"median": math.exp(x[0]), "sigma": math.exp(x[1])}
        w = float(special.expit(x[0]))
        a, b = (1, 2), (3, 4)
        if x[3] < x[1]:  # fast mode first
            a, b, w = b, a, 1 - w
        return {"weight_fast": w, "median_fast": math.exp(x[a[0]]), "sigma_fast": math.exp(x[a[1]]),
                "median_slow": math.exp(x[b[0]]), "sigma_slow": math.exp(x[b[1]])}

    def distribution(self) -> dict:
        """The fitted D as a scenario distribution table (``{dist = ...}``)."""
        p = self.parameters()
        f = self.family
        if f == "exponential":
            return {"dist": "exponential", "mean": p["mean"]}
        if f == "gamma":
            return {"dist": "gamma", "mean": p["mean"], "cv": p["cv"]}
        if f == "weibull":
            return {"dist": "weibull", "shape": p["shape"], "scale": p["scale"]}
        if f == "lognormal":
            return {"dist": "lognormal", "median": p["median"], "sigma": p["sigma"]}
        return {"dist": "mixture", "weights": [p["weight_fast"], 1 - p["weight_fast"]],
                "components": [{"dist": "lognormal", "median": p["median_fast"], "sigma": p["sigma_fast"]},
                               {"dist": "lognormal", "median": p["median_slow"], "sigma": p["sigma_slow"]}]}

    def parameter_draws(self, n: int = 300, seed: int = 7) -> np.ndarray:
        """Parameter vectors drawn from the fit's approximate sampling distribution."""
        if self.draws is None or len(self.draws) != n:
            if self.cov is None or not np.all(np.isfinite(self.cov)):
                self.draws = np.repeat(self.x[None, :], n, axis=0)
            else:
                rng = np.random.Generator(np.random.PCG64(seed))
                self.draws = rng.multivariate_normal(self.x, _psd(self.cov), size=n, method="eigh")
        return self.draws

    def interval(self, fn: Callable[[np.ndarray], float], level: float = 0.90, n: int = 300) -> tuple[float, float]:
        """``level`` interval of a derived figure ``fn(x)``, by drawing parameters."""
        vals = np.array([_safe(fn, x) for x in self.parameter_draws(n)])
        vals = vals[np.isfinite(vals)]
        if not len(vals):
            return (math.nan, math.nan)
        return (float(np.quantile(vals, (1 - level) / 2)), float(np.quantile(vals, (1 + level) / 2)))

    def stall_interval(self, level: float = 0.90) -> tuple[float, float]:
        if not self.with_stall:
            return (0.0, 0.0)
        return self.interval(lambda x: float(special.expit(x[-1])), level)

    def median_interval(self, level: float = 0.90) -> tuple[float, float]:
        key = ("median", level)
        if key not in self._memo:
            th = self.parameter_draws(200)[:, : _n_params(self.family)]
            vals = 1.0 + _quantile_rows(self.family, th, 0.5)
            vals = vals[np.isfinite(vals)]
            self._memo[key] = ((float(np.quantile(vals, (1 - level) / 2)), float(np.quantile(vals, (1 + level) / 2)))
                               if len(vals) else (math.nan, math.nan))
        return self._memo[key]


def _quiet(fn):
    """Run a fit with numpy's floating-point warnings off: the optimiser tries extreme parameters on purpose."""
    @functools.wraps(fn)
    def wrapper(*a, **kw):
        with np.errstate(all="ignore"):
            return fn(*a, **kw)
    return wrapper


def _psd(cov: np.ndarray) -> np.ndarray:
    """The covariance as given when it is positive semi-definite (numpy's own test), else its nearest such matrix
    (negative eigenvalues, from a Hessian inverted near a flat direction, set to 0): numpy would draw from it anyway,
    after printing a RuntimeWarning."""
    c = np.asarray(cov, dtype=float)
    s, u = np.linalg.eigh(c)
    if not np.any(s < -1e-8):
        return c
    return (u * np.clip(s, 0.0, None)) @ u.T


def _safe(fn, x) -> float:
    """``fn(x)``, or NaN where a drawn parameter vector is outside what the formulas can take."""
    try:
        with np.errstate(all="ignore"):
            v = float(fn(x))
    except (ArithmeticError, ValueError):
        return math.nan
    return v


def negloglik(family: str, x: np.ndarray, d: Durations, with_stall: bool) -> float:
    """Minus the log-likelihood of durations ``d`` (closed: intervals; open: right-censored)."""
    theta = x[: _n_params(family)]
    if not np.all(np.abs(theta) < 50):
        return 1e300
    pi = float(special.expit(x[-1])) if with_stall else 0.0
    s_lo = _sf(family, theta, d.lo)
    s_hi = _sf(family, theta, d.hi)
    p = np.clip(s_lo - s_hi, 1e-300, None)
    ll = float(np.sum(d.n_closed * (np.log(p) + math.log1p(-min(pi, 1 - 1e-15)))))
    if d.open:
        s_a = _sf(family, theta, d.age)
        ll += float(np.sum(d.n_open * np.log(np.clip(pi + (1 - pi) * s_a, 1e-300, None))))
    return -ll if math.isfinite(ll) else 1e300


@_quiet
def fit_family(family: str, d: Durations, with_stall: bool | None = None, start: np.ndarray | None = None
               ) -> SurvivalFit:
    """Maximum-likelihood fit of one family (with a stalled share when there are open deals).

    ``start``: the family's parameters to start from (e.g. a pooled fit's), instead of
    starting values from the data.
    """
    if family not in FAMILIES:
        raise ValueError(f"unknown family {family!r}")
    if with_stall is None:
        with_stall = d.open > 0
    best = None
    starts = [np.asarray(start, dtype=float)[: _n_params(family)]] if start is not None else _starts(family, d)
    for x0 in starts:
        if with_stall:
            share = d.open / max(1, d.open + d.closed)
            x0 = np.append(x0, special.logit(min(0.9, max(0.02, share / 2))))
        fn = lambda x: negloglik(family, x, d, with_stall)  # noqa: E731
        res = optimize.minimize(fn, x0, method="Nelder-Mead",
                                options={"maxiter": 4000 * len(x0), "xatol": 1e-7, "fatol": 1e-9, "adaptive": True})
        res2 = optimize.minimize(fn, res.x, method="BFGS", options={"gtol": 1e-6})
        r = res2 if res2.fun <= res.fun and np.all(np.isfinite(res2.x)) else res
        if best is None or r.fun < best.fun:
            best = r
    x = np.asarray(best.x, dtype=float)
    cov = _covariance(lambda z: negloglik(family, z, d, with_stall), x)
    if cov is None and with_stall:
        # the stalled share at its boundary (no stalled deals): intervals of the shape with the share fixed
        k = len(x) - 1
        sub = _covariance(lambda z: negloglik(family, np.append(z, x[-1]), d, True), x[:k])
        if sub is not None:
            cov = np.zeros((len(x), len(x)))
            cov[:k, :k] = sub
    fit = SurvivalFit(family, x, cov, float(best.fun), d.closed, d.open, with_stall, converged=bool(best.success))
    fit.aic = 2 * len(x) + 2 * fit.nll
    fit.km_distance = km_distance(fit, d)
    return fit


def _covariance(fn, x: np.ndarray) -> np.ndarray | None:
    """Inverse of the numerical Hessian of ``fn`` at ``x`` (None if not positive definite)."""
    k = len(x)
    h = np.zeros((k, k))
    eps = 1e-4 * np.maximum(1.0, np.abs(x))
    f0 = fn(x)
    for i in range(k):
        for j in range(i, k):
            ei = np.zeros(k)
            ej = np.zeros(k)
            ei[i] = eps[i]
            ej[j] = eps[j]
            if i == j:
                v = (fn(x + ei) - 2 * f0 + fn(x - ei)) / eps[i] ** 2
            else:
                v = (fn(x + ei + ej) - fn(x + ei - ej) - fn(x - ei + ej) + fn(x - ei - ej)) / (4 * eps[i] * eps[j])
            h[i, j] = h[j, i] = v
    try:
        cov = np.linalg.inv(h)
    except np.linalg.LinAlgError:
        return None
    if not np.all(np.isfinite(cov)) or np.any(np.diag(cov) <= 0):
        return None
    return (cov + cov.T) / 2


def fit_all(d: Durations, families=FAMILIES, workers: int = 1, start: np.ndarray | None = None
            ) -> list[SurvivalFit]:
    """Fit every candidate family; best (lowest AIC) first. ``workers``: fit them side by side on
    the local worker processes (the same fits: each is deterministic). ``start``: one family's
    parameters to start from (with one family: e.g. its fit on a longer history)."""
    fits = run_tasks([(fit_family, (f, d, None, start)) for f in families], call, workers=workers)
    return sorted(fits, key=lambda f: f.aic)


def call(item: tuple[Callable, tuple]):
    """``fn(*args)`` for ``(fn, args)``: runs different fits as tasks of :func:`run_tasks`."""
    fn, args = item
    return fn(*args)


# --------------------------------------------------------------------------- Kaplan-Meier
def kaplan_meier(event_days: np.ndarray, censor_days: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Kaplan-Meier estimate of P(not closed after t days), t = 0, 1, ... max.

    Deals closing after ``t`` days count as events at ``t``; open deals of age ``a`` are
    at risk through day ``a`` (censored after it).
    """
    e = np.asarray(event_days, dtype=np.int64)
    c = np.asarray(censor_days, dtype=np.int64)
    top = int(max(e.max(initial=0), c.max(initial=0)))
    events = np.bincount(e, minlength=top + 1).astype(float)
    cens = np.bincount(c, minlength=top + 1).astype(float)
    at_risk = len(e) + len(c) - np.concatenate([[0.0], np.cumsum(events + cens)[:-1]])
    with np.errstate(divide="ignore", invalid="ignore"):
        step = np.where(at_risk > 0, 1 - events / at_risk, 1.0)
    return np.arange(top + 1), np.cumprod(step)


def km_distance(fit: SurvivalFit, d: Durations) -> float:
    """Largest gap between the model's and Kaplan-Meier's share of deals closed by each day."""
    t_closed = np.repeat(np.round(d.hi).astype(int), d.n_closed.astype(int))
    t_closed = np.where(d.lo.repeat(d.n_closed.astype(int)) == 0, 0, t_closed)  # 0-day closes stay at 0
    ages = np.repeat(d.age.astype(int), d.n_open.astype(int))
    t, s = kaplan_meier(t_closed, ages)
    # the model: closed by day t  <=>  D < t  (a deal closes on day 1 + floor(D) after creation)
    model_closed = (1 - fit.stall) * (1 - fit.sf(np.maximum(t.astype(float), 0.0)))
    return float(np.max(np.abs((1 - s) - model_closed)))


# --------------------------------------------------------------------------- won vs lost
@dataclass
class OutcomeTimes:
    """Separate time-to-close fits for won and lost deals (competing outcomes), and a test."""

    family: str
    won_median: float
    lost_median: float
    won_interval: tuple[float, float]
    lost_interval: tuple[float, float]
    lr_statistic: float
    p_value: float
    df: int


@_quiet
def fit_by_outcome(family: str, won: Durations, lost: Durations, open_ages: np.ndarray,
                   common: SurvivalFit, p_won: float, n_won: int, n_lost: int) -> OutcomeTimes:
    """Fit won and lost times separately (same family) and test against one common time.

    Model B: a deal is won with probability q_w, lost with q_l, stalls otherwise; won deals
    close after ``T_w ~ F(theta_w)``, lost after ``T_l ~ F(theta_l)``. Model A (used by the
    scenario) has one ``F`` for both. The likelihood-ratio statistic compares them.
    """
    k = _n_params(family)
    au, ac = np.unique(np.asarray(open_ages, dtype=np.int64), return_counts=True)
    age, n_open = au.astype(float), ac.astype(float)

    def nll(x):
        tw, tl = x[:k], x[k:2 * k]
        z = np.array([x[2 * k], x[2 * k + 1], 0.0])
        q = np.exp(z - special.logsumexp(z))      # won, lost, stall
        ll = 0.0
        for th, d, qq in ((tw, won, q[0]), (tl, lost, q[1])):
            p = np.clip(_sf(family, th, d.lo) - _sf(family, th, d.hi), 1e-300, None)
            ll += float(np.sum(d.n_closed * (np.log(p) + math.log(max(qq, 1e-300)))))
        if len(age):
            s = q[2] + q[0] * _sf(family, tw, age) + q[1] * _sf(family, tl, age)
            ll += float(np.sum(n_open * np.log(np.clip(s, 1e-300, None))))
        return -ll if math.isfinite(ll) else 1e300

    pi = max(common.stall, 1e-3)
    qw, ql = (1 - pi) * p_won, (1 - pi) * (1 - p_won)
    x0 = np.concatenate([common.theta, common.theta, [math.log(qw / pi), math.log(ql / pi)]])
    res = optimize.minimize(nll, x0, method="BFGS", options={"gtol": 1e-5, "maxiter": 2000})
    # model A's full likelihood: common times, outcome independent of time
    n_closed = n_won + n_lost
    nll_a = common.nll
    if n_closed:
        pw = n_won / n_closed
        nll_a -= (n_won * math.log(max(pw, 1e-300)) + n_lost * math.log(max(1 - pw, 1e-300)))
    lr = max(0.0, 2 * (nll_a - float(res.fun)))
    df = k
    cov = _covariance(nll, res.x)
    wfit = SurvivalFit(family, np.asarray(res.x[:k]), cov[:k, :k] if cov is not None else None, math.nan, 0, 0, False)
    lfit = SurvivalFit(family, np.asarray(res.x[k:2 * k]), cov[k:2 * k, k:2 * k] if cov is not None else None,
                       math.nan, 0, 0, False)
    return OutcomeTimes(family, wfit.median_cycle(), lfit.median_cycle(), wfit.median_interval(),
                        lfit.median_interval(), lr, float(stats.chi2.sf(lr, df)), df)


# --------------------------------------------------------------------------- two stages
GRID_STEP = 0.25   # days: the grid on which the sum of two delays is convolved


@dataclass
class TwoStageFit:
    """Won and lost deals on different clocks: an early loss point, then the close.

    After the first meeting a deal stalls with probability ``stall``; otherwise it waits
    ``D2`` days and is lost there ("early") with probability ``1 - r``; otherwise it waits
    ``D3`` more days and is won with probability ``w``. Won deals close after ``D2 + D3``,
    lost deals after ``D2`` or ``D2 + D3``. ``D2`` and ``D3`` are lognormal. In a scenario:
    ``proposal_to_decision = D2``, ``proposal_to_negotiation = r``, ``negotiation_to_close =
    D3``, ``negotiation_to_won = w``.
    """

    x: np.ndarray          # log-median2, log-sigma2, log-median3, log-sigma3, logit r, logit w, logit stall
    cov: np.ndarray | None
    nll: float
    n_closed: int
    n_open: int
    aic: float = math.nan
    km_distance: float = math.nan
    family: str = "two_stage_lognormal"
    _memo: dict = field(default_factory=dict, repr=False)

    @property
    def r(self) -> float:
        return float(special.expit(self.x[4]))

    @property
    def w(self) -> float:
        return float(special.expit(self.x[5]))

    @property
    def stall(self) -> float:
        return float(special.expit(self.x[6]))

    @property
    def k(self) -> int:
        return len(self.x)

    def early_loss_share(self) -> float:
        """Share of losses that happen at the early point."""
        return (1 - self.r) / max(1e-12, 1 - self.r * self.w)

    def d2(self, x=None) -> dict:
        x = self.x if x is None else x
        return {"dist": "lognormal", "median": math.exp(x[0]), "sigma": math.exp(x[1])}

    def d3(self, x=None) -> dict:
        x = self.x if x is None else x
        return {"dist": "lognormal", "median": math.exp(x[2]), "sigma": math.exp(x[3])}

    def _sums(self, t: np.ndarray, x=None) -> tuple[np.ndarray, np.ndarray]:
        """P(D2 > t) and P(D2 + D3 > t)."""
        x = self.x if x is None else x
        return _ln_sf(t, x[0], math.exp(x[1])), _sum_sf(t, x)

    def sf(self, t: np.ndarray, x=None) -> np.ndarray:
        """P(closing time > t) for a deal that closes (won or lost)."""
        x = self.x if x is None else x
        r = float(special.expit(x[4]))
        s2, ss = self._sums(np.asarray(t, dtype=float), x)
        return (1 - r) * s2 + r * ss

    def won_sf(self, t: np.ndarray) -> np.ndarray:
        return _sum_sf(np.asarray(t, dtype=float), self.x)

    def median_cycle(self, x=None) -> float:
        """Median working days from creation to close for deals that close."""
        return 1.0 + _grid_median(lambda t: self.sf(t, x))

    def won_median(self) -> float:
        return 1.0 + _grid_median(self.won_sf)

    def lost_median(self) -> float:
        e = self.early_loss_share()
        return 1.0 + _grid_median(lambda t: e * _ln_sf(t, self.x[0], math.exp(self.x[1])) + (1 - e) * self.won_sf(t))

    def parameter_draws(self, n: int = 200, seed: int = 7) -> np.ndarray:
        if self.cov is None:
            return np.repeat(self.x[None, :], n, axis=0)
        rng = np.random.Generator(np.random.PCG64(seed))
        return rng.multivariate_normal(self.x, _psd(self.cov), size=n, method="eigh")

    def median_interval(self, level: float = 0.90) -> tuple[float, float]:
        key = ("median", level)
        if key not in self._memo:
            vals = np.array([_safe(self.median_cycle, x) for x in self.parameter_draws(120)])
            vals = vals[np.isfinite(vals)]
            self._memo[key] = ((float(np.quantile(vals, (1 - level) / 2)), float(np.quantile(vals, (1 + level) / 2)))
                               if len(vals) else (math.nan, math.nan))
        return self._memo[key]

    def stall_interval(self, level: float = 0.90) -> tuple[float, float]:
        v = special.expit(self.parameter_draws()[:, 6])
        return float(np.quantile(v, (1 - level) / 2)), float(np.quantile(v, (1 + level) / 2))

    def early_interval(self, level: float = 0.90) -> tuple[float, float]:
        d = self.parameter_draws()
        r, w = special.expit(d[:, 4]), special.expit(d[:, 5])
        v = (1 - r) / (1 - r * w)
        return float(np.quantile(v, (1 - level) / 2)), float(np.quantile(v, (1 + level) / 2))

    def with_product(self, p_win: float, stall: float | None = None) -> "TwoStageFit":
        """The same clocks and early-loss share, with a product's overall win probability."""
        e = self.early_loss_share()
        r = min(1 - 1e-9, max(1e-9, 1 - e * (1 - p_win)))
        w = min(1 - 1e-9, max(1e-9, p_win / r))
        x = self.x.copy()
        x[4], x[5] = special.logit(r), special.logit(w)
        if stall is not None:
            x[6] = special.logit(min(1 - 1e-9, max(1e-9, stall)))
        return TwoStageFit(x, self.cov, self.nll, self.n_closed, self.n_open, self.aic, self.km_distance)

    def parameters(self) -> dict[str, float]:
        return {"median_d2": math.exp(self.x[0]), "sigma_d2": math.exp(self.x[1]), "median_d3": math.exp(self.x[2]),
                "sigma_d3": math.exp(self.x[3]), "pass_early": self.r, "win_at_close": self.w,
                "early_loss_share": self.early_loss_share()}


#: The longest median a two-clock fit is solved for (working days, about 130 years): beyond, inf.
MEDIAN_CAP_DAYS = 32768.0


def _grid_median(sf_on) -> float:
    """Where ``sf_on(t)`` (a survival function taking an array of days) falls to one half, from
    its values on the convolution's grid, on grids reaching 512, 4,096 and then
    :data:`MEDIAN_CAP_DAYS` days (inf beyond): one convolution per grid, where solving point by
    point convolved again at every step (a degenerate draw, a delay of log-sd 66, drove it to
    grids of millions of points: 85 s for one report on a 71k-row export)."""
    top = 512.0
    while top <= MEDIAN_CAP_DAYS:
        t = np.arange(0.0, top + GRID_STEP / 2, GRID_STEP)
        s = np.asarray(sf_on(t), dtype=float)
        below = np.flatnonzero(s <= 0.5)
        if len(below):
            i = int(below[0])
            if i == 0:
                return 0.0
            s0, s1 = s[i - 1], s[i]
            return float(t[i - 1] + GRID_STEP * (s0 - 0.5) / (s0 - s1)) if s0 != s1 else float(t[i])
        top *= 8
    return math.inf


def _sum_sf(t: np.ndarray, x: np.ndarray) -> np.ndarray:
    """P(D2 + D3 > t) for lognormal D2, D3, by convolving their masses on a fine grid."""
    return _sum_sfs(x, t)[0]


def _sum_sfs(x: np.ndarray, *ts: np.ndarray) -> list[np.ndarray]:
    """P(D2 + D3 > t) at each array of times ``ts``, from one convolution on a grid that reaches
    the latest of them (the likelihood needs five sets of times at the same parameters)."""
    ts = tuple(np.asarray(t, dtype=float) for t in ts)
    top = float(max([1.0, *(np.max(t) for t in ts if np.size(t))])) + 2.0
    n = int(math.ceil(top / GRID_STEP)) + 1
    edges = np.arange(n + 1) * GRID_STEP
    m2 = -np.diff(_ln_sf(edges, x[0], math.exp(x[1])))
    m3 = -np.diff(_ln_sf(edges, x[2], math.exp(x[3])))

    conv = np.clip(fftconvolve(m2, m3)[:n], 0, None)       # mass of the sum on [i h, (i + 1) h), shifted by ~h/2
    cdf = np.clip(np.concatenate([[0.0], np.cumsum(conv)]), 0, 1)    # P(sum < i h)
    return [1.0 - np.interp(t + GRID_STEP / 2, edges, cdf) for t in ts]


@_quiet
def fit_two_stage(won: Durations, lost: Durations, open_ages: np.ndarray, start: np.ndarray | None = None
                  ) -> TwoStageFit:
    """Maximum-likelihood fit of the two-stage clocks from won, lost and open deals."""
    au, ac = np.unique(np.asarray(open_ages, dtype=np.int64), return_counts=True)
    age, n_open = au.astype(float), ac.astype(float)

    def nll(x):
        r, w, pi = special.expit(x[4]), special.expit(x[5]), special.expit(x[6])
        s2 = lambda t: _ln_sf(t, x[0], math.exp(x[1]))  # noqa: E731
        ll = 0.0
        won_lo, won_hi, lost_lo, lost_hi, at_age = _sum_sfs(x, won.lo, won.hi, lost.lo, lost.hi, age)
        pw = np.clip(won_lo - won_hi, 1e-300, None)
        ll += float(np.sum(won.n_closed * np.log(pw * (1 - pi) * r * w)))
        p_early = np.clip(s2(lost.lo) - s2(lost.hi), 0, None)
        p_late = np.clip(lost_lo - lost_hi, 0, None)
        pl = np.clip((1 - pi) * ((1 - r) * p_early + r * (1 - w) * p_late), 1e-300, None)
        ll += float(np.sum(lost.n_closed * np.log(pl)))
        if len(age):
            so = pi + (1 - pi) * ((1 - r) * s2(age) + r * at_age)
            ll += float(np.sum(n_open * np.log(np.clip(so, 1e-300, None))))
        return -ll if math.isfinite(ll) else 1e300

    if start is None:
        lw = np.log(np.maximum((won.lo + won.hi) / 2, 0.5))
        ll_ = np.log(np.maximum((lost.lo + lost.hi) / 2, 0.5))
        mw = float(np.average(lw, weights=won.n_closed)) if won.closed else 2.0
        ml = float(np.average(ll_, weights=lost.n_closed)) if lost.closed else 1.0
        m2 = min(ml, mw - 0.3)
        m3 = math.log(max(0.5, math.exp(mw) - math.exp(m2)))
        share_open = len(age) and float(n_open.sum()) / (won.closed + lost.closed + n_open.sum())
        start = np.array([m2, math.log(0.6), m3, math.log(0.6), 0.0, 0.0,
                          special.logit(min(0.5, max(0.02, share_open / 2 if share_open else 0.02)))])
    res = optimize.minimize(nll, start, method="Nelder-Mead",
                            options={"maxiter": 3000, "xatol": 1e-5, "fatol": 1e-6, "adaptive": True})
    res2 = optimize.minimize(nll, res.x, method="BFGS", options={"gtol": 1e-5, "maxiter": 500})
    best = res2 if res2.fun <= res.fun else res
    x = np.asarray(best.x, dtype=float)
    cov = _covariance(nll, x)
    if cov is None:  # the stalled share at its boundary: intervals of the rest with it fixed
        sub = _covariance(lambda z: nll(np.append(z, x[6])), x[:6])
        if sub is not None:
            cov = np.zeros((7, 7))
            cov[:6, :6] = sub
    fit = TwoStageFit(x, cov, float(best.fun), won.closed + lost.closed, int(n_open.sum()))
    fit.aic = 2 * len(x) + 2 * fit.nll
    return fit
