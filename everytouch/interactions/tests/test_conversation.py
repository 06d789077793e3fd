"""The one adapter from a stored interaction to the analyzer's conversation."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from django.contrib.auth.models import User

from everytouch.analysis.conversation import CHANNELS, SPEAKERS, Conversation, Turn
from everytouch.interactions.actions import InteractionData, TurnData, log_interaction
from everytouch.interactions.conversation import to_conversation
from everytouch.interactions.models import Channel, Interaction, Speaker
from everytouch.interactions.models import Turn as StoredTurn

pytestmark = pytest.mark.django_db

STARTED = datetime(2025, 3, 3, 9, 0, tzinfo=UTC)


def _chat(rep: User, turns: tuple[TurnData, ...]) -> Interaction:
    data = InteractionData(channel=Channel.CHAT, started_at=STARTED, handled_by=rep, turns=turns)
    return log_interaction(None, data, rep)


def test_it_maps_speakers_channel_turns_and_start_time(rep: User) -> None:
    chat = _chat(
        rep, (TurnData("customer", "Is the C300i in stock?", 0.0), TurnData("agent", "Yes."))
    )
    expected = (Turn("customer", "Is the C300i in stock?", 0.0), Turn("agent", "Yes.", None))
    assert to_conversation(chat) == Conversation(str(chat.pk), expected, "chat", STARTED)


def test_it_keeps_the_turns_in_their_stored_order_not_the_order_they_were_saved(
    rep: User,
) -> None:
    chat = _chat(rep, ())
    StoredTurn.objects.create(interaction=chat, index=1, speaker=Speaker.AGENT, text="second")
    StoredTurn.objects.create(interaction=chat, index=0, speaker=Speaker.CUSTOMER, text="first")
    turns = to_conversation(chat).turns
    assert [(t.speaker, t.text) for t in turns] == [("customer", "first"), ("agent", "second")]


def test_it_relies_on_choices_that_are_the_analyzers_literals() -> None:
    assert set(Speaker.values) == set(SPEAKERS)
    assert set(Channel.values) == set(CHANNELS)
