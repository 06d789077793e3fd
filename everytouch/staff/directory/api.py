"""Directory, routing and away messages for phone systems: where to send a call, what to play."""

from __future__ import annotations

from django.contrib.auth.models import User
from django.db.models import Q
from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from ninja import Router, Schema
from ninja.errors import HttpError

from everytouch import bounds
from everytouch.accounts.auth import DESK_READ, STAFF_READ
from everytouch.accounts.endpoint_kit import refused
from everytouch.customers.actions import identify, resolve
from everytouch.customers.models import Customer
from everytouch.staff.directory.availability import (
    availability,
    away_message,
    away_ssml,
    with_current_absence,
)
from everytouch.staff.directory.routing import RouteDecision, route
from everytouch.staff.models import StaffMember

# Operation ids are spelt out: they are the ones the API had before the staff code moved into
# folders (django-ninja derives them from the module path), and generated clients use them.
router = Router(tags=["staff"])
AWAY_MESSAGE_TYPES = {
    media: {"schema": {"type": "string"}} for media in ("text/plain", "application/ssml+xml")
}


class StaffOut(Schema):
    id: int
    user_id: int
    username: str
    name: str
    title: str
    extension: str
    team: str | None
    skills: list[str]
    state: str
    until: str | None
    away_message: str


class CustomerBrief(Schema):
    id: int
    name: str


class RouteOut(Schema):
    to: StaffOut | None
    rule: str
    # "put_through" or "message" (a phone system is never the person at the desk, so never "take").
    action: str
    reason: str
    away_message: str
    asked_for: StaffOut | None
    customer: CustomerBrief | None


def staff_out(member: StaffMember) -> StaffOut:
    now = timezone.now()
    avail = availability(member, now)
    return StaffOut(
        id=member.pk,
        user_id=member.user_id,
        username=member.user.username,
        name=member.name,
        title=member.title,
        extension=member.extension,
        team=member.team.name if member.team else None,
        skills=list(member.skills),
        state=avail.state,
        until=avail.until.isoformat() if avail.until else None,
        away_message=away_message(member, now),
    )


def _find_member(who: str) -> StaffMember:
    """A staff member by username, extension or directory id, as a phone system knows them."""
    qs = StaffMember.objects.select_related("user", "team", "backup__user")
    match = Q(user__username=who) | Q(extension=who)
    pk = bounds.parse_id(who)
    if pk is not None:
        match |= Q(pk=pk)
    members = list(qs.filter(match)[:2])
    if len(members) != 1:
        raise HttpError(404, f"no single staff member is known as {who!r}")
    return members[0]


def _customer(customer_id: int | None, caller: str) -> Customer | None:
    if customer_id is not None:
        found = Customer.objects.filter(pk=customer_id).first()
        if found is None:
            raise HttpError(404, f"no customer with id {customer_id}")
        return resolve(found)
    return identify(caller) if caller.strip() else None


def _route_out(decision: RouteDecision, customer: Customer | None) -> RouteOut:
    return RouteOut(
        to=staff_out(decision.to) if decision.to else None,
        rule=decision.rule,
        action=decision.action,
        reason=decision.reason,
        away_message=decision.away_message,
        asked_for=staff_out(decision.asked_for) if decision.asked_for else None,
        customer=CustomerBrief(id=customer.pk, name=customer.display_name) if customer else None,
    )


@router.get(
    "/route",
    response={200: RouteOut, **refused(400, 404)},
    summary="Who should take this caller?",
    operation_id="everytouch_staff_api_route_call",
    auth=DESK_READ,
)
def route_call(
    request: HttpRequest,
    caller: str = "",
    customer_id: int | None = None,
    topic: str = "",
    asked_for: str = "",
) -> RouteOut:
    """`caller`: the calling number or e-mail (any format); `asked_for`: username or extension."""
    customer = _customer(customer_id, caller[:254])
    person: User | None = _find_member(asked_for).user if asked_for else None
    return _route_out(route(customer, topic[:100], person), customer)


@router.get(
    "/staff",
    response=list[StaffOut],
    summary="The directory, with who is in or away",
    operation_id="everytouch_staff_api_list_staff",
    auth=STAFF_READ,
)
def list_staff(request: HttpRequest, q: str = "") -> list[StaffOut]:
    qs = StaffMember.objects.select_related("user", "team", "backup__user")
    qs = with_current_absence(qs.exclude(employment="departed"), timezone.now())
    if q:
        qs = qs.filter(Q(user__first_name__icontains=q) | Q(user__last_name__icontains=q))
    return [staff_out(m) for m in qs[:200]]


@router.get(
    "/staff/{who}/away-message",
    summary="The honest away message as text or SSML",
    response={200: None, **refused(400)},
    openapi_extra={"responses": {200: {"content": AWAY_MESSAGE_TYPES}}},
    operation_id="everytouch_staff_api_get_away_message",
    auth=STAFF_READ,
)
def get_away_message(request: HttpRequest, who: str, format: str = "text") -> HttpResponse:
    """`who` is a username, extension or directory id; `format` is `text` or `ssml`."""
    member = _find_member(who)
    now = timezone.now()
    if format == "ssml":
        return HttpResponse(away_ssml(member, now), content_type="application/ssml+xml")
    if format != "text":
        raise HttpError(400, "format must be 'text' or 'ssml'")
    text = away_message(member, now) or f"{member.name} is available."
    return HttpResponse(text, content_type="text/plain; charset=utf-8")
