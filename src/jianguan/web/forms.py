"""Forms of the register screens (edits and imports): each POST is checked here, field by field, before a
service writes."""

from __future__ import annotations

from typing import Any

from django import forms
from django.db.models import Model, Q, QuerySet
from django.utils.translation import gettext_lazy as _

from jianguan.accounts.permissions import visible_departments
from jianguan.catalog.choices import ItemLevel, ItemStatus
from jianguan.core.errors import DomainError
from jianguan.core.models import Department, ImportBatch, Region, Sector
from jianguan.officers.choices import OfficerStatus
from jianguan.platform.forms import StaffForm
from jianguan.platform.permissions import access_batch
from jianguan.subjects.choices import SubjectStatus

_DATE = {"type": "date"}


def _comparable(value: Any) -> Any:
    if isinstance(value, Model):
        return value.pk
    if isinstance(value, QuerySet | list | tuple | set):
        return sorted(_comparable(v) for v in value)
    return value


class RegisterForm(StaffForm):
    """An edit form of a register: initial values from the object, the changed fields for its service."""

    note: Any = ""

    @classmethod
    def initial_for(cls, obj: Any) -> dict[str, Any]:
        return {name: getattr(obj, name) for name in cls.base_fields}

    @classmethod
    def for_object(cls, obj: Any, actor: Any, data: Any = None) -> RegisterForm:
        return cls(data, initial=cls.initial_for(obj))

    def changes(self) -> dict[str, Any]:
        """The fields whose cleaned value differs from the object's (only these go to the service)."""
        return {
            name: value
            for name, value in self.cleaned_data.items()
            if name in self.fields and _comparable(value) != _comparable(self.initial.get(name))
        }


class SubjectEditForm(RegisterForm):
    """A subject's descriptive fields; its identity codes change only through registration."""

    note = _(
        "Identity codes (USCC, registration and ID numbers) change only through registration. "
        "Every change is recorded in the audit trail with its values before and after."
    )
    name = forms.CharField(label=_("Name"), max_length=200)
    legal_representative = forms.CharField(label=_("Legal representative"), max_length=64, required=False)
    registered_address = forms.CharField(label=_("Registered address"), max_length=400, required=False)
    operating_address = forms.CharField(label=_("Operating address"), max_length=400, required=False)
    industry_code = forms.CharField(label=_("Industry code"), max_length=8, required=False)
    status = forms.ChoiceField(label=_("Status"), choices=SubjectStatus.choices)
    registration_date = forms.DateField(
        label=_("Registration date"), required=False, widget=forms.DateInput(attrs=_DATE, format="%Y-%m-%d")
    )

    @classmethod
    def for_subject(cls, subject, data=None):
        return cls(data, initial=cls.initial_for(subject))


class OfficerEditForm(RegisterForm):
    """An officer's descriptive fields; the certificate number is his identity and changes only by registration."""

    note = _(
        "The certificate number changes only through registration. "
        "Every change is recorded in the audit trail with its values before and after."
    )
    name = forms.CharField(label=_("Name"), min_length=2, max_length=64)
    department = forms.ModelChoiceField(label=_("Department"), queryset=Department.objects.none())
    sectors = forms.ModelMultipleChoiceField(
        label=_("Sectors"), queryset=Sector.objects.order_by("code"), required=False
    )
    status = forms.ChoiceField(label=_("Status"), choices=OfficerStatus.choices)
    certificate_valid_until = forms.DateField(
        label=_("Certificate valid until"), required=False, widget=forms.DateInput(attrs=_DATE, format="%Y-%m-%d")
    )
    home_region = forms.CharField(
        label=_("Home county code"),
        required=False,
        max_length=6,
        help_text=_("Six digits (GB/T 2260); the officer is not drawn for subjects of his home county."),
    )

    @classmethod
    def for_object(cls, obj: Any, actor: Any, data: Any = None) -> OfficerEditForm:
        initial = cls.initial_for(obj)
        initial["sectors"] = list(obj.sectors.all())
        initial["home_region"] = obj.home_region_id or ""
        form = cls(data, initial=initial)
        form.fields["department"].queryset = Department.objects.filter(
            Q(pk__in=visible_departments(actor).values("pk")) | Q(pk=obj.department_id), is_active=True
        )
        return form

    def clean_home_region(self) -> Region | None:
        code = (self.cleaned_data.get("home_region") or "").strip()
        if not code:
            return None
        region = Region.objects.filter(code=code).first()
        if region is None:
            raise forms.ValidationError(_("Unknown region code."))
        return region


class DepartmentEditForm(RegisterForm):
    """A department's name, USCC, sector and parent; its region sets its data scope and stays."""

    note = _("Every change is recorded in the audit trail with its values before and after.")
    name = forms.CharField(label=_("Name"), max_length=128)
    uscc = forms.CharField(label=_("Unified social credit code"), max_length=18, required=False)
    sector = forms.ModelChoiceField(label=_("Sector"), queryset=Sector.objects.order_by("code"), required=False)
    parent = forms.ModelChoiceField(label=_("Parent department"), queryset=Department.objects.none(), required=False)

    @classmethod
    def for_object(cls, obj: Any, actor: Any, data: Any = None) -> DepartmentEditForm:
        initial = cls.initial_for(obj)
        initial["uscc"] = obj.uscc or ""
        form = cls(data, initial=initial)
        form.fields["parent"].queryset = Department.objects.filter(
            Q(pk__in=visible_departments(actor).values("pk")) | Q(pk=obj.parent_id), is_active=True
        ).exclude(path__startswith=obj.path)
        return form

    def clean_uscc(self) -> str | None:
        return (self.cleaned_data.get("uscc") or "").strip().upper() or None


class ItemEditForm(RegisterForm):
    """A supervision item's newest version: what it asks makes a new version, its bookkeeping changes in place."""

    note = _(
        "Records and draws cite the version they were made under: a change of the name, object type, "
        "measures, method, level or legal basis makes a new version from the day you give; status, "
        "national code, flags and the end date change this version. Every change is recorded in the "
        "audit trail with its values before and after."
    )
    name = forms.CharField(label=_("Name"), max_length=255)
    object_type = forms.CharField(label=_("Object type"), max_length=128, required=False)
    measures = forms.CharField(
        label=_("Measures"), required=False, widget=forms.Textarea(attrs={"rows": 3}), max_length=4000
    )
    method = forms.CharField(label=_("Method"), max_length=64, required=False)
    level = forms.ChoiceField(label=_("Level"), choices=ItemLevel.choices)
    legal_basis = forms.CharField(
        label=_("Legal basis"), required=False, widget=forms.Textarea(attrs={"rows": 3}), max_length=4000
    )
    new_version_from = forms.DateField(
        label=_("New version effective from"),
        required=False,
        widget=forms.DateInput(attrs=_DATE, format="%Y-%m-%d"),
        help_text=_("Needed when the name, object type, measures, method, level or legal basis change."),
    )
    status = forms.ChoiceField(label=_("Status"), choices=ItemStatus.choices)
    national_code = forms.CharField(label=_("National code"), max_length=32, required=False)
    is_key = forms.BooleanField(label=_("Key supervision"), required=False)
    random_check = forms.BooleanField(label=_("Random checks"), required=False)
    effective_to = forms.DateField(
        label=_("Effective until"), required=False, widget=forms.DateInput(attrs=_DATE, format="%Y-%m-%d")
    )

    @classmethod
    def initial_for(cls, obj: Any) -> dict[str, Any]:
        initial = {name: getattr(obj, name) for name in cls.base_fields if name != "new_version_from"}
        initial["new_version_from"] = None
        return initial

    def changes(self) -> dict[str, Any]:
        changed = super().changes()
        changed.pop("new_version_from", None)
        return changed


class ImportForm(StaffForm):
    """A register file to import, and the earlier batch it corrects (only one the person may see)."""

    file = forms.FileField(
        label=_("File"),
        error_messages={"required": _("Choose a file to import."), "empty": _("The file is empty.")},
        widget=forms.FileInput(attrs={"accept": ".xlsx,.csv", "aria-label": _("File")}),
    )
    resubmits = forms.IntegerField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args: Any, actor: Any, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.actor = actor

    def clean_resubmits(self) -> ImportBatch | None:
        pk = self.cleaned_data["resubmits"]
        if pk is None:
            return None
        try:
            return access_batch(self.actor, pk)
        except DomainError:
            raise forms.ValidationError(_("The batch to correct is not one you may see.")) from None
