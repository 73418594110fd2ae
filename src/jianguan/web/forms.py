"""Forms of the register screens: each POST is checked here, field by field, before a service writes."""

from __future__ import annotations

from django import forms
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from jianguan.core.text import describe, first_forbidden
from jianguan.subjects.choices import SubjectStatus


class RegisterForm(forms.Form):
    """Bootstrap classes on every widget; control characters refused in every text."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            kind = "form-select" if isinstance(field.widget, forms.Select) else "form-control"
            field.widget.attrs.setdefault("class", kind)

    def clean(self):
        cleaned = super().clean()
        for name, value in cleaned.items():
            if isinstance(value, str) and (index := first_forbidden(value)) is not None:
                zh, en = describe(value, index)
                self.add_error(name, en if (get_language() or "").startswith("en") else zh)
        return cleaned


class SubjectEditForm(RegisterForm):
    """A subject's descriptive fields; its identity codes change only through registration."""

    name = forms.CharField(label=_("Name"), max_length=200)
    legal_representative = forms.CharField(label=_("Legal representative"), max_length=64, required=False)
    registered_address = forms.CharField(label=_("Registered address"), max_length=400, required=False)
    operating_address = forms.CharField(label=_("Operating address"), max_length=400, required=False)
    industry_code = forms.CharField(label=_("Industry code"), max_length=8, required=False)
    status = forms.ChoiceField(label=_("Status"), choices=SubjectStatus.choices)
    registration_date = forms.DateField(
        label=_("Registration date"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )

    @classmethod
    def for_subject(cls, subject, data=None):
        initial = {name: getattr(subject, name) for name in cls.base_fields}
        return cls(data, initial=initial)
