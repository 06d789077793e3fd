"""Every view that honours a posted "next" refuses an off-site one and an http:// one on https.

One table of views, so a view that starts honouring "next" is added here with its fallback.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import NamedTuple

import pytest
from django.contrib.auth.models import User
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from everytouch.customers.actions import CustomerData, create_customer
from everytouch.customers.models import Customer
from everytouch.followups.actions import record_commitment
from everytouch.leads.actions import LeadData, capture_lead
from everytouch.staff.messages.actions import take_message

pytestmark = pytest.mark.django_db


class Post(NamedTuple):
    url: str
    data: dict[str, str]
    fallback: str


def _lead_stage(customer: Customer, rep: User) -> Post:
    lead, _ = capture_lead(customer, LeadData(need="40 chairs"), owner=rep, actor=rep)
    fallback = reverse("lead_detail", args=[lead.pk])
    return Post(reverse("lead_stage", args=[lead.pk]), {"stage": "contacted"}, fallback)


def _message(view: str) -> Callable[[Customer, User], Post]:
    def build(customer: Customer, rep: User) -> Post:
        message = take_message(
            intended_for=rep, about="Wants a quote", taken_by=rep, customer=customer
        )
        return Post(reverse(view, args=[message.pk]), {}, reverse("messages_mine"))

    return build


def _commitment_done(customer: Customer, rep: User) -> Post:
    due = timezone.now() + timedelta(hours=4)
    commitment = record_commitment(customer, rep, "Send the quote", due, rep)
    return Post(reverse("commitment_done", args=[commitment.pk]), {}, reverse("my_day"))


VIEWS = {
    "lead_stage": _lead_stage,
    "message_ack": _message("message_ack"),
    "message_done": _message("message_done"),
    "commitment_done": _commitment_done,
}


@pytest.fixture
def customer(rep: User) -> Customer:
    data = CustomerData(name="Jane Doe", owner=rep, contacts=["+12015550123"])
    return create_customer(data, None)


def _post_as(user: User, post: Post, target: str, secure: bool) -> str:
    client = Client()
    client.force_login(user)
    response = client.post(post.url, {**post.data, "next": target}, secure=secure)
    assert response.status_code == 302
    return str(response["Location"])


@pytest.mark.parametrize("view", VIEWS)
def test_it_refuses_an_off_site_next(view: str, customer: Customer, rep: User) -> None:
    post = VIEWS[view](customer, rep)
    assert _post_as(rep, post, "https://evil.example/", secure=True) == post.fallback


@pytest.mark.parametrize("view", VIEWS)
def test_it_refuses_an_http_next_on_a_secure_request(
    view: str, customer: Customer, rep: User
) -> None:
    post = VIEWS[view](customer, rep)
    assert _post_as(rep, post, "http://testserver/customers/", secure=True) == post.fallback


@pytest.mark.parametrize("view", VIEWS)
def test_it_returns_to_a_page_on_this_site(view: str, customer: Customer, rep: User) -> None:
    post = VIEWS[view](customer, rep)
    target = "https://testserver/customers/?q=jane"
    assert _post_as(rep, post, target, secure=True) == target
