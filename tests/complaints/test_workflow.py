"""Every work-order path on the working-day calendar: dispatch, sign, return and review, extension,
督办, reply, return call, re-handling, direct answers, overdue flags and escalation."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from jianguan.core.errors import DomainError, Forbidden
from tests.complaints.conftest import FORM, MILK

pytestmark = pytest.mark.django_db
TZ = ZoneInfo("Asia/Shanghai")


def at(*args):
    return dt.datetime(*args, tzinfo=TZ)


def receive(hotline, now, **changes):
    from jianguan.complaints import services

    return services.receive({**MILK, **changes}, channel="portal", now=now)


def test_dispatched_order_is_due_five_working_days_later_across_mid_autumn_and_national_day(hotline, province):
    from jianguan.workflow.services import deadline_colour

    # Thu 24 Sep 2026: 25 Sep is 中秋, 1-7 Oct 国庆; working days 28, 29, 30 Sep, 8 and 9 Oct.
    order, _code = receive(hotline, at(2026, 9, 24, 10))
    assert order.state == "dispatched"
    assert order.lead_department == province.lixia_market
    assert order.due_at == at(2026, 10, 10)
    item = order.item
    item.refresh_from_db()
    assert item.department == province.lixia_market
    # Sign within one working day (the 24th counts as day 0: due at the end of the 28th).
    assert item.state_due_at == at(2026, 9, 29)
    from jianguan.complaints import services

    services.accept(order, hotline.lixia_officer, now=at(2026, 9, 28, 9))
    item.refresh_from_db()
    assert item.next_due_at == at(2026, 10, 10)
    # Yellow card from the start of the last working day, red once the deadline passes.
    assert deadline_colour(item, at(2026, 10, 8, 23)) == "green"
    assert deadline_colour(item, at(2026, 10, 9, 0, 1)) == "yellow"
    assert deadline_colour(item, at(2026, 10, 10, 0, 1)) == "red"


def test_full_path_reply_return_call_close(hotline):
    from jianguan.complaints import services

    order, code = receive(hotline, at(2026, 11, 2, 9))
    with pytest.raises(Forbidden):
        services.accept(order, hotline.shinan_officer, now=at(2026, 11, 2, 10))
    with pytest.raises(Forbidden):
        services.reply(order, hotline.operator, FORM, now=at(2026, 11, 2, 10))
    services.accept(order, hotline.lixia_officer, now=at(2026, 11, 2, 10))
    with pytest.raises(DomainError) as bad:
        services.reply(order, hotline.lixia_officer, {**FORM, "is_resolved": False}, now=at(2026, 11, 3, 10))
    assert bad.value.errors[0].code == "reason_required" and "未解决原因" in str(bad.value.errors[0].message.zh)
    services.reply(order, hotline.lixia_officer, FORM, now=at(2026, 11, 3, 10))
    order.refresh_from_db()
    assert (order.state, order.is_true, order.public_reply) == ("replied", True, FORM["public_reply"])
    services.return_call(order, hotline.operator, {"satisfaction": "satisfied"}, now=at(2026, 11, 4, 10))
    order.refresh_from_db()
    assert order.state == "closed" and order.closed_at == at(2026, 11, 4, 10)
    actions = list(order.item.transitions.values_list("action", flat=True))
    assert actions == ["dispatch", "accept", "reply", "resolve"]
    with pytest.raises(DomainError):
        services.rate_by_citizen(order.number, code, {"satisfaction": "dissatisfied"})


def test_return_within_two_working_days_then_reassigned(hotline, province):
    from jianguan.complaints import services

    order, _ = receive(hotline, at(2026, 9, 24, 10))
    # Window: two working days after dispatch (28 and 29 Sep), so until 30 Sep 00:00.
    services.return_order(
        order, hotline.lixia_officer, "不属于本单位职责，应由生态环境部门办理", now=at(2026, 9, 29, 18)
    )
    order.refresh_from_db()
    assert order.state == "returned"
    with pytest.raises(DomainError) as same:
        services.review_return(
            order, hotline.operator, accept=True, comment="改派", lead=province.lixia_market, now=at(2026, 9, 30, 9)
        )
    assert same.value.code == "reassign_needs_unit"
    services.review_return(
        order, hotline.operator, accept=True, comment="改派生态环境局", lead=province.jn_env, now=at(2026, 9, 30, 9)
    )
    order.refresh_from_db()
    assert (order.state, order.lead_department) == ("dispatched", province.jn_env)
    # A new handling deadline from the reassignment (30 Sep): 8, 9, 10 (Sat, 调休), 12 and 13 Oct.
    assert order.due_at == at(2026, 10, 14)
    assignments = list(order.assignments.order_by("pk").values_list("department_id", "is_current", "return_status"))
    assert assignments == [(province.lixia_market.pk, False, "accepted"), (province.jn_env.pk, True, "")]
    # The first unit no longer handles it; the new one does.
    with pytest.raises(Forbidden):
        services.accept(order, hotline.lixia_officer, now=at(2026, 9, 30, 10))
    services.accept(order, hotline.jn_env_officer, now=at(2026, 9, 30, 10))


def test_return_refused_and_return_after_the_window(hotline, province):
    from jianguan.complaints import services

    order, _ = receive(hotline, at(2026, 9, 24, 10))
    services.return_order(order, hotline.lixia_officer, "地址不在辖区", now=at(2026, 9, 28, 9))
    services.review_return(
        order, hotline.operator, accept=False, comment="地址在历下区，请办理", now=at(2026, 9, 28, 11)
    )
    order.refresh_from_db()
    assert (order.state, order.lead_department) == ("dispatched", province.lixia_market)
    services.accept(order, hotline.lixia_officer, now=at(2026, 9, 28, 12))
    with pytest.raises(DomainError) as late:
        services.return_order(order, hotline.lixia_officer, "再次退回", now=at(2026, 9, 30, 0, 1))
    assert late.value.code == "return_window_passed"
    with pytest.raises(DomainError) as no_return:
        services.review_return(order, hotline.operator, accept=False, comment="x", now=at(2026, 9, 30, 1))
    assert no_return.value.code == "no_pending_return"


def test_extension_needs_approval_and_is_capped(hotline):
    from jianguan.complaints import services

    order, _ = receive(hotline, at(2026, 9, 24, 10))
    with pytest.raises(DomainError):
        services.request_extension(order, hotline.lixia_officer, 3, "需检测", now=at(2026, 9, 25, 9))  # not signed yet
    services.accept(order, hotline.lixia_officer, now=at(2026, 9, 28, 9))
    extension = services.request_extension(order, hotline.lixia_officer, 3, "样品送检需时", now=at(2026, 9, 29, 9))
    with pytest.raises(DomainError) as twice:
        services.request_extension(order, hotline.lixia_officer, 2, "再延", now=at(2026, 9, 29, 10))
    assert twice.value.code == "extension_pending"
    with pytest.raises(Forbidden):
        services.decide_extension(extension, hotline.lixia_admin, approve=True)
    services.decide_extension(extension, hotline.operator, approve=True, comment="同意", now=at(2026, 9, 29, 11))
    order.refresh_from_db()
    # Due 10 Oct 00:00; three more working days: Sat 10 Oct (调休), 12 and 13 Oct.
    assert order.due_at == at(2026, 10, 14)
    assert order.extended_days == 3
    with pytest.raises(DomainError) as capped:
        services.request_extension(order, hotline.lixia_officer, 8, "还需要更久", now=at(2026, 9, 30, 9))
    assert capped.value.code == "extension_too_long"
    refused = services.request_extension(order, hotline.lixia_officer, 7, "还需要更久", now=at(2026, 9, 30, 9))
    services.decide_extension(refused, hotline.operator, approve=False, comment="不同意", now=at(2026, 9, 30, 10))
    order.refresh_from_db()
    assert order.due_at == at(2026, 10, 14) and refused.status == "refused"
    with pytest.raises(DomainError):
        services.decide_extension(refused, hotline.operator, approve=True)


def test_dissatisfied_return_call_reopens_with_new_deadline_and_supervision(hotline):
    from jianguan.complaints import services

    order, code = receive(hotline, at(2026, 11, 2, 9))
    services.accept(order, hotline.lixia_officer, now=at(2026, 11, 2, 10))
    services.reply(order, hotline.lixia_officer, FORM, now=at(2026, 11, 3, 10))
    # The citizen rates it on the portal: dissatisfied → 重办 with a new 5-working-day deadline and a 督办单.
    services.rate_by_citizen(
        order.number, code, {"satisfaction": "dissatisfied", "comment": "商户仍在销售"}, now=at(2026, 11, 4, 10)
    )
    order.refresh_from_db()
    assert (order.state, order.redo_count, order.satisfaction) == ("handling", 1, "dissatisfied")
    assert order.due_at == at(2026, 11, 12)
    assert list(order.urgings.values_list("reason", flat=True)) == ["dissatisfied"]
    services.reply(order, hotline.lixia_officer, FORM, now=at(2026, 11, 5, 10))
    services.rate_by_citizen(order.number, code, {"satisfaction": "satisfied"}, now=at(2026, 11, 6, 10))
    order.refresh_from_db()
    assert order.state == "closed" and order.rated_by_citizen
    with pytest.raises(DomainError):
        services.rate_by_citizen(
            order.number, "000000" if code != "000000" else "111111", {"satisfaction": "satisfied"}
        )


def test_manual_supervision_and_overdue_flag_escalate(hotline, province):
    from jianguan.complaints import services
    from jianguan.workflow.services import escalate_overdue

    order, _ = receive(hotline, at(2026, 11, 2, 9))
    services.accept(order, hotline.lixia_officer, now=at(2026, 11, 2, 10))
    services.urge(order, hotline.operator, note="请加快办理", now=at(2026, 11, 5, 9))
    assert services.flag_overdue(at(2026, 11, 9, 23)) == {"overdue": 0, "supervised": 0}
    # Dispatched Mon 2 Nov: due at the end of 9 Nov (3-6 and 9 Nov); overdue from then, flagged once, one 督办单.
    assert services.flag_overdue(at(2026, 11, 10, 9)) == {"overdue": 1, "supervised": 1}
    assert services.flag_overdue(at(2026, 11, 10, 10)) == {"overdue": 0, "supervised": 0}
    order.refresh_from_db()
    assert order.overdue
    assert sorted(order.urgings.values_list("reason", flat=True)) == ["manual", "overdue"]
    report = escalate_overdue(at(2026, 11, 10, 9), dry_run=True)
    assert [e["to_department"] for e in report.escalated] == [province.jn_market.pk]
    escalate_overdue(at(2026, 11, 10, 9))
    order.item.refresh_from_db()
    assert order.item.department == province.jn_market and order.item.escalation_level == 1
    # The lead unit still handles it; a late reply keeps the overdue mark.
    services.reply(order, hotline.lixia_officer, FORM, now=at(2026, 11, 10, 11))
    order.refresh_from_db()
    assert order.overdue and order.state == "replied"


def test_deadline_across_the_2026_2027_year_end(hotline):
    from jianguan.platform.services import publish_calendar_year, set_calendar_override

    # Mon 28 Dec 2026 + 5: 29, 30, 31 Dec, then 1 and 4 Jan on the weekday fallback (2027 not yet published).
    order, _ = receive(hotline, at(2026, 12, 28, 9))
    assert order.due_at == at(2027, 1, 5)
    assert order.item.due_is_provisional
    set_calendar_override(dt.date(2027, 1, 1), "holiday", "元旦")
    publish_calendar_year(2027, "国务院办公厅关于2027年部分节假日安排的通知 (test)")
    later, _ = receive(
        hotline,
        at(2026, 12, 28, 9),
        content="我在济南市历下区经十路一家药店买到假冒的口罩，要求查处",
        category="060103",
    )
    assert later.due_at == at(2027, 1, 6)
    assert not later.item.due_is_provisional


def test_urgent_category_counts_hours_and_consultation_is_answered_directly(hotline):
    from jianguan.complaints import services

    lift, _ = receive(
        hotline, at(2026, 11, 7, 22), content="历下区某小区电梯困人，物业联系不上，情况紧急", category="060106"
    )
    assert lift.due_at == at(2026, 11, 8, 0)  # two clock hours, even on a Saturday night
    lift.item.refresh_from_db()
    assert lift.item.warn_at == at(2026, 11, 7, 23, 30)  # 75 % of an hour SLA
    ask, _ = receive(
        hotline,
        at(2026, 11, 2, 9),
        content="请问在历下区开办个体食品店需要办理哪些证照",
        kind="consultation",
        category=None,
    )
    assert ask.state == "received"
    services.answer_directly(
        ask, hotline.operator, "需办理营业执照和食品经营许可证，可在政务服务网申请", now=at(2026, 11, 2, 9, 5)
    )
    ask.refresh_from_db()
    assert ask.state == "closed" and ask.is_resolved


def test_a_published_policy_version_changes_the_rules_and_is_audited(hotline, admin_user):
    from jianguan.audit.models import AuditEvent
    from jianguan.complaints import services
    from jianguan.complaints.policy import policy
    from jianguan.core.models import PolicyDocument
    from jianguan.platform.policies import publish_policy

    shipped = policy()
    assert shipped["return_within_working_days"] == 2
    with pytest.raises(DomainError) as keys:
        publish_policy("complaints", {"return_within_working_days": 3}, "试点", admin_user)
    assert keys.value.code == "invalid_policy"
    with pytest.raises(DomainError):
        publish_policy("complaints", {**shipped, "return_within_working_days": 3}, " ", admin_user)
    document = publish_policy(
        "complaints", {**shipped, "return_within_working_days": 3}, "退单期限试点延长至3个工作日", admin_user
    )
    assert (document.version, policy()["return_within_working_days"]) == (1, 3)
    event = AuditEvent.objects.filter(action="core.publish_policy").get()
    assert event.after["version"] == 1
    # Dispatched Thu 24 Sep: the third working day after is 30 Sep, now inside the window.
    order, _ = receive(hotline, at(2026, 9, 24, 10))
    services.return_order(order, hotline.lixia_officer, "不属于本单位职责", now=at(2026, 9, 30, 18))
    order.refresh_from_db()
    assert order.state == "returned"
    second = publish_policy("complaints", shipped, "恢复为2个工作日", admin_user)
    assert second.version == 2 and policy()["return_within_working_days"] == 2
    assert PolicyDocument.objects.filter(name="complaints").count() == 2
