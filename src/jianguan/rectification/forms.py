"""The staff forms of a rectification order: the subject's report entered by staff, its review, and the
on-site re-inspection (现场复查: one question per point of the requirement, photos, a note)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from jianguan.core.errors import both_languages
from jianguan.platform.forms import StaffForm
from jianguan.rectification.choices import MAX_PHOTOS
from jianguan.rectification.models import Rectification
from jianguan.rectification.services import requirement_points

ANSWERS = [("yes", _("Put right")), ("no", _("Not put right"))]
DECISIONS = [("accept", _("Accept")), ("reinspect", _("Re-inspect")), ("reject", _("Send back"))]


class ReportForm(StaffForm):
    """The subject's report of what was put right, entered by staff (by phone, on paper)."""

    text = forms.CharField(
        label=_("Report"),
        max_length=4000,
        error_messages={"required": _("Describe what was put right.")},
        widget=forms.Textarea(attrs={"rows": 3, "class": "form-control form-control-sm"}),
    )

    def clean_text(self) -> str:
        return self.cleaned_data["text"].strip()


class ReviewForm(StaffForm):
    """The review of a report: accept, order a re-inspection or send it back, with a comment."""

    action = forms.ChoiceField(label=_("Decision"), choices=DECISIONS, widget=forms.HiddenInput)
    comment = forms.CharField(
        label=_("Comment"),
        max_length=2000,
        required=False,
        widget=forms.TextInput(attrs={"class": "form-control form-control-sm"}),
    )

    @classmethod
    def posted(cls, data: Any, action: str) -> ReviewForm:
        """The form as posted by one of its buttons (each button posts to its decision's address)."""
        data = data.copy()
        data["action"] = action
        return cls(data)

    def clean_comment(self) -> str:
        return self.cleaned_data["comment"].strip()


class ReinspectionForm(forms.Form):
    comment = forms.CharField(label=_("Note"), required=False, max_length=1000)

    def __init__(self, order: Rectification, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.photo_errors = []
        self.points = requirement_points(order)
        for index, point in enumerate(self.points):
            self.fields[f"point_{index}"] = forms.ChoiceField(
                label=point,
                choices=ANSWERS,
                widget=forms.RadioSelect,
                error_messages={"required": both_languages(_("Answer this point."))},
            )

    photo_errors: list[str]

    def questions(self) -> list[tuple[int, str, Any]]:
        return [(index, point, self[f"point_{index}"]) for index, point in enumerate(self.points)]

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        photos = self.files.getlist("photos") if self.files else []
        # Their kind and number are the service's to check; its refusal is shown beside the camera.
        data["photos"] = [(photo.name, photo.read()) for photo in photos[: MAX_PHOTOS + 1]]
        data["answers"] = {
            point: data[f"point_{index}"] == "yes"
            for index, point in enumerate(self.points)
            if data.get(f"point_{index}")
        }
        return data
