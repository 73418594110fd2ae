"""Panels that applications add to a subject's one-file view (一户一档).

The records app sits below the applications and cannot import them; an application registers a
function here (in its AppConfig.ready) that returns, for a viewer and a subject, the rows its own
permissions admit. Each panel is shown under the timeline.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any


@dataclass
class Panel:
    key: str
    title: Any
    rows: list[tuple[str, str, str]]  # (when, text, link)
    total: int


_PANELS: list[Callable[[Any, Any], Panel | None]] = []


def register_panel(build: Callable[[Any, Any], Panel | None]) -> None:
    if build not in _PANELS:
        _PANELS.append(build)


def panels_for(actor: Any, subject: Any) -> list[Panel]:
    return [panel for build in _PANELS if (panel := build(actor, subject)) is not None]
