"""Rectification orders: from a failed check item to the subject's report (portal or staff), the
review, the closing fact and escalation when the deadline passes."""

import datetime as dt
import re
from zoneinfo import ZoneInfo

import pytest
from django.test import Client

from jianguan.core.errors import DomainError
from jianguan.exchange.services import ingest
from tests.html_forms import attribute, classes, text

TZ = ZoneInfo("Asia/Shanghai")


def at(*args):
    return dt.datetime(*args, tzinfo=TZ)


def send(setup, records):
    return ingest(enumerate(records, 1), source=setup.source, channel="api")


@pytest.fixture
def officer(province, make_user):
    return make_user("officer", department=province.lixia_market)


def test_rectification_from_a_failed_item_reported_on_the_portal_and_reviewed(setup, inspection, officer):
    from jianguan.records.models import Record
    from jianguan.rectification.services import (
        rectification_from_record,
        report_by_subject,
        report_rectification,
        review_rectification,
    )
    from jianguan.workflow.services import escalate_overdue

    send(setup, [inspection("INS-R", action_date="2026-11-02", reported_at="2026-11-02T18:00:00+08:00")])
    record = Record.objects.get(source_id="INS-R")
    order, code = rectification_from_record(record, officer, working_days=5)
    assert order.requirement == "0102" and order.state == "issued"
    with pytest.raises(DomainError):
        rectification_from_record(record, officer)  # one order per finding
    with pytest.raises(DomainError):
        report_by_subject(order.number, "000000" if code != "000000" else "111111", "已整改")
    report_by_subject(order.number, code, "已更换货架并建立进货台账", now=at(2026, 11, 5, 9))
    order.refresh_from_db()
    assert (order.state, order.reported_via) == ("reported", "portal")
    review_rectification(order, officer, "reinspect", "需现场复查")
    review_rectification(order, officer, "reject", "复查发现仍未整改")
    assert order.state == "issued"
    report_rectification(order, officer, "当事人提交整改报告和照片")
    from jianguan.facts.models import Fact

    assert not Fact.objects.filter(name="rectification.closed").exists()
    review_rectification(order, officer, "accept", "整改到位")
    assert order.state == "closed"
    closed = Fact.objects.get(name="rectification.closed")
    assert closed.payload["number"] == order.number and closed.payload["source"] == f"record:record-{record.pk}"
    # An order left unreported past its deadline escalates.
    send(setup, [inspection("INS-S", action_date="2026-11-02", reported_at="2026-11-02T18:00:00+08:00")])
    late, _ = rectification_from_record(Record.objects.get(source_id="INS-S"), officer, working_days=1)
    assert any(
        e["item"] == late.item_id
        for e in escalate_overdue(late.item.due_at + dt.timedelta(hours=1), dry_run=True).escalated
    )


def test_public_rectification_report(setup, inspection, officer):
    from jianguan.records.models import Record
    from jianguan.rectification.services import rectification_from_record

    ingest(
        enumerate([inspection("INS-P", action_date="2026-11-02", reported_at="2026-11-02T18:00:00+08:00")], 1),
        source=setup.source,
        channel="api",
    )
    order, code = rectification_from_record(Record.objects.get(source_id="INS-P"), officer)
    public = Client()
    wrong = public.post(
        "/public/rectifications/",
        {"number": order.number, "code": "999999" if code != "999999" else "111111", "text": "已整改"},
    )
    assert wrong.status_code == 400
    done = public.post("/public/rectifications/", {"number": order.number, "code": code, "text": "已更换货架"})
    assert done.status_code == 200 and order.number in done.content.decode()
    order.refresh_from_db()
    assert (order.state, order.reported_via) == ("reported", "portal")
    api = public.post(
        f"/api/v1/public/rectifications/{order.number}/report",
        {"code": code, "text": "再次报告"},
        content_type="application/json",
    )
    assert api.status_code == 409  # already reported: waits for the review


def shows(html: str, code: str) -> bool:
    """Whether the six digits stand anywhere in the page on their own (not inside a longer number)."""
    return re.search(rf"(?<!\d){code}(?!\d)", html) is not None


@pytest.mark.parametrize(
    ("posted", "field"),
    [
        ({"number": "ZG2026", "text": "已整改"}, "number"),
        ({"code": "12345a", "text": "已整改"}, "code"),
        ({"text": "改"}, "text"),
        ({"text": "已更换\x00货架"}, "text"),
    ],
)
def test_a_bad_public_report_is_an_error_beside_its_field_and_the_code_is_never_shown(
    setup, inspection, officer, posted, field
):
    from jianguan.records.models import Record
    from jianguan.rectification.services import rectification_from_record

    send(setup, [inspection("INS-F", action_date="2026-11-02", reported_at="2026-11-02T18:00:00+08:00")])
    order, code = rectification_from_record(Record.objects.get(source_id="INS-F"), officer)
    data = {"number": order.number, "code": code, **posted}
    response = Client().post("/public/rectifications/", data)
    html = response.content.decode()
    assert response.status_code == 400 and "is-invalid" in classes(html, f"id_{field}")
    assert text(html, f"id_{field}-error") and not shows(html, code)
    order.refresh_from_db()
    assert order.state == "issued" and not order.report and order.reported_at is None


def test_a_wrong_code_says_so_above_the_form_without_echoing_it(setup, inspection, officer):
    from jianguan.records.models import Record
    from jianguan.rectification.services import rectification_from_record

    send(setup, [inspection("INS-W", action_date="2026-11-02", reported_at="2026-11-02T18:00:00+08:00")])
    order, code = rectification_from_record(Record.objects.get(source_id="INS-W"), officer)
    wrong = "999999" if code != "999999" else "111111"
    response = Client().post(
        "/public/rectifications/", {"number": order.number.lower(), "code": wrong, "text": "已整改"}
    )
    html = response.content.decode()
    assert response.status_code == 400 and text(html, "rectification-error")
    assert not shows(html, wrong) and not attribute(html, "id_code", "value")
    assert attribute(html, "id_number", "value") == order.number.lower()  # kept for correction
    done = Client().post("/public/rectifications/", {"number": order.number.lower(), "code": code, "text": "已整改"})
    assert done.status_code == 200 and order.number in text(done.content.decode(), "rectification-done")
    assert not shows(done.content.decode(), code) and not attribute(done.content.decode(), "id_number", "value")


def test_screens_name_states_and_actions_and_keep_to_the_scope(setup, inspection, officer, province, make_user):
    from jianguan.records.models import Record
    from jianguan.rectification.services import rectification_from_record, report_rectification

    send(setup, [inspection("INS-U", action_date="2026-11-02", reported_at="2026-11-02T18:00:00+08:00")])
    order, _code = rectification_from_record(Record.objects.get(source_id="INS-U"), officer)
    report_rectification(order, officer, "已整改完毕")
    staff = Client()
    staff.force_login(officer)
    listing = staff.get("/rectifications/").content.decode()
    assert order.number in listing and "已报告待审核" in listing and ">reported<" not in listing
    page = staff.get(f"/rectifications/{order.pk}/").content.decode()
    assert "报告整改" in page and "整改中 → 已报告待审核" in page
    assert f'href="/records/{order.source_record_id}/"' in page and "record-" not in page
    assert staff.post(f"/rectifications/{order.pk}/accept/", {"comment": "整改到位"}).status_code == 302
    order.refresh_from_db()
    assert order.state == "closed"
    outsider = Client()
    outsider.force_login(make_user("officer", department=province.qd_market))
    assert order.number not in outsider.get("/rectifications/").content.decode()
    assert outsider.get(f"/rectifications/{order.pk}/").status_code == 404
    assert outsider.post(f"/rectifications/{order.pk}/reject/", {"comment": "x"}).status_code == 404


JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + b"\x00" * 64


def test_reinspection_answers_each_point_with_photos(province, officer, make_subject, settings, tmp_path):
    """现场复查: every point of the requirement answered, photos checked for what they claim to be;
    a point still open sends the order back naming it, all put right closes it."""
    from jianguan.audit.models import AuditEvent
    from jianguan.rectification.services import (
        open_rectification,
        record_reinspection,
        report_rectification,
        requirement_points,
        review_rectification,
    )

    settings.MEDIA_ROOT = tmp_path
    subject = make_subject("复查对象食品有限公司", county="370102", industry_code="F5212")
    order, _code = open_rectification(
        "record", "record-9001", subject, province.lixia_market, "货架未清洁；进货台账缺失", actor=officer
    )
    points = requirement_points(order)
    assert points == ["货架未清洁", "进货台账缺失"]
    with pytest.raises(DomainError) as exc:
        record_reinspection(order, officer, dict.fromkeys(points, True), [("a.jpg", JPEG)])
    assert exc.value.code == "not_reinspecting"
    report_rectification(order, officer, "已清洁货架，补建台账")
    review_rectification(order, officer, "reinspect", "需现场复查")
    for answers, photos, code in [
        ({points[0]: True}, [("a.jpg", JPEG)], "reinspection_points"),
        ({**dict.fromkeys(points, True), "别的": True}, [("a.jpg", JPEG)], "reinspection_points"),
        (dict.fromkeys(points, True), [], "photo_required"),
        (dict.fromkeys(points, True), [("a.jpg", b"<html>not a photo</html>")], "evidence_content"),
        (dict.fromkeys(points, True), [("a.pdf", b"%PDF-1.4")], "evidence_type"),
    ]:
        with pytest.raises(DomainError) as exc:
            record_reinspection(order, officer, answers, photos)
        assert exc.value.code == code
    order.refresh_from_db()
    assert order.state == "reinspection" and not order.evidence.exists()

    order = record_reinspection(order, officer, {points[0]: True, points[1]: False}, [("货架.jpg", JPEG)], "台账仍缺")
    assert order.state == "issued" and "进货台账缺失" in order.review and "台账仍缺" in order.review
    assert order.reinspection == [
        {"point": "货架未清洁", "rectified": True},
        {"point": "进货台账缺失", "rectified": False},
    ]
    photo = order.evidence.get()
    assert photo.name == "货架.jpg" and photo.size == len(JPEG) and photo.file.read() == JPEG
    event = AuditEvent.objects.filter(action="rectification.reinspect", object_id=str(order.pk)).get()
    assert event.after["photos"] == [photo.sha256] and event.after["outcome"] == "issued"

    report_rectification(order, officer, "台账已补齐")
    review_rectification(order, officer, "reinspect", "再次复查")
    order = record_reinspection(order, officer, dict.fromkeys(points, True), [("b.png", b"\x89PNG\r\n\x1a\n" + JPEG)])
    assert order.state == "closed" and order.evidence.count() == 2
