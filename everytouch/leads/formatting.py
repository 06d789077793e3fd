"""How lead figures read to people, the same on the pages, in the activity log and in the CLI."""

from __future__ import annotations

from datetime import timedelta


def duration(delta: timedelta | None) -> str:
    """'25 min', '3 h 5 min', '4 days'; a dash for a clock that has not stopped yet."""
    if delta is None:
        return "—"
    minutes = int(delta.total_seconds() // 60)
    if minutes < 60:
        return f"{minutes} min"
    hours, minutes = divmod(minutes, 60)
    if hours < 48:
        return f"{hours} h {minutes} min"
    return f"{hours // 24} days"
