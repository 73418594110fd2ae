"""A drawn batch of 济南's plan over 历下 subjects, checked by 历下 officers who sign in with their accounts."""

import datetime as dt
from dataclasses import dataclass

import pytest


@dataclass
class Field:
    batch: object
    plan: object
    officers: list
    logins: list  # logins[i] is the account of officers[i]
    item_code: str
    points: list


@pytest.fixture
def field_batch(province, make_subject, make_officer, make_user):
    from jianguan.catalog.schemas import CheckPointIn, SupervisionItemIn
    from jianguan.catalog.services import add_check_point, create_item
    from jianguan.officers.services import link_account
    from jianguan.spotcheck.services import add_batch, approve_batch, commit_seed, create_plan, draw_batch

    create_item(
        SupervisionItemIn(
            code="37010001030000",
            name="对食品经营者的双随机抽查",
            department=str(province.market.pk),
            sector_code="scjg",
            random_check=True,
            effective_from=dt.date(2020, 1, 1),
        )
    )
    points = []
    for code, content in [("01", "营业执照公示情况"), ("02", "从业人员健康证明")]:
        add_check_point(CheckPointIn(item_code="37010001030000", code=code, content=content, check_type="random"))
        points.append(code)
    for n in range(12):
        make_subject(f"历下抽查对象{n}有限公司", county="370102", industry_code="H6210")
    officers = [make_officer(department=province.lixia_market, name=f"历下执法{n}") for n in range(4)]
    logins = []
    for officer in officers:
        login = make_user("officer", department=province.lixia_market)
        link_account(officer, login.username)
        logins.append(login)
    plan = create_plan(province.jn_market, 2026, "济南市双随机抽查计划")
    today = dt.date.today()
    batch = add_batch(
        plan,
        title="第一批",
        starts_on=today - dt.timedelta(days=10),
        ends_on=today + dt.timedelta(days=30),
        item_codes=["37010001030000"],
        pool_filter={"regions": ["370102"]},
        quotas={"B": {"ratio": 0.5}},
        capacity=10,
    )
    approve_batch(batch)
    commit_seed(batch)
    draw_batch(batch)
    batch.refresh_from_db()
    return Field(batch, plan, officers, logins, "37010001030000", points)
