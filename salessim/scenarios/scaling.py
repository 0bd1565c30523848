"""Departments of any size built from a scenario's per-rep environment (for scaling studies).

:func:`scaled_department` keeps what one rep faces the same and multiplies the department:

* reps: ``n_reps`` reps with the attributes of the base scenario's first rep group, in teams
  of ``reps_per_head`` (7 by default, the baseline's span of control), ids ``t001rep01``,
  ``t001rep02``, ... (a team of one rep is ``t001rep``);
* heads: one per team (``head001``, ...), each a copy of the base scenario's first supervisor;
* market: every product's ``market_size`` times ``n_reps / base reps``, so each rep has as
  many prospects to call as in the base;
* inbound leads: every lead source's ``rate_per_day`` times the same factor;
* back office: ``clerks`` times the same factor (rounded, at least 1), so invoices wait
  about as long as in the base.

Everything else (funnel, delays, pay, key clients per rep) is the base's.
"""

from __future__ import annotations

import math

from salessim.scenarios.files import load_scenario, scenario_data, validate
from salessim.scenarios.schema import Scenario


def scaled_department(n_reps: int, base: Scenario | str = "baseline", reps_per_head: int = 7) -> Scenario:
    """A department of ``n_reps`` reps in teams of ``reps_per_head`` under one head each (see module docs)."""
    if n_reps < 1 or reps_per_head < 1:
        raise ValueError("n_reps and reps_per_head must be at least 1")
    sc = load_scenario(base)
    data = scenario_data(sc)
    factor = n_reps / sc.n_reps()
    group = dict(data["team"]["reps"][0])
    head = dict(data["team"]["supervisors"][0])
    teams = math.ceil(n_reps / reps_per_head)
    width = max(3, len(str(teams)))
    sups, reps = [], []
    left = n_reps
    for t in range(1, teams + 1):
        hid = f"head{t:0{width}d}"
        sups.append({**head, "id": hid, "reports_to": None})
        count = min(reps_per_head, left)
        left -= count
        reps.append({**group, "id": f"t{t:0{width}d}rep", "count": count, "supervisor": hid})
    data["team"] = {"supervisors": sups, "reps": reps}
    for spec in data["products"].values():
        spec["market_size"] = int(round(spec["market_size"] * factor))
    for src in data["lead_sources"]:
        src["rate_per_day"] = src["rate_per_day"] * factor
    data["back_office"]["clerks"] = max(1, int(round(data["back_office"]["clerks"] * factor)))
    data["name"] = f"{sc.name}_x{n_reps}"
    data["description"] = f"{sc.name} scaled to {n_reps} reps in teams of {reps_per_head}"
    return validate(data, default_source=data["name"])
