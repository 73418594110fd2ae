import pytest
from django.test import Client

from jianguan.accounts.services import create_api_client
from jianguan.subjects.models import Subject
from tests.conftest import subject_row


@pytest.fixture
def staff(admin_user):
    client = Client()
    client.force_login(admin_user)
    return client


def test_unauthenticated_request_gets_the_error_body(db):
    response = Client().get("/api/v1/subjects")
    assert response.status_code == 401
    body = response.json()
    assert body["code"] == "unauthenticated" and body["message"] and body["message_en"] and body["errors"] == []


def test_invalid_subject_gets_field_errors_in_both_languages(staff):
    response = staff.post(
        "/api/v1/subjects", {"name": "济南坏码有限公司", "uscc": "91370102MA0000000X"}, content_type="application/json"
    )
    assert response.status_code == 422
    body = response.json()
    assert body["code"] == "invalid_request"
    error = body["errors"][0]
    assert error["field"] == "uscc" and error["code"] == "uscc_checksum"
    assert "校验码" in error["message"] and "check character" in error["message_en"]
    assert Subject.objects.count() == 0


def test_register_and_read_subject_over_api(staff):
    row = subject_row("济南接口测试有限公司", "370102", 1)
    created = staff.post("/api/v1/subjects", row, content_type="application/json")
    assert created.status_code == 201, created.json()
    subject_id = created.json()["id"]
    assert staff.get(f"/api/v1/subjects/{subject_id}").json()["uscc"] == row["uscc"]
    again = staff.post("/api/v1/subjects", row, content_type="application/json")
    assert again.status_code == 409 and again.json()["code"] == "duplicate_subject"
    assert Subject.objects.count() == 1


def test_search_by_name_substring_and_code(staff, make_subject):
    subject = make_subject("济南趵突泉茶叶有限公司")
    make_subject("青岛啤酒销售有限公司", county="370202")
    assert [i["id"] for i in staff.get("/api/v1/subjects", {"q": "趵突泉"}).json()["items"]] == [subject.pk]
    assert [i["id"] for i in staff.get("/api/v1/subjects", {"q": subject.uscc}).json()["items"]] == [subject.pk]


def test_token_client_and_paging_limits(province, make_subject):
    make_subject()
    _client, token = create_api_client("jn", province.jn_market)
    client = Client(HTTP_AUTHORIZATION=f"Bearer {token}")
    assert client.get("/api/v1/accounts/me").json()["kind"] == "api_client"
    bad = client.get("/api/v1/subjects?limit=100000")
    assert bad.status_code == 400 and bad.json()["code"] == "invalid_paging"


def test_historical_region_code_resolves_to_successor(staff):
    assert staff.get("/api/v1/core/regions/371200").json()["code"] == "370100"
    assert staff.get("/api/v1/core/regions/371200?historical=true").json()["is_historical"] is True
    assert staff.get("/api/v1/core/regions/999999").status_code == 404


def test_working_days_endpoint_marks_provisional(staff):
    body = staff.get("/api/v1/core/calendar/add-working-days", {"start": "2026-12-28", "days": 5}).json()
    assert body == {
        "start": "2026-12-28",
        "days": 5,
        "date": "2027-01-04",
        "provisional": True,
        "missing_years": [2027],
    }


def test_code_validation_never_echoes_id_numbers(staff):
    body = staff.get("/api/v1/core/codes/validate", {"kind": "id_number", "value": "11010519491231002X"}).json()
    assert body["valid"] is True and body["normalised"] is None
    bad = staff.get("/api/v1/core/codes/validate", {"kind": "uscc", "value": "123"}).json()
    assert bad["valid"] is False and bad["code"] == "uscc_length"


def test_openapi_document_is_served(db):
    schema = Client().get("/api/openapi.json").json()
    assert "/api/v1/subjects" in schema["paths"]


@pytest.mark.parametrize("offset", [2**63, 2**64 + 5, 1_000_000_001, -1])
def test_an_offset_beyond_any_list_is_a_paging_error(staff, offset):
    response = staff.get("/api/v1/subjects", {"offset": offset})
    assert response.status_code == 400 and response.json()["code"] == "invalid_paging"
    assert "offset" in response.json()["message"]


def test_an_import_batch_is_readable_by_its_id(staff):
    from jianguan.platform.importing import run_import

    data = "名称,统一社会信用代码,行政区划代码\n济南泉城食品有限公司,,370102\n".encode()
    batch = run_import("subjects", data, "subjects.csv")
    response = staff.get(f"/api/v1/core/imports/{batch.pk}")
    assert response.status_code == 200, response.content
    assert response.json()["kind"] == "subjects" and response.json()["rows"][0]["outcome"] == "rejected"


def test_a_body_over_the_upload_limit_is_refused_before_it_is_read(province, settings):
    from jianguan.exchange.services import register_source

    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1024
    _source, token = register_source("jn-case", "济南市场监管执法办案系统", province.jn_market)
    body = b"[" + b",".join([b'{"kind": "inspection"}'] * 200) + b"]"
    response = Client(HTTP_AUTHORIZATION=f"Bearer {token}").post(
        "/api/v1/exchange/records", body, content_type="application/json"
    )
    assert response.status_code == 413 and response.json()["code"] == "payload_too_large"
    assert response.json()["message"] != response.json()["message_en"]


def test_the_document_lists_every_error_with_the_one_error_body(staff):
    schema = Client().get("/api/openapi.json").json()
    error = schema["components"]["schemas"]["Error"]
    for path, operations in schema["paths"].items():
        for method, operation in operations.items():
            for status in ("400", "401", "403", "404", "422", "429") + (("413",) if method != "get" else ()):
                response = operation["responses"].get(status)
                assert response is not None, (method, path, status)
                if "content" in response and "$ref" in str(response["content"]):
                    assert response["content"]["application/json"]["schema"]["$ref"] == "#/components/schemas/Error"
    refused = staff.post("/api/v1/subjects", {"name": "x"}, content_type="application/json")
    assert refused.status_code == 422 and set(error["required"]) <= set(refused.json())


@pytest.mark.parametrize("path", ["/api/v1/core/imports/subjects", "/api/v1/complaints/orders/import"])
def test_a_multipart_body_without_a_boundary_is_a_clear_error(staff, path):
    response = staff.post(path, b"--x\r\n", content_type="multipart/form-data")
    assert response.status_code == 400, response.content
    body = response.json()
    assert body["code"] == "invalid_multipart" and body["message"] != body["message_en"]
