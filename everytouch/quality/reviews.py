"""Human verdicts beside the automatic ones: reviews, a rep's disputes, agreement, examples.

Nothing here changes a stored automatic result. A review is a verdict on one check of one
scorecard; a verdict that differs is an override and must say why. The latest review of each
(scorecard, check) is what agreement counts and what retraining learns from.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass

from django.contrib.auth.models import User
from django.db import IntegrityError, transaction
from django.db.models import Count, F, Max, Q, QuerySet
from django.utils import timezone

from everytouch.accounts.access import MANAGER_ROLES, STAFF_ROLES, has_role
from everytouch.quality.actions import SEES_EVERY_REP
from everytouch.quality.models import (
    CheckOutcome,
    CheckStatus,
    Dispute,
    DisputeState,
    Review,
    Scorecard,
    ScoreState,
)

REVIEWER_ROLES = SEES_EVERY_REP
MAX_COMMENT = 2000


class ReviewError(ValueError):
    """A review or dispute refused; the message says why (shown as a 400)."""


# --- who may see and do what ---------------------------------------------------------------------


def may_see(user: User, card: Scorecard) -> bool:
    """Reviewers see every scorecard; a rep only the ones of touches they handled."""
    if has_role(user, REVIEWER_ROLES):
        return True
    return has_role(user, STAFF_ROLES) and card.rep_id == user.pk


def visible_scorecards(user: User) -> QuerySet[Scorecard]:
    qs = Scorecard.objects.all()
    if has_role(user, REVIEWER_ROLES):
        return qs
    if has_role(user, STAFF_ROLES):
        return qs.filter(rep=user)
    return qs.none()


# --- reviews -------------------------------------------------------------------------------------


def _outcome(card: Scorecard, check_id: str) -> CheckOutcome:
    outcome = card.outcomes.filter(check_id=check_id).first()
    if outcome is None:
        raise ReviewError(f"The scorecard has no check {check_id!r}.")
    return outcome


def _comment(text: str, what: str) -> str:
    text = text.strip()
    if not text:
        raise ReviewError(f"{what} needs a comment saying why.")
    if len(text) > MAX_COMMENT:
        raise ReviewError(f"Keep the comment under {MAX_COMMENT} characters.")
    return text


def _evidence_turn(card: Scorecard, turn: int | None) -> int | None:
    if turn is None:
        return None
    turns = int(card.result.get("turns", 0))
    if not 0 <= turn < turns:
        raise ReviewError(f"Turn {turn + 1} is not in this transcript (it has {turns} turns).")
    return turn


@dataclass(frozen=True)
class Verdict:
    check_id: str
    status: str
    comment: str = ""
    evidence_turn: int | None = None  # 0-based


def review_check(card: Scorecard, verdict: Verdict, reviewer: User) -> Review:
    """Record a reviewer's verdict; an override (a different status) needs a comment."""
    if not has_role(reviewer, REVIEWER_ROLES):
        raise ReviewError("Only managers, owners and trainers review scorecards.")
    if card.state != ScoreState.SCORED:
        raise ReviewError("A touch that was not scored has no checks to review.")
    if verdict.status not in CheckStatus.values:
        raise ReviewError(f"{verdict.status!r} is not a verdict (pass, fail or n/a).")
    outcome = _outcome(card, verdict.check_id)
    comment = verdict.comment.strip()
    if verdict.status != outcome.status:
        comment = _comment(comment, "An override")
    return Review.objects.create(
        scorecard=card,
        check_id=outcome.check_id,
        auto_status=outcome.status,
        status=verdict.status,
        comment=comment[:MAX_COMMENT],
        evidence_turn=_evidence_turn(card, verdict.evidence_turn),
        reviewer=reviewer,
    )


def latest_reviews(card: Scorecard) -> dict[str, Review]:
    """The latest review of each check of this scorecard."""
    latest: dict[str, Review] = {}
    for review in card.reviews.select_related("reviewer").order_by("created_at", "id"):
        latest[review.check_id] = review
    return latest


# --- disputes ------------------------------------------------------------------------------------


def dispute_check(card: Scorecard, check_id: str, reason: str, rep: User) -> Dispute:
    """A rep says a check on their own scorecard is wrong; one open dispute per check."""
    if card.rep_id != rep.pk:
        raise ReviewError("Only the rep who handled the touch can dispute its scorecard.")
    outcome = _outcome(card, check_id)
    try:
        with transaction.atomic():
            return Dispute.objects.create(
                scorecard=card,
                check_id=outcome.check_id,
                auto_status=outcome.status,
                reason=_comment(reason, "A dispute"),
                raised_by=rep,
            )
    except IntegrityError as exc:
        raise ReviewError("This check is already disputed; wait for a manager.") from exc


@transaction.atomic
def resolve_dispute(dispute: Dispute, verdict: Verdict, manager: User) -> Dispute:
    """A manager decides: the verdict is stored as a review, the dispute upheld or rejected."""
    if not has_role(manager, MANAGER_ROLES):
        raise ReviewError("Only managers and owners resolve disputes.")
    locked = Dispute.objects.select_for_update().get(pk=dispute.pk)
    if locked.state != DisputeState.OPEN:
        raise ReviewError("This dispute is already resolved.")
    comment = _comment(verdict.comment, "Resolving a dispute")
    decided = Verdict(locked.check_id, verdict.status, comment, verdict.evidence_turn)
    review_check(locked.scorecard, decided, manager)
    upheld = verdict.status != locked.auto_status
    locked.state = DisputeState.UPHELD if upheld else DisputeState.REJECTED
    locked.resolution = comment
    locked.resolved_by = manager
    locked.resolved_at = timezone.now()
    locked.save(update_fields=["state", "resolution", "resolved_by", "resolved_at"])
    return locked


def open_disputes(user: User) -> QuerySet[Dispute]:
    """The disputes waiting for a manager (managers) or the rep's own open ones (a rep)."""
    qs = Dispute.objects.filter(state=DisputeState.OPEN).select_related(
        "scorecard", "raised_by", "scorecard__interaction"
    )
    return qs if has_role(user, MANAGER_ROLES) else qs.filter(raised_by=user)


# --- agreement -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Agreement:
    check_id: str
    reviews: int
    agreed: int

    @property
    def rate(self) -> float | None:
        return None if self.reviews == 0 else self.agreed / self.reviews

    @property
    def overridden(self) -> int:
        return self.reviews - self.agreed


def _latest_review_ids() -> QuerySet[Review, dict[str, object]]:
    return Review.objects.values("scorecard", "check_id").annotate(last=Max("pk")).values("last")


def agreement() -> list[Agreement]:
    """Per check: how many scorecards a human reviewed, and how often they agreed."""
    rows = (
        Review.objects.filter(pk__in=_latest_review_ids(), scorecard__is_test=False)
        .values("check_id")
        .annotate(n=Count("pk"), agreed=Count("pk", filter=Q(status=F("auto_status"))))
        .order_by("check_id")
    )
    return [Agreement(r["check_id"], r["n"], r["agreed"]) for r in rows]


# --- labelled examples for retraining -------------------------------------------------------------


def labelled_examples(check_id: str) -> Iterator[str]:
    """The reviewed conversations for one check, as `everytouch analyze train` reads them.

    One JSON line per reviewed scorecard (the latest verdict; n/a verdicts say nothing about
    the check and are left out). A pass keeps its evidence: the reviewer's turn, else the
    automatic evidence when the reviewer agreed.
    """
    reviews = (
        Review.objects.filter(pk__in=_latest_review_ids(), check_id=check_id)
        .exclude(status=CheckStatus.NA)
        .select_related("scorecard__interaction")
        .order_by("pk")
    )
    for review in reviews:
        line = _example(review)
        if line is not None:
            yield json.dumps(line, ensure_ascii=False)


def _example(review: Review) -> dict[str, object] | None:
    interaction = review.scorecard.interaction
    if interaction is None:
        return None
    turns = [{"speaker": t.speaker, "text": t.text} for t in interaction.turns.all()]
    value = review.status == CheckStatus.PASS
    evidence: list[list[object]] = []
    if value and review.evidence_turn is not None and review.evidence_turn < len(turns):
        evidence = [[review.evidence_turn, turns[review.evidence_turn]["text"]]]
    elif value and review.auto_status == CheckStatus.PASS:
        found = review.scorecard.result.get("checks", {}).get(review.check_id, {})
        evidence = [[e["turn"], e["quote"]] for e in found.get("evidence", [])]
    return {
        "id": f"scorecard-{review.scorecard_id}",
        "turns": turns,
        "checks": {review.check_id: {"value": value, "evidence": evidence}},
    }
