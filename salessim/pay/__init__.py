"""Pay: composable commission schemes, what they cost, and how reps respond to them.

A scheme is declared in a scenario's ``[pay]`` table (or in a scheme file the scenario
names with ``[pay] scheme = "file.toml"``, or that ``salessim comp --scheme FILE`` applies)::

    [[pay.components]]
    type = "commission"
    base = "executed_margin"           # revenue | margin | executed_revenue | executed_margin
    rates = { A = 0.25, B = 0.50 }     # per product or product group (share of the base)

The package is split by concern:

* :mod:`.components`: the parts a scheme is built from (the schema) and their checks;
* :mod:`.engine`: the arithmetic: pay per person, month and part, from monthly results;
* :mod:`.behaviour`: what reps expect an hour of each activity to pay (their response);
* :mod:`.report`: payroll distribution, commission against gross profit, warnings;
* :mod:`.schemes`: scheme files and the built-in schemes;
* :mod:`.search`: searching a scheme's parameters for the most profitable one.
"""

from __future__ import annotations

from .behaviour import PayModel
from .components import (
    COMPONENT_TYPES, Bonus, Clawback, Commission, Component, Contest, Draw, HandoffSpec, Override, PaySpec, PerAction,
    PlanFulfilment, Salary, Tier, Tiered, check_pay_references, handoff_sources,
)
from .engine import PayBreakdown, PayInputs, compute_pay, variable_pay

__all__ = [
    "COMPONENT_TYPES", "Bonus", "Clawback", "Commission", "Component", "Contest", "Draw", "HandoffSpec", "Override",
    "PayBreakdown", "PayInputs", "PayModel", "PaySpec", "PerAction", "PlanFulfilment", "Salary", "Tier", "Tiered",
    "check_pay_references", "compute_pay", "handoff_sources", "variable_pay",
]
