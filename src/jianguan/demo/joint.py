"""Demo joint supervision: licence claims for the last 60 days of licences (some claimed, some
ended, the rest open or overdue), notices, assistance requests and rectification orders in every
state, and a campaign on school food safety with part of its checks done."""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Callable
from typing import Any

from django.utils import timezone

from jianguan.accounts.models import User
from jianguan.accounts.services import create_user
from jianguan.catalog.models import SupervisionItem
from jianguan.core.models import Department
from jianguan.joint import services
from jianguan.joint.models import ClaimTask
from jianguan.records.models import Record
from jianguan.rectification import services as rectification
from jianguan.subjects.models import Subject


def _staff(department: Department, role: str, username: str) -> User:
    found = User.objects.filter(username=username).first()
    return found or create_user(
        username, None, display_name=f"{department.name}工作人员", department=department, roles=[role]
    )


def build_joint(rng: random.Random, progress: Callable[[str], None]) -> dict[str, Any]:
    now = timezone.now()
    services.setup()
    claims = services.sync_claims(now, since=timezone.localdate() - dt.timedelta(days=60))
    progress(f"licence claims: {claims['created']} created, {claims['inspected']} with a later inspection")
    units = {
        (d.sector.code, d.region_id): d
        for d in Department.objects.select_related("sector").filter(sector__isnull=False)
    }
    lixia, jn_market = units[("scjg", "370102")], units[("scjg", "370100")]
    jn_env, jn_health, jn_edu = units[("sthj", "370100")], units[("wsjk", "370100")], units[("jyty", "370100")]
    officer = User.objects.get(username="lixia_officer")
    jn_admin = User.objects.get(username="jn_admin")
    env_admin = _staff(jn_env, "department_admin", "jn_env_admin")
    health_admin = _staff(jn_health, "department_admin", "jn_health_admin")
    edu_admin = _staff(jn_edu, "department_admin", "jn_edu_admin")
    # Claims: the 历下 officer claims most of the unit's tasks; a few are ended; the others wait.
    # 济南's market bureau and its county units claim two thirds of their tasks; a few are ended.
    jinan_claims = list(
        ClaimTask.objects.filter(department__path__startswith=jn_market.path, item__state="pending").order_by(
            "issued_on", "pk"
        )
    )
    claimed = len(jinan_claims) * 2 // 3
    for task in jinan_claims[:claimed]:
        services.claim(task, jn_admin)
    for task in jinan_claims[claimed : claimed + 3]:
        services.end_claim(task, jn_admin, "主体已注销，无需监管")
    businesses = Subject.objects.filter(provisional=False).exclude(kind="person").order_by("pk")
    # 济南's own businesses first; a small demo province tops them up from elsewhere.
    subjects = list(businesses.filter(region__code__startswith="3701")[:80])
    subjects += list(businesses.exclude(region__code__startswith="3701")[: max(0, 20 - len(subjects))])
    # Notices: unread, read, answered, and one whose reply is overdue.
    notices = []
    for n, (sender, actor, to, title) in enumerate(
        [
            (lixia, officer, [jn_env], "检查中发现后厨废水直排，请依职责处理"),
            (lixia, officer, [jn_health, jn_env], "医疗美容门店超范围经营线索抄告"),
            (jn_env, env_admin, [lixia], "排污单位涉及食品生产，请关注"),
            (jn_market, jn_admin, [jn_edu, jn_health], "校园周边食品安全风险提示"),
        ]
    ):
        notices.append(
            services.send_notice(
                sender,
                to,
                title=title,
                body=f"{subjects[n].name}：{title}。请于期限内反馈处理情况。",
                subject=subjects[n],
                reply_within=3 if n != 3 else None,
                actor=actor,
                now=now - dt.timedelta(days=10 - n * 2),
            )
        )
    services.read_notice(notices[0].recipients.get(department=jn_env), env_admin)
    services.reply_notice(notices[2].recipients.get(department=lixia), officer, "已安排执法人员检查，未发现问题")
    services.reply_notice(
        notices[1].recipients.get(department=jn_health), health_admin, "已约谈门店负责人，责令停止超范围经营"
    )
    services.read_notice(notices[3].recipients.get(department=jn_edu), edu_admin)
    # Assistance requests in every state.
    asks = []
    for n in range(6):
        asks.append(
            services.request_assistance(
                jn_env,
                lixia,
                subjects[10 + n],
                [
                    "请核查食品经营许可是否有效",
                    "请核查是否存在无证经营",
                    "请核查价格公示情况",
                    "请协助核查特种设备使用登记",
                    "请核查广告宣传内容",
                    "请核查进货查验记录",
                ][n],
                working_days=[5, 3, 5, 10, 5, 5][n],
                actor=env_admin,
                justification="专项核查需要",
                now=now - dt.timedelta(days=[1, 12, 6, 4, 8, 3][n]),
            )
        )
    services.accept_assistance(asks[2], officer)
    services.accept_assistance(asks[3], officer)
    inspection = (
        Record.objects.filter(subject=asks[3].subject, kind="inspection", department__path__startswith=lixia.path)
        .values_list("pk", flat=True)
        .first()
    )
    services.reply_assistance(
        asks[3], officer, "已现场核查，特种设备均已登记并在检验有效期内", [inspection] if inspection else []
    )
    lixia_admin = _staff(lixia, "department_admin", "lixia_admin")
    services.decline_assistance(asks[4], lixia_admin, "广告监测由市局负责")
    services.forward_assistance(asks[5], lixia_admin, jn_market, "由市局办理")
    # A campaign on a key matter (school food safety): market units, education and health take part.
    items = list(
        SupervisionItem.objects.filter(sector__code="scjg", parent__isnull=True, name__contains="食品").order_by(
            "code"
        )[:2]
    )
    campaign = services.create_campaign(
        jn_market,
        title="2026年秋季学期校园及周边食品安全专项整治",
        participants=[lixia, units[("scjg", "370103")], jn_edu, jn_health],
        item_ids=[i.pk for i in items],
        starts_on=timezone.localdate() - dt.timedelta(days=30),
        ends_on=timezone.localdate() + dt.timedelta(days=30),
        target_filter={"regions": ["370102", "370103"], "industries": ["H"], "statuses": ["operating"]},
        actor=jn_admin,
        justification="校园食品安全专项整治，按省级部署开展",
        limit=5000,
    )
    done = 0
    # Two thirds of the 历下 unit's subjects are checked; the officer has the rest still to visit.
    mine = list(campaign.tasks.filter(department=lixia).select_related("campaign").order_by("pk"))
    for task in mine[: max(1, len(mine) * 2 // 3)]:
        results = {p["code"]: "pass" for p in campaign.form}
        notes = {}
        if rng.random() < 0.2 and campaign.form:
            results[campaign.form[-1]["code"]] = "fail"
            notes[campaign.form[-1]["code"]] = "现场发现问题，已责令整改"
        services.record_campaign_result(
            task, officer, results, timezone.localdate() - dt.timedelta(days=rng.randint(1, 25)), notes=notes
        )
        done += 1
    progress(f"campaign: {campaign.tasks.count()} tasks, {done} checked")
    # Rectification orders from inspections with a failed check item, in every state.
    recent = Record.objects.filter(kind="inspection", department=lixia).order_by("-action_date")[:400]
    failed = [r for r in recent if any(c.get("result") == "fail" for c in (r.details or {}).get("check_items", []))][:6]
    orders = []
    for n, record in enumerate(failed):
        # One order was issued two weeks ago with a short deadline and is overdue by now.
        issued = now - dt.timedelta(days=14) if n == 4 else None
        orders.append(
            rectification.rectification_from_record(
                record, officer, working_days=[10, 10, 10, 10, 3, 10][n % 6], now=issued
            )
        )
    if len(orders) >= 4:
        rectification.report_by_subject(orders[1][0].number, orders[1][1], "已补办健康证明并张贴公示")
        rectification.report_rectification(orders[2][0], officer, "当事人提交整改照片")
        rectification.review_rectification(orders[2][0], officer, "reinspect", "需现场复查")
        rectification.report_rectification(orders[3][0], officer, "已整改")
        rectification.review_rectification(orders[3][0], officer, "accept", "整改到位")
    progress(f"joint: {len(notices)} notices, {len(asks)} assistance requests, {len(orders)} rectification orders")
    return {"claims": claims["created"], "campaign": campaign.pk, "orders": [(o.number, code) for o, code in orders]}
