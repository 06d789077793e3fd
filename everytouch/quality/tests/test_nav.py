"""The Quality menu: one top-bar link for every role, and only the pages a role may open."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import AnonymousUser
from django.urls import reverse

from everytouch.quality.templatetags.quality_nav import sees_quality
from everytouch.testing import client_for, user_for

pytestmark = pytest.mark.django_db

ALL = {"Dashboard", "Disputes", "Agreement", "Coaching", "Call-in tests", "Playbooks"}
ALL |= {"Promotions", "Import transcripts"}


@pytest.mark.parametrize(
    ("role", "hidden"),
    [
        ("owner", set()),
        ("manager", set()),
        ("trainer", {"Import transcripts"}),
        ("rep", {"Agreement", "Call-in tests"}),
    ],
)
def test_it_shows_each_role_the_quality_pages_it_may_open(
    request: pytest.FixtureRequest, role: str, hidden: set[str]
) -> None:
    html = client_for(user_for(request, role)).get(reverse("quality_dashboard")).content.decode()
    # The top-bar link, marked as the current page there.
    assert f'<a href="{reverse("quality_dashboard")}" aria-current="page">Quality</a>' in html
    menu = html.split('<nav class="subnav" aria-label="Quality">', 1)[1].split("</nav>", 1)[0]
    shown = {label for label in ALL if f">{label}</a>" in menu}
    assert shown == ALL - hidden
    assert 'aria-current="page">Dashboard</a>' in menu


@pytest.mark.parametrize(
    ("role", "sees"),
    [("owner", True), ("manager", True), ("trainer", True), ("rep", True), ("outsider", False)],
)
def test_the_top_bar_link_is_for_roles_only(
    request: pytest.FixtureRequest, role: str, sees: bool
) -> None:
    # Outsiders get 403 pages, which carry no menu; the filter itself decides the link.
    user = user_for(request, role)
    assert user is not None
    assert sees_quality(user) is sees
    assert sees_quality(AnonymousUser()) is False
