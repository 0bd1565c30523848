"""People over time: ramp of new hires, the 'sine' career, attrition and vacations.

All durations here are in working days unless a name says otherwise; the scenario's
``people`` section gives ramp and career parameters in months, converted with the average
working days per month of the calendar.
"""

from __future__ import annotations

import numpy as np


def ramp(tenure_days: float, ramp_days: float, start: float) -> float:
    """Productivity share of a rep ``tenure_days`` after hire: linear from ``start`` to 1."""
    if tenure_days < 0:
        return 0.0
    if ramp_days <= 0 or tenure_days >= ramp_days:
        return 1.0
    return start + (1.0 - start) * tenure_days / ramp_days


def career_factor(tenure_days: float, peak_days: float, decline_per_day: float, floor: float) -> float:
    """Activity multiplier of the 'sine' career: 1 up to the peak, then a linear decline to ``floor``."""
    if tenure_days <= peak_days:
        return 1.0
    return max(floor, 1.0 - decline_per_day * (tenure_days - peak_days))


def departure_days(rng: np.random.Generator, n_days: int, annual_prob: float, days_per_year: float,
                   replacement_delay: float) -> list[tuple[int, int]]:
    """Days on which a seat's holder leaves and the day their replacement starts.

    Tenures are exponential with the rate that gives ``annual_prob`` of leaving within a
    year; a new holder starts ``replacement_delay`` days after a departure.
    """
    if annual_prob <= 0:
        return []
    if annual_prob >= 1:
        annual_prob = 1 - 1e-9
    rate = -np.log1p(-annual_prob) / days_per_year
    out: list[tuple[int, int]] = []
    t = 0.0
    while True:
        t += rng.exponential(1 / rate)
        leave = int(t)
        if leave >= n_days:
            return out
        back = leave + max(1, int(round(replacement_delay)))
        out.append((leave, back))
        t = float(back)


def vacation_mask(rng: np.random.Generator, n_days: int, days_per_year: float, block: int,
                  days_per_year_cal: float) -> np.ndarray:
    """Boolean mask of vacation days: blocks of ``block`` days placed at random, no overlap.

    Each working year of the calendar (a window of ``days_per_year_cal`` days from its first day)
    gets ``round(days_per_year / block)`` blocks, drawn for the whole window even when the
    calendar ends inside it: the first years of a longer run are the same as a shorter run's.
    """
    mask: np.ndarray = np.zeros(n_days, dtype=bool)
    year = max(block + 1, int(round(days_per_year_cal)))
    n_blocks = int(round(days_per_year / block)) if block > 0 else 0
    if n_blocks <= 0:
        return mask
    n_blocks = min(n_blocks, year - block)
    for first in range(0, n_days, year):
        starts = np.sort(rng.choice(year - block, size=n_blocks, replace=False))
        for s in starts:
            free = first + int(s)
            while free < n_days and mask[free]:
                free += 1
            mask[free : free + block] = True
    return mask
