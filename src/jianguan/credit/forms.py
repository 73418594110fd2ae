"""The staff forms of a subject's credit file: a repair request and its decision, listing as abnormal or
serious, and the cure or removal of a list entry. Each offers only what the user may act on."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from jianguan.core.errors import DomainError
from jianguan.credit import services
from jianguan.credit.lists import list_rules
from jianguan.credit.models import CreditRecord, ListEntry, RepairRequest
from jianguan.credit.permissions import visible_credit_records, writable_list_entries
from jianguan.platform.forms import StaffForm

_DATE = {"type": "date", "class": "form-control form-control-sm"}
_SMALL = {"class": "form-control form-control-sm"}
_DATE_ERRORS = {"required": _("Give the date as YYYY-MM-DD."), "invalid": _("Give the date as YYYY-MM-DD.")}


class CreditFileForm(StaffForm):
    """A form of the subject's credit file, acted on by `actor`."""

    def __init__(self, actor: Any, subject: Any, *args: Any, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.actor, self.subject = actor, subject


class CreditChoice(forms.ModelChoiceField):
    def label_from_instance(self, obj: CreditRecord) -> str:
        return f"{obj.decided_on:%Y-%m-%d} {obj.title}"


class RepairForm(CreditFileForm):
    """A repair request (信用修复) for one of the subject's published records, registered by staff."""

    credit = CreditChoice(
        queryset=CreditRecord.objects.none(),
        empty_label=None,
        label=_("Record"),
        error_messages={
            "required": _("Choose the published record to repair."),
            "invalid_choice": _("Choose the published record to repair."),
        },
        widget=forms.Select(attrs={"class": "form-select form-select-sm"}),
    )
    applicant = forms.CharField(
        label=_("Applicant"),
        max_length=200,
        required=False,
        widget=forms.TextInput(attrs={**_SMALL, "placeholder": _("Applicant")}),
    )
    performed = forms.BooleanField(label=_("Penalty performed and effects removed"), required=False)
    statement = forms.CharField(label=_("Statement"), max_length=4000, required=False, widget=forms.Textarea)

    def __init__(self, actor: Any, subject: Any, *args: Any, **kwargs: Any):
        super().__init__(actor, subject, *args, **kwargs)
        self.fields["credit"].queryset = (
            visible_credit_records(actor).filter(subject=subject, is_public=True).order_by("-decided_on")
        )
        self.fields["performed"].widget.attrs["id"] = "performed"

    def refuse(self, exc: DomainError, fields: dict[str, str] | None = None) -> None:
        """Every failed eligibility rule is about the chosen record: shown beside it."""
        super().refuse(exc, {"": "credit", **{e.field: "credit" for e in exc.errors}, **(fields or {})})


class DecideForm(CreditFileForm):
    """The decision on a pending repair request: approve, or reject with a note."""

    repair = forms.ModelChoiceField(
        queryset=RepairRequest.objects.none(),
        widget=forms.HiddenInput,
        error_messages={"invalid_choice": _("This request has been decided.")},
    )
    approve = forms.ChoiceField(
        label=_("Decision"), choices=[("yes", _("Approve")), ("no", _("Reject"))], widget=forms.HiddenInput
    )
    note = forms.CharField(
        label=_("Decision note"),
        max_length=2000,
        required=False,
        widget=forms.TextInput(attrs={**_SMALL, "placeholder": _("Decision note")}),
    )

    def __init__(self, actor: Any, subject: Any, *args: Any, **kwargs: Any):
        super().__init__(actor, subject, *args, **kwargs)
        self.fields["repair"].queryset = RepairRequest.objects.filter(
            credit__subject=subject,
            credit__in=visible_credit_records(actor),
            status=RepairRequest.Status.SUBMITTED,
        ).select_related("credit__record__department")

    def clean_repair(self) -> RepairRequest:
        repair = self.cleaned_data["repair"]
        try:
            services.access_credit_record_for_write(self.actor, repair.credit)
        except DomainError as exc:
            raise forms.ValidationError(exc.message, code=exc.code) from None
        return repair

    def clean_note(self) -> str:
        return self.cleaned_data["note"].strip()


class ListAbnormalForm(CreditFileForm):
    """Listing as abnormal (经营异常名录): one of the policy's reasons and the day its grounds were established."""

    reason = forms.ChoiceField(
        label=_("Reason"),
        error_messages={"required": _("Unknown listing reason."), "invalid_choice": _("Unknown listing reason.")},
        widget=forms.Select(attrs={"class": "form-select form-select-sm"}),
    )
    basis_on = forms.DateField(
        label=_("Grounds established on"), error_messages=_DATE_ERRORS, widget=forms.DateInput(attrs=_DATE)
    )

    def __init__(self, actor: Any, subject: Any, *args: Any, **kwargs: Any):
        super().__init__(actor, subject, *args, **kwargs)
        self.fields["reason"].choices = list(list_rules()["abnormal_reasons"].items())


class ListSeriousForm(CreditFileForm):
    """Listing as a serious violator (严重违法失信名单), with its grounds."""

    reason = forms.CharField(
        label=_("Grounds for the serious list"),
        max_length=32,
        required=False,
        widget=forms.TextInput(attrs={**_SMALL, "placeholder": _("Grounds for the serious list")}),
    )

    def clean_reason(self) -> str:
        return self.cleaned_data["reason"].strip()


class EntryForm(CreditFileForm):
    """The cure (异常情形消除) or removal of a current entry the user's department decided, on a day."""

    entry = forms.ModelChoiceField(
        queryset=ListEntry.objects.none(),
        widget=forms.HiddenInput,
        error_messages={"invalid_choice": _("The entry is not current.")},
    )
    on = forms.DateField(label=_("Date"), error_messages=_DATE_ERRORS, widget=forms.DateInput(attrs=_DATE))
    reason = forms.CharField(
        label=_("Removal reason"),
        max_length=2000,
        required=False,
        widget=forms.TextInput(attrs={**_SMALL, "placeholder": _("Removal reason")}),
    )

    def __init__(self, actor: Any, subject: Any, *args: Any, **kwargs: Any):
        super().__init__(actor, subject, *args, **kwargs)
        self.fields["entry"].queryset = writable_list_entries(actor).filter(subject=subject)

    def clean_reason(self) -> str:
        return self.cleaned_data["reason"].strip()
