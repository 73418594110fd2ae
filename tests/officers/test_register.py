"""The officers' register: who may register whom, one certificate per officer, reads within scope."""

import datetime as dt

import pytest
from django.test import Client

from jianguan.audit.models import AuditEvent
from jianguan.core.errors import DomainError, Forbidden
from jianguan.officers.models import Officer
from jianguan.officers.permissions import visible_officers
from jianguan.officers.schemas import OfficerIn
from jianguan.officers.services import register_officer


def _officer(department, certificate_no="鲁执0370102001", sectors=("scjg",)):
    return OfficerIn(
        name="王建国",
        certificate_no=certificate_no,
        department=str(department.pk),
        sectors=list(sectors),
        certificate_valid_until=dt.date(2028, 12, 31),
    )


def test_registration_is_audited_refuses_a_second_certificate_and_other_departments(province, make_user):
    admin = make_user("department_admin", department=province.lixia_market)
    officer = register_officer(_officer(province.lixia_market), admin)
    assert AuditEvent.objects.filter(action="officers.register", object_id=str(officer.pk)).exists()
    with pytest.raises(DomainError) as again:
        register_officer(_officer(province.lixia_market), admin)
    assert again.value.code == "duplicate_certificate" and again.value.status == 409
    with pytest.raises(Forbidden):
        register_officer(_officer(province.qd_market, "鲁执0370202001"), admin)
    with pytest.raises(DomainError) as sector:
        register_officer(_officer(province.lixia_market, "鲁执0370102002", ("不存在的领域",)), admin)
    assert sector.value.code == "unknown_sector"
    assert Officer.objects.count() == 1


def test_reads_follow_the_scope_on_the_api_and_the_register_screen(province, make_user, make_officer):
    mine = make_officer(province.lixia_market, name="历下执法员")
    theirs = make_officer(province.qd_market, name="青岛执法员")
    lixia = make_user("department_admin", department=province.lixia_market)
    assert list(visible_officers(lixia)) == [mine]
    client = Client()
    client.force_login(lixia)
    names = [o["name"] for o in client.get("/api/v1/officers").json()["items"]]
    assert names == ["历下执法员"]
    assert client.get(f"/api/v1/officers/{theirs.pk}").status_code == 404
    screen = client.get("/officers/").content.decode()
    assert "历下执法员" in screen and "青岛执法员" not in screen
