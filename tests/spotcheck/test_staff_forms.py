"""The staff forms of spot checks: a bad post shows its error beside the field and writes nothing."""

import datetime as dt

import pytest
from django.test import Client

from tests.conftest import log_in

ITEM = "37010001020000"
FOREIGN_ITEM = "37020001020000"  # 青岛's item: not one 济南 may plan


@pytest.fixture
def planner(province, make_user):
    from jianguan.catalog.schemas import SupervisionItemIn
    from jianguan.catalog.services import create_item
    from jianguan.spotcheck.services import create_plan

    for code, department in [(ITEM, province.market), (FOREIGN_ITEM, province.qd_market)]:
        create_item(
            SupervisionItemIn(
                code=code,
                name="对食品经营者的双随机抽查",
                department=str(department.pk),
                sector_code="scjg",
                random_check=True,
                effective_from=dt.date(2020, 1, 1),
            )
        )
    client = Client()
    client.force_login(make_user("department_admin", department=province.jn_market))
    return client, create_plan(province.jn_market, 2026, "济南市年度计划")


GOOD = {
    "title": "第一批",
    "starts_on": "2026-04-01",
    "ends_on": "2026-06-30",
    "items": [ITEM],
    "regions": "370102",
    "capacity": "20",
    "ratio_A": "5",
    "ratio_B": "20",
    "ratio_C": "50",
    "ratio_D": "100",
}


def _field_error(response, name: str) -> bool:
    page = response.content.decode()
    return f'id="error-{name}"' in page and f'name="{name}"' in page


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"ratio_B": "150"}, "ratio_B"),
        ({"ratio_C": "-1"}, "ratio_C"),
        ({"ratio_A": "五"}, "ratio_A"),
        ({"ratio_D": ""}, "ratio_D"),
        ({"starts_on": "2026-07-01"}, "ends_on"),
        ({"ends_on": "30/06/2026"}, "ends_on"),
        ({"starts_on": ""}, "starts_on"),
        ({"items": [FOREIGN_ITEM]}, "items"),
        ({"items": []}, "items"),
        ({"capacity": "many"}, "capacity"),
        ({"capacity": "0"}, "capacity"),
        ({"regions": "3701,济南"}, "regions"),
    ],
)
def test_a_bad_batch_is_shown_again_with_the_error_beside_its_field(planner, change, field):
    from jianguan.spotcheck.models import Batch

    client, plan = planner
    response = client.post(f"/spotchecks/plans/{plan.pk}/", {**GOOD, **change})
    assert response.status_code == 200
    assert _field_error(response, field)
    assert "is-invalid" in response.content.decode()
    assert not Batch.objects.exists()


def test_the_ratio_fields_follow_the_policy_grades_and_a_good_batch_is_added(planner):
    from jianguan.spotcheck.models import Batch
    from jianguan.spotcheck.policy import default_quotas

    client, plan = planner
    page = client.get(f"/spotchecks/plans/{plan.pk}/").content.decode()
    for grade in default_quotas():
        assert f'name="ratio_{grade}"' in page
    assert FOREIGN_ITEM not in page  # only the items 济南 may plan are offered
    response = client.post(f"/spotchecks/plans/{plan.pk}/", GOOD)
    batch = Batch.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/spotchecks/batches/{batch.pk}/"
    assert batch.quotas["B"]["ratio"] == pytest.approx(0.2) and batch.quotas["D"]["ratio"] == 1
    assert batch.pool_filter["regions"] == ["370102"] and list(batch.items.values_list("code", flat=True)) == [ITEM]


def test_an_item_not_in_force_at_the_start_is_refused_beside_the_items(planner, province):
    from jianguan.catalog.schemas import SupervisionItemIn
    from jianguan.catalog.services import create_item
    from jianguan.spotcheck.models import Batch

    create_item(
        SupervisionItemIn(
            code="37010001090000",
            name="明年起施行的抽查事项",
            department=str(province.market.pk),
            sector_code="scjg",
            random_check=True,
            effective_from=dt.date(2027, 1, 1),
        )
    )
    client, plan = planner
    response = client.post(f"/spotchecks/plans/{plan.pk}/", {**GOOD, "items": ["37010001090000"]})
    assert response.status_code == 200 and _field_error(response, "items")
    assert "37010001090000" in response.content.decode()
    assert not Batch.objects.exists()


@pytest.mark.parametrize(
    ("post", "field"),
    [
        ({"year": "", "title": "计划"}, "year"),
        ({"year": "二〇二六", "title": "计划"}, "year"),
        ({"year": "2026"}, "title"),
    ],
)
def test_a_bad_plan_is_shown_again_with_the_error_beside_its_field(planner, post, field):
    from jianguan.spotcheck.models import Plan

    client, _plan = planner
    response = client.post("/spotchecks/", post)
    assert response.status_code == 200 and _field_error(response, field)
    assert Plan.objects.count() == 1


def test_a_second_plan_of_the_same_title_is_refused_beside_the_title(planner):
    from jianguan.spotcheck.models import Plan

    client, plan = planner
    response = client.post("/spotchecks/", {"year": "2026", "title": plan.title})
    assert response.status_code == 200 and _field_error(response, "title")
    assert Plan.objects.count() == 1
    created = client.post("/spotchecks/", {"year": "2027", "title": plan.title})
    assert created.status_code == 302 and Plan.objects.count() == 2


def test_plans_and_batches_are_not_created_by_readers(planner, province, make_user):
    from jianguan.spotcheck.models import Batch, Plan

    _client, plan = planner
    reader = Client()
    reader.force_login(make_user("analyst", department=province.jn_market))
    assert reader.post("/spotchecks/", {"year": "2026", "title": "另一计划"}).status_code == 404
    assert reader.post(f"/spotchecks/plans/{plan.pk}/", GOOD).status_code == 404
    assert Plan.objects.count() == 1 and not Batch.objects.exists()


@pytest.fixture
def drawn(planner, make_subject, make_officer, province):
    from jianguan.spotcheck.services import add_batch, approve_batch, commit_seed

    client, plan = planner
    for n in range(4):
        make_subject(f"表单抽查对象{n}有限公司", county="370102", industry_code="H6210")
    for _ in range(4):
        make_officer(department=province.jn_market)
    batch = add_batch(
        plan,
        title="第一批",
        starts_on=dt.date(2026, 4, 1),
        ends_on=dt.date(2026, 6, 30),
        item_codes=[ITEM],
        pool_filter={"regions": ["370102"]},
        quotas={"B": {"ratio": 0.5}},
    )
    approve_batch(batch)
    commit_seed(batch)
    return client, batch


def test_the_draw_refuses_an_overlong_entropy_beside_the_field_and_draws_nothing(drawn):
    from jianguan.spotcheck.models import Draw

    client, batch = drawn
    response = client.post(f"/spotchecks/batches/{batch.pk}/draw/", {"public_entropy": "9" * 201})
    assert response.status_code == 200 and _field_error(response, "public_entropy")
    assert not Draw.objects.exists()
    done = client.post(f"/spotchecks/batches/{batch.pk}/draw/", {"public_entropy": " 体彩 2026-100 "})
    assert done.status_code == 302 and Draw.objects.get().public_entropy == "体彩 2026-100"


def test_cancelling_a_draw_without_a_reason_is_refused_beside_the_reason(drawn):
    from jianguan.spotcheck.choices import BatchStatus
    from jianguan.spotcheck.services import draw_batch

    client, batch = drawn
    draw_batch(batch)
    response = client.post(f"/spotchecks/batches/{batch.pk}/cancel/", {"reason": "   "})
    assert response.status_code == 200 and _field_error(response, "reason")
    batch.refresh_from_db()
    assert batch.status == BatchStatus.DRAWN and not batch.cancel_reason
    done = client.post(f"/spotchecks/batches/{batch.pk}/cancel/", {"reason": "抽取范围有误"})
    batch.refresh_from_db()
    assert done.status_code == 302 and batch.status == BatchStatus.CANCELLED and batch.cancel_reason == "抽取范围有误"


@pytest.mark.browser
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_browser_batch_form_shows_each_error_beside_its_field_on_a_phone_too(
    flushable_audit, live_server, province, make_user, browser_page, screenshot
):
    from jianguan.catalog.schemas import SupervisionItemIn
    from jianguan.catalog.services import create_item
    from jianguan.spotcheck.models import Batch
    from jianguan.spotcheck.services import create_plan

    create_item(
        SupervisionItemIn(
            code=ITEM,
            name="对食品经营者的双随机抽查",
            department=str(province.market.pk),
            sector_code="scjg",
            random_check=True,
            effective_from=dt.date(2020, 1, 1),
        )
    )
    plan = create_plan(province.jn_market, 2026, "济南市年度计划")
    page = browser_page
    log_in(page, live_server.url, make_user("department_admin", department=province.jn_market).username)
    page.goto(f"{live_server.url}/spotchecks/plans/{plan.pk}/")
    page.fill("#b-start", "2026-07-01")
    page.fill("#b-end", "2026-06-30")
    page.fill("#b-regions", "3701,济南")
    page.fill("#ratio-B", "150")
    page.click("#new-batch button")
    page.wait_for_selector("#error-ratio_B")
    for name in ("ends_on", "items", "regions", "ratio_B"):
        assert page.is_visible(f"#error-{name}")
    # Each message sits right under its own field.
    ratio, error = page.locator("#ratio-B").bounding_box(), page.locator("#error-ratio_B").bounding_box()
    assert abs(error["x"] - ratio["x"]) < 2 and 0 <= error["y"] - (ratio["y"] + ratio["height"]) < 12
    assert page.input_value("#ratio-B") == "150" and page.input_value("#b-start") == "2026-07-01"
    screenshot(page, "spotcheck-batch-form-errors", width=1400)
    screenshot(page, "spotcheck-batch-form-errors", width=390, height=844)
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    assert not Batch.objects.exists()
