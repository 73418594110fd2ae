"""The result form of a spot-check task: one question per check point, the overall result, photos."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from jianguan.core.errors import DomainError, both_languages
from jianguan.platform.importing import checked_file
from jianguan.records.choices import CheckResult
from jianguan.spotcheck.choices import EVIDENCE_MAX_BYTES, PHOTO_TYPES, FollowUp

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
