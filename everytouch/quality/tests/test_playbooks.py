"""Playbooks in the app: view, edit with errors at their line, version, activate, re-score."""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.auth.models import User
from django.urls import reverse

from everytouch.interactions.actions import InteractionData, TurnData, log_interaction
from everytouch.interactions.models import Channel, Interaction
from everytouch.quality import actions, playbooks
from everytouch.quality.models import Playbook, PlaybookVersion, RescoreRun, Scorecard
from everytouch.staff.models import Team
from everytouch.testing import client_for, user_for

pytestmark = pytest.mark.django_db

TURNS = (
    TurnData("agent", "Good morning, Acme Office Supply, this is Ron."),
    TurnData("customer", "How much is a toner cartridge?"),
    TurnData("agent", "That one is $89.99."),
)
SMALL = """version: 1
name: Greeting only
checks:
  - id: greeting
    title: Greeted the customer
    rule: greeting
"""
# Line 5 holds a key the analyzer does not know.
BAD_KEY = SMALL.replace("    title:", "    wieght: 2\n    title:")


def default() -> Playbook:
    return actions.ensure_default_playbook().playbook


def a_team_playbook(manager: User, team: Team, activate: bool = True) -> Playbook:
    data = playbooks.NewPlaybook("Desk playbook", team, SMALL, activate=activate)
    return playbooks.create_playbook(data, manager)


def a_call(rep: User) -> Interaction:
    data = InteractionData(channel=Channel.CALL, handled_by=rep, turns=TURNS)
    return log_interaction(None, data, rep)


# --- the domain ----------------------------------------------------------------------------------


def test_it_names_the_line_of_an_invalid_playbook() -> None:
    with pytest.raises(playbooks.PlaybookEditError) as caught:
        playbooks.check_text(BAD_KEY)
    assert caught.value.line == 5
    assert "wieght" in str(caught.value)
    assert not str(caught.value).startswith("playbook:")


def test_it_names_the_line_of_broken_yaml() -> None:
    with pytest.raises(playbooks.PlaybookEditError) as caught:
        playbooks.check_text(SMALL + "  - id: [unclosed\n")
    assert caught.value.line is not None and caught.value.line >= 7


def test_it_stores_nothing_for_an_invalid_text(manager: User) -> None:
    book = default()
    before = book.versions.count()
    with pytest.raises(playbooks.PlaybookEditError):
        playbooks.save_text(book, BAD_KEY, manager, activate=True)
    book.refresh_from_db()
    assert book.versions.count() == before
    assert book.active_version is not None and book.active_version.number == 1


def test_it_adds_versions_and_activates_only_when_asked(manager: User) -> None:
    book = default()
    v2 = playbooks.save_text(book, SMALL, manager, "only the greeting")
    book.refresh_from_db()
    assert (v2.number, book.active_version_id) == (2, book.versions.get(number=1).pk)
    playbooks.activate_version(v2)
    book.refresh_from_db()
    assert book.active_version == v2


def test_it_refuses_to_activate_a_version_that_no_longer_validates(manager: User) -> None:
    book = default()
    # Only a text stored before a rule changed can be invalid now; made here by hand.
    stale = PlaybookVersion.objects.create(playbook=book, number=9, text=BAD_KEY)
    with pytest.raises(playbooks.PlaybookEditError):
        playbooks.activate_version(stale)
    book.refresh_from_db()
    assert book.active_version != stale


def test_it_scores_a_teams_touches_with_its_playbook_once_active(
    manager: User, rep: User, office: Team
) -> None:
    book = a_team_playbook(manager, office, activate=False)
    card = actions.score_interaction(a_call(rep))
    assert card.playbook_version == actions.ensure_default_playbook()
    assert book.versions.get().pk != card.playbook_version_id
    playbooks.activate_version(book.versions.get())
    card = actions.score_interaction(a_call(rep))
    assert card.playbook_version == book.versions.get()
    assert set(card.outcomes.values_list("check_id", flat=True)) == {"greeting"}


def test_historical_scorecards_keep_their_version(manager: User, rep: User) -> None:
    first = actions.score_interaction(a_call(rep))
    old = first.playbook_version
    playbooks.save_text(default(), SMALL, manager, activate=True)
    first.refresh_from_db()
    assert first.playbook_version == old
    assert first.outcomes.filter(check_id="asked_name").exists()


def test_it_counts_each_versions_scorecards_as_a_plain_count_does(
    manager: User, rep: User, monkeypatch: pytest.MonkeyPatch
) -> None:
    for _ in range(3):
        actions.score_interaction(a_call(rep))
    playbooks.save_text(default(), SMALL, manager, activate=True)
    actions.score_interaction(a_call(rep))
    counted = {v.pk: v.scorecard_count for v in playbooks.versions_of(default())}  # type: ignore[attr-defined]
    plain = {
        v.pk: Scorecard.objects.filter(playbook_version=v).count() for v in default().versions.all()
    }
    assert counted == plain
    assert sorted(plain.values()) == [1, 3]
    # Past the cap the count stops and says so, on the playbook and on the version.
    monkeypatch.setattr(playbooks, "COUNT_CAP", 2)
    first = default().versions.get(number=1)
    assert str(playbooks.version_scorecards(first)) == "more than 2"
    client = client_for(manager)
    page = client.get(reverse("playbook_detail", args=[default().pk])).content.decode()
    assert "<td>more than 2</td>" in page
    assert "<td>1</td>" in page
    version = client.get(reverse("playbook_version", args=[first.pk])).content.decode()
    assert "more than 2 scorecards scored with it" in version


def test_it_gives_a_team_only_one_playbook(manager: User, office: Team) -> None:
    a_team_playbook(manager, office)
    with pytest.raises(playbooks.PlaybookEditError) as caught:
        playbooks.create_playbook(playbooks.NewPlaybook("Second", office, SMALL), manager)
    assert caught.value.field == "team"
    assert not Playbook.objects.filter(name="Second").exists()


def test_it_refuses_a_team_for_the_default_playbook(office: Team) -> None:
    with pytest.raises(playbooks.PlaybookEditError):
        playbooks.set_team(default(), office)


def test_it_shows_what_changed_from_the_previous_version(manager: User) -> None:
    v2 = playbooks.save_text(default(), SMALL, manager)
    diff = playbooks.changes(playbooks.previous_version(v2), v2)
    assert "+name: Greeting only" in diff
    assert playbooks.changes(None, v2) == []


# --- pages, per role -----------------------------------------------------------------------------

READERS = [
    ("owner", 200),
    ("manager", 200),
    ("rep", 200),
    ("trainer", 200),
    ("outsider", 403),
    (None, 302),
]


@pytest.mark.parametrize(("role", "status"), READERS)
def test_it_lists_the_playbooks_to_every_staff_role(
    request: pytest.FixtureRequest, role: str | None, status: int
) -> None:
    response = client_for(user_for(request, role)).get(reverse("playbook_list"))
    assert response.status_code == status
    if status == 200:
        assert actions.DEFAULT_NAME.encode() in response.content
        assert (b"New playbook" in response.content) == (role in {"owner", "manager"})


@pytest.mark.parametrize(
    ("role", "status"),
    [("owner", 200), ("manager", 200), ("rep", 200), ("trainer", 200), ("outsider", 404)],
)
def test_it_shows_a_playbook_and_a_version_to_staff_only(
    request: pytest.FixtureRequest, role: str, status: int
) -> None:
    book = default()
    client = client_for(user_for(request, role))
    assert client.get(reverse("playbook_detail", args=[book.pk])).status_code == status
    version = client.get(reverse("playbook_version", args=[book.active_version_id]))
    assert version.status_code == status
    if status == 200:
        assert b"asked_name" in version.content
        assert (b"Edit</a>" in client.get(reverse("playbook_detail", args=[book.pk])).content) == (
            role in {"owner", "manager"}
        )


@pytest.mark.parametrize(
    ("role", "status", "saved"),
    [
        ("owner", 302, True),
        ("manager", 302, True),
        ("rep", 404, False),
        ("trainer", 404, False),
        ("outsider", 404, False),
        (None, 302, False),
    ],
)
def test_it_lets_only_managers_save_a_version(
    request: pytest.FixtureRequest, role: str | None, status: int, saved: bool
) -> None:
    book = default()
    url = reverse("playbook_edit", args=[book.pk])
    response = client_for(user_for(request, role)).post(url, {"text": SMALL, "activate": "on"})
    assert response.status_code == status
    book.refresh_from_db()
    assert book.versions.count() == (2 if saved else 1)
    assert (book.active_version is not None and book.active_version.number == 2) == saved


def test_it_shows_the_error_at_its_line_and_saves_nothing(manager: User) -> None:
    book = default()
    url = reverse("playbook_edit", args=[book.pk])
    response = client_for(manager).post(url, {"text": BAD_KEY, "activate": "on"})
    assert response.status_code == 400
    page = response.content.decode()
    assert 'id="line-5" class="error-line"' in page
    assert "line 5: unknown key &#x27;wieght&#x27; in a check" in page
    # The text comes back as typed, to fix it in place.
    assert "wieght: 2" in page.split("<textarea", 1)[1]
    assert book.versions.count() == 1


def test_it_opens_the_editor_on_the_active_text(manager: User) -> None:
    book = default()
    response = client_for(manager).get(reverse("playbook_edit", args=[book.pk]))
    assert response.status_code == 200
    assert b"asked_name" in response.content


@pytest.mark.parametrize(
    ("role", "status"),
    [("owner", 200), ("manager", 200), ("rep", 403), ("trainer", 403), ("outsider", 403)],
)
def test_it_lets_only_managers_open_a_new_playbook(
    request: pytest.FixtureRequest, role: str, status: int
) -> None:
    response = client_for(user_for(request, role)).get(reverse("playbook_new"))
    assert response.status_code == status
    if status == 200:
        assert b"asked_name" in response.content


def test_it_creates_a_team_playbook_from_the_page(manager: User, office: Team) -> None:
    data = {"name": "Desk", "team": office.pk, "text": SMALL, "activate": "on"}
    response = client_for(manager).post(reverse("playbook_new"), data)
    book = Playbook.objects.get(name="Desk")
    assert response.status_code == 302
    assert response["Location"] == reverse("playbook_detail", args=[book.pk])
    assert book.team == office and book.active_version is not None


def test_it_refuses_a_new_playbook_with_an_invalid_text(manager: User) -> None:
    data = {"name": "Broken", "text": BAD_KEY}
    response = client_for(manager).post(reverse("playbook_new"), data)
    assert response.status_code == 400
    assert b'data-testid="error-line"' in response.content
    assert not Playbook.objects.filter(name="Broken").exists()


def test_it_refuses_a_name_already_taken(manager: User) -> None:
    data = {"name": actions.DEFAULT_NAME, "text": SMALL}
    response = client_for(manager).post(reverse("playbook_new"), data)
    assert response.status_code == 400
    assert b"already exists" in response.content


@pytest.mark.parametrize(
    ("role", "status", "active"),
    [
        ("owner", 302, True),
        ("manager", 302, True),
        ("rep", 404, False),
        ("trainer", 404, False),
        ("outsider", 404, False),
        (None, 302, False),
    ],
)
def test_it_lets_only_managers_activate_a_version(
    request: pytest.FixtureRequest, manager: User, role: str | None, status: int, active: bool
) -> None:
    book = default()
    v2 = playbooks.save_text(book, SMALL, manager)
    url = reverse("playbook_activate", args=[v2.pk])
    response = client_for(user_for(request, role)).post(url)
    assert response.status_code == status
    book.refresh_from_db()
    assert (book.active_version == v2) == active


def test_it_refuses_to_activate_an_invalid_version_with_the_reason(manager: User) -> None:
    book = default()
    stale = PlaybookVersion.objects.create(playbook=book, number=9, text=BAD_KEY)
    response = client_for(manager).post(reverse("playbook_activate", args=[stale.pk]))
    assert response.status_code == 400
    assert b"Not activated: line 5" in response.content
    book.refresh_from_db()
    assert book.active_version != stale


def test_it_moves_a_playbook_to_another_team(manager: User, office: Team) -> None:
    book = a_team_playbook(manager, office)
    other = Team.objects.create(name="Field")
    url = reverse("playbook_team", args=[book.pk])
    assert client_for(manager).post(url, {"team": other.pk}).status_code == 302
    book.refresh_from_db()
    assert book.team == other


def test_it_refuses_a_team_that_has_a_playbook(manager: User, office: Team) -> None:
    a_team_playbook(manager, office)
    second = playbooks.create_playbook(playbooks.NewPlaybook("Spare", None, SMALL), manager)
    url = reverse("playbook_team", args=[second.pk])
    response = client_for(manager).post(url, {"team": office.pk})
    assert response.status_code == 400
    second.refresh_from_db()
    assert second.team is None


@pytest.mark.parametrize("role", ["rep", "trainer", "outsider"])
def test_it_lets_no_one_but_managers_change_a_team(
    request: pytest.FixtureRequest, manager: User, office: Team, role: str
) -> None:
    book = playbooks.create_playbook(playbooks.NewPlaybook("Spare", None, SMALL), manager)
    url = reverse("playbook_team", args=[book.pk])
    response = client_for(user_for(request, role)).post(url, {"team": office.pk})
    assert response.status_code == 404
    book.refresh_from_db()
    assert book.team is None


# --- re-scoring ----------------------------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_it_rescores_with_the_new_version_and_shows_progress(
    manager: User, rep: User, worker: Any
) -> None:
    call = a_call(rep)
    worker.run()
    old = Scorecard.objects.get(interaction=call, is_current=True)
    book = default()
    playbooks.save_text(book, SMALL, manager, activate=True)
    client = client_for(manager)
    since = old.started_at.date().isoformat()
    response = client.post(reverse("playbook_rescore", args=[book.pk]), {"since": since})
    run = RescoreRun.objects.get()
    assert response["Location"] == reverse("rescore_detail", args=[run.pk])
    worker.run()
    new = Scorecard.objects.get(interaction=call, is_current=True)
    assert new.pk != old.pk and new.playbook_version == book.versions.get(number=2)
    page = client.get(reverse("rescore_detail", args=[run.pk]))
    assert b"1 of 1 re-scored (100%), finished" in page.content
    assert b'hx-trigger="every 2s"' not in page.content  # the top bar's search box has its own


def test_it_polls_a_running_rescore_with_htmx(manager: User) -> None:
    run = RescoreRun.objects.create(playbook=default(), since="2026-01-01T00:00Z", total=4, done=1)
    response = client_for(manager).get(
        reverse("rescore_detail", args=[run.pk]), HTTP_HX_REQUEST="true"
    )
    assert response.status_code == 200
    assert b"<h1>" not in response.content
    assert b"1 of 4 re-scored (25%)" in response.content
    assert b'hx-trigger="every 2s"' in response.content


def test_it_refuses_a_rescore_without_a_day(manager: User) -> None:
    book = default()
    response = client_for(manager).post(reverse("playbook_rescore", args=[book.pk]), {"since": ""})
    assert response.status_code == 400
    assert not RescoreRun.objects.exists()


@pytest.mark.parametrize(("role", "status"), [("rep", 404), ("trainer", 404), ("outsider", 404)])
def test_it_lets_only_managers_rescore(
    request: pytest.FixtureRequest, role: str, status: int
) -> None:
    book = default()
    client = client_for(user_for(request, role))
    response = client.post(reverse("playbook_rescore", args=[book.pk]), {"since": "2026-01-01"})
    assert response.status_code == status
    assert not RescoreRun.objects.exists()
    run = RescoreRun.objects.create(playbook=book, since="2026-01-01T00:00Z")
    assert client.get(reverse("rescore_detail", args=[run.pk])).status_code == 404
