"""Paired comparisons of scenarios with common random numbers.

``compare(base, variants, n, seed)`` runs the base scenario and each variant for the same
replications ``0 .. n-1`` of the same master seed. Replication ``i`` of every scenario draws
from the same random streams (keyed by purpose and entity name, see :mod:`salessim.engine.streams`),
so the differences between scenarios are *paired*: the noise they share cancels in the
difference, and a smaller sample decides (see ``docs/experiments.md``).

For every KPI and variant the result gives:

* the mean of base and variant, each with a 95% t-interval;
* the **paired difference** ``variant - base`` (replication by replication): its mean, a 95%
  Student-t interval over replications, and the same as a percentage of the base mean;
* ``p_better``: the probability that the variant's *mean* is better than the base's. It is
  the Student-t probability ``T_{n-1}(d / se)`` for a KPI where higher is better (and of
  ``-d / se`` where lower is better), which is the posterior probability that the mean
  difference favours the variant under a flat prior (and one minus the one-sided p-value);
* ``win_share``: the share of paired replications in which the variant did better (ties
  count one half);
* ``verdict``: ``better`` or ``worse`` when the 95% interval of the difference excludes zero
  (in the KPI's good direction, :func:`salessim.results.metrics.direction`), else ``no detectable
  difference``. For a KPI with no good direction (e.g. calls made), ``higher`` or ``lower``.

``precision=P`` replaces a fixed ``n`` by a sequential rule: a pilot of ``pilot`` replications,
then batches until the 95% half-width of the main KPI's paired difference is within ``P``% of
the base mean for every variant, or ``max_replications`` is reached (see
:func:`next_replication_count`).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any, Iterable, Mapping, Sequence

import numpy as np
import pandas as pd
from scipy import stats

from salessim.analyses.horizons import ADDITIVE, Horizons, check_horizons
from salessim.analyses.horizons import horizons as run_horizons
from salessim.errors import MAX_REPLICATIONS, MAX_SEED, UserError, whole_number
from salessim.results import metrics
from salessim.results.metrics import HEADLINE, direction, format_value
from salessim.results.statistics import mean_interval
from salessim.runs.experiment import Point, Runner, check_metrics, run_points
from salessim.scenarios.files import load_scenario
from salessim.scenarios.schema import Scenario


# --------------------------------------------------------------------------- statistics
def paired_difference(base: np.ndarray, variant: np.ndarray, sign: int = 1, level: float = 0.95) -> dict[str, float]:
    """Statistics of the paired difference ``variant - base`` (pairs with a NaN are left out).

    ``sign`` is the KPI's :func:`direction` (0 is treated as +1 for the probabilities, which
    then read "probability the variant is higher").
    """
    base = np.asarray(base, dtype=float)
    variant = np.asarray(variant, dtype=float)
    ok = ~(np.isnan(base) | np.isnan(variant))
    b, v = base[ok], variant[ok]
    d = v - b
    n = len(d)
    s = 1 if sign >= 0 else -1
    out = {"n": n, "base_mean": math.nan, "variant_mean": math.nan, "diff": math.nan, "low": math.nan,
           "high": math.nan, "half_width": math.nan, "sd_diff": math.nan, "p_better": math.nan,
           "win_share": math.nan, "pairing_gain": math.nan}
    if n == 0:
        return out
    out.update(base_mean=float(b.mean()), variant_mean=float(v.mean()), diff=float(d.mean()))
    out["win_share"] = float(np.mean(s * d > 0) + 0.5 * np.mean(d == 0))
    if n < 2:
        return out
    sd = float(d.std(ddof=1))
    se = sd / math.sqrt(n)
    half = float(stats.t.ppf(0.5 + level / 2, n - 1) * se)
    out.update(sd_diff=sd, half_width=half, low=out["diff"] - half, high=out["diff"] + half)
    if sd > 1e-9 * max(abs(out["base_mean"]), abs(out["variant_mean"]), 1e-300):
        # what pairing saved: Var(B - A) for independent runs is Var A + Var B (a difference that is
        # constant up to rounding has no meaningful ratio: NaN)
        out["pairing_gain"] = float((b.var(ddof=1) + v.var(ddof=1)) / sd**2)
    if se > 0:
        out["p_better"] = float(stats.t.cdf(s * out["diff"] / se, n - 1))
    else:
        out["p_better"] = 1.0 if s * out["diff"] > 0 else (0.0 if s * out["diff"] < 0 else 0.5)
    return out


def verdict_word(metric: str, low: float, high: float) -> str:
    """``better``/``worse``/``no detectable difference`` (or ``higher``/``lower``) from the interval."""
    if not (low == low and high == high):  # NaN
        return "not enough replications"
    sign = direction(metric)
    if low > 0:
        return "higher" if sign == 0 else ("better" if sign > 0 else "worse")
    if high < 0:
        return "lower" if sign == 0 else ("worse" if sign > 0 else "better")
    return "no detectable difference"


def next_replication_count(n: int, half_width_pct: float, target_pct: float, *, batch: int = 5,
                           max_replications: int = 500) -> int:
    """The replication count to try next in the sequential precision rule.

    The half-width of a t-interval shrinks like ``1 / sqrt(n)``, so ``n * (h / target) ** 2``
    replications are projected to meet the target. The next count is that projection,
    rounded up, but at least ``n + batch`` (progress every round) and at most ``2 n`` (a
    pilot's noisy standard deviation cannot send the run far beyond what it needs) and
    ``max_replications``. Depends only on the data, never on the number of workers, so the
    answer is the same serially and in parallel.
    """
    if not (half_width_pct == half_width_pct) or half_width_pct == math.inf:
        projected = 2 * n
    else:
        projected = math.ceil(n * (half_width_pct / target_pct) ** 2)
    return int(min(max_replications, max(n + batch, min(projected, 2 * n))))


# --------------------------------------------------------------------------- result
@dataclass
class Comparison:
    """The outcome of :func:`compare`.

    Attributes
    ----------
    table:
        One row per scenario x replication (see :mod:`salessim.runs.experiment`); ``label`` names
        the scenario, ``point`` 0 is the base.
    base, variants:
        Scenario labels.
    main_kpi:
        The KPI the verdict and the precision rule use.
    precision:
        The requested relative half-width (%), or None for a fixed ``n``.
    converged:
        With ``precision``: whether it was met before ``max_replications``.
    history:
        With ``precision``: ``(n, worst half-width % of the base mean)`` after each round.
    """

    table: pd.DataFrame
    base: str
    variants: list[str]
    seed: int
    main_kpi: str = "profit"
    level: float = 0.95
    crn: bool = True
    currency: str = "USD"
    precision: float | None = None
    converged: bool | None = None
    history: list[tuple[int, float]] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    #: runs executed by this call, and finished runs taken from the result store instead
    ran: int | None = None
    reused: int = 0
    #: per variant: the answer over several horizons and the payback month (``compare(horizons=...)``)
    horizons: dict[str, Horizons] = field(default_factory=dict)

    @property
    def n(self) -> int:
        """Replications per scenario."""
        return int(self.table["replication"].nunique())

    def _values(self, label: str, metric: str) -> np.ndarray:
        t = self.table
        sub = t[t["label"] == label].sort_values("replication")
        if metric not in sub.columns:
            raise UserError(f"unknown KPI {metric!r} (known: {', '.join(self.metrics()[:20])}, ...)", field="kpi")
        return sub[metric].to_numpy(dtype=float)

    def metrics(self) -> list[str]:
        """Every KPI in the table."""
        start = list(self.table.columns).index("replication") + 1
        return list(self.table.columns[start:])

    def means(self, kpis: Iterable[str] | None = None) -> pd.DataFrame:
        """Per scenario and KPI: mean, sd and 95% t-interval of the mean."""
        kpis = list(kpis or self.default_kpis())
        rows = []
        for label in [self.base, *self.variants]:
            for m in kpis:
                rows.append({"scenario": label, "kpi": m,
                             **mean_interval(self._values(label, m), self.level, metrics.bounds(m))})
        return pd.DataFrame(rows)

    def default_kpis(self) -> list[str]:
        """The headline KPIs (:data:`salessim.results.metrics.HEADLINE`) in the table; the main KPI first if it
        is not one of them."""
        ks = [k for k in HEADLINE if k in self.table.columns]
        return ks if self.main_kpi in ks else [self.main_kpi, *ks]

    def differences(self, kpis: Iterable[str] | None = None) -> pd.DataFrame:
        """Per variant and KPI: the paired difference, its interval, ``p_better``, ``win_share``, verdict,
        and ``pairing_gain``: ``(Var A + Var B) / Var(B - A)``, how many times more replications two
        independent runs would need for the same interval (about 1 with ``crn=False``)."""
        kpis = list(kpis or self.default_kpis())
        rows = []
        for v in self.variants:
            for m in kpis:
                st = paired_difference(self._values(self.base, m), self._values(v, m), direction(m), self.level)
                pct = _percent_of(abs(st["base_mean"]))
                rows.append({
                    "variant": v, "kpi": m, "direction": direction(m), "n": st["n"],
                    "base_mean": st["base_mean"], "variant_mean": st["variant_mean"],
                    "diff": st["diff"], "low": st["low"], "high": st["high"],
                    "diff_pct": pct(st["diff"]), "low_pct": pct(st["low"]), "high_pct": pct(st["high"]),
                    "half_width_pct": pct(st["half_width"]),
                    "p_better": st["p_better"], "win_share": st["win_share"],
                    "verdict": verdict_word(m, st["low"], st["high"]),
                    "pairing_gain": st["pairing_gain"],
                })
        return pd.DataFrame(rows)

    def verdicts(self) -> dict[str, str]:
        """Plain-language sentences per variant about the main KPI; with horizons, also its answer over each
        horizon and the month the change pays back, so a verdict never rests on one period's total alone."""
        d = self.differences([self.main_kpi])
        out = {}
        for row in d.itertuples():
            text = _sentence(row, self.base, self.main_kpi, self.currency, self.level, self.crn)
            h = self.horizons.get(row.variant)
            if h is not None:
                kpi = self.main_kpi if self.main_kpi in set(h.table["kpi"]) else "profit"
                lead = "But the answer changes with the horizon: " if h.turns(kpi) else "Over time: "
                text += " " + lead + " ".join(h.sentences(kpi))
            out[row.variant] = text
        return out

    def to_json(self, kpis: Iterable[str] | None = None) -> dict[str, Any]:
        """A JSON-ready summary: settings, means, differences and verdicts."""
        diffs = self.differences(kpis)
        means = self.means(kpis)
        return {
            "base": self.base, "variants": self.variants, "seed": self.seed, "replications": self.n,
            "main_kpi": self.main_kpi, "common_random_numbers": self.crn, "level": self.level,
            "precision_pct": self.precision, "converged": self.converged,
            "history": [{"replications": n, "half_width_pct": _num(h)} for n, h in self.history],
            "means": [{k: _num(v) for k, v in r.items()} for r in means.to_dict("records")],
            "differences": [{k: _num(v) for k, v in r.items()} for r in diffs.to_dict("records")],
            "verdicts": self.verdicts(),
            "horizons": {v: h.to_json() for v, h in self.horizons.items()},
        }


def _percent_of(base_abs: float):
    """A function giving ``x`` in % of ``base_abs`` (NaN when the base is 0)."""
    return lambda x: 100 * x / base_abs if base_abs > 0 else math.nan


def _num(v: Any) -> Any:
    if isinstance(v, (float, np.floating)):
        return None if v != v else float(v)
    if isinstance(v, np.integer):
        return int(v)
    return v


def _sentence(row, base: str, metric: str, currency: str, level: float, crn: bool) -> str:
    def fmt(v: float) -> str:
        return format_value(v, metric, currency, signed=True)

    diff = fmt(row.diff)
    interval = f"{level:.0%} interval {fmt(row.low)} to {fmt(row.high)}"
    pct = f", {row.diff_pct:+.1f}% of the base" if row.diff_pct == row.diff_pct else ""
    word = row.verdict
    prob = "" if row.p_better != row.p_better else f"; probability the variant's mean is better: {_prob(row.p_better)}"
    what = metrics.label(metric)
    if word in ("better", "worse"):
        head = f"{row.variant} is {word} than {base} on {what}"
    elif word in ("higher", "lower"):
        head = f"{row.variant} has {word} {what} than {base}"
    else:
        head = f"no detectable difference between {row.variant} and {base} on {what}"
    return f"{head}: {diff}{pct} ({interval}, {row.n} paired replications{prob})."


def _prob(p: float) -> str:
    if p > 0.999:
        return "> 99.9%"
    if p < 0.001:
        return "< 0.1%"
    return f"{p:.1%}"


# --------------------------------------------------------------------------- running
def independent_seed(seed: int, index: int) -> int:
    """The seed of variant ``index`` when common random numbers are switched off (for checks)."""
    return int(np.random.SeedSequence(seed, spawn_key=(index + 1,)).generate_state(1)[0])


def _labels(scenarios: Sequence[Scenario]) -> list[str]:
    labels, seen = [], {}
    for sc in scenarios:
        k = seen.get(sc.name, 0)
        seen[sc.name] = k + 1
        labels.append(sc.name if k == 0 else f"{sc.name}#{k + 1}")
    return labels


def compare(base: Scenario | str, variants: Scenario | str | Sequence[Scenario | str], n: int | None = 20,
            seed: int = 0, *, precision: float | None = None, main_kpi: str = "profit", level: float = 0.95,
            crn: bool = True, pilot: int = 10, batch: int = 5, max_replications: int = 500,
            overrides: Mapping[str, Any] | None = None, workers: int | None = None, scheduler: Any = None,
            progress: bool | None = None, store: str | None = None, resume: bool = False,
            overwrite: bool = False, horizons: Sequence[int] | None = None) -> Comparison:
    """Compare ``variants`` with ``base`` using paired replications (common random numbers).

    Parameters
    ----------
    base, variants:
        Scenarios (objects, built-in names or file paths); ``variants`` may be one or a list.
    n:
        Replications per scenario (ignored when ``precision`` is given).
    seed:
        Master seed, shared by all scenarios.
    precision:
        Target 95% half-width of the main KPI's paired difference, in % of the base mean;
        replications are added until every variant meets it (see module docs).
    main_kpi:
        The KPI of the verdict and of the precision rule (default profit).
    crn:
        False gives each variant its own seed (:func:`independent_seed`), to measure what
        common random numbers gain.
    pilot, batch, max_replications:
        The precision rule's first count, smallest step and cap.
    overrides:
        ``{dotted.path: value}`` applied to every scenario (e.g. ``{"calendar.months": 6}``).
    workers, scheduler, progress, store, resume, overwrite:
        Where to run and where to keep results (see :class:`salessim.runs.experiment.Runner`).
    horizons:
        Also answer over these horizons (months, e.g. ``(12, 24, 36)``) with the month each
        variant pays back (:mod:`salessim.analyses.horizons`; the same replications, run for the
        longest horizon).
    """
    if horizons is not None:
        horizons = check_horizons(horizons)
    if isinstance(variants, (str, Scenario)):
        variants = [variants]
    if not variants:
        raise UserError("expected at least one variant scenario to compare with the base", field="variants")
    scenarios = [load_scenario(s, overrides) for s in [base, *variants]]
    labels = _labels(scenarios)
    if precision is not None and not (0 < precision <= 100):
        raise UserError(f"expected a precision in percent, above 0 and at most 100, got {precision!r}",
                        field="precision")
    if precision is None:
        n = whole_number(n, "n", 0, MAX_REPLICATIONS) if n is not None else None
        if n is None or n < 2:
            raise UserError(f"expected at least 2 replications for an interval, got {n!r}", field="n")
    seed = whole_number(seed, "seed", 0, MAX_SEED)
    if pilot < 3:
        raise UserError(f"expected a pilot of at least 3 replications, got {pilot}", field="pilot")
    if max_replications < pilot:
        raise UserError(f"expected at least the pilot's {pilot} replications, got {max_replications}",
                        field="max_replications")
    check_metrics([main_kpi], scenarios, "main_kpi")  # before anything runs
    seeds = [seed] + [seed if crn else independent_seed(seed, j) for j in range(len(variants))]
    points = [Point(label, sc, {}, s) for label, sc, s in zip(labels, scenarios, seeds)]
    definition = {"scenarios": [p.scenario_hash for p in points], "labels": labels, "seeds": seeds}
    runner = Runner(workers=workers, scheduler=scheduler, progress=progress, store=store, resume=resume,
                    overwrite=overwrite)
    common = dict(table=None, base=labels[0], variants=labels[1:], seed=seed, main_kpi=main_kpi, level=level,
                  crn=crn, currency=scenarios[0].currency, precision=precision)
    if precision is None:
        table = run_points(points, n, runner=runner, kind="compare", definition=definition, desc="compare")
        cmp = Comparison(**{**common, "table": table})
        cmp._values(cmp.base, main_kpi)  # unknown KPI -> clear error
        cmp.notes, cmp.ran, cmp.reused = runner.notes, runner.ran, runner.reused
        _add_horizons(cmp, scenarios, seeds, horizons, runner)
        return cmp
    k = pilot
    history: list[tuple[int, float]] = []
    while True:
        table = run_points(points, k, runner=runner, kind="compare", definition=definition,
                           desc=f"compare ({k} replications)", compact=False)
        cmp = Comparison(**{**common, "table": table})
        worst = _worst_half_width_pct(cmp)
        history.append((k, worst))
        if worst <= precision or k >= max_replications:
            break
        k = next_replication_count(k, worst, precision, batch=batch, max_replications=max_replications)
    if runner._open is not None:
        runner._open.compact()
    cmp.converged = bool(worst <= precision)
    cmp.history = history
    cmp.notes, cmp.ran, cmp.reused = runner.notes, runner.ran, runner.reused
    _add_horizons(cmp, scenarios, seeds, horizons, runner)
    return cmp


def _add_horizons(cmp: Comparison, scenarios: list[Scenario], seeds: list[int], hs: Sequence[int] | None,
                  runner: Runner) -> None:
    """Each variant against the base over the horizons ``hs`` (the comparison's replications and seeds)."""
    if not hs:
        return
    kpis = ["profit", "revenue"] + ([cmp.main_kpi] if cmp.main_kpi in ADDITIVE and cmp.main_kpi not in
                                    ("profit", "revenue") else [])
    for label, sc, s in zip(cmp.variants, scenarios[1:], seeds[1:]):
        cmp.horizons[label] = run_horizons(scenarios[0], sc, cmp.n, cmp.seed, horizons=hs, kpis=kpis,
                                           variant_seed=s, workers=runner.workers, progress=bool(runner.progress),
                                           level=cmp.level)


def _worst_half_width_pct(cmp: Comparison) -> float:
    d = cmp.differences([cmp.main_kpi])
    base_mean = d["base_mean"].iloc[0]
    if not (abs(base_mean) > 0):
        raise UserError(f"the base mean of {cmp.main_kpi} is 0, so a precision in % of it is undefined; "
                        "choose another main KPI", field="precision")
    hw = d["half_width_pct"].to_numpy(dtype=float)
    return float(np.nanmax(hw)) if not np.all(np.isnan(hw)) else math.inf
