"""Intake: address → region with confidence, subject found in the text, dispatch catalogue with
co-handlers, classification proposals and corrections, duplicates merged without losing a demand,
personal data sealed at rest and masked for every role but the handlers, and the read scope."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from jianguan.core.errors import DomainError

pytestmark = pytest.mark.django_db
TZ = ZoneInfo("Asia/Shanghai")
NOW = dt.datetime(2026, 11, 2, 9, tzinfo=TZ)


def demand(**changes):
    return {
        "content": "我在济南市历下区泉城路一家超市买到过期的牛奶，要求依法处理",
        "address": "济南市历下区泉城路",
        "kind": "complaint",
        "category": "060101",
        "complainant": {"name": "张三丰", "phone": "13912345678"},
        **changes,
    }


def test_address_to_county_with_confidence_and_the_office_of_its_city(hotline, province):
    from jianguan.complaints import services

    full, _ = services.receive(demand(), channel="portal", now=NOW)
    assert (full.region_id, full.region_confidence, full.office) == ("370102", 0.95, hotline.jn_office)
    qd, _ = services.receive(
        demand(
            content="青岛市市南区香港中路一家饭店后厨卫生很差，有老鼠", address="香港中路", category=None, kind=None
        ),
        channel="portal",
        now=NOW,
    )
    assert qd.region_id == "370202" and qd.office == hotline.qd_office and qd.state == "received"
    # 市中区 exists in Jinan and Zaozhuang: the operator's city decides; confidence is lower.
    ambiguous, _ = services.receive(
        demand(content="市中区人民路一家药店卖过期药品，请查处", address="市中区人民路", category=None, kind=None),
        channel="phone",
        actor=hotline.operator,
        now=NOW,
    )
    assert ambiguous.region_id == "370103" and ambiguous.region_confidence == 0.7
    nowhere, _ = services.receive(
        demand(content="网上买的东西是假货，要求处理一下", address="", category=None, kind=None),
        channel="portal",
        now=NOW,
    )
    assert nowhere.region_confidence == 0.0 and nowhere.office == hotline.province_office


def test_subject_found_by_uscc_or_registered_name(hotline, make_subject):
    from jianguan.complaints import services

    shop = make_subject(name="济南泉城便民超市有限公司")
    by_name, _ = services.receive(demand(content=f"在{shop.name}买到过期面包，要求处理"), channel="portal", now=NOW)
    assert (by_name.subject, by_name.subject_match) == (shop, "name")
    by_code, _ = services.receive(
        demand(content=f"统一社会信用代码{shop.uscc}的商家卖过期食品"), channel="portal", now=NOW
    )
    assert (by_code.subject, by_code.subject_match) == (shop, "uscc")
    none, _ = services.receive(demand(content="在一家不知名的小超市买到过期面包"), channel="portal", now=NOW)
    assert none.subject is None


def test_dispatch_catalogue_lead_level_and_co_handlers(hotline, province):
    from jianguan.complaints.models import Category
    from jianguan.complaints.routing import Catalogue, route
    from jianguan.platform.services import ensure_sector

    food = Category.objects.get(code="060101")
    noise = Category.objects.get(code="0201")
    # Market regulation goes to the county; noise to the city's environment bureau.
    assert route(food, "370102").lead == province.lixia_market
    assert route(noise, "370102").lead == province.jn_env
    # No environment bureau in 青岛 in this province: up to the provincial one.
    assert route(noise, "370202").lead == province.env
    # Cosmetic medicine: health leads, market regulation co-handles; no health sector here → by hand.
    cosmetic = Category.objects.get(code="010102")
    assert route(cosmetic, "370102").outcome == "no_rule"
    assert route(Category.objects.get(code="0901"), "370102").outcome == "no_rule"
    assert route(None, "370102").outcome == "no_category"
    # The bulk snapshot answers the same.
    catalogue = Catalogue()
    for category, region in [(food, "370102"), (noise, "370202"), (cosmetic, "370102"), (food, "370202")]:
        live, bulk = route(category, region), catalogue.route(category, region)
        assert (live.outcome, live.lead, live.co) == (bulk.outcome, bulk.lead, bulk.co)
    from jianguan.complaints.policy import load_taxonomy
    from jianguan.core.codes import uscc_with_check
    from jianguan.core.models import Region
    from jianguan.platform.services import create_department

    health = create_department(
        name="济南市卫生健康委员会",
        region=Region.objects.get(code="370100"),
        sector=ensure_sector("wsjk", "卫生健康"),
        uscc=uscc_with_check("1137010000000099"),
    )
    load_taxonomy()
    assert route(cosmetic, "370202").outcome == "no_department"  # a health unit only in 济南
    found = route(cosmetic, "370102")
    assert (found.lead, found.co) == (health, [province.jn_market])


def test_co_handlers_are_assigned_and_see_the_order(hotline, province, make_user):
    from jianguan.accounts.choices import Role
    from jianguan.complaints import services
    from jianguan.complaints.permissions import complainant, visible_orders

    order, _ = services.receive(demand(category=None, kind=None), channel="portal", now=NOW)
    services.confirm_classification(order, hotline.operator, kind="complaint", category_code="060101", now=NOW)
    order.refresh_from_db()
    assert (order.state, order.lead_department) == ("dispatched", province.lixia_market)
    # Returned, then reassigned with a co-handler: the co-handler sees it and its personal data.
    services.return_order(order, hotline.lixia_officer, "需要生态环境部门共同处理", now=NOW)
    services.review_return(
        order,
        hotline.operator,
        accept=True,
        comment="改由市局主办，环境局协办",
        lead=province.jn_market,
        co=[province.jn_env],
        now=NOW,
    )
    env_officer = hotline.jn_env_officer
    assert visible_orders(env_officer).filter(pk=order.pk).exists()
    assert complainant(env_officer, order)["masked"] is False
    assert complainant(hotline.lixia_officer, order)["masked"] is True  # no longer assigned
    jn_officer = make_user(Role.OFFICER, department=province.jn_market)
    assert complainant(jn_officer, order) == {"name": "张三丰", "phone": "13912345678", "masked": False}


def test_personal_data_sealed_at_rest_and_masked_for_every_role_but_handlers(hotline, province, make_user):
    from django.db import connection

    from jianguan.accounts.choices import Role
    from jianguan.complaints import services
    from jianguan.complaints.display import public_out
    from jianguan.complaints.permissions import complainant

    order, code = services.receive(demand(), channel="portal", now=NOW)
    with connection.cursor() as cursor:
        cursor.execute("SELECT * FROM complaints_workorder WHERE id = %s", [order.pk])
        stored = " ".join(str(v) for v in cursor.fetchone())
    assert "张三丰" not in stored and "13912345678" not in stored
    assert "张**" in stored and "139****5678" in stored
    clear = {"name": "张三丰", "phone": "13912345678", "masked": False}
    masked = {"name": "张**", "phone": "139****5678", "masked": True}
    viewers = {
        "lead officer": (hotline.lixia_officer, clear),
        "lead admin": (hotline.lixia_admin, clear),
        "hotline operator": (hotline.operator, masked),
        "analyst": (hotline.analyst, masked),
        "leader": (make_user(Role.LEADER, department=province.jn_market), masked),
        "platform admin": (make_user(Role.PLATFORM_ADMIN, department=province.market), masked),
        "auditor": (make_user(Role.AUDITOR, department=province.market), masked),
        "superior's officer": (make_user(Role.OFFICER, department=province.jn_market), masked),
        "other unit's officer": (hotline.shinan_officer, masked),
    }
    for role, (viewer, expected) in viewers.items():
        assert complainant(viewer, order) == expected, role
    # The return-call operators see the phone only while the return call is due.
    services.accept(order, hotline.lixia_officer, now=NOW)
    services.reply(
        order,
        hotline.lixia_officer,
        {
            "is_true": True,
            "is_resolved": True,
            "handling_notes": "已现场检查并责令下架",
            "public_reply": "经核查属实，已责令下架",
        },
        now=NOW,
    )
    assert complainant(hotline.operator, order) == clear
    assert complainant(hotline.analyst, order) == masked
    services.return_call(order, hotline.operator, {"satisfaction": "satisfied"}, now=NOW)
    order.refresh_from_db()
    assert complainant(hotline.operator, order) == masked
    # The citizen's own view never carries personal data; anonymous orders have none to show.
    assert "13912345678" not in str(public_out(order)) and "张" not in str(public_out(order))
    anonymous, _ = services.receive(
        demand(complainant={"anonymous": True, "phone": "13800001111"}), channel="portal", now=NOW
    )
    assert complainant(hotline.lixia_officer, anonymous)["masked"] is True
    assert code and len(code) == 6


def test_read_scope(hotline, province):
    from jianguan.complaints import services
    from jianguan.complaints.permissions import access_order, visible_orders

    jinan, _ = services.receive(demand(), channel="portal", now=NOW)
    qingdao, _ = services.receive(
        demand(content="青岛市市南区香港中路一家超市卖过期食品", address="青岛市市南区香港中路"),
        channel="portal",
        now=NOW,
    )
    assert set(visible_orders(hotline.operator)) == {jinan}  # 济南 operator: 济南 region only
    assert set(visible_orders(hotline.shinan_officer)) == {qingdao}
    assert set(visible_orders(hotline.lixia_officer)) == {jinan}
    assert set(visible_orders(hotline.analyst)) == {jinan, qingdao}  # provincial analyst: province-wide
    with pytest.raises(DomainError):
        access_order(hotline.lixia_officer, qingdao.pk)
    assert not visible_orders(None).exists()


def test_duplicates_merged_keep_every_demand(hotline, make_subject):
    from jianguan.complaints import services
    from jianguan.complaints.display import public_out

    shop = make_subject(name="济南泉城便民超市有限公司")
    text = f"在{shop.name}买到过期的牛奶，喝了以后肚子疼，要求处理"
    first, _ = services.receive(demand(content=text), channel="portal", now=NOW)
    second, code2 = services.receive(
        demand(content=text + "，我也遇到了", complainant={"name": "李四", "phone": "13700001111"}),
        channel="phone",
        now=NOW + dt.timedelta(days=2),
    )
    third, _ = services.receive(
        demand(content=f"{shop.name}门口乱停车，影响通行", category="060105"),
        channel="portal",
        now=NOW + dt.timedelta(days=3),
    )
    much_later, _ = services.receive(demand(content=text), channel="portal", now=NOW + dt.timedelta(days=45))
    second.refresh_from_db()
    assert (second.state, second.merged_into, second.similarity > 0.45) == ("merged", first, True)
    assert third.merged_into is None and much_later.merged_into is None  # other category; outside 30 days
    # Nothing is lost: the merged demand keeps its text and complainant, and is listed on the first.
    assert list(first.merged_demands.values_list("content", flat=True)) == [second.content]
    assert second.complainant_phone_masked == "137****1111"
    # The second citizen follows the first order's handling and can rate it separately.
    services.accept(first, hotline.lixia_officer, now=NOW + dt.timedelta(days=2, hours=1))
    services.reply(
        first,
        hotline.lixia_officer,
        {
            "is_true": True,
            "is_resolved": True,
            "handling_notes": "已到现场查处并立案",
            "public_reply": "经核查属实，商家已被立案查处",
        },
        now=NOW + dt.timedelta(days=3),
    )
    seen = public_out(services.find_for_citizen(second.number, code2))
    assert (seen["state"], seen["merged_into"], seen["can_rate"]) == ("replied", first.number, True)
    assert "立案查处" in seen["public_reply"]
    services.rate_by_citizen(second.number, code2, {"satisfaction": "basic"}, now=NOW + dt.timedelta(days=4))
    second.refresh_from_db()
    first.refresh_from_db()
    assert second.satisfaction == "basic" and first.state == "replied"


def test_classifier_proposes_operator_corrects_and_corrections_train(hotline, settings, tmp_path):
    from jianguan.complaints import classifier, services

    settings.VAR_DIR = str(tmp_path)
    texts = {
        ("complaint", "060101"): [
            "超市卖过期牛奶吃坏肚子",
            "饭店后厨卫生差有老鼠",
            "买到发霉的面包要求赔偿",
            "外卖里吃出虫子",
        ],
        ("report", "0202"): [
            "工厂夜间偷排黑烟气味刺鼻",
            "河道发黑发臭有人排污",
            "有人倾倒工业废料",
            "企业偷排废水污染河流",
        ],
        ("help", "0204"): ["小区停水没有通知", "暖气不热室温很低", "家里停电好几个小时", "供水管道爆裂没有水"],
    }
    for (kind, code), contents in texts.items():
        for number, content in enumerate(contents):
            order, _ = services.receive(
                demand(content=f"济南市历下区{content}，请处理{number}", kind=None, category=None),
                channel="portal",
                now=NOW,
            )
            services.confirm_classification(order, hotline.operator, kind=kind, category_code=code, now=NOW)
    assert classifier.proposer("kind") is None
    result = services.train_from_orders()
    assert result == {"trained_on": 12, "kinds": 3, "categories": 3}
    proposed, _ = services.receive(
        demand(content="济南市历下区超市卖过期牛奶，吃了肚子疼", kind=None, category=None), channel="portal", now=NOW
    )
    assert proposed.proposed_kind == "complaint" and proposed.proposed_category.code == "060101"
    assert 0 < proposed.proposed_category_confidence <= 1 and proposed.state == "received"
    services.confirm_classification(proposed, hotline.operator, kind="report", category_code="060103", now=NOW)
    proposed.refresh_from_db()
    assert proposed.classification_corrected and proposed.state == "dispatched"
    with pytest.raises(DomainError):
        services.confirm_classification(proposed, hotline.operator, kind="report", category_code="060103", now=NOW)


def test_attachments_checked_and_stored_with_their_hash(hotline, settings, tmp_path):
    import hashlib

    from jianguan.complaints import services

    settings.MEDIA_ROOT = str(tmp_path)
    photo = b"\x89PNG\r\n\x1a\n" + b"0" * 100
    order, _ = services.receive(
        demand(), channel="portal", attachments=[services.Attachment("现场.png", photo)], now=NOW
    )
    assert order.attachments[0]["sha256"] == hashlib.sha256(photo).hexdigest()
    assert (tmp_path / order.attachments[0]["path"]).read_bytes() == photo
    # Staff who may see the order download it; others get a 404 like for a missing order.
    from django.test import Client

    handler, outsider = Client(), Client()
    handler.force_login(hotline.lixia_officer)
    outsider.force_login(hotline.shinan_officer)
    url = f"/complaints/{order.number}/attachments/{order.attachments[0]['sha256']}/"
    assert b"".join(handler.get(url).streaming_content) == photo
    assert outsider.get(url).status_code == 404
    assert handler.get(f"/complaints/{order.number}/attachments/{'0' * 64}/").status_code == 404
    for bad, code in [
        ([services.Attachment("x.exe", b"MZ")], "attachment_type"),
        ([services.Attachment("x.png", b"")], "attachment_size"),
        ([services.Attachment(f"{i}.png", photo) for i in range(6)], "too_many_attachments"),
    ]:
        before = order.__class__.objects.count()
        with pytest.raises(DomainError) as refused:
            services.receive(demand(), channel="portal", attachments=bad, now=NOW)
        assert refused.value.code == code and order.__class__.objects.count() == before
