"""The citizen's forms: filing a demand (with a pin on the map), looking one up, rating its handling.

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
from jianguan.complaints.schemas import NUMBER_PATTERN, Demand, Rating
from jianguan.core import text
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
