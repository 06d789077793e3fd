"""Builders for the quality tests: a scored touch through the real actions."""

from __future__ import annotations

from itertools import count

from django.contrib.auth.models import User

from everytouch.interactions.actions import InteractionData, TurnData, log_interaction
from everytouch.interactions.models import Channel
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


_numbers = count(100)


def scored_call(rep: User, turns: tuple[TurnData, ...] = PRICE_ONLY) -> Scorecard:
    customer = make_customer(contacts=(f"+1201555{next(_numbers):04d}",))
    data = InteractionData(channel=Channel.CALL, handled_by=rep, turns=turns)
    interaction = log_interaction(customer, data, rep)
    return actions.score_interaction(interaction)
