"""Promotions in the app: edited by managers, fed to the promotion check, shown at the desk."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.contrib.auth.models import User
from django.urls import reverse
from hypothesis import given
from hypothesis import strategies as st

from everytouch.interactions.actions import InteractionData, TurnData, log_interaction
from everytouch.interactions.models import Channel
from everytouch.quality import actions, promotions
from everytouch.quality.models import Promotion
from everytouch.testing import client_for, user_for

pytestmark = pytest.mark.django_db

MENTIONS_SALE = (
    TurnData("agent", "Good morning, Acme Office Supply, this is Ron."),
    TurnData("customer", "How much is a toner cartridge?"),
    TurnData("agent", "It's $89.99, and this week it's two for one."),
)


def a_promotion(start: int = -1, end: int = 1, name: str = "Toner week") -> Promotion:
    today = promotions.today()
    data = promotions.PromotionData(
        name,
        today + timedelta(days=start),
        today + timedelta(days=end),
        ("two for one",),
        "Toner is two for one until Friday.",
    )
    return promotions.create_promotion(data)


def form(**changes: str) -> dict[str, str]:
    today = promotions.today()
    data = {
        "name": "Spring sale",
        "valid_from": today.isoformat(),
        "valid_to": (today + timedelta(days=7)).isoformat(),
        "keywords": "spring sale, 20% off\n20% OFF",
        "what_to_say": "Everything is 20% off until next week.",
    }
    return {**data, **changes}


# --- the domain ----------------------------------------------------------------------------------


def test_it_splits_keywords_and_drops_blanks_and_repeats() -> None:
    assert promotions.parse_keywords("two for one, 2-for-1;\n\n Two  for one ") == (
        "two for one",
        "2-for-1",
    )


@pytest.mark.parametrize("text", ["---", "x" * 61, ",".join(f"k{i}" for i in range(21))])
def test_it_refuses_keywords_a_rep_could_not_say(text: str) -> None:
    with pytest.raises(promotions.PromotionError):
        promotions.parse_keywords(text)


@given(st.text(max_size=200))
def test_it_never_keeps_an_empty_or_repeated_keyword(text: str) -> None:
    try:
        words = promotions.parse_keywords(text)
    except promotions.PromotionError:
        return
    assert all(w.strip() and w == " ".join(w.split()) for w in words)
    assert len({w.casefold() for w in words}) == len(words)


def test_it_refuses_a_last_day_before_the_first() -> None:
    with pytest.raises(promotions.PromotionError) as caught:
        a_promotion(start=2, end=1)
    assert caught.value.field == "valid_to"
    assert not Promotion.objects.exists()


def test_it_feeds_only_valid_promotions_to_the_check() -> None:
    a_promotion(name="Toner week")
    a_promotion(start=-9, end=-2, name="Last month")
    a_promotion(start=3, end=9, name="Next week")
    names = [p.name for p in actions.promotions_on(promotions.today())]
    assert names == ["Toner week"]


def test_a_promotion_edited_in_the_app_passes_the_promotion_check(rep: User) -> None:
    a_promotion()
    data = InteractionData(channel=Channel.CALL, handled_by=rep, turns=MENTIONS_SALE)
    card = actions.score_interaction(log_interaction(None, data, rep))
    outcome = card.outcomes.get(check_id="promotion_mentioned")
    assert outcome.status == "pass"
    assert outcome.evidence[0]["turn"] == 2


def test_without_a_valid_promotion_the_check_does_not_apply(rep: User) -> None:
    a_promotion(start=-9, end=-2)
    data = InteractionData(channel=Channel.CALL, handled_by=rep, turns=MENTIONS_SALE)
    card = actions.score_interaction(log_interaction(None, data, rep))
    assert card.outcomes.get(check_id="promotion_mentioned").status == "n/a"


def test_it_lists_current_then_past() -> None:
    now, past = a_promotion(), a_promotion(start=-9, end=-2, name="Old")
    day = promotions.today()
    assert list(promotions.listed("current", day)) == [now]
    assert list(promotions.listed("past", day)) == [past]


# --- pages, per role -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("role", "status"),
    [("owner", 200), ("manager", 200), ("rep", 200), ("trainer", 200), ("outsider", 403)],
)
def test_it_lists_promotions_to_every_staff_role(
    request: pytest.FixtureRequest, role: str, status: int
) -> None:
    a_promotion()
    response = client_for(user_for(request, role)).get(reverse("promotion_list"))
    assert response.status_code == status
    if status == 200:
        assert b"Toner week" in response.content
        assert (b"New promotion" in response.content) == (role in {"owner", "manager"})


def test_it_sends_anonymous_visitors_to_log_in() -> None:
    response = client_for(None).get(reverse("promotion_list"))
    assert response.status_code == 302 and "login" in response["Location"]


def test_it_shows_past_promotions_on_request(manager: User) -> None:
    a_promotion(start=-9, end=-2, name="Old offer")
    client = client_for(manager)
    assert b"Old offer" not in client.get(reverse("promotion_list")).content
    assert b"Old offer" in client.get(reverse("promotion_list") + "?show=past").content
    assert client.get(reverse("promotion_list") + "?show=future").status_code == 400


@pytest.mark.parametrize(
    ("role", "status", "created"),
    [
        ("owner", 302, True),
        ("manager", 302, True),
        ("rep", 403, False),
        ("trainer", 403, False),
        ("outsider", 403, False),
        (None, 302, False),
    ],
)
def test_it_lets_only_managers_add_a_promotion(
    request: pytest.FixtureRequest, role: str | None, status: int, created: bool
) -> None:
    response = client_for(user_for(request, role)).post(reverse("promotion_new"), form())
    assert response.status_code == status
    assert Promotion.objects.filter(name="Spring sale").exists() == created
    if created:
        assert Promotion.objects.get().keywords == ["spring sale", "20% off"]


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"name": ""}, b"This field is required"),
        ({"valid_to": (date.today() - timedelta(days=30)).isoformat()}, b"before the first"),
        ({"valid_from": "someday"}, b"Enter a valid date"),
        ({"keywords": "!!!"}, b"no word a rep could say"),
        ({"what_to_say": ""}, b"This field is required"),
    ],
)
def test_it_explains_a_bad_promotion_and_saves_nothing(
    manager: User, changes: dict[str, str], message: bytes
) -> None:
    response = client_for(manager).post(reverse("promotion_new"), form(**changes))
    assert response.status_code == 400
    assert message in response.content
    assert not Promotion.objects.exists()


@pytest.mark.parametrize(
    ("role", "status", "edited"),
    [
        ("owner", 302, True),
        ("manager", 302, True),
        ("rep", 404, False),
        ("trainer", 404, False),
        ("outsider", 404, False),
        (None, 302, False),
    ],
)
def test_it_lets_only_managers_edit_a_promotion(
    request: pytest.FixtureRequest, role: str | None, status: int, edited: bool
) -> None:
    promotion = a_promotion()
    url = reverse("promotion_edit", args=[promotion.pk])
    response = client_for(user_for(request, role)).post(url, form(name="Toner fortnight"))
    assert response.status_code == status
    promotion.refresh_from_db()
    assert (promotion.name == "Toner fortnight") == edited


def test_it_opens_the_editor_with_the_keywords_as_typed(manager: User) -> None:
    promotion = a_promotion()
    response = client_for(manager).get(reverse("promotion_edit", args=[promotion.pk]))
    assert response.status_code == 200
    assert b"two for one" in response.content


@pytest.mark.parametrize(
    ("role", "status", "deleted"),
    [
        ("manager", 302, True),
        ("rep", 404, False),
        ("trainer", 404, False),
        ("outsider", 404, False),
        (None, 302, False),
    ],
)
def test_it_lets_only_managers_delete_a_promotion(
    request: pytest.FixtureRequest, role: str | None, status: int, deleted: bool
) -> None:
    promotion = a_promotion()
    url = reverse("promotion_delete", args=[promotion.pk])
    response = client_for(user_for(request, role)).post(url)
    assert response.status_code == status
    assert Promotion.objects.filter(pk=promotion.pk).exists() != deleted


def test_it_answers_a_missing_promotion_with_404(manager: User) -> None:
    client = client_for(manager)
    assert client.get(reverse("promotion_edit", args=[999])).status_code == 404
    assert client.post(reverse("promotion_delete", args=[999])).status_code == 404


# --- the desk ------------------------------------------------------------------------------------


def test_it_shows_the_valid_promotions_at_the_desk(rep: User) -> None:
    a_promotion()
    a_promotion(start=3, end=9, name="Next week")
    page = client_for(rep).get(reverse("desk")).content.decode()
    assert 'id="desk-promotions"' in page
    assert "Toner is two for one until Friday." in page
    assert "Next week" not in page


def test_it_shows_no_promotion_box_when_none_is_valid(rep: User) -> None:
    a_promotion(start=-9, end=-2)
    assert b"desk-promotions" not in client_for(rep).get(reverse("desk")).content
