"""Managers' webhook page: endpoints (the secret is shown once) and the delivery log."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from everytouch.accounts.access import MANAGER_ROLES, get_visible_or_404, require_role
from everytouch.accounts.web_kit import paginate
from everytouch.leads import webhooks
from everytouch.leads.forms import EndpointForm
from everytouch.leads.models import DeliveryStatus, WebhookDelivery, WebhookEndpoint


def _page(request: HttpRequest, form: EndpointForm, **extra: object) -> dict[str, object]:
    deliveries = WebhookDelivery.objects.select_related("endpoint")
    status = request.GET.get("status", "")
    if status in DeliveryStatus.values:
        deliveries = deliveries.filter(status=status)
    return {
        "endpoints": WebhookEndpoint.objects.all(),
        "page": paginate(request, deliveries),
        "status": status,
        "statuses": DeliveryStatus.choices,
        "form": form,
        **extra,
    }


@login_required
@require_http_methods(["GET", "POST"])
def webhook_list(request: HttpRequest) -> HttpResponse:
    require_role(request.user, MANAGER_ROLES)
    if request.method == "GET":
        return render(request, "leads/webhooks.html", _page(request, EndpointForm()))
    form = EndpointForm(request.POST)
    if form.is_valid():
        try:
            endpoint = webhooks.create_endpoint(
                form.cleaned_data["url"], form.cleaned_data["events"]
            )
        except webhooks.InvalidEndpoint as exc:
            form.add_error("url", str(exc))
        else:
            # Rendered, not redirected: this response is the only place the secret appears.
            context = _page(request, EndpointForm(), new_endpoint=endpoint)
            return render(request, "leads/webhooks.html", context, status=201)
    return render(request, "leads/webhooks.html", _page(request, form), status=400)


@login_required
@require_POST
def webhook_toggle(request: HttpRequest, pk: int) -> HttpResponse:
    endpoint = get_visible_or_404(request.user, WebhookEndpoint.objects.all(), pk, MANAGER_ROLES)
    webhooks.set_active(endpoint, not endpoint.is_active)
    state = "resumed" if endpoint.is_active else "paused"
    messages.success(request, f"Deliveries to {endpoint.url} {state}.")
    return redirect("webhook_list")


@login_required
@require_POST
def delivery_retry(request: HttpRequest, pk: int) -> HttpResponse:
    qs = WebhookDelivery.objects.all()
    delivery = get_visible_or_404(request.user, qs, pk, MANAGER_ROLES)
    delivery = webhooks.retry_now(delivery)
    if delivery.status == DeliveryStatus.DELIVERED:
        messages.info(request, "Already delivered; nothing to retry.")
    else:
        messages.success(request, "Queued for another attempt now.")
    return redirect("webhook_list")
