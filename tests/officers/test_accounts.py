"""Officers and the staff accounts they sign in with: linked on registration, by import, or later."""

import datetime as dt

import pytest

from jianguan.audit.models import AuditEvent
from jianguan.core.errors import DomainError
from jianguan.officers.models import Officer
from jianguan.officers.permissions import officer_for
from jianguan.officers.schemas import OfficerIn
from jianguan.officers.services import link_account, register_officer
from jianguan.platform.importing import run_import


def _officer(department, certificate_no="鲁执0370102101", username=None):
    return OfficerIn(
        name="赵执法",
        certificate_no=certificate_no,
        department=str(department.pk),
        sectors=["scjg"],
        certificate_valid_until=dt.date(2028, 12, 31),
        username=username,
    )


def test_an_officer_registered_with_a_user_name_is_found_from_that_login(province, make_user):
    login = make_user("officer", department=province.lixia_market)
    other = make_user("officer", department=province.lixia_market)
    officer = register_officer(_officer(province.lixia_market, username=login.username))
    assert officer_for(login) == officer
    assert officer_for(other) is None
    assert officer_for(None) is None


def test_an_account_of_another_department_or_already_linked_is_refused(province, make_user):
    login = make_user("officer", department=province.lixia_market)
    elsewhere = make_user("officer", department=province.qd_market)
    with pytest.raises(DomainError) as wrong:
        register_officer(_officer(province.lixia_market, username=elsewhere.username))
    assert wrong.value.code == "account_invalid"
    with pytest.raises(DomainError) as unknown:
        register_officer(_officer(province.lixia_market, username="nobody"))
    assert unknown.value.code == "account_invalid"
    assert Officer.objects.count() == 0
    register_officer(_officer(province.lixia_market, username=login.username))
    with pytest.raises(DomainError) as twice:
        register_officer(_officer(province.lixia_market, "鲁执0370102102", username=login.username))
    assert twice.value.code == "account_invalid"
    assert Officer.objects.count() == 1


def test_link_account_links_and_unlinks_and_is_audited(province, make_user, make_officer):
    login = make_user("officer", department=province.lixia_market)
    officer = make_officer(province.lixia_market)
    link_account(officer, login.username)
    assert officer_for(make_user_fresh(login)) == officer
    link_account(officer, None)
    assert officer_for(make_user_fresh(login)) is None
    assert AuditEvent.objects.filter(action="officers.link_account", object_id=str(officer.pk)).count() == 2


def make_user_fresh(user):
    return type(user).objects.get(pk=user.pk)


def test_import_takes_an_optional_user_name_column_and_rejects_a_bad_one(province, make_user):
    login = make_user("officer", department=province.lixia_market)
    dept = province.lixia_market.uscc
    data = "\n".join(
        [
            "姓名,执法证号,所属部门,执法领域,登录账号",
            f"钱执法,LX0000001,{dept},scjg,{login.username}",
            f"孙执法,LX0000002,{dept},scjg,",
            f"李执法,LX0000003,{dept},scjg,nobody",
            f"周执法,LX0000004,{dept},scjg,{login.username}",
        ]
    ).encode()
    batch = run_import("officers", data, "officers.csv")
    assert (batch.accepted, batch.rejected) == (2, 2)
    errors = {r.row_number: r.errors for r in batch.rows.all() if r.errors}
    assert {e["field"] for es in errors.values() for e in es} == {"username"}
    assert all(e["message_en"] for es in errors.values() for e in es)
    assert Officer.objects.get(certificate_no="LX0000001").user == login
    assert Officer.objects.get(certificate_no="LX0000002").user is None
