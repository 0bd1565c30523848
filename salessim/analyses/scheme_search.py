"""Scheme search: the parameters of a pay scheme that maximise expected profit, under constraints.

:func:`optimise_scheme` varies scenario parameters named by dotted paths (a commission
rate ``pay.components.0.rates.B``, a salary ``team.reps.0.salary_per_month``, a tier's rate
``pay.components.0.tiers.1.rate``, ...) within bounds, and for each candidate runs the same
replications (the same seed and replication indices: common random numbers, so two
candidates differ only by the scheme and by how reps respond to it). It maximises the mean
profit over those replications, subject to optional constraints on reps' monthly pay:

* ``min_median_pay``: the median rep-month pay must reach a market level (currency);
* ``max_pay_cv``: the coefficient of variation of rep-month pay is bounded;
* ``max_p90_p10``: the ratio of the 90th to the 10th percentile of rep-month pay is bounded.

A violated constraint is penalised in proportion to how far it is violated, so the
optimiser is steered back; the answer is the best *feasible* candidate evaluated. Methods
(scipy): ``de`` (differential evolution, the default: robust to the objective's steps),
``nelder-mead`` (local, from the scenario's current values), and ``grid`` (a full grid).
The budget caps the number of distinct candidates simulated; repeated candidates are
served from a cache.
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Callable, Sequence

import numpy as np
import pandas as pd
from scipy import optimize

from salessim.analyses.pay_summary import rep_pay_figures
from salessim.errors import MAX_REPLICATIONS, MAX_SEED, UserError, whole_number
from salessim.results.statistics import mean_interval
from salessim.runs.replications import replicate
from salessim.scenarios.files import get_path, scenario_data, with_overrides

if TYPE_CHECKING:  # pragma: no cover
    from salessim.scenarios.schema import Scenario

METHODS = ("de", "nelder-mead", "grid")


@dataclass(frozen=True)
class Param:
    """A scenario parameter to search: its dotted path and bounds; ``integer`` rounds candidates."""

    path: str
    low: float
    high: float
    integer: bool = False

    def value(self, x: float) -> float | int:
        x = min(self.high, max(self.low, float(x)))
        return int(round(x)) if self.integer else x


@dataclass
class SearchResult:
    """What a scheme search found, and what it cost.

    ``history`` has one row per distinct candidate simulated: its parameters, mean profit
    with a 95% interval, the pay figures, whether it met the constraints, and the
    penalised objective the optimiser saw.
    """

    best: dict[str, float]
    scenario: "Scenario"
    profit: float
    profit_low: float
    profit_high: float
    figures: dict[str, float]
    feasible: bool
    evaluations: int
    seconds: float
    method: str
    replications: int
    seed: int
    history: pd.DataFrame = field(repr=False)


class _Budget(Exception):
    pass


def parse_param(text: str, scenario: "Scenario") -> Param:
    """``PATH=LOW:HIGH`` (e.g. ``pay.components.0.rates.B=0.25:1.0``) checked against the scenario."""
    if "=" not in text or ":" not in text.partition("=")[2]:
        raise UserError(f"expected PATH=LOW:HIGH (e.g. pay.components.0.rates.A=0.1:0.4), got {text!r}", field="params")
    path, _, rng = text.partition("=")
    lo_s, _, hi_s = rng.partition(":")
    try:
        lo, hi = float(lo_s), float(hi_s)
    except ValueError:
        raise UserError(f"expected numbers LOW:HIGH, got {rng!r}", field=f"params {path}") from None
    if not (math.isfinite(lo) and math.isfinite(hi)) or hi <= lo:
        raise UserError(f"expected LOW < HIGH, got {rng!r}", field=f"params {path}")
    try:
        current = get_path(scenario_data(scenario), path.strip())
    except KeyError:
        raise UserError("unknown parameter path (see 'salessim show SCENARIO')", field=f"params {path}") from None
    if isinstance(current, bool) or not isinstance(current, (int, float)):
        raise UserError(f"expected a numeric parameter, found {current!r}", field=f"params {path}")
    return Param(path.strip(), lo, hi, integer=isinstance(current, int))


def evaluate(scenario: "Scenario", replications: int, seed: int, workers: int = 1) -> dict[str, float]:
    """Mean profit (with its 95% interval) and reps' pay figures over ``replications`` runs."""
    reps = replicate(scenario, n=replications, seed=seed, workers=workers)
    profit = mean_interval(reps.per_replication["profit"].to_numpy(dtype=float))
    out = {"profit": profit["mean"], "profit_low": profit["low"], "profit_high": profit["high"],
           "revenue": float(reps.per_replication["revenue"].mean()),
           "variable_pay": float(reps.per_replication["variable_pay"].mean())}
    out.update(rep_pay_figures(reps))
    return out


def _violation(fig: dict[str, float], min_median_pay, max_pay_cv, max_p90_p10) -> float:
    """Relative amount by which the constraints are violated (0 = feasible)."""
    v = 0.0
    if min_median_pay is not None and min_median_pay > 0:
        v += max(0.0, (min_median_pay - fig["median_pay"]) / min_median_pay)
    if max_pay_cv is not None:
        v += max(0.0, (fig["pay_cv"] - max_pay_cv) / max(max_pay_cv, 1e-9))
    if max_p90_p10 is not None:
        v += max(0.0, (fig["p90_p10"] - max_p90_p10) / max(max_p90_p10, 1e-9))
    return v


def optimise_scheme(
    scenario: "Scenario",
    params: Sequence[Param | str],
    *,
    replications: int = 8,
    seed: int = 0,
    min_median_pay: float | None = None,
    max_pay_cv: float | None = None,
    max_p90_p10: float | None = None,
    method: str = "de",
    budget: int = 40,
    workers: int = 1,
    progress: Callable[[int, dict[str, Any]], None] | None = None,
) -> SearchResult:
    """Search ``params`` of ``scenario`` for the highest expected profit meeting the constraints.

    Parameters
    ----------
    params:
        :class:`Param` objects or ``"PATH=LOW:HIGH"`` strings.
    replications, seed:
        Every candidate runs replications ``0 .. replications - 1`` of ``seed`` (common
        random numbers).
    min_median_pay, max_pay_cv, max_p90_p10:
        Constraints on reps' monthly pay (see the module docstring); none = unconstrained.
    method:
        ``"de"``, ``"nelder-mead"`` or ``"grid"``.
    budget:
        Most distinct candidates to simulate (each costs ``replications`` runs).
    progress:
        Called as ``progress(evaluations, row)`` after each new candidate.
    """
    replications = whole_number(replications, "replications", 1, MAX_REPLICATIONS)
    seed = whole_number(seed, "seed", 0, MAX_SEED)
    budget = whole_number(budget, "budget", 0, 1_000_000)
    workers = whole_number(workers, "workers", 1, 1024)
    if method not in METHODS:
        raise UserError(f"expected one of {', '.join(METHODS)}, got {method!r}", field="method")
    if budget < 1:
        raise UserError(f"expected a budget of at least 1 candidate, got {budget}", field="budget")
    ps = [p if isinstance(p, Param) else parse_param(p, scenario) for p in params]
    if not ps:
        raise UserError("expected at least one parameter to search (PATH=LOW:HIGH)", field="params")
    if len({p.path for p in ps}) != len(ps):
        raise UserError("expected each parameter once", field="params")
    for p in ps:  # a bad bound is caught before any simulation, and named as a parameter bound
        for bound in (p.low, p.high):
            try:
                with_overrides(scenario, {p.path: p.value(bound)})
            except UserError as e:
                raise UserError(f"the bound {p.value(bound):g} is not allowed: {e.message}",
                                field=f"params {p.path}") from None

    t0 = time.perf_counter()
    cache: dict[tuple, dict[str, Any]] = {}
    rows: list[dict[str, Any]] = []
    scale: list[float] = []

    def run(x: Sequence[float]) -> dict[str, Any]:
        values = tuple(p.value(v) for p, v in zip(ps, x))
        key = tuple(round(v, 10) for v in values)
        if key in cache:
            return cache[key]
        if len(rows) >= budget:
            raise _Budget
        sc = with_overrides(scenario, {p.path: v for p, v in zip(ps, values)})
        fig = evaluate(sc, replications, seed, workers)
        if not scale:  # penalty weight: a violation of 100% costs 10x the first candidate's revenue
            scale.append(10.0 * max(abs(fig["revenue"]), abs(fig["profit"]), 1.0))
        viol = _violation(fig, min_median_pay, max_pay_cv, max_p90_p10)
        row = {**{p.path: v for p, v in zip(ps, values)}, **fig, "feasible": viol == 0.0, "violation": viol,
               "objective": fig["profit"] - scale[0] * viol, "seconds": time.perf_counter() - t0}
        rows.append(row)
        cache[key] = row
        if progress is not None:
            progress(len(rows), row)
        return row

    def f(x: np.ndarray) -> float:
        return -run(x)["objective"]

    bounds = [(p.low, p.high) for p in ps]
    try:
        if method == "grid":
            n = max(2, int(math.floor(budget ** (1.0 / len(ps)))))
            axes = [np.unique([p.value(v) for v in np.linspace(p.low, p.high, n)]) for p in ps]
            for point in np.array(np.meshgrid(*axes, indexing="ij")).reshape(len(ps), -1).T:
                f(point)
        elif method == "nelder-mead":
            data = scenario_data(scenario)
            x0 = [min(p.high, max(p.low, float(get_path(data, p.path)))) for p in ps]
            optimize.minimize(f, x0, method="Nelder-Mead", bounds=bounds,
                              options={"maxfev": budget, "xatol": 1e-3 * max(p.high - p.low for p in ps), "fatol": 1.0})
        else:
            d = len(ps)
            popsize = max(4, min(10, budget // (3 * d)))
            maxiter = max(1, budget // (popsize * d))
            optimize.differential_evolution(f, bounds, popsize=popsize, maxiter=maxiter, seed=seed, polish=False,
                                            init="latinhypercube", tol=1e-6)
    except _Budget:
        pass
    history = pd.DataFrame(rows)
    feasible = history[history["feasible"]]
    pick = feasible if len(feasible) else history
    best_row = pick.loc[pick["objective"].idxmax()]
    best = {p.path: (int(best_row[p.path]) if p.integer else float(best_row[p.path])) for p in ps}
    return SearchResult(
        best=best,
        scenario=with_overrides(scenario, best),
        profit=float(best_row["profit"]), profit_low=float(best_row["profit_low"]), profit_high=float(best_row["profit_high"]),
        figures={k: float(best_row[k]) for k in ("median_pay", "pay_cv", "p90_p10", "revenue", "variable_pay")},
        feasible=bool(best_row["feasible"]),
        evaluations=len(rows),
        seconds=time.perf_counter() - t0,
        method=method, replications=replications, seed=seed, history=history,
    )
