"""A rep drags a lead card to the next column on the compact board, at desktop and phone width;
a drop the server refuses puts the card back and says why. Screenshots are kept as artifacts."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import User
from playwright.sync_api import Locator, Page, expect
from pytest_django.live_server_helper import LiveServer

from everytouch.leads.actions import LeadData, capture_lead, hand_off
from everytouch.leads.models import Lead, Stage
from everytouch.testing import make_customer
from everytouch.testing.browser import VIEWPORTS, keep_screenshot, log_in

pytestmark = pytest.mark.django_db(transaction=True)

PEOPLE = ("Jane Doe", "Paula Jones", "Rosa Ray")


@pytest.fixture
def leads(rep: User, rep2: User) -> dict[str, Lead]:
    made = {}
    for i, name in enumerate(PEOPLE):
        owner = rep2 if name == "Rosa Ray" else rep
        customer = make_customer(name, (f"+1201555012{i}",), owner=owner)
        data = LeadData(need=f"40 chairs for {name}")
        made[name], _ = capture_lead(customer, data, owner=owner, actor=owner)
    return made


def drag(page: Page, card: Locator, column: Locator) -> None:
    """Press on the card's text (not its link or menu), move in small steps (as a hand does)
    sideways into the column, let go."""
    card.scroll_into_view_if_needed()
    need, target = card.locator(".lead-need").bounding_box(), column.bounding_box()
    assert need is not None and target is not None
    x, y = need["x"] + need["width"] / 2, need["y"] + need["height"] / 2
    page.mouse.move(x, y)
    page.mouse.down()
    width = (page.viewport_size or {"width": 360})["width"]
    to_x = min(target["x"] + 30, width - 12)
    to_y = min(max(y, target["y"] + 20), target["y"] + target["height"] - 20)
    page.mouse.move(to_x, to_y, steps=15)
    page.mouse.move(to_x + 2, to_y + 2, steps=3)
    page.mouse.up()


def shoot(page: Page, name: str) -> None:
    keep_screenshot(page, "board", name)


def column(page: Page, stage: str) -> Locator:
    return page.locator(f".column-cards[data-stage={stage}]")


def count(page: Page, stage: str) -> Locator:
    return page.locator(f".column[data-stage={stage}] [data-count]")


def open_board(page: Page, server: LiveServer, rep: User, width: str) -> None:
    page.set_viewport_size(VIEWPORTS[width])
    log_in(page, server, rep)
    page.goto(f"{server.url}/leads/")


@pytest.mark.parametrize("width", sorted(VIEWPORTS))
def test_it_moves_a_card_dragged_to_the_next_column(
    live_server: LiveServer, rep: User, leads: dict[str, Lead], page: Page, width: str
) -> None:
    open_board(page, live_server, rep, width)
    jane = leads["Jane Doe"]
    expect(column(page, "new").locator(".lead-card")).to_have_count(3)
    # Rita's card is hers: Ron cannot drag it, and it offers him no Move menu.
    rosa = page.locator(f"#lead-{leads['Rosa Ray'].pk}")
    expect(rosa).not_to_have_attribute("data-movable", "true")
    expect(rosa.locator("details")).to_have_count(0)
    shoot(page, f"{width}-before")

    drag(page, page.locator(f"#lead-{jane.pk}"), column(page, "contacted"))

    expect(page.locator("#board-status")).to_have_text("Moved Jane Doe to Contacted.")
    expect(column(page, "contacted").locator(f"#lead-{jane.pk}")).to_be_visible()
    expect(count(page, "contacted")).to_have_text("1")
    expect(count(page, "new")).to_have_text("2")
    jane.refresh_from_db()
    assert jane.stage == Stage.CONTACTED
    shoot(page, f"{width}-moved")


def test_it_puts_back_a_card_dropped_where_the_rules_refuse(
    live_server: LiveServer, rep: User, leads: dict[str, Lead], page: Page
) -> None:
    open_board(page, live_server, rep, "desktop")
    paula = leads["Paula Jones"]

    drag(page, page.locator(f"#lead-{paula.pk}"), column(page, "won"))

    expect(page.locator("#board-status")).to_have_text(
        "Not moved: a lead must be qualified before it is won."
    )
    expect(column(page, "new").locator(f"#lead-{paula.pk}")).to_be_visible()
    expect(column(page, "won").locator(".lead-card")).to_have_count(0)
    expect(count(page, "new")).to_have_text("3")
    paula.refresh_from_db()
    assert paula.stage == Stage.NEW
    shoot(page, "desktop-refused")


def test_it_puts_back_a_card_handed_to_someone_else_meanwhile_on_a_phone(
    live_server: LiveServer, rep: User, rep2: User, leads: dict[str, Lead], page: Page
) -> None:
    open_board(page, live_server, rep, "phone")
    paula = leads["Paula Jones"]
    hand_off(paula, rep2, rep2)  # behind this page's back: it is Rita's now

    drag(page, page.locator(f"#lead-{paula.pk}"), column(page, "contacted"))

    expect(page.locator("#board-status")).to_have_text(
        "Not moved: only the lead's owner or a manager can move it."
    )
    expect(column(page, "new").locator(f"#lead-{paula.pk}")).to_be_visible()
    expect(count(page, "contacted")).to_have_text("0")
    paula.refresh_from_db()
    assert paula.stage == Stage.NEW
    shoot(page, "phone-refused")


def test_it_moves_a_card_from_its_menu_without_dragging_on_a_phone(
    live_server: LiveServer, rep: User, leads: dict[str, Lead], page: Page
) -> None:
    open_board(page, live_server, rep, "phone")
    card = page.locator(f"#lead-{leads['Jane Doe'].pk}")
    card.locator("summary").click()
    card.locator("select[name=stage]").select_option("contacted")
    card.locator("button[type=submit]").click()

    expect(page.locator(".messages")).to_contain_text("Moved to Contacted.")
    expect(column(page, "contacted").locator(f"#lead-{leads['Jane Doe'].pk}")).to_be_visible()
    shoot(page, "phone-menu")


def test_it_loads_the_next_page_of_one_column_in_place(
    live_server: LiveServer, rep: User, page: Page
) -> None:
    for i in range(23):
        customer = make_customer(f"Caller {i:02}", (f"+1201555{4000 + i}",), owner=rep)
        capture_lead(customer, LeadData(need=f"{i} desks"), owner=rep, actor=rep)
    open_board(page, live_server, rep, "desktop")
    new = column(page, "new")
    expect(new.locator(".lead-card")).to_have_count(20)
    expect(count(page, "new")).to_have_text("23")
    page.evaluate("window.stillTheSamePage = true")

    new.locator("[data-testid=more-new]").click()

    expect(new.locator(".lead-card")).to_have_count(23)
    expect(new.locator("[data-testid=more-new]")).to_have_count(0)
    assert page.evaluate("window.stillTheSamePage") is True
    # A card from the second page is a card like the others: it can be dragged on.
    last = new.locator(".lead-card").last
    drag(page, last, column(page, "contacted"))
    expect(column(page, "contacted").locator(".lead-card")).to_have_count(1)
    shoot(page, "desktop-more")
