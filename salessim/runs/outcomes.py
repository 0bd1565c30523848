"""Compact outcomes of replications, and a cache of them, for interactive analyses.

Notebooks, widgets and the analyses behind them (:mod:`salessim.analyses.growth`,
:mod:`salessim.analyses.commission_design`) re-run the same scenarios many times as a person moves
a slider back and forth. This module makes that cheap:

* :func:`outcome_of` runs one replication **in a worker process** and keeps only what the
  charts and conclusions need (an :class:`Outcome`: the replication's summary metrics,
  department series per month, per-rep and per-product arrays). The tables are computed
  where the simulation ran, so the main process (the notebook kernel) does little work,
  and little data crosses process boundaries;
* :func:`run_outcomes` runs the replications that are not cached yet, for one or several
  scenarios at once, on the warm local process pool of :mod:`salessim.runs.execution` (created
  once and reused), and reports progress as chunks finish;
* :class:`OutcomeCache` keeps outcomes keyed by ``(scenario content hash, seed,
  replication)``. Replication ``i`` of a seed is always the same run (see
  :mod:`salessim.runs.replications`), so settings already seen are answered from memory, and
  raising the replication count from 20 to 40 only runs replications 20..39.
* the cache also keeps each outcome **on disk** (:func:`cache_dir`, by default
  ``~/.cache/salessim/outcomes-<engine>``), so a notebook re-opened tomorrow, or a
  ``salessim present`` app view, answers settings seen in any earlier session at once.
  The folder's name carries a hash of the model's code (:func:`outcome_fingerprint`), so
  outcomes of changed model code are never reused. ``SALESSIM_CACHE_DIR=off`` turns the
  disk layer off; ``SALESSIM_CACHE_DIR=/path`` moves it.

Money is in the scenario's currency; months are the scenario's reporting months.
"""

from __future__ import annotations

import functools
import hashlib
import os
import pickle
import threading
import warnings
from collections import OrderedDict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterable, Sequence

import numpy as np
import pandas as pd

from salessim.engine.collector import paused_gc
from salessim.errors import UserError
from salessim.model import Department
from salessim.runs.execution import default_workers, run_tasks
from salessim.scenarios.files import load_scenario
from salessim.scenarios.schema import Scenario

#: Department series kept per month (from :meth:`Result.pnl` and the counters).
PNL_SERIES = (
    "revenue", "contracted_revenue", "gross_margin", "salaries", "commissions", "bonuses", "variable_pay",
    "payroll_tax", "overhead", "training", "inventory_carrying", "profit", "cost_of_sales_pct", "headcount",
)


@dataclass
class Outcome:
    """What one replication leaves for the charts (picklable, a few tens of kB).

    Attributes
    ----------
    summary:
        :meth:`Result.summary` (headline figures of the whole period).
    monthly:
        Department series, one value per month: the P&L lines of :data:`PNL_SERIES`
        (currency; ``cost_of_sales_pct`` in %), ``meetings``, ``wins``, ``rep_months`` (rep
        seats filled, in months), ``meetings_per_rep`` (meetings per rep-month),
        ``clients_lost`` (key clients churned), ``hours_clients`` and ``hours_inbound``
        (hours on key-client contacts and on first contact of inbound leads), ``payroll``
        (salaries + variable pay + payroll tax).
    rep:
        Per (month, rep seat): ``gross_margin`` and ``revenue`` (executed, new deals and
        reorders), ``pay`` (total pay), ``salary``, ``days_employed`` (working days),
        ``meetings``, ``training_cost``.
    supervisor_pay, supervisor_days:
        Per (month, supervisor): total pay (currency) and working days present.
    product:
        Per (month, product): ``revenue`` (executed), ``gross_margin``, ``wins``, ``hours``
        (prospecting, meetings with travel, proposal and negotiation work).
    """

    seed: int
    replication: int
    months: list[str]
    reps: list[str]
    products: list[str]
    supervisors: list[str]
    days_in_month: np.ndarray
    summary: dict[str, float]
    monthly: dict[str, np.ndarray]
    rep: dict[str, np.ndarray]
    supervisor_pay: np.ndarray
    supervisor_days: np.ndarray
    product: dict[str, np.ndarray]


def outcome_of(task: tuple[Scenario, int, int]) -> Outcome:
    """Run replication ``replication`` of ``scenario`` with ``seed`` and keep its :class:`Outcome`.

    A module-level function, so worker processes can run it.
    """
    scenario, seed, replication = task
    with paused_gc():
        res = Department(scenario, seed=seed, replication=replication, record_events=False).run(keep_leads=False)
        summary = res.summary()
        pnl = res.pnl()
        rp, r = res.rp, res.r
        days = res.calendar.days_in_month.astype(float)
        rep_months = np.divide(r["days_employed"].sum(axis=1), days, out=np.zeros_like(days), where=days > 0)
        meetings = rp["meetings"].sum(axis=(1, 2))
        monthly = {k: pnl[k].to_numpy(dtype=float) for k in PNL_SERIES}
        monthly.update({
            "meetings": meetings,
            "wins": rp["wins"].sum(axis=(1, 2)),
            "rep_months": rep_months,
            "meetings_per_rep": np.divide(meetings, rep_months, out=np.full_like(meetings, np.nan),
                                          where=rep_months > 0),
            "clients_lost": r["clients_churned"].sum(axis=1),
            "hours_clients": r["hours_clients"].sum(axis=1),
            "hours_inbound": r["hours_inbound"].sum(axis=1),
            "payroll": (pnl["salaries"] + pnl["variable_pay"] + pnl["payroll_tax"]).to_numpy(dtype=float),
        })
        pay = res.pay_breakdown()
        sup_pay = sum(pay.supervisor.values(), np.zeros((len(days), len(res.supervisors))))
        rep = {
            "gross_margin": (rp["executed_margin"] + rp["reorder_executed_margin"]).sum(axis=2),
            "revenue": (rp["executed_revenue"] + rp["reorder_executed_revenue"]).sum(axis=2),
            "pay": pay.rep_total(),
            "salary": pay.rep["salary"],
            "days_employed": r["days_employed"].copy(),
            "meetings": rp["meetings"].sum(axis=2),
            "training_cost": r["training_cost"].copy(),
        }
        product = {
            "revenue": (rp["executed_revenue"] + rp["reorder_executed_revenue"]).sum(axis=1),
            "gross_margin": (rp["executed_margin"] + rp["reorder_executed_margin"]).sum(axis=1),
            "wins": rp["wins"].sum(axis=1),
            "hours": (rp["prospecting_hours"] + rp["meeting_hours"] + rp["deal_work_hours"]).sum(axis=1),
        }
    return Outcome(seed=seed, replication=replication, months=list(res.calendar.month_labels), reps=list(res.reps),
                   products=list(res.products), supervisors=list(res.supervisors), days_in_month=days,
                   summary=summary, monthly=monthly, rep=rep, supervisor_pay=np.asarray(sup_pay, dtype=float),
                   supervisor_days=np.asarray(res.s["days_present"], dtype=float).copy(),
                   product=product)


# --------------------------------------------------------------------------- the cache
#: Environment variable naming the disk cache's folder (``off`` turns the disk layer off).
CACHE_ENV = "SALESSIM_CACHE_DIR"
#: Most outcome files kept on disk; the oldest are removed beyond it (about 20 kB each).
MAX_DISK_ITEMS = 20_000


@functools.cache
def outcome_fingerprint() -> str:
    """A hash of the code that decides an outcome: the model (:func:`salessim.runs.store.engine_fingerprint`)
    and this module, computed once per process, as every cache lookup names its folder with it."""
    from salessim.runs.store import engine_fingerprint

    h = hashlib.sha256(engine_fingerprint().encode())
    h.update(Path(__file__).read_bytes())
    return h.hexdigest()[:16]


def cache_dir() -> Path | None:
    """The disk cache's folder for this model code, or None when ``SALESSIM_CACHE_DIR=off``.

    ``$SALESSIM_CACHE_DIR`` if set, else ``$XDG_CACHE_HOME/salessim`` (``~/.cache/salessim``),
    then ``outcomes-<outcome_fingerprint()>``.
    """
    env = os.environ.get(CACHE_ENV, "").strip()
    if env.lower() in ("off", "0", "none", "false", "no"):
        return None
    root = Path(env).expanduser() if env else Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "salessim"
    return root / f"outcomes-{outcome_fingerprint()}"


class OutcomeCache:
    """Outcomes by ``(scenario content hash, seed, replication)``: in memory, and on disk.

    ``max_items`` bounds memory (an outcome of the 7-rep baseline is about 20 kB), least
    recently used dropped first. ``directory`` is the disk layer: ``"auto"`` (the default)
    follows :func:`cache_dir` when first used, a path uses that folder, ``None`` keeps
    outcomes in memory only. A disk file that cannot be read is treated as missing (and
    replaced when the run is done again); a folder that cannot be written turns the disk
    layer off with one warning. The counters say how the cache served: ``hits`` (of
    which ``disk_hits`` came from disk) and ``misses`` count replications asked for,
    ``simulated`` counts replications actually run.
    """

    def __init__(self, max_items: int = 5000, directory: str | Path | None = "auto"):
        self.max_items = int(max_items)
        self._items: OrderedDict[tuple, Outcome] = OrderedDict()
        self._lock = threading.Lock()
        self._directory = directory
        self._writes = 0
        self.hits = 0
        self.disk_hits = 0
        self.misses = 0
        self.simulated = 0

    def __len__(self) -> int:
        return len(self._items)

    @property
    def directory(self) -> Path | None:
        """The disk layer's folder now (None: memory only)."""
        if self._directory == "auto":
            return cache_dir()
        return None if self._directory is None else Path(self._directory)

    def _file(self, key: tuple) -> Path | None:
        folder = self.directory
        if folder is None:
            return None
        scenario_hash, seed, replication = key
        return folder / f"{scenario_hash}-{int(seed)}-{int(replication)}.pkl"

    def get(self, key: tuple) -> Outcome | None:
        with self._lock:
            out = self._items.get(key)
            if out is not None:
                self._items.move_to_end(key)
                self.hits += 1
                return out
        out = self._load(key)
        with self._lock:
            if out is None:
                self.misses += 1
                return None
            self._remember(key, out)
            self.hits += 1
            self.disk_hits += 1
            return out

    def put(self, key: tuple, outcome: Outcome) -> None:
        with self._lock:
            self._remember(key, outcome)
        self._save(key, outcome)

    def _remember(self, key: tuple, outcome: Outcome) -> None:
        self._items[key] = outcome
        self._items.move_to_end(key)
        while len(self._items) > self.max_items:
            self._items.popitem(last=False)

    def _load(self, key: tuple) -> Outcome | None:
        path = self._file(key)
        if path is None or not path.is_file():
            return None
        try:
            with open(path, "rb") as f:
                out = pickle.load(f)
        except Exception:  # a truncated or foreign file: run the replication again
            return None
        return out if isinstance(out, Outcome) else None

    def _save(self, key: tuple, outcome: Outcome) -> None:
        path = self._file(key)
        if path is None:
            return
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            tmp = path.with_suffix(f".{os.getpid()}.{threading.get_ident()}.tmp")
            with open(tmp, "wb") as f:
                pickle.dump(outcome, f, protocol=pickle.HIGHEST_PROTOCOL)
            os.replace(tmp, path)  # atomic: a reader never sees half a file
        except OSError as exc:
            warnings.warn(f"salessim: cannot write the outcome cache in {path.parent} ({exc}); "
                          f"keeping outcomes in memory only (set {CACHE_ENV} to another folder, or to off)",
                          RuntimeWarning, stacklevel=3)
            self._directory = None
            return
        self._writes += 1
        if self._writes % 500 == 0:
            self.prune()

    def prune(self, max_files: int = MAX_DISK_ITEMS) -> int:
        """Remove the oldest outcome files beyond ``max_files``; return how many were removed."""
        folder = self.directory
        if folder is None or not folder.is_dir():
            return 0
        files = sorted(folder.glob("*.pkl"), key=lambda p: p.stat().st_mtime)
        extra = files[: max(0, len(files) - max_files)]
        for f in extra:
            f.unlink(missing_ok=True)
        return len(extra)

    def clear(self, disk: bool = False) -> None:
        """Forget the outcomes in memory (and with ``disk``, this model code's files on disk)."""
        with self._lock:
            self._items.clear()
            self.hits = self.disk_hits = self.misses = self.simulated = 0
        if disk:
            folder = self.directory
            if folder is not None and folder.is_dir():
                for f in folder.glob("*.pkl"):
                    f.unlink(missing_ok=True)

    def stats(self) -> dict[str, int]:
        return {"items": len(self._items), "hits": self.hits, "disk_hits": self.disk_hits, "misses": self.misses,
                "simulated": self.simulated}


#: The cache shared by every analysis and panel in this process.
CACHE = OutcomeCache()


# --------------------------------------------------------------------------- a scenario's outcomes
@dataclass
class OutcomeSet:
    """The outcomes of replications ``0 .. n-1`` of one scenario (paired with any other set of the same seed)."""

    scenario: Scenario
    seed: int
    outcomes: list[Outcome] = field(repr=False)

    @property
    def n(self) -> int:
        return len(self.outcomes)

    @property
    def months(self) -> list[str]:
        return self.outcomes[0].months

    @property
    def currency(self) -> str:
        return self.scenario.currency

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

    def monthly(self, name: str) -> np.ndarray:
        """A department series as an array (replications, months)."""
        return np.stack([o.monthly[name] for o in self.outcomes])

    def rep_array(self, name: str) -> np.ndarray:
        """A per-rep array (replications, months, reps)."""
        return np.stack([o.rep[name] for o in self.outcomes])

    def product_array(self, name: str) -> np.ndarray:
        """A per-product array (replications, months, products)."""
        return np.stack([o.product[name] for o in self.outcomes])

    def band(self, name: str, level: float = 0.90, values: np.ndarray | None = None) -> pd.DataFrame:
        """Per month: the mean and the central ``level`` band over replications (index: month).

        The same shape as :meth:`Replications.monthly_band`, for :func:`salessim.views.charts.band_chart`.
        ``values`` (replications x months) replaces the named series.
        """
        x = self.monthly(name) if values is None else np.asarray(values, dtype=float)
        return band_frame(x, self.months, level)


def band_frame(x: np.ndarray, months: Sequence[str], level: float = 0.90) -> pd.DataFrame:
    """Mean and central ``level`` band of a (replications, months) array, indexed by month."""
    import warnings

    lo, hi = (1 - level) / 2, 1 - (1 - level) / 2
    x = np.asarray(x, dtype=float)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # a month with no finite value gives NaN
        mean = np.nanmean(x, axis=0)
        low = np.nanquantile(x, lo, axis=0)
        high = np.nanquantile(x, hi, axis=0)
    return pd.DataFrame({"mean": mean, "low": low, "high": high}, index=pd.Index(list(months), name="month"))


# --------------------------------------------------------------------------- running
ProgressFn = Callable[[int, int], None]


def run_outcomes(scenarios: Scenario | str | Sequence[Scenario | str], n: int, seed: int = 0, *,
                 workers: int | None = None, cache: OutcomeCache | None = CACHE,
                 progress: ProgressFn | None = None, tqdm: bool = False) -> list[OutcomeSet]:
    """Outcomes of replications ``0 .. n-1`` of each scenario, running only what is not cached.

    Parameters
    ----------
    scenarios:
        One scenario or several (objects, built-in names or paths); all share the seed, so
        their replications are paired (common random numbers).
    n, seed:
        Replications per scenario and the master seed.
    workers:
        Local worker processes (default: one per core, at most one per run to do); 1 runs
        in this process. The pool is created once and reused.
    cache:
        Where outcomes are looked up and kept (default: the process-wide :data:`CACHE`);
        ``None`` runs everything.
    progress:
        Called as ``progress(done, total)`` in this process when runs finish (``total`` counts
        only the runs not found in the cache; it is called once with ``(0, 0)`` when all are).
    tqdm:
        Also show a tqdm progress bar.

    Returns one :class:`OutcomeSet` per scenario, in order.
    """
    single = isinstance(scenarios, (Scenario, str))
    items = [scenarios] if single else list(scenarios)
    if n < 1:
        raise UserError(f"expected at least 1 replication, got {n}", field="replications")
    if seed < 0:
        raise UserError(f"expected a seed of 0 or more, got {seed}", field="seed")
    loaded = [s if isinstance(s, Scenario) else load_scenario(s) for s in items]
    keys = [[(sc.content_hash(), int(seed), i) for i in range(n)] for sc in loaded]
    found: dict[tuple, Outcome] = {}
    todo: dict[tuple, tuple[Scenario, int, int]] = {}
    for sc, ks in zip(loaded, keys):
        for k in ks:
            if k in found or k in todo:
                continue
            hit = cache.get(k) if cache is not None else None
            if hit is not None:
                found[k] = hit
            else:
                todo[k] = (sc, int(seed), k[2])
    total = len(todo)
    if total == 0:
        if progress is not None:
            progress(0, 0)
    else:
        order = list(todo)
        tasks = [todo[k] for k in order]
        w = workers if workers is not None else default_workers()
        w = max(1, min(int(w), total))
        done = [0]

        def on_chunk(idx: list[int], results: list[Outcome]) -> None:
            for i, res in zip(idx, results):
                found[order[i]] = res
                if cache is not None:
                    cache.put(order[i], res)
            done[0] += len(idx)
            if progress is not None:
                progress(done[0], total)

        if progress is not None:
            progress(0, total)
        run_tasks(tasks, outcome_of, workers=w, progress=tqdm, desc="replications", on_chunk=on_chunk)
        if cache is not None:
            cache.simulated += total
    return [OutcomeSet(sc, int(seed), [found[k] for k in ks]) for sc, ks in zip(loaded, keys)]


def run_outcome_set(scenario: Scenario | str, n: int, seed: int = 0, **kw) -> OutcomeSet:
    """:func:`run_outcomes` for one scenario."""
    return run_outcomes([scenario], n, seed, **kw)[0]


def metric_table(sets: Iterable[tuple[str, OutcomeSet]], metrics: Sequence[str]) -> pd.DataFrame:
    """A tidy table (label, replication, metrics...) of several labelled sets, for :class:`Comparison`."""
    rows = []
    for label, s in sets:
        for o in s.outcomes:
            values = {m: o.summary.get(m, np.nan) for m in metrics}
            rows.append({"label": label, "replication": o.replication, **values})
    return pd.DataFrame(rows)
