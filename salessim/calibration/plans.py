"""Plans for next period: per rep and month, set at a chosen attainment probability.

From a (calibrated) scenario, :func:`propose_plans` runs replications of the next period and
sets each rep's plan for each month at the value the rep reaches in ``probability`` of the
replications (e.g. 0.7: a plan that 70% of replications reach; the 30th percentile of the
rep's monthly fact). Fact is what the scenario's ``plan.fact_basis`` counts (value won, for a
calibrated scenario).

It then checks the plans on *fresh* replications (another seed) and reports:

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

import numpy as np
import pandas as pd

from salessim.results import kpi
from salessim.runs.replications import replicate
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

    def summary(self) -> dict[str, float]:
        a = self.attainment["reps_at_plan_share"]
        return {
            "target_probability": self.probability,
            "mean_rep_attainment_probability": float(self.plans["attainment_check"].mean()),
            "attainment_rate_mean": float(a.mean()),
            "attainment_rate_p10": float(a.quantile(0.1)),
            "attainment_rate_p90": float(a.quantile(0.9)),
            "department_plan_total": float(self.plans["plan"].sum()),
        }


def _fact_cube(reps) -> tuple[np.ndarray, list[str], list[str]]:
    """Fact per replication x month x rep (currency)."""
    res0 = reps.results[0]
    cube = np.stack([r.r["fact"] for r in reps.results])
    return cube, list(res0.calendar.month_labels), list(res0.reps)


def _round_plan(x: float) -> float:
    if x <= 0 or not math.isfinite(x):
        return 0.0
    digits = 3 - int(math.floor(math.log10(x))) - 1
    return float(round(x, digits))


def propose_plans(scenario: Scenario, probability: float = 0.7, n: int = 40, seed: int = 0,
                  workers: int = 1) -> Plans:
    """Monthly plans per rep that ``probability`` of replications reach, checked on fresh replications."""
    if not 0 < probability < 1:
        from salessim.errors import UserError

        raise UserError(f"expected an attainment probability between 0 and 1, got {probability}",
                        field="probability")
    fit_runs = replicate(scenario, n=n, seed=seed, workers=workers)
    cube, months, reps = _fact_cube(fit_runs)
    plan = np.vectorize(_round_plan)(np.quantile(cube, 1 - probability, axis=0))   # month x rep
    check_runs = replicate(scenario, n=n, seed=seed + 1, workers=workers)
    check, _, _ = _fact_cube(check_runs)
    reached = check >= plan[None, :, :] - 1e-9
    rows = []
    for j, rep in enumerate(reps):
        for i, m in enumerate(months):
            x = cube[:, i, j]
            rows.append((rep, m, float(plan[i, j]), float(x.mean()), float(np.quantile(x, 0.1)),
                         float(np.median(x)), float(np.quantile(x, 0.9)), float(reached[:, i, j].mean())))
    plans = pd.DataFrame(rows, columns=["rep", "month", "plan", "fact_mean", "fact_p10", "fact_median", "fact_p90",
                                        "attainment_check"])
    has_plan = plan > 0
    share = np.where(has_plan[None].any(axis=2), (reached & has_plan[None]).sum(axis=2) / np.maximum(
        has_plan.sum(axis=1), 1)[None, :], np.nan)
    attainment = pd.DataFrame([(r, m, float(share[r, i])) for r in range(check.shape[0])
                               for i, m in enumerate(months)],
                              columns=["replication", "month", "reps_at_plan_share"])
    pace = _pace_curve(check_runs, plan)
    return Plans(plans, attainment, pace, probability, n, seed)


def _pace_curve(reps, plan: np.ndarray) -> pd.DataFrame:
    """Pace % by working day of the month, over reps, months and replications."""
    cal = reps.results[0].calendar
    per_day: dict[int, list[np.ndarray]] = {}
    for res in reps.results:
        daily = res.daily_fact                                     # days x reps
        for m in range(cal.months):
            sel = np.flatnonzero(cal.month_of_day == m)
            if not len(sel):
                continue
            cum = np.cumsum(daily[sel], axis=0)
            wd = float(len(sel))
            for k in range(len(sel)):
                el = float(cal.day_in_month[sel[k]])
                ok = plan[m] > 0
                if ok.any():
                    per_day.setdefault(int(el), []).append(
                        kpi.pace_pct(cum[k, ok], plan[m, ok], np.full(ok.sum(), wd), np.full(ok.sum(), el)))
    rows = []
    for day in sorted(per_day):
        x = np.concatenate(per_day[day])
        x = x[np.isfinite(x)]
        if len(x):
            rows.append((day, float(np.median(x)), float(np.quantile(x, 0.1)), float(np.quantile(x, 0.9))))
    return pd.DataFrame(rows, columns=["working_day", "pace_median", "pace_p10", "pace_p90"]).astype(float)
