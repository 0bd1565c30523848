"""Measure the documents' claims on the built-in scenarios, for the table in docs/model.md.

    .venv/bin/python docs/measure_claims.py

Prints one markdown row per claim with the measured effect and its 95% interval over 10
paired replications (seed 7), the same runs as tests/functional/test_claims.py. The tests assert the
claims; this script only reports the sizes.
"""

from __future__ import annotations

import numpy as np

import salessim as ss
from salessim.results.statistics import mean_interval

N, SEED = 10, 7
AFTER_RAMP = "2027-04"


def ci(x) -> str:
    r = mean_interval(np.asarray(x, dtype=float))
    return f"{r['mean']:.3g} (95% CI {r['low']:.3g} to {r['high']:.3g})"


def pct(x) -> str:
    r = mean_interval(np.asarray(x, dtype=float))
    return f"{r['mean']:.0%} (95% CI {r['low']:.0%}-{r['high']:.0%})"


def col(reps, name):
    return reps.per_replication[name].to_numpy()


def after_ramp(reps, name, per_rep_month=False, table="department_monthly"):
    """Per replication: the monthly mean of ``name`` from AFTER_RAMP on (``department_monthly``: new
    business signed; ``pnl``: revenue paid, reorders included), or per rep-month."""
    dm = getattr(reps, table)()
    dm = dm[dm["month"] >= AFTER_RAMP]
    g = dm.groupby("replication")
    if per_rep_month:
        rm = reps.department_monthly()
        rm = rm[rm["month"] >= AFTER_RAMP].groupby("replication")["rep_months"].sum()
        return (g[name].sum() / rm).to_numpy()
    return g[name].mean().to_numpy()


def pay_per_hour(reps, product, rate):
    """Commission per hour of new business on ``product``: the rate times the margin of its new deals paid,
    over the hours spent winning them (prospecting, meetings, proposals and negotiations). Reorders of key
    clients are left out: they pay commission without taking new-business hours."""
    out = []
    for r in reps.results:
        j = r.products.index(product)
        pay = rate * r.rp["executed_margin"][:, :, j].sum()
        hours = sum(r.rp[k][:, :, j].sum() for k in ("prospecting_hours", "meeting_hours", "deal_work_hours"))
        out.append(pay / hours)
    return np.array(out)


COSTS = ["salaries", "variable_pay", "payroll_tax", "overhead", "training", "inventory_carrying"]


def total(reps, columns):
    return reps.pnl().groupby("replication")[columns].sum().sum(axis=1).to_numpy()


def main() -> None:
    names = ["baseline", "double_headcount_one_supervisor", "double_headcount_two_supervisors",
             "new_product_group", "new_product_group_forced", "raise_deal_size", "new_product_group_commission_5x",
             "head_leaves"]
    runs = {n: ss.replicate(n, n=N, seed=SEED, workers=2) for n in names}
    base, one, two = runs["baseline"], runs["double_headcount_one_supervisor"], runs["double_headcount_two_supervisors"]
    print("| claim | scenario | measured |")
    print("| --- | --- | --- |")
    print("| 1+15 vs 1+7 | `double_headcount_one_supervisor` | meetings per rep-month "
          f"{ci(col(one, 'meetings_per_rep_month') - col(base, 'meetings_per_rep_month'))}; total meetings "
          f"{pct(col(one, 'meetings') / col(base, 'meetings') - 1)}; monthly revenue after ramp: new business signed "
          f"{pct(after_ramp(one, 'revenue') / after_ramp(base, 'revenue') - 1)}, all revenue paid "
          f"{pct(after_ramp(one, 'revenue', table='pnl') / after_ramp(base, 'revenue', table='pnl') - 1)}; salaries x"
          f"{ci(col(one, 'salaries') / col(base, 'salaries'))}; all costs x{ci(total(one, COSTS) / total(base, COSTS))}; "
          f"profit difference {ci(col(one, 'profit') - col(base, 'profit'))} |")
    print("| second head | `double_headcount_two_supervisors` | meetings per rep after ramp at "
          f"{pct(after_ramp(two, 'meetings', True) / after_ramp(base, 'meetings', True))} of the baseline's |")
    npg = runs["new_product_group"]
    rates = {c.base: c.rates for c in npg.scenario.pay.components}["executed_margin"]
    print(f"| new group B | `new_product_group` | B's share of revenue {pct(col(npg, 'revenue_B') / col(npg, 'revenue'))}; "
          f"commission per hour of new business, A / B {ci(pay_per_hour(npg, 'A', rates['A']) / pay_per_hour(npg, 'B', rates['B']))} |")
    forced = runs["new_product_group_forced"]
    print(f"| forcing B | `new_product_group_forced` | B deals {ci(col(forced, 'won_deals_B'))} vs "
          f"{ci(col(npg, 'won_deals_B'))} unforced; key clients lost {pct(col(forced, 'key_clients_lost_share'))} |")
    rd = runs["raise_deal_size"]
    rev = col(rd, "revenue") / col(base, "revenue")
    pay = col(rd, "payroll") / col(base, "payroll")
    print(f"| larger deals | `raise_deal_size` | revenue x{ci(rev)}; deals x{ci(col(rd, 'won_deals') / col(base, 'won_deals'))}; "
          f"payroll growth / revenue growth {ci((pay - 1) / (rev - 1))} |")
    c5 = runs["new_product_group_commission_5x"]
    print(f"| 5x commission on B | `new_product_group_commission_5x` | profit difference vs `new_product_group` "
          f"{ci(col(c5, 'profit') - col(npg, 'profit'))} |")

    hl = runs["head_leaves"]

    def july(reps, name):
        dm = reps.department_monthly()
        return dm[dm["month"] == "2027-07"].sort_values("replication")[name].to_numpy()

    print(f"| the head leaves on 1 July | `head_leaves` | July: meetings {pct(july(hl, 'meetings') / july(base, 'meetings'))} "
          f"of the baseline's, wins {pct(july(hl, 'wins') / july(base, 'wins'))} |")


if __name__ == "__main__":
    main()
