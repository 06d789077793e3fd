"""Taken messages over JSON: a phone system or script takes a message, lists and answers them.

Thin on purpose: access helper -> action -> schema. Desk roles take messages; anyone with a
role lists and answers the messages they own; managers list and answer everyone's.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from ninja import Field, Query, Router, Schema
from ninja.errors import HttpError
from ninja.responses import Status

from everytouch.accounts.access import can_manage
from everytouch.accounts.auth import DESK_WRITE, STAFF_READ, STAFF_WRITE, caller
from everytouch.accounts.endpoint_kit import (
    ApiId,
    PageMeta,
    PageParams,
    UserRef,
    create_once,
    idempotency_key_doc,
    page_slice,
    user_ref,
)
from everytouch.customers.actions import log_bulk_access, resolve
from everytouch.customers.models import Customer
from everytouch.staff.directory.actions import StaffError
from everytouch.staff.messages.actions import (
    MAX_ABOUT,
    acknowledge_message,
    complete_message,
    messages_url,
    take_message,
)
from everytouch.staff.models import MessageStatus, TakenMessage, Urgency

# Operation ids are spelt out: they are the ones the API had before the staff code moved into
# folders (django-ninja derives them from the module path), and generated clients use them.
router = Router(tags=["messages"])


class MessageIn(Schema):
    """Give at least one way to call back: a number, an e-mail, or a customer with either."""

    intended_for_id: ApiId = Field(..., description="The person the caller asked for")
    about: str = Field(..., min_length=1, max_length=MAX_ABOUT)
    caller_name: str = Field("", max_length=200)
    callback_number: str = Field("", max_length=40)
    callback_email: str = Field("", max_length=254)
    urgency: Urgency = Urgency.NORMAL
    customer_id: ApiId | None = None


class CustomerRef(Schema):
    id: int
    name: str


class MessageOut(Schema):
    id: int
    status: str
    urgency: str
    about: str
    caller_name: str
    callback_number: str
    callback_email: str
    customer: CustomerRef | None
    intended_for: UserRef
    owner: UserRef = Field(description="Who has the message now (backup, successor, manager)")
    taken_by: UserRef
    escalation_level: int
    escalate_at: datetime | None
    acknowledged_at: datetime | None
    created_at: datetime
    url: str


class MessageFilters(Schema):
    mine: bool = Field(False, description="Only messages I own (required unless a manager)")
    status: MessageStatus | None = None


class MessagePage(PageMeta):
    items: list[MessageOut]


def message_out(request: HttpRequest, message: TakenMessage) -> MessageOut:
    customer = message.customer
    return MessageOut(
        id=message.pk,
        status=message.status,
        urgency=message.urgency,
        about=message.about,
        caller_name=message.caller_name,
        callback_number=message.callback_number,
        callback_email=message.callback_email,
        customer=CustomerRef(id=customer.pk, name=customer.display_name) if customer else None,
        intended_for=user_ref(message.intended_for),
        owner=user_ref(message.owner),
        taken_by=user_ref(message.taken_by),
        escalation_level=message.escalation_level,
        escalate_at=message.escalate_at,
        acknowledged_at=message.acknowledged_at,
        created_at=message.created_at,
        url=request.build_absolute_uri(messages_url(message)),
    )


def _recipient(user_id: int) -> User:
    """People who left stay valid: a caller may still ask for them (the successor gets it)."""
    user = User.objects.filter(pk=user_id, profile__isnull=False).first()
    if user is None:
        raise HttpError(400, f"intended_for_id: no staff member with id {user_id}")
    return user


def _customer(customer_id: int | None) -> Customer | None:
    if customer_id is None:
        return None
    customer = Customer.objects.filter(pk=customer_id).first()
    if customer is None:
        raise HttpError(400, f"customer_id: no customer with id {customer_id}")
    return resolve(customer)


def _take(payload: MessageIn, user: User) -> TakenMessage:
    try:
        return take_message(
            intended_for=_recipient(payload.intended_for_id),
            about=payload.about,
            taken_by=user,
            customer=_customer(payload.customer_id),
            caller_name=payload.caller_name,
            callback_number=payload.callback_number,
            callback_email=payload.callback_email,
            urgency=payload.urgency,
        )
    except StaffError as exc:
        raise HttpError(400, str(exc)) from exc


def _with_people(qs: QuerySet[TakenMessage]) -> QuerySet[TakenMessage]:
    return qs.select_related("owner", "intended_for", "taken_by", "customer")


def _answerable(user: User, message_id: int) -> TakenMessage:
    qs = _with_people(TakenMessage.objects.all())
    if not can_manage(user):
        qs = qs.filter(owner=user)
    return get_object_or_404(qs, pk=message_id)


@router.post(
    "/messages",
    response={201: MessageOut},
    summary="Take a message",
    openapi_extra=idempotency_key_doc(),
    operation_id="everytouch_staff_api_messages_create_message",
    auth=DESK_WRITE,
)
def create_message(request: HttpRequest, payload: MessageIn) -> Status[dict[str, Any]]:
    """Take a message for someone; it goes to whoever can act on it. Honours Idempotency-Key."""
    user = caller(request)

    def create() -> tuple[int, MessageOut]:
        return 201, message_out(request, _take(payload, user))

    return create_once(request, user, "POST /messages", payload, create)


@router.get(
    "/messages",
    response=MessagePage,
    summary="List messages",
    operation_id="everytouch_staff_api_messages_list_messages",
    auth=STAFF_READ,
)
def list_messages(
    request: HttpRequest, filters: Query[MessageFilters], params: Query[PageParams]
) -> MessagePage:
    """Oldest first. ``mine=1`` lists my messages; managers may leave it out to see everyone's."""
    user = caller(request)
    if not filters.mine and not can_manage(user):
        raise PermissionDenied("only managers may list everyone's messages; ask with mine=1")
    qs = _with_people(TakenMessage.objects.order_by("created_at", "pk"))
    if filters.mine:
        qs = qs.filter(owner=user)
    if filters.status is not None:
        qs = qs.filter(status=filters.status)
    messages, meta = page_slice(request, qs, params)
    log_bulk_access(user, "api.list", len(messages), "messages")
    return MessagePage(**meta.model_dump(), items=[message_out(request, m) for m in messages])


@router.post(
    "/messages/{message_id}/ack",
    response=MessageOut,
    summary="Acknowledge a message",
    operation_id="everytouch_staff_api_messages_ack_message",
    auth=STAFF_WRITE,
)
def ack_message(request: HttpRequest, message_id: int) -> MessageOut:
    """Stops escalation. Only the owner or a manager; anyone else gets 404."""
    user = caller(request)
    message = acknowledge_message(_answerable(user, message_id), user)
    return message_out(request, _with_people(TakenMessage.objects.all()).get(pk=message.pk))


@router.post(
    "/messages/{message_id}/done",
    response=MessageOut,
    summary="Complete a message",
    operation_id="everytouch_staff_api_messages_done_message",
    auth=STAFF_WRITE,
)
def done_message(request: HttpRequest, message_id: int) -> MessageOut:
    """The call-back is done. Only the owner or a manager; anyone else gets 404."""
    user = caller(request)
    message = complete_message(_answerable(user, message_id), user)
    return message_out(request, _with_people(TakenMessage.objects.all()).get(pk=message.pk))
