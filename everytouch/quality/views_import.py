"""Import transcripts in the browser; each becomes an interaction scored in the background.

Desk roles import (a rep only as the one who handled the calls); trainers and outsiders 403.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from everytouch.accounts.access import DESK_ROLES, can_manage, require_role
from everytouch.quality.forms_import import ImportForm
from everytouch.quality.importing import ImportRequest, TranscriptImportError, import_transcripts


@login_required
@require_http_methods(["GET", "POST"])
def transcript_import(request: HttpRequest) -> HttpResponse:
    user = require_role(request.user, DESK_ROLES)
    if request.method == "GET":
        form = ImportForm(initial={"rep": user})
        return render(request, "quality/import.html", {"form": form})
    form = ImportForm(request.POST, request.FILES)
    if form.is_valid():
        data = form.cleaned_data
        if data["rep"] != user and not can_manage(user):
            form.add_error("rep", "You can import only your own conversations.")
        else:
            filename, content = form.upload()
            ask = ImportRequest(filename, content, data["rep"], data["channel"], data["contact"])
            try:
                stored = import_transcripts(ask, user)
            except TranscriptImportError as exc:
                form.add_error(None, str(exc))
            else:
                messages.success(request, f"Imported {len(stored)} conversation(s); scoring now.")
                return redirect("scorecard", pk=stored[0].pk)
    return render(request, "quality/import.html", {"form": form}, status=400)
