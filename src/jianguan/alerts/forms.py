"""The forms of an alert's handling steps (the service decides and audits)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from jianguan.alerts.choices import Disposal, Verdict
from jianguan.alerts.models import Alert
from jianguan.core.models import Department
from jianguan.joint.models import Campaign
from jianguan.joint.services import open_campaigns_for_targets
from jianguan.platform.forms import StaffForm
from jianguan.spotcheck.models import Batch
from jianguan.spotcheck.services import open_batches_for_selection


class VerifyForm(StaffForm):
    compact = True
    refusals = {"unknown_verdict": "verdict", "reason_required": "reason"}
    verdict = forms.ChoiceField(label=_("Verdict"), choices=Verdict.choices)
    reason = forms.CharField(label=_("Reason"), max_length=2000, widget=forms.Textarea(attrs={"rows": 2}))


class DisposeForm(StaffForm):
    compact = True
    refusals = {
        "unknown_disposal": "disposal",
        "note_required": "note",
        "no_subject": "disposal",
        "recipient_required": "recipient",
        "no_recipients": "recipient",
        "batch_required": "batch",
        "batch_of_another_department": "batch",
        "batch_committed": "batch",
        "campaign_required": "campaign",
        "campaign_of_another_department": "campaign",
        "campaign_over": "campaign",
        "already_a_target": "campaign",
        "no_unit_for_target": "campaign",
    }
    disposal = forms.ChoiceField(label=_("How it is dealt with"), choices=Disposal.choices)
    note = forms.CharField(label=_("What was done"), max_length=2000, widget=forms.Textarea(attrs={"rows": 2}))
    recipient = forms.ModelChoiceField(
        queryset=Department.objects.filter(is_active=True).order_by("path"),
        label=_("Department to notify or refer the case to"),
        required=False,
        error_messages={"invalid_choice": _("Unknown department.")},
    )
    requirement = forms.CharField(
        label=_("What to put right (for a rectification order)"),
        max_length=2000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    batch = forms.ModelChoiceField(
        queryset=Batch.objects.none(),
        label=_("Spot-check batch, seed not yet committed (for a risk selection)"),
        required=False,
        error_messages={"invalid_choice": _("Choose a batch of the alert's department whose seed is not committed.")},
    )
    campaign = forms.ModelChoiceField(
        queryset=Campaign.objects.none(),
        label=_("Campaign (to add the subject to its targets)"),
        required=False,
        error_messages={"invalid_choice": _("Choose a running campaign the alert's department leads.")},
    )

    def __init__(self, *args: Any, alert: Alert | None = None, **kwargs: Any):
        super().__init__(*args, **kwargs)
        if alert is not None:
            self.fields["batch"].queryset = open_batches_for_selection(alert.department)
            self.fields["campaign"].queryset = open_campaigns_for_targets(alert.department)


class NoteForm(StaffForm):
    compact = True
    refusals = {"note_required": "note"}
    note = forms.CharField(label=_("Feedback"), max_length=2000, widget=forms.Textarea(attrs={"rows": 2}))


STEP_FORMS = {"verify": VerifyForm, "dispose": DisposeForm, "feedback": NoteForm}
