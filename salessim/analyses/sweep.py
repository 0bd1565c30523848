"""Sweeps: run a scenario over a grid of parameter values, or a Latin-hypercube sample of ranges.

``sweep(scenario, design, n, seed)`` runs every point of ``design`` for replications
``0 .. n-1`` with the same seed (so points are paired by common random numbers, and the
curve across a grid is smoother than independent runs would give). ``design`` is

* a :class:`Grid` (or a plain ``{path: [values]}`` dict): every combination of the listed
  values (a full factorial design), in the order given, the last path varying fastest;
* a :class:`LatinHypercube`: ``points`` samples of ``{path: (low, high)}`` ranges, drawn with
  :class:`scipy.stats.qmc.LatinHypercube` from its own ``seed`` (each range is cut into
  ``points`` equal strata and each stratum is sampled once).

Paths and values are checked before anything runs (:mod:`salessim.scenarios.parameters`): an unknown
path, an empty range or list, a fractional value for a whole-number field, or a value the
scenario rejects (say a probability above 1) is a :class:`~salessim.errors.UserError`.

The result's :attr:`SweepResult.table` has one row per point x replication, with a column per
swept parameter (named by its dotted path) and the replication's summary metrics.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field
from typing import Any, Iterable, Mapping

import numpy as np
import pandas as pd
from scipy.stats import qmc

from salessim.errors import MAX_REPLICATIONS, MAX_SEED, UserError, whole_number
from salessim.results.metrics import bounds
from salessim.results.statistics import mean_interval
from salessim.runs.experiment import Point, Runner, run_points
from salessim.scenarios.files import load_scenario
from salessim.scenarios.parameters import Parameter, apply, check_range, from_unit, grid_values, label, parameter
from salessim.scenarios.schema import Scenario


@dataclass(frozen=True)
class Grid:
    """A full factorial grid: ``{path: [values]}`` (values may also be ``(start, stop, count)``)."""

    axes: Mapping[str, Any]

    def sample_points(self, scenario: Scenario) -> tuple[list[Parameter], list[dict[str, Any]]]:
        if not self.axes:
            raise UserError("expected at least one parameter to sweep (PATH=VALUES)", field="grid")
        params = [parameter(scenario, p, "grid") for p in self.axes]
        values = [grid_values(prm, self.axes[prm.path]) for prm in params]
        pts = [dict(zip([p.path for p in params], combo)) for combo in itertools.product(*values)]
        return params, pts

    def describe(self) -> dict[str, Any]:
        return {"design": "grid", "axes": {k: list(v) for k, v in self.axes.items()}}


@dataclass(frozen=True)
class LatinHypercube:
    """``points`` Latin-hypercube samples of ``{path: (low, high)}`` ranges, drawn from ``seed``."""

    ranges: Mapping[str, tuple[float, float]]
    points: int = 20
    seed: int = 0

    def sample_points(self, scenario: Scenario) -> tuple[list[Parameter], list[dict[str, Any]]]:
        if not self.ranges:
            raise UserError("expected at least one range to sample (PATH=LOW:HIGH)", field="lhs")
        if self.points < 2:
            raise UserError(f"expected at least 2 sample points, got {self.points}", field="points")
        params = [parameter(scenario, p, "lhs") for p in self.ranges]
        bounds = [check_range(prm, *self.ranges[prm.path], flag="lhs") for prm in params]
        u = qmc.LatinHypercube(d=len(params), seed=np.random.default_rng(self.seed)).random(self.points)
        cols = [from_unit(prm, lo, hi, u[:, j]) for j, (prm, (lo, hi)) in enumerate(zip(params, bounds))]
        pts = [dict(zip([p.path for p in params], row)) for row in zip(*cols)]
        return params, pts

    def describe(self) -> dict[str, Any]:
        return {"design": "lhs", "ranges": {k: list(v) for k, v in self.ranges.items()}, "points": int(self.points),
                "sample_seed": self.seed}


@dataclass
class SweepResult:
    """The outcome of :func:`sweep`.

    Attributes
    ----------
    table:
        One row per point x replication: ``point``, ``label``, one column per parameter,
        ``scenario_hash``, ``seed``, ``replication``, then the summary metrics.
    parameters:
        The swept dotted paths, in order.
    design:
        ``"grid"`` or ``"lhs"``.
    """

    table: pd.DataFrame
    parameters: list[str]
    design: str
    scenario: str
    seed: int
    currency: str = "USD"
    notes: list[str] = field(default_factory=list)
    #: runs executed by this call, and finished runs taken from the result store instead
    ran: int | None = None
    reused: int = 0

    @property
    def n(self) -> int:
        return int(self.table["replication"].nunique())

    def summary(self, metrics: Iterable[str] = ("revenue", "profit"), level: float = 0.95) -> pd.DataFrame:
        """Per point and metric: mean, 95% t-interval of the mean, and the 5th/95th percentiles of replications."""
        rows = []
        for (pt, lab), g in self.table.groupby(["point", "label"], sort=True):
            base = {"point": pt, "label": lab, **{p: g[p].iloc[0] for p in self.parameters}}
            for m in metrics:
                if m not in g.columns:
                    raise UserError(f"unknown metric {m!r}", field="metrics")
                x = g[m].to_numpy(dtype=float)
                mi = mean_interval(x, level, bounds(m))
                rows.append({**base, "metric": m, "mean": mi["mean"], "low": mi["low"], "high": mi["high"],
                             "p05": float(np.nanquantile(x, 0.05)) if np.isfinite(x).any() else np.nan,
                             "p95": float(np.nanquantile(x, 0.95)) if np.isfinite(x).any() else np.nan,
                             "n": mi["n"]})
        return pd.DataFrame(rows)


def as_design(design: Any) -> Grid | LatinHypercube:
    """A :class:`Grid` or :class:`LatinHypercube` from a design or a ``{path: values}`` dict."""
    if isinstance(design, (Grid, LatinHypercube)):
        return design
    if isinstance(design, Mapping):
        return Grid(design)
    raise UserError(f"expected a Grid, a LatinHypercube or a {{path: values}} dict, got {type(design).__name__}",
                    field="design")


def design_points(scenario: Scenario, design: Any) -> tuple[list[str], list[dict[str, Any]], list[Scenario]]:
    """The design's points and their scenarios, every one validated before anything runs."""
    design = as_design(design)
    params, pts = design.sample_points(scenario)
    scenarios = []
    for values in pts:
        try:
            scenarios.append(apply(scenario, values))
        except UserError as e:
            where = e.source if e.source not in (None, "override") else None
            raise UserError(f"at sweep point {label(values)}: {e.message}", source=where, field=e.field) from None
    return [p.path for p in params], pts, scenarios


def sweep(scenario: Scenario | str, design: Any, n: int = 10, seed: int = 0, *,
          overrides: Mapping[str, Any] | None = None, workers: int | None = None, scheduler: Any = None,
          progress: bool | None = None, store: str | None = None, resume: bool = False,
          overwrite: bool = False) -> SweepResult:
    """Run ``scenario`` at every point of ``design`` for replications ``0 .. n-1``.

    Parameters
    ----------
    scenario:
        The base scenario (object, built-in name or file path).
    design:
        A :class:`Grid`, a ``{path: [values]}`` dict, or a :class:`LatinHypercube`.
    n, seed:
        Replications per point and the master seed (shared by all points).
    overrides:
        ``{path: value}`` applied to the base scenario first.
    workers, scheduler, progress, store, resume, overwrite:
        Where to run and where to keep results (see :class:`salessim.runs.experiment.Runner`).
    """
    n = whole_number(n, "n", 1, MAX_REPLICATIONS)
    seed = whole_number(seed, "seed", 0, MAX_SEED)
    base = load_scenario(scenario, overrides)
    design = as_design(design)
    paths, pts, scenarios = design_points(base, design)
    points = [Point(label(v), sc, v, seed) for v, sc in zip(pts, scenarios)]
    definition = {"base": base.content_hash(), **design.describe(), "seed": seed,
                  "points": [p.key(0)[:2] for p in points]}
    runner = Runner(workers=workers, scheduler=scheduler, progress=progress, store=store, resume=resume,
                    overwrite=overwrite)
    table = run_points(points, n, runner=runner, kind="sweep", definition=definition, desc="sweep")
    return SweepResult(table, paths, design.describe()["design"], base.name, seed, base.currency, runner.notes,
                       runner.ran, runner.reused)
