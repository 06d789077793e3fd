"""The scorecard page, reviews, acknowledgement, disputes, agreement and training examples."""

from __future__ import annotations

import json

import pytest
from django.contrib.auth.models import User
from django.urls import reverse

from everytouch.analysis.labels import read_labels
from everytouch.quality.models import Dispute, DisputeState, Review, Scorecard
from everytouch.quality.reviews import Verdict, agreement, review_check
from everytouch.quality.tests.helpers import scored_call
from everytouch.testing import client_for, user_for

pytestmark = pytest.mark.django_db


def page_of(card: Scorecard) -> str:
    return reverse("scorecard", args=[card.interaction_id])


@pytest.mark.parametrize(
    ("role", "status"),
    [
        ("owner", 200),
        ("manager", 200),
        ("trainer", 200),
        ("rep", 200),
        ("rep2", 404),
        ("outsider", 404),
        (None, 302),
    ],
)
def test_it_shows_a_scorecard_to_reviewers_and_its_own_rep_only(
    request: pytest.FixtureRequest, rep: User, role: str | None, status: int
) -> None:
    card = scored_call(rep)
    response = client_for(user_for(request, role)).get(page_of(card))
    assert response.status_code == status
    if status == 200:
        html = response.content.decode()
        assert 'data-testid="auto-asked_name">Fail' in html
        # The greeting's evidence is marked on the first turn.
        assert '<li id="turn-1" class="evidence">' in html
        assert "turn 1" in html


def test_it_says_a_touch_without_a_scorecard_is_not_scored_yet(rep: User) -> None:
    card = scored_call(rep)
    Scorecard.objects.all().delete()
    response = client_for(rep).get(page_of(card))
    assert response.status_code == 200
    assert b'data-testid="not-scored-yet"' in response.content


def _review(client_user: User, card: Scorecard, **data: object) -> int:
    url = reverse("scorecard_review", args=[card.pk])
    payload = {"check_id": "asked_name", **data}
    return client_for(client_user).post(url, payload).status_code


def test_it_refuses_an_override_without_a_comment_and_stores_nothing(
    rep: User, manager: User
) -> None:
    card = scored_call(rep)
    assert _review(manager, card, status="pass") == 400
    assert not Review.objects.exists()


def test_an_override_is_stored_beside_the_automatic_result(rep: User, manager: User) -> None:
    card = scored_call(rep)
    assert _review(manager, card, status="pass", comment="He asked off-mic", evidence_turn=3) == 302
    review = Review.objects.get()
    assert (review.auto_status, review.status, review.evidence_turn) == ("fail", "pass", 2)
    assert card.outcomes.get(check_id="asked_name").status == "fail"
    html = client_for(manager).get(page_of(card)).content.decode()
    assert "Overridden: <strong>Pass</strong>" in html


def test_agreeing_needs_no_comment(rep: User, trainer: User) -> None:
    card = scored_call(rep)
    assert _review(trainer, card, status="fail") == 302
    assert Review.objects.get().agrees


@pytest.mark.parametrize(("role", "status"), [("rep", 404), ("rep2", 404), ("outsider", 403)])
def test_only_reviewers_review(
    request: pytest.FixtureRequest, rep: User, role: str, status: int
) -> None:
    card = scored_call(rep)
    user = user_for(request, role)
    assert user is not None
    assert _review(user, card, status="pass", comment="x") == status
    assert not Review.objects.exists()


def test_a_bad_check_or_turn_is_refused_with_the_reason(rep: User, manager: User) -> None:
    card = scored_call(rep)
    assert _review(manager, card, check_id="nope", status="pass", comment="x") == 400
    response = client_for(manager).post(
        reverse("scorecard_review", args=[card.pk]),
        {"check_id": "asked_name", "status": "pass", "comment": "x", "evidence_turn": 40},
    )
    assert response.status_code == 400
    assert b"Turn 40 is not in this transcript" in response.content
    assert not Review.objects.exists()


def test_the_rep_acknowledges_their_own_scorecard_only(
    rep: User, rep2: User, manager: User
) -> None:
    card = scored_call(rep)
    url = reverse("scorecard_acknowledge", args=[card.pk])
    assert client_for(rep2).post(url).status_code == 404
    assert client_for(manager).post(url).status_code == 400
    assert client_for(rep).post(url).status_code == 302
    card.refresh_from_db()
    assert card.acknowledged_at is not None


def test_a_rep_disputes_with_a_reason_and_a_manager_resolves(rep: User, manager: User) -> None:
    card = scored_call(rep)
    url = reverse("scorecard_dispute", args=[card.pk])
    assert client_for(rep).post(url, {"check_id": "asked_name", "reason": " "}).status_code == 400
    assert not Dispute.objects.exists()
    reason = {"check_id": "asked_name", "reason": "I read his name off the screen"}
    assert client_for(rep).post(url, reason).status_code == 302
    assert client_for(rep).post(url, reason).status_code == 400  # one open dispute per check
    dispute = Dispute.objects.get()
    listing = client_for(manager).get(reverse("dispute_list"))
    assert b"I read his name off the screen" in listing.content
    resolve = reverse("dispute_resolve", args=[dispute.pk])
    assert client_for(rep).post(resolve, {"status": "pass", "comment": "ok"}).status_code == 404
    assert client_for(manager).post(resolve, {"status": "pass"}).status_code == 302
    dispute.refresh_from_db()
    assert dispute.state == DisputeState.OPEN  # no comment: refused
    assert (
        client_for(manager).post(resolve, {"status": "pass", "comment": "Fair"}).status_code == 302
    )
    dispute.refresh_from_db()
    assert dispute.state == DisputeState.UPHELD
    review = Review.objects.get()
    assert (review.status, review.reviewer) == ("pass", manager)


def test_another_rep_cannot_dispute(rep: User, rep2: User) -> None:
    card = scored_call(rep)
    url = reverse("scorecard_dispute", args=[card.pk])
    assert client_for(rep2).post(url, {"check_id": "asked_name", "reason": "x"}).status_code == 404


def test_agreement_counts_the_latest_verdict_per_scorecard(rep: User, manager: User) -> None:
    first, second = scored_call(rep), scored_call(rep)
    review_check(first, Verdict("asked_name", "fail"), manager)
    review_check(first, Verdict("asked_name", "pass", "Asked off-mic", 2), manager)
    review_check(second, Verdict("asked_name", "fail"), manager)
    review_check(second, Verdict("greeting", "pass"), manager)
    rows = {row.check_id: row for row in agreement()}
    assert (rows["asked_name"].reviews, rows["asked_name"].agreed) == (2, 1)
    assert rows["greeting"].rate == 1.0
    html = client_for(manager).get(reverse("quality_agreement")).content.decode()
    assert 'data-testid="rate-asked_name">1 of 2 (50%)' in html


@pytest.mark.parametrize(
    ("role", "status"),
    [("owner", 200), ("manager", 200), ("trainer", 200), ("rep", 403), ("outsider", 403)],
)
def test_agreement_is_for_reviewers(request: pytest.FixtureRequest, role: str, status: int) -> None:
    response = client_for(user_for(request, role)).get(reverse("quality_agreement"))
    assert response.status_code == status


def test_reviews_download_as_examples_analyze_train_reads(
    rep: User, manager: User, tmp_path: object
) -> None:
    from pathlib import Path

    first, second = scored_call(rep), scored_call(rep)
    review_check(first, Verdict("asked_name", "pass", "Asked off-mic", 2), manager)
    review_check(second, Verdict("asked_name", "fail"), manager)
    url = reverse("training_examples", args=["asked_name"])
    response = client_for(manager).get(url)
    assert response.status_code == 200
    body = b"".join(response.streaming_content).decode()  # type: ignore[attr-defined]
    lines = [json.loads(line) for line in body.splitlines()]
    assert [line["checks"]["asked_name"]["value"] for line in lines] == [True, False]
    path = Path(str(tmp_path)) / "labels.jsonl"
    path.write_text(body, encoding="utf-8")
    labels = read_labels(path, "asked_name", "agent")
    assert labels.positives == 1  # the reviewer's evidence turn
    assert labels.negatives == 2  # every agent turn of the conversation that failed
    assert client_for(rep).get(url).status_code == 403


def test_it_turns_the_extracted_lead_and_promise_into_real_ones(rep: User) -> None:
    from everytouch.interactions.actions import TurnData

    turns = (
        TurnData("agent", "Thanks for calling Acme, this is Ron."),
        TurnData("customer", "I'd like a quote for 40 office chairs."),
        TurnData("agent", "I'll email you the quote by Friday at 3pm."),
    )
    card = scored_call(rep, turns)
    html = client_for(rep).get(page_of(card)).content.decode()
    assert 'data-testid="make-lead"' in html
    assert f"{reverse('lead_new')}?customer=" in html
    assert 'data-testid="make-promise"' in html
    assert "what=I%27ll+email+you+the+quote" in html
