"""Erasing a customer: nothing that identifies them survives anywhere; the counted facts do."""

from __future__ import annotations

from typing import Any

import pytest
from django.apps import apps
from django.contrib.auth.models import User
from django.db import models

from everytouch.customers.hooks import customer_erased
from everytouch.customers.models import Customer, ErasureRecord, EventKind
from everytouch.followups.models import Commitment
from everytouch.interactions.models import Interaction, Turn
from everytouch.leads.models import Lead, WebhookDelivery
from everytouch.privacy.actions import AlreadyErased, erase_customer
from everytouch.privacy.tests.conftest import AccessLog
from everytouch.privacy.tests.helpers import NEEDLES, build
from everytouch.quality.models import Scorecard
from everytouch.staff.models import TakenMessage
from everytouch.testing import bearer, make_customer, post_json

pytestmark = pytest.mark.django_db

TEXT_FIELDS = (models.CharField, models.TextField, models.JSONField)


def _text_columns(model: type[models.Model]) -> list[str]:
    return [f.attname for f in model._meta.concrete_fields if isinstance(f, TEXT_FIELDS)]


def find_anywhere(needles: tuple[str, ...]) -> list[str]:
    """Every (table, column) in every app whose stored text contains one of ``needles``."""
    found = []
    lowered = [n.lower() for n in needles]
    for model in apps.get_models():
        columns = _text_columns(model)
        if not columns:
            continue
        for row in model._default_manager.values("pk", *columns):
            for column in columns:
                text = str(row[column]).lower()
                hits = [n for n in lowered if n in text]
                if hits:
                    found.append(f"{model._meta.label}#{row['pk']}.{column}: {hits}")
    return found


def test_it_erases_the_customer_from_every_table_of_every_app(
    owner: User, manager: User, rep: User, rep2: User
) -> None:
    story = build(owner, manager, rep, rep2)
    assert len(find_anywhere(NEEDLES)) > 20  # the scan sees the data before erasing
    erase_customer(story.customer, owner)
    assert find_anywhere(NEEDLES) == []


def test_it_keeps_counts_scores_dates_and_who_handled_it(
    owner: User, manager: User, rep: User, rep2: User
) -> None:
    story = build(owner, manager, rep, rep2)
    card = Scorecard.objects.get(interaction=story.interaction, is_current=True)
    before = (card.score, card.outcomes.count(), story.interaction.started_at)
    erase_customer(story.customer, owner)
    card.refresh_from_db()
    interaction = Interaction.objects.get(pk=story.interaction.pk)
    assert (card.score, card.outcomes.count(), interaction.started_at) == before
    assert interaction.handled_by == rep2
    assert Turn.objects.filter(interaction=interaction).count() == 4
    assert Lead.objects.get(customer=story.customer).owner == rep
    assert Commitment.objects.filter(customer=story.customer).count() == 1
    assert TakenMessage.objects.filter(callback_number="").count() == 2


def test_it_leaves_the_row_as_erased_customer_n_with_an_audit_entry(
    owner: User, manager: User, rep: User, rep2: User, access_log: AccessLog
) -> None:
    story = build(owner, manager, rep, rep2)
    record = erase_customer(story.customer, owner)
    customer = Customer.objects.get(pk=story.customer.pk)
    assert customer.display_name == f"Erased customer #{customer.pk}"
    assert customer.contacts.count() == 0
    assert (record.erased_by, record.customer) == (owner, customer)
    assert record.counts["turns"] == 4 and record.counts["contact points"] == 2
    assert customer.events.filter(kind=EventKind.ERASED, actor=owner).exists()
    line = f"user={owner.pk} customer={customer.pk} action=erase"
    assert line in access_log()


def test_it_refuses_to_erase_twice(owner: User) -> None:
    customer = make_customer()
    erase_customer(customer, owner)
    with pytest.raises(AlreadyErased):
        erase_customer(customer, owner)
    assert ErasureRecord.objects.count() == 1


def test_it_leaves_other_customers_alone(owner: User, rep: User) -> None:
    rosa = make_customer("Rosa Delgado", ("+13315550119",), company="Quintessa")
    sam = make_customer("Sam Okafor", ("+13315550150", "sam@okafor.example"), company="Okafor")
    erase_customer(rosa, owner)
    sam.refresh_from_db()
    assert (sam.name, sam.company) == ("Sam Okafor", "Okafor")
    assert sorted(sam.contacts.values_list("value", flat=True)) == [
        "+13315550150",
        "sam@okafor.example",
    ]


def test_it_erases_the_records_merged_into_the_customer(owner: User) -> None:
    from everytouch.customers.actions import merge_customers

    keep = make_customer("Rosa Delgado", ("+13315550119",), company="Quintessa")
    other = make_customer("R. Delgado", ("+13315550120",), company="Quintessa Ltd")
    merge_customers(keep, other, None)
    erase_customer(keep, owner)
    assert find_anywhere(("Delgado", "Quintessa", "3315550120")) == []


def test_it_replays_an_anonymised_answer_for_a_reused_idempotency_key(
    owner: User, rep: User
) -> None:
    client = bearer(rep)
    body = {"name": "Rosa Delgado", "phones": ["+13315550119"]}
    first = post_json(client, "/api/v1/customers", body, **{"Idempotency-Key": "k1"})
    erase_customer(Customer.objects.get(pk=first.json()["id"]), owner)
    again = post_json(client, "/api/v1/customers", body, **{"Idempotency-Key": "k1"})
    assert again.json()["id"] == first.json()["id"]
    assert "Delgado" not in again.content.decode()
    assert Customer.objects.count() == 1


def test_it_sends_a_queued_webhook_anonymised(
    owner: User, manager: User, rep: User, rep2: User
) -> None:
    story = build(owner, manager, rep, rep2)
    erase_customer(story.customer, owner)
    payload: dict[str, Any] = WebhookDelivery.objects.get().payload
    assert payload["lead"]["customer"]["id"] == story.customer.pk
    assert payload["lead"]["customer"]["phones"] == []
    assert payload["lead"]["need"] == "[erased]"


def test_it_tells_other_stores_such_as_a_search_index_to_forget(owner: User) -> None:
    told: list[tuple[int, frozenset[str]]] = []

    def forget(customer: Customer, words: frozenset[str]) -> None:
        told.append((customer.pk, words))

    customer = make_customer("Rosa Delgado", ("+13315550119",))
    customer_erased.connect(forget)
    try:
        erase_customer(customer, owner)
    finally:
        customer_erased._receivers.pop(f"{forget.__module__}.{forget.__qualname__}")
    assert told[0][0] == customer.pk and "Rosa Delgado" in told[0][1]
