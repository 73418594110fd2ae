"""Key matters (跨部门综合监管重点事项): versioned loading and who must take part."""

import datetime as dt

import pytest

from jianguan.catalog.key_matters import current_key_matters, load_key_matters, required_sectors
from jianguan.catalog.models import KeyMatter
from jianguan.core.errors import DomainError


def test_key_matter_decides_who_joins_a_joint_spot_check(province, make_user):
    from jianguan.catalog.schemas import SupervisionItemIn
    from jianguan.catalog.services import create_item
    from jianguan.platform.services import ensure_sector
    from jianguan.spotcheck.services import add_batch, create_plan

    items = [
        create_item(
            SupervisionItemIn(
                code=code,
                name=name,
                department=str(owner.pk),
                sector_code=sector,
                random_check=True,
                effective_from=dt.date(2020, 1, 1),
            )
        )
        for code, name, owner, sector in (
            ("37010001050000", "燃气器具产品质量抽查", province.market, "scjg"),
            ("37020001050000", "燃气使用环境安全检查", province.env, "sthj"),
        )
    ]
    matter = KeyMatter.objects.create(
        code="KMX",
        version=1,
        name="燃气安全",
        lead_sector=province.scjg,
        measures="联合检查",
        review_on=dt.date(2027, 6, 30),
        effective_from=dt.date(2026, 1, 1),
        list_version="test",
    )
    matter.cooperating_sectors.set([province.sthj, ensure_sector("yjgl", "应急管理")])
    matter.items.set(items)
    plan = create_plan(province.jn_market, 2026, "联合抽查计划")
    window = {"starts_on": dt.date(2026, 4, 1), "ends_on": dt.date(2026, 6, 30)}
    with pytest.raises(DomainError) as refused:
        add_batch(
            plan, title="燃气联合抽查", item_codes=[i.code for i in items], cooperators=[province.jn_env], **window
        )
    assert refused.value.code == "key_matter_departments" and "应急管理" in str(refused.value.message)
    # A single department's own random check on the same item is not a joint plan: no requirement.
    assert add_batch(plan, title="燃气器具抽查", item_codes=[items[0].code], **window).pk


def test_loading_the_list_stores_a_version_only_when_a_matter_changes(province, tmp_path, monkeypatch):
    import json

    from jianguan.catalog import key_matters

    first = load_key_matters(dt.date(2026, 1, 5))
    assert first == KeyMatter.objects.count() and first > 0
    assert load_key_matters(dt.date(2026, 2, 5)) == 0  # the same list again: nothing new
    assert all(m.version == 1 for m in current_key_matters())
    # A new edition of the list that changes one matter's measures stores that matter once more.
    shipped = json.loads((key_matters._DATA / "key_matters.json").read_text(encoding="utf-8"))
    changed = next(m for m in shipped["matters"] if m["lead_sector"] in {"scjg", "sthj"})
    changed["measures"] += "；每季度联合检查一次"
    (tmp_path / "key_matters.json").write_text(json.dumps(shipped, ensure_ascii=False), encoding="utf-8")
    monkeypatch.setattr(key_matters, "_DATA", tmp_path)
    assert load_key_matters(dt.date(2026, 3, 5)) == 1
    newest = {m.code: m for m in current_key_matters()}[changed["code"]]
    assert newest.version == 2 and newest.measures.endswith("每季度联合检查一次")
    assert KeyMatter.objects.filter(code=changed["code"]).count() == 2  # the old version stays
    assert required_sectors(set()) == {}
