"""The analyzer's view of a stored interaction: the one adapter every app reads transcripts through.

``analysis`` knows nothing of the database, so the mapping from rows to its in-memory
``Conversation`` lives here, next to the models it reads.
"""

from __future__ import annotations

from typing import cast

from everytouch.analysis.conversation import Channel, Conversation, Speaker, Turn
from everytouch.interactions.models import Interaction


def to_conversation(interaction: Interaction) -> Conversation:
    """The interaction's turns in order, its channel and start time; its id is the primary key.

    The casts hold because the model's ``Speaker`` and ``Channel`` choices are the analyzer's
    literals (the test checks that they stay so).
    """
    turns = tuple(Turn(cast(Speaker, t.speaker), t.text, t.start) for t in interaction.turns.all())
    channel = cast(Channel, interaction.channel)
    return Conversation(str(interaction.pk), turns, channel, interaction.started_at)
