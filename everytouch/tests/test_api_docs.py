"""The API docs page works offline: vendored Swagger UI, local URLs only, no inline script."""

from __future__ import annotations

import re
from html.parser import HTMLParser

import pytest
from django.contrib.staticfiles import finders
from django.templatetags.static import static
from django.test import Client

DOCS = "/api/v1/docs"
VENDOR = "vendor/swagger-ui/"


class _Refs(HTMLParser):
    """Every src/href on the page, and every script without a src with its type."""

    def __init__(self, html: str) -> None:
        super().__init__()
        self.html = html
        self.refs: list[str] = []
        self.inline_scripts: list[str | None] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        self.refs += [v for k, v in attrs if k in ("src", "href") and v is not None]
        if tag == "script" and "src" not in values:
            self.inline_scripts.append(values.get("type"))


@pytest.fixture
def page_refs(db: None) -> _Refs:
    response = Client().get(DOCS)
    assert response.status_code == 200
    refs = _Refs(response.content.decode())
    refs.feed(refs.html)
    return refs


def test_it_references_no_other_host(page_refs: _Refs) -> None:
    assert not re.search(r"https?://|//[a-z0-9]", page_refs.html, re.IGNORECASE)
    assert page_refs.refs and all(ref.startswith("/") for ref in page_refs.refs)


def test_it_loads_swagger_ui_from_the_vendored_copy(page_refs: _Refs) -> None:
    prefix = static("")
    local = [r.removeprefix(prefix) for r in page_refs.refs if r.startswith(prefix)]
    assert f"{VENDOR}swagger-ui-bundle.js" in local
    assert f"{VENDOR}swagger-ui.css" in local
    assert "js/api-docs.js" in local
    for path in local:
        assert finders.find(path), f"{path} is referenced but not a static file"


def test_it_ships_the_licence_with_the_vendored_files() -> None:
    for name in ("LICENSE", "NOTICE", "swagger-ui-bundle.js.LICENSE.txt"):
        assert finders.find(f"{VENDOR}{name}"), name


def test_it_starts_swagger_ui_without_an_inline_script(page_refs: _Refs) -> None:
    # The only script without a src is the settings, which is data, not code.
    assert page_refs.inline_scripts == ["application/json"]


def test_it_serves_the_vendored_files_through_whitenoise(db: None) -> None:
    for path in (f"{VENDOR}swagger-ui-bundle.js", f"{VENDOR}swagger-ui.css", "js/api-docs.js"):
        response = Client().get(static(path))
        assert response.status_code == 200, path
