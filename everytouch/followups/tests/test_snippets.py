"""The snippets handed over for the desk, the interaction page and the nav render as promised.

They live in templates this app does not own; these are the exact texts to paste there.
"""

from __future__ import annotations

import pytest
import time_machine
from django.contrib.auth.models import AnonymousUser, User
from django.template import Context, Template

from everytouch.followups import actions
from everytouch.followups.tests.helpers import a_call, a_commitment
from everytouch.testing import make_customer

pytestmark = pytest.mark.django_db

DESK_POP = """{% load followups people %}
    <h2>Open promises</h2>
    {% open_promises customer.pk as promises %}
    {% if promises %}<ul class="timeline" id="open-promises">{% for c in promises %}
      <li>{{ c.due_at|date:"D M j, H:i" }} · {{ c.what }} <span class="muted">({{ c.owner|person }}{% if c.status == "missed" %}, <strong class="error">missed</strong>{% endif %})</span></li>
    {% endfor %}</ul>{% else %}<p class="empty">No open promises.</p>{% endif %}
    <p><a href="{% url 'commitment_new' %}?customer={{ customer.pk }}">Record a promise</a></p>
"""  # noqa: E501

INTERACTION_DETAIL = """{% if interaction.customer %}<p>
    <a href="{% url 'interaction_commitments' interaction.pk %}">Promises in this conversation</a> ·
    <a href="{% url 'commitment_new' %}?customer={{ interaction.customer.pk }}&amp;interaction={{ interaction.pk }}">Record a promise</a></p>{% endif %}
"""  # noqa: E501

NAV = """{% load followups %}<a href="{% url 'my_day' %}">My day</a>
      {% if user|manages %}<a href="{% url 'early_warning' %}">Early warning</a>{% endif %}
"""


def render(text: str, **context: object) -> str:
    return Template(text).render(Context(context))


def test_it_lists_a_customers_open_promises_on_the_desk(
    monday: time_machine.Traveller, rep: User
) -> None:
    customer = make_customer()
    empty = render(DESK_POP, customer=customer)
    assert "No open promises." in empty
    a_commitment(customer, rep, hours=2, what="Call back")
    done = a_commitment(customer, rep, hours=3, what="Already kept")
    actions.complete_commitment(done, rep)
    html = render(DESK_POP, customer=customer)
    assert "Mon Mar 3, 12:00 · Call back" in html
    assert "(Ron Rep)" in html
    assert "Already kept" not in html
    assert f'href="/commitments/new/?customer={customer.pk}"' in html


def test_it_links_an_interaction_to_its_promises(monday: time_machine.Traveller, rep: User) -> None:
    customer = make_customer()
    call = a_call(customer, rep, [("agent", "Hi")])
    html = render(INTERACTION_DETAIL, interaction=call)
    assert f'href="/interactions/{call.pk}/commitments/"' in html
    assert f"?customer={customer.pk}&amp;interaction={call.pk}" in html
    anonymous_call = a_call(None, rep, [("agent", "Hi")])
    assert render(INTERACTION_DETAIL, interaction=anonymous_call).strip() == ""


def test_it_shows_the_early_warning_link_to_managers_only(manager: User, rep: User) -> None:
    assert "Early warning" in render(NAV, user=manager)
    for user in (rep, AnonymousUser()):
        html = render(NAV, user=user)
        assert 'href="/my-day/"' in html and "Early warning" not in html
