"""The 12345 API (batch with malformed rows, file import, staff steps), the public API, Open311
GeoReport v2 against the standard's fields, the history import and the analysis."""

import datetime as dt
import io
from zoneinfo import ZoneInfo

import openpyxl
import pytest
from django.test import Client

pytestmark = pytest.mark.django_db
TZ = ZoneInfo("Asia/Shanghai")
REQUEST_FIELDS = {
    "service_request_id",
    "status",
    "status_notes",
    "service_name",
    "service_code",
    "description",
    "agency_responsible",
    "service_notice",
    "requested_datetime",
    "updated_datetime",
    "expected_datetime",
    "address",
    "address_id",
    "zipcode",
    "lat",
    "long",
    "media_url",
}


def order_row(number="261102093000000001", **changes):
    return {
        "number": number,
        "received_at": "2026-11-02T09:30:00+08:00",
        "content": "济南市历下区泉城路一家超市卖过期牛奶，要求查处",
        "kind": "complaint",
        "category": "060101",
        "complainant": {"name": "王五", "phone": "13600001234"},
        **changes,
    }


@pytest.fixture
def system(hotline):
    from jianguan.accounts.services import create_api_client

    client, token = create_api_client("jinan-12345", hotline.jn_office)
    return Client(HTTP_AUTHORIZATION=f"Bearer {token}"), token


def test_batch_accounts_for_every_row(system, hotline):
    from jianguan.complaints.models import WorkOrder

    client, _token = system
    rows = [
        order_row(),
        order_row(),  # the same number again in the batch
        order_row("261302093000000002"),  # month 13: not a time
        order_row("12345"),
        order_row("261102093100000003", content="太短"),
        order_row("261102093200000004", category="999999"),
        order_row("261102093300000005", complainant={"phone": "电话13912"}),
        "not an object",
        order_row("261102093400000006", kind="grumble"),
        order_row("261102093500000007", category=None, kind=None),
    ]
    body = client.post("/api/v1/complaints/orders", rows, content_type="application/json").json()
    assert (body["received"], body["accepted"], body["duplicate"], body["rejected"]) == (10, 2, 1, 7)
    assert [r["outcome"] for r in body["results"]] == [
        "accepted",
        "duplicate",
        "rejected",
        "rejected",
        "rejected",
        "rejected",
        "rejected",
        "rejected",
        "rejected",
        "accepted",
    ]
    codes = {r["row"]: {e["code"] for e in r["errors"]} for r in body["results"] if r["outcome"] == "rejected"}
    assert codes[3] == {"number_time"} and codes[4] == {"string_pattern_mismatch"}
    assert codes[5] == {"string_too_short"} and codes[6] == {"unknown_category"} and codes[7] == {"phone"}
    assert codes[8] == {"invalid_row"} and codes[9] == {"enum"}
    for result in body["results"]:
        for error in result.get("errors", []):
            assert error["message"] and error["message_en"] and error["message"] != error["message_en"]
    assert set(WorkOrder.objects.values_list("number", flat=True)) == {"261102093000000001", "261102093500000007"}
    again = client.post("/api/v1/complaints/orders", rows[:1], content_type="application/json").json()
    assert again["duplicate"] == 1 and WorkOrder.objects.count() == 2
    first = WorkOrder.objects.get(number="261102093000000001")
    assert (first.source_system, first.state, first.received_at) == (
        "jinan-12345",
        "dispatched",
        dt.datetime(2026, 11, 2, 9, 30, tzinfo=TZ),
    )
    for bad, status, code in [
        (b"{not json", 400, "invalid_json"),
        (b"[]", 400, "invalid_body"),
        (b"[" + b",".join([b"{}"] * 1001) + b"]", 413, "too_many_orders"),
    ]:
        response = client.post("/api/v1/complaints/orders", bad, content_type="application/json")
        assert (response.status_code, response.json()["code"]) == (status, code)
    staff = Client()
    staff.force_login(hotline.operator)
    assert staff.post("/api/v1/complaints/orders", rows[:1], content_type="application/json").status_code == 403


def _xlsx(rows):
    book = openpyxl.Workbook()
    sheet = book.active
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    out.seek(0)
    out.name = "orders.xlsx"
    return out


def test_file_import_with_malformed_rows(hotline):
    from jianguan.complaints.models import WorkOrder
    from jianguan.core.models import ImportBatch

    staff = Client()
    staff.force_login(hotline.operator)
    header = ["工单编号", "受理时间", "来源渠道", "诉求类型", "分类编码", "诉求内容", "地址", "诉求人", "联系电话"]
    rows = [
        header,
        [
            "261103100000000011",
            "2026-11-03 10:00",
            "电话",
            "投诉",
            "060101",
            "历下区一家饭店后厨有老鼠，要求查处",
            "济南市历下区",
            "赵六",
            "13512345678",
        ],
        [
            261103100100000012,
            "2026-11-03 10:01",
            "微信",
            "举报",
            "060103",
            "历下区一家商店卖假冒插线板，没有3C认证",
            "济南市历下区",
            "",
            "",
        ],
        [
            "261103100100000019",
            "2026-11-03 10:01",
            "微信",
            "举报",
            60103,
            "历下区一家商店卖假冒插线板，没有3C认证",
            "济南市历下区",
            "",
            "",
        ],
        [
            "261103100000000011",
            "2026-11-03 10:02",
            "电话",
            "投诉",
            "060101",
            "同一个编号又出现一次，应当算作重复",
            "",
            "",
            "",
        ],
        [
            "261103100300000014",
            "2026-11-03 10:03",
            "传真",
            "投诉",
            "060101",
            "来源渠道写错了，应当被拒绝并说明原因",
            "",
            "",
            "",
        ],
        ["261103100400000015", "", "电话", "投诉", "060101", "没有受理时间，应当被拒绝", "", "", ""],
        [
            "261103100500000016",
            "2026-11-03 10:05",
            "电话",
            "投诉",
            "06010199x",
            "分类编码格式不对，应当被拒绝",
            "",
            "",
            "",
        ],
        ["261103100600000017", "2026-11-03 10:06", "电话", "投诉", "060101", "=1+1", "", "", ""],
    ]
    response = staff.post("/api/v1/complaints/orders/import", {"file": _xlsx(rows)})
    body = response.json()
    assert response.status_code == 201, body
    assert (body["received"], body["accepted"], body["rejected"], body["duplicates"]) == (8, 2, 5, 1)
    batch = ImportBatch.objects.get(pk=body["batch"]) if "batch" in body else ImportBatch.objects.latest("pk")
    rejected = {r.row_number: [e["code"] for e in r.errors] for r in batch.rows.filter(outcome="rejected")}
    assert set(rejected) == {3, 6, 7, 8, 9}
    assert rejected[3] == ["number_as_numeric"]  # an 18-digit number in a numeric cell
    assert not WorkOrder.objects.filter(number="261103100100000012").exists()
    # A category code typed as a number gets its leading zero back.
    assert WorkOrder.objects.get(number="261103100100000019").category.code == "060103"
    # An officer may not import work orders.
    officer = Client()
    officer.force_login(hotline.lixia_officer)
    assert officer.post("/api/v1/complaints/orders/import", {"file": _xlsx(rows)}).status_code == 403


def test_staff_steps_over_the_api_within_scope(hotline, province):
    operator, officer, other = Client(), Client(), Client()
    operator.force_login(hotline.operator)
    officer.force_login(hotline.lixia_officer)
    other.force_login(hotline.shinan_officer)
    created = operator.post(
        "/api/v1/complaints/orders/intake",
        {
            "content": "历下区泉城路一家饭店卖变质的熟食，吃了拉肚子",
            "address": "济南市历下区泉城路",
            "complainant": {"name": "钱七", "phone": "13911112222"},
        },
        content_type="application/json",
    )
    assert created.status_code == 201
    number = created.json()["number"]
    assert created.json()["complainant"] == {"name": "钱*", "phone": "139****2222", "masked": True}
    assert other.get(f"/api/v1/complaints/orders/{number}").status_code == 404
    classified = operator.post(
        f"/api/v1/complaints/orders/{number}/classify",
        {"kind": "complaint", "category": "060101"},
        content_type="application/json",
    )
    assert classified.json()["state"] == "dispatched"
    assert officer.get(f"/api/v1/complaints/orders/{number}").json()["complainant"]["phone"] == "13911112222"
    assert officer.post(f"/api/v1/complaints/orders/{number}/accept").json()["state"] == "handling"
    bad = officer.post(
        f"/api/v1/complaints/orders/{number}/reply",
        {"is_true": True, "is_resolved": False, "handling_notes": "现场检查发现问题", "public_reply": "已责令整改"},
        content_type="application/json",
    )
    assert bad.status_code == 422 and bad.json()["errors"]
    ext = officer.post(
        f"/api/v1/complaints/orders/{number}/extensions",
        {"working_days": 3, "reason": "送检"},
        content_type="application/json",
    ).json()
    decided = operator.post(
        f"/api/v1/complaints/extensions/{ext['id']}/decide", {"approve": True}, content_type="application/json"
    )
    assert decided.json()["status"] == "approved"
    reply = {
        "is_true": True,
        "is_resolved": True,
        "handling_notes": "现场检查，变质熟食已销毁",
        "public_reply": "经核查属实，已责令商户整改并立案",
    }
    assert (
        officer.post(f"/api/v1/complaints/orders/{number}/reply", reply, content_type="application/json").json()[
            "state"
        ]
        == "replied"
    )
    called = operator.post(
        f"/api/v1/complaints/orders/{number}/return-call",
        {"satisfaction": "dissatisfied", "comment": "没有赔偿"},
        content_type="application/json",
    ).json()
    assert called["state"] == "handling" and called["redo_count"] == 1
    detail = operator.get(f"/api/v1/complaints/orders/{number}").json()
    assert [h["action"] for h in detail["history"]] == [
        "dispatch",
        "accept",
        "request_extension",
        "extend",
        "reply",
        "redo",
        "supervise",
    ]
    assert [s["reason"] for s in detail["urgings"]] == ["dissatisfied"]
    listed = operator.get("/api/v1/complaints/orders", {"state": "handling"}).json()
    assert [o["number"] for o in listed["items"]] == [number]
    assert other.get("/api/v1/complaints/orders").json()["count"] == 0


def test_public_file_track_and_rate(hotline):
    public = Client()
    filed = public.post(
        "/api/v1/public/complaints",
        {
            "content": "济南市历下区一家药店不凭处方卖抗生素",
            "address": "济南市历下区",
            "complainant": {"name": "孙八", "phone": "13300001111"},
        },
        content_type="application/json",
    )
    assert filed.status_code == 201
    number, code = filed.json()["number"], filed.json()["query_code"]
    assert "13300001111" not in filed.content.decode()
    tracked = public.get(f"/api/v1/public/complaints/{number}", {"code": code}).json()
    posted = public.post(
        f"/api/v1/public/complaints/{number}/lookup", {"code": code}, content_type="application/json"
    ).json()
    assert posted["number"] == number and posted["state"] == tracked["state"]
    refused = public.post(
        f"/api/v1/public/complaints/{number}/lookup",
        {"code": "000000" if code != "000000" else "111111"},
        content_type="application/json",
    )
    assert refused.status_code == 404
    assert tracked["state"] == "received" and tracked["can_rate"] is False
    wrong = public.get(f"/api/v1/public/complaints/{number}", {"code": "000000" if code != "000000" else "111111"})
    assert wrong.status_code == 404
    early = public.post(
        f"/api/v1/public/complaints/{number}/rating",
        {"code": code, "satisfaction": "satisfied"},
        content_type="application/json",
    )
    assert early.status_code == 409 and early.json()["code"] == "cannot_rate"
    bad = public.post("/api/v1/public/complaints", {"content": "短"}, content_type="application/json")
    assert bad.status_code == 422 and bad.json()["errors"][0]["field"] == "content"
    attachment = public.post(
        "/api/v1/public/complaints",
        {
            "content": "济南市历下区一家药店不凭处方卖抗生素",
            "attachments": [{"name": "x.png", "content_base64": "***"}],
        },
        content_type="application/json",
    )
    assert attachment.status_code == 400 and attachment.json()["code"] == "attachment_encoding"


def test_open311_georeport_v2(hotline, system):
    from jianguan.complaints.models import Category

    _client, token = system
    public = Client()
    services_list = public.get("/open311/v2/services.json").json()
    leaves = Category.objects.filter(children__isnull=True).count()
    assert len(services_list) == leaves
    food = next(s for s in services_list if s["service_code"] == "060101")
    assert set(food) == {"service_code", "service_name", "description", "metadata", "type", "keywords", "group"}
    assert (food["service_name"], food["group"], food["type"], food["metadata"]) == (
        "食品安全",
        "经济综合",
        "realtime",
        False,
    )
    assert public.get("/open311/v2/services/060101.json").json() == {"service_code": "060101", "attributes": []}
    assert public.get("/open311/v2/services/999999.json").status_code == 404
    assert public.get("/open311/v2/services.xml").json() == [
        {"code": 400, "description": "only the json format is supported / 仅支持 json 格式"}
    ]
    # Filing needs an api_key and a location.
    form = {
        "service_code": "060101",
        "description": "济南市历下区泉城路一家超市卖过期牛奶",
        "address_string": "济南市历下区泉城路1号",
        "first_name": "明",
        "last_name": "周",
        "phone": "13700002222",
    }
    assert public.post("/open311/v2/requests.json", form).status_code == 403
    assert public.post("/open311/v2/requests.json", {**form, "api_key": token, "service_code": "x"}).status_code == 400
    assert public.post("/open311/v2/requests.json", {**form, "api_key": token, "address_string": ""}).status_code == 400
    created = public.post("/open311/v2/requests.json", {**form, "api_key": token})
    assert created.status_code == 201
    [receipt] = created.json()
    assert set(receipt) == {"service_request_id", "service_notice", "account_id"}
    number = receipt["service_request_id"]
    [anonymous] = public.get(f"/open311/v2/requests/{number}.json").json()
    assert set(anonymous) == REQUEST_FIELDS
    assert (anonymous["status"], anonymous["service_code"], anonymous["description"]) == ("open", "060101", "")
    assert anonymous["agency_responsible"] == "济南市历下区市场监督管理局"
    assert anonymous["address"] == "历下区"  # no street address without the filing application's key
    [own] = public.get(f"/open311/v2/requests/{number}.json", {"api_key": token, "extensions": "true"}).json()
    assert own["description"] == form["description"] and own["extended_attributes"]["jianguan_status"] == "dispatched"
    listed = public.get("/open311/v2/requests.json", {"status": "open", "service_code": "060101"}).json()
    assert [r["service_request_id"] for r in listed] == [number]
    assert public.get("/open311/v2/requests.json", {"status": "closed"}).json() == []
    assert public.get("/open311/v2/requests.json", {"status": "maybe"}).status_code == 400
    assert public.get("/open311/v2/requests.json", {"start_date": "yesterday"}).status_code == 400
    assert public.get("/open311/v2/requests/000000000000000000.json").status_code == 404


def test_history_import_replays_and_rejects_bad_histories(hotline, province):
    from jianguan.complaints.history import import_history
    from jianguan.complaints.models import WorkOrder

    now = dt.datetime(2026, 11, 20, 12, tzinfo=TZ)
    form = {
        "is_true": True,
        "is_resolved": True,
        "handling_notes": "已现场检查并责令整改",
        "public_reply": "经核查属实，已责令整改",
    }
    good = order_row(
        "261102093000000101",
        steps=[
            {"action": "dispatch", "at": "2026-11-02T10:00:00+08:00", "department": province.lixia_market.pk},
            {"action": "accept", "at": "2026-11-02T11:00:00+08:00"},
            {"action": "extend", "at": "2026-11-03T11:00:00+08:00", "working_days": 3, "comment": "送检"},
            {"action": "reply", "at": "2026-11-10T11:00:00+08:00", "form": form},
            {"action": "resolve", "at": "2026-11-11T11:00:00+08:00", "satisfaction": "satisfied"},
        ],
    )
    late = order_row(
        "261102093000000102",
        steps=[
            {"action": "dispatch", "at": "2026-11-02T10:00:00+08:00", "department": province.lixia_market.pk},
            {"action": "accept", "at": "2026-11-02T11:00:00+08:00"},
        ],
    )
    out_of_order = order_row("261102093000000103", steps=[{"action": "accept", "at": "2026-11-02T11:00:00+08:00"}])
    backwards = order_row(
        "261102093000000104",
        steps=[
            {"action": "dispatch", "at": "2026-11-02T10:00:00+08:00", "department": province.lixia_market.pk},
            {"action": "accept", "at": "2026-11-02T09:00:00+08:00"},
        ],
    )
    late_return = order_row(
        "261102093000000105",
        steps=[
            {"action": "dispatch", "at": "2026-11-02T10:00:00+08:00", "department": province.lixia_market.pk},
            {"action": "return", "at": "2026-11-06T10:00:00+08:00", "comment": "不属于本单位"},
        ],
    )
    result = import_history([good, late, out_of_order, backwards, late_return, good], now=now)
    assert (result["accepted"], result["rejected"], result["duplicate"]) == (2, 3, 1)
    assert [e["code"] for e in result["errors"]] == ["wrong_state", "step_out_of_order", "return_window_passed"]
    assert result["errors"][0]["message"].startswith("第1步（accept）")
    assert result["errors"][0]["message_en"].startswith("Step 1 (accept)")
    imported = WorkOrder.objects.get(number=good["number"])
    # Dispatched Mon 2 Nov: 5 working days → end of 9 Nov; extended by 3 → end of 12 Nov.
    assert (imported.state, imported.due_at, imported.extended_days) == (
        "closed",
        dt.datetime(2026, 11, 13, tzinfo=TZ),
        3,
    )
    assert list(imported.item.transitions.values_list("action", flat=True)) == [
        "dispatch",
        "accept",
        "extend",
        "reply",
        "resolve",
    ]
    open_late = WorkOrder.objects.get(number=late["number"])
    assert (open_late.state, open_late.overdue) == ("handling", True)


def test_analysis_counts_surges_and_excel(hotline, province):
    from jianguan.complaints import services
    from jianguan.complaints.analysis import detect_surges, report

    today = dt.date(2026, 11, 25)  # a Wednesday; the last complete week is 16-22 Nov
    for week in range(8):
        for n in range(2):
            services.receive(
                {
                    "content": f"济南市历下区超市卖过期食品第{week}周{n}号，要求处理",
                    "address": "济南市历下区",
                    "kind": "complaint",
                    "category": "060101",
                },
                channel="phone",
                now=dt.datetime(2026, 9, 21, 10, tzinfo=TZ) + dt.timedelta(weeks=week, hours=n),
            )
    for n in range(9):
        services.receive(
            {
                "content": f"济南市历下区多家超市在卖同一批过期月饼，第{n}位市民反映",
                "address": "济南市历下区",
                "kind": "complaint",
                "category": "060101",
            },
            channel="portal",
            now=dt.datetime(2026, 11, 17, 9, tzinfo=TZ) + dt.timedelta(hours=n),
        )
    [surge] = detect_surges(today)
    assert (surge.region_id, surge.top_category, surge.week_start, surge.count) == (
        "370102",
        "06",
        dt.date(2026, 11, 16),
        9,
    )
    # 2 a week for 8 weeks: dispersion 1, the quasi-Poisson bound at α = 0.01 is 6.36 (above the minimum 6).
    assert surge.baseline_mean == 2.0 and surge.threshold == pytest.approx(6.36, abs=0.01)
    assert detect_surges(today)[0].pk == surge.pk  # detected again: still one
    from jianguan.facts.models import Fact

    [fact] = Fact.objects.filter(name="complaints.surge_detected")  # published once, when first found
    assert (fact.region, fact.payload["count"], fact.payload["threshold"]) == ("370102", 9, 6.36)
    data = report(hotline.operator)
    assert data["totals"]["demands"] == 25
    assert {c["class"]: c["demands"] for c in data["by_class"]} == {"经济综合": 25}
    assert data["by_city"] == [{"code": "370100", "city": "济南市", "demands": 25}]
    assert data["surges"][0]["demands"] == 9
    assert report(hotline.shinan_officer)["totals"]["demands"] == 0
    staff = Client()
    staff.force_login(hotline.operator)
    response = staff.get("/complaints/analysis/", {"format": "xlsx"})
    book = openpyxl.load_workbook(io.BytesIO(response.content))
    assert book.sheetnames == ["总量", "按城市", "按分类", "按渠道", "按类型", "按月", "承办单位", "被诉主体", "激增"]
    surge_rows = list(book["激增"].iter_rows(min_row=2, values_only=True))
    assert surge_rows == [("历下区", "经济综合", "2026-11-16", 9, 2.0, 6.4)]
    assert staff.get("/complaints/analysis/").status_code == 200


def test_history_import_command_reports_progress_and_every_row(hotline, province, tmp_path):
    import json

    from django.core.management import call_command

    form = {
        "is_true": False,
        "is_resolved": True,
        "handling_notes": "现场核查未发现问题",
        "public_reply": "经核查，未发现反映的问题",
    }
    rows = [
        order_row(
            "261102093000000201",
            steps=[{"action": "dispatch", "at": "2026-11-02T10:00:00+08:00", "department": province.lixia_market.pk}],
        ),
        order_row(
            "261102093000000202",
            steps=[
                {"action": "dispatch", "at": "2026-11-02T10:00:00+08:00", "department": province.lixia_market.pk},
                {"action": "accept", "at": "2026-11-02T11:00:00+08:00"},
                {"action": "reply", "at": "2026-11-03T11:00:00+08:00", "form": form},
                {"action": "resolve", "at": "2026-11-04T11:00:00+08:00"},
            ],
        ),
        order_row("261102093000000203", steps=[{"action": "reply", "at": "2026-11-02T10:00:00+08:00", "form": form}]),
    ]
    path = tmp_path / "history.jsonl"
    path.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in rows), encoding="utf-8")
    import io

    out = io.StringIO()
    call_command("complaints", "import-history", str(path), "--json", stdout=out)
    lines = out.getvalue().splitlines()
    assert lines[0].strip().startswith("3/3 rows: 2 accepted, 1 rejected")
    summary = json.loads(lines[-1])
    assert (summary["received"], summary["accepted"], summary["rejected"], summary["duplicate"]) == (3, 2, 1, 0)
    assert summary["errors"][0]["row"] == 3 and summary["errors"][0]["code"] == "wrong_state"
    from django.core.management.base import CommandError

    (tmp_path / "broken.json").write_text("[{", encoding="utf-8")
    with pytest.raises(CommandError):
        call_command("complaints", "import-history", str(tmp_path / "broken.json"))


def test_order_list_queries_do_not_grow_with_the_page(hotline, django_assert_num_queries):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from jianguan.complaints import services

    operator, officer = Client(), Client()
    operator.force_login(hotline.operator)
    officer.force_login(hotline.lixia_officer)

    filed = []

    def file(n):
        for _ in range(n):
            filed.append(len(filed))
            services.receive(
                {
                    "content": f"济南市历下区泉城路第{len(filed)}家超市卖过期牛奶",
                    "kind": "complaint",
                    "category": "060101",
                    "complainant": {"phone": f"1390000{len(filed):04d}"},  # different callers: no merging
                },
                channel="portal",
            )

    counts = []
    for more in (2, 6):
        file(more)
        for client in (operator, officer):
            with CaptureQueriesContext(connection) as queries:
                body = client.get("/api/v1/complaints/orders", {"limit": 50}).json()
            counts.append((client is operator, len(queries)))
        assert body["count"] in (2, 8)
    # The same number of queries for 2 and for 8 orders, for either viewer.
    assert counts[0][1] == counts[2][1] and counts[1][1] == counts[3][1]
    assert body["items"][0]["complainant"]["phone"] == "13900000008"  # the officer handles them


def test_history_import_finds_the_subjects_named_in_each_order_as_a_single_intake_would(
    hotline, province, make_subject, django_assert_max_num_queries
):
    from jianguan.complaints.history import import_history
    from jianguan.complaints.models import WorkOrder
    from jianguan.complaints.routing import find_subject, find_subjects

    shop = make_subject("济南泉城超市有限公司")
    longer = make_subject("济南泉城超市有限公司历下分公司")
    coded = make_subject("历下区某餐饮有限公司")
    texts = [
        ("举报济南泉城超市有限公司卖过期牛奶", None),
        ("举报济南泉城超市有限公司历下分公司卖过期牛奶", None),  # the longest registered name wins
        ("这家店油烟扰民", coded.uscc),  # the code given with the order
        (f"举报{coded.uscc}无证经营", None),  # a valid code in the text
        ("没有写明任何单位", None),
    ]
    with django_assert_max_num_queries(3):
        batch = find_subjects(texts)
    assert batch == [find_subject(text, uscc) for text, uscc in texts]
    assert [(s.pk if s else None, how) for s, how in batch] == [
        (shop.pk, "name"),
        (longer.pk, "name"),
        (coded.pk, "uscc"),
        (coded.pk, "uscc"),
        (None, ""),
    ]
    rows = [
        order_row(f"26110209300000020{n}", content=text, **({"subject_uscc": uscc} if uscc else {}))
        for n, (text, uscc) in enumerate(texts)
    ]
    result = import_history(rows, now=dt.datetime(2026, 11, 20, 12, tzinfo=TZ))
    assert result["accepted"] == 5, result["errors"]
    linked = dict(WorkOrder.objects.filter(number__in=[r["number"] for r in rows]).values_list("number", "subject_id"))
    assert [linked[r["number"]] for r in rows] == [shop.pk, longer.pk, coded.pk, coded.pk, None]
