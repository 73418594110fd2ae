"""Domain errors that every interface (API, import, CLI, UI) reports the same way.

A message is a lazy translation, so one error renders in Chinese and in English.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.utils import translation
from django.utils.translation import gettext_lazy as _


def bilingual(message: Any) -> tuple[str, str]:
    """The (Chinese, English) renderings of a lazy message."""
    with translation.override("zh-hans"):
        zh = str(message)
    with translation.override("en"):
        en = str(message)
    return zh, en


def both_languages(message: Any) -> str:
    """A message in Chinese and English on one line, for a person whichever language his phone is in."""
    zh, en = bilingual(message)
    return zh if zh == en else f"{zh} / {en}"


class Bilingual:
    """A message already rendered in both languages (from pydantic, or from a rule table)."""

    def __init__(self, zh: str, en: str):
        self.zh, self.en = zh, en

    def __str__(self) -> str:
        return self.zh if (translation.get_language() or "zh").startswith("zh") else self.en


@dataclass
class FieldError:
    field: str
    message: Any
    code: str = "invalid"
    row: int | None = None

    def as_dict(self) -> dict[str, Any]:
        zh, en = bilingual(self.message)
        return {"row": self.row, "field": self.field, "code": self.code, "message": zh, "message_en": en}


@dataclass
class DomainError(Exception):
    """A refused operation; `code` is stable, `message` a lazy translation."""

    code: str
    message: Any
    errors: list[FieldError] = field(default_factory=list)
    status: int = 400

    def __str__(self) -> str:
        return bilingual(self.message)[1]

    def as_body(self) -> dict[str, Any]:
        zh, en = bilingual(self.message)
        return {
            "code": self.code,
            "message": zh,
            "message_en": en,
            "errors": [e.as_dict() for e in self.errors],
        }


def screen_text(exc: DomainError) -> str:
    """An error as one line for a page: the message, then each field's problem (Chinese first)."""
    body = exc.as_body()
    details = "; ".join(e["message"] for e in body.get("errors", []))
    return f"{body['message']} {details}".strip()


class NotFound(DomainError):
    def __init__(self, what: Any = None):
        super().__init__("not_found", what or _("Not found."), status=404)


class Forbidden(DomainError):
    def __init__(self, message: Any = None):
        super().__init__("forbidden", message or _("You may not do this."), status=403)


class LazyFormat:
    """A translatable message with %-parameters, rendered in whatever language is active when shown."""

    def __init__(self, template: Any, params: dict[str, Any]):
        self.template, self.params = template, params

    def __str__(self) -> str:
        return str(self.template) % {k: v if isinstance(v, int | float) else str(v) for k, v in self.params.items()}


def lazy_format(template: Any, params: dict[str, Any]) -> LazyFormat:
    return LazyFormat(template, params)
