"""Transcripts from files (any format ``everytouch analyze`` reads) stored as interactions.

Each conversation in the file becomes one interaction with its turns, handled by the rep
named, and is then scored in the background like any other touch. Nothing is stored unless
the whole file reads: a half-imported file would be hard to tell from a whole one.
"""

from __future__ import annotations

import tempfile
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from django.contrib.auth.models import User
from django.db import transaction
from django.utils import timezone

from everytouch.analysis.conversation import Conversation, ConversationError
from everytouch.analysis.readers import MAX_FILE_BYTES, SUFFIX_FORMATS, read_file
from everytouch.customers.actions import identify
from everytouch.customers.contacts import InvalidContact
from everytouch.customers.models import Customer
from everytouch.interactions.actions import (
    InteractionData,
    InvalidInteraction,
    TurnData,
    log_interaction,
)
from everytouch.interactions.models import Channel, Interaction

MAX_CONVERSATIONS = 500


class TranscriptImportError(ValueError):
    """A transcript file that cannot be imported; the message says why."""


@dataclass(frozen=True)
class ImportRequest:
    filename: str
    data: bytes
    rep: User
    channel: str = ""  # empty: the channel the file says (a call when it says nothing)
    contact: str = ""  # a phone or e-mail naming the customer, if known
    started_at: datetime | None = None


def conversations_in(data: bytes, filename: str) -> list[Conversation]:
    """Every conversation in uploaded bytes, read as ``everytouch analyze`` reads a file.

    The readers pick the format from the name's suffix and the content, so the bytes go into a
    temporary file of that suffix. ConversationError names that file; ``reason`` drops it.
    """
    suffix = Path(filename).suffix.lower()
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / f"upload{suffix if suffix in SUFFIX_FORMATS else '.txt'}"
        path.write_bytes(data)
        return read_file(path)


def reason(error: ConversationError) -> str:
    """What was wrong with the upload, without the temporary file's name."""
    return str(error).split(": ", 1)[-1]


def read_upload(filename: str, data: bytes) -> list[Conversation]:
    """The conversations in an uploaded file with turns, or why it cannot be imported."""
    if not data.strip():
        raise TranscriptImportError("The file is empty.")
    if len(data) > MAX_FILE_BYTES:
        raise TranscriptImportError(f"The file is larger than {MAX_FILE_BYTES // 1_000_000} MB.")
    try:
        conversations = [c for c in conversations_in(data, filename) if c.turns]
    except ConversationError as exc:
        raise TranscriptImportError(f"Cannot read the transcript: {reason(exc)}") from exc
    if not conversations:
        raise TranscriptImportError("No conversation with any turns was found in the file.")
    if len(conversations) > MAX_CONVERSATIONS:
        raise TranscriptImportError(f"At most {MAX_CONVERSATIONS} conversations per file.")
    return conversations


def _customer(contact: str) -> Customer | None:
    if not contact.strip():
        return None
    try:
        return identify(contact)
    except InvalidContact as exc:
        raise TranscriptImportError(
            f"{contact!r} is not a phone number or e-mail address: {exc}"
        ) from exc


def _data(conv: Conversation, request: ImportRequest) -> InteractionData:
    return InteractionData(
        channel=Channel(request.channel or conv.channel),
        started_at=request.started_at or conv.started_at or timezone.now(),
        handled_by=request.rep,
        summary=f"Imported transcript ({request.filename[:100]})",
        turns=[TurnData(t.speaker, t.text, t.start) for t in conv.turns],
    )


def import_transcripts(request: ImportRequest, actor: User) -> list[Interaction]:
    """Store every conversation in the file; each is scored after the import commits."""
    conversations = read_upload(request.filename, request.data)
    customer = _customer(request.contact)
    try:
        with transaction.atomic():
            return [log_interaction(customer, _data(c, request), actor) for c in conversations]
    except InvalidInteraction as exc:
        raise TranscriptImportError(str(exc)) from exc
