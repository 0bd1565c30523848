"""The pay engine: what a scheme pays each person, each month, by part.

:func:`compute_pay` takes a scenario (for its scheme, products, plan basis and team) and
:class:`PayInputs` (one replication's monthly counters) and returns a
:class:`PayBreakdown`: pay per month and person for every part, with commission-like
parts also split by product. All money is in the scenario's currency; arrays are shaped
``(months, reps)``, ``(months, reps, products)``, ``(months, supervisors)`` or
``(months, operators)``.

The order of computation is fixed, because later parts depend on earlier ones:

1. **salary**: the ``salary`` component's ``per_month`` pro-rated by days employed, else the
   team's salary as the simulation accrued it;
2. **earned parts**, month by month from each rep's own results: ``commission``,
   ``plan_fulfilment``, ``tiered``, ``per_action``, ``bonus``;
3. **contest** prizes, ranking the reps of each month;
4. **draw** top-ups and recoveries, against everything earned in 2 and 3, carried month to
   month per seat holder;
5. **clawback** of pay on value never paid (shifted by its lag) and on key clients lost;
6. supervisors' **override**, and the hand-off operators' salary, fee and share of sales.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Iterable, Mapping

import numpy as np

from salessim.scenarios.pay import ACTIONS, EARNED_TYPES, PNL_GROUP

if TYPE_CHECKING:  # pragma: no cover
    from salessim.results.result import Result
    from salessim.scenarios.schema import Scenario

#: (months, reps, products) counters the engine reads; missing ones count as zero.
RP_INPUTS = (
    "revenue", "margin", "executed_revenue", "executed_margin",
    "reorder_revenue", "reorder_margin", "reorder_executed_revenue", "reorder_executed_margin",
    "wins", "executed_wins", "calls", "connects", "meetings", "proposals", "reorders",
    "handoffs", "handoff_revenue", "handoff_margin", "handoff_executed_revenue", "handoff_executed_margin",
)
#: (months, reps) counters the engine reads.
R_INPUTS = ("salary", "days_employed", "days_present", "client_contacts", "clients_churned", "clients_active")
#: contracted counter -> the executed counter that replaces it when pricing "executed value only"
EXECUTED_OF = {
    "revenue": "executed_revenue", "margin": "executed_margin",
    "reorder_revenue": "reorder_executed_revenue", "reorder_margin": "reorder_executed_margin",
    "wins": "executed_wins",
}


# --------------------------------------------------------------------------- inputs
@dataclass
class PayInputs:
    """One replication's monthly results, as the pay engine reads them.

    Attributes
    ----------
    rp:
        Counters per (month, rep, product): see :data:`RP_INPUTS` (currency or counts).
    r:
        Counters per (month, rep): see :data:`R_INPUTS` (``salary`` in currency, days in
        working days).
    plan:
        Plan per (month, rep), pro-rated by the days the seat was filled (currency).
    days_in_month:
        Working days per month.
    rep_groups, rep_supervisor, supervisors:
        The team group id and supervisor id of each rep seat; the supervisor ids.
    sup_salary:
        Supervisors' salary per (month, supervisor) (currency).
    tenure_days, month_of_day:
        Per (working day, rep): the seat holder's tenure in working days, ``-1`` when the
        seat is empty; and each day's month. Needed by draws; ``None`` = everyone fully ramped.
    """

    rp: dict[str, np.ndarray]
    r: dict[str, np.ndarray]
    plan: np.ndarray
    days_in_month: np.ndarray
    rep_groups: list[str]
    rep_supervisor: list[str | None] = field(default_factory=list)
    supervisors: list[str] = field(default_factory=list)
    sup_salary: np.ndarray | None = None
    tenure_days: np.ndarray | None = None
    month_of_day: np.ndarray | None = None

    @property
    def shape(self) -> tuple[int, int, int]:
        """(months, reps, products)."""
        return next(iter(self.rp.values())).shape

    def counter(self, name: str) -> np.ndarray:
        """A (month, rep, product) counter, zeros if absent."""
        v = self.rp.get(name)
        return v if v is not None else np.zeros(self.shape)

    def rep_counter(self, name: str) -> np.ndarray:
        """A (month, rep) counter, zeros if absent (days_employed defaults to the full month)."""
        v = self.r.get(name)
        if v is not None:
            return v
        M, R, _ = self.shape
        if name == "days_employed" or name == "days_present":
            return np.broadcast_to(self.days_in_month[:, None], (M, R)).astype(float)
        return np.zeros((M, R))

    def executed_only(self) -> "PayInputs":
        """The same results as if every deal and reorder that is never paid had not been signed."""
        rp = dict(self.rp)
        for contracted, executed in EXECUTED_OF.items():
            rp[contracted] = self.counter(executed)
        return replace(self, rp=rp)

    @classmethod
    def from_result(cls, res: "Result") -> "PayInputs":
        """The inputs of one replication's :class:`~salessim.results.result.Result`."""
        sc = res.scenario
        group_ids = [sc.team.reps[g].id for g in res.rep_groups]
        return cls(
            rp={k: res.rp[k] for k in RP_INPUTS if k in res.rp},
            r={k: res.r[k] for k in R_INPUTS if k in res.r},
            plan=res.plan_matrix(),
            days_in_month=res.calendar.days_in_month.astype(float),
            rep_groups=group_ids,
            rep_supervisor=list(res.rep_supervisor),
            supervisors=list(res.supervisors),
            sup_salary=res.s["salary"] if res.s["salary"].size else np.zeros((len(res.calendar.month_labels), 0)),
            tenure_days=getattr(res, "tenure_days", None),
            month_of_day=res.calendar.month_of_day,
        )

    @classmethod
    def build(cls, scenario: "Scenario", months: int = 1, reps: int | None = None, days_in_month: float | Iterable = 20.0,
              plan: float | np.ndarray | None = None, **counters) -> "PayInputs":
        """Inputs made by hand (for tests and what-if tables of pay).

        ``counters`` are arrays (or scalars) broadcast to (months, reps, products) for the
        :data:`RP_INPUTS` names and to (months, reps) for the :data:`R_INPUTS` names. The
        plan defaults to the scenario's per-rep plans, and salary to the team salaries.
        Reps take their groups and supervisors from the scenario in order.
        """
        seats = [(g.id, g.supervisor, g) for g in scenario.team.reps for _ in range(g.count)]
        R = len(seats) if reps is None else reps
        seats = (seats * (R // max(len(seats), 1) + 1))[:R]
        P = len(scenario.products)
        dim = np.broadcast_to(np.asarray(days_in_month, dtype=float), (months,)).copy()
        rp, r = {}, {}
        for k, v in counters.items():
            if k in R_INPUTS:
                r[k] = np.broadcast_to(np.asarray(v, dtype=float), (months, R)).copy()
            elif k in RP_INPUTS:
                rp[k] = np.broadcast_to(np.asarray(v, dtype=float), (months, R, P)).copy()
            else:
                raise KeyError(f"unknown pay input {k!r}")
        rp.setdefault("revenue", np.zeros((months, R, P)))
        if "salary" not in r:
            r["salary"] = np.tile([g.salary_per_month for _, _, g in seats], (months, 1)).astype(float)
        if plan is None:
            per = [g.plan_per_month if g.plan_per_month is not None else scenario.plan.monthly_per_rep for _, _, g in seats]
            plan = np.tile(per, (months, 1)).astype(float)
        return cls(rp=rp, r=r, plan=np.broadcast_to(np.asarray(plan, dtype=float), (months, R)).copy(),
                   days_in_month=dim, rep_groups=[s[0] for s in seats], rep_supervisor=[s[1] for s in seats],
                   supervisors=[s.id for s in scenario.team.supervisors],
                   sup_salary=np.tile([s.salary_per_month for s in scenario.team.supervisors], (months, 1)).astype(float)
                   if scenario.team.supervisors else np.zeros((months, 0)))


# --------------------------------------------------------------------------- output
@dataclass
class PayBreakdown:
    """Pay by person, month and part (currency).

    ``rep``, ``supervisor`` and ``operator`` map a part name (``"salary"``, ``"commission"``,
    a component's ``name``, ...) to a (months, people) array; the ``*_product`` dicts hold
    the parts that can be traced to products as (months, people, products) arrays.
    ``kinds`` gives each part's component type.
    """

    rep: dict[str, np.ndarray]
    rep_product: dict[str, np.ndarray]
    supervisor: dict[str, np.ndarray]
    supervisor_product: dict[str, np.ndarray]
    operator: dict[str, np.ndarray]
    operator_product: dict[str, np.ndarray]
    kinds: dict[str, str]
    pending_clawback: np.ndarray      # per rep: clawback due after the horizon (currency)
    draw_balance: np.ndarray          # per rep: recoverable draw still owed at the end (currency)
    draw_written_off: np.ndarray      # per rep: recoverable draw written off when holders left (currency)

    def rep_variable(self) -> dict[str, np.ndarray]:
        """Reps' parts other than salary."""
        return {k: v for k, v in self.rep.items() if k != "salary"}

    def rep_total(self) -> np.ndarray:
        """Reps' total pay per (month, rep)."""
        return sum(self.rep.values(), np.zeros_like(self.rep["salary"]))

    def group_totals(self) -> dict[str, np.ndarray]:
        """Per month for everyone paid: ``salaries``, ``commissions`` and ``bonuses``."""
        M = self.rep["salary"].shape[0]
        out = {"salaries": np.zeros(M), "commissions": np.zeros(M), "bonuses": np.zeros(M)}
        for table in (self.rep, self.supervisor, self.operator):
            for part, arr in table.items():
                group = "salaries" if self.kinds.get(part) == "salary" else PNL_GROUP.get(self.kinds.get(part, ""), "commissions")
                out[group] = out[group] + arr.sum(axis=1)
        return out

    def by_product(self) -> np.ndarray | None:
        """Pay traced to products, per (month, product), everyone together (None if nobody is paid by product)."""
        tables = [self.rep_product, self.supervisor_product, self.operator_product]
        arrays = [a.sum(axis=1) for t in tables for a in t.values()]
        return sum(arrays[1:], arrays[0].copy()) if arrays else None


# --------------------------------------------------------------------------- building blocks
def days_per_month(scenario: "Scenario") -> float:
    """Working days in an average month (as the model counts tenure)."""
    return 52.0 * len(scenario.calendar.workdays) / 12.0


def base_amount(inp: PayInputs, base: str, include_reorders: bool = True) -> np.ndarray:
    """The base a rate applies to, per (month, rep, product) (currency)."""
    amt = inp.counter(base)
    if include_reorders:
        amt = amt + inp.counter("reorder_" + base)
    return amt


def fact_by_product(scenario: "Scenario", inp: PayInputs) -> np.ndarray:
    """Plan fact per (month, rep, product): value won, or value executed, per ``plan.fact_basis``."""
    return base_amount(inp, "executed_revenue" if scenario.plan.fact_basis == "executed" else "revenue")


def attainment(scenario: "Scenario", inp: PayInputs) -> np.ndarray:
    """Plan fact / plan per (month, rep); 0 where there is no plan."""
    fact = fact_by_product(scenario, inp).sum(axis=2)
    plan = inp.plan
    return np.divide(fact, plan, out=np.zeros_like(fact), where=plan > 0)


def rates_for(scenario: "Scenario", rates: Mapping[str, float], default: float) -> np.ndarray:
    """Rate per product (by product name, then its group, then ``default``)."""
    out = []
    for name, spec in scenario.products.items():
        if name in rates:
            out.append(rates[name])
        elif spec.group and spec.group in rates:
            out.append(rates[spec.group])
        else:
            out.append(default)
    return np.array(out, dtype=float)


def metric_values(scenario: "Scenario", inp: PayInputs, metric: str) -> np.ndarray:
    """A bonus or contest metric per (month, rep), in its own unit (see ``components.Metric``)."""
    c, rc = inp.counter, inp.rep_counter
    if metric == "calls_per_day":
        calls, days = c("calls").sum(axis=2), rc("days_present")
        return np.divide(calls, days, out=np.zeros_like(calls), where=days > 0)
    if metric == "meetings":
        return c("meetings").sum(axis=2)
    if metric == "new_clients":
        return c("wins").sum(axis=2)
    if metric == "orders":
        return c("wins").sum(axis=2) + c("reorders").sum(axis=2)
    if metric == "returning_clients_pct":
        back, active = c("reorders").sum(axis=2), rc("clients_active")
        return np.divide(100.0 * back, active, out=np.zeros_like(back), where=active > 0)
    if metric == "successful_calls_pct":
        calls, connects = c("calls").sum(axis=2), c("connects").sum(axis=2)
        return np.divide(100.0 * connects, calls, out=np.zeros_like(calls), where=calls > 0)
    if metric == "attainment_pct":
        return 100.0 * attainment(scenario, inp)
    if metric == "client_contacts":
        return rc("client_contacts").astype(float)
    if metric in ("revenue", "margin", "executed_revenue", "executed_margin"):
        return base_amount(inp, metric).sum(axis=2)
    raise ValueError(f"unknown metric {metric!r}")


def _mask(comp, inp: PayInputs) -> np.ndarray:
    """(reps,) True where the component applies."""
    if comp.reps is None:
        return np.ones(len(inp.rep_groups), dtype=bool)
    return np.array([g in comp.reps for g in inp.rep_groups], dtype=bool)


def _cap(total: np.ndarray, by_product: np.ndarray | None, cap: float | None):
    """Apply a monthly cap to a part, scaling its split by product in proportion."""
    if cap is None:
        return total, by_product
    capped = np.minimum(total, cap)
    if by_product is not None:
        scale = np.divide(capped, total, out=np.ones_like(total), where=total > 0)
        by_product = by_product * scale[..., None]
    return capped, by_product


def _share_by(weights: np.ndarray, total: np.ndarray) -> np.ndarray:
    """Split ``total`` (M, R) over products in proportion to ``weights`` (M, R, P)."""
    w = weights.sum(axis=2)
    return np.divide(weights * total[..., None], w[..., None], out=np.zeros_like(weights), where=w[..., None] > 0)


# --------------------------------------------------------------------------- earned parts
def tier_pay(bands: list[tuple[float, float, float]], a: np.ndarray, cap: float | None, retroactive: bool) -> np.ndarray:
    """Pay per unit of base for attainment ``a`` (the average rate over the month's base).

    Marginal (default): ``sum_k rate_k * |[start_k, end_k) & [0, a)| / a``. Retroactive: the
    rate of the band holding ``min(a, cap)``, times ``min(a, cap) / a``.
    """
    a = np.asarray(a, dtype=float)
    out = np.zeros_like(a)
    pos = a > 0
    if not retroactive:
        for start, end, rate in bands:
            out += rate * np.clip(np.minimum(a, end) - start, 0.0, None)
        return np.divide(out, a, out=np.zeros_like(a), where=pos)
    top = cap if cap is not None else np.inf
    eff = np.minimum(a, top)
    for start, end, rate in bands:
        inside = (eff >= start) & ((eff < end) | ((eff == end) & (end == top)))
        out = np.where(inside, rate, out)
    return np.divide(out * eff, a, out=np.zeros_like(a), where=pos)


def earned_part(scenario: "Scenario", comp, inp: PayInputs) -> tuple[np.ndarray, np.ndarray | None]:
    """Pay of one earned component per (month, rep), and its split by product (or None)."""
    M, R, P = inp.shape
    mask = _mask(comp, inp)[None, :]
    t = comp.type
    if t == "commission":
        by = base_amount(inp, comp.base, comp.include_reorders) * rates_for(scenario, comp.rates, comp.default_rate)
        total, by = _cap(by.sum(axis=2), by, comp.cap_per_month)
    elif t == "plan_fulfilment":
        a = attainment(scenario, inp)
        if comp.variable_at_plan is not None:
            share = np.divide(inp.rep_counter("days_employed"), inp.days_in_month[:, None],
                              out=np.zeros((M, R)), where=inp.days_in_month[:, None] > 0)
            at_plan = comp.variable_at_plan * share
        else:
            at_plan = comp.variable_at_plan_per_salary * salary_matrix(scenario, inp)
        counted = np.minimum(a, comp.cap_fulfilment) if comp.cap_fulfilment is not None else a
        total = np.where(a >= comp.threshold_fulfilment, at_plan * counted, 0.0)
        by = _share_by(fact_by_product(scenario, inp), total)
    elif t == "tiered":
        base = base_amount(inp, comp.base, comp.include_reorders)
        per_unit = tier_pay(comp.bands(), attainment(scenario, inp), comp.cap, comp.retroactive)
        by = base * per_unit[..., None]
        total, by = _cap(by.sum(axis=2), by, comp.cap_per_month)
    elif t == "per_action":
        keep = np.ones(P) if comp.products is None else np.array([p in comp.products for p in scenario.products], float)
        by = np.zeros((M, R, P))
        for action, rate in comp.rates.items():
            counter = ACTIONS[action]
            if counter == "client_contacts":
                by[:, :, key_client_product(scenario)] += rate * inp.rep_counter(counter)
            else:
                by += rate * inp.counter(counter) * keep
        total, by = _cap(by.sum(axis=2), by, comp.cap_per_month)
    elif t == "bonus":
        x = metric_values(scenario, inp, comp.metric)
        hit = (x >= comp.target) & (inp.rep_counter("days_employed") > 0)
        total = np.where(hit, comp.amount + comp.per_unit_above * np.maximum(0.0, x - comp.target), 0.0)
        total, by = _cap(total, None, comp.cap_per_month)
    else:  # pragma: no cover - guarded by EARNED_TYPES
        raise ValueError(t)
    total = np.where(mask, total, 0.0)
    if by is not None:
        by = np.where(mask[..., None], by, 0.0)
    return total, by


def key_client_product(scenario: "Scenario") -> int:
    return list(scenario.products).index(scenario.key_clients.product or next(iter(scenario.products)))


def salary_matrix(scenario: "Scenario", inp: PayInputs) -> np.ndarray:
    """Salary per (month, rep): a ``salary`` component's rate pro-rated by days employed, else the team's."""
    out = np.array(inp.rep_counter("salary"), dtype=float, copy=True)
    employed = np.divide(inp.rep_counter("days_employed"), inp.days_in_month[:, None],
                         out=np.zeros(out.shape), where=inp.days_in_month[:, None] > 0)
    for comp in scenario.pay.of_type("salary"):
        m = _mask(comp, inp)
        out[:, m] = comp.per_month * employed[:, m]
    return out


def earned_total(scenario: "Scenario", inp: PayInputs, components=None) -> np.ndarray:
    """Sum of the earned parts (commission, plan, tiered, per action, bonus) per (month, rep)."""
    M, R, _ = inp.shape
    total = np.zeros((M, R))
    for comp in components if components is not None else scenario.pay.components:
        if comp.type in EARNED_TYPES:
            total += earned_part(scenario, comp, inp)[0]
    return total


#: Relative difference under which two contest scores count as a tie (float rounding, not merit).
TIE_TOLERANCE = 1e-9


def contest_prizes(scenario: "Scenario", comp, inp: PayInputs, salary: np.ndarray) -> np.ndarray:
    """Contest prizes per (month, rep): the month's top eligible rep(s) share the prize.

    Scores within :data:`TIE_TOLERANCE` (relative) of the best tie: two reps whose ratio
    metrics are equal must not be split by the rounding of the division that computes them.
    """
    x = metric_values(scenario, inp, comp.metric)
    days = inp.rep_counter("days_employed")
    eligible = _mask(comp, inp)[None, :] & (days > 0)
    score = np.where(eligible, x, -np.inf)
    best = score.max(axis=1, keepdims=True) if score.shape[1] else np.full((score.shape[0], 1), -np.inf)
    near = TIE_TOLERANCE * np.maximum(1.0, np.abs(np.where(np.isfinite(best), best, 0.0)))
    win = eligible & (score >= best - near) & (best > comp.min_metric)
    n = win.sum(axis=1, keepdims=True)
    daily = np.divide(salary, days, out=np.zeros_like(salary), where=days > 0)
    value = comp.prize / np.maximum(n, 1) + comp.prize_days_off * daily
    return np.where(win, value, 0.0)


def draw_days(scenario: "Scenario", comp, inp: PayInputs) -> tuple[np.ndarray, np.ndarray]:
    """Per (month, rep): working days in the draw period, and the seat holder's hire day (or -inf)."""
    M, R, _ = inp.shape
    if inp.tenure_days is None or inp.month_of_day is None:
        return np.zeros((M, R)), np.full((M, R), -np.inf)
    months = comp.months if comp.months is not None else scenario.people.ramp_months
    limit = months * days_per_month(scenario)
    ten = inp.tenure_days
    employed = ten >= 0
    in_draw = (employed & (ten < limit)).astype(float)
    out = np.zeros((M, R))
    np.add.at(out, inp.month_of_day, in_draw)
    hire = np.where(employed, np.arange(len(ten))[:, None] - ten, -np.inf)
    holder = np.full((M, R), -np.inf)
    for m in range(M):
        rows = hire[inp.month_of_day == m]
        if len(rows):
            holder[m] = np.where(np.isfinite(rows).any(axis=0), np.max(rows, axis=0), -np.inf)
    return out, holder


def apply_draw(guarantee: np.ndarray, earned: np.ndarray, holder: np.ndarray, recoverable: bool,
               recovery_share: float) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Draw part per (month, rep), the balance still owed at the end, and the amounts written off.

    Each month: top-up = ``max(0, guarantee - earned)``; for a recoverable draw the top-up
    is added to the balance, and ``min(balance, recovery_share * max(0, earned - guarantee))``
    is withheld. When the seat's holder changes, the balance is written off.
    """
    M, R = earned.shape
    out = np.zeros((M, R))
    balance = np.zeros(R)
    written_off = np.zeros(R)
    prev = np.full(R, -np.inf)
    for m in range(M):
        new_holder = np.isfinite(holder[m]) & np.isfinite(prev) & (holder[m] != prev)
        written_off += np.where(new_holder, balance, 0.0)
        balance = np.where(new_holder, 0.0, balance)
        prev = np.where(np.isfinite(holder[m]), holder[m], prev)
        top = np.where(guarantee[m] > 0, np.maximum(0.0, guarantee[m] - earned[m]), 0.0)
        if recoverable:
            excess = np.maximum(0.0, earned[m] - guarantee[m])
            recover = np.minimum(balance, recovery_share * excess)
            balance = balance + top - recover
            out[m] = top - recover
        else:
            out[m] = top
    return out, balance, written_off


# --------------------------------------------------------------------------- the whole scheme
def compute_pay(scenario: "Scenario", inp: PayInputs) -> PayBreakdown:
    """Everyone's pay by month and part under ``scenario.pay`` (see the module docstring)."""
    M, R, P = inp.shape
    spec = scenario.pay
    rep: dict[str, np.ndarray] = {}
    rep_product: dict[str, np.ndarray] = {}
    kinds: dict[str, str] = {"salary": "salary"}

    def add(table, table_p, part, kind, total, by=None):
        table[part] = table.get(part, 0) + total
        kinds.setdefault(part, kind)
        if by is not None:
            table_p[part] = table_p.get(part, 0) + by

    salary = salary_matrix(scenario, inp)
    rep["salary"] = salary
    # 2. earned parts
    earned = np.zeros((M, R))
    for comp in spec.components:
        if comp.type in EARNED_TYPES:
            total, by = earned_part(scenario, comp, inp)
            add(rep, rep_product, comp.part, comp.type, total, by)
            earned += total
    # 3. contests
    for comp in spec.of_type("contest"):
        prizes = contest_prizes(scenario, comp, inp, salary)
        add(rep, rep_product, comp.part, "contest", prizes)
        earned += prizes
    # 4. draws (at most one per rep group)
    balance = np.zeros(R)
    written_off = np.zeros(R)
    for comp in spec.of_type("draw"):
        mask = _mask(comp, inp)
        days, holder = draw_days(scenario, comp, inp)
        guarantee = comp.per_month * np.divide(days, inp.days_in_month[:, None], out=np.zeros((M, R)),
                                               where=inp.days_in_month[:, None] > 0)
        part, bal, off = apply_draw(np.where(mask, guarantee, 0.0), earned, holder, comp.recoverable, comp.recovery_share)
        add(rep, rep_product, comp.part, "draw", np.where(mask, part, 0.0))
        balance += np.where(mask, bal, 0.0)
        written_off += np.where(mask, off, 0.0)
    # 5. clawbacks
    pending = np.zeros(R)
    for comp in spec.of_type("clawback"):
        mask = _mask(comp, inp)
        back = np.zeros((M, R))
        if comp.unpaid:
            unsupported = np.maximum(0.0, earned_total(scenario, inp) - earned_total(scenario, inp.executed_only()))
            lag = min(comp.lag_months, M)
            back[lag:] -= unsupported[: M - lag]
            pending += np.where(mask, unsupported[M - lag:].sum(axis=0), 0.0)
        if comp.churned_client_months > 0:
            per_client = np.zeros((M, R))
            for c in spec.of_type("commission"):
                if c.include_reorders:
                    r_amt = inp.counter("reorder_" + c.base) * rates_for(scenario, c.rates, c.default_rate)
                    per_client += np.where(_mask(c, inp), r_amt.sum(axis=2), 0.0)
            clients = inp.rep_counter("clients_active") + inp.rep_counter("clients_churned")
            per_client = np.divide(per_client, clients, out=np.zeros((M, R)), where=clients > 0)
            back -= comp.churned_client_months * per_client * inp.rep_counter("clients_churned")
        add(rep, rep_product, comp.part, "clawback", np.where(mask, back, 0.0))
    # 6. supervisors and operators
    sup, sup_p = _supervisor_pay(scenario, inp, kinds)
    op, op_p = _operator_pay(scenario, inp, kinds)
    return PayBreakdown(rep=rep, rep_product=rep_product, supervisor=sup, supervisor_product=sup_p, operator=op,
                        operator_product=op_p, kinds=kinds, pending_clawback=pending, draw_balance=balance,
                        draw_written_off=written_off)


def team_members(scenario: "Scenario", inp: PayInputs, sup_id: str, indirect: bool) -> np.ndarray:
    """(reps,) True for the reps whose results count for supervisor ``sup_id``."""
    heads = {sup_id}
    if indirect:
        changed = True
        while changed:
            changed = False
            for s in scenario.team.supervisors:
                if s.reports_to in heads and s.id not in heads:
                    heads.add(s.id)
                    changed = True
    return np.array([s in heads for s in inp.rep_supervisor], dtype=bool)


def _supervisor_pay(scenario, inp, kinds):
    M, R, P = inp.shape
    S = len(inp.supervisors)
    sal = inp.sup_salary if inp.sup_salary is not None else np.zeros((M, S))
    out = {"salary": np.asarray(sal, dtype=float)}
    out_p = {}  # name -> pay per (month, supervisor, product)
    fact = fact_by_product(scenario, inp).sum(axis=2)
    for comp in scenario.pay.of_type("override"):
        total = np.zeros((M, S))
        by = np.zeros((M, S, P))
        base = base_amount(inp, comp.base, comp.include_reorders)
        for j, sid in enumerate(inp.supervisors):
            if comp.supervisors is not None and sid not in comp.supervisors:
                continue
            team = team_members(scenario, inp, sid, comp.indirect)
            if not team.any():
                continue
            plan = inp.plan[:, team].sum(axis=1)
            att = np.divide(fact[:, team].sum(axis=1), plan, out=np.zeros(M), where=plan > 0)
            ok = (att >= comp.team_threshold) if comp.team_threshold > 0 else np.ones(M, dtype=bool)
            by[:, j] = comp.rate * base[:, team].sum(axis=1) * ok[:, None]
            total[:, j] = by[:, j].sum(axis=1)
        out[comp.part] = out.get(comp.part, 0) + total
        out_p[comp.part] = out_p.get(comp.part, 0) + by
        kinds.setdefault(comp.part, "override")
    return out, out_p


def _operator_pay(scenario, inp, kinds):
    M, R, P = inp.shape
    h = scenario.pay.handoff
    if h is None:
        return {}, {}
    n = h.operators
    handoffs = inp.counter("handoffs").sum(axis=1)                       # (M, P)
    sales = inp.counter("handoff_" + h.base).sum(axis=1)                  # (M, P)
    fee_p = np.repeat((h.fee_per_contact * handoffs / n)[:, None, :], n, axis=1)
    share_p = np.repeat((h.share_of_sales * sales / n)[:, None, :], n, axis=1)
    kinds.update({"handoff_fee": "handoff_fee", "handoff_share": "handoff_share"})
    out = {"salary": np.full((M, n), h.salary_per_month), "handoff_fee": fee_p.sum(axis=2),
           "handoff_share": share_p.sum(axis=2)}
    return out, {"handoff_fee": fee_p, "handoff_share": share_p}


def variable_pay(scenario: "Scenario", base: Mapping[str, np.ndarray], plan: np.ndarray, salary: np.ndarray,
                 **counters: np.ndarray) -> dict[str, np.ndarray]:
    """Reps' variable pay per (month, rep), by part, from counters (the earlier, narrower API).

    ``base`` holds (month, rep, product) counters such as ``revenue``, ``executed_margin``
    and their ``reorder_`` versions; ``counters`` may add any other :data:`RP_INPUTS` or
    :data:`R_INPUTS`. Every rep is taken as employed the whole month, fully ramped.
    """
    rp = {k: np.asarray(v, dtype=float) for k, v in base.items() if k in RP_INPUTS}
    r = {"salary": np.asarray(salary, dtype=float)}
    for k, v in counters.items():
        (rp if k in RP_INPUTS else r)[k] = np.asarray(v, dtype=float)
    M, R = np.shape(plan)
    groups = [g.id for g in scenario.team.reps for _ in range(g.count)]
    groups = (groups * (R // max(len(groups), 1) + 1))[:R]
    inp = PayInputs(rp=rp, r=r, plan=np.asarray(plan, dtype=float), days_in_month=np.ones(M), rep_groups=groups,
                    rep_supervisor=[None] * R)
    r.setdefault("days_employed", np.ones((M, R)))
    out = compute_pay(scenario, inp)
    return out.rep_variable()


__all__ = [
    "PayInputs", "PayBreakdown", "compute_pay", "variable_pay", "earned_part", "earned_total", "tier_pay",
    "apply_draw", "attainment", "metric_values", "base_amount", "rates_for", "salary_matrix",
]
