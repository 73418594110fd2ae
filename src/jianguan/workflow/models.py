"""Workflow definitions (as data), items moving through them, and their transition history."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from jianguan.workflow.schemas import WorkflowSpec


class WorkflowDefinition(models.Model):
    """A versioned state machine: states, actions, roles, evidence flags, SLAs (schemas.WorkflowSpec)."""

    code = models.CharField(_("code"), max_length=64)
    version = models.PositiveIntegerField(_("version"))
    name = models.CharField(_("name"), max_length=128)
    spec = models.JSONField(_("specification"))
    is_active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        ordering = ["code", "-version"]
        verbose_name = _("workflow definition")
        verbose_name_plural = _("workflow definitions")
        constraints = [models.UniqueConstraint(fields=["code", "version"], name="workflow_definition_version")]

    def __str__(self) -> str:
        return f"{self.name} v{self.version}"

    def parsed(self):
        cache = getattr(self, "_parsed", None)
        if cache is None:
            cache = self._parsed = WorkflowSpec.model_validate(self.spec)
        return cache


class WorkflowItem(models.Model):
    """One case in a workflow: its state, responsible department and stored, indexed deadlines."""

    definition = models.ForeignKey(WorkflowDefinition, models.PROTECT, related_name="items")
    reference = models.CharField(_("reference"), max_length=64, db_index=True)
    title = models.CharField(_("title"), max_length=255)
    state = models.CharField(_("state"), max_length=32, db_index=True)
    is_closed = models.BooleanField(_("closed"), default=False, db_index=True)
    department = models.ForeignKey(
        "core.Department",
        models.PROTECT,
        related_name="workflow_items",
        verbose_name=_("responsible department"),
    )
    region = models.ForeignKey("core.Region", models.PROTECT, related_name="+", verbose_name=_("region"))
    started_at = models.DateTimeField(_("started at"))
    state_entered_at = models.DateTimeField(_("state entered at"))
    state_due_at = models.DateTimeField(_("state due at"), null=True, blank=True)
    due_at = models.DateTimeField(_("due at"), null=True, blank=True)
    # This item's own overall SLA (e.g. its category's), when it replaces the definition's.
    overall_sla = models.JSONField(_("overall SLA"), null=True, blank=True)
    # The nearer of the two deadlines and its warning point: what colours and escalation read.
    next_due_at = models.DateTimeField(_("next deadline"), null=True, blank=True, db_index=True)
    warn_at = models.DateTimeField(_("warning from"), null=True, blank=True, db_index=True)
    due_is_provisional = models.BooleanField(_("deadline provisional"), default=False)
    escalation_level = models.PositiveSmallIntegerField(_("escalation level"), default=0)
    next_escalation_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["next_due_at", "id"]
        verbose_name = _("workflow item")
        verbose_name_plural = _("workflow items")
        indexes = [models.Index(fields=["is_closed", "next_due_at"], name="workflow_open_due_idx")]

    def __str__(self) -> str:
        return f"{self.reference} {self.title}"


class WorkflowTransition(models.Model):
    """One step taken on an item, or an escalation by the job."""

    item = models.ForeignKey(WorkflowItem, models.CASCADE, related_name="transitions")
    action = models.CharField(_("action"), max_length=64)
    from_state = models.CharField(_("from"), max_length=32)
    to_state = models.CharField(_("to"), max_length=32)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, null=True, blank=True, related_name="+")
    at = models.DateTimeField(_("time"))
    comment = models.TextField(_("comment"), blank=True)
    evidence = models.JSONField(_("evidence"), default=list, blank=True)
    from_department = models.ForeignKey("core.Department", models.PROTECT, null=True, blank=True, related_name="+")
    to_department = models.ForeignKey("core.Department", models.PROTECT, null=True, blank=True, related_name="+")

    class Meta:
        ordering = ["item", "at", "id"]
        verbose_name = _("workflow transition")
        verbose_name_plural = _("workflow transitions")

    def __str__(self) -> str:
        return f"{self.item_id} {self.action}: {self.from_state} → {self.to_state}"
