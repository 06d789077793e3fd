"""The board's lead cards, written in Python: ``{% load lead_cards %}{% lead_cards cards %}``.

A column shows up to 30 cards and the board five columns. As a template, each card was some
forty nodes and two URL reversals, most of the board's time. Here the shared pieces (the
CSRF field, the URLs, where a move returns to) are worked out once per call, and each card is one
``format_html``: everything from the database passes through it and is escaped.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass

from django import template
from django.template.defaulttags import CsrfTokenNode
from django.urls import reverse
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString, mark_safe
from django.utils.text import Truncator
from django.utils.timesince import timesince

from everytouch.accounts.listing import query_with
from everytouch.accounts.people import display_name
from everytouch.accounts.web_kit import url_for_key
from everytouch.business_time import written_moment
from everytouch.leads.models import Lead

register = template.Library()

_CARD = (
    '<article class="lead-card" id="lead-{pk}" data-lead="{pk}" data-stage="{stage}"'
    ' data-move-url="{move_url}"{movable} aria-label="{name}: {need_short}">\n'
    '  <a class="lead-name" href="{detail_url}">{name}</a>\n'
    '  <p class="lead-need">{need}</p>\n'
    '  <p class="lead-meta muted"><span data-testid="card-owner">{owner}</span> · '
    '<span title="Created {created}; last activity {last}">{age} old</span></p>\n'
    "{form}</article>"
)
_FORM = (
    '  <details class="lead-move"><summary>Move</summary>\n'
    '  <form method="post" action="{move_url}" hx-post="{move_url}" hx-target="#board"'
    ' hx-select="#board" hx-swap="outerHTML">\n'
    '    {csrf}<input type="hidden" name="next" value="{next}">\n'
    '    <label for="move-{pk}" class="visually-hidden">Move {name} to</label>\n'
    '    <select id="move-{pk}" name="stage">{options}{lost_option}</select>\n'
    "    {lost_reason}\n"
    '    <button type="submit" class="secondary">Move</button>\n'
    "  </form>\n"
    "  </details>\n"
)
_LOST_OPTION = '<option value="lost">Lost</option>'
_LOST_REASON = (
    '<label for="why-{pk}" class="visually-hidden">Why lost (needed for Lost)</label>'
    '<input id="why-{pk}" type="text" name="lost_reason" maxlength="300"'
    ' placeholder="why lost (for Lost)">'
)


@dataclass(frozen=True)
class _Shared:
    """What every card of one call has in common."""

    csrf: str
    next: str
    move_url: Callable[[int], str]
    detail_url: Callable[[int], str]


def _form(lead: Lead, name: str, shared: _Shared, move_url: str) -> SafeString:
    pk = lead.pk
    can_lose: bool = lead.can_lose  # type: ignore[attr-defined]
    return format_html(
        _FORM,
        move_url=move_url,
        csrf=shared.csrf,
        next=shared.next,
        pk=pk,
        name=name,
        options=format_html_join("", '<option value="{}">{}</option>', lead.moves),  # type: ignore[attr-defined]
        lost_option=mark_safe(_LOST_OPTION if can_lose else ""),  # noqa: S308 - our markup
        lost_reason=format_html(_LOST_REASON, pk=pk) if can_lose else "",
    )


def _card(lead: Lead, shared: _Shared) -> SafeString:
    """One card; ``lead`` comes with ``moves``, ``can_lose`` and ``movable`` (the board's view
    sets them)."""
    name = lead.customer.display_name
    need = Truncator(lead.need)
    move_url = shared.move_url(lead.pk)
    movable: bool = lead.movable  # type: ignore[attr-defined]
    return format_html(
        _CARD,
        pk=lead.pk,
        stage=lead.stage,
        move_url=move_url,
        movable=mark_safe(' data-movable="true"' if movable else ""),  # noqa: S308 - our markup
        name=name,
        need_short=need.chars(60),
        need=need.chars(70),
        detail_url=shared.detail_url(lead.pk),
        owner=display_name(lead.owner, "—"),
        created=written_moment(lead.created_at),
        last=written_moment(lead.last_activity_at),
        age=timesince(lead.created_at),
        form=_form(lead, name, shared, move_url) if movable else "",
    )


@register.simple_tag(takes_context=True)
def lead_cards(context: template.Context, cards: Iterable[Lead]) -> SafeString:
    """The cards, one after another, as the board, a column's page and a moved card show them."""
    request = context["request"]
    shared = _Shared(
        # What {% csrf_token %} writes, from the tag's own node.
        csrf=CsrfTokenNode().render(context),
        next=f"{reverse('lead_board')}?{query_with(request.GET, page=None)}",
        move_url=url_for_key("lead_stage"),
        detail_url=url_for_key("lead_detail"),
    )
    return format_html_join("", "{}", ((_card(lead, shared),) for lead in cards))
