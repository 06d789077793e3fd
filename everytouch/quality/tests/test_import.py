"""Importing transcripts in the browser: each conversation stored, then scored."""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.auth.models import User
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from everytouch.interactions.models import Interaction
from everytouch.quality import tasks
from everytouch.quality.models import Scorecard
from everytouch.testing import KNOWN_PHONE_TYPED, client_for, make_customer, user_for

pytestmark = pytest.mark.django_db

TRANSCRIPT = (
    "Agent: Good morning, Acme Office Supply, this is Ron.\n"
    "Customer: Hi, how much is a toner cartridge for the LaserJet 400?\n"
    "Agent: That one is $89.99.\n"
    "Customer: OK thanks, bye.\n"
)


def post(user: User, **data: Any) -> Any:
    return client_for(user).post(reverse("transcript_import"), {"rep": user.pk, **data})


def test_it_imports_an_uploaded_transcript_and_scores_it(rep: User) -> None:
    customer = make_customer()
    upload = SimpleUploadedFile("call.txt", TRANSCRIPT.encode(), content_type="text/plain")
    response = post(rep, file=upload, contact=KNOWN_PHONE_TYPED)
    interaction = Interaction.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("scorecard", args=[interaction.pk])
    assert interaction.customer == customer
    assert interaction.handled_by == rep
    assert [t.speaker for t in interaction.turns.all()] == [
        "agent",
        "customer",
        "agent",
        "customer",
    ]
    tasks.score_interaction_task.call(interaction.pk)
    card = Scorecard.objects.get(interaction=interaction)
    assert card.outcomes.get(check_id="asked_name").status == "fail"


def test_it_takes_pasted_text(manager: User, rep: User) -> None:
    response = client_for(manager).post(
        reverse("transcript_import"), {"rep": rep.pk, "text": TRANSCRIPT, "channel": "chat"}
    )
    assert response.status_code == 302
    interaction = Interaction.objects.get()
    assert (interaction.channel, interaction.handled_by) == ("chat", rep)


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        ({}, b"Choose a transcript file or paste the transcript."),
        ({"text": "   "}, b"Choose a transcript file or paste the transcript."),
        ({"text": TRANSCRIPT, "contact": "not a phone"}, b"is not a phone number or e-mail"),
        ({"file": "bad.json"}, b"Cannot read the transcript"),
    ],
)
def test_it_refuses_what_it_cannot_import_and_stores_nothing(
    rep: User, data: dict[str, Any], reason: bytes
) -> None:
    if data.get("file") == "bad.json":
        data = {"file": SimpleUploadedFile("bad.json", b"{not json", content_type="text/json")}
    response = post(rep, **data)
    assert response.status_code == 400
    assert reason in response.content
    assert not Interaction.objects.exists()


def test_a_rep_imports_only_their_own_calls(rep: User, rep2: User) -> None:
    response = client_for(rep).post(
        reverse("transcript_import"), {"rep": rep2.pk, "text": TRANSCRIPT}
    )
    assert response.status_code == 400
    assert b"only your own conversations" in response.content
    assert not Interaction.objects.exists()


@pytest.mark.parametrize(
    ("role", "status"),
    [("owner", 200), ("manager", 200), ("rep", 200), ("trainer", 403), ("outsider", 403)],
)
def test_it_offers_the_import_page_to_desk_roles(
    request: pytest.FixtureRequest, role: str, status: int
) -> None:
    response = client_for(user_for(request, role)).get(reverse("transcript_import"))
    assert response.status_code == status
