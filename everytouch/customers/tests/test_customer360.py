"""The customer page as a 360: contact corrections with history, duplicates, merge preview."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.contrib.auth.models import User
from django.urls import reverse
from django.utils import timezone

from everytouch.customers.actions import (
    ContactConflict,
    ContactRequired,
    CustomerData,
    MergeChoices,
    correct_contact,
    create_customer,
    find_duplicates,
    merge_customers,
    remove_contact,
)
from everytouch.customers.contacts import InvalidContact
from everytouch.customers.models import ContactKind, ContactPoint, Customer, EventKind
from everytouch.followups.actions import record_commitment
from everytouch.interactions.actions import InteractionData, log_interaction
from everytouch.interactions.models import Channel
from everytouch.leads.actions import LeadData, capture_lead
from everytouch.staff.messages.actions import take_message
from everytouch.testing import client_for, make_customer, user_for

pytestmark = pytest.mark.django_db


def phone_of(customer: Customer) -> ContactPoint:
    return customer.contacts.get(kind=ContactKind.PHONE)


def email_of(customer: Customer) -> ContactPoint:
    return customer.contacts.get(kind=ContactKind.EMAIL)


# --- actions -------------------------------------------------------------------------------------


def test_it_corrects_a_phone_and_keeps_the_old_one_in_the_timeline(rep: User) -> None:
    customer = make_customer()
    point = correct_contact(phone_of(customer), "(201) 555-0191", rep)
    assert point.value == "+12015550191"
    event = customer.events.get(kind=EventKind.CONTACT_CORRECTED)
    assert event.summary == "Phone (201) 555-0123 corrected to (201) 555-0191"
    assert event.actor == rep
    assert event.data == {"kind": "phone", "old": "+12015550123", "new": "+12015550191"}


def test_it_reads_a_phone_correction_as_a_phone_only(rep: User) -> None:
    customer = make_customer()
    with pytest.raises(InvalidContact, match="not a valid phone number"):
        correct_contact(phone_of(customer), "jane@example.org", rep)
    with pytest.raises(InvalidContact, match="not a valid e-mail address"):
        correct_contact(email_of(customer), "2015550191", rep)
    assert phone_of(customer).value == "+12015550123"


def test_it_refuses_a_correction_that_is_another_customers_phone(rep: User) -> None:
    customer = make_customer()
    rosa = make_customer("Rosa Delgado", ("+13315550119",))
    with pytest.raises(ContactConflict) as caught:
        correct_contact(phone_of(customer), "(331) 555-0119", rep)
    assert caught.value.customer == rosa
    assert phone_of(customer).value == "+12015550123"
    assert not customer.events.filter(kind=EventKind.CONTACT_CORRECTED).exists()


def test_it_records_nothing_when_the_correction_is_the_same_value(rep: User) -> None:
    customer = make_customer()
    correct_contact(email_of(customer), "JANE@example.com", rep)
    assert not customer.events.filter(kind=EventKind.CONTACT_CORRECTED).exists()


def test_it_removes_an_email_and_says_who_did_in_the_timeline(rep: User) -> None:
    customer = make_customer()
    remove_contact(email_of(customer), rep)
    assert not customer.contacts.filter(kind=ContactKind.EMAIL).exists()
    event = customer.events.get(kind=EventKind.CONTACT_REMOVED)
    assert (event.summary, event.actor) == ("E-mail jane@example.com removed", rep)


def test_it_removes_the_last_contact_of_a_named_customer(rep: User) -> None:
    customer = make_customer(contacts=("+12015550123",))
    remove_contact(phone_of(customer), rep)
    assert customer.contacts.count() == 0


def test_it_keeps_the_last_thing_that_identifies_a_customer(rep: User) -> None:
    customer = create_customer(CustomerData(contacts=["+12015550123"]), None)
    with pytest.raises(ContactRequired):
        remove_contact(phone_of(customer), rep)
    assert customer.contacts.count() == 1


def test_it_suggests_duplicates_by_name_and_company(rep: User) -> None:
    rosa = make_customer("Rosa Delgado", ("+13315550119",), company="Acme")
    same = make_customer("rosa delgado", ("+13315550120",), company="ACME")
    no_company = make_customer("Rosa Delgado", ("+13315550121",), company="")
    initial = make_customer("R. Delgado", ("+13315550122",), company="acme")
    make_customer("Rosa Delgado", ("+13315550123",), company="Other Inc")
    make_customer("Rosa Lopez", ("+13315550124",), company="Acme")
    merged = make_customer("Rosa Delgado", ("+13315550125",), company="Acme")
    merge_customers(same, merged, None)
    found = {d.customer.pk: d.reason for d in find_duplicates(rosa)}
    assert found == {
        same.pk: "same name",
        no_company.pk: "same name",
        initial.pk: "same surname and company",
    }


def test_it_bounds_the_duplicate_suggestions() -> None:
    people = [make_customer("Sam Lee", (f"+1331555{100 + i:04}",)) for i in range(8)]
    assert len(find_duplicates(people[0])) == 5


def test_it_merges_with_the_chosen_fields_and_an_audit_entry(manager: User, rep: User) -> None:
    keep = make_customer("Rosa Delgado", ("+13315550119",), company="", owner=rep)
    other = make_customer("Rosa D.", ("rosa@acme.example",), company="Acme", owner=manager)
    merge_customers(keep, other, manager, MergeChoices(name=keep.pk, owner=other.pk))
    keep.refresh_from_db()
    assert (keep.name, keep.company, keep.owner) == ("Rosa Delgado", "Acme", manager)
    assert {c.value for c in keep.contacts.all()} == {"+13315550119", "rosa@acme.example"}
    event = keep.events.get(kind=EventKind.MERGED)
    assert event.actor == manager
    assert event.data["merged_id"] == other.pk
    assert event.data["fields"] == {"name": keep.pk, "company": other.pk, "owner": other.pk}
    assert f"kept name from #{keep.pk}, company from #{other.pk}" in event.summary


def test_it_refuses_a_field_choice_from_a_third_record(manager: User) -> None:
    keep = make_customer()
    other = make_customer("Dup", ("+12015550150",))
    with pytest.raises(ValueError, match="must come from"):
        merge_customers(keep, other, manager, MergeChoices(name=999_999))
    other.refresh_from_db()
    assert other.merged_into is None


# --- contact pages -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("role", "status"),
    [("manager", 200), ("rep", 200), ("trainer", 404), ("outsider", 404), (None, 302)],
)
def test_it_shows_the_correction_form_only_to_desk_roles(
    request: pytest.FixtureRequest, role: str | None, status: int
) -> None:
    customer = make_customer()
    url = reverse("customer_contact_edit", args=[customer.pk, phone_of(customer).pk])
    response = client_for(user_for(request, role)).get(url)
    assert response.status_code == status
    assert (b"(201) 555-0123" in response.content) == (status == 200)


@pytest.mark.parametrize(
    ("role", "status"), [("manager", 302), ("rep", 302), ("trainer", 404), ("outsider", 404)]
)
def test_it_lets_only_desk_roles_correct_a_phone(
    request: pytest.FixtureRequest, role: str, status: int
) -> None:
    customer = make_customer()
    url = reverse("customer_contact_edit", args=[customer.pk, phone_of(customer).pk])
    response = client_for(user_for(request, role)).post(url, {"value": "201 555 0191"})
    assert response.status_code == status
    assert (phone_of(customer).value == "+12015550191") == (status == 302)


def test_it_answers_a_phone_field_with_phone_errors(rep: User) -> None:
    customer = make_customer()
    url = reverse("customer_contact_edit", args=[customer.pk, phone_of(customer).pk])
    response = client_for(rep).post(url, {"value": "jane@example.org"})
    assert response.status_code == 400
    assert b"not a valid phone number" in response.content
    assert b"e-mail" not in response.content.split(b'id="contact-form"')[1].split(b"</form>")[0]


def test_it_answers_an_email_field_with_email_errors(rep: User) -> None:
    customer = make_customer()
    url = reverse("customer_contact_edit", args=[customer.pk, email_of(customer).pk])
    response = client_for(rep).post(url, {"value": "2015550191"})
    assert response.status_code == 400
    assert b"not a valid e-mail address" in response.content
    assert email_of(customer).value == "jane@example.com"


@pytest.mark.parametrize(("role", "merge_link"), [("manager", True), ("rep", False)])
def test_it_links_the_customer_a_corrected_phone_belongs_to(
    request: pytest.FixtureRequest, role: str, merge_link: bool
) -> None:
    customer = make_customer()
    rosa = make_customer("Rosa Delgado", ("+13315550119",))
    url = reverse("customer_contact_edit", args=[customer.pk, phone_of(customer).pk])
    response = client_for(user_for(request, role)).post(url, {"value": "(331) 555-0119"})
    assert response.status_code == 400
    assert f"already belongs to Rosa Delgado (#{rosa.pk})".encode() in response.content
    assert f'href="/customers/{rosa.pk}/"'.encode() in response.content
    merge = f"/customers/{customer.pk}/merge/?other={rosa.pk}".encode()
    assert (merge in response.content) == merge_link


def test_it_finds_no_contact_of_another_customer_under_this_one(rep: User) -> None:
    customer = make_customer()
    other = make_customer("Bob", ("+12015550150",))
    url = reverse("customer_contact_edit", args=[customer.pk, phone_of(other).pk])
    assert client_for(rep).get(url).status_code == 404


@pytest.mark.parametrize(
    ("role", "status"),
    [("manager", 302), ("rep", 302), ("trainer", 404), ("outsider", 404), (None, 302)],
)
def test_it_lets_only_desk_roles_remove_a_contact(
    request: pytest.FixtureRequest, role: str | None, status: int
) -> None:
    customer = make_customer()
    url = reverse("customer_contact_remove", args=[customer.pk, email_of(customer).pk])
    response = client_for(user_for(request, role)).post(url)
    assert response.status_code == status
    removed = not customer.contacts.filter(kind=ContactKind.EMAIL).exists()
    assert removed == (status == 302 and role is not None)


def test_it_explains_why_the_last_contact_cannot_go(rep: User) -> None:
    customer = create_customer(CustomerData(contacts=["+12015550123"]), None)
    url = reverse("customer_contact_remove", args=[customer.pk, phone_of(customer).pk])
    response = client_for(rep).post(url)
    assert response.status_code == 400
    assert b"only thing that identifies the customer" in response.content
    assert customer.contacts.count() == 1


def test_it_shows_corrections_on_the_customer_timeline(rep: User) -> None:
    customer = make_customer()
    client = client_for(rep)
    client.post(
        reverse("customer_contact_edit", args=[customer.pk, phone_of(customer).pk]),
        {"value": "201-555-0191"},
    )
    page = client.get(reverse("customer_detail", args=[customer.pk]))
    assert b"Phone (201) 555-0123 corrected to (201) 555-0191" in page.content
    assert b"by Ron Rep" in page.content


# --- the 360 panels ------------------------------------------------------------------------------


def a_full_history(customer: Customer, rep: User, manager: User) -> None:
    data = InteractionData(channel=Channel.CALL, summary="Asked for a quote", handled_by=rep)
    call = log_interaction(customer, data, rep)
    capture_lead(customer, LeadData(need="40 standing desks"), owner=rep, actor=rep)
    due = timezone.now() + timedelta(hours=4)
    record_commitment(customer, rep, "Send the desk quote", due, rep, source_interaction=call)
    take_message(
        intended_for=manager, about="Wants the manager", taken_by=manager, customer=customer
    )


@pytest.mark.parametrize(
    ("role", "sees_message"),
    [("manager", True), ("owner", True), ("rep", False), ("trainer", False)],
)
def test_it_shows_leads_promises_and_the_messages_a_role_may_see(
    request: pytest.FixtureRequest, role: str, sees_message: bool, rep: User, manager: User
) -> None:
    customer = make_customer(owner=rep)
    a_full_history(customer, rep, manager)
    response = client_for(user_for(request, role)).get(
        reverse("customer_detail", args=[customer.pk])
    )
    assert response.status_code == 200
    assert b"40 standing desks" in response.content
    assert b"Send the desk quote" in response.content
    panel = response.content.split(b'id="open-messages"')[1].split(b"</section>")[0]
    assert (b"Wants the manager" in panel) == sees_message


def test_it_shows_a_rep_the_messages_meant_for_them(rep: User, manager: User) -> None:
    customer = make_customer()
    take_message(intended_for=rep, about="Call Jane back", taken_by=manager, customer=customer)
    response = client_for(rep).get(reverse("customer_detail", args=[customer.pk]))
    assert b"Call Jane back" in response.content


def test_it_offers_log_a_touch_at_the_desk_to_desk_roles(rep: User, trainer: User) -> None:
    customer = make_customer()
    url = reverse("customer_detail", args=[customer.pk])
    page = client_for(rep).get(url)
    assert b'href="/desk/?q=%2B12015550123"' in page.content
    desk = client_for(rep).get("/desk/?q=%2B12015550123")
    assert desk.context["customer"] == customer
    assert b"Log a touch" not in client_for(trainer).get(url).content


def test_it_lists_duplicates_with_a_merge_link_for_managers_only(manager: User, rep: User) -> None:
    customer = make_customer("Rosa Delgado", ("+13315550119",), company="Acme")
    dup = make_customer("Rosa Delgado", ("+13315550120",), company="Acme")
    url = reverse("customer_detail", args=[customer.pk])
    merge = f"/customers/{customer.pk}/merge/?other={dup.pk}".encode()
    for user, linked in ((manager, True), (rep, False)):
        page = client_for(user).get(url)
        assert b'id="duplicates"' in page.content
        assert (merge in page.content) == linked


# --- merge preview -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("role", "status"),
    [("owner", 200), ("manager", 200), ("rep", 404), ("trainer", 404), ("outsider", 404)],
)
def test_it_previews_a_merge_only_for_managers(
    request: pytest.FixtureRequest, role: str, status: int
) -> None:
    keep = make_customer()
    other = make_customer("Jane D.", ("+12015550150",))
    url = reverse("customer_merge", args=[keep.pk]) + f"?other={other.pk}"
    response = client_for(user_for(request, role)).get(url)
    assert response.status_code == status
    assert (b'id="merge-preview"' in response.content) == (status == 200)
    other.refresh_from_db()
    assert other.merged_into is None


def test_it_shows_both_records_side_by_side_and_merges_nothing_on_a_get(manager: User) -> None:
    keep = make_customer(company="Acme")
    other = make_customer("Jane D.", ("+12015550150",), company="Acme")
    url = reverse("customer_merge", args=[keep.pk]) + f"?other={other.pk}"
    response = client_for(manager).get(url)
    assert b"(201) 555-0123" in response.content
    assert b"(201) 555-0150" in response.content
    form = response.context["form"]
    assert form.differing() == ["name"]
    assert "company" not in form.fields
    assert Customer.objects.filter(merged_into__isnull=False).count() == 0


def test_it_merges_into_the_chosen_survivor_with_the_chosen_fields(
    manager: User, rep: User
) -> None:
    first = make_customer("Rosa D.", ("+13315550119",), company="Acme", owner=rep)
    second = make_customer("Rosa Delgado", ("rosa@acme.example",), company="", owner=manager)
    body = {
        "other": second.pk,
        "survivor": second.pk,
        "name": second.pk,
        "company": first.pk,
        "owner": first.pk,
    }
    client = client_for(manager)
    response = client.post(reverse("customer_merge", args=[first.pk]), body, follow=True)
    assert response.redirect_chain[-1][0] == reverse("customer_detail", args=[second.pk])
    assert f"Merged #{first.pk} into #{second.pk} Rosa Delgado".encode() in response.content
    second.refresh_from_db()
    first.refresh_from_db()
    assert first.merged_into == second
    assert (second.name, second.company, second.owner) == ("Rosa Delgado", "Acme", rep)
    assert second.contacts.count() == 2
    audit = second.events.get(kind=EventKind.MERGED)
    assert audit.actor == manager
    assert audit.data["fields"] == {"name": second.pk, "company": first.pk, "owner": first.pk}
    assert b"Merged Rosa D. (#" in response.content


def test_it_refuses_a_merge_confirmation_without_the_choices(manager: User) -> None:
    first = make_customer()
    second = make_customer("Jane D.", ("+12015550150",))
    url = reverse("customer_merge", args=[first.pk])
    response = client_for(manager).post(url, {"other": second.pk})
    assert response.status_code == 400
    assert b"This field is required" in response.content
    second.refresh_from_db()
    assert second.merged_into is None


@pytest.mark.parametrize(
    ("other", "message"),
    [("self", b"cannot be merged into itself"), ("999999", b"There is no active customer")],
)
def test_it_refuses_a_bad_other_record(manager: User, other: str, message: bytes) -> None:
    keep = make_customer()
    value = str(keep.pk) if other == "self" else other
    response = client_for(manager).get(reverse("customer_merge", args=[keep.pk]), {"other": value})
    assert response.status_code == 400
    assert message in response.content


def test_it_offers_the_duplicates_when_picking_the_other_record(manager: User) -> None:
    keep = make_customer("Rosa Delgado", ("+13315550119",), company="Acme")
    dup = make_customer("Rosa Delgado", ("+13315550120",), company="Acme")
    response = client_for(manager).get(reverse("customer_merge", args=[keep.pk]))
    assert response.status_code == 200
    assert f"?other={dup.pk}".encode() in response.content


def test_it_refuses_a_stale_preview(manager: User) -> None:
    first = make_customer()
    second = make_customer("Jane D.", ("+12015550150",))
    third = make_customer("Jane Doe 2", ("+12015550151",))
    merge_customers(third, second, manager)
    url = reverse("customer_merge", args=[first.pk])
    body = {"other": second.pk, "survivor": first.pk, "name": first.pk}
    response = client_for(manager).post(url, body)
    assert response.status_code == 400
    assert b"There is no active customer" in response.content
    first.refresh_from_db()
    assert first.merged_into is None


def test_it_refuses_to_merge_a_record_merged_meanwhile(manager: User) -> None:
    first = make_customer()
    second = make_customer("Jane D.", ("+12015550150",))
    stale = Customer.objects.get(pk=second.pk)
    merge_customers(make_customer("Jane 3", ("+12015550151",)), second, manager)
    with pytest.raises(ValueError, match="already merged"):
        merge_customers(first, stale, manager)
    assert not first.events.filter(kind=EventKind.MERGED).exists()
