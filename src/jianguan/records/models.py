"""Supervision actions (监管行为库): inspections, penalties, coercive measures, licences and others."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from jianguan.records.choices import PartyNature, RecordKind


class Record(models.Model):
    """One supervision action as a department system reported it, linked to its subject.

    `(source, source_id)` identifies it: a record sent again updates this row (its version goes
    up), and a withdrawal marks it deleted; rows are never removed, so the national outbox and the
    audit trail can always point at them. Kind-specific fields of the data standard are in `details`.

    This is the platform's largest table and is loaded in bulk, so its references are not declared
    as database constraints: the gateway resolves every id (item, department, region, subject,
    batch) in the same transaction that writes the row, and nothing else writes here. Its indexes
    are the ones its readers need (a subject's timeline, a department's list, the source key):
    each further index slows every load.
    """

    id = models.BigAutoField(primary_key=True)
    kind = models.CharField(_("kind"), max_length=16, choices=RecordKind.choices)
    source = models.CharField(_("source system"), max_length=64)
    source_id = models.CharField(_("source record id"), max_length=64)
    standard = models.CharField(_("data standard"), max_length=8, default="v1")
    item = models.ForeignKey(
        "catalog.SupervisionItem",
        models.PROTECT,
        db_constraint=False,
        related_name="+",
        verbose_name=_("supervision item"),
    )
    item_code = models.CharField(_("item code"), max_length=14)
    department = models.ForeignKey(
        "core.Department",
        models.PROTECT,
        db_constraint=False,
        related_name="records",
        verbose_name=_("implementing department"),
    )
    subject = models.ForeignKey(
        "subjects.Subject", models.PROTECT, db_constraint=False, related_name="records", verbose_name=_("subject")
    )
    subject_nature = models.CharField(_("party nature"), max_length=1, choices=PartyNature.choices)
    subject_id_type = models.CharField(_("party ID type"), max_length=3)
    # A natural person's ID number is stored masked; the subject holds its keyed hash.
    subject_code = models.CharField(_("party code"), max_length=20)
    subject_code_sealed = models.TextField(blank=True, editable=False)
    subject_name = models.CharField(_("party name"), max_length=200)
    region = models.ForeignKey(
        "core.Region", models.PROTECT, db_constraint=False, related_name="+", verbose_name=_("region")
    )
    action_date = models.DateField(_("action date"))
    reported_at = models.DateTimeField(_("reported at"))
    received_at = models.DateTimeField(_("received at"))
    document_no = models.CharField(_("document number"), max_length=100, blank=True)
    result = models.TextField(_("result"), blank=True)
    plan_id = models.CharField(_("spot-check plan id"), max_length=64, blank=True)
    details = models.JSONField(_("details"), default=dict)
    completeness = models.FloatField(_("completeness of optional fields"), default=0)
    report_lag = models.IntegerField(_("report lag (working days)"), default=0)
    content_hash = models.CharField(max_length=32, editable=False)
    version = models.PositiveIntegerField(_("version"), default=1)
    is_deleted = models.BooleanField(_("withdrawn"), default=False)
    batch = models.ForeignKey(
        "core.ImportBatch",
        models.PROTECT,
        db_constraint=False,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("batch"),
    )
    updated_at = models.DateTimeField(_("updated at"))

    class Meta:
        ordering = ["-action_date", "-id"]
        verbose_name = _("supervision action")
        verbose_name_plural = _("supervision actions")
        constraints = [models.UniqueConstraint(fields=["source", "source_id"], name="record_source_id")]
        indexes = [
            models.Index(fields=["subject", "action_date"], name="record_subject_date"),
            models.Index(fields=["department", "action_date"], name="record_department_date"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.subject_name} {self.action_date}"
