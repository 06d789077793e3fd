"""What higher apps may react to in interactions (see ``everytouch.hooks``)."""

from __future__ import annotations

from everytouch.hooks import Hook
from everytouch.interactions.models import Interaction

# Fired by ``log_interaction`` inside its transaction, once the interaction and its turns exist.
interaction_logged: Hook[[Interaction]] = Hook("interaction logged")
