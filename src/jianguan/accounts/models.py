"""Users, their role grants with data scope, and API clients of department systems."""

import hashlib

from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils.translation import gettext_lazy as _

from jianguan.accounts.choices import Role, ScopeLevel


class User(AbstractUser):
    """A member of staff: belongs to one department and works in one region."""

    display_name = models.CharField(_("display name"), max_length=64, blank=True)
    department = models.ForeignKey(
        "core.Department",
        models.PROTECT,
        null=True,
        blank=True,
        related_name="users",
        verbose_name=_("department"),
    )
    region = models.ForeignKey(
        "core.Region", models.PROTECT, null=True, blank=True, related_name="users", verbose_name=_("region")
    )

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")

    def __str__(self) -> str:
        return self.display_name or self.username


class RoleGrant(models.Model):
    """A role held by a user, with the data scope it carries: department OWN/ALL × region OWN/ALL."""

    user = models.ForeignKey(User, models.CASCADE, related_name="grants")
    role = models.CharField(_("role"), max_length=32, choices=Role.choices)
    department_scope = models.CharField(_("department scope"), max_length=8, choices=ScopeLevel.choices)
    region_scope = models.CharField(_("region scope"), max_length=8, choices=ScopeLevel.choices)

    class Meta:
        verbose_name = _("role grant")
        verbose_name_plural = _("role grants")
        constraints = [models.UniqueConstraint(fields=["user", "role"], name="role_grant_unique")]

    def __str__(self) -> str:
        return f"{self.user} {self.get_role_display()}"


class ApiClient(models.Model):
    """A department business system that calls the API with a token (stored only as a hash)."""

    name = models.CharField(_("name"), max_length=64, unique=True)
    department = models.ForeignKey(
        "core.Department", models.PROTECT, related_name="api_clients", verbose_name=_("department")
    )
    token_prefix = models.CharField(max_length=12, db_index=True, editable=False)
    token_hash = models.CharField(max_length=64, unique=True, editable=False)
    is_active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    last_used_at = models.DateTimeField(_("last used at"), null=True, blank=True)

    class Meta:
        verbose_name = _("API client")
        verbose_name_plural = _("API clients")

    def __str__(self) -> str:
        return self.name

    @staticmethod
    def hash_token(token: str) -> str:
        # Tokens are 256-bit random values, so a plain SHA-256 is enough: no dictionary to guess from.
        return hashlib.sha256(token.encode()).hexdigest()
