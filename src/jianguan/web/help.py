"""The user guide: one page per role, written in Chinese, served beside the screens they describe.

The pages are Markdown files in `guide/` (also linked from docs/guide). Their pictures are the
browser tests' screenshots, so they show the screens as they are: a picture the tests have not yet
taken in this deployment is left out with a note.
"""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404
from django.shortcuts import render
from django.urls import reverse
from django.utils.safestring import mark_safe
from markdown_it import MarkdownIt

GUIDE = Path(__file__).resolve().parent / "guide"
SCREENSHOTS = Path(settings.SCREENSHOTS_DIR)
IMAGE = re.compile(r"!\[([^\]]*)\]\(shots/([\w.-]+\.png)\)")
# html=False: the guide's own text may not carry markup of its own; links and pictures come from Markdown.
_markdown = MarkdownIt("commonmark", {"html": False}).enable("table")


def pages() -> list[tuple[str, str]]:
    """(slug, title) of every page, the index first."""
    found = []
    for path in sorted(GUIDE.glob("*.md")):
        title = path.read_text(encoding="utf-8").splitlines()[0].lstrip("# ").strip()
        found.append((path.stem, title))
    return found


@cache
def _render(slug: str, mtime: float) -> str:
    text = (GUIDE / f"{slug}.md").read_text(encoding="utf-8")

    def picture(match: re.Match) -> str:
        alt, name = match.groups()
        if (SCREENSHOTS / name).exists():
            return f"![{alt}]({reverse('help:shot', args=[name])})"
        return f"*（截图“{alt}”由浏览器测试生成，本部署尚未生成。）*"

    return _markdown.render(IMAGE.sub(picture, text))


@login_required
def page(request, slug: str = "index"):
    path = GUIDE / f"{slug}.md"
    if not re.fullmatch(r"[a-z0-9-]+", slug) or not path.exists():
        raise Http404
    html = _render(slug, path.stat().st_mtime)
    return render(request, "web/help.html", {"html": mark_safe(html), "pages": pages(), "slug": slug})  # noqa: S308


@login_required
def shot(request, name: str):
    path = SCREENSHOTS / name
    if not re.fullmatch(r"[\w.-]+\.png", name) or not path.exists():
        raise Http404
    return FileResponse(path.open("rb"), content_type="image/png")
