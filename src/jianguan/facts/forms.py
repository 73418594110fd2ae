"""The platform administrator's act on a subscriber: deliver now, or replay from a fact number."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from jianguan.platform.forms import StaffForm

FIRST_NUMBER = _("Give the first fact number to receive again (1 or more).")


class ActForm(StaffForm):
    """Deliver now, or replay from a fact number: a whole number of 1 or more, asked only for a replay."""

    action = forms.ChoiceField(choices=[("deliver", _("Deliver now")), ("replay", _("Replay"))])
    start = forms.IntegerField(
        label=_("Replay from fact number"),
        required=False,
        min_value=1,
        error_messages={"invalid": FIRST_NUMBER, "min_value": FIRST_NUMBER},
        widget=forms.NumberInput(
            attrs={
                "min": 1,
                "class": "form-control form-control-sm",
                "style": "width:6rem",
                "placeholder": _("from no."),
                "aria-label": _("Replay from fact number"),
            }
        ),
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if data.get("action") == "replay" and data.get("start") is None and "start" not in self.errors:
            self.add_error("start", FIRST_NUMBER)
        return data
