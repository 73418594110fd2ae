"""The spot-check screens and the public page, through the Django client and in Chromium."""

import datetime as dt

import pytest
from django.test import Client

from tests.conftest import log_in


@pytest.fixture
def scene(province, make_subject, make_officer):
    from jianguan.catalog.schemas import CheckPointIn, SupervisionItemIn
    from jianguan.catalog.services import add_check_point, create_item

    create_item(
        SupervisionItemIn(
            code="37010001020000",
            name="对食品经营者的双随机抽查",
            department=str(province.market.pk),
            sector_code="scjg",
            random_check=True,
            effective_from=dt.date(2020, 1, 1),
        )
    )
    add_check_point(
        CheckPointIn(item_code="37010001020000", code="01", content="营业执照公示情况", check_type="random")
    )
    subjects = [make_subject(f"公开抽查对象{n}有限公司", county="370102", industry_code="H6210") for n in range(10)]
    officers = [make_officer(department=province.lixia_market) for _ in range(4)]
    return subjects, officers


def test_screens_follow_scope_and_the_public_page_needs_no_login(scene, province, make_user):
    from jianguan.spotcheck.services import add_batch, approve_batch, commit_seed, create_plan, draw_batch

    plan = create_plan(province.jn_market, 2026, "计划")
    batch = add_batch(
        plan,
        title="第一批",
        starts_on=dt.date(2026, 4, 1),
        ends_on=dt.date(2026, 6, 30),
        item_codes=["37010001020000"],
        pool_filter={"regions": ["370102"]},
        quotas={"B": {"ratio": 0.2}},
    )
    admin = Client()
    admin.force_login(make_user("department_admin", department=province.jn_market))
    assert admin.get(f"/spotchecks/batches/{batch.pk}/").status_code == 200
    outsider = Client()
    outsider.force_login(make_user("department_admin", department=province.qd_market))
    assert outsider.get(f"/spotchecks/batches/{batch.pk}/").status_code == 404
    assert Client().get(f"/public/spotchecks/{batch.pk}/").status_code == 404  # not drawn: not public
    approve_batch(batch)
    commit_seed(batch)
    draw = draw_batch(batch)
    page = Client().get(f"/public/spotchecks/{batch.pk}/?verify=1").content.decode()
    assert draw.seed in page and draw.pool_hash in page and 'id="verification"' in page
    assert "text-bg-success" in page
    pool = admin.get(f"/spotchecks/batches/{batch.pk}/pool/")
    assert pool.status_code == 200 and pool.content.count(b"\n") == 10
    assert outsider.get(f"/spotchecks/batches/{batch.pk}/pool/").status_code == 404


@pytest.mark.browser
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_browser_plan_from_creation_to_published_results(
    flushable_audit, live_server, scene, province, make_user, browser_page
):
    user = make_user("department_admin", department=province.jn_market)
    page = browser_page
    log_in(page, live_server.url, user.username)
    page.goto(f"{live_server.url}/spotchecks/")
    page.fill("#new-plan input[name=title]", "2026年度食品经营双随机抽查计划")
    page.click("#new-plan button")
    page.wait_for_selector("#new-batch")
    page.fill("#b-title", "第一批")
    page.fill("#b-start", "2026-04-01")
    page.fill("#b-end", "2026-06-30")
    page.select_option("#b-items", "37010001020000")
    page.fill("#b-regions", "370102")
    page.fill("#ratio-B", "20")
    page.click("#new-batch button")
    page.wait_for_selector("#batch-status")
    assert "草稿" in page.inner_text("#batch-status")
    page.click("#approve")
    page.click("#commit")
    page.wait_for_selector("#draw")
    seed_hash = page.inner_text("#seed-hash")
    assert len(seed_hash) == 64
    page.click("#actions #draw")
    page.wait_for_selector("#tasks")
    assert "已抽取" in page.inner_text("#batch-status")
    for _ in range(2):
        page.click("#tasks a.btn")
        page.wait_for_selector("#result-form")
        # The result page is made for a phone: at 390 px nothing is wider than the screen.
        page.set_viewport_size({"width": 390, "height": 844})
        assert page.evaluate("document.documentElement.scrollWidth") <= 390
        page.set_viewport_size({"width": 1280, "height": 800})
        page.check("input[value=pass]", force=True)
        page.select_option("#result", "01")
        page.click("#save-result")
        page.wait_for_selector("#batch-status")
    assert "已完成" in page.inner_text("#batch-status")
    page.click("#publish")
    page.wait_for_selector("text=已公示")
    batch_id = page.url.rstrip("/").split("/")[-1]
    page.goto(f"{live_server.url}/public/spotchecks/{batch_id}/")
    assert seed_hash in page.inner_text("#public-commitment")
    assert "未发现问题" in page.inner_text("#public-results")
    page.click("#verify-now")
    page.wait_for_selector("#verification")
    assert "一致" in page.inner_text("#verification") or "Verified" in page.inner_text("#verification")
