"""双随机、一公开: plans, their batches, the verifiable draws and the resulting tasks."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from jianguan.spotcheck.choices import BatchStatus, FollowUp, TaskStatus


class Plan(models.Model):
    """A department's annual random-check plan (due by the end of March), split into batches."""

    department = models.ForeignKey(
        "core.Department", models.PROTECT, related_name="spotcheck_plans", verbose_name=_("department")
    )
    year = models.PositiveSmallIntegerField(_("year"))
    title = models.CharField(_("title"), max_length=200)
    due_on = models.DateField(_("due by"))
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, null=True, blank=True, related_name="+")

    class Meta:
        ordering = ["-year", "department", "id"]
        verbose_name = _("spot-check plan")
        verbose_name_plural = _("spot-check plans")
        constraints = [models.UniqueConstraint(fields=["department", "year", "title"], name="plan_unique_title")]

    def __str__(self) -> str:
        return f"{self.year} {self.title}"

    @property
    def is_late(self) -> bool:
        """Plans are due by 31 March of their year."""
        return self.created_at is not None and self.created_at.date() > self.due_on


class Batch(models.Model):
    """One batch of a plan: its items, its pool filter, its quotas and officers; drawn once."""

    plan = models.ForeignKey(Plan, models.CASCADE, related_name="batches", verbose_name=_("plan"))
    number = models.PositiveSmallIntegerField(_("batch number"))
    title = models.CharField(_("title"), max_length=200)
    starts_on = models.DateField(_("checks from"))
    ends_on = models.DateField(_("checks until"))
    status = models.CharField(_("status"), max_length=16, choices=BatchStatus.choices, default=BatchStatus.DRAFT)
    items = models.ManyToManyField("catalog.SupervisionItem", related_name="+", verbose_name=_("items"))
    # A joint batch (部门联合抽查): the plan's department initiates, these cooperate. Each department
    # checks the batch's items of its own sector, draws its own officers and records its own result.
    cooperators = models.ManyToManyField(
        "core.Department", related_name="+", blank=True, verbose_name=_("cooperating departments")
    )
    # Pool filter: region code prefixes, industry codes, subject kinds, statuses.
    pool_filter = models.JSONField(_("subject pool"), default=dict)
    # "random" (双随机) or "risk": the highest learned risk scores in each grade (重点检查).
    selection = models.CharField(_("selection"), max_length=8, default="random")
    quotas = models.JSONField(_("sampling per risk grade"), default=dict)
    exclude_months = models.PositiveSmallIntegerField(
        _("exclude subjects checked on the same item within (months)"), default=12
    )
    exclude_open_cases = models.BooleanField(_("exclude subjects with an open case"), default=True)
    officer_departments = models.JSONField(_("officer departments"), default=list)
    officer_sectors = models.JSONField(_("officer sectors"), default=list)
    team_size = models.PositiveSmallIntegerField(_("team size"), default=2)
    capacity = models.PositiveSmallIntegerField(_("tasks per officer"), default=20)
    recusal_months = models.PositiveSmallIntegerField(_("recusal after inspecting the subject (months)"), default=12)
    recuse_home_county = models.BooleanField(_("officers do not check their home county"), default=False)
    # The commitment: SHA-256 of the seed, published before the pool is frozen; the seed itself
    # is kept sealed until the draw reveals it.
    seed_hash = models.CharField(_("seed hash"), max_length=64, blank=True)
    seed_sealed = models.TextField(blank=True, editable=False)
    committed_at = models.DateTimeField(_("seed committed at"), null=True, blank=True)
    # The blinding key of the published pool (algorithm v2): subjects appear in the public draw record
    # only as pseudonyms SHA-256(SHA-256(blind ‖ token) ‖ token); the blind is committed with the seed
    # (its hash public) and never published, so no one can tell which subject sits in which grade.
    blind_hash = models.CharField(_("blinding key hash"), max_length=64, blank=True)
    blind_sealed = models.TextField(blank=True, editable=False)
    # The risk selection's list (重点对象): SHA-256 over the added subjects' pseudonyms, fixed with the
    # seed commitment (empty when nothing was added); the draw puts them in the stratum drawn in full.
    priority_hash = models.CharField(_("risk selection hash"), max_length=64, blank=True)
    cancel_reason = models.TextField(_("reason for cancelling the draw"), blank=True)
    result_options = models.JSONField(_("standard results"), default=list)
    publish_within = models.PositiveSmallIntegerField(_("publish within (working days)"), default=20)
    completed_at = models.DateTimeField(_("completed at"), null=True, blank=True)
    publish_due_on = models.DateField(_("publish by"), null=True, blank=True)
    published_at = models.DateTimeField(_("published at"), null=True, blank=True)

    class Meta:
        ordering = ["plan", "number"]
        verbose_name = _("spot-check batch")
        verbose_name_plural = _("spot-check batches")
        constraints = [
            models.UniqueConstraint(fields=["plan", "number"], name="batch_unique_number"),
            models.CheckConstraint(condition=models.Q(team_size__gte=2), name="batch_team_of_two"),
        ]

    def __str__(self) -> str:
        return f"{self.plan} · {self.number} {self.title}"


class BatchAddition(models.Model):
    """A subject put on a batch's risk selection before its seed was committed (from an alert's
    disposal, say): the draw selects it for certain, in the stratum drawn in full, and the seed
    commitment covers the list."""

    batch = models.ForeignKey(Batch, models.CASCADE, related_name="additions", verbose_name=_("batch"))
    subject = models.ForeignKey("subjects.Subject", models.PROTECT, related_name="+", verbose_name=_("subject"))
    origin = models.CharField(_("added from"), max_length=64)
    origin_url = models.CharField(_("address of the origin"), max_length=200, blank=True)
    reason = models.TextField(_("reason"), blank=True)
    added_at = models.DateTimeField(_("added at"))
    added_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, null=True, blank=True, related_name="+")

    class Meta:
        ordering = ["batch", "added_at", "id"]
        verbose_name = _("risk selection entry")
        verbose_name_plural = _("risk selection entries")
        constraints = [models.UniqueConstraint(fields=["batch", "subject"], name="batch_addition_once")]

    def __str__(self) -> str:
        return f"{self.batch_id} {self.subject_id} ({self.origin})"


class Draw(models.Model):
    """The one draw of a batch: its seed (revealed), the frozen pool and what was selected."""

    batch = models.OneToOneField(Batch, models.PROTECT, related_name="draw", verbose_name=_("batch"))
    algorithm = models.CharField(_("algorithm"), max_length=32)
    seed_hash = models.CharField(_("seed hash"), max_length=64)
    seed = models.CharField(_("seed"), max_length=64)
    public_entropy = models.CharField(_("public entropy"), max_length=200, blank=True)
    pool_hash = models.CharField(_("pool hash"), max_length=64)
    pool_size = models.PositiveIntegerField(_("pool size"))
    pool = models.BinaryField(_("pool snapshot (zlib)"))
    strata = models.JSONField(_("strata"), default=dict)  # grade → {"n": pool size, "k": selected}
    selection_hash = models.CharField(_("selection hash"), max_length=64)
    drawn_at = models.DateTimeField(_("drawn at"))
    cancelled_at = models.DateTimeField(_("cancelled at"), null=True, blank=True)

    class Meta:
        verbose_name = _("draw")
        verbose_name_plural = _("draws")

    def __str__(self) -> str:
        return f"{self.batch} {self.drawn_at:%Y-%m-%d %H:%M}"


class Task(models.Model):
    """A drawn subject to inspect, with its team (or the reasons no team could be formed)."""

    # Written in bulk by the draw, which resolved every id in the same transaction: no database
    # constraint to check row by row at commit. The draw's tasks are found through the unique
    # (draw, subject) index, so the foreign key needs none of its own.
    draw = models.ForeignKey(Draw, models.CASCADE, related_name="tasks", db_constraint=False, db_index=False)
    subject = models.ForeignKey("subjects.Subject", models.PROTECT, related_name="spotcheck_tasks", db_constraint=False)
    token = models.CharField(_("subject token"), max_length=32)
    stratum = models.CharField(_("risk grade"), max_length=8)
    rank = models.PositiveIntegerField(_("rank in its grade"))
    status = models.CharField(_("status"), max_length=16, choices=TaskStatus.choices)
    officers = models.ManyToManyField(
        "officers.Officer", through="TaskOfficer", related_name="spotcheck_tasks", blank=True
    )
    unassigned_reasons = models.JSONField(_("why no team"), default=dict, blank=True)
    completed_at = models.DateTimeField(_("completed at"), null=True, blank=True)

    class Meta:
        ordering = ["draw", "stratum", "rank"]
        verbose_name = _("spot-check task")
        verbose_name_plural = _("spot-check tasks")
        constraints = [models.UniqueConstraint(fields=["draw", "subject"], name="task_unique_subject")]

    def __str__(self) -> str:
        return f"{self.draw_id} {self.stratum}{self.rank} {self.token}"


class TaskOfficer(models.Model):
    """A member of a task's team (written in bulk with the task)."""

    # (task, officer) is unique and indexed: a task's team is read through that index.
    task = models.ForeignKey(Task, models.CASCADE, db_constraint=False, db_index=False, related_name="team")
    officer = models.ForeignKey("officers.Officer", models.PROTECT, db_constraint=False, related_name="+")

    class Meta:
        verbose_name = _("team member")
        verbose_name_plural = _("team members")
        constraints = [models.UniqueConstraint(fields=["task", "officer"], name="task_officer_unique")]

    def __str__(self) -> str:
        return f"{self.task_id}:{self.officer_id}"


class TaskResult(models.Model):
    """One department's result for a task: its overall result, its check points, its record."""

    task = models.ForeignKey(Task, models.CASCADE, related_name="results")
    department = models.ForeignKey("core.Department", models.PROTECT, related_name="+", verbose_name=_("department"))
    result = models.CharField(_("result"), max_length=64)
    check_answers = models.JSONField(_("check-item answers"), default=dict, blank=True)
    note = models.TextField(_("notes"), blank=True)
    follow_up = models.CharField(_("follow-up"), max_length=16, choices=FollowUp.choices, blank=True)
    record = models.ForeignKey("records.Record", models.PROTECT, related_name="+", verbose_name=_("inspection record"))
    completed_at = models.DateTimeField(_("completed at"))

    class Meta:
        ordering = ["task", "department"]
        verbose_name = _("task result")
        verbose_name_plural = _("task results")
        constraints = [models.UniqueConstraint(fields=["task", "department"], name="task_result_per_department")]

    def __str__(self) -> str:
        return f"{self.task_id} {self.department_id} {self.result}"


class Evidence(models.Model):
    """A photo or document uploaded with a result (检查证据)."""

    result = models.ForeignKey(TaskResult, models.CASCADE, related_name="evidence")
    file = models.FileField(_("file"), upload_to="evidence/%Y/%m")
    name = models.CharField(_("file name"), max_length=200)
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    size = models.PositiveIntegerField(_("size"))

    class Meta:
        verbose_name = _("evidence")
        verbose_name_plural = _("evidence")

    def __str__(self) -> str:
        return self.name
