"""The national joint-task message (domain §8): taskInfo with status 分发/认领/结束/反馈, the
initiating and joint units, the matter, the objects with their basis data, the process details
per joint unit and the feedback records.

The national interface text was not found; the field names follow the public mock of it. An
assistance request is exported as one task with one joint unit; a campaign as one task with a
unit per participant. An imported task becomes an assistance request (or one per joint unit) to
the named units, from the initiating unit.
"""

from __future__ import annotations

from typing import Any, Literal

from django.db.models import Count, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from pydantic import BaseModel, ConfigDict, Field

from jianguan.audit.services import record_event
from jianguan.core.errors import DomainError
from jianguan.core.models import Department
from jianguan.credit.models import ListEntry
from jianguan.joint.choices import NationalStatus
from jianguan.joint.models import AssistRequest, Campaign
from jianguan.joint.services import request_assistance
from jianguan.platform.importing import validated
from jianguan.records.models import Record
from jianguan.subjects.models import Subject

STATE_TO_STATUS = {
    "requested": NationalStatus.DISPATCHED,
    "accepted": NationalStatus.CLAIMED,
    "declined": NationalStatus.ENDED,
    "replied": NationalStatus.FEEDBACK,
}


class Loose(BaseModel):
    model_config = ConfigDict(extra="allow", populate_by_name=True)


class Unit(Loose):
    No: str = Field(min_length=1, max_length=64)
    Name: str = Field(min_length=1, max_length=200)
    Type: Literal["dept", "region"] = "dept"


class BasisData(Loose):
    creditAssess: str | None = None
    operatingAbnormal: list[dict[str, Any]] = Field(default_factory=list)
    seriousIllegal: list[dict[str, Any]] = Field(default_factory=list)
    complaintInfo: list[dict[str, Any]] = Field(default_factory=list)
    tipInfo: list[dict[str, Any]] = Field(default_factory=list)
    riskWarning: list[dict[str, Any]] = Field(default_factory=list)


class SuperviseObject(Loose):
    type: str = "enterprise"
    name: str = Field(min_length=1, max_length=200)
    code: str = Field(min_length=1, max_length=32)
    credentialsType: str = "uscc"
    credentialsValue: str = Field(min_length=1, max_length=32)
    basisData: BasisData = Field(default_factory=BasisData)


class TaskDetail(Loose):
    unionUnitType: Literal["dept", "region"] = "dept"
    unionUnitNo: str
    unionUnitName: str
    status: NationalStatus
    claimTime: str | None = None
    endTime: str | None = None
    endReason: str | None = None
    feedbackTime: str | None = None
    feedbackSuggestion: str | None = None


class TaskInfo(Loose):
    taskNo: str = Field(min_length=1, max_length=64)
    taskName: str = Field(min_length=1, max_length=200)
    taskStartTime: str
    status: NationalStatus
    initiateUnit: Unit
    unionUnits: list[Unit] = Field(min_length=1)
    supervisionMatterCode: str = ""
    superviseObjectNo: str = ""
    inspectContent: str = Field(min_length=1)
    inspectClaim: str = ""
    superviseObjects: list[SuperviseObject] = Field(min_length=1)


class TaskMessage(Loose):
    taskInfo: TaskInfo
    supervisionProcess: dict[str, list[TaskDetail]] = Field(default_factory=lambda: {"taskDetails": []})
    feedbackUnitInfo: dict[str, Any] = Field(default_factory=dict)


def _unit(department) -> dict[str, str]:
    return {"No": department.uscc or str(department.pk), "Name": department.name, "Type": "dept"}


def _stamp(value) -> str | None:
    return timezone.localtime(value).strftime("%Y-%m-%d %H:%M:%S") if value else None


def _object(subject) -> dict[str, Any]:
    listed: dict[str, list[dict[str, str]]] = {"abnormal": [], "serious": []}
    for entry in ListEntry.objects.filter(subject=subject, status="listed").select_related("department"):
        listed.setdefault(entry.kind, []).append(
            {"listDate": entry.listed_on.isoformat(), "reason": entry.reason, "department": entry.department.name}
        )
    return {
        "type": subject.kind,
        "name": subject.name,
        "code": subject.uscc or subject.registration_no or str(subject.pk),
        "credentialsType": "uscc" if subject.uscc else "registration_no",
        "credentialsValue": subject.uscc or subject.registration_no or str(subject.pk),
        "basisData": {
            "creditAssess": subject.risk_grade or None,
            "operatingAbnormal": listed["abnormal"],
            "seriousIllegal": listed["serious"],
            "complaintInfo": [],
            "tipInfo": [],
            "riskWarning": [],
        },
    }


def _feedback(records: list[int]) -> dict[str, list[dict[str, Any]]]:
    out: dict[str, list[dict[str, Any]]] = {"admInspection": [], "admPunishment": [], "admForce": [], "other": []}
    key = {"inspection": "admInspection", "penalty": "admPunishment", "coercion": "admForce"}
    for record in Record.objects.filter(pk__in=records).select_related("department"):
        out[key.get(record.kind, "other")].append(
            {
                "id": record.source_id,
                "date": record.action_date.isoformat(),
                "department": record.department.name,
                "result": record.result,
            }
        )
    return out


def export_assistance(request: AssistRequest) -> dict[str, Any]:
    status = STATE_TO_STATUS[request.state]
    detail = {
        "unionUnitType": "dept",
        "unionUnitNo": _unit(request.assignee)["No"],
        "unionUnitName": request.assignee.name,
        "status": status,
        "claimTime": _stamp(request.item.transitions.filter(action="accept").values_list("at", flat=True).first()),
        "endTime": _stamp(request.item.closed_at),
        "endReason": request.decline_reason or None,
        "feedbackTime": _stamp(request.replied_at),
        "feedbackSuggestion": request.findings or None,
    }
    message = {
        "taskInfo": {
            "taskNo": request.number,
            "taskName": f"协查：{request.subject.name}",
            "taskStartTime": _stamp(request.requested_at),
            "status": status,
            "initiateUnit": _unit(request.requester),
            "unionUnits": [_unit(request.assignee)],
            "supervisionMatterCode": "",
            "superviseObjectNo": request.subject.industry_code,
            "inspectContent": request.matters,
            "inspectClaim": f"{request.working_days}个工作日内回复",
            "superviseObjects": [_object(request.subject)],
        },
        "supervisionProcess": {"taskDetails": [detail]},
        "feedbackUnitInfo": _feedback(request.records),
    }
    return TaskMessage.model_validate(message).model_dump(mode="json")


def export_campaign(campaign: Campaign) -> dict[str, Any]:
    tasks = campaign.tasks.values("department_id").annotate(n=Count("id"), done=Count("id", filter=Q(status="done")))
    progress = {row["department_id"]: row for row in tasks}
    details = []
    for unit in campaign.participants.all():
        row = progress.get(unit.pk, {"n": 0, "done": 0})
        status = NationalStatus.FEEDBACK if row["n"] and row["done"] == row["n"] else NationalStatus.CLAIMED
        details.append(
            {"unionUnitType": "dept", "unionUnitNo": _unit(unit)["No"], "unionUnitName": unit.name, "status": status}
        )
    items = list(campaign.items.all())
    subjects = {t.subject for t in campaign.tasks.select_related("subject")[:500]}
    message = {
        "taskInfo": {
            "taskNo": f"ZX{campaign.pk:08d}",
            "taskName": campaign.title,
            "taskStartTime": f"{campaign.starts_on.isoformat()} 00:00:00",
            "status": NationalStatus.ENDED if campaign.ends_on < timezone.localdate() else NationalStatus.DISPATCHED,
            "initiateUnit": _unit(campaign.lead),
            "unionUnits": [_unit(u) for u in campaign.participants.all()],
            "supervisionMatterCode": ",".join(i.national_code or i.code for i in items),
            "superviseObjectNo": ",".join(campaign.target_filter.get("industries", [])),
            "inspectContent": "；".join(p["content"] for p in campaign.form) or campaign.title,
            "inspectClaim": f"{campaign.starts_on.isoformat()}至{campaign.ends_on.isoformat()}",
            "superviseObjects": [_object(s) for s in sorted(subjects, key=lambda s: s.pk)]
            or [_object_placeholder(campaign)],
        },
        "supervisionProcess": {"taskDetails": details},
        "feedbackUnitInfo": {},
    }
    return TaskMessage.model_validate(message).model_dump(mode="json")


def _object_placeholder(campaign: Campaign) -> dict[str, Any]:
    return {"type": "filter", "name": campaign.title, "code": "-", "credentialsType": "filter", "credentialsValue": "-"}


def import_task(message: dict[str, Any], actor: Any) -> list[AssistRequest]:
    """A national (or another province's) task to this platform's units: one assistance request per
    joint unit and object. Units are found by USCC (or id); objects by USCC or registration number."""

    parsed = validated(TaskMessage, message)
    info = parsed.taskInfo

    def department(unit: Unit):
        found = Department.objects.filter(uscc=unit.No).first() or (
            Department.objects.filter(pk=int(unit.No)).first() if unit.No.isdigit() else None
        )
        if found is None:
            raise DomainError("unknown_unit", _("A unit of the task is not registered here."))
        return found

    requester = department(info.initiateUnit)
    created = []
    unit_list = info.unionUnits
    for unit in unit_list:
        assignee = department(unit)
        for obj in info.superviseObjects:
            subject = (
                Subject.objects.filter(uscc=obj.credentialsValue).first()
                or Subject.objects.filter(registration_no=obj.credentialsValue).first()
            )
            if subject is None:
                raise DomainError("unknown_object", _("An object of the task is not a registered subject."))
            created.append(
                request_assistance(
                    requester,
                    assignee,
                    subject,
                    f"{info.taskName}：{info.inspectContent}",
                    actor=None,  # the caller checked that `actor` may bring tasks in; the step is the initiator's
                    justification=info.inspectClaim or info.taskName,
                    number=info.taskNo if len(unit_list) == 1 and len(info.superviseObjects) == 1 else None,
                )
            )

    record_event(
        actor, "joint.import_task", "assistance_request", info.taskNo, after={"requests": [r.number for r in created]}
    )
    return created
