"""In Chromium: the campaign chart names every department's bar, the combined check sheet is filled
in on a 390 px phone, and the joint, rectification and credit lists keep readable columns there."""

import datetime as dt

import pytest

from tests.conftest import PASSWORD

pytestmark = pytest.mark.browser


@pytest.fixture
def people(setup, province, make_user):
    from jianguan.joint.services import setup as joint_setup

    joint_setup()
    return {
        "lixia": make_user("officer", department=province.lixia_market),
        "jn_admin": make_user("department_admin", department=province.jn_market),
    }


NARROWEST = """() => Math.min(...Array.from(document.querySelectorAll('main td, main th, .container td, .container th'))
  .filter(c => c.offsetParent !== null && c.innerText.trim().length > 1).map(c => c.getBoundingClientRect().width))"""


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_campaign_chart_check_sheet_and_lists_on_a_phone(
    flushable_audit, live_server, setup, province, people, make_subject, browser_page, screenshot
):
    from jianguan.catalog.schemas import CheckPointIn
    from jianguan.catalog.services import add_check_point
    from jianguan.core.codes import uscc_with_check
    from jianguan.core.models import Region
    from jianguan.joint.services import create_campaign
    from jianguan.platform.services import create_department, ensure_sector

    for code, content in [("01", "食品经营许可证是否有效"), ("02", "从业人员健康证明"), ("03", "进货查验记录")]:
        add_check_point(CheckPointIn(item_code=setup.item.code, code=code, content=content, check_type="random"))
    extra = []
    for n, (sector, sector_name, name) in enumerate(
        [
            ("wsjk", "卫生健康", "济南市卫生健康委员会"),
            ("jyty", "教育", "济南市教育局"),
            ("jtys", "交通运输", "济南市交通运输局"),
        ]
    ):
        extra.append(create_department(
            name=name, region=Region.objects.get(code="370100"), sector=ensure_sector(sector, sector_name),
            uscc=uscc_with_check(f"113701000000{n + 80:04d}"),
        ))  # fmt: skip
    campaign = create_campaign(
        province.jn_market,
        title="校园食品安全专项整治",
        participants=[province.lixia_market, *extra],
        item_ids=[setup.item.pk],
        target_filter={"subject_ids": [setup.subject.pk, make_subject("历下食堂一号有限公司").pk]},
        actor=people["jn_admin"],
        starts_on=dt.date(2026, 9, 1),
        ends_on=dt.date(2026, 10, 31),
        justification="校园食品安全专项整治",
    )
    page = browser_page
    page.goto(f"{live_server.url}/login/")
    page.fill("#id_username", people["lixia"].username)
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_selector("#workbench")
    page.set_viewport_size({"width": 1400, "height": 900})
    page.goto(f"{live_server.url}/joint/campaigns/{campaign.pk}/")
    page.wait_for_selector("#campaign-chart canvas")
    names = page.evaluate(
        """() => echarts.getInstanceByDom(document.getElementById('campaign-chart')).getModel()
             .getComponent('yAxis').axis.getViewLabels().map(l => l.formattedLabel)"""
    )
    departments = set(campaign.tasks.values_list("department__name", flat=True))
    assert len(names) == len(departments) == 4 and set(names) == departments
    screenshot(page, "joint-campaign", width=1400)
    page.set_viewport_size({"width": 390, "height": 844})
    page.reload()
    page.wait_for_selector("#campaign-chart canvas")
    assert len(page.evaluate(
        """() => echarts.getInstanceByDom(document.getElementById('campaign-chart')).getModel()
             .getComponent('yAxis').axis.getViewLabels()"""
    )) == 4  # fmt: skip
    page.click("#my-checks a >> nth=0")
    page.wait_for_selector("#check-form")
    task_id = int(page.url.rstrip("/").split("/")[-2])
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    screenshot(page, "joint-campaign-check", width=390)
    for point in campaign.form:
        label = page.locator(f"#point-{point['code']} label.btn").first
        assert label.bounding_box()["height"] >= 38  # a thumb's target
    page.click("label[for=id_answer_F01_1]")  # fail
    page.fill("input[name=note_F01]", "许可证已过期")
    page.click("label[for=id_answer_F02_0]")
    page.click("label[for=id_answer_F03_2]")
    page.click("#save-check")
    page.wait_for_selector("#progress")
    task = campaign.tasks.get(pk=task_id)
    assert (task.status, task.results) == ("done", {"F01": "fail", "F02": "pass", "F03": "not_applicable"})
    for url in (
        "/joint/claims/",
        "/joint/assistance/",
        "/joint/notices/",
        "/joint/campaigns/",
        "/rectifications/",
        "/credit/",
    ):
        page.goto(f"{live_server.url}{url}")
        narrowest = page.evaluate(NARROWEST)
        assert narrowest >= 40, (url, narrowest)  # no column of one character per line
