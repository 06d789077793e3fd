"""The transcript import form: a file or pasted text, who handled it, and who called."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth.models import User

from everytouch.accounts.web_kit import OwnerChoiceField, desk_users
from everytouch.interactions.models import Channel


class ImportForm(forms.Form):
    file = forms.FileField(required=False, help_text="Text, JSON, JSONL, SRT, VTT, .eml, mbox")
    text = forms.CharField(
        required=False,
        label="Or paste the transcript",
        widget=forms.Textarea(attrs={"rows": 8, "placeholder": "Agent: ...\nCustomer: ..."}),
    )
    rep = OwnerChoiceField(queryset=User.objects.none(), label="Handled by")
    channel = forms.ChoiceField(
        choices=[("", "As the file says (a call if it does not)"), *Channel.choices],
        required=False,
    )
    contact = forms.CharField(
        max_length=254, required=False, label="Customer's phone or e-mail (optional)"
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["rep"].queryset = desk_users()  # type: ignore[attr-defined]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if not data.get("file") and not str(data.get("text", "")).strip():
            raise forms.ValidationError("Choose a transcript file or paste the transcript.")
        return data

    def upload(self) -> tuple[str, bytes]:
        """The file's name and bytes, or the pasted text as a plain-text transcript."""
        upload = self.cleaned_data.get("file")
        if upload:
            return str(upload.name), b"".join(upload.chunks())
        return "pasted.txt", str(self.cleaned_data["text"]).encode("utf-8")
