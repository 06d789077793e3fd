"""What every app's JSON API shares: who may call, how people and pages look, creating once.

Each app's api.py imports these from here, never from another app's api.py, so one app's
endpoints can change without breaking another's. It sits in accounts, the lowest layer, so any
app may use it. The error shape (``{"detail": "<reason>"}``) is set once for the whole API in
everytouch/api.py.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from datetime import date, datetime
from typing import Annotated, Any, TypeVar, overload

from django.contrib.auth.models import User
from django.db.models import QuerySet
from django.http import HttpRequest
from ninja import Field, Schema
from ninja.errors import HttpError
from ninja.responses import Status
from pydantic import AfterValidator, AwareDatetime, BeforeValidator

from everytouch import bounds
from everytouch.accounts.access import STAFF_ROLES, has_role
from everytouch.accounts.idempotency import HEADER, Answer, run_once
from everytouch.accounts.paging import capped_count
from everytouch.accounts.people import display_name

DEFAULT_PAGE_SIZE = 25
MAX_PAGE_SIZE = 100


# --- who may call --------------------------------------------------------------------------------
# Role and scope are checked by each operation's auth gate (everytouch/accounts/auth.py), before
# the body is read; what is left here names people a payload refers to.


def staff_member(user_id: int | None, field: str) -> User | None:
    """The staff member a payload names by id, or a 400 that says which field is wrong."""
    if user_id is None:
        return None
    user = User.objects.select_related("profile").filter(pk=user_id, is_active=True).first()
    if user is None or not has_role(user, STAFF_ROLES):
        raise HttpError(400, f"{field}: no staff member with id {user_id}")
    return user


# --- people --------------------------------------------------------------------------------------


class UserRef(Schema):
    id: int
    name: str


@overload
def user_ref(user: User) -> UserRef: ...
@overload
def user_ref(user: User | None) -> UserRef | None: ...
def user_ref(user: User | None) -> UserRef | None:
    if user is None:
        return None
    return UserRef(id=user.pk, name=display_name(user))


# --- values at the edge of their range (bounds.py) ----------------------------------------------

D = TypeVar("D", bound=date)


def _in_calendar(value: D) -> D:
    problem = bounds.calendar_problem(value)
    if problem:
        raise ValueError(problem)
    return value


# Every date and datetime a request may send is one of these, so none overflows on its way to
# UTC and the database: the caller gets a 422 naming the field instead.
ApiDay = Annotated[date, AfterValidator(_in_calendar)]
ApiMoment = Annotated[datetime, AfterValidator(_in_calendar)]
ApiAwareMoment = Annotated[AwareDatetime, AfterValidator(_in_calendar)]
# Ids in bodies and query strings: the database compares and stores 64-bit integers.
ApiId = Annotated[int, Field(ge=1, le=bounds.MAX_ID)]


def _finite_or_none(value: float | None) -> float | None:
    return value if value is None or math.isfinite(value) else None


# A stored float in an answer: one saved before inputs were checked may be Infinity, which
# strict JSON cannot carry; it reads as "not known" rather than failing the whole answer.
FiniteOut = Annotated[float | None, BeforeValidator(_finite_or_none)]


class BodyRefused(ValueError):
    """A request body that parsed as JSON but is refused as a whole (bounds.json_problem)."""


def check_body(data: object) -> None:
    """Raise BodyRefused naming where ``data`` is too deep, too long or not finite."""
    problem = bounds.json_problem(data)
    if problem:
        raise BodyRefused(problem)


# --- pages ---------------------------------------------------------------------------------------


class PageParams(Schema):
    page: int = Field(1, ge=1, le=bounds.MAX_PAGE)
    page_size: int = Field(DEFAULT_PAGE_SIZE, ge=1, le=MAX_PAGE_SIZE)


class PageMeta(Schema):
    count: int
    # True when ``count`` is where counting stopped (COUNT_CAP, or the page asked for), not
    # the total: there are more rows than that.
    count_capped: bool = False
    page: int
    page_size: int
    next: str | None
    previous: str | None


def page_slice(
    request: HttpRequest, qs: QuerySet[Any], params: PageParams
) -> tuple[list[Any], PageMeta]:
    """One page of ``qs`` and the links to its neighbours."""
    start = (params.page - 1) * params.page_size
    count, capped = capped_count(qs, start + params.page_size)
    items = list(qs[start : start + params.page_size])
    # No link past the last page a caller may ask for: past it, a filter finds rows, not paging.
    has_next = start + len(items) < count and params.page < bounds.MAX_PAGE
    meta = PageMeta(
        count=count,
        count_capped=capped,
        page=params.page,
        page_size=params.page_size,
        next=_page_url(request, params.page + 1) if has_next else None,
        previous=_page_url(request, params.page - 1) if params.page > 1 else None,
    )
    return items, meta


def _page_url(request: HttpRequest, page: int) -> str:
    query = request.GET.copy()
    query["page"] = str(page)
    return request.build_absolute_uri(f"{request.path}?{query.urlencode()}")


# --- creating once -------------------------------------------------------------------------------


def idempotency_key_doc() -> dict[str, Any]:
    """``openapi_extra`` for a create endpoint: documents the header ``create_once`` reads.

    A new dict each call: ninja merges it into the schema and may keep (and extend) its lists.
    """
    return {"parameters": [{"in": "header", "name": HEADER, "schema": {"type": "string"}}]}


def create_once(
    request: HttpRequest,
    user: User,
    endpoint: str,
    payload: Schema,
    create: Callable[[], tuple[int, Schema]],
) -> Status[dict[str, Any]]:
    """Answer a create endpoint, honouring the request's Idempotency-Key (see idempotency.py).

    ``create`` runs in a transaction and returns the status and the schema to answer with; a
    retry with the same key and payload gets that first answer again, as stored. ``endpoint``
    names the stored keys ("POST /customers"): changing it would let old keys create twice.
    """

    def answer() -> Answer:
        status, out = create()
        return status, out.model_dump(mode="json")

    raw_key = request.headers.get(HEADER)
    status, body = run_once(user, endpoint, raw_key, payload.model_dump(), answer)
    return Status(status, body)


# --- refusals ------------------------------------------------------------------------------------


class Refusal(Schema):
    """Every 4xx answer of the API: ``{"detail": "<reason>"}`` (some add fields beside it)."""

    detail: str


def refused(*statuses: int) -> dict[int, type[Refusal]]:
    """``response=`` entries for the refusals an operation has beyond those everytouch/api.py
    documents for every operation (401 and 403; 404 with a path id; 400, 413, 422 with a body);
    for example ``response={201: CustomerOut, **refused(409)}``."""
    return dict.fromkeys(statuses, Refusal)
