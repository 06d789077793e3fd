"""The promotion form: dates as days in the business time zone, keywords as free text."""

from __future__ import annotations

from django import forms

from everytouch.accounts.web_kit import DayField
from everytouch.quality.models import Promotion
from everytouch.quality.promotions import PromotionData, PromotionError, parse_keywords

DAY = forms.DateInput(attrs={"type": "date"})


class PromotionForm(forms.Form):
    name = forms.CharField(max_length=120, help_text="Saying the name counts as a mention.")
    valid_from = DayField(label="First day", widget=DAY)
    valid_to = DayField(label="Last day", widget=DAY)
    keywords = forms.CharField(
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        label="Other phrases that count as a mention",
        help_text='Separated by commas or lines, e.g. "two for one, spring sale".',
    )
    what_to_say = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=1000,
        label="What to say",
        help_text="Shown at the desk while the promotion is valid.",
    )

    def clean_keywords(self) -> tuple[str, ...]:
        try:
            return parse_keywords(self.cleaned_data["keywords"])
        except PromotionError as exc:
            raise forms.ValidationError(str(exc)) from exc

    def data_out(self) -> PromotionData:
        data = self.cleaned_data
        days = data["valid_from"], data["valid_to"]
        return PromotionData(data["name"], *days, data["keywords"], data["what_to_say"])


def initial_of(promotion: Promotion) -> dict[str, object]:
    return {
        "name": promotion.name,
        "valid_from": promotion.valid_from,
        "valid_to": promotion.valid_to,
        "keywords": ", ".join(promotion.keywords),
        "what_to_say": promotion.what_to_say,
    }
