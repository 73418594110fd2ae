"""Data scope: the one function that decides which rows an actor may read.

An actor is a staff user (through role grants) or an API client (its own department subtree, all
regions). Scope resolves fail-closed: no department or no region means nothing is visible.
"""

from __future__ import annotations

import contextlib
from dataclasses import dataclass
from typing import Any

from django.contrib.auth import get_user_model
from django.db.models import Q, QuerySet

from jianguan.accounts.choices import ScopeLevel
from jianguan.accounts.models import ApiClient


@dataclass(frozen=True)
class ScopeGrant:
    department_path: str | None  # None = all departments
    region_prefix: str | None  # None = all regions


@dataclass(frozen=True)
class Scope:
    """The union of an actor's grants; empty means nothing is visible."""

    grants: tuple[ScopeGrant, ...]
    roles: frozenset[str]

    @property
    def is_empty(self) -> bool:
        return not self.grants

    def has_role(self, *roles: str) -> bool:
        return bool(self.roles.intersection(roles))


EMPTY = Scope((), frozenset())

# The condition every row meets. Not `Q()`: an empty Q vanishes when combined (`Q() | Q(pk__in=ids)` is
# just `Q(pk__in=ids)`), so a caller OR-ing "visible by scope" with "visible by assignment" would lose
# everything the unrestricted scope admits.
EVERYTHING = Q(pk__isnull=False)


def staff_user(actor: Any) -> Any:
    """The staff user behind an action, or None (an API client, the public, a scheduled job)."""

    return actor if isinstance(actor, get_user_model()) else None


def scope_for(actor: Any) -> Scope:
    """The scope of a user or API client; cached on the actor for the request."""
    if actor is None:
        return EMPTY
    cached = getattr(actor, "_jianguan_scope", None)
    if cached is not None:
        return cached
    scope = _resolve(actor)
    with contextlib.suppress(AttributeError):
        actor._jianguan_scope = scope
    return scope


def _resolve(actor: Any) -> Scope:
    if isinstance(actor, ApiClient):
        if not actor.is_active or actor.department_id is None:
            return EMPTY
        return Scope((ScopeGrant(actor.department.path, None),), frozenset({"api_client"}))
    if not getattr(actor, "is_authenticated", False) or not actor.is_active:
        return EMPTY
    if actor.department_id is None or actor.region_id is None:
        return EMPTY
    grants, roles = [], set()
    for grant in actor.grants.all():
        roles.add(grant.role)
        grants.append(
            ScopeGrant(
                None if grant.department_scope == ScopeLevel.ALL else actor.department.path,
                None if grant.region_scope == ScopeLevel.ALL else actor.region.prefix,
            )
        )
    return Scope(tuple(dict.fromkeys(grants)), frozenset(roles))


def scope_q(
    scope: Scope,
    *,
    department: str | None = None,
    region: str | None = None,
    department_ancestors: str | None = None,
) -> Q | None:
    """The filter for a scope on a model, given the lookups that lead to its department and region.

    `department` is a lookup to a Department (its subtree must contain the row's department; "" for
    the Department model itself);
    `department_ancestors` additionally admits rows owned by the grant department's ancestors
    (for shared reference data such as the catalogue that superiors define for their subordinates);
    `region` is a lookup to a region code. A dimension the model lacks is passed as None and does not
    restrict. Returns None when nothing is visible.
    """
    if scope.is_empty:
        return None
    conditions = []
    for grant in scope.grants:
        condition = Q()
        if grant.department_path is not None and department is not None:
            path_lookup = f"{department}__path__startswith" if department else "path__startswith"
            condition &= Q(**{path_lookup: grant.department_path})
            if department_ancestors:
                ancestor_ids = [int(p) for p in grant.department_path.strip("/").split("/") if p]
                condition |= Q(**{f"{department_ancestors}__in": ancestor_ids})
        if grant.region_prefix is not None and region is not None:
            condition &= Q(**{f"{region}__startswith": grant.region_prefix})
        if not condition:
            return EVERYTHING  # a grant unrestricted on every dimension this model has
        conditions.append(condition)
    combined = conditions[0]
    for condition in conditions[1:]:
        combined |= condition
    return combined


def restrict(queryset: QuerySet, actor: Any, **lookups: str) -> QuerySet:
    """`queryset` narrowed to what `actor` may see (see `scope_q` for the lookups)."""
    condition = scope_q(scope_for(actor), **lookups)
    if condition is None:
        return queryset.none()
    return queryset.filter(condition)
