"""The working calendar: working days, holidays, months, and time conversions."""

import datetime as dt

import numpy as np

from salessim.engine.calendar import WorkCalendar, add_months


def test_working_days_skip_weekends_and_holidays():
    cal = WorkCalendar(dt.date(2027, 1, 1), 1, 8.0, holidays=frozenset({dt.date(2027, 1, 1)}))
    # January 2027: 21 weekdays, minus New Year's Day
    assert cal.n_days == 20
    assert dt.date(2027, 1, 1) not in cal.dates
    assert all(d.weekday() < 5 for d in cal.dates)
    assert cal.horizon_hours == 20 * 8.0


def test_month_bookkeeping_matches_a_hand_count():
    cal = WorkCalendar(dt.date(2027, 2, 1), 2, 8.0)
    # February 2027 has 20 weekdays, March 2027 has 23
    assert list(cal.days_in_month) == [20, 23]
    assert cal.month_labels == ("2027-02", "2027-03")
    assert cal.day_in_month[0] == 1 and cal.day_in_month[19] == 20 and cal.day_in_month[20] == 1
    assert np.all(np.diff(cal.month_of_day) >= 0)


def test_time_to_day_and_month():
    cal = WorkCalendar(dt.date(2027, 1, 1), 2, 8.0)
    assert cal.day_of(0.0) == 0
    assert cal.day_of(7.99) == 0
    assert cal.day_of(8.0) == 1
    jan = int(cal.days_in_month[0])
    assert cal.month_of(jan * 8.0) == 1
    assert cal.day_of(10**9) == cal.n_days - 1


def test_week_start_and_add_months():
    cal = WorkCalendar(dt.date(2027, 1, 1), 1, 8.0)
    starts = [cal.dates[i] for i in range(cal.n_days) if cal.is_week_start(i)]
    assert all(d.weekday() == 0 for d in starts[1:])  # Mondays after the first day
    assert add_months(dt.date(2027, 1, 31), 1) == dt.date(2027, 2, 28)
    assert add_months(dt.date(2027, 3, 1), -3) == dt.date(2026, 12, 1)
