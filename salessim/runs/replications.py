"""Running the model: one replication, or many with confidence intervals.

``simulate(scenario, seed)`` runs one replication. ``replicate(scenario, n, seed)`` runs
replications ``0 .. n-1``; replication ``i`` always uses the streams of ``(seed, i)``, so
the answer is the same whether it runs serially or on several worker processes, and two
scenarios replicated with the same seed are paired (common random numbers).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any, Callable, Iterable, Sequence

import numpy as np
import pandas as pd
from scipy import stats

from salessim.engine.collector import paused_gc
from salessim.errors import MAX_REPLICATIONS, MAX_SEED, whole_number
from salessim.model import Department
from salessim.results.kpi import metric_bounds
from salessim.results.result import Result
from salessim.runs.execution import default_workers, local_pool, run_tasks  # noqa: F401  (re-exported)
from salessim.scenarios.files import load_scenario
from salessim.scenarios.schema import Scenario

#: Headline metrics shown by ``salessim run`` (all in the summary of every replication).
HEADLINE = (
    "revenue", "won_deals", "meetings", "meetings_per_rep_month", "win_rate", "avg_deal",
    "cycle_days", "salaries", "variable_pay", "profit", "intensity", "quota_attainment_rate",
    "key_clients_lost_share", "dropped_leads",
)


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
    dept = Department(sc, seed=seed, replication=replication, record_events=record_events)
    return dept.run(keep_leads=keep_leads)


def _run_one(args: tuple[Scenario, int, int, bool]) -> Result:
    scenario, seed, rep, keep_leads = args
    with paused_gc():
        return simulate(scenario, seed, rep, record_events=False, keep_leads=keep_leads)


# --------------------------------------------------------------------------- execution
def run_many(tasks: Sequence[Any], fn: Callable[[Any], Any], workers: int = 1, progress: bool | str = False,
             desc: str = "replications", scheduler: Any = None) -> list[Any]:
    """Apply ``fn`` to every task, in order, serially, on local processes or on a dask cluster.

    The output order is the task order whatever runs it, so results do not depend on
    scheduling. ``progress`` shows a tqdm bar (in a terminal or a notebook). See
    :func:`salessim.runs.execution.run_tasks`.
    """
    return run_tasks(tasks, fn, workers=workers, scheduler=scheduler, progress=bool(progress), desc=desc)


# --------------------------------------------------------------------------- replications
@dataclass
class Replications:
    """``n`` replications of one scenario."""

    scenario: Scenario
    seed: int
    results: list[Result] = field(repr=False)

    @property
    def n(self) -> int:
        return len(self.results)

    @cached_property
    def per_replication(self) -> pd.DataFrame:
        """One row per replication, one column per summary metric."""
        rows = [r.summary() for r in self.results]
        df = pd.DataFrame(rows)
        df.insert(0, "replication", [r.replication for r in self.results])
        return df

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

    def summary(self, metrics: Iterable[str] | None = None, level: float = 0.95) -> pd.DataFrame:
        """Mean, standard deviation and a ``level`` t-interval of the mean for each metric."""
        df = self.per_replication
        names = list(metrics) if metrics is not None else [c for c in df.columns if c != "replication"]
        rows = [dict(metric=m, **mean_interval(df[m].to_numpy(dtype=float), level, metric_bounds(m))) for m in names]
        return pd.DataFrame(rows).set_index("metric")

    def monthly_band(self, column: str, table: str = "department_monthly", level: float = 0.90) -> pd.DataFrame:
        """Per month: mean and the central ``level`` band across replications of ``column``."""
        df = getattr(self, table)() if table != "pnl" else self.pnl()
        lo, hi = (1 - level) / 2, 1 - (1 - level) / 2
        g = df.groupby("month", sort=False)[column]
        return pd.DataFrame({"mean": g.mean(), "low": g.quantile(lo), "high": g.quantile(hi)})

    def to_json(self, metrics: Iterable[str] | None = None) -> dict[str, dict[str, float]]:
        """``{metric: {"mean", "low", "high", "sd", "n"}}`` (95% intervals), JSON-ready."""
        summ = self.summary(metrics)
        return {m: {k: _json_num(v) for k, v in row.items()} for m, row in summ.to_dict("index").items()}


def _json_num(v: Any) -> Any:
    if isinstance(v, (float, np.floating)):
        return None if math.isnan(v) else float(v)
    if isinstance(v, (np.integer,)):
        return int(v)
    return v


def mean_interval(x: np.ndarray, level: float = 0.95, bounds: tuple[float, float] | None = None) -> dict[str, float]:
    """Mean with a Student-t confidence interval (NaN values ignored).

    ``bounds``: the range the quantity can take (e.g. ``kpi.metric_bounds(name)``); the interval
    is cut to it, which keeps its coverage since the true mean lies inside.
    """
    x = np.asarray(x, dtype=float)
    x = x[~np.isnan(x)]
    n = len(x)
    if n == 0:
        return {"mean": math.nan, "sd": math.nan, "low": math.nan, "high": math.nan, "n": 0}
    mean = float(x.mean())
    if n == 1:
        return {"mean": mean, "sd": math.nan, "low": math.nan, "high": math.nan, "n": 1}
    sd = float(x.std(ddof=1))
    half = float(stats.t.ppf(0.5 + level / 2, n - 1) * sd / math.sqrt(n))
    low, high = mean - half, mean + half
    if bounds is not None:
        low, high = max(low, bounds[0]), min(high, bounds[1])
    return {"mean": mean, "sd": sd, "low": low, "high": high, "n": n}


def replicate(scenario: Scenario | str, n: int = 20, seed: int = 0, *, workers: int = 1,
              progress: bool = False, keep_leads: bool = False, first: int = 0,
              scheduler: Any = None) -> Replications:
    """Run replications ``first .. first + n - 1`` of ``scenario`` with master ``seed``.

    ``workers > 1`` runs them on local processes, ``scheduler`` (an address or a
    ``distributed.Client``) on a dask cluster; the results are identical to a serial run.
    Leads tables are dropped unless ``keep_leads`` (they are large).
    """
    sc = load_scenario(scenario) if not isinstance(scenario, Scenario) else scenario
    n = whole_number(n, "n", 1, MAX_REPLICATIONS)
    seed = whole_number(seed, "seed", 0, MAX_SEED)
    first = whole_number(first, "first", 0, MAX_SEED)
    if workers is not None:
        workers = whole_number(workers, "workers", 1, 1024)
    tasks = [(sc, seed, first + i, keep_leads) for i in range(n)]
    results = run_many(tasks, _run_one, workers=workers, progress=progress, scheduler=scheduler)
    return Replications(sc, seed, results)
