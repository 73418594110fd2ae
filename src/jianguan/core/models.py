"""Platform registers: regions, sectors, departments, the working-day calendar and import batches."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from jianguan.core.choices import CalendarDayKind, ImportStatus, RegionLevel, RowOutcome


class Region(models.Model):
    """An administrative division (行政区划, GB/T 2260): province, city or county."""

    code = models.CharField(_("code"), max_length=6, primary_key=True)
    name = models.CharField(_("name"), max_length=64)
    level = models.PositiveSmallIntegerField(_("level"), choices=RegionLevel.choices)
    parent = models.ForeignKey(
        "self", models.PROTECT, null=True, blank=True, related_name="children", verbose_name=_("parent")
    )
    is_historical = models.BooleanField(_("historical code"), default=False)
    successor = models.ForeignKey(
        "self",
        models.PROTECT,
        null=True,
        blank=True,
        related_name="predecessors",
        verbose_name=_("successor"),
    )

    class Meta:
        ordering = ["code"]
        verbose_name = _("region")
        verbose_name_plural = _("regions")

    def __str__(self) -> str:
        return f"{self.name} ({self.code})"

    @property
    def prefix(self) -> str:
        """The code prefix shared by this region and every region below it."""
        return self.code[: {RegionLevel.PROVINCE: 2, RegionLevel.CITY: 4}.get(self.level, 6)]

    @property
    def full_name(self) -> str:
        names, node = [], self
        while node is not None:
            if node.name not in {"市辖区", "省直辖县级行政区划", "县"}:
                names.append(node.name)
            node = node.parent
        return "".join(reversed(names))


class Sector(models.Model):
    """An enforcement sector (行业领域 / 执法领域), e.g. 市场监管, 生态环境."""

    code = models.CharField(_("code"), max_length=32, unique=True)
    name = models.CharField(_("name"), max_length=64, unique=True)

    class Meta:
        ordering = ["code"]
        verbose_name = _("sector")
        verbose_name_plural = _("sectors")

    def __str__(self) -> str:
        return self.name


class Department(models.Model):
    """A government department or unit (部门), one node of the organisation tree."""

    name = models.CharField(_("name"), max_length=128)
    uscc = models.CharField(_("unified social credit code"), max_length=18, unique=True, null=True, blank=True)
    region = models.ForeignKey(Region, models.PROTECT, related_name="departments", verbose_name=_("region"))
    sector = models.ForeignKey(
        Sector, models.PROTECT, null=True, blank=True, related_name="departments", verbose_name=_("sector")
    )
    parent = models.ForeignKey(
        "self",
        models.PROTECT,
        null=True,
        blank=True,
        related_name="children",
        verbose_name=_("parent department"),
    )
    # Materialised path "/1/7/42/": a subtree is one indexed prefix match, at any depth.
    path = models.CharField(max_length=255, db_index=True, editable=False, default="")
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["path"]
        verbose_name = _("department")
        verbose_name_plural = _("departments")
        constraints = [models.UniqueConstraint(fields=["parent", "name"], name="department_unique_name_in_parent")]

    def __str__(self) -> str:
        return self.name

    def ancestor_ids(self) -> list[int]:
        return [int(part) for part in self.path.strip("/").split("/") if part]


class CalendarOverride(models.Model):
    """A date whose working status an administrator has set (holiday or adjusted workday)."""

    date = models.DateField(_("date"), unique=True)
    kind = models.CharField(_("kind"), max_length=16, choices=CalendarDayKind.choices)
    name = models.CharField(_("name"), max_length=64, blank=True)

    class Meta:
        ordering = ["date"]
        verbose_name = _("calendar override")
        verbose_name_plural = _("calendar overrides")

    def __str__(self) -> str:
        return f"{self.date} {self.get_kind_display()} {self.name}"


class CalendarYear(models.Model):
    """A year whose official holiday schedule has been entered in full as overrides."""

    year = models.PositiveSmallIntegerField(_("year"), unique=True)
    source = models.CharField(
        _("source document"),
        max_length=128,
        blank=True,
        help_text=_("e.g. the State Council notice that set the year's holidays"),
    )

    class Meta:
        ordering = ["year"]
        verbose_name = _("published calendar year")
        verbose_name_plural = _("published calendar years")

    def __str__(self) -> str:
        return str(self.year)


class ImportBatch(models.Model):
    """One submitted file: received = accepted + rejected + duplicates, always."""

    kind = models.CharField(_("kind"), max_length=32, db_index=True)
    filename = models.CharField(_("file name"), max_length=255)
    file_sha256 = models.CharField(_("file SHA-256"), max_length=64)
    status = models.CharField(_("status"), max_length=16, choices=ImportStatus.choices)
    received = models.PositiveIntegerField(_("received"), default=0)
    accepted = models.PositiveIntegerField(_("accepted"), default=0)
    rejected = models.PositiveIntegerField(_("rejected"), default=0)
    duplicates = models.PositiveIntegerField(_("duplicates"), default=0)
    error = models.TextField(_("error"), blank=True)
    # Exchange batches: the sending source system, and how many input rows are committed (for resuming).
    source = models.CharField(_("source system"), max_length=64, blank=True, db_index=True)
    processed = models.PositiveIntegerField(_("rows processed"), default=0)
    # The file's column headers in their order (row data is stored as JSON objects, whose key order
    # PostgreSQL does not keep), so that rejected rows download in the layout they were sent.
    headers = models.JSONField(_("column headers"), default=list, blank=True)
    resubmits = models.ForeignKey(
        "self",
        models.SET_NULL,
        null=True,
        blank=True,
        related_name="resubmissions",
        verbose_name=_("resubmits"),
    )
    department = models.ForeignKey(Department, models.PROTECT, null=True, blank=True, related_name="+")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, null=True, blank=True, related_name="+")
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    # Moved on by every committed chunk: a running batch that stops moving was interrupted.
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("import batch")
        verbose_name_plural = _("import batches")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(received=models.F("accepted") + models.F("rejected") + models.F("duplicates")),
                name="import_batch_counts_add_up",
            )
        ]

    def __str__(self) -> str:
        return f"{self.kind} #{self.pk} {self.filename}"


class ImportRow(models.Model):
    """A row of a batch that was not accepted as is: rejected with reasons, or a duplicate."""

    batch = models.ForeignKey(ImportBatch, models.CASCADE, related_name="rows")
    row_number = models.PositiveIntegerField(_("row"))
    outcome = models.CharField(_("outcome"), max_length=16, choices=RowOutcome.choices)
    # As sent, with personal data masked; the row as sent is sealed beside it when it held any.
    data = models.JSONField(_("data"))
    personal_sealed = models.TextField(blank=True, editable=False)
    errors = models.JSONField(_("errors"), default=list)
    resolved_by = models.ForeignKey(
        ImportBatch,
        models.SET_NULL,
        null=True,
        blank=True,
        related_name="resolved_rows",
        verbose_name=_("corrected in batch"),
    )

    class Meta:
        ordering = ["batch", "row_number"]
        verbose_name = _("import row")
        verbose_name_plural = _("import rows")

    def __str__(self) -> str:
        return f"{self.batch_id}:{self.row_number} {self.outcome}"


class ImportMapping(models.Model):
    """How one source's spreadsheets of one kind map to our fields: their column → our field, and
    the values a person decided for what their file lacks (a template may name their columns)."""

    kind = models.CharField(_("kind"), max_length=32)
    source = models.CharField(_("source"), max_length=200)
    columns = models.JSONField(_("columns"), default=dict)
    fixed = models.JSONField(_("values set"), default=dict, blank=True)
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.SET_NULL, null=True, blank=True, related_name="+")
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("import column mapping")
        verbose_name_plural = _("import column mappings")
        constraints = [models.UniqueConstraint(fields=["kind", "source"], name="import_mapping_kind_source")]

    def __str__(self) -> str:
        return f"{self.kind} · {self.source}"


class PolicyDocument(models.Model):
    """One version of a named policy (deadlines, windows, ratios, caps as data); the newest applies.

    The file shipped with an app is the default until an administrator publishes a version; every
    version is kept, and publishing one is audited (core.policies.publish_policy).
    """

    name = models.CharField(_("policy"), max_length=64)
    version = models.PositiveIntegerField(_("version"))
    data = models.JSONField(_("content"))
    note = models.CharField(_("reason for the change"), max_length=300, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, null=True, blank=True, related_name="+")
    created_at = models.DateTimeField(_("published at"), auto_now_add=True)

    class Meta:
        ordering = ["name", "-version"]
        verbose_name = _("policy version")
        verbose_name_plural = _("policy versions")
        constraints = [models.UniqueConstraint(fields=["name", "version"], name="core_policy_version")]

    def __str__(self) -> str:
        return f"{self.name} v{self.version}"


class ExportJob(models.Model):
    """A list exported in the background: exactly the rows its filters chose, with progress for the page."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, models.CASCADE, related_name="+")
    list_key = models.CharField(_("list"), max_length=64)
    params = models.JSONField(_("filters"), default=dict)
    format = models.CharField(_("format"), max_length=8)
    status = models.CharField(_("status"), max_length=16, choices=ImportStatus.choices)
    total = models.PositiveIntegerField(_("rows"), default=0)
    done = models.PositiveIntegerField(_("rows written"), default=0)
    filename = models.CharField(_("file name"), max_length=255, blank=True)
    error = models.TextField(_("error"), blank=True)
    created_at = models.DateTimeField(_("started at"), auto_now_add=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("export")
        verbose_name_plural = _("exports")

    def __str__(self) -> str:
        return f"{self.list_key} {self.format} #{self.pk}"

    @property
    def percent(self) -> int:
        return 100 if not self.total else min(100, self.done * 100 // self.total)


class RateCount(models.Model):
    """How many calls one client made to one public bucket in one clock minute (the public rate limits).

    One row per client, bucket and minute, counted by a single atomic upsert that every worker
    process sees; kept apart from the cache so that the counts of many citizens never push cached
    answers out of it. Rows of past minutes are pruned as the limiter goes.
    """

    key = models.CharField(_("client and bucket"), max_length=200, primary_key=True)
    minute = models.BigIntegerField(_("minute"), db_index=True)  # YYYYMMDDHHMM
    count = models.PositiveIntegerField(_("calls"), default=0)

    class Meta:
        verbose_name = _("public rate count")
        verbose_name_plural = _("public rate counts")

    def __str__(self) -> str:
        return f"{self.key} {self.count}"
