"""Reads of platform registers, through the one scope function; write checks for master data."""

from __future__ import annotations

import functools
from typing import Any

from django.contrib.auth.decorators import login_required
from django.db.models import QuerySet
from django.http import Http404
from django.utils.translation import gettext_lazy as _

from jianguan.accounts.choices import MASTER_DATA_WRITERS, Role
from jianguan.accounts.scope import restrict, scope_for
from jianguan.core.errors import Forbidden, NotFound
from jianguan.core.models import Department


def visible_departments(actor: Any) -> QuerySet[Department]:
    return restrict(
        Department.objects.select_related("region", "sector", "parent"),
        actor,
        department="",
        region="region__code",
    )


def access_department(actor: Any, pk: Any) -> Department:
    department = visible_departments(actor).filter(pk=pk).first()
    if department is None:
        raise NotFound()
    return department


# The roles that do a department's supervision work (joint work, rectification orders).
WORKING_ROLES = (Role.OFFICER, Role.DEPARTMENT_ADMIN, Role.PLATFORM_ADMIN)


def require_department_staff(actor: Any, department: Department) -> None:
    """Staff of `department` (or of a superior whose scope covers it) with a working role; None is the
    system acting on a published fact."""
    if actor is None:
        return
    if (
        not scope_for(actor).has_role(*WORKING_ROLES)
        or not visible_departments(actor).filter(pk=department.pk).exists()
    ):
        raise Forbidden(_("Only the department's own staff may do this."))


def writes_master_data(actor: Any) -> bool:
    return scope_for(actor).has_role(*MASTER_DATA_WRITERS)


def can_write_department(actor: Any, department: Department | None) -> bool:
    """May `actor` change master data owned by `department` (None: top level, platform admins only)?"""
    scope = scope_for(actor)
    if department is None:
        return scope.has_role(Role.PLATFORM_ADMIN)
    if not scope.has_role(*MASTER_DATA_WRITERS):
        return False
    return visible_departments(actor).filter(pk=department.pk).exists()


def can_write_region(actor: Any, region_code: str) -> bool:
    """May `actor` register data located in this region?"""
    scope = scope_for(actor)
    if not scope.has_role(*MASTER_DATA_WRITERS):
        return False
    return any(g.region_prefix is None or region_code.startswith(g.region_prefix) for g in scope.grants)


def platform_admin_only(view):
    """A staff page for platform administrators: log in first; anyone else gets a 404, as for any
    object outside their scope."""

    @functools.wraps(view)
    @login_required
    def page(request, *args, **kwargs):
        if not scope_for(request.user).has_role(Role.PLATFORM_ADMIN):
            raise Http404
        return view(request, *args, **kwargs)

    return page
