"""The backtest, the holdout and the plans of a calibration, run together on worker processes.

Their replications are independent tasks of the one runner (reduced on their workers by
:func:`salessim.calibration.backtest.history_figures` and :func:`salessim.calibration.plans.plan_facts`), so they are all sent to one pool at once; the
main process fits the holdout's truncated history while the workers simulate. Each task
returns only the monthly figures the scores need, never a whole simulation result.

How many replications: a backtest or holdout month is scored against a Student-t prediction
band (:func:`salessim.calibration.backtest.prediction_band`), which holds its level for any
number of replications, so few are needed; plans are quantiles of each rep's monthly fact,
checked leave-one-out. :data:`AUTO` holds the defaults; ``--replications N`` sets all three.
"""

from __future__ import annotations

import sys
import time
from concurrent.futures import FIRST_COMPLETED, wait
from dataclasses import dataclass, field
from typing import Any, Callable

from salessim.calibration.backtest import (
    BacktestResult,
    finish_backtest,
    finish_holdout,
    holdout_possible,
    plan_backtest,
    plan_holdout,
)
from salessim.calibration.plans import Plans, check_probability, finish_plans, plan_tasks
from salessim.runs.execution import local_pool
from salessim.runs.replication import Task, run_replication

#: Default replications: the backtest's and the holdout's bands are t prediction intervals (their level holds
#: for any n; with 6 the band is about a third wider than with many, and the simulated mean adds about 8% to
#: the error a perfect model would make), and the plans' quantiles are set from 10 replications, each checked
#: against the other 9.
AUTO = {"backtest": 6, "holdout": 6, "plans": 10}
#: Plans' replications sent with the backtest's; the others follow the holdout's.
PLANS_FIRST = 4


@dataclass
class Checks:
    backtest: BacktestResult | None = None
    holdout: BacktestResult | None = None
    plans: Plans | None = None
    timings: dict[str, float] = field(default_factory=dict)
    replications: dict[str, int] = field(default_factory=dict)


def replication_counts(n: int | None) -> dict[str, int]:
    """``n`` for all three, or :data:`AUTO` (plans need at least 3: one is left out to check the rest)."""
    if n is None:
        return dict(AUTO)
    return {"backtest": n, "holdout": n, "plans": max(3, n)}


class CheckRun:
    """The checks in flight: :meth:`start` sends the backtest's and the plans' replications to the workers,
    :meth:`add_holdout` fits the truncated history here (while they run) and sends its replications, and
    :meth:`collect` waits and scores. Between the calls the main process is free for other work (writing
    the scenario and the fit's part of the report)."""

    def __init__(self, cal, *, n: int | None = None, seed: int = 0, workers: int = 1, holdout_months: int = 3,
                 plan_probability: float = 0.7, plan_months: int = 3, log: Callable[[str], None] | None = None):
        check_probability(plan_probability)
        self.cal, self.seed, self.workers = cal, seed, workers
        self.holdout_months, self.plan_probability = holdout_months, plan_probability
        self.counts = replication_counts(n)
        self.log = log or (lambda s: print(s, file=sys.stderr))
        self.t0 = time.perf_counter()
        self.bplan = plan_backtest(cal.fit, n=self.counts["backtest"], seed=seed, source_name=cal.source_name)
        self.ptasks = plan_tasks(cal.scenario(months=plan_months), self.counts["plans"], seed)
        self.do_holdout = holdout_possible(cal.fit, holdout_months, cal.validated)
        self.hplan = None
        self._plans_left = True
        self._fb: list = []
        self._fp: list = []
        self._fh: list = []

    def _submit(self, tasks: list[Task]) -> list:
        """Send the tasks to the worker pool now (serially: run them when collected)."""
        if self.workers <= 1:
            return list(tasks)
        pool = local_pool(self.workers)
        return [pool.submit(run_replication, t) for t in tasks]

    @staticmethod
    def _result(f) -> Any:
        return (run_replication(f) if isinstance(f, Task) else f.result()).reduced

    def start(self) -> "CheckRun":
        c = self.counts
        self.log(f"backtest ({c['backtest']} replications), " + (f"holdout ({c['holdout']}), " if self.do_holdout
                                                                   else "") + f"plans ({c['plans']}) "
                 + (f"on {self.workers} worker processes ..." if self.workers > 1 else "..."))
        self._fb = self._submit(self.bplan.tasks())
        # a few plans now, the rest after the holdout's: the workers are never idle while the holdout
        # is fitted here, and the check that finishes last has short replications (the last one runs
        # alone on a core while the other waits)
        self._fp = self._submit(self.ptasks[:PLANS_FIRST])
        return self

    def add_holdout(self) -> "CheckRun":
        if self.hplan is None and self._plans_left:
            if self.do_holdout:
                cal = self.cal
                self.hplan = plan_holdout(cal.validated, cal.fit, months_out=self.holdout_months,
                                          n=self.counts["holdout"], seed=self.seed, teams=cal.teams,
                                          prices=cal.prices, source_name=cal.source_name)
                self._fh = self._submit(self.hplan.tasks())
            self._fp += self._submit(self.ptasks[PLANS_FIRST:])
            self._plans_left = False
        return self

    def cancel(self) -> None:
        for f in [*self._fb, *self._fp, *self._fh]:
            if not isinstance(f, Task):
                f.cancel()

    def _groups(self):
        """``(kind, reduced results)`` for each kind of check, as soon as all its replications are in
        (in the order they finish on the workers; serially, in the order submitted)."""
        groups = {k: fs for k, fs in (("backtest", self._fb), ("plans", self._fp), ("holdout", self._fh)) if fs}
        futures = {f: k for k, fs in groups.items() for f in fs if not isinstance(f, Task)}
        left = {k: sum(1 for f in fs if not isinstance(f, Task)) for k, fs in groups.items()}
        for k in [k for k, n in left.items() if n == 0]:       # serial: run when collected
            del left[k]
            yield k, [self._result(f) for f in groups[k]]
        pending = set(futures)
        while pending:
            done, pending = wait(pending, return_when=FIRST_COMPLETED)
            for f in done:
                left[futures[f]] -= 1
            for k in [k for k, n in left.items() if n == 0]:
                del left[k]
                yield k, [self._result(f) for f in groups[k]]

    def collect(self, on_ready: Callable[[str, Any], None] | None = None) -> Checks:
        """Wait for the replications and score them. ``on_ready(kind, result)`` is called for each of
        "backtest", "plans" and "holdout" as soon as it is scored, while the others still run (the
        command draws its charts then)."""
        cal = self.cal
        out = Checks(replications=dict(self.counts))
        try:
            self.add_holdout()
            for kind, results in self._groups():
                if kind == "backtest":
                    res = out.backtest = finish_backtest(cal.validated, cal.fit, self.bplan, results)
                elif kind == "holdout":
                    res = out.holdout = finish_holdout(cal.validated, self.hplan, results)
                else:
                    res = out.plans = finish_plans(results, self.plan_probability, self.seed)
                if on_ready is not None:
                    on_ready(kind, res)
        except BaseException:
            self.cancel()
            raise
        out.timings["checks_s"] = time.perf_counter() - self.t0
        return out


def run_checks(cal, *, n: int | None = None, seed: int = 0, workers: int = 1, holdout_months: int = 3,
               plan_probability: float = 0.7, plan_months: int = 3, log: Callable[[str], None] | None = None
               ) -> Checks:
    """Backtest, holdout (when the history is long enough) and plans of a :class:`Calibration`."""
    return CheckRun(cal, n=n, seed=seed, workers=workers, holdout_months=holdout_months,
                    plan_probability=plan_probability, plan_months=plan_months, log=log).start().collect()


def describe_results(res: BacktestResult) -> str:
    """The scores of a backtest or holdout, one clause per metric."""
    return "; ".join(res.describe(m) for m in res.scores["metric"])


def plans_line(plans: Plans) -> str:
    s = plans.summary()
    return (f"plans at {plans.probability:.0%} attainment ({s['replications']} replications): department "
            f"{s['department_plan_total']:,.0f} per month over {s['reps_with_plan']} reps; reps at plan in a month, "
            f"checked leave-one-out: mean {s['attainment_rate_mean']:.0%} (10-90% {s['attainment_rate_p10']:.0%}-"
            f"{s['attainment_rate_p90']:.0%})")
