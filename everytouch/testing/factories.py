"""Builders several apps' tests share, through the real actions."""

from __future__ import annotations

from django.contrib.auth.models import User

from everytouch.customers.actions import CustomerData, create_customer
from everytouch.customers.models import Customer

KNOWN_PHONE = "+12015550123"
KNOWN_PHONE_TYPED = "(201) 555-0123"


def make_customer(
    name: str = "Jane Doe",
    contacts: tuple[str, ...] = (KNOWN_PHONE, "jane@example.com"),
    owner: User | None = None,
    company: str = "Acme Dental",
) -> Customer:
    data = CustomerData(name=name, company=company, owner=owner, contacts=list(contacts))
    return create_customer(data, None)
