"""Rectification screens in words: the state, the source and the deadline (the last day, by the
close of the working day), on a phone too."""

import datetime as dt
import re

import pytest
from django.test import Client
from django.utils import translation

from tests.ui_text import leaked_codes

pytestmark = pytest.mark.django_db


def visible_text(html: str) -> str:
    html = re.sub(r"<(script|style)\b.*?</\1>", " ", html, flags=re.S)
    return re.sub(r"<[^>]+>", " ", html)


def test_an_order_from_a_campaign_reads_as_words(setup, province, make_user):
    from jianguan.rectification.choices import SourceKind
    from jianguan.rectification.services import open_rectification
    from jianguan.rectification.services import setup as rectification_setup

    rectification_setup()
    officer = make_user("officer", department=province.lixia_market)
    order, _code = open_rectification(
        SourceKind.CAMPAIGN,
        "campaign-task-12",
        setup.subject,
        province.lixia_market,
        "从业人员健康证明",
        actor=officer,
        working_days=5,
        now=dt.datetime(2026, 12, 1, 10, tzinfo=dt.timezone(dt.timedelta(hours=8))),
    )
    client = Client()
    client.force_login(officer)
    text = visible_text(client.get(f"/rectifications/{order.pk}/").content.decode())
    assert "campaign-task-12" not in text and "12" in text
    with translation.override("zh-hans"):
        due = translation.gettext("%(date)s (by close of day)") % {"date": "2026-12-08"}
    assert order.due_on == dt.date(2026, 12, 8) and due in text and "2026-12-09" not in text
    assert "整改中" in text
    assert not leaked_codes(text)
    listing = client.get("/rectifications/").content.decode()
    assert "table-responsive" in listing and not leaked_codes(visible_text(listing))
