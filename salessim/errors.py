"""User-facing errors.

Anything a user can get wrong (a scenario file, a CRM export, a CLI flag, a widget value)
raises :class:`UserError`. The CLI prints its one-line message and exits with code 2; it
never shows a traceback for these.
"""

from __future__ import annotations

import numbers


class UserError(Exception):
    """A mistake in user input, reported as one clear line.

    Parameters
    ----------
    message:
        What was expected and what was found.
    source:
        The file (or flag, or widget) the mistake is in, if any.
    field:
        The field, column or row inside ``source``, if any.
    """

    exit_code = 2

    def __init__(self, message: str, *, source: str | None = None, field: str | None = None):
        self.message = message
        self.source = source
        self.field = field
        super().__init__(str(self))

    def __str__(self) -> str:
        where = ": ".join(part for part in (self.source, self.field) if part)
        return f"{where}: {self.message}" if where else self.message


class ScenarioError(UserError):
    """A scenario file or scenario value that fails validation."""


#: Most replications one call may ask for (about 2 days of one core for the baseline).
MAX_REPLICATIONS = 1_000_000
#: Largest master seed or replication index (numpy's SeedSequence takes any non-negative int;
#: this keeps them within a signed 64-bit integer, as the result store records them).
MAX_SEED = 2**63 - 1


def whole_number(value: object, field: str, low: int = 0, high: int | None = None) -> int:
    """``value`` as an ``int`` in ``[low, high]``, or :class:`UserError` naming ``field``.

    For the Python API's counts and seeds (a notebook user's ``n=2.5`` or ``seed=-1`` is one
    clear message, not a ``TypeError`` from deep inside).
    """
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        if isinstance(value, float) and value.is_integer():
            value = int(value)
        else:
            raise UserError(f"expected a whole number, got {value!r}", field=field)
    value = int(value)
    if value < low or (high is not None and value > high):
        bound = f"from {low:,} to {high:,}" if high is not None else f"of {low:,} or more"
        raise UserError(f"expected a whole number {bound}, got {value:,}", field=field)
    return value
