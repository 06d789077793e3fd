"""The one error every leads module raises, kept apart so queries and actions both can."""

from __future__ import annotations


class LeadError(ValueError):
    """A lead change that is refused; the message says why."""
