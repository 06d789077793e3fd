"""The result of scoring one conversation: per-check outcomes with evidence, score, lead."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Literal

Status = Literal["pass", "fail", "n/a"]
STATUSES: tuple[Status, ...] = ("pass", "fail", "n/a")


@dataclass(frozen=True, slots=True)
class Evidence:
    """Where in the conversation a check looked: turn index and the quoted sentence."""

    turn: int
    quote: str

    def to_dict(self) -> dict[str, Any]:
        return {"turn": self.turn, "quote": self.quote}


@dataclass(frozen=True, slots=True)
class RuleResult:
    """What a rule found. ``confidence`` is how sure the heuristic is, between 0 and 1."""

    status: Status
    evidence: tuple[Evidence, ...] = ()
    confidence: float = 0.9
    note: str = ""


@dataclass(frozen=True, slots=True)
class CheckResult:
    id: str
    title: str
    weight: float
    status: Status
    evidence: tuple[Evidence, ...]
    confidence: float
    tip: str
    note: str = ""

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "status": self.status,
            "evidence": [e.to_dict() for e in self.evidence],
            "confidence": round(self.confidence, 2),
        }
        if self.note:
            out["note"] = self.note
        return out


@dataclass(frozen=True, slots=True)
class Lead:
    """What the conversation tells a salesperson: who, how to reach them, what they need."""

    buying_intent: bool
    names: tuple[str, ...] = ()
    phones: tuple[str, ...] = ()
    emails: tuple[str, ...] = ()
    accounts: tuple[str, ...] = ()
    need: str = ""

    @property
    def name(self) -> str:
        return self.names[0] if self.names else ""

    @property
    def phone(self) -> str:
        return self.phones[0] if self.phones else ""

    @property
    def email(self) -> str:
        return self.emails[0] if self.emails else ""

    def to_dict(self) -> dict[str, Any]:
        return {
            "buying_intent": self.buying_intent,
            "name": self.name or None,
            "phone": self.phone or None,
            "email": self.email or None,
            "need": self.need or None,
        }


@dataclass(frozen=True, slots=True)
class CommitmentOut:
    speaker: str
    turn: int
    text: str
    due_text: str
    due_at: datetime | None
    dated: bool

    def to_dict(self) -> dict[str, Any]:
        return {
            "speaker": self.speaker,
            "turn": self.turn,
            "text": self.text,
            "due_text": self.due_text or None,
            "due_at": self.due_at.isoformat() if self.due_at else None,
            "dated": self.dated,
        }


@dataclass(frozen=True, slots=True)
class MissedOpportunity:
    check: str
    title: str
    tip: str

    def to_dict(self) -> dict[str, Any]:
        return {"check": self.check, "title": self.title, "tip": self.tip}


@dataclass(frozen=True, slots=True)
class Scorecard:
    """One conversation scored against one playbook."""

    id: str
    channel: str
    turns: int
    checks: tuple[CheckResult, ...]
    lead: Lead
    commitments: tuple[CommitmentOut, ...] = ()
    identity_asks: dict[str, int] = field(default_factory=dict)
    transfers: int = 0
    signals: tuple[str, ...] = ()

    @property
    def score(self) -> float | None:
        """Weighted share of applicable checks passed, 0-100; None when no check applied."""
        return weighted_score(self.checks)

    @property
    def missed(self) -> tuple[MissedOpportunity, ...]:
        return tuple(
            MissedOpportunity(c.id, c.title, c.tip) for c in self.checks if c.status == "fail"
        )

    def check(self, check_id: str) -> CheckResult:
        for result in self.checks:
            if result.id == check_id:
                return result
        raise KeyError(check_id)

    def to_dict(self) -> dict[str, Any]:
        """The JSONL shape documented in docs/analysis.md."""
        lead = self.lead
        return {
            "id": self.id,
            "channel": self.channel,
            "turns": self.turns,
            "score": self.score,
            "checks": {c.id: c.to_dict() for c in self.checks},
            "extracted": {
                "names": list(lead.names),
                "phones": list(lead.phones),
                "emails": list(lead.emails),
                "accounts": list(lead.accounts),
                "need": lead.need or None,
            },
            "lead": lead.to_dict(),
            "identity_asks": dict(self.identity_asks),
            "transfers": self.transfers,
            "buying_signals": list(self.signals),
            "commitments": [c.to_dict() for c in self.commitments],
            "missed_opportunities": [m.to_dict() for m in self.missed],
        }


def weighted_score(checks: Sequence[CheckResult]) -> float | None:
    counted = [c for c in checks if c.status != "n/a"]
    total = sum(c.weight for c in counted)
    if total <= 0:
        return None
    passed = sum(c.weight for c in counted if c.status == "pass")
    return round(100.0 * passed / total, 1)
