"""Writes to accounts: users, role grants, API clients and their tokens."""

from __future__ import annotations

import secrets
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from jianguan.accounts.choices import DEFAULT_SCOPES, Role
from jianguan.accounts.models import ApiClient, RoleGrant, User
from jianguan.audit.services import record_event
from jianguan.core.errors import DomainError
from jianguan.core.models import Department, Region

TOKEN_PREFIX = "jg_"  # noqa: S105 - a public marker, not a secret


def create_user(
    username: str,
    password: str | None,
    *,
    display_name: str = "",
    department: Department | None = None,
    region: Region | None = None,
    roles: list[str] | None = None,
    is_staff: bool = False,
    actor: Any = None,
) -> User:
    """Register a member of staff with their department, region and roles (default scopes per role)."""
    with transaction.atomic():
        if User.objects.filter(username=username).exists():
            raise DomainError("username_taken", _("This user name is already taken."))
        user = User(
            username=username,
            display_name=display_name,
            department=department,
            region=region or (department.region if department else None),
            is_staff=is_staff,
        )
        if password:
            user.set_password(password)
        else:
            user.set_unusable_password()
        user.save()
        for role in roles or []:
            grant_role(user, role, actor=actor)
        record_event(
            actor,
            "accounts.create_user",
            "user",
            user.pk,
            after={
                "username": username,
                "department": department.pk if department else None,
                "region": user.region_id,
                "roles": roles or [],
            },
        )
    return user


def grant_role(
    user: User,
    role: str,
    *,
    department_scope: str | None = None,
    region_scope: str | None = None,
    actor: Any = None,
) -> RoleGrant:
    if role not in Role.values:
        raise DomainError("unknown_role", _("Unknown role."))
    default_dept, default_region = DEFAULT_SCOPES[role]
    with transaction.atomic():
        grant, _created = RoleGrant.objects.update_or_create(
            user=user,
            role=role,
            defaults={
                "department_scope": department_scope or default_dept,
                "region_scope": region_scope or default_region,
            },
        )
        if role == Role.PLATFORM_ADMIN and not user.is_staff:
            user.is_staff = True
            user.save(update_fields=["is_staff"])
        record_event(
            actor,
            "accounts.grant_role",
            "user",
            user.pk,
            after={
                "role": role,
                "department_scope": grant.department_scope,
                "region_scope": grant.region_scope,
            },
        )
    return grant


def create_api_client(name: str, department: Department, actor: Any = None) -> tuple[ApiClient, str]:
    """Register a department system; returns the client and its token, which is shown only this once."""
    token = TOKEN_PREFIX + secrets.token_urlsafe(32)
    with transaction.atomic():
        client = ApiClient.objects.create(
            name=name, department=department, token_prefix=token[:12], token_hash=ApiClient.hash_token(token)
        )
        record_event(
            actor,
            "accounts.create_api_client",
            "api_client",
            client.pk,
            after={"name": name, "department": department.pk},
        )
    return client, token


def authenticate_token(token: str) -> ApiClient | None:
    """The active client holding this token, if any (tokens are compared by hash only)."""
    if not token or not token.startswith(TOKEN_PREFIX):
        return None
    client = (
        ApiClient.objects.select_related("department")
        .filter(token_hash=ApiClient.hash_token(token), is_active=True)
        .first()
    )
    if client is not None:
        ApiClient.objects.filter(pk=client.pk).update(last_used_at=timezone.now())
    return client
