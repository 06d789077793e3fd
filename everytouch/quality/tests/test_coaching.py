"""The coaching queue: the checks a rep fails most, examples, sessions and before/after."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from django.contrib.auth.models import User
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from everytouch.accounts.actions import create_user
from everytouch.accounts.models import Role
from everytouch.interactions.actions import InteractionData, log_interaction
from everytouch.interactions.models import Channel
from everytouch.quality import coaching, rollup
from everytouch.quality.actions import QualityError
from everytouch.quality.models import CheckOutcome, CoachingSession, Scorecard, ScoreState
from everytouch.quality.tests.helpers import scored_call
from everytouch.testing import PASSWORD, client_for, user_for

pytestmark = pytest.mark.django_db

TITLES = {"asked_name": "Asked the caller's name", "greeting": "Greeted the caller"}


def card(rep: User, when: datetime, outcomes: dict[str, str], **fields: object) -> Scorecard:
    """A scored conversation of ``rep`` at ``when`` with these check results."""
    data = InteractionData(channel=Channel.CALL, handled_by=rep, started_at=when, summary="Call")
    interaction = log_interaction(None, data, rep)
    values: dict[str, object] = {"state": ScoreState.SCORED, "channel": "call", **fields}
    scorecard = Scorecard.objects.create(
        interaction=interaction, rep=rep, started_at=when, **values
    )
    for check_id, status in outcomes.items():
        title = TITLES.get(check_id, check_id)
        CheckOutcome.objects.create(
            scorecard=scorecard, check_id=check_id, title=title, status=status, confidence=0.9
        )
    if scorecard.is_current:
        # What actions.score does when it stores a card: the weekly rollup counts it.
        rollup.apply(None, scorecard)
    return scorecard


def cards(rep: User, check_id: str, statuses: str, start: datetime) -> list[Scorecard]:
    """One card per letter of ``statuses`` (p pass, f fail, n n/a), an hour apart from start."""
    names = {"p": "pass", "f": "fail", "n": "n/a"}
    return [
        card(rep, start + timedelta(hours=i), {check_id: names[letter]})
        for i, letter in enumerate(statuses)
    ]


def days_ago(days: float) -> datetime:
    # The kit sets the clock per test (testing/clock.py), so "now" is read when it is needed.
    return timezone.now() - timedelta(days=days)


def queue_of(rep: User, days: int = 30) -> coaching.RepQueue:
    return coaching.queues([rep], days)[0]


# --- the queue -----------------------------------------------------------------------------------


def test_it_ranks_the_checks_a_rep_fails_most_by_fail_share(rep: User) -> None:
    cards(rep, "greeting", "fpppp", days_ago(5))
    cards(rep, "asked_name", "pfff", days_ago(4))
    cards(rep, "promotion", "ppp", days_ago(3))
    queue = queue_of(rep)
    ranked = [(c.check_id, c.failed, c.results) for c in queue.checks]
    assert ranked == [("asked_name", 3, 4), ("greeting", 1, 5)]
    assert queue.checks[0].title == TITLES["asked_name"]
    assert queue.checks[0].percent == 75


def test_a_check_is_named_as_its_newest_result_names_it(rep: User) -> None:
    cards(rep, "asked_name", "fff", days_ago(6))
    cards(rep, "greeting", "ffpp", days_ago(5))
    renamed = card(rep, days_ago(4), {"asked_name": "fail"})
    CheckOutcome.objects.filter(scorecard=renamed).update(title="Asked for a name <b>early</b>")
    titles = {c.check_id: c.title for c in queue_of(rep).checks}
    assert titles == {"asked_name": "Asked for a name <b>early</b>", "greeting": TITLES["greeting"]}


def test_it_counts_only_current_scored_real_results_inside_the_window(
    rep: User, rep2: User
) -> None:
    cards(rep, "asked_name", "fpp", days_ago(2))
    card(rep, days_ago(2), {"asked_name": "fail"}, is_current=False)
    card(rep, days_ago(2), {"asked_name": "fail"}, is_test=True)
    card(rep, days_ago(2), {"asked_name": "fail"}, state=ScoreState.NOT_SCORED)
    card(rep, days_ago(2), {"asked_name": "n/a"})
    card(rep, days_ago(31), {"asked_name": "fail"})
    cards(rep2, "asked_name", "fff", days_ago(2))
    [check] = queue_of(rep).checks
    assert (check.failed, check.results) == (1, 3)


def test_it_looks_back_as_many_days_as_asked(rep: User) -> None:
    cards(rep, "asked_name", "fff", days_ago(20))
    cards(rep, "asked_name", "ppp", days_ago(3))
    assert [(c.failed, c.results) for c in queue_of(rep, 30).checks] == [(3, 6)]
    assert queue_of(rep, 7).checks == []


def test_it_does_not_rank_a_check_with_too_few_results(rep: User) -> None:
    cards(rep, "asked_name", "ff", days_ago(2))
    queue = queue_of(rep)
    assert queue.checks == []
    assert queue.too_few == 1


def test_it_gives_the_most_recent_failing_conversations_as_examples(rep: User) -> None:
    made = cards(rep, "asked_name", "ffpff", days_ago(3))
    [check] = queue_of(rep).checks
    newest_first = [made[4], made[3], made[1]]
    assert [e.interaction_id for e in check.examples] == [c.interaction_id for c in newest_first]


def test_it_counts_a_window_that_starts_mid_week_to_the_minute(rep: User) -> None:
    # Tests run on a Tuesday, so thirty days back is a Sunday: the rollup's week holding the
    # window's start is only partly inside it, and its outcomes are counted one by one.
    since = coaching.window_start(30, timezone.now())
    card(rep, since - timedelta(minutes=1), {"asked_name": "fail"})
    card(rep, since + timedelta(minutes=1), {"asked_name": "fail"})
    cards(rep, "asked_name", "ppf", since + timedelta(days=2))
    [check] = queue_of(rep).checks
    assert (check.failed, check.results) == (2, 4)


def test_it_looks_further_back_for_examples_the_last_day_lacks(rep: User) -> None:
    older = cards(rep, "asked_name", "ff", days_ago(10))
    recent = cards(rep, "asked_name", "pf", days_ago(0.5))
    [check] = queue_of(rep).checks
    newest_first = [recent[1], older[1], older[0]]
    assert [e.interaction_id for e in check.examples] == [c.interaction_id for c in newest_first]


def plain_examples(rep: User, check_id: str, since: datetime) -> list[int]:
    """The latest failing touches of one rep and check, counted the plain way."""
    rows = coaching.counted_outcomes().filter(
        scorecard__rep=rep,
        check_id=check_id,
        status="fail",
        scorecard__started_at__gte=since,
    )
    newest = rows.order_by("-scorecard__started_at", "-scorecard_id")
    return list(newest.values_list("scorecard__interaction_id", flat=True)[: coaching.EXAMPLES])


def test_it_finds_the_same_examples_as_a_plain_search_of_the_whole_window(
    rep: User, rep2: User
) -> None:
    # Failures spread over weeks, none in the last week for some: the last look starts where
    # the rollup says the latest ones are, and must find what searching every day would.
    cards(rep, "asked_name", "fpf", days_ago(25))
    cards(rep, "asked_name", "pf", days_ago(12))
    cards(rep, "greeting", "ffpf", days_ago(9))
    cards(rep, "greeting", "ppp", days_ago(2))
    cards(rep2, "asked_name", "ffff", days_ago(40))
    cards(rep2, "asked_name", "fpp", days_ago(29))
    cards(rep2, "greeting", "f", days_ago(15))
    cards(rep2, "greeting", "ppf", days_ago(3))
    since = coaching.window_start(30, timezone.now())
    for queue in coaching.queues([rep, rep2], 30):
        assert queue.checks
        for check in queue.checks:
            found = [e.interaction_id for e in check.examples]
            assert found == plain_examples(queue.rep, check.check_id, since)


def test_it_finds_older_examples_in_the_week_the_rollup_points_to(rep: User, rep2: User) -> None:
    # Every pair has three failures in the window's whole weeks but none in the last week, so
    # the last look starts at the Monday the rollup names, not at the window's start.
    cards(rep, "asked_name", "fffpf", days_ago(20))
    cards(rep, "asked_name", "pf", days_ago(11))
    cards(rep2, "greeting", "ffff", days_ago(16))
    cards(rep2, "greeting", "pppp", days_ago(2))
    since = coaching.window_start(30, timezone.now())
    for queue in coaching.queues([rep, rep2], 30):
        [check] = queue.checks
        found = [e.interaction_id for e in check.examples]
        assert len(found) == coaching.EXAMPLES
        assert found == plain_examples(queue.rep, check.check_id, since)


def test_it_lists_only_active_reps(rep: User, rep2: User, manager: User) -> None:
    rep2.is_active = False
    rep2.save(update_fields=["is_active"])
    assert list(coaching.active_reps()) == [rep]


# --- sessions ------------------------------------------------------------------------------------


def test_it_records_a_session_with_redacted_notes(rep: User, manager: User) -> None:
    cards(rep, "asked_name", "f", days_ago(2))
    notes = "Ask for the name first. Card 4111 1111 1111 1111 was read out."
    session = coaching.record_session(rep, manager, ["asked_name"], notes, timezone.now())
    assert session.coach == manager and session.check_ids == ["asked_name"]
    assert "4111 1111 1111 1111" not in session.notes
    assert session.notes.startswith("Ask for the name first.")


@pytest.mark.parametrize(
    ("checks", "notes", "ago", "why"),
    [
        ([], "Notes", 0, "at least one check"),
        (["greeting"], "Notes", 0, "no results on: greeting"),
        (["asked_name"], "  ", 0, "notes"),
        (["asked_name"], "Notes", -1, "future"),
    ],
)
def test_it_refuses_a_session_it_cannot_record(
    rep: User, manager: User, checks: list[str], notes: str, ago: int, why: str
) -> None:
    cards(rep, "asked_name", "f", days_ago(2))
    with pytest.raises(QualityError, match=why):
        coaching.record_session(rep, manager, checks, notes, days_ago(ago))
    assert not CoachingSession.objects.exists()


def test_it_refuses_a_rep_as_coach_and_a_manager_as_coached(
    rep: User, rep2: User, manager: User, owner: User
) -> None:
    cards(rep, "asked_name", "f", days_ago(2))
    with pytest.raises(QualityError, match="Only a manager"):
        coaching.record_session(rep, rep2, ["asked_name"], "Notes", timezone.now())
    with pytest.raises(QualityError, match="Only a rep"):
        coaching.record_session(manager, owner, ["asked_name"], "Notes", timezone.now())


def session_with_history(rep: User, coach: User) -> CoachingSession:
    """Coached on asked_name 40 days ago: 2 of 9 passed before, 6 of 8 after."""
    held = days_ago(40)
    cards(rep, "asked_name", "ppfffffff", held - timedelta(days=20))
    cards(rep, "asked_name", "ffpppppp", held + timedelta(days=5))
    cards(rep, "asked_name", "ffff", held - timedelta(days=31))  # before the 30 days before
    cards(rep, "asked_name", "ffff", held + timedelta(days=31))  # after the 30 days after
    cards(rep, "greeting", "fffff", held + timedelta(days=5))  # not covered
    return coaching.record_session(rep, coach, ["asked_name"], "Ask for the name.", held)


def test_it_compares_the_pass_rate_before_and_after_a_session(rep: User, manager: User) -> None:
    session = session_with_history(rep, manager)
    [effect] = coaching.effects(rep, [session])
    assert effect.before.text == "2 of 9 (22%)"
    assert effect.after.text == "6 of 8 (75%)"
    assert not effect.after.partial


def test_it_counts_after_a_recent_session_up_to_now(rep: User, manager: User) -> None:
    cards(rep, "asked_name", "fff", days_ago(6))
    cards(rep, "asked_name", "p", days_ago(1))
    session = coaching.record_session(rep, manager, ["asked_name"], "Notes", days_ago(3))
    [effect] = coaching.effects(rep, [session])
    assert (effect.before.text, effect.after.text) == ("0 of 3 (0%)", "1 of 1 (100%)")
    assert effect.after.partial


def test_it_says_no_results_rather_than_a_rate_of_nothing(rep: User, manager: User) -> None:
    cards(rep, "asked_name", "f", days_ago(100))
    session = coaching.record_session(rep, manager, ["asked_name"], "Notes", days_ago(3))
    [effect] = coaching.effects(rep, [session])
    assert effect.before.text == "no results" == effect.after.text


# --- the queue page ------------------------------------------------------------------------------

QUEUE = "/quality/coaching/"


@pytest.mark.parametrize(
    ("role", "status"),
    [
        (None, 302),
        ("outsider", 403),
        ("trainer", 200),
        ("rep", 200),
        ("manager", 200),
        ("owner", 200),
    ],
)
def test_it_lets_only_staff_see_the_queue(
    request: pytest.FixtureRequest, role: str | None, status: int
) -> None:
    response = client_for(user_for(request, role)).get(QUEUE)
    assert response.status_code == status


@pytest.mark.parametrize("role", ["trainer", "manager", "owner"])
def test_it_shows_coaches_every_reps_failing_checks_with_examples(
    request: pytest.FixtureRequest, role: str, rep: User, rep2: User
) -> None:
    made = cards(rep2, "asked_name", "fffp", days_ago(2))
    response = client_for(user_for(request, role)).get(QUEUE)
    html = response.content.decode()
    assert "Ron Rep" in html and "Rita Rep" in html
    assert "failed 3 of 4 (75%)" in html
    assert reverse("scorecard", args=[made[2].interaction_id]) in html
    assert reverse("scorecard", args=[made[3].interaction_id]) not in html
    assert "at least 3" in html


def test_it_queues_what_the_scorer_found_in_real_calls(manager: User, rep: User) -> None:
    made = [scored_call(rep) for _ in range(3)]
    html = client_for(manager).get(QUEUE).content.decode()
    row = html.split('data-check="asked_name"')[1].split("</tr>")[0]
    assert "failed 3 of 3 (100%)" in row
    assert reverse("scorecard", args=[made[0].interaction_id]) in row


def test_it_shows_a_rep_only_their_own_queue(rep: User, rep2: User) -> None:
    cards(rep, "greeting", "fff", days_ago(2))
    cards(rep2, "asked_name", "fff", days_ago(2))
    html = client_for(rep).get(QUEUE).content.decode()
    assert "Ron Rep" in html and "greeting" in html
    assert "Rita Rep" not in html and "asked_name" not in html


def test_it_says_so_when_no_check_can_be_ranked(rep: User) -> None:
    cards(rep, "asked_name", "ff", days_ago(2))
    html = client_for(rep).get(QUEUE).content.decode()
    assert "No check failed" in html
    assert "1 other check had fewer than 3 results" in html


@pytest.mark.parametrize("days", ["0", "366", "many", "-3"])
def test_it_refuses_a_window_it_cannot_use(rep: User, days: str) -> None:
    response = client_for(rep).get(QUEUE, {"days": days})
    assert response.status_code == 400
    assert 'data-testid="window-error"' in response.content.decode()


def test_it_narrows_the_queue_to_the_days_asked(manager: User, rep: User) -> None:
    cards(rep, "asked_name", "fff", days_ago(10))
    client = client_for(manager)
    assert "failed 3 of 3" in client.get(QUEUE).content.decode()
    assert "failed 3 of 3" not in client.get(QUEUE, {"days": "7"}).content.decode()


def more_reps(first: int, count: int) -> None:
    for i in range(first, first + count):
        name = f"rep{i}"
        user = create_user(name, PASSWORD, Role.REP, first_name=f"Rep{i}", last_name="Rep")
        cards(user, "asked_name", "ffp", days_ago(2))
        cards(user, "greeting", "fpp", days_ago(3))


def queries(manager: User) -> int:
    client = client_for(manager)
    client.get(QUEUE)
    with CaptureQueriesContext(connection) as captured:
        assert client.get(QUEUE).status_code == 200
    return len([q for q in captured.captured_queries if "SAVEPOINT" not in q["sql"].upper()])


def test_it_shows_the_queue_without_a_query_per_rep(manager: User) -> None:
    more_reps(0, 2)
    with_two = queries(manager)
    more_reps(2, 3)
    assert queries(manager) == with_two


# --- one rep's page ------------------------------------------------------------------------------


def rep_url(user: User) -> str:
    return reverse("coaching_rep", args=[user.pk])


@pytest.mark.parametrize(
    ("role", "status"),
    [
        (None, 302),
        ("outsider", 404),
        ("trainer", 200),
        ("rep", 404),
        ("manager", 200),
        ("owner", 200),
    ],
)
def test_it_shows_another_reps_page_only_to_coaches(
    request: pytest.FixtureRequest, role: str | None, status: int, rep2: User
) -> None:
    response = client_for(user_for(request, role)).get(rep_url(rep2))
    assert response.status_code == status


def test_it_has_no_coaching_page_for_someone_who_is_not_a_rep(manager: User, owner: User) -> None:
    assert client_for(owner).get(rep_url(manager)).status_code == 404
    assert client_for(owner).get("/quality/coaching/999999/").status_code == 404


def test_it_shows_a_rep_their_own_sessions_read_only(rep: User, manager: User) -> None:
    session = session_with_history(rep, manager)
    response = client_for(rep).get(rep_url(rep))
    html = response.content.decode()
    assert response.status_code == 200
    assert session.notes in html
    assert "before 2 of 9 (22%) &rarr; after 6 of 8 (75%)" in html
    assert "Record the session" not in html


def test_it_offers_coaches_the_checks_seen_to_record_a_session(rep: User, trainer: User) -> None:
    cards(rep, "asked_name", "fff", days_ago(2))
    html = client_for(trainer).get(rep_url(rep)).content.decode()
    assert "Record the session" in html
    assert 'value="asked_name"' in html and 'value="greeting"' not in html


def test_it_says_there_is_nothing_to_coach_on_before_any_score(rep: User, manager: User) -> None:
    html = client_for(manager).get(rep_url(rep)).content.decode()
    assert 'data-testid="no-checks"' in html
    assert "No coaching sessions recorded yet." in html


# --- recording a session in the browser ----------------------------------------------------------


def new_url(user: User) -> str:
    return reverse("coaching_new", args=[user.pk])


@pytest.mark.parametrize("role", ["trainer", "manager", "owner"])
def test_it_lets_a_coach_record_a_session(
    request: pytest.FixtureRequest, role: str, rep2: User
) -> None:
    coach = user_for(request, role)
    cards(rep2, "asked_name", "fff", days_ago(2))
    client = client_for(coach)
    body = {"check_ids": ["asked_name"], "notes": "Ask for the name before the price."}
    response = client.post(new_url(rep2), body)
    assert response.status_code == 302
    assert response["Location"] == rep_url(rep2)
    session = CoachingSession.objects.get()
    assert (session.rep, session.coach) == (rep2, coach)
    assert "Ask for the name before the price." in client.get(rep_url(rep2)).content.decode()


@pytest.mark.parametrize(
    ("role", "status"),
    [(None, 302), ("outsider", 404), ("rep", 404)],
)
def test_it_refuses_a_session_from_anyone_else(
    request: pytest.FixtureRequest, role: str | None, status: int, rep2: User
) -> None:
    cards(rep2, "asked_name", "fff", days_ago(2))
    body = {"check_ids": ["asked_name"], "notes": "Notes"}
    response = client_for(user_for(request, role)).post(new_url(rep2), body)
    assert response.status_code == status
    assert not CoachingSession.objects.exists()


def test_it_refuses_a_rep_recording_a_session_for_themselves(rep: User) -> None:
    cards(rep, "asked_name", "fff", days_ago(2))
    response = client_for(rep).post(new_url(rep), {"check_ids": ["asked_name"], "notes": "x"})
    assert response.status_code == 403
    assert not CoachingSession.objects.exists()


@pytest.mark.parametrize(
    ("body", "why"),
    [
        ({"notes": "Notes"}, "Choose at least one check"),
        ({"check_ids": ["asked_name"], "notes": " "}, "Write what was covered"),
        ({"check_ids": ["greeting"], "notes": "Notes"}, "Select a valid choice"),
        ({"check_ids": ["asked_name"], "notes": "N", "held_at": "2199-01-01T10:00"}, "ahead"),
        ({"check_ids": ["asked_name"], "notes": "N", "held_at": "yesterday"}, "valid date"),
    ],
)
def test_it_explains_a_session_form_it_cannot_take(
    manager: User, rep: User, body: dict[str, object], why: str
) -> None:
    cards(rep, "asked_name", "fff", days_ago(2))
    response = client_for(manager).post(new_url(rep), body)
    assert response.status_code == 400
    assert why in response.content.decode()
    assert not CoachingSession.objects.exists()


def test_it_takes_the_time_a_session_was_held(manager: User, rep: User) -> None:
    cards(rep, "asked_name", "fff", days_ago(2))
    body = {"check_ids": ["asked_name"], "notes": "N", "held_at": "2020-03-02T09:30"}
    client_for(manager).post(new_url(rep), body)
    held = CoachingSession.objects.get().held_at
    assert (held.year, held.month, held.day) == (2020, 3, 2)


def test_it_answers_a_get_of_the_record_url_with_405(manager: User, rep: User) -> None:
    assert client_for(manager).get(new_url(rep)).status_code == 405
