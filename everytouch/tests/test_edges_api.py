"""Values at the edge of their range get a 422 naming the field, never a 500 or a 409.

Dates that cannot be turned into UTC, page numbers beyond 64 bits, ids past the database's
integers, NaN and Infinity, bodies nested to the recursion limit: everytouch/bounds.py.
"""

from __future__ import annotations

import json
import math
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.test import Client
from hypothesis import given, settings
from hypothesis import strategies as st

from everytouch import bounds
from everytouch.accounts.endpoint_kit import BodyRefused, check_body
from everytouch.api import StrictJSONRenderer
from everytouch.interactions.actions import InteractionData, log_interaction
from everytouch.interactions.models import Channel, Turn
from everytouch.testing import bearer, make_customer
from everytouch.testing.clients import post_json

pytestmark = pytest.mark.django_db

EDGE_MOMENTS = [
    "9999-12-31T23:00:00-12:00",  # past year 9999 in UTC
    "0001-01-01T00:30:00+01:00",  # before year 1 in UTC
    "1899-12-31T23:59:59+00:00",
    "2201-01-01T00:00:00+00:00",
    "2200-12-31T23:00:00-12:00",  # 2201 in UTC
]
EDGE_DAYS = ["9999-12-31", "0001-01-01", "1899-12-31", "2201-01-01"]
HUGE = "9" * 30


@pytest.fixture
def api(owner: User) -> Client:
    return bearer(owner)


def _refused(response: Any, field: str) -> str:
    assert response.status_code == 422, response.content
    detail: str = response.json()["detail"]
    assert detail.startswith(f"{field}: "), detail
    return detail


def _writes() -> list[tuple[str, str, dict[str, Any]]]:
    # (url, field, a body that is valid but for the field): every date a request body carries.
    return [
        ("/api/v1/interactions", "started_at", {"phone": "3125550101", "channel": "call"}),
        ("/api/v1/interactions", "ended_at", {"phone": "3125550101", "channel": "call"}),
        ("/api/v1/commitments", "due_at", {"customer_id": 1, "what": "Call back"}),
    ]


@pytest.mark.parametrize("moment", EDGE_MOMENTS)
@pytest.mark.parametrize(("url", "field", "body"), _writes())
def test_it_refuses_a_moment_outside_the_calendar_with_a_422(
    api: Client, url: str, field: str, body: dict[str, Any], moment: str
) -> None:
    detail = _refused(post_json(api, url, {**body, field: moment}), field)
    assert "1900 to 2200" in detail


@pytest.mark.parametrize("day", EDGE_DAYS)
def test_it_refuses_a_departure_day_outside_the_calendar(api: Client, day: str) -> None:
    response = post_json(api, "/api/v1/departures", {"member_id": 1, "effective_on": day})
    assert "1900 to 2200" in _refused(response, "effective_on")


@pytest.mark.parametrize("moment", EDGE_MOMENTS)
def test_it_refuses_a_scorecard_filter_outside_the_calendar(api: Client, moment: str) -> None:
    response = api.get("/api/v1/scorecards", {"since": moment})
    assert "1900 to 2200" in _refused(response, "since")


def test_it_still_takes_the_last_day_of_the_range(api: Client) -> None:
    body = {"phone": "3125550101", "channel": "call", "started_at": "2200-12-31T23:00:00+00:00"}
    assert post_json(api, "/api/v1/interactions", body).status_code == 201


LISTS = [
    "/api/v1/customers",
    "/api/v1/interactions",
    "/api/v1/leads",
    "/api/v1/commitments",
    "/api/v1/messages",
    "/api/v1/scorecards",
]


@pytest.mark.parametrize("page", [HUGE, str(2**63), str(bounds.MAX_PAGE + 1)])
@pytest.mark.parametrize("url", LISTS)
def test_it_answers_a_page_beyond_the_limit_with_a_422(api: Client, url: str, page: str) -> None:
    assert str(bounds.MAX_PAGE) in _refused(api.get(url, {"page": page}), "page")


def test_it_links_no_page_past_the_last_it_serves(
    api: Client, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(bounds, "MAX_PAGE", 2)
    for name in ("Ann", "Bob", "Cy"):
        post_json(api, "/api/v1/customers", {"name": name})
    assert api.get("/api/v1/customers", {"page": 1, "page_size": 1}).json()["next"]
    assert api.get("/api/v1/customers", {"page": 2, "page_size": 1}).json()["next"] is None


def test_it_serves_the_last_allowed_page_empty(api: Client) -> None:
    response = api.get("/api/v1/customers", {"page": bounds.MAX_PAGE})
    assert response.status_code == 200
    assert response.json()["items"] == []


@pytest.mark.parametrize(
    ("url", "field", "body"),
    [
        ("/api/v1/interactions", "customer_id", {"channel": "call"}),
        ("/api/v1/leads", "customer_id", {"need": "desks"}),
        ("/api/v1/customers", "owner_id", {"name": "Sam"}),
        ("/api/v1/messages", "intended_for_id", {"about": "Call me", "callback_number": "911"}),
    ],
)
def test_it_refuses_an_id_beyond_64_bits_with_a_422(
    api: Client, url: str, field: str, body: dict[str, Any]
) -> None:
    _refused(post_json(api, url, {**body, field: int(HUGE)}), field)


@pytest.mark.parametrize("url", ["/api/v1/leads", "/api/v1/interactions", "/api/v1/commitments"])
def test_it_refuses_an_id_filter_beyond_64_bits(api: Client, url: str) -> None:
    _refused(api.get(url, {"customer_id": HUGE}), "customer_id")


@pytest.mark.parametrize("raw", ["NaN", "Infinity", "-Infinity", "1e999"])
def test_it_refuses_a_turn_time_that_is_not_a_finite_number(api: Client, raw: str) -> None:
    body = (
        '{"phone": "3125550101", "channel": "call", '
        f'"turns": [{{"speaker": "agent", "text": "Hi", "start": {raw}}}]}}'
    )
    response = api.post("/api/v1/interactions", body, content_type="application/json")
    assert "finite number" in _refused(response, "turns[0].start")
    assert not Turn.objects.exists()


def test_it_refuses_a_body_nested_past_the_limit(api: Client) -> None:
    deep: Any = 1
    for _ in range(bounds.MAX_JSON_DEPTH + 1):
        deep = [deep]
    body = {"phone": "3125550101", "channel": "call", "summary": deep}
    response = post_json(api, "/api/v1/interactions", body)
    assert response.status_code == 422
    assert response.json()["detail"] == "summary" + "[0]" * 32 + ": nested deeper than 32 levels"


def test_it_refuses_a_body_nested_to_the_recursion_limit(api: Client) -> None:
    body = '{"a": ' + "[" * 100_000 + "]" * 100_000 + "}"
    response = api.post("/api/v1/interactions", body, content_type="application/json")
    assert response.status_code == 422
    assert response.json() == {"detail": "the body is nested too deeply"}


def test_it_refuses_a_list_longer_than_the_limit(api: Client) -> None:
    body = {"phone": "3125550101", "channel": "call", "tags": [0] * (bounds.MAX_JSON_ITEMS + 1)}
    assert "more than" in _refused(post_json(api, "/api/v1/interactions", body), "tags")


def test_it_serves_a_turn_time_stored_as_infinity_as_unknown(api: Client, rep: User) -> None:
    # Stored before inputs were checked: the answer stays strict JSON, the time reads as null.
    call = log_interaction(
        make_customer(), InteractionData(channel=Channel.CALL, handled_by=rep), rep
    )
    Turn.objects.create(interaction=call, index=0, speaker="agent", text="Hi", start=math.inf)
    response = api.get(f"/api/v1/interactions/{call.pk}")
    assert response.status_code == 200
    assert json.loads(response.content, parse_constant=_refuse)["turns"][0]["start"] is None


def _refuse(name: str) -> None:
    raise AssertionError(f"{name} in the answer")


def test_it_never_renders_nan_or_infinity() -> None:
    with pytest.raises(ValueError, match="JSON compliant"):
        StrictJSONRenderer().render(None, {"start": math.inf}, response_status=200)  # type: ignore[arg-type]


def _containers(inner: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
    return st.one_of(
        st.lists(inner, max_size=3), st.dictionaries(st.text(max_size=2), inner, max_size=3)
    )


JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.floats() | st.integers() | st.text(max_size=3),
    _containers,
    max_leaves=40,
)


@settings(max_examples=200, deadline=None)
@given(JSON_VALUES)
def test_it_lets_through_exactly_the_bodies_strict_json_can_write(data: Any) -> None:
    try:
        check_body(data)
    except BodyRefused:
        with pytest.raises(ValueError):
            json.dumps(data, allow_nan=False)
    else:
        json.dumps(data, allow_nan=False)
