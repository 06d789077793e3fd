"""No card number survives anywhere: every table, the logs, webhook bodies and e-mails.

Card numbers in every format (everytouch/testing/cards.py) go in through the API and the web
forms, into every free-text field a person fills in. Then one scan reads every text and JSON
column of every table (whatever the apps define, found through the model registry), the log
lines the console handler wrote, each webhook body as it would be sent and each notification
e-mail as the SMTP server received it, and looks for any eight digits in a row of any card.
Each test pushes a few examples per path and scans once at its end.
"""

from __future__ import annotations

import io
import json
import logging
from collections.abc import Callable, Iterator
from datetime import timedelta
from typing import Any

import pytest
from django.apps import apps
from django.contrib.auth.models import User
from django.db import models
from django.urls import reverse
from django.utils import timezone
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from everytouch.interactions.models import Interaction
from everytouch.leads import webhooks
from everytouch.leads.models import Lead, WebhookDelivery, WebhookEndpoint
from everytouch.quality import campaigns
from everytouch.quality.actions import score_interaction
from everytouch.quality.campaigns import CampaignData
from everytouch.quality.coaching import checks_seen
from everytouch.quality.models import Campaign
from everytouch.redaction import EXEMPT, CardNumberFilter, redact_value, redacted_values
from everytouch.staff import tasks
from everytouch.staff.models import Notification
from everytouch.testing import bearer, client_for, make_customer, post_json
from everytouch.testing.cards import (
    Card,
    card_texts,
    eight_digit_runs,
    split_cards,
    survivors,
)
from everytouch.testing.mail import Inbox

# A few examples per path, and no shrinking: each example is a dozen requests, and a failure
# names the column and the card it found.
EXAMPLES = settings(
    max_examples=5,
    deadline=None,
    phases=(Phase.explicit, Phase.reuse, Phase.generate),
    suppress_health_check=[
        HealthCheck.function_scoped_fixture,
        HealthCheck.too_slow,
        HealthCheck.filter_too_much,
    ],
)
RECEIVER = "https://crm.example.com/hooks/everytouch"


@pytest.fixture
def console() -> Iterator[io.StringIO]:
    """What the configured console handler (the one with the card filter) writes."""
    handler = next(
        h
        for h in logging.getLogger("everytouch").handlers
        if any(isinstance(f, CardNumberFilter) for f in h.filters)
    )
    assert isinstance(handler, logging.StreamHandler)
    buffer = io.StringIO()
    # Swapped without setStream(), which flushes the old stream: an earlier test's captured
    # stderr may be closed by now.
    old, handler.stream = handler.stream, buffer
    try:
        yield buffer
    finally:
        handler.stream = old


@pytest.fixture
def endpoint(db: None) -> WebhookEndpoint:
    return WebhookEndpoint.objects.create(
        url=RECEIVER, secret="s3cret", events=list(webhooks.EVENTS)
    )


# --- the scan --------------------------------------------------------------------------------


def _text_columns(model: type[models.Model]) -> list[str]:
    kinds = (models.CharField, models.TextField, models.JSONField)
    return [f.attname for f in model._meta.concrete_fields if isinstance(f, kinds)]


def stored_texts() -> Iterator[tuple[str, str]]:
    """(where, text) for every text and JSON value in every table."""
    for model in apps.get_models(include_auto_created=True):
        columns = _text_columns(model)
        if not columns:
            continue
        for row in model._default_manager.values_list("pk", *columns):
            for column, value in zip(columns, row[1:], strict=True):
                if value not in (None, "", [], {}):
                    text = value if isinstance(value, str) else json.dumps(value)
                    yield f"{model._meta.label}.{column} pk={row[0]}", text


def sent_texts(inbox: Inbox | None) -> Iterator[tuple[str, str]]:
    for delivery in WebhookDelivery.objects.all():
        yield f"webhook body {delivery.pk}", webhooks.encode(delivery.payload).decode()
    if inbox is None:
        return
    User.objects.update(email="staff@example.com")
    for notice in Notification.objects.all():
        tasks.send_notification_email.call(notice.pk)
    assert inbox.received, "no notification e-mail was sent"
    for message in inbox.received:
        body = message.get_body(preferencelist=("plain",))
        assert body is not None
        yield f"e-mail {message['Subject']}", f"{message['Subject']}\n{body.get_content()}"


def assert_none_survives(cards: list[Card], logs: str, inbox: Inbox | None = None) -> None:
    assert cards, "no examples ran"
    runs = eight_digit_runs([c.digits for c in cards])
    places = [*stored_texts(), *sent_texts(inbox), ("the log", logs)]
    found = [(where, survivors(text, runs)) for where, text in places]
    assert [f for f in found if f[1]] == []


def log_it(card: Card) -> None:
    """What a careless log line would carry: the text itself, and an exception about it."""
    log = logging.getLogger("everytouch.tests.card_redaction")
    log.warning("caller said %s", " / ".join(card.texts))
    try:
        raise ValueError(f"could not read {one_text(card)!r}")
    except ValueError:
        log.exception("while reading")


def any_card() -> st.SearchStrategy[Card]:
    return st.one_of(card_texts(), split_cards())


def short_card() -> st.SearchStrategy[Card]:
    """A card text that fits a 100-character field (a lead's budget) whole."""
    return card_texts().filter(lambda card: len(one_text(card)) <= 100)


def one_text(card: Card) -> str:
    return " ".join(card.texts)


# --- the API ---------------------------------------------------------------------------------


def test_it_keeps_card_numbers_from_the_api_out_of_the_database_logs_and_payloads(
    rep: User, manager: User, endpoint: WebhookEndpoint, console: io.StringIO, smtp_inbox: Inbox
) -> None:
    api = bearer(rep)
    cards: list[Card] = []

    @EXAMPLES
    @given(st.lists(any_card(), min_size=7, max_size=7), split_cards(), short_card())
    def write(texts: list[Card], spoken_over_turns: Card, short: Card) -> None:
        cards.extend([*texts, spoken_over_turns, short])
        body = {"name": one_text(texts[0]), "company": one_text(texts[1])}
        made = post_json(api, "/api/v1/customers", body | {"notes": one_text(texts[2])})
        assert made.status_code == 201, made.content
        customer_id = made.json()["id"]
        patch = api.patch(
            f"/api/v1/customers/{customer_id}",
            json.dumps({"notes": one_text(texts[3])}),
            content_type="application/json",
        )
        assert patch.status_code == 200, patch.content
        turns = [{"speaker": "agent", "text": "Card number please?"}]
        turns += [{"speaker": "customer", "text": t} for t in spoken_over_turns.texts]
        touch = {
            "customer_id": customer_id,
            "channel": "call",
            "summary": one_text(texts[4]),
            "need": one_text(texts[5]),
            "turns": turns,
        }
        logged = post_json(api, "/api/v1/interactions", touch)
        assert logged.status_code == 201, logged.content
        score_interaction(Interaction.objects.get(pk=logged.json()["id"]))
        lead = {
            "customer_id": customer_id,
            "need": "chairs " + one_text(texts[6]),
            "budget": one_text(short),
            "product_interest": one_text(texts[1]),
            "owner_id": manager.pk,
        }
        captured = post_json(api, "/api/v1/leads", lead)
        assert captured.status_code == 201, captured.content
        promise = {
            "customer_id": customer_id,
            "what": "Call back about " + one_text(texts[2]),
            "due_at": (timezone.now() + timedelta(days=1)).isoformat(),
        }
        promised = post_json(api, "/api/v1/commitments", promise)
        assert promised.status_code == 201, promised.content
        for card in (*texts, spoken_over_turns, short):
            log_it(card)

    write()
    assert WebhookDelivery.objects.exists() and Notification.objects.exists()
    assert_none_survives(cards, console.getvalue(), smtp_inbox)


# --- the web forms ---------------------------------------------------------------------------


def _campaign(manager: User, rep: User) -> Campaign:
    today = timezone.localdate()
    data = CampaignData(
        name="Spring test",
        starts_on=today,
        ends_on=today + timedelta(days=14),
        scenarios=("Ask the price of a toner cartridge",),
        reps=(rep,),
    )
    return campaigns.create_campaign(data, manager)


def _web_writes(rep: User, manager: User) -> Callable[[list[Card], Card, Card], None]:
    customer = make_customer()
    campaign = _campaign(manager, rep)
    # A scored call, so the rep has results a coaching session can cover.
    turns = [{"speaker": "agent", "text": "Acme, may I have your name?"}]
    touch = {"customer_id": customer.pk, "channel": "call", "turns": turns}
    logged = post_json(bearer(rep), "/api/v1/interactions", touch)
    score_interaction(Interaction.objects.get(pk=logged.json()["id"]))
    desk, boss = client_for(rep), client_for(manager)

    def post(client: Any, url: str, data: dict[str, Any]) -> None:
        answer = client.post(url, data)
        form = answer.context and answer.context.get("form")
        assert answer.status_code == 302, (url, form.errors if form else answer.status_code)

    def write(texts: list[Card], over_turns: Card, short: Card) -> None:
        edit = {"name": one_text(texts[0]), "company": one_text(texts[1])}
        post(
            desk, reverse("customer_edit", args=[customer.pk]), edit | {"notes": one_text(texts[2])}
        )
        lead = {"customer_id": customer.pk, "need": "desks " + one_text(texts[3])}
        lead |= {"budget": one_text(short), "product_interest": one_text(texts[5])}
        post(desk, reverse("lead_new"), lead | {"owner": str(manager.pk), "timeline": ""})
        message = {"intended_for": str(manager.pk), "caller_name": one_text(texts[0])}
        message |= {"callback_number": "201-555-0199", "callback_email": "", "urgency": "normal"}
        message |= {"about": one_text(texts[1]), "customer_id": ""}
        post(desk, reverse("message_new"), message)
        transcript = "Agent: Good morning, Acme Office Supply.\n"
        transcript += "".join(f"Customer: {t}\n" for t in over_turns.texts) + "Agent: Thanks.\n"
        called = timezone.localtime() - timedelta(hours=1)
        test = {"scenario": campaign.scenarios.get().pk, "who": f"rep:{rep.pk}", "answer": "live"}
        test |= {"seconds_to_answer": "6", "called_at": called.strftime("%Y-%m-%dT%H:%M")}
        test |= {"transcript_text": transcript, "notes": one_text(texts[2])}
        post(boss, reverse("campaign_test_new", args=[campaign.pk]), test)
        seen = [check_id for check_id, _ in checks_seen(rep)]
        coaching = {"check_ids": seen[:1], "notes": one_text(texts[3])}
        post(boss, reverse("coaching_new", args=[rep.pk]), coaching)
        for card in (*texts, over_turns, short):
            log_it(card)

    return write


def test_it_keeps_card_numbers_from_the_web_forms_out_of_the_database_and_logs(
    rep: User, manager: User, endpoint: WebhookEndpoint, console: io.StringIO, smtp_inbox: Inbox
) -> None:
    cards: list[Card] = []
    write_all = _web_writes(rep, manager)

    @EXAMPLES
    @given(st.lists(any_card(), min_size=6, max_size=6), split_cards(), short_card())
    def write(texts: list[Card], over_turns: Card, short: Card) -> None:
        cards.extend([*texts, over_turns, short])
        write_all(texts, over_turns, short)

    write()
    assert_none_survives(cards, console.getvalue(), smtp_inbox)


# --- the boundaries on their own ---------------------------------------------------------------


def test_it_redacts_a_webhook_body_and_an_email_at_the_edge(rep: User, smtp_inbox: Inbox) -> None:
    # Rows are redacted when saved; these bodies are built from values that never were.
    body = webhooks.encode({"lead": {"need": "card 4539 1488 0343 6467", "id": 12}})
    assert b"4539 1488" not in body and b"[card ending 6467]" in body
    assert json.loads(body)["lead"]["id"] == 12
    User.objects.filter(pk=rep.pk).update(email="ron@example.com")
    notice = Notification.objects.create(user=rep, text="Call back", url="/leads/1/", key="k")
    Notification.objects.filter(pk=notice.pk).update(text="Caller read 4539-1488-0343-6467")
    assert tasks.send_notification_email.call(notice.pk) is True
    (mail,) = smtp_inbox.received
    assert "4539" not in str(mail) and "[card ending 6467]" in str(mail)


def test_it_redacts_a_log_record_through_the_configured_handler(console: io.StringIO) -> None:
    logging.getLogger("everytouch.leads").warning("need=%s", "four five three nine 1488 0343 6467")
    logging.getLogger("everytouch.access").info("user=1 q=%s", "4539148803436467")
    assert "1488" not in console.getvalue() and console.getvalue().count("[card ending 6467]") == 2


def test_it_leaves_the_exempt_fields_alone(endpoint: WebhookEndpoint) -> None:
    endpoint.secret = "4539148803436467"
    endpoint.save()
    endpoint.refresh_from_db()
    assert endpoint.secret == "4539148803436467"
    assert redact_value({"a": ["4539 1488 0343 6467", 7]}) == {"a": ["[card ending 6467]", 7]}


def test_it_names_only_real_fields_as_exempt() -> None:
    for path in EXEMPT:
        app_model, field = path.rsplit(".", 1)
        assert apps.get_model(app_model)._meta.get_field(field).name == field


def test_it_redacts_values_for_a_queryset_update() -> None:
    values = redacted_values(Lead, {"budget": "4539 1488 0343 6467", "stage": "won", "owner_id": 3})
    assert values == {"budget": "[card ending 6467]", "stage": "won", "owner_id": 3}
    assert redacted_values(WebhookEndpoint, {"secret": "4539148803436467"})["secret"] == (
        "4539148803436467"
    )
