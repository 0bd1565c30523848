"""Grow by hiring, or by raising deal size? The documents' main question, as an analysis.

The documents split growth into two routes: *extensive* (hire more reps, add heads) and
*intensive* (train the same reps to ask for larger deals). This module builds both from a
base scenario (default: the built-in ``baseline``), runs them with paired replications
(common random numbers: replication ``i`` of every option uses the same random streams),
and answers in numbers:

* :class:`GrowthSettings`: the question's knobs, with units and bounds (the notebook's
  widgets are built from them);
* :func:`hire` and :func:`train`: the two routes as scenarios. Hiring adds reps on the
  first day of the period (paid from day one, ramping, with no key clients) and heads;
  existing reps keep their ids, so their random draws are the same in every option.
  Training multiplies every rep's personal threshold (the largest deal they dare propose)
  at a fee per rep and selling days lost, the mechanism of the built-in ``raise_deal_size``;
* :func:`analyse`: today, hire, train, and both, month by month: revenue, profit, meetings
  per rep, payroll; the month the new hires break even; paired differences from today
  with 95% intervals; and a written conclusion computed from those numbers
  (:meth:`GrowthResult.conclusion`);
* :func:`profit_grid`: profit over a grid of headcount x deal-size uplift, each cell a
  paired difference from today (heads follow a span of control).

Money is in the scenario's currency, totals are over the simulated months.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any, Callable, Mapping, Sequence

import numpy as np
import pandas as pd
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from salessim.analyses.compare import Comparison, paired_difference, verdict_word
from salessim.analyses.horizons import DEFAULT_HORIZONS, Horizons, from_replications
from salessim.analyses.robustness import group_of
from salessim.errors import UserError
from salessim.results.metrics import money_text
from salessim.results.statistics import mean_interval
from salessim.runs.cache import CACHE, OutcomeCache
from salessim.runs.replications import Replications, metric_table, replicate_many
from salessim.scenarios.files import load_scenario, scenario_data, validate, validation_message
from salessim.scenarios.provenance import KINDS, assumptions_of
from salessim.scenarios.schema import Scenario, group_rep_ids

#: The documents: "a head of sales with 7 reps keeps them near full intensity".
DEFAULT_SPAN = 7

#: KPIs compared between options (summary metrics of a replication).
KPIS = ("profit", "revenue", "gross_margin", "payroll", "meetings_per_rep_month", "won_deals", "avg_deal",
        "cost_of_sales_pct", "intensity", "key_clients_lost_share")

TODAY, HIRE, TRAIN, BOTH = "today", "hire", "train", "hire + train"


class GrowthSettings(BaseModel):
    """The knobs of the headcount-vs-deal-size question (bounds and units drive the widgets)."""

    model_config = ConfigDict(extra="forbid")

    reps: int = Field(15, ge=1, le=40, description="Sales reps after hiring (people).")
    heads: int = Field(1, ge=1, le=6, description="Heads of sales after hiring (people).")
    threshold_uplift: float = Field(
        4.0, ge=1.0, le=6.0,
        description="Reps' personal threshold after training, as a multiple of today's (x); 1 = no training.")
    training_cost_per_rep: float = Field(3000.0, ge=0, le=50000, description="Training fee per rep (currency per rep).")
    months: int = Field(12, ge=3, le=36, description="Months simulated (months).")
    replications: int = Field(20, ge=2, le=500, description="Replications per option (runs).")
    seed: int = Field(1, ge=0, description="Master seed: the same seed gives the same answer.")
    training_days: float = Field(3.0, ge=0, le=20, description="Selling days each rep spends in training (days).")


# --------------------------------------------------------------------------- the two routes
def _unique(prefix: str, taken: set[str], start: int = 1, width: int = 2) -> Callable[[], str]:
    counter = [start]

    def nxt() -> str:
        while True:
            cand = f"{prefix}{counter[0]:0{width}d}"
            counter[0] += 1
            if cand not in taken:
                taken.add(cand)
                return cand
    return nxt


def hire(base: Scenario, reps: int, heads: int) -> Scenario:
    """``base`` with ``reps`` rep seats and ``heads`` heads of sales.

    * Existing seats keep their ids and attributes (each becomes its own one-seat group, so
      its id and random streams are unchanged); with fewer reps than today the last seats
      are cut.
    * New hires (``new01``, ``new02``, ...) start on the first day of the period, are paid
      from day one, ramp up (``people.ramp_months``) and have no key clients; otherwise they
      are like the first rep group (salary, threshold, skill, plan).
    * New heads (``head2``, ...) are like the first head and in post from the start. When
      heads are added, every seat is reassigned round-robin over all heads (existing reps
      first, then new hires), so each head gets a mix of experienced reps and new hires,
      as in the built-in ``double_headcount_two_supervisors``.

    Raises :class:`UserError` for fewer heads than the base has, or a base without heads.
    """
    data = scenario_data(base)
    team = data["team"]
    sups = team["supervisors"]
    n_sup = len(sups)
    existing = base.n_reps()
    if reps < 1:
        raise UserError(f"expected at least 1 rep, got {reps}", field="reps")
    if n_sup == 0:
        raise UserError(f"{base.name} has no head of sales to copy; add one to the scenario first", field="heads")
    if heads < n_sup:
        raise UserError(f"expected at least the {n_sup} heads {base.name} has today (this analysis adds heads, "
                        f"it does not remove them), got {heads}", field="heads")
    if heads > reps:
        raise UserError(f"expected no more heads than reps: {heads} heads for {reps} reps", field="heads")
    if reps == existing and heads == n_sup:
        return base
    start = base.calendar.start
    # heads
    sup_ids = {s["id"] for s in sups}
    next_head = _unique("head", sup_ids, start=2, width=1)
    for _ in range(heads - n_sup):
        sups.append({**sups[0], "id": next_head(), "reports_to": None, "hire_date": None, "leave_date": None})
    head_ids = [s["id"] for s in sups]
    # seats: every existing group exploded into one-seat groups with the same ids
    seats: list[dict[str, Any]] = []
    seats_of_group: dict[str, list[str]] = {}
    for g, spec in zip(team["reps"], base.team.reps):
        kept = []
        for rid in group_rep_ids(spec):
            if len(seats) >= reps:
                break
            seats.append({**g, "id": rid, "count": 1})
            kept.append(rid)
        seats_of_group[spec.id] = kept
    taken = {s["id"] for s in seats} | {rid for g in base.team.reps for rid in group_rep_ids(g)}
    template = team["reps"][0]
    next_new = _unique("new", taken, width=max(2, len(str(max(reps - existing, 1)))))
    new_ids = []
    for _ in range(reps - len(seats)):
        rid = next_new()
        new_ids.append(rid)
        seats.append({**template, "id": rid, "count": 1, "hire_date": start, "key_clients": 0})
    # supervisors of the seats
    old = [s for s in seats if s["id"] not in new_ids]
    new = [s for s in seats if s["id"] in new_ids]
    if heads > n_sup:
        for i, s in enumerate(old):
            s["supervisor"] = head_ids[i % heads]
        for i, s in enumerate(new):
            s["supervisor"] = head_ids[i % heads]
    else:
        front = [s["supervisor"] for s in old if s.get("supervisor")] or head_ids
        order = list(dict.fromkeys(front))
        for i, s in enumerate(new):
            s["supervisor"] = order[i % len(order)]
    team["reps"] = seats
    _remap_groups(data, seats_of_group, {s["id"] for s in seats})
    data["name"] = f"{base.name}_hire_{reps}_reps_{heads}_heads"
    data["description"] = f"{base.name} with {reps} reps and {heads} head(s) ({_plural(reps - existing, 'new hire')})."
    return validate(data, default_source=f"hire({reps} reps, {heads} heads)")


def _remap_groups(data: dict[str, Any], seats_of_group: Mapping[str, list[str]], kept: set[str]) -> None:
    """Pay components that name rep groups now name the seats those groups became."""
    pay = data.get("pay") or {}
    for comp in pay.get("components", []) or []:
        groups = comp.get("reps")
        if groups:
            comp["reps"] = [rid for g in groups for rid in seats_of_group.get(g, [g]) if rid in kept] or None
            if comp["reps"] is None:
                raise UserError(f"the pay component {comp.get('name') or comp.get('type')} applies to rep groups "
                                f"{groups} that the cut removes entirely", field="reps")


def train(base: Scenario, uplift: float, cost_per_rep: float, days_out: float = 3.0, month: int = 0) -> Scenario:
    """``base`` with every rep trained in ``month`` to propose ``uplift`` times larger deals.

    The training multiplies each rep's personal threshold by ``uplift`` (the built-in
    ``raise_deal_size`` uses 4x), costs ``cost_per_rep`` per rep, and takes ``days_out``
    selling days. ``uplift = 1`` returns ``base`` unchanged.
    """
    if uplift < 1:
        raise UserError(f"expected an uplift of 1 or more (1 = no training), got {uplift:g}", field="threshold_uplift")
    if uplift == 1:
        return base
    data = scenario_data(base)
    data["deal_size"]["training"] = {"threshold_multiplier": float(uplift), "cost_per_rep": float(cost_per_rep),
                                     "days_out": float(days_out), "month": int(month)}
    data["name"] = f"{base.name}_train_{uplift:g}x"
    # what training does to thresholds is not the user's data: the documents' one case gave x4
    data.setdefault("provenance", {})["deal_size.training.threshold_multiplier"] = {
        "kind": "anecdote", "range": [1.5, 4.0],
        "reason": f"x{uplift:g} here; the documents' one case (a contract from $200k to $800k a month) gave x4, "
                  "applied to every rep and every deal"}
    return validate(data, default_source=f"train({uplift:g}x)")


def heads_for(reps: int, span: int = DEFAULT_SPAN, minimum: int = 1) -> int:
    """Heads needed so that no head has more than ``span`` reps."""
    return max(minimum, math.ceil(reps / span))


def _plural(k: int, word: str) -> str:
    return f"{k} {word}{'' if abs(k) == 1 else 's'}"


# --------------------------------------------------------------------------- options
@dataclass(frozen=True)
class Option:
    """One way to grow: a label, a scenario, and what it changes."""

    label: str
    scenario: Scenario
    reps: int
    heads: int
    uplift: float
    new_hires: tuple[str, ...] = ()
    new_heads: tuple[str, ...] = ()

    @property
    def description(self) -> str:
        parts = [f"{self.reps} reps, {self.heads} head{'s' if self.heads != 1 else ''}"]
        if self.uplift != 1:
            parts.append(f"thresholds x{self.uplift:g} after training")
        return "; ".join(parts)


def base_scenario(base: Scenario | str, months: int | None = None) -> Scenario:
    """The base scenario with the analysis' horizon."""
    sc = load_scenario(base) if not isinstance(base, Scenario) else base
    if months is not None and months != sc.calendar.months:
        sc = load_scenario(sc, {"calendar.months": int(months)})
    return sc


def build_options(settings: GrowthSettings, base: Scenario | str = "baseline") -> list[Option]:
    """Today, and each route the settings describe (hire, train, both); routes equal to today are left out."""
    today = base_scenario(base, settings.months)
    n0, h0 = today.n_reps(), len(today.team.supervisors)
    old_ids = set(today.rep_ids())
    old_heads = {s.id for s in today.team.supervisors}
    hired = hire(today, settings.reps, settings.heads)
    new_hires = tuple(r for r in hired.rep_ids() if r not in old_ids)
    new_heads = tuple(s.id for s in hired.team.supervisors if s.id not in old_heads)
    opts = [Option(TODAY, today, n0, h0, 1.0)]
    grows = hired is not today
    trains = settings.threshold_uplift != 1
    if grows:
        opts.append(Option(HIRE, hired, settings.reps, settings.heads, 1.0, new_hires, new_heads))
    if trains:
        opts.append(Option(TRAIN, train(today, settings.threshold_uplift, settings.training_cost_per_rep,
                                        settings.training_days), n0, h0, settings.threshold_uplift))
    if grows and trains:
        opts.append(Option(BOTH, train(hired, settings.threshold_uplift, settings.training_cost_per_rep,
                                       settings.training_days), settings.reps, settings.heads,
                           settings.threshold_uplift, new_hires, new_heads))
    return opts


# --------------------------------------------------------------------------- break-even
@dataclass
class BreakEven:
    """When the new hires' cumulative gross margin covers their cumulative cost.

    ``margin`` and ``cost`` are cumulative per (replication, month): the new reps' executed
    gross margin (new deals and reorders), and their pay with payroll tax, overhead per head
    and training, plus the same for the heads added. ``months_to_break_even`` holds, per
    replication, the first month (1 = the first month of the period) at whose end the
    margin has covered the cost; NaN when not within the horizon. ``department`` is the
    same for the whole department against today (the option's cumulative profit minus
    today's, paired by replication), which also counts what hiring does to the existing
    reps (for example less of the head's time each).
    """

    option: str
    months: list[str]
    margin: np.ndarray
    cost: np.ndarray
    months_to_break_even: np.ndarray
    department_gain: np.ndarray
    department_months: np.ndarray

    @staticmethod
    def first_month(cum: np.ndarray) -> np.ndarray:
        """Per row: 1 + the first month index from which the cumulative series stays at or above 0 (NaN if never)."""
        out = np.full(cum.shape[0], np.nan)
        for i, row in enumerate(cum):
            neg = np.flatnonzero(row < 0)
            if len(neg) == 0:
                out[i] = 1.0
            elif neg[-1] < len(row) - 1:
                out[i] = float(neg[-1] + 2)
        return out

    @property
    def n(self) -> int:
        return len(self.months_to_break_even)

    def stats(self, department: bool = False, level: float = 0.90) -> dict[str, float]:
        """Median month, the central ``level`` range over replications (inf = beyond the horizon), share reached."""
        x = self.department_months if department else self.months_to_break_even
        reached = np.isfinite(x)
        filled = np.where(reached, x, np.inf)
        lo, hi = (1 - level) / 2, 1 - (1 - level) / 2
        return {"median": float(np.quantile(filled, 0.5, method="inverted_cdf")),
                "low": float(np.quantile(filled, lo, method="inverted_cdf")),
                "high": float(np.quantile(filled, hi, method="inverted_cdf")),
                "reached_share": float(reached.mean()), "reached": int(reached.sum()), "n": int(len(x)),
                "horizon": len(self.months)}

    def describe(self, department: bool = False) -> str:
        """The break-even month in words ("month 7 (90% of replications: month 6 to month 9)"), or ""."""
        s = self.stats(department)
        M = s["horizon"]
        if s["reached"] == 0:
            return ""
        rng = f"{_month_words(s['low'], M)} to {_month_words(s['high'], M)}"
        share = "" if s["reached"] == s["n"] else f"; within {M} months in {s['reached']} of {s['n']} replications"
        return f"{_month_words(s['median'], M)} (90% of replications: {rng}{share})"

    def sentence(self, department: bool = False) -> str:
        """One sentence for the conclusion."""
        s = self.stats(department)
        M, n, k = s["horizon"], s["n"], s["reached"]
        if department:
            subject, verb, never = ("Counting the whole department against today, cumulative profit", "catches up",
                                    "does not catch up")
        else:
            subject = "The new hires' own gross margin"
            cost = "their cost (pay, payroll tax, overhead, training, and any heads added for them)"
            verb, never = f"covers {cost}", f"does not cover {cost}"
        if k == 0:
            return f"{subject} {never} within the {M} months simulated (in none of {n} replications)."
        if not math.isfinite(s["median"]):
            x = self.department_months if department else self.months_to_break_even
            return (f"{subject} {verb} within the {M} months simulated in only {k} of {n} replications (the earliest "
                    f"by month {int(np.nanmin(x))}); in most it takes longer.")
        return f"{subject} {verb} by {self.describe(department)}."


def _month_words(m: float, horizon: int) -> str:
    return f"after month {horizon}" if not math.isfinite(m) else f"month {int(m)}"


def break_even(option: Replications, today: Replications, new_hires: Sequence[str], new_heads: Sequence[str],
               label: str) -> BreakEven:
    """The :class:`BreakEven` of an option's new hires (and the heads added for them)."""
    sc = option.scenario
    tax, overhead = sc.costs.payroll_tax_rate, sc.costs.overhead_per_head_month
    first = option.series(0)
    reps = first.reps
    idx = [reps.index(r) for r in new_hires if r in reps]
    days = np.stack([option.series(i).days_in_month for i in range(option.n)])                      # n x M
    margin = option.rep_array("gross_margin")[:, :, idx].sum(axis=2)
    pay = option.rep_array("pay")[:, :, idx].sum(axis=2)
    employed = option.rep_array("days_employed")[:, :, idx].sum(axis=2)
    training = option.rep_array("training_cost")[:, :, idx].sum(axis=2)
    seats = np.divide(employed, days, out=np.zeros_like(employed), where=days > 0)
    cost = pay * (1 + tax) + overhead * seats + training
    sups = first.supervisors
    hidx = [sups.index(h) for h in new_heads if h in sups]
    if hidx:
        spay = np.stack([option.series(i).supervisor_pay[:, hidx].sum(axis=1) for i in range(option.n)])
        sdays = np.stack([option.series(i).supervisor_days[:, hidx].sum(axis=1) for i in range(option.n)])
        cost = cost + spay * (1 + tax) + overhead * np.divide(sdays, days, out=np.zeros_like(sdays), where=days > 0)
    cum_margin, cum_cost = np.cumsum(margin, axis=1), np.cumsum(cost, axis=1)
    gain = np.cumsum(option.monthly("profit") - today.monthly("profit"), axis=1)
    return BreakEven(label, option.months, cum_margin, cum_cost, BreakEven.first_month(cum_margin - cum_cost),
                     gain, BreakEven.first_month(gain))


# --------------------------------------------------------------------------- the analysis
@dataclass
class GrowthResult:
    """Today and each route, run with paired replications (see :func:`analyse`)."""

    settings: GrowthSettings
    options: list[Option]
    runs: dict[str, Replications] = field(repr=False)

    # ------------------------------------------------------------------ basics
    @property
    def labels(self) -> list[str]:
        return [o.label for o in self.options]

    @property
    def today(self) -> Replications:
        return self.runs[TODAY]

    @property
    def currency(self) -> str:
        return self.today.currency

    @property
    def n(self) -> int:
        return self.today.n

    @property
    def months(self) -> list[str]:
        return self.today.months

    def option(self, label: str) -> Option:
        for o in self.options:
            if o.label == label:
                return o
        raise KeyError(label)

    def comparison(self) -> Comparison:
        """The options against today as a :class:`~salessim.analyses.compare.Comparison` (paired differences, verdicts)."""
        metrics = list(self.today.outcomes[0].summary)
        table = metric_table([(lab, self.runs[lab]) for lab in self.labels], metrics)
        table.insert(0, "point", table["label"].map({lab: i for i, lab in enumerate(self.labels)}))
        return Comparison(table=table, base=TODAY, variants=self.labels[1:], seed=self.settings.seed,
                          main_kpi="profit", currency=self.currency)

    # ------------------------------------------------------------------ tables
    def bands(self, series: str, level: float = 0.90) -> dict[str, pd.DataFrame]:
        """Per option: the monthly mean and central ``level`` band of a department series."""
        return {lab: self.runs[lab].band(series, level) for lab in self.labels}

    def summary(self) -> pd.DataFrame:
        """The numbers per option: means over replications, and profit against today with its 95% interval."""
        rows = []
        base_profit = self.today.metric("profit")
        for opt in self.options:
            s = self.runs[opt.label]
            rev, prof, pay = s.metric("revenue").mean(), s.metric("profit"), s.metric("payroll").mean()
            d = paired_difference(base_profit, prof, 1)
            rows.append({
                "option": opt.label, "reps": opt.reps, "heads": opt.heads, "threshold_x": opt.uplift,
                "revenue": rev, "profit": prof.mean(), "payroll": pay,
                "payroll_pct_of_revenue": 100 * pay / rev if rev else np.nan,
                "meetings_per_rep_month": s.metric("meetings_per_rep_month").mean(),
                "won_deals": s.metric("won_deals").mean(), "avg_deal": s.metric("avg_deal").mean(),
                "profit_vs_today": d["diff"] if opt.label != TODAY else 0.0,
                "profit_vs_today_low": d["low"] if opt.label != TODAY else np.nan,
                "profit_vs_today_high": d["high"] if opt.label != TODAY else np.nan,
                "verdict": verdict_word("profit", d["low"], d["high"]) if opt.label != TODAY else "",
            })
        return pd.DataFrame(rows)

    def payroll_vs_revenue(self) -> pd.DataFrame:
        """Per option, whole period: payroll and revenue, mean with 95% intervals."""
        rows = []
        for lab in self.labels:
            s = self.runs[lab]
            p, r = mean_interval(s.metric("payroll")), mean_interval(s.metric("revenue"))
            rows.append({"option": lab, "payroll": p["mean"], "payroll_low": p["low"], "payroll_high": p["high"],
                         "revenue": r["mean"], "revenue_low": r["low"], "revenue_high": r["high"]})
        return pd.DataFrame(rows)

    def break_even(self, label: str | None = None) -> BreakEven | None:
        """The new hires' break-even of ``label`` (default: ``hire``, else ``hire + train``); None without hires."""
        label = label or next((lab for lab in (HIRE, BOTH) if lab in self.runs), None)
        if label is None:
            return None
        opt = self.option(label)
        if not opt.new_hires:
            return None
        return break_even(self.runs[label], self.today, opt.new_hires, opt.new_heads, label)

    # ------------------------------------------------------------------ the conclusion
    def conclusion(self) -> list[str]:
        """A short written conclusion, every number computed from the replications.

        One sentence per finding: the option with the most profit and whether it is
        detectably better than today and than the runner-up (paired 95% intervals); what
        hiring does to meetings per rep; payroll against revenue; when new hires break even.
        """
        cur = self.currency

        def plus(v: float) -> str:
            return money_text(v, cur, signed=True)

        M, n = self.settings.months, self.n
        if len(self.options) == 1:
            return [f"These settings describe today's department ({self.options[0].description}): move reps, "
                    "heads or the threshold uplift to compare a way to grow."]
        out: list[str] = []
        cmp = self.comparison()
        kpis = ["profit", "revenue", "meetings_per_rep_month", "payroll"]
        diffs = cmp.differences(kpis).set_index(["variant", "kpi"])
        prof = {lab: self.runs[lab].metric("profit") for lab in self.labels}
        ranked = sorted(self.labels[1:], key=lambda lab: prof[lab].mean(), reverse=True)
        best = ranked[0]
        d = diffs.loc[(best, "profit")]
        word = d["verdict"]
        what = f"{_name(self.option(best))}"
        if word == "better":
            out.append(f"Over {M} months, {what} gives the most profit: {plus(d['diff'])} against today (95% "
                       f"interval {plus(d['low'])} to {plus(d['high'])}, {n} paired replications).")
        elif word == "worse":
            out.append(f"Over {M} months, no option beats today on profit: even the best, {what}, changes it by "
                       f"{plus(d['diff'])} (95% interval {plus(d['low'])} to "
                       f"{plus(d['high'])}, {n} paired replications).")
        else:
            out.append(f"Over {M} months, no option changes profit detectably: the best, {what}, is "
                       f"{plus(d['diff'])} against today, but the 95% interval "
                       f"({plus(d['low'])} to {plus(d['high'])}, {n} paired "
                       f"replications) includes zero; more replications would narrow it.")
        if len(ranked) > 1:
            second = ranked[1]
            pd_ = paired_difference(prof[second], prof[best], 1)
            v = verdict_word("profit", pd_["low"], pd_["high"])
            wins = int(round(pd_["win_share"] * n))
            if v == "better":
                out.append(f"It beats the runner-up, {_name(self.option(second))}, by "
                           f"{money_text(pd_['diff'], cur)} (95% interval {money_text(pd_['low'], cur)} to "
                           f"{money_text(pd_['high'], cur)}; more profit in {wins} of {n} paired replications).")
            else:
                out.append(f"The runner-up, {_name(self.option(second))}, is not detectably behind it "
                           f"({plus(pd_['diff'])}, 95% interval {plus(pd_['low'])} "
                           f"to {plus(pd_['high'])}).")
        for lab in self.labels[1:]:
            if lab == best:
                continue
            dd = diffs.loc[(lab, "profit")]
            if dd["verdict"] == "worse":
                out.append(f"{_cap(_name(self.option(lab)))} lowers profit by {money_text(-dd['diff'], cur)} against "
                           f"today (95% interval {money_text(-dd['high'], cur)} to {money_text(-dd['low'], cur)}).")
        hire_lab = next((lab for lab in (HIRE, BOTH) if lab in self.runs), None)
        if hire_lab is not None:
            opt = self.option(hire_lab)
            m0 = self.today.metric("meetings_per_rep_month").mean()
            dm = diffs.loc[(hire_lab, "meetings_per_rep_month")]
            m1 = m0 + dm["diff"]
            span0 = self.options[0].reps / max(self.options[0].heads, 1)
            span1 = opt.reps / max(opt.heads, 1)
            reasons = []
            if dm["high"] < 0:
                if opt.new_hires:
                    ramp = opt.scenario.people.ramp_months
                    reasons.append(f"new hires hold fewer while they ramp up over their first {ramp:g} months")
                if span1 > span0:
                    reasons.append(f"each head now has {span1:.1f} reps instead of {span0:.1f}, so each rep gets less "
                                   "of a head's time")
            why = (": " + ", and ".join(reasons)) if reasons else ""
            ci = f"95% interval of the change {dm['low']:+.1f} to {dm['high']:+.1f}"
            team = f"With {opt.reps} reps and {_plural(opt.heads, 'head')}"
            if dm["verdict"] == "no detectable difference":
                out.append(f"{team}, a rep holds about as many meetings a month as today ({m1:.1f} vs {m0:.1f}; {ci}).")
            else:
                out.append(f"{team}, a rep holds {m1:.1f} meetings a month instead of {m0:.1f} ({ci}){why}.")
        if TRAIN in self.runs:
            pr = diffs.loc[(TRAIN, "payroll")]
            rv = diffs.loc[(TRAIN, "revenue")]
            if rv["diff_pct"] == rv["diff_pct"] and pr["diff_pct"] == pr["diff_pct"]:
                if rv["diff_pct"] > pr["diff_pct"]:
                    tail = ("revenue grows faster than payroll, because salaries stay fixed and only the variable "
                            "part follows sales")
                else:
                    tail = "payroll grows at least as fast as revenue"
                out.append(f"Training changes revenue by {rv['diff_pct']:+.0f}% and payroll by {pr['diff_pct']:+.0f}% "
                           f"with the same reps: {tail}.")
        be = self.break_even()
        if be is not None:
            out.append(be.sentence())
            out.append(be.sentence(department=True))
        if M >= 24:
            for lab, h in self.horizons().items():
                if h.turns("profit") or lab != best:
                    out.extend(h.sentences("profit"))
        out.extend(self.rests_on())
        return out

    def horizons(self, horizons: Sequence[int] | None = None) -> dict[str, Horizons]:
        """Each option against today over ``horizons`` (months; default 12, 24 and 36, those the run
        covers), with its payback month (:mod:`salessim.analyses.horizons`)."""
        wanted = [h for h in (horizons or DEFAULT_HORIZONS) if h <= self.settings.months] or [self.settings.months]
        out = {}
        for lab in self.labels[1:]:
            h = from_replications(self.today, self.runs[lab], wanted)
            h.base, h.variant = "today", _cap(_name(self.option(lab)))
            out[lab] = h
        return out

    def rests_on(self) -> list[str]:
        """What each option's answer rests on: its values that come from a fit of the documents' claims
        or from one anecdote rather than the user's data (with their plausible ranges); those of the
        attention curve and the ramp for hiring, the threshold uplift for training."""
        out = []
        groups = {HIRE: ("how reps respond to supervision", "ramp and turnover"), TRAIN: ("training",),
                  BOTH: ("how reps respond to supervision", "ramp and turnover", "training")}
        for lab in self.labels[1:]:
            marks = []
            for a in assumptions_of(self.option(lab).scenario):
                if a.is_assumption and a.kind in ("anecdote", "fitted", "documents") \
                        and group_of(a.path) in groups.get(lab, ()):
                    rng = f", plausible {a.low:g} to {a.high:g}" if a.low is not None else ""
                    marks.append(f"{a.path} = {a.value:g} ({KINDS[a.kind]}{rng})")
            if marks:
                out.append(f"{_cap(_name(self.option(lab)))} rests on values that are not your data: "
                           + "; ".join(marks) + ". salessim compare --robust shows where the answer turns.")
        return out

    def conclusion_markdown(self) -> str:
        """:meth:`conclusion` as a Markdown list."""
        return "\n".join(f"- {s}" for s in self.conclusion())


def _name(opt: Option) -> str:
    if opt.label == HIRE:
        return f"hiring ({opt.description})"
    if opt.label == TRAIN:
        return f"training reps to propose deals up to {opt.uplift:g}x larger"
    if opt.label == BOTH:
        return f"hiring and training ({opt.description})"
    return "today's department"


def _cap(s: str) -> str:
    return s[:1].upper() + s[1:]


def analyse(settings: GrowthSettings | Mapping[str, Any] | None = None, base: Scenario | str = "baseline", *,
            workers: int | None = None, cache: OutcomeCache | None = CACHE,
            progress: Callable[[int, int], None] | None = None) -> GrowthResult:
    """Run today and every route of ``settings`` with paired replications; see :class:`GrowthResult`.

    ``settings`` may be a :class:`GrowthSettings` or a dict of its fields (the rest default).
    Replications already in ``cache`` are not run again.
    """
    settings = _settings(settings)
    options = build_options(settings, base)
    sets = replicate_many([o.scenario for o in options], settings.replications, settings.seed, detail="outcome",
                          workers=workers, cache=cache, on_progress=progress)
    return GrowthResult(settings, options, {o.label: s for o, s in zip(options, sets)})


def _settings(settings: GrowthSettings | Mapping[str, Any] | None) -> GrowthSettings:
    if settings is None:
        return GrowthSettings()
    if isinstance(settings, GrowthSettings):
        return settings

    try:
        return GrowthSettings(**dict(settings))
    except ValidationError as e:
        field, message = validation_message(e)
        raise UserError(message, field=field) from None


# --------------------------------------------------------------------------- the heatmap
@dataclass
class ProfitGrid:
    """Profit over headcount x threshold uplift, each cell paired with today (see :func:`profit_grid`)."""

    table: pd.DataFrame        # reps, heads, uplift, profit, diff, low, high, verdict, win_share, n
    span: int
    months: int
    n: int
    seed: int
    currency: str
    today_reps: int
    today_heads: int


def profit_grid(base: Scenario | str = "baseline", reps_values: Sequence[int] = (7, 10, 14, 21),
                uplift_values: Sequence[float] = (1.0, 2.0, 3.0, 4.0), *, span: int = DEFAULT_SPAN,
                training_cost_per_rep: float = 3000.0, training_days: float = 3.0, months: int = 12, n: int = 10,
                seed: int = 1, workers: int | None = None, cache: OutcomeCache | None = CACHE,
                progress: Callable[[int, int], None] | None = None) -> ProfitGrid:
    """Profit at every (reps, uplift) point, as a paired difference from today.

    Heads follow a span of control: ``max(today's heads, ceil(reps / span))`` (the documents:
    a head keeps 7 reps near full intensity). Every point runs replications ``0 .. n-1``
    of ``seed``, the same as today's, so each cell's difference is paired.
    """
    if not reps_values or not uplift_values:
        raise UserError("expected at least one headcount and one uplift for the grid", field="grid")
    if span < 1:
        raise UserError(f"expected a span of control of at least 1 rep per head, got {span}", field="span")
    today = base_scenario(base, months)
    h0 = len(today.team.supervisors)
    points: list[tuple[int, int, float, Scenario]] = []
    for r in reps_values:
        h = min(max(h0, heads_for(int(r), span)), int(r)) if int(r) >= h0 else h0
        hired = hire(today, int(r), h)
        for u in uplift_values:
            points.append((int(r), h, float(u), train(hired, float(u), training_cost_per_rep, training_days)))
    sets = replicate_many([today] + [p[3] for p in points], n, seed, detail="outcome", workers=workers, cache=cache,
                          on_progress=progress)
    base_profit = sets[0].metric("profit")
    rows = []
    for (r, h, u, _), s in zip(points, sets[1:]):
        prof = s.metric("profit")
        d = paired_difference(base_profit, prof, 1)
        rows.append({"reps": r, "heads": h, "uplift": u, "profit": float(prof.mean()), "diff": d["diff"],
                     "low": d["low"], "high": d["high"], "verdict": verdict_word("profit", d["low"], d["high"]),
                     "win_share": d["win_share"], "n": d["n"]})
    return ProfitGrid(pd.DataFrame(rows), span, today.calendar.months, n, seed, today.currency, today.n_reps(), h0)

