"""`manage.py sweep_followups`: the safety net for lost reminder and escalation jobs (cron it)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from everytouch.followups.tasks import sweep_commitments


class Command(BaseCommand):
    help = "Send every reminder that is due and escalate every overdue promise, once each."

    def handle(self, *args: Any, **options: Any) -> None:
        done = sweep_commitments()
        self.stdout.write(f"{done['reminded']} reminders sent, {done['missed']} promises missed")
