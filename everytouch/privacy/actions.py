"""Export and erase one customer: what the web page, the API and the CLI all call."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.models import User
from django.db import transaction
from django.utils import timezone

from everytouch.accounts.access import MANAGER_ROLES
from everytouch.accounts.models import Role
from everytouch.customers import timeline
from everytouch.customers.actions import access_log, log_access
from everytouch.customers.hooks import customer_erased
from everytouch.customers.models import Customer, ErasureRecord
from everytouch.privacy import erase, export

# Owners and managers may read a customer's whole record out; only an owner may erase, because
# erasing cannot be undone and is the business's decision as data controller (docs/customers.md).
EXPORT_ROLES = MANAGER_ROLES
ERASE_ROLES = frozenset({Role.OWNER})


class AlreadyErased(ValueError):
    """Erasing twice would overwrite the audit entry of the first erasure."""


def _log(actor: User | None, customer: Customer, what: str) -> None:
    if actor is not None:
        log_access(actor, customer, what)
    else:
        # The command line runs as the operator, who has no user id.
        access_log.info("user=- customer=%s action=%s", customer.pk, what)


@transaction.atomic
def export_customer(customer: Customer, actor: User | None) -> dict[str, Any]:
    """The customer's complete data as one JSON-ready document; the export itself is recorded."""
    # Read afresh: the document must say what is stored, not what a caller's copy holds.
    customer = Customer.objects.get(pk=customer.pk)
    timeline.data_exported(customer, actor)
    _log(actor, customer, "export")
    return export.document(customer)


def is_erased(customer: Customer) -> bool:
    return ErasureRecord.objects.filter(customer=customer).exists()


@transaction.atomic
def erase_customer(customer: Customer, actor: User | None) -> ErasureRecord:
    """Anonymise the customer in every app, irreversibly, and keep an audit entry of it.

    All in one transaction: an erasure that fails halfway leaves nothing half-erased.
    """
    Customer.objects.select_for_update().filter(pk=customer.pk).first()
    # What identifies the customer is read under the lock, not from the caller's copy.
    customer.refresh_from_db()
    if is_erased(customer):
        raise AlreadyErased(f"customer #{customer.pk} was already erased")
    subject = erase.subject(customer)
    counts = erase.run(subject)
    # The caller's copy now shows the erased record, not the values that were erased.
    customer.refresh_from_db()
    customer_erased.fire(customer, subject.scrubber.words)
    timeline.erased(customer, actor)
    _log(actor, customer, "erase")
    now = timezone.now()
    return ErasureRecord.objects.create(
        customer=customer, erased_by=actor, erased_at=now, counts=counts
    )
