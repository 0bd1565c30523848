"""The number types of scenario files, and the limits of what a real department can have.

Every number in a scenario is taken **as written**: a number field takes a number (a whole
number or a decimal; ``true``, ``"7"`` or ``"0x10"`` are refused), a whole-number field takes a
whole number (``7``; ``7.0``, ``true``, ``"7"`` are refused), a switch takes ``true`` or
``false``. (pydantic's default would turn ``true`` into 1, and ``" 7 "`` into 7.)

Every number also has a **range a real department can have**, given beside the field in the
schema (its ``Field`` bounds, and its description says the unit). The ranges are wide: they
hold every plausible value of ``registry/assumptions.toml`` and every calibrated scenario,
and they stop values that no department has and that would overflow the simulation
(a log-sd spread of ``1e18`` is ``exp(1e18)``: an ``OverflowError`` deep inside the model).
The constants below name the limits shared by several fields.

A decimal that is not 0 must be at least :data:`SMALLEST` in size: smaller numbers are beyond
the precision of any figure of a department, and products of several of them underflow to 0
(a division by zero in the model).
"""

from __future__ import annotations

from typing import Annotated

from pydantic import AfterValidator, Field, Strict

#: Smallest non-zero decimal a scenario may hold (in any unit).
SMALLEST = 1e-6
#: Most pay or cost per person per month (currency): a salary, an overhead, a draw.
MAX_PAY_MONTH = 10_000_000.0
#: Largest single amount (currency): a deal, a plan, a threshold, a stock, a bonus target.
MAX_AMOUNT = 1_000_000_000.0
#: Largest value a distribution may be centred on (its unit: currency, working days or hours).
MAX_DIST_VALUE = 1_000_000_000.0
#: Largest log-scale standard deviation (a spread across reps, deals or months): 3 makes the
#: top 1% of draws 1,000 times the median.
MAX_SPREAD = 3.0
#: Largest elasticity (of win odds or client delays to the proposal's size): at 5, doubling a
#: proposal divides its win odds by 32.
MAX_ELASTICITY = 5.0
#: Coefficient of variation (sd / mean) of a gamma distribution.
MIN_CV, MAX_CV = 0.01, 10.0
#: Largest multiplier of odds, coaching need, thresholds or churn (1 = as usual).
MAX_MULTIPLIER = 100.0
#: Longest span in working days (ten working years): delays, cooling, patience, replacements.
MAX_WORK_DAYS = 2_600.0
#: Most hours of one task (a proposal, a negotiation, a review).
MAX_TASK_HOURS = 1_000.0
#: Most minutes of one short task (a contact attempt, a planning meeting, listening to a call).
MAX_TASK_MINUTES = 1_440.0
#: Most inbound leads per working day from one source (department-wide).
MAX_LEADS_PER_DAY = 10_000.0
#: Most prospects in one product's market.
MAX_MARKET = 100_000_000


def _not_tiny(value: float) -> float:
    if value != 0 and abs(value) < SMALLEST:
        raise ValueError(f"expected 0 or a number of at least {SMALLEST:g} in size (smaller is beyond any "
                         f"department's precision), got {value:g}")
    return value


#: A decimal number as written: an integer or a float; not true/false, text, inf or nan.
Real = Annotated[float, Strict(), AfterValidator(_not_tiny)]
#: A whole number as written: not 7.0, true/false or text.
Whole = Annotated[int, Strict()]
#: A switch: true or false, nothing else.
Flag = Annotated[bool, Strict()]

#: A probability or share, 0 to 1.
Prob = Annotated[Real, Field(ge=0, le=1)]
#: A share below 1 (of time, of pay): 0 to 1 excluded.
Share = Annotated[Real, Field(ge=0, lt=1)]
#: A log-sd spread, 0 to :data:`MAX_SPREAD`.
Spread = Annotated[Real, Field(ge=0, le=MAX_SPREAD)]
#: A monthly pay or cost per person (currency per month), 0 to :data:`MAX_PAY_MONTH`.
PayMonth = Annotated[Real, Field(ge=0, le=MAX_PAY_MONTH)]
#: An amount (currency), 0 to :data:`MAX_AMOUNT`.
Amount = Annotated[Real, Field(ge=0, le=MAX_AMOUNT)]
#: Working days, 0 to :data:`MAX_WORK_DAYS`.
WorkDays = Annotated[Real, Field(ge=0, le=MAX_WORK_DAYS)]
#: Hours of one task, 0 to :data:`MAX_TASK_HOURS`.
TaskHours = Annotated[Real, Field(ge=0, le=MAX_TASK_HOURS)]
#: Minutes of one short task, 0 to :data:`MAX_TASK_MINUTES`.
TaskMinutes = Annotated[Real, Field(ge=0, le=MAX_TASK_MINUTES)]
#: An odds or effort multiplier above 0, up to :data:`MAX_MULTIPLIER`.
Multiplier = Annotated[Real, Field(gt=0, le=MAX_MULTIPLIER)]
