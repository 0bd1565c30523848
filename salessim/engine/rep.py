"""A sales rep: their working day, diary, pipeline work, inbound leads and prospecting.

Each working day a present rep spends, in this order:

1. admin (a fixed share of the day), the head's planning meetings, and being coached;
2. of the remaining *selling hours*, only the share their *intensity* allows is really
   worked (the rest is recorded as idle). The meetings booked in their diary for today
   (meeting plus travel) are kept and come out of that share first; what is left goes to
   pipeline tasks (proposals, negotiations), then to first contact with inbound leads;
3. what remains is split by the effort-choice rule (:mod:`salessim.engine.effort`) between
   contacting key clients and prospecting each product.

A rep can never hold more meetings than their hours allow: the diary only offers slots
that fit in a day, and a lead that finds no slot within the booking horizon is dropped.

Hours are working hours, days working days, money the scenario's currency. A rep changes
only their own state: the head's attention arrives through :meth:`Rep.receive_attention`
(the rep updates their own intensity), the plan fact of a won deal through
:meth:`Rep.credit_fact`; what happens is told to the recorder
(:class:`~salessim.engine.recorder.Recorder`), one fact at a time.
"""

from __future__ import annotations

import math
from collections import deque
from typing import TYPE_CHECKING

import numpy as np
from scipy.special.cython_special import ndtri

from salessim.engine import effort
from salessim.engine.key_clients import KeyClientBook
from salessim.engine.lead import U_ASK, U_CONTACT, U_CONTACT_MEETING, U_NO_SHOW, Lead, LuckSupply, hold_meeting
from salessim.engine.people import career_factor, ramp
from salessim.scenarios.distributions import binomial_quantile

if TYPE_CHECKING:  # pragma: no cover
    from salessim.engine.supervisor import Supervisor
    from salessim.model import Department
    from salessim.scenarios.schema import RepSpec


class _Task:
    """Pipeline work queued with the rep: ``left`` hours on ``lead``; ``event`` fires when done."""

    __slots__ = ("lead", "left", "event")

    def __init__(self, lead, left, event):
        self.lead, self.left, self.event = lead, left, event


class Rep:
    """One rep seat. If its holder leaves, a replacement takes the seat after a delay.

    ``supervisor`` is the head the seat reports to (None: nobody looks after it).
    """

    def __init__(self, dept: "Department", index: int, rep_id: str, group: "RepSpec", group_index: int,
                 supervisor: "Supervisor | None" = None):
        s = dept.scenario
        self.dept = dept
        self.index = index
        self.id = rep_id
        self.group = group
        self.group_index = group_index
        self.region = group.region
        self.supervisor = supervisor
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
        supervised = s.supervision.enabled
        #: share of the selling hours really worked (0-1); full when supervision is not modelled
        self.intensity = s.supervision.initial_intensity if supervised else 1.0
        #: today's attention from the head, received / needed (0-1); none for a rep without a head
        self.attention = 0.0 if supervisor is None and supervised else 1.0
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
            training[idx[: int(round(t.days_out))]] = True
            self.training_day = int(idx[0]) if len(idx) else n
        else:
            self.training_day = n
        # plain lists: read every day on the hot path
        self.employed = employed.tolist()
        self.present = (employed & ~vac & ~training).tolist()
        self.in_training = (employed & training).tolist()
        self.hire_day = hire_day.tolist()
        #: the hire day of the holder whose intensity follows the head's attention: a holder in post
        #: before the simulated calendar starts keeps the scenario's initial intensity; a new hire
        #: (and each replacement) starts at the intensity the attention they get sustains
        self._attended_holder: int | None = int(hire_day[0]) if n and hire_day[0] < 0 else None
        horizon = s.activity.booking_horizon_days + 2
        per_day = dept.slots_per_day
        #: meetings that fit on each day (0 when absent); days past the horizon are open
        self.slot_cap = [per_day if p else 0 for p in self.present] + [per_day] * horizon
        self._eff_day = -1
        self._eff = 1.0

    def leave(self, d: int, back: int) -> None:
        """The holder leaves on day ``d`` (of their own accord, mid-run); a replacement starts on
        day ``back``. Meetings booked with them in between are lost; their pipeline waits for the
        replacement, as after any departure."""
        dept = self.dept
        n = len(self.employed)
        if d >= n or not self.employed[d]:
            return
        back = min(back, n)
        for day in range(d, back):
            self.employed[day] = self.present[day] = self.in_training[day] = False
            self.slot_cap[day] = 0
            for lead in self.diary.pop(day, []):
                self.booked[day] -= 1
                dept.close_dropped(lead, "rep_left")
        for day in range(back, n):
            self.hire_day[day] = max(self.hire_day[day], back)
        self.departures.append((d, back))
        self._eff_day = -1

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
        lead.meeting_booked()

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
        dept.recorder.meeting_booked(lead, dept.month_of[d], day, dept.env.now)
        return True

    def receive_lead(self, lead: Lead) -> None:
        """An inbound lead lands in the inbox, to be contacted."""
        if lead.policed:  # a hand-off operator chases it: first in the queue
            self.inbox.appendleft(lead)
        else:
            self.inbox.append(lead)

    def queue_work(self, lead: Lead, hours: float):
        """Queue ``hours`` (working hours) of work on ``lead``; the returned event fires when it is done."""
        env = self.dept.env
        if hours <= 0:
            return env.timeout(0)
        ev = env.event()
        self.tasks.append(_Task(lead, hours, ev))
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
        """Working day ``d``: the key-client book moves on; a present rep then does the day's
        fixed duties, holds the diary's meetings, and works (as far as intensity allows) on
        pipeline tasks, the inbox and, with the time left, key clients and prospecting."""
        dept = self.dept
        m = dept.month_of[d]
        rec = dept.recorder
        r = self.index
        if dept.day_in_month[d] == 1:
            self.mtd_fact = 0.0  # a new month: the pace toward the plan starts again
        self._book_day(d, m)
        if d == self.training_day and self.employed[d]:
            self._train(m)
        if self.employed[d]:
            rec.rep_employed(m, r, self.salary / dept.days_in_month[m])
        if self.in_training[d]:
            rec.rep_in_training(m, r, dept.calendar.hours_per_day)
        if not self.present[d]:
            self._expire_inbox(d)  # the inbox goes cold while the rep is away
            self._count_clients(m)
            return
        if self.supervisor is None and dept.scenario.supervision.enabled:
            self.receive_attention(0.0, 0.0, 0.0)  # nobody looks after this rep
        fixed = self._duties(m)                           # admin, planning, being coached
        used = self._hold_meetings(d, m, fixed)           # the diary's meetings for today
        work, idle = self._hours_to_work(d, fixed, used)  # as far as intensity allows
        work = self._do_tasks(work, m)                    # proposals and negotiations
        work = self._do_inbox(work, d, m)                 # first contact with inbound leads
        work = self._free_time(work, d, m)                # key clients and prospecting
        rec.idle_time(m, r, idle, work)                   # hours not worked, and hours with nothing to do
        self._count_clients(m)

    # ------------------------------------------------------------------ parts of the day
    def _book_day(self, d: int, m: int) -> None:
        """The key-client book's day: its cohort on the period's first day, the monthly reorders, churn."""
        book = self.book
        if d == self.dept.day0:
            self.dept.recorder.clients_at_period_start(book.mark_cohort())
        if book.size:
            if self.dept.day_in_month[d] == 1:
                book.month_start(d, m)
            book.daily_churn(d, m)

    def _count_clients(self, m: int) -> None:
        """Tell the recorder how many key clients the book holds (at the end of the day)."""
        if self.book.size:
            self.dept.recorder.clients_in_book(m, self.index, self.book.active_count())

    def _duties(self, m: int) -> float:
        """Admin, the head's planning meetings and being coached: the day's fixed hours."""
        admin = self.dept.calendar.hours_per_day * self.dept.scenario.activity.admin_share
        fixed = admin + self.planning_hours_today + self.coached_hours_today
        self.dept.recorder.rep_at_work(m, self.index, admin, self.planning_hours_today, self.coached_hours_today,
                                       self.intensity, self.attention)
        return fixed

    def _hold_meetings(self, d: int, m: int, used: float) -> float:
        """Hold today's diary meetings (meeting plus travel each) after ``used`` hours of the day;
        a meeting that no longer fits moves to the next free slot. Returns the hours used after them."""
        todays = self.diary.pop(d, None)
        if not todays:
            return used
        dept = self.dept
        act = dept.scenario.activity
        hpd = dept.calendar.hours_per_day
        block = dept.meeting_block
        rec = dept.recorder
        before = used
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
                rec.meeting_held(lead, m, block, dept.env.now)
            hold_meeting(dept, lead, held)
        rec.meeting_time(m, self.index, used - before)
        return used

    def _hours_to_work(self, d: int, fixed: float, used: float) -> tuple[float, float]:
        """Of the hours still free after ``used``, those the rep works and those left idle.

        Intensity (with the career curve and the pace boost) is the share of the selling hours
        (the day less its ``fixed`` duties) that the rep really works; the meetings held come
        out of that share first.
        """
        hpd = self.dept.calendar.hours_per_day
        selling = max(0.0, hpd - fixed)
        meetings_h = used - fixed
        free = max(0.0, hpd - used)
        drive = self.intensity * self._career(d) * self._pace_boost(d) * self._ramp_activity(d)
        work = min(free, max(0.0, selling * drive - meetings_h))
        return work, free - work

    def _ramp_activity(self, d: int) -> float:
        """A new hire's activity while ramping (share of full, linear from ``people.ramp_activity_start``
        on the first day to 1 after ``ramp_months``): first calls, then meetings, then deals."""
        ppl = self.dept.scenario.people
        if ppl.ramp_activity_start >= 1.0:
            return 1.0
        return ramp(self.tenure_days(d), ppl.ramp_months * self.dept.days_per_month, ppl.ramp_activity_start)

    def _do_tasks(self, hours: float, m: int) -> float:
        """Pipeline work (proposals, negotiations) in queue order; returns the hours left."""
        tasks = self.tasks
        spent = 0.0
        rec = self.dept.recorder
        while tasks and hours > 1e-9:
            task = tasks[0]
            do = task.left if task.left <= hours else hours
            task.left -= do
            hours -= do
            spent += do
            rec.deal_worked(m, self.index, task.lead.product, do)
            if task.left <= 1e-9:
                tasks.popleft()
                task.event.succeed()
        rec.deal_work_time(m, self.index, spent)
        return hours

    def _expire_inbox(self, d: int) -> None:
        """Drop the inbound leads nobody tried within their patience (an absent rep's day)."""
        patience = self.dept.scenario.activity.lead_patience_days
        keep: deque[Lead] = deque()
        for lead in self.inbox:
            if lead.attempts == 0 and d - lead.arrival_day > self._patience(lead, patience):
                self.dept.close_dropped(lead, "not_contacted_in_time")
            else:
                keep.append(lead)
        self.inbox = keep

    def _do_inbox(self, hours: float, d: int, m: int) -> float:
        """First contact with the inbox's leads, in order; returns the hours left."""
        if not self.inbox:
            return hours
        dept = self.dept
        act = dept.scenario.activity
        attempt_h = act.first_contact_minutes / 60.0
        patience = act.lead_patience_days
        rec = dept.recorder
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
            lead.contact_attempted()
            rec.contact_attempted(lead, m)
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
        rec.inbound_time(m, self.index, spent)
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
        rec = dept.recorder
        for name, h in zip(names, alloc):
            if h <= 1e-12:
                continue
            if name == "key_clients":
                n = int(h / contact_h + 1e-9) if contact_h > 0 else 0
                done = self.book.contact(n, d)
                rec.clients_contacted(m, self.index, done, done * contact_h)
                hours -= done * contact_h
            else:
                self._prospect(dept.product_index[name], h, d, m)
                rec.prospecting_time(m, self.index, h)
                hours -= h
        return max(0.0, hours)

    def _prospect(self, p: int, hours: float, d: int, m: int) -> None:
        """``hours`` of calls for product ``p``: dials, the prospects reached, the meetings they book."""
        dept = self.dept
        s = dept.scenario
        days_u = self._prospect_u.get(p)
        if days_u is None:
            rng = dept.streams.get("prospecting", self.id, dept.products[p])
            days_u = self._prospect_u[p] = rng.random((dept.calendar.n_days, 3)).tolist()
        u_round, u_connect, u_book = days_u[d]
        rec = dept.recorder
        calls = int(hours * s.prospecting.calls_per_hour + u_round)
        if calls <= 0:
            return
        rec.calls_made(m, self.index, p, calls, hours)
        connects = binomial_quantile(calls, s.prospecting.connect_rate * dept.market.availability(p, d), u_connect)
        if connects <= 0:
            return
        dept.market.consume(p, connects, d)
        rec.prospects_reached(m, self.index, p, connects)
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
        """Today's attention from the head: the attention ratio (received / needed, 0-1), the hours
        of coaching and of planning meetings it takes; intensity moves toward its target."""
        sup = self.dept.scenario.supervision
        self.attention = ratio
        self.coached_hours_today = coached_hours
        self.planning_hours_today = planning_hours
        holder = self.hire_day[self.dept.day_now()]
        if holder != self._attended_holder:  # a new hire's first day: they work as hard as this attention sustains
            self._attended_holder = holder
            self.intensity = target_intensity(ratio, sup.intensity_floor, sup.attention_threshold)
        else:
            self.intensity = next_intensity(self.intensity, ratio, sup.intensity_floor, sup.attention_threshold,
                                            sup.recovery_per_day, sup.decay_per_day)

    def supervision_off(self) -> None:
        """A day of a head in post with supervision not modelled (``supervision.enabled = false``):
        full attention and intensity, no planning meetings or coaching."""
        self.attention, self.intensity = 1.0, 1.0
        self.coached_hours_today = self.planning_hours_today = 0.0

    def credit_fact(self, fact: float) -> None:
        """Plan fact booked to this rep today (currency): counts toward the month's pace."""
        self.mtd_fact += fact

    def gain_key_client(self, d: int) -> None:
        """A client won on day ``d`` joins this rep's key-client book."""
        self.book.add_client(d)

    def _train(self, m: int) -> None:
        """Training day: the threshold (the largest proposal the rep dares) rises; the fee is paid."""
        t = self.dept.scenario.deal_size.training
        self.threshold *= t.threshold_multiplier
        self.dept.recorder.training_paid(m, self.index, t.cost_per_rep)
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
