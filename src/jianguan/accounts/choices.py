"""Roles and scope levels."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    PLATFORM_ADMIN = "platform_admin", _("Platform administrator")
    DEPARTMENT_ADMIN = "department_admin", _("Department administrator")
    OFFICER = "officer", _("Enforcement officer")
    HOTLINE_OPERATOR = "hotline_operator", _("Hotline operator")
    ANALYST = "analyst", _("Analyst")
    LEADER = "leader", _("Leader")
    AUDITOR = "auditor", _("Auditor")


class ScopeLevel(models.TextChoices):
    OWN = "own", _("Own (with subordinates)")
    ALL = "all", _("All")


# The scope a grant gets when none is given. A grant stores its own scope; this is only the default.
DEFAULT_SCOPES: dict[str, tuple[str, str]] = {
    Role.PLATFORM_ADMIN: (ScopeLevel.ALL, ScopeLevel.ALL),
    Role.DEPARTMENT_ADMIN: (ScopeLevel.OWN, ScopeLevel.OWN),
    Role.OFFICER: (ScopeLevel.OWN, ScopeLevel.OWN),
    Role.HOTLINE_OPERATOR: (ScopeLevel.ALL, ScopeLevel.OWN),
    Role.ANALYST: (ScopeLevel.ALL, ScopeLevel.OWN),
    Role.LEADER: (ScopeLevel.ALL, ScopeLevel.OWN),
    Role.AUDITOR: (ScopeLevel.ALL, ScopeLevel.ALL),
}

# Roles that may change master data (registers, imports) within their scope.
MASTER_DATA_WRITERS = frozenset({Role.PLATFORM_ADMIN, Role.DEPARTMENT_ADMIN})
