"""Joint supervision: licence claims and the never-supervised report, notices, assistance requests,
campaigns with key matters and the merged form, rectification, the inspection cap and its
justification trail, overlapping visits, and the national joint-task message."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from jianguan.core.errors import DomainError, Forbidden

pytestmark = pytest.mark.django_db
TZ = ZoneInfo("Asia/Shanghai")


def at(*args):
    return dt.datetime(*args, tzinfo=TZ)


@pytest.fixture
def joint(setup, province, make_user):
    from jianguan.joint.services import setup as joint_setup

    joint_setup()
    return {
        "lixia": make_user("officer", department=province.lixia_market),
        "lixia_admin": make_user("department_admin", department=province.lixia_market),
        "env_admin": make_user("department_admin", department=province.jn_env),
        "jn_admin": make_user("department_admin", department=province.jn_market),
        "qd_admin": make_user("department_admin", department=province.qd_market),
    }


def send(setup, records):
    from jianguan.exchange.services import ingest

    return ingest(enumerate(records, 1), source=setup.source, channel="api")


def licence(setup, province, source_id="LIC-1", day="2026-03-02"):
    return {
        "kind": "licence",
        "source_id": source_id,
        "item_code": setup.item.code,
        "department": province.lixia_market.uscc,
        "subject_nature": "2",
        "subject_id_type": "001",
        "subject_code": setup.subject.uscc,
        "subject_name": setup.subject.name,
        "region": "370102",
        "action_date": day,
        "reported_at": f"{day}T10:00:00+08:00",
        "licence_no": f"JY{source_id}",
    }


def test_licence_claim_escalation_and_never_supervised_report(setup, inspection, province, joint):
    from jianguan.joint.models import ClaimTask
    from jianguan.joint.services import claim, never_supervised, sync_claims
    from jianguan.workflow.services import escalate_overdue

    send(setup, [licence(setup, province), licence(setup, province, "LIC-2", "2025-03-03")])
    result = sync_claims(now=at(2026, 3, 2, 12))
    assert result == {"created": 2, "skipped": 0, "inspected": 0}
    assert sync_claims(now=at(2026, 3, 2, 12))["created"] == 0  # once per licence
    recent = ClaimTask.objects.get(licence__source_id="LIC-1")
    assert recent.department == province.lixia_market
    assert recent.item.next_due_at == at(2026, 3, 10)  # 5 working days after Mon 2 Mar: 3-6 and 9 Mar
    # The deadline runs from the approval, not from the sync: a licence of last year is overdue at once.
    assert ClaimTask.objects.get(licence__source_id="LIC-2").item.next_due_at == at(2025, 3, 11)
    report = {r["licence"]: r["reason"] for r in never_supervised(joint["lixia"], dt.date(2026, 3, 20))}
    assert report == {
        recent.licence_id: "unclaimed",
        ClaimTask.objects.get(licence__source_id="LIC-2").licence_id: "unclaimed",
    }
    # Unclaimed past its deadline: escalates to the city bureau; a dry run says so first, with reasons.
    dry = escalate_overdue(at(2026, 3, 11, 9), dry_run=True)
    assert {e["to_department"] for e in dry.escalated} == {province.jn_market.pk}
    escalate_overdue(at(2026, 3, 11, 9))
    again = escalate_overdue(at(2026, 3, 11, 10), dry_run=True)
    assert {s["reason"] for s in again.skipped} == {"escalated_recently"}
    recent.item.refresh_from_db()
    assert recent.item.department == province.jn_market
    with pytest.raises(Forbidden):
        claim(recent, joint["qd_admin"])
    claim(recent, joint["lixia"], now=at(2026, 3, 12, 9))
    recent.item.refresh_from_db()
    assert recent.item.next_due_at is None  # claimed: the claim deadline no longer applies
    old = ClaimTask.objects.get(licence__source_id="LIC-2")
    claim(old, joint["lixia"], now=at(2026, 3, 12, 9))
    # An inspection of the holder by the supervising unit after the licence counts as supervision.
    send(setup, [inspection("INS-9", action_date="2026-03-16", reported_at="2026-03-16T18:00:00+08:00")])
    assert sync_claims(now=at(2026, 3, 17, 9))["inspected"] == 2
    old.refresh_from_db()
    assert old.first_inspection_on == dt.date(2026, 3, 16)
    # The old licence had no inspection within 180 days of its issue before that one.
    ClaimTask.objects.filter(pk=old.pk).update(first_inspection_on=None)
    report = never_supervised(joint["lixia"], dt.date(2026, 3, 20))
    assert [(r["licence"], r["reason"]) for r in report] == [(old.licence_id, "not_inspected")]
    assert never_supervised(joint["qd_admin"], dt.date(2026, 3, 20)) == []
    import io

    import openpyxl
    from django.test import Client

    staff = Client()
    staff.force_login(joint["lixia"])
    book = openpyxl.load_workbook(io.BytesIO(staff.get("/joint/claims/", {"format": "xlsx"}).content))
    rows = list(book.active.iter_rows(values_only=True))
    assert rows[0] == ("监管对象", "监管部门", "许可日期", "问题") and len(rows) == 1 + len(
        never_supervised(joint["lixia"])
    )


def test_notices_with_read_receipts_replies_and_scope(setup, province, joint):
    from jianguan.joint.permissions import visible_notices
    from jianguan.joint.services import read_notice, reply_notice, send_notice

    notice = send_notice(
        province.lixia_market,
        [province.jn_env, province.qd_market, province.lixia_market],
        title="关于测试食品公司排污问题的抄告",
        body="检查中发现该公司后厨废水直排，请贵局依职责处理",
        subject=setup.subject,
        reply_within=5,
        actor=joint["lixia"],
        now=at(2026, 3, 2, 9),
    )
    assert sorted(notice.recipients.values_list("department_id", flat=True)) == sorted(
        [province.jn_env.pk, province.qd_market.pk]
    )
    assert notice.reply_due == at(2026, 3, 10)
    env = notice.recipients.get(department=province.jn_env)
    with pytest.raises(Forbidden):
        read_notice(env, joint["qd_admin"])
    read_notice(env, joint["env_admin"], now=at(2026, 3, 3, 9))
    read_notice(env, joint["env_admin"], now=at(2026, 3, 4, 9))
    env.refresh_from_db()
    assert env.read_at == at(2026, 3, 3, 9)  # the first reading is the receipt
    reply_notice(env, joint["env_admin"], "已立案调查", now=at(2026, 3, 5, 9))
    with pytest.raises(DomainError):
        reply_notice(env, joint["env_admin"], "再次回复")
    assert visible_notices(joint["env_admin"]).filter(pk=notice.pk).exists()
    assert visible_notices(joint["qd_admin"]).filter(pk=notice.pk).exists()
    from jianguan.accounts.services import create_user

    outsider = create_user("outsider", "Outsider-2026!", department=province.shinan_market, roles=["department_admin"])
    assert not visible_notices(outsider).exists()
    with pytest.raises(DomainError):
        send_notice(province.lixia_market, [province.lixia_market], title="x", body="y", actor=joint["lixia"])


def test_assistance_paths_deadlines_escalation_and_scope(setup, inspection, province, joint):
    from jianguan.joint.permissions import visible_assistance
    from jianguan.joint.services import (
        accept_assistance,
        decline_assistance,
        forward_assistance,
        reply_assistance,
        request_assistance,
    )
    from jianguan.records.models import Record
    from jianguan.workflow.services import escalate_overdue

    ask = request_assistance(
        province.jn_env,
        province.lixia_market,
        setup.subject,
        "请核查该公司食品经营许可和后厨卫生",
        working_days=3,
        actor=joint["env_admin"],
        now=at(2026, 9, 29, 9),
    )
    # 3 working days across National Day: 30 Sep, 8 and 9 Oct.
    assert ask.item.due_at == at(2026, 10, 10)
    assert ask.state == "requested"
    with pytest.raises(Forbidden):
        accept_assistance(ask, joint["env_admin"])  # the requester cannot accept its own request
    accept_assistance(ask, joint["lixia"], now=at(2026, 9, 30, 9))
    send(setup, [inspection("INS-A", action_date="2026-09-30", reported_at="2026-09-30T18:00:00+08:00")])
    record = Record.objects.get(source_id="INS-A")
    with pytest.raises(DomainError):
        reply_assistance(ask, joint["lixia"], "已检查", record_ids=[record.pk + 999], now=at(2026, 10, 8, 9))
    reply_assistance(
        ask,
        joint["lixia"],
        "已现场检查，许可有效，后厨存在问题已责令整改",
        record_ids=[record.pk],
        now=at(2026, 10, 8, 9),
    )
    ask.refresh_from_db()
    assert (ask.state, ask.records) == ("replied", [record.pk])
    declined = request_assistance(
        province.jn_env, province.lixia_market, setup.subject, "请核查价格", actor=joint["env_admin"]
    )
    with pytest.raises(DomainError):
        decline_assistance(declined, joint["lixia_admin"], "")
    decline_assistance(declined, joint["lixia_admin"], "不属于本局职责")
    assert declined.state == "declined" and declined.decline_reason == "不属于本局职责"
    forwarded = request_assistance(
        province.jn_env,
        province.lixia_market,
        setup.subject,
        "请核查特种设备",
        actor=joint["env_admin"],
        now=at(2026, 11, 2, 9),
    )
    forward_assistance(
        forwarded, joint["lixia_admin"], province.jn_market, "由市局特种设备处办理", now=at(2026, 11, 2, 10)
    )
    assert (forwarded.assignee, forwarded.forwarded_from, forwarded.state) == (
        province.jn_market,
        province.lixia_market,
        "requested",
    )
    assert visible_assistance(joint["lixia_admin"]).filter(pk=forwarded.pk).exists()  # it passed through
    assert not visible_assistance(joint["qd_admin"]).filter(pk=forwarded.pk).exists()
    # Not accepted within 2 working days: the state deadline passes and it escalates to the province.
    report = escalate_overdue(at(2026, 11, 5, 9), dry_run=True)
    assert [e["to_department"] for e in report.escalated if e["item"] == forwarded.item_id] == [province.market.pk]
    escalate_overdue(at(2026, 11, 5, 9))
    top = escalate_overdue(at(2026, 11, 9, 9), dry_run=True)
    assert [s["reason"] for s in top.skipped if s["item"] == forwarded.item_id] == ["top_of_chain"]


def test_inspection_cap_needs_a_justification_and_keeps_the_trail(setup, inspection, province, joint):
    from jianguan.joint.models import CapJustification
    from jianguan.joint.services import cap_for, request_assistance

    setup.subject.risk_grade = "A"
    setup.subject.save(update_fields=["risk_grade"])
    assert cap_for(setup.subject) == 2
    send(
        setup,
        [
            inspection(f"INS-{n}", action_date=f"2026-0{n}-02", reported_at=f"2026-0{n}-02T18:00:00+08:00")
            for n in (3, 4)
        ],
    )
    with pytest.raises(DomainError) as refused:
        request_assistance(
            province.jn_env,
            province.lixia_market,
            setup.subject,
            "再查一次",
            actor=joint["env_admin"],
            now=at(2026, 5, 6, 9),
        )
    assert refused.value.code == "inspection_cap" and refused.value.status == 409
    ask = request_assistance(
        province.jn_env,
        province.lixia_market,
        setup.subject,
        "再查一次",
        actor=joint["env_admin"],
        justification="群众举报偷排污水，需立即核查",
        now=at(2026, 5, 6, 9),
    )
    entry = CapJustification.objects.get()
    assert (entry.count_before, entry.cap, entry.context, entry.department) == (
        2,
        2,
        "assistance",
        province.lixia_market,
    )
    assert entry.recorded_by == joint["env_admin"] and ask.justification == "群众举报偷排污水，需立即核查"


def test_campaign_key_matter_merged_form_tasks_results_and_progress(setup, province, joint, make_subject):
    from jianguan.catalog.key_matters import load_key_matters
    from jianguan.catalog.schemas import CheckPointIn, SupervisionItemIn
    from jianguan.catalog.services import add_check_point, create_item
    from jianguan.core.codes import uscc_with_check
    from jianguan.core.models import Region
    from jianguan.facts.models import Fact
    from jianguan.facts.services import deliver, replay
    from jianguan.joint.services import campaign_progress, create_campaign, record_campaign_result
    from jianguan.platform.services import create_department, ensure_sector
    from jianguan.rectification.models import Rectification

    school = create_item(
        SupervisionItemIn(
            code="37010002000000",
            name="学校食堂食品安全检查",
            department=str(province.market.pk),
            sector_code="scjg",
            effective_from=dt.date(2020, 1, 1),
        )
    )
    for item, code, content in [
        (setup.item, "01", "食品经营许可证是否有效"),
        (setup.item, "02", "从业人员健康证明"),
        (school, "01", "从业人员健康证明"),
        (school, "02", "食材进货查验记录"),
    ]:
        add_check_point(CheckPointIn(item_code=item.code, code=code, content=content, check_type="random"))
    health_sector = ensure_sector("wsjk", "卫生健康")
    health = create_department(
        name="济南市卫生健康委员会",
        region=Region.objects.get(code="370100"),
        sector=health_sector,
        uscc=uscc_with_check("1137010000000077"),
    )
    load_key_matters()
    subjects = [setup.subject] + [make_subject(f"历下食堂{n}有限公司") for n in range(3)]
    window = {"starts_on": dt.date(2026, 9, 1), "ends_on": dt.date(2026, 10, 31)}
    with pytest.raises(DomainError) as missing:
        create_campaign(
            province.jn_market,
            title="校园食品安全专项整治",
            participants=[province.lixia_market],
            item_ids=[setup.item.pk, school.pk],
            target_filter={"subject_ids": [s.pk for s in subjects]},
            actor=joint["jn_admin"],
            **window,
        )
    assert missing.value.code == "key_matter_departments" and "卫生健康" in str(missing.value.message)
    campaign = create_campaign(
        province.jn_market,
        title="校园食品安全专项整治",
        participants=[province.lixia_market, health],
        item_ids=[setup.item.pk, school.pk],
        target_filter={"subject_ids": [s.pk for s in subjects]},
        actor=joint["jn_admin"],
        **window,
    )
    # 一表通查: the shared check point appears once, with both sources.
    assert [p["content"] for p in campaign.form] == ["食品经营许可证是否有效", "从业人员健康证明", "食材进货查验记录"]
    assert campaign.form[1]["sources"] == ["37010001000000-02", "37010002000000-01"]
    assert campaign.key_matter.code == "KM03"
    # One task per subject and sector: the county market unit (deepest) and the city health unit.
    assert campaign.tasks.count() == 8
    assert set(campaign.tasks.values_list("department_id", flat=True)) == {province.lixia_market.pk, health.pk}
    task = campaign.tasks.get(subject=setup.subject, department=province.lixia_market)
    with pytest.raises(DomainError):
        record_campaign_result(task, joint["lixia"], {"F01": "pass"})
    record_campaign_result(task, joint["lixia"], {"F01": "pass", "F02": "fail", "F03": "pass"}, dt.date(2026, 9, 10))
    # The finding is published; the rectification service's subscriber opens one order, once.
    finding = Fact.objects.get(name="joint.campaign_finding")
    assert finding.payload["failed"] == ["从业人员健康证明"] and finding.subject_id == setup.subject.pk
    assert not Rectification.objects.exists()
    deliver(["rectification.from_campaigns"])
    finding.refresh_from_db()
    replay("rectification.from_campaigns", finding.seq, None)
    deliver(["rectification.from_campaigns"])
    order = Rectification.objects.get()
    assert order.requirement == "从业人员健康证明" and order.source_ref == f"campaign-task-{task.pk}"
    progress = campaign_progress(campaign)
    assert (progress["tasks"], progress["done"]) == (8, 1)
    assert {r["department"]: (r["tasks"], r["done"], r["findings"]) for r in progress["by_department"]} == {
        "济南市历下区市场监督管理局": (4, 1, 1),
        "济南市卫生健康委员会": (4, 0, 0),
    }
    assert progress["by_region"] == [{"region": "济南市", "tasks": 8, "done": 1, "findings": 1}]
    # Targets can also come from a list: one new subject, one unknown code, one already there.
    from jianguan.joint.services import import_campaign_targets

    extra = make_subject("历下新增食堂有限公司")
    listing = (
        f"统一社会信用代码,名称\n{extra.uscc},新增\n91370102MA00000000,不存在\n{setup.subject.uscc},已有\n".encode()
    )
    result = import_campaign_targets(campaign, listing, "targets.csv", joint["jn_admin"])
    assert (result["received"], result["added"], result["unknown"], result["duplicate"], result["tasks"]) == (
        3,
        1,
        1,
        1,
        2,
    )
    assert result["rows"] == {"added": [2], "unknown": [3], "duplicate": [4]}
    with pytest.raises(DomainError):
        import_campaign_targets(campaign, "名称\n无代码\n".encode(), "targets.csv", joint["jn_admin"])


def test_overlapping_inspections_suggest_one_combined_visit(setup, inspection, province, joint, make_officer):
    from jianguan.joint.services import overlapping_inspections

    send(
        setup,
        [
            inspection("INS-O1", action_date="2026-11-02", reported_at="2026-11-02T18:00:00+08:00"),
            inspection(
                "INS-O2",
                action_date="2026-11-10",
                reported_at="2026-11-10T18:00:00+08:00",
                department=province.jn_market.uscc,
            ),
        ],
    )
    alerts = overlapping_inspections(joint["jn_admin"], dt.date(2026, 11, 20))
    assert [(a["subject_id"], a["departments"], a["visits"]) for a in alerts] == [(setup.subject.pk, 2, 2)]
    assert overlapping_inspections(joint["jn_admin"], dt.date(2027, 1, 20)) == []


def test_national_task_message_round_trip(setup, province, joint):
    from jianguan.joint.models import AssistRequest
    from jianguan.joint.national import export_assistance, import_task
    from jianguan.joint.services import accept_assistance, reply_assistance, request_assistance

    ask = request_assistance(
        province.jn_env, province.lixia_market, setup.subject, "请核查排污许可", actor=joint["env_admin"]
    )
    message = export_assistance(ask)
    info = message["taskInfo"]
    assert (info["status"], info["initiateUnit"]["No"], info["unionUnits"][0]["Name"]) == (
        "分发",
        province.jn_env.uscc,
        province.lixia_market.name,
    )
    assert info["superviseObjects"][0]["credentialsValue"] == setup.subject.uscc
    assert set(info["superviseObjects"][0]["basisData"]) >= {
        "creditAssess",
        "operatingAbnormal",
        "seriousIllegal",
        "complaintInfo",
        "tipInfo",
        "riskWarning",
    }
    # Brought in again (as from another platform) it becomes the same request.
    message["taskInfo"]["taskNo"] = "NAT-2026-0001"
    [copy] = import_task(message, joint["env_admin"])
    assert (copy.number, copy.requester, copy.assignee, copy.subject) == (
        "NAT-2026-0001",
        ask.requester,
        ask.assignee,
        ask.subject,
    )
    assert export_assistance(copy)["taskInfo"]["inspectContent"].endswith("请核查排污许可")
    with pytest.raises(DomainError) as twice:
        import_task(message, joint["env_admin"])
    assert twice.value.code == "duplicate_task"
    accept_assistance(copy, joint["lixia"])
    reply_assistance(copy, joint["lixia"], "排污许可有效")
    done = export_assistance(AssistRequest.objects.get(pk=copy.pk))
    detail = done["supervisionProcess"]["taskDetails"][0]
    assert (done["taskInfo"]["status"], detail["status"], detail["feedbackSuggestion"]) == (
        "反馈",
        "反馈",
        "排污许可有效",
    )
    assert detail["claimTime"] is not None
    bad = {"taskInfo": {"taskNo": "X", "status": "unknown"}}
    with pytest.raises(DomainError) as invalid:
        import_task(bad, joint["env_admin"])
    assert invalid.value.code == "invalid_request" and {e.field for e in invalid.value.errors} >= {
        "taskInfo.status",
        "taskInfo.taskName",
    }


def test_never_supervised_report_on_the_demo(db, settings, tmp_path):
    from jianguan.accounts.models import User
    from jianguan.demo.build import DemoBuilder
    from jianguan.joint.models import ClaimTask
    from jianguan.joint.services import never_supervised

    settings.MEDIA_ROOT = str(tmp_path)
    DemoBuilder(seed=11, subjects=800, actions=4000, complaints=0).build()
    admin = User.objects.get(username="admin")
    report = never_supervised(admin)
    pending = ClaimTask.objects.filter(item__state="pending")
    assert report and len(report) == pending.count()
    assert {r["reason"] for r in report} == {"unclaimed"}
    assert {r["claim"] for r in report} == set(pending.values_list("pk", flat=True))
    # 济南's units claimed two thirds of their tasks in the demo; an officer sees only its own unit's gaps.
    jinan = User.objects.get(username="jn_admin").department
    assert ClaimTask.objects.filter(department__path__startswith=jinan.path, item__state="claimed").exists()
    officer = User.objects.get(username="lixia_officer")
    mine = never_supervised(officer)
    assert all(r["department"] == officer.department.name for r in mine)
    assert len(mine) < len(report)
