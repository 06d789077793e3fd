"""Forms for verdicts on scorecards: a reviewer's review, a rep's dispute, a manager's ruling."""

from __future__ import annotations

from django import forms

from everytouch.accounts.web_kit import CountField
from everytouch.quality.models import CheckStatus
from everytouch.quality.reviews import MAX_COMMENT


class ReviewForm(forms.Form):
    check_id = forms.CharField(max_length=64, widget=forms.HiddenInput)
    status = forms.ChoiceField(choices=CheckStatus.choices, label="Verdict")
    comment = forms.CharField(
        required=False,
        max_length=MAX_COMMENT,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="Required when your verdict differs from the automatic one.",
    )
    evidence_turn = CountField(
        required=False,
        min_value=1,
        label="Evidence turn",
        help_text="For a pass the engine missed: the turn number that shows it.",
    )


class DisputeForm(forms.Form):
    check_id = forms.CharField(max_length=64, widget=forms.HiddenInput)
    reason = forms.CharField(max_length=MAX_COMMENT, widget=forms.Textarea(attrs={"rows": 2}))


class ResolveForm(forms.Form):
    status = forms.ChoiceField(choices=CheckStatus.choices, label="Correct result")
    comment = forms.CharField(max_length=MAX_COMMENT, widget=forms.Textarea(attrs={"rows": 2}))
    evidence_turn = CountField(required=False, min_value=1, label="Evidence turn")


def zero_based(turn: int | None) -> int | None:
    """Screens number turns from 1; the scorecard stores them from 0."""
    return None if turn is None else turn - 1
