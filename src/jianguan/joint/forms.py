"""Forms of the joint screens: the campaign's combined check sheet (一表通查) an officer fills in, the bulk
actions of the lists, and one form per step `views.act` takes (claims, notices, assistance requests,
campaigns), each with its choices drawn from what the viewer may name."""

from __future__ import annotations

from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from jianguan.catalog.models import SupervisionItem
from jianguan.core.errors import DomainError
from jianguan.core.models import Department, Region
from jianguan.platform.forms import StaffForm
from jianguan.records.choices import CheckResult
from jianguan.records.permissions import visible_records
from jianguan.subjects.models import Subject
from jianguan.subjects.permissions import access_subject

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


def active_departments() -> QuerySet[Department]:
    """The departments a joint form may name: every active one (notices, requests and campaigns cross departments)."""
    return Department.objects.filter(is_active=True).order_by("path")


_UNKNOWN_DEPARTMENT = {
    "invalid_choice": _("Unknown department."),
    "invalid_pk_value": _("Unknown department."),
}


class JointForm(StaffForm):
    """A form of the joint screens, in a side card beside what it acts on: it knows its viewer
    (whose scope its choices follow) and its target (the request or claim it acts on)."""

    compact = True
    # Ids of the controls; two forms on one page that share a field name need their own.
    ids = "%s"

    def __init__(self, actor: Any, data: Any = None, *, target: Any = None, **kwargs: Any):
        self.actor, self.target = actor, target
        kwargs.setdefault("auto_id", self.ids)
        super().__init__(data, **kwargs)

    def _subject(self, name: str) -> Subject | None:
        """The subject whose id was typed, if the viewer may see it (a hidden one reads as unknown)."""
        pk = self.cleaned_data.get(name)
        if pk is None:
            return None
        try:
            return access_subject(self.actor, pk)
        except DomainError:
            raise forms.ValidationError(
                _("No subject with this id that you may see."), code="unknown_subject"
            ) from None


class EndClaimForm(JointForm):
    """Ending a licence claim (the licence needs no supervision by this department): the reason."""

    ids = "end-%s"

    reason = forms.CharField(label=_("Reason"), min_length=2, max_length=2000, widget=forms.Textarea(attrs={"rows": 2}))


class NoticeForm(JointForm):
    """抄告 to other departments: recipients, title, content, and optionally a subject, a case and a reply deadline."""

    refusals = {"no_recipients": "recipients", "empty_notice": "body"}

    recipients = forms.ModelMultipleChoiceField(
        queryset=None,
        label=_("To"),
        widget=forms.SelectMultiple(attrs={"size": 6}),
        error_messages={**_UNKNOWN_DEPARTMENT, "required": _("Name at least one other department to notify.")},
    )
    title = forms.CharField(label=_("Title"), min_length=2, max_length=200)
    body = forms.CharField(
        label=_("Content"), min_length=2, max_length=10_000, widget=forms.Textarea(attrs={"rows": 4})
    )
    subject = forms.IntegerField(label=_("Subject id (optional)"), required=False, min_value=1)
    case_reference = forms.CharField(label=_("Case reference (optional)"), required=False, max_length=64)
    reply_within = forms.IntegerField(
        label=_("Reply within working days (optional)"), required=False, min_value=1, max_value=30
    )

    def __init__(self, actor: Any, data: Any = None, **kwargs: Any):
        super().__init__(actor, data, **kwargs)
        own = getattr(actor, "department_id", None)
        self.fields["recipients"].queryset = active_departments().exclude(pk=own)

    def clean_subject(self) -> Subject | None:
        return self._subject("subject")


class NoticeReplyForm(JointForm):
    """A receiving department's reply to a notice."""

    ids = "reply-%s"

    refusals = {"empty_reply": "text", "already_replied": "text"}

    text = forms.CharField(label=_("Reply"), max_length=10_000, widget=forms.Textarea(attrs={"rows": 3}))


class AssistanceForm(JointForm):
    """协查 request: the assisting department, the subject, what to check, the deadline in working days."""

    refusals = {
        "working_days_out_of_range": "working_days",
        "same_department": "assignee",
        "no_matters": "matters",
        "inspection_cap": "justification",
    }

    assignee = forms.ModelChoiceField(
        queryset=None, label=_("Assisting department"), error_messages=_UNKNOWN_DEPARTMENT
    )
    subject = forms.IntegerField(label=_("Subject id"), min_value=1)
    matters = forms.CharField(
        label=_("Matters to check"), min_length=2, max_length=4000, widget=forms.Textarea(attrs={"rows": 3})
    )
    # The longest deadline is the joint policy's: the service checks it.
    working_days = forms.IntegerField(label=_("Reply within working days"), required=False, min_value=1, initial=10)
    justification = forms.CharField(
        label=_("Justification if the subject's annual inspection cap is reached"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def __init__(self, actor: Any, data: Any = None, **kwargs: Any):
        super().__init__(actor, data, **kwargs)
        self.fields["assignee"].queryset = active_departments().exclude(pk=getattr(actor, "department_id", None))

    def clean_subject(self) -> Subject | None:
        return self._subject("subject")


class DeclineForm(JointForm):
    """Declining an assistance request: the reason goes back to the requester."""

    ids = "decline-%s"

    reason = forms.CharField(label=_("Reason"), min_length=2, max_length=2000, widget=forms.Textarea(attrs={"rows": 2}))


class ForwardForm(JointForm):
    """Forwarding an assistance request to a third department (neither the requester nor the assignee)."""

    refusals = {"forward_target": "to"}
    ids = "forward-%s"

    to = forms.ModelChoiceField(queryset=None, label=_("Forward to"), error_messages=_UNKNOWN_DEPARTMENT)
    reason = forms.CharField(label=_("Reason"), min_length=2, max_length=2000)

    def __init__(self, actor: Any, data: Any = None, *, target: Any = None, **kwargs: Any):
        super().__init__(actor, data, target=target, **kwargs)
        self.fields["to"].queryset = active_departments().exclude(pk__in=[target.assignee_id, target.requester_id])


def _record_label(record: Any) -> str:
    result = record.result if len(record.result) <= 30 else f"{record.result[:29]}…"
    return f"{record.action_date:%Y-%m-%d} {record.get_kind_display()} · {result}"


class AssistReplyForm(JointForm):
    """The assisting department's findings, with its supervision records of the subject attached."""

    refusals = {"unknown_records": "records"}

    findings = forms.CharField(
        label=_("Findings"), min_length=2, max_length=10_000, widget=forms.Textarea(attrs={"rows": 4})
    )
    records = forms.ModelMultipleChoiceField(
        queryset=None,
        label=_("Attach records"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        error_messages={
            "invalid_choice": _("A chosen record is not on this subject or not in your scope."),
            "invalid_pk_value": _("A chosen record is not on this subject or not in your scope."),
        },
    )

    def __init__(self, actor: Any, data: Any = None, *, target: Any = None, **kwargs: Any):
        super().__init__(actor, data, target=target, **kwargs)
        self.fields["records"].queryset = (
            visible_records(actor).filter(subject=target.subject_id).order_by("-action_date")
        )
        self.fields["records"].label_from_instance = _record_label

    def record_ids(self) -> list[int]:
        return [record.pk for record in self.cleaned_data["records"]]


def _codes(value: str) -> list[str]:
    return [code.strip() for code in value.replace("，", ",").split(",") if code.strip()]


class CampaignForm(JointForm):
    """专项整治: title, participating departments, supervision items in force, the window and the targets."""

    refusals = {
        "window": "ends_on",
        "no_items": "items",
        "key_matter_departments": "participants",
        "too_many_targets": "regions",
        "inspection_cap": "justification",
    }

    title = forms.CharField(label=_("Title"), min_length=2, max_length=200)
    participants = forms.ModelMultipleChoiceField(
        queryset=None,
        label=_("Participating departments"),
        required=False,
        widget=forms.SelectMultiple(attrs={"size": 5}),
        error_messages=_UNKNOWN_DEPARTMENT,
    )
    items = forms.ModelMultipleChoiceField(
        queryset=None,
        label=_("Supervision items"),
        widget=forms.SelectMultiple(attrs={"size": 5}),
        error_messages={
            "required": _("Choose at least one supervision item."),
            "invalid_choice": _("A chosen item is not in force."),
            "invalid_pk_value": _("A chosen item is not in force."),
        },
    )
    starts_on = forms.DateField(label=_("Starts on"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))
    ends_on = forms.DateField(label=_("Ends on"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))
    regions = forms.CharField(
        label=_("Regions"),
        required=False,
        max_length=2000,
        widget=forms.TextInput(attrs={"placeholder": _("Region codes, e.g. 370102,370103")}),
    )
    industries = forms.CharField(
        label=_("Industries"),
        required=False,
        max_length=500,
        widget=forms.TextInput(attrs={"placeholder": _("Industry codes, e.g. H")}),
    )
    justification = forms.CharField(
        label=_("Justification for subjects at their inspection cap"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def __init__(self, actor: Any, data: Any = None, **kwargs: Any):
        super().__init__(actor, data, **kwargs)
        self.fields["participants"].queryset = active_departments()
        self.fields["items"].queryset = (
            SupervisionItem.objects.in_force(timezone.localdate()).filter(parent__isnull=True).order_by("code")
        )
        self.fields["items"].label_from_instance = lambda item: f"{item.code} {item.name}"

    def clean_regions(self) -> list[str]:
        codes = _codes(self.cleaned_data["regions"])
        known = set(Region.objects.filter(code__in=codes).values_list("code", flat=True))
        unknown = [code for code in codes if code not in known]
        if unknown:
            raise forms.ValidationError(
                _("Unknown region codes: %(codes)s.") % {"codes": ", ".join(unknown)}, code="unknown_region"
            )
        return codes

    def clean_industries(self) -> list[str]:
        return [code.upper() for code in _codes(self.cleaned_data["industries"])]

    def target_filter(self) -> dict[str, Any]:
        data = self.cleaned_data
        return {"regions": data["regions"], "industries": data["industries"], "statuses": ["operating"]}


# The form of each step `views.act` takes, by "<kind>_<action>": the pages build theirs through the
# `joint_form` template tag, and a refused post is shown again in the same place.
STEP_FORMS: dict[str, type[JointForm]] = {
    "claim_end": EndClaimForm,
    "notice_send": NoticeForm,
    "notice_reply": NoticeReplyForm,
    "assistance_new": AssistanceForm,
    "assistance_decline": DeclineForm,
    "assistance_forward": ForwardForm,
    "assistance_reply": AssistReplyForm,
    "campaign_new": CampaignForm,
}
