"""The 12345 queue on the list kit: filters, sorting and export give exactly the viewer's scoped rows,
the complainant stays masked on screen and in files, and operators dispatch several orders at once,
all or none."""

import csv
import io

import pytest

from tests.complaints.conftest import MILK
from tests.complaints.test_people_side import staff, visible_text
from tests.ui_text import leaked_codes

pytestmark = pytest.mark.django_db

QINGDAO = {
    **MILK,
    "content": "青岛市市南区香港中路一家餐馆卫生很差，后厨有老鼠，要求查处",
    "address": "青岛市市南区香港中路",
    "complainant": {"name": "李四", "phone": "13722223333"},
}


def receive(**changes):
    from jianguan.complaints import services

    return services.receive({**MILK, **changes}, channel="portal")[0]


def exported(client, **params) -> list[list[str]]:
    response = client.get("/complaints/", {**params, "export": "csv"})
    assert response.status_code == 200
    return list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))


@pytest.fixture
def orders(hotline):
    """Three 济南 orders (two complaints, one report) and one 青岛 order."""
    jinan = [
        receive(),
        receive(kind="report", content="济南市历下区经十路一家饭店用地沟油炒菜，举报查处"),
        receive(content="济南市历下区一家药店卖假药，要求查处，请尽快处理"),
    ]
    return jinan, receive(**QINGDAO)


def test_filter_sort_and_export_hold_exactly_the_scoped_filtered_rows(hotline, orders):
    from jianguan.complaints.permissions import visible_orders

    expected = list(
        visible_orders(hotline.operator)
        .filter(kind="complaint", state="dispatched")
        .order_by("number")
        .values_list("number", flat=True)
    )
    assert len(expected) == 2
    client = staff(hotline.operator)
    page = client.get("/complaints/", {"kind": "complaint", "state": "dispatched", "sort": "number"})
    body = page.content.decode().split('id="orders"')[1].split("</tbody>")[0]
    assert [n for n in expected if n in body] == expected and orders[1].number not in body
    rows = exported(client, kind="complaint", state="dispatched", sort="number")
    assert [r[0] for r in rows[1:]] == expected
    assert len(rows[0]) == 10  # the table's columns, no checkbox column
    everything = exported(client)
    assert sorted(r[0] for r in everything[1:]) == sorted(
        visible_orders(hotline.operator).values_list("number", flat=True)
    )


def test_an_out_of_scope_export_holds_no_other_citys_orders(hotline, orders):
    jinan, qingdao = orders
    rows = exported(staff(hotline.shinan_officer))
    numbers = {r[0] for r in rows[1:]}
    assert not numbers & {o.number for o in jinan}
    rows = exported(staff(hotline.operator))
    assert qingdao.number not in {r[0] for r in rows[1:]}


@pytest.mark.parametrize("who", ["operator", "lixia_officer", "analyst"])
def test_complainant_is_masked_on_the_queue_and_in_its_export(hotline, orders, who):
    client = staff(getattr(hotline, who))
    for params in ({}, {"export": "csv"}, {"export": "xlsx"}):
        content = client.get("/complaints/", params).content
        text = content.decode("utf-8-sig") if params.get("export") != "xlsx" else _xlsx_text(content)
        assert "13912345678" not in text and "张三" not in text
    if who != "analyst":
        assert "139****5678" in visible_text(client.get("/complaints/").content.decode())


def _xlsx_text(content: bytes) -> str:
    import openpyxl

    sheet = openpyxl.load_workbook(io.BytesIO(content)).active
    return " ".join(str(v) for row in sheet.iter_rows(values_only=True) for v in row if v is not None)


@pytest.fixture
def to_dispatch(hotline):
    """Two classified orders waiting for the operator (no catalogue rule routed them), one unclassified."""
    from jianguan.complaints.models import DispatchRule

    DispatchRule.objects.all().delete()
    ready = [receive(), receive(kind="report", content="济南市历下区经十路一家饭店用地沟油炒菜，举报查处")]
    unclassified = receive(kind=None, category=None, content="济南市历下区有家店门口一直很吵，不知道该找哪里")
    assert {o.state for o in [*ready, unclassified]} == {"received"}
    return ready, unclassified


def test_bulk_dispatch_is_all_or_nothing_and_names_the_refused_order(hotline, province, to_dispatch):
    from jianguan.audit.models import AuditEvent
    from jianguan.complaints.models import Assignment, WorkOrder

    ready, unclassified = to_dispatch
    client = staff(hotline.operator)
    chosen = [o.pk for o in [*ready, unclassified]]
    refused = client.post("/complaints/dispatch/?state=received", {"orders": chosen, "lead": province.lixia_market.pk})
    assert refused.status_code == 400
    errors = refused.content.decode().split('id="dispatch-errors"')[1].split("</form>")[0]
    assert unclassified.number in errors and ready[0].number not in errors
    assert set(WorkOrder.objects.filter(pk__in=chosen).values_list("state", flat=True)) == {"received"}
    assert not Assignment.objects.exists()
    assert not AuditEvent.objects.filter(action="complaints.dispatch").exists()
    assert refused.content.decode().count("checked") >= len(chosen)  # the ticks survive the refusal

    done = client.post(
        "/complaints/dispatch/?state=received",
        {"orders": [o.pk for o in ready], "lead": province.lixia_market.pk, "co": [province.jn_env.pk]},
    )
    assert done.status_code == 302 and done["Location"] == "/complaints/?state=received"
    for order in ready:
        order.refresh_from_db()
        assert (order.state, order.lead_department) == ("dispatched", province.lixia_market)
        assert set(order.assignments.values_list("department", "role")) == {
            (province.lixia_market.pk, "lead"),
            (province.jn_env.pk, "co"),
        }
    assert AuditEvent.objects.filter(action="complaints.dispatch").count() == 2


def test_bulk_dispatch_field_errors_and_who_may_use_it(hotline, province, to_dispatch, orders):
    from jianguan.complaints.models import WorkOrder

    ready, _unclassified = to_dispatch
    client = staff(hotline.operator)
    missing_lead = client.post("/complaints/dispatch/", {"orders": [ready[0].pk]})
    assert missing_lead.status_code == 400 and 'id="bulk-dispatch"' in missing_lead.content.decode()
    qingdao = orders[1]
    foreign = client.post("/complaints/dispatch/", {"orders": [qingdao.pk], "lead": province.lixia_market.pk})
    assert foreign.status_code == 400 and qingdao.number not in foreign.content.decode()
    assert not WorkOrder.objects.filter(state="dispatched").exists()
    # A co-handler must be a unit where every chosen order is: 市南's bureau cannot co-handle a 历下 order.
    far = client.post(
        "/complaints/dispatch/",
        {"orders": [o.pk for o in ready], "lead": province.lixia_market.pk, "co": [province.shinan_market.pk]},
    )
    assert far.status_code == 400
    errors = visible_text(far.content.decode().split('id="bulk-dispatch"')[1].split("</form>")[0])
    assert province.shinan_market.name in errors and any(o.number in errors for o in ready)
    handler = staff(hotline.lixia_officer)
    queue = handler.get("/complaints/").content.decode()
    assert 'name="orders"' not in queue and 'id="bulk-dispatch"' not in queue
    assert (
        handler.post("/complaints/dispatch/", {"orders": [ready[0].pk], "lead": province.lixia_market.pk}).status_code
        == 404
    )
    ready[0].refresh_from_db()
    assert ready[0].state == "received"
    from jianguan.complaints import services
    from jianguan.complaints.permissions import visible_orders

    services.dispatch(ready[1], hotline.operator, lead=province.lixia_market)
    page = client.get("/complaints/", {"per_page": 100}).content.decode()
    waiting = visible_orders(hotline.operator).filter(state="received")
    assert page.count('name="orders"') == waiting.count() > 0  # a box for each order still to dispatch only
    assert f'name="orders" value="{ready[1].pk}"' not in page


def test_queue_pages_leak_no_codes(hotline, to_dispatch):
    for user, params in [
        (hotline.operator, {}),
        (hotline.operator, {"state": "received", "kind": "complaint", "card": "red"}),
        (hotline.lixia_officer, {"sort": "-due_at"}),
    ]:
        text = visible_text(staff(user).get("/complaints/", params).content.decode())
        assert leaked_codes(text, allow={user.username}) == set()
