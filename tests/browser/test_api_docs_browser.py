"""The API docs render in a real browser with every other host unreachable."""

from __future__ import annotations

from urllib.parse import urlsplit

import pytest
from playwright.sync_api import Page, Route, expect
from pytest_django.live_server_helper import LiveServer

pytestmark = pytest.mark.django_db(transaction=True)


def test_it_renders_the_api_docs_offline(live_server: LiveServer, page: Page) -> None:
    ours = urlsplit(live_server.url).netloc
    elsewhere: list[str] = []

    def only_ours(route: Route) -> None:
        if urlsplit(route.request.url).netloc == ours:
            route.continue_()
        else:
            elsewhere.append(route.request.url)
            route.abort()

    page.route("**/*", only_ours)
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.goto(f"{live_server.url}/api/v1/docs")
    expect(page.locator(".swagger-ui .info .title")).to_contain_text("Everytouch API")
    # An operation from the schema: Swagger UI fetched and rendered openapi.json.
    expect(page.locator(".opblock-summary-path", has_text="/api/v1/identify")).to_be_visible()
    assert elsewhere == []
    assert errors == []
