"""The one redaction pass: no card number in any free-text value we store, send or log.

DESIGN.md asks for "one redaction pass for card numbers on every free-text field before it is
stored or sent". Calls by hand in each action missed fields (a lead's budget, a promise, a
caller's name), so the pass runs once, at the edge of the database: a ``pre_save`` handler
(connected in the accounts app's ``ready()``) redacts every text value of every Everytouch
model, JSON included, except the few in ``EXEMPT``. Writes that skip ``save()``
(``bulk_create``, ``bulk_update``, ``QuerySet.update``) go through ``redacted`` and
``redacted_values`` here. Outbound bodies (webhooks, e-mails) pass through ``redact_value``
where they are built, and ``CardNumberFilter`` redacts log records. docs/security.md says
what is detected (everytouch/analysis/redact.py) and the limits.

A text already redacted comes back unchanged, so running the pass twice costs nothing but time.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Mapping
from functools import cache
from typing import Any, TypeVar

from django.db import models
from django.db.models.signals import pre_save

from everytouch.analysis.redact import redact_card_numbers

# Text fields the pass leaves alone, and why. Each is a machine value that redaction would
# corrupt (a hash or key matched exactly, an address to call) and that no person types free text
# into.
EXEMPT: Mapping[str, str] = {
    "accounts.ApiToken.key_hash": "SHA-256 hex digest of a token, matched exactly at log-in",
    "accounts.IdempotencyKey.key": "the client's Idempotency-Key, matched exactly on a retry",
    "accounts.IdempotencyKey.request_hash": "SHA-256 fingerprint of the request body",
    "followups.CalendarFeed.token_hash": "SHA-256 hex digest of a calendar-feed token",
    "quality.TesterLink.token_hash": "SHA-256 hex digest of a tester link's token",
    "leads.WebhookEndpoint.url": "the receiver's address: redacting it would send elsewhere",
    "leads.WebhookEndpoint.secret": "the signing secret, random; must stay byte for byte",
    "leads.WebhookDelivery.event_id": "the id receivers de-duplicate deliveries on",
    "customers.ContactPoint.value": "a phone in E.164 or an e-mail, both validated on entry",
    "staff.TakenMessage.callback_number": "a phone in E.164, validated on entry",
    "staff.TakenMessage.callback_email": "an e-mail address, validated on entry",
    "staff.Notification.url": "a path inside this app, built by the code",
    "staff.Notification.key": "the de-duplication key of a notice, built by the code",
}

_Model = TypeVar("_Model", bound=models.Model)
_TEXT = (models.CharField, models.TextField, models.JSONField)


def redact_value(value: Any) -> Any:
    """A string redacted; lists and dicts (JSON) redacted item by item; anything else as is."""
    if isinstance(value, str):
        return redact_card_numbers(value)
    if isinstance(value, list):
        return [redact_value(item) for item in value]
    if isinstance(value, tuple):
        return tuple(redact_value(item) for item in value)
    if isinstance(value, dict):
        return {key: redact_value(item) for key, item in value.items()}
    return value


@cache
def text_fields(model: type[models.Model]) -> tuple[models.Field[Any, Any], ...]:
    """The fields of an Everytouch model the pass redacts: text and JSON, minus EXEMPT and
    fields with choices (a value from a fixed list holds no free text)."""
    if not model.__module__.startswith("everytouch."):
        return ()
    label = model._meta.label
    return tuple(
        field
        for field in model._meta.concrete_fields
        if isinstance(field, _TEXT)
        and not isinstance(field, models.URLField)
        and not field.choices
        and f"{label}.{field.name}" not in EXEMPT
    )


def redact_instance(instance: models.Model, only: Iterable[str] | None = None) -> None:
    """Redact the text fields of one row in place (only the named ones, if given)."""
    names = None if only is None else set(only)
    for field in text_fields(type(instance)):
        if names is not None and field.name not in names and field.attname not in names:
            continue
        value = getattr(instance, field.attname)
        new = _fit(field, redact_value(value))
        if new != value:
            setattr(instance, field.attname, new)


def _fit(field: models.Field[Any, Any], value: Any) -> Any:
    # "[card ending 1234]" is longer than 13 to 16 bare digits: keep within the column.
    limit = getattr(field, "max_length", None)
    if isinstance(value, str) and isinstance(limit, int) and len(value) > limit:
        return value[:limit]
    return value


def redacted(rows: Iterable[_Model]) -> list[_Model]:
    """The rows, redacted, for ``bulk_create`` and ``bulk_update`` (which send no signals)."""
    out = list(rows)
    for row in out:
        redact_instance(row)
    return out


def redacted_values(model: type[models.Model], values: dict[str, Any]) -> dict[str, Any]:
    """Keyword values for ``QuerySet.update`` (which sends no signals), redacted."""
    fields = {name: f for f in text_fields(model) for name in (f.name, f.attname)}
    return {
        name: _fit(fields[name], redact_value(value)) if name in fields else value
        for name, value in values.items()
    }


def _before_save(
    sender: type[models.Model],
    instance: models.Model,
    update_fields: frozenset[str] | None = None,
    **kwargs: Any,
) -> None:
    redact_instance(instance, update_fields)


def connect() -> None:
    """Redact every Everytouch row before it is saved. Called once, from accounts' ready()."""
    pre_save.connect(_before_save, dispatch_uid="everytouch.redaction")


class CardNumberFilter(logging.Filter):
    """Redacts a record's message and traceback. settings.LOGGING puts it on the console
    handler, so records of every everytouch logger (and any propagated to it) pass through."""

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except (TypeError, ValueError):
            return True  # a broken format string: logging reports it itself when it emits
        clean = redact_card_numbers(message)
        if clean != message:
            record.msg, record.args = clean, ()
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = redact_card_numbers(record.exc_text)
        if record.stack_info:
            record.stack_info = redact_card_numbers(record.stack_info)
        return True
