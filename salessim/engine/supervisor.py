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

    def work_day(self, d: int) -> None:
        """Share out today's hours; set each present rep's attention and intensity."""
        dept = self.dept
        sup = dept.scenario.supervision
        cal = dept.calendar
        m = dept.month_of[d]
        i = self.index
        S = dept.recorder.s
        present_reps = [r for r in self.reps if r.present[d]]
        if d < self.start_day or d >= self.end_day:  # not (or no longer) in post: nobody looks after the team
            for rep in present_reps:
                rep.receive_attention(0.0, 0.0, 0.0)
            return
        S["days_present"][m][i] += 1
        S["salary"][m][i] += self.spec.salary_per_month / dept.days_in_month[m]
        if not sup.enabled:
            for rep in present_reps:
                rep.attention, rep.intensity = 1.0, 1.0
                rep.coached_hours_today = rep.planning_hours_today = 0.0
            S["hours_idle"][m][i] += self.hours_per_day
            return
        hours = self.hours_per_day
        admin = hours * sup.admin_share
        planning = sup.daily_planning_minutes / 60.0 + (sup.weekly_planning_hours if cal.is_week_start(d) else 0.0)
        planning = min(planning, hours - admin)
        left = hours - admin - planning
        S["hours_admin"][m][i] += admin
        S["hours_planning"][m][i] += planning
        # reviews hold deals up, so they come first
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
        S["hours_reviews"][m][i] += reviewed
        # listening and coaching, shared in proportion to need
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
        S["hours_listening"][m][i] += listened
        S["hours_coaching"][m][i] += coached
        S["hours_idle"][m][i] += max(0.0, left - listened - coached)

    def request_review(self, hours: float):
        """Queue a proposal review of ``hours``; the event fires when the head has done it."""
        ev = self.dept.env.event()
        self.reviews.append([hours, ev])
        return ev
