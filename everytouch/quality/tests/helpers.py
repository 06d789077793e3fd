"""Builders for the quality tests: a scored touch through the real actions."""

from __future__ import annotations

from itertools import count

from django.contrib.auth.models import User

from everytouch.interactions.actions import InteractionData, TurnData, log_interaction
from everytouch.interactions.models import Channel, Interaction
from everytouch.quality import actions
from everytouch.quality.models import Scorecard
from everytouch.testing import make_customer

# A rep quotes a price and never asks who is calling: asked_name fails, greeting passes.
PRICE_ONLY = (
    TurnData("agent", "Good morning, Acme Office Supply, this is Ron."),
    TurnData("customer", "Hi, how much is a toner cartridge for the LaserJet 400?"),
    TurnData("agent", "That one is $89.99."),
    TurnData("customer", "OK thanks, bye."),
)
# The same call, but the rep asks for a number and gets it: contact details captured.
CAPTURED = (
    *PRICE_ONLY[:3],
    TurnData("agent", "What is the best number to reach you on?"),
    TurnData("customer", "It's 312-555-0142."),
    PRICE_ONLY[3],
)


_numbers = count(100)


def scored_call(rep: User, turns: tuple[TurnData, ...] = PRICE_ONLY) -> Scorecard:
    customer = make_customer(contacts=(f"+1201555{next(_numbers):04d}",))
    data = InteractionData(channel=Channel.CALL, handled_by=rep, turns=turns)
    interaction = log_interaction(customer, data, rep)
    return actions.score_interaction(interaction)


def scored_touch(
    rep: User, turns: tuple[TurnData, ...] = PRICE_ONLY, channel: Channel = Channel.CALL
) -> Interaction:
    """A touch of ``rep`` with no customer, logged and scored; the interaction."""
    data = InteractionData(channel=channel, handled_by=rep, turns=turns)
    interaction = log_interaction(None, data, rep)
    actions.score_interaction(interaction)
    return interaction
