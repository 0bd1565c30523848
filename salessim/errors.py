"""User-facing errors.

Anything a user can get wrong (a scenario file, a CRM export, a CLI flag, a widget value)
raises :class:`UserError`. The CLI prints its one-line message and exits with code 2; it
never shows a traceback for these.
"""

from __future__ import annotations


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
