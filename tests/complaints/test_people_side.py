"""What people read on the 12345 screens and the public complaint pages: state, step and choice names
instead of codes, deadlines as the close of their day, the analysis in names and pages, the rating
with nothing chosen, tracking without the query code in any address, and the pin on the map."""

import datetime as dt
import html
import re

import pytest
from django.test import Client
from django.utils import timezone, translation

from tests.complaints.conftest import FORM, MILK
from tests.ui_text import leaked_codes

pytestmark = pytest.mark.django_db


def visible_text(page: str) -> str:
    """The text a person reads: no scripts, styles, tags or attribute values."""
    page = re.sub(r"<(script|style)\b.*?</\1>", " ", page, flags=re.S)
    return html.unescape(re.sub(r"<[^>]+>", " ", page))


def urls_in(page: str) -> list[str]:
    return [html.unescape(u) for u in re.findall(r'(?:href|action|src)="([^"]*)"', page)]


def staff(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def receive(**changes):
    from jianguan.complaints import services

    return services.receive({**MILK, **changes}, channel="portal")


def replied(hotline):
    """An order dispatched to 历下区, signed, answered: waiting for the citizen's rating."""
    from jianguan.complaints import services

    order, code = receive()
    services.accept(order, hotline.lixia_officer)
    services.reply(order, hotline.lixia_officer, FORM)
    return order, code


def track(client: Client, number: str, code: str):
    return client.post("/public/complaints/track/", {"number": number, "code": code})


# ---- 1. the queue's state column ----


def test_queue_shows_each_orders_state_by_its_workflow_name(hotline):
    order, _code = receive()
    page = staff(hotline.operator).get("/complaints/").content.decode()
    cells = re.findall(r'<td class="order-state[^"]*">([^<]*)</td>', page)
    assert cells == ["待签收"]  # the definition's name for `dispatched`, never empty
    assert leaked_codes(visible_text(page), allow={hotline.operator.username}) == set()


# ---- 2. codes and English on the complaint screens ----


def test_detail_history_proposals_and_rating_are_named_not_coded(hotline):
    from jianguan.complaints import services
    from jianguan.complaints.models import Category, WorkOrder

    order, _code = replied(hotline)
    services.return_call(order, hotline.operator, {"satisfaction": "satisfied", "comment": ""})
    WorkOrder.objects.filter(pk=order.pk).update(
        proposed_kind="suggestion",
        proposed_kind_confidence=0.9,
        proposed_category=Category.objects.get(code="060101"),
        proposed_category_confidence=0.8731,
    )
    page = staff(hotline.operator).get(f"/complaints/{order.number}/").content.decode()
    text = visible_text(page)
    history = visible_text(re.search(r'<ol class="small" id="history">.*?</ol>', page, re.S).group(0))
    assert "派单 · 已受理待派单 → 待签收" in history and "签收 · 待签收 → 办理中" in history
    assert "回访办结" in history and "dispatch" not in history and "→ dispatched" not in history
    kind = visible_text(re.search(r'<span id="proposed-kind">.*?</span></span>', page, re.S).group(0))
    assert "建议" in kind and "90%" in kind and "suggestion" not in kind and "0.90" not in kind
    category = visible_text(re.search(r'<span id="proposed-category">.*?</span></span>', page, re.S).group(0))
    assert Category.objects.get(code="060101").name in category and "87%" in category
    assert "满意" in visible_text(re.search(r'<dd class="col-sm-9" id="satisfaction">.*?</dd>', page, re.S).group(0))
    assert leaked_codes(text, allow={hotline.operator.username}) == set()


def test_supervision_and_extension_notes_read_by_name(hotline):
    from jianguan.complaints import services

    order, _code = receive()
    services.accept(order, hotline.lixia_officer)
    services.request_extension(order, hotline.lixia_officer, 3, "样品送检")
    services.urge(order, hotline.operator, note="请尽快办理")
    page = staff(hotline.operator).get(f"/complaints/{order.number}/").content.decode()
    history = visible_text(re.search(r'<ol class="small" id="history">.*?</ol>', page, re.S).group(0))
    assert "manual" not in history and "请尽快办理" in history
    assert "request_extension" not in history and "3: 样品送检" not in history and "样品送检" in history
    assert leaked_codes(visible_text(page), allow={hotline.operator.username}) == set()


def test_public_tracking_names_the_rating_and_leaks_no_code(hotline):
    from jianguan.complaints import services

    order, code = replied(hotline)
    citizen = Client()
    track(citizen, order.number, code)
    services.rate_found_order(order, {"satisfaction": "basic", "comment": "还行"})
    page = citizen.get(f"/public/complaints/track/{order.number}/").content.decode()
    rating = visible_text(re.search(r'id="track-rating">.*?</dd>', page, re.S).group(0))
    assert "基本满意" in rating and "basic" not in rating
    assert leaked_codes(visible_text(page)) == set()


# ---- 7. deadlines: the close of the working day ----


def test_a_working_day_deadline_reads_as_its_last_day_not_midnight_of_the_next(hotline):
    from jianguan.workflow.labels import deadline_text

    order, _code = receive()
    local = timezone.localtime(order.due_at)
    assert local.time() == dt.time(0)  # the close of day D is stored as 00:00 of D + 1
    last_day = (local - dt.timedelta(days=1)).date().isoformat()
    with translation.override("en"):
        assert deadline_text(order.due_at) == f"{last_day} (by close of day)"
        urgent = local.replace(hour=15, minute=20)
        assert deadline_text(urgent) == f"{local.date().isoformat()} 15:20 (before)"
    queue = staff(hotline.operator).get("/complaints/").content.decode()
    detail = staff(hotline.operator).get(f"/complaints/{order.number}/").content.decode()
    midnight = local.strftime("%Y-%m-%d 00:00")
    for page in (queue, detail):
        assert last_day in page and midnight not in page


# ---- 3. the analysis ----


def test_analysis_names_the_province_level_and_marks_the_current_month(hotline, province):
    from jianguan.complaints import analysis
    from jianguan.core.models import Region

    receive()
    receive(content="山东省内一家网店虚假宣传，要求调查处理", address="", kind=None, category=None)
    data = analysis.report(hotline.analyst)
    codes = {row["code"] for row in data["by_city"]}
    assert "370000" in codes  # no city found: the order sits at the province's office
    with translation.override("en"):
        labels = {row["code"]: row["city"] for row in analysis.report(hotline.analyst)["by_city"]}
    assert labels["370000"] == "Province level" and labels["370100"] == Region.objects.get(code="370100").name
    client = staff(hotline.analyst)
    page = client.get("/complaints/analysis/").content.decode()
    cities = re.search(r'<script id="plot-cities" type="application/json">(.*?)</script>', page, re.S).group(1)
    assert "370000" not in cities
    today = timezone.localdate()
    assert 'id="partial-month"' in page and str(today.day) in visible_text(page.split('id="partial-month"')[1][:200])
    assert '"partial_last": true' in page
    before = (today.replace(day=1) - dt.timedelta(days=1)).isoformat()
    assert 'id="partial-month"' not in client.get("/complaints/analysis/", {"end": before}).content.decode()
    units = re.search(r'<script id="plot-units" type="application/json">(.*?)</script>', page, re.S).group(1)
    assert '"horizontal": true' in units
    assert leaked_codes(visible_text(page), allow={hotline.analyst.username}) == set()


def test_analysis_pages_the_units_table(hotline, province, monkeypatch):
    from jianguan.complaints import services, views

    receive()
    services.receive(
        {**MILK, "content": "青岛市市南区一家餐馆卫生很差，要求检查", "address": "青岛市市南区香港中路"},
        channel="portal",
    )
    monkeypatch.setattr(views, "UNITS_PER_PAGE", 1)
    client = staff(hotline.analyst)
    first = client.get("/complaints/analysis/").content.decode()
    table = re.search(r'<table class="table table-sm small" id="units">.*?</table>', first, re.S).group(0)
    assert table.count("<tr>") == 2  # the header and one unit
    assert 'id="units-pages"' in first and "units_page=2" in first
    second = client.get("/complaints/analysis/", {"units_page": 2}).content.decode()
    other = re.search(r'<table class="table table-sm small" id="units">.*?</table>', second, re.S).group(0)
    assert other != table and other.count("<tr>") == 2


# ---- 4. the first filing does not wait for the classifier ----


def test_the_wsgi_application_loads_the_classifier_before_serving(hotline, settings, tmp_path):
    import importlib

    import pandas as pd

    from jianguan.complaints import classifier

    settings.VAR_DIR = str(tmp_path)
    texts = ["超市卖过期牛奶", "餐馆卫生很差", "网店虚假宣传", "药店卖假药"] * 3
    for target in classifier.TARGETS:
        frame = pd.DataFrame({"text": texts, "label": ["a", "b"] * 6})
        classifier.train(frame, classifier.model_path(target))
    classifier._loaded.clear()
    import jianguan.config.wsgi as wsgi

    importlib.reload(wsgi)
    assert set(classifier._loaded) == set(classifier.TARGETS)


# ---- 5. the rating: nothing preselected, a choice required ----


def test_rating_form_preselects_nothing_and_refuses_no_choice_in_both_languages(hotline):

    order, code = replied(hotline)
    citizen = Client()
    track(citizen, order.number, code)
    page = citizen.get(f"/public/complaints/track/{order.number}/").content.decode()
    radios = re.findall(r'<input class="form-check-input[^"]*" type="radio" name="satisfaction"[^>]*>', page)
    assert len(radios) == 3 and not any("checked" in r for r in radios)
    refused = citizen.post(f"/public/complaints/track/{order.number}/rating/", {"comment": "没选"})
    assert refused.status_code == 400
    error = re.search(
        r'<div class="invalid-feedback d-block" id="id_satisfaction-error">(.*?)</div>', refused.content.decode()
    )
    assert error and error.group(1) == "这个字段是必填项。"
    citizen.post("/i18n/setlang/", {"language": "en", "next": "/public/complaints/"})
    english = citizen.post(f"/public/complaints/track/{order.number}/rating/", {"comment": "none"}).content.decode()
    assert 'id="id_satisfaction-error">This field is required.</div>' in english
    order.refresh_from_db()
    assert order.state == "replied" and order.satisfaction == ""  # nothing was recorded
    done = citizen.post(f"/public/complaints/track/{order.number}/rating/", {"satisfaction": "satisfied"})
    assert done.status_code == 302
    order.refresh_from_db()
    assert order.state == "closed" and order.satisfaction == "satisfied" and order.rated_by_citizen


# ---- 6. tracking without the query code in any address ----


def test_tracking_needs_the_code_posted_and_no_url_carries_it(hotline):
    from jianguan.complaints import services

    citizen = Client()
    filed = citizen.post("/public/complaints/", {"content": MILK["content"], "address": MILK["address"]})
    assert filed.status_code == 200
    page = filed.content.decode()
    number = re.search(r'id="filed-number">(\d{18})<', page).group(1)
    code = re.search(r'id="filed-code">(\d{6})<', page).group(1)
    seen = urls_in(page)
    # The filer follows it in the same browser session, by the number alone.
    status = citizen.get(f"/public/complaints/track/{number}/")
    assert status.status_code == 200 and "track-steps" in status.content.decode()
    seen += urls_in(status.content.decode())
    # Another browser: the number alone opens nothing; a code in the address is not used.
    other = Client()
    assert other.get(f"/public/complaints/track/{number}/")["Location"] == f"/public/complaints/track/?number={number}"
    old_link = other.get("/public/complaints/track/", {"number": number, "code": code})
    assert old_link.status_code == 302 and old_link["Location"] == f"/public/complaints/track/?number={number}"
    assert "track-steps" not in other.get(old_link["Location"]).content.decode()
    wrong = track(other, number, "000000" if code != "000000" else "111111")
    assert wrong.status_code == 400 and "track-error" in wrong.content.decode()
    found = track(other, number, code)
    assert found.status_code == 302 and found["Location"] == f"/public/complaints/track/{number}/"
    seen.append(found["Location"])
    order = services.find_for_citizen(number, code)
    services.confirm_classification(order, hotline.operator, kind="complaint", category_code="060101")
    services.accept(order, hotline.lixia_officer)
    services.reply(order, hotline.lixia_officer, FORM)
    status = other.get(found["Location"]).content.decode()
    seen += urls_in(status)
    rated = other.post(f"/public/complaints/track/{number}/rating/", {"satisfaction": "satisfied"})
    seen.append(rated["Location"])
    seen += urls_in(other.get(rated["Location"]).content.decode())
    assert seen and all(code not in url and "code=" not in url for url in seen), seen


def test_track_form_errors_sit_beside_their_fields(db, hotline):
    response = track(Client(), "12345", "abc")
    assert response.status_code == 400
    page = response.content.decode()
    assert 'id="id_number-error"' in page and 'id="id_code-error"' in page


# ---- 8. the pin on the map ----


def test_shipped_county_boundaries_name_the_county_of_a_point():
    from jianguan.complaints import geo

    assert len(geo.counties()) >= 130
    assert geo.county_at(36.6615, 117.0233).code == "370102"  # 泉城广场, 历下区
    assert geo.county_at(36.0671, 120.3826).code == "370202"  # 五四广场, 市南区
    assert geo.county_at(31.23, 121.47) is None  # 上海
    assert geo.in_province_box(36.0, 118.0) and not geo.in_province_box(31.23, 121.47)


def test_a_pin_is_filed_with_its_county_and_shown_to_staff_and_citizen(hotline):
    from jianguan.complaints.models import WorkOrder

    citizen = Client()
    page = citizen.post(
        "/public/complaints/",
        {"content": "这里有一家无证小作坊生产糕点，卫生很差", "latitude": "36.6615", "longitude": "117.0233"},
    ).content.decode()
    number = re.search(r'id="filed-number">(\d{18})<', page).group(1)
    order = WorkOrder.objects.get(number=number)
    assert (order.latitude, order.longitude) == (36.6615, 117.0233)
    assert order.region_id == "370102"  # no address: the county comes from the pin (泉城广场, 历下区)
    assert order.region_confidence == 0.8
    status = citizen.get(f"/public/complaints/track/{number}/").content.decode()
    assert 'id="pin-map"' in status and 'data-lat="36.661500"' in status and 'data-lng="117.023300"' in status
    assert "complaints/shandong-counties.json" in status
    detail = staff(hotline.operator).get(f"/complaints/{number}/").content.decode()
    assert 'id="pin-map"' in detail and 'data-lat="36.661500"' in detail and "· 历下区" in detail


@pytest.mark.parametrize(
    ("latitude", "longitude", "field"),
    [
        ("31.23", "121.47", "id_latitude"),  # 上海: outside the province
        ("north", "120.38", "id_latitude"),
        ("36.06", "", "id_latitude"),  # half a point
        ("36.06", "1e400", "id_longitude"),
    ],
)
def test_a_bad_pin_is_refused_beside_the_map_in_both_languages(hotline, latitude, longitude, field):
    from jianguan.complaints.models import WorkOrder

    data = {"content": "这里有一家无证小作坊生产糕点", "latitude": latitude, "longitude": longitude}
    chinese = Client().post("/public/complaints/", data)
    assert chinese.status_code == 400 and f'id="{field}-error"' in chinese.content.decode()
    english = Client()
    english.post("/i18n/setlang/", {"language": "en", "next": "/public/complaints/"})
    page = english.post("/public/complaints/", data).content.decode()
    message = re.search(rf'id="{field}-error">(.*?)</div>', page).group(1)
    assert message and not re.search(r"[\u4e00-\u9fff]", message)
    assert not WorkOrder.objects.exists()


def test_the_intake_standard_refuses_a_point_outside_the_province(hotline):
    from jianguan.complaints import services
    from jianguan.core.errors import DomainError

    with pytest.raises(DomainError) as refused:
        services.receive({**MILK, "latitude": 31.23, "longitude": 121.47}, channel="portal")
    body = refused.value.as_body()["errors"][0]
    assert body["message"].endswith("地图位置不在本省范围内") and "outside the province" in body["message_en"]


# ---- 9. the public steps and the current step's deadline ----


def test_tracking_lists_every_public_step_with_its_time_and_no_staff_names(hotline, province):
    from jianguan.complaints import services

    order, code = receive()
    services.return_order(order, hotline.lixia_officer, "该超市不在本辖区，请改派")
    services.review_return(order, hotline.operator, accept=True, comment="改派", lead=province.jn_market)
    citizen = Client()
    track(citizen, order.number, code)
    page = citizen.get(f"/public/complaints/track/{order.number}/").content.decode()
    steps = re.search(r'<ol class="list-group list-group-numbered small mb-3" id="track-steps">(.*?)</ol>', page, re.S)
    items = re.findall(r"<li.*?</li>", steps.group(1), re.S)
    names = [visible_text(i).split("→")[0].strip() for i in items]
    assert names[1:] == ["派单", "退单", "改派"]
    assert all(re.search(r"\d{4}-\d{2}-\d{2} \d{2}:\d{2}", i) for i in items)
    text = visible_text(page)
    for private in ("该超市不在本辖区", hotline.lixia_officer.display_name, hotline.operator.display_name, "张三"):
        assert private not in text
    order.refresh_from_db()
    assert 'id="track-step-due"' in page and 'id="track-due"' in page
    last_day = (timezone.localtime(order.due_at) - dt.timedelta(days=1)).date().isoformat()
    assert last_day in visible_text(re.search(r'id="track-due">.*?</dd>', page, re.S).group(0))


def test_the_operators_return_call_chooses_no_answer_for_the_caller(hotline):
    order, _code = replied(hotline)
    page = staff(hotline.operator).get(f"/complaints/{order.number}/").content.decode()
    form = re.search(r'<form[^>]*id="return-call-form">.*?</form>', page, re.S).group(0)
    options = re.findall(r"<option[^>]*>", form)
    assert options[0] == '<option value="" selected>' and all("selected" not in o for o in options[1:])
    staff(hotline.operator).post(f"/complaints/{order.number}/return_call/", {"comment": ""})
    order.refresh_from_db()
    assert order.state == "replied" and order.satisfaction == ""
