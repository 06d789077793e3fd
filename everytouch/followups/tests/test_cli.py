from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.contrib.auth.models import User

from everytouch.cli import main
from everytouch.followups.models import Commitment, CommitmentStatus
from everytouch.testing import make_customer

pytestmark = pytest.mark.django_db
NOW = datetime(2026, 11, 10, 10, 0, tzinfo=ZoneInfo("UTC"))


@time_machine.travel(NOW, tick=False)
def test_it_records_a_promise_due_in_words_and_keeps_it(
    rep: User, capsys: pytest.CaptureFixture[str]
) -> None:
    customer = make_customer(owner=rep)
    argv = ["promises", "add", "--customer", str(customer.pk), "--owner", "ron"]
    assert main([*argv, "--what", "Send the lease quote", "--due", "tomorrow 3pm"]) == 0
    promise = Commitment.objects.get()
    assert promise.due_at == datetime(2026, 11, 11, 15, 0, tzinfo=ZoneInfo("UTC"))
    assert main(["promises", "my-day", "ron", "--format", "csv"]) == 0
    assert "Send the lease quote" in capsys.readouterr().out
    assert main(["promises", "done", str(promise.pk), "--as", "ron"]) == 0
    promise.refresh_from_db()
    assert promise.status == CommitmentStatus.DONE


@time_machine.travel(NOW, tick=False)
def test_it_refuses_a_past_due_time_and_strangers_with_exit_2(
    rep: User, rep2: User, capsys: pytest.CaptureFixture[str]
) -> None:
    customer = make_customer(owner=rep)
    argv = ["promises", "add", "--customer", str(customer.pk), "--owner", "ron", "--what", "x"]
    assert main([*argv, "--due", "2026-11-01T09:00"]) == 2
    assert main([*argv, "--due", "not a date at all"]) == 2
    assert "cannot read" in capsys.readouterr().err
    assert not Commitment.objects.exists()
    assert main([*argv, "--due", "2026-11-12T09:00"]) == 0
    promise = Commitment.objects.get()
    assert main(["promises", "done", str(promise.pk), "--as", "rita"]) == 2
    assert main(["promises", "list", "--owner", "ron", "--status", "open"]) == 0
    assert f"{promise.pk}\tJane Doe\tx\t" in capsys.readouterr().out
