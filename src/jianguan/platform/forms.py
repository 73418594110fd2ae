"""The base of every staff form: Bootstrap classes, the field's error beside it, control characters refused,
and a service's refusal put on the field it names."""

from __future__ import annotations

import json
from typing import Any

from django import forms
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from jianguan.core.errors import DomainError, bilingual
from jianguan.core.text import describe, first_forbidden
from jianguan.platform.policies import NOTE_LIMIT, validate_policy

# A policy document is a few kilobytes; this bounds what a form reads into memory and parses.
DOCUMENT_LIMIT = 200_000

_CHOICE_WIDGETS = (forms.Select, forms.SelectMultiple)
_CHECK_WIDGETS = (forms.CheckboxInput, forms.RadioSelect, forms.CheckboxSelectMultiple)


class StaffForm(forms.Form):
    """A form whose invalid fields carry Bootstrap's `is-invalid`, so the message shows beside the field."""

    # A service's refusal (or a field error of its) that names no field of the form, put on the
    # field its code concerns.
    refusals: dict[str, str] = {}
    # Small controls, for a form in a side card beside what it acts on.
    compact = False

    def __init__(self, *args: Any, **kwargs: Any):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            widget = field.widget
            if widget.is_hidden:
                continue
            if isinstance(widget, _CHECK_WIDGETS):
                kind = "form-check-input"
            elif isinstance(widget, _CHOICE_WIDGETS):
                kind = "form-select"
            else:
                kind = "form-control"
            if self.compact and kind != "form-check-input":
                kind = f"{kind} {kind}-sm"
            widget.attrs.setdefault("class", kind)

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        for name, value in list(cleaned.items()):
            if isinstance(value, str) and (index := first_forbidden(value)) is not None:
                zh, en = describe(value, index)
                self.add_error(name, en if (get_language() or "").startswith("en") else zh)
        return cleaned

    def full_clean(self) -> None:
        super().full_clean()
        self.mark_invalid()

    def mark_invalid(self) -> None:
        """Give each field with an error the `is-invalid` class (also after a service's refusal)."""
        for name in self.errors:
            if name in self.fields:
                attrs = self.fields[name].widget.attrs
                classes = attrs.get("class", "").split()
                if "is-invalid" not in classes:
                    attrs["class"] = " ".join([*classes, "is-invalid"])

    def refuse(self, exc: DomainError, fields: dict[str, str] | None = None, rest: str | None = None) -> None:
        """Show a service's refusal: each field error beside the field it names (`fields` maps the
        service's names to the form's), the rest beside field `rest` if given, else above the form."""
        fields = fields or {}
        placed = False
        for error in exc.errors:
            name = fields.get(error.field, error.field)
            if name not in self.fields:  # a rule of the whole record, placed by its code
                name = self.refusals.get(error.code, name)
            if name in self.fields:
                self.add_error(name, _text(error.message))
                placed = True
        if not placed:
            named = fields.get(getattr(exc, "field", ""), "") or self.refusals.get(exc.code, "")
            if named not in self.fields:
                named = rest if rest in self.fields else None
            self.add_error(named, _text(exc.message))
        self.mark_invalid()


def _text(message: Any) -> str:
    zh, en = bilingual(message)
    return en if (get_language() or "").startswith("en") else zh


class PolicyForm(StaffForm):
    """A new version of policy `name`: the whole document as JSON and the reason. The document is read
    and checked against the policy's schema here, so every problem shows beside it at once, with the
    reason's; `publish_policy` checks again when it writes."""

    data = forms.CharField(
        label=_("The whole document (JSON)"),
        max_length=DOCUMENT_LIMIT,
        strip=False,
        widget=forms.Textarea(attrs={"rows": 18, "spellcheck": "false", "class": "form-control font-monospace"}),
    )
    note = forms.CharField(label=_("Reason for the change"), max_length=NOTE_LIMIT)

    def __init__(self, *args: Any, name: str, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.name = name

    def clean_data(self) -> Any:
        try:
            data = json.loads(self.cleaned_data["data"])
        except json.JSONDecodeError as exc:
            raise forms.ValidationError(
                _("The document is not valid JSON (line %(line)s, column %(col)s)."),
                params={"line": exc.lineno, "col": exc.colno},
            ) from None
        try:
            return validate_policy(self.name, data)
        except DomainError as exc:
            raise forms.ValidationError(_problems(exc)) from None

    def refuse_version(self, exc: DomainError) -> None:
        """A refusal of `publish_policy` beside the reason or the document, each with the place it names."""
        field = "note" if exc.code.startswith("reason_") else "data"
        for message in _problems(exc):
            self.add_error(field, message)
        self.mark_invalid()


def _problems(exc: DomainError) -> list[str]:
    """A policy's refusal as lines: each field error with its place in the document, else the message."""
    return [f"{error.field}: {_text(error.message)}" for error in exc.errors] or [_text(exc.message)]
