"""One replication: what to run (a :class:`Task`), the one function that runs it
(:func:`run_replication`), and what it leaves (an :class:`Outcome`).

Every way salessim runs the model goes through :func:`run_replication`: ``replicate`` and
``simulate``, comparisons, sweeps and sensitivity analyses (with the result store), the
notebooks' panels (with the outcome cache) and the client report. Replication ``i`` of a
master seed always uses the random streams of ``(seed, i)``, so the same task gives the same
outcome wherever it runs (this process, a worker process, a dask cluster), and two scenarios
run with the same seed are paired (common random numbers).

A task says how much of the run to keep (:data:`Detail`):

* ``"summary"``: the replication's KPIs (:meth:`~salessim.results.result.Result.summary`), a
  few hundred bytes: what experiments tabulate and store;
* ``"outcome"``: the KPIs and the monthly series the notebooks chart (:class:`Series`, a few
  tens of kB), computed where the run happened so little crosses process boundaries;
* ``"result"``: the KPIs and the whole :class:`~salessim.results.result.Result` (every table).

A task may also name a ``reduce`` function (module level, so workers can import it): it is
called in the worker with the run's Result (and ``reduce_args``), and what it returns travels
back as :attr:`Outcome.reduced` instead of the Result (calibration's backtest keeps each
replication's monthly history this way, and the plans each rep's monthly and daily facts).

Money is in the scenario's currency; months are the scenario's reporting months.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable, Literal

import numpy as np

from salessim.engine.collector import paused_gc
from salessim.model import Department
from salessim.results.result import Result
from salessim.scenarios.schema import Scenario

#: How much of a run to keep: the KPIs, plus the monthly series, or the whole Result.
Detail = Literal["summary", "outcome", "result"]
DETAILS = ("summary", "outcome", "result")

#: Department series kept per month (from :meth:`Result.pnl` and the counters).
PNL_SERIES = (
    "revenue", "contracted_revenue", "gross_margin", "salaries", "commissions", "bonuses", "variable_pay",
    "payroll_tax", "overhead", "training", "inventory_carrying", "profit", "cost_of_sales_pct", "headcount",
)


@dataclass(frozen=True)
class Task:
    """One replication to run.

    Attributes
    ----------
    scenario:
        The validated scenario.
    seed, replication:
        The master seed and the replication index (its random streams are those of both).
    detail:
        How much to keep (:data:`Detail`).
    keep_leads:
        With ``detail="result"`` or a ``reduce``: keep the per-lead table (large; no KPI needs it).
    record_events:
        With ``detail="result"``: keep the event log (slower).
    reduce, reduce_args:
        ``reduce(result, *reduce_args)`` is computed in the worker and kept as ``Outcome.reduced``.
    """

    scenario: Scenario
    seed: int
    replication: int
    detail: Detail = "summary"
    keep_leads: bool = False
    record_events: bool = False
    reduce: Callable[..., Any] | None = None
    reduce_args: tuple = ()


@dataclass
class Series:
    """The monthly series of one replication that charts and conclusions need (picklable).

    Attributes
    ----------
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

    months: list[str]
    reps: list[str]
    products: list[str]
    supervisors: list[str]
    days_in_month: np.ndarray
    monthly: dict[str, np.ndarray]
    rep: dict[str, np.ndarray]
    supervisor_pay: np.ndarray
    supervisor_days: np.ndarray
    product: dict[str, np.ndarray]


@dataclass
class Outcome:
    """What one replication leaves: always its KPIs; its :class:`Series` or whole
    :class:`~salessim.results.result.Result` as the task asked."""

    seed: int
    replication: int
    summary: dict[str, float]
    series: Series | None = None
    result: Result | None = None
    #: what the task's ``reduce`` made of the run, if it named one
    reduced: Any = None

    def compact(self) -> "Outcome":
        """The same outcome with its series but without the whole Result (what the cache keeps)."""
        series = self.series if self.series is not None or self.result is None else series_of(self.result)
        return Outcome(self.seed, self.replication, self.summary, series, None)


def run_replication(task: Task) -> Outcome:
    """Run one replication and keep what ``task.detail`` asks for.

    A module-level function, so worker processes and dask workers can run it.
    """
    with paused_gc():
        full = task.detail == "result"
        dept = Department(task.scenario, seed=task.seed, replication=task.replication,
                          record_events=full and task.record_events)
        res = dept.run(keep_leads=(full or task.reduce is not None) and task.keep_leads)
        summary = res.summary()
        reduced = task.reduce(res, *task.reduce_args) if task.reduce is not None else None
        if task.detail == "summary":
            return Outcome(task.seed, task.replication, summary, reduced=reduced)
        if task.detail == "outcome":
            return Outcome(task.seed, task.replication, summary, series_of(res), reduced=reduced)
        return Outcome(task.seed, task.replication, summary, None, res, reduced)


def series_of(res: Result) -> Series:
    """The monthly series of a replication's result (see :class:`Series`)."""
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
        "meetings_per_rep": np.divide(meetings, rep_months, out=np.full_like(meetings, np.nan), where=rep_months > 0),
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
    return Series(months=list(res.calendar.month_labels), reps=list(res.reps), products=list(res.products),
                  supervisors=list(res.supervisors), days_in_month=days, monthly=monthly, rep=rep,
                  supervisor_pay=np.asarray(sup_pay, dtype=float),
                  supervisor_days=np.asarray(res.s["days_present"], dtype=float).copy(), product=product)
