"""The staff menu: groups of screens, each shown only to the roles that can use it.

A role sees a group when it may use at least one of its entries; an entry names the roles that may
open it (the screen itself still checks scope on every read). Platform administrators see everything.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from jianguan.accounts.choices import Role
from jianguan.accounts.scope import scope_for

ADMIN = Role.PLATFORM_ADMIN
DEPT = Role.DEPARTMENT_ADMIN
OFFICER = Role.OFFICER
HOTLINE = Role.HOTLINE_OPERATOR
ANALYST = Role.ANALYST
LEADER = Role.LEADER
AUDITOR = Role.AUDITOR
STAFF = (DEPT, OFFICER, HOTLINE, ANALYST, LEADER, AUDITOR)


@dataclass(frozen=True)
class Entry:
    label: Any
    url_name: str
    roles: tuple[str, ...]
    args: tuple = ()


@dataclass(frozen=True)
class Group:
    label: Any
    entries: tuple[Entry, ...]


MENU: tuple[Group, ...] = (
    Group(
        _("Supervision data"),
        (
            Entry(_("Supervision items"), "web:screen_list", STAFF, ("catalog",)),
            Entry(_("Subjects"), "web:screen_list", STAFF, ("subjects",)),
            Entry(_("Officers"), "web:screen_list", (DEPT, OFFICER, ANALYST, LEADER, AUDITOR), ("officers",)),
            Entry(_("Departments"), "web:screen_list", STAFF, ("departments",)),
            Entry(_("Supervision actions"), "records:list", (DEPT, OFFICER, ANALYST, LEADER, AUDITOR)),
            Entry(_("Import batches"), "platform:import_batches", (DEPT, ANALYST, AUDITOR)),
            Entry(_("Exchange gateway"), "exchange:overview", (DEPT, ANALYST)),
            Entry(_("Data quality"), "exchange:quality", (DEPT, ANALYST, LEADER)),
        ),
    ),
    Group(
        _("Random spot checks"),
        (Entry(_("Plans, batches and tasks"), "spotcheck:plans", (DEPT, OFFICER, ANALYST, LEADER, AUDITOR)),),
    ),
    Group(
        _("Credit"),
        (Entry(_("Credit lists"), "credit:lists", (DEPT, OFFICER, ANALYST, LEADER, AUDITOR)),),
    ),
    Group(
        _("12345"),
        (
            Entry(_("12345 work orders"), "complaints:queue", (DEPT, OFFICER, HOTLINE, LEADER, AUDITOR)),
            Entry(_("Register a work order"), "complaints:new", (HOTLINE,)),
            Entry(_("Complaint analysis"), "complaints:dashboard", (DEPT, HOTLINE, ANALYST, LEADER)),
        ),
    ),
    Group(
        _("Joint supervision"),
        (
            Entry(_("Joint supervision"), "joint:overview", (DEPT, OFFICER, ANALYST, LEADER)),
            Entry(_("Campaigns"), "joint:campaigns", (DEPT, OFFICER, ANALYST, LEADER)),
            Entry(_("Rectification"), "rectification:orders", (DEPT, OFFICER, ANALYST, LEADER)),
        ),
    ),
    Group(
        _("Non-site monitoring"),
        (
            Entry(_("Monitoring devices"), "monitoring:devices", (DEPT, OFFICER, ANALYST, LEADER)),
            Entry(_("Monitoring clues"), "monitoring:clues", (DEPT, OFFICER, ANALYST, LEADER)),
            Entry(_("Refused data"), "monitoring:refused", (DEPT,)),
        ),
    ),
    Group(
        _("Risk warnings"),
        (
            Entry(_("Risk alerts"), "alerts:list", (DEPT, OFFICER, ANALYST, LEADER, AUDITOR)),
            Entry(_("Alerts dashboard"), "alerts:dashboard", (DEPT, ANALYST, LEADER)),
            Entry(_("Fused risk of subjects"), "alerts:risks", (DEPT, ANALYST, LEADER)),
        ),
    ),
    Group(
        _("Platform"),
        (
            Entry(_("Audit trail"), "audit:trail", (AUDITOR,)),
            Entry(_("Domain facts"), "facts:channel", ()),
            Entry(_("Policies"), "platform:policies", ()),
            Entry(_("Administration"), "admin:index", ()),
        ),
    ),
)


@dataclass(frozen=True)
class Link:
    label: Any
    url: str
    active: bool


def menu_for(actor: Any, path: str = "") -> list[tuple[Any, list[Link]]]:
    """The groups and links `actor` may use; the link whose address starts `path` is marked active."""
    scope = scope_for(actor)
    if scope.is_empty:
        return []
    admin = scope.has_role(ADMIN)
    groups = []
    for group in MENU:
        links = []
        for entry in group.entries:
            if admin or scope.has_role(*entry.roles):
                url = reverse(entry.url_name, args=entry.args)
                links.append(Link(entry.label, url, path.startswith(url)))
        if links:
            groups.append((group.label, links))
    return groups


# The user guide's page for each role, in the order a person holding several roles reads them.
GUIDES = (
    (ADMIN, "platform-admin"),
    (DEPT, "department-admin"),
    (HOTLINE, "hotline"),
    (OFFICER, "officer"),
    (LEADER, "leader"),
    (ANALYST, "analyst"),
    (AUDITOR, "auditor"),
)


def guide_for(actor: Any) -> str:
    """The guide page of the actor's first role (the guide's index for someone with none)."""
    scope = scope_for(actor)
    for role, slug in GUIDES:
        if scope.has_role(role):
            return reverse("help:page", args=[slug])
    return reverse("help:index")
