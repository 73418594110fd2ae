"""Fixtures for the supervision records and the exchange gateway: an item, officers, a source system."""

import datetime as dt
from dataclasses import dataclass

import pytest


@dataclass
class Setup:
    item: object
    officers: list
    source: object
    token: str
    subject: object


@pytest.fixture
def setup(province, make_officer, make_subject):
    from jianguan.catalog.schemas import SupervisionItemIn
    from jianguan.catalog.services import create_item
    from jianguan.exchange.services import register_source

    item = create_item(
        SupervisionItemIn(
            code="37010001000000",
            name="对食品生产经营者的监督检查",
            department=str(province.market.pk),
            sector_code="scjg",
            effective_from=dt.date(2020, 1, 1),
            effective_to=dt.date(2030, 12, 31),
        )
    )
    officers = [
        make_officer(name="王执法"),
        make_officer(name="李执法"),
        make_officer(name="环保员", sectors=("sthj",)),
    ]
    source, token = register_source("jn-case", "济南市场监管执法办案系统", province.jn_market)
    return Setup(item, officers, source, token, make_subject("济南历下测试食品有限公司"))


@pytest.fixture
def inspection(setup, province):
    """A valid inspection record as a department system sends it; pass overrides."""

    def make(source_id="INS-1", **overrides):
        record = {
            "kind": "inspection",
            "source_id": source_id,
            "item_code": setup.item.code,
            "department": province.lixia_market.uscc,
            "subject_nature": "2",
            "subject_id_type": "001",
            "subject_code": setup.subject.uscc,
            "subject_name": setup.subject.name,
            "region": "370102",
            "action_date": "2026-03-02",
            "reported_at": "2026-03-04T10:00:00+08:00",
            "form": "01",
            "result": "未发现问题",
            "officers": [{"name": o.name, "certificate_no": o.certificate_no} for o in setup.officers[:2]],
            "check_items": [{"code": "0101", "result": "合格"}, {"code": "0102", "result": "不合格"}],
        }
        record.update(overrides)
        return record

    return make
