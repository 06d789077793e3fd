"""The weekly rollup stays exactly what the current outcomes say, through scoring and re-scoring."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.utils import timezone

from everytouch.interactions.actions import InteractionData, TurnData, log_interaction
from everytouch.interactions.models import Channel, Interaction
from everytouch.quality import actions, rollup
from everytouch.quality.models import CheckWeek, Playbook
from everytouch.quality.tests.helpers import CAPTURED, PRICE_ONLY
from everytouch.staff.directory.actions import ensure_staff
from everytouch.staff.models import Team

pytestmark = pytest.mark.django_db

CONVERSATIONS = (
    PRICE_ONLY,
    CAPTURED,
    (PRICE_ONLY[0], TurnData("customer", "Where is your shop?"), TurnData("agent", "Main Street.")),
    (),
)
STRICT = (
    "name: Strict\nchecks:\n  - id: asked_name\n    title: Name\n"
    "    rule: {name: asked_detail, detail: name}\n"
)


def log(
    rep: User, turns: tuple[TurnData, ...], started_at: datetime, channel: Channel
) -> Interaction:
    data = InteractionData(channel=channel, handled_by=rep, turns=turns, started_at=started_at)
    return log_interaction(None, data, rep)


def test_it_counts_checks_and_buying_calls_with_contact_details(rep: User) -> None:
    now = timezone.now()
    actions.score_interaction(log(rep, CONVERSATIONS[0], now, Channel.CALL))
    actions.score_interaction(log(rep, CONVERSATIONS[1], now, Channel.CALL))
    week = rollup.week_of(now)
    calls = CheckWeek.objects.filter(rep=rep, channel=Channel.CALL)
    contact = calls.get(check_id=rollup.CONTACT_CHECK)
    assert (contact.week, contact.passed, contact.failed) == (week, 1, 1)
    phone = calls.get(check_id="asked_phone")
    assert (phone.passed, phone.failed) == (1, 1)


def test_it_counts_every_channel_again_on_the_all_channels_row(rep: User) -> None:
    now = timezone.now()
    actions.score_interaction(log(rep, CONVERSATIONS[1], now, Channel.CALL))
    actions.score_interaction(log(rep, CONVERSATIONS[0], now, Channel.EMAIL))
    phone = {row.channel: row for row in CheckWeek.objects.filter(check_id="asked_phone")}
    assert set(phone) == {Channel.CALL, Channel.EMAIL, rollup.ALL_CHANNELS}
    assert (phone[Channel.CALL].passed, phone[Channel.CALL].failed) == (1, 0)
    assert (phone[Channel.EMAIL].passed, phone[Channel.EMAIL].failed) == (0, 1)
    assert (phone[rollup.ALL_CHANNELS].passed, phone[rollup.ALL_CHANNELS].failed) == (1, 1)
    assert rollup.stored() == rollup.compute()


def test_it_counts_not_scored_touches_apart_and_leaves_test_calls_out(rep: User) -> None:
    now = timezone.now()
    actions.score_interaction(log(rep, (), now, Channel.CALL))
    interaction = log(rep, CONVERSATIONS[0], now, Channel.CALL)
    subject = actions.subject_of(interaction)
    actions.score(
        actions.Subject(
            subject.conversation, rep, Channel.CALL, now, interaction=None, is_test=True
        )
    )
    row = CheckWeek.objects.get(channel=Channel.CALL)
    assert CheckWeek.objects.filter(channel=rollup.ALL_CHANNELS).count() == 1
    assert (row.check_id, row.rep, row.week) == (rollup.NOT_SCORED_CHECK, rep, rollup.week_of(now))
    assert (row.passed, row.failed, row.not_applicable) == (0, 0, 1)
    assert rollup.stored() == rollup.compute()


def test_it_takes_a_touch_off_not_scored_once_it_is_scored(rep: User, manager: User) -> None:
    interaction = log(rep, CONVERSATIONS[0], timezone.now(), Channel.CALL)
    broken = actions.save_version(actions.ensure_default_playbook().playbook, STRICT, manager)
    # A version whose text no longer compiles is what leaves a touch "not scored".
    type(broken).objects.filter(pk=broken.pk).update(text="checks: [")
    broken.refresh_from_db()
    actions.score(actions.subject_of(interaction), broken)
    not_scored = CheckWeek.objects.filter(check_id=rollup.NOT_SCORED_CHECK)
    assert sorted(not_scored.values_list("not_applicable", flat=True)) == [1, 1]
    actions.score_interaction(interaction)
    assert sorted(not_scored.values_list("not_applicable", flat=True)) == [0, 0]
    assert CheckWeek.objects.filter(check_id="greeting", passed=1).exists()
    assert rollup.stored() == rollup.compute()


def test_it_takes_a_rescored_cards_old_counts_off(rep: User, manager: User) -> None:
    interaction = log(rep, CONVERSATIONS[0], timezone.now(), Channel.CALL)
    actions.score_interaction(interaction)
    assert CheckWeek.objects.filter(check_id="greeting", passed=1).exists()
    default = Playbook.objects.get(is_default=True)
    version = actions.activate(actions.save_version(default, STRICT, manager)).active_version
    actions.score(actions.subject_of(interaction), version)
    assert not CheckWeek.objects.filter(check_id="greeting", passed__gt=0).exists()
    assert CheckWeek.objects.get(check_id="asked_name", channel=Channel.CALL).failed == 1
    assert rollup.stored() == rollup.compute()


def test_it_puts_a_sunday_night_touch_in_the_week_that_began_on_monday(
    rep: User, settings: object
) -> None:
    settings.TIME_ZONE = "America/Chicago"  # type: ignore[attr-defined]
    # 03:00 UTC on a Monday is still Sunday evening in Chicago.
    monday_utc = datetime(2026, 11, 23, 3, 0, tzinfo=UTC)
    assert rollup.week_of(monday_utc).isoformat() == "2026-11-16"
    actions.score_interaction(log(rep, CONVERSATIONS[0], monday_utc, Channel.CALL))
    assert set(CheckWeek.objects.values_list("week", flat=True)) == {rollup.week_of(monday_utc)}
    assert rollup.stored() == rollup.compute()


def _team(name: str, *reps: User) -> Team:
    team = Team.objects.create(name=name)
    for user in reps:
        member = ensure_staff(user)
        member.team = team
        member.save(update_fields=["team"])
    return team


def test_it_matches_a_rebuild_after_random_scoring_and_rescoring(
    rep: User, rep2: User, manager: User
) -> None:
    rng = random.Random(10)
    _team("Counter", rep)
    default_version = actions.ensure_default_playbook()
    other = actions.save_version(default_version.playbook, STRICT, manager)
    touches = []
    for _ in range(24):
        started = timezone.now() - timedelta(days=rng.randrange(40), hours=rng.randrange(24))
        who = rng.choice((rep, rep2))
        channel = rng.choice((Channel.CALL, Channel.EMAIL))
        touches.append(log(who, rng.choice(CONVERSATIONS), started, channel))
    for _ in range(60):
        touch = rng.choice(touches)
        version = rng.choice((default_version, other, None))
        actions.score(actions.subject_of(touch), version)
    assert rollup.stored() == rollup.compute()
    assert CheckWeek.objects.filter(check_id=rollup.CONTACT_CHECK).exists()
    before = rollup.stored()
    rollup.rebuild()
    assert rollup.stored() == before


def test_it_adds_a_cards_counts_in_one_statement(
    rep: User, manager: User, django_assert_num_queries: Any
) -> None:
    touch = log(rep, CONVERSATIONS[1], timezone.now(), Channel.CALL)
    first = actions.score(actions.subject_of(touch))
    outcomes = list(first.outcomes.all())
    # Every row of the card (a dozen checks and the buying call) in one upsert, whether the
    # rows exist already (they do: the card was just counted) or not.
    with django_assert_num_queries(1):
        rollup.apply(None, first, outcomes)
    assert rollup.stored() != rollup.compute()  # counted twice on purpose
    rows = CheckWeek.objects.filter(rep=rep)
    # Each check and the buying call, on the call's row and on the all-channels row.
    assert rows.count() == 2 * (len(outcomes) + 1)
    assert all(r.passed + r.failed + r.not_applicable == 2 for r in rows)
    # Retiring a card and storing the same counts again cancels out: the retired card's
    # outcomes are read back and nothing is written.
    with django_assert_num_queries(1):
        rollup.apply(first, first, outcomes)
    assert all(r.passed + r.failed + r.not_applicable == 2 for r in rows.all())
