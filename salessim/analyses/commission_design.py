"""Design a commission scheme and compare it with the one in place, before rolling it out.

A consultant's way to put the question: *for the same pay at 100% of plan, how should it be
split and what should it be based on?* A :class:`SchemeDesign` says

* the **on-target pay**: what a rep earns in a month at exactly 100% of plan;
* the **fixed / variable split**: the share of it that is salary;
* the **pay base**: revenue or margin, contracted (signed) or executed (paid);
* the **rate per product group**: each other group's rate as a multiple of the established
  group's (the documents: 2x on B; 5x could exceed the gross profit): one multiple for every
  new group, or one per group (``group_rate_multiples``);
* **tiers and caps**: a threshold below which no commission is paid, an accelerator (or
  decelerator) above a point, and a cap above which nothing more is paid.

:func:`scheme_components` turns a design into the pay components of :mod:`salessim.scenarios.pay`
(a ``salary``, then a ``commission`` with a rate per group, or a ``tiered`` commission plus
a ``commission`` *kicker* on the new group when there are tiers, since tiers pay one rate).
The established group's rate is solved so that a rep at 100% of plan earns the on-target
pay; :func:`apply_design` puts the scheme into a scenario (validated like any scenario);
:func:`compare_schemes` runs the scheme in place and the design with paired replications
and gives everything the notebook charts (rep pay distribution, cost of sales, effort split
across products, profit, key-client losses, revenue by group) with paired differences.

Money is in the scenario's currency per month unless a name says otherwise; attainment is
plan fact / plan (1 = 100% of plan).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Annotated, Any, Callable, Literal, Mapping

import numpy as np
import pandas as pd
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from salessim.analyses.compare import Comparison, paired_difference, verdict_word
from salessim.errors import UserError
from salessim.results.metrics import direction, money_text
from salessim.results.pay_warnings import scheme_warnings
from salessim.results.statistics import mean_interval
from salessim.runs.cache import CACHE, OutcomeCache
from salessim.runs.replications import Replications, metric_table, replicate_many
from salessim.scenarios.files import load_scenario, scenario_data, validate, validation_message
from salessim.scenarios.schema import Scenario

PayBase = Literal["revenue", "margin", "executed_revenue", "executed_margin"]

BASE_WORDS = {
    "revenue": "revenue signed", "margin": "margin signed",
    "executed_revenue": "revenue paid (executed)", "executed_margin": "margin paid (executed)",
}

#: KPIs compared between schemes.
KPIS = ("profit", "revenue", "gross_margin", "cost_of_sales_pct", "pay_per_rep_month", "commissions",
        "key_clients_lost_share", "won_deals", "risky_wins")

CURRENT, DESIGN = "scheme in place", "new design"


class SchemeDesign(BaseModel):
    """A commission scheme in a consultant's terms (bounds and units drive the widgets)."""

    model_config = ConfigDict(extra="forbid")

    on_target_pay: float = Field(6500.0, ge=500, le=50000,
                                 description="A rep's pay in a month at exactly 100% of plan (currency per month).")
    fixed_share: float = Field(0.46, ge=0, le=1, description="Share of on-target pay that is fixed salary (share).")
    base: PayBase = Field("executed_margin", description="What commission is paid on.")
    new_group_rate_multiple: float = Field(
        2.0, ge=0, le=10,
        description="Commission rate on the other product groups, as a multiple of the established group's (x).")
    group_rate_multiples: dict[str, Annotated[float, Field(ge=0, le=10)]] = Field(
        default_factory=dict,
        description="Rate of a named other product group as a multiple of the established group's (x); "
                    "groups not named take new_group_rate_multiple.")
    threshold: float = Field(0.0, ge=0, le=2,
                             description="Attainment below which no commission is paid (share of plan; 0 = none).")
    accelerator_from: float = Field(1.0, ge=0.05, le=3,
                                    description="Attainment from which the accelerator applies (share of plan).")
    accelerator: float = Field(
        1.0, ge=0, le=5, description="Rate above the accelerator point, as a multiple of the base rate (x; 1 = none).")
    cap: float = Field(0.0, ge=0, le=5,
                       description="Attainment above which no more commission is paid (share of plan; 0 = no cap).")

    def multiple(self, group: str) -> float:
        """Group ``group``'s commission rate as a multiple of the established group's (x)."""
        return self.group_rate_multiples.get(group, self.new_group_rate_multiple)

    @property
    def tiered(self) -> bool:
        """True when the design needs tiers (a threshold, an accelerator or a cap)."""
        return self.threshold > 0 or self.accelerator != 1 or self.cap > 0

    def label(self) -> str:
        """A one-line description of the design."""
        parts = [f"{self.fixed_share:.0%} fixed of {self.on_target_pay:,.0f} on target",
                 f"commission on {BASE_WORDS[self.base]}"]
        if self.group_rate_multiples:
            parts.append(", ".join(f"{g} at {k:g}x" for g, k in sorted(self.group_rate_multiples.items())))
        elif self.new_group_rate_multiple != 1:
            parts.append(f"new groups at {self.new_group_rate_multiple:g}x")
        if self.threshold > 0:
            parts.append(f"nothing below {self.threshold:.0%} of plan")
        if self.accelerator != 1:
            parts.append(f"x{self.accelerator:g} from {self.accelerator_from:.0%}")
        if self.cap > 0:
            parts.append(f"cap at {self.cap:.0%}")
        return ", ".join(parts)


# --------------------------------------------------------------------------- the scheme
def groups_of(scenario: Scenario) -> list[str]:
    """Product groups in order of first appearance (a product without a group is its own group)."""
    return list(dict.fromkeys(p.group or name for name, p in scenario.products.items()))


def reference_group(scenario: Scenario) -> str:
    """The established group: the first product group (its rate is solved from the on-target pay)."""
    return groups_of(scenario)[0]


def base_at_plan(scenario: Scenario, base: str) -> float:
    """The monthly base of a rep exactly at plan, selling the established group (currency per month)."""
    plan = scenario.plan.monthly_per_rep
    if base.endswith("margin"):
        ref = reference_group(scenario)
        margins = [p.margin for name, p in scenario.products.items() if (p.group or name) == ref]
        return plan * float(np.mean(margins))
    return plan


def paid_share_at_plan(design: SchemeDesign) -> float:
    """Share of the base rate a rep earns on the month's base at exactly 100% of plan, under the tiers.

    Tiers work like tax brackets (see ``docs/pay.md``): the month's base is shared over the
    attainment bands, so at attainment 1 the band ``[threshold, 1)`` pays the base rate and
    ``[accelerator_from, 1)`` the accelerated rate.
    """
    if not design.tiered:
        return 1.0
    top = min(1.0, design.cap) if design.cap > 0 else 1.0
    acc = design.accelerator_from if design.accelerator != 1 else float("inf")
    plain = max(0.0, min(top, acc) - design.threshold)
    fast = max(0.0, top - max(acc, design.threshold)) * design.accelerator if acc < top else 0.0
    return plain + fast


def check_design(scenario: Scenario, design: SchemeDesign) -> None:
    """Raise :class:`UserError`, naming the knob, for a design the scheme cannot express."""
    if design.cap > 0 and design.cap <= design.threshold:
        raise UserError(f"expected a cap above the threshold ({design.threshold:.0%} of plan), got "
                        f"{design.cap:.0%}; set the cap to 0 for no cap", field="cap")
    if design.accelerator != 1 and design.accelerator_from <= design.threshold:
        raise UserError(f"expected the accelerator to start above the threshold ({design.threshold:.0%} of plan), "
                        f"got {design.accelerator_from:.0%}", field="accelerator_from")
    if design.accelerator != 1 and design.cap > 0 and design.accelerator_from >= design.cap:
        raise UserError(f"expected the accelerator to start below the cap ({design.cap:.0%} of plan), got "
                        f"{design.accelerator_from:.0%}", field="accelerator_from")
    groups = groups_of(scenario)
    others = groups[1:]
    for g in design.group_rate_multiples:
        if g not in others:
            what = "the established group, whose rate is solved from the on-target pay" if g == groups[0] else \
                "not a product group of this scenario"
            raise UserError(f"expected one of the other product groups ({', '.join(others) or 'none'}); {g!r} is "
                            f"{what}", field=f"group_rate_multiples.{g}")
    low = [g for g in others if design.multiple(g) < 1]
    if design.tiered and low:
        raise UserError(f"a lower rate on group {low[0]} than on the established one needs a plain commission "
                        "(tiers pay one rate on every group, plus a kicker on the new groups): set the threshold "
                        "and the cap to 0 and the accelerator to 1, or the multiple to 1 or more",
                        field="group_rate_multiples." + low[0] if low[0] in design.group_rate_multiples
                        else "new_group_rate_multiple")
    if design.fixed_share < 1 and paid_share_at_plan(design) <= 0:
        raise UserError(f"with nothing paid below {design.threshold:.0%} of plan, a rep at 100% of plan earns no "
                        "commission, so the on-target pay cannot be met: lower the threshold below 100%, or make "
                        "the pay all fixed (fixed share 1)", field="threshold")


def scheme_components(scenario: Scenario, design: SchemeDesign) -> list[dict[str, Any]]:
    """The ``[[pay.components]]`` of ``design`` for ``scenario`` (plain data, not yet validated)."""
    check_design(scenario, design)
    salary = design.fixed_share * design.on_target_pay
    variable = design.on_target_pay - salary
    comps: list[dict[str, Any]] = [{"type": "salary", "per_month": round(salary, 2)}]
    if variable <= 0:
        return comps
    rate = variable / (base_at_plan(scenario, design.base) * paid_share_at_plan(design))
    if rate > 10:
        raise UserError(f"the on-target variable pay ({variable:,.0f} a month) needs a rate of {rate:.1f}x the "
                        f"base at plan; the plan is too small for it (plan.monthly_per_rep "
                        f"{scenario.plan.monthly_per_rep:,.0f})", field="on_target_pay")
    groups = groups_of(scenario)
    ref, others = groups[0], groups[1:]
    if not design.tiered:
        rates = {ref: _round_rate(rate), **{g: _round_rate(design.multiple(g) * rate) for g in others}}
        comps.append({"type": "commission", "base": design.base, "rates": rates})
        return comps
    tiers = [{"from": round(design.threshold, 4), "rate": _round_rate(rate)}]
    if design.accelerator != 1:
        tiers.append({"from": round(design.accelerator_from, 4), "rate": _round_rate(rate * design.accelerator)})
    tiered: dict[str, Any] = {"type": "tiered", "base": design.base, "tiers": tiers}
    if design.cap > 0:
        tiered["cap"] = round(design.cap, 4)
    comps.append(tiered)
    kicker = {g: _round_rate((design.multiple(g) - 1) * rate) for g in others if design.multiple(g) > 1}
    if kicker:
        comps.append({"type": "commission", "name": "new_group_kicker", "base": design.base, "rates": kicker})
    return comps


def _round_rate(r: float) -> float:
    return float(f"{r:.5g}")


def apply_design(scenario: Scenario | str, design: SchemeDesign | Mapping[str, Any]) -> Scenario:
    """``scenario`` with its pay scheme replaced by ``design`` (the hand-off role, if any, is kept).

    Raises :class:`UserError` (from :func:`check_design`) or :class:`ScenarioError` (the
    scenario's own validation, naming the pay component and field) for a design that does
    not hold together.
    """
    sc = load_scenario(scenario) if not isinstance(scenario, Scenario) else scenario
    design = as_design(design)
    data = scenario_data(sc)
    data["pay"]["components"] = scheme_components(sc, design)
    data["name"] = f"{sc.name}_design"
    data["description"] = f"{sc.name} paid by a designed scheme: {design.label()}."
    return validate(data, default_source="scheme design")


def as_design(design: SchemeDesign | Mapping[str, Any] | None) -> SchemeDesign:
    """A :class:`SchemeDesign` from itself or a dict of its fields (pydantic errors become :class:`UserError`)."""
    if design is None:
        return SchemeDesign()
    if isinstance(design, SchemeDesign):
        return design

    try:
        return SchemeDesign(**dict(design))
    except ValidationError as e:
        field, message = validation_message(e)
        raise UserError(message, field=field) from None


def describe_scheme(scenario: Scenario) -> list[str]:
    """The scenario's pay scheme in words, one line per part (rates as % of their base)."""
    lines = []
    salaries = {g.salary_per_month for g in scenario.team.reps}
    comps = scenario.pay.components
    sal = [c for c in comps if c.type == "salary"]
    if sal:
        lines.append(f"salary {sal[0].per_month:,.0f} {scenario.currency} a month")
    elif salaries:
        lines.append("salary " + " / ".join(f"{s:,.0f}" for s in sorted(salaries)) + f" {scenario.currency} a month")
    for c in comps:
        if c.type == "commission":
            rates = ", ".join(f"{g} {r:.1%}" for g, r in c.rates.items())
            name = "kicker" if c.name == "new_group_kicker" else "commission"
            lines.append(f"{name} on {BASE_WORDS[c.base]}: {rates}")
        elif c.type == "tiered":
            bands = "; ".join(f"{t.rate:.1%} from {t.start:.0%} of plan" for t in c.tiers)
            cap = f"; nothing above {c.cap:.0%} of plan" if c.cap else ""
            lines.append(f"tiered commission on {BASE_WORDS[c.base]}: {bands}{cap}")
        elif c.type != "salary":
            lines.append(f"{c.type.replace('_', ' ')} ({c.part})")
    return lines


def design_of(scenario: Scenario | str) -> SchemeDesign:
    """The :class:`SchemeDesign` closest to a scenario's own scheme (salary + commission by group).

    On-target pay = the first rep group's salary + the commission a rep at 100% of plan
    earns on the established group; the new-group multiple is the ratio of the first other
    group's rate to the established one's. Tiers, bonuses and other parts are not read.
    """
    sc = load_scenario(scenario) if not isinstance(scenario, Scenario) else scenario
    salary = sc.team.reps[0].salary_per_month
    for c in sc.pay.components:
        if c.type == "salary":
            salary = c.per_month
    com = next((c for c in sc.pay.components if c.type == "commission"), None)
    if com is None:
        return SchemeDesign(on_target_pay=max(500.0, salary), fixed_share=1.0)
    groups = groups_of(sc)
    ref = groups[0]
    r_ref = com.rates.get(ref, com.default_rate)
    variable = r_ref * base_at_plan(sc, com.base)
    ratios = {g: com.rates.get(g, com.default_rate) / r_ref for g in groups[1:]} if r_ref > 0 else {}
    k = ratios.get(groups[1], 1.0) if len(groups) > 1 else 1.0
    own = {g: r for g, r in ratios.items() if r != k}   # groups paid differently from the first new one
    ote = salary + variable
    return SchemeDesign(on_target_pay=ote, fixed_share=salary / ote if ote > 0 else 1.0,
                        base=com.base, new_group_rate_multiple=k, group_rate_multiples=own)


# --------------------------------------------------------------------------- comparing schemes
@dataclass
class SchemeComparison:
    """The scheme in place and a design, run with paired replications of the same scenario."""

    scenario: Scenario
    design: SchemeDesign
    runs: dict[str, Replications] = field(repr=False)

    @property
    def labels(self) -> list[str]:
        return list(self.runs)

    @property
    def currency(self) -> str:
        return self.scenario.currency

    @property
    def n(self) -> int:
        return next(iter(self.runs.values())).n

    @property
    def seed(self) -> int:
        return next(iter(self.runs.values())).seed

    @property
    def products(self) -> list[str]:
        return next(iter(self.runs.values())).series(0).products

    def scenario_of(self, label: str) -> Scenario:
        return self.runs[label].scenario

    def comparison(self) -> Comparison:
        """The design against the scheme in place, as a :class:`~salessim.analyses.compare.Comparison`."""
        first = next(iter(self.runs.values()))
        metrics = list(first.outcomes[0].summary)
        table = metric_table([(lab, self.runs[lab]) for lab in self.labels], metrics)
        table.insert(0, "point", table["label"].map({lab: i for i, lab in enumerate(self.labels)}))
        return Comparison(table=table, base=self.labels[0], variants=self.labels[1:], seed=self.seed,
                          main_kpi="profit", currency=self.currency)

    # ------------------------------------------------------------------ what the charts show
    def rep_pay(self, label: str) -> np.ndarray:
        """Every rep-month's total pay (rep-months with a filled seat), over all replications (currency)."""
        s = self.runs[label]
        pay, days = s.rep_array("pay"), s.rep_array("days_employed")
        return pay[days > 0]

    def pay_distribution(self) -> pd.DataFrame:
        """Per scheme: median, p10, p90, mean of a rep's monthly pay, and the share of pay that is variable."""
        rows = []
        for lab in self.labels:
            s = self.runs[lab]
            x = self.rep_pay(lab)
            days = s.rep_array("days_employed")
            sal = s.rep_array("salary")[days > 0]
            rows.append({"scheme": lab, "median": float(np.median(x)), "p10": float(np.quantile(x, 0.1)),
                         "p90": float(np.quantile(x, 0.9)), "mean": float(x.mean()),
                         "variable_share": float(1 - sal.sum() / x.sum()) if x.sum() else np.nan})
        return pd.DataFrame(rows)

    def effort_split(self) -> pd.DataFrame:
        """Per scheme: share of reps' selling hours on each product, on key clients and on inbound first contact."""
        rows = []
        for lab in self.labels:
            s = self.runs[lab]
            hours = s.product_array("hours").sum(axis=(0, 1))                  # per product
            clients = s.monthly("hours_clients").sum()
            inbound = s.monthly("hours_inbound").sum()
            total = hours.sum() + clients + inbound
            row = {"scheme": lab}
            for p, h in zip(self.products, hours):
                row[f"product {p}"] = h / total if total else np.nan
            row["key clients"] = clients / total if total else np.nan
            row["inbound first contact"] = inbound / total if total else np.nan
            rows.append(row)
        return pd.DataFrame(rows)

    def revenue_by_product(self) -> pd.DataFrame:
        """Per scheme and product: mean revenue over the period (executed) and its share of the total."""
        rows = []
        for lab in self.labels:
            rev = self.runs[lab].product_array("revenue").sum(axis=1)           # replications x products
            tot = rev.sum(axis=1)
            for j, p in enumerate(self.products):
                share = np.divide(rev[:, j], tot, out=np.full_like(tot, np.nan), where=tot > 0)
                rows.append({"scheme": lab, "product": p, "revenue": float(rev[:, j].mean()),
                             "share": float(np.nanmean(share))})
        return pd.DataFrame(rows)

    def kpi_table(self, kpis=KPIS) -> pd.DataFrame:
        """Per scheme and KPI: mean with 95% interval; and the design's paired difference with its verdict."""
        rows = []
        first, second = self.labels[0], self.labels[-1]
        for k in kpis:
            a, b = self.runs[first].metric(k), self.runs[second].metric(k)
            ma, mb = mean_interval(a), mean_interval(b)

            d = paired_difference(a, b, direction(k))
            rows.append({"kpi": k, f"{first}": ma["mean"], f"{first} low": ma["low"], f"{first} high": ma["high"],
                         f"{second}": mb["mean"], f"{second} low": mb["low"], f"{second} high": mb["high"],
                         "difference": d["diff"], "low": d["low"], "high": d["high"],
                         "verdict": verdict_word(k, d["low"], d["high"])})
        return pd.DataFrame(rows)

    def warnings(self) -> dict[str, list[str]]:
        """Per scheme: the pay warnings of its rates (commission above gross profit)."""
        return {lab: scheme_warnings(self.scenario_of(lab)) for lab in self.labels}

    def conclusion(self) -> list[str]:
        """A few sentences computed from the paired differences (profit, cost of sales, new group, key clients)."""
        cur, n = self.currency, self.n

        def plus(v: float) -> str:
            return money_text(v, cur, signed=True)

        a, b = self.labels[0], self.labels[-1]
        out = []
        t = self.kpi_table().set_index("kpi")
        p = t.loc["profit"]
        if p["verdict"] == "no detectable difference":
            out.append(f"Profit: no detectable difference between the {b} and the {a} "
                       f"({plus(p['difference'])}, 95% interval {plus(p['low'])} "
                       f"to {plus(p['high'])}, {n} paired replications).")
        else:
            out.append(f"Profit: the {b} is {p['verdict']} than the {a} by {money_text(abs(p['difference']), cur)} "
                       f"over the period (95% interval {plus(p['low'])} to "
                       f"{plus(p['high'])}, {n} paired replications).")
        c = t.loc["cost_of_sales_pct"]
        out.append(f"Cost of sales (pay with taxes as % of revenue): {c[a]:.1f}% under the {a}, {c[b]:.1f}% under the "
                   f"{b} (difference {c['difference']:+.1f} points, 95% interval {c['low']:+.1f} to {c['high']:+.1f}).")
        if len(self.products) > 1:
            rb = self.revenue_by_product()
            new = self.products[1:]
            sa = rb[(rb["scheme"] == a) & rb["product"].isin(new)]["share"].sum()
            sb = rb[(rb["scheme"] == b) & rb["product"].isin(new)]["share"].sum()
            ef = self.effort_split().set_index("scheme")
            ea = sum(ef.at[a, f"product {q}"] for q in new)
            eb = sum(ef.at[b, f"product {q}"] for q in new)
            names = ", ".join(new)
            out.append(f"New group ({names}): {sa:.0%} of revenue and {ea:.0%} of selling hours under the {a}; "
                       f"{sb:.0%} of revenue and {eb:.0%} of selling hours under the {b}.")
        k = t.loc["key_clients_lost_share"]
        word = {"better": "fewer", "worse": "more"}.get(k["verdict"])
        tail = (f"{word} key clients are lost" if word else "no detectable change in key clients lost")
        out.append(f"Key clients lost over the period: {k[a]:.0%} under the {a}, {k[b]:.0%} under the {b} ({tail}; "
                   f"difference {100 * k['difference']:+.1f} points, 95% interval {100 * k['low']:+.1f} to "
                   f"{100 * k['high']:+.1f}).")
        pdist = self.pay_distribution().set_index("scheme")
        out.append(f"A rep's monthly pay: median {pdist.at[a, 'median']:,.0f} (10-90%: {pdist.at[a, 'p10']:,.0f}-"
                   f"{pdist.at[a, 'p90']:,.0f}) under the {a}; median {pdist.at[b, 'median']:,.0f} "
                   f"({pdist.at[b, 'p10']:,.0f}-{pdist.at[b, 'p90']:,.0f}) under the {b} ({cur}).")
        for lab, ws in self.warnings().items():
            for w in ws:
                out.append(f"Warning ({lab}): {w}.")
        return out


def compare_schemes(scenario: Scenario | str = "new_product_group",
                    design: SchemeDesign | Mapping[str, Any] | None = None, *,
                    reference: Scenario | str | None = None, n: int = 20, seed: int = 1, months: int | None = None,
                    workers: int | None = None, cache: OutcomeCache | None = CACHE,
                    progress: Callable[[int, int], None] | None = None) -> SchemeComparison:
    """Run the scheme in place (``reference``, default ``scenario`` itself) and ``design`` with paired replications.

    ``months`` shortens or lengthens the horizon of both. Replications already in ``cache``
    are not run again.
    """
    sc = load_scenario(scenario) if not isinstance(scenario, Scenario) else scenario
    if months is not None and months != sc.calendar.months:
        sc = load_scenario(sc, {"calendar.months": int(months)})
    ref = sc if reference is None else load_scenario(reference, {"calendar.months": sc.calendar.months})
    design = as_design(design)
    designed = apply_design(sc, design)
    sets = replicate_many([ref, designed], n, seed, detail="outcome", workers=workers, cache=cache,
                          on_progress=progress)
    return SchemeComparison(sc, design, {CURRENT: sets[0], DESIGN: sets[1]})
