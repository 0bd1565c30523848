"""Writing a fitted department as a scenario TOML file, every fitted value commented.

The file stands alone: every section is written out, so it runs, edits (``--set``) and
compares like any built-in scenario and does not change when the built-in baseline does.
(It cannot simply ``extends = "baseline"``: scenario files merge product tables key by key,
so the baseline's product ``A`` would stay in every calibrated department.) Values not in
the export are copied from the built-in baseline and marked ``[baseline]``; the choices
made for the calibrated model are marked ``[calibration]``; fitted values are marked
``[fit]`` with their sample size and 90% interval.

How the history maps onto the model (see ``docs/calibration.md``):

* each CRM opportunity is an inbound lead from a "form" source, one per product (and
  channel); first contact and the first meeting are certain, and the meeting is held the
  next working day;
* a deal then either stalls (``stall_share``: it stays open for ever) or waits the fitted
  time to close (``negotiation_to_close``) and is won with the product's fitted
  probability (``negotiation_to_won``; the stages before it are certain), with odds scaled
  by the rep's pooled ``skill``;
* the deal's value is the product's fitted ``deal_size`` (no personal threshold);
* each rep receives their share of new deals (``inbound_weight``) and sells the products
  they sold; reps report to their CRM manager, one supervisor each, in their region;
* outbound prospecting, key clients, the back office, attrition and vacations are off
  (the export does not show them); meeting length is set so the history's busiest rep
  could hold their busiest month's meetings with half their selling hours to spare.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from pathlib import Path
from typing import Any

import numpy as np
from scipy import optimize

from salessim.calibration.fitting import LEVEL, Fit
from salessim.engine.calendar import add_months
from salessim.engine.odds import logit_sensitivity, scale
from salessim.scenarios.files import load_scenario, scenario_data, validate
from salessim.scenarios.schema import Scenario

_CYR = dict(zip("абвгдеёжзийклмнопрстуфхцчшщъыьэюя",
                ["a", "b", "v", "g", "d", "e", "e", "zh", "z", "i", "y", "k", "l", "m", "n", "o", "p", "r", "s", "t",
                 "u", "f", "kh", "ts", "ch", "sh", "shch", "", "y", "", "e", "yu", "ya"]))


def safe_id(name: str, used: set[str], fallback: str) -> str:
    """A scenario id from a person's or product's name: letters, digits, space, '.', '_' or '-'."""
    out = []
    for ch in name.strip():
        low = ch.lower()
        if low in _CYR:
            t = _CYR[low]
            out.append(t.capitalize() if ch != low and t else t)
        else:
            out.append(ch)
    s = re.sub(r"[^A-Za-z0-9_.\- ]+", "_", "".join(out)).strip(" _")[:60] or fallback
    base, k = s, 2
    while s in used:
        s = f"{base}_{k}"
        k += 1
    used.add(s)
    return s


def _fmt(x: float, digits: int = 4) -> str:
    if x is None or not math.isfinite(x):
        return "n/a"
    if abs(x) >= 100:
        return f"{x:,.0f}"
    return f"{x:.{digits}g}"


def _pct(x: float) -> str:
    return f"{100 * x:.1f}%"


def _round(x: float, sig: int = 6) -> float:
    if x == 0 or not math.isfinite(x):
        return float(x)
    return float(f"{x:.{sig}g}")


def _round_dist(d: dict) -> dict:
    out = {}
    for k, v in d.items():
        if isinstance(v, float):
            out[k] = _round(v)
        elif isinstance(v, list):
            out[k] = [(_round_dist(x) if isinstance(x, dict) else _round(x) if isinstance(x, float) else x) for x in v]
        else:
            out[k] = v
    if out.get("dist") == "mixture":  # weights must sum to 1 after rounding
        w = out["weights"]
        out["weights"] = [w[0], _round(1.0 - w[0])] if len(w) == 2 else w
    return out


def stage_skill(multiplier: float, r: float, w: float) -> float:
    """Odds multiplier at each of two decision points giving ``multiplier`` on the odds of winning overall."""
    if abs(multiplier - 1.0) < 1e-12:
        return 1.0
    target = scale(r * w, multiplier)
    f = lambda ls: scale(r, math.exp(ls)) * scale(w, math.exp(ls)) - target  # noqa: E731
    return float(math.exp(optimize.brentq(f, -20.0, 20.0)))


def names_map(fit: Fit, anonymize: bool = False) -> tuple[dict[str, str], dict[str, str], dict[str, str]]:
    """Scenario ids for reps, managers and products."""
    used: set[str] = set()
    reps = {}
    for i, r in enumerate(fit.reps["rep"], start=1):
        reps[r] = f"rep{i:02d}" if anonymize else safe_id(r, used, f"rep{i:02d}")
        used.add(reps[r])
    managers = {}
    for i, m in enumerate(sorted(set(fit.reps["manager"]) - {""}), start=1):
        managers[m] = f"manager{i:02d}" if anonymize else safe_id(m, used, f"manager{i:02d}")
    pused: set[str] = set()
    products = {p: safe_id(p, pused, f"product{i:02d}") for i, p in enumerate(sorted(fit.sources["product"].unique()), 1)}
    return reps, managers, products


def warmup_for(fit: Fit) -> int:
    """Warm-up months that fill the pipeline: 95% of the deals that close have closed (at least 3, at most 24)."""
    tf = fit.timing_fit
    t = np.arange(0, 3000, dtype=float)
    sf = tf.sf(t)
    q95 = float(t[np.argmax(sf <= 0.05)]) if (sf <= 0.05).any() else float(t[-1])
    per_month = 52.0 * len(fit.workdays) / 12.0
    return int(min(24, max(3, math.ceil((q95 + 1) / per_month))))


def build(fit: Fit, *, source_name: str = "export", start: dt.date | None = None, months: int = 12,
          warmup_months: int | None = None, rate_by_month: dict[str, dict[str, float]] | None = None,
          weights: str = "recent", anonymize: bool = False, name: str = "calibrated",
          ) -> tuple[dict[str, Any], dict[str, str], dict[str, Any]]:
    """The scenario as plain data, with comments by dotted path, and the id maps used.

    ``weights``: "recent" (the forward scenario: reps' shares in the recent months, reps
    without recent deals left out) or "history" (all reps, shares over the whole history).
    ``rate_by_month``: per source, leads per working day by month (the backtest).
    """
    base = scenario_data(load_scenario("baseline"), exclude_none=True)
    if warmup_months is None:
        warmup_months = warmup_for(fit)
    rep_ids, man_ids, prod_ids = names_map(fit, anonymize)
    c: dict[str, str] = {}
    if start is None:
        start = add_months(dt.date(fit.export_date.year, fit.export_date.month, 1), 1)
    hpd = 8.0
    wk = fit.workdays
    data: dict[str, Any] = {
        "name": name,
        "description": f"Calibrated from {source_name}: {fit.data_figures['deals']:,} deals created "
                       f"{fit.first_created} to {fit.export_date}.",
        "question": "What will the department deliver next period if it goes on as in its CRM history?",
        "currency": fit.currency or base.get("currency", "USD"),
    }
    c["currency"] = "[fit] the export's currency" if fit.currency else "[baseline] a label only"
    hol: list = []
    data["calendar"] = {"start": start, "months": months, "hours_per_day": hpd, "workdays": list(wk),
                        "holidays": hol, "warmup_months": warmup_months}
    ev = ", ".join(f"{d} {n:,}" for d, n in fit.workday_evidence.items())
    c["calendar.workdays"] = f"[fit] weekdays with at least a quarter of the busiest day's deals ({ev})"
    c["calendar.holidays"] = "[calibration] not in the export: add your country's holidays"
    c["calendar.warmup_months"] = ("[calibration] months run first to fill the pipeline (95% of closing deals "
                                   "close within them), then discarded"
                                   if warmup_months else "[calibration] the history starts with an empty pipeline")
    c["calendar.hours_per_day"] = "[baseline]"

    # ---- team
    sup_hours = hpd * len(wk)
    supervisors = []
    reps_df = fit.reps
    if weights == "recent" and (reps_df["recent_deals"] > 0).any():
        reps_df = reps_df[reps_df["recent_deals"] > 0]
    managers = sorted(set(reps_df["manager"]) - {""})
    bsup = base["team"]["supervisors"][0]
    for m in managers:
        supervisors.append({"id": man_ids[m], "weekly_hours": sup_hours, "salary_per_month": bsup["salary_per_month"]})
    nominal = not managers   # no teams table: one nominal head (a scenario rep needs a supervisor), supervision off
    if nominal:
        supervisors.append({"id": "head", "weekly_hours": sup_hours, "salary_per_month": bsup["salary_per_month"]})
    brep = base["team"]["reps"][0]
    wcol = "weight" if weights == "recent" else "weight_history"
    skills = fit.wins.reps.set_index("rep")
    rep_rows = []
    total_recent = float(reps_df["recent_deals"].sum())
    total_hist = float(reps_df["deals"].sum())
    for k, r in enumerate(reps_df.itertuples()):
        rid = rep_ids[r.rep]
        row: dict[str, Any] = {"id": rid, "count": 1}
        row["supervisor"] = man_ids[r.manager] if r.manager else "head"
        row["region"] = safe_id(str(r.region or "main"), set(), "main")
        sk = float(skills.at[r.rep, "skill"]) if r.rep in skills.index else 1.0
        if fit.timing == "two_stage":  # the odds multiplier acts at both decision points
            sk = stage_skill(sk, fit.two_stage.r, fit.two_stage.w)
        row["skill"] = _round(sk, 4)
        row["skill_spread"] = 0.0
        row["salary_per_month"] = brep["salary_per_month"]
        if r.products is not None:
            row["products"] = [prod_ids[p] for p in r.products]
        w = float(getattr(r, wcol))
        row["inbound_weight"] = _round(max(w, 1e-3), 4)
        rep_rows.append(row)
        pre = f"team.reps.{k}"
        if r.rep in skills.index:
            s = skills.loc[r.rep]
            c[f"{pre}.skill"] = (f"[fit] win odds x{_fmt(float(s['skill']))} (pooled)"
                                 + (f", x{_fmt(sk)} at each of the two decision points" if fit.timing == "two_stage"
                                    else "")
                                 + f", {int(s['closed']):,} closed deals, raw win rate "
                                 f"{_pct(s['raw_rate'])} vs {_pct(s['expected_rate'])} expected for their products; "
                                 f"90% interval [{_fmt(s['skill_low'])}, {_fmt(s['skill_high'])}]")
        else:
            c[f"{pre}.skill"] = "[fit] no closed deals yet: an average rep"
        if weights == "recent" and total_recent > 0:
            c[f"{pre}.inbound_weight"] = (f"[fit] {int(r.recent_deals):,} of {int(total_recent):,} new deals in "
                                          f"{fit.recent_months[0]}..{fit.recent_months[-1]} "
                                          f"({_pct(r.recent_deals / total_recent)}); 1 = an average rep")
        else:
            c[f"{pre}.inbound_weight"] = (f"[fit] {int(r.deals):,} of {int(total_hist):,} deals of the history "
                                          f"({_pct(r.deals / total_hist)}); 1 = an average rep")
        c[f"{pre}.salary_per_month"] = "[baseline] not in the export"
        if "products" in row:
            c[f"{pre}.products"] = "[fit] the products this rep had deals for"
        c[f"{pre}.region"] = "[fit] teams table" if r.manager not in ("", "unassigned") else (
            "[calibration] not in the teams table" if r.manager == "unassigned" else "[calibration] no teams table")
    data["team"] = {"supervisors": supervisors, "reps": rep_rows}
    if nominal:
        c["team.supervisors"] = "[calibration] no teams table: one nominal head; supervision is off"
    else:
        c["team.supervisors"] = (f"[fit] one per manager of the teams table ({len(supervisors)}); weekly_hours = "
                                 f"{hpd:g} h on each of the {len(wk)} working days [calibration]; salary [baseline]")

    # ---- products
    products: dict[str, Any] = {}
    bprod = base["products"]["A"]
    wp = fit.wins.products.set_index("product")
    two = fit.timing == "two_stage"
    for p, pid in prod_ids.items():
        tf = fit.product_times[p]
        dist = _round_dist(tf.d3() if two else tf.distribution())
        pr = {
            "group": safe_id(fit.product_groups.get(p, p), set(), pid),
            "deal_size": _round_dist(fit.values[p]),
            "margin": bprod["margin"],
            "market_size": 0,
            "familiarity_start": 1.0,
            "stall_share": _round(tf.stall, 5) if tf.stall > 1e-6 else 0.0,
            "funnel": {
                "booking_rate": bprod["funnel"]["booking_rate"],
                "contact_to_meeting": 1.0,
                "meeting_to_proposal": 1.0,
                "proposal_to_negotiation": 1.0,
                "negotiation_to_won": _round(float(wp.at[p, "base_prob"]), 5) if p in wp.index else 0.5,
            },
            "delays_days": {
                "meeting_to_proposal": {"dist": "fixed", "value": 0.0},
                "proposal_to_decision": _round_dist(tf.d2()) if two else {"dist": "fixed", "value": 0.0},
                "negotiation_to_close": dist,
            },
            "effort_hours": {"proposal": 0.0, "negotiation": 0.0},
        }
        products[pid] = pr
        pre = f"products.{pid}"
        vrow = fit.value_fits[(fit.value_fits["product"] == p) & fit.value_fits["chosen"]]
        if len(vrow):
            v = vrow.iloc[0]
            c[f"{pre}.deal_size"] = (f"[fit] won deal values: {fit.value_notes[p]}; median {_fmt(v['median'])}, 90% "
                                     f"interval [{_fmt(v['median_low'])}, {_fmt(v['median_high'])}]"
                                     + (f"; list price {_fmt(fit.list_prices[p])}" if p in fit.list_prices else ""))
        c[f"{pre}.margin"] = "[baseline] not in the export"
        c[f"{pre}.market_size"] = "[calibration] no outbound prospecting: every deal in the export is a lead"
        lo, hi = tf.stall_interval(LEVEL)
        c[f"{pre}.stall_share"] = (f"[fit] deals never closed (open for good): {_pct(tf.stall)}, 90% interval "
                                   f"[{_pct(lo)}, {_pct(hi)}]; {fit.product_time_source[p]}")
        if p in wp.index:
            w = wp.loc[p]
            c[f"{pre}.funnel.negotiation_to_won"] = (
                f"[fit] win probability for an average rep: {int(w['won']):,} won of {int(w['closed']):,} closed "
                f"({_pct(w['raw_rate'])}); 90% interval [{_pct(w['low'])}, {_pct(w['high'])}]")
        if two:
            pr["funnel"]["proposal_to_negotiation"] = _round(tf.r, 5)
            pr["funnel"]["negotiation_to_won"] = _round(tf.w, 5)
            elo, ehi = fit.two_stage.early_interval(LEVEL)
            c[f"{pre}.funnel.proposal_to_negotiation"] = (
                f"[fit] passes the early loss point: {fit.two_stage.early_loss_share():.1%} of losses come there "
                f"(90% interval [{_pct(elo)}, {_pct(ehi)}], all products); with the next line the product's win "
                f"probability {_pct(float(wp.at[p, 'base_prob']))}")
            c[f"{pre}.funnel.negotiation_to_won"] = (
                f"[fit] won at the close; x the line above = {_pct(float(wp.at[p, 'base_prob']))} for an average rep: "
                f"{int(wp.at[p, 'won']):,} won of {int(wp.at[p, 'closed']):,} closed, 90% interval "
                f"[{_pct(wp.at[p, 'low'])}, {_pct(wp.at[p, 'high'])}]")
            c[f"{pre}.delays_days.proposal_to_decision"] = (
                f"[fit] working days from the first meeting to the early loss point (lognormal): "
                f"{fit.timing_note}")
        c[f"{pre}.funnel.contact_to_meeting"] = "[calibration] certain: each CRM deal is a qualified lead"
        c[f"{pre}.funnel.meeting_to_proposal"] = "[calibration] certain: the outcome is drawn later"
        if not two:
            c[f"{pre}.funnel.proposal_to_negotiation"] = "[calibration] certain: the outcome is drawn at the close"
        mlo, mhi = tf.median_interval(LEVEL)
        best = fit.time_fits[0]
        if two:
            c[f"{pre}.delays_days.negotiation_to_close"] = (
                f"[fit] working days from the early loss point to the close (lognormal), fitted with it on all "
                f"{fit.data_figures['won'] + fit.data_figures['lost']:,} closed and {fit.data_figures['open']:,} open "
                f"deals (censored at {fit.export_date}); median time to close {_fmt(tf.median_cycle())} working days "
                f"(won {_fmt(tf.won_median())}, lost {_fmt(tf.lost_median())}), 90% interval [{_fmt(mlo)}, {_fmt(mhi)}]")
        else:
            c[f"{pre}.delays_days.negotiation_to_close"] = (
                f"[fit] working days from the first meeting (the day after creation) to close: "
                f"{tf.family.replace('_', ' ')} (lowest AIC of {len(fit.time_fits)} families on all deals); "
                f"{fit.product_time_source[p]}, open deals censored at {fit.export_date}; median time to close "
                f"{_fmt(tf.median_cycle())} working days, 90% interval [{_fmt(mlo)}, {_fmt(mhi)}]"
                + ("" if tf is not best else " (pooled fit)") + f"; {fit.timing_note}")
        c[f"{pre}.delays_days.meeting_to_proposal"] = "[calibration] all of the time to close is in the later delays"
        c[f"{pre}.effort_hours"] = "[calibration] rep time per deal is in activity.meeting_hours"
    data["products"] = products

    # ---- lead sources
    srcs = []
    for k, s in enumerate(fit.sources.itertuples()):
        pid = prod_ids[s.product]
        name = safe_id(s.source.replace(" / ", " "), {x["name"] for x in srcs}, f"source{k + 1:02d}")
        row = {"name": name, "product": pid, "channel": safe_id(str(s.channel), set(), "all"), "kind": "form",
               "rate_per_day": _round(float(s.rate_per_day), 5)}
        if rate_by_month is not None:
            row["rate_by_month"] = {m: _round(float(v), 5) for m, v in rate_by_month.get(s.source, {}).items()}
        srcs.append(row)
        c[f"lead_sources.{k}.rate_per_day"] = (
            f"[fit] {int(s.n):,} new deals in {fit.recent_months[0]}..{fit.recent_months[-1]} / "
            f"{s.working_days:g} working days; 90% interval [{_fmt(s.low)}, {_fmt(s.high)}]")
        if rate_by_month is not None:
            c[f"lead_sources.{k}.rate_by_month"] = "[fit] the history's own new deals per working day, month by month"
    data["lead_sources"] = srcs

    # ---- activity: capacity for the history's volume
    act = dict(base["activity"])
    sup = base["supervision"]
    free = hpd * (1 - act["admin_share"]) - sup["daily_planning_minutes"] / 60 - sup["coaching_hours_per_rep_day"]
    design = fit.capacity["design_deals_per_day"]
    meeting = max(0.05, math.floor(min(act["meeting_hours"], 0.5 * free / design) * 20) / 20)
    act.update({"meeting_hours": meeting, "travel_hours": 0.0, "meeting_lead_days": 1, "booking_horizon_days": 60,
                "max_meetings_per_day": 0, "first_contact_minutes": 5.0, "inbound_connect_rate": 1.0,
                "max_contact_attempts": 1, "lead_patience_days": 60.0, "no_show_rate": 0.0})
    data["activity"] = act
    c["activity.meeting_hours"] = (
        f"[calibration] rep time per new deal: the busiest rep-month had {_fmt(fit.capacity['peak_deals_per_rep_day'])}"
        f" new deals per working day (99% of days <= {design:g}); at {meeting:g} h each they fill at most half of "
        f"the {free:.2f} selling hours a day, so rep hours do not throttle the history's volume")
    c["activity.max_meetings_per_day"] = "[calibration] only hours limit meetings"
    c["activity.inbound_connect_rate"] = "[calibration] first contact is certain (CRM deals are qualified)"
    c["activity.booking_horizon_days"] = "[calibration] no deal is lost for want of a diary slot"
    for k in ("admin_share", "client_contact_hours"):
        c[f"activity.{k}"] = "[baseline]"

    # ---- the rest: copied from the baseline, with what the export cannot show switched off
    data["prospecting"] = base["prospecting"]
    c["prospecting"] = "[baseline] unused: no product has a prospect market (market_size = 0)"
    n_reps = max(1, len(rep_rows))
    recent_rev = float(fit.data_figures.get("recent_won_value", 0.0))
    plan = _round(recent_rev / max(1, len(fit.recent_months)) / n_reps, 3) if recent_rev > 0 else 10000.0
    data["plan"] = {"monthly_per_rep": plan, "fact_basis": "won"}
    c["plan.monthly_per_rep"] = (f"[fit] won value per rep-month in {fit.recent_months[0]}..{fit.recent_months[-1]}"
                                 "; see plans.csv of the report for plans at a chosen attainment probability")
    c["plan.fact_basis"] = "[calibration] the export records value won, not payments"
    data["supervision"] = dict(sup)
    data["supervision"]["enabled"] = not nominal
    c["supervision.enabled"] = ("[calibration] managers coach with the baseline norms; with <= 7 reps each the "
                                "reps keep full intensity" if not nominal else
                                "[calibration] no teams table: reps work at full intensity")
    ppl = dict(base["people"])
    ppl.update({"attrition_per_year": 0.0, "vacation_days_per_year": 0.0})
    data["people"] = ppl
    c["people.attrition_per_year"] = "[calibration] the history's reps stay; the export has no HR records"
    c["people.vacation_days_per_year"] = "[calibration] absences are already in the history's rates"
    ds = dict(base["deal_size"])
    ds.update({"ask_spread": 0.0, "win_elasticity": 0.0, "cycle_elasticity": 0.0,
               "reference": _round(fit.data_figures["won_value_median"], 4)
               if math.isfinite(fit.data_figures["won_value_median"]) and fit.data_figures["won_value_median"] > 0
               else 1.0})
    data["deal_size"] = ds
    c["deal_size.win_elasticity"] = "[calibration] lost deals have no value in exports: not estimable, off"
    c["deal_size.cycle_elasticity"] = "[calibration] not estimated from the export: off"
    c["deal_size.reference"] = "[fit] median won deal value (with both elasticities off it changes nothing)"
    kc = dict(base["key_clients"])
    kc["enabled"] = False
    kc.pop("product", None)
    data["key_clients"] = kc
    c["key_clients.enabled"] = "[calibration] reorders of existing clients are not in a deal export"
    bo = dict(base["back_office"])
    bo["enabled"] = False
    data["back_office"] = bo
    c["back_office.enabled"] = "[calibration] a CRM close is the won date; invoicing is not in the export"
    data["routing"] = dict(base["routing"])
    data["lost_review"] = dict(base.get("lost_review", {"enabled": False}))
    data["lost_review"]["enabled"] = False
    data["effort_choice"] = dict(base["effort_choice"])
    data["effort_choice"].pop("forced_mix", None)
    data["costs"] = dict(base["costs"])
    c["costs"] = "[baseline] not in the export"
    pace = fit.pace
    data["closing_pace"] = {"monthly_sd": _round(float(pace["sd"]), 4)}
    c["closing_pace.monthly_sd"] = (f"[fit] month-to-month swing of the closing pace: {pace['note']}; 90% interval "
                                    f"[{_fmt(pace['low'])}, {_fmt(pace['high'])}]")
    mood = fit.mood
    k = _mood_sensitivity(products)
    if mood.get("sd", 0.0) > 0 and k > 0:
        data["market_mood"] = {"monthly_sd": _round(float(mood["sd"]) / k, 4),
                               "persistence": _round(float(mood["persistence"]), 3)}
        per = "" if abs(k - 1) < 1e-9 else (f"; this is the won share's swing / {k:.2f} (how far the won share's "
                                             f"log-odds move per decision's)")
        calm = "; not distinguishable from no swing" if mood["low"] <= 0 else ""
        c["market_mood.monthly_sd"] = (f"[fit] month-to-month swing of clients' decisions: {mood['note']}; the won "
                                       f"share's swing {_fmt(mood['sd'])}, 90% interval [{_fmt(mood['low'])}, "
                                       f"{_fmt(mood['high'])}]{calm}{per}")
        c["market_mood.persistence"] = "[fit] lag-1 correlation of the monthly won share's swing (0 to 0.9)"
    else:
        data["market_mood"] = {"monthly_sd": 0.0, "persistence": 0.0}
        c["market_mood.monthly_sd"] = f"[fit] no month-to-month swing of the won share: {mood.get('note', 'not measured')}"
    data["pay"] = {"components": []}
    c["pay"] = "[calibration] the export has no pay data: add your scheme ([[pay.components]], see the baseline)"
    ids = {"reps": rep_ids, "managers": man_ids, "products": prod_ids}
    return data, c, ids


def _mood_sensitivity(products: dict[str, Any]) -> float:
    """:func:`salessim.engine.odds.logit_sensitivity` of the written funnels' decisions after a deal enters the
    CRM (meeting -> proposal -> negotiation -> won), averaged over the products."""
    ks = [logit_sensitivity([pr["funnel"][f] for f in ("meeting_to_proposal", "proposal_to_negotiation",
                                                        "negotiation_to_won")]) for pr in products.values()]
    ks = [k for k in ks if k > 0]
    return float(np.mean(ks)) if ks else 0.0


# --------------------------------------------------------------------------- TOML text
def _key(k: str) -> str:
    return k if re.fullmatch(r"[A-Za-z0-9_-]+", k) else '"' + k.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _value(v: Any) -> str:
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, int):
        return str(v)
    if isinstance(v, float):
        if not math.isfinite(v):
            raise ValueError("non-finite value in a scenario")
        s = repr(_round(v, 8))
        return s if ("." in s or "e" in s or "inf" in s) else s + ".0"
    if isinstance(v, (dt.date,)):
        return v.isoformat()
    if isinstance(v, str):
        return '"' + v.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n") + '"'
    if isinstance(v, (list, tuple)):
        return "[" + ", ".join(_value(x) for x in v) + "]"
    if isinstance(v, dict):
        return "{ " + ", ".join(f"{_key(k)} = {_value(x)}" for k, x in v.items() if x is not None) + " }"
    if isinstance(v, (np.floating, np.integer)):
        return _value(v.item())
    raise TypeError(f"cannot write {type(v).__name__} to TOML")


def to_toml(data: dict[str, Any], comments: dict[str, str], header: str = "") -> str:
    """TOML text of scenario ``data``, with ``comments`` (by dotted path) beside or above values."""
    out: list[str] = []
    if header:
        out += [f"# {ln}" if ln else "#" for ln in header.splitlines()]
        out.append("")

    def scalar_lines(table: dict, path: str) -> list[str]:
        lines = []
        for k, v in table.items():
            if v is None:
                continue
            if isinstance(v, dict) and "dist" not in v and not _inline_map(k):
                continue
            if isinstance(v, list) and v and all(isinstance(x, dict) and "dist" not in x for x in v):
                continue
            p = f"{path}.{k}" if path else k
            text = f"{_key(k)} = {_value(v)}"
            note = comments.get(p)
            if note and len(text) + len(note) < 110:
                lines.append(f"{text:<40} # {note}")
            elif note:
                lines.append(f"# {note}")
                lines.append(text)
            else:
                lines.append(text)
        return lines

    def emit_table(table: dict, path: str, header_name: str | None, array: bool = False) -> None:
        if header_name is not None:
            out.append("")
            note = comments.get(path)
            if note:
                out.append(f"# {note}")
            out.append(f"[[{header_name}]]" if array else f"[{header_name}]")
        out.extend(scalar_lines(table, path))
        for k, v in table.items():
            p = f"{path}.{k}" if path else k
            hn = f"{header_name}.{_key(k)}" if header_name else _key(k)
            if isinstance(v, dict) and "dist" not in v and not _inline_map(k):
                emit_table(v, p, hn)
            elif isinstance(v, list) and v and all(isinstance(x, dict) and "dist" not in x for x in v):
                for i, item in enumerate(v):
                    emit_table(item, f"{p}.{i}", hn, array=True)

    emit_table(data, "", None)
    return "\n".join(out).rstrip() + "\n"


def _inline_map(key: str) -> bool:
    """Tables written inline (free keys): a source's rates by month."""
    return key in ("rate_by_month", "rates", "forced_mix")


def scenario_text(fit: Fit, *, source_name: str = "export", **kw) -> tuple[str, Scenario, dict[str, Any]]:
    """The scenario file text, the validated scenario, and the id maps."""
    data, comments, ids = build(fit, source_name=source_name, **kw)
    scenario = validate(_plain(data), default_source="calibrated scenario")
    header = (f"{data['name']}: calibrated by `salessim calibrate` from {source_name} on {dt.date.today()}.\n"
              f"History: {fit.data_figures['deals']:,} deals created {fit.first_created} .. {fit.export_date} "
              f"({fit.data_figures['won']:,} won, {fit.data_figures['lost']:,} lost, {fit.data_figures['open']:,} open).\n"
              "Tags: [fit] estimated from the export, with its sample size and 90% interval;\n"
              "      [calibration] a modelling choice for calibrated departments (docs/calibration.md);\n"
              "      [baseline] not in the export: copied from the built-in baseline, replace with your own.\n"
              "Only aggregates are kept: no client names, deal ids or contact data.")
    return to_toml(data, comments, header), scenario, ids


def _plain(data: Any) -> Any:
    if isinstance(data, dict):
        return {k: _plain(v) for k, v in data.items() if v is not None}
    if isinstance(data, list):
        return [_plain(x) for x in data]
    if isinstance(data, (np.floating, np.integer)):
        return data.item()
    return data


def write_scenario(fit: Fit, path: str | Path, *, source_name: str = "export", **kw) -> Scenario:
    """Write the calibrated scenario to ``path``; return it as loaded back from the file."""
    text, _, _ = scenario_text(fit, source_name=source_name, **kw)
    p = Path(path)
    p.parent.mkdir(parents=True, exist_ok=True)
    p.write_text(text, encoding="utf-8")
    return load_scenario(p)
