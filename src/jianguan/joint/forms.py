"""Forms of the joint screens: the campaign's combined check sheet (一表通查) an officer fills in."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from jianguan.records.choices import CheckResult

ANSWERS = [
    (CheckResult.PASS.value, CheckResult.PASS.label),
    (CheckResult.FAIL.value, CheckResult.FAIL.label),
    (CheckResult.NOT_APPLICABLE.value, CheckResult.NOT_APPLICABLE.label),
]


class CampaignCheckForm(forms.Form):
    """One answer (pass, fail, not applicable) and an optional note per check point of the sheet,
    and the day of the visit. The service judges completeness again and records the result."""

    checked_on = forms.DateField(label=_("Checked on"), widget=forms.DateInput(attrs={"type": "date"}))

    def __init__(self, points: list[dict[str, Any]], *args: Any, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.points = points
        self.fields["checked_on"].initial = timezone.localdate()
        for point in points:
            code = point["code"]
            self.fields[f"answer_{code}"] = forms.ChoiceField(
                label=point["content"],
                choices=ANSWERS,
                widget=forms.RadioSelect,
                error_messages={"required": _("Answer this check point.")},
            )
            self.fields[f"note_{code}"] = forms.CharField(
                label=_("Note"),
                required=False,
                max_length=500,
                widget=forms.TextInput(attrs={"placeholder": _("What was found (needed when it fails)")}),
            )

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        for point in self.points:
            code = point["code"]
            if data.get(f"answer_{code}") == CheckResult.FAIL and not (data.get(f"note_{code}") or "").strip():
                self.add_error(f"note_{code}", _("Say what was found for a failed check point."))
        return data

    def rows(self) -> list[dict[str, Any]]:
        """The sheet as rows for the template: the point, its answer field and its note field."""
        return [
            {"point": p, "answer": self[f"answer_{p['code']}"], "note": self[f"note_{p['code']}"]} for p in self.points
        ]

    def results(self) -> dict[str, str]:
        return {p["code"]: self.cleaned_data[f"answer_{p['code']}"] for p in self.points}

    def notes(self) -> dict[str, str]:
        return {p["code"]: self.cleaned_data.get(f"note_{p['code']}", "") for p in self.points}


class BulkClaimForm(forms.Form):
    """Several pending licence claims chosen on the list, claimed together or not at all."""

    MAX = 200
    tasks = forms.ModelMultipleChoiceField(
        queryset=None,
        label=_("Licences to claim"),
        error_messages={
            "required": _("Choose at least one licence to claim."),
            "invalid_choice": _("A chosen licence is not one you may claim, or it has been claimed already."),
            "invalid_pk_value": _("A chosen licence is not one you may claim, or it has been claimed already."),
        },
    )

    def __init__(self, claimable, *args: Any, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.fields["tasks"].queryset = claimable

    def clean_tasks(self):
        tasks = self.cleaned_data["tasks"]
        if len(tasks) > self.MAX:
            raise forms.ValidationError(
                _("At most %(n)s licences can be claimed at once.") % {"n": self.MAX}, code="too_many"
            )
        return tasks


class BulkReadForm(forms.Form):
    """Several notices chosen on the list, marked read by the viewer's department together or not at all."""

    MAX = 200
    notices = forms.ModelMultipleChoiceField(
        queryset=None,
        label=_("Notices to mark read"),
        error_messages={
            "required": _("Choose at least one notice."),
            "invalid_choice": _("A chosen notice is not one you may see."),
            "invalid_pk_value": _("A chosen notice is not one you may see."),
        },
    )

    def __init__(self, visible, *args: Any, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.fields["notices"].queryset = visible

    def clean_notices(self):
        notices = self.cleaned_data["notices"]
        if len(notices) > self.MAX:
            raise forms.ValidationError(_("At most %(n)s notices at once.") % {"n": self.MAX}, code="too_many")
        return notices
