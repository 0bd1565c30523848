"""The error of a scenario that is well-typed but inconsistent (e.g. a rep's supervisor is missing)."""

from __future__ import annotations


class CrossFieldError(Exception):
    """A scenario that is well-typed but inconsistent (e.g. a rep's supervisor is missing).

    Deliberately not a ``ValueError``, so pydantic lets it through with its field path intact.
    """

    def __init__(self, field: str, message: str):
        self.field = field
        self.message = message
        super().__init__(f"{field}: {message}")
