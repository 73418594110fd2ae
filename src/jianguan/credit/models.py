"""Credit supervision: versioned publication rules and the credit records of subjects."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class PublicationRuleSet(models.Model):
    """One version of the publication rules (the rules changed in 2019, 2021, 2023 and 2026)."""

    version = models.CharField(_("version"), max_length=32, unique=True)
    effective_from = models.DateField(_("effective from"))
    effective_to = models.DateField(_("effective until"), null=True, blank=True)
    source = models.TextField(_("source"), blank=True)
    rules = models.JSONField(_("rules"))
    longer_repair_wait = models.JSONField(_("longer repair wait"), default=dict, blank=True)

    class Meta:
        ordering = ["effective_from"]
        verbose_name = _("publication rule version")
        verbose_name_plural = _("publication rule versions")

    def __str__(self) -> str:
        return f"{self.version} ({self.effective_from} – {self.effective_to or ''})"


class CreditRecord(models.Model):
    """A penalty or spot-check result as part of a subject's credit, with its publication window."""

    subject = models.ForeignKey("subjects.Subject", models.PROTECT, related_name="credit_records")
    record = models.OneToOneField("records.Record", models.PROTECT, related_name="credit")
    kind = models.CharField(_("kind"), max_length=16)
    title = models.CharField(_("title"), max_length=300)
    decided_on = models.DateField(_("decided on"))
    rule_version = models.CharField(_("rule version"), max_length=32)
    rule_name = models.CharField(_("rule"), max_length=64)
    level = models.CharField(_("level"), max_length=8, blank=True)
    publish_due = models.DateField(_("to be published by"), null=True, blank=True)
    publish_from = models.DateField(_("published from"), null=True, blank=True)
    publish_until = models.DateField(_("published until"), null=True, blank=True)
    is_public = models.BooleanField(_("public now"), default=False, db_index=True)
    repaired_at = models.DateTimeField(_("repaired at"), null=True, blank=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        ordering = ["-decided_on", "-id"]
        verbose_name = _("credit record")
        verbose_name_plural = _("credit records")
        indexes = [models.Index(fields=["subject", "is_public"], name="credit_subject_public")]

    def __str__(self) -> str:
        return f"{self.subject_id} {self.kind} {self.decided_on}"


class RepairRequest(models.Model):
    """信用修复: a subject asks to end the publication of a credit record early."""

    class Status(models.TextChoices):
        SUBMITTED = "submitted", _("Submitted")
        APPROVED = "approved", _("Approved: publication stopped")
        REJECTED = "rejected", _("Rejected")

    credit = models.ForeignKey(CreditRecord, models.PROTECT, related_name="repair_requests")
    applicant = models.CharField(_("applicant"), max_length=200)
    contact_sealed = models.TextField(blank=True, editable=False)  # the applicant's phone, encrypted
    performed = models.BooleanField(_("penalty performed and effects removed (declared)"))
    statement = models.TextField(_("statement"), blank=True)
    eligibility = models.JSONField(_("eligibility checks"), default=list)
    status = models.CharField(_("status"), max_length=16, choices=Status.choices, default=Status.SUBMITTED)
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    decision_note = models.TextField(_("decision note"), blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("credit repair request")
        verbose_name_plural = _("credit repair requests")

    def __str__(self) -> str:
        return f"{self.credit_id} {self.status}"


class RiskGrade(models.Model):
    """A subject's credit-risk grade (信用风险分类) as of a day, with the indicators that moved it. Not public."""

    id = models.BigAutoField(primary_key=True)
    subject = models.ForeignKey("subjects.Subject", models.CASCADE, related_name="risk_grades", db_constraint=False)
    as_of = models.DateField(_("as of"))
    scheme = models.CharField(_("scheme"), max_length=16)
    model_version = models.CharField(_("model version"), max_length=16)
    grade = models.CharField(_("grade"), max_length=2)
    score = models.IntegerField(_("score"))
    explanation = models.JSONField(_("explanation"), default=list)

    class Meta:
        ordering = ["-as_of", "subject"]
        verbose_name = _("risk grade")
        verbose_name_plural = _("risk grades")
        indexes = [models.Index(fields=["subject", "as_of"], name="risk_grade_subject_day")]

    def __str__(self) -> str:
        return f"{self.subject_id} {self.as_of} {self.grade}"


class ListEntry(models.Model):
    """A subject on the 经营异常名录 (abnormal operations) or the 严重违法失信名单 (serious violations)."""

    class Kind(models.TextChoices):
        ABNORMAL = "abnormal", _("Abnormal operations list (经营异常名录)")
        SERIOUS = "serious", _("Serious violations list (严重违法失信名单)")

    class Status(models.TextChoices):
        LISTED = "listed", _("Listed")
        REMOVED = "removed", _("Removed")
        MOVED = "moved", _("Moved to the serious violations list")
        ENDED = "ended", _("Period ended")

    subject = models.ForeignKey("subjects.Subject", models.PROTECT, related_name="list_entries")
    kind = models.CharField(_("list"), max_length=16, choices=Kind.choices)
    reason = models.CharField(_("reason"), max_length=32)
    department = models.ForeignKey("core.Department", models.PROTECT, related_name="+", verbose_name=_("authority"))
    basis_on = models.DateField(_("grounds established on"))
    listing_due = models.DateField(_("to be listed by"))
    listed_on = models.DateField(_("listed on"))
    status = models.CharField(_("status"), max_length=16, choices=Status.choices, default=Status.LISTED)
    normal_end = models.DateField(_("normal end"), null=True, blank=True)
    notice_due = models.DateField(_("escalation notice from"), null=True, blank=True)
    notice_sent_on = models.DateField(_("escalation notice sent on"), null=True, blank=True)
    cured_on = models.DateField(_("cured on"), null=True, blank=True)
    removal_due = models.DateField(_("to be removed by"), null=True, blank=True)
    removed_on = models.DateField(_("removed on"), null=True, blank=True)
    removal_reason = models.TextField(_("removal reason"), blank=True)
    escalated_to = models.ForeignKey("self", models.PROTECT, null=True, blank=True, related_name="+")
    related_subjects = models.JSONField(_("other companies of the legal representative"), default=list, blank=True)

    class Meta:
        ordering = ["-listed_on", "-id"]
        verbose_name = _("list entry")
        verbose_name_plural = _("list entries")
        indexes = [models.Index(fields=["subject", "status"], name="list_entry_subject_status")]

    def __str__(self) -> str:
        return f"{self.subject_id} {self.kind} {self.reason} {self.status}"


class CreditReport(models.Model):
    """A public credit report as issued (信用报告): its verification code, the subject, the time and
    the hashes of what it said, so that anyone holding the report can have it checked."""

    code = models.CharField(_("verification code"), max_length=24, unique=True)
    subject = models.ForeignKey("subjects.Subject", models.PROTECT, related_name="credit_reports")
    subject_name = models.CharField(_("subject"), max_length=255)
    subject_code = models.CharField(_("code"), max_length=32, blank=True)
    generated_at = models.DateTimeField(_("generated at"))
    content = models.JSONField(_("content"))
    content_sha256 = models.CharField(_("content hash"), max_length=64)
    pdf_sha256 = models.CharField(_("file hash"), max_length=64, blank=True)

    class Meta:
        ordering = ["-generated_at", "-id"]
        verbose_name = _("credit report")
        verbose_name_plural = _("credit reports")

    def __str__(self) -> str:
        return f"{self.code} {self.subject_name} {self.generated_at:%Y-%m-%d %H:%M}"
