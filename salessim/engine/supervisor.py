"""A head of sales: a scarce daily budget of attention for their reps.

Each working day the head spends, in this order: their own admin; the daily planning
meeting (and the weekly one on the first day of a week); reviews of large proposals and
of lost deals, which hold deals up until done; then listening to calls and coaching. The
last two are what reps need every day (``calls_listened_per_rep_day`` calls and
``coaching_hours_per_rep_day`` hours, more for ramping hires). When the head's hours do
not cover the need, every rep gets the same share of it: their *attention ratio*.

A rep's intensity (the share of their potential selling activity actually done) moves
toward a target that is full when attention is full and falls to a floor (the documents:
20-30%) when attention drops below a critical share (see
:func:`salessim.engine.rep.target_intensity`), so reps left alone drift down to the floor.
The head only gives attention (:meth:`~salessim.engine.rep.Rep.receive_attention`); each rep
moves their own intensity. Hours are working hours; the salary is per month (currency).
"""

from __future__ import annotations

from collections import deque
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # pragma: no cover
    from salessim.engine.rep import Rep
    from salessim.model import Department
    from salessim.scenarios.schema import SupervisorSpec


class Supervisor:
    """One head of sales and the reps who report to them."""

    def __init__(self, dept: "Department", index: int, spec: "SupervisorSpec"):
        self.dept = dept
        self.index = index
        self.id = spec.id
        self.spec = spec
        self.reps: list["Rep"] = []
        self.reviews: deque = deque()       # (hours left, event) of proposals awaiting review
        self.lost_review_hours = 0.0        # lost-deal reviews waiting (hours)
        cal = dept.calendar
        self.start_day = 0 if spec.hire_date is None else cal.first_day_on_or_after(spec.hire_date)
        self.end_day = cal.n_days if spec.leave_date is None else cal.first_day_on_or_after(spec.leave_date)
        self.hours_per_day = spec.weekly_hours / len(cal.workdays)

    def add_rep(self, rep: "Rep") -> None:
        """``rep`` reports to this head from now on."""
        self.reps.append(rep)

    def work_day(self, d: int) -> None:
        """Working day ``d``: own admin and planning, reviews, then attention shared among the
        present reps, each of whom is told what they received (:meth:`Rep.receive_attention`)."""
        dept = self.dept
        present_reps = [r for r in self.reps if r.present[d]]
        if d < self.start_day or d >= self.end_day:  # not (or no longer) in post: nobody looks after the team
            for rep in present_reps:
                rep.receive_attention(0.0, 0.0, 0.0)
            return
        m = dept.month_of[d]
        rec = dept.recorder
        rec.supervisor_in_post(m, self.index, self.spec.salary_per_month / dept.days_in_month[m])
        if not dept.scenario.supervision.enabled:
            for rep in present_reps:
                rep.supervision_off()
            rec.supervisor_idle(m, self.index, self.hours_per_day)
            return
        planning, left = self._own_time(d, m)
        left = self._review(left, m)  # reviews hold deals up, so they come first
        self._give_attention(present_reps, planning, left, d, m)

    def _own_time(self, d: int, m: int) -> tuple[float, float]:
        """Own admin and the planning meetings (daily, and weekly on a week's first day):
        returns the planning hours (the reps attend) and the hours left."""
        sup = self.dept.scenario.supervision
        hours = self.hours_per_day
        admin = hours * sup.admin_share
        weekly = sup.weekly_planning_hours if self.dept.calendar.is_week_start(d) else 0.0
        planning = sup.daily_planning_minutes / 60.0 + weekly
        planning = min(planning, hours - admin)
        self.dept.recorder.supervisor_own_time(m, self.index, admin, planning)
        return planning, hours - admin - planning

    def _review(self, left: float, m: int) -> float:
        """Reviews of large proposals (in queue order) and of lost deals within ``left`` hours;
        returns the hours left."""
        reviewed = 0.0
        while self.reviews and left > 1e-9:
            item = self.reviews[0]
            do = min(item[0], left)
            item[0] -= do
            left -= do
            reviewed += do
            if item[0] <= 1e-9:
                self.reviews.popleft()
                item[1].succeed()
        if self.lost_review_hours > 0 and left > 0:
            do = min(self.lost_review_hours, left)
            self.lost_review_hours -= do
            left -= do
            reviewed += do
        self.dept.recorder.supervisor_reviews(m, self.index, reviewed)
        return left

    def _give_attention(self, present_reps: list["Rep"], planning: float, left: float, d: int, m: int) -> None:
        """Listening to calls and coaching, shared in proportion to need within ``left`` hours."""
        sup = self.dept.scenario.supervision
        listen_h = sup.calls_listened_per_rep_day * sup.minutes_per_listened_call / 60.0
        needs = []
        total = 0.0
        for rep in present_reps:
            coach = sup.coaching_hours_per_rep_day * (sup.new_hire_coaching_multiplier if rep.ramping(d) else 1.0)
            needs.append(coach)
            total += coach + listen_h
        ratio = min(1.0, left / total) if total > 0 else 1.0
        listened = coached = 0.0
        for rep, coach in zip(present_reps, needs):
            rep.receive_attention(ratio, ratio * coach, planning)
            listened += ratio * listen_h
            coached += ratio * coach
        self.dept.recorder.supervisor_attention(m, self.index, listened, coached,
                                                max(0.0, left - listened - coached))

    def request_lost_review(self, hours: float) -> None:
        """A lost deal to review: ``hours`` more of lost-deal reviews waiting."""
        self.lost_review_hours += hours

    def request_review(self, hours: float):
        """Queue a proposal review of ``hours`` (working hours); the event fires when the head has done it."""
        ev = self.dept.env.event()
        self.reviews.append([hours, ev])
        return ev
