"""Scorecards over JSON, read only: the list, one scorecard with its reviews and disputes.

The same rule as the pages: managers, owners and trainers read every scorecard; a rep only
the scorecards of touches they handled (another's is a 404); outsiders get 403.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.db.models import Prefetch, QuerySet
from django.http import Http404, HttpRequest
from ninja import Query, Router, Schema

from everytouch.accounts.auth import STAFF_READ, caller
from everytouch.accounts.endpoint_kit import (
    ApiId,
    ApiMoment,
    PageMeta,
    PageParams,
    UserRef,
    page_slice,
    user_ref,
)
from everytouch.quality.models import CheckStatus, Dispute, Review, Scorecard, ScoreState
from everytouch.quality.reviews import visible_scorecards

router = Router(tags=["quality"])


class CheckOut(Schema):
    id: str
    title: str
    status: str
    confidence: float
    evidence: list[dict[str, Any]]


class ReviewOut(Schema):
    check_id: str
    auto_status: str
    status: str
    overrides: bool
    comment: str
    evidence_turn: int | None
    reviewer: UserRef
    created_at: datetime


class DisputeOut(Schema):
    check_id: str
    auto_status: str
    reason: str
    state: str
    raised_by: UserRef
    resolution: str
    resolved_by: UserRef | None
    resolved_at: datetime | None
    created_at: datetime


class ScorecardOut(Schema):
    id: int
    interaction_id: int | None
    state: str
    reason: str
    score: float | None
    playbook: str | None
    playbook_version: int | None
    rep: UserRef | None
    channel: str
    started_at: datetime
    is_current: bool
    buying_intent: bool
    acknowledged_at: datetime | None
    checks: list[CheckOut]


class ScorecardDetail(ScorecardOut):
    result: dict[str, Any]
    reviews: list[ReviewOut]
    disputes: list[DisputeOut]


class ScorecardPage(PageMeta):
    items: list[ScorecardOut]


class ScorecardFilters(Schema):
    rep_id: ApiId | None = None
    state: ScoreState | None = None
    check: str | None = None
    status: CheckStatus | None = None
    since: ApiMoment | None = None
    current: bool = True


def _base(qs: QuerySet[Scorecard]) -> QuerySet[Scorecard]:
    return (
        qs.filter(is_test=False)
        .select_related("rep", "playbook_version__playbook")
        .prefetch_related("outcomes")
    )


def _fields(card: Scorecard) -> dict[str, Any]:
    version = card.playbook_version
    return {
        "id": card.pk,
        "interaction_id": card.interaction_id,
        "state": card.state,
        "reason": card.reason,
        "score": card.score,
        "playbook": version.playbook.name if version is not None else None,
        "playbook_version": version.number if version is not None else None,
        "rep": user_ref(card.rep),
        "channel": card.channel,
        "started_at": card.started_at,
        "is_current": card.is_current,
        "buying_intent": card.buying_intent,
        "acknowledged_at": card.acknowledged_at,
        "checks": [
            CheckOut(
                id=o.check_id,
                title=o.title,
                status=o.status,
                confidence=o.confidence,
                evidence=o.evidence,
            )
            for o in card.outcomes.all()
        ],
    }


@router.get("/scorecards", response=ScorecardPage, summary="List scorecards", auth=STAFF_READ)
def list_scorecards(
    request: HttpRequest, params: Query[PageParams], filters: Query[ScorecardFilters]
) -> ScorecardPage:
    """Newest first. Filter by rep, state, a check's status (``check`` with ``status``), since."""
    user = caller(request)
    qs = _base(visible_scorecards(user))
    if filters.current:
        qs = qs.filter(is_current=True)
    if filters.rep_id is not None:
        qs = qs.filter(rep_id=filters.rep_id)
    if filters.state is not None:
        qs = qs.filter(state=filters.state)
    if filters.since is not None:
        qs = qs.filter(started_at__gte=filters.since)
    if filters.check:
        outcome = {"outcomes__check_id": filters.check}
        if filters.status is not None:
            outcome["outcomes__status"] = filters.status
        qs = qs.filter(**outcome)
    items, meta = page_slice(request, qs.order_by("-started_at", "-pk"), params)
    return ScorecardPage(**meta.model_dump(), items=[ScorecardOut(**_fields(c)) for c in items])


@router.get(
    "/scorecards/{scorecard_id}",
    response=ScorecardDetail,
    summary="One scorecard",
    auth=STAFF_READ,
)
def get_scorecard(request: HttpRequest, scorecard_id: int) -> ScorecardDetail:
    """With the evidence, the reviews beside the automatic results, and the disputes."""
    user = caller(request)
    qs = _base(visible_scorecards(user)).prefetch_related(
        Prefetch("reviews", Review.objects.select_related("reviewer").order_by("created_at")),
        Prefetch(
            "disputes",
            Dispute.objects.select_related("raised_by", "resolved_by").order_by("created_at"),
        ),
    )
    card = qs.filter(pk=scorecard_id).first()
    if card is None:
        raise Http404("No such scorecard.")
    return ScorecardDetail(
        **_fields(card),
        result=card.result,
        reviews=[_review_out(r) for r in card.reviews.all()],
        disputes=[_dispute_out(d) for d in card.disputes.all()],
    )


def _review_out(review: Review) -> ReviewOut:
    return ReviewOut(
        check_id=review.check_id,
        auto_status=review.auto_status,
        status=review.status,
        overrides=not review.agrees,
        comment=review.comment,
        evidence_turn=review.evidence_turn,
        reviewer=user_ref(review.reviewer),
        created_at=review.created_at,
    )


def _dispute_out(dispute: Dispute) -> DisputeOut:
    return DisputeOut(
        check_id=dispute.check_id,
        auto_status=dispute.auto_status,
        reason=dispute.reason,
        state=dispute.state,
        raised_by=user_ref(dispute.raised_by),
        resolution=dispute.resolution,
        resolved_by=user_ref(dispute.resolved_by),
        resolved_at=dispute.resolved_at,
        created_at=dispute.created_at,
    )
