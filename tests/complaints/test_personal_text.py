"""A complaint's own text can name a person: stored masked, the text as written sealed, and shown
as written only to the handlers (and those who may see the complainant)."""

from django.db import connection
from django.test import Client

from jianguan.complaints.models import WorkOrder

ID = "11010519491231002X"
TEXT = f"我叫赵六，身份证{ID}，电话13812345678，家住历下区泉城路188号3号楼2单元501室，楼下饭店油烟扰民"


def test_personal_data_in_a_complaint_is_sealed_at_rest_and_masked_except_for_handlers(hotline):
    operator, officer, analyst = Client(), Client(), Client()
    operator.force_login(hotline.operator)
    officer.force_login(hotline.lixia_officer)
    analyst.force_login(hotline.analyst)
    created = operator.post(
        "/api/v1/complaints/orders/intake",
        {"content": TEXT, "address": "济南市历下区泉城路", "complainant": {"name": "赵六", "phone": "13812345678"}},
        content_type="application/json",
    )
    assert created.status_code == 201, created.content
    number = created.json()["number"]
    with connection.cursor() as cursor:  # at rest: nowhere in clear, not in the title either
        cursor.execute("SELECT title, content, personal_sealed FROM complaints_workorder WHERE number = %s", [number])
        title, content, sealed = cursor.fetchone()
    assert title == content[:30]  # the title is cut from the masked text, not masked after the cut
    for clear in (ID, "13812345678", "3号楼2单元501室", "电话1381"):
        assert clear not in title and clear not in content and clear not in sealed
    assert "110105********002X" in content and "138****5678" in content and sealed

    shown = operator.get(f"/api/v1/complaints/orders/{number}").json()
    assert ID not in shown["content"] and shown["masked"] is True
    order = WorkOrder.objects.get(number=number)
    operator.post(
        f"/api/v1/complaints/orders/{number}/classify",
        {"kind": "complaint", "category": "060101"},
        content_type="application/json",
    )
    assert WorkOrder.objects.get(pk=order.pk).state == "dispatched"
    handled = officer.get(f"/api/v1/complaints/orders/{number}").json()
    assert handled["content"] == TEXT and handled["masked"] is False
    page = officer.get(f"/complaints/{number}/").content.decode()
    assert ID in page
    for viewer in (analyst, operator):
        body = viewer.get(f"/api/v1/complaints/orders/{number}")
        if body.status_code == 200:
            assert ID not in body.content.decode() and "13812345678" not in body.json()["content"]
    from jianguan.complaints.display import public_out

    assert ID in TEXT[:30] and ID not in public_out(order)["title"]  # what a citizen's query shows


def test_a_title_cut_from_the_content_never_shows_half_a_number():
    from jianguan.complaints.permissions import sealed_order_text

    stored = sealed_order_text(None, "楼下饭店油烟很大，已经反映过多次了，请联系我电话13812345678")
    assert "138123" not in stored["title"] and stored["title"] == stored["content"][:30]
