"""Helpers shared by joint supervision's services: who may act for a department, and order numbers."""

from __future__ import annotations

import datetime as dt
import secrets
from typing import Any

from django.utils import timezone

from jianguan.accounts.permissions import require_department_staff
from jianguan.core.models import Department


def _acts_for(actor: Any, department: Department) -> None:
    require_department_staff(actor, department)


def _number(prefix: str, now: dt.datetime) -> str:
    return f"{prefix}{timezone.localtime(now):%Y%m%d}{secrets.randbelow(10**6):06d}"
