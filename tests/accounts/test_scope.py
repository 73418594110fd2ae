"""The scope matrix: every role × own/other department × own/other region, on every read path."""

import io

import openpyxl
import pytest
from django.test import Client

from jianguan.accounts.choices import Role
from jianguan.accounts.services import create_api_client
from jianguan.officers.models import Conflict

# (department scope, region scope) → which of the four officers are visible.
EXPECTED = {
    ("own", "own"): {"own_own"},
    ("all", "own"): {"own_own", "other_own"},
    ("own", "all"): {"own_own", "own_other"},
    ("all", "all"): {"own_own", "other_own", "own_other", "other_other"},
}
ROLE_DEFAULTS = {
    Role.PLATFORM_ADMIN: ("all", "all"),
    Role.DEPARTMENT_ADMIN: ("own", "own"),
    Role.OFFICER: ("own", "own"),
    Role.HOTLINE_OPERATOR: ("all", "own"),
    Role.ANALYST: ("all", "own"),
    Role.LEADER: ("all", "own"),
    Role.AUDITOR: ("all", "all"),
}
CASES = [(role, scope) for role, scope in ROLE_DEFAULTS.items()] + [
    (Role.OFFICER, ("own", "all")),
    (Role.ANALYST, ("all", "all")),
    (Role.LEADER, ("own", "own")),
]


@pytest.fixture
def officers(province, make_officer):
    # The viewer sits in 济南市市场监督管理局 (370100).
    return {
        "own_own": make_officer(province.lixia_market, "历下执法员"),  # own subtree, own region
        "other_own": make_officer(province.jn_env, "济南环保执法员", sectors=("sthj",)),  # other dept, own region
        "own_other": make_officer(province.jn_office_qd, "驻青执法员"),  # own subtree, other region
        "other_other": make_officer(province.shinan_market, "市南执法员"),  # other dept, other region
    }


def _login(make_user, role, scope):
    user = make_user(role, department_scope=scope[0], region_scope=scope[1])
    client = Client()
    client.force_login(user)
    return user, client


def _names_in_xlsx(content):
    sheet = openpyxl.load_workbook(io.BytesIO(content)).active
    return {row[0] for row in sheet.iter_rows(min_row=2, values_only=True)}


@pytest.mark.parametrize(("role", "scope"), CASES)
def test_officer_visibility_matrix(role, scope, officers, make_user):
    _user, client = _login(make_user, role, scope)
    expected = EXPECTED[scope]
    names = {key: o.name for key, o in officers.items()}

    listed = client.get("/api/v1/officers?limit=100").json()
    assert {i["name"] for i in listed["items"]} == {names[k] for k in expected}

    for key, officer in officers.items():
        api_detail = client.get(f"/api/v1/officers/{officer.pk}")
        web_detail = client.get(f"/officers/{officer.pk}/")
        visible = key in expected
        assert api_detail.status_code == (200 if visible else 404), key
        assert web_detail.status_code == (200 if visible else 404), key
        searched = client.get("/api/v1/officers", {"q": officer.name}).json()
        assert (searched["count"] == 1) is visible, key

    web_list = client.get("/officers/").content.decode()
    for key, name in names.items():
        assert (name in web_list) is (key in expected), key

    assert _names_in_xlsx(client.get("/api/v1/officers/export").content) == {names[k] for k in expected}
    assert _names_in_xlsx(client.get("/officers/export/").content) == {names[k] for k in expected}


@pytest.mark.parametrize("region_scope", ["own", "all"])
def test_subjects_are_cut_by_region_only(region_scope, province, make_user, make_subject):
    in_jinan = make_subject("济南泉城测试有限公司", county="370102")
    in_qingdao = make_subject("青岛海滨测试有限公司", county="370202")
    _user, client = _login(make_user, Role.OFFICER, ("own", region_scope))
    names = {i["name"] for i in client.get("/api/v1/subjects?limit=100").json()["items"]}
    expected = {in_jinan.name} | ({in_qingdao.name} if region_scope == "all" else set())
    assert names == expected
    assert client.get(f"/api/v1/subjects/{in_qingdao.pk}").status_code == (200 if region_scope == "all" else 404)
    assert client.get(f"/subjects/{in_qingdao.pk}/").status_code == (200 if region_scope == "all" else 404)
    assert _names_in_xlsx(client.get("/subjects/export/").content) == expected


def test_user_without_department_sees_nothing(province, make_user, make_subject, officers):
    make_subject()
    user = make_user(Role.PLATFORM_ADMIN)
    user.department = None
    user.save()
    client = Client()
    client.force_login(user)
    assert client.get("/api/v1/officers").json()["count"] == 0
    assert client.get("/api/v1/subjects").json()["count"] == 0


def test_user_without_role_sees_nothing(province, make_user, officers):
    _user, client = _login(make_user, None, ("all", "all"))
    assert client.get("/api/v1/officers").json()["count"] == 0


def test_api_client_sees_its_department_subtree(province, officers):
    _client, token = create_api_client("jn-system", province.jn_market)
    response = Client().get("/api/v1/officers?limit=100", HTTP_AUTHORIZATION=f"Bearer {token}")
    assert {i["name"] for i in response.json()["items"]} == {officers["own_own"].name, officers["own_other"].name}
    assert Client().get("/api/v1/officers", HTTP_AUTHORIZATION="Bearer jg_wrong").status_code == 401


def test_denied_write_changes_nothing(province, make_user, make_subject, officers):
    subject = make_subject()
    _user, client = _login(make_user, Role.DEPARTMENT_ADMIN, ("own", "own"))
    before = Conflict.objects.count()
    response = client.post(
        f"/api/v1/officers/{officers['other_other'].pk}/conflicts",
        {"subject_id": subject.pk, "reason": "亲属关系"},
        content_type="application/json",
    )
    assert response.status_code == 404
    assert response.json()["code"] == "not_found"
    assert Conflict.objects.count() == before


def test_officer_role_cannot_import(province, make_user):
    _user, client = _login(make_user, Role.OFFICER, ("own", "own"))
    upload = io.BytesIO("名称,统一社会信用代码\n".encode())
    upload.name = "s.csv"
    response = client.post("/api/v1/core/imports/subjects", {"file": upload})
    assert response.status_code == 403
    assert response.json()["code"] == "forbidden"
