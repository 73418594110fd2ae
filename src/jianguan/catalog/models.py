"""The supervision-item catalogue (监管事项目录清单): main items, sub-items and check points."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from jianguan.catalog.choices import CheckType, ItemLevel, ItemStatus


class SupervisionItemQuerySet(models.QuerySet):
    def in_force(self, on):
        return self.filter(status=ItemStatus.VALID, effective_from__lte=on).filter(
            models.Q(effective_to__isnull=True) | models.Q(effective_to__gte=on)
        )


class SupervisionItem(models.Model):
    """A supervision item: a main item (主项) or, with a parent, a sub-item (子项); one version of it."""

    code = models.CharField(_("item code"), max_length=14, db_index=True)
    version = models.PositiveIntegerField(_("version"), default=1)
    name = models.CharField(_("name"), max_length=255)
    parent = models.ForeignKey(
        "self", models.PROTECT, null=True, blank=True, related_name="children", verbose_name=_("main item")
    )
    department = models.ForeignKey(
        "core.Department",
        models.PROTECT,
        related_name="supervision_items",
        verbose_name=_("implementing department"),
    )
    sector = models.ForeignKey(
        "core.Sector", models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("sector")
    )
    object_type = models.CharField(_("object type"), max_length=128, blank=True)
    measures = models.TextField(_("supervision measures"), blank=True)
    method = models.CharField(_("supervision method"), max_length=64, blank=True)
    level = models.CharField(_("level"), max_length=16, choices=ItemLevel.choices, default=ItemLevel.PROVINCE)
    legal_basis = models.TextField(_("legal basis"), blank=True)
    status = models.CharField(_("status"), max_length=16, choices=ItemStatus.choices, default=ItemStatus.VALID)
    national_code = models.CharField(_("national item code"), max_length=32, blank=True)
    is_key = models.BooleanField(_("key supervision"), default=False)
    random_check = models.BooleanField(_("eligible for random checks"), default=False)
    effective_from = models.DateField(_("effective from"))
    effective_to = models.DateField(_("effective until"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = SupervisionItemQuerySet.as_manager()

    class Meta:
        ordering = ["code", "-version"]
        verbose_name = _("supervision item")
        verbose_name_plural = _("supervision items")
        constraints = [
            models.UniqueConstraint(fields=["code", "version"], name="supervision_item_code_version"),
            models.CheckConstraint(
                condition=models.Q(effective_to__isnull=True) | models.Q(effective_to__gte=models.F("effective_from")),
                name="supervision_item_effective_range",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"

    @property
    def is_main_item(self) -> bool:
        return self.parent_id is None


class CheckPoint(models.Model):
    """One question of an inspection form (检查项 / 检查内容) under an item."""

    item = models.ForeignKey(SupervisionItem, models.CASCADE, related_name="check_points")
    code = models.CharField(_("check point code"), max_length=32)
    content = models.TextField(_("check content"))
    guidance = models.TextField(_("how to check"), blank=True)
    penalty_basis = models.TextField(_("penalty basis"), blank=True)
    check_type = models.CharField(_("check type"), max_length=16, choices=CheckType.choices, default=CheckType.DAILY)
    order = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        ordering = ["item", "order", "code"]
        verbose_name = _("check point")
        verbose_name_plural = _("check points")
        constraints = [models.UniqueConstraint(fields=["item", "code"], name="check_point_unique_code")]

    def __str__(self) -> str:
        return f"{self.code} {self.content[:30]}"


class KeyMatter(models.Model):
    """跨部门综合监管重点事项: one version of a matter; the newest effective version applies."""

    code = models.CharField(_("code"), max_length=16)
    version = models.PositiveIntegerField(_("version"))
    name = models.CharField(_("name"), max_length=100)
    lead_sector = models.ForeignKey("core.Sector", models.PROTECT, related_name="+", verbose_name=_("lead sector"))
    cooperating_sectors = models.ManyToManyField("core.Sector", related_name="+", verbose_name=_("cooperating sectors"))
    items = models.ManyToManyField("catalog.SupervisionItem", related_name="+", verbose_name=_("supervision items"))
    measures = models.TextField(_("measures"))
    review_on = models.DateField(_("review date"))
    effective_from = models.DateField(_("effective from"))
    list_version = models.CharField(_("list version"), max_length=32)

    class Meta:
        # The table keeps the name it had when joint supervision owned the list.
        db_table = "joint_keymatter"
        ordering = ["code", "-version"]
        constraints = [models.UniqueConstraint(fields=["code", "version"], name="joint_key_matter_version")]
        verbose_name = _("key matter")
        verbose_name_plural = _("key matters")

    def __str__(self) -> str:
        return f"{self.code} {self.name} v{self.version}"
