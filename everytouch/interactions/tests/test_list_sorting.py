"""The interaction list: sortable columns, channel and "only mine" filters kept in the links."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.contrib.auth.models import User
from django.urls import reverse
from django.utils import timezone

from everytouch.interactions.actions import InteractionData, log_interaction
from everytouch.interactions.models import Channel
from everytouch.testing import client_for, make_customer

pytestmark = pytest.mark.django_db


@pytest.fixture
def three(rep: User, rep2: User) -> list[int]:
    """A call by Rita to Bea, an e-mail by Ron to Al an hour later, a chat by Rita to Cy."""
    made = []
    start = timezone.now() - timedelta(hours=3)
    rows = (("Bea", Channel.CALL, rep2), ("Al", Channel.EMAIL, rep), ("Cy", Channel.CHAT, rep2))
    for i, (name, channel, who) in enumerate(rows):
        customer = make_customer(name, (f"+1201555011{i}",))
        data = InteractionData(
            channel=channel, handled_by=who, started_at=start + timedelta(hours=i)
        )
        made.append(log_interaction(customer, data, who).pk)
    return made


def order(user: User, **params: str) -> list[int]:
    response = client_for(user).get(reverse("interaction_list"), params)
    assert response.status_code == 200
    return [i.pk for i in response.context["page"].object_list]


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({}, [2, 1, 0]),
        ({"sort": "when"}, [0, 1, 2]),
        ({"sort": "customer"}, [1, 0, 2]),
        ({"sort": "-customer"}, [2, 0, 1]),
        ({"sort": "channel"}, [0, 2, 1]),
        ({"sort": "handled_by"}, [2, 0, 1]),
        ({"sort": "-handled_by"}, [1, 0, 2]),
        ({"sort": "summary"}, [2, 1, 0]),
        ({"sort": "customer", "mine": "1"}, [1]),
        ({"sort": "-when", "channel": "chat"}, [2]),
    ],
)
def test_it_sorts_and_filters_the_interaction_list(
    three: list[int], rep: User, params: dict[str, str], expected: list[int]
) -> None:
    assert order(rep, **params) == [three[i] for i in expected]


def test_it_keeps_the_filters_in_the_header_links(three: list[int], rep: User) -> None:
    content = client_for(rep).get(reverse("interaction_list"), {"channel": "call"}).content.decode()
    assert 'aria-sort="descending"><a class="sort" href="?channel=call&amp;sort=when">' in content
    assert 'href="?channel=call&amp;sort=customer">Customer</a>' in content
    # The channel filter is a plain form: no inline handler submits it.
    assert "onchange" not in content
