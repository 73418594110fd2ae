"""Named policies as versioned data: read through `current_policy`, changed through `publish_policy`.

An app ships its policy as a JSON file (the default, version 0). An administrator publishes a new
version (the whole document, with a reason); the newest version applies from then on, every
version stays, and each publication is an audit event. Reads are cached for a few seconds per
process and dropped at once when this process publishes.
"""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any

from django.db import transaction
from django.utils.translation import gettext_lazy as _
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from jianguan.accounts.scope import staff_user
from jianguan.audit.services import record_event
from jianguan.core import text
from jianguan.core.errors import DomainError, lazy_format
from jianguan.core.models import PolicyDocument
from jianguan.platform.importing import field_errors

RECHECK_SECONDS = 5
NOTE_LIMIT = 300  # PolicyDocument.note
_cache: dict[str, tuple[float, dict[str, Any]]] = {}
_defaults: dict[str, Path] = {}
_schemas: dict[str, type[BaseModel]] = {}
_labels: dict[str, Any] = {}


class PolicyBase(BaseModel):
    """What every policy document carries: its edition and where its values come from."""

    model_config = ConfigDict(extra="forbid")

    version: str = Field(min_length=1, max_length=64)
    source: str = Field(min_length=1, max_length=4000)


def register_policy(name: str, default_file: Path, schema: type[BaseModel], label: Any = "") -> None:
    """Declare policy `name`: its shipped default and the schema every version must satisfy.

    The shipped file is checked here, at start-up, so a broken default never reaches a reader.
    """
    schema.model_validate(json.loads(default_file.read_text(encoding="utf-8")))
    _defaults[name], _schemas[name], _labels[name] = default_file, schema, label or name


def registered() -> list[tuple[str, Any]]:
    """(name, label) of every registered policy, by name."""
    return sorted(_labels.items())


def validate_policy(name: str, data: Any) -> dict[str, Any]:
    """`data` checked against the policy's schema; a bad version is refused with a field error per
    problem, in Chinese and English."""
    if name not in _schemas:
        raise DomainError("unknown_policy", _("There is no policy with this name."))
    if not isinstance(data, dict):
        raise DomainError("policy_not_an_object", _("A policy version is one JSON object."))
    found = text.find_forbidden(data)
    if found:
        raise text.refusal(text.forbidden_error(found))
    try:
        _schemas[name].model_validate(data)
    except ValidationError as exc:
        raise DomainError(
            "invalid_policy", _("The new version is not valid; see the fields."), field_errors(exc.errors())
        ) from None
    return data


def current_policy(name: str) -> dict[str, Any]:
    """The newest published version of `name`, else the app's shipped file."""
    now = time.monotonic()
    cached = _cache.get(name)
    if cached is not None and now - cached[0] < RECHECK_SECONDS:
        return cached[1]

    latest = PolicyDocument.objects.filter(name=name).order_by("-version").values_list("data", flat=True).first()
    data = latest if latest is not None else json.loads(_defaults[name].read_text(encoding="utf-8"))
    _cache[name] = (now, data)
    return data


def forget() -> None:
    """Drop the cached reads (after a publication elsewhere; between tests)."""
    _cache.clear()


def publish_policy(name: str, data: dict[str, Any], note: str, actor: Any = None):
    """Store `data` as the next version of `name` once its schema accepts it, with a reason; audited."""
    validate_policy(name, data)
    default = json.loads(_defaults[name].read_text(encoding="utf-8"))
    note = note.strip()
    if not note:
        raise DomainError("reason_required", _("Give the reason for the change."))
    if len(note) > NOTE_LIMIT or text.first_forbidden(note) is not None:
        raise DomainError(
            "reason_invalid",
            lazy_format(_("The reason is at most %(n)d characters, without control characters."), {"n": NOTE_LIMIT}),
        )
    with transaction.atomic():
        latest = PolicyDocument.objects.filter(name=name).select_for_update().order_by("-version").first()
        document = PolicyDocument.objects.create(
            name=name,
            version=(latest.version if latest else 0) + 1,
            data=data,
            note=note,
            created_by=staff_user(actor),
        )
        record_event(
            actor,
            "core.publish_policy",
            "policy",
            document.pk,
            before=latest.data if latest else default,
            after={"name": name, "version": document.version, "data": data},
        )
    forget()
    return document
