"""The on-site re-inspection form (现场复查): one question per point of the requirement, photos, a note."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from jianguan.core.errors import both_languages
from jianguan.rectification.choices import MAX_PHOTOS
from jianguan.rectification.models import Rectification
from jianguan.rectification.services import requirement_points

ANSWERS = [("yes", _("Put right")), ("no", _("Not put right"))]


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
