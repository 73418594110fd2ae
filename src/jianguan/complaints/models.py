"""Complaints and 12345 work orders: the category tree, the dispatch catalogue, orders, their
assignments, extensions and supervision orders, and the surges the analysis finds."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from jianguan.complaints.choices import (
    AssignmentRole,
    Channel,
    ExtensionStatus,
    Kind,
    ReturnStatus,
    RoutingOutcome,
    Satisfaction,
    SurgeStatus,
    UrgingReason,
)


class Category(models.Model):
    """One node of the multi-level category tree (2 digits per level); its own SLA overrides the defaults."""

    code = models.CharField(_("code"), max_length=12, unique=True)
    name = models.CharField(_("name"), max_length=64)
    name_en = models.CharField(_("English name"), max_length=96, blank=True)
    parent = models.ForeignKey("self", models.PROTECT, null=True, blank=True, related_name="children")
    level = models.PositiveSmallIntegerField(_("level"))
    sla_working_days = models.PositiveSmallIntegerField(_("deadline (working days)"), null=True, blank=True)
    sla_hours = models.PositiveSmallIntegerField(_("deadline (hours)"), null=True, blank=True)
    is_urgent = models.BooleanField(_("urgent"), default=False)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["code"]
        verbose_name = _("complaint category")
        verbose_name_plural = _("complaint categories")

    def __str__(self) -> str:
        return f"{self.code} {self.name}"

    @property
    def top_code(self) -> str:
        return self.code[:2]


class DispatchRule(models.Model):
    """派单目录: a category (and its subcategories) goes to this sector's department at this level."""

    class Level(models.TextChoices):
        COUNTY = "county", _("County")
        CITY = "city", _("City")
        PROVINCE = "province", _("Province")

    category = models.OneToOneField(Category, models.CASCADE, related_name="dispatch_rule")
    sector = models.ForeignKey("core.Sector", models.PROTECT, related_name="+", verbose_name=_("lead sector"))
    level = models.CharField(_("level"), max_length=12, choices=Level.choices, default=Level.COUNTY)
    co_sectors = models.ManyToManyField(
        "core.Sector", blank=True, related_name="+", verbose_name=_("co-handling sectors")
    )
    version = models.CharField(_("catalogue version"), max_length=32)

    class Meta:
        ordering = ["category__code"]
        verbose_name = _("dispatch rule")
        verbose_name_plural = _("dispatch catalogue")

    def __str__(self) -> str:
        return f"{self.category} → {self.sector}"


class WorkOrder(models.Model):
    """A citizen's demand (诉求) as a 12345 work order, from intake to closing."""

    number = models.CharField(_("work-order number"), max_length=18, unique=True)
    query_code_hash = models.CharField(max_length=64, blank=True, editable=False)
    channel = models.CharField(_("channel"), max_length=16, choices=Channel.choices, db_index=True)
    source_system = models.CharField(_("source system"), max_length=64, blank=True)
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices, blank=True, db_index=True)
    category = models.ForeignKey(
        Category, models.PROTECT, null=True, blank=True, related_name="orders", verbose_name=_("category")
    )
    top_category = models.CharField(_("first-level class"), max_length=2, blank=True, db_index=True)
    # What the classifier proposed, and whether a person confirmed or corrected it.
    proposed_kind = models.CharField(_("proposed kind"), max_length=16, blank=True)
    proposed_kind_confidence = models.FloatField(_("kind confidence"), null=True, blank=True)
    proposed_category = models.ForeignKey(Category, models.SET_NULL, null=True, blank=True, related_name="+")
    proposed_category_confidence = models.FloatField(_("category confidence"), null=True, blank=True)
    classification_confirmed = models.BooleanField(_("classification confirmed"), default=False)
    classification_corrected = models.BooleanField(_("classification corrected"), default=False)
    title = models.CharField(_("title"), max_length=120)
    # Title and content are stored with personal data (ID, phone and card numbers, home addresses)
    # masked; as written, they are sealed in personal_sealed, for those who may see the complainant.
    content = models.TextField(_("content"))
    personal_sealed = models.TextField(blank=True, editable=False)
    address = models.CharField(_("address"), max_length=300, blank=True)
    latitude = models.FloatField(null=True, blank=True)
    longitude = models.FloatField(null=True, blank=True)
    region = models.ForeignKey("core.Region", models.PROTECT, related_name="+", verbose_name=_("region"), db_index=True)
    region_confidence = models.FloatField(_("region confidence"), default=0.0)
    # Personal data: sealed (Fernet) for the handlers, masked copies for everyone else, keyed hash to match.
    anonymous = models.BooleanField(_("anonymous"), default=False)
    complainant_name_sealed = models.TextField(blank=True, editable=False)
    complainant_name_masked = models.CharField(_("complainant"), max_length=32, blank=True)
    complainant_phone_sealed = models.TextField(blank=True, editable=False)
    complainant_phone_masked = models.CharField(_("phone"), max_length=24, blank=True)
    complainant_phone_hash = models.CharField(max_length=64, blank=True, db_index=True, editable=False)
    subject = models.ForeignKey(
        "subjects.Subject", models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("subject")
    )
    subject_match = models.CharField(_("subject found by"), max_length=8, blank=True)
    office = models.ForeignKey(
        "core.Department", models.PROTECT, related_name="+", verbose_name=_("receiving 12345 office")
    )
    lead_department = models.ForeignKey(
        "core.Department",
        models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("lead unit"),
    )
    routing = models.CharField(_("routing"), max_length=16, choices=RoutingOutcome.choices, blank=True)
    item = models.OneToOneField(
        "workflow.WorkflowItem", models.PROTECT, null=True, blank=True, related_name="work_order"
    )
    state = models.CharField(_("state"), max_length=16, db_index=True)
    merged_into = models.ForeignKey(
        "self", models.PROTECT, null=True, blank=True, related_name="merged_demands", verbose_name=_("merged into")
    )
    similarity = models.FloatField(_("similarity to the merged order"), null=True, blank=True)
    received_at = models.DateTimeField(_("received at"), db_index=True)
    dispatched_at = models.DateTimeField(_("dispatched at"), null=True, blank=True)
    due_at = models.DateTimeField(_("due at"), null=True, blank=True)
    replied_at = models.DateTimeField(_("replied at"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    overdue = models.BooleanField(_("overdue"), default=False, db_index=True)
    # The handler's form (Shandong practice).
    is_true = models.BooleanField(_("demand found true (诉求属实)"), null=True, blank=True)
    beyond_duty = models.BooleanField(_("beyond the unit's duties (超职责诉求)"), default=False)
    contacted_at = models.DateTimeField(_("citizen contacted at"), null=True, blank=True)
    is_resolved = models.BooleanField(_("resolved (是否解决)"), null=True, blank=True)
    unresolved_reason = models.TextField(_("reason not resolved (未解决原因)"), blank=True)
    handling_notes = models.TextField(_("handling (办理情况)"), blank=True)
    public_reply = models.TextField(_("public reply (公开答复内容)"), blank=True)
    satisfaction = models.CharField(
        _("satisfaction"), max_length=16, choices=Satisfaction.choices, blank=True, db_index=True
    )
    rating_comment = models.CharField(_("rating comment"), max_length=500, blank=True)
    rated_at = models.DateTimeField(_("rated at"), null=True, blank=True)
    rated_by_citizen = models.BooleanField(_("rated by the citizen"), default=False)
    redo_count = models.PositiveSmallIntegerField(_("times re-handled (重办)"), default=0)
    extended_days = models.PositiveSmallIntegerField(_("working days of extension"), default=0)
    attachments = models.JSONField(_("attachments"), default=list, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, null=True, blank=True, related_name="+")
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-received_at", "-id"]
        verbose_name = _("work order")
        verbose_name_plural = _("work orders")
        indexes = [
            models.Index(fields=["subject", "category", "received_at"], name="complaint_dup_subject_idx"),
            models.Index(fields=["region", "top_category", "received_at"], name="complaint_surge_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.number} {self.title}"


class Assignment(models.Model):
    """One dispatch of an order to a unit (lead or co-handler), with signing and any return."""

    order = models.ForeignKey(WorkOrder, models.CASCADE, related_name="assignments")
    department = models.ForeignKey("core.Department", models.PROTECT, related_name="+", verbose_name=_("unit"))
    role = models.CharField(_("role"), max_length=8, choices=AssignmentRole.choices)
    is_current = models.BooleanField(_("current"), default=True)
    dispatched_at = models.DateTimeField(_("dispatched at"))
    dispatched_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, null=True, blank=True, related_name="+")
    signed_at = models.DateTimeField(_("signed at"), null=True, blank=True)
    return_status = models.CharField(
        _("return"), max_length=12, choices=ReturnStatus.choices, blank=True, default=ReturnStatus.NONE
    )
    return_reason = models.TextField(_("return reason"), blank=True)
    returned_at = models.DateTimeField(_("returned at"), null=True, blank=True)
    return_review = models.TextField(_("return review"), blank=True)

    class Meta:
        ordering = ["order", "dispatched_at", "id"]
        verbose_name = _("assignment")
        verbose_name_plural = _("assignments")
        constraints = [
            models.UniqueConstraint(
                fields=["order"],
                condition=models.Q(is_current=True, role="lead"),
                name="complaints_one_current_lead",
            )
        ]

    def __str__(self) -> str:
        return f"{self.order_id} → {self.department_id} ({self.role})"


class Extension(models.Model):
    """A request for more working days, and its approval or refusal."""

    order = models.ForeignKey(WorkOrder, models.CASCADE, related_name="extensions")
    working_days = models.PositiveSmallIntegerField(_("working days"))
    reason = models.TextField(_("reason"))
    status = models.CharField(_("status"), max_length=12, choices=ExtensionStatus.choices)
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, null=True, related_name="+")
    requested_at = models.DateTimeField(_("requested at"))
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, null=True, blank=True, related_name="+")
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    decision_comment = models.TextField(_("decision comment"), blank=True)

    class Meta:
        ordering = ["order", "requested_at"]
        verbose_name = _("extension")
        verbose_name_plural = _("extensions")
        constraints = [
            models.UniqueConstraint(
                fields=["order"], condition=models.Q(status="pending"), name="complaints_one_pending_extension"
            )
        ]

    def __str__(self) -> str:
        return f"{self.order_id} +{self.working_days} ({self.status})"


class Urging(models.Model):
    """督办单: issued on overdue orders, dissatisfied return calls, or by the office."""

    order = models.ForeignKey(WorkOrder, models.CASCADE, related_name="urgings")
    reason = models.CharField(_("reason"), max_length=16, choices=UrgingReason.choices)
    department = models.ForeignKey("core.Department", models.PROTECT, related_name="+", verbose_name=_("unit"))
    note = models.TextField(_("note"), blank=True)
    issued_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, null=True, blank=True, related_name="+")
    issued_at = models.DateTimeField(_("issued at"))

    class Meta:
        ordering = ["order", "issued_at"]
        verbose_name = _("urging order (督办单)")
        verbose_name_plural = _("urging orders (督办单)")

    def __str__(self) -> str:
        return f"{self.order_id} {self.reason}"


class Surge(models.Model):
    """A first-level class rising above its own baseline in a county in one week (a signal for alerts)."""

    region = models.ForeignKey("core.Region", models.PROTECT, related_name="+", verbose_name=_("county"))
    top_category = models.CharField(_("first-level class"), max_length=2)
    week_start = models.DateField(_("week from"))
    count = models.PositiveIntegerField(_("demands"))
    baseline_mean = models.FloatField(_("baseline mean"))
    baseline_sd = models.FloatField(_("baseline standard deviation"))
    threshold = models.FloatField(_("threshold"))
    status = models.CharField(_("status"), max_length=16, choices=SurgeStatus.choices, default=SurgeStatus.NEW)
    detected_at = models.DateTimeField(_("detected at"))

    class Meta:
        ordering = ["-week_start", "-count"]
        verbose_name = _("surge")
        verbose_name_plural = _("surges")
        constraints = [
            models.UniqueConstraint(fields=["region", "top_category", "week_start"], name="complaints_one_surge")
        ]

    def __str__(self) -> str:
        return f"{self.region_id} {self.top_category} {self.week_start}: {self.count}"
