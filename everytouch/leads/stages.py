"""Which stage a lead may move to next, and why not: pure rules, no database.

Forward moves go one step at a time (new -> contacted -> qualified -> meeting set), so a board
never shows a "qualified" lead nobody ever spoke to. A lead may step back to any earlier open
stage (a mis-click, a meeting cancelled). It may be lost from any open stage (with a reason)
and won once it is qualified or has a meeting set. Won and lost close the lead; only a manager
reopens it, to any open stage. docs/leads.md has the same table.
"""

from __future__ import annotations

from everytouch.leads.models import CLOSED_STAGES, OPEN_STAGES, Stage

FORWARD: dict[str, str] = {
    Stage.NEW: Stage.CONTACTED,
    Stage.CONTACTED: Stage.QUALIFIED,
    Stage.QUALIFIED: Stage.MEETING_SET,
}
WINNABLE_FROM = frozenset({Stage.QUALIFIED, Stage.MEETING_SET})


def _label(stage: str) -> str:
    return Stage(stage).label.lower()


def _open_move_refusal(current: str, target: str) -> str | None:
    if target == Stage.LOST or FORWARD.get(current) == target:
        return None
    if target == Stage.WON:
        if current in WINNABLE_FROM:
            return None
        return "a lead must be qualified before it is won"
    order: list[str] = list(OPEN_STAGES)
    if order.index(target) < order.index(current):
        return None
    needed = FORWARD[current]
    return f"a {_label(current)} lead moves to {_label(needed)} next, not {_label(target)}"


def refusal(current: str, target: str, *, may_reopen: bool) -> str | None:
    """Why ``current -> target`` is not allowed, or None when it is."""
    if target not in Stage.values:
        return f"unknown stage {target!r}"
    if current == target:
        return f"the lead is already {_label(current)}"
    if current in CLOSED_STAGES:
        if target in CLOSED_STAGES:
            return "a closed lead must be reopened before it is closed again"
        if not may_reopen:
            return f"the lead is {_label(current)}; only a manager can reopen it"
        return None
    return _open_move_refusal(current, target)


def allowed_targets(current: str, *, may_reopen: bool) -> list[str]:
    """The stages a lead in ``current`` may move to (buttons on the board)."""
    return [s for s in Stage.values if refusal(current, s, may_reopen=may_reopen) is None]
