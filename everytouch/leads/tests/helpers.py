"""Shared pieces for the lead tests: a customer owned by Ron, a lead, a transcript that sells."""

from __future__ import annotations

from datetime import UTC, datetime

from django.contrib.auth.models import User

from everytouch.customers.models import Customer
from everytouch.interactions.actions import InteractionData, TurnData, log_interaction
from everytouch.interactions.models import Channel, Interaction
from everytouch.leads.actions import LeadData, capture_lead
from everytouch.leads.models import Lead
from everytouch.testing import make_customer

# A Monday morning; the tests move from here with time-machine instead of sleeping.
MONDAY_9 = datetime(2025, 3, 3, 9, 0, tzinfo=UTC)

SELLING_CALL = (
    TurnData("agent", "Thanks for calling Acme Office, this is Ron. How can I help?"),
    TurnData("customer", "Hi, I'd like a quote for 40 ergonomic chairs for our new office."),
    TurnData("agent", "Happy to help. Can I get your name?"),
    TurnData("customer", "Sure, it's Paula Jones."),
    TurnData("agent", "And the best number to reach you?"),
    TurnData("customer", "It's 201-555-0147."),
    TurnData("agent", "And your e-mail?"),
    TurnData("customer", "paula@brightsmile.example.com"),
    TurnData("agent", "Great, I'll send the quote by Thursday."),
)
QUESTION_CALL = (
    TurnData("agent", "Acme Office, Ron speaking."),
    TurnData("customer", "What are your opening hours? My number is 201-555-0148."),
    TurnData("agent", "Nine to five, Monday to Friday."),
)


def jane(owner: User | None = None) -> Customer:
    return make_customer(owner=owner)


def a_lead(
    customer: Customer, owner: User | None, actor: User | None = None, need: str = "40 chairs"
) -> Lead:
    lead, _ = capture_lead(customer, LeadData(need=need), owner=owner, actor=actor)
    return lead


def a_call(
    customer: Customer | None, handled_by: User, turns: tuple[TurnData, ...] = ()
) -> Interaction:
    data = InteractionData(channel=Channel.CALL, handled_by=handled_by, turns=turns)
    return log_interaction(customer, data, handled_by)


def other_customer(n: int) -> Customer:
    return make_customer(f"Customer {n}", (f"+1201555{2000 + n}",), company="")
