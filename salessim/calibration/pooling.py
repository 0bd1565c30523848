"""Win probability by product and by rep, with partial pooling of the reps.

The model is logistic: a closed deal of product ``p`` owned by rep ``r`` is won with
probability ``expit(alpha_p + beta_r)``. ``alpha_p`` is the product's win log-odds for an
average rep; ``exp(beta_r)`` is the rep's *skill*, the odds multiplier salessim applies at
each stage (:mod:`salessim.engine.odds`).

A rep with 20 closed deals is not taken at face value. Each rep's raw log-odds ratio
``b_r`` (wins against what their product mix predicts, with half a deal added to each
side so that 20 wins of 20 stays finite) has a sampling variance ``s_r^2``. The reps' true
effects are taken as ``beta_r ~ Normal(0, tau^2)``; ``tau^2`` is estimated from the spread
of the ``b_r`` beyond their sampling noise (DerSimonian-Laird, an empirical-Bayes
method-of-moments estimate), and each rep is shrunk toward the average by
``tau^2 / (tau^2 + s_r^2)``: a rep with few deals is pulled most. Their posterior is
``Normal(shrunk, tau^2 s_r^2 / (tau^2 + s_r^2))``, which gives the intervals.

Then each ``alpha_p`` is solved so that the model reproduces the product's own number of
wins exactly, given the reps who sold it; two rounds of this settle both.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import optimize, special, stats


@dataclass
class WinModel:
    """Fitted win probabilities.

    ``products``: product, closed, won, raw_rate, base_prob (average rep), low, high.
    ``reps``: rep, closed, won, raw_rate, expected_rate (their mix, average skill),
    raw_odds_ratio, skill (pooled odds multiplier), skill_low, skill_high, shrinkage,
    pooled_rate (their mix with their pooled skill).
    """

    products: pd.DataFrame
    reps: pd.DataFrame
    tau: float
    level: float
    heterogeneity_p: float = 1.0     # Cochran's Q test that reps differ beyond chance

    def base_prob(self, product: str) -> float:
        return float(self.products.set_index("product").loc[product, "base_prob"])

    def skill(self, rep: str) -> float:
        return float(self.reps.set_index("rep").loc[rep, "skill"])


def jeffreys_interval(won: float, n: float, level: float = 0.90) -> tuple[float, float]:
    """Jeffreys interval for a binomial proportion (Beta(won + 1/2, lost + 1/2) quantiles)."""
    if n <= 0:
        return (0.0, 1.0)
    a, b = won + 0.5, n - won + 0.5
    lo = 0.0 if won == 0 else float(stats.beta.ppf((1 - level) / 2, a, b))
    hi = 1.0 if won == n else float(stats.beta.ppf((1 + level) / 2, a, b))
    return lo, hi


def fit_win_model(closed: pd.DataFrame, level: float = 0.90, rounds: int = 3) -> WinModel:
    """Fit product and rep win probabilities from closed deals (columns rep, product, won: bool)."""
    cells = closed.groupby(["rep", "product"], sort=True)["won"].agg(["sum", "count"]).reset_index()
    cells.columns = ["rep", "product", "won", "n"]
    products = sorted(cells["product"].unique())
    reps = sorted(cells["rep"].unique())
    pi = {p: i for i, p in enumerate(products)}
    ri = {r: i for i, r in enumerate(reps)}
    cp = cells["product"].map(pi).to_numpy()
    cr = cells["rep"].map(ri).to_numpy()
    cw = cells["won"].to_numpy(dtype=float)
    cn = cells["n"].to_numpy(dtype=float)
    pw = np.bincount(cp, weights=cw, minlength=len(products))
    pn = np.bincount(cp, weights=cn, minlength=len(products))
    rw = np.bincount(cr, weights=cw, minlength=len(reps))
    rn = np.bincount(cr, weights=cn, minlength=len(reps))
    alpha = special.logit(np.clip((pw + 0.5) / (pn + 1.0), 1e-6, 1 - 1e-6))
    beta = np.zeros(len(reps))
    tau2 = 0.0
    b = s2 = np.zeros(len(reps))
    for _ in range(rounds):
        # each rep: observed wins against what their mix predicts at average skill
        expected = np.bincount(cr, weights=cn * special.expit(alpha[cp]), minlength=len(reps))
        b = (special.logit((rw + 0.5) / (rn + 1.0)) - special.logit((expected + 0.5) / (rn + 1.0)))
        s2 = 1.0 / (rw + 0.5) + 1.0 / (rn - rw + 0.5)
        tau2 = _dersimonian_laird(b, s2)
        shrink = tau2 / (tau2 + s2) if tau2 > 0 else np.zeros_like(s2)
        beta = shrink * b
        beta -= np.average(beta, weights=rn)  # an average rep (deal-weighted) has skill 1
        alpha = np.array([_solve_alpha(pw[j], cn[cp == j], beta[cr[cp == j]]) for j in range(len(products))])
    shrink = tau2 / (tau2 + s2) if tau2 > 0 else np.zeros_like(s2)
    post_sd = np.sqrt(tau2 * s2 / (tau2 + s2)) if tau2 > 0 else np.zeros_like(s2)
    z = stats.norm.ppf((1 + level) / 2)
    expected = np.bincount(cr, weights=cn * special.expit(alpha[cp]), minlength=len(reps))
    pooled = np.bincount(cr, weights=cn * special.expit(alpha[cp] + beta[cr]), minlength=len(reps))
    rep_df = pd.DataFrame({
        "rep": reps,
        "closed": rn.astype(int),
        "won": rw.astype(int),
        "raw_rate": rw / rn,
        "expected_rate": expected / rn,
        "raw_odds_ratio": np.exp(b),
        "skill": np.exp(beta),
        "skill_low": np.exp(beta - z * post_sd),
        "skill_high": np.exp(beta + z * post_sd),
        "shrinkage": 1 - shrink,
        "pooled_rate": pooled / rn,
    })
    lows, highs = zip(*(jeffreys_interval(w, n, level) for w, n in zip(pw, pn)))
    prod_df = pd.DataFrame({
        "product": products,
        "closed": pn.astype(int),
        "won": pw.astype(int),
        "raw_rate": pw / pn,
        "base_prob": special.expit(alpha),
        "low": lows,
        "high": highs,
    })
    return WinModel(prod_df, rep_df, math.sqrt(tau2), level, _q_test(b, s2))


def _q_test(b: np.ndarray, s2: np.ndarray) -> float:
    """p-value of Cochran's Q: do the reps' log-odds ratios vary more than their sampling noise?"""
    if len(b) < 2:
        return 1.0
    w = 1.0 / s2
    mean = np.sum(w * b) / np.sum(w)
    q = float(np.sum(w * (b - mean) ** 2))
    return float(stats.chi2.sf(q, len(b) - 1))


def _dersimonian_laird(b: np.ndarray, s2: np.ndarray) -> float:
    """Between-rep variance of true effects beyond sampling noise (>= 0)."""
    if len(b) < 2:
        return 0.0
    w = 1.0 / s2
    mean = np.sum(w * b) / np.sum(w)
    q = float(np.sum(w * (b - mean) ** 2))
    c = float(np.sum(w) - np.sum(w**2) / np.sum(w))
    return max(0.0, (q - (len(b) - 1)) / c) if c > 0 else 0.0


def _solve_alpha(wins: float, n: np.ndarray, beta: np.ndarray) -> float:
    """alpha such that sum n * expit(alpha + beta) = wins (clipped away from 0 and all)."""
    total = float(n.sum())
    target = min(max(wins, 0.5), total - 0.5) if total >= 1 else 0.5
    f = lambda a: float(np.sum(n * special.expit(a + beta))) - target  # noqa: E731
    return float(optimize.brentq(f, -30.0, 30.0))
