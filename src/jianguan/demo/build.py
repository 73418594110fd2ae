"""The demo province: a realistic, deterministic Shandong generated from a seed.

All 16 cities and their counties (from the region table), about 300 departments in 10 sectors,
20,000+ subjects with valid USCCs, 1,000+ officers with declared conflicts, 150+ catalogue items
with check points, demo staff accounts for every role, and a few workflow items. Everything is
written through services, so the audit chain covers the demo too.
"""

from __future__ import annotations

import datetime as dt
import json
import random
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.db import connection, transaction
from django.utils.translation import gettext_lazy as _
from stdnum.cn import ric

from jianguan.accounts.choices import Role
from jianguan.accounts.models import User
from jianguan.accounts.services import create_user
from jianguan.alerts.fusion import fuse_all
from jianguan.catalog.schemas import CheckPointIn, SupervisionItemIn
from jianguan.catalog.services import add_check_point, create_item
from jianguan.core.codes import registration_no_with_check, uscc_with_check
from jianguan.core.errors import DomainError
from jianguan.core.models import Department, Region
from jianguan.credit.models import CreditRecord
from jianguan.credit.services import grade_subjects
from jianguan.demo.actions import DemoActions
from jianguan.demo.complaints import build_complaints
from jianguan.demo.credit import build_credit
from jianguan.demo.joint import build_joint
from jianguan.demo.monitoring import build_monitoring
from jianguan.demo.spotchecks import build_spotchecks
from jianguan.facts.models import Fact
from jianguan.facts.services import deferred as deferred_delivery
from jianguan.officers.models import Officer
from jianguan.officers.schemas import OfficerIn
from jianguan.officers.services import bulk_register_officers, declare_conflict, link_account
from jianguan.platform.services import create_department, ensure_sector
from jianguan.subjects.models import Subject
from jianguan.subjects.schemas import SubjectIn
from jianguan.subjects.services import bulk_register_subjects
from jianguan.workflow.services import define_workflow, start_workflow

DEMO_PASSWORD = "Demo-2026!"  # noqa: S105 - the published password of the local demo accounts only

SECTORS = [
    ("scjg", "市场监管", "市场监督管理局"),
    ("sthj", "生态环境", "生态环境局"),
    ("yjgl", "应急管理", "应急管理局"),
    ("wsjk", "卫生健康", "卫生健康委员会"),
    ("jtys", "交通运输", "交通运输局"),
    ("zjjs", "住房城乡建设", "住房和城乡建设局"),
    ("nync", "农业农村", "农业农村局"),
    ("whly", "文化和旅游", "文化和旅游局"),
    ("zrzy", "自然资源", "自然资源局"),
    ("ypjg", "药品监管", "药品监督管理局"),
]
# Units that take 12345 work orders but do no supervision of their own here: the hotline offices,
# and the departments the dispatch catalogue names for labour, education and officials' conduct.
HOTLINE_UNITS = [
    ("rx", "政务服务热线", "12345政务服务便民热线"),
    ("rlsb", "人力资源社会保障", "人力资源和社会保障局"),
    ("jyty", "教育", "教育局"),
    ("jjjc", "纪检监察", "纪委监委"),
]
# Counties get the sectors with the most field work; the others act from city level.
COUNTY_SECTORS = {"scjg"}

ITEMS = {
    "scjg": [
        "对食品生产经营者的监督检查",
        "对特种设备生产使用单位的监督检查",
        "对工业产品生产许可证获证企业的监督检查",
        "对计量器具使用的监督检查",
        "对广告发布行为的监督检查",
        "对网络交易经营者的监督检查",
        "对企业公示信息的抽查",
        "对价格行为的监督检查",
    ],
    "sthj": [
        "对排污单位排污许可执行情况的检查",
        "对建设项目环境影响评价执行情况的检查",
        "对危险废物经营单位的检查",
        "对机动车排放检验机构的检查",
        "对辐射安全许可的监督检查",
    ],
    "yjgl": [
        "对危险化学品生产经营单位的安全生产检查",
        "对非煤矿山安全生产的监督检查",
        "对工贸企业安全生产的监督检查",
        "对烟花爆竹经营单位的监督检查",
        "对生产经营单位应急预案的检查",
    ],
    "wsjk": [
        "对医疗机构执业活动的监督检查",
        "对公共场所卫生的监督检查",
        "对生活饮用水卫生的监督检查",
        "对消毒产品生产企业的监督检查",
        "对职业病防治工作的监督检查",
    ],
    "jtys": [
        "对道路运输经营者的监督检查",
        "对机动车维修经营者的监督检查",
        "对驾驶员培训机构的监督检查",
        "对公路超限运输的监督检查",
    ],
    "zjjs": [
        "对建筑施工企业安全生产的监督检查",
        "对房地产开发企业的监督检查",
        "对建设工程质量检测机构的监督检查",
        "对物业服务企业的监督检查",
    ],
    "nync": [
        "对农药经营单位的监督检查",
        "对兽药生产经营企业的监督检查",
        "对种子生产经营者的监督检查",
        "对农产品质量安全的监督检查",
        "对饲料和饲料添加剂生产企业的检查",
    ],
    "whly": [
        "对旅行社经营活动的监督检查",
        "对娱乐场所的监督检查",
        "对互联网上网服务营业场所的监督检查",
        "对演出经营活动的监督检查",
    ],
    "zrzy": ["对土地利用的监督检查", "对矿产资源开发利用的监督检查", "对测绘资质单位的监督检查"],
    "ypjg": [
        "对药品零售企业的监督检查",
        "对医疗器械经营企业的监督检查",
        "对化妆品经营者的监督检查",
        "对药品批发企业的监督检查",
    ],
}
# 设定依据 of each item: the law or regulation that empowers the department to inspect (the article
# where the power is granted). Sub-items inherit their main item's basis; random checks add the State
# Council's opinion that makes 双随机、一公开 the default way of inspecting.
LEGAL_BASIS = {
    "对食品生产经营者的监督检查": "《中华人民共和国食品安全法》第一百一十条；《食品生产经营监督检查管理办法》",
    "对特种设备生产使用单位的监督检查": "《中华人民共和国特种设备安全法》第五十七条、第六十一条",
    "对工业产品生产许可证获证企业的监督检查": "《中华人民共和国工业产品生产许可证管理条例》",
    "对计量器具使用的监督检查": "《中华人民共和国计量法》；《中华人民共和国计量法实施细则》",
    "对广告发布行为的监督检查": "《中华人民共和国广告法》第四十九条",
    "对网络交易经营者的监督检查": "《中华人民共和国电子商务法》；《网络交易监督管理办法》",
    "对企业公示信息的抽查": "《企业信息公示暂行条例》",
    "对价格行为的监督检查": "《中华人民共和国价格法》第三十三条",
    "对排污单位排污许可执行情况的检查": "《中华人民共和国环境保护法》第二十四条；《排污许可管理条例》",
    "对建设项目环境影响评价执行情况的检查": "《中华人民共和国环境影响评价法》；《建设项目环境保护管理条例》",
    "对危险废物经营单位的检查": "《中华人民共和国固体废物污染环境防治法》；《危险废物经营许可证管理办法》",
    "对机动车排放检验机构的检查": "《中华人民共和国大气污染防治法》第五十四条",
    "对辐射安全许可的监督检查": "《中华人民共和国放射性污染防治法》；《放射性同位素与射线装置安全和防护条例》",
    "对危险化学品生产经营单位的安全生产检查": "《中华人民共和国安全生产法》第六十五条；《危险化学品安全管理条例》",
    "对非煤矿山安全生产的监督检查": "《中华人民共和国安全生产法》第六十五条；《中华人民共和国矿山安全法》",
    "对工贸企业安全生产的监督检查": "《中华人民共和国安全生产法》第六十五条",
    "对烟花爆竹经营单位的监督检查": "《烟花爆竹安全管理条例》；《烟花爆竹经营许可实施办法》",
    "对生产经营单位应急预案的检查": "《中华人民共和国突发事件应对法》；《生产安全事故应急条例》",
    "对医疗机构执业活动的监督检查": "《中华人民共和国基本医疗卫生与健康促进法》；《医疗机构管理条例》",
    "对公共场所卫生的监督检查": "《公共场所卫生管理条例》",
    "对生活饮用水卫生的监督检查": "《中华人民共和国传染病防治法》；《生活饮用水卫生监督管理办法》",
    "对消毒产品生产企业的监督检查": "《中华人民共和国传染病防治法》；《消毒管理办法》",
    "对职业病防治工作的监督检查": "《中华人民共和国职业病防治法》",
    "对道路运输经营者的监督检查": "《中华人民共和国道路运输条例》",
    "对机动车维修经营者的监督检查": "《中华人民共和国道路运输条例》；《机动车维修管理规定》",
    "对驾驶员培训机构的监督检查": "《中华人民共和国道路运输条例》；《机动车驾驶员培训管理规定》",
    "对公路超限运输的监督检查": "《中华人民共和国公路法》；《公路安全保护条例》",
    "对建筑施工企业安全生产的监督检查": "《中华人民共和国建筑法》；《建设工程安全生产管理条例》",
    "对房地产开发企业的监督检查": "《中华人民共和国城市房地产管理法》；《城市房地产开发经营管理条例》",
    "对建设工程质量检测机构的监督检查": "《建设工程质量管理条例》；《建设工程质量检测管理办法》",
    "对物业服务企业的监督检查": "《物业管理条例》",
    "对农药经营单位的监督检查": "《农药管理条例》",
    "对兽药生产经营企业的监督检查": "《兽药管理条例》",
    "对种子生产经营者的监督检查": "《中华人民共和国种子法》",
    "对农产品质量安全的监督检查": "《中华人民共和国农产品质量安全法》",
    "对饲料和饲料添加剂生产企业的检查": "《饲料和饲料添加剂管理条例》",
    "对旅行社经营活动的监督检查": "《中华人民共和国旅游法》；《旅行社条例》",
    "对娱乐场所的监督检查": "《娱乐场所管理条例》",
    "对互联网上网服务营业场所的监督检查": "《互联网上网服务营业场所管理条例》",
    "对演出经营活动的监督检查": "《营业性演出管理条例》",
    "对土地利用的监督检查": "《中华人民共和国土地管理法》",
    "对矿产资源开发利用的监督检查": "《中华人民共和国矿产资源法》",
    "对测绘资质单位的监督检查": "《中华人民共和国测绘法》",
    "对药品零售企业的监督检查": "《中华人民共和国药品管理法》；《药品经营和使用质量监督管理办法》",
    "对医疗器械经营企业的监督检查": "《医疗器械监督管理条例》",
    "对化妆品经营者的监督检查": "《化妆品监督管理条例》",
    "对药品批发企业的监督检查": "《中华人民共和国药品管理法》；《药品经营和使用质量监督管理办法》",
}
RANDOM_CHECK_BASIS = "《国务院关于在市场监管领域全面推行部门联合“双随机、一公开”监管的意见》（国发〔2019〕5号）"
SUB_ITEM_KINDS = [("日常检查", "daily"), ("双随机抽查", "random"), ("专项检查", "special")]
CHECK_POINTS = [
    "主体资格和许可证照是否合法有效",
    "从业人员资质和培训情况",
    "台账记录和进货查验是否完整",
    "现场设施设备是否符合要求",
    "是否存在违法违规行为",
]

SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华建国志红玉兰海波鹏飞宇浩然思雨欣怡子涵梓萱俊杰"
TRADE_WORDS = [
    "鲁信",
    "齐鲁",
    "泰和",
    "华峰",
    "润德",
    "金穗",
    "鸿运",
    "恒通",
    "博远",
    "瑞丰",
    "同福",
    "嘉禾",
    "宏达",
    "兴盛",
    "永安",
    "汇丰源",
    "东岳",
    "海岱",
    "泉城",
    "新诚",
    "鼎盛",
    "康源",
    "聚鑫",
    "明德",
    "安泰",
    "青山",
    "绿源",
    "长城",
    "盛世",
    "万家",
]
INDUSTRIES = [
    ("F5212", "便利店", "商贸"),
    ("H6210", "餐饮", "餐饮管理"),
    ("C1391", "食品", "食品"),
    ("F5251", "五金", "五金机电"),
    ("E4720", "建筑", "建筑工程"),
    ("G5430", "运输", "道路运输"),
    ("C2614", "化工", "化工"),
    ("F5272", "药店", "医药"),
    ("L7251", "广告", "广告传媒"),
    ("I6513", "网络", "网络科技"),
    ("R8710", "娱乐", "文化娱乐"),
    ("K7010", "房产", "房地产开发"),
    ("A0141", "农业", "农业开发"),
    ("O8010", "家政", "家政服务"),
    ("C3311", "机械", "机械制造"),
]
ROADS = [
    "经十路",
    "解放路",
    "泉城路",
    "人民路",
    "建设路",
    "和平路",
    "东风路",
    "黄河路",
    "泰山路",
    "中山路",
    "滨河路",
    "文化路",
    "工业路",
    "民生街",
    "长安街",
]
DEMO_ACCOUNTS = [
    ("admin", "平台管理员", Role.PLATFORM_ADMIN, "370000", "scjg"),
    ("jn_admin", "济南市场监管管理员", Role.DEPARTMENT_ADMIN, "370100", "scjg"),
    ("lixia_officer", "历下区执法人员", Role.OFFICER, "370102", "scjg"),
    ("jn_hotline", "济南12345话务员", Role.HOTLINE_OPERATOR, "370100", "rx"),
    ("analyst", "省级分析员", Role.ANALYST, "370000", "scjg"),
    ("jn_leader", "济南市领导", Role.LEADER, "370100", "scjg"),
    ("auditor", "审计员", Role.AUDITOR, "370000", "scjg"),
]


def organisation_code(rng: random.Random) -> str:
    """A 9-character organisation code (GB 11714) with its check character."""
    body = "".join(rng.choice("0123456789ABCDEFGHJKLMNPQRTUWXY") for _position in range(8))
    weights = [3, 7, 9, 10, 5, 8, 4, 2]
    values = [int(c, 36) for c in body]
    check = 11 - sum(v * w for v, w in zip(values, weights, strict=True)) % 11
    return body + {10: "X", 11: "0"}.get(check, str(check))


def id_number(rng: random.Random, region: str) -> str:
    birth = dt.date(1960, 1, 1) + dt.timedelta(days=rng.randrange(16000))
    body = f"{region}{birth:%Y%m%d}{rng.randrange(1000):03d}"
    return body + ric.calc_check_digit(body + "0")


@dataclass
class DemoResult:
    departments: int
    subjects: int
    officers: int
    conflicts: int
    items: int
    accounts: list[tuple[str, str, str]]
    actions: int = 0
    complaints: dict[str, Any] = field(default_factory=dict)


class DemoBuilder:
    def __init__(self, seed: int, subjects: int = 20000, progress=None, actions: int = 0, complaints: int = 0):
        self.rng = random.Random(seed)
        self.subject_target = subjects
        self.action_target = actions
        self.complaint_target = complaints
        self.progress = progress or (lambda message: None)

    def person_name(self) -> str:
        return self.rng.choice(SURNAMES) + "".join(self.rng.choice(GIVEN) for _ in range(self.rng.choice([1, 2])))

    def build(self) -> DemoResult:
        province = Region.objects.get(code="370000")
        cities = list(Region.objects.filter(parent=province, is_historical=False).order_by("code"))
        counties = {c.code: list(Region.objects.filter(parent=c).order_by("code")) for c in cities}
        with transaction.atomic():
            departments = self.departments(province, cities, counties)
            self.progress(f"departments: {len(departments)}")
            items = self.catalog(departments)
            self.progress(f"catalogue items: {items}")
            subjects = self.subjects([county for c in cities for county in counties[c.code]])
            self.progress(f"subjects: {subjects}")
            officers, conflicts = self.officers(departments)
            self.progress(f"officers: {officers}, declared conflicts: {conflicts}")
            units = self.hotline_units(province, cities)
            accounts = self.accounts({**departments, **units})
            self.workflows(departments)
        # Actions go through the exchange gateway, which commits chunk by chunk.
        # Credit follows the records.written facts: delivered once the load is done.
        published = Fact.objects.count()
        with deferred_delivery():
            actions = DemoActions(self.rng, self.action_target, self.progress).build() if self.action_target else 0
            loaded = time.monotonic()
            published = Fact.objects.count() - published
        took = time.monotonic() - loaded
        self.progress(f"facts: {published} published by the load, delivered in {took:.1f} s")
        self.progress(f"credit records: {CreditRecord.objects.count()}")
        if self.action_target:  # the lists and repair requests build on the penalties
            build_credit(self.rng, self.progress, User.objects.get(username="admin"))
        # The grades set the spot checks' sampling ratios.
        self.progress(f"risk grades: {grade_subjects()}")
        build_spotchecks(self.rng, self.progress)
        complaints = build_complaints(self.rng, self.progress, self.complaint_target) if self.complaint_target else {}
        if self.action_target:  # joint work builds on the supervision records
            build_joint(self.rng, self.progress)
            # Alerts fuse monitoring with the complaints, credit and spot-check facts published above.
            build_monitoring(self.rng, self.progress)
            self.progress(f"fused risk: {fuse_all()} subjects")  # as the nightly task computes it
        if connection.vendor == "postgresql":
            # Planner statistics for what was just loaded, as autovacuum would gather them: a table
            # last analysed near empty makes PostgreSQL nest full scans of the loaded ones.
            with connection.cursor() as cursor:
                cursor.execute("ANALYZE")
        return DemoResult(len(departments), subjects, officers, conflicts, items, accounts, actions, complaints)

    def hotline_units(self, province, cities) -> dict[tuple[str, str], Department]:
        out: dict[tuple[str, str], Department] = {}
        for code, name, suffix in HOTLINE_UNITS:
            sector = ensure_sector(code, name)
            top = create_department(
                name=f"山东省{suffix}",
                region=province,
                sector=sector,
                uscc=uscc_with_check("1137" + "0000" + organisation_code(self.rng)),
            )
            out[(code, province.code)] = top
            for city in cities:
                out[(code, city.code)] = create_department(
                    name=f"{city.name}{suffix}",
                    region=city,
                    sector=sector,
                    parent=top,
                    uscc=uscc_with_check("11" + city.code + organisation_code(self.rng)),
                )
        return out

    def departments(self, province, cities, counties) -> dict[tuple[str, str], Department]:
        out: dict[tuple[str, str], Department] = {}
        for code, name, suffix in SECTORS:
            sector = ensure_sector(code, name)
            top = create_department(
                name=f"山东省{suffix}",
                region=province,
                sector=sector,
                uscc=uscc_with_check("1137" + "0000" + organisation_code(self.rng)),
            )
            out[(code, "370000")] = top
            for city in cities:
                city_dept = create_department(
                    name=f"{city.name}{suffix}",
                    region=city,
                    sector=sector,
                    parent=top,
                    uscc=uscc_with_check("11" + city.code + organisation_code(self.rng)),
                )
                out[(code, city.code)] = city_dept
                if code in COUNTY_SECTORS:
                    for county in counties[city.code]:
                        out[(code, county.code)] = create_department(
                            name=f"{city.name}{county.name}{suffix}",
                            region=county,
                            sector=sector,
                            parent=city_dept,
                            uscc=uscc_with_check("11" + county.code + organisation_code(self.rng)),
                        )
        return out

    def catalog(self, departments) -> int:
        count = 0
        for sector_no, (code, _name, _suffix) in enumerate(SECTORS, start=1):
            department = departments[(code, "370000")]
            for main_no, item_name in enumerate(ITEMS[code], start=1):
                main_code = f"37{sector_no:02d}{main_no:04d}000000"
                create_item(
                    SupervisionItemIn(
                        code=main_code,
                        name=item_name,
                        department=str(department.pk),
                        sector_code=code,
                        object_type="企业、个体工商户",
                        measures="现场检查、书面检查",
                        method="现场检查",
                        level="province",
                        legal_basis=LEGAL_BASIS[item_name],
                        is_key=main_no <= 2,
                        random_check=True,
                        effective_from=dt.date(2020, 1, 1),
                    )
                )
                count += 1
                for sub_no, (kind_name, check_type) in enumerate(SUB_ITEM_KINDS, start=1):
                    sub_code = f"37{sector_no:02d}{main_no:04d}{sub_no:02d}0000"
                    create_item(
                        SupervisionItemIn(
                            code=sub_code,
                            name=f"{item_name}（{kind_name}）",
                            parent_code=main_code,
                            department=str(department.pk),
                            sector_code=code,
                            level="county",
                            method="现场检查",
                            legal_basis=LEGAL_BASIS[item_name]
                            + (f"；{RANDOM_CHECK_BASIS}" if check_type == "random" else ""),
                            random_check=check_type == "random",
                            effective_from=dt.date(2020, 1, 1),
                        )
                    )
                    count += 1
                    for point_no, point in enumerate(self.rng.sample(CHECK_POINTS, 3), start=1):
                        add_check_point(
                            CheckPointIn(
                                item_code=sub_code,
                                code=f"{sub_code[-8:-4]}{point_no:02d}",
                                content=point,
                                check_type=check_type,
                                order=point_no,
                            )
                        )
        return count

    def subjects(self, counties: list[Region]) -> int:
        records: list[SubjectIn] = []
        used: set[str] = set()
        while len(records) < self.subject_target:
            county = self.rng.choice(counties)
            roll = self.rng.random()
            code, label, trade = self.rng.choice(INDUSTRIES)
            word = self.rng.choice(TRADE_WORDS)
            # The county's full name already begins with the province (山东省济南市历下区).
            address = f"{county.full_name}{self.rng.choice(ROADS)}{self.rng.randrange(1, 999)}号"
            registered = dt.date(1998, 1, 1) + dt.timedelta(days=self.rng.randrange(10000))
            status = self.rng.choices(["operating", "suspended", "revoked", "cancelled"], [90, 3, 2, 5])[0]
            if roll < 0.6:
                kind, prefix = "enterprise", "91"
                suffix = self.rng.choice(["有限公司", "有限责任公司", "股份有限公司"])
                name = f"{county.parent.name[:-1]}{word}{trade}{suffix}"
            elif roll < 0.95:
                kind, prefix = "individual_business", "92"
                name = f"{county.name}{self.person_name()}{label}"
            elif roll < 0.98:
                kind, prefix = "organisation", "52"
                name = f"{county.parent.name[:-1]}{word}{trade}协会"
            else:
                kind, prefix = "person", ""
            if kind == "person":
                number = id_number(self.rng, county.code)
                if number in used:
                    continue
                used.add(number)
                records.append(
                    SubjectIn(
                        name=self.person_name(),
                        kind=kind,
                        id_number=number,
                        region_code=county.code,
                        registered_address=address,
                        status=status,
                    )
                )
                continue
            uscc = uscc_with_check(prefix + county.code + organisation_code(self.rng))
            if uscc in used or name in used:
                name = name.replace(trade, f"{trade}{len(records) % 97 + 1}号", 1)
            used.update({uscc, name})
            registration_no = None
            if kind == "enterprise" and registered.year < 2015 and self.rng.random() < 0.5:
                registration_no = registration_no_with_check(county.code + f"{self.rng.randrange(10**8):08d}")
                if registration_no in used:
                    registration_no = None
                used.add(registration_no or "")
            records.append(
                SubjectIn(
                    name=name,
                    kind=kind,
                    uscc=uscc,
                    registration_no=registration_no,
                    legal_representative=self.person_name(),
                    registered_address=address,
                    operating_address=address,
                    region_code=county.code,
                    industry_code=code,
                    status=status,
                    registration_date=registered,
                )
            )
        for start in range(0, len(records), 5000):
            bulk_register_subjects(records[start : start + 5000])
        return len(records)

    def officers(self, departments) -> tuple[int, int]:
        records = []
        serial = 0
        for (sector_code, region_code), department in sorted(departments.items(), key=lambda kv: kv[1].pk):
            per_department = 2 if region_code == "370000" else (4 if sector_code == "scjg" else 3)
            for _slot in range(per_department):
                serial += 1
                records.append(
                    OfficerIn(
                        name=self.person_name(),
                        certificate_no=f"{region_code}{serial:08d}",
                        department=str(department.pk),
                        sectors=[sector_code],
                        certificate_valid_until=dt.date(2027 + self.rng.randrange(4), 12, 31),
                        home_region_code=region_code
                        if len(region_code) == 6 and not region_code.endswith("00")
                        else None,
                    )
                )
        bulk_register_officers(records)
        conflicts = 0
        officers = list(Officer.objects.select_related("department__region").order_by("pk"))
        for officer in officers:
            if self.rng.random() >= 0.12:
                continue
            prefix = officer.department.region.prefix
            pool = list(Subject.objects.filter(region__code__startswith=prefix).values_list("pk", flat=True)[:200])
            if not pool:
                continue
            subject = Subject.objects.get(pk=self.rng.choice(pool))
            reason = self.rng.choice(
                ["近亲属任该企业法定代表人", "曾在该企业任职", "持有该企业股份", "配偶在该单位工作"]
            )
            declare_conflict(
                officer, subject, reason, on=dt.date(2025, 1, 1) + dt.timedelta(days=self.rng.randrange(300))
            )
            conflicts += 1
        return len(officers), conflicts

    def accounts(self, departments) -> list[tuple[str, str, str]]:
        out = []
        for username, display, role, region_code, sector in DEMO_ACCOUNTS:
            department = departments[(sector, region_code)]
            create_user(
                username,
                DEMO_PASSWORD,
                display_name=display,
                department=department,
                region=department.region,
                roles=[role],
                is_staff=role == Role.PLATFORM_ADMIN,
            )
            if role == Role.OFFICER:
                # An officer's login is linked to his record: that is how he finds the tasks drawn for him.
                officer = Officer.objects.filter(department=department, user__isnull=True).order_by("pk").first()
                link_account(officer, username)
            out.append((username, str(Role(role).label), department.name))
        return out

    def workflows(self, departments) -> None:
        spec = json.loads(
            (Path(__file__).resolve().parent.parent / "workflow" / "definitions" / "example_review.json").read_text(
                encoding="utf-8"
            )
        )
        define_workflow(spec)
        for number, region_code in enumerate(["370102", "370103", "370202", "370302"], start=1):
            start_workflow(
                "example_review",
                reference=f"DEMO-{number:04d}",
                title=f"示例审核事项 {number}",
                department=departments[("scjg", region_code)],
            )


def build_demo(
    seed: int = 2026, subjects: int = 20000, progress=None, actions: int = 200_000, complaints: int = 20_000
) -> DemoResult:
    if Department.objects.exists():
        raise DomainError(
            "demo_exists", _("The database already holds departments; use a fresh database for the demo.")
        )
    return DemoBuilder(seed, subjects, progress, actions, complaints).build()


def demo_summary(result: DemoResult) -> dict[str, Any]:
    return {
        "departments": result.departments,
        "subjects": result.subjects,
        "officers": result.officers,
        "conflicts": result.conflicts,
        "items": result.items,
        "actions": result.actions,
        "work_orders": result.complaints.get("orders", 0),
    }
