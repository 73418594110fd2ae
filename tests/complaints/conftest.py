"""A 12345 set-up on the small province: offices, the category tree and catalogue, and the people."""

from dataclasses import dataclass

import pytest


@dataclass
class Hotline:
    province_office: object
    jn_office: object
    qd_office: object
    operator: object  # 济南 12345 operator: all departments, 济南 region
    lixia_officer: object  # handler at 历下区市场监督管理局
    lixia_admin: object
    shinan_officer: object  # handler in 青岛 (other region)
    jn_env_officer: object  # 济南市生态环境局 officer
    analyst: object


# A demand and the handler's form that the workflow and screen tests share.
MILK = {
    "content": "我在济南市历下区泉城路一家超市买到过期的牛奶，要求依法处理",
    "address": "济南市历下区泉城路",
    "kind": "complaint",
    "category": "060101",
    "complainant": {"name": "张三", "phone": "13912345678"},
}
FORM = {
    "is_true": True,
    "is_resolved": True,
    "handling_notes": "执法人员现场检查，过期牛奶已下架封存",
    "public_reply": "经核查情况属实，已责令商户下架并立案调查",
}


@pytest.fixture
def hotline(province, make_user):
    from jianguan.accounts.choices import Role
    from jianguan.complaints.policy import load_taxonomy
    from jianguan.core.codes import uscc_with_check
    from jianguan.core.models import Region
    from jianguan.platform.services import create_department, ensure_sector

    rx = ensure_sector("rx", "政务服务热线")
    region = Region.objects.get

    def office(name, code, parent, serial):
        return create_department(
            name=name,
            region=region(code=code),
            sector=rx,
            parent=parent,
            uscc=uscc_with_check(f"11{code}{serial:08d}2"),
        )

    top = office("山东省12345政务服务便民热线", "370000", None, 21)
    jn = office("济南市12345市民服务热线", "370100", top, 22)
    qd = office("青岛市12345政务服务便民热线", "370200", top, 23)
    load_taxonomy()
    return Hotline(
        top,
        jn,
        qd,
        make_user(Role.HOTLINE_OPERATOR, department=jn),
        make_user(Role.OFFICER, department=province.lixia_market),
        make_user(Role.DEPARTMENT_ADMIN, department=province.lixia_market),
        make_user(Role.OFFICER, department=province.shinan_market),
        make_user(Role.OFFICER, department=province.jn_env),
        make_user(Role.ANALYST, department=province.market),
    )
