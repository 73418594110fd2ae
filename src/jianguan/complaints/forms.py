"""The citizen's forms: filing a demand (with a pin on the map), looking one up, rating its handling;
the operators' dispatch of several orders from the queue, the phone intake, and one form per step
staff take on an order (`ORDER_FORMS`, posted to `views.act`).

Each form checks its fields with Django's field errors (translated) and then the intake standard
(`schemas.Demand`, `schemas.Rating`), whose bilingual errors land beside the field they concern.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _
from pydantic import ValidationError as PydanticValidationError

from jianguan.complaints import geo
from jianguan.complaints.choices import Channel, Kind, Satisfaction
from jianguan.complaints.models import Category, Extension, WorkOrder
from jianguan.complaints.policy import policy
from jianguan.complaints.schemas import NUMBER_PATTERN, Demand, Rating
from jianguan.core import text
from jianguan.core.models import Department
from jianguan.platform.forms import StaffForm
from jianguan.platform.importing import field_errors
from jianguan.platform.services import region_chain

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
        elif co and data.get("orders"):
            self._co_where_each_order_is(data["orders"], co)
        return data

    def _co_where_each_order_is(self, orders, co) -> None:
        """Co-handlers of several orders, as on one order: units of each order's county or a region above it."""
        chains: dict[str, set[str]] = {}
        for order in orders:
            chain = chains.setdefault(order.region_id, set(region_chain(order.region_id)))
            for unit in co:
                if unit.region_id not in chain:
                    self.add_error(
                        "co",
                        _(
                            "%(unit)s cannot co-handle order %(number)s: it is not a unit of the order's county "
                            "or of a region above it."
                        )
                        % {"unit": unit.name, "number": order.number},
                    )
                    return


_UNKNOWN_DEPARTMENT = {"invalid_choice": _("Unknown department."), "invalid_pk_value": _("Unknown department.")}
_YES_NO = [("yes", _("Yes")), ("no", _("No"))]


def active_categories():
    return Category.objects.filter(is_active=True).order_by("code")


class IntakeForm(StaffForm):
    """Phone intake by an operator: the demand as the caller states it, checked against the intake
    standard (`schemas.Demand`), whose errors land beside the field they concern."""

    channel = forms.ChoiceField(label=_("Channel"), choices=Channel.choices, initial=Channel.PHONE)
    name = forms.CharField(label=_("Complainant"), required=False, max_length=32)
    phone = forms.CharField(label=_("Phone"), required=False, max_length=20)
    title = forms.CharField(label=_("Title"), required=False, max_length=120)
    content = forms.CharField(
        label=_("Content"), min_length=5, max_length=4000, widget=forms.Textarea(attrs={"rows": 4})
    )
    address = forms.CharField(label=_("Address"), required=False, max_length=300)
    kind = forms.ChoiceField(
        label=_("Kind"), required=False, choices=[("", _("Let the classifier propose")), *Kind.choices]
    )
    category = forms.ModelChoiceField(
        queryset=None,
        label=_("Category"),
        required=False,
        to_field_name="code",
        empty_label=_("Let the classifier propose"),
        error_messages={"invalid_choice": _("Unknown category.")},
    )

    def __init__(self, *args: Any, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.fields["category"].queryset = active_categories()
        self.fields["category"].label_from_instance = lambda c: f"{c.code} {c.name}"

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if self.errors:
            return data
        category = data.get("category")
        try:
            self.demand = Demand.model_validate(
                {
                    "title": data.get("title") or None,
                    "content": data.get("content", ""),
                    "address": data.get("address") or None,
                    "kind": data.get("kind") or None,
                    "category": category.code if category else None,
                    "complainant": {"name": data.get("name") or None, "phone": data.get("phone") or None},
                }
            )
        except PydanticValidationError as exc:
            _schema_errors(self, exc, DEMAND_FIELDS)
        self.mark_invalid()
        return data


def handling_units(order: WorkOrder):
    """The units that can handle a demand where the order is: those of its county and the regions
    above it, the chain the dispatch catalogue walks when it routes."""
    return dispatch_units().filter(region_id__in=region_chain(order.region_id))


class OrderForm(StaffForm):
    """A step on one work order, in a side card of the order's page (`step` names its controls' ids)."""

    compact = True
    step = ""

    def __init__(self, order: WorkOrder, data: Any = None, **kwargs: Any):
        self.order = order
        kwargs.setdefault("auto_id", f"{self.step}-%s")
        super().__init__(data, **kwargs)


class ClassifyForm(OrderForm):
    step = "classify"
    refusals = {"unknown_kind": "kind", "unknown_category": "category"}

    kind = forms.ChoiceField(label=_("Kind"), choices=Kind.choices)
    category = forms.ModelChoiceField(
        queryset=None,
        label=_("Category"),
        to_field_name="code",
        error_messages={"invalid_choice": _("Unknown category.")},
    )

    def __init__(self, order: WorkOrder, data: Any = None, **kwargs: Any):
        category = order.category or order.proposed_category
        kwargs.setdefault("initial", {"kind": order.kind or order.proposed_kind, "category": category})
        super().__init__(order, data, **kwargs)
        self.fields["category"].queryset = active_categories()
        self.fields["category"].label_from_instance = lambda c: f"{c.code} {c.name}"


class DispatchForm(OrderForm):
    """派单 by hand: the lead unit, and co-handlers among the units that can handle where the order is."""

    step = "dispatch"
    lead = forms.ModelChoiceField(queryset=None, label=_("Lead unit"), error_messages=_UNKNOWN_DEPARTMENT)
    co = forms.ModelMultipleChoiceField(
        queryset=None,
        label=_("Co-handling units"),
        required=False,
        widget=forms.SelectMultiple(attrs={"size": 4}),
        error_messages=_UNKNOWN_DEPARTMENT,
    )

    def __init__(self, order: WorkOrder, data: Any = None, **kwargs: Any):
        super().__init__(order, data, **kwargs)
        self.fields["lead"].queryset = dispatch_units()
        self.fields["co"].queryset = handling_units(order).exclude(pk=order.lead_department_id)

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        lead, co = data.get("lead"), data.get("co")
        if lead is not None and co and lead in co:
            self.add_error("co", _("The lead unit cannot be a co-handling unit too."))
        return data


class AnswerForm(OrderForm):
    step = "answer"
    answer = forms.CharField(label=_("Answer"), min_length=2, max_length=2000, widget=forms.Textarea(attrs={"rows": 2}))


class ReturnForm(OrderForm):
    step = "return"
    refusals = {"reason_required": "reason"}
    reason = forms.CharField(label=_("Reason"), min_length=2, max_length=2000, widget=forms.Textarea(attrs={"rows": 2}))


class ReviewReturnForm(OrderForm):
    """The office's review of a return: reassign to another unit, or refuse the return."""

    step = "review"
    refusals = {"reassign_needs_unit": "lead"}
    accept = forms.ChoiceField(choices=_YES_NO, widget=forms.HiddenInput)
    lead = forms.ModelChoiceField(
        queryset=None, label=_("Reassign to"), required=False, error_messages=_UNKNOWN_DEPARTMENT
    )
    comment = forms.CharField(label=_("Comment"), required=False, max_length=2000)

    def __init__(self, order: WorkOrder, data: Any = None, **kwargs: Any):
        super().__init__(order, data, **kwargs)
        self.fields["lead"].queryset = dispatch_units().exclude(pk=order.lead_department_id)


class ExtensionForm(OrderForm):
    step = "extension"
    refusals = {"extension_too_long": "days", "reason_required": "reason"}
    days = forms.IntegerField(label=_("Working days"), min_value=1, initial=3)
    reason = forms.CharField(label=_("Reason"), min_length=2, max_length=2000, widget=forms.Textarea(attrs={"rows": 2}))


class DecideExtensionForm(OrderForm):
    step = "decide"
    extension = forms.ModelChoiceField(
        queryset=None,
        widget=forms.HiddenInput,
        error_messages={"invalid_choice": _("This extension request was already decided.")},
    )
    approve = forms.ChoiceField(choices=_YES_NO, widget=forms.HiddenInput)
    comment = forms.CharField(label=_("Comment"), required=False, max_length=2000)

    def __init__(self, order: WorkOrder, data: Any = None, **kwargs: Any):
        super().__init__(order, data, **kwargs)
        self.fields["extension"].queryset = Extension.objects.filter(order=order, status="pending")


class UrgeForm(OrderForm):
    step = "supervise"
    note = forms.CharField(label=_("Note"), required=False, max_length=2000)


class ReplyForm(OrderForm):
    """The handler's reply (the handling form); the intake standard `schemas.HandlingForm` checks it in the service."""

    step = "reply"
    refusals = {"reason_required": "unresolved_reason"}
    is_true = forms.BooleanField(label=_("Demand found true (诉求属实)"), required=False)
    beyond_duty = forms.BooleanField(label=_("Beyond the unit's duties"), required=False)
    contacted = forms.BooleanField(label=_("Citizen contacted"), required=False, initial=True)
    is_resolved = forms.BooleanField(label=_("Resolved (是否解决)"), required=False)
    unresolved_reason = forms.CharField(
        label=_("Reason not resolved"), required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 2})
    )
    handling_notes = forms.CharField(
        label=_("Handling (办理情况)"), min_length=5, max_length=4000, widget=forms.Textarea(attrs={"rows": 3})
    )
    public_reply = forms.CharField(
        label=_("Public reply (公开答复内容)"), min_length=5, max_length=2000, widget=forms.Textarea(attrs={"rows": 3})
    )


class RectificationForm(OrderForm):
    step = "rectification"
    refusals = {"no_requirement": "requirement", "invalid_requirement": "requirement"}
    requirement = forms.CharField(
        label=_("What to put right"), max_length=1000, widget=forms.Textarea(attrs={"rows": 2})
    )


class ReturnCallForm(OrderForm):
    step = "return-call"
    satisfaction = forms.ChoiceField(
        label=_("Satisfaction"), choices=[("", _("Choose the caller's answer")), *Satisfaction.choices]
    )
    comment = forms.CharField(label=_("Comment"), required=False, max_length=500)


ORDER_FORMS: dict[str, type[OrderForm]] = {
    "classify": ClassifyForm,
    "dispatch": DispatchForm,
    "answer": AnswerForm,
    "return": ReturnForm,
    "review_return": ReviewReturnForm,
    "extension": ExtensionForm,
    "decide_extension": DecideExtensionForm,
    "supervise": UrgeForm,
    "reply": ReplyForm,
    "rectification": RectificationForm,
    "return_call": ReturnCallForm,
}
