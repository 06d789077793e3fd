"""Every change to customers goes through these functions (views, API and CLI call them)."""

from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.contrib.auth.models import User
from django.db import transaction
from django.db.models import Q

from everytouch.analysis.redact import redact_card_numbers
from everytouch.customers import timeline
from everytouch.customers.contacts import (
    InvalidContact,
    Normalised,
    normalise,
    normalise_email,
    normalise_phone,
)
from everytouch.customers.models import ContactKind, ContactPoint, Customer

access_log = logging.getLogger("everytouch.access")


class ContactRequired(ValueError):
    """Removing this contact point would leave a record nobody could recognise or reach."""


class ContactConflict(ValueError):
    """A phone or e-mail that already belongs to another customer."""

    def __init__(self, value: str, customer: Customer) -> None:
        self.value = value
        self.customer = customer
        super().__init__(f"{value} already belongs to {customer.display_name} (#{customer.pk})")


@dataclass
class CustomerData:
    name: str = ""
    company: str = ""
    notes: str = ""
    owner: User | None = None
    contacts: list[str] = field(default_factory=list)


def log_access(user: User, customer: Customer | int, what: str) -> None:
    """Customer records are personal data: who looked at or changed which one is logged.

    ``customer`` may be the id alone, for a read (the screen pop) that never loads the record.
    """
    pk = customer if isinstance(customer, int) else customer.pk
    access_log.info("user=%s customer=%s action=%s", user.pk, pk, what)


def log_bulk_access(user: User | None, action: str, count: int, what: str) -> None:
    """A list, search or export shows many records at once: one line per request says so.

    ``user`` is None for the command line, which runs as the operator.
    """
    who = user.pk if user is not None else "-"
    access_log.info("user=%s action=%s count=%s what=%s", who, action, count, what)


def resolve(customer: Customer) -> Customer:
    """Follow merges so an old id still leads to the surviving record."""
    seen = {customer.pk}
    while customer.merged_into_id is not None and customer.merged_into_id not in seen:
        seen.add(customer.merged_into_id)
        customer = Customer.objects.get(pk=customer.merged_into_id)
    return customer


def find_contact(normalised: Normalised) -> ContactPoint | None:
    qs = ContactPoint.objects.select_related("customer", "customer__owner")
    return qs.filter(kind=normalised.kind, value=normalised.value).first()


def identify(raw: str, region: str | None = None) -> Customer | None:
    """The customer whose phone or e-mail this is, in any format; ``InvalidContact`` if junk."""
    point = find_contact(normalise(raw, region))
    return resolve(point.customer) if point else None


def normalise_all(raws: Iterable[str], region: str | None = None) -> list[Normalised]:
    out: list[Normalised] = []
    for raw in raws:
        if raw.strip():
            item = normalise(raw, region)
            if item not in out:
                out.append(item)
    return out


def _check_free(items: list[Normalised], customer: Customer | None) -> None:
    for item in items:
        point = find_contact(item)
        if point is not None and (customer is None or point.customer_id != customer.pk):
            raise ContactConflict(item.value, resolve(point.customer))


def _attach(customer: Customer, items: list[Normalised], actor: User | None) -> None:
    existing = set(customer.contacts.values_list("kind", "value"))
    for item in items:
        if (item.kind, item.value) not in existing:
            ContactPoint.objects.create(customer=customer, kind=item.kind, value=item.value)
            timeline.contact_added(customer, actor, item.kind, item.value)


@transaction.atomic
def create_customer(data: CustomerData, actor: User | None) -> Customer:
    """Create a customer with its contact points, or nothing at all if any is bad or taken."""
    items = normalise_all(data.contacts)
    _check_free(items, None)
    customer = Customer.objects.create(
        name=data.name.strip(),
        company=data.company.strip(),
        notes=data.notes,
        owner=data.owner,
    )
    timeline.customer_created(customer, actor)
    _attach(customer, items, actor)
    return customer


@transaction.atomic
def update_customer(customer: Customer, data: CustomerData, actor: User | None) -> Customer:
    """Fill in or change details; blank fields in ``data`` leave the stored value alone."""
    items = normalise_all(data.contacts)
    _check_free(items, customer)
    changed = _apply_fields(customer, data)
    if changed:
        customer.save(update_fields=[*changed, "updated_at"])
        timeline.details_updated(customer, actor, changed)
    if data.owner is not None and data.owner != customer.owner:
        set_owner(customer, data.owner, actor)
    _attach(customer, items, actor)
    return customer


def _apply_fields(customer: Customer, data: CustomerData) -> list[str]:
    changed: list[str] = []
    for name in ("name", "company", "notes"):
        # Compared as it will be stored (the save-time pass redacts it), so a re-sent card
        # number is no change.
        value = redact_card_numbers(str(getattr(data, name)).strip())
        if value and value != getattr(customer, name):
            setattr(customer, name, value)
            changed.append(name)
    return changed


@transaction.atomic
def set_owner(customer: Customer, owner: User | None, actor: User | None, reason: str = "") -> None:
    customer.owner = owner
    customer.save(update_fields=["owner", "updated_at"])
    timeline.owner_changed(customer, actor, owner, reason)


@transaction.atomic
def add_contact(customer: Customer, raw: str, actor: User | None) -> ContactPoint:
    item = normalise(raw)
    _check_free([item], customer)
    _attach(customer, [item], actor)
    return customer.contacts.get(kind=item.kind, value=item.value)


def normalise_as(kind: str, raw: str) -> Normalised:
    """Read ``raw`` as the kind it must be: a phone field answers with phone errors only."""
    if kind == ContactKind.PHONE:
        return Normalised(ContactKind.PHONE, normalise_phone(raw))
    return Normalised(ContactKind.EMAIL, normalise_email(raw))


@transaction.atomic
def correct_contact(point: ContactPoint, raw: str, actor: User | None) -> ContactPoint:
    """Replace a mistyped phone or e-mail, keeping the old value in the timeline."""
    item = normalise_as(point.kind, raw)
    if item.value == point.value:
        return point
    _check_free([item], point.customer)
    if point.customer.contacts.filter(kind=item.kind, value=item.value).exists():
        raise InvalidContact(f"{point.customer.display_name} already has {item.value}")
    old = point.value
    point.value = item.value
    point.save(update_fields=["value"])
    timeline.contact_corrected(point.customer, actor, point.kind, old, item.value)
    return point


@transaction.atomic
def remove_contact(point: ContactPoint, actor: User | None) -> None:
    """Drop a phone or e-mail that is wrong or no longer theirs; the timeline keeps it."""
    customer = point.customer
    alone = not customer.contacts.exclude(pk=point.pk).exists()
    if alone and not (customer.name or customer.company):
        raise ContactRequired(
            "This is the only thing that identifies the customer: add a name, a company or "
            "another phone or e-mail first."
        )
    kind, value = point.kind, point.value
    point.delete()
    timeline.contact_removed(customer, actor, kind, value)


@dataclass(frozen=True)
class Duplicate:
    customer: Customer
    reason: str


DUPLICATES_SHOWN = 5


def find_duplicates(customer: Customer, limit: int = DUPLICATES_SHOWN) -> list[Duplicate]:
    """Other active records that are probably the same customer, from indexed lookups only.

    A phone or e-mail belongs to one record (the desk refuses a second), so a duplicate shows
    as the same name (case-insensitive) with the same or no company, or the same surname at
    the same company ("R. Delgado" and "Rosa Delgado" at Acme).
    """
    name, company = " ".join(customer.name.split()), customer.company.strip()
    found: list[Duplicate] = []
    others = Customer.objects.filter(merged_into__isnull=True).exclude(pk=customer.pk)
    if name:
        same_name = others.filter(name__iexact=name)
        if company:
            same_name = same_name.filter(Q(company__iexact=company) | Q(company=""))
        found += [Duplicate(c, "same name") for c in same_name.order_by("pk")[:limit]]
    surname = name.rsplit(" ", 1)[-1] if " " in name else ""
    if company and len(surname) > 1:
        near = others.filter(company__iexact=company, name__iendswith=f" {surname}")
        seen = {d.customer.pk for d in found}
        near = near.exclude(pk__in=seen).order_by("pk")[:limit]
        found += [Duplicate(c, "same surname and company") for c in near]
    return found[:limit]


@dataclass(frozen=True)
class MergeChoices:
    """Which record's value the survivor keeps for each field that can differ.

    Each field names the customer (by id) whose value wins; ``None`` keeps the survivor's own,
    filled from the other record where the survivor's is blank.
    """

    name: int | None = None
    company: int | None = None
    owner: int | None = None


MERGE_FIELDS = ("name", "company", "owner")


@transaction.atomic
def merge_customers(
    keep: Customer, other: Customer, actor: User | None, choices: MergeChoices | None = None
) -> Customer:
    """Fold ``other`` into ``keep``: every row pointing at ``other`` moves, nothing is dropped.

    Related rows are found through the model graph rather than a hand-kept list, so leads,
    commitments and whatever comes later move with the customer without edits here.
    """
    if keep.pk == other.pk:
        raise ValueError("cannot merge a customer into itself")
    # Locked and re-read: two managers confirming crossed merges at once must not both win.
    active = Customer.objects.select_for_update().filter(merged_into__isnull=True)
    if keep.is_merged or other.is_merged or active.filter(pk__in=[keep.pk, other.pk]).count() < 2:
        raise ValueError("one of these customers was already merged")
    for relation in Customer._meta.related_objects:
        if relation.one_to_many and relation.related_model is not Customer:
            manager = relation.related_model._default_manager  # type: ignore[union-attr]
            manager.filter(**{relation.field.name: other}).update(**{relation.field.name: keep})
    picked = _merge_fields(keep, other, choices or MergeChoices())
    other.merged_into = keep
    other.save(update_fields=["merged_into", "updated_at"])
    timeline.merged(keep, actor, other, picked)
    return keep


def _merge_fields(keep: Customer, other: Customer, choices: MergeChoices) -> dict[str, int]:
    """Apply the choices; the answer says which record each differing field came from."""
    picked: dict[str, int] = {}
    for name in MERGE_FIELDS:
        attr = "owner_id" if name == "owner" else name
        mine, theirs = getattr(keep, attr), getattr(other, attr)
        if mine == theirs:
            continue
        source = getattr(choices, name) or (keep.pk if mine else other.pk)
        if source not in (keep.pk, other.pk):
            raise ValueError(f"the {name} must come from #{keep.pk} or #{other.pk}")
        setattr(keep, attr, theirs if source == other.pk else mine)
        picked[name] = source
    if other.notes:
        keep.notes = "\n\n".join(n for n in (keep.notes, other.notes) if n)
    keep.save(update_fields=["name", "company", "owner", "notes", "updated_at"])
    return picked
