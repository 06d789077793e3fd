"""Who may see what: every URL pattern, every role, the status each one gets.

The table below has one entry per URL pattern of the root urlconf (the web pages and the
/api/v1/ routes; /admin/ is Django's own). A new view cannot be added without saying here who
may see it: a pattern with no entry fails, and so does an entry that matches no pattern.

Columns, in order: anonymous, outsider (logged in, no role), trainer, rep, manager, owner.
The web pages use a session; the API a bearer token (anonymous sends none). The records in
the URLs belong to a colleague (a second rep, Rita), so the rep column says what a rep may do
with someone else's records. A web POST sends an empty form: for the roles allowed in, that
is a validation answer; for the others, the refusal is what matters. An API write sends a
valid body, so the roles allowed in get the success answer (the API checks the role first:
test_api_gates.py sends every operation an invalid request).
Every request runs in a transaction that is rolled back, so each role sees the same world.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field, replace
from datetime import date, timedelta
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.db import transaction
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from everytouch.accounts.actions import create_user, issue_token, save_view
from everytouch.accounts.models import Role, Scope
from everytouch.accounts.sessions import Client as SessionClient
from everytouch.accounts.sessions import record_login_session
from everytouch.followups.actions import record_commitment
from everytouch.followups.ical import issue_feed
from everytouch.interactions.actions import InteractionData, TurnData, log_interaction
from everytouch.interactions.models import Channel
from everytouch.leads import webhooks
from everytouch.leads.actions import LeadData, capture_lead
from everytouch.leads.models import DeliveryStatus, WebhookDelivery
from everytouch.quality.actions import score_interaction
from everytouch.quality.campaigns import CampaignData, create_campaign, create_link
from everytouch.quality.coaching import record_session
from everytouch.quality.models import RescoreRun
from everytouch.quality.playbooks import NewPlaybook, create_playbook, starting_text
from everytouch.quality.promotions import PromotionData, create_promotion
from everytouch.quality.reviews import dispute_check
from everytouch.staff.departures.actions import open_departure
from everytouch.staff.directory.actions import ensure_staff, schedule_absence
from everytouch.staff.messages.actions import take_message
from everytouch.staff.notifications import notify
from everytouch.testing import PASSWORD, make_customer
from everytouch.testing.urls import all_patterns

pytestmark = pytest.mark.django_db

COLUMNS: tuple[str | None, ...] = (None, "outsider", "trainer", "rep", "manager", "owner")
Row = tuple[int, int, int, int, int, int]
Args = Callable[["World"], dict[str, object]]
Body = Callable[["World"], dict[str, object]]


@dataclass(frozen=True)
class World:
    """One of every record a URL can name, all belonging to Rita (the second rep)."""

    ids: dict[str, Any]

    def __getitem__(self, key: str) -> Any:
        return self.ids[key]


def no_args(world: World) -> dict[str, object]:
    return {}


def pk(key: str, kwarg: str = "pk") -> Args:
    return lambda world: {kwarg: world[key]}


def absence_args(world: World) -> dict[str, object]:
    return {"pk": world["member"], "absence_id": world["absence"]}


def contact_args(world: World) -> dict[str, object]:
    return {"pk": world["customer"], "contact_id": world["contact"]}


def unknown_api_path(world: World) -> dict[str, object]:
    return {"unknown": "nothing-here"}


# Valid bodies for the API's writes: an empty one is refused with 422 before the role check
# runs (for an outsider too), which would say nothing about who may write.
def in_hours(hours: int) -> str:
    return (timezone.now() + timedelta(hours=hours)).isoformat()


def commitment_body(world: World) -> dict[str, object]:
    return {"customer_id": world["customer"], "what": "Call back", "due_at": in_hours(4)}


def customer_body(world: World) -> dict[str, object]:
    return {"name": "Sam Lee", "phones": ["+14155550188"]}


def customer_patch(world: World) -> dict[str, object]:
    return {"name": "Jane Q. Doe"}


def departure_body(world: World) -> dict[str, object]:
    return {"member_id": world["member"], "effective_on": str(date.today() + timedelta(days=30))}


def interaction_body(world: World) -> dict[str, object]:
    return {"customer_id": world["customer"], "channel": "call", "summary": "Called back"}


def lead_body(world: World) -> dict[str, object]:
    return {"customer_id": world["customer"], "need": "10 standing desks"}


def handoff_body(world: World) -> dict[str, object]:
    return {"owner_id": world["manager_id"]}


def stage_body(world: World) -> dict[str, object]:
    return {"stage": "contacted"}


def message_body(world: World) -> dict[str, object]:
    return {
        "intended_for_id": world["rep2_id"],
        "about": "Call me",
        "callback_number": "+12015550199",
    }


@dataclass(frozen=True)
class Entry:
    """The expected status per column for each method this pattern is checked with."""

    get: Row | None = None
    post: Row | None = None
    patch: Row | None = None
    args: Args = no_args
    body: Body | None = None  # a valid JSON body for an API POST or PATCH; ``{}`` if None
    query: str = ""
    note: str = ""

    def methods(self) -> Iterator[tuple[str, Row]]:
        for method in ("get", "post", "patch"):
            row: Row | None = getattr(self, method)
            if row is not None:
                yield method, row


SCORED_TURNS = (
    TurnData("agent", "Acme Office, Rita speaking."),
    TurnData("customer", "How much is the toner?"),
    TurnData("agent", "It is $89."),
)

# What the table says of answers that are not plainly right; listed in the hand-over report.
POST_LIKE_GET = "answers POST like GET (no require_GET on the view); it writes nothing"

# Columns: anonymous, outsider, trainer, rep, manager, owner (COLUMNS).
TABLE: dict[str, Entry] = {
    "saved_view_save": Entry(
        get=(302, 405, 405, 405, 405, 405),
        post=(302, 403, 403, 403, 400, 400),
        note="an empty form is a 400 naming what is missing; reps and trainers keep no views",
    ),
    "saved_view_delete": Entry(
        get=(302, 405, 405, 405, 405, 405),
        post=(302, 404, 404, 404, 302, 404),
        args=pk("saved_view"),
        note="the view is the manager's own: the owner finds no such view of theirs",
    ),
    "home": Entry(
        get=(302, 302, 302, 302, 302, 302),
        post=(302, 302, 302, 302, 302, 302),
        note="redirects to each role's first screen (the no-role page for an outsider)",
    ),
    "login_code": Entry(
        get=(302, 302, 302, 302, 302, 302),
        post=(302, 302, 302, 302, 302, 302),
        note="the login's code step: without a password just given, back to the login page",
    ),
    "login_sessions": Entry(
        get=(302, 200, 200, 200, 200, 200), post=(302, 405, 405, 405, 405, 405)
    ),
    "login_session_end": Entry(
        get=(302, 405, 405, 405, 405, 405),
        post=(302, 404, 404, 404, 404, 404),
        args=pk("login_session"),
        note="Rita's session: nobody else finds it, not even an owner",
    ),
    "login_sessions_end_others": Entry(
        get=(302, 405, 405, 405, 405, 405), post=(302, 302, 302, 302, 302, 302)
    ),
    "login_lockouts": Entry(
        get=(302, 403, 403, 403, 200, 200), post=(302, 405, 405, 405, 405, 405)
    ),
    "login_unlock": Entry(
        get=(302, 405, 405, 405, 405, 405),
        post=(302, 403, 403, 403, 400, 400),
        note="an empty form names no username: 400 for those allowed to unlock",
    ),
    "two_factor": Entry(
        get=(302, 200, 200, 200, 200, 200),
        post=(302, 400, 400, 400, 400, 400),
        note="anyone may set up a second factor for their own login; an empty code is a 400",
    ),
    "two_factor_disable": Entry(
        get=(302, 405, 405, 405, 405, 405), post=(302, 400, 400, 400, 400, 400)
    ),
    "no_role": Entry(
        get=(302, 200, 302, 302, 302, 302),
        post=(302, 405, 405, 405, 405, 405),
        note="the outsider's landing page; anyone with a role is sent to their own home",
    ),
    "api-v1:api-root": Entry(
        get=(404, 404, 404, 404, 404, 404),
        post=(404, 404, 404, 404, 404, 404),
        note="nothing lives at the root; the fallback answers a JSON 404",
    ),
    "api-v1:no_such_endpoint": Entry(
        get=(404, 404, 404, 404, 404, 404),
        post=(404, 404, 404, 404, 404, 404),
        args=unknown_api_path,
    ),
    "api-v1:create_commitment": Entry(body=commitment_body, post=(401, 403, 403, 201, 201, 201)),
    "api-v1:list_commitments": Entry(get=(401, 403, 200, 200, 200, 200)),
    "api-v1:done_commitment": Entry(
        post=(401, 403, 403, 403, 200, 200), args=pk("commitment", "commitment_id")
    ),
    "api-v1:list_customers": Entry(get=(401, 403, 200, 200, 200, 200)),
    "api-v1:create_customer_endpoint": Entry(
        body=customer_body, post=(401, 403, 403, 201, 201, 201)
    ),
    "api-v1:get_customer": Entry(
        get=(401, 403, 200, 200, 200, 200), args=pk("customer", "customer_id")
    ),
    "api-v1:export_customer_endpoint": Entry(
        get=(401, 403, 403, 403, 200, 200), args=pk("customer", "customer_id")
    ),
    "api-v1:erase_customer_endpoint": Entry(
        post=(401, 403, 403, 403, 403, 200), args=pk("customer", "customer_id")
    ),
    "api-v1:patch_customer": Entry(
        body=customer_patch,
        patch=(401, 403, 403, 200, 200, 200),
        args=pk("customer", "customer_id"),
    ),
    "api-v1:open_departure": Entry(body=departure_body, post=(401, 403, 403, 403, 201, 201)),
    "api-v1:get_departure": Entry(
        get=(401, 403, 403, 403, 200, 200), args=pk("departure", "departure_id")
    ),
    "api-v1:cancel_departure": Entry(
        post=(401, 403, 403, 403, 200, 200), args=pk("departure", "departure_id")
    ),
    "api-v1:complete_departure": Entry(
        post=(401, 403, 403, 403, 200, 200), args=pk("departure", "departure_id")
    ),
    "api-v1:hand_over": Entry(
        post=(401, 403, 403, 403, 400, 400), args=pk("departure", "departure_id")
    ),
    "api-v1:openapi-view": Entry(
        get=(200, 200, 200, 200, 200, 200),
        post=(200, 200, 200, 200, 200, 200),
        note="the API documentation is public and answers any method",
    ),
    "api-v1:identify_caller": Entry(query="?q=%2B12015550123", get=(401, 403, 200, 200, 200, 200)),
    "api-v1:create_interaction": Entry(body=interaction_body, post=(401, 403, 403, 201, 201, 201)),
    "api-v1:list_interactions": Entry(get=(401, 403, 200, 200, 200, 200)),
    "api-v1:get_interaction": Entry(
        get=(401, 403, 200, 200, 200, 200), args=pk("interaction", "interaction_id")
    ),
    "api-v1:create_lead": Entry(body=lead_body, post=(401, 403, 403, 201, 201, 201)),
    "api-v1:list_leads": Entry(get=(401, 403, 200, 200, 200, 200)),
    "api-v1:get_lead": Entry(get=(401, 403, 200, 200, 200, 200), args=pk("lead", "lead_id")),
    "api-v1:handoff": Entry(
        body=handoff_body, post=(401, 403, 403, 403, 200, 200), args=pk("lead", "lead_id")
    ),
    "api-v1:move_stage": Entry(
        body=stage_body, post=(401, 403, 403, 403, 200, 200), args=pk("lead", "lead_id")
    ),
    "api-v1:create_message": Entry(body=message_body, post=(401, 403, 403, 201, 201, 201)),
    "api-v1:list_messages": Entry(get=(401, 403, 403, 403, 200, 200)),
    "api-v1:ack_message": Entry(
        post=(401, 403, 404, 404, 200, 200), args=pk("message", "message_id")
    ),
    "api-v1:done_message": Entry(
        post=(401, 403, 404, 404, 200, 200), args=pk("message", "message_id")
    ),
    "api-v1:my_day": Entry(get=(401, 403, 200, 200, 200, 200)),
    "api-v1:openapi-json": Entry(
        get=(200, 200, 200, 200, 200, 200),
        post=(200, 200, 200, 200, 200, 200),
        note="the API documentation is public and answers any method",
    ),
    "api-v1:route_call": Entry(get=(401, 403, 403, 200, 200, 200)),
    "api-v1:list_staff": Entry(get=(401, 403, 200, 200, 200, 200)),
    "api-v1:search": Entry(get=(401, 403, 200, 200, 200, 200), query="?q=Rita"),
    "api-v1:get_away_message": Entry(
        get=(401, 403, 200, 200, 200, 200), args=pk("username", "who")
    ),
    "cadence_plan": Entry(get=(302, 403, 403, 403, 200, 200), post=(302, 403, 403, 403, 200, 200)),
    "calendar_settings": Entry(
        get=(302, 403, 200, 200, 200, 200), post=(302, 403, 400, 400, 400, 400)
    ),
    "calendar_feed": Entry(
        get=(200, 200, 200, 200, 200, 200),
        post=(405, 405, 405, 405, 405, 405),
        args=pk("calendar_token", "token"),
        note="the secret token in the URL is the credential; no session needed",
    ),
    "commitment_done": Entry(
        get=(302, 405, 405, 405, 405, 405),
        post=(302, 404, 404, 404, 302, 302),
        args=pk("commitment"),
    ),
    "commitment_new": Entry(
        get=(302, 403, 403, 404, 404, 404),
        post=(302, 403, 403, 404, 404, 404),
        note="without ?customer= there is no one to promise to: 404 for desk roles",
    ),
    "customer_list": Entry(
        get=(302, 403, 200, 200, 200, 200), post=(302, 403, 200, 200, 200, 200), note=POST_LIKE_GET
    ),
    "customer_detail": Entry(
        get=(302, 404, 200, 200, 200, 200),
        post=(302, 404, 200, 200, 200, 200),
        args=pk("customer"),
        note=POST_LIKE_GET,
    ),
    "customer_edit": Entry(
        get=(302, 404, 404, 200, 200, 200), post=(302, 404, 404, 400, 400, 400), args=pk("customer")
    ),
    "customer_merge": Entry(
        get=(302, 404, 404, 404, 200, 200), post=(302, 404, 404, 404, 400, 400), args=pk("customer")
    ),
    "customer_export": Entry(
        get=(302, 404, 404, 404, 200, 200), post=(302, 405, 405, 405, 405, 405), args=pk("customer")
    ),
    "customer_erase": Entry(
        get=(302, 404, 404, 404, 404, 200), post=(302, 404, 404, 404, 404, 400), args=pk("customer")
    ),
    "customer_contact_edit": Entry(
        get=(302, 404, 404, 200, 200, 200), post=(302, 404, 404, 400, 400, 400), args=contact_args
    ),
    "customer_contact_remove": Entry(
        get=(302, 405, 405, 405, 405, 405), post=(302, 404, 404, 302, 302, 302), args=contact_args
    ),
    "desk": Entry(get=(302, 403, 403, 200, 200, 200), post=(302, 405, 405, 405, 405, 405)),
    "desk_ask": Entry(get=(302, 403, 403, 200, 200, 200), post=(302, 405, 405, 405, 405, 405)),
    "desk_log": Entry(get=(302, 405, 405, 405, 405, 405), post=(302, 403, 403, 400, 400, 400)),
    "desk_lookup": Entry(get=(302, 403, 403, 200, 200, 200), post=(302, 405, 405, 405, 405, 405)),
    "desk_missing": Entry(get=(302, 403, 403, 200, 200, 200), post=(302, 405, 405, 405, 405, 405)),
    "interaction_list": Entry(
        get=(302, 403, 200, 200, 200, 200), post=(302, 405, 405, 405, 405, 405)
    ),
    "interaction_detail": Entry(
        get=(302, 404, 200, 200, 200, 200),
        post=(302, 405, 405, 405, 405, 405),
        args=pk("interaction"),
    ),
    "interaction_commitments": Entry(
        get=(302, 404, 404, 200, 200, 200),
        post=(302, 405, 405, 405, 405, 405),
        args=pk("interaction"),
    ),
    "interaction_transfer": Entry(
        get=(302, 405, 405, 405, 405, 405),
        post=(302, 404, 404, 400, 400, 400),
        args=pk("interaction"),
    ),
    "lead_board": Entry(get=(302, 403, 200, 200, 200, 200), post=(302, 405, 405, 405, 405, 405)),
    "lead_detail": Entry(
        get=(302, 404, 200, 200, 200, 200), post=(302, 405, 405, 405, 405, 405), args=pk("lead")
    ),
    "lead_handoff": Entry(
        get=(302, 405, 405, 405, 405, 405), post=(302, 404, 403, 403, 302, 302), args=pk("lead")
    ),
    "lead_respond": Entry(
        get=(302, 405, 405, 405, 405, 405), post=(302, 404, 403, 403, 302, 302), args=pk("lead")
    ),
    "lead_stage": Entry(
        get=(302, 405, 405, 405, 405, 405), post=(302, 404, 403, 403, 302, 302), args=pk("lead")
    ),
    "lead_board_column": Entry(
        get=(302, 403, 200, 200, 200, 200),
        post=(302, 405, 405, 405, 405, 405),
        args=lambda world: {"stage": "new"},
        query="?page=2&owner=me",
    ),
    "lead_export": Entry(get=(302, 403, 403, 200, 200, 200), post=(302, 405, 405, 405, 405, 405)),
    "lead_from_interaction": Entry(
        get=(302, 405, 405, 405, 405, 405),
        post=(302, 404, 404, 302, 302, 302),
        args=pk("interaction"),
    ),
    "lead_new": Entry(get=(302, 403, 403, 200, 200, 200), post=(302, 403, 403, 400, 400, 400)),
    "lead_speed": Entry(get=(302, 403, 200, 200, 200, 200), post=(302, 405, 405, 405, 405, 405)),
    "webhook_list": Entry(get=(302, 403, 403, 403, 200, 200), post=(302, 403, 403, 403, 400, 400)),
    "webhook_toggle": Entry(
        get=(302, 405, 405, 405, 405, 405), post=(302, 404, 404, 404, 302, 302), args=pk("webhook")
    ),
    "delivery_retry": Entry(
        get=(302, 405, 405, 405, 405, 405), post=(302, 404, 404, 404, 302, 302), args=pk("delivery")
    ),
    "login": Entry(get=(200, 200, 200, 200, 200, 200), post=(200, 200, 200, 200, 200, 200)),
    "logout": Entry(get=(405, 405, 405, 405, 405, 405), post=(302, 302, 302, 302, 302, 302)),
    "messages_mine": Entry(
        get=(302, 403, 200, 200, 200, 200), post=(302, 403, 200, 200, 200, 200), note=POST_LIKE_GET
    ),
    "message_ack": Entry(
        get=(302, 405, 405, 405, 405, 405), post=(302, 404, 404, 404, 302, 302), args=pk("message")
    ),
    "message_done": Entry(
        get=(302, 405, 405, 405, 405, 405), post=(302, 404, 404, 404, 302, 302), args=pk("message")
    ),
    "messages_all": Entry(
        get=(302, 403, 403, 403, 200, 200), post=(302, 403, 403, 403, 200, 200), note=POST_LIKE_GET
    ),
    "message_new": Entry(get=(302, 403, 403, 200, 200, 200), post=(302, 403, 403, 400, 400, 400)),
    "my_day": Entry(get=(302, 403, 200, 200, 200, 200), post=(302, 405, 405, 405, 405, 405)),
    "notifications": Entry(
        get=(302, 403, 200, 200, 200, 200), post=(302, 403, 200, 200, 200, 200), note=POST_LIKE_GET
    ),
    "notification_read": Entry(
        get=(302, 405, 405, 405, 405, 405),
        post=(302, 403, 404, 404, 404, 404),
        args=pk("notification"),
    ),
    "notifications_read_all": Entry(
        get=(302, 405, 405, 405, 405, 405), post=(302, 403, 302, 302, 302, 302)
    ),
    "staff_directory": Entry(
        get=(302, 403, 200, 200, 200, 200), post=(302, 405, 405, 405, 405, 405)
    ),
    # search: the page and its type-ahead find only records the role may open (search tests).
    "search": Entry(
        get=(302, 403, 200, 200, 200, 200),
        post=(302, 405, 405, 405, 405, 405),
        query="?q=Rita",
    ),
    "search_suggest": Entry(
        get=(302, 403, 200, 200, 200, 200),
        post=(302, 405, 405, 405, 405, 405),
        query="?q=Rita",
    ),
    "departure_start": Entry(
        get=(302, 404, 404, 404, 200, 200),
        post=(302, 404, 404, 404, 400, 400),
        args=pk("member", "member_id"),
    ),
    "staff_member": Entry(
        get=(302, 404, 200, 200, 200, 200), post=(302, 405, 405, 405, 405, 405), args=pk("member")
    ),
    "staff_absence": Entry(
        get=(302, 405, 405, 405, 405, 405), post=(302, 404, 403, 403, 400, 400), args=pk("member")
    ),
    "staff_absence_cancel": Entry(
        get=(302, 405, 405, 405, 405, 405), post=(302, 404, 403, 403, 302, 302), args=absence_args
    ),
    "staff_details": Entry(
        get=(302, 405, 405, 405, 405, 405), post=(302, 404, 403, 403, 400, 400), args=pk("member")
    ),
    "staff_status": Entry(
        get=(302, 405, 405, 405, 405, 405), post=(302, 404, 403, 403, 400, 400), args=pk("member")
    ),
    "departure_list": Entry(
        get=(302, 403, 403, 403, 200, 200),
        post=(302, 405, 405, 405, 405, 405),
        note="this GET writes (a directory row for everyone with a role); see issue 8",
    ),
    "departure_detail": Entry(
        get=(302, 404, 404, 404, 200, 200),
        post=(302, 405, 405, 405, 405, 405),
        args=pk("departure"),
    ),
    "departure_cancel": Entry(
        get=(302, 405, 405, 405, 405, 405),
        post=(302, 404, 404, 404, 302, 302),
        args=pk("departure"),
    ),
    "departure_complete": Entry(
        get=(302, 405, 405, 405, 405, 405),
        post=(302, 404, 404, 404, 302, 302),
        args=pk("departure"),
    ),
    "departure_handover": Entry(
        get=(302, 405, 405, 405, 405, 405),
        post=(302, 404, 404, 404, 400, 400),
        args=pk("departure"),
    ),
    "early_warning": Entry(get=(302, 403, 403, 403, 200, 200), post=(302, 405, 405, 405, 405, 405)),
    # quality: scorecards (reviewers see every scorecard; a rep only their own, so Ron gets 404)
    "scorecard": Entry(
        get=(302, 404, 200, 404, 200, 200),
        post=(302, 405, 405, 405, 405, 405),
        args=pk("scored_interaction"),
    ),
    "scorecard_review": Entry(
        get=(302, 405, 405, 405, 405, 405),
        post=(302, 403, 400, 404, 400, 400),
        args=pk("scorecard"),
    ),
    "scorecard_acknowledge": Entry(
        get=(302, 405, 405, 405, 405, 405),
        post=(302, 403, 400, 404, 400, 400),
        args=pk("scorecard"),
        note="only the rep who handled the touch acknowledges; others are told why (400)",
    ),
    "scorecard_dispute": Entry(
        get=(302, 405, 405, 405, 405, 405),
        post=(302, 403, 400, 404, 400, 400),
        args=pk("scorecard"),
    ),
    "transcript_import": Entry(
        get=(302, 403, 403, 200, 200, 200), post=(302, 403, 403, 400, 400, 400)
    ),
    "api-v1:list_scorecards": Entry(get=(401, 403, 200, 200, 200, 200)),
    "api-v1:get_scorecard": Entry(
        get=(401, 403, 200, 404, 200, 200), args=pk("scorecard", "scorecard_id")
    ),
    "dispute_list": Entry(get=(302, 403, 200, 200, 200, 200), post=(302, 405, 405, 405, 405, 405)),
    "dispute_resolve": Entry(
        get=(302, 405, 405, 405, 405, 405),
        post=(302, 404, 404, 404, 302, 302),
        args=pk("dispute"),
        note="an empty ruling is refused with a message on the disputes page",
    ),
    "quality_agreement": Entry(
        get=(302, 403, 200, 403, 200, 200), post=(302, 405, 405, 405, 405, 405)
    ),
    "training_examples": Entry(
        get=(302, 403, 200, 403, 200, 200),
        post=(302, 405, 405, 405, 405, 405),
        args=lambda world: {"check_id": "asked_name"},
    ),
    # quality: q-coach (coaches see every rep's coaching; a rep only their own, so Ron gets 404)
    "coaching_queue": Entry(
        get=(302, 403, 200, 200, 200, 200), post=(302, 405, 405, 405, 405, 405)
    ),
    "coaching_rep": Entry(
        get=(302, 404, 200, 404, 200, 200),
        post=(302, 405, 405, 405, 405, 405),
        args=pk("rep2_id", "rep_id"),
    ),
    "coaching_new": Entry(
        get=(302, 405, 405, 405, 405, 405),
        post=(302, 404, 400, 404, 400, 400),
        args=pk("rep2_id", "rep_id"),
    ),
    # quality: q-camp
    "campaign_list": Entry(get=(302, 403, 200, 403, 200, 200), post=(302, 405, 405, 405, 405, 405)),
    "campaign_new": Entry(get=(302, 403, 403, 403, 200, 200), post=(302, 403, 403, 403, 400, 400)),
    "campaign_detail": Entry(
        get=(302, 404, 200, 404, 200, 200),
        post=(302, 405, 405, 405, 405, 405),
        args=pk("campaign"),
    ),
    "campaign_edit": Entry(
        get=(302, 404, 403, 404, 200, 200),
        post=(302, 404, 403, 404, 400, 400),
        args=pk("campaign"),
    ),
    "campaign_link_new": Entry(
        get=(302, 405, 405, 405, 405, 405),
        post=(302, 404, 403, 404, 400, 400),
        args=pk("campaign"),
    ),
    "campaign_test_new": Entry(
        get=(302, 404, 403, 404, 200, 200),
        post=(302, 404, 403, 404, 400, 400),
        args=pk("campaign"),
        note="the trainer is not one of the campaign's testers",
    ),
    "campaign_report": Entry(
        get=(302, 404, 200, 404, 200, 200),
        post=(302, 405, 405, 405, 405, 405),
        args=pk("campaign"),
    ),
    "tester_link": Entry(
        get=(200, 200, 200, 200, 200, 200),
        post=(400, 400, 400, 400, 400, 400),
        args=pk("tester_token", "token"),
        note="an outside tester's private link: the token is the only credential",
    ),
    "api-v1:list_campaigns": Entry(get=(401, 403, 200, 403, 200, 200)),
    "api-v1:campaign_results": Entry(
        get=(401, 403, 200, 403, 200, 200), args=pk("campaign", "campaign_id")
    ),
    # quality: q-playbooks
    "playbook_list": Entry(
        get=(302, 403, 200, 200, 200, 200),
        post=(302, 405, 405, 405, 405, 405),
        note="stores the shipped default playbook on a fresh install, as scoring would",
    ),
    "playbook_new": Entry(get=(302, 403, 403, 403, 200, 200), post=(302, 403, 403, 403, 400, 400)),
    "playbook_detail": Entry(
        get=(302, 404, 200, 200, 200, 200),
        post=(302, 405, 405, 405, 405, 405),
        args=pk("playbook"),
    ),
    "playbook_edit": Entry(
        get=(302, 404, 404, 404, 200, 200),
        post=(302, 404, 404, 404, 400, 400),
        args=pk("playbook"),
    ),
    "playbook_team": Entry(
        get=(302, 405, 405, 405, 405, 405),
        post=(302, 404, 404, 404, 302, 302),
        args=pk("playbook"),
        note="an empty form means no team: a valid answer",
    ),
    "playbook_rescore": Entry(
        get=(302, 405, 405, 405, 405, 405),
        post=(302, 404, 404, 404, 400, 400),
        args=pk("playbook"),
    ),
    "playbook_version": Entry(
        get=(302, 404, 200, 200, 200, 200),
        post=(302, 405, 405, 405, 405, 405),
        args=pk("playbook_version"),
    ),
    "playbook_activate": Entry(
        get=(302, 405, 405, 405, 405, 405),
        post=(302, 404, 404, 404, 302, 302),
        args=pk("playbook_version"),
    ),
    "rescore_detail": Entry(
        get=(302, 404, 404, 404, 200, 200),
        post=(302, 405, 405, 405, 405, 405),
        args=pk("rescore"),
    ),
    "promotion_list": Entry(
        get=(302, 403, 200, 200, 200, 200), post=(302, 405, 405, 405, 405, 405)
    ),
    "promotion_new": Entry(get=(302, 403, 403, 403, 200, 200), post=(302, 403, 403, 403, 400, 400)),
    "promotion_edit": Entry(
        get=(302, 404, 404, 404, 200, 200),
        post=(302, 404, 404, 404, 400, 400),
        args=pk("promotion"),
    ),
    "promotion_delete": Entry(
        get=(302, 405, 405, 405, 405, 405),
        post=(302, 404, 404, 404, 302, 302),
        args=pk("promotion"),
    ),
    # quality: q-dash
    "quality_dashboard": Entry(
        get=(302, 403, 200, 200, 200, 200), post=(302, 405, 405, 405, 405, 405)
    ),
    "quality_conversations": Entry(
        get=(302, 403, 200, 200, 200, 200),
        post=(302, 405, 405, 405, 405, 405),
        query="?check=greeting&status=fail",
        note="a rep gets the list narrowed to their own touches, whatever ?rep= says",
    ),
    "quality_not_scored": Entry(
        get=(302, 403, 200, 200, 200, 200), post=(302, 405, 405, 405, 405, 405)
    ),
}


# --- the world and the cast's clients ----------------------------------------------------------


@pytest.fixture
def world(manager: User, rep2: User) -> World:
    customer = make_customer(owner=rep2)
    data = InteractionData(channel=Channel.CALL, summary="Asked for a quote", handled_by=rep2)
    call = log_interaction(customer, data, rep2)
    endpoint = webhooks.create_endpoint("https://crm.example.com/hook", list(webhooks.EVENTS))
    lead, _ = capture_lead(customer, LeadData(need="40 chairs"), owner=rep2, actor=rep2)
    delivery = WebhookDelivery.objects.filter(endpoint=endpoint).first()
    assert delivery is not None
    delivery.status = DeliveryStatus.FAILED
    delivery.save(update_fields=["status"])
    due = timezone.now() + timedelta(hours=4)
    promise = record_commitment(customer, rep2, "Call back with the quote", due, rep2)
    message = take_message(
        intended_for=rep2, about="Call me back", taken_by=manager, customer=customer
    )
    notice = notify(rep2, "Call Jane back", "/my-day/", "matrix")
    member = ensure_staff(rep2)
    start = timezone.now() + timedelta(days=7)
    absence = schedule_absence(member, start, start + timedelta(days=2), "Trade show")
    leaver = create_user("leo", PASSWORD, Role.REP, first_name="Leo", last_name="Leaving")
    departure = open_departure(ensure_staff(leaver), date.today() + timedelta(days=30), manager)
    # quality: a scored call of Rita's with a dispute she raised
    scored = log_interaction(customer, replace(data, turns=SCORED_TURNS), rep2)
    scorecard = score_interaction(scored)
    dispute = dispute_check(scorecard, "asked_name", "I had his name on screen", rep2)
    ids = {
        "customer": customer.pk,
        "contact": customer.contacts.get(kind="phone").pk,
        "interaction": call.pk,
        "lead": lead.pk,
        "webhook": endpoint.pk,
        "delivery": delivery.pk,
        "commitment": promise.pk,
        "message": message.pk,
        "notification": notice.pk,
        "member": member.pk,
        "absence": absence.pk,
        "departure": departure.pk,
        "calendar_token": issue_feed(rep2),
        "username": rep2.username,
        "rep2_id": rep2.pk,
        "manager_id": manager.pk,
        "scored_interaction": scored.pk,
        "scorecard": scorecard.pk,
        "dispute": dispute.pk,
    }
    rita_session = record_login_session(rep2, "matrix-session-of-rita", SessionClient(None, ""))
    ids["login_session"] = rita_session.pk
    ids["saved_view"] = save_view(manager, "customers", "Mine", "owner=me&sort=-created").pk
    # quality: q-coach (a coaching session of Rita's on the scored call's asked_name check)
    record_session(rep2, manager, ["asked_name"], "Ask the name first.", timezone.now())
    # quality: q-camp
    campaign = create_campaign(
        CampaignData("Toner calls", date.today(), date.today(), ("Ask a price",), (rep2,)), manager
    )
    ids["campaign"] = campaign.pk
    ids["tester_token"] = create_link(campaign, "Anna", None, timezone.now())[1]
    # quality: q-playbooks
    team_playbook = create_playbook(NewPlaybook("Rita's team", None, starting_text()), manager)
    ids["playbook"] = team_playbook.pk
    ids["playbook_version"] = team_playbook.versions.get().pk
    ids["rescore"] = RescoreRun.objects.create(playbook=team_playbook, since=timezone.now()).pk
    today = timezone.localdate()
    sale = PromotionData("Toner week", today, today, ("two for one",), "Two for one on toner.")
    ids["promotion"] = create_promotion(sale).pk
    return World(ids)


@dataclass
class Cast:
    users: dict[str, User]
    tokens: dict[str, str] = field(default_factory=dict)

    def client(self, role: str | None, api: bool) -> Client:
        if api:
            headers = {} if role is None else {"Authorization": f"Bearer {self.tokens[role]}"}
            return Client(raise_request_exception=False, headers=headers)
        client = Client(raise_request_exception=False)
        if role is not None:
            client.force_login(self.users[role])
        return client


@pytest.fixture
def cast(
    owner: User, manager: User, rep: User, trainer: User, outsider: User, world: World
) -> Cast:
    users = {"owner": owner, "manager": manager, "rep": rep, "trainer": trainer}
    users["outsider"] = outsider
    cast = Cast(users)
    for role, user in users.items():
        cast.tokens[role] = issue_token(user, "matrix", scopes=tuple(Scope))[1]
    return cast


def answer(cast: Cast, role: str | None, method: str, url: str, body: dict[str, object]) -> int:
    """The status this role gets; whatever the request changed is rolled back."""
    api = url.startswith("/api/")
    client = cast.client(role, api)
    with transaction.atomic():
        if method == "get":
            response = client.get(url)
        elif api:
            data = json.dumps(body)
            response = getattr(client, method)(url, data, content_type="application/json")
        else:
            response = getattr(client, method)(url, {})
        transaction.set_rollback(True)
    return int(response.status_code)


def observed(cast: Cast, world: World, key: str, entry: Entry) -> dict[str, Row]:
    url = reverse(key, kwargs=entry.args(world)) + entry.query
    body = entry.body(world) if entry.body is not None else {}
    rows: dict[str, Row] = {}
    for method, _ in entry.methods():
        statuses = [answer(cast, role, method, url, body) for role in COLUMNS]
        rows[method] = (
            statuses[0],
            statuses[1],
            statuses[2],
            statuses[3],
            statuses[4],
            statuses[5],
        )
    return rows


# --- the tests -----------------------------------------------------------------------------------


def test_it_has_an_entry_for_every_url_pattern_and_no_other() -> None:
    patterns = set(all_patterns())
    assert sorted(patterns - set(TABLE)) == [], "URL patterns with no expected answers per role"
    assert sorted(set(TABLE) - patterns) == [], "table entries that match no URL pattern"


@pytest.mark.parametrize("key", sorted(TABLE))
def test_it_answers_every_role_as_the_table_says(key: str, cast: Cast, world: World) -> None:
    entry = TABLE[key]
    expected = dict(entry.methods())
    assert observed(cast, world, key, entry) == expected, entry.note
