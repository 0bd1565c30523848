"""An experiment: a list of *points* (scenarios, possibly with changed parameters), each run
for the same replications, into one tidy table.

This is the engine room shared by comparisons (:mod:`salessim.analyses.compare`), sweeps
(:mod:`salessim.analyses.sweep`) and sensitivity analyses (:mod:`salessim.analyses.sensitivity`):

* every point is run for replications ``0 .. n-1`` with the same master seed, so points are
  paired by common random numbers (replication ``i`` of every point uses the streams of
  ``(seed, i)``);
* a run is identified by its key ``(scenario content hash, point parameters, seed,
  replication)``; runs that share a key are done once;
* the runs go to the one runner, :func:`salessim.runs.replications.run` (serial, local processes or dask) and,
  when a store is given, each finished chunk is saved at once (:mod:`salessim.runs.store`), so an
  interrupted experiment resumes where it stopped and gives the same table as an
  uninterrupted one.

The result has one row per point x replication: ``point`` (0-based index), ``label``, one
column per point parameter (named by its dotted path), ``scenario_hash``, ``seed``,
``replication``, then the replication's summary metrics
(:meth:`salessim.results.result.Result.summary`, money in the scenario's currency).
"""

from __future__ import annotations

import datetime as dt
import difflib
import json
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any, Iterable, Mapping, Sequence

import numpy as np
import pandas as pd

from salessim.errors import UserError, whole_number
from salessim.results import metrics
from salessim.runs.execution import default_workers, interactive
from salessim.runs.replication import Outcome, Task, run_replication
from salessim.runs.replications import run
from salessim.runs.store import KEY_COLUMNS, ResultStore
from salessim.scenarios.files import with_overrides
from salessim.scenarios.schema import Scenario


def params_json(params: Mapping[str, Any]) -> str:
    """The canonical JSON text of a point's parameters (sorted keys; part of the store key)."""
    return json.dumps({k: _plain(v) for k, v in params.items()}, sort_keys=True, separators=(",", ":"))


def _plain(v: Any) -> Any:
    if isinstance(v, np.generic):
        return v.item()
    if isinstance(v, (dt.date, dt.datetime)):
        return v.isoformat()
    return v


@dataclass(frozen=True)
class Point:
    """One scenario to run: a label for people, its parameters (dotted path -> value), the scenario."""

    label: str
    scenario: Scenario
    params: Mapping[str, Any] = field(default_factory=dict)
    seed: int = 0

    @cached_property
    def scenario_hash(self) -> str:
        """The scenario's content hash (computed once)."""
        return self.scenario.content_hash()

    @cached_property
    def params_text(self) -> str:
        """The parameters as canonical JSON (computed once)."""
        return params_json(self.params)

    def key(self, replication: int) -> tuple:
        """The store key of this point's replication ``replication``."""
        return (self.scenario_hash, self.params_text, int(self.seed), int(replication))


_METRIC_NAMES: dict[str, tuple[str, ...]] = {}


def metric_names(scenario: Scenario) -> tuple[str, ...]:
    """The metrics a run of ``scenario`` reports (the columns of an experiment table), in order.

    Found by running one short month of it (about 0.05 s, cached per scenario content), so
    that a misspelt metric is an error before an experiment starts, not after it has run.
    """
    key = scenario.content_hash()
    if key not in _METRIC_NAMES:
        short = with_overrides(scenario, {"calendar.months": 1, "calendar.warmup_months": 0})
        _METRIC_NAMES[key] = tuple(metrics.order(run_replication(Task(short, 0, 0)).summary))
    return _METRIC_NAMES[key]


def check_metrics(names: Iterable[str], scenarios: Scenario | Sequence[Scenario], field: str) -> None:
    """Raise :class:`UserError` naming ``field`` if a name is a metric of none of ``scenarios``."""
    names = list(names)
    if all(metrics.is_summary(name) for name in names):
        return  # reported by every run: no need to simulate a month to know the scenario's metrics
    if isinstance(scenarios, Scenario):
        scenarios = [scenarios]
    known = tuple(dict.fromkeys(m for sc in scenarios for m in metric_names(sc)))
    for name in names:
        if name not in known:
            close = difflib.get_close_matches(name, known, n=1)
            hint = f"; did you mean {close[0]!r}?" if close else ""
            raise UserError(f"unknown metric {name!r}{hint} (known: {', '.join(known)})", field=field)


@dataclass
class Runner:
    """Where and how an experiment's runs execute, and where they are stored.

    Parameters
    ----------
    workers:
        Local worker processes (1 = this process; None = one per core).
    scheduler:
        A dask scheduler address or ``distributed.Client`` (overrides ``workers``).
    progress:
        Show a progress bar (None: when stderr is a terminal or in a Jupyter kernel).
    store:
        A result-store directory (created if needed), or None to keep results in memory only.
    resume:
        Reuse the finished runs of an existing store of the same experiment.
    overwrite:
        Discard an existing store's results first.
    """

    workers: int | None = None
    scheduler: Any = None
    progress: bool | None = None
    store: str | Path | None = None
    resume: bool = False
    overwrite: bool = False
    #: runs this runner has executed, and finished runs it took from the store instead
    ran: int = 0
    reused: int = 0
    _open: ResultStore | None = field(default=None, repr=False)
    #: results of the runs this runner has already done, by run key (so a later round of the
    #: same experiment, e.g. a --precision batch, runs only its new replications)
    _done: dict = field(default_factory=dict, repr=False)

    def __post_init__(self) -> None:
        if self.workers is None:
            self.workers = default_workers()
        self.workers = whole_number(self.workers, "workers", 1, 1024)
        if self.progress is None:
            self.progress = interactive()

    def open_store(self, kind: str, definition: Mapping[str, Any]) -> ResultStore | None:
        """Open the store (once) for this experiment; ``None`` without a store."""
        if self.store is None:
            return None
        if self._open is None:
            self._open = ResultStore.open(self.store, kind, definition, resume=self.resume, overwrite=self.overwrite)
            # later rounds of the same experiment (e.g. --precision batches) continue this store
            self.resume, self.overwrite = True, False
        return self._open

    @property
    def notes(self) -> list[str]:
        return list(self._open.notes) if self._open is not None else []


def run_points(points: Sequence[Point], replications: int | Sequence[int], *, runner: Runner | None = None,
               kind: str = "experiment", definition: Mapping[str, Any] | None = None,
               desc: str = "runs", compact: bool = True) -> pd.DataFrame:
    """Run every point for the given replications; return the tidy table (see module docs).

    ``replications`` is a count ``n`` (replications ``0 .. n-1``) or explicit indices.
    ``kind`` and ``definition`` describe the experiment to its store (a store of a different
    definition is refused). With ``compact``, a completed run merges its store's parts.
    """
    runner = runner or Runner()
    reps = list(range(replications)) if isinstance(replications, (int, np.integer)) else [int(r) for r in replications]
    store = runner.open_store(kind, definition or {})
    # one task per distinct key
    wanted: dict[tuple, Task] = {}
    for p in points:
        for r in reps:
            wanted.setdefault(p.key(r), Task(p.scenario, int(p.seed), r, "summary"))
    done: dict[tuple, dict[str, float]] = {k: runner._done[k] for k in wanted if k in runner._done}
    if store is not None and not store.rows.empty:
        metric_cols = [c for c in store.rows.columns if c not in KEY_COLUMNS]
        for rec in store.rows.to_dict("records"):
            key = tuple(rec[c] for c in KEY_COLUMNS)
            key = (str(key[0]), str(key[1]), int(key[2]), int(key[3]))
            if key in wanted:
                done[key] = {m: rec[m] for m in metric_cols if not _isnan(rec[m])}
    todo = [k for k in wanted if k not in done]
    tasks = [wanted[k] for k in todo]
    runner.reused += sum(1 for k in done if k not in runner._done)

    def save(idx: list[int], outcomes: list[Outcome]) -> None:
        if store is not None:
            store.write(_store_frame([todo[i] for i in idx], [o.summary for o in outcomes]))

    outcomes = run(tasks, workers=runner.workers, scheduler=runner.scheduler, progress=bool(runner.progress),
                   desc=desc, on_chunk=save if store is not None else None)
    done.update(zip(todo, (o.summary for o in outcomes)))
    runner._done.update(done)
    runner.ran += len(todo)
    if store is not None and compact and todo:
        store.compact()
    return _table(points, reps, done)


def _isnan(v: Any) -> bool:
    return isinstance(v, float) and v != v


def _store_frame(keys: list[tuple], results: list[dict[str, float]]) -> pd.DataFrame:
    df = pd.DataFrame({
        "scenario_hash": pd.array([k[0] for k in keys], dtype="str"),
        "params": pd.array([k[1] for k in keys], dtype="str"),
        "seed": np.array([k[2] for k in keys], dtype=np.int64),
        "replication": np.array([k[3] for k in keys], dtype=np.int64),
    })
    values = pd.DataFrame(results, dtype=float)
    return pd.concat([df, values], axis=1)


def _table(points: Sequence[Point], reps: list[int], done: Mapping[tuple, Mapping[str, float]]) -> pd.DataFrame:
    """Assemble the tidy table from results by key (the same however the results were obtained)."""
    param_names = list(dict.fromkeys(k for p in points for k in p.params))
    metric_names = metrics.order(m for res in done.values() for m in res)
    rows = []
    for i, p in enumerate(points):
        h = p.scenario_hash
        pj = p.params_text
        for r in reps:
            res = done[(h, pj, int(p.seed), r)]
            rows.append((i, p.label, *[p.params.get(k) for k in param_names], h, int(p.seed), r,
                         *[res.get(m, np.nan) for m in metric_names]))
    cols = ["point", "label", *param_names, "scenario_hash", "seed", "replication", *metric_names]
    df = pd.DataFrame(rows, columns=cols)
    df["point"] = df["point"].astype("int64")
    df["seed"] = df["seed"].astype("int64")
    df["replication"] = df["replication"].astype("int64")
    for m in metric_names:
        df[m] = df[m].astype("float64")
    return df
