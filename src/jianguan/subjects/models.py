"""Supervised subjects (监管对象)."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from jianguan.subjects.choices import SubjectKind, SubjectStatus


class Subject(models.Model):
    """A supervised subject: enterprise, individual business, organisation or person.

    A person's ID number is never stored in clear: only a keyed hash (for look-up and matching)
    and a masked form (for display).
    """

    kind = models.CharField(_("kind"), max_length=24, choices=SubjectKind.choices, db_index=True)
    name = models.CharField(_("name"), max_length=200, db_index=True)
    uscc = models.CharField(_("unified social credit code"), max_length=18, unique=True, null=True, blank=True)
    registration_no = models.CharField(_("registration number"), max_length=15, unique=True, null=True, blank=True)
    id_number_hash = models.CharField(max_length=64, unique=True, null=True, blank=True, editable=False)
    id_number_masked = models.CharField(_("ID number"), max_length=18, blank=True, editable=False)
    legal_representative = models.CharField(_("legal representative"), max_length=64, blank=True)
    registered_address = models.CharField(_("registered address"), max_length=400, blank=True)
    operating_address = models.CharField(_("operating address"), max_length=400, blank=True)
    region = models.ForeignKey("core.Region", models.PROTECT, related_name="subjects", verbose_name=_("region"))
    industry_code = models.CharField(_("industry code"), max_length=8, blank=True, db_index=True)
    status = models.CharField(
        _("status"),
        max_length=16,
        choices=SubjectStatus.choices,
        default=SubjectStatus.OPERATING,
        db_index=True,
    )
    registration_date = models.DateField(_("registration date"), null=True, blank=True)
    # Created from a supervision record whose identity the register did not know: needs review.
    provisional = models.BooleanField(_("provisional (to review)"), default=False, db_index=True)
    # Registered centrally (USCC authority code 100000) with no address naming a city or county here:
    # placed at the province until an administrator confirms its region.
    region_to_review = models.BooleanField(_("region to confirm"), default=False, db_index=True)
    # Credit-risk grade (信用风险分类), set by credit grading; empty counts as the default grade.
    # Not public: it only steers sampling ratios.
    risk_grade = models.CharField(_("risk grade"), max_length=2, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["id"]
        verbose_name = _("subject")
        verbose_name_plural = _("subjects")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(uscc__isnull=False)
                | models.Q(registration_no__isnull=False)
                | models.Q(id_number_hash__isnull=False),
                name="subject_has_an_identity",
            )
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def identity(self) -> str:
        return self.uscc or self.registration_no or self.id_number_masked
