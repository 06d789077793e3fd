"""The read-only scorecards API, per role: reviewers read all, a rep only their own."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import User
from django.test import Client

from everytouch.interactions.actions import TurnData
from everytouch.quality.reviews import Verdict, dispute_check, review_check
from everytouch.quality.tests.helpers import scored_call
from everytouch.testing import bearer, user_for

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("role", "ids"),
    [("owner", 2), ("manager", 2), ("trainer", 2), ("rep", 1), ("rep2", 1)],
)
def test_it_lists_the_scorecards_each_role_may_see(
    request: pytest.FixtureRequest, rep: User, rep2: User, role: str, ids: int
) -> None:
    mine, theirs = scored_call(rep), scored_call(rep2)
    user = user_for(request, role)
    assert user is not None
    body = bearer(user).get("/api/v1/scorecards").json()
    assert body["count"] == ids
    seen = {item["id"] for item in body["items"]}
    if role == "rep":
        assert seen == {mine.pk}
    if role == "rep2":
        assert seen == {theirs.pk}


def test_outsiders_and_strangers_are_refused(outsider: User) -> None:
    assert bearer(outsider).get("/api/v1/scorecards").status_code == 403
    assert Client().get("/api/v1/scorecards").status_code == 401


def test_it_filters_by_a_checks_status(rep: User, manager: User) -> None:
    scored_call(rep)
    asked = (
        TurnData("agent", "Acme Office, Ron speaking. May I have your name?"),
        TurnData("customer", "It's Jane. How much is toner?"),
    )
    named = scored_call(rep, asked)
    body = bearer(manager).get("/api/v1/scorecards?check=asked_name&status=pass").json()
    assert [item["id"] for item in body["items"]] == [named.pk]


def test_one_scorecard_has_its_evidence_reviews_and_disputes(
    rep: User, rep2: User, manager: User
) -> None:
    card = scored_call(rep)
    review_check(card, Verdict("asked_name", "pass", "Asked off-mic", 1), manager)
    dispute_check(card, "greeting", "It was fine", rep)
    body = bearer(rep).get(f"/api/v1/scorecards/{card.pk}").json()
    checks = {c["id"]: c for c in body["checks"]}
    assert checks["asked_name"]["status"] == "fail"
    assert checks["greeting"]["evidence"][0]["turn"] == 0
    [review] = body["reviews"]
    assert (review["auto_status"], review["status"], review["overrides"]) == ("fail", "pass", True)
    assert body["disputes"][0]["reason"] == "It was fine"
    assert body["playbook"] == "Everytouch default"
    assert bearer(rep2).get(f"/api/v1/scorecards/{card.pk}").status_code == 404
    assert bearer(manager).get("/api/v1/scorecards/999999").status_code == 404
