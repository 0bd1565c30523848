"""Plans for next period: per rep and month, set at a chosen attainment probability.

From a (calibrated) scenario, :func:`propose_plans` runs replications of the next period and
sets each rep's plan for each month at the value the rep reaches in ``probability`` of the
replications (e.g. 0.7: a plan that 70% of replications reach; the 30th percentile of the
rep's monthly fact). Fact is what the scenario's ``plan.fact_basis`` counts (value won, for a
calibrated scenario).

It then checks the plans out of sample (each replication against the plan set from the
others: leave one out, so no second set of runs is needed) and reports:

* each rep's **attainment probability** (share of replications at or above plan; near
  ``probability`` when the plans are right);
* the **attainment rate across reps**: in each month of each replication, the share of
  reps at plan (the documents' quota attainment rate). Reps share the market, so this
  varies from month to month more than independent reps would;
* the **pace curve** the plan implies: plan completion to date (the documents' pace %,
  :func:`salessim.results.kpi.pace_pct`) by working day of the month, median and 10-90% band
  over reps, months and replications. A rep below the band's lower edge is behind in a
  way the model does not expect.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from salessim.errors import UserError
from salessim.results import kpi
from salessim.results.result import Result
from salessim.runs.replication import Task
from salessim.runs.replications import run
from salessim.scenarios.schema import Scenario


@dataclass
class Plans:
    """Proposed plans and how they are expected to play out."""

    plans: pd.DataFrame          # rep, month, plan, fact_mean, fact_p10, fact_median, fact_p90, attainment_check
    attainment: pd.DataFrame     # replication, month, reps_at_plan_share
    pace: pd.DataFrame           # working_day, pace_median, pace_p10, pace_p90, on_plan_pct
    probability: float
    replications: int
    seed: int
    #: fact per replication x month x rep, and each replication's check plan (set without it)
    facts: np.ndarray | None = None
    check_plans: np.ndarray | None = None

    def summary(self) -> dict[str, float]:
        """Headline figures; the department's plan is per month (the mean over the planned months)."""
        a = self.attainment["reps_at_plan_share"].dropna()
        with_plan = self.plans[self.plans["plan"] > 0]
        n_months = max(1, self.plans["month"].nunique())
        return {
            "target_probability": self.probability,
            "mean_rep_attainment_probability": float(with_plan["attainment_check"].mean()) if len(with_plan) else 0.0,
            "attainment_rate_mean": float(a.mean()) if len(a) else 0.0,
            "attainment_rate_p10": float(a.quantile(0.1)) if len(a) else 0.0,
            "attainment_rate_p90": float(a.quantile(0.9)) if len(a) else 0.0,
            "department_plan_total": float(self.plans["plan"].sum()) / n_months,
            "reps_with_plan": int((self.plans.groupby("rep")["plan"].max() > 0).sum()),
            "replications": self.replications,
        }


def plan_facts(res: Result) -> dict[str, Any]:
    """One replication of the next period reduced to the facts per month and rep and per day and rep
    (a task's ``reduce``: it runs on the worker)."""
    cal = res.calendar
    return {"fact": np.asarray(res.r["fact"], dtype=float), "daily": np.asarray(res.daily_fact, dtype=float),
            "months": list(cal.month_labels), "reps": list(res.reps), "month_of_day": np.asarray(cal.month_of_day),
            "day_in_month": np.asarray(cal.day_in_month), "n_months": int(cal.months)}


def plan_tasks(scenario: Scenario, n: int, seed: int) -> list[Task]:
    """Replications ``0 .. n-1`` of the next period, each reduced on its worker by :func:`plan_facts`."""
    return [Task(scenario, seed, i, reduce=plan_facts) for i in range(n)]


def _round_plan(x: float) -> float:
    if x <= 0 or not math.isfinite(x):
        return 0.0
    digits = 3 - int(math.floor(math.log10(x))) - 1
    return float(round(x, digits))


_round_all = np.vectorize(_round_plan, otypes=[float])


def check_probability(probability: float) -> None:
    if not 0 < probability < 1:
        raise UserError(f"expected an attainment probability between 0 and 1, got {probability}",
                        field="probability")


def propose_plans(scenario: Scenario, probability: float = 0.7, n: int = 12, seed: int = 0,
                  workers: int = 1) -> Plans:
    """Monthly plans per rep that ``probability`` of replications reach, each checked on the replication it
    was not set from (leave one out)."""
    check_probability(probability)
    if n < 3:
        raise UserError(f"plans need at least 3 replications (one is left out to check the others), got {n}",
                        field="replications")
    results = [o.reduced for o in run(plan_tasks(scenario, n, seed), workers=workers)]
    return finish_plans(results, probability, seed)


def finish_plans(results: list[dict[str, Any]], probability: float, seed: int) -> Plans:
    """Plans from the replications' facts: each rep-month's plan is the ``1 - probability`` quantile of its
    fact over the replications; the check sets it again without each replication in turn and asks whether
    that replication reaches it (an out-of-sample check that needs no second set of runs)."""
    cube = np.stack([r["fact"] for r in results])            # replication x month x rep
    months, reps = results[0]["months"], results[0]["reps"]
    n = cube.shape[0]
    q = 1 - probability
    plan = _round_all(np.quantile(cube, q, axis=0))          # month x rep
    loo = np.stack([_round_all(np.quantile(np.delete(cube, i, axis=0), q, axis=0)) for i in range(n)])
    reached = cube >= loo - 1e-9
    rows = []
    for j, rep in enumerate(reps):
        for i, m in enumerate(months):
            x = cube[:, i, j]
            rows.append((rep, m, float(plan[i, j]), float(x.mean()), float(np.quantile(x, 0.1)),
                         float(np.median(x)), float(np.quantile(x, 0.9)), float(reached[:, i, j].mean())))
    plans = pd.DataFrame(rows, columns=["rep", "month", "plan", "fact_mean", "fact_p10", "fact_median", "fact_p90",
                                        "attainment_check"])
    has_plan = loo > 0                                       # replication x month x rep
    counted = has_plan.sum(axis=2)
    share = np.where(counted > 0, (reached & has_plan).sum(axis=2) / np.maximum(counted, 1), np.nan)
    attainment = pd.DataFrame([(r, m, float(share[r, i])) for r in range(n) for i, m in enumerate(months)
                               if counted[r, i] > 0], columns=["replication", "month", "reps_at_plan_share"])
    pace = _pace_curve(results, loo)
    return Plans(plans, attainment, pace, probability, n, seed, cube, loo)


def _pace_curve(results: list[dict[str, Any]], loo: np.ndarray) -> pd.DataFrame:
    """Pace % by working day of the month, over reps, months and replications (each against its own check
    plan)."""
    per_day: dict[int, list[np.ndarray]] = {}
    for k, res in enumerate(results):
        daily = res["daily"]                                  # days x reps
        mod, dim = res["month_of_day"], res["day_in_month"]
        plan = loo[k]
        for m in range(res["n_months"]):
            sel = np.flatnonzero(mod == m)
            if not len(sel):
                continue
            cum = np.cumsum(daily[sel], axis=0)
            wd = float(len(sel))
            ok = plan[m] > 0
            if not ok.any():
                continue
            for kk in range(len(sel)):
                el = float(dim[sel[kk]])
                per_day.setdefault(int(el), []).append(
                    kpi.pace_pct(cum[kk, ok], plan[m, ok], np.full(ok.sum(), wd), np.full(ok.sum(), el)))
    rows = []
    for day in sorted(per_day):
        x = np.concatenate(per_day[day])
        x = x[np.isfinite(x)]
        if len(x):
            rows.append((day, float(np.median(x)), float(np.quantile(x, 0.1)), float(np.quantile(x, 0.9))))
    return pd.DataFrame(rows, columns=["working_day", "pace_median", "pace_p10", "pace_p90"]).astype(float)
