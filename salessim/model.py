"""The SimPy model of a sales department.

:class:`Department` builds the actors from a :class:`~salessim.scenarios.schema.Scenario` and runs
them on one SimPy clock measured in working hours (see :mod:`salessim.engine.calendar`):

* the **market** (:mod:`salessim.engine.market`) sends inbound leads every morning and holds the
  finite pool of prospects for outbound calls;
* each **supervisor** (:mod:`salessim.engine.supervisor`) shares out their attention, which keeps
  their reps' intensity up;
* each **rep** (:mod:`salessim.engine.rep`) works their day: meetings, pipeline work, inbound
  leads, key clients (:mod:`salessim.engine.key_clients`) and prospecting;
* each **lead** (:mod:`salessim.engine.lead`) walks the funnel as its own process, waiting on
  the rep's work and on the client's delays, and queues at the **back office**
  (:mod:`salessim.engine.back_office`) for its invoice.

Each morning the market runs first, then supervisors, then reps, always in the same order,
so a run is a deterministic function of the scenario, the seed and the replication index.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
import simpy

from salessim.engine import check_build, odds
from salessim.engine.back_office import BackOffice
from salessim.engine.calendar import add_months, work_calendar
from salessim.engine.collector import paused_gc
from salessim.engine.lead import N_LUCK, U_JOIN, U_POTENTIAL, Lead
from salessim.engine.market import Market
from salessim.engine.pay_response import PayModel
from salessim.engine.people import departure_days, vacation_mask
from salessim.engine.recorder import Recorder
from salessim.engine.rep import Rep
from salessim.engine.streams import Streams
from salessim.engine.supervisor import Supervisor
from salessim.errors import ScenarioError
from salessim.results.result import Result
from salessim.scenarios.schema import Scenario, group_rep_ids

if TYPE_CHECKING:  # pragma: no cover
    from salessim.results.result import Result

check_build()  # a compiled engine older than these sources refuses to run (see salessim.engine)


@dataclass(frozen=True)
class SizeFactor:
    """How a proposal's size changes the win odds (``win``) and the client's delays (``cycle``)."""

    win: float
    cycle: float


#: January of this year is month 0 of the market's mood series (a calendar that starts earlier begins its own)
MOOD_EPOCH = 1970


class Department:
    """A sales department and its environment, ready to run once.

    Parameters
    ----------
    scenario:
        The validated scenario.
    seed, replication:
        Select the random streams (see :class:`~salessim.engine.streams.Streams`).
    record_events:
        Keep the full event log (slower; KPIs do not need it).
    """

    def __init__(self, scenario: Scenario, seed: int = 0, replication: int = 0, record_events: bool = True):
        # building allocates thousands of small containers (the recorder's counters, the
        # key-client books); the cyclic collector would rescan the heap several times over
        # (10 ms instead of 1 ms for 15 reps), so it is paused, as during the run
        with paused_gc():
            self._build(scenario, seed, replication, record_events)

    def _build(self, scenario: Scenario, seed: int, replication: int, record_events: bool) -> None:
        s = scenario
        self.scenario = s
        self.env = simpy.Environment()
        cal = s.calendar
        #: months simulated before the reporting period (the warm-up), and its first day index
        self.month0 = cal.warmup_months
        self.calendar = work_calendar(add_months(cal.start, -self.month0), cal.months + self.month0, cal.hours_per_day,
                                      tuple(cal.workdays), frozenset(cal.holidays))
        self.day0 = self.calendar.first_day_on_or_after(cal.start)
        # plain-list copies of the calendar for the hot path (numpy scalar indexing is slow)
        self.month_of = self.calendar.month_of_day.tolist()
        self.days_in_month = self.calendar.days_in_month.tolist()
        self.day_in_month = self.calendar.day_in_month.tolist()
        self.hours_per_day = cal.hours_per_day
        self._last_day = self.calendar.n_days - 1
        if self.calendar.n_days == 0:
            raise ScenarioError("the calendar has no working days", field="calendar")
        self.days_per_year = 52.0 * len(cal.workdays)
        self.days_per_month = self.days_per_year / 12.0
        self.streams = Streams(seed, replication)
        self.products = list(s.products)
        self.product_index = {p: i for i, p in enumerate(self.products)}
        self.product_specs = [s.products[p] for p in self.products]
        #: month index (of the simulated calendar, warm-up included) in which each product launches
        self.launch_month = [0 if spec.launch_month is None else spec.launch_month + self.month0
                             for spec in self.product_specs]
        #: deals won per product so far (familiarity grows with them), and the familiarity now
        self.product_wins = [0] * len(self.product_specs)
        self._familiarity = [self._familiarity_after(p, 0) for p in range(len(self.product_specs))]
        self.key_client_product = self.product_index[s.key_clients.product or self.products[0]]
        act = s.activity
        self.meeting_block = act.meeting_hours + act.travel_hours
        self.slots_per_day = self._slots_per_day()
        self.pay_model = PayModel(s)
        self.risky_share = s.effort_choice.risky_share_contracted if self.pay_model.pays_on_contracted() else 0.0
        self.executed_prob = (1 - s.back_office.nonpayment_rate) * (1 - self.risky_share)
        n_sup = len(s.team.supervisors)
        resp = s.people.attrition_response
        #: people.attrition_response is on: reps may leave after a month short of plan or idle
        self._responds = resp.shortfall > 0 or resp.idle > 0
        self._response_rngs: dict[str, np.random.Generator] = {}
        self.recorder = Recorder(self.calendar.months, self.calendar.n_days, s.n_reps(), len(self.products), n_sup, record_events)
        self.leads: list[Lead] = []
        self.stock = np.array([p.stock_value for p in self.product_specs], dtype=float)
        self._expected_deal_cache: dict[tuple[int, float], float] = {}
        self._pace_cum = self._closing_pace()
        #: the market's mood in each simulated month: an odds multiplier on every client decision
        self.mood = self._market_mood()
        self.market = Market(self)
        self.back_office = BackOffice(self) if s.back_office.enabled else None
        self.supervisors = [Supervisor(self, i, spec) for i, spec in enumerate(s.team.supervisors)]
        sup_by_id = {sup.id: sup for sup in self.supervisors}
        self.reps: list[Rep] = []
        for g, group in enumerate(s.team.reps):
            head = sup_by_id[group.supervisor] if group.supervisor is not None else None
            for rep_id in group_rep_ids(group):
                rep = Rep(self, len(self.reps), rep_id, group, g, head)
                if head is not None:
                    head.add_rep(rep)
                self.reps.append(rep)

    # ------------------------------------------------------------------ set-up helpers
    def _slots_per_day(self) -> int:
        """Meetings that fit in a rep's day after admin, planning and coaching (at most)."""
        s = self.scenario
        act = s.activity
        if self.meeting_block <= 0:
            return act.max_meetings_per_day if act.max_meetings_per_day > 0 else 10**9
        sup = s.supervision
        hours = s.calendar.hours_per_day * (1 - act.admin_share)
        if sup.enabled:
            hours -= sup.daily_planning_minutes / 60.0 + sup.coaching_hours_per_rep_day
        fit = max(0, int(hours / self.meeting_block + 1e-9))
        return min(fit, act.max_meetings_per_day) if act.max_meetings_per_day > 0 else fit

    def _closing_pace(self) -> np.ndarray | None:
        """Cumulative client-time by working day under monthly pace factors (None = no swings)."""
        sd = self.scenario.closing_pace.monthly_sd
        if sd <= 0:
            return None
        rng = self.streams.get("closing_pace")
        g_month = np.exp(sd * rng.standard_normal(self.calendar.months) - sd**2 / 2)
        self._pace_day = g_month[self.calendar.month_of_day]
        return np.concatenate([[0.0], np.cumsum(self._pace_day)])

    def _market_mood(self) -> list[float]:
        """Odds multiplier ``exp(z_m)`` of each simulated month (all 1.0 when ``market_mood.monthly_sd`` is 0).

        ``z`` is a stationary AR(1) series on the log-odds scale, drawn from its own stream and
        anchored to the calendar (month 0 is January :data:`MOOD_EPOCH`), so two scenarios with the
        same seed share the market's mood month by month whatever their start or warm-up (common
        random numbers), for calendars from :data:`MOOD_EPOCH` on (an earlier one begins its own series).
        """
        spec = self.scenario.market_mood
        n = self.calendar.months
        sd, r = spec.monthly_sd, spec.persistence
        if sd <= 0:
            return [1.0] * n
        y, m = (int(x) for x in self.calendar.month_labels[0].split("-"))
        first = max(0, (y - MOOD_EPOCH) * 12 + m - 1)
        e = self.streams.get("market_mood").standard_normal(first + n).tolist()
        z = sd * e[0]
        innovation = math.sqrt(1.0 - r * r) * sd
        for i in range(1, first + 1):
            z = r * z + innovation * e[i]
        out = [math.exp(z)]
        for i in range(first + 1, first + n):
            z = r * z + innovation * e[i]
            out.append(math.exp(z))
        return out

    def client_delay(self, days: float) -> float:
        """Hours from now until ``days`` of client time have passed (working days at pace 1).

        With ``closing_pace.monthly_sd > 0`` client time runs at each month's pace factor.
        """
        hpd = self.calendar.hours_per_day
        cum = self._pace_cum
        if cum is None or days <= 0:
            return days * hpd
        now = self.env.now / hpd
        n = len(self._pace_day)
        d = int(now)
        start = (cum[d] + self._pace_day[d] * (now - d)) if d < n else cum[-1] + (now - n)
        target = start + days
        if target >= cum[-1]:
            end = n + (target - cum[-1])
        else:
            e = int(np.searchsorted(cum, target, side="right")) - 1
            end = e + (target - cum[e]) / self._pace_day[e]
        return max(0.0, (end - now) * hpd)

    def people_departures(self, rep_id: str, start: int) -> list[tuple[int, int]]:
        """Departure and replacement days of a seat, drawn from its own stream."""
        ppl = self.scenario.people
        rng = self.streams.get("attrition", rep_id)
        out = departure_days(rng, self.calendar.n_days - start, ppl.attrition_per_year, self.days_per_year,
                             ppl.replacement_delay_days)
        return [(a + start, b + start) for a, b in out]

    def vacation_mask(self, rep_id: str) -> np.ndarray:
        """Vacation days of a seat, drawn from its own stream."""
        ppl = self.scenario.people
        rng = self.streams.get("vacation", rep_id)
        return vacation_mask(rng, self.calendar.n_days, ppl.vacation_days_per_year, ppl.vacation_block_days,
                             self.days_per_year)

    # ------------------------------------------------------------------ shared rules
    def day_now(self) -> int:
        """Index of the current working day (clipped to the last day)."""
        d = int(self.env.now // self.hours_per_day)
        return d if d < self._last_day else self._last_day

    def month_now(self) -> int:
        """Index of the current month (of the simulated calendar, warm-up included)."""
        return self.month_of[self.day_now()]

    def familiarity(self, p: int) -> float:
        """How used clients are to product ``p`` now (odds multiplier, 0..1].

        ``1 - (1 - start) * exp(-deals won so far / familiarity_deals)``: the more a product
        is sold, the easier it sells.
        """
        return self._familiarity[p]

    def _familiarity_after(self, p: int, wins: int) -> float:
        spec = self.product_specs[p]
        if spec.familiarity_start >= 1:
            return 1.0
        if spec.familiarity_deals <= 0:
            return spec.familiarity_start
        return 1.0 - (1.0 - spec.familiarity_start) * math.exp(-wins / spec.familiarity_deals)

    def conversion(self, rep: Rep, lead: Lead | None, p: float, extra: float = 1.0, product: int | None = None) -> float:
        """Probability that a client takes the next step with this rep, product and deal now.

        The stage's base probability ``p`` with its odds scaled by the rep's effectiveness, the
        product's familiarity, ``extra`` (the proposal's size) and this month's market mood.
        """
        prod = lead.product if lead is not None else product
        assert prod is not None, "conversion needs a lead or a product"
        day = self.day_now()
        return odds.scale(p, rep.effectiveness(day) * self._familiarity[prod] * extra * self.mood[self.month_of[day]])

    def size_reference(self, p: int) -> float:
        ref = self.scenario.deal_size.reference
        return ref if ref is not None else self.product_specs[p].deal_size.median

    def size_factor(self, lead: Lead) -> SizeFactor:
        """Effect of the proposal's size on win odds and client delays."""
        ds = self.scenario.deal_size
        if lead.proposal <= 0:
            return SizeFactor(1.0, 1.0)
        rel = lead.proposal / self.size_reference(lead.product)
        return SizeFactor(rel ** (-ds.win_elasticity), rel ** ds.cycle_elasticity)

    def expected_deal(self, p: int, threshold: float) -> float:
        """Expected proposal value ``E[min(potential, ask)]`` for a rep with ``threshold`` (currency)."""
        key = (p, round(threshold, 6))
        if key not in self._expected_deal_cache:
            rng = np.random.Generator(np.random.PCG64(12345))  # fixed: an expectation, not a draw
            pot = self.product_specs[p].deal_size.sample_n(rng, 4000)
            if math.isfinite(threshold):
                spread = self.scenario.deal_size.ask_spread
                ask = threshold * np.exp(spread * rng.standard_normal(4000))
                pot = np.minimum(pot, ask)
            self._expected_deal_cache[key] = float(pot.mean())
        return self._expected_deal_cache[key]

    def hours_per_win(self, p: int, multiplier: float) -> float:
        """Expected rep hours per won deal of product ``p`` from outbound prospecting."""
        return expected_hours_per_win(self.scenario, self.products[p], multiplier)

    def _days(self, work_days: list):
        """The SimPy process of the working days: ``work_day(d)`` of each actor, in order."""
        hpd = self.hours_per_day
        timeout = self.env.timeout
        for d in range(self.calendar.n_days):
            for work_day in work_days:
                work_day(d)
            yield timeout(hpd)

    def latest_launch_day(self, rep: Rep, d: int) -> int:
        """Day the most recent product launch that concerns ``rep`` started (for the career curve)."""
        m = self.month_of[d]
        launches = [self.launch_month[p] for p in rep.products
                    if self.product_specs[p].launch_month is not None and self.launch_month[p] <= m]
        if not launches:
            return -10**9
        return int(np.flatnonzero(self.calendar.month_of_day == max(launches))[0])

    def launched(self, p: int, m: int) -> bool:
        """Is product ``p`` on sale in (simulated) month ``m``?"""
        return m >= self.launch_month[p]

    def needs_review(self, lead: Lead) -> bool:
        sup = self.scenario.supervision
        return (sup.enabled and sup.review_threshold is not None and sup.review_hours > 0
                and lead.rep.supervisor is not None and lead.proposal >= sup.review_threshold)

    def request_review(self, lead: Lead):
        sup = lead.rep.supervisor
        assert sup is not None, "needs_review(lead) is true only for a supervised rep"
        return sup.request_review(self.scenario.supervision.review_hours)

    # ------------------------------------------------------------------ leads
    @staticmethod
    def draw_luck(rng: np.random.Generator) -> list[float]:
        """A new lead's luck: one uniform number per purpose (see :data:`salessim.engine.lead.LUCK`)."""
        return rng.random(N_LUCK).tolist()

    def new_lead(self, rep: Rep, p: int, origin: str, channel: str, luck: list[float], arrival_day: int = 0) -> Lead:
        """A new lead for ``rep`` with its ``luck`` (:meth:`draw_luck`, from the stream of
        whatever created it); its potential size (currency) follows from that luck. An inbound
        lead arrives on working day ``arrival_day`` (its patience counts from then)."""
        potential = self.product_specs[p].deal_size.quantile(luck[U_POTENTIAL])
        lead = Lead(len(self.leads), rep, p, origin, channel, self.env.now, potential, luck, arrival_day)
        self.leads.append(lead)
        return lead

    def close_won(self, lead: Lead) -> None:
        """A deal won: the lead closes, the product grows more familiar, the rep's plan fact and the
        stock move, and the client may join the rep's key clients."""
        s = self.scenario
        now = self.env.now
        m = self.month_now()
        p = lead.product
        spec = self.product_specs[p]
        lead.close_won(now, s.back_office.nonpayment_rate)
        value = lead.proposal
        self.product_wins[p] += 1
        self._familiarity[p] = self._familiarity_after(p, self.product_wins[p])
        # the client pays payment_delay_days (working days) after signing, if at all: executed value,
        # commissions on it and a plan fact that counts payments follow the payment, not the signature
        delay = s.back_office.payment_delay_days if self.back_office is not None else 0.0
        paid_now = lead.executed and delay <= 0
        fact = value if (s.plan.fact_basis == "won" or paid_now) else 0.0
        self.recorder.deal_won(lead, m, self.day_now(), spec.margin, (now - lead.created) / self.calendar.hours_per_day,
                               fact, paid_now, now)
        lead.rep.credit_fact(fact)
        if lead.executed and not paid_now:
            self.env.process(self._payment(lead, delay))
        if self.stock[p] > 0:
            self.stock[p] = max(0.0, self.stock[p] - value * (1 - spec.margin))
        kc = s.key_clients
        if kc.enabled and kc.new_client_join_share > 0 and lead.u(U_JOIN) < kc.new_client_join_share:
            lead.rep.gain_key_client(self.day_now())
            self.recorder.client_won(m, lead.rep.index)

    def _payment(self, lead: Lead, delay_days: float):
        """The client of a signed deal pays ``delay_days`` working days later (a SimPy process); a
        payment due after the horizon is not booked."""
        yield self.env.timeout(delay_days * self.calendar.hours_per_day)
        s = self.scenario
        fact = lead.proposal if s.plan.fact_basis == "executed" else 0.0
        self.recorder.deal_paid(lead, self.month_now(), self.day_now(), self.product_specs[lead.product].margin, fact,
                                self.env.now)
        lead.rep.credit_fact(fact)

    def close_lost(self, lead: Lead, stage: str, reason: str) -> None:
        """A lead lost at ``stage``; a lost-deal review, if any, adds to the head's reviews waiting."""
        m = self.month_now()
        lead.close_lost(stage, reason, self.env.now)
        self.recorder.deal_lost(lead, m, stage, self.env.now)
        sup = lead.rep.supervisor
        if self.scenario.lost_review.enabled and sup is not None and stage != "first_contact":
            sup.request_lost_review(self.scenario.lost_review.review_hours)

    def close_dropped(self, lead: Lead, reason: str) -> None:
        """A lead dropped before anyone worked it, for ``reason``."""
        m = self.month_now()
        lead.close_dropped(reason, self.env.now)
        self.recorder.lead_dropped(lead, m, self.env.now)

    def book_reorders(self, rep: Rep, values: np.ndarray, executed: np.ndarray, m: int) -> None:
        """Key-client reorders of ``values`` (currency; ``executed`` marks those paid): booked as
        revenue of the key-client product."""
        p = self.key_client_product
        total = float(values.sum())
        done = float(values[executed].sum())
        fact = total if self.scenario.plan.fact_basis == "won" else done
        margin = self.product_specs[p].margin
        self.recorder.reorders_booked(m, self.day_now(), rep.index, p, values, total, done, margin, fact, self.env.now)
        rep.credit_fact(fact)

    # ------------------------------------------------------------------ run
    def _month_ends(self):
        """Month-end bookkeeping (a SimPy process): stock on hand."""
        cal = self.calendar
        hpd = cal.hours_per_day
        last_days = [int(np.flatnonzero(cal.month_of_day == m)[-1]) for m in range(cal.months)
                     if np.any(cal.month_of_day == m)]
        months = [m for m in range(cal.months) if np.any(cal.month_of_day == m)]
        now = 0.0
        for m, d in zip(months, last_days):
            t = (d + 1) * hpd - 1e-6
            yield self.env.timeout(t - now)
            now = t
            office = self.scenario.back_office
            self.recorder.month_end(m, self.stock.sum(),
                                    office.salary_per_clerk_month * office.clerks * (self.back_office is not None))
            if self._responds:
                self._leave_after_bad_month(m, d)

    def _leave_after_bad_month(self, m: int, last_day: int) -> None:
        """Month end: each rep in post may leave after a month short of plan or idle
        (``people.attrition_response``); one uniform per rep and month from its own stream."""
        ppl = self.scenario.people
        resp = ppl.attrition_response
        h0 = -math.log1p(-min(ppl.attrition_per_year, 1.0 - 1e-9)) / 12.0
        hpd = self.calendar.hours_per_day
        R = self.recorder.r
        d = last_day + 1
        for rep in self.reps:
            rng = self._response_rngs.get(rep.id)
            if rng is None:
                rng = self._response_rngs[rep.id] = self.streams.get("attrition_response", rep.id)
            u = rng.random()
            if d >= self.calendar.n_days or not rep.employed[last_day]:
                continue
            paid_hours = R["days_employed"][m][rep.index] * hpd
            idle = R["nothing_to_do_hours"][m][rep.index] / paid_hours if paid_hours > 0 else 0.0
            plan = rep.plan * R["days_employed"][m][rep.index] / self.days_in_month[m]
            shortfall = max(0.0, 1.0 - R["fact"][m][rep.index] / plan) if plan > 0 else 0.0
            extra = h0 * (resp.shortfall * shortfall + resp.idle * idle)
            if u < -math.expm1(-extra):
                rep.leave(d, d + int(round(ppl.replacement_delay_days)))

    def run(self, keep_leads: bool = True) -> "Result":
        """Run the horizon and return its :class:`~salessim.results.result.Result`.

        ``keep_leads=False`` leaves out the per-lead table (no KPI needs it; building it
        costs a few percent of a run).
        """
        env = self.env
        # one process drives every actor's day, in the order separate processes would run
        # (market, heads, reps): fewer SimPy events, identical results
        env.process(self._days([self.market.arrive_today] + [sup.work_day for sup in self.supervisors]
                               + [rep.work_day for rep in self.reps]))
        env.process(self._month_ends())
        # The run creates hundreds of thousands of small objects that live to the end; Python's
        # cyclic garbage collector would rescan them again and again (81 s instead of 46 s for
        # 1,000 reps). Pause it during the run; anything cyclic is collected once it resumes.
        with paused_gc():
            env.run(until=self.calendar.horizon_hours)
        self.recorder.freeze()
        return Result.from_department(self, keep_leads=keep_leads)


def expected_hours_per_win(scenario: Scenario, product: str, multiplier: float = 1.0) -> float:
    """Expected rep hours per won deal of ``product`` won by outbound prospecting.

    Counts prospecting hours per booked meeting, the meeting with travel, and proposal
    and negotiation work weighted by the chance of reaching them; ``multiplier`` scales the
    odds of every conversion (skill x ramp x familiarity). Used by reps to judge pay per
    hour, and to check that a product needs the effort a scenario claims (e.g. 5x).
    """
    s = scenario
    spec = s.products[product]
    f = spec.funnel
    book = odds.scale(f.booking_rate, multiplier)
    per_hour = s.prospecting.calls_per_hour * s.prospecting.connect_rate * book
    if per_hour <= 0:
        return math.inf
    p1 = odds.scale(f.meeting_to_proposal, multiplier)
    p2 = odds.scale(f.proposal_to_negotiation, multiplier)
    p3 = odds.scale(f.negotiation_to_won, multiplier)
    win = p1 * p2 * p3
    if win <= 0:
        return math.inf
    act = s.activity
    per_meeting = 1.0 / per_hour + act.meeting_hours + act.travel_hours
    per_meeting += p1 * spec.effort_hours.proposal + p1 * p2 * spec.effort_hours.negotiation
    return per_meeting / win
