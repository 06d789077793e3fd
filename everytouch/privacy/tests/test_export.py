"""Exporting a customer: one versioned document with everything, on the web, API and CLI."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from django.contrib.auth.models import User
from django.urls import reverse

from everytouch.cli import main
from everytouch.customers.models import EventKind
from everytouch.privacy import export
from everytouch.privacy.actions import erase_customer, export_customer
from everytouch.privacy.tests.conftest import AccessLog
from everytouch.privacy.tests.helpers import EMAIL, NAME, OLD_PHONE, PHONE, build
from everytouch.testing import bearer, client_for, make_customer

pytestmark = pytest.mark.django_db


def test_it_exports_everything_about_the_customer_in_every_app(
    owner: User, manager: User, rep: User, rep2: User
) -> None:
    story = build(owner, manager, rep, rep2)
    doc = export_customer(story.customer, manager)
    assert (doc["format"], doc["version"]) == (export.FORMAT, export.VERSION)
    assert doc["customer"]["name"] == NAME
    assert sorted(p["value"] for p in doc["contact_points"]) == [PHONE, EMAIL]
    assert [e["data"].get("old") for e in doc["contact_history"]][-1] == OLD_PHONE
    assert [len(i["turns"]) for i in doc["interactions"]] == [4]
    assert len(doc["interactions"][0]["transfers"]) == 1
    card = doc["scorecards"][0]
    assert card["outcomes"] and card["reviews"] and card["disputes"]
    assert doc["leads"][0]["activities"]
    assert doc["commitments"][0]["what"].startswith("Call Rosa")
    assert {m["caller_name"] for m in doc["taken_messages"]} == {NAME, "R. Delgado"}
    assert len(doc["notifications"]) >= 3
    assert doc["webhook_deliveries"][0]["payload"]["lead"]["customer"]["name"] == NAME
    json.dumps(doc)  # plain JSON all through


def test_it_records_each_export_on_the_timeline_and_in_the_access_log(
    manager: User, access_log: AccessLog
) -> None:
    customer = make_customer()
    export_customer(customer, manager)
    assert customer.events.filter(kind=EventKind.DATA_EXPORTED, actor=manager).count() == 1
    assert f"user={manager.pk} customer={customer.pk} action=export" in access_log()


def test_it_exports_an_erased_customer_with_its_erasure_and_no_data(owner: User) -> None:
    customer = make_customer()
    erase_customer(customer, owner)
    doc = export_customer(customer, owner)
    assert doc["customer"]["erasure"]["erased_by_id"] == owner.pk
    assert doc["contact_points"] == []
    assert "jane" not in json.dumps(doc).lower()


def test_it_downloads_the_export_from_the_customer_page(manager: User) -> None:
    customer = make_customer()
    client = client_for(manager)
    page = client.get(reverse("customer_detail", args=[customer.pk]))
    url = reverse("customer_export", args=[customer.pk])
    assert url.encode() in page.content
    answer = client.get(url)
    assert answer.status_code == 200
    assert answer["Content-Disposition"] == f'attachment; filename="customer-{customer.pk}.json"'
    assert answer.json()["customer"]["id"] == customer.pk


def test_it_shows_no_export_button_to_a_rep(rep: User) -> None:
    customer = make_customer()
    page = client_for(rep).get(reverse("customer_detail", args=[customer.pk]))
    assert reverse("customer_export", args=[customer.pk]).encode() not in page.content


def test_it_exports_over_the_api_for_managers_only(manager: User, rep: User) -> None:
    customer = make_customer()
    url = f"/api/v1/customers/{customer.pk}/export"
    assert bearer(rep).get(url).status_code == 403
    answer = bearer(manager).get(url)
    assert answer.status_code == 200
    assert answer.json()["version"] == export.VERSION
    assert bearer(manager).get("/api/v1/customers/999999/export").status_code == 404


def test_it_exports_from_the_command_line_to_a_private_file(
    tmp_path: Path, manager: User, capsys: pytest.CaptureFixture[str]
) -> None:
    customer = make_customer()
    out = tmp_path / "jane.json"
    argv = ["customers", "export-data", str(customer.pk), "--output", str(out), "--as", "maria"]
    assert main(argv) == 0
    assert json.loads(out.read_text())["customer"]["name"] == "Jane Doe"
    assert os.stat(out).st_mode & 0o777 == 0o600
    assert customer.events.filter(kind=EventKind.DATA_EXPORTED, actor=manager).exists()
    assert main(["customers", "export-data", str(customer.pk)]) == 0
    assert json.loads(capsys.readouterr().out)["customer"]["id"] == customer.pk


def test_it_refuses_an_unknown_customer_on_the_command_line_with_exit_2(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert main(["customers", "export-data", "999999"]) == 2
    assert "no customer with id 999999" in capsys.readouterr().err
