"""What a scheme costs and pays, over replications: the tables ``salessim comp`` prints.

* :func:`pay_distribution`: each person's monthly pay across replications and months
  (median, p10, p90), and the share of it that is variable;
* :func:`pnl_summary`: the P&L over the whole period, mean and 95% interval per line;
* :func:`product_summary`: revenue, gross profit and commission per product;
* :func:`replication_warnings`: commission above gross profit (see
  :mod:`salessim.results.pay_warnings`), over replications.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from salessim.results.kpi import ratio
from salessim.results.pay_warnings import result_warnings, scheme_warnings
from salessim.results.statistics import mean_interval

if TYPE_CHECKING:  # pragma: no cover
    from salessim.runs.replications import Replications

#: P&L lines summed over the period (currency), in the order they are printed.
PNL_LINES = (
    "contracted_revenue", "revenue", "gross_margin", "salaries", "commissions", "bonuses", "payroll_tax",
    "overhead", "training", "inventory_carrying", "profit",
)


def pay_distribution(reps: "Replications") -> pd.DataFrame:
    """Each person's monthly pay over replications x months: median, p10, p90 and mean (currency).

    One row per person (reps, supervisors, hand-off operators), then one ``all reps`` row.
    ``variable_share`` is the mean share of pay that is not salary.
    """
    frames = []
    for res in reps.results:
        pr = res.payroll()
        pr = pr[pr["role"] != "clerk"]
        frames.append(pr.assign(replication=res.replication))
    pr = pd.concat(frames, ignore_index=True)
    pr["is_salary"] = pr["part"] == "salary"
    total = pr.groupby(["role", "person", "replication", "month"], sort=False)["amount"].sum()
    fixed = pr[pr["is_salary"]].groupby(["role", "person", "replication", "month"], sort=False)["amount"].sum()
    df = pd.DataFrame({"total": total, "fixed": fixed.reindex(total.index, fill_value=0.0)}).reset_index()

    def stats(g: pd.DataFrame) -> pd.Series:
        t = g["total"].to_numpy(dtype=float)
        var = (g["total"] - g["fixed"]).sum()
        return pd.Series({"median": np.median(t), "p10": np.quantile(t, 0.1), "p90": np.quantile(t, 0.9), "mean": t.mean(),
                          "variable_share": var / g["total"].sum() if g["total"].sum() else np.nan,
                          "person_months": float(len(t))})

    rows = []
    for (role, person), g in df.groupby(["role", "person"], sort=False):
        rows.append({"role": role, "person": person, **stats(g)})
    reps_only = df[df["role"] == "rep"]
    if len(reps_only):
        rows.append({"role": "rep", "person": "all reps", **stats(reps_only)})
    return pd.DataFrame(rows)


def rep_pay_figures(reps: "Replications") -> dict[str, float]:
    """Median and dispersion of reps' monthly pay over every replication and rep-month.

    ``median_pay``; ``pay_cv`` (sd / mean); ``p90_p10`` (ratio of the 90th to 10th percentile).
    Rep-months with no days employed are left out.
    """
    vals = []
    for res in reps.results:
        total = res.pay_breakdown().rep_total()
        employed = res.r["days_employed"] > 0
        vals.append(total[employed])
    x = np.concatenate(vals) if vals else np.array([])
    if x.size == 0:
        return {"median_pay": np.nan, "pay_cv": np.nan, "p90_p10": np.nan}
    p10 = np.quantile(x, 0.1)
    return {"median_pay": float(np.median(x)), "pay_cv": float(x.std(ddof=0) / x.mean()) if x.mean() else np.nan,
            "p90_p10": float(np.quantile(x, 0.9) / p10) if p10 > 0 else np.inf}


def pnl_summary(reps: "Replications", level: float = 0.95) -> pd.DataFrame:
    """The P&L over the period: mean and ``level`` interval over replications for each line."""
    per = []
    for res in reps.results:
        p = res.pnl()
        row = {k: float(p[k].sum()) for k in PNL_LINES}
        pay = row["salaries"] + row["commissions"] + row["bonuses"] + row["payroll_tax"]
        row["cost_of_sales_pct"] = float(ratio(pay, row["revenue"]) * 100)
        row["commission_pct_of_gross_profit"] = float(ratio(row["commissions"], row["gross_margin"]) * 100)
        per.append(row)
    df = pd.DataFrame(per)
    rows = [dict(line=k, **mean_interval(df[k].to_numpy(dtype=float), level)) for k in df.columns]
    return pd.DataFrame(rows).set_index("line")


def product_summary(reps: "Replications") -> pd.DataFrame:
    """Per product, mean over replications of the period's revenue, gross profit and traced commission."""
    frames = [res.pnl_by_product().groupby("product", sort=False)[["revenue", "gross_margin", "commission"]].sum()
              for res in reps.results]
    df = pd.concat(frames).groupby(level=0, sort=False).mean()

    df["commission_pct_of_gross_profit"] = ratio(df["commission"], df["gross_margin"]) * 100
    return df.reset_index()


def replication_warnings(reps: "Replications") -> list[str]:
    """Scheme warnings, and result warnings on the mean over replications."""
    sc = reps.scenario
    by = pd.concat([r.pnl_by_product() for r in reps.results], ignore_index=True)
    by[["gross_margin", "commission"]] = by[["gross_margin", "commission"]] / max(len(reps.results), 1)
    out = scheme_warnings(sc) + [w.replace("over the period", "over the period (mean of replications)")
                                 for w in result_warnings(by, sc.currency)]
    pending = np.mean([r.pay_breakdown().pending_clawback.sum() for r in reps.results])
    if pending > 0:
        out.append(f"clawbacks of {pending:,.0f} {sc.currency} (mean) fall due after the horizon and are not in the P&L")
    owed = np.mean([r.pay_breakdown().draw_balance.sum() for r in reps.results])
    if owed > 0:
        out.append(f"recoverable draws of {owed:,.0f} {sc.currency} (mean) are still owed at the end of the horizon")
    return out
