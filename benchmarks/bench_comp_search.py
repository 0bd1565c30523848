"""Scheme search: time to a result and the number of candidate evaluations.

The problem: in ``new_product_group`` (B needs ~5x A's effort per deal), choose the
commission rates on A's and B's margin to maximise expected profit, subject to reps'
median monthly pay reaching a market level of 6,000 and its coefficient of variation
staying at or below 0.35. Every candidate runs the same 6 replications (common random
numbers) of the 12-month year. Run with ``python -m benchmarks comp_search``.
"""

from __future__ import annotations

import time

import salessim as ss
from salessim.analyses.scheme_search import evaluate, optimise_scheme
from salessim.runs.replications import default_workers

PARAMS = ["pay.components.0.rates.A=0.15:0.35", "pay.components.0.rates.B=0.25:1.25"]
CONSTRAINTS = {"min_median_pay": 6000.0, "max_pay_cv": 0.35}
REPLICATIONS = 6


def main() -> None:
    sc = ss.load_scenario("new_product_group")
    workers = min(2, default_workers())
    t = time.perf_counter()
    current = evaluate(sc, REPLICATIONS, seed=1, workers=workers)
    one = time.perf_counter() - t
    print("problem                     : new_product_group, rates on A and B, median pay >= 6,000, pay cv <= 0.35")
    print(f"replications per candidate  : {REPLICATIONS} x {sc.calendar.months} months, {workers} worker(s)")
    print(f"one candidate               : {one:.1f} s ({one / REPLICATIONS:.2f} s per replication)")
    print(f"current scheme (A 25%, B 50%): profit {current['profit']:,.0f} [{current['profit_low']:,.0f}, "
          f"{current['profit_high']:,.0f}], median pay {current['median_pay']:,.0f}, cv {current['pay_cv']:.2f}")
    for method, budget in (("de", 24), ("grid", 16)):
        res = optimise_scheme(sc, PARAMS, replications=REPLICATIONS, seed=1, method=method, budget=budget,
                              workers=workers, **CONSTRAINTS)
        best = ", ".join(f"{k.rsplit('.', 1)[-1]} {v:.3f}" for k, v in res.best.items())
        print(f"{method:<5} budget {budget:<3}         : {res.evaluations} candidates in {res.seconds:.1f} s "
              f"({res.seconds / max(res.evaluations, 1):.1f} s each); best {best}: profit {res.profit:,.0f} "
              f"[{res.profit_low:,.0f}, {res.profit_high:,.0f}], median pay {res.figures['median_pay']:,.0f}, "
              f"cv {res.figures['pay_cv']:.2f}, {'feasible' if res.feasible else 'INFEASIBLE'}; "
              f"{int(res.history['feasible'].sum())} of {len(res.history)} candidates feasible")


if __name__ == "__main__":
    main()
