"""Control characters in complaints from outside: the public form, 12345 batches, Open311, files.

Each is refused with the field and the character named; in a batch only the row holding it.
"""

import pytest
from django.test import Client

from jianguan.complaints.models import WorkOrder
from jianguan.core.models import ImportBatch

from .test_api import order_row


@pytest.fixture
def system(hotline):
    from jianguan.accounts.services import create_api_client

    _client, token = create_api_client("jinan-12345", hotline.jn_office)
    return Client(HTTP_AUTHORIZATION=f"Bearer {token}"), token


def assert_names_the_character(error, field, label="U+0000"):
    assert error["code"] == "control_character" and error["field"] == field
    assert label in error["message"] and label in error["message_en"]


def test_the_public_form_refuses_a_nul_in_any_field(hotline):
    public = Client()
    demand = {"content": "济南市历下区一家药店不凭处方卖抗生素", "complainant": {"name": "孙\x00八"}}
    response = public.post("/api/v1/public/complaints", demand, content_type="application/json")
    assert response.status_code == 422, response.content
    assert_names_the_character(response.json()["errors"][0], "complainant.name")
    tracked = public.get("/api/v1/public/complaints/261102093000000001", {"code": "12\x003456"})
    assert tracked.status_code == 422
    assert_names_the_character(tracked.json()["errors"][0], "code")
    assert not WorkOrder.objects.exists()


def test_a_12345_batch_refuses_only_the_row_holding_a_control_character(system):
    client, _token = system
    rows = [
        order_row("261102093000000001"),
        order_row("261102093100000002", content="济南市历下区泉城路超市\x00卖过期牛奶，要求查处"),
        order_row("26110209320000000\x003"),
        order_row("261102093300000004", complainant={"name": "王\x1f五", "phone": "13600001234"}),
        order_row("261102093400000005"),
    ]
    body = client.post("/api/v1/complaints/orders", rows, content_type="application/json").json()
    assert (body["received"], body["accepted"], body["rejected"]) == (5, 2, 3)
    outcomes = {r["row"]: r for r in body["results"]}
    assert_names_the_character(outcomes[2]["errors"][0], "content")
    assert_names_the_character(outcomes[3]["errors"][0], "number")
    assert_names_the_character(outcomes[4]["errors"][0], "complainant.name", "U+001F")
    assert set(WorkOrder.objects.values_list("number", flat=True)) == {"261102093000000001", "261102093400000005"}


def test_open311_refuses_control_characters_and_impossible_dates(system):
    _client, token = system
    public = Client()
    form = {
        "api_key": token,
        "service_code": "060101\x00",
        "description": "济南市历下区泉城路一家超市卖过期牛奶",
        "address_string": "济南市历下区泉城路1号",
    }
    refused = public.post("/open311/v2/requests.json", form)
    assert refused.status_code == 400 and "U+0000" in refused.json()[0]["description"]
    assert public.get("/open311/v2/requests.json", {"service_request_id": "1\x002"}).status_code == 400
    impossible = public.get("/open311/v2/requests.json", {"start_date": "2026-02-30T00:00:00Z"})
    assert impossible.status_code == 400 and "w3" in impossible.json()[0]["description"]
    assert not WorkOrder.objects.exists()


def test_a_csv_of_work_orders_refuses_the_row_and_keeps_it_readable(hotline):
    staff = Client()
    staff.force_login(hotline.operator)
    header = "工单编号,受理时间,来源渠道,诉求类型,分类编码,诉求内容,地址,诉求人姓名,联系电话"
    good = "261103100100000012,2026-11-03 10:01,电话,投诉,060101,济南市历下区泉城路超市卖过期牛奶要求查处,,,"
    bad = "261103100200000013,2026-11-03 10:02,电话,投诉,060101,济南市历下区泉城路超市\x00卖过期牛奶要求查处,,,"
    data = "\n".join([header, good, bad]).encode("utf-8")
    from django.core.files.uploadedfile import SimpleUploadedFile

    response = staff.post("/api/v1/complaints/orders/import", {"file": SimpleUploadedFile("orders.csv", data)})
    assert response.status_code == 201, response.content
    body = response.json()
    assert (body["received"], body["accepted"], body["rejected"]) == (2, 1, 1)
    row = ImportBatch.objects.latest("pk").rows.get()
    assert row.errors[0]["code"] == "control_character"
    assert "\x00" not in str(row.data) and "\ufffd" in str(row.data)
