"""The Django admin for platform administrators (by role, every change audited) and the auditor's screen."""

import csv
import io

import pytest
from django.db import connection
from django.test import Client

from jianguan.audit.models import AuditEvent
from jianguan.audit.services import record_event, seal_pending
from jianguan.core.models import CalendarOverride


def _client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_the_platform_administrator_enters_the_admin_and_others_do_not(admin_user, make_user, province):
    admin = _client(admin_user)
    assert admin.get("/admin/").status_code == 200
    for page in (
        "core/calendaroverride/add/",
        "core/calendaryear/add/",
        "accounts/user/",
        "accounts/apiclient/add/",
        "core/policydocument/add/",
        "subjects/subject/",
    ):
        assert admin.get(f"/admin/{page}").status_code == 200, page
    department_admin = _client(make_user("department_admin"))
    assert department_admin.get("/admin/").status_code == 302  # to the admin's login: no entry


def test_the_calendar_warning_links_to_a_page_that_exists(admin_user):
    html = _client(admin_user).get("/").content.decode()
    if 'id="calendar-warning"' in html:
        link = html.split('id="calendar-warning"', 1)[1].split('href="', 1)[1].split('"', 1)[0]
        assert _client(admin_user).get(link).status_code == 200


def test_a_change_in_the_admin_is_audited_with_before_and_after(admin_user, province, make_subject):
    subject = make_subject("济南审计测试有限公司")
    admin = _client(admin_user)
    form = admin.get(f"/admin/subjects/subject/{subject.pk}/change/").context["adminform"].form
    data = {name: (form[name].value() if form[name].value() is not None else "") for name in form.fields}
    data["name"] = "济南审计测试改名有限公司"
    data = {k: v for k, v in data.items() if v is not False}
    response = admin.post(f"/admin/subjects/subject/{subject.pk}/change/", data)
    assert response.status_code == 302, response.content.decode()[:2000]
    event = AuditEvent.objects.filter(action="admin.change", object_type="subject", object_id=str(subject.pk)).get()
    assert event.before["name"] == "济南审计测试有限公司" and event.after["name"] == "济南审计测试改名有限公司"
    assert event.actor == f"user:{admin_user.username}"


def test_a_calendar_override_entered_in_the_admin_goes_through_the_service(admin_user):
    admin = _client(admin_user)
    response = admin.post(
        "/admin/core/calendaroverride/add/", {"date": "2027-01-01", "kind": "holiday", "name": "元旦"}
    )
    assert response.status_code == 302
    assert CalendarOverride.objects.filter(date="2027-01-01").exists()
    assert AuditEvent.objects.filter(object_type="calendar_override").exists()


def test_an_api_client_created_in_the_admin_shows_its_token_once(admin_user, province):
    admin = _client(admin_user)
    response = admin.post(
        "/admin/accounts/apiclient/add/",
        {"name": "济南执法办案系统", "department": province.jn_market.pk, "is_active": "on"},
        follow=True,
    )
    text = response.content.decode()
    assert "jg_" in text or "令牌" in text
    assert AuditEvent.objects.filter(action="accounts.create_api_client").count() == 1


@pytest.fixture
def trail(db, make_user):
    for n in range(4):
        record_event("tester", "test.write", "thing", n, after={"n": n})
    record_event("mallory", "test.other", "thing", 9, after={"n": 9})
    seal_pending()
    return make_user("auditor")


def test_the_auditor_searches_verifies_and_exports_the_trail(trail, make_user):
    auditor = _client(trail)
    page = auditor.get("/audit/", {"actor": "mallory"}).content.decode()
    assert "test.other" in page and "test.write" not in page
    verified = auditor.post("/audit/verify/").content.decode()
    assert 'id="verify-ok"' in verified
    rows = list(
        csv.reader(
            io.StringIO(auditor.get("/audit/", {"action": "test.write", "export": "csv"}).content.decode("utf-8-sig"))
        )
    )
    assert len(rows) == 1 + 4
    officer = _client(make_user("officer"))
    assert officer.get("/audit/").status_code == 404 and officer.post("/audit/verify/").status_code == 404


def test_the_screen_shows_where_a_rewritten_trail_breaks(trail):
    target = AuditEvent.objects.filter(action="test.write").order_by("seq")[1]
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("ALTER TABLE audit_auditevent DISABLE TRIGGER USER")
        else:
            cursor.execute("DROP TRIGGER audit_event_no_update")
    AuditEvent.objects.filter(pk=target.pk).update(after={"n": 999})
    verified = _client(trail).post("/audit/verify/").content.decode()
    assert 'id="verify-broken"' in verified and str(target.seq) in verified
