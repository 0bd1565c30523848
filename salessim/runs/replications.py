"""Running replications: one (:func:`simulate`), many (:func:`replicate`), or many of several
scenarios at once (:func:`replicate_many`), into :class:`Replications`.

``replicate(scenario, n, seed)`` runs replications ``0 .. n-1``; replication ``i`` always uses
the streams of ``(seed, i)``, so the answer is the same whether it runs serially, on several
worker processes or on a dask cluster, and two scenarios replicated with the same seed are
paired (common random numbers). Every run goes through
:func:`salessim.runs.replication.run_replication` (see there for what a run keeps).
"""

from __future__ import annotations

import math
import warnings
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any, Callable, Iterable, Sequence

import numpy as np
import pandas as pd

from salessim.errors import MAX_REPLICATIONS, MAX_SEED, UserError, whole_number
from salessim.results.metrics import bounds
from salessim.results.result import Result
from salessim.results.statistics import mean_interval
from salessim.runs.cache import OutcomeCache
from salessim.runs.execution import default_workers, run_tasks
from salessim.runs.replication import DETAILS, Detail, Outcome, Series, Task, run_replication, series_of
from salessim.scenarios.files import load_scenario
from salessim.scenarios.schema import Scenario

#: ``progress(done, total)``: called in this process as runs finish.
ProgressFn = Callable[[int, int], None]


# --------------------------------------------------------------------------- the runner
def run(tasks: Sequence[Task], *, workers: int = 1, scheduler: Any = None, progress: bool = False,
        desc: str = "replications", on_chunk: Callable[[list[int], list[Outcome]], None] | None = None
        ) -> list[Outcome]:
    """Run every task with :func:`~salessim.runs.replication.run_replication`; outcomes in task order.

    Serially, on ``workers`` local processes, or on the dask cluster ``scheduler`` (see
    :func:`salessim.runs.execution.run_tasks`); the outcomes do not depend on which.
    ``on_chunk(indices, outcomes)`` is called in this process as chunks finish.
    """
    return run_tasks(tasks, run_replication, workers=workers, scheduler=scheduler, progress=progress, desc=desc,
                     on_chunk=on_chunk)


# --------------------------------------------------------------------------- replications
@dataclass
class Replications:
    """Replications of one scenario (paired with any other of the same seed and indices).

    Holds one :class:`~salessim.runs.replication.Outcome` per replication. The KPIs
    (:attr:`per_replication`, :meth:`summary`, :meth:`metric`) and the monthly series
    (:meth:`monthly`, :meth:`band`, :meth:`rep_array`, :meth:`product_array`) are there
    whatever the runs kept; the full tables (:attr:`results`, :meth:`department_monthly`,
    :meth:`pnl`, ...) need runs that kept their whole Result (``detail="result"``, what
    :func:`replicate` does).
    """

    scenario: Scenario
    seed: int
    outcomes: list[Outcome] = field(repr=False)

    @property
    def n(self) -> int:
        return len(self.outcomes)

    @property
    def currency(self) -> str:
        return self.scenario.currency

    @property
    def results(self) -> list[Result]:
        """The whole result of every replication (runs with ``detail="result"``)."""
        missing = [o.replication for o in self.outcomes if o.result is None]
        if missing:
            raise ValueError("these replications kept no whole Result (run them with detail='result', as "
                             "replicate() does)")
        return [o.result for o in self.outcomes]  # type: ignore[misc]

    # ------------------------------------------------------------------ KPIs
    @cached_property
    def per_replication(self) -> pd.DataFrame:
        """One row per replication, one column per summary metric."""
        df = pd.DataFrame([o.summary for o in self.outcomes])
        df.insert(0, "replication", [o.replication for o in self.outcomes])
        return df

    def metric(self, name: str) -> np.ndarray:
        """A summary metric, one value per replication."""
        if name not in self.outcomes[0].summary:
            raise UserError(f"unknown metric {name!r}", field="metric")
        return np.array([o.summary[name] for o in self.outcomes], dtype=float)

    def summary(self, metrics: Iterable[str] | None = None, level: float = 0.95) -> pd.DataFrame:
        """Mean, standard deviation and a ``level`` t-interval of the mean for each metric."""
        df = self.per_replication
        names = list(metrics) if metrics is not None else [c for c in df.columns if c != "replication"]
        rows = [dict(metric=m, **mean_interval(df[m].to_numpy(dtype=float), level, bounds(m))) for m in names]
        return pd.DataFrame(rows).set_index("metric")

    def to_json(self, metrics: Iterable[str] | None = None) -> dict[str, dict[str, float]]:
        """``{metric: {"mean", "low", "high", "sd", "n"}}`` (95% intervals), JSON-ready."""
        summ = self.summary(metrics)
        return {m: {k: _json_num(v) for k, v in row.items()} for m, row in summ.to_dict("index").items()}

    # ------------------------------------------------------------------ monthly series
    @cached_property
    def _series(self) -> list[Series]:
        return [o.series if o.series is not None else series_of(o.result) for o in self.outcomes]  # type: ignore[arg-type]

    @property
    def months(self) -> list[str]:
        return self._series[0].months

    def monthly(self, name: str) -> np.ndarray:
        """A department series as an array (replications, months)."""
        return np.stack([s.monthly[name] for s in self._series])

    def rep_array(self, name: str) -> np.ndarray:
        """A per-rep array (replications, months, reps)."""
        return np.stack([s.rep[name] for s in self._series])

    def product_array(self, name: str) -> np.ndarray:
        """A per-product array (replications, months, products)."""
        return np.stack([s.product[name] for s in self._series])

    def series(self, i: int) -> Series:
        """The monthly series of the ``i``-th replication held."""
        return self._series[i]

    def band(self, name: str, level: float = 0.90, values: np.ndarray | None = None) -> pd.DataFrame:
        """Per month: the mean and the central ``level`` band over replications (index: month).

        ``values`` (replications x months) replaces the named series.
        """
        x = self.monthly(name) if values is None else np.asarray(values, dtype=float)
        return band_frame(x, self.months, level)

    # ------------------------------------------------------------------ full tables
    def _concat(self, method: str) -> pd.DataFrame:
        frames = []
        for r in self.results:
            df = getattr(r, method)()
            df.insert(0, "replication", r.replication)
            frames.append(df)
        return pd.concat(frames, ignore_index=True)

    def department_monthly(self) -> pd.DataFrame:
        """Department monthly table of every replication (with a ``replication`` column)."""
        return self._concat("department_monthly")

    def rep_monthly(self) -> pd.DataFrame:
        """Rep monthly table of every replication."""
        return self._concat("rep_monthly")

    def rep_product_monthly(self) -> pd.DataFrame:
        """Rep x product monthly table of every replication."""
        return self._concat("rep_product_monthly")

    def pnl(self) -> pd.DataFrame:
        """Monthly P&L of every replication."""
        return self._concat("pnl")

    def monthly_band(self, column: str, table: str = "department_monthly", level: float = 0.90) -> pd.DataFrame:
        """Per month: mean and the central ``level`` band across replications of a full table's ``column``."""
        df = getattr(self, table)()
        lo, hi = (1 - level) / 2, 1 - (1 - level) / 2
        g = df.groupby("month", sort=False)[column]
        return pd.DataFrame({"mean": g.mean(), "low": g.quantile(lo), "high": g.quantile(hi)})


def _json_num(v: Any) -> Any:
    if isinstance(v, (float, np.floating)):
        return None if math.isnan(v) else float(v)
    if isinstance(v, (np.integer,)):
        return int(v)
    return v


def band_frame(x: np.ndarray, months: Sequence[str], level: float = 0.90) -> pd.DataFrame:
    """Mean and central ``level`` band of a (replications, months) array, indexed by month."""
    lo, hi = (1 - level) / 2, 1 - (1 - level) / 2
    x = np.asarray(x, dtype=float)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # a month with no finite value gives NaN
        mean = np.nanmean(x, axis=0)
        low = np.nanquantile(x, lo, axis=0)
        high = np.nanquantile(x, hi, axis=0)
    return pd.DataFrame({"mean": mean, "low": low, "high": high}, index=pd.Index(list(months), name="month"))


def metric_table(sets: Iterable[tuple[str, Replications]], metrics: Sequence[str]) -> pd.DataFrame:
    """A tidy table (label, replication, metrics...) of several labelled sets of replications
    (for :class:`~salessim.analyses.compare.Comparison`)."""
    rows = []
    for label, s in sets:
        for o in s.outcomes:
            values = {m: o.summary.get(m, np.nan) for m in metrics}
            rows.append({"label": label, "replication": o.replication, **values})
    return pd.DataFrame(rows)


# --------------------------------------------------------------------------- running
def simulate(scenario: Scenario | str, seed: int = 0, replication: int = 0, *, record_events: bool = True,
             keep_leads: bool = True) -> Result:
    """Run one replication of ``scenario`` and return its :class:`~salessim.results.result.Result`.

    Parameters
    ----------
    scenario:
        A :class:`Scenario`, a built-in name or a scenario file path.
    seed:
        The master seed (non-negative integer).
    replication:
        Which replication of that seed to run.
    record_events:
        Keep the event log (``Result.events()``); off is faster.
    keep_leads:
        Keep the per-lead table (``Result.leads()``).
    """
    sc = load_scenario(scenario) if not isinstance(scenario, Scenario) else scenario
    seed = whole_number(seed, "seed", 0, MAX_SEED)
    replication = whole_number(replication, "replication", 0, MAX_SEED)
    out = run_replication(Task(sc, seed, replication, "result", keep_leads=keep_leads, record_events=record_events))
    return out.result  # type: ignore[return-value]


def replicate_many(scenarios: Scenario | str | Sequence[Scenario | str], n: int = 20, seed: int = 0, *,
                   first: int = 0, detail: Detail = "result", keep_leads: bool = False, workers: int | None = 1,
                   scheduler: Any = None, progress: bool = False, on_progress: ProgressFn | None = None,
                   cache: OutcomeCache | None = None) -> list[Replications]:
    """Replications ``first .. first + n - 1`` of each scenario with master ``seed``, in one batch.

    Parameters
    ----------
    scenarios:
        One scenario or several (objects, built-in names or paths); they share the seed and the
        replication indices, so they are paired (common random numbers).
    detail:
        What each run keeps (see :mod:`salessim.runs.replication`).
    keep_leads:
        With ``detail="result"``, keep the per-lead tables (they are large).
    workers:
        Local worker processes (``None``: one per core, at most one per run to do); 1 runs in
        this process. ``scheduler`` (an address or a ``distributed.Client``) runs on a dask
        cluster instead. The outcomes are identical either way.
    progress:
        Show a tqdm progress bar.
    on_progress:
        Called as ``on_progress(done, total)`` in this process as runs finish (``total``
        counts the runs not found in the cache; called once with ``(0, 0)`` when all are).
    cache:
        With ``detail="outcome"``: look outcomes up here first and keep new ones (e.g. the
        process-wide :data:`salessim.runs.cache.CACHE`); runs already seen are not run again.

    Returns one :class:`Replications` per scenario, in order.
    """
    single = isinstance(scenarios, (Scenario, str))
    items = [scenarios] if single else list(scenarios)
    n = whole_number(n, "n", 1, MAX_REPLICATIONS)
    seed = whole_number(seed, "seed", 0, MAX_SEED)
    first = whole_number(first, "first", 0, MAX_SEED)
    if workers is not None:
        workers = whole_number(workers, "workers", 1, 1024)
    if detail not in DETAILS:
        raise UserError(f"expected one of {', '.join(DETAILS)}, got {detail!r}", field="detail")
    if cache is not None and detail != "outcome":
        raise UserError("the outcome cache keeps outcomes only: pass detail='outcome' with a cache", field="cache")
    loaded = [s if isinstance(s, Scenario) else load_scenario(s) for s in items]
    keys = [[(sc.content_hash(), seed, first + i) for i in range(n)] for sc in loaded]
    found: dict[tuple, Outcome] = {}
    todo: dict[tuple, Task] = {}
    for sc, ks in zip(loaded, keys):
        for k in ks:
            if k in found or k in todo:
                continue
            hit = cache.get(k) if cache is not None else None
            if hit is not None:
                found[k] = hit
            else:
                todo[k] = Task(sc, seed, k[2], detail, keep_leads=keep_leads)
    order = list(todo)
    total = len(order)
    if on_progress is not None:
        on_progress(0, total)
    if total:
        w = default_workers() if workers is None else workers
        w = max(1, min(w, total))
        done = [0]

        def on_chunk(idx: list[int], outcomes: list[Outcome]) -> None:
            for i, out in zip(idx, outcomes):
                found[order[i]] = out
                if cache is not None:
                    cache.put(order[i], out)
            done[0] += len(idx)
            if on_progress is not None:
                on_progress(done[0], total)

        run([todo[k] for k in order], workers=w, scheduler=scheduler, progress=progress, on_chunk=on_chunk)
        if cache is not None:
            cache.simulated += total
    return [Replications(sc, seed, [found[k] for k in ks]) for sc, ks in zip(loaded, keys)]


def replicate(scenario: Scenario | str, n: int = 20, seed: int = 0, *, workers: int = 1,
              progress: bool = False, keep_leads: bool = False, first: int = 0,
              scheduler: Any = None) -> Replications:
    """Run replications ``first .. first + n - 1`` of ``scenario`` with master ``seed``, keeping
    every run's whole Result.

    ``workers > 1`` runs them on local processes, ``scheduler`` (an address or a
    ``distributed.Client``) on a dask cluster; the results are identical to a serial run.
    Leads tables are dropped unless ``keep_leads`` (they are large).
    """
    return replicate_many([scenario], n, seed, first=first, detail="result", keep_leads=keep_leads,
                          workers=workers, scheduler=scheduler, progress=progress)[0]
