"""Saved list views: managers and owners save a list's filters and sort; nobody else can."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import User
from django.urls import reverse

from everytouch.accounts.actions import (
    SAVED_VIEWS_PER_PAGE,
    SavedViewError,
    delete_view,
    save_view,
)
from everytouch.accounts.listing import SAVED_PAGES
from everytouch.accounts.models import SavedView
from everytouch.testing import client_for, user_for

pytestmark = pytest.mark.django_db


def a_save(
    page: str = "customers", name: str = "My accounts", query: str = "owner=me"
) -> dict[str, str]:
    return {"page": page, "name": name, "query": query}


@pytest.mark.parametrize(
    ("role", "status"),
    [("owner", 302), ("manager", 302), ("rep", 403), ("trainer", 403), ("outsider", 403)],
)
def test_it_lets_only_managers_and_owners_save_a_view(
    request: pytest.FixtureRequest, role: str, status: int
) -> None:
    user = user_for(request, role)
    response = client_for(user).post(reverse("saved_view_save"), a_save())
    assert response.status_code == status
    assert SavedView.objects.filter(user=user).exists() == (status == 302)


def test_it_sends_anonymous_savers_to_the_login_page() -> None:
    response = client_for(None).post(reverse("saved_view_save"), a_save())
    assert response.status_code == 302
    assert "/login" in response["Location"]
    assert not SavedView.objects.exists()


def test_it_saves_only_the_pages_own_parameters_and_opens_the_view(manager: User) -> None:
    query = "q=Acme&sort=-created&page=4&owner=me&debug=1"
    response = client_for(manager).post(reverse("saved_view_save"), a_save(query=query))
    view = SavedView.objects.get(user=manager)
    kept = "owner=me&q=Acme&sort=-created"
    assert (view.page, view.name, view.query) == ("customers", "My accounts", kept)
    assert response["Location"] == reverse("customer_list") + "?" + kept


@pytest.mark.parametrize(
    ("name", "reason"),
    [
        ("", b"This field is required"),
        ("   ", b"This field is required"),
        ("x" * 61, b"at most 60"),
    ],
)
def test_it_refuses_an_empty_or_overlong_name_with_the_reason(
    manager: User, name: str, reason: bytes
) -> None:
    response = client_for(manager).post(reverse("saved_view_save"), a_save(name=name))
    assert response.status_code == 400
    assert reason in response.content
    assert not SavedView.objects.exists()


def test_it_refuses_an_unknown_page(manager: User) -> None:
    response = client_for(manager).post(reverse("saved_view_save"), a_save(page="admin"))
    assert response.status_code == 400
    assert b"Unknown list page" in response.content
    assert not SavedView.objects.exists()


def test_it_replaces_a_view_saved_again_under_the_same_name(manager: User) -> None:
    first = save_view(manager, "leads", "Stale", "untouched=3")
    again = save_view(manager, "leads", "  Stale ", "untouched=7&stage=new")
    assert again.pk == first.pk
    assert SavedView.objects.get().query == "stage=new&untouched=7"


def test_it_keeps_the_same_name_apart_per_page_and_per_user(manager: User, owner: User) -> None:
    save_view(manager, "leads", "Mine", "owner=me")
    save_view(manager, "customers", "Mine", "owner=me")
    save_view(owner, "leads", "Mine", "owner=me")
    assert SavedView.objects.count() == 3


def test_it_caps_the_views_on_one_page(manager: User) -> None:
    for i in range(SAVED_VIEWS_PER_PAGE):
        save_view(manager, "customers", f"View {i}", "")
    with pytest.raises(SavedViewError, match="at most"):
        save_view(manager, "customers", "One more", "")
    save_view(manager, "leads", "Elsewhere", "")


def test_it_refuses_an_unknown_page_in_the_action(manager: User) -> None:
    with pytest.raises(SavedViewError, match="no list page"):
        save_view(manager, "nowhere", "x", "")


@pytest.mark.parametrize("key", sorted(SAVED_PAGES))
def test_it_lists_a_managers_views_on_their_page_as_links(manager: User, key: str) -> None:
    page = SAVED_PAGES[key].url_name
    view = save_view(manager, key, "Newest first", "sort=-created")
    content = client_for(manager).get(reverse(page)).content.decode()
    assert f'href="{reverse(page)}?sort=-created"' in content
    assert "Newest first" in content
    assert reverse("saved_view_delete", args=[view.pk]) in content
    assert 'name="name"' in content


@pytest.mark.parametrize("role", ["rep", "trainer"])
def test_it_offers_no_save_control_to_reps_and_trainers(
    request: pytest.FixtureRequest, role: str
) -> None:
    content = client_for(user_for(request, role)).get(reverse("customer_list")).content
    assert b'data-testid="saved-views"' not in content
    assert reverse("saved_view_save").encode() not in content


def test_it_shows_one_managers_views_to_nobody_else(manager: User, owner: User) -> None:
    save_view(manager, "customers", "Managers only", "sort=-created")
    assert b"Managers only" not in client_for(owner).get(reverse("customer_list")).content


@pytest.mark.parametrize(
    ("role", "status"),
    [("manager", 302), ("owner", 404), ("rep", 404), ("trainer", 404), ("outsider", 404)],
)
def test_it_lets_only_the_views_own_manager_delete_it(
    request: pytest.FixtureRequest, manager: User, role: str, status: int
) -> None:
    view = save_view(manager, "customers", "Mine", "owner=me")
    client = client_for(user_for(request, role))
    response = client.post(reverse("saved_view_delete", args=[view.pk]), {"next": "/customers/"})
    assert response.status_code == status
    assert SavedView.objects.filter(pk=view.pk).exists() == (status != 302)
    if status == 302:
        assert response["Location"] == "/customers/"


def test_it_deletes_a_view_through_the_action(manager: User) -> None:
    delete_view(save_view(manager, "customers", "Mine", "owner=me"))
    assert not SavedView.objects.exists()
