"""The admin shows leads read-only and never a webhook secret."""

from __future__ import annotations

import pytest
from django.test import Client

from everytouch.accounts.actions import create_user
from everytouch.accounts.models import Role
from everytouch.leads import webhooks
from everytouch.leads.tests.helpers import a_lead, jane

pytestmark = pytest.mark.django_db


def test_it_shows_leads_and_endpoints_in_the_admin_without_the_secret() -> None:
    admin = create_user("root", "pw", None, is_superuser=True)
    endpoint = webhooks.create_endpoint("https://crm.example.com/hook", ["lead.created"])
    lead = a_lead(jane(), create_user("sam", "pw", Role.MANAGER))
    client = Client()
    client.force_login(admin)
    assert client.get(f"/admin/leads/lead/{lead.pk}/change/").status_code == 200
    page = client.get(f"/admin/leads/webhookendpoint/{endpoint.pk}/change/")
    assert page.status_code == 200
    assert b"crm.example.com" in page.content
    assert endpoint.secret.encode() not in page.content
    assert client.get("/admin/leads/webhookdelivery/").status_code == 200
