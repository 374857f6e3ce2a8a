"""The receipt-date period every insights page is filtered by (the board, the surges, the safety map)."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy

DEFAULT_DAYS = 30
MAX_DAYS = 366 * 3


class PeriodForm(forms.Form):
    received_from = forms.DateField(
        label=gettext_lazy("접수일(부터)"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    received_to = forms.DateField(
        label=gettext_lazy("접수일(까지)"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        first, last = data.get("received_from"), data.get("received_to")
        if first and last and last < first:
            self.add_error("received_to", gettext_lazy("끝나는 날이 시작하는 날보다 앞섭니다."))
        elif first and last and (last - first).days >= MAX_DAYS:
            self.add_error("received_to", gettext_lazy("기간은 3년을 넘을 수 없습니다."))
        return data

    def period(self, today: date) -> tuple[date, date]:
        """The chosen days, both included; the last `DEFAULT_DAYS` up to today when nothing (valid) was chosen."""
        default_first = today - timedelta(days=DEFAULT_DAYS - 1)
        if not self.is_bound or not self.is_valid():
            return default_first, today
        last = self.cleaned_data["received_to"] or today
        first = self.cleaned_data["received_from"] or min(
            default_first, last - timedelta(days=DEFAULT_DAYS - 1)
        )
        return first, last
