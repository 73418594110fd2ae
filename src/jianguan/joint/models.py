"""Joint supervision: licence claims (审管联动), notices (抄告), assistance requests (协查协办),
campaigns (专项整治) with their tasks and merged forms, the cross-department key-matter list,
rectification orders (整改), and justifications for inspections beyond the annual cap."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from jianguan.joint.choices import CampaignTaskStatus


class ClaimTask(models.Model):
    """A licence whose supervising department must claim it (认领) and then supervise the holder."""

    licence = models.OneToOneField(
        "records.Record", models.PROTECT, db_constraint=False, related_name="+", verbose_name=_("licence")
    )
    subject = models.ForeignKey("subjects.Subject", models.PROTECT, db_constraint=False, related_name="+")
    department = models.ForeignKey(
        "core.Department", models.PROTECT, related_name="+", verbose_name=_("supervising department")
    )
    issued_on = models.DateField(_("licence issued on"))
    item = models.OneToOneField("workflow.WorkflowItem", models.PROTECT, related_name="claim_task")
    claimed_at = models.DateTimeField(_("claimed at"), null=True, blank=True)
    first_inspection_on = models.DateField(_("first inspection on"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-issued_on", "-id"]
        verbose_name = _("licence claim task")
        verbose_name_plural = _("licence claim tasks")

    def __str__(self) -> str:
        return f"{self.licence_id} → {self.department_id}"


class Notice(models.Model):
    """抄告抄送: one department tells others about a subject or a case."""

    sender = models.ForeignKey("core.Department", models.PROTECT, related_name="+", verbose_name=_("sender"))
    subject = models.ForeignKey(
        "subjects.Subject", models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("subject")
    )
    case_reference = models.CharField(_("case reference"), max_length=64, blank=True)
    title = models.CharField(_("title"), max_length=200)
    body = models.TextField(_("content"))
    reply_due = models.DateTimeField(_("reply due"), null=True, blank=True)
    sent_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, null=True, related_name="+")
    sent_at = models.DateTimeField(_("sent at"))

    class Meta:
        ordering = ["-sent_at", "-id"]
        verbose_name = _("notice")
        verbose_name_plural = _("notices")

    def __str__(self) -> str:
        return self.title


class NoticeRecipient(models.Model):
    notice = models.ForeignKey(Notice, models.CASCADE, related_name="recipients")
    department = models.ForeignKey("core.Department", models.PROTECT, related_name="+", verbose_name=_("recipient"))
    read_at = models.DateTimeField(_("read at"), null=True, blank=True)
    read_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, null=True, blank=True, related_name="+")
    reply = models.TextField(_("reply"), blank=True)
    replied_at = models.DateTimeField(_("replied at"), null=True, blank=True)

    class Meta:
        ordering = ["notice", "department"]
        constraints = [models.UniqueConstraint(fields=["notice", "department"], name="joint_notice_recipient_once")]
        verbose_name = _("notice recipient")
        verbose_name_plural = _("notice recipients")

    def __str__(self) -> str:
        return f"{self.notice_id} → {self.department_id}"


class AssistRequest(models.Model):
    """协查协办: a department asks another to check matters on a subject within working days."""

    number = models.CharField(_("number"), max_length=32, unique=True)
    requester = models.ForeignKey(
        "core.Department", models.PROTECT, related_name="+", verbose_name=_("requesting department")
    )
    assignee = models.ForeignKey(
        "core.Department", models.PROTECT, related_name="+", verbose_name=_("assisting department")
    )
    subject = models.ForeignKey("subjects.Subject", models.PROTECT, related_name="+", verbose_name=_("subject"))
    matters = models.TextField(_("matters to check"))
    working_days = models.PositiveSmallIntegerField(_("working days"))
    item = models.OneToOneField("workflow.WorkflowItem", models.PROTECT, related_name="assistance")
    state = models.CharField(_("state"), max_length=16, db_index=True)
    decline_reason = models.TextField(_("reason declined"), blank=True)
    findings = models.TextField(_("findings"), blank=True)
    records = models.JSONField(_("attached records"), default=list, blank=True)
    forwarded_from = models.ForeignKey(
        "core.Department", models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("forwarded by")
    )
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, null=True, related_name="+")
    requested_at = models.DateTimeField(_("requested at"))
    replied_at = models.DateTimeField(_("replied at"), null=True, blank=True)
    justification = models.TextField(_("justification beyond the inspection cap"), blank=True)

    class Meta:
        ordering = ["-requested_at", "-id"]
        verbose_name = _("assistance request")
        verbose_name_plural = _("assistance requests")

    def __str__(self) -> str:
        return self.number


class Campaign(models.Model):
    """专项整治: a lead department, participants, items, targets and a time window."""

    title = models.CharField(_("title"), max_length=200)
    lead = models.ForeignKey("core.Department", models.PROTECT, related_name="+", verbose_name=_("lead department"))
    participants = models.ManyToManyField("core.Department", related_name="+", verbose_name=_("participants"))
    items = models.ManyToManyField("catalog.SupervisionItem", related_name="+", verbose_name=_("supervision items"))
    key_matter = models.ForeignKey("catalog.KeyMatter", models.PROTECT, null=True, blank=True, related_name="+")
    target_filter = models.JSONField(_("target filter"), default=dict, blank=True)
    starts_on = models.DateField(_("starts on"))
    ends_on = models.DateField(_("ends on"))
    form = models.JSONField(_("merged check form (一表通查)"), default=list, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, null=True, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-starts_on", "-id"]
        verbose_name = _("campaign")
        verbose_name_plural = _("campaigns")

    def __str__(self) -> str:
        return self.title


class CampaignTask(models.Model):
    """One subject in a campaign for one department (one visit covers the merged form)."""

    campaign = models.ForeignKey(Campaign, models.CASCADE, related_name="tasks")
    subject = models.ForeignKey("subjects.Subject", models.PROTECT, related_name="+")
    department = models.ForeignKey("core.Department", models.PROTECT, related_name="+")
    status = models.CharField(
        _("status"), max_length=12, choices=CampaignTaskStatus.choices, default=CampaignTaskStatus.ASSIGNED
    )
    results = models.JSONField(_("results per check point"), default=dict, blank=True)
    notes = models.JSONField(_("notes per check point"), default=dict, blank=True)
    finding = models.BooleanField(_("problem found"), default=False)
    checked_on = models.DateField(_("checked on"), null=True, blank=True)
    justification = models.TextField(_("justification beyond the inspection cap"), blank=True)
    origin = models.CharField(_("added from"), max_length=64, blank=True)

    class Meta:
        ordering = ["campaign", "department", "subject"]
        constraints = [
            models.UniqueConstraint(fields=["campaign", "subject", "department"], name="joint_campaign_task_once")
        ]
        verbose_name = _("campaign task")
        verbose_name_plural = _("campaign tasks")

    def __str__(self) -> str:
        return f"{self.campaign_id}:{self.subject_id}:{self.department_id}"


class CapJustification(models.Model):
    """The recorded reason for an inspection task that takes a subject beyond its annual cap."""

    subject = models.ForeignKey("subjects.Subject", models.PROTECT, related_name="+")
    year = models.PositiveSmallIntegerField(_("year"))
    department = models.ForeignKey("core.Department", models.PROTECT, related_name="+")
    context = models.CharField(_("for"), max_length=64)
    count_before = models.PositiveSmallIntegerField(_("inspections before"))
    cap = models.PositiveSmallIntegerField(_("cap"))
    justification = models.TextField(_("justification"))
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, null=True, related_name="+")
    recorded_at = models.DateTimeField(_("recorded at"))

    class Meta:
        ordering = ["-recorded_at"]
        verbose_name = _("inspection-cap justification")
        verbose_name_plural = _("inspection-cap justifications")

    def __str__(self) -> str:
        return f"{self.subject_id} {self.year} {self.context}"
