"""Rosa (owned by Rita, the second rep) with a call and a lead, and Bob with neither."""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from django.contrib.auth.models import User

from everytouch.customers.models import Customer
from everytouch.interactions.actions import InteractionData, log_interaction
from everytouch.interactions.models import Channel, Interaction
from everytouch.leads.actions import LeadData, capture_lead
from everytouch.leads.models import Lead
from everytouch.testing import make_customer


@dataclass(frozen=True)
class Rosa:
    customer: Customer
    call: Interaction
    lead: Lead
    bob: Customer


@pytest.fixture
def rosa(rep2: User) -> Rosa:
    customer = make_customer("Rosa Delgado", ("+13315550119", "rosa@delgado.example"), rep2, "")
    data = InteractionData(
        channel=Channel.CALL, handled_by=rep2, summary="Asked about the toner price"
    )
    call = log_interaction(customer, data, rep2)
    need = LeadData(need="Forty ergonomic chairs", product_interest="Chairs")
    lead, _ = capture_lead(customer, need, owner=rep2, actor=rep2, source_interaction=call)
    bob = make_customer("Bob Smith", ("+12025550150",), rep2, "Smith Printing")
    return Rosa(customer, call, lead, bob)
