"""The forms of an alert's handling steps (the service decides and audits)."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from jianguan.alerts.choices import Disposal, Verdict
from jianguan.platform.forms import StaffForm


class VerifyForm(StaffForm):
    compact = True
    refusals = {"unknown_verdict": "verdict", "reason_required": "reason"}
    verdict = forms.ChoiceField(label=_("Verdict"), choices=Verdict.choices)
    reason = forms.CharField(label=_("Reason"), max_length=2000, widget=forms.Textarea(attrs={"rows": 2}))


class DisposeForm(StaffForm):
    compact = True
    refusals = {"unknown_disposal": "disposal", "note_required": "note", "no_subject": "disposal"}
    disposal = forms.ChoiceField(label=_("How it is dealt with"), choices=Disposal.choices)
    note = forms.CharField(label=_("What was done"), max_length=2000, widget=forms.Textarea(attrs={"rows": 2}))
    requirement = forms.CharField(
        label=_("What to put right (for a rectification order)"),
        max_length=2000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class NoteForm(StaffForm):
    compact = True
    refusals = {"note_required": "note"}
    note = forms.CharField(label=_("Feedback"), max_length=2000, widget=forms.Textarea(attrs={"rows": 2}))


STEP_FORMS = {"verify": VerifyForm, "dispose": DisposeForm, "feedback": NoteForm}
