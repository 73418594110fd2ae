"""Edit forms of the officer, department and catalogue registers: written through their services,
audited, shown field by field on the history tab, refused beside the field, offered only to writers."""

import datetime as dt

import pytest
from django.test import Client

from jianguan.audit.models import AuditEvent
from jianguan.catalog.models import SupervisionItem
from jianguan.core.models import Department
from jianguan.officers.models import Officer


@pytest.fixture
def jn_admin(make_user, province):
    client = Client()
    client.force_login(make_user("department_admin", department=province.jn_market))
    return client


def _history(client, key, pk) -> str:
    return client.get(f"/{key}/{pk}/").content.decode().split('id="tab-history"', 1)[1]


def test_an_officer_is_edited_through_its_service_and_the_change_is_on_its_history_tab(jn_admin, make_officer):
    officer = make_officer(name="王执法")
    url = f"/officers/{officer.pk}/edit/"
    assert 'id="edit-form"' in jn_admin.get(url).content.decode()
    bad = jn_admin.post(url, {"name": "王", "department": officer.department_id, "status": "bogus"})
    page = bad.content.decode()
    assert bad.status_code == 200 and 'id="error-name"' in page and 'id="error-status"' in page
    assert "is-invalid" in page and Officer.objects.get(pk=officer.pk).name == "王执法"
    unknown = jn_admin.post(
        url, {"name": "王执法", "department": officer.department_id, "status": "active", "home_region": "999999"}
    )
    assert 'id="error-home_region"' in unknown.content.decode()
    done = jn_admin.post(url, {"name": "王新名", "department": officer.department_id, "status": "suspended"})
    assert done.status_code == 302
    event = AuditEvent.objects.filter(action="officers.update", object_id=str(officer.pk)).get()
    assert event.before["name"] == "王执法" and event.after["status"] == "suspended"
    history = _history(jn_admin, "officers", officer.pk)
    assert "王新名" in history and "王执法" in history
    assert "suspended" not in history and "暂停" in history  # the status by its label
    assert "<td>name</td>" not in history and "<td>sectors</td>" not in history


def test_an_officer_whose_account_belongs_to_his_department_cannot_be_moved_away(
    jn_admin, make_officer, make_user, province
):
    officer = make_officer(department=province.lixia_market)
    from jianguan.officers.services import link_account

    link_account(officer, make_user("officer", department=province.lixia_market).username)
    url = f"/officers/{officer.pk}/edit/"
    refused = jn_admin.post(url, {"name": officer.name, "department": province.jn_market.pk, "status": "active"})
    assert refused.status_code == 200 and 'id="error-department"' in refused.content.decode()
    assert Officer.objects.get(pk=officer.pk).department_id == province.lixia_market.pk


def test_a_role_without_write_rights_gets_a_404_and_no_edit_button(make_user, make_officer, province, setup):
    officer = make_officer()
    reader = Client()
    reader.force_login(make_user("officer", department=province.jn_market))
    for key, pk in (("officers", officer.pk), ("departments", province.lixia_market.pk), ("catalog", setup.item.pk)):
        assert reader.get(f"/{key}/{pk}/edit/").status_code == 404
        assert reader.post(f"/{key}/{pk}/edit/", {"name": "x"}).status_code == 404
    assert 'id="edit"' not in reader.get(f"/officers/{officer.pk}/").content.decode()
    qingdao = Client()
    qingdao.force_login(make_user("department_admin", department=province.qd_market))
    assert qingdao.get(f"/officers/{officer.pk}/edit/").status_code == 404


def test_a_department_is_edited_with_field_errors_and_its_history(jn_admin, province):
    lixia = province.lixia_market
    url = f"/departments/{lixia.pk}/edit/"
    bad = jn_admin.post(url, {"name": lixia.name, "uscc": "123", "parent": province.jn_market.pk})
    assert bad.status_code == 200 and 'id="error-uscc"' in bad.content.decode()
    twin = jn_admin.post(url, {"name": province.jn_office_qd.name, "parent": province.jn_market.pk})
    assert 'id="error-name"' in twin.content.decode()
    assert Department.objects.get(pk=lixia.pk).name == lixia.name
    done = jn_admin.post(
        url,
        {"name": "历下区市场监管局", "uscc": lixia.uscc, "sector": province.scjg.pk, "parent": province.jn_market.pk},
    )
    assert done.status_code == 302
    history = _history(jn_admin, "departments", lixia.pk)
    assert "历下区市场监管局" in history and lixia.name in history


def test_an_item_change_of_substance_makes_a_new_version_and_bookkeeping_changes_in_place(setup, make_user, province):
    admin = Client()
    admin.force_login(make_user("department_admin", department=province.market))
    item = setup.item
    url = f"/catalog/{item.pk}/edit/"
    base = {"name": item.name, "level": item.level, "status": "valid", "effective_to": "2030-12-31"}
    no_day = admin.post(url, {**base, "name": "对食品经营者的监督检查"})
    assert no_day.status_code == 200 and 'id="error-new_version_from"' in no_day.content.decode()
    assert SupervisionItem.objects.filter(code=item.code).count() == 1
    in_place = admin.post(url, {**base, "is_key": "on"})
    assert in_place.status_code == 302 and SupervisionItem.objects.get(pk=item.pk).is_key
    revised = admin.post(
        url, {**base, "is_key": "on", "name": "对食品经营者的监督检查", "new_version_from": "2027-01-01"}
    )
    assert revised.status_code == 302
    old, new = SupervisionItem.objects.filter(code=item.code).order_by("version")
    assert (old.name, old.effective_to) == (item.name, dt.date(2026, 12, 31))
    assert (new.version, new.name, new.effective_from) == (2, "对食品经营者的监督检查", dt.date(2027, 1, 1))
    assert revised.url == f"/catalog/{new.pk}/"
    history = _history(admin, "catalog", new.pk)
    assert "对食品经营者的监督检查" in history and item.name in history
    # The older version is history: it is not offered for editing any more.
    assert admin.get(url).status_code == 404


def test_the_edit_form_shows_a_stored_date_in_the_date_input(jn_admin, make_officer):
    officer = make_officer()  # certificate valid until 2028-12-31
    page = jn_admin.get(f"/officers/{officer.pk}/edit/").content.decode()
    assert 'value="2028-12-31"' in page
