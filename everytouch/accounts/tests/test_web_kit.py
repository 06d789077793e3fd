"""``url_for_key``: one reversal for a page of links, the same URLs ``reverse`` gives."""

from __future__ import annotations

import pytest
from django.test import override_settings
from django.urls import reverse

from everytouch.accounts.web_kit import url_for_key


@pytest.mark.parametrize("name", ["lead_stage", "lead_detail", "customer_detail"])
def test_it_gives_what_reverse_gives_for_every_key(name: str) -> None:
    url = url_for_key(name)
    for pk in (1, 7, 42, 10**9, 918273645546372819):
        assert url(pk) == reverse(name, args=[pk])


def test_it_puts_only_a_number_in_the_url() -> None:
    with pytest.raises(ValueError, match="invalid literal"):
        url_for_key("lead_detail")("1/../../admin")  # type: ignore[arg-type]


@override_settings(FORCE_SCRIPT_NAME="/desk/")
def test_it_keeps_the_prefix_the_site_is_served_under() -> None:
    from django.urls import set_script_prefix

    set_script_prefix("/desk/")
    try:
        assert url_for_key("lead_detail")(5) == "/desk" + "/leads/5/"
        assert url_for_key("lead_detail")(5) == reverse("lead_detail", args=[5])
    finally:
        set_script_prefix("/")


@pytest.mark.urls("everytouch.accounts.tests.key_urls")
@pytest.mark.parametrize("name", ["short_key", "marked_path"])
def test_it_falls_back_to_reverse_when_the_marker_will_not_do(name: str) -> None:
    url = url_for_key(name)
    assert [url(pk) for pk in (3, 1234)] == [reverse(name, args=[pk]) for pk in (3, 1234)]


def test_a_page_links_every_row_as_the_url_tag_would() -> None:
    from django.template import Context, Template

    page = Template(
        '{% load listing %}{% for pk in pks %}<a href="{{ pk|key_url:"lead_detail" }}">'
        '{% url "lead_detail" pk %}</a>{% endfor %}'
    ).render(Context({"pks": [1, 22, 333]}))
    links = page.removeprefix('<a href="').removesuffix("</a>").split('</a><a href="')
    assert [tuple(link.split('">')) for link in links] == [
        (f"/leads/{pk}/", f"/leads/{pk}/") for pk in (1, 22, 333)
    ]
