"""Call-in test campaigns: planning them, private tester links, recording and scoring test
calls, and the campaign report (per check and per rep "N of M", answer rate, change).

A test call is scored with the same playbook as every real touch (``actions.score`` with
``is_test=True``) but is never an ``Interaction``: nothing here can create a lead, fire the
``interaction_logged`` hook or show up in a real figure. See docs/quality.md.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from django.contrib.auth.models import User
from django.db import transaction
from django.db.models import Count, Prefetch, QuerySet

from everytouch.accounts.access import MANAGER_ROLES, has_role
from everytouch.accounts.people import display_name
from everytouch.analysis.conversation import Conversation, ConversationError, Turn
from everytouch.analysis.redact import (
    redact_card_numbers,
    redact_turns,
    redact_written_parts,
    split_card_parts,
)
from everytouch.business_time import business_tz
from everytouch.quality import actions
from everytouch.quality.importing import conversations_in, reason
from everytouch.quality.models import (
    LINK_LIFETIME,
    Answer,
    CallTest,
    Campaign,
    CheckOutcome,
    CheckStatus,
    Scenario,
    ScoreState,
    TesterLink,
    hash_link_token,
)
from everytouch.redaction import redacted

# Who may see campaigns and their reports. Reps are left out on purpose: a rep must not find
# out that they are being tested.
VIEWERS = actions.SEES_EVERY_REP
MAX_BRIEF = 500
MAX_LINE = 120
MAX_TRANSCRIPT_BYTES = 1_000_000
MAX_LINK_DAYS = 366
SHORT_FORM_ITEMS: tuple[tuple[str, str], ...] = (
    ("name", "asked for my name"),
    ("phone", "asked for my phone number"),
    ("email", "asked for my e-mail address"),
    ("need", "asked what I needed it for, by when or my budget"),
    ("next_step", "offered a next step (a quote, a visit, a call back)"),
    ("promotion", "mentioned a current offer"),
)
SHORT_FORM_REASON = "short form only: there is no transcript to score"
NO_TRANSCRIPT = {
    Answer.LIVE: "answered live, but no transcript or short form was given",
    Answer.VOICEMAIL: "voicemail: no transcript to score",
    Answer.NO_ANSWER: "no answer: nothing to score",
}


class CampaignError(actions.QualityError):
    """A campaign action refused; ``field`` names the form field at fault ("" for the form)."""

    def __init__(self, message: str, field: str = "") -> None:
        super().__init__(message)
        self.field = field


# --- campaigns -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class CampaignData:
    name: str
    starts_on: date
    ends_on: date
    scenarios: tuple[str, ...]
    reps: tuple[User, ...] = ()
    lines: tuple[str, ...] = ()
    testers: tuple[User, ...] = ()


def split_lines(text: str) -> tuple[str, ...]:
    """One entry per non-blank line, trimmed, duplicates dropped (first one kept)."""
    seen: dict[str, None] = {}
    for line in text.splitlines():
        if line.strip():
            seen.setdefault(line.strip(), None)
    return tuple(seen)


def _check(data: CampaignData) -> None:
    if not data.name.strip():
        raise CampaignError("Give the campaign a name.", "name")
    if data.ends_on < data.starts_on:
        raise CampaignError("The campaign cannot end before it starts.", "ends_on")
    if not data.scenarios:
        raise CampaignError("Write at least one scenario, one per line.", "scenarios")
    if any(len(brief) > MAX_BRIEF for brief in data.scenarios):
        raise CampaignError(f"Keep each scenario under {MAX_BRIEF} characters.", "scenarios")
    if not data.reps and not data.lines:
        raise CampaignError("Choose at least one rep or write at least one line.", "reps")
    if any(len(line) > MAX_LINE for line in data.lines):
        raise CampaignError(f"Keep each line under {MAX_LINE} characters.", "lines")
    if not all(has_role(t, VIEWERS) for t in data.testers):
        raise CampaignError("Testers must be managers, owners or trainers.", "testers")


@transaction.atomic
def create_campaign(data: CampaignData, actor: User) -> Campaign:
    _check(data)
    campaign = Campaign.objects.create(
        name=data.name.strip(),
        starts_on=data.starts_on,
        ends_on=data.ends_on,
        lines=list(data.lines),
        created_by=actor,
    )
    _set_people(campaign, data)
    Scenario.objects.bulk_create(
        redacted(Scenario(campaign=campaign, brief=b) for b in data.scenarios)
    )
    return campaign


@transaction.atomic
def update_campaign(campaign: Campaign, data: CampaignData) -> Campaign:
    _check(data)
    locked = Campaign.objects.select_for_update().get(pk=campaign.pk)
    locked.name = data.name.strip()
    locked.starts_on, locked.ends_on = data.starts_on, data.ends_on
    locked.lines = list(data.lines)
    locked.save(update_fields=["name", "starts_on", "ends_on", "lines"])
    _set_people(locked, data)
    _set_scenarios(locked, data.scenarios)
    return locked


def _set_people(campaign: Campaign, data: CampaignData) -> None:
    campaign.reps.set(data.reps)
    campaign.testers.set(data.testers)


def _set_scenarios(campaign: Campaign, briefs: Sequence[str]) -> None:
    """Keep unchanged briefs (their tests point at them), add new ones, drop removed ones."""
    current = {s.brief: s for s in campaign.scenarios.annotate(n=Count("tests"))}
    removed = [s for brief, s in current.items() if brief not in briefs]
    used = [s for s in removed if getattr(s, "n", 0)]
    if used:
        raise CampaignError(
            f'"{used[0].brief[:60]}" already has recorded tests; it cannot be removed.',
            "scenarios",
        )
    Scenario.objects.filter(pk__in=[s.pk for s in removed]).delete()
    new = [Scenario(campaign=campaign, brief=b) for b in briefs if b not in current]
    Scenario.objects.bulk_create(redacted(new))


def campaign_list() -> QuerySet[Campaign]:
    return Campaign.objects.annotate(test_count=Count("tests")).order_by("-starts_on", "-id")


def with_people(qs: QuerySet[Campaign] | None = None) -> QuerySet[Campaign]:
    """Campaigns with everything a page or an answer shows, in a fixed number of queries."""
    qs = Campaign.objects.all() if qs is None else qs
    return qs.prefetch_related(
        "scenarios",
        Prefetch("reps", User.objects.order_by("first_name", "username")),
        Prefetch("testers", User.objects.order_by("first_name", "username")),
    )


def may_record(user: User, campaign: Campaign) -> bool:
    """The campaign's testers record tests, and so may any manager or owner (who runs it)."""
    if has_role(user, MANAGER_ROLES):
        return True
    return campaign.testers.filter(pk=user.pk).exists()


def previous_campaign(campaign: Campaign) -> Campaign | None:
    """The latest campaign that ended before this one started: what "change" compares with."""
    earlier = Campaign.objects.filter(ends_on__lt=campaign.starts_on).exclude(pk=campaign.pk)
    return earlier.order_by("-ends_on", "-starts_on", "-id").first()


# --- tester links --------------------------------------------------------------------------------


def link_expiry(expires_on: date | None, now: datetime) -> datetime:
    """The end of the chosen day in business time, or ``LINK_LIFETIME`` from now."""
    if expires_on is None:
        return now + LINK_LIFETIME
    day_after = datetime.combine(expires_on + timedelta(days=1), time.min, tzinfo=business_tz())
    if day_after <= now:
        raise CampaignError("That day has passed; choose a later one.", "expires_on")
    if day_after > now + timedelta(days=MAX_LINK_DAYS):
        raise CampaignError(f"A link lasts at most {MAX_LINK_DAYS} days.", "expires_on")
    return day_after


def create_link(
    campaign: Campaign, label: str, expires_on: date | None, now: datetime
) -> tuple[TesterLink, str]:
    """A new private link and its raw token; only the token's hash is stored, so the raw
    token can be shown once and never again."""
    if not label.strip():
        raise CampaignError("Say who the link is for.", "label")
    expires_at = link_expiry(expires_on, now)
    raw = TesterLink.new_raw()
    link = TesterLink.objects.create(
        campaign=campaign,
        label=label.strip()[:120],
        token_hash=hash_link_token(raw),
        expires_at=expires_at,
    )
    return link, raw


def link_for(raw: str) -> TesterLink | None:
    qs = TesterLink.objects.select_related("campaign")
    return qs.filter(token_hash=hash_link_token(raw)).first()


def link_refusal(link: TesterLink, now: datetime) -> str:
    """Why the link can no longer record a test; "" while it can."""
    if link.used_at is not None:
        return "This link has already been used to record a test. Each link records one test."
    if now >= link.expires_at:
        return "This link has expired. Ask the person who sent it for a new one."
    return ""


def _claim(link: TesterLink, now: datetime) -> None:
    """Mark the link used, once: a second submission racing this one claims nothing."""
    claimed = TesterLink.objects.filter(
        pk=link.pk, used_at__isnull=True, expires_at__gt=now
    ).update(used_at=now)
    if not claimed:
        raise CampaignError(link_refusal(TesterLink.objects.get(pk=link.pk), now) or "Link gone.")


# --- transcripts ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Transcript:
    """An uploaded or pasted transcript: the text kept, and the conversation or why not."""

    text: str
    conversation: Conversation | None
    reason: str = ""


def read_transcript(data: bytes, filename: str = "transcript.txt") -> Transcript:
    """Read a transcript with the same readers as ``everytouch analyze``; never raises."""
    text = redact_card_numbers(data.decode("utf-8", errors="replace").replace("\x00", ""))
    if len(data) > MAX_TRANSCRIPT_BYTES:
        return Transcript(text[:MAX_TRANSCRIPT_BYTES], None, "the transcript is too large")
    try:
        found = conversations_in(data, filename)
    except ConversationError as exc:
        return Transcript(text, None, f"the transcript could not be read: {reason(exc)}"[:300])
    if len(found) != 1:
        return Transcript(text, None, f"the file holds {len(found)} conversations, not one")
    # A number read out over two turns has a speaker label between its parts in the text as
    # uploaded: the parts found in the turns are redacted there too.
    texts = [t.text for t in found[0].turns]
    return Transcript(redact_written_parts(text, split_card_parts(texts)), _redacted(found[0]))


def _redacted(conversation: Conversation) -> Conversation:
    texts = redact_turns([t.text for t in conversation.turns])
    turns = tuple(
        Turn(t.speaker, text, t.start) for t, text in zip(conversation.turns, texts, strict=True)
    )
    return dataclasses.replace(conversation, turns=turns)


# --- recording a test ----------------------------------------------------------------------------


@dataclass(frozen=True)
class CallData:
    scenario: Scenario
    answer: str
    called_at: datetime
    rep: User | None = None
    line: str = ""
    seconds_to_answer: int | None = None
    transcript: Transcript | None = None
    short_form: tuple[str, ...] = ()
    notes: str = ""


def short_form_note(items: Iterable[str]) -> str:
    labels = dict(SHORT_FORM_ITEMS)
    done = [labels[i] for i in items if i in labels]
    if not done:
        return "Short form: the rep did none of the listed things."
    return "Short form: the rep " + "; ".join(done) + "."


def _notes(data: CallData) -> str:
    parts = [data.notes.strip()]
    if data.short_form or (data.transcript is None and data.answer == Answer.LIVE):
        parts.append(short_form_note(data.short_form))
    return "\n".join(p for p in parts if p)


def _unreadable(data: CallData) -> str:
    """Why the test cannot be scored; "" when its transcript can be."""
    if data.transcript is not None:
        return data.transcript.reason
    if data.answer == Answer.LIVE:
        return SHORT_FORM_REASON
    return NO_TRANSCRIPT[Answer(data.answer)]


def _check_test(campaign: Campaign, data: CallData) -> None:
    if data.scenario.campaign_id != campaign.pk:
        raise CampaignError("Choose one of this campaign's scenarios.", "scenario")
    if data.rep is None and not data.line:
        raise CampaignError("Say which rep or line was tested.", "who")
    if data.rep is not None and not campaign.reps.filter(pk=data.rep.pk).exists():
        raise CampaignError("That rep is not tested in this campaign.", "who")
    if data.line and data.line not in campaign.lines:
        raise CampaignError("That line is not tested in this campaign.", "who")


def _subject(data: CallData) -> actions.Subject:
    transcript = data.transcript
    return actions.Subject(
        conversation=transcript.conversation if transcript is not None else None,
        rep=data.rep,
        channel="call",
        started_at=data.called_at,
        is_test=True,
        unreadable=_unreadable(data),
    )


def record_test(
    campaign: Campaign,
    data: CallData,
    tester: User | None = None,
    link: TesterLink | None = None,
    now: datetime | None = None,
) -> CallTest:
    """Record one test call and score it like any touch, without making an interaction."""
    _check_test(campaign, data)
    moment = now or data.called_at
    if link is not None and link_refusal(link, moment):
        raise CampaignError(link_refusal(link, moment))
    card = actions.score(_subject(data))  # outside the lock below: analysis is the slow part
    with transaction.atomic():
        if link is not None:
            try:
                _claim(link, moment)
            except CampaignError:
                card.delete()
                raise
        return CallTest.objects.create(
            campaign=campaign,
            scenario=data.scenario,
            rep=data.rep,
            line=data.line,
            tester=tester,
            link=link,
            answer=data.answer,
            seconds_to_answer=data.seconds_to_answer,
            called_at=data.called_at,
            transcript=data.transcript.text if data.transcript is not None else "",
            notes=_notes(data),
            scorecard=card,
        )


def tests_of(campaign: Campaign) -> QuerySet[CallTest]:
    qs = CallTest.objects.filter(campaign=campaign)
    return qs.select_related("scenario", "rep", "tester", "link", "scorecard")


# --- the report ----------------------------------------------------------------------------------


@dataclass
class Tally:
    """Passed of applicable: "1 of 5". Not-applicable outcomes count in neither."""

    passed: int = 0
    applicable: int = 0

    def add(self, status: str, times: int = 1) -> None:
        if status != CheckStatus.NA:
            self.applicable += times
            self.passed += times if status == CheckStatus.PASS else 0

    @property
    def label(self) -> str:
        return f"{self.passed} of {self.applicable}"

    @property
    def rate(self) -> float | None:
        return self.passed / self.applicable if self.applicable else None


@dataclass(frozen=True)
class Who:
    """A rep tested by name, or a line tested without knowing who would answer."""

    rep_id: int | None
    line: str
    label: str


@dataclass(frozen=True)
class Quote:
    test_id: int
    who: Who
    status: str
    turn: int
    quote: str


@dataclass
class CheckRow:
    check_id: str
    title: str
    overall: Tally = field(default_factory=Tally)
    by_who: dict[Who, Tally] = field(default_factory=dict)
    quotes: list[Quote] = field(default_factory=list)
    previous: Tally | None = None
    # One tally per ``Report.who``, in that order, for a table a template can walk.
    cells: list[Tally] = field(default_factory=list)

    @property
    def change_points(self) -> int | None:
        """Percentage points since the previous campaign; None without both figures."""
        now = self.overall.rate
        before = self.previous.rate if self.previous is not None else None
        if now is None or before is None:
            return None
        return round((now - before) * 100)

    def tally_for(self, who: Who) -> Tally:
        return self.by_who.get(who, Tally())


@dataclass(frozen=True)
class AnswerRate:
    live: int
    voicemail: int
    no_answer: int
    average_seconds: float | None

    @property
    def total(self) -> int:
        return self.live + self.voicemail + self.no_answer

    def percent(self, count: int) -> int:
        return round(100 * count / self.total) if self.total else 0


@dataclass(frozen=True)
class Report:
    campaign: Campaign
    previous: Campaign | None
    checks: list[CheckRow]
    who: list[Who]
    answers: AnswerRate
    tests: int
    not_scored: list[CallTest]


def who_of(test: CallTest) -> Who:
    if test.rep is not None:
        return Who(test.rep.pk, "", display_name(test.rep))
    return Who(None, test.line, f"line {test.line}")


def campaign_report(campaign: Campaign) -> Report:
    tests = list(tests_of(campaign).prefetch_related("scorecard__outcomes").order_by("pk"))
    checks = _check_rows(tests)
    previous = previous_campaign(campaign)
    if previous is not None:
        _add_previous(checks, previous)
    who = sorted({who_of(t) for t in tests}, key=lambda w: (w.rep_id is None, w.label))
    for row in checks.values():
        row.cells = [row.tally_for(w) for w in who]
    return Report(
        campaign=campaign,
        previous=previous,
        checks=list(checks.values()),
        who=who,
        answers=answer_rate(tests),
        tests=len(tests),
        not_scored=[t for t in tests if not _scored(t)],
    )


def _scored(test: CallTest) -> bool:
    return test.scorecard is not None and test.scorecard.state == ScoreState.SCORED


def _check_rows(tests: Sequence[CallTest]) -> dict[str, CheckRow]:
    rows: dict[str, CheckRow] = {}
    for test in tests:
        if not _scored(test):
            continue
        assert test.scorecard is not None
        who = who_of(test)
        for outcome in test.scorecard.outcomes.all():
            row = rows.setdefault(outcome.check_id, CheckRow(outcome.check_id, outcome.title))
            _count(row, who, test, outcome)
    return rows


def _count(row: CheckRow, who: Who, test: CallTest, outcome: CheckOutcome) -> None:
    row.overall.add(outcome.status)
    row.by_who.setdefault(who, Tally()).add(outcome.status)
    for evidence in outcome.evidence:
        quote = str(evidence.get("quote", ""))
        turn = int(evidence.get("turn", 0))
        row.quotes.append(Quote(test.pk, who, outcome.status, turn, quote))


def _add_previous(rows: dict[str, CheckRow], previous: Campaign) -> None:
    counts = (
        CheckOutcome.objects.filter(
            scorecard__call_test__campaign=previous, scorecard__state=ScoreState.SCORED
        )
        .values_list("check_id", "status")
        .annotate(n=Count("id"))
    )
    tallies: dict[str, Tally] = {}
    for check_id, status, n in counts:
        tallies.setdefault(check_id, Tally()).add(status, n)
    for check_id, row in rows.items():
        row.previous = tallies.get(check_id, Tally())


def answer_rate(tests: Sequence[CallTest]) -> AnswerRate:
    """How the calls were answered; the average wait is over live answers with a time given."""
    by_answer = {a: sum(1 for t in tests if t.answer == a) for a in Answer}
    waits = [
        t.seconds_to_answer
        for t in tests
        if t.answer == Answer.LIVE and t.seconds_to_answer is not None
    ]
    return AnswerRate(
        live=by_answer[Answer.LIVE],
        voicemail=by_answer[Answer.VOICEMAIL],
        no_answer=by_answer[Answer.NO_ANSWER],
        average_seconds=round(sum(waits) / len(waits), 1) if waits else None,
    )
