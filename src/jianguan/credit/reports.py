"""The public credit report (信用报告) as a PDF: what the public profile shows, with the time it was
generated, a verification code and a QR code linking to the portal's verification page.

The content hash covers the report's data (the profile as canonical JSON, the code and the time),
not its layout, so that the verification page can say what a genuine report said."""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
import io
import json
import secrets
from pathlib import Path
from typing import Any

import segno
from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from jianguan.core.errors import DomainError, lazy_format

DEFAULT_FONT = "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc"
# Inside Noto Sans CJK's collection the faces are JP, KR, SC, TC, HK: 2 is Simplified Chinese.
DEFAULT_FONT_INDEX = 2

# Crockford's base-32 alphabet without I, L, O, U: 16 characters carry 80 random bits.
CODE_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"


def new_code() -> str:
    raw = "".join(secrets.choice(CODE_ALPHABET) for _ in range(16))
    return "-".join(raw[i : i + 4] for i in range(0, 16, 4))


def font_file() -> tuple[Path, int]:
    """The CJK font the report is set in (setting CREDIT_REPORT_FONT, a .ttc, .otf or .ttf), or a
    clear error naming the missing file."""
    path = Path(getattr(settings, "CREDIT_REPORT_FONT", "") or DEFAULT_FONT)
    index = int(getattr(settings, "CREDIT_REPORT_FONT_INDEX", DEFAULT_FONT_INDEX))
    if not path.is_file():
        raise DomainError(
            "report_font_missing",
            lazy_format(
                gettext_lazy(
                    "The credit report cannot be made: its font %(path)s is missing. Install Debian's "
                    "fonts-noto-cjk or set CREDIT_REPORT_FONT to a Chinese .ttc, .otf or .ttf file."
                ),
                {"path": str(path)},
            ),
            status=503,
        )
    return path, index if path.suffix.lower() == ".ttc" else 0


def _jsonable(value: Any) -> Any:
    if isinstance(value, dt.date | dt.datetime):
        return value.isoformat()
    if isinstance(value, dict):
        return {k: _jsonable(v) for k, v in value.items() if k != "id"}
    if isinstance(value, list | tuple):
        return [_jsonable(v) for v in value]
    return value if value is None or isinstance(value, int | float | bool) else str(value)


def report_content(profile: dict[str, Any]) -> dict[str, Any]:
    """The report's data: the public profile, dates as ISO text."""
    return _jsonable(profile)


def content_hash(content: dict[str, Any], code: str, generated_at: dt.datetime) -> str:
    canonical = json.dumps(
        {"content": content, "code": code, "generated_at": generated_at.isoformat()},
        ensure_ascii=False,
        sort_keys=True,
        separators=(",", ":"),
    )
    return hashlib.sha256(canonical.encode()).hexdigest()


@functools.cache
def _report_class():
    """The PDF document with its footer; fpdf2 (and fontTools under it) loaded when a report is made,
    not by every process that imports credit."""
    from fpdf import FPDF

    class _Report(FPDF):
        footer_text = ""

        def footer(self) -> None:
            self.set_y(-12)
            self.set_font("cjk", size=8)
            self.set_text_color(110)
            self.cell(0, 5, f"{self.footer_text}  {self.page_no()}/{{nb}}", align="C")

    return _Report


def render_pdf(content: dict[str, Any], code: str, generated_at: dt.datetime, digest: str, verify_url: str) -> bytes:
    """The report as PDF bytes."""
    from fpdf.enums import WrapMode, XPos, YPos
    from fpdf.fonts import FontFace

    path, index = font_file()
    pdf = _report_class()(format="A4")
    pdf.footer_text = _("Verification code %(code)s") % {"code": code}
    pdf.add_font("cjk", fname=str(path), collection_font_number=index)
    pdf.set_title(_("Public credit report") + " " + content["name"])
    pdf.set_subject(content["name"])
    pdf.set_creator("Jianguan")
    pdf.set_margins(16, 16, 16)
    pdf.set_auto_page_break(True, margin=18)
    pdf.add_page()
    width = pdf.w - pdf.l_margin - pdf.r_margin
    when = timezone.localtime(generated_at).strftime("%Y-%m-%d %H:%M:%S")

    qr = io.BytesIO()
    segno.make(f"{verify_url}?code={code}", error="m").save(qr, kind="png", scale=6, border=2)
    qr.seek(0)
    pdf.image(qr, x=pdf.w - pdf.r_margin - 30, y=14, w=30, h=30)

    pdf.set_font("cjk", size=18)
    pdf.cell(width - 34, 10, _("Public credit report"), new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.set_font("cjk", size=13)
    pdf.multi_cell(width - 34, 7, content["name"], wrapmode=WrapMode.CHAR, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.set_font("cjk", size=9)
    for line in (
        _("Generated at %(when)s (China Standard Time)") % {"when": when},
        _("Verification code %(code)s") % {"code": code},
        _("Check it at %(url)s or scan the QR code.") % {"url": verify_url},
    ):
        pdf.multi_cell(width - 34, 5, line, wrapmode=WrapMode.CHAR, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.set_y(max(pdf.get_y(), 48))

    def heading(text: str) -> None:
        pdf.ln(3)
        pdf.set_font("cjk", size=12)
        pdf.set_fill_color(230, 236, 245)
        pdf.cell(width, 8, text, fill=True, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        pdf.set_font("cjk", size=9)
        pdf.ln(1)

    def table(headers: list[str], rows: list[list[Any]], widths: tuple[int, ...]) -> None:
        if not rows:
            pdf.cell(width, 6, _("None."), new_x=XPos.LMARGIN, new_y=YPos.NEXT)
            return
        with pdf.table(
            col_widths=widths,
            wrapmode=WrapMode.CHAR,
            line_height=5,
            text_align="LEFT",
            headings_style=FontFace(emphasis="", fill_color=(245, 247, 250)),
        ) as grid:
            grid.row([str(h) for h in headers])
            for row in rows:
                grid.row(["" if v is None else str(v) for v in row])

    heading(_("Registration"))
    table(
        [_("Item"), _("Value")],
        [
            [_("Name"), content["name"]],
            [_("Unified social credit code"), content.get("uscc") or content.get("registration_no") or ""],
            [_("Kind"), content.get("kind")],
            [_("Status"), content.get("status")],
            [_("Region"), content.get("region")],
            [_("Legal representative"), content.get("legal_representative")],
            [_("Registration date"), content.get("registration_date") or ""],
        ],
        (1, 3),
    )
    heading(_("Administrative licences (within their publication period)"))
    table(
        [_("Decided on"), _("Licence"), _("Number"), _("Valid until"), _("Authority")],
        [
            [x["decided_on"], x["licence_name"], x["licence_no"], x.get("valid_to") or "", x["authority"]]
            for x in content.get("licences", [])
        ],
        (2, 3, 3, 2, 4),
    )
    heading(_("Administrative penalties (within their publication period)"))
    table(
        [_("Decided on"), _("Decision number"), _("Facts"), _("Fine (yuan)"), _("Authority")],
        [
            [x["decided_on"], x["document_no"], x["facts"], x.get("fine_amount") or "", x["authority"]]
            for x in content.get("penalties", [])
        ],
        (2, 3, 4, 2, 3),
    )
    heading(_("Current list entries"))
    table(
        [_("List"), _("Reason"), _("Listed on"), _("Authority")],
        [[x["list"], x["reason"], x["listed_on"], x["authority"]] for x in content.get("lists", [])],
        (3, 3, 2, 3),
    )
    heading(_("Random spot-check results"))
    table(
        [_("Checked on"), _("Result"), _("Authority")],
        [[x["checked_on"], x["result"], x["authority"]] for x in content.get("spot_checks", [])],
        (2, 5, 3),
    )
    pdf.ln(4)
    pdf.set_font("cjk", size=8)
    pdf.set_text_color(90)
    pdf.multi_cell(
        width,
        4.5,
        _(
            "This report shows what the portal publishes about the subject at the time above: licences and "
            "penalties inside their publication periods (双公示), current list entries and published spot-check "
            "results. Records past their publication period are not shown. Content hash (SHA-256): %(hash)s"
        )
        % {"hash": digest},
        wrapmode=WrapMode.CHAR,
    )
    return bytes(pdf.output())
