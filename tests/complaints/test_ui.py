"""The work-order screens: scope through the Django client, and in Chromium a demand filed on the
portal, handled by staff and rated by the citizen."""

import pytest
from django.test import Client

from tests.conftest import log_in

PNG = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
    "1f15c4890000000d49444154789c6360000002000001e221bc330000000049454e44ae426082"
)


def test_screens_follow_scope_and_show_cards(hotline, make_subject):
    from jianguan.complaints import services

    order, _code = services.receive(
        {
            "content": "济南市历下区泉城路一家超市卖过期牛奶，要求查处",
            "address": "济南市历下区",
            "kind": "complaint",
            "category": "060101",
            "complainant": {"name": "周大海", "phone": "13698765432"},
        },
        channel="portal",
    )
    operator, outsider = Client(), Client()
    operator.force_login(hotline.operator)
    outsider.force_login(hotline.shinan_officer)
    page = operator.get("/complaints/").content.decode()
    assert order.number in page
    assert order.number not in outsider.get("/complaints/").content.decode()
    assert outsider.get(f"/complaints/{order.number}/").status_code == 404
    detail = operator.get(f"/complaints/{order.number}/").content.decode()
    assert "136****5432" in detail and "13698765432" not in detail and "周大海" not in detail
    handler = Client()
    handler.force_login(hotline.lixia_officer)
    assert "13698765432" in handler.get(f"/complaints/{order.number}/").content.decode()
    assert operator.get("/complaints/new/").status_code == 200
    import io

    import openpyxl

    exported = openpyxl.load_workbook(io.BytesIO(operator.get("/complaints/", {"export": "xlsx"}).content)).active
    rows = list(exported.iter_rows(values_only=True))
    assert rows[0][0] == "工单编号" and rows[1][0] == order.number and "136****5432" in rows[1]
    empty = openpyxl.load_workbook(io.BytesIO(outsider.get("/complaints/", {"export": "xlsx"}).content)).active
    assert empty.max_row == 1  # the export follows the scope
    assert outsider.get("/complaints/new/").status_code == 404
    assert Client().get("/complaints/").status_code == 302  # staff screens need a login
    # A demand found true on a known subject opens a rectification order (joint supervision).
    from jianguan.joint.services import setup as joint_setup
    from jianguan.rectification.models import Rectification

    joint_setup()
    services.accept(order, hotline.lixia_officer)
    services.reply(
        order,
        hotline.lixia_officer,
        {
            "is_true": True,
            "is_resolved": True,
            "handling_notes": "现场检查属实，已下架",
            "public_reply": "经核查属实，已责令整改",
        },
    )
    from jianguan.facts.models import Fact
    from jianguan.facts.services import deliver

    handler.post(f"/complaints/{order.number}/rectification/", {"requirement": "建立进货查验记录"})
    deliver()
    assert not Rectification.objects.exists()  # no subject named in this demand
    shop = make_subject(name="泉城测试超市有限公司")
    type(order).objects.filter(pk=order.pk).update(subject=shop)
    handler.post(f"/complaints/{order.number}/rectification/", {"requirement": "建立进货查验记录"})
    asked = Fact.objects.get(name="complaints.rectification_requested")
    assert asked.payload["requirement"] == "建立进货查验记录" and asked.subject_id == shop.pk
    assert Fact.objects.filter(name="complaints.found_true", object_id=order.number).exists()
    deliver()  # the rectification service's subscriber opens the order (after commit, or the sweeper)
    deliver()  # a second delivery, or a replay, opens nothing more
    rectification = Rectification.objects.get()
    assert (rectification.source_kind, rectification.source_ref, rectification.subject) == (
        "complaint",
        order.number,
        shop,
    )
    assert Client().get("/public/complaints/").status_code == 200


@pytest.mark.browser
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_browser_filed_on_the_portal_handled_by_staff_rated_by_the_citizen(
    flushable_audit, live_server, hotline, browser_page, tmp_path
):
    page = browser_page
    photo = tmp_path / "现场照片.png"
    photo.write_bytes(PNG)
    # The citizen files a demand on the portal.
    page.goto(f"{live_server.url}/public/complaints/")
    page.fill("#id_content", "我在济南市历下区泉城路88号一家超市买的酸奶已经过期，喝了以后肚子疼，要求退款并查处")
    page.fill("#id_address", "济南市历下区泉城路88号")
    page.fill("#id_name", "赵小明")
    page.fill("#id_phone", "13812345678")
    page.set_input_files("#attachments", str(photo))
    page.click("#complaint-submit")
    page.wait_for_selector("#complaint-filed")
    number = page.inner_text("#filed-number")
    code = page.inner_text("#filed-code")
    assert len(number) == 18 and len(code) == 6

    def login(user):
        log_in(page, live_server.url, user.username)

    # The operator sees it masked, confirms the classification; the catalogue routes it to 历下区.
    login(hotline.operator)
    page.goto(f"{live_server.url}/complaints/?q={number}")
    page.click(f"text={number}")
    assert "赵**" in page.inner_text("#complainant") and "138****5678" in page.inner_text("#complainant")
    page.select_option("#classify-form select[name=kind]", "complaint")
    page.select_option("#classify-form select[name=category]", "060101")
    page.click("#classify-form button")
    page.wait_for_selector("#order-state:has-text('待签收')")
    assert "历下区市场监督管理局" in page.inner_text("#lead-unit")
    # The handler sees the complainant in full, signs and replies.
    login(hotline.lixia_officer)
    page.goto(f"{live_server.url}/complaints/{number}/")
    assert "赵小明" in page.inner_text("#complainant") and "13812345678" in page.inner_text("#complainant")
    page.click("#accept")
    page.wait_for_selector("#reply-form")
    page.check("#reply-is_true")
    page.check("#reply-is_resolved")
    page.fill("#reply-handling_notes", "执法人员到现场检查，过期酸奶已全部下架，责令商家为消费者退款")
    page.fill("#reply-public_reply", "经核查情况属实，已责令超市下架过期酸奶并为您退款，对超市立案调查")
    page.click("#reply-form button")
    page.wait_for_selector("#order-state:has-text('已答复待回访')")
    # The citizen follows it and rates it; the order closes.
    page.context.clear_cookies()
    page.goto(f"{live_server.url}/public/complaints/track/")
    page.fill("#id_number", number)
    page.fill("#id_code", code)
    page.click("#track-submit")
    page.wait_for_selector("#track-reply")
    assert code not in page.url
    assert "立案调查" in page.inner_text("#track-reply")
    page.check("#s-satisfied")
    page.fill("#rating-form textarea", "处理很及时")
    page.click("#rate-submit")
    page.wait_for_selector("#rated")
    assert page.inner_text("#track-state") == "已办结"
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(f"{live_server.url}/public/complaints/")
    assert page.is_visible("#complaint-submit")
