"""What higher apps may react to in leads (see ``everytouch.hooks``)."""

from __future__ import annotations

from django.contrib.auth.models import User

from everytouch.hooks import Hook
from everytouch.leads.models import Lead

# Fired by ``move_stage`` inside its transaction when a lead is won, with who won it.
lead_won: Hook[[Lead, User]] = Hook("lead won")
