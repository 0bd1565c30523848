"""A scenario in plain words: the team, the products, the leads, the pay scheme, the costs.

Everything here reads the validated :class:`~salessim.scenarios.schema.Scenario`, so the words
always match what was simulated (money in the scenario's currency, time in the units the
schema gives). :func:`scenario_differences` lists the parameters in which a variant differs
from the base, for the report's "what changes" table.
"""

from __future__ import annotations

import json
from typing import Any

from salessim.scenarios.schema import Scenario, group_rep_ids

#: Fields that name or describe a scenario but do not change its results.
#: Fields that say something about the scenario rather than set a parameter: never a "difference".
TEXT_FIELDS = ("name", "description", "question", "extends", "claim", "provenance")


def _money(v: float, currency: str) -> str:
    return f"{v:,.0f} {currency}"


def _share(v: float) -> str:
    return f"{v:.0%}" if abs(v * 100 - round(v * 100)) < 1e-9 else f"{v:.1%}"


def _plural(n: float, word: str) -> str:
    n_txt = f"{n:g}"
    return f"{n_txt} {word}" if n == 1 else f"{n_txt} {word}s"


def horizon(sc: Scenario) -> str:
    """The simulated period in words."""
    c = sc.calendar
    warm = f" (after a warm-up of {_plural(c.warmup_months, 'month')} that is not reported)" if c.warmup_months else ""
    return (f"{_plural(c.months, 'month')} from {c.start:%d %B %Y}{warm}; {c.hours_per_day:g}-hour days, "
            f"{len(c.workdays)} working days a week" + (f", {len(c.holidays)} public holidays" if c.holidays else ""))


def team(sc: Scenario) -> list[str]:
    """One line per head and per group of reps."""
    cur = sc.currency
    lines = []
    reports: dict[str | None, int] = {}
    for g in sc.team.reps:
        reports[g.supervisor] = reports.get(g.supervisor, 0) + g.count
    for s in sc.team.supervisors:
        when = []
        if s.hire_date:
            when.append(f"starts {s.hire_date:%d %b %Y}")
        if s.leave_date:
            when.append(f"leaves {s.leave_date:%d %b %Y}")
        extra = f" ({', '.join(when)})" if when else ""
        lines.append(f"Head {s.id}: {s.weekly_hours:g} hours a week, salary {_money(s.salary_per_month, cur)} a month, "
                     f"{_plural(reports.get(s.id, 0), 'rep')} reporting{extra}.")
    for g in sc.team.reps:
        if g.count == 0:
            continue
        who = f"{g.count} reps ({group_rep_ids(g)[0]}..{group_rep_ids(g)[-1]})" if g.count > 1 else f"1 rep ({g.id})"
        head = f"under {g.supervisor}" if g.supervisor else "with no head"
        bits = [f"salary {_money(g.salary_per_month, cur)} a month"]
        if g.hire_date:
            bits.append(f"hired {g.hire_date:%d %b %Y}, ramping up over {sc.people.ramp_months:g} months")
        if g.threshold:
            bits.append(f"largest deal they dare propose about {_money(g.threshold, cur)}")
        if g.key_clients:
            bits.append(f"{g.key_clients} key clients each")
        if g.products:
            bits.append(f"sell {', '.join(g.products)} only")
        if g.skill != 1:
            bits.append(f"skill {g.skill:g}x average")
        region = f" in region {g.region}" if g.region != "main" else ""
        lines.append(f"{who} {head}{region}: {'; '.join(bits)}.")
    return lines


def products(sc: Scenario) -> list[str]:
    """One line per product."""
    cur = sc.currency
    out = []
    for name, p in sc.products.items():
        bits = [f"typical client potential {_money(p.deal_size.median, cur)} (median)", f"gross margin {_share(p.margin)}",
                f"{p.market_size:,} prospects to call"]
        if p.group and p.group != name:
            bits.insert(0, f"group {p.group}")
        if p.launch_month is not None:
            bits.append(f"launched in month {p.launch_month + 1} of the period")
        if p.familiarity_start < 1:
            bits.append(f"new to clients (familiarity {_share(p.familiarity_start)} at the start)")
        if p.stock_value:
            bits.append(f"stock of {_money(p.stock_value, cur)} bought at launch")
        f = p.funnel
        conv = f.meeting_to_proposal * f.proposal_to_negotiation * f.negotiation_to_won
        bits.append(f"about {conv:.0%} of meetings become contracts for an average rep")
        out.append(f"Product {name}: {'; '.join(bits)}.")
    return out


def leads(sc: Scenario) -> list[str]:
    """Inbound sources and outbound prospecting."""
    out = []
    for src in sc.lead_sources:
        kind = "live calls (lost if nobody answers)" if src.kind == "call" else "web forms (they wait in the inbox)"
        rate = f"{src.rate_per_day:g} lead{'' if src.rate_per_day == 1 else 's'}"
        out.append(f"Inbound {src.name}: on average {rate} a working day for {src.product}, {kind}.")
    p = sc.prospecting
    out.append(f"Outbound: reps call prospects at {p.calls_per_hour:g} dials an hour; {_share(p.connect_rate)} reach a "
               "decision maker.")
    return out


def _rates(rates: dict[str, float], default: float) -> str:
    parts = [f"{k} {_share(v)}" for k, v in rates.items()]
    if default or not parts:
        parts.append(f"others {_share(default)}")
    return ", ".join(parts)


_BASES = {"revenue": "contracted revenue", "margin": "contracted margin", "executed_revenue": "paid revenue",
          "executed_margin": "paid margin"}


def _component(c: Any, cur: str) -> str:
    who = f" (groups {', '.join(c.reps)})" if getattr(c, "reps", None) else ""
    t = c.type
    if t == "salary":
        text = f"fixed salary of {_money(c.per_month, cur)} a month"
    elif t == "draw":
        kind = "recoverable advance" if c.recoverable else "non-recoverable guarantee"
        months = f"{c.months:g} months" if c.months else "the ramp-up"
        text = f"a draw for new hires: {_money(c.per_month, cur)} a month of variable pay guaranteed for {months} ({kind})"
    elif t == "commission":
        text = f"commission on {_BASES[c.base]}: {_rates(c.rates, c.default_rate)}"
        if c.cap_per_month:
            text += f", capped at {_money(c.cap_per_month, cur)} a month"
    elif t == "plan_fulfilment":
        at = (_money(c.variable_at_plan, cur) if c.variable_at_plan is not None
              else f"{c.variable_at_plan_per_salary:g}x salary")
        text = f"pay for plan fulfilment: {at} at 100% of plan, linear in attainment"
        if c.threshold_fulfilment:
            text += f", nothing below {_share(c.threshold_fulfilment)} of plan"
        if c.cap_fulfilment:
            text += f", capped at {_share(c.cap_fulfilment)} of plan"
    elif t == "tiered":
        bands = "; ".join(f"from {_share(s)} of plan: {_share(r)}" for s, e, r in c.bands())
        text = f"tiered commission on {_BASES[c.base]} ({bands})"
        if c.cap:
            text += f", nothing above {_share(c.cap)} of plan"
    elif t == "per_action":
        text = "pay per action: " + ", ".join(f"{_money(v, cur)} per {k.replace('_', ' ')}" for k, v in c.rates.items())
    elif t == "bonus":
        text = f"bonus of {_money(c.amount, cur)} when {c.metric.replace('_', ' ')} reaches {c.target:g} in a month"
        if c.per_unit_above:
            text += f", plus {_money(c.per_unit_above, cur)} per unit above"
    elif t == "contest":
        prize = [_money(c.prize, cur)] if c.prize else []
        if c.prize_days_off:
            prize.append(f"{c.prize_days_off:g} days off")
        text = f"monthly contest on {c.metric.replace('_', ' ')}: the best rep wins {' and '.join(prize) or 'nothing'}"
    elif t == "clawback":
        text = f"clawback of commission on deals never paid, {c.lag_months} month(s) later" if c.unpaid else "clawback"
        if c.churned_client_months:
            text += f"; {c.churned_client_months:g} months of commission per key client lost"
    elif t == "override":
        text = f"override for heads: {_share(c.rate)} of their team's {_BASES[c.base]}"
    else:  # pragma: no cover - a new component type
        text = t
    return text + who


def pay(sc: Scenario) -> list[str]:
    """The pay scheme, one line per part."""
    cur = sc.currency
    comps = sc.pay.components
    lines = []
    if not any(c.type == "salary" for c in comps):
        lines.append("Fixed salaries as listed for the team.")
    lines += [_component(c, cur)[0].upper() + _component(c, cur)[1:] + "." for c in comps]
    h = sc.pay.handoff
    if h is not None:
        lines.append(f"{_plural(h.operators, 'hand-off operator')} on {_money(h.salary_per_month, cur)} a month, paid "
                     f"{_money(h.fee_per_contact, cur)} per lead handed off and {_share(h.share_of_sales)} of "
                     f"{_BASES[h.base]} from those leads.")
    if not comps:
        lines.append("No variable pay.")
    return lines


def costs(sc: Scenario) -> list[str]:
    """Costs other than pay."""
    c = sc.costs
    out = [f"Other cost per person (office, tools): {_money(c.overhead_per_head_month, sc.currency)} a month; "
           f"employer taxes {_share(c.payroll_tax_rate)} of pay."]
    if c.inventory_carrying_rate_per_month:
        out.append(f"Unsold stock costs {_share(c.inventory_carrying_rate_per_month)} of its value a month.")
    return out


def mechanics(sc: Scenario) -> list[str]:
    """The behavioural settings that most change the answers."""
    s = sc.supervision
    out = []
    if s.enabled:
        out.append(f"Reps left without enough of a head's attention slow down to {_share(s.intensity_floor)} of their "
                   f"normal activity; a head spends {s.coaching_hours_per_rep_day:g} hours a day coaching each rep and "
                   f"listens to {s.calls_listened_per_rep_day:g} calls per rep a day.")
    else:
        out.append("Supervision is switched off: every rep works at full intensity.")
    out.append(f"A rep leaves with probability {_share(sc.people.attrition_per_year)} a year; new hires ramp up over "
               f"{sc.people.ramp_months:g} months.")
    if sc.key_clients.enabled:
        out.append(f"Key clients reorder each month with probability {_share(sc.key_clients.reorder_prob_contacted)} "
                   f"when contacted on time ({_share(sc.key_clients.reorder_prob_neglected)} when neglected).")
    if sc.effort_choice.forced_mix:
        mix = ", ".join(f"{k} {_share(v)}" for k, v in sc.effort_choice.forced_mix.items())
        out.append(f"Management imposes how reps split their free time: {mix}.")
    t = sc.deal_size.training
    if t.threshold_multiplier > 1:
        out.append(f"Training in month {t.month + 1} multiplies reps' personal thresholds by {t.threshold_multiplier:g} "
                   f"(cost {_money(t.cost_per_rep, sc.currency)} per rep, {t.days_out:g} days out).")
    return out


def describe(sc: Scenario) -> dict[str, list[str]]:
    """Every heading of the plain-words description, with its lines."""
    return {
        "Period": [horizon(sc)],
        "Team": team(sc),
        "Products": products(sc),
        "Leads": leads(sc),
        "Pay": pay(sc),
        "Costs": costs(sc),
        "How people behave": mechanics(sc),
    }


# --------------------------------------------------------------------------- differences
def _flatten(obj: Any, prefix: str = "", lists: dict[str, list] | None = None) -> dict[str, Any]:
    """Dotted path -> value; lists of tables are flattened by index (and recorded in ``lists``)."""
    out: dict[str, Any] = {}
    if isinstance(obj, dict) and "dist" not in obj:
        for k, v in obj.items():
            out.update(_flatten(v, f"{prefix}{k}.", lists))
    elif isinstance(obj, list) and obj and all(isinstance(v, dict) for v in obj):
        if lists is not None:
            lists[prefix[:-1]] = obj
        for i, v in enumerate(obj):
            out.update(_flatten(v, f"{prefix}{i}.", lists))
    else:
        out[prefix[:-1]] = obj
    return out


def value_text(v: Any, limit: int = 200) -> str:
    """A parameter's value as short text (lists of tables summarised by their ids, names or types)."""
    if v is None:
        return "(not set)"
    if isinstance(v, Added):
        text = str(v)
    elif isinstance(v, list) and v and all(isinstance(x, dict) and (x.get("id") or x.get("name") or x.get("type"))
                                           for x in v):
        parts = []
        for x in v:
            n = str(x.get("id") or x.get("name") or x.get("type") or "?")
            if "count" in x:
                n += f": {x['count']}"
            if x.get("supervisor"):
                n += f" under {x['supervisor']}"
            if x.get("hire_date"):
                n += f" (hired {x['hire_date']})"
            if x.get("product") and "rate_per_day" in x:
                n += f" ({x['product']}, {x['rate_per_day']:g} a day)"
            parts.append(n)
        text = "; ".join(parts)
    elif isinstance(v, (dict, list)):
        text = json.dumps(v, default=str, separators=(", ", ": "))
    elif isinstance(v, float):
        text = f"{v:g}"
    else:
        text = str(v)
    return text if len(text) <= limit else text[: limit - 3] + "..."


class Added(str):
    """A whole table (a product, a scheme part) that only one scenario has."""


def scenario_differences(base: Scenario, variant: Scenario) -> list[tuple[str, Any, Any]]:
    """``(dotted path, base value, variant value)`` for every parameter that differs.

    Lists of tables (rep groups, heads, lead sources, pay components) are compared item by
    item when both have as many items, else as a whole; a table that only one scenario has
    (a new product) is one row.
    """
    la: dict[str, list] = {}
    lb: dict[str, list] = {}
    a = _flatten(base.to_dict(), "", la)
    b = _flatten(variant.to_dict(), "", lb)
    rows: list[tuple[str, Any, Any]] = []
    done: list[str] = []
    for path in sorted(set(la) | set(lb)):
        if path.split(".")[0] in TEXT_FIELDS or any(path.startswith(p) for p in done):
            continue
        xa, xb = la.get(path, []), lb.get(path, [])
        if len(xa) != len(xb):
            rows.append((path, xa or None, xb or None))
            done.append(path + ".")
            continue
        for i, (ia, ib) in enumerate(zip(xa, xb)):  # an item of another kind: compare it whole
            if ia.get("type") != ib.get("type") or ia.get("id") != ib.get("id"):
                rows.append((f"{path}.{i}", _item_text(base, path, i, ia), _item_text(variant, path, i, ib)))
                done.append(f"{path}.{i}.")

    def has(flat: dict[str, Any], prefix: str) -> bool:
        return any(k == prefix or k.startswith(prefix + ".") for k in flat)

    for k in sorted(set(a) | set(b)):
        if k.split(".")[0] in TEXT_FIELDS or any(k.startswith(p) for p in done):
            continue
        if (k in a) == (k in b) and a.get(k) == b.get(k):
            continue
        parts = k.split(".")
        for depth in range(1, len(parts)):
            prefix = ".".join(parts[:depth])
            if has(a, prefix) != has(b, prefix):
                side = b if has(b, prefix) else a
                leaves = {x[len(prefix) + 1:]: v for x, v in side.items() if x.startswith(prefix + ".")}
                note: Any = Added(f"a whole table of {len(leaves)} parameters (see the plain-words description)") \
                    if len(leaves) > 6 else leaves
                rows.append((prefix, None if has(b, prefix) else note, note if has(b, prefix) else None))
                done.append(prefix + ".")
                break
        else:
            rows.append((k, a.get(k), b.get(k)))
    return sorted(rows, key=lambda r: r[0])


def _item_text(sc: Scenario, path: str, i: int, item: dict) -> Any:
    """A list item in words where the describer knows it (a pay component), else the item itself."""
    if path == "pay.components":
        return Added(_component(sc.pay.components[i], sc.currency))
    return item
