"""A customer with data in every app, made through the real actions and faces."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from django.contrib.admin.models import CHANGE, LogEntry
from django.contrib.auth.models import User
from django.contrib.contenttypes.models import ContentType
from django.utils import timezone

from everytouch.customers.actions import correct_contact
from everytouch.customers.models import ContactKind, Customer
from everytouch.followups.actions import record_commitment, send_reminder
from everytouch.interactions.actions import InteractionData, TurnData, log_interaction, transfer
from everytouch.interactions.models import Channel, Interaction
from everytouch.leads.actions import LeadData, capture_lead
from everytouch.leads.webhooks import LEAD_CREATED, create_endpoint
from everytouch.quality.actions import score_interaction
from everytouch.quality.reviews import Verdict, dispute_check, review_check
from everytouch.staff.messages.actions import take_message
from everytouch.testing import bearer, post_json

NAME = "Rosa Delgado"
COMPANY = "Quintessa Plumbing"
PHONE = "+13315550119"
OLD_PHONE = "+13315550177"
EMAIL = "rosa.delgado@quintessa.example"
# What must not survive an erasure anywhere, in the forms people and the app write them.
NEEDLES = (
    "Rosa",
    "Delgado",
    "Quintessa",
    EMAIL,
    PHONE,
    "3315550119",
    "(331) 555-0119",
    "331-555-0119",
    OLD_PHONE,
    "3315550177",
    "(331) 555-0177",
    # Not an identifier but what she said she needs: free text about her goes too.
    "boilers",
)


@dataclass
class Story:
    customer: Customer
    interaction: Interaction


def _call(customer: Customer, rep: User) -> Interaction:
    turns = [
        TurnData("customer", f"Hi, this is {NAME} from {COMPANY}."),
        TurnData("rep", "Thanks for calling! What can I do for you?"),
        TurnData(
            "customer", f"We need a quote for 12 boilers. Call me on 331-555-0119 or {EMAIL}."
        ),
        TurnData("rep", "Certainly, I will call you back on Thursday with the quote."),
    ]
    data = InteractionData(
        channel=Channel.CALL,
        summary=f"{NAME} of {COMPANY} asked for a boiler quote",
        need=f"Boilers for {COMPANY}",
        handled_by=rep,
        turns=turns,
    )
    return log_interaction(customer, data, rep)


def _quality(interaction: Interaction, rep: User, manager: User) -> None:
    card = score_interaction(interaction)
    check_id = card.outcomes.first().check_id  # type: ignore[union-attr]
    verdict = Verdict(check_id, "fail", comment=f"{NAME} gave her number twice")
    review_check(card, verdict, manager)
    dispute_check(card, card.outcomes.last().check_id, f"{NAME} hung up early", rep)  # type: ignore[union-attr]


def _edited_in_admin(customer: Customer, owner: User) -> None:
    LogEntry.objects.create(
        user=owner,
        content_type=ContentType.objects.get_for_model(Customer),
        object_id=str(customer.pk),
        object_repr=str(customer),
        action_flag=CHANGE,
        change_message=f"Changed notes: {NAME} prefers mornings",
    )


def build(owner: User, manager: User, rep: User, rep2: User) -> Story:
    """Rosa, created over the API with an Idempotency-Key, then touched by every app."""
    create_endpoint("https://crm.example/hooks", [LEAD_CREATED])
    body = {"name": NAME, "company": COMPANY, "phones": [OLD_PHONE], "emails": [EMAIL]}
    answer = post_json(bearer(rep), "/api/v1/customers", body, **{"Idempotency-Key": "retry-1"})
    assert answer.status_code == 201, answer.content
    customer = Customer.objects.get(pk=answer.json()["id"])
    customer.notes = f"{NAME} prefers mornings"
    customer.save(update_fields=["notes"])
    _edited_in_admin(customer, owner)
    correct_contact(customer.contacts.get(kind=ContactKind.PHONE), PHONE, rep)
    interaction = _call(customer, rep)
    transfer(interaction, rep2, f"{NAME} wants billing", rep)
    _quality(interaction, rep2, manager)
    capture_lead(
        customer,
        LeadData(need=f"12 boilers for {COMPANY}", product_interest="Boilers", budget="$40k"),
        owner=rep,
        actor=rep,
        source_interaction=interaction,
    )
    due = timezone.now() + timedelta(minutes=30)
    promise = record_commitment(customer, rep, f"Call {NAME} back on 331-555-0119", due, rep)
    send_reminder(promise.pk, timezone.now())
    take_message(
        intended_for=rep2,
        about=f"{NAME} of {COMPANY} called about the quote",
        taken_by=rep,
        customer=customer,
        caller_name=NAME,
        callback_number=PHONE,
        callback_email=EMAIL,
    )
    take_message(
        intended_for=rep2,
        about="Unlinked caller about boilers",
        taken_by=rep,
        caller_name="R. Delgado",
        callback_number=PHONE,
    )
    return Story(customer, interaction)
