"""Reading a re-rendered form: which controls carry `is-invalid` and which fields have their error beside them."""

from __future__ import annotations

import re

_CONTROL = re.compile(r"<(?:input|select|textarea)\b[^>]*>", re.S)


def invalid_controls(html: str, form_id: str | None = None) -> set[str]:
    """Names of the controls marked `is-invalid` (inside the form with `form_id`, when given)."""
    if form_id is not None:
        found = re.search(rf'<form[^>]*id="{form_id}"[^>]*>.*?</form>', html, re.S)
        html = found.group(0) if found else ""
    names = set()
    for tag in _CONTROL.findall(html):
        classes = re.search(r'class="([^"]*)"', tag)
        name = re.search(r'name="([^"]*)"', tag)
        if classes and name and "is-invalid" in classes.group(1).split():
            names.add(name.group(1))
    return names


def field_errors(html: str) -> set[str]:
    """Names of the fields with an error element beside them (`id="error-<name>"`)."""
    return set(re.findall(r'id="error-([\w-]+)"', html))
