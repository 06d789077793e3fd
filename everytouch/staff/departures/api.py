"""Departures over JSON, for HR scripts: open, read, hand over, complete. Managers only.

Thin on purpose: access check -> action -> schema. A refusal is ``{"detail": "<reason>"}``:
400 for bad input (an unknown or departed recipient), 409 when the departure's state forbids it
(already open, already completed, things still owned), 403 for anyone but owners and managers.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from datetime import date, datetime
from typing import Literal

from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied
from django.db.models import Model
from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from ninja import Field, Router, Schema
from ninja.errors import HttpError
from ninja.responses import Status
from pydantic import model_validator

from everytouch import ownership
from everytouch.accounts.access import MANAGER_ROLES
from everytouch.accounts.auth import caller, gated
from everytouch.accounts.endpoint_kit import ApiDay, ApiId, UserRef, refused, user_ref
from everytouch.accounts.models import Scope
from everytouch.staff.departures import actions
from everytouch.staff.directory.actions import StaffError, ensure_staff
from everytouch.staff.models import Departure, DepartureStatus, StaffMember

# Operation ids are spelt out: they are the ones the API had before the staff code moved into
# folders (django-ninja derives them from the module path), and generated clients use them.
router = Router(tags=["departures"])

MANAGERS = gated(MANAGER_ROLES, Scope.ADMIN, "only owners and managers may manage departures")
ITEMS_SHOWN = 100
MAX_RECIPIENTS = 50


class DepartureIn(Schema):
    """Name the person leaving by directory entry (``member_id``) or by user (``user_id``)."""

    member_id: ApiId | None = None
    user_id: ApiId | None = None
    effective_on: ApiDay = Field(..., description="Their last day")

    @model_validator(mode="after")
    def one_person(self) -> DepartureIn:
        if (self.member_id is None) == (self.user_id is None):
            raise ValueError("give exactly one of member_id or user_id")
        return self


class HandoverIn(Schema):
    strategy: Literal["all", "round_robin", "by_company"] = "all"
    to_id: ApiId | None = Field(None, description="For 'all': the one person who takes everything")
    recipient_ids: list[ApiId] = Field(
        default_factory=list,
        max_length=MAX_RECIPIENTS,
        description="For 'round_robin' and 'by_company': in the order rows are dealt out",
    )


class ItemOut(Schema):
    id: int
    text: str


class DepartureOut(Schema):
    id: int
    member_id: int
    person: UserRef
    effective_on: date
    status: str
    opened_by: UserRef
    successor: UserRef | None = Field(description="Who now looks after the leaver's callers")
    completed_at: datetime | None
    still_owned: dict[str, int] = Field(description="Open rows per kind the leaver still owns")
    blocked: str = Field(description="Why it cannot be completed yet; empty when it can")
    items: dict[str, list[ItemOut]] = Field(description=f"Up to {ITEMS_SHOWN} per kind")


class HandoverOut(Schema):
    moved: dict[str, int]
    departure: DepartureOut


# --- helpers ------------------------------------------------------------------------------------


@contextmanager
def _refusals() -> Iterator[None]:
    """Turn an action's refusal into a JSON error with its reason."""
    try:
        yield
    except actions.DepartureConflict as exc:
        raise HttpError(409, str(exc)) from exc
    except StaffError as exc:
        raise HttpError(400, str(exc)) from exc
    except PermissionDenied as exc:
        raise HttpError(403, str(exc)) from exc


def _person(user_id: int | None, field: str) -> User | None:
    if user_id is None:
        return None
    user = User.objects.filter(pk=user_id).first()
    if user is None:
        raise HttpError(400, f"{field}: no such person (id {user_id})")
    return user


def _people(user_ids: list[int]) -> list[User]:
    found = User.objects.in_bulk(user_ids)
    missing = [i for i in user_ids if i not in found]
    if missing:
        raise HttpError(400, f"recipient_ids: no such person (id {missing[0]})")
    return [found[i] for i in user_ids]


def _items(rows: Sequence[Model]) -> list[ItemOut]:
    return [ItemOut(id=r.pk, text=str(r)) for r in rows]


def departure_out(departure: Departure) -> DepartureOut:
    leaver = departure.staff.user
    is_open = departure.status == DepartureStatus.OPEN
    plan = actions.handover_plan(departure, ITEMS_SHOWN) if is_open else {}
    counts = {label: part.count for label, part in plan.items()}
    return DepartureOut(
        id=departure.pk,
        member_id=departure.staff_id,
        person=user_ref(leaver),
        effective_on=departure.effective_on,
        status=departure.status,
        opened_by=user_ref(departure.opened_by),
        successor=user_ref(departure.successor),
        completed_at=departure.completed_at,
        still_owned=counts if is_open else ownership.open_items_of(leaver),
        blocked=actions.still_owned(leaver, counts) if is_open else "",
        items={label: _items(part.rows) for label, part in plan.items()},
    )


def _get(departure_id: int) -> Departure:
    qs = Departure.objects.select_related("staff__user", "opened_by", "successor")
    return get_object_or_404(qs, pk=departure_id)


def _member(payload: DepartureIn) -> StaffMember:
    if payload.member_id is not None:
        member = StaffMember.objects.filter(pk=payload.member_id).first()
        if member is None:
            raise HttpError(400, f"member_id: no such staff member (id {payload.member_id})")
        return member
    user = _person(payload.user_id, "user_id")
    assert user is not None
    return ensure_staff(user)


def _act(
    request: HttpRequest, departure_id: int, act: Callable[[Departure, User], object]
) -> DepartureOut:
    actor = caller(request)
    departure = _get(departure_id)
    with _refusals():
        act(departure, actor)
    return departure_out(_get(departure_id))


# --- endpoints ----------------------------------------------------------------------------------


@router.post(
    "/departures",
    response={201: DepartureOut, **refused(409)},
    summary="Open a departure",
    operation_id="everytouch_staff_api_departures_open_departure",
    auth=MANAGERS,
)
def open_departure(request: HttpRequest, payload: DepartureIn) -> Status[DepartureOut]:
    """Mark someone as leaving; everything they own must be handed over before completing."""
    actor = caller(request)
    member = _member(payload)
    with _refusals():
        departure = actions.open_departure(member, payload.effective_on, actor)
    return Status(201, departure_out(_get(departure.pk)))


@router.get(
    "/departures/{departure_id}",
    response=DepartureOut,
    summary="A departure",
    operation_id="everytouch_staff_api_departures_get_departure",
    auth=MANAGERS,
)
def get_departure(request: HttpRequest, departure_id: int) -> DepartureOut:
    """What the leaver still owns, per kind, and whether the departure can be completed."""
    return departure_out(_get(departure_id))


@router.post(
    "/departures/{departure_id}/handover",
    response={200: HandoverOut, **refused(409)},
    summary="Hand everything over",
    operation_id="everytouch_staff_api_departures_hand_over",
    auth=MANAGERS,
)
def hand_over(request: HttpRequest, departure_id: int, payload: HandoverIn) -> HandoverOut:
    """Give every open row the leaver owns a new owner: all to one person, or split."""
    actor = caller(request)
    departure = _get(departure_id)
    to = _person(payload.to_id, "to_id")
    recipients = _people(payload.recipient_ids)
    with _refusals():
        moved = actions.hand_over(
            departure, to=to, strategy=payload.strategy, recipients=recipients, actor=actor
        )
    return HandoverOut(moved=moved, departure=departure_out(_get(departure_id)))


@router.post(
    "/departures/{departure_id}/complete",
    response={200: DepartureOut, **refused(409)},
    summary="Complete a departure",
    operation_id="everytouch_staff_api_departures_complete_departure",
    auth=MANAGERS,
)
def complete_departure(request: HttpRequest, departure_id: int) -> DepartureOut:
    """Refused (409) while the leaver still owns anything; afterwards they cannot log in."""
    return _act(request, departure_id, actions.complete_departure)


@router.post(
    "/departures/{departure_id}/cancel",
    response={200: DepartureOut, **refused(409)},
    summary="Cancel a departure",
    operation_id="everytouch_staff_api_departures_cancel_departure",
    auth=MANAGERS,
)
def cancel_departure(request: HttpRequest, departure_id: int) -> DepartureOut:
    """They are staying; what was already handed over stays with its new owner."""
    return _act(request, departure_id, actions.cancel_departure)
