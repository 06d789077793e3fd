"""Playbooks and scoring: which playbook version scores a touch, and storing its scorecard.

The analysis (the slow part) runs outside any transaction; only storing the result takes a
lock. A touch that cannot be scored still gets a scorecard row, ``not_scored`` with the reason,
so nothing silently drops out of the figures.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from importlib import resources

from django.conf import settings
from django.contrib.auth.models import User
from django.db import transaction
from django.db.models import Exists, Max, OuterRef, Q, QuerySet
from django.utils import timezone

from everytouch.accounts.models import Role
from everytouch.analysis.analyzer import analyze
from everytouch.analysis.conversation import Conversation
from everytouch.analysis.flow import Promotion as PromotionSpec
from everytouch.analysis.playbook import Playbook as PlaybookSpec
from everytouch.analysis.playbook import PlaybookError, parse_playbook
from everytouch.analysis.scorecard import Scorecard as ScorecardSpec
from everytouch.business_time import business_tz
from everytouch.interactions.conversation import to_conversation
from everytouch.interactions.models import Interaction
from everytouch.quality import promotions, rollup
from everytouch.quality.models import (
    CheckOutcome,
    Playbook,
    PlaybookVersion,
    RescoreRun,
    Scorecard,
    ScoreState,
)
from everytouch.redaction import redacted
from everytouch.staff.models import StaffMember, Team

# Who reads every rep's quality records (scorecards, reviews, campaigns, coaching); a rep reads
# only their own. One set, so the pages, the API and the menu cannot disagree.
SEES_EVERY_REP = frozenset({Role.OWNER, Role.MANAGER, Role.TRAINER})
DEFAULT_NAME = "Everytouch default"
NO_TURNS = "no transcript: the touch was logged without turns"


class QualityError(ValueError):
    """A quality action refused: the message says why, for a 400 or a form error."""


# --- playbooks -----------------------------------------------------------------------------------


def shipped_playbook_text() -> str:
    data = resources.files("everytouch.analysis").joinpath("data/default_playbook.yaml")
    return data.read_text(encoding="utf-8")


def models_folder() -> str:
    """Where a playbook's ``classifier`` rules find their model files (var/models)."""
    return str(settings.VAR_DIR / "models")


def validate_text(text: str, name: str = "playbook") -> PlaybookSpec:
    """The parsed playbook, or PlaybookError whose message starts ``name:LINE:``."""
    return parse_playbook(text, source=name, folder=models_folder())


def ensure_default_playbook() -> PlaybookVersion:
    """The default playbook's active version; the shipped playbook on a fresh install."""
    playbook = Playbook.objects.filter(is_default=True).select_related("active_version").first()
    if playbook is not None and playbook.active_version is not None:
        return playbook.active_version
    with transaction.atomic():
        playbook, _ = Playbook.objects.get_or_create(
            is_default=True, defaults={"name": DEFAULT_NAME}
        )
        playbook = Playbook.objects.select_for_update().get(pk=playbook.pk)
        if playbook.active_version is None:
            version = _add_version(playbook, shipped_playbook_text(), None, "shipped default")
            playbook.active_version = version
            playbook.save(update_fields=["active_version"])
        assert playbook.active_version is not None
        return playbook.active_version


def _add_version(playbook: Playbook, text: str, actor: User | None, note: str) -> PlaybookVersion:
    last = playbook.versions.aggregate(n=Max("number"))["n"] or 0
    return PlaybookVersion.objects.create(
        playbook=playbook, number=last + 1, text=text, note=note[:200], created_by=actor
    )


@transaction.atomic
def save_version(
    playbook: Playbook, text: str, actor: User | None, note: str = ""
) -> PlaybookVersion:
    """Store a new version if the text is a valid playbook; PlaybookError (with line) if not."""
    validate_text(text, playbook.name)
    locked = Playbook.objects.select_for_update().get(pk=playbook.pk)
    return _add_version(locked, text, actor, note)


@transaction.atomic
def activate(version: PlaybookVersion) -> Playbook:
    """Make this version the one new touches are scored with (it was validated when saved)."""
    validate_text(version.text, version.playbook.name)
    playbook = Playbook.objects.select_for_update().get(pk=version.playbook_id)
    playbook.active_version = version
    playbook.save(update_fields=["active_version"])
    return playbook


def team_of(rep: User | None) -> Team | None:
    """The rep's team, read with its playbook and that playbook's active version.

    Scoring needs all three for every touch; one joined query instead of three.
    """
    if rep is None:
        return None
    members = StaffMember.objects.filter(user=rep)
    member = members.select_related("team__playbook__active_version").first()
    return member.team if member is not None else None


def _own_playbook(team: Team) -> Playbook | None:
    try:
        return team.playbook
    except Playbook.DoesNotExist:
        return None


def version_for(team: Team | None) -> PlaybookVersion:
    """The team's active playbook version, else the default playbook's."""
    own = _own_playbook(team) if team is not None else None
    if own is not None and own.active_version is not None:
        return own.active_version
    return ensure_default_playbook()


# Parsing a playbook costs far more than scoring with it, so parsed playbooks are kept, keyed
# by their text (an id can be reused after a rolled-back transaction; the text cannot lie).
_COMPILED: dict[str, PlaybookSpec] = {}


def compiled(version: PlaybookVersion) -> PlaybookSpec:
    spec = _COMPILED.get(version.text)
    if spec is None:
        spec = validate_text(version.text, f"{version.playbook.name} v{version.number}")
        if len(_COMPILED) > 64:
            _COMPILED.clear()
        _COMPILED[version.text] = spec
    return spec


# --- promotions ----------------------------------------------------------------------------------


def promotions_on(day: date) -> tuple[PromotionSpec, ...]:
    """The promotions valid on ``day``, as the analyzer's promotion check reads them."""
    # Only the two columns it reads: this runs for every scored touch.
    rows = promotions.valid_on(day).values_list("name", "keywords")
    return tuple(PromotionSpec(name, tuple(keywords)) for name, keywords in rows)


# --- scoring -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Subject:
    """What a scorecard is about: a stored touch, or a call-in test's transcript."""

    conversation: Conversation | None
    rep: User | None
    channel: str
    started_at: datetime
    interaction: Interaction | None = None
    is_test: bool = False
    # Set when the transcript could not even be read (a call-in test upload).
    unreadable: str = ""


def subject_of(interaction: Interaction) -> Subject:
    turns = list(interaction.turns.all())
    return Subject(
        conversation=to_conversation(interaction) if turns else None,
        rep=interaction.handled_by,
        channel=interaction.channel,
        started_at=interaction.started_at,
        interaction=interaction,
    )


def _analyse(subject: Subject, version: PlaybookVersion) -> ScorecardSpec | str:
    """The analyzer's scorecard, or the reason there is none."""
    if subject.unreadable:
        return subject.unreadable
    if subject.conversation is None:
        return NO_TURNS
    try:
        playbook = compiled(version)
    except PlaybookError as exc:
        return f"the playbook version cannot be used: {exc}"[:300]
    tz = business_tz()
    day = subject.started_at.astimezone(tz).date()
    region = str(settings.EVERYTOUCH_PHONE_REGION)
    return analyze(subject.conversation, playbook, promotions_on(day), str(tz), region)


def score(subject: Subject, version: PlaybookVersion | None = None) -> Scorecard:
    """Score one subject and store the result as its current scorecard."""
    team = team_of(subject.rep)
    version = version or version_for(team)
    found = _analyse(subject, version)
    with transaction.atomic():
        retired = None
        if subject.interaction is not None:
            # One scorer at a time per touch, so two jobs cannot both leave a current card.
            Interaction.objects.select_for_update().filter(pk=subject.interaction.pk).first()
            retired = current_scorecard(subject.interaction)
            if retired is not None:  # under the lock, no current card means none to retire
                Scorecard.objects.filter(interaction=subject.interaction, is_current=True).update(
                    is_current=False
                )
        card = Scorecard.objects.create(
            interaction=subject.interaction,
            playbook_version=version,
            rep=subject.rep,
            team=team,
            channel=subject.channel,
            started_at=subject.started_at,
            is_test=subject.is_test,
            **_fields_of(found),
        )
        outcomes = _store_outcomes(card, found) if isinstance(found, ScorecardSpec) else []
        rollup.apply(retired, card, outcomes)
    return card


def _fields_of(found: ScorecardSpec | str) -> dict[str, object]:
    if isinstance(found, str):
        return {"state": ScoreState.NOT_SCORED, "reason": found, "result": {}}
    return {
        "state": ScoreState.SCORED,
        "score": found.score,
        "result": found.to_dict(),
        "buying_intent": found.lead.buying_intent,
    }


def _store_outcomes(card: Scorecard, found: ScorecardSpec) -> list[CheckOutcome]:
    return CheckOutcome.objects.bulk_create(
        redacted(
            CheckOutcome(
                scorecard=card,
                check_id=check.id,
                title=check.title,
                status=check.status,
                confidence=round(check.confidence, 3),
                evidence=[e.to_dict() for e in check.evidence],
            )
            for check in found.checks
        )
    )


def score_interaction(interaction: Interaction) -> Scorecard:
    return score(subject_of(interaction))


def current_scorecard(interaction: Interaction) -> Scorecard | None:
    return Scorecard.objects.filter(interaction=interaction, is_current=True).first()


def unscored(touches: QuerySet[Interaction]) -> QuerySet[Interaction]:
    """Those of ``touches`` without a current scorecard yet (a retried job finds it done).

    A filter rather than a separate check, so the job reads the touch and learns whether it
    still needs scoring in one query.
    """
    current = Scorecard.objects.filter(interaction_id=OuterRef("pk"), is_current=True)
    return touches.filter(~Exists(current))


def acknowledge(card: Scorecard, actor: User) -> Scorecard:
    """The rep has read their scorecard; the first acknowledgement counts."""
    if card.rep_id != actor.pk:
        raise QualityError("Only the rep who handled the touch can acknowledge its scorecard.")
    Scorecard.objects.filter(pk=card.pk, acknowledged_at__isnull=True).update(
        acknowledged_at=timezone.now()
    )
    card.refresh_from_db(fields=["acknowledged_at"])
    return card


# --- re-scoring ----------------------------------------------------------------------------------

RESCORE_BATCH = 200


def rescore_scope(playbook: Playbook, since: datetime) -> QuerySet[Scorecard]:
    """The current scorecards of real touches since ``since`` that this playbook scores now.

    Those it scored before, and those of the teams it now covers (by the team the touch was
    scored under): a team playbook activated today also re-scores what the default scored.
    """
    covers = Q(playbook_version__playbook=playbook)
    if playbook.team_id is not None:
        covers |= Q(team_id=playbook.team_id)
    elif playbook.is_default:
        own = Playbook.objects.filter(team__isnull=False, active_version__isnull=False)
        covers |= Q(team__isnull=True) | ~Q(team_id__in=own.values("team_id"))
    return Scorecard.objects.filter(
        covers, is_current=True, is_test=False, interaction__isnull=False, started_at__gte=since
    )


def start_rescore(playbook: Playbook, since: datetime, actor: User | None) -> RescoreRun:
    """Count what a re-score with the active version will redo; the task does the work."""
    if playbook.active_version is None:
        raise QualityError("The playbook has no active version to score with.")
    total = rescore_scope(playbook, since).count()
    return RescoreRun.objects.create(playbook=playbook, since=since, total=total, started_by=actor)


def rescore_batch(run: RescoreRun) -> bool:
    """Re-score the next batch of the run's touches; False once the run has finished."""
    if run.finished_at is not None:
        return False
    playbook = Playbook.objects.select_related("active_version").get(pk=run.playbook_id)
    version = playbook.active_version
    ids = list(
        rescore_scope(playbook, run.since)
        .filter(interaction_id__gt=run.cursor)
        .order_by("interaction_id")
        .values_list("interaction_id", flat=True)[:RESCORE_BATCH]
    )
    if version is None or not ids:
        RescoreRun.objects.filter(pk=run.pk).update(finished_at=timezone.now())
        return False
    touches = Interaction.objects.filter(pk__in=ids).select_related("handled_by")
    for interaction in touches.prefetch_related("turns").order_by("pk"):
        score(subject_of(interaction), version)
    RescoreRun.objects.filter(pk=run.pk).update(
        cursor=ids[-1], done=min(run.done + len(ids), run.total)
    )
    return True
