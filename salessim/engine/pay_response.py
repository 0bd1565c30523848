"""How reps respond to pay: the marginal pay per hour of each activity.

Reps split their free selling time between prospecting each product and contacting key
clients by the choice rule of :mod:`salessim.engine.effort`, which weighs each activity by what an
extra hour of it pays them. :meth:`PayModel.activity_values` computes that for *every*
component of the scheme:

* an hour of an activity brings expected counts of actions and value: for prospecting a
  product, ``1 / hours_per_win`` deals with their value, margin, executed value, the
  meetings, proposals, contacts and calls behind them; for key clients, reorders and
  their value per contact (:meth:`PayModel.increments`);
* a **linear** scheme (commissions, plan fulfilment without threshold or cap, per-action
  pay, overrides) pays each of those at a constant rate, so the value is exact and does
  not depend on where the rep stands;
* a **non-linear** scheme (tiers, thresholds, caps, bonuses, a non-recoverable draw in the
  draw period) pays at a rate that depends on the month's attainment. The value is the
  expected pay gained from one more day of the activity, divided by its hours, averaged
  over the rep's uncertainty about their month: attainment is taken as lognormal around
  last month's (``pay.attainment_spread`` = its log-sd; 7-point Gauss-Hermite). A rep far
  below a threshold, or above a cap, sees little pay in more effort; a rep near an
  accelerator sees more.

Two further responses live in the model: under pay on contracted value, reps sign an extra
share of risky deals that never execute (:meth:`PayModel.pays_on_contracted`, read by the
department); and with ``effort_choice.pace_boost`` reps behind pace work harder late in
the month (:mod:`salessim.engine.rep`).
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

import numpy as np

from salessim.engine import odds
from salessim.engine.payroll import EARNED_TYPES, PayInputs, days_per_month, earned_total, rates_for
from salessim.scenarios.pay import CONTRACTED_BASES, Commission, PerAction, PlanFulfilment

if TYPE_CHECKING:  # pragma: no cover
    from salessim.engine.rep import Rep
    from salessim.scenarios.schema import Scenario

#: Gauss-Hermite nodes and weights for E[f(Z)], Z ~ N(0, 1).
_GH_X, _GH_W = np.polynomial.hermite_e.hermegauss(7)
_GH_W = _GH_W / _GH_W.sum()
#: Hours of the activity added when measuring marginal pay numerically (one working day).
STEP_HOURS = 8.0
CONTRACTED_METRICS = {"revenue", "margin", "new_clients", "orders"}


class PayModel:
    """A scheme bound to a scenario: what reps expect an hour of each activity to pay."""

    def __init__(self, scenario: "Scenario"):
        self.scenario = scenario
        self.products = list(scenario.products)
        self.components = list(scenario.pay.components)
        self._groups = [g.id for g in scenario.team.reps]
        self._nonlinear = {g: any(self._is_nonlinear(c) for c in self._for_group(g)) for g in self._groups}
        self._draw = {g: next((c for c in self._for_group(g) if c.type == "draw"), None) for g in self._groups}
        self._clawed = {g: any(c.type == "clawback" and c.unpaid for c in self._for_group(g)) for g in self._groups}

    # ------------------------------------------------------------------ scheme facts
    def _for_group(self, group: str) -> list:
        return [c for c in self.components if c.reps is None or group in c.reps]

    @staticmethod
    def _is_nonlinear(c) -> bool:
        if c.type in ("tiered", "bonus"):
            return True
        if c.type in ("commission", "per_action") and c.cap_per_month is not None:
            return True
        return c.type == "plan_fulfilment" and (c.threshold_fulfilment > 0 or c.cap_fulfilment is not None)

    def _depends_on_contracted(self, c) -> bool:
        won = self.scenario.plan.fact_basis == "won"
        if c.type in ("commission", "tiered") and c.base in CONTRACTED_BASES:
            return True
        if c.type in ("plan_fulfilment", "tiered") and won:
            return True
        if c.type == "per_action" and "deal" in c.rates and c.rates["deal"] > 0:
            return True
        if c.type in ("bonus", "contest"):
            return c.metric in CONTRACTED_METRICS or (c.metric == "attainment_pct" and won)
        return False

    def pays_on_contracted(self) -> bool:
        """True when some rep's pay follows contracted (signed, not paid) value.

        Pay that an unpaid-deal clawback recovers does not count (except contest prizes,
        which clawbacks do not reach): then signing a deal that never pays earns nothing.
        """
        for g in self._groups:
            for c in self._for_group(g):
                if self._depends_on_contracted(c) and (c.type == "contest" or not self._clawed[g]):
                    return True
        return False

    def salary_of(self, group: str, default: float) -> float:
        """Monthly salary of a rep of ``group`` (a ``salary`` component's, else ``default``)."""
        for c in self._for_group(group):
            if c.type == "salary":
                return c.per_month
        return default

    def commission_rate(self, comp, product: str) -> float:
        """The rate of ``comp`` for ``product`` (by name, then by group, then default)."""
        return float(rates_for(self.scenario, comp.rates, comp.default_rate)[self.products.index(product)])

    def pay_per_deal(self, product: str, value: float, plan: float, salary: float, executed_prob: float = 1.0,
                     group: str | None = None, multiplier: float = 1.0) -> float:
        """Expected variable pay of one won deal of ``value`` from the linear parts of the scheme (currency).

        Commission on its value or margin, plan-fulfilment pay for the share of the plan it
        fills, and per-action pay for the deal and the meetings, proposals, contacts and
        calls behind it (for a rep whose odds multiplier is ``multiplier``). ``group``
        restricts to the components of a rep group.
        """
        spec = self.scenario.products[product]
        comps = self.components if group is None else self._for_group(group)
        clawed = group is not None and self._clawed.get(group, False)
        total = 0.0
        for c in comps:
            if isinstance(c, Commission):
                amount = value * (spec.margin if c.base.endswith("margin") else 1.0)
                if c.base.startswith("executed") or clawed:
                    amount *= executed_prob
                total += self.commission_rate(c, product) * amount
            elif isinstance(c, PlanFulfilment) and plan > 0:
                counted = value * (executed_prob if self.scenario.plan.fact_basis == "executed" or clawed else 1.0)
                at_plan = c.variable_at_plan if c.variable_at_plan is not None else c.variable_at_plan_per_salary * salary
                total += at_plan * counted / plan
            elif isinstance(c, PerAction):
                if c.products is None or product in c.products:
                    inc = self._funnel_per_win(self.products.index(product), multiplier, value, executed_prob)
                    for action, rate in c.rates.items():
                        if action != "client_contact":
                            total += rate * inc.get(_ACTION_COUNTER[action], 0.0)
        return total

    # ------------------------------------------------------------------ what an hour brings
    def _funnel_per_win(self, p: int, multiplier: float, value: float, executed_prob: float) -> dict[str, float]:
        """Expected actions behind one won deal of product ``p`` from outbound prospecting."""
        s = self.scenario
        spec = s.products[self.products[p]]
        f = spec.funnel
        p1 = odds.scale(f.meeting_to_proposal, multiplier)
        p2 = odds.scale(f.proposal_to_negotiation, multiplier)
        p3 = odds.scale(f.negotiation_to_won, multiplier)
        book = odds.scale(f.booking_rate, multiplier)
        win = p1 * p2 * p3
        meetings = 1.0 / win if win > 0 else math.inf
        connects = meetings / book if book > 0 else math.inf
        calls = connects / s.prospecting.connect_rate if s.prospecting.connect_rate > 0 else math.inf
        return {
            "wins": 1.0, "executed_wins": executed_prob,
            "revenue": value, "margin": value * spec.margin,
            "executed_revenue": value * executed_prob, "executed_margin": value * spec.margin * executed_prob,
            "meetings": meetings, "proposals": p1 * meetings, "connects": connects, "calls": calls,
        }

    def increments(self, rep: "Rep", d: int, m: int) -> tuple[list[str], list[tuple[dict, float, int]]]:
        """Activities open to ``rep`` this month, each as (counts per unit, hours per unit, product index).

        A unit is one won deal for prospecting a product, one contact for key clients.
        """
        dept = rep.dept
        s = self.scenario
        names: list[str] = []
        units: list[tuple[dict, float, int]] = []
        eff = rep.effectiveness(d)
        for p in rep.products:
            if not dept.launched(p, m):
                continue
            mult = eff * dept.familiarity(p)
            hours = dept.hours_per_win(p, mult)
            counts = self._funnel_per_win(p, mult, dept.expected_deal(p, rep.threshold), dept.executed_prob)
            counts["multiplier"] = mult
            names.append(dept.products[p])
            units.append((counts, hours, p))
        if rep.book.size and s.activity.client_contact_hours > 0:
            kc = s.key_clients
            kp = dept.key_client_product
            margin = dept.product_specs[kp].margin
            paid = 1.0 - s.back_office.nonpayment_rate
            order = kc.monthly_order.mean * kc.reorder_prob_contacted
            counts = {
                "client_contacts": 1.0, "reorders": kc.reorder_prob_contacted,
                "reorder_revenue": order, "reorder_margin": order * margin,
                "reorder_executed_revenue": order * paid, "reorder_executed_margin": order * margin * paid,
            }
            names.append("key_clients")
            units.append((counts, s.activity.client_contact_hours, kp))
        return names, units

    # ------------------------------------------------------------------ marginal pay per hour
    def activity_values(self, rep: "Rep", d: int, m: int) -> tuple[list[str], list[float]]:
        """Activities open to ``rep`` and the marginal pay of an hour of each (currency per hour)."""
        names, units = self.increments(rep, d, m)
        group = rep.group.id
        draw = self._draw.get(group)
        in_draw = (draw is not None and not draw.recoverable
                   and rep.tenure_days(d) < (draw.months if draw.months is not None else
                                             self.scenario.people.ramp_months) * days_per_month(self.scenario))
        if self._nonlinear.get(group) or in_draw:
            return names, self._numeric_values(rep, d, m, units, draw if in_draw else None)
        return names, [self._linear_value(rep, counts, hours, p) for counts, hours, p in units]

    def _linear_value(self, rep: "Rep", counts: dict, hours: float, p: int) -> float:
        if not (hours > 0 and math.isfinite(hours)):
            return 0.0
        group = rep.group.id
        salary = self.salary_of(group, rep.salary)
        if "wins" in counts:  # a product: pay per deal, then per hour
            dept = rep.dept
            value = counts["revenue"]
            return self.pay_per_deal(self.products[p], value, rep.plan, salary, dept.executed_prob, group,
                                     counts["multiplier"]) / hours
        # key clients: commission on the reorder a contact keeps coming, plus per-action pay
        clawed = self._clawed.get(group, False)
        spec = self.scenario.products[self.products[p]]
        total = 0.0
        for c in self._for_group(group):
            if c.type == "commission" and c.include_reorders:
                executed = c.base.startswith("executed") or clawed
                key = "reorder_executed_revenue" if executed else "reorder_revenue"
                total += self.commission_rate(c, self.products[p]) * (spec.margin if c.base.endswith("margin") else 1.0) * counts[key]
            elif c.type == "plan_fulfilment" and rep.plan > 0:
                key = "reorder_executed_revenue" if self.scenario.plan.fact_basis == "executed" or clawed else "reorder_revenue"
                at_plan = c.variable_at_plan if c.variable_at_plan is not None else c.variable_at_plan_per_salary * salary
                total += at_plan * counts[key] / rep.plan
            elif c.type == "per_action":
                total += c.rates.get("client_contact", 0.0) * counts["client_contacts"]
        return total / hours

    def _numeric_values(self, rep: "Rep", d: int, m: int, units, draw) -> list[float]:
        """Expected pay from one more day of each activity, per hour, around the rep's usual month."""
        s = self.scenario
        P = len(self.products)
        group = rep.group.id
        per_hour = []
        for counts, hours, p in units:
            vec = {}
            ok = hours > 0 and math.isfinite(hours)
            for k, v in counts.items():
                if k == "multiplier":
                    continue
                arr = np.zeros(P)
                arr[p] = v / hours if ok and math.isfinite(v) else 0.0
                vec[k] = arr
            per_hour.append(vec)
        # the rep's usual month: the first product's mix, scaled to last month's attainment
        target = rep.plan * self._recent_attainment(rep, m)
        base: dict[str, np.ndarray] = {}
        basis = "executed_revenue" if s.plan.fact_basis == "executed" else "revenue"
        for vec in per_hour:
            fact_per_hour = vec.get(basis, np.zeros(P)).sum()
            if fact_per_hour > 0:
                base = {k: v * (target / fact_per_hour) for k, v in vec.items()}
                break
        sigma = s.pay.attainment_spread
        factors = np.exp(sigma * _GH_X - sigma * sigma / 2)
        K, A = len(factors), len(per_hour)
        rows = K * (A + 1)
        keys = set(base) | {k for vec in per_hour for k in vec}
        rp: dict[str, np.ndarray] = {}
        r_counters: dict[str, np.ndarray] = {}
        for k in keys:
            arr = np.zeros((rows, 1, P))
            b = base.get(k, np.zeros(P))
            for i in range(A + 1):
                block = factors[:, None] * b[None, :]
                if i > 0:
                    block = block + STEP_HOURS * per_hour[i - 1].get(k, np.zeros(P))[None, :]
                arr[i * K:(i + 1) * K, 0, :] = block
            if k == "client_contacts":
                r_counters[k] = arr.sum(axis=2)
            else:
                rp[k] = arr
        dpm = days_per_month(s)
        salary = self.salary_of(group, rep.salary)
        r_counters.update({
            "salary": np.full((rows, 1), salary), "days_employed": np.full((rows, 1), dpm),
            "days_present": np.full((rows, 1), dpm), "clients_active": np.full((rows, 1), float(rep.book.active_count())),
        })
        rp.setdefault("revenue", np.zeros((rows, 1, P)))
        inp = PayInputs(rp=rp, r=r_counters, plan=np.full((rows, 1), rep.plan), days_in_month=np.full(rows, dpm),
                        rep_groups=[group], rep_supervisor=[None])
        if self._clawed.get(group):
            inp = inp.executed_only()
        pay = earned_total(s, inp, [c for c in self._for_group(group) if c.type in EARNED_TYPES])[:, 0]
        if draw is not None:
            pay = np.maximum(pay, draw.per_month)
        pay = pay.reshape(A + 1, K) @ _GH_W
        return [max(0.0, float(pay[i + 1] - pay[0]) / STEP_HOURS) for i in range(A)]

    @staticmethod
    def _recent_attainment(rep: "Rep", m: int) -> float:
        """Last month's plan attainment of the rep (1 when there is none), clipped to [0.05, 5]."""
        if m <= 0 or rep.plan <= 0:
            return 1.0
        dept = rep.dept
        R = dept.recorder.r
        days = R["days_employed"][m - 1][rep.index]
        dim = dept.calendar.days_in_month[m - 1]
        if days <= 0 or dim <= 0:
            return 1.0
        a = R["fact"][m - 1][rep.index] / (rep.plan * days / dim)
        return float(min(5.0, max(0.05, a)))


_ACTION_COUNTER = {
    "call": "calls", "contact": "connects", "meeting": "meetings", "proposal": "proposals",
    "deal": "wins", "executed_deal": "executed_wins", "client_contact": "client_contacts",
}
