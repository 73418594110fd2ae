"""The pool holds only the subjects the batch's items apply to: their industries, licences and object types."""

import datetime as dt

import pytest
from django.test import Client

from jianguan.core.errors import DomainError
from jianguan.platform.policies import publish_policy, validate_policy


@pytest.fixture
def food_item(province):
    from jianguan.catalog.schemas import SupervisionItemIn
    from jianguan.catalog.services import create_item

    main = create_item(
        SupervisionItemIn(
            code="37010091000000",
            name="对食品生产经营者的监督检查",
            department=str(province.market.pk),
            sector_code="scjg",
            object_type="企业、个体工商户",
            random_check=True,
            effective_from=dt.date(2020, 1, 1),
        )
    )
    create_item(
        SupervisionItemIn(
            code="37010091020000",
            name="双随机抽查",  # the sub-item's own name says nothing: its main item's does
            parent_code=main.code,
            department=str(province.market.pk),
            sector_code="scjg",
            random_check=True,
            effective_from=dt.date(2020, 1, 1),
        )
    )
    return "37010091020000"


def _batch(plan, codes, **extra):
    from jianguan.spotcheck.services import add_batch

    return add_batch(
        plan,
        title="食品抽查",
        starts_on=dt.date(2026, 4, 1),
        ends_on=dt.date(2026, 6, 30),
        item_codes=codes,
        pool_filter={"regions": ["3701"]},
        quotas={"B": {"ratio": 1.0}},
        **extra,
    )


def test_a_food_item_draws_only_food_businesses(province, make_subject, food_item, inspection, setup):
    from jianguan.exchange.services import ingest
    from jianguan.spotcheck.services import create_plan
    from jianguan.spotcheck.snapshot import pool_queryset

    food = {
        make_subject("食品加工有限公司", industry_code="C1391").pk,
        make_subject("餐饮管理有限公司", industry_code="H6210").pk,
        make_subject("超市有限公司", industry_code="F5212").pk,
    }
    make_subject("家政服务有限公司", industry_code="O8010")
    make_subject("房地产开发有限公司", industry_code="K7010")
    transport = make_subject("道路运输有限公司", industry_code="G5430")
    make_subject("个人独资企业", industry_code="", kind="person")
    # A transport firm that holds a food licence (it runs a canteen) is a food business too.
    licence = inspection("LIC-1", kind="licence", subject_code=transport.uscc, subject_name=transport.name)
    for name in ("form", "officers", "check_items", "result"):
        licence.pop(name)
    licence.update(licence_no="JY13701020000001", licence_name="食品经营许可证", licence_kind="1")
    accepted = ingest(enumerate([licence], 1), source=setup.source, channel="api")
    assert accepted.accepted == 1, accepted.rows.values_list("errors", flat=True)
    plan = create_plan(province.jn_market, 2026, "食品计划")
    batch = _batch(plan, [food_item])
    assert batch.pool_filter["industry_prefixes"] == ["C13", "C14", "C15", "F512", "F521", "F522", "H62"]
    assert batch.pool_filter["objects"] == ["食品生产经营者"]
    assert batch.pool_filter["kinds"] == ["enterprise", "individual_business"]
    assert set(pool_queryset(batch).values_list("pk", flat=True)) == food | {transport.pk}


def test_the_filter_is_shown_on_the_batch_page(province, make_user, food_item):
    from jianguan.spotcheck.services import create_plan

    batch = _batch(create_plan(province.jn_market, 2026, "食品计划"), [food_item])
    client = Client()
    client.force_login(make_user("department_admin", department=province.jn_market))
    page = client.get(f"/spotchecks/batches/{batch.pk}/").content.decode()
    assert 'id="pool-filter"' in page
    assert "食品生产经营者" in page and "C13、C14、C15、F512、F521、F522、H62" in page and "食品经营许可证" in page


def test_an_item_without_a_rule_says_so_and_is_not_held_to_another_items_industries(province, food_item):
    from jianguan.catalog.schemas import SupervisionItemIn
    from jianguan.catalog.services import create_item
    from jianguan.spotcheck.objects import describe_pool
    from jianguan.spotcheck.services import create_plan

    create_item(
        SupervisionItemIn(
            code="37010099020000",
            name="对某新业态的双随机抽查",
            department=str(province.market.pk),
            sector_code="scjg",
            random_check=True,
            effective_from=dt.date(2020, 1, 1),
        )
    )
    batch = _batch(create_plan(province.jn_market, 2026, "混合计划"), [food_item, "37010099020000"])
    assert batch.pool_filter["unmatched_items"] == ["37010099020000"]
    assert "industry_prefixes" not in batch.pool_filter
    assert any("37010099020000" in text for _label, text in describe_pool(batch.pool_filter))


def test_a_published_rule_version_applies_to_new_batches(province, make_subject, admin_user, food_item):
    from jianguan.platform.policies import current_policy
    from jianguan.spotcheck.services import create_plan

    data = current_policy("spotcheck_objects")
    data = {**data, "version": "test-2", "rules": [{**data["rules"][0], "industries": ["H62"], "licences": []}]}
    publish_policy("spotcheck_objects", data, "只查餐饮", actor=admin_user)
    batch = _batch(create_plan(province.jn_market, 2026, "餐饮计划"), [food_item])
    assert batch.pool_filter["industry_prefixes"] == ["H62"]


def test_a_rule_with_a_bad_industry_code_is_refused(db):
    from jianguan.platform.policies import current_policy

    data = current_policy("spotcheck_objects")
    bad = {**data, "rules": [{**data["rules"][0], "industries": ["食品"]}]}
    with pytest.raises(DomainError) as refused:
        validate_policy("spotcheck_objects", bad)
    assert refused.value.code == "invalid_policy"
