"""Leads in the browser: the pipeline board, a lead's page, capture from the desk, speed to lead.

Everyone with a role sees leads (trainers included: they coach on them). Desk roles create
leads and export them; the owner of a lead or a manager changes it (stage, hand-off, response).
Outsiders get 403 for pages and 404 for single leads; anonymous users go to the login page.
"""

from __future__ import annotations

import functools
from collections.abc import Iterator
from datetime import timedelta
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import (
    Http404,
    HttpRequest,
    HttpResponse,
    JsonResponse,
    StreamingHttpResponse,
)
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from everytouch import bounds, spreadsheet
from everytouch.accounts.access import (
    DESK_ROLES,
    STAFF_ROLES,
    can_manage,
    get_visible_or_404,
    has_role,
    may_act_for,
    require_role,
)
from everytouch.accounts.listing import SortChoice, Sorting
from everytouch.accounts.people import display_name
from everytouch.accounts.redirects import safe_next
from everytouch.accounts.web_kit import desk_users, page_number
from everytouch.customers.actions import log_access, log_bulk_access, resolve
from everytouch.customers.models import Customer
from everytouch.interactions.models import Interaction
from everytouch.leads import actions, queries, stages
from everytouch.leads.actions import LeadData
from everytouch.leads.errors import LeadError
from everytouch.leads.formatting import duration
from everytouch.leads.forms import HandOffForm, LeadForm, StageForm
from everytouch.leads.models import CLOSED_STAGES, Lead, Stage
from everytouch.leads.queries import LeadFilter

BOARD_PAGE = 20
EXPORT_LIMIT = 10_000


def _leads() -> QuerySet[Lead]:
    return Lead.objects.select_related("customer", "owner")


def _lead(request: HttpRequest, pk: int, roles: frozenset[Any] = STAFF_ROLES) -> Lead:
    return get_visible_or_404(request.user, _leads(), pk, roles)


def _changeable(request: HttpRequest, pk: int) -> tuple[Lead, User]:
    lead = _lead(request, pk)
    user = require_role(request.user, STAFF_ROLES)
    if not may_act_for(user, lead.owner_id):
        raise PermissionDenied("Only the lead's owner or a manager can change it.")
    return lead, user


# --- the board -----------------------------------------------------------------------------------


def _int(raw: str, high: int = bounds.MAX_ID) -> int | None:
    return bounds.parse_whole(raw, high=high)


def board_filter(request: HttpRequest, user: User) -> LeadFilter:
    owner = request.GET.get("owner", "")
    stage = request.GET.get("stage", "")
    return LeadFilter(
        owner_id=user.pk if owner == "me" else _int(owner),
        stage=stage if stage in Stage.values else "",
        untouched_days=_int(request.GET.get("untouched", ""), high=bounds.MAX_LOOKBACK_DAYS),
        q=request.GET.get("q", "")[:200],
    )


def forward_first(current: str, may_reopen: bool) -> list[str]:
    """Allowed moves with the next step first: the usual click, and the form's default."""
    return list(_forward_first(current, may_reopen))


@functools.cache
def _forward_first(current: str, may_reopen: bool) -> tuple[str, ...]:
    # The same few answers for every card of a board: worked out once per stage.
    order = list(Stage.values)
    moves = stages.allowed_targets(current, may_reopen=may_reopen)
    here = order.index(current)
    return tuple(sorted(moves, key=lambda s: (order.index(s) < here, order.index(s))))


# Stage(s).label rebuilds the enum's choices on each call: a board asked it hundreds of times.
_STAGE_LABELS = dict(Stage.choices)


# The board's order within each column; ``?sort=`` anything else gives the default.
BOARD_SORT = Sorting(
    columns={
        "activity": ("last_activity_at", "pk"),
        "created": ("created_at", "pk"),
        "customer": ("customer__name", "-last_activity_at", "-pk"),
    },
    default="-activity",
    descending_first=frozenset({"activity", "created"}),
)
SORT_LABELS = {
    "-activity": "Latest activity first",
    "activity": "Quiet longest first",
    "-created": "Newest first",
    "created": "Oldest first",
    "customer": "Customer A-Z",
}


def _with_moves(cards: list[Lead], user: User) -> list[Lead]:
    """Each card with the moves this user may make from its stage: the fallback form's choices,
    and ``movable`` for the drag handle (a card nobody may move here is not draggable)."""
    may_reopen = can_manage(user)
    for lead in cards:
        moves = forward_first(lead.stage, may_reopen) if may_act_for(user, lead.owner_id) else []
        # Lost needs a reason, so the form shows a reason box beside it.
        lead.moves = [(s, _STAGE_LABELS[s]) for s in moves if s != Stage.LOST]  # type: ignore[attr-defined]
        lead.can_lose = Stage.LOST in moves  # type: ignore[attr-defined]
        lead.movable = bool(moves)  # type: ignore[attr-defined]
    return cards


def _column_page(qs: QuerySet[Lead], stage: str, sort: SortChoice, number: int) -> list[Lead]:
    """One page of one column: BOARD_PAGE cards, and one more to tell whether more follow."""
    start = (number - 1) * BOARD_PAGE
    rows = qs.filter(stage=stage).order_by(*sort.order_by())
    return list(rows[start : start + BOARD_PAGE + 1])


def _column(stage: Stage, cards: list[Lead], total: int, number: int) -> dict[str, Any]:
    shown = cards[:BOARD_PAGE]
    return {
        "stage": stage,
        "label": stage.label,
        "cards": shown,
        "total": total,
        "next_page": number + 1 if len(cards) > BOARD_PAGE and number < bounds.MAX_PAGE else None,
        "left": total - (number - 1) * BOARD_PAGE - len(shown),
    }


def _columns(
    f: queries.LeadFilter, qs: QuerySet[Lead], user: User, sort: SortChoice
) -> list[dict[str, Any]]:
    totals = queries.stage_totals(f, qs)
    columns = []
    for stage in Stage:
        cards = _column_page(qs, stage, sort, 1)
        _with_moves(cards[:BOARD_PAGE], user)
        columns.append(_column(stage, cards, totals.get(stage.value, 0), 1))
    return columns


@login_required
@require_GET
def board(request: HttpRequest) -> HttpResponse:
    user = require_role(request.user, STAFF_ROLES)
    f = board_filter(request, user)
    sort = BOARD_SORT.parse(request.GET.get("sort"))
    columns = _columns(f, queries.filter_leads(f), user, sort)
    log_bulk_access(user, "list", sum(len(c["cards"]) for c in columns), "leads")
    context = {
        "columns": columns,
        "filter": f,
        "sort": sort,
        "sort_options": list(SORT_LABELS.items()),
        "owner_param": request.GET.get("owner", ""),
        "owners": desk_users(),
        "stages": Stage.choices,
        "can_export": has_role(user, DESK_ROLES),
        "is_manager": can_manage(user),
        "untouched_count": queries.untouched_leads(3).count(),
    }
    return render(request, "leads/board.html", context)


@login_required
@require_GET
def board_column(request: HttpRequest, stage: str) -> HttpResponse:
    """One more page of one column, for the board's "more" button (htmx: just the cards and the
    next button); without htmx, a page of its own with previous and next links."""
    user = require_role(request.user, STAFF_ROLES)
    if stage not in Stage.values:
        raise Http404("No such stage.")
    number = page_number(request)
    qs = queries.filter_leads(board_filter(request, user))
    sort = BOARD_SORT.parse(request.GET.get("sort"))
    cards = _column_page(qs, stage, sort, number)
    _with_moves(cards[:BOARD_PAGE], user)
    total = qs.filter(stage=stage).count()
    log_bulk_access(user, "list", len(cards[:BOARD_PAGE]), "leads")
    context = {"col": _column(Stage(stage), cards, total, number), "page_number": number}
    template = "leads/_column_page.html" if request.htmx else "leads/column.html"  # type: ignore[attr-defined]
    return render(request, template, context)


@login_required
@require_GET
def export_csv(request: HttpRequest) -> StreamingHttpResponse:
    """The filtered board as CSV (desk roles: it holds customers' contact details).

    Streamed: the header goes out at once and the leads follow a chunk at a time, so the first
    byte does not wait for the last lead and memory stays flat however many leads there are.
    """
    user = require_role(request.user, DESK_ROLES)
    qs = queries.filter_leads(board_filter(request, user))
    # Counted up front (no further than the limit), so the access is logged before any row
    # leaves, even if the download is cut short.
    log_bulk_access(user, "export", qs.order_by()[:EXPORT_LIMIT].count(), "leads")
    lines = _csv_lines(queries.export_rows(qs, EXPORT_LIMIT))
    response = StreamingHttpResponse(lines, content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="leads.csv"'
    return response


class _Pending:
    """What the CSV writer wrote since it was last taken: one string per streamed chunk."""

    def __init__(self) -> None:
        self.parts: list[str] = []

    def write(self, text: str) -> int:
        self.parts.append(text)
        return len(text)

    def take(self) -> str:
        text, self.parts = "".join(self.parts), []
        return text


def _csv_lines(chunks: Iterator[list[list[object]]]) -> Iterator[str]:
    pending = _Pending()
    writer = spreadsheet.writer(pending)
    writer.writerow(queries.EXPORT_COLUMNS)
    yield pending.take()
    for rows in chunks:
        writer.writerows(rows)
        yield pending.take()


# --- one lead ------------------------------------------------------------------------------------


def _detail_context(lead: Lead, user: User) -> dict[str, Any]:
    changeable = may_act_for(user, lead.owner_id)
    moves = forward_first(lead.stage, can_manage(user)) if changeable else []
    return {
        "lead": lead,
        "activities": lead.activities.select_related("actor"),
        "speed": duration(lead.speed_to_lead),
        "waiting": duration(timezone.now() - lead.created_at),
        "changeable": changeable,
        "moves": [(s, Stage(s).label) for s in moves],
        "handoff_form": HandOffForm(exclude=lead.owner),
        "stage_form": StageForm(),
    }


@login_required
@require_GET
def lead_detail(request: HttpRequest, pk: int) -> HttpResponse:
    lead = _lead(request, pk)
    user = require_role(request.user, STAFF_ROLES)
    log_access(user, lead.customer, "lead")
    return render(request, "leads/detail.html", _detail_context(lead, user))


def _wants_json(request: HttpRequest) -> bool:
    return "application/json" in request.headers.get("Accept", "")


def _move_answer(request: HttpRequest, lead: Lead, user: User) -> JsonResponse:
    """The board's drag and drop: the same move, answered in JSON so the page can keep the card
    where it was dropped (with its new choices) or put it back and say why."""
    form = StageForm(request.POST)
    if not form.is_valid():
        return JsonResponse({"ok": False, "message": "Not moved: choose a stage."}, status=422)
    stage = form.cleaned_data["stage"]
    try:
        lead = actions.move_stage(lead, stage, user, form.cleaned_data["lost_reason"])
    except LeadError as exc:
        return JsonResponse({"ok": False, "message": f"Not moved: {exc}."}, status=409)
    cards = {"cards": _with_moves([lead], user)}
    card = render_to_string("leads/_cards.html", cards, request=request)
    message = f"Moved {lead.customer.display_name} to {Stage(stage).label}."
    return JsonResponse({"ok": True, "message": message, "stage": stage, "card": card})


@login_required
@require_POST
def lead_stage(request: HttpRequest, pk: int) -> HttpResponse:
    if _wants_json(request):
        lead = _lead(request, pk)
        user = require_role(request.user, STAFF_ROLES)
        if not may_act_for(user, lead.owner_id):
            refusal = "Not moved: only the lead's owner or a manager can move it."
            return JsonResponse({"ok": False, "message": refusal}, status=403)
        return _move_answer(request, lead, user)
    lead, user = _changeable(request, pk)
    form = StageForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Choose a stage.")
    else:
        try:
            actions.move_stage(
                lead, form.cleaned_data["stage"], user, form.cleaned_data["lost_reason"]
            )
        except LeadError as exc:
            messages.error(request, f"Not moved: {exc}.")
        else:
            messages.success(request, f"Moved to {Stage(form.cleaned_data['stage']).label}.")
    return redirect(safe_next(request, reverse("lead_detail", args=[pk])))


@login_required
@require_POST
def lead_handoff(request: HttpRequest, pk: int) -> HttpResponse:
    lead, user = _changeable(request, pk)
    form = HandOffForm(request.POST, exclude=lead.owner)
    if not form.is_valid():
        messages.error(request, "Choose who takes the lead over.")
        return redirect("lead_detail", pk=pk)
    try:
        actions.hand_off(lead, form.cleaned_data["to"], user)
    except LeadError as exc:
        messages.error(request, f"Not handed off: {exc}.")
    else:
        messages.success(request, f"Handed off to {display_name(form.cleaned_data['to'])}.")
    return redirect("lead_detail", pk=pk)


@login_required
@require_POST
def lead_respond(request: HttpRequest, pk: int) -> HttpResponse:
    lead, user = _changeable(request, pk)
    lead = actions.record_response(lead, user)
    if lead.first_response_at is None:
        messages.error(request, "Only the lead's owner answering counts as its first response.")
    return redirect("lead_detail", pk=pk)


# --- capture -------------------------------------------------------------------------------------


def _customer_param(raw: str) -> Customer | None:
    pk = bounds.parse_id(raw)
    customer = Customer.objects.filter(pk=pk).first() if pk else None
    return resolve(customer) if customer else None


def _captured(request: HttpRequest, lead: Lead, created: bool) -> HttpResponse:
    if created:
        messages.success(request, f"Lead created for {display_name(lead.owner)}.")
    else:
        messages.info(request, "This customer asked for the same thing lately: lead updated.")
    return redirect("lead_detail", pk=lead.pk)


@login_required
@require_http_methods(["GET", "POST"])
def lead_new(request: HttpRequest) -> HttpResponse:
    user = require_role(request.user, DESK_ROLES)
    if request.method == "GET":
        customer = _customer_param(request.GET.get("customer", ""))
        initial = _initial(customer)
        if request.GET.get("need", "").strip():
            # A scorecard's "make it a lead" passes the need the analyzer extracted.
            initial["need"] = request.GET["need"].strip()[:300]
        form = LeadForm(initial=initial)
        return render(request, "leads/new.html", {"form": form, "customer": customer})
    form = LeadForm(request.POST)
    customer = _customer_param(request.POST.get("customer_id", ""))
    if form.is_valid() and customer is not None:
        data = form.cleaned_data
        lead_data = LeadData(
            data["need"], data["product_interest"], data["budget"], data["timeline"]
        )
        try:
            lead, created = actions.capture_lead(
                customer, lead_data, owner=data["owner"], actor=user
            )
        except LeadError as exc:
            form.add_error(None, str(exc))
        else:
            return _captured(request, lead, created)
    if customer is None:
        form.add_error(None, "Choose the customer first (from the desk or the customer page).")
    context = {"form": form, "customer": customer}
    return render(request, "leads/new.html", context, status=400)


def _initial(customer: Customer | None) -> dict[str, Any]:
    if customer is None:
        return {}
    last = customer.interactions.exclude(need="").first()
    return {"customer_id": customer.pk, "need": last.need if last else ""}


@login_required
@require_POST
def lead_from_interaction(request: HttpRequest, pk: int) -> HttpResponse:
    """The desk's one click: a lead from a logged touch, its need and its customer."""
    qs = Interaction.objects.select_related("customer", "handled_by")
    interaction = get_visible_or_404(request.user, qs, pk, DESK_ROLES)
    user = require_role(request.user, DESK_ROLES)
    if interaction.customer is None:
        messages.error(request, "This touch has no customer yet: save who it was first.")
        return redirect("interaction_detail", pk=pk)
    need = interaction.need or interaction.summary[:300]
    if not need.strip():
        url = reverse("lead_new") + f"?customer={interaction.customer.pk}"
        messages.info(request, "Say what they need to create the lead.")
        return redirect(url)
    try:
        lead, created = actions.capture_lead(
            resolve(interaction.customer),
            LeadData(need=need),
            owner=None,
            actor=user,
            source_interaction=interaction,
        )
    except LeadError as exc:
        messages.error(request, f"No lead created: {exc}.")
        return redirect("interaction_detail", pk=pk)
    return _captured(request, lead, created)


# --- speed to lead -------------------------------------------------------------------------------


SPEED_WINDOW_DAYS = 90


@login_required
@require_GET
def speed(request: HttpRequest) -> HttpResponse:
    require_role(request.user, STAFF_ROLES)
    # A window, not all time: every lead ever made was read on each view (a second at 100,000),
    # and last quarter's answers are the ones an owner can still do something about.
    since = timezone.now() - timedelta(days=SPEED_WINDOW_DAYS)
    rows = [
        {
            "owner": row.owner,
            "responded": row.responded,
            "waiting": row.waiting,
            "median": duration(row.median),
            "mean": duration(row.mean),
        }
        for row in queries.speed_to_lead_by_owner(since)
    ]
    # Open as "not closed": SQLite then reads the oldest unanswered leads from their own index
    # (lead_unanswered) instead of every open lead by stage, sorted (the same leads: a stage is
    # open or closed).
    waiting = _leads().filter(first_response_at=None).exclude(stage__in=CLOSED_STAGES)
    waiting = waiting.order_by("created_at", "pk")
    context = {"rows": rows, "waiting": waiting[:50], "window_days": SPEED_WINDOW_DAYS}
    return render(request, "leads/speed.html", context)
