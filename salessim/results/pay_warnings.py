"""Warnings about a pay scheme's cost: commission above the gross profit it is paid on.

* :func:`scheme_warnings` reads the scheme's own rates against each product's margin;
* :func:`result_warnings` reads what a run (or several stacked) actually paid.

Money is in the scenario's currency.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from salessim.engine.payroll import rates_for

if TYPE_CHECKING:  # pragma: no cover
    from salessim.scenarios.schema import Scenario


def scheme_warnings(scenario: "Scenario") -> list[str]:
    """Products whose commission, by the scheme's own rates, is above the gross profit on a sale.

    Adds, per product, every rate that scales with its sales, expressed as a share of its
    gross margin: commissions, the top tier of tiered pay, supervisors' overrides and the
    hand-off share. Above 100%, each sale loses money before any salary is paid.
    """
    out = []
    spec = scenario.pay
    margins = np.array([p.margin for p in scenario.products.values()])
    on_margin = np.zeros(len(margins))
    sources: list[list[str]] = [[] for _ in margins]

    def add(rates: np.ndarray, base: str, where: str) -> None:
        conv = np.ones_like(margins) if base.endswith("margin") else np.divide(1.0, margins, out=np.full_like(margins, np.inf),
                                                                               where=margins > 0)
        share = np.where(rates > 0, rates * conv, 0.0)
        for j, v in enumerate(share):
            if v > 0:
                on_margin[j] += v
                sources[j].append(where)

    for i, c in enumerate(spec.components):
        where = f"pay.components.{i}"
        if c.type == "commission":
            add(rates_for(scenario, c.rates, c.default_rate), c.base, where)
        elif c.type == "tiered":
            add(np.full(len(margins), max(t.rate for t in c.tiers)), c.base, where + " (top tier)")
        elif c.type == "override":
            add(np.full(len(margins), c.rate), c.base, where)
    if spec.handoff is not None and spec.handoff.share_of_sales > 0:
        add(np.full(len(margins), spec.handoff.share_of_sales), spec.handoff.base, "pay.handoff")
    for j, name in enumerate(scenario.products):
        if on_margin[j] > 1.0 + 1e-12:
            out.append(f"product {name}: the scheme pays {on_margin[j]:.0%} of its gross margin in commission "
                       f"({', '.join(sources[j])}), more than the gross profit on each sale")
    return out


def result_warnings(by_product: pd.DataFrame, currency: str = "") -> list[str]:
    """Products whose simulated commission exceeded their gross profit over the period.

    ``by_product`` has ``product``, ``gross_margin`` and ``commission`` columns (one
    replication's :meth:`~salessim.results.result.Result.pnl_by_product`, or several stacked).
    """
    g = by_product.groupby("product", sort=False)[["gross_margin", "commission"]].sum()
    out = []
    unit = f" {currency}" if currency else ""
    for product, row in g.iterrows():
        if row["commission"] > row["gross_margin"] and row["commission"] > 0:
            pct = f"{row['commission'] / row['gross_margin']:.0%} of " if row["gross_margin"] > 0 else ""
            out.append(f"product {product}: commission paid ({row['commission']:,.0f}{unit}) is {pct}its gross profit "
                       f"({row['gross_margin']:,.0f}{unit}) over the period")
    return out
