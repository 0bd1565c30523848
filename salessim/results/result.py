"""The result of one replication: counters, leads, events, and the tidy tables built from them.

Tables (pandas DataFrames, one row per month x entity, built on first use):

* :meth:`Result.rep_product_monthly`: per month, rep and product (calls, meetings, wins, ...);
* :meth:`Result.rep_monthly`: per month and rep, with plan, fact, pace and pay;
* :meth:`Result.department_monthly`: per month for the whole department;
* :meth:`Result.pnl`: the monthly P&L;
* :meth:`Result.pnl_by_product`: revenue, gross profit and commission per product and month;
* :meth:`Result.payroll`: pay per person, month and component;
* :meth:`Result.pay_warnings`: products whose commission exceeds their gross profit;
* :meth:`Result.supervisor_monthly`: how each head spent their time;
* :meth:`Result.pace_daily`: each rep's plan completion to date, day by day;
* :meth:`Result.leads`: one row per lead with how it ended;
* :meth:`Result.events`: the event log (if it was recorded).

Money is in the scenario's currency, time in hours or working days as named.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from salessim.engine.calendar import WorkCalendar, work_calendar
from salessim.engine.payroll import PayBreakdown, PayInputs, compute_pay
from salessim.engine.recorder import DEPARTMENT_METRICS, REP_METRICS, REP_PRODUCT_METRICS, SUPERVISOR_METRICS
from salessim.results import kpi
from salessim.results.pay_warnings import result_warnings, scheme_warnings
from salessim.scenarios.schema import Scenario

if TYPE_CHECKING:  # pragma: no cover
    from salessim.model import Department

NO_DAY = -(10**9)  # closed_day of a lead still open

#: The stages of the funnel report, in order.
FUNNEL_STAGES = ("first_contact", "meeting", "proposal", "negotiation", "invoicing", "won")


@dataclass
class Result:
    """Everything one replication produced. Picklable, so it can cross process boundaries."""

    scenario: Scenario
    seed: int
    replication: int
    calendar: WorkCalendar
    reps: list[str]
    rep_groups: list[int]
    rep_supervisor: list[str | None]
    rep_region: list[str]
    supervisors: list[str]
    products: list[str]
    rp: dict[str, np.ndarray]
    r: dict[str, np.ndarray]
    s: dict[str, np.ndarray]
    d: dict[str, np.ndarray]
    daily_fact: np.ndarray
    plan: np.ndarray                       # per rep seat: monthly plan (currency)
    lead_data: dict[str, np.ndarray] | None = None
    event_data: list[tuple] | None = None
    clients_start: int = 0
    warmup_dates: tuple = ()               # dates simulated before the reporting period
    tenure_days: np.ndarray | None = None  # per (day, rep seat): holder's tenure (working days), -1 = empty
    _cache: dict[str, Any] = field(default_factory=dict, repr=False)

    # ------------------------------------------------------------------ construction
    @classmethod
    def from_department(cls, dept: "Department", keep_leads: bool = True) -> "Result":
        """Collect a finished department's records, dropping the warm-up months."""
        rec = dept.recorder
        m0, d0 = dept.month0, dept.day0
        sc = dept.scenario
        cal = work_calendar(sc.calendar.start, sc.calendar.months, sc.calendar.hours_per_day,
                            tuple(sc.calendar.workdays), frozenset(sc.calendar.holidays))
        clients_start = rec.clients_at_start
        events = None
        if rec.record_events:
            shift = d0 * dept.calendar.hours_per_day
            events = [(t - shift, *rest) for (t, *rest) in rec.events]
        return cls(
            scenario=sc,
            seed=dept.streams.seed,
            replication=dept.streams.replication,
            calendar=cal,
            reps=[r.id for r in dept.reps],
            rep_groups=[r.group_index for r in dept.reps],
            rep_supervisor=[r.supervisor.id if r.supervisor else None for r in dept.reps],
            rep_region=[r.region for r in dept.reps],
            supervisors=[s.id for s in dept.supervisors],
            products=list(dept.products),
            rp={k: v[m0:] for k, v in rec.rp.items()},
            r={k: v[m0:] for k, v in rec.r.items()},
            s={k: v[m0:] for k, v in rec.s.items()},
            d={k: v[m0:] for k, v in rec.d.items()},
            daily_fact=rec.daily_fact[d0:],
            plan=np.array([r.plan for r in dept.reps], dtype=float),
            lead_data=_lead_arrays(dept, d0) if keep_leads else None,
            event_data=events,
            clients_start=clients_start,
            warmup_dates=tuple(dept.calendar.dates[:d0]),
            tenure_days=_tenure(dept, d0),
        )

    # ------------------------------------------------------------------ helpers
    @property
    def months(self) -> list[str]:
        return list(self.calendar.month_labels)

    def plan_matrix(self) -> np.ndarray:
        """Plan per month and rep (currency), pro-rated by the days the seat is filled."""
        days = self.calendar.days_in_month.astype(float)
        share = np.divide(self.r["days_employed"], days[:, None], out=np.zeros_like(self.r["days_employed"]),
                          where=days[:, None] > 0)
        return self.plan[None, :] * share

    def pay_breakdown(self) -> PayBreakdown:
        """Everyone's pay by month and part under the scenario's scheme (see :mod:`salessim.engine.payroll`)."""
        if "pay" not in self._cache:
            self._cache["pay"] = compute_pay(self.scenario, PayInputs.from_result(self))
        return self._cache["pay"]

    # ------------------------------------------------------------------ tables
    def rep_product_monthly(self) -> pd.DataFrame:
        """Per month, rep and product: activity, funnel and money (one row each)."""
        if "rpm" in self._cache:
            return self._cache["rpm"].copy()
        M, R, P = self.rp["calls"].shape
        idx = pd.MultiIndex.from_product(
            [self.calendar.month_labels, self.reps, self.products], names=["month", "rep", "product"]
        )
        df = pd.DataFrame({k: self.rp[k].reshape(-1) for k in REP_PRODUCT_METRICS}, index=idx).reset_index()
        _derive(df)
        self._cache["rpm"] = df
        return df.copy()

    def rep_monthly(self) -> pd.DataFrame:
        """Per month and rep: activity, hours, intensity, plan, fact, pace % and pay."""
        if "rm" in self._cache:
            return self._cache["rm"].copy()
        M, R = self.r["fact"].shape
        idx = pd.MultiIndex.from_product([self.calendar.month_labels, self.reps], names=["month", "rep"])
        cols = {k: self.rp[k].sum(axis=2).reshape(-1) for k in REP_PRODUCT_METRICS}
        cols.update({k: self.r[k].reshape(-1) for k in REP_METRICS})
        df = pd.DataFrame(cols, index=idx).reset_index()
        df.insert(2, "supervisor", np.tile(np.array(self.rep_supervisor, dtype=object), M))
        df.insert(3, "region", np.tile(np.array(self.rep_region, dtype=object), M))
        _derive(df)
        present = np.maximum(df["days_present"].to_numpy(), 1)
        df["intensity"] = np.where(df["days_present"] > 0, df["intensity_sum"] / present, np.nan)
        df["attention"] = np.where(df["days_present"] > 0, df["attention_sum"] / present, np.nan)
        plan = self.plan_matrix().reshape(-1)
        df["plan"] = plan
        df["plan_fact"] = df["fact"] - df["plan"]
        df["attainment_pct"] = kpi.attainment_pct(df["fact"], df["plan"])
        wd = np.repeat(self.calendar.days_in_month, R).astype(float)
        df["pace_pct"] = kpi.pace_pct(df["fact"], df["plan"], wd, wd)
        bd = self.pay_breakdown()
        df["salary"] = bd.rep["salary"].reshape(-1)
        pay = bd.rep_variable()
        variable = np.zeros(M * R)
        for part, arr in pay.items():
            df[f"pay_{part}"] = arr.reshape(-1)
            variable += arr.reshape(-1)
        df["pay_variable"] = variable
        df["pay_total"] = df["salary"] + variable
        self._cache["rm"] = df
        return df.copy()

    def supervisor_monthly(self) -> pd.DataFrame:
        """Per month and supervisor: hours by use, and the share spent on coaching and listening."""
        idx = pd.MultiIndex.from_product([self.calendar.month_labels, self.supervisors], names=["month", "supervisor"])
        df = pd.DataFrame({k: self.s[k].reshape(-1) for k in SUPERVISOR_METRICS}, index=idx).reset_index()
        hours = df[[c for c in df.columns if c.startswith("hours_")]].sum(axis=1)
        df["coaching_share"] = kpi.ratio(df["hours_listening"] + df["hours_coaching"], hours)
        return df

    def department_monthly(self) -> pd.DataFrame:
        """Per month for the whole department."""
        if "dm" in self._cache:
            return self._cache["dm"].copy()
        rm = self.rep_monthly()
        sums = rm.drop(columns=["rep", "supervisor", "region"]).groupby("month", sort=False).sum(numeric_only=True)
        df = sums[[c for c in sums.columns if c in REP_PRODUCT_METRICS or c in REP_METRICS
                   or c.startswith("pay_") or c in ("plan", "plan_fact", "salary")]].copy()
        df = df.loc[:, ~df.columns.duplicated()]
        days = self.calendar.days_in_month.astype(float)
        df["rep_months"] = np.divide(df["days_employed"].to_numpy(), days, out=np.zeros(len(days)), where=days > 0)
        df["reps_employed"] = df["rep_months"]
        for k in DEPARTMENT_METRICS:
            df[k] = self.d[k]
        _derive(df)
        df["meetings_per_rep"] = kpi.ratio(df["meetings"], df["rep_months"])
        df["intensity"] = kpi.ratio(df["intensity_sum"], df["days_present"])
        df["attainment_pct"] = kpi.attainment_pct(df["fact"], df["plan"])
        att = rm.pivot(index="month", columns="rep", values="attainment_pct").reindex(df.index)
        df["quota_attainment_rate"] = [kpi.quota_attainment_rate(row) for row in att.to_numpy()]
        df["mean_invoice_wait_hours"] = kpi.ratio(df["invoice_wait_hours"], df["invoices"])
        df = df.reset_index()
        self._cache["dm"] = df
        return df.copy()

    def pnl(self) -> pd.DataFrame:
        """The department's monthly P&L (currency).

        ``revenue`` is value executed (paid) from new deals and key-client reorders, booked
        in the month the deal was won; ``contracted_revenue`` includes deals that never pay.
        ``salaries`` covers reps, supervisors, hand-off operators and back-office clerks;
        ``commissions`` every sales-linked part (commission, plan fulfilment, tiers,
        per-action pay, draws, clawbacks, overrides, hand-off fees and shares); ``bonuses``
        metric bonuses and contest prizes; ``variable_pay`` = commissions + bonuses.
        ``overhead`` is the other cost per head. ``cost_of_sales_pct`` is pay with its
        taxes as % of revenue; ``commission_pct_of_gross_profit`` is commissions as % of
        gross margin.
        """
        if "pnl" in self._cache:
            return self._cache["pnl"].copy()
        s = self.scenario
        rp, r = self.rp, self.r
        revenue = (rp["executed_revenue"] + rp["reorder_executed_revenue"]).sum(axis=(1, 2))
        contracted = (rp["revenue"] + rp["reorder_revenue"]).sum(axis=(1, 2))
        gross = (rp["executed_margin"] + rp["reorder_executed_margin"]).sum(axis=(1, 2))
        bd = self.pay_breakdown()
        groups = bd.group_totals()
        clerks = self.d["clerk_salary"]
        salaries = groups["salaries"] + clerks
        commissions, bonuses = groups["commissions"], groups["bonuses"]
        variable = commissions + bonuses
        tax = s.costs.payroll_tax_rate * (salaries + variable)
        days = self.calendar.days_in_month.astype(float)
        rep_heads = np.divide(r["days_employed"].sum(axis=1), days, out=np.zeros_like(days), where=days > 0)
        sup_heads = (np.divide(self.s["days_present"].sum(axis=1), days, out=np.zeros_like(days), where=days > 0)
                     if self.s["days_present"].size else np.zeros_like(days))
        clerk_heads = s.back_office.clerks if s.back_office.enabled else 0
        operators = s.pay.handoff.operators if s.pay.handoff is not None else 0
        heads = rep_heads + sup_heads + clerk_heads + operators
        overhead = s.costs.overhead_per_head_month * heads
        training = r["training_cost"].sum(axis=1)
        carrying = s.costs.inventory_carrying_rate_per_month * self.d["inventory_at_cost"]
        # computed on arrays, then one frame (column-wise pandas arithmetic cost more than the rest)
        f = lambda a: np.asarray(a, dtype=float)  # noqa: E731
        gross, salaries, variable, tax, overhead, training, carrying = (
            f(gross), f(salaries), f(variable), f(tax), f(overhead), f(training), f(carrying))
        profit = gross - salaries - variable - tax - overhead - training - carrying
        df = pd.DataFrame({
            "month": self.calendar.month_labels,
            "contracted_revenue": contracted,
            "revenue": revenue,
            "cogs": revenue - gross,
            "gross_margin": gross,
            "salaries": salaries,
            "commissions": commissions,
            "bonuses": bonuses,
            "variable_pay": variable,
            "payroll_tax": tax,
            "overhead": overhead,
            "training": training,
            "inventory_carrying": carrying,
            "profit": profit,
            "cost_of_sales_pct": kpi.ratio(salaries + variable + tax, revenue) * 100,
            "commission_pct_of_gross_profit": kpi.ratio(commissions, gross) * 100,
            "headcount": heads,
            "inventory_at_cost": self.d["inventory_at_cost"],
        })
        self._cache["pnl"] = df
        return df.copy()

    def pnl_by_product(self) -> pd.DataFrame:
        """Per month and product: revenue, gross profit, and the pay traced to the product (currency).

        ``commission`` is every part of pay that follows a product's sales (commissions,
        plan and tier pay shared out by the product's part of the base, per-action pay,
        overrides, hand-off pay); bonuses, prizes, draws and clawbacks are not traced to
        products. ``commission_pct_of_gross_profit`` above 100 means the company pays more
        for the product's sales than it earns on them.
        """
        rp = self.rp
        M, P = len(self.calendar.month_labels), len(self.products)
        revenue = (rp["executed_revenue"] + rp["reorder_executed_revenue"]).sum(axis=1)
        gross = (rp["executed_margin"] + rp["reorder_executed_margin"]).sum(axis=1)
        traced = self.pay_breakdown().by_product()
        traced = np.zeros((M, P)) if traced is None else traced
        df = pd.DataFrame({
            "month": np.repeat(np.array(self.calendar.month_labels, dtype=object), P),
            "product": np.tile(np.array(self.products, dtype=object), M),
            "revenue": revenue.reshape(-1),
            "gross_margin": gross.reshape(-1),
            "commission": traced.reshape(-1),
        })
        df["commission_pct_of_gross_profit"] = kpi.ratio(df["commission"], df["gross_margin"]) * 100
        return df

    def pay_warnings(self) -> list[str]:
        """Warnings about the scheme and its cost: commission above gross profit, by product."""
        return scheme_warnings(self.scenario) + result_warnings(self.pnl_by_product(), self.scenario.currency)

    def payroll(self) -> pd.DataFrame:
        """Pay per person, month and part (long form: person, role, month, part, amount).

        Roles: ``rep``, ``supervisor``, ``operator`` (hand-off role) and ``clerk`` (the back
        office, one row for all clerks). The amounts add up to the P&L's salaries and
        variable pay.
        """
        months = np.array(self.calendar.month_labels, dtype=object)
        M = len(months)
        bd = self.pay_breakdown()
        frames = []
        operators = [f"operator{i + 1:02d}" for i in range(next(iter(bd.operator.values())).shape[1])] if bd.operator else []
        for role, people, table in (("rep", self.reps, bd.rep), ("supervisor", self.supervisors, bd.supervisor),
                                    ("operator", operators, bd.operator)):
            n = len(people)
            for part, arr in table.items():
                if n == 0:
                    continue
                frames.append(pd.DataFrame({
                    "person": np.tile(np.array(people, dtype=object), M), "role": role,
                    "month": np.repeat(months, n), "part": part, "amount": np.asarray(arr, dtype=float).reshape(-1),
                }))
        if self.d["clerk_salary"].any():
            frames.append(pd.DataFrame({"person": "clerks", "role": "clerk", "month": months, "part": "salary",
                                        "amount": self.d["clerk_salary"]}))
        df = pd.concat(frames, ignore_index=True)
        order = {p: i for i, p in enumerate([*self.reps, *self.supervisors, *operators, "clerks"])}
        df["_o"] = df["person"].map(order)
        df = df.sort_values(["_o", "month"], kind="stable").drop(columns="_o").reset_index(drop=True)
        return df

    def pace_daily(self) -> pd.DataFrame:
        """Each rep's plan completion to date, every working day (the documents' pace %)."""
        cal = self.calendar
        n, R = self.daily_fact.shape
        fact = np.zeros_like(self.daily_fact)
        for m in range(cal.months):
            sel = cal.month_of_day == m
            fact[sel] = np.cumsum(self.daily_fact[sel], axis=0)
        plan = self.plan_matrix()[cal.month_of_day]
        wd = cal.days_in_month[cal.month_of_day].astype(float)
        el = cal.day_in_month.astype(float)
        df = pd.DataFrame({
            "date": np.repeat(np.array(cal.dates, dtype="datetime64[D]"), R),
            "month": np.repeat(np.array(cal.month_labels)[cal.month_of_day], R),
            "rep": np.tile(self.reps, n),
            "working_day_in_month": np.repeat(el, R).astype(int),
            "working_days_in_month": np.repeat(wd, R).astype(int),
            "plan": plan.reshape(-1),
            "fact_to_date": fact.reshape(-1),
        })
        df["expected_to_date"] = df["plan"] / df["working_days_in_month"] * df["working_day_in_month"]
        df["pace_pct"] = kpi.pace_pct(df["fact_to_date"], df["plan"], df["working_days_in_month"],
                                      df["working_day_in_month"])
        return df

    def leads(self) -> pd.DataFrame:
        """One row per lead: origin, owner, product, how and when it ended."""
        if self.lead_data is None:
            raise ValueError("this result was kept without its leads (simulate(..., keep_leads=True))")
        df = pd.DataFrame(self.lead_data)
        df["created_date"] = self._dates_of(df["created_day"].to_numpy())
        closed = df["closed_day"].to_numpy()
        is_closed = closed != NO_DAY
        df["closed_date"] = np.where(is_closed, self._dates_of(np.where(is_closed, closed, 0)), np.datetime64("NaT"))
        df["cycle_days"] = np.where(is_closed, closed - df["created_day"], np.nan)
        return df

    def _dates_of(self, days: np.ndarray) -> np.ndarray:
        """Dates of day indices counted from the reporting start (negative = warm-up)."""
        all_dates = np.array(self.warmup_dates + self.calendar.dates, dtype="datetime64[D]")
        idx = np.clip(np.asarray(days) + len(self.warmup_dates), 0, len(all_dates) - 1)
        return all_dates[idx]

    def funnel(self, by: str | list[str] | tuple[str, ...] = ()) -> pd.DataFrame:
        """The funnel report: leads reaching each stage and conversion to the next.

        Counts leads created in the reporting period, by the furthest stage each reached
        (a won deal reached every stage; an inbound lead starts at first contact, an
        outbound one at a booked meeting). ``by`` cuts it by ``rep``, ``product``,
        ``region``, ``origin`` or ``channel``. Conversion columns are the share of leads
        that reached a stage and went on to the next (open leads still in a stage are
        counted as reached, not converted, so recent months understate conversion).
        """
        by = [by] if isinstance(by, str) else list(by)
        leads = self.leads()
        leads = leads[leads["created_day"] >= 0].copy()
        region = dict(zip(self.reps, self.rep_region))
        leads["region"] = leads["rep"].map(region)
        order = {s: i for i, s in enumerate(FUNNEL_STAGES)}
        furthest = leads["stage"].map(order).fillna(0).astype(int)
        furthest = np.where(leads["state"] == "won", len(FUNNEL_STAGES) - 1, furthest)
        # a lead dropped before anyone worked it never reached its stage
        dropped = (leads["state"] == "dropped").to_numpy()
        cols = {}
        for i, stage in enumerate(FUNNEL_STAGES):
            reached = (furthest >= i) & ~dropped
            if stage == "first_contact":
                reached &= (leads["origin"] == "inbound").to_numpy()
            cols[stage] = reached
        frame = pd.DataFrame(cols, index=leads.index).astype(int)
        frame["leads"] = 1
        frame["dropped"] = dropped.astype(int)
        if by:
            for b in by:
                frame[b] = leads[b].to_numpy()
            out = frame.groupby(by, sort=True).sum()
        else:
            out = frame.sum().to_frame().T
        for a, b in zip(FUNNEL_STAGES[1:-1], FUNNEL_STAGES[2:]):
            out[f"{a}_to_{b}"] = kpi.ratio(out[b], out[a])
        out["meeting_to_won"] = kpi.ratio(out["won"], out["meeting"])
        return out.reset_index() if by else out.reset_index(drop=True)

    def events(self) -> pd.DataFrame:
        """The event log: time (hours and date), kind, lead, rep, product, stage, value."""
        if self.event_data is None:
            raise ValueError("this result was run without its event log (simulate(..., record_events=True))")
        df = pd.DataFrame(self.event_data, columns=["t_hours", "event", "lead_id", "rep", "product", "stage", "value"])
        hpd = self.calendar.hours_per_day
        day = np.floor(df["t_hours"].to_numpy() / hpd).astype(int)
        df.insert(1, "date", self._dates_of(day))
        df["rep"] = np.array(self.reps, dtype=object)[df["rep"].to_numpy()]
        df["product"] = np.array(self.products, dtype=object)[df["product"].to_numpy()]
        return df

    # ------------------------------------------------------------------ summary
    def summary(self) -> dict[str, float]:
        """Headline figures of the whole run (one number each)."""
        if "summary" in self._cache:
            return dict(self._cache["summary"])
        rp, r = self.rp, self.r
        pnl = self.pnl()
        wins = rp["wins"].sum()
        losses = rp["losses"].sum()
        days = self.calendar.days_in_month.astype(float)
        rep_months = float(np.divide(r["days_employed"], days[:, None], out=np.zeros_like(r["days_employed"]),
                                     where=days[:, None] > 0).sum())
        bd = self.pay_breakdown()
        # the per-rep-month figures the summary needs, without building rep_monthly()'s table
        variable = np.zeros(bd.rep["salary"].size)
        for arr in bd.rep_variable().values():
            variable += arr.reshape(-1)
        # summed as the rep_monthly column was (pandas), so the figure is bit-for-bit the same
        pay_total = float(pd.Series(bd.rep["salary"].reshape(-1) + variable).sum())
        attainment = np.asarray(kpi.attainment_pct(self.r["fact"].reshape(-1).astype(float),
                                                   self.plan_matrix().reshape(-1).astype(float)), dtype=float)
        hours_new = rp["prospecting_hours"].sum() + rp["meeting_hours"].sum() + rp["deal_work_hours"].sum() + r["hours_inbound"].sum()
        client_months = r["clients_active"].sum()
        retention_cost = r["hours_clients"].sum() / (client_months / 12) if client_months > 0 else math.nan
        acquisition_cost = hours_new / wins if wins > 0 else math.nan
        out = {
            "revenue": float(pnl["revenue"].sum()),
            "contracted_revenue": float(pnl["contracted_revenue"].sum()),
            "new_business_revenue": float(rp["executed_revenue"].sum()),
            "reorder_revenue": float(rp["reorder_executed_revenue"].sum()),
            "gross_margin": float(pnl["gross_margin"].sum()),
            "won_deals": float(wins),
            "lost_deals": float(losses),
            "win_rate": float(kpi.win_rate(wins, losses)),
            "avg_deal": float(kpi.ratio(rp["revenue"].sum(), wins)),
            "cycle_days": float(kpi.ratio(rp["cycle_days_sum"].sum(), wins)),
            "calls": float(rp["calls"].sum()),
            "meetings": float(rp["meetings"].sum()),
            "meetings_per_rep_month": float(kpi.ratio(rp["meetings"].sum(), rep_months)),
            "proposals": float(rp["proposals"].sum()),
            "meeting_to_contract_pct": float(kpi.ratio(wins, rp["meetings"].sum()) * 100),
            "inbound_leads": float(rp["inbound_leads"].sum()),
            "dropped_leads": float(r["dropped_leads"].sum()),
            "missed_calls": float(r["missed_calls"].sum()),
            "risky_wins": float(rp["risky_wins"].sum()),
            "rep_months": rep_months,
            "salaries": float(pnl["salaries"].sum()),
            "variable_pay": float(pnl["variable_pay"].sum()),
            "commissions": float(pnl["commissions"].sum()),
            "bonuses": float(pnl["bonuses"].sum()),
            "commission_pct_of_gross_profit": float(kpi.ratio(pnl["commissions"].sum(), pnl["gross_margin"].sum()) * 100),
            "pay_per_rep_month": float(kpi.ratio(pay_total, rep_months)),
            "payroll": float((pnl["salaries"] + pnl["variable_pay"] + pnl["payroll_tax"]).sum()),
            "cost_of_sales_pct": float(kpi.ratio((pnl["salaries"] + pnl["variable_pay"] + pnl["payroll_tax"]).sum(),
                                                 pnl["revenue"].sum()) * 100),
            "profit": float(pnl["profit"].sum()),
            "intensity": float(kpi.ratio(r["intensity_sum"].sum(), r["days_present"].sum())),
            "attention": float(kpi.ratio(r["attention_sum"].sum(), r["days_present"].sum())),
            "idle_share": float(kpi.ratio(r["nothing_to_do_hours"].sum(),
                                          r["days_employed"].sum() * self.calendar.hours_per_day)),
            "quota_attainment_rate": kpi.quota_attainment_rate(attainment),
            "key_clients_start": float(self.clients_start),
            "key_clients_lost": float(r["clients_churned"].sum()),
            "key_clients_lost_share": float(kpi.ratio(r["cohort_churned"].sum(), self.clients_start)),
            "acquisition_to_retention_cost": float(kpi.ratio(acquisition_cost, retention_cost)),
            "unsold_stock": float(self.d["inventory_at_cost"][-1]) if len(self.d["inventory_at_cost"]) else 0.0,
            "mean_invoice_wait_hours": float(kpi.ratio(self.d["invoice_wait_hours"].sum(), self.d["invoices"].sum())),
        }
        traced = bd.by_product()
        if traced is None:
            traced = np.zeros((len(self.calendar.month_labels), len(self.products)))
        for j, p in enumerate(self.products):
            out[f"revenue_{p}"] = float(rp["executed_revenue"][:, :, j].sum() + rp["reorder_executed_revenue"][:, :, j].sum())
            out[f"won_deals_{p}"] = float(rp["wins"][:, :, j].sum())
            gp = float(rp["executed_margin"][:, :, j].sum() + rp["reorder_executed_margin"][:, :, j].sum())
            out[f"commission_pct_of_gross_profit_{p}"] = float(kpi.ratio(traced[:, j].sum(), gp) * 100)
        out["clawback_pending"] = float(bd.pending_clawback.sum())
        out["draw_outstanding"] = float(bd.draw_balance.sum())
        self._cache["summary"] = out
        return dict(out)


def _tenure(dept: "Department", day0: int) -> np.ndarray:
    """Per (reporting day, rep seat): the holder's tenure in working days, -1 when the seat is empty."""
    n = dept.calendar.n_days
    days = np.arange(day0, n)
    cols = [np.where(rep.employed[day0:], days - rep.hire_day[day0:], -1) for rep in dept.reps]
    return np.stack(cols, axis=1) if cols else np.zeros((n - day0, 0), dtype=np.int64)


def _derive(df: pd.DataFrame) -> None:
    """Add ratios derived from counts: win rate, average deal, cycle time, connect rate."""
    df["win_rate"] = kpi.win_rate(df["wins"], df["losses"])
    df["avg_deal"] = kpi.ratio(df["revenue"], df["wins"])
    df["cycle_days"] = kpi.ratio(df["cycle_days_sum"], df["wins"])
    df["connect_rate"] = kpi.ratio(df["connects"], df["calls"])


def _lead_arrays(dept: "Department", day0: int = 0) -> dict[str, np.ndarray]:
    """Per-lead arrays; days are counted from the first day of the reporting period."""
    hpd = dept.calendar.hours_per_day
    leads = dept.leads
    rep_ids = np.array([r.id for r in dept.reps], dtype=object)
    prods = np.array(dept.products, dtype=object)
    n = len(leads)
    return {
        "lead_id": np.fromiter((l.id for l in leads), dtype=np.int64, count=n),
        "rep": rep_ids[np.fromiter((l.rep.index for l in leads), dtype=np.int64, count=n)] if n else np.array([], dtype=object),
        "product": prods[np.fromiter((l.product for l in leads), dtype=np.int64, count=n)] if n else np.array([], dtype=object),
        "origin": np.array([l.origin for l in leads], dtype=object),
        "channel": np.array([l.channel for l in leads], dtype=object),
        "created_day": np.fromiter((int(l.created // hpd) - day0 for l in leads), dtype=np.int64, count=n),
        "state": np.array([l.state for l in leads], dtype=object),
        "stage": np.array([("won" if l.state == "won" else l.stage) for l in leads], dtype=object),
        "reason": np.array([l.reason for l in leads], dtype=object),
        "closed_day": np.fromiter((int(l.closed // hpd) - day0 if l.closed >= 0 else NO_DAY for l in leads),
                                  dtype=np.int64, count=n),
        "potential": np.fromiter((l.potential for l in leads), dtype=float, count=n),
        "value": np.fromiter((l.proposal for l in leads), dtype=float, count=n),
        "executed": np.fromiter((l.executed for l in leads), dtype=bool, count=n),
        "risky": np.fromiter((l.risky for l in leads), dtype=bool, count=n),
        "returned": np.fromiter((l.returned for l in leads), dtype=bool, count=n),
    }
