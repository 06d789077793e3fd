"""Taken messages: who gets one, acknowledging it, and escalating it when nobody does.

Every open message has an active owner from the moment it is taken: the person it is for if
they can take it, else whoever now covers for them, else a manager. An unacknowledged message
moves up a step (backup, then manager) after a number of business hours; see docs/staff.md.
"""

from __future__ import annotations

import logging
from datetime import datetime

from django.conf import settings
from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import QuerySet
from django.urls import reverse
from django.utils import timezone

from everytouch.accounts.access import may_act_for
from everytouch.accounts.models import Role
from everytouch.accounts.people import display_name
from everytouch.business_time import add_business_hours
from everytouch.customers import timeline
from everytouch.customers.contacts import InvalidContact, normalise_email, normalise_phone
from everytouch.customers.models import Customer
from everytouch.ownership import can_own, possible_owners, successor_for
from everytouch.staff.directory.actions import StaffError
from everytouch.staff.directory.availability import current_absence
from everytouch.staff.models import (
    MessageStatus,
    StaffMember,
    TakenMessage,
    Urgency,
)
from everytouch.staff.notifications import notify

logger = logging.getLogger("everytouch.staff")

# Levels of escalation: with the first owner, with their backup, with a manager (the last).
LEVEL_OWNER, LEVEL_BACKUP, LEVEL_MANAGER = 0, 1, 2
MAX_ABOUT = 5000


# --- who owns a message --------------------------------------------------------------------------


def _member(user: User) -> StaffMember | None:
    return (
        StaffMember.objects.select_related("team__manager", "backup__user")
        .filter(user=user)
        .first()
    )


def managers() -> QuerySet[User]:
    return possible_owners().filter(profile__role__in=[Role.OWNER, Role.MANAGER]).order_by("pk")


def manager_for(user: User, exclude: User | None = None) -> User | None:
    """The person's team manager if they can own things, else any owner or manager."""
    member = _member(user)
    team_manager = member.team.manager if member and member.team else None
    if team_manager is not None and can_own(team_manager) and team_manager != exclude:
        return team_manager
    qs = managers()
    if exclude is not None:
        qs = qs.exclude(pk=exclude.pk)
    return qs.first()


def _cover_while_away(user: User, now: datetime) -> User | None:
    """The backup named for a booked absence, so a week away does not wait for escalation."""
    member = _member(user)
    absence = current_absence(member, now) if member else None
    if absence is None or member is None:
        return None
    backup = absence.backup or member.backup
    return backup.user if backup is not None and can_own(backup.user) else None


def owner_for(intended: User, now: datetime) -> User:
    """Who owns a message meant for ``intended``: never someone who cannot act on it."""
    if can_own(intended):
        return _cover_while_away(intended, now) or intended
    owner = successor_for(intended) or manager_for(intended)
    if owner is None:
        raise StaffError("nobody can take this message: there is no active manager")
    return owner


# --- taking a message ----------------------------------------------------------------------------


def _clean_number(raw: str) -> str:
    if not raw.strip():
        return ""
    try:
        return normalise_phone(raw.strip())
    except InvalidContact as exc:
        raise StaffError(f"call-back number: {exc}") from exc


def _clean_email(raw: str) -> str:
    if not raw.strip():
        return ""
    try:
        return normalise_email(raw)
    except InvalidContact as exc:
        raise StaffError(f"call-back e-mail: {exc}") from exc


def _check_reachable(number: str, email: str, customer: Customer | None) -> None:
    if number or email:
        return
    if customer is not None and customer.contacts.exists():
        return
    raise StaffError(
        "there is no way to call back: give a call-back number or e-mail, "
        "or pick a customer with a phone or e-mail on file"
    )


def _check_intended(intended: User) -> None:
    if intended.is_active and not hasattr(intended, "profile"):
        raise StaffError(f"{display_name(intended)} is not a member of staff")


def messages_url(message: TakenMessage) -> str:
    return f"{reverse('messages_mine')}#message-{message.pk}"


def _who_called(message: TakenMessage) -> str:
    customer = message.customer
    return message.caller_name or (customer.display_name if customer else "") or "a caller"


def _taken_text(message: TakenMessage) -> str:
    urgent = "Urgent message" if message.urgency == Urgency.HIGH else "Message"
    regarding = (
        ""
        if message.owner_id == message.intended_for_id
        else (f" (for {display_name(message.intended_for)})")
    )
    return f"{urgent} from {_who_called(message)}{regarding}: {message.about}"


@transaction.atomic
def take_message(
    *,
    intended_for: User,
    about: str,
    taken_by: User,
    customer: Customer | None = None,
    caller_name: str = "",
    callback_number: str = "",
    callback_email: str = "",
    urgency: Urgency = Urgency.NORMAL,
) -> TakenMessage:
    """Record a message for someone; it has an active owner and an escalation time at once."""
    about = about.strip()
    if not about:
        raise StaffError("say what the message is about")
    if len(about) > MAX_ABOUT:
        raise StaffError(f"the message is longer than {MAX_ABOUT} characters")
    _check_intended(intended_for)
    number, email = _clean_number(callback_number), _clean_email(callback_email)
    _check_reachable(number, email, customer)
    now = timezone.now()
    message = TakenMessage.objects.create(
        customer=customer,
        caller_name=caller_name.strip()[:200],
        callback_number=number,
        callback_email=email,
        about=about,
        urgency=Urgency(urgency),
        intended_for=intended_for,
        owner=owner_for(intended_for, now),
        taken_by=taken_by,
        escalate_at=add_business_hours(now, settings.EVERYTOUCH_MESSAGE_ESCALATION_HOURS),
    )
    notify(message.owner, _taken_text(message), messages_url(message), f"message:{message.pk}")
    if customer is not None:
        timeline.message_taken(customer, taken_by, message.pk, display_name(intended_for), about)
    _schedule_escalation(message)
    return message


def _schedule_escalation(message: TakenMessage) -> None:
    if message.escalate_at is None:
        return
    message_id, level, when = message.pk, message.escalation_level, message.escalate_at

    def enqueue() -> None:
        from everytouch.staff.tasks import escalate_message_task

        escalate_message_task.using(run_after=when).enqueue(message_id, level)

    transaction.on_commit(enqueue)


# --- acknowledging and completing ----------------------------------------------------------------


def _locked(message: TakenMessage, user: User) -> TakenMessage:
    locked = TakenMessage.objects.select_for_update().get(pk=message.pk)
    if not may_act_for(user, locked.owner_id):
        raise PermissionDenied("only the message's owner or a manager may do that")
    return locked


@transaction.atomic
def acknowledge_message(message: TakenMessage, user: User) -> TakenMessage:
    """ "I have seen it": escalation stops. Acknowledging twice changes nothing."""
    locked = _locked(message, user)
    if locked.status == MessageStatus.OPEN:
        locked.status = MessageStatus.ACKNOWLEDGED
        locked.acknowledged_at = timezone.now()
        locked.escalate_at = None
        locked.save(update_fields=["status", "acknowledged_at", "escalate_at"])
    return locked


@transaction.atomic
def complete_message(message: TakenMessage, user: User) -> TakenMessage:
    """The call-back is done: the message leaves everyone's open list."""
    locked = _locked(message, user)
    if locked.status != MessageStatus.DONE:
        locked.acknowledged_at = locked.acknowledged_at or timezone.now()
        locked.status = MessageStatus.DONE
        locked.escalate_at = None
        locked.save(update_fields=["status", "acknowledged_at", "escalate_at"])
    return locked


# --- escalation ----------------------------------------------------------------------------------


def _is_due(message: TakenMessage, expected_level: int, now: datetime) -> bool:
    return (
        message.status == MessageStatus.OPEN
        and message.acknowledged_at is None
        and message.escalation_level == expected_level
        and message.escalate_at is not None
        and message.escalate_at <= now
    )


def _backup_of(owner: User, now: datetime) -> User | None:
    member = _member(owner)
    if member is None:
        return None
    absence = current_absence(member, now)
    backup = (absence.backup if absence else None) or member.backup
    if backup is None or not can_own(backup.user) or backup.user_id == owner.pk:
        return None
    return backup.user


def _next_step(message: TakenMessage, now: datetime) -> tuple[User, int]:
    """Who takes an overdue message next, and at which level."""
    if message.escalation_level == LEVEL_OWNER:
        backup = _backup_of(message.owner, now)
        if backup is not None:
            return backup, LEVEL_BACKUP
    manager = manager_for(message.owner, exclude=message.owner) or manager_for(message.owner)
    # With no other manager the owner keeps it (they are one); the notice still reminds them.
    return (manager or message.owner), LEVEL_MANAGER


def _escalated_text(message: TakenMessage, previous: User) -> str:
    hours = settings.EVERYTOUCH_MESSAGE_ESCALATION_HOURS
    return (
        f"Unanswered for {hours:g} business hours with {display_name(previous)}: "
        f"message from {_who_called(message)} for {display_name(message.intended_for)}: "
        f"{message.about}"
    )


@transaction.atomic
def escalate_message(message_id: int, expected_level: int, now: datetime) -> TakenMessage | None:
    """Move an overdue, unacknowledged message one step up; None when there is nothing to do.

    The row is locked and its level compared with ``expected_level``, so a job that runs twice
    (a retry, a sweep racing the scheduled job) escalates once and notifies once.
    """
    message = (
        TakenMessage.objects.select_for_update(of=("self",))
        .select_related("owner", "intended_for", "customer")
        .filter(pk=message_id)
        .first()
    )
    if message is None or not _is_due(message, expected_level, now):
        return None
    previous = message.owner
    message.owner, message.escalation_level = _next_step(message, now)
    message.escalate_at = None
    if message.escalation_level < LEVEL_MANAGER:
        message.escalate_at = add_business_hours(now, settings.EVERYTOUCH_MESSAGE_ESCALATION_HOURS)
    message.save(update_fields=["owner", "escalation_level", "escalate_at"])
    key = f"message:{message.pk}:escalated:{message.escalation_level}"
    notify(message.owner, _escalated_text(message, previous), messages_url(message), key)
    if message.customer is not None:
        hours = float(settings.EVERYTOUCH_MESSAGE_ESCALATION_HOURS)
        timeline.message_escalated(
            message.customer, message.pk, display_name(previous), display_name(message.owner), hours
        )
    logger.info(
        "message %s escalated to level %s: %s", message.pk, message.escalation_level, message.owner
    )
    _schedule_escalation(message)
    return message


def overdue_messages(now: datetime) -> QuerySet[TakenMessage]:
    return TakenMessage.objects.filter(
        status=MessageStatus.OPEN, acknowledged_at=None, escalate_at__lte=now
    ).order_by("escalate_at", "pk")


def escalate_overdue(now: datetime) -> int:
    """Escalate every overdue message once: the safety net for a lost scheduled job."""
    done = 0
    for message_id, level in overdue_messages(now).values_list("pk", "escalation_level"):
        if escalate_message(message_id, level, now) is not None:
            done += 1
    return done
