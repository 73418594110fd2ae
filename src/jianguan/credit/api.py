"""Credit over the API: the public query (no login, rate-limited), and repair requests for staff."""

from __future__ import annotations

from ninja import Field, Router, Schema

from jianguan.core.ratelimit import client_address
from jianguan.credit.permissions import (
    access_credit_record,
    access_repair,
    check_public_rate,
    public_query,
)
from jianguan.credit.services import decide_repair, repair_eligibility, request_repair

router = Router(tags=["public"])


@router.get("/credit", auth=None, response=dict, summary="Public credit query by name or USCC (no grades)")
def credit_query(request, q: str = ""):
    check_public_rate(client_address(request))
    return {"query": q, "results": public_query(q)}


staff_router = Router(tags=["credit"])


class RepairIn(Schema):
    applicant: str = Field(min_length=1, max_length=200)
    contact: str = Field("", max_length=32)
    performed: bool
    statement: str = Field("", max_length=2000)


class DecisionIn(Schema):
    approve: bool
    note: str = Field("", max_length=2000)


def _repair_out(request) -> dict:
    return {
        "id": request.pk,
        "credit_record": request.credit_id,
        "status": request.status,
        "eligibility": request.eligibility,
        "decided_at": request.decided_at,
        "decision_note": request.decision_note,
    }


@staff_router.get("/records/{credit_id}/repair-eligibility", response=dict, summary="Which repair rules a record meets")
def eligibility(request, credit_id: int):
    credit = access_credit_record(request.auth, credit_id)
    return {"credit_record": credit.pk, "checks": [c.as_dict() for c in repair_eligibility(credit)]}


@staff_router.post("/records/{credit_id}/repairs", response={201: dict}, summary="Register a repair request (信用修复)")
def post_repair(request, credit_id: int, payload: RepairIn):
    credit = access_credit_record(request.auth, credit_id, write=True)
    repair = request_repair(
        credit,
        applicant=payload.applicant,
        contact=payload.contact,
        performed=payload.performed,
        statement=payload.statement,
        actor=request.auth,
    )
    return 201, _repair_out(repair)


@staff_router.post("/repairs/{repair_id}/decision", response=dict, summary="Approve (publication stops) or reject")
def decide(request, repair_id: int, payload: DecisionIn):
    repair = access_repair(request.auth, repair_id, write=True)
    return _repair_out(decide_repair(repair, payload.approve, payload.note, actor=request.auth))
