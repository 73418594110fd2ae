"""The citizen's forms: filing a demand (with a pin on the map), looking one up, rating its handling;
and the operators' dispatch of several orders from the queue.

Each form checks its fields with Django's field errors (translated) and then the intake standard
(`schemas.Demand`, `schemas.Rating`), whose bilingual errors land beside the field they concern.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _
from pydantic import ValidationError as PydanticValidationError

from jianguan.complaints import geo
from jianguan.complaints.choices import Satisfaction
from jianguan.complaints.policy import policy
from jianguan.complaints.schemas import NUMBER_PATTERN, Demand, Rating
from jianguan.core import text
from jianguan.core.models import Department
from jianguan.platform.importing import field_errors

# Where a schema error's location lands on the form.
DEMAND_FIELDS = {"complainant.name": "name", "complainant.phone": "phone", "complainant.anonymous": "anonymous"}


def _schema_errors(form: forms.Form, exc: PydanticValidationError, fields: dict[str, str] | None = None) -> None:
    for error in field_errors(exc.errors()):
        name = (fields or {}).get(error.field, error.field)
        form.add_error(name if name in form.fields else None, str(error.message))


class PublicDemandForm(forms.Form):
    title = forms.CharField(label=_("Title"), required=False, max_length=120)
    content = forms.CharField(
        label=_("What happened (time, place, business, what you want done)"),
        widget=forms.Textarea(attrs={"rows": 5}),
        min_length=5,
        max_length=4000,
    )
    address = forms.CharField(label=_("Address"), required=False, max_length=300)
    name = forms.CharField(label=_("Your name"), required=False, max_length=32)
    phone = forms.CharField(label=_("Your phone"), required=False, max_length=20)
    anonymous = forms.BooleanField(label=_("File anonymously (we cannot call you back)"), required=False)
    latitude = forms.FloatField(
        required=False,
        widget=forms.HiddenInput,
        error_messages={"invalid": _("The map point must be a number (latitude).")},
    )
    longitude = forms.FloatField(
        required=False,
        widget=forms.HiddenInput,
        error_messages={"invalid": _("The map point must be a number (longitude).")},
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if self.errors:
            return data
        latitude, longitude = data.get("latitude"), data.get("longitude")
        if (latitude is None) != (longitude is None):
            self.add_error("latitude", _("The map point needs both latitude and longitude: place the pin again."))
            return data
        if latitude is not None and not geo.in_province_box(latitude, longitude):
            self.add_error("latitude", _("The map point is not in Shandong: place the pin on the map of Shandong."))
            return data
        payload = {
            "title": data.get("title") or None,
            "content": data.get("content", ""),
            "address": data.get("address") or None,
            "latitude": latitude,
            "longitude": longitude,
            "complainant": {
                "name": data.get("name") or None,
                "phone": data.get("phone") or None,
                "anonymous": bool(data.get("anonymous")),
            },
        }
        found = text.find_forbidden(payload)
        if found is not None:
            error = text.forbidden_error(found)
            name = DEMAND_FIELDS.get(error.field, error.field)
            self.add_error(name if name in self.fields else None, str(error.message))
            return data
        try:
            self.demand = Demand.model_validate(payload)
        except PydanticValidationError as exc:
            _schema_errors(self, exc, DEMAND_FIELDS)
        return data


class TrackForm(forms.Form):
    """The number and the query code, posted (never in the address, where logs and history keep it)."""

    number = forms.RegexField(
        label=_("Work-order number"),
        regex=NUMBER_PATTERN,
        error_messages={"invalid": _("A work-order number has 18 digits.")},
    )
    code = forms.RegexField(
        label=_("Query code"),
        regex=r"^\d{6}$",
        error_messages={"invalid": _("The query code has 6 digits.")},
    )


class RatingForm(forms.Form):
    """The citizen's rating: nothing is chosen for them."""

    satisfaction = forms.ChoiceField(
        label=_("Your rating"),
        choices=Satisfaction.choices,
        widget=forms.RadioSelect,
    )
    comment = forms.CharField(
        label=_("Comment"), required=False, max_length=500, widget=forms.Textarea(attrs={"rows": 2})
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if not self.errors:
            try:
                self.rating = Rating.model_validate(
                    {"satisfaction": data["satisfaction"], "comment": data.get("comment", "")}
                )
            except PydanticValidationError as exc:
                _schema_errors(self, exc)
        return data


def dispatch_units():
    """The units an order can be dispatched to: active departments other than the 12345 offices."""
    return Department.objects.filter(is_active=True).exclude(sector__code=policy()["office_sector"]).order_by("path")


class BulkDispatchForm(forms.Form):
    """Several orders ticked on the queue, dispatched together to one lead unit (and co-handlers) or not at all."""

    MAX = 200
    orders = forms.ModelMultipleChoiceField(
        queryset=None,
        label=_("Orders to dispatch"),
        error_messages={
            "required": _("Choose at least one order to dispatch."),
            "invalid_choice": _("A chosen order is not one you may see."),
            "invalid_pk_value": _("A chosen order is not one you may see."),
        },
    )
    lead = forms.ModelChoiceField(
        queryset=None,
        label=_("Lead unit"),
        error_messages={"required": _("Choose the lead unit."), "invalid_choice": _("Unknown department.")},
    )
    co = forms.ModelMultipleChoiceField(
        queryset=None,
        label=_("Co-handling units"),
        required=False,
        error_messages={"invalid_choice": _("Unknown department."), "invalid_pk_value": _("Unknown department.")},
    )

    def __init__(self, visible, *args: Any, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.fields["orders"].queryset = visible
        units = dispatch_units()
        self.fields["lead"].queryset = units
        self.fields["co"].queryset = units
        self.fields["lead"].widget.attrs["class"] = "form-select form-select-sm"
        self.fields["co"].widget.attrs.update({"class": "form-select form-select-sm", "size": 4})

    def clean_orders(self):
        orders = self.cleaned_data["orders"]
        if len(orders) > self.MAX:
            raise forms.ValidationError(
                _("At most %(n)s orders can be dispatched at once.") % {"n": self.MAX}, code="too_many"
            )
        return orders

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        lead, co = data.get("lead"), data.get("co")
        if lead is not None and co and lead in co:
            self.add_error("co", _("The lead unit cannot be a co-handling unit too."))
        return data
