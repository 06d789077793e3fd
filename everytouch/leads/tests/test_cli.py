from __future__ import annotations

import pytest
from django.contrib.auth.models import User

from everytouch.cli import main
from everytouch.leads.models import Lead, Stage
from everytouch.testing import make_customer

pytestmark = pytest.mark.django_db


def test_it_captures_a_lead_then_updates_it_for_the_same_need(
    rep: User, capsys: pytest.CaptureFixture[str]
) -> None:
    customer = make_customer(owner=rep)
    argv = ["leads", "capture", "--customer", str(customer.pk), "--need", "Colour copier lease"]
    assert main(argv) == 0
    assert main([*argv[:-1], "colour copier  LEASE", "--budget", "$400/month"]) == 0
    lead = Lead.objects.get()
    assert (lead.owner, lead.budget) == (rep, "$400/month")
    out = capsys.readouterr().out
    assert f"Created lead {lead.pk}" in out and "Updated (same need within 30 days)" in out


def test_it_creates_the_customer_for_an_unknown_phone(rep: User) -> None:
    argv = ["leads", "capture", "--phone", "201-555-0177", "--name", "Sam Lee"]
    assert main([*argv, "--need", "toner", "--owner", "ron"]) == 0
    lead = Lead.objects.select_related("customer").get()
    assert lead.customer.name == "Sam Lee"
    assert lead.customer.contacts.get().value == "+12015550177"


def test_it_refuses_bad_input_with_exit_2_and_writes_nothing(
    rep: User, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["leads", "capture", "--phone", "12", "--need", "toner"]) == 2
    assert "not a valid phone number" in capsys.readouterr().err
    assert main(["leads", "capture", "--customer", "999", "--need", "toner"]) == 2
    assert main(["leads", "capture", "--need", "toner"]) == 2
    assert not Lead.objects.exists()


def test_it_hands_off_moves_stages_and_lists(
    rep: User, rep2: User, manager: User, capsys: pytest.CaptureFixture[str]
) -> None:
    customer = make_customer(owner=rep)
    main(["leads", "capture", "--customer", str(customer.pk), "--need", "printer"])
    lead = Lead.objects.get()
    assert main(["leads", "handoff", str(lead.pk), "rita", "--as", "maria"]) == 0
    assert main(["leads", "stage", str(lead.pk), "contacted", "--as", "ron"]) == 2
    assert "not its owner" in capsys.readouterr().err
    assert main(["leads", "stage", str(lead.pk), "contacted", "--as", "rita"]) == 0
    assert main(["leads", "stage", str(lead.pk), "lost", "--as", "rita"]) == 2
    assert "say why" in capsys.readouterr().err
    lead.refresh_from_db()
    assert (lead.owner, lead.stage) == (rep2, Stage.CONTACTED)
    assert lead.first_response_at is not None
    assert main(["leads", "list", "--owner", "rita", "--format", "csv"]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[0].startswith("id,customer,need,stage")
    assert out[1].split(",")[3] == "contacted"
    assert main(["leads", "speed"]) == 0
    assert "Rita Rep\t1\t0" in capsys.readouterr().out


def test_it_analyses_a_touch_whose_job_was_lost(rep: User, manager: User) -> None:
    from datetime import timedelta

    import time_machine
    from django.utils import timezone

    from everytouch.interactions.actions import InteractionData, TurnData, log_interaction
    from everytouch.interactions.models import Channel, Interaction
    from everytouch.leads.capture import analyse_lost

    turns = [
        TurnData("agent", "Thanks for calling Brightline, this is Ron. How can I help?"),
        TurnData("customer", "Hi, I'm looking for a quote on a new colour copier for our office."),
        TurnData("agent", "Happy to help. Could I get your name and the best number to reach you?"),
        TurnData("customer", "Sure, it's Jane Doe, and my number is 201 555 0123."),
    ]
    # The on-commit job never runs in a test transaction: exactly the "lost job" case.
    touch = log_interaction(None, InteractionData(channel=Channel.CALL, turns=turns), rep)
    assert analyse_lost() == 0  # too recent: its job may still be on the way
    with time_machine.travel(timezone.now() + timedelta(minutes=11)):
        assert analyse_lost() == 1
        assert analyse_lost() == 0
    touch.refresh_from_db()
    assert touch.analysed_at is not None
    lead = Lead.objects.get(source_interaction=touch)
    assert "copier" in lead.need.lower()
    assert Interaction.objects.filter(analysed_at__isnull=True).count() == 0
