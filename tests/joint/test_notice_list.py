"""The notices list on the list kit: filters and export follow the scope, and a recipient marks
several notices read at once, each receipt recorded as opening the notice records it."""

import csv
import io

import pytest

from tests.joint.test_joint import joint  # noqa: F401 (the fixture)
from tests.joint.test_screens import zh_client
from tests.ui_text import leaked_codes, visible_text

pytestmark = pytest.mark.django_db


@pytest.fixture
def notices(province, joint):  # noqa: F811
    from jianguan.joint.services import send_notice

    def notice(sender, to, title, actor, **kwargs):
        return send_notice(sender, to, title=title, body="请依职责处理", actor=actor, **kwargs)

    return [
        notice(province.lixia_market, [province.jn_env], "排污问题抄告", joint["lixia"], reply_within=5),
        notice(province.lixia_market, [province.jn_env, province.qd_market], "油烟问题抄告", joint["lixia"]),
        notice(province.jn_market, [province.lixia_market], "检查结果抄告", joint["jn_admin"]),
        notice(province.jn_env, [province.qd_market], "环境问题抄告", joint["env_admin"]),
    ]


def test_filters_and_export_give_the_scoped_rows(joint, notices, province):  # noqa: F811
    from jianguan.joint.permissions import visible_notices

    client = zh_client(joint["env_admin"])
    response = client.get("/joint/notices/", {"unread": "true", "export": "csv"})
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    expected = visible_notices(joint["env_admin"]).filter(recipients__department=province.jn_env)
    assert sorted(r[2] for r in rows[1:]) == sorted(expected.values_list("title", flat=True))
    assert "检查结果抄告" not in response.content.decode("utf-8-sig")
    sent = client.get("/joint/notices/", {"department": province.lixia_market.pk, "export": "csv"})
    assert sent.content.decode("utf-8-sig").count("问题抄告") == 2
    outsider = zh_client(joint["qd_admin"]).get("/joint/notices/", {"export": "csv"}).content.decode("utf-8-sig")
    assert "油烟问题抄告" in outsider and "排污问题抄告" not in outsider
    page = client.get("/joint/notices/", {"reply": "due"}).content.decode()
    assert "排污问题抄告" in page and "油烟问题抄告" not in page
    assert leaked_codes(visible_text(page), allow={joint["env_admin"].username}) == set()


def test_bulk_mark_read_records_receipts_and_refuses_notices_not_addressed(joint, notices, province):  # noqa: F811
    from jianguan.audit.models import AuditEvent
    from jianguan.joint.models import NoticeRecipient

    client = zh_client(joint["env_admin"])
    page = client.get("/joint/notices/").content.decode()
    assert page.count('name="notices"') == 2  # the two notices to 济南市生态环境局, not the third
    unseen = client.post("/joint/notices/read/", {"notices": [notices[0].pk, notices[2].pk]})
    assert unseen.status_code == 400 and "检查结果抄告" not in unseen.content.decode()  # not visible: not named
    refused = client.post("/joint/notices/read/", {"notices": [notices[0].pk, notices[1].pk, notices[3].pk]})
    assert refused.status_code == 400
    errors = refused.content.decode().split('id="read-errors"')[1].split("</form>")[0]
    assert "环境问题抄告" in errors and "排污问题抄告" not in errors
    assert not NoticeRecipient.objects.filter(read_at__isnull=False).exists()
    assert not AuditEvent.objects.filter(action="joint.notice_read").exists()

    done = client.post("/joint/notices/read/?unread=true", {"notices": [notices[0].pk, notices[1].pk]})
    assert done.status_code == 302 and done["Location"] == "/joint/notices/?unread=true"
    receipts = NoticeRecipient.objects.filter(department=province.jn_env)
    assert all(r.read_at is not None and r.read_by == joint["env_admin"] for r in receipts)
    assert not NoticeRecipient.objects.filter(department=province.qd_market, read_at__isnull=False).exists()
    assert AuditEvent.objects.filter(action="joint.notice_read").count() == 2
    assert 'name="notices"' not in client.get("/joint/notices/").content.decode()  # nothing left to mark
