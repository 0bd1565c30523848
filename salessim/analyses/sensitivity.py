"""Global sensitivity analysis: which parameters drive profit and revenue, and by how much.

Declare ranges for some scenario parameters (by dotted path) and pick a method:

* **Morris** elementary-effects screening (``method="morris"``): ``samples`` random
  one-at-a-time trajectories through a ``num_levels`` grid of the ranges (``samples x (k + 1)``
  points for ``k`` parameters). ``mu_star`` is the mean absolute change of the output when a
  parameter moves by ``num_levels / (2 (num_levels - 1))`` of its range (2/3 of it with 4
  levels), per unit of that fraction, i.e. in the output's unit per full range; ``sigma``
  shows interactions and non-linearity. Drivers are ranked by ``mu_star``. Cheap: use it to
  screen many parameters.
* **Sobol** variance decomposition (``method="sobol"``), Saltelli's sampling scheme
  (``samples x (k + 2)`` points, ``samples`` a power of 2): ``S1`` is the share of the
  output's variance due to the parameter alone, ``ST`` its total share including
  interactions. Drivers are ranked by ``ST``. Needs more runs; use it on a few parameters.

Both come from SALib (``SALib.sample.morris`` / ``SALib.sample.sobol`` and the matching
``SALib.analyze`` functions), run on the unit hypercube and mapped onto the ranges
(:func:`salessim.scenarios.parameters.from_unit`: whole-number parameters get equal shares per value).
Confidence intervals (``*_conf``, 95%) are SALib's bootstrap half-widths.

For a stochastic model the output at a point is the mean of ``n`` replications, the same
replications (common random numbers) at every point, so elementary effects are not
swamped by replication noise.

The **tornado** chart adds ``2k + 1`` one-at-a-time runs: the base scenario, and each
parameter at the low and at the high end of its range with the others at their base
values. Its bars show how far each parameter alone moves the output, with the 95% interval
of the paired high-minus-low difference.

Ranges come from ``--range PATH=LOW:HIGH`` flags or a TOML file (:func:`read_ranges`)::

    [[parameter]]
    path = "team.reps.0.count"
    low = 5
    high = 15
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Mapping, Sequence

import numpy as np
import pandas as pd
from SALib.analyze import morris as morris_analysis
from SALib.analyze import sobol as sobol_analysis
from SALib.sample import morris as morris_sampling
from SALib.sample import sobol as sobol_sampling

from salessim.analyses.compare import paired_difference
from salessim.errors import MAX_REPLICATIONS, MAX_SEED, UserError, whole_number
from salessim.runs.experiment import Point, Runner, check_metrics, run_points
from salessim.scenarios.files import load_scenario
from salessim.scenarios.parameters import Parameter, apply, check_range, from_unit, label, parameter
from salessim.scenarios.schema import Scenario

METHODS = ("morris", "sobol")
DEFAULT_SAMPLES = {"morris": 10, "sobol": 64}
DEFAULT_OUTPUTS = ("profit", "revenue")


# --------------------------------------------------------------------------- ranges
def read_ranges(path: str | Path) -> dict[str, tuple[float, float]]:
    """Read ``[[parameter]]`` tables (``path``, ``low``, ``high``) from a TOML file."""
    src = str(path)
    try:
        data = tomllib.loads(Path(path).read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise UserError("file not found", source=src) from None
    except (OSError, UnicodeDecodeError) as e:
        raise UserError(f"cannot read file ({e})", source=src) from None
    except tomllib.TOMLDecodeError as e:
        raise UserError(f"not valid TOML: {e}", source=src) from None
    entries = data.get("parameter")
    unknown = sorted(set(data) - {"parameter"})
    if unknown:
        raise UserError(f"unknown key(s) {', '.join(unknown)}; expected [[parameter]] tables", source=src)
    if not isinstance(entries, list) or not entries:
        raise UserError("expected at least one [[parameter]] table with path, low and high", source=src)
    out: dict[str, tuple[float, float]] = {}
    for i, e in enumerate(entries):
        where = f"parameter[{i}]"
        if not isinstance(e, dict):
            raise UserError("expected a table with path, low and high", source=src, field=where)
        extra = sorted(set(e) - {"path", "low", "high"})
        if extra:
            raise UserError(f"unknown key(s) {', '.join(extra)}; expected path, low, high", source=src, field=where)
        for k in ("path", "low", "high"):
            if k not in e:
                raise UserError(f"missing {k}", source=src, field=where)
        if not isinstance(e["path"], str):
            raise UserError(f"expected a dotted path as text, got {e['path']!r}", source=src, field=f"{where}.path")
        for k in ("low", "high"):
            if isinstance(e[k], bool) or not isinstance(e[k], (int, float)):
                raise UserError(f"expected a number, got {e[k]!r}", source=src, field=f"{where}.{k}")
        if e["path"] in out:
            raise UserError(f"{e['path']} is listed twice", source=src, field=where)
        out[e["path"]] = (e["low"], e["high"])
    return out


# --------------------------------------------------------------------------- SALib core
def _problem(names: Sequence[str]) -> dict[str, Any]:
    return {"num_vars": len(names), "names": list(names), "bounds": [[0.0, 1.0]] * len(names)}


def sample_unit(method: str, names: Sequence[str], samples: int, seed: int, num_levels: int = 4) -> np.ndarray:
    """Sample points of the unit hypercube for ``method`` (rows = points)."""
    if method not in METHODS:
        raise UserError(f"expected a method among {', '.join(METHODS)}, got {method!r}", field="method")
    if len(names) < 1:
        raise UserError("expected at least one parameter range", field="ranges")
    problem = _problem(names)
    if method == "morris":
        if samples < 2:
            raise UserError(f"expected at least 2 Morris trajectories, got {samples}", field="samples")

        return morris_sampling.sample(problem, samples, num_levels=num_levels, seed=seed)
    if samples < 2 or samples & (samples - 1):
        raise UserError(f"expected a power of 2 for Sobol samples (e.g. 64, 128, 256), got {samples}",
                        field="samples")

    return sobol_sampling.sample(problem, samples, calc_second_order=False, seed=seed)


def analyse_unit(method: str, names: Sequence[str], X: np.ndarray, Y: np.ndarray, seed: int,
                 num_levels: int = 4) -> pd.DataFrame:
    """SALib indices for one output ``Y`` at unit-cube points ``X``, ranked (rank 1 = strongest driver)."""
    problem = _problem(names)
    Y = np.asarray(Y, dtype=float)
    if not np.all(np.isfinite(Y)):
        bad = int((~np.isfinite(Y)).sum())
        raise UserError(f"{bad} of {len(Y)} sample points gave no value for this output (NaN); "
                        "choose an output defined at every point", field="outputs")
    if method == "morris":
        r = morris_analysis.analyze(problem, X, Y, num_levels=num_levels, seed=seed)
        df = pd.DataFrame({"parameter": list(names), "mu_star": np.asarray(r["mu_star"], dtype=float),
                           "mu_star_conf": np.asarray(r["mu_star_conf"], dtype=float),
                           "mu": np.asarray(r["mu"], dtype=float), "sigma": np.asarray(r["sigma"], dtype=float)})
        key = "mu_star"
    else:
        r = sobol_analysis.analyze(problem, Y, calc_second_order=False, seed=seed)
        df = pd.DataFrame({"parameter": list(names), "S1": r["S1"], "S1_conf": r["S1_conf"], "ST": r["ST"],
                           "ST_conf": r["ST_conf"]})
        key = "ST"
    df["rank"] = df[key].rank(ascending=False, method="first").astype(int)
    return df.sort_values("rank", ignore_index=True)


# --------------------------------------------------------------------------- result
@dataclass
class SensitivityResult:
    """The outcome of :func:`sensitivity` or :func:`analyse_function`.

    Attributes
    ----------
    method:
        ``"morris"`` or ``"sobol"``.
    ranges:
        ``{path: (low, high)}``.
    indices:
        Per output and parameter: the method's indices, their 95% confidence half-widths, and
        ``rank`` (1 = strongest driver).
    samples:
        One row per sample point: the parameter values and the outputs (means over replications).
    tornado:
        Per output and parameter (scenario runs only): output at the base, at the low and at the
        high end, ``swing = high - low`` with its 95% interval (paired replications).
    table:
        Scenario runs only: the tidy per point x replication table of every run.
    """

    method: str
    ranges: dict[str, tuple[float, float]]
    outputs: list[str]
    indices: pd.DataFrame
    samples: pd.DataFrame
    tornado: pd.DataFrame | None = None
    table: pd.DataFrame | None = None
    scenario: str = ""
    currency: str = ""
    replications: int = 1
    notes: list[str] = field(default_factory=list)
    #: runs executed by this call, and finished runs taken from the result store instead
    ran: int | None = None
    reused: int = 0
    #: scenario runs: the master seed of the replications
    seed: int | None = None

    def ranking(self, output: str) -> pd.DataFrame:
        """The drivers of ``output``, strongest first."""
        if output not in self.outputs:
            raise UserError(f"unknown output {output!r} (have: {', '.join(self.outputs)})", field="output")
        return self.indices[self.indices["output"] == output].sort_values("rank", ignore_index=True)


def analyse_function(func: Callable[[pd.DataFrame], Mapping[str, Sequence[float]] | pd.DataFrame],
                     ranges: Mapping[str, tuple[float, float]], method: str = "sobol", samples: int | None = None,
                     seed: int = 0, num_levels: int = 4) -> SensitivityResult:
    """Sensitivity of a vectorised function of real-valued parameters (e.g. a test function).

    ``func`` receives a DataFrame with one column per parameter (one row per point) and
    returns ``{output: values}`` or a DataFrame with one column per output.
    """
    names = list(ranges)
    samples = DEFAULT_SAMPLES.get(method, 0) if samples is None else whole_number(samples, "samples", 0, 10**7)
    X = sample_unit(method, names, samples, seed, num_levels)
    values = pd.DataFrame({n: ranges[n][0] + X[:, j] * (ranges[n][1] - ranges[n][0]) for j, n in enumerate(names)})
    Y = pd.DataFrame(func(values))
    frames = [analyse_unit(method, names, X, Y[o].to_numpy(), seed, num_levels).assign(output=o) for o in Y.columns]
    indices = pd.concat(frames, ignore_index=True)
    indices = indices[["output", *[c for c in indices.columns if c != "output"]]]
    return SensitivityResult(method, dict(ranges), list(Y.columns), indices, pd.concat([values, Y], axis=1))


def sensitivity(scenario: Scenario | str, ranges: Mapping[str, tuple[float, float]], method: str = "morris",
                samples: int | None = None, n: int = 2, seed: int = 0, *, sample_seed: int | None = None,
                outputs: Sequence[str] = DEFAULT_OUTPUTS, tornado: bool = True, num_levels: int = 4,
                overrides: Mapping[str, Any] | None = None, workers: int | None = None, scheduler: Any = None,
                progress: bool | None = None, store: str | None = None, resume: bool = False,
                overwrite: bool = False) -> SensitivityResult:
    """Rank the parameters in ``ranges`` as drivers of ``outputs`` of ``scenario``.

    Parameters
    ----------
    scenario:
        The base scenario (object, built-in name or file).
    ranges:
        ``{dotted.path: (low, high)}``; see :func:`read_ranges`.
    method, samples, num_levels:
        ``"morris"`` (``samples`` trajectories, default 10) or ``"sobol"`` (``samples`` a power of
        2, default 64); Morris grid levels.
    n, seed:
        Replications per point (their mean is the point's output) and the master seed.
    sample_seed:
        Seed of the SALib sample (default: ``seed``).
    outputs:
        Summary metrics to analyse (default profit and revenue).
    tornado:
        Also run the one-at-a-time low/high points for the tornado chart.
    overrides, workers, scheduler, progress, store, resume, overwrite:
        As for :func:`salessim.analyses.sweep.sweep`.
    """
    n = whole_number(n, "n", 1, MAX_REPLICATIONS)
    seed = whole_number(seed, "seed", 0, MAX_SEED)
    base = load_scenario(scenario, overrides)
    if not ranges:
        raise UserError("expected at least one parameter range ({path: (low, high)})", field="ranges")
    params: list[Parameter] = [parameter(base, p, "ranges") for p in ranges]
    bounds = [check_range(prm, *ranges[prm.path]) for prm in params]
    names = [p.path for p in params]
    samples = DEFAULT_SAMPLES.get(method, 0) if samples is None else whole_number(samples, "samples", 0, 10**7)
    s_seed = seed if sample_seed is None else sample_seed
    X = sample_unit(method, names, samples, s_seed, num_levels)
    cols = [from_unit(prm, lo, hi, X[:, j]) for j, (prm, (lo, hi)) in enumerate(zip(params, bounds))]
    sample_values = [dict(zip(names, row)) for row in zip(*cols)]
    oat_values: list[dict[str, Any]] = []
    if tornado:
        oat_values.append({})
        for prm, (lo, hi) in zip(params, bounds):
            oat_values += [{prm.path: lo}, {prm.path: hi}]
    points = []
    for values in [*sample_values, *oat_values]:
        try:
            sc = apply(base, values)
        except UserError as e:
            where = e.source if e.source not in (None, "override") else None
            raise UserError(f"at sample point {label(values) or 'base'}: {e.message}", source=where,
                            field=e.field) from None
        points.append(Point(label(values) or "base", sc, values, seed))
    definition = {"base": base.content_hash(), "method": method, "ranges": {k: list(v) for k, v in zip(names, bounds)},
                  "samples": samples, "sample_seed": s_seed, "num_levels": num_levels, "seed": seed,
                  "tornado": tornado}
    runner = Runner(workers=workers, scheduler=scheduler, progress=progress, store=store, resume=resume,
                    overwrite=overwrite)
    outputs = list(outputs)
    check_metrics(outputs, base, "outputs")  # before anything runs
    table = run_points(points, n, runner=runner, kind="sensitivity", definition=definition, desc="sensitivity")
    means = table.groupby("point", sort=True)[outputs].mean()
    n_s = len(sample_values)
    Y = means.iloc[:n_s].reset_index(drop=True)
    frames = [analyse_unit(method, names, X, Y[o].to_numpy(), s_seed, num_levels).assign(output=o) for o in outputs]
    indices = pd.concat(frames, ignore_index=True)
    indices = indices[["output", *[c for c in indices.columns if c != "output"]]]
    samples_df = pd.concat([pd.DataFrame(sample_values), Y], axis=1)
    tor = _tornado(table, params, bounds, outputs, n_s) if tornado else None
    return SensitivityResult(method, dict(zip(names, bounds)), outputs, indices, samples_df, tor, table, base.name,
                             base.currency, n, runner.notes, runner.ran, runner.reused, seed)


def _tornado(table: pd.DataFrame, params: list[Parameter], bounds: list[tuple[float, float]], outputs: list[str],
             first: int) -> pd.DataFrame:
    def values(point: int, o: str) -> np.ndarray:
        return table[table["point"] == point].sort_values("replication")[o].to_numpy(dtype=float)

    rows = []
    base_pt = first
    for j, (prm, (lo, hi)) in enumerate(zip(params, bounds)):
        p_lo, p_hi = first + 1 + 2 * j, first + 2 + 2 * j
        for o in outputs:
            st = paired_difference(values(p_lo, o), values(p_hi, o))
            rows.append({"output": o, "parameter": prm.path, "low_value": lo, "high_value": hi,
                         "base_value": prm.current, "y_base": float(np.nanmean(values(base_pt, o))),
                         "y_low": st["base_mean"], "y_high": st["variant_mean"], "swing": st["diff"],
                         "swing_low": st["low"], "swing_high": st["high"]})
    df = pd.DataFrame(rows)
    df["abs_swing"] = df["swing"].abs()
    df = df.sort_values(["output", "abs_swing"], ascending=[True, False], ignore_index=True)
    return df.drop(columns="abs_swing")
