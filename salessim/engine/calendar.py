"""The working calendar: maps simulation time (working hours) to days and months.

Simulation time runs in *working hours* since the start of the first working day.
Nights, weekends and holidays are collapsed out, so a working day ``d`` spans the hours
``[d * hours_per_day, (d + 1) * hours_per_day)``.
"""

from __future__ import annotations

import bisect
import datetime as dt
from dataclasses import dataclass, field
from functools import lru_cache

import numpy as np

WEEKDAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")


def add_months(day: dt.date, months: int) -> dt.date:
    """Return ``day`` moved by ``months`` calendar months (day clipped to month end)."""
    y, m = divmod(day.month - 1 + months, 12)
    year, month = day.year + y, m + 1
    last = (dt.date(year + (month // 12), month % 12 + 1, 1) - dt.timedelta(days=1)).day
    return dt.date(year, month, min(day.day, last))


@dataclass(frozen=True)
class WorkCalendar:
    """Working days between ``start`` (inclusive) and ``start + months`` (exclusive).

    Attributes
    ----------
    dates:
        The working days, as ``datetime.date``.
    hours_per_day:
        Working hours in a day (hours).
    month_of_day:
        For each working day, the index of its calendar month (0 = the month of ``start``).
    month_labels:
        ``YYYY-MM`` for each month index.
    days_in_month:
        Working days in each month *within the horizon* (the first month may be partial).
    day_in_month:
        For each working day, how many working days of its month have elapsed including it
        (1-based), as the documents' pace formula needs.
    """

    start: dt.date
    months: int
    hours_per_day: float
    workdays: tuple[str, ...] = WEEKDAYS[:5]
    holidays: frozenset[dt.date] = frozenset()
    dates: tuple[dt.date, ...] = field(init=False)
    month_of_day: np.ndarray = field(init=False, repr=False)
    month_labels: tuple[str, ...] = field(init=False)
    days_in_month: np.ndarray = field(init=False, repr=False)
    day_in_month: np.ndarray = field(init=False, repr=False)
    weekday: np.ndarray = field(init=False, repr=False)

    def __post_init__(self) -> None:
        end = add_months(self.start, self.months)
        allowed = {WEEKDAYS.index(w) for w in self.workdays}
        dates: list[dt.date] = []
        day = self.start
        while day < end:
            if day.weekday() in allowed and day not in self.holidays:
                dates.append(day)
            day += dt.timedelta(days=1)
        month0 = self.start.year * 12 + self.start.month - 1
        month_of_day = np.array([d.year * 12 + d.month - 1 - month0 for d in dates], dtype=np.int64)
        labels = tuple(
            f"{(month0 + i) // 12:04d}-{(month0 + i) % 12 + 1:02d}" for i in range(self.months)
        )
        days_in_month = np.bincount(month_of_day, minlength=self.months).astype(np.int64)
        day_in_month = np.zeros(len(dates), dtype=np.int64)
        seen = np.zeros(self.months, dtype=np.int64)
        for i, m in enumerate(month_of_day):
            seen[m] += 1
            day_in_month[i] = seen[m]
        object.__setattr__(self, "dates", tuple(dates))
        object.__setattr__(self, "month_of_day", month_of_day)
        object.__setattr__(self, "month_labels", labels)
        object.__setattr__(self, "days_in_month", days_in_month)
        object.__setattr__(self, "day_in_month", day_in_month)
        object.__setattr__(self, "weekday", np.array([d.weekday() for d in dates], dtype=np.int64))
        for arr in (self.month_of_day, self.days_in_month, self.day_in_month, self.weekday):
            arr.flags.writeable = False  # a calendar is a value: shared, never changed

    @property
    def n_days(self) -> int:
        """Number of working days in the horizon."""
        return len(self.dates)

    @property
    def horizon_hours(self) -> float:
        """Length of the horizon in working hours."""
        return self.n_days * self.hours_per_day

    def day_of(self, t_hours: float) -> int:
        """Working-day index of simulation time ``t_hours`` (clipped to the last day)."""
        return min(int(t_hours // self.hours_per_day), self.n_days - 1)

    def month_of(self, t_hours: float) -> int:
        """Month index of simulation time ``t_hours``."""
        return int(self.month_of_day[self.day_of(t_hours)])

    def first_day_on_or_after(self, date: dt.date) -> int:
        """Index of the first working day on or after ``date`` (``n_days`` if none)."""
        return bisect.bisect_left(self.dates, date)

    def __reduce__(self) -> tuple:
        """Pickled as the arguments it is built from (a frozen class compiled by mypyc cannot be
        unpickled field by field; and the receiving process builds each calendar only once)."""
        return work_calendar, (self.start, self.months, self.hours_per_day, self.workdays, self.holidays)

    def is_week_start(self, day: int) -> bool:
        """True on the first working day of a calendar week."""
        return day == 0 or self.dates[day].isocalendar()[:2] != self.dates[day - 1].isocalendar()[:2]


@lru_cache(maxsize=64)
def work_calendar(start: dt.date, months: int, hours_per_day: float, workdays: tuple[str, ...] = WEEKDAYS[:5],
                  holidays: frozenset[dt.date] = frozenset()) -> WorkCalendar:
    """The :class:`WorkCalendar` of these arguments, built once per process and then shared.

    Every replication of a scenario uses the same calendar; building it takes about 2 ms
    (a loop over the dates), a few percent of a short run.
    """
    return WorkCalendar(start, months, hours_per_day, workdays, holidays)
