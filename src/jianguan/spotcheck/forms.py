"""The staff forms of spot checks: the annual plan, a batch with its sampling per risk grade, the draw and
its cancellation, and a task's result (one question per check point, the overall result, photos)."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from jianguan.catalog.choices import ItemStatus
from jianguan.catalog.permissions import visible_items
from jianguan.core.errors import DomainError, both_languages, lazy_format
from jianguan.platform.forms import StaffForm
from jianguan.platform.importing import checked_file
from jianguan.records.choices import CheckResult
from jianguan.spotcheck.choices import EVIDENCE_MAX_BYTES, PHOTO_TYPES, FollowUp
from jianguan.spotcheck.policy import default_quotas

# The answers offered in the field: "not checked" is for a department system's import, not a visit.
FIELD_ANSWERS = [
    (CheckResult.PASS, CheckResult.PASS.label),
    (CheckResult.FAIL, CheckResult.FAIL.label),
    (CheckResult.NOT_APPLICABLE, CheckResult.NOT_APPLICABLE.label),
]
MAX_PHOTOS = 6


class ResultForm(forms.Form):
    result = forms.ChoiceField(label=_("Overall result"))
    follow_up = forms.ChoiceField(label=_("Follow-up of a finding"), choices=FollowUp.choices, required=False)
    note = forms.CharField(label=_("Notes"), required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args: Any, points: list, options: list[dict], **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.points = points
        self.fields["result"].choices = [(o["code"], o["label"]) for o in options]
        for point in points:
            self.fields[f"point_{point.code}"] = forms.ChoiceField(
                label=point.content,
                choices=FIELD_ANSWERS,
                widget=forms.RadioSelect,
                error_messages={"required": both_languages(_("Answer this check point."))},
            )
            self.fields[f"pnote_{point.code}"] = forms.CharField(
                label=_("Note on this point"), required=False, max_length=500
            )

    def questions(self) -> list[tuple[Any, Any, Any]]:
        """(check point, its answer field, its note field), in the order of the points."""
        return [(p, self[f"point_{p.code}"], self[f"pnote_{p.code}"]) for p in self.points]

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        photos = self.files.getlist("photos") if self.files else []
        if len(photos) > MAX_PHOTOS:
            self.photo_errors.append(both_languages(_("Take at most 6 photos per result.")))
        checked = []
        for photo in photos[:MAX_PHOTOS]:
            content = photo.read()
            try:
                checked_file(photo.name, content, types=PHOTO_TYPES, max_bytes=EVIDENCE_MAX_BYTES, kind="evidence")
            except DomainError as exc:
                self.photo_errors.append(f"{photo.name}: {both_languages(exc.message)}")
                continue
            checked.append((photo.name, content))
        data["photos"] = checked
        return data

    photo_errors: list[str]

    def full_clean(self) -> None:
        self.photo_errors = []
        super().full_clean()
        if self.photo_errors:
            # Beside the camera button, not at the top of the page.
            self._errors.setdefault("photos", self.error_class()).extend(self.photo_errors)
            self.cleaned_data.pop("photos", None)

    def answers(self) -> dict[str, str]:
        return {p.code: self.cleaned_data[f"point_{p.code}"] for p in self.points}

    def notes(self) -> str:
        """The overall note, then each check point's own note under its code and content."""
        lines = [self.cleaned_data.get("note", "").strip()]
        for point in self.points:
            text = self.cleaned_data.get(f"pnote_{point.code}", "").strip()
            if text:
                lines.append(f"[{point.code} {point.content}] {text}")
        return "\n".join(line for line in lines if line)


_DATE = {"type": "date"}


class PlanForm(StaffForm):
    """A new annual plan of the user's department."""

    year = forms.IntegerField(
        label=_("Year"),
        min_value=2000,
        max_value=2100,
        error_messages={"required": _("Give a year."), "invalid": _("Give the year as a number, e.g. 2026.")},
    )
    title = forms.CharField(
        label=_("Title"),
        max_length=200,
        error_messages={"required": _("Give the plan a title.")},
        widget=forms.TextInput(attrs={"placeholder": _("Plan title, e.g. 2026年度双随机抽查计划")}),
    )


def plannable_items(actor: Any) -> list[tuple[str, str]]:
    """(code, "code name") of the valid random-check items the actor's department may plan, newest version's name."""
    rows = (
        visible_items(actor)
        .filter(random_check=True, status=ItemStatus.VALID)
        .order_by("code", "-version")
        .values_list("code", "name")
    )
    choices: dict[str, str] = {}
    for code, name in rows:
        choices.setdefault(code, f"{code} {name}")
    return list(choices.items())


def _day(label: str, required: str, element_id: str) -> forms.DateField:
    """A day of the batch's window, typed as YYYY-MM-DD."""
    return forms.DateField(
        label=label,
        error_messages={"required": required, "invalid": _("Give the date as YYYY-MM-DD.")},
        widget=forms.DateInput(attrs={**_DATE, "id": element_id}, format="%Y-%m-%d"),
    )


class BatchForm(StaffForm):
    """A draft batch of a plan: its window, items, pool, capacity and a sampling ratio per risk grade of the policy."""

    title = forms.CharField(
        label=_("Title"), max_length=200, required=False, widget=forms.TextInput(attrs={"id": "b-title"})
    )
    starts_on = _day(_("Checks from"), _("Give the first day of the checks."), "b-start")
    ends_on = _day(_("Checks until"), _("Give the last day of the checks."), "b-end")
    items = forms.MultipleChoiceField(
        label=_("Items for random checks"),
        error_messages={
            "required": _("Choose at least one item."),
            "invalid_choice": _("A chosen item is not one your department may plan for random checks."),
        },
        widget=forms.SelectMultiple(attrs={"id": "b-items", "size": 6}),
    )
    regions = forms.CharField(
        label=_("Region codes (prefixes, comma-separated)"),
        max_length=2000,
        required=False,
        widget=forms.TextInput(attrs={"id": "b-regions"}),
    )
    capacity = forms.IntegerField(
        label=_("Tasks per officer"),
        initial=20,
        min_value=1,
        max_value=1000,
        error_messages={"required": _("Give the tasks per officer."), "invalid": _("Give a whole number.")},
        widget=forms.NumberInput(attrs={"id": "b-capacity"}),
    )

    def __init__(self, actor: Any, *args: Any, region_hint: str = "", **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.fields["items"].choices = plannable_items(actor)
        self.fields["regions"].initial = region_hint
        self.grades = list(default_quotas().items())
        for grade, quota in self.grades:
            self.fields[f"ratio_{grade}"] = forms.DecimalField(
                label=lazy_format(_("Grade %(grade)s (%%)"), {"grade": grade}),
                min_value=Decimal(0),
                max_value=Decimal(100),
                decimal_places=2,
                initial=f"{quota['ratio'] * 100:g}",
                error_messages={
                    "required": _("Give the share to sample, 0 to 100."),
                    "invalid": _("Give the share as a number from 0 to 100."),
                    "min_value": _("Give the share as a number from 0 to 100."),
                    "max_value": _("Give the share as a number from 0 to 100."),
                },
                widget=forms.NumberInput(
                    attrs={"id": f"ratio-{grade}", "class": "form-control", "step": "any", "inputmode": "decimal"}
                ),
            )

    def service_fields(self) -> dict[str, str]:
        """The service's names of the form's fields, where they differ (for `refuse`)."""
        return {"item_codes": "items", "pool_filter": "regions"} | {
            f"quotas.{grade}": f"ratio_{grade}" for grade, _quota in self.grades
        }

    def ratio_fields(self) -> list[Any]:
        return [self[f"ratio_{grade}"] for grade, _quota in self.grades]

    def clean_title(self) -> str:
        return self.cleaned_data["title"].strip() or str(_("Batch"))

    def clean_regions(self) -> list[str]:
        prefixes = [p.strip() for p in re.split(r"[,，、\s]+", self.cleaned_data["regions"]) if p.strip()]
        wrong = [p for p in prefixes if not (p.isdigit() and 2 <= len(p) <= 6)]
        if wrong:
            raise forms.ValidationError(
                lazy_format(_("Region codes are 2 to 6 digits: %(codes)s"), {"codes": "、".join(wrong)}),
                code="invalid_region",
            )
        return prefixes

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        starts_on, ends_on = data.get("starts_on"), data.get("ends_on")
        if isinstance(starts_on, dt.date) and isinstance(ends_on, dt.date) and ends_on < starts_on:
            self.add_error("ends_on", _("The batch ends before it starts."))
        return data

    def quotas(self) -> dict[str, dict[str, Any]]:
        """The sampling per grade as the service takes it (a share of 1)."""
        return {
            grade: {"ratio": float(self.cleaned_data[f"ratio_{grade}"]) / 100, "minimum": 0, "maximum": None}
            for grade, _quota in self.grades
        }

    def batch_arguments(self) -> dict[str, Any]:
        data = self.cleaned_data
        return {
            "title": data["title"],
            "starts_on": data["starts_on"],
            "ends_on": data["ends_on"],
            "item_codes": data["items"],
            "pool_filter": {"regions": data["regions"]},
            "quotas": self.quotas(),
            "capacity": data["capacity"],
        }


class DrawForm(StaffForm):
    """The draw: optionally a public source of entropy (a lottery result) mixed into the key."""

    public_entropy = forms.CharField(
        label=_("Public entropy"),
        max_length=200,
        required=False,
        widget=forms.TextInput(
            attrs={
                "placeholder": _("Public entropy (optional), e.g. a lottery result"),
                "id": "public-entropy",
                "class": "form-control form-control-sm",
            }
        ),
    )

    def clean_public_entropy(self) -> str:
        return self.cleaned_data["public_entropy"].strip()


class CancelDrawForm(StaffForm):
    """Cancelling a draw: its reason goes on the record and on the public page."""

    reason = forms.CharField(
        label=_("Reason for cancelling the draw"),
        max_length=2000,
        error_messages={"required": _("Cancelling a draw needs a reason.")},
        widget=forms.TextInput(
            attrs={
                "placeholder": _("Reason for cancelling the draw"),
                "id": "cancel-reason",
                "class": "form-control form-control-sm",
            }
        ),
    )

    def clean_reason(self) -> str:
        return self.cleaned_data["reason"].strip()
