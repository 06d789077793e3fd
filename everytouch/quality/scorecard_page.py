"""What the scorecard page shows: the transcript with each check's evidence on its turn, and
each check with its automatic result, latest review and open dispute."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from urllib.parse import urlencode

from django.urls import reverse

from everytouch.interactions.models import Interaction, Turn
from everytouch.quality.models import CheckOutcome, Dispute, DisputeState, Review, Scorecard
from everytouch.quality.reviews import latest_reviews


@dataclass
class TurnRow:
    number: int  # from 1, as people count
    speaker: str
    text: str
    marks: list[tuple[str, str]] = field(default_factory=list)  # (check title, status)


@dataclass
class CheckRow:
    outcome: CheckOutcome
    review: Review | None
    dispute: Dispute | None
    tip: str

    @property
    def turn_numbers(self) -> list[int]:
        return [int(e["turn"]) + 1 for e in self.outcome.evidence]

    @property
    def effective(self) -> str:
        """The human verdict where there is one, else the automatic result."""
        return self.review.status if self.review is not None else self.outcome.status


def transcript(turns: list[Turn], outcomes: list[CheckOutcome]) -> list[TurnRow]:
    rows = [TurnRow(t.index + 1, t.speaker, t.text) for t in turns]
    by_index = {t.index: row for t, row in zip(turns, rows, strict=True)}
    for outcome in outcomes:
        for item in outcome.evidence:
            row = by_index.get(int(item["turn"]))
            if row is not None:
                row.marks.append((outcome.title, outcome.status))
    return rows


def check_rows(card: Scorecard, outcomes: list[CheckOutcome]) -> list[CheckRow]:
    reviews = latest_reviews(card)
    disputes = {d.check_id: d for d in card.disputes.filter(state=DisputeState.OPEN)}
    tips = {m["check"]: m["tip"] for m in card.result.get("missed_opportunities", [])}
    return [
        CheckRow(o, reviews.get(o.check_id), disputes.get(o.check_id), tips.get(o.check_id, ""))
        for o in outcomes
    ]


def _due(raw: Any) -> str:
    if not raw:
        return ""
    try:
        return datetime.fromisoformat(str(raw)).strftime("%Y-%m-%dT%H:%M")
    except ValueError:
        return ""


def promise_links(card: Scorecard, interaction: Interaction) -> list[tuple[str, str]]:
    """Each promise the agent made, with a link that opens the promise form filled in."""
    if interaction.customer_id is None:
        return []
    links = []
    for item in card.result.get("commitments", []):
        if item.get("speaker") != "agent":
            continue
        query = {
            "customer": interaction.customer_id,
            "interaction": interaction.pk,
            "what": str(item.get("text", ""))[:300],
            "due": _due(item.get("due_at")),
        }
        links.append((str(item.get("text", "")), f"{reverse('commitment_new')}?{urlencode(query)}"))
    return links
