"""The public site's own form: a business's rectification report, by the order's number and access code."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from jianguan.core import text

DESCRIBE = _("Describe what was put right.")


class RectificationReportForm(forms.Form):
    """The order's number and access code as printed on the order, and what was put right. The code is
    never rendered back into the page (the template leaves its input empty)."""

    number = forms.RegexField(
        label=_("Order number"),
        regex=r"^[Zz][Gg]\d{14}$",
        max_length=16,
        error_messages={"invalid": _("An order number is ZG followed by 14 digits.")},
    )
    code = forms.RegexField(
        label=_("Access code"),
        regex=r"^\d{6}$",
        error_messages={"invalid": _("The access code has 6 digits.")},
    )
    text = forms.CharField(
        label=_("What was put right"),
        min_length=2,
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 4}),
        error_messages={"required": DESCRIBE, "min_length": DESCRIBE},
    )

    def clean_number(self) -> str:
        return self.cleaned_data["number"].upper()

    def clean_text(self) -> str:
        value = self.cleaned_data["text"]
        index = text.first_forbidden(value)
        if index is not None:
            zh, en = text.describe(value, index)
            raise forms.ValidationError(en if (get_language() or "").startswith("en") else zh)
        return value

    def refuse(self, message: Any, code: str) -> None:
        """The service's refusal: an empty report beside the text, anything else (no order matches the
        number and code, already reported, too many attempts) above the form."""
        self.add_error("text" if code == "empty_report" else None, str(message))
