"""Taken messages and notifications in the browser.

Desk roles (owner, manager, rep) take messages. Everyone with a role sees and answers the
messages they own and their own notifications (a trainer can be asked for too). Managers also
see every unacknowledged message. Outsiders get 403 for pages and 404 for single messages.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages as flash
from django.contrib.auth.decorators import login_required
from django.contrib.auth.models import User
from django.db.models import Case, IntegerField, QuerySet, Value, When
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import URLPattern, path, reverse
from django.views.decorators.http import require_http_methods, require_POST

from everytouch import bounds
from everytouch.accounts.access import (
    DESK_ROLES,
    MANAGER_ROLES,
    STAFF_ROLES,
    can_manage,
    has_role,
    require_role,
)
from everytouch.accounts.listing import Sorting
from everytouch.accounts.people import display_name
from everytouch.accounts.redirects import safe_next
from everytouch.accounts.web_kit import paginate
from everytouch.customers.actions import log_bulk_access, resolve
from everytouch.customers.models import Customer
from everytouch.staff import notifications
from everytouch.staff.directory.actions import StaffError
from everytouch.staff.messages.actions import (
    acknowledge_message,
    complete_message,
    take_message,
)
from everytouch.staff.messages.forms import MessageForm, recipients
from everytouch.staff.models import MessageStatus, Notification, TakenMessage, Urgency

RECENTLY_DONE = 20


def _with_people(qs: QuerySet[TakenMessage]) -> QuerySet[TakenMessage]:
    return qs.select_related("owner", "intended_for", "taken_by", "customer")


def _ranked(qs: QuerySet[TakenMessage]) -> QuerySet[TakenMessage]:
    """With ``rank`` (open, then acknowledged, then done) and ``urgency_rank`` (high first when
    sorted descending) to sort by: the words themselves sort alphabetically, not by weight."""
    rank = Case(
        When(status=MessageStatus.OPEN, then=Value(0)),
        When(status=MessageStatus.ACKNOWLEDGED, then=Value(1)),
        default=Value(2),
        output_field=IntegerField(),
    )
    urgency = Case(
        When(urgency=Urgency.HIGH, then=Value(2)),
        When(urgency=Urgency.NORMAL, then=Value(1)),
        default=Value(0),
        output_field=IntegerField(),
    )
    return qs.annotate(rank=rank, urgency_rank=urgency)


# The message lists' columns; ``?sort=`` anything else gives the list's default.
MY_MESSAGES_SORT = Sorting(
    columns={
        "status": ("rank", "created_at", "pk"),
        "created": ("created_at", "pk"),
    },
    default="status",
)
ALL_MESSAGES_SORT = Sorting(
    columns={
        "created": ("created_at", "pk"),
        "urgency": ("urgency_rank", "-created_at", "-pk"),
        "caller": ("caller_name", "customer__name", "created_at", "pk"),
        "for": ("intended_for__first_name", "intended_for__last_name", "created_at", "pk"),
    },
    default="created",
    descending_first=frozenset({"urgency"}),
)
# The sort words this page took before it had columns, kept so old bookmarks still work.
OLD_SORT_WORDS = {"newest": "-created", "oldest": "created"}


@login_required
def my_messages(request: HttpRequest) -> HttpResponse:
    user = require_role(request.user, STAFF_ROLES)
    mine = _with_people(TakenMessage.objects.filter(owner=user))
    sort = MY_MESSAGES_SORT.parse(request.GET.get("sort"))
    open_messages = _ranked(mine.exclude(status=MessageStatus.DONE)).order_by(*sort.order_by())
    done_messages = mine.filter(status=MessageStatus.DONE)[:RECENTLY_DONE]
    log_bulk_access(user, "list", len(open_messages) + len(done_messages), "messages")
    context = {
        "open_messages": open_messages,
        "sort": sort,
        "done_messages": done_messages,
        "can_take": has_role(user, DESK_ROLES),
        "is_manager": can_manage(user),
    }
    return render(request, "staff/messages_mine.html", context)


@login_required
def all_messages(request: HttpRequest) -> HttpResponse:
    user = require_role(request.user, MANAGER_ROLES)
    raw = request.GET.get("sort", "")
    sort = ALL_MESSAGES_SORT.parse(OLD_SORT_WORDS.get(raw, raw))
    unacknowledged = _ranked(TakenMessage.objects.filter(status=MessageStatus.OPEN))
    page = paginate(request, _with_people(unacknowledged).order_by(*sort.order_by()))
    log_bulk_access(user, "list", len(page), "messages")
    return render(request, "staff/messages_all.html", {"page": page, "sort": sort})


def _int_param(request: HttpRequest, name: str) -> int | None:
    raw = request.GET.get(name, "")
    return bounds.parse_id(raw)


def _prefill(request: HttpRequest) -> tuple[dict[str, Any], Customer | None]:
    initial: dict[str, Any] = {"urgency": Urgency.NORMAL}
    customer_pk = _int_param(request, "customer")
    found = Customer.objects.filter(pk=customer_pk).first() if customer_pk else None
    customer = resolve(found) if found else None
    if customer is not None:
        initial.update(customer_id=customer.pk, caller_name=customer.name)
        if customer.owner_id:
            initial["intended_for"] = customer.owner_id
    for_pk = _int_param(request, "for")
    if for_pk and recipients().filter(pk=for_pk).exists():
        initial["intended_for"] = for_pk
    return initial, customer


def _take(form: MessageForm, user: User) -> TakenMessage:
    data = form.cleaned_data
    return take_message(
        intended_for=data["intended_for"],
        about=data["about"],
        taken_by=user,
        customer=data["customer_id"],
        caller_name=data["caller_name"],
        callback_number=data["callback_number"],
        callback_email=data["callback_email"],
        urgency=Urgency(data["urgency"]),
    )


def _taken_note(message: TakenMessage) -> str:
    note = f"Message taken for {display_name(message.intended_for)}"
    if message.owner_id != message.intended_for_id:
        note += f"; {display_name(message.owner)} has it"
    return note + "."


@login_required
@require_http_methods(["GET", "POST"])
def new_message(request: HttpRequest) -> HttpResponse:
    user = require_role(request.user, DESK_ROLES)
    initial, customer = _prefill(request)
    form = MessageForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            message = _take(form, user)
        except StaffError as exc:
            form.add_error(None, str(exc))
        else:
            flash.success(request, _taken_note(message))
            if message.customer_id:
                return redirect("customer_detail", pk=message.customer_id)
            return redirect("message_new")
    if request.method == "POST":
        customer = form.cleaned_data.get("customer_id") if form.is_bound else customer
    status = 400 if request.method == "POST" else 200
    context = {"form": form, "customer": customer}
    return render(request, "staff/messages_new.html", context, status=status)


def _handled_message(request: HttpRequest, pk: int) -> tuple[TakenMessage, User]:
    """The message if this user may answer it: its owner or a manager; 404 for anyone else."""
    user = request.user
    if not isinstance(user, User) or not has_role(user, STAFF_ROLES):
        raise Http404("No such message.")
    qs = _with_people(TakenMessage.objects.all())
    if not can_manage(user):
        qs = qs.filter(owner=user)
    return get_object_or_404(qs, pk=pk), user


def _after_answer(request: HttpRequest, message: TakenMessage) -> HttpResponse:
    if request.htmx:  # type: ignore[attr-defined]
        context = {"m": message, "is_manager": can_manage(request.user)}
        return render(request, "staff/messages_row.html", context)
    return redirect(safe_next(request, reverse("messages_mine")))


@login_required
@require_POST
def message_ack(request: HttpRequest, pk: int) -> HttpResponse:
    message, user = _handled_message(request, pk)
    return _after_answer(request, acknowledge_message(message, user))


@login_required
@require_POST
def message_done(request: HttpRequest, pk: int) -> HttpResponse:
    message, user = _handled_message(request, pk)
    return _after_answer(request, complete_message(message, user))


@login_required
def notification_list(request: HttpRequest) -> HttpResponse:
    user = require_role(request.user, STAFF_ROLES)
    page = paginate(request, Notification.objects.filter(user=user))
    unread = notifications.unread_count(user)
    return render(request, "staff/notifications.html", {"page": page, "unread": unread})


@login_required
@require_POST
def notification_read(request: HttpRequest, pk: int) -> HttpResponse:
    user = require_role(request.user, STAFF_ROLES)
    notice = get_object_or_404(Notification, pk=pk, user=user)
    notifications.mark_read(notice)
    if request.htmx:  # type: ignore[attr-defined]
        return render(request, "staff/notifications_item.html", {"n": notice})
    return redirect("notifications")


@login_required
@require_POST
def notifications_read_all(request: HttpRequest) -> HttpResponse:
    user = require_role(request.user, STAFF_ROLES)
    count = notifications.mark_all_read(user)
    flash.success(request, f"Marked {count} notification{'s' if count != 1 else ''} read.")
    return redirect("notifications")


urlpatterns: list[URLPattern] = [
    path("messages/", my_messages, name="messages_mine"),
    path("messages/all/", all_messages, name="messages_all"),
    path("messages/new/", new_message, name="message_new"),
    path("messages/<int:pk>/ack/", message_ack, name="message_ack"),
    path("messages/<int:pk>/done/", message_done, name="message_done"),
    path("notifications/", notification_list, name="notifications"),
    path("notifications/<int:pk>/read/", notification_read, name="notification_read"),
    path("notifications/read-all/", notifications_read_all, name="notifications_read_all"),
]
