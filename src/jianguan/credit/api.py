"""The public credit query over the API (no login, rate-limited)."""

from __future__ import annotations

from ninja import Router

from jianguan.credit.permissions import check_public_rate, public_profile, public_subjects

router = Router(tags=["public"])


def client_address(request) -> str:
    return request.META.get("REMOTE_ADDR", "") or "unknown"


@router.get("/credit", auth=None, response=dict, summary="Public credit query by name or USCC (no grades)")
def credit_query(request, q: str = ""):
    check_public_rate(client_address(request))
    subjects = list(public_subjects(q)[:20])
    return {"query": q, "results": [{"id": s.pk, **public_profile(s)} for s in subjects]}
