"""A sales rep: their working day, diary, pipeline work, inbound leads and prospecting.

Each working day a present rep spends, in this order:

1. admin (a fixed share of the day), the head's planning meetings, and being coached;
2. of the remaining *selling hours*, only the share their *intensity* allows is really
   worked (the rest is recorded as idle). The meetings booked in their diary for today
   (meeting plus travel) are kept and come out of that share first; what is left goes to
   pipeline tasks (proposals, negotiations), then to first contact with inbound leads;
4. what remains is split by the effort-choice rule (:mod:`salessim.engine.effort`) between
   contacting key clients and prospecting each product.

A rep can never hold more meetings than their hours allow: the diary only offers slots
that fit in a day, and a lead that finds no slot within the booking horizon is dropped.
"""

from __future__ import annotations

import math
from collections import deque
from typing import TYPE_CHECKING

import numpy as np
from scipy.special.cython_special import ndtri

from salessim.engine import effort, odds
from salessim.engine.key_clients import KeyClientBook
from salessim.engine.lead import U_ASK, U_CONTACT, U_CONTACT_MEETING, U_NO_SHOW, Lead, LuckSupply, hold_meeting
from salessim.engine.people import career_factor, ramp
from salessim.scenarios.distributions import binomial_quantile

if TYPE_CHECKING:  # pragma: no cover
    from salessim.engine.supervisor import Supervisor
    from salessim.model import Department
    from salessim.scenarios.schema import RepSpec


class _Task:
    __slots__ = ("lead", "left", "event", "kind")

    def __init__(self, lead, left, event, kind):
        self.lead, self.left, self.event, self.kind = lead, left, event, kind


class Rep:
    """One rep seat. If its holder leaves, a replacement takes the seat after a delay."""

    def __init__(self, dept: "Department", index: int, rep_id: str, group: "RepSpec", group_index: int):
        s = dept.scenario
        self.dept = dept
        self.index = index
        self.id = rep_id
        self.group = group
        self.group_index = group_index
        self.region = group.region
        self.supervisor: "Supervisor | None" = None
        streams = dept.streams
        traits = streams.get("rep_traits", rep_id)
        self.skill = group.skill * math.exp(group.skill_spread * traits.standard_normal())
        self.threshold = (
            math.inf if group.threshold is None
            else group.threshold * math.exp(group.threshold_spread * traits.standard_normal())
        )
        self.rng_deals = streams.get("deals", rep_id)
        #: the leads this rep books draw their luck from here, in booking order
        self.lead_luck = LuckSupply(streams.get("leads", rep_id))
        #: per product: three uniforms per working day for prospecting (call rounding,
        #: connects, bookings), fixed per day so that the rep's days stay in step across scenarios
        self._prospect_u: dict[int, list[list[float]]] = {}
        self.salary = group.salary_per_month
        self.plan = group.plan_per_month if group.plan_per_month is not None else s.plan.monthly_per_rep
        self.products = [dept.product_index[p] for p in (group.products or s.products)]
        self._schedule(dept, group, rep_id)
        self.inbox: deque[Lead] = deque()
        self.tasks: deque[_Task] = deque()
        self.diary: dict[int, list[Lead]] = {}
        cal = dept.calendar
        self.booked = [0] * (cal.n_days + s.activity.booking_horizon_days + 2)
        self.intensity = s.supervision.initial_intensity if s.supervision.enabled else 1.0
        self.attention = 1.0
        self.coached_hours_today = 0.0
        self.planning_hours_today = 0.0
        self.mtd_fact = 0.0
        self._values_month = -1
        self._values: list[float] = []
        self._names: list[str] = []
        self._shares_cache: dict[tuple, list[float]] = {}
        self.book = KeyClientBook(dept, self, group.key_clients if s.key_clients.enabled else 0)

    # ------------------------------------------------------------------ schedule
    def _schedule(self, dept: "Department", group: "RepSpec", rep_id: str) -> None:
        """Pre-compute, per day: employed?, present?, and the current holder's hire day."""
        s, cal = dept.scenario, dept.calendar
        n = cal.n_days
        if group.hire_date is None:
            first_hire = int(-10 * dept.days_per_year)  # long tenure: fully ramped
            start = 0
        else:
            start = cal.first_day_on_or_after(group.hire_date)
            first_hire = start if group.hire_date >= cal.start else -(cal.start - group.hire_date).days * 5 // 7
            start = max(0, start) if group.hire_date >= cal.start else 0
        employed = np.zeros(n, dtype=bool)
        employed[start:] = True
        hire_day = np.full(n, first_hire, dtype=np.int64)
        self.departures = []
        for leave, back in dept.people_departures(rep_id, start):
            employed[leave:back] = False
            hire_day[back:] = back
            self.departures.append((leave, back))
        vac = dept.vacation_mask(rep_id)
        training = np.zeros(n, dtype=bool)
        t = s.deal_size.training
        if t.threshold_multiplier > 1 or t.cost_per_rep > 0:
            idx = np.flatnonzero(cal.month_of_day == t.month + dept.month0)
            self.training_days = idx[: int(round(t.days_out))]
            training[self.training_days] = True
            self.training_day = int(idx[0]) if len(idx) else n
        else:
            self.training_day = n
        # plain lists: read every day on the hot path
        self.employed = employed.tolist()
        self.present = (employed & ~vac & ~training).tolist()
        self.in_training = (employed & training).tolist()
        self.hire_day = hire_day.tolist()
        horizon = s.activity.booking_horizon_days + 2
        per_day = dept.slots_per_day
        #: meetings that fit on each day (0 when absent); days past the horizon are open
        self.slot_cap = [per_day if p else 0 for p in self.present] + [per_day] * horizon
        self._eff_day = -1
        self._eff = 1.0

    def tenure_days(self, d: int) -> int:
        """Working days since the current holder of the seat was hired."""
        return d - int(self.hire_day[min(d, len(self.hire_day) - 1)])

    def effectiveness(self, d: int) -> float:
        """Skill times ramp: the odds multiplier this rep brings to every conversion."""
        if d != self._eff_day:
            ppl = self.dept.scenario.people
            self._eff = self.skill * ramp(self.tenure_days(d), ppl.ramp_months * self.dept.days_per_month, ppl.ramp_start)
            self._eff_day = d
        return self._eff

    def ramping(self, d: int) -> bool:
        """True while the rep is still ramping up."""
        return self.tenure_days(d) < self.dept.scenario.people.ramp_months * self.dept.days_per_month

    # ------------------------------------------------------------------ diary
    def slots(self, d: int) -> int:
        """Meetings that fit on day ``d``."""
        return self.slot_cap[d]

    def _find_slot(self, d: int) -> int | None:
        """First day with a free meeting slot within the booking horizon after day ``d``."""
        act = self.dept.scenario.activity
        booked, cap = self.booked, self.slot_cap
        for day in range(d + max(1, act.meeting_lead_days), d + act.booking_horizon_days + 1):
            if booked[day] < cap[day]:
                return day
        return None

    def _enter(self, lead: Lead, day: int) -> None:
        self.booked[day] += 1
        self.diary.setdefault(day, []).append(lead)
        lead.stage = "meeting"

    def book_meeting(self, lead: Lead, d: int | None = None) -> bool:
        """Put a meeting for ``lead`` in the first free slot after day ``d`` (default: today).

        With no free slot within the booking horizon the lead is dropped; returns whether
        the meeting was booked.
        """
        dept = self.dept
        if d is None:
            d = dept.day_now()
        day = self._find_slot(d)
        if day is None:
            dept.close_dropped(lead, "no_diary_slot")
            return False
        self._enter(lead, day)
        dept.recorder.rp["meetings_booked"][dept.month_of[d]][self.index][lead.product] += 1
        dept.recorder.event(dept.env.now, "meeting_booked", lead.id, self.index, lead.product, "meeting", day)
        return True

    def receive_lead(self, lead: Lead) -> None:
        """An inbound lead lands in the inbox, to be contacted."""
        if lead.policed:  # a hand-off operator chases it: first in the queue
            self.inbox.appendleft(lead)
        else:
            self.inbox.append(lead)

    def queue_work(self, lead: Lead, hours: float, kind: str):
        """Queue ``hours`` of work on ``lead``; the returned event fires when it is done."""
        env = self.dept.env
        if hours <= 0:
            return env.timeout(0)
        ev = env.event()
        self.tasks.append(_Task(lead, hours, ev, kind))
        return ev

    def proposal_for(self, lead: Lead) -> float:
        """The value proposed: the client's potential, capped by the rep's threshold (currency)."""
        ask = self.threshold
        if ask != math.inf:
            spread = self.dept.scenario.deal_size.ask_spread
            if spread > 0:
                ask *= math.exp(spread * ndtri(lead.u(U_ASK)))
        return min(lead.potential, ask)

    # ------------------------------------------------------------------ the day
    def work_day(self, d: int) -> None:
        """One working day."""
        dept = self.dept
        s = dept.scenario
        cal = dept.calendar
        m = dept.month_of[d]
        r = self.index
        R = dept.recorder.r
        if d == dept.day0:
            dept.clients_at_start += self.book.mark_cohort()
        if dept.day_in_month[d] == 1:
            self.mtd_fact = 0.0
            if self.book.size:
                self.book.month_start(d, m)
        if self.book.size:
            self.book.daily_churn(d, m)
        if d == self.training_day and self.employed[d]:
            self._train(m)
        if self.employed[d]:
            R["days_employed"][m][r] += 1
            R["salary"][m][r] += self.salary / dept.days_in_month[m]
        if self.in_training[d]:
            R["hours_training"][m][r] += cal.hours_per_day
        if not self.present[d]:
            self._expire_inbox(d, m)
            if self.book.size:
                R["clients_active"][m][r] = self.book.active_count()
            return
        hpd = cal.hours_per_day
        act = s.activity
        if self.supervisor is None and s.supervision.enabled:
            self.receive_attention(0.0, 0.0, 0.0)  # nobody looks after this rep
        R["days_present"][m][r] += 1
        admin = hpd * act.admin_share
        fixed = admin + self.planning_hours_today + self.coached_hours_today
        used = fixed
        R["hours_admin"][m][r] += admin
        R["hours_planning"][m][r] += self.planning_hours_today
        R["hours_coached"][m][r] += self.coached_hours_today
        R["intensity_sum"][m][r] += self.intensity
        R["attention_sum"][m][r] += self.attention

        # -- today's meetings
        todays = self.diary.pop(d, None)
        if todays:
            block = dept.meeting_block
            rp = dept.recorder.rp
            for lead in todays:
                if used + block > hpd + 1e-9:  # no time left today: move it
                    day = self._find_slot(d)
                    if day is None:
                        dept.close_dropped(lead, "no_diary_slot")
                    else:
                        self._enter(lead, day)
                    continue
                used += block
                held = not (act.no_show_rate > 0 and lead.u(U_NO_SHOW) < act.no_show_rate)
                if held:
                    rp["meetings"][m][r][lead.product] += 1
                    rp["meeting_hours"][m][r][lead.product] += block
                    dept.recorder.event(dept.env.now, "meeting_held", lead.id, r, lead.product, "meeting")
                hold_meeting(dept, lead, held)
            R["hours_meetings"][m][r] += used - fixed

        # -- intensity is the share of the selling hours (after admin, planning, coaching) that the
        #    rep really works; booked meetings are kept, and come out of that share first
        selling = max(0.0, hpd - fixed)
        meetings_h = used - fixed
        free = max(0.0, hpd - used)
        drive = self.intensity * self._career(d) * self._pace_boost(d)
        work = min(free, max(0.0, selling * drive - meetings_h))
        idle = free - work
        work = self._do_tasks(work, m)
        work = self._do_inbox(work, d, m)
        work = self._free_time(work, d, m)
        R["hours_idle"][m][r] += idle + work
        if self.book.size:
            R["clients_active"][m][r] = self.book.active_count()

    # ------------------------------------------------------------------ parts of the day
    def _do_tasks(self, hours: float, m: int) -> float:
        tasks = self.tasks
        spent = 0.0
        rp = self.dept.recorder.rp
        while tasks and hours > 1e-9:
            task = tasks[0]
            do = task.left if task.left <= hours else hours
            task.left -= do
            hours -= do
            spent += do
            rp["deal_work_hours"][m][self.index][task.lead.product] += do
            if task.left <= 1e-9:
                tasks.popleft()
                task.event.succeed()
        self.dept.recorder.r["hours_deal_work"][m][self.index] += spent
        return hours

    def _expire_inbox(self, d: int, m: int) -> None:
        patience = self.dept.scenario.activity.lead_patience_days
        keep: deque[Lead] = deque()
        for lead in self.inbox:
            if lead.attempts == 0 and d - lead.arrival_day > self._patience(lead, patience):
                self.dept.close_dropped(lead, "not_contacted_in_time")
            else:
                keep.append(lead)
        self.inbox = keep

    def _do_inbox(self, hours: float, d: int, m: int) -> float:
        if not self.inbox:
            return hours
        dept = self.dept
        act = dept.scenario.activity
        attempt_h = act.first_contact_minutes / 60.0
        patience = act.lead_patience_days
        rp = dept.recorder.rp
        keep: deque[Lead] = deque()
        spent = 0.0
        for lead in self.inbox:
            if attempt_h > 0 and hours + 1e-9 < attempt_h:
                if lead.attempts == 0 and d - lead.arrival_day > self._patience(lead, patience):
                    dept.close_dropped(lead, "not_contacted_in_time")
                else:
                    keep.append(lead)
                continue
            hours -= attempt_h
            spent += attempt_h
            lead.attempts += 1
            rp["contact_attempts"][m][self.index][lead.product] += 1
            if lead.connected or lead.u(U_CONTACT) < act.inbound_connect_rate:
                p = dept.conversion(self, lead, dept.product_specs[lead.product].funnel.contact_to_meeting)
                if lead.u(U_CONTACT_MEETING) < p:
                    self.book_meeting(lead, d)
                else:
                    dept.close_lost(lead, "first_contact", "not_interested")
            elif lead.attempts >= act.max_contact_attempts + self._extra_attempts(lead):
                dept.close_lost(lead, "first_contact", "unreachable")
            else:
                keep.append(lead)
        self.inbox = keep
        dept.recorder.r["hours_inbound"][m][self.index] += spent
        return hours

    def _patience(self, lead: Lead, patience: float) -> float:
        """Days an uncontacted lead waits; longer when a hand-off operator chases it (pay.handoff)."""
        if not lead.policed:  # only leads of a hand-off operator are policed
            return patience
        handoff = self.dept.scenario.pay.handoff
        return patience * handoff.policing_patience_multiplier if handoff is not None else patience

    def _extra_attempts(self, lead: Lead) -> int:
        if not lead.policed:
            return 0
        handoff = self.dept.scenario.pay.handoff
        return handoff.policing_extra_attempts if handoff is not None else 0

    def _free_time(self, hours: float, d: int, m: int) -> float:
        """Split free selling hours between key clients and prospecting; return hours unused."""
        if hours <= 1e-9:
            return hours
        dept = self.dept
        s = dept.scenario
        names, values = self._activity_values(d, m)
        contact_h = s.activity.client_contact_hours
        caps: list[float | None] = []
        for name in names:
            if name == "key_clients":
                due = self.book.due_count(d)
                caps.append(due * contact_h if contact_h > 0 else 0.0)
            else:
                caps.append(None if dept.market.has_prospects(dept.product_index[name], d) else 0.0)
        alloc = effort.allocate(hours, caps, self._shares_of)
        R = dept.recorder.r
        for name, h in zip(names, alloc):
            if h <= 1e-12:
                continue
            if name == "key_clients":
                n = int(h / contact_h + 1e-9) if contact_h > 0 else 0
                done = self.book.contact(n, d)
                R["client_contacts"][m][self.index] += done
                R["hours_clients"][m][self.index] += done * contact_h
                hours -= done * contact_h
            else:
                self._prospect(dept.product_index[name], h, d, m)
                R["hours_prospecting"][m][self.index] += h
                hours -= h
        return max(0.0, hours)

    def _prospect(self, p: int, hours: float, d: int, m: int) -> None:
        dept = self.dept
        s = dept.scenario
        days_u = self._prospect_u.get(p)
        if days_u is None:
            rng = dept.streams.get("prospecting", self.id, dept.products[p])
            days_u = self._prospect_u[p] = rng.random((dept.calendar.n_days, 3)).tolist()
        u_round, u_connect, u_book = days_u[d]
        rp = dept.recorder.rp
        r = self.index
        calls = int(hours * s.prospecting.calls_per_hour + u_round)
        if calls <= 0:
            return
        rp["calls"][m][r][p] += calls
        rp["prospecting_hours"][m][r][p] += hours
        connects = binomial_quantile(calls, s.prospecting.connect_rate * dept.market.availability(p, d), u_connect)
        if connects <= 0:
            return
        dept.market.consume(p, connects, d)
        rp["connects"][m][r][p] += connects
        spec = dept.product_specs[p]
        booked = binomial_quantile(connects, dept.conversion(self, None, spec.funnel.booking_rate, product=p), u_book)
        for _ in range(booked):
            lead = dept.new_lead(self, p, "outbound", "prospecting", self.lead_luck.take())
            self.book_meeting(lead, d)

    # ------------------------------------------------------------------ motivation
    def _career(self, d: int) -> float:
        c = self.dept.scenario.people.career
        if not c.enabled:
            return 1.0
        dpm = self.dept.days_per_month
        start = int(self.hire_day[d])
        if c.new_work_resets:
            start = max(start, self.dept.latest_launch_day(self, d))
        return career_factor(d - start, c.peak_month * dpm, c.decline_per_year / (12 * dpm), c.floor)

    def _pace_boost(self, d: int) -> float:
        boost = self.dept.scenario.effort_choice.pace_boost
        if boost <= 0 or self.plan <= 0:
            return 1.0
        dept = self.dept
        m = dept.month_of[d]
        elapsed = dept.day_in_month[d] - 1
        if elapsed <= 0:
            return 1.0
        expected = self.plan / dept.days_in_month[m] * elapsed
        pace = self.mtd_fact / expected
        return 1.0 + boost * max(0.0, 1.0 - pace)

    def receive_attention(self, ratio: float, coached_hours: float, planning_hours: float) -> None:
        """Today's attention from the head: update intensity toward its target."""
        sup = self.dept.scenario.supervision
        self.attention = ratio
        self.coached_hours_today = coached_hours
        self.planning_hours_today = planning_hours
        self.intensity = next_intensity(self.intensity, ratio, sup.intensity_floor, sup.attention_threshold,
                                        sup.recovery_per_day, sup.decay_per_day)

    def _train(self, m: int) -> None:
        t = self.dept.scenario.deal_size.training
        self.threshold *= t.threshold_multiplier
        self.dept.recorder.r["training_cost"][m][self.index] += t.cost_per_rep
        self._values_month = -1

    # ------------------------------------------------------------------ what pays
    def _activity_values(self, d: int, m: int) -> tuple[list[str], list[float]]:
        """Activities open to the rep this month and their marginal pay per hour (currency/hour).

        Decided once a month, from every component of the pay scheme (:mod:`salessim.engine.pay_response`).
        """
        if self._values_month == m:
            return self._names, self._values
        names, values = self.dept.pay_model.activity_values(self, d, m)
        self._names, self._values, self._values_month = names, values, m
        self._shares_cache = {}
        return names, values

    def _shares_of(self, open_: list[int]) -> list[float]:
        """Shares of the open activities by the choice rule (or management's mix), memoised per month."""
        key = tuple(open_)
        shares = self._shares_cache.get(key)
        if shares is None:
            ec = self.dept.scenario.effort_choice
            if ec.forced_mix is not None:
                forced = effort.forced_shares(self._names, ec.forced_mix)
                shares = [forced[i] for i in open_]
            else:
                shares = effort.choice_shares([self._values[i] for i in open_], ec.temperature)
            self._shares_cache[key] = shares
        return shares


def target_intensity(attention: float, floor: float, threshold: float) -> float:
    """The intensity a rep settles at with a steady ``attention`` ratio (received / needed).

    ``floor + (1 - floor) * smoothstep((attention - threshold) / (1 - threshold))``, with
    ``smoothstep(x) = 3x^2 - 2x^3``: full attention keeps full intensity and a small
    shortfall costs little, but below a critical share reps behave as if left alone.
    """
    a = min(1.0, max(0.0, attention))
    x = 1.0 if threshold >= 1 else min(1.0, max(0.0, (a - threshold) / (1.0 - threshold)))
    return floor + (1.0 - floor) * x * x * (3.0 - 2.0 * x)


def next_intensity(current: float, attention: float, floor: float, threshold: float, up: float, down: float) -> float:
    """Intensity after one day with ``attention`` (received / needed, 0..1).

    Intensity closes the share ``up`` of the gap to :func:`target_intensity` per day when
    below it, and the share ``down`` when above it.
    """
    target = target_intensity(attention, floor, threshold)
    rate = up if target > current else down
    return current + rate * (target - current)
