from __future__ import annotations

import pytest
from django.contrib.auth.models import User
from django.urls import reverse

from everytouch.customers.models import Customer, EventKind
from everytouch.interactions.actions import InteractionData, log_interaction, transfer
from everytouch.interactions.models import Channel, Interaction
from everytouch.testing import KNOWN_PHONE_TYPED, client_for, make_customer, user_for

pytestmark = pytest.mark.django_db

DESK_ACCESS = [("manager", 200), ("rep", 200), ("trainer", 403), ("outsider", 403), (None, 302)]


@pytest.mark.parametrize(("role", "status"), DESK_ACCESS)
def test_it_opens_the_desk_only_for_desk_roles(
    request: pytest.FixtureRequest, role: str | None, status: int
) -> None:
    response = client_for(user_for(request, role)).get(reverse("desk"))
    assert response.status_code == status


def test_it_lets_only_the_latest_lookup_fill_the_screen_pop(rep: User) -> None:
    # Typing "201.555.0123" sends a lookup per pause; an older answer (for "201.5") arriving
    # last must not replace the pop for the whole number, so htmx drops the older request.
    page = client_for(rep).get(reverse("desk")).content.decode()
    lookup = page[page.index('id="desk-lookup"') : page.index("</form>", page.index("desk-lookup"))]
    assert 'hx-sync="this:replace"' in lookup


@pytest.mark.parametrize(("role", "status"), DESK_ACCESS)
def test_it_pops_the_customer_for_a_number_in_another_format_only_for_desk_roles(
    request: pytest.FixtureRequest, role: str | None, status: int
) -> None:
    make_customer()
    client = client_for(user_for(request, role))
    response = client.get(reverse("desk_lookup"), {"q": "201.555.0123"})
    assert response.status_code == status
    assert (b'data-testid="pop-name">Jane Doe' in response.content) == (status == 200)


def test_it_offers_a_new_caller_form_prefilled_with_the_number(rep: User) -> None:
    response = client_for(rep).get(reverse("desk_lookup"), {"q": "201 555 0188"})
    assert b'data-testid="pop-new"' in response.content
    assert b"(201) 555-0188" in response.content
    missing = [
        item
        for item in ("name", "phone", "email", "need")
        if f'data-missing="{item}"'.encode() in response.content
    ]
    assert missing == ["name", "email", "need"]


def test_it_explains_an_invalid_lookup(rep: User) -> None:
    typo = client_for(rep).get(reverse("desk_lookup"), {"q": "201 555 01234"})
    assert b"not a valid phone number for region US" in typo.content
    short = client_for(rep).get(reverse("desk_lookup"), {"q": "12"})
    assert b"Type at least 3 digits" in short.content
    make_customer()
    unknown = client_for(rep).get(reverse("desk_lookup"), {"q": "9876"})
    assert "No number on file contains “9876”".encode() in unknown.content


def test_it_shows_only_what_is_still_missing_for_a_known_caller(rep: User) -> None:
    customer = make_customer(contacts=("+12015550123",))
    response = client_for(rep).get(reverse("desk_lookup"), {"q": KNOWN_PHONE_TYPED})
    assert b'data-missing="email"' in response.content
    assert b'data-missing="need"' in response.content
    assert b'data-missing="name"' not in response.content
    live = client_for(rep).get(
        reverse("desk_missing"),
        {"customer_id": str(customer.pk), "need": "a new copier", "email": "x@example.com"},
    )
    assert b"Everything captured" in live.content


def test_it_logs_a_touch_for_a_new_caller_creating_the_customer(rep: User) -> None:
    payload = {
        "name": "Sam Lee",
        "company": "Lee Law",
        "phone": "201-555-0177",
        "email": "",
        "channel": "call",
        "direction": "inbound",
        "need": "quote for a copier lease",
        "summary": "Wants 3 options by Friday",
    }
    response = client_for(rep).post(reverse("desk_log"), payload)
    assert response.status_code == 302
    customer = Customer.objects.get(name="Sam Lee")
    interaction = customer.interactions.get()
    assert response["Location"] == f"{reverse('desk')}?logged={interaction.pk}"
    assert interaction.handled_by == rep
    assert interaction.need == "quote for a copier lease"
    assert customer.events.filter(kind=EventKind.INTERACTION_LOGGED).exists()
    page = client_for(rep).get(reverse("customer_detail", args=[customer.pk]))
    assert b"quote for a copier lease" in page.content


def test_it_updates_a_known_caller_and_logs_the_touch(rep: User) -> None:
    customer = make_customer(contacts=("+12015550123",))
    payload = {
        "customer_id": customer.pk,
        "name": "Jane Doe",
        "email": "jane@newmail.example",
        "channel": "visit",
        "direction": "inbound",
        "need": "toner",
        "summary": "",
    }
    response = client_for(rep).post(reverse("desk_log"), payload)
    assert response.status_code == 302
    assert customer.contacts.filter(value="jane@newmail.example").exists()
    assert customer.interactions.get().channel == Channel.VISIT


def test_it_writes_nothing_when_the_phone_belongs_to_someone_else(rep: User) -> None:
    jane = make_customer()
    payload = {
        "q": "Other",
        "name": "Other Person",
        "phone": "2015550123",
        "channel": "call",
        "direction": "inbound",
        "need": "price",
    }
    response = client_for(rep).post(reverse("desk_log"), payload)
    assert response.status_code == 400
    body = response.content.decode()
    assert "(201) 555-0123 already belongs to" in body
    assert f'href="/customers/{jane.pk}/">Jane Doe (#{jane.pk})</a>' in body
    # A new caller has no second record to merge: the way out is to take the call as Jane.
    assert f'data-testid="conflict-use" href="/desk/?customer={jane.pk}&amp;q=Other"' in body
    assert 'data-testid="conflict-merge"' not in body
    # The lookup keeps what the rep typed.
    assert 'id="desk-lookup" type="search" name="q" value="Other"' in body
    assert not Customer.objects.filter(name="Other Person").exists()
    assert not Interaction.objects.exists()


@pytest.mark.parametrize(("role", "merge"), [("manager", True), ("owner", True), ("rep", False)])
def test_it_suggests_merging_two_records_of_one_caller_to_those_who_may(
    request: pytest.FixtureRequest, role: str, merge: bool
) -> None:
    rosa = make_customer("Rosa Delgado", ("+13315550119",), company="Delgado Bakery")
    jane = make_customer()
    payload = {
        "q": KNOWN_PHONE_TYPED,
        "customer_id": str(jane.pk),
        "name": "Jane Doe",
        "phone": "331-555-0119",
        "channel": "call",
        "direction": "inbound",
        "need": "price",
    }
    response = client_for(user_for(request, role)).post(reverse("desk_log"), payload)
    assert response.status_code == 400
    body = response.content.decode()
    assert "(331) 555-0119 already belongs to" in body
    assert f'href="/customers/{rosa.pk}/">Rosa Delgado (#{rosa.pk})</a>' in body
    merge_link = f'href="/customers/{jane.pk}/merge/?other={rosa.pk}"'
    assert (merge_link in body) == merge
    assert ("Ask a manager to merge" in body) == (not merge)
    assert f'name="q" value="{KNOWN_PHONE_TYPED}"' in body
    assert not jane.contacts.filter(value="+13315550119").exists()
    assert not Interaction.objects.exists()


def test_it_refuses_a_touch_with_nobody_and_nothing(rep: User) -> None:
    payload = {"channel": "call", "direction": "inbound"}
    response = client_for(rep).post(reverse("desk_log"), payload)
    assert response.status_code == 400
    assert b"Who is it?" in response.content
    assert not Interaction.objects.exists()


@pytest.mark.parametrize(("role", "status"), [("trainer", 403), ("outsider", 403)])
def test_it_lets_no_one_else_log_a_touch(
    request: pytest.FixtureRequest, role: str, status: int
) -> None:
    payload = {"name": "X", "channel": "call", "direction": "inbound", "need": "price"}
    response = client_for(user_for(request, role)).post(reverse("desk_log"), payload)
    assert response.status_code == status
    assert not Customer.objects.exists()


@pytest.mark.parametrize(
    ("role", "status"),
    [("manager", 200), ("rep", 200), ("trainer", 200), ("outsider", 404), (None, 302)],
)
def test_it_shows_an_interaction_with_its_transcript_only_to_staff(
    request: pytest.FixtureRequest, rep2: User, role: str | None, status: int
) -> None:
    customer = make_customer()
    interaction = log_interaction(customer, InteractionData(channel=Channel.CALL, need="x"), rep2)
    url = reverse("interaction_detail", args=[interaction.pk])
    response = client_for(user_for(request, role)).get(url)
    assert response.status_code == status


@pytest.mark.parametrize(
    ("role", "status"), [("manager", 200), ("rep", 200), ("trainer", 200), ("outsider", 403)]
)
def test_it_lists_interactions_only_for_staff(
    request: pytest.FixtureRequest, rep2: User, role: str, status: int
) -> None:
    need = "magenta ink refill"  # a word that no page's own markup contains ("ink" is in <link>)
    log_interaction(make_customer(), InteractionData(channel=Channel.EMAIL, need=need), rep2)
    response = client_for(user_for(request, role)).get(reverse("interaction_list"))
    assert response.status_code == status
    assert (need.encode() in response.content) == (status == 200)


@pytest.mark.parametrize(
    ("role", "status"), [("manager", 302), ("rep", 302), ("trainer", 404), ("outsider", 404)]
)
def test_it_transfers_keeping_customer_and_details(
    request: pytest.FixtureRequest, rep2: User, role: str, status: int
) -> None:
    customer = make_customer()
    data = InteractionData(channel=Channel.CALL, need="service contract", handled_by=rep2)
    interaction = log_interaction(customer, data, rep2)
    target = request.getfixturevalue("manager")
    url = reverse("interaction_transfer", args=[interaction.pk])
    response = client_for(user_for(request, role)).post(
        url, {"to_user": target.pk, "reason": "billing question"}
    )
    assert response.status_code == status
    interaction.refresh_from_db()
    moved = status == 302
    assert (interaction.handled_by == target) == moved
    assert interaction.customer == customer
    assert interaction.need == "service contract"
    assert customer.events.filter(kind=EventKind.TRANSFERRED).exists() == moved


def test_it_shows_the_receiving_rep_what_was_captured(rep: User, rep2: User) -> None:
    customer = make_customer()
    data = InteractionData(channel=Channel.CALL, need="service contract", handled_by=rep)
    interaction = log_interaction(customer, data, rep)
    transfer(interaction, rep2, "specialist", rep)
    response = client_for(rep2).get(reverse("desk_lookup"), {"q": KNOWN_PHONE_TYPED})
    assert b"service contract" in response.content
    assert b'data-missing="name"' not in response.content
    assert b'data-missing="phone"' not in response.content


def test_it_lists_calls_transferred_to_me_on_the_desk(rep: User, rep2: User) -> None:
    customer = make_customer()
    data = InteractionData(channel=Channel.CALL, need="lease renewal", handled_by=rep)
    transfer(log_interaction(customer, data, rep), rep2, "renewals", rep)
    mine = client_for(rep2).get(reverse("desk"))
    assert b"Transferred to you" in mine.content
    assert b"lease renewal" in mine.content
    theirs = client_for(rep).get(reverse("desk"))
    assert b"Transferred to you" not in theirs.content


def test_it_prefills_the_looked_up_number_and_does_not_ask_for_it(rep: User) -> None:
    response = client_for(rep).get(reverse("desk_lookup"), {"q": "jo@example.com"})
    assert b'value="jo@example.com"' in response.content
    assert b'data-missing="email"' not in response.content
    assert b'data-missing="phone"' in response.content


def _trade_show(rep: User, rep2: User) -> None:
    from datetime import timedelta

    from django.utils import timezone

    from everytouch.staff.directory.actions import ensure_staff, schedule_absence

    backup = ensure_staff(rep2)
    backup.extension = "204"
    backup.save()
    now = timezone.now()
    schedule_absence(
        ensure_staff(rep),
        now - timedelta(hours=1),
        now + timedelta(days=2),
        "at a trade show",
        backup,
    )


def test_it_tells_the_backup_at_the_desk_to_take_the_call_themselves(rep: User, rep2: User) -> None:
    make_customer(owner=rep)
    _trade_show(rep, rep2)
    body = client_for(rep2).get(reverse("desk_lookup"), {"q": KNOWN_PHONE_TYPED}).content.decode()
    assert "Take it yourself: you are covering for Ron Rep, at a trade show until " in body
    assert "Put the call through" not in body
    assert "Nobody is available" not in body
    assert 'data-action="take"' in body


def test_it_tells_a_colleague_to_put_the_call_through_to_the_backup(
    rep: User, rep2: User, manager: User
) -> None:
    make_customer(owner=rep)
    _trade_show(rep, rep2)
    body = client_for(manager).get(reverse("desk_lookup"), {"q": KNOWN_PHONE_TYPED}).content
    assert b"Put the call through to Rita Rep (ext. 204), who is covering for Ron Rep" in body
    assert b"Nobody is available" not in body
    assert b"Take it yourself" not in body


@pytest.mark.parametrize(("role", "status"), [("rep", 200), ("trainer", 403), ("outsider", 403)])
def test_it_says_who_took_over_when_the_caller_asks_for_someone_who_left(
    request: pytest.FixtureRequest, rep: User, rep2: User, manager: User, role: str, status: int
) -> None:
    from django.utils import timezone

    from everytouch.staff.directory.actions import ensure_staff
    from everytouch.staff.models import Departure, DepartureStatus

    leaver = ensure_staff(rep2)
    Departure.objects.create(
        staff=leaver,
        effective_on=timezone.now().date(),
        status=DepartureStatus.COMPLETED,
        successor=manager,
        opened_by=manager,
        completed_at=timezone.now(),
    )
    rep2.is_active = False
    rep2.save()
    client = client_for(user_for(request, role))
    response = client.get(reverse("desk_ask"), {"person": str(leaver.pk)})
    assert response.status_code == status
    if status == 200:
        assert b"Put the call through to Maria Manager: Rita Rep no longer works here" in (
            response.content
        )
        assert f"for={rep2.pk}".encode() in response.content
    # The manager who took over is told to take it, never to put it through to himself.
    mine = client_for(manager).get(reverse("desk_ask"), {"person": str(leaver.pk)})
    assert b"Take it yourself: Rita Rep no longer works here and you now look after" in (
        mine.content
    )


@pytest.mark.parametrize(("role", "offered"), [("rep", True), ("trainer", False)])
def test_it_offers_transfer_and_lead_buttons_only_to_desk_roles(
    request: pytest.FixtureRequest, rep2: User, role: str, offered: bool
) -> None:
    interaction = log_interaction(
        make_customer(), InteractionData(channel=Channel.CALL, need="copier"), rep2
    )
    response = client_for(user_for(request, role)).get(
        reverse("interaction_detail", args=[interaction.pk])
    )
    assert (b"<h2>Transfer</h2>" in response.content) == offered
    assert (b'data-testid="lead-from-interaction"' in response.content) == offered


def test_it_offers_to_create_a_lead_from_the_screen_pop(rep: User) -> None:
    customer = make_customer()
    response = client_for(rep).get(reverse("desk_lookup"), {"q": KNOWN_PHONE_TYPED})
    assert f"/leads/new/?customer={customer.pk}".encode() in response.content


def test_it_never_stores_a_card_number_read_out_on_a_call(rep: User) -> None:
    from everytouch.interactions.actions import TurnData

    data = InteractionData(
        channel=Channel.CALL,
        need="pay the invoice with card 4111 1111 1111 1111",
        turns=[TurnData("customer", "it's 4111-1111-1111-1111, expiry 04/29")],
    )
    interaction = log_interaction(make_customer(), data, rep)
    interaction.refresh_from_db()
    assert interaction.need == "pay the invoice with card [card ending 1111]"
    assert interaction.turns.get().text == "it's [card ending 1111], expiry 04/29"


@pytest.mark.parametrize(("role", "status"), DESK_ACCESS)
def test_it_offers_the_customers_a_name_matches_only_to_desk_roles(
    request: pytest.FixtureRequest, role: str | None, status: int
) -> None:
    jane = make_customer()
    make_customer("Janet Lowe", ("+13125550144",), company="Lowe Legal")
    make_customer("Rosa Delgado", ("+13315550119",), company="Delgado Bakery")
    response = client_for(user_for(request, role)).get(reverse("desk_lookup"), {"q": "jan"})
    assert response.status_code == status
    if status != 200:
        return
    body = response.content.decode()
    assert body.count('data-testid="candidate"') == 2
    assert f'href="/desk/?customer={jane.pk}&amp;q=jan"' in body
    assert "Rosa Delgado" not in body
    assert "not a valid phone number" not in body


def test_it_finds_a_caller_by_company_or_the_last_digits(rep: User) -> None:
    make_customer()
    rosa = make_customer("Rosa Delgado", ("+13315550119",), company="Delgado Bakery")
    for typed in ("bakery", "0119", "555-0119"):
        body = client_for(rep).get(reverse("desk_lookup"), {"q": typed}).content.decode()
        assert body.count('data-testid="candidate"') == 1, typed
        assert f"?customer={rosa.pk}&amp;" in body
        assert "(331) 555-0119" in body


def test_it_pops_the_customer_picked_from_the_candidates(rep: User) -> None:
    jane = make_customer()
    response = client_for(rep).get(reverse("desk_lookup"), {"customer": str(jane.pk), "q": "jane"})
    assert b'data-testid="pop-name">Jane Doe' in response.content
    # The log form keeps what was typed, so a refused log gives the lookup back.
    assert b'name="q" value="jane"' in response.content
    page = client_for(rep).get(reverse("desk"), {"customer": str(jane.pk), "q": "jane"})
    assert b'data-testid="pop-name">Jane Doe' in page.content


def test_it_offers_a_new_caller_form_with_the_name_nobody_matches(rep: User) -> None:
    make_customer()
    response = client_for(rep).get(reverse("desk_lookup"), {"q": "Sam Lee"})
    body = response.content.decode()
    assert "No customer matches “Sam Lee”." in body
    assert 'data-testid="pop-new"' in body
    assert 'name="name" value="Sam Lee"' in body
    assert 'data-missing="name"' not in body
    assert "Take it yourself: nobody looks after this caller yet." in body


def test_it_still_pops_a_whole_number_or_e_mail_directly(rep: User) -> None:
    make_customer()
    make_customer("Jane Dough", ("+12015550999",))
    by_mail = client_for(rep).get(reverse("desk_lookup"), {"q": "JANE@example.com"})
    assert b'data-testid="pop-name">Jane Doe' in by_mail.content
    assert b'data-testid="candidate"' not in by_mail.content


@pytest.mark.parametrize("role", ["rep", "manager", "owner"])
def test_it_keeps_the_rep_on_the_desk_after_logging_with_the_touch_confirmed(
    request: pytest.FixtureRequest, role: str
) -> None:
    user = user_for(request, role)
    jane = make_customer()
    payload = {
        "q": KNOWN_PHONE_TYPED,
        "customer_id": str(jane.pk),
        "name": "Jane Doe",
        "channel": "call",
        "direction": "inbound",
        "need": "two toner cartridges",
    }
    client = client_for(user)
    response = client.post(reverse("desk_log"), payload, follow=True)
    interaction = Interaction.objects.get()
    assert response.redirect_chain == [(f"/desk/?logged={interaction.pk}", 302)]
    body = response.content.decode()
    assert 'data-testid="logged"' in body
    assert f'data-testid="logged-link" href="/interactions/{interaction.pk}/"' in body
    assert "two toner cartridges" in body
    assert f'href="/customers/{jane.pk}/">Jane Doe</a>' in body
    # The lookup is empty and focused for the next caller.
    assert 'id="desk-lookup" type="search" name="q" value="" autocomplete="off" autofocus' in body


def test_it_confirms_only_the_reps_own_touch(rep: User, rep2: User) -> None:
    interaction = log_interaction(make_customer(), InteractionData(channel=Channel.CALL), rep)
    theirs = client_for(rep2).get(reverse("desk"), {"logged": str(interaction.pk)})
    assert theirs.status_code == 200
    assert b'data-testid="logged"' not in theirs.content
    mine = client_for(rep).get(reverse("desk"), {"logged": str(interaction.pk)})
    assert b'data-testid="logged"' in mine.content


def test_it_writes_one_absence_the_same_way_on_every_screen(
    rep: User, rep2: User, manager: User
) -> None:
    from datetime import UTC, datetime, timedelta

    import time_machine

    from everytouch.staff.directory.actions import ensure_staff, schedule_absence

    tuesday = datetime(2026, 11, 10, 10, 0, tzinfo=UTC)
    with time_machine.travel(tuesday, tick=False):
        ron = ensure_staff(rep)
        make_customer(owner=rep)
        # Booked as whole days, Tuesday to Wednesday: back on Thursday morning.
        end = datetime(2026, 12, 3, 0, 0, tzinfo=UTC)
        schedule_absence(ron, tuesday - timedelta(hours=1), end, "on holiday", ensure_staff(rep2))
        client = client_for(manager)
        screens = {
            "directory": client.get(reverse("staff_directory")).content.decode(),
            "member": client.get(reverse("staff_member", args=[ron.pk])).content.decode(),
            "desk": client.get(reverse("desk"), {"q": KNOWN_PHONE_TYPED}).content.decode(),
        }
    for name, body in screens.items():
        assert "until Wed 2 Dec 2026" in body, name
        assert "Thu 3 Dec" not in body, name
        assert ", 00:00" not in body and "Dec 00:00" not in body, name
        assert "Wednesday 2 December" not in body, name
