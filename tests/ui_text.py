"""Find code names (states, actions, choice values, field names) in text rendered for a person.

Every label a person reads comes from a translated label; a code that leaks through (a state such as
`dispatched`, a field such as `operating_address`) is a defect. `leaked_codes(text)` lists the codes
found in the visible text of a Chinese page; tests assert it is empty.
"""

from __future__ import annotations

import csv
import io
import json
import re
from functools import cache
from pathlib import Path

from django.apps import apps

import jianguan

DEFINITIONS = Path(jianguan.__file__).parent / "workflow" / "definitions"
WORD = re.compile(r"[A-Za-z][A-Za-z0-9_]*")
# Words that are Chinese UI vocabulary too (formats, acronyms) and are never codes on their own.
ALLOWED = {"csv", "xlsx", "excel", "api", "pdf", "id", "url", "ok"}


@cache
def code_names() -> frozenset[str]:
    codes: set[str] = set()
    for model in apps.get_models():
        if not model.__module__.startswith("jianguan."):
            continue
        for field in model._meta.get_fields():
            name = getattr(field, "name", "")
            if "_" in name:
                codes.add(name)
            for value, _label in getattr(field, "flatchoices", None) or []:
                if isinstance(value, str) and WORD.fullmatch(value):
                    codes.add(value)
    for path in DEFINITIONS.glob("*.json"):
        spec = json.loads(path.read_text(encoding="utf-8"))
        codes.update(spec.get("states", {}))
        codes.update(action["code"] for action in spec.get("actions", []))
    return frozenset(code for code in codes if code.lower() not in ALLOWED and len(code) > 2)


def leaked_codes(text: str, *, allow: set[str] = frozenset()) -> set[str]:
    """The code names that appear as whole words in `text` (minus `allow`, e.g. the user's login)."""
    found = set(WORD.findall(text))
    return {word for word in found if word in code_names() and word not in allow}


def visible_text(html: str) -> str:
    """A page's text as a person reads it: no tags, no scripts or styles."""
    return re.sub(r"<[^>]+>", " ", re.sub(r"<(script|style)\b[^>]*>.*?</\1>", " ", html, flags=re.S))


def csv_rows(response) -> list[list[str]]:
    """The rows of a CSV export (UTF-8 with the BOM Excel wants)."""
    assert response.status_code == 200
    return list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
