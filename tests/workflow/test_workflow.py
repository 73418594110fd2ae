import datetime as dt
import json
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from django.core.management import call_command

from jianguan.core.errors import DomainError
from jianguan.workflow.models import WorkflowItem, WorkflowTransition
from jianguan.workflow.services import (
    deadline_colour,
    define_workflow,
    escalate_overdue,
    perform_action,
    start_workflow,
)

TZ = ZoneInfo("Asia/Shanghai")
SPEC = json.loads(
    (Path(__file__).resolve().parents[2] / "src/jianguan/workflow/definitions/example_review.json").read_text(
        encoding="utf-8"
    )
)


def at(*args):
    return dt.datetime(*args, tzinfo=TZ)


@pytest.fixture
def flow(province):
    define_workflow(SPEC)
    return province


def start(province, department=None, now=None):
    return start_workflow(
        "example_review",
        reference="T-1",
        title="测试事项",
        department=department or province.lixia_market,
        now=now or at(2026, 3, 2, 9),
    )


def test_deadlines_are_stored_on_working_days(flow):
    item = start(flow)  # Mon 2 Mar 2026: state SLA 2 working days, overall 10
    assert item.state_due_at == at(2026, 3, 5)  # end of Wed 4 Mar
    assert item.due_at == at(2026, 3, 17)  # end of Mon 16 Mar
    assert item.next_due_at == item.state_due_at
    # 75 % of 2 working days = 1.5: halfway through Wed 4 Mar.
    assert item.warn_at == at(2026, 3, 4, 12)


def test_colours_green_yellow_red(flow):
    item = start(flow)
    assert deadline_colour(item, at(2026, 3, 3, 9)) == "green"
    assert deadline_colour(item, at(2026, 3, 4, 13)) == "yellow"
    assert deadline_colour(item, at(2026, 3, 5, 0, 1)) == "red"


def test_deadline_across_spring_festival(flow):
    item = start(flow, now=at(2026, 2, 13, 10))  # Fri; Sat 14 Feb works, 15–23 Feb off
    assert item.state_due_at == at(2026, 2, 25)  # end of Tue 24 Feb


def test_roles_evidence_and_comments_are_enforced(flow, make_user):
    item = start(flow)
    officer = make_user("officer", department=flow.lixia_market)
    admin = make_user("department_admin", department=flow.lixia_market)
    with pytest.raises(DomainError) as caught:
        perform_action(item, "reject", officer, comment="no")
    assert caught.value.code == "forbidden"
    item = perform_action(item, "accept", officer, now=at(2026, 3, 2, 10))
    assert item.state == "reviewing" and item.state_due_at == at(2026, 3, 10)
    with pytest.raises(DomainError) as caught:
        perform_action(item, "approve", admin)
    assert caught.value.code == "evidence_required"
    with pytest.raises(DomainError) as caught:
        perform_action(item, "mark_urgent", admin)
    assert caught.value.code == "comment_required"
    item = perform_action(item, "approve", admin, evidence=["report.pdf"])
    assert item.is_closed and item.next_due_at is None
    with pytest.raises(DomainError) as caught:
        perform_action(item, "reject", admin, comment="late")
    assert caught.value.code == "wrong_state"
    assert list(WorkflowTransition.objects.filter(item=item).values_list("action", flat=True)) == ["accept", "approve"]


def test_hour_sla_counts_clock_hours(flow, make_user):
    item = start(flow)
    admin = make_user("department_admin", department=flow.lixia_market)
    item = perform_action(item, "mark_urgent", admin, comment="群众安全", now=at(2026, 3, 7, 22))  # a Saturday
    assert item.state_due_at == at(2026, 3, 8, 2)


def test_transition_is_compare_and_set(flow, make_user):
    item = start(flow)
    officer = make_user("officer", department=flow.lixia_market)
    stale = WorkflowItem.objects.get(pk=item.pk)
    perform_action(item, "accept", officer)
    with pytest.raises(DomainError) as caught:
        perform_action(stale, "accept", officer)
    assert caught.value.code == "concurrent_change"
    assert WorkflowTransition.objects.filter(item=item).count() == 1


def test_escalation_moves_up_the_chain_with_dry_run_and_reasons(flow, capsys):
    lixia = start(flow, department=flow.lixia_market)
    top = start(flow, department=flow.market)
    later = at(2026, 3, 6, 9)  # both overdue on their 2-day state SLA
    dry = escalate_overdue(later, dry_run=True)
    assert [e["item"] for e in dry.escalated] == [lixia.pk]
    assert [(s["item"], s["reason"]) for s in dry.skipped] == [(top.pk, "top_of_chain")]
    assert WorkflowItem.objects.get(pk=lixia.pk).department == flow.lixia_market

    done = escalate_overdue(later)
    assert [e["to_department"] for e in done.escalated] == [flow.jn_market.pk]
    moved = WorkflowItem.objects.get(pk=lixia.pk)
    assert moved.department == flow.jn_market and moved.escalation_level == 1

    again = escalate_overdue(later + dt.timedelta(hours=1), dry_run=True)
    assert {(s["item"], s["reason"]) for s in again.skipped} == {
        (lixia.pk, "escalated_recently"),
        (top.pk, "top_of_chain"),
    }
    # One working day later (Mon 9 Mar), it escalates again, to the province.
    assert escalate_overdue(at(2026, 3, 9, 23)).escalated == []
    assert escalate_overdue(at(2026, 3, 10, 9)).escalated[0]["to_department"] == flow.market.pk


def test_escalate_command_dry_run_json(flow, capsys):
    start(flow, now=at(2020, 1, 6, 9))
    call_command("workflow", "escalate", "--dry-run", "--json")
    report = json.loads(capsys.readouterr().out)
    assert report["dry_run"] is True and len(report["escalated"]) == 1
    assert WorkflowItem.objects.get().escalation_level == 0


def test_invalid_definition_is_refused(db):
    broken = {**SPEC, "initial": "nowhere"}
    with pytest.raises(ValueError, match="initial state"):
        define_workflow(broken)
