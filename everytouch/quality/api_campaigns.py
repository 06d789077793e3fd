"""Call-in test campaigns over JSON, read only: the campaigns and one campaign's results.

Managers, owners and trainers may read; reps are refused (403) like on the pages, so a rep
cannot find out that they are being tested.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from django.http import HttpRequest
from ninja import Query, Router, Schema

from everytouch.accounts.access import get_visible_or_404
from everytouch.accounts.auth import caller, gated
from everytouch.accounts.endpoint_kit import PageMeta, PageParams, UserRef, page_slice, user_ref
from everytouch.accounts.models import Scope
from everytouch.quality import campaigns
from everytouch.quality.models import CallTest, Campaign

router = Router(tags=["quality: call-in tests"])
# Reps are refused like on the pages, so a rep cannot find out that they are being tested.
VIEWERS = gated(campaigns.VIEWERS, Scope.READ)


class CampaignOut(Schema):
    id: int
    name: str
    starts_on: date
    ends_on: date
    scenarios: list[str]
    reps: list[UserRef]
    lines: list[str]
    testers: list[UserRef]
    tests: int


class CampaignPage(PageMeta):
    items: list[CampaignOut]


class CampaignRef(Schema):
    id: int
    name: str


class TallyOut(Schema):
    passed: int
    applicable: int
    label: str


class WhoOut(Schema):
    rep: UserRef | None
    line: str
    label: str


class CellOut(Schema):
    who: WhoOut
    passed: int
    applicable: int
    label: str


class CampaignQuoteOut(Schema):
    test_id: int
    who: str
    status: str
    turn: int
    quote: str


class CampaignCheckOut(Schema):
    check_id: str
    title: str
    passed: int
    applicable: int
    label: str
    previous: TallyOut | None
    change_points: int | None
    by_rep: list[CellOut]
    evidence: list[CampaignQuoteOut]


class AnswerRateOut(Schema):
    total: int
    live: int
    voicemail: int
    no_answer: int
    average_seconds_to_answer: float | None


class NotScoredOut(Schema):
    test_id: int
    reason: str


class ResultsOut(Schema):
    campaign: CampaignRef
    previous_campaign: CampaignRef | None
    tests: int
    answer_rate: AnswerRateOut
    checks: list[CampaignCheckOut]
    not_scored: list[NotScoredOut]


def campaign_out(campaign: Campaign) -> CampaignOut:
    return CampaignOut(
        id=campaign.pk,
        name=campaign.name,
        starts_on=campaign.starts_on,
        ends_on=campaign.ends_on,
        scenarios=[s.brief for s in campaign.scenarios.all()],
        reps=[user_ref(u) for u in campaign.reps.all()],
        lines=list(campaign.lines),
        testers=[user_ref(u) for u in campaign.testers.all()],
        tests=getattr(campaign, "test_count", 0),
    )


@router.get("/campaigns", response=CampaignPage, auth=VIEWERS)
def list_campaigns(request: HttpRequest, params: Query[PageParams]) -> dict[str, Any]:
    qs = campaigns.with_people(campaigns.campaign_list())
    items, meta = page_slice(request, qs, params)
    return {**meta.model_dump(), "items": [campaign_out(c) for c in items]}


@router.get("/campaigns/{campaign_id}/results", response=ResultsOut, auth=VIEWERS)
def campaign_results(request: HttpRequest, campaign_id: int) -> ResultsOut:
    user = caller(request)
    campaign = get_visible_or_404(user, Campaign.objects.all(), campaign_id, campaigns.VIEWERS)
    return results_out(campaigns.campaign_report(campaign))


def results_out(report: campaigns.Report) -> ResultsOut:
    answers = report.answers
    previous = report.previous
    return ResultsOut(
        campaign=CampaignRef(id=report.campaign.pk, name=report.campaign.name),
        previous_campaign=CampaignRef(id=previous.pk, name=previous.name) if previous else None,
        tests=report.tests,
        answer_rate=AnswerRateOut(
            total=answers.total,
            live=answers.live,
            voicemail=answers.voicemail,
            no_answer=answers.no_answer,
            average_seconds_to_answer=answers.average_seconds,
        ),
        checks=[_check_out(row, report) for row in report.checks],
        not_scored=[_not_scored(t) for t in report.not_scored],
    )


def _tally(tally: campaigns.Tally) -> TallyOut:
    return TallyOut(passed=tally.passed, applicable=tally.applicable, label=tally.label)


def _who(who: campaigns.Who) -> WhoOut:
    rep = UserRef(id=who.rep_id, name=who.label) if who.rep_id is not None else None
    return WhoOut(rep=rep, line=who.line, label=who.label)


def _check_out(row: campaigns.CheckRow, report: campaigns.Report) -> CampaignCheckOut:
    return CampaignCheckOut(
        check_id=row.check_id,
        title=row.title,
        passed=row.overall.passed,
        applicable=row.overall.applicable,
        label=row.overall.label,
        previous=_tally(row.previous) if row.previous is not None else None,
        change_points=row.change_points,
        by_rep=[
            CellOut(who=_who(w), **_tally(t).model_dump())
            for w, t in zip(report.who, row.cells, strict=True)
        ],
        evidence=[
            CampaignQuoteOut(
                test_id=q.test_id, who=q.who.label, status=q.status, turn=q.turn, quote=q.quote
            )
            for q in row.quotes
        ],
    )


def _quote(q: campaigns.Quote) -> CampaignQuoteOut:
    return CampaignQuoteOut(
        test_id=q.test_id, who=q.who.label, status=q.status, turn=q.turn, quote=q.quote
    )


def _not_scored(test: CallTest) -> NotScoredOut:
    reason = test.scorecard.reason if test.scorecard is not None else "not scored yet"
    return NotScoredOut(test_id=test.pk, reason=reason)
