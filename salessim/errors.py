"""User-facing errors.

Anything a user can get wrong (a scenario file, a CRM export, a CLI flag, a widget value)
raises :class:`UserError`. The CLI prints its one-line message and exits with code 2; it
never shows a traceback for these.
"""

from __future__ import annotations

import math
import numbers
import re


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


#: Longest a user's value is echoed in a message (characters of its repr).
MAX_ECHO = 80
#: Longest line an error message may print (a safety net for values not echoed by :func:`shown`).
MAX_LINE = 600


def shown(value: object, limit: int = MAX_ECHO) -> str:
    """``repr(value)`` for a message, cut to ``limit`` characters with the value's full size noted.

    A 100,000-character value is echoed as its first characters and ``... (100,000 characters)``,
    not as a 100 KB line.
    """
    if isinstance(value, int) and not isinstance(value, bool) and value.bit_length() > 200:
        digits = math.floor(math.log10(abs(value))) + 1   # repr() refuses ints of 4,300+ digits
        return f"a whole number of about {digits:,} digits"
    text = repr(value)
    if len(text) <= limit:
        return text
    size = len(value) if isinstance(value, (str, bytes, list, tuple, dict)) else None
    unit = "characters" if isinstance(value, (str, bytes)) else "entries"
    tail = f" ({size:,} {unit})" if size is not None else ""
    return text[: max(8, limit - len(tail) - 3)] + "..." + tail


#: A run of characters without a space that :func:`short_line` cuts (longer than any file path).
_LONG_RUN = re.compile(r"\S{241,}")


def short_line(text: str, limit: int = MAX_LINE) -> str:
    """One message line cut to a readable length: runs of more than 240 characters without a
    space are cut (with their length noted), then the line to ``limit`` characters."""
    text = " ".join(text.splitlines()) if "\n" in text else text
    text = _LONG_RUN.sub(lambda m: m.group(0)[:MAX_ECHO - 3] + f"... ({len(m.group(0)):,} characters)", text)
    if len(text) > limit:
        text = text[: limit - 20] + "... (message cut)"
    return text


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
