"""Pay: the components of a pay scheme, what they pay, and what reps expect them to pay.

A scheme is a list of components declared in a scenario's ``[pay]`` table::

    [[pay.components]]
    type = "commission"
    base = "margin"            # revenue | margin | executed_revenue | executed_margin
    rates = { A = 0.25, B = 0.50 }   # per product or product group (share of the base)

Fixed salaries live with the people in ``[team]``; this module adds variable pay. Two
things are computed from a scheme:

* the **pay** of every rep in every month, from their monthly results
  (:func:`variable_pay`), which feeds payroll and the P&L;
* the **expected pay per won deal** of each product (:meth:`PayModel.pay_per_deal`), which
  is what reps respond to when they choose how to spend their time (:mod:`salessim.effort`).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated, Literal, Union

import numpy as np
from pydantic import BaseModel, ConfigDict, Field

if TYPE_CHECKING:  # pragma: no cover
    from .scenario import Scenario

Base = Literal["revenue", "margin", "executed_revenue", "executed_margin"]
CONTRACTED_BASES = {"revenue", "margin"}


class _Component(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Commission(_Component):
    """A share of revenue or margin, with a rate per product or product group."""

    type: Literal["commission"]
    base: Base = Field(description="What the rate applies to; executed_* counts only deals actually paid.")
    rates: dict[str, Annotated[float, Field(ge=0, le=10)]] = Field(
        default_factory=dict, description="Rate per product or product group (share of the base)."
    )
    default_rate: float = Field(0.0, ge=0, le=10, description="Rate for products not listed.")
    include_reorders: bool = Field(True, description="Also pay on key clients' reorders.")


class PlanFulfilment(_Component):
    """Variable pay linear in plan fulfilment (the documents' 50/50 scheme).

    At 100% of plan the variable part equals ``variable_at_plan_per_salary`` x salary; it is
    linear in fulfilment, so 3x plan pays 3x that (50/50 scheme: 50% + 50% x 3 = 200%).
    """

    type: Literal["plan_fulfilment"]
    variable_at_plan_per_salary: float = Field(1.0, ge=0, le=20)
    cap_fulfilment: float | None = Field(None, gt=0, description="Fulfilment above this pays nothing more (1 = 100%).")


Component = Annotated[Union[Commission, PlanFulfilment], Field(discriminator="type")]


class PaySpec(BaseModel):
    """A pay scheme: fixed salary (from the team) plus these variable components."""

    model_config = ConfigDict(extra="forbid")
    components: list[Component] = Field(default_factory=list)


def check_pay_references(s: "Scenario") -> None:
    """Check that pay rates name existing products or groups."""
    from .scenario import CrossFieldError

    known = set(s.products) | {p.group for p in s.products.values() if p.group}
    for i, comp in enumerate(s.pay.components):
        if isinstance(comp, Commission):
            for key in comp.rates:
                if key not in known:
                    raise CrossFieldError(
                        f"pay.components.{i}.rates.{key}",
                        f"expected a product or product group ({', '.join(sorted(known))})",
                    )


class PayModel:
    """A scheme bound to a scenario's products: what each won deal is worth to a rep."""

    def __init__(self, scenario: "Scenario"):
        self.scenario = scenario
        self.products = list(scenario.products)
        self.components = list(scenario.pay.components)

    def commission_rate(self, comp: Commission, product: str) -> float:
        """The rate of ``comp`` for ``product`` (by name, then by group, then default)."""
        spec = self.scenario.products[product]
        if product in comp.rates:
            return comp.rates[product]
        if spec.group and spec.group in comp.rates:
            return comp.rates[spec.group]
        return comp.default_rate

    def pays_on_contracted(self) -> bool:
        """True when some variable pay follows contracted (not executed) value."""
        return any(
            isinstance(c, PlanFulfilment) and self.scenario.plan.fact_basis == "won"
            or isinstance(c, Commission) and c.base in CONTRACTED_BASES
            for c in self.components
        )

    def pay_per_deal(self, product: str, value: float, plan: float, salary: float, executed_prob: float = 1.0) -> float:
        """Expected variable pay from one won deal of ``value`` (currency).

        Reps judge a deal by the marginal pay it brings: commission on its value or margin,
        and, under plan-fulfilment pay, the share of the plan it fills.
        """
        spec = self.scenario.products[product]
        total = 0.0
        for c in self.components:
            if isinstance(c, Commission):
                amount = value * (spec.margin if c.base.endswith("margin") else 1.0)
                if c.base.startswith("executed"):
                    amount *= executed_prob
                total += self.commission_rate(c, product) * amount
            elif isinstance(c, PlanFulfilment) and plan > 0:
                counted = value * (executed_prob if self.scenario.plan.fact_basis == "executed" else 1.0)
                total += c.variable_at_plan_per_salary * salary * counted / plan
        return total

    def reorder_rate(self, product: str) -> float:
        """Commission per unit of reorder revenue (for key-client contacts)."""
        spec = self.scenario.products[product]
        rate = 0.0
        for c in self.components:
            if isinstance(c, Commission) and c.include_reorders:
                rate += self.commission_rate(c, product) * (spec.margin if c.base.endswith("margin") else 1.0)
        return rate


def variable_pay(
    scenario: "Scenario",
    base: dict[str, np.ndarray],
    plan: np.ndarray,
    salary: np.ndarray,
) -> dict[str, np.ndarray]:
    """Variable pay per rep and month, by component.

    Parameters
    ----------
    base:
        Arrays of shape (months, reps, products) named ``revenue``, ``margin``,
        ``executed_revenue``, ``executed_margin`` (new business) and the same with a
        ``reorder_`` prefix (key-client reorders), in currency.
    plan:
        Plan per rep and month, shape (months, reps), currency.
    salary:
        Salary paid per rep and month, shape (months, reps), currency.

    Returns
    -------
    dict
        ``{"commission": array, "plan_fulfilment": array, ...}``, each of shape (months, reps).
    """
    pm = PayModel(scenario)
    months, reps = plan.shape
    out: dict[str, np.ndarray] = {}
    for c in scenario.pay.components:
        if isinstance(c, Commission):
            rates = np.array([pm.commission_rate(c, p) for p in pm.products])
            amount = (base[c.base] * rates).sum(axis=2)
            if c.include_reorders:
                amount = amount + (base["reorder_" + c.base] * rates).sum(axis=2)
            out["commission"] = out.get("commission", 0) + amount
        elif isinstance(c, PlanFulfilment):
            basis = "executed_revenue" if scenario.plan.fact_basis == "executed" else "revenue"
            fact = base[basis].sum(axis=2) + base["reorder_" + basis].sum(axis=2)
            with np.errstate(divide="ignore", invalid="ignore"):
                fulfil = np.where(plan > 0, fact / np.where(plan > 0, plan, 1), 0.0)
            if c.cap_fulfilment is not None:
                fulfil = np.minimum(fulfil, c.cap_fulfilment)
            out["plan_fulfilment"] = out.get("plan_fulfilment", 0) + c.variable_at_plan_per_salary * salary * fulfil
    return {k: np.broadcast_to(v, (months, reps)).astype(float) for k, v in out.items()}
