"""Scenario and input builders shared by the pay tests."""

from __future__ import annotations

import numpy as np

import salessim as ss
from salessim.engine.payroll import PayInputs, compute_pay

MARGIN = {"A": 0.35, "B": 0.20}


def team() -> list[dict]:
    """Three seats: two 'rep' under head, one 'hire' under head2 (who reports to head)."""
    return [
        {"id": "rep", "count": 2, "supervisor": "head", "salary_per_month": 3000.0},
        {"id": "hire", "count": 1, "supervisor": "head2", "salary_per_month": 2000.0},
    ]


def scheme_scenario(components: list[dict], **more) -> ss.Scenario:
    """Products A (margin 35%) and B (margin 20%), plan 40,000, the team above, paid by ``components``."""
    over = {
        "team.reps": team(),
        "team.supervisors": [
            {"id": "head", "weekly_hours": 40.0, "salary_per_month": 6000.0},
            {"id": "head2", "weekly_hours": 40.0, "salary_per_month": 5000.0, "reports_to": "head"},
        ],
        "products.B.margin": MARGIN["B"],
        "plan.monthly_per_rep": 40000.0,
        "plan.fact_basis": "executed",
        "pay.components": components,
    }
    over.update(more)
    return ss.with_overrides(ss.load_scenario("new_product_group"), over)


def inputs(sc: ss.Scenario, months: int = 1, days: float = 20.0, **counters) -> PayInputs:
    """Hand-made inputs for the three seats (every counter a scalar or an array)."""
    return PayInputs.build(sc, months=months, days_in_month=days, **counters)


def sales(months: int, reps: int, a: float = 0.0, b: float = 0.0, executed_share: float = 1.0) -> dict[str, np.ndarray]:
    """Revenue and margin counters for contracted value ``a`` of A and ``b`` of B per rep-month."""
    rev = np.zeros((months, reps, 2))
    rev[..., 0], rev[..., 1] = a, b
    mar = rev * np.array([MARGIN["A"], MARGIN["B"]])
    return {"revenue": rev, "margin": mar, "executed_revenue": rev * executed_share,
            "executed_margin": mar * executed_share}


def pay(sc: ss.Scenario, inp: PayInputs):
    return compute_pay(sc, inp)
