"""Credit repair: every eligibility rule, and publication stopping at once on approval."""

import datetime as dt

import pytest

from jianguan.core.errors import DomainError
from jianguan.credit.models import CreditRecord
from jianguan.credit.services import decide_repair, repair_eligibility, request_repair, sync_credit_records
from jianguan.exchange.services import ingest


def credit_for(setup, record):
    ingest(enumerate([record], 1), source=setup.source, channel="api")
    sync_credit_records()
    return CreditRecord.objects.get(record__source_id=record["source_id"])


def failed(credit, today, performed=True):
    return {c.code for c in repair_eligibility(credit, today, performed) if not c.ok}


def test_eligibility_rules(setup, penalty):
    from jianguan.catalog.models import SupervisionItem

    SupervisionItem.objects.filter(code=setup.item.code).update(name="对计量器具使用的监督检查")
    general = credit_for(setup, penalty("G26", "2026-05-06", ["02"], fine=3000))  # 2026 scheme: 3 months
    assert failed(general, dt.date(2026, 8, 5)) == {"minimum_period"}
    assert failed(general, dt.date(2026, 8, 6)) == set()
    assert failed(general, dt.date(2026, 8, 6), performed=False) == {"performed"}
    serious = credit_for(setup, penalty("R26", "2026-05-06", ["05"]))  # serious: 12 months
    assert failed(serious, dt.date(2027, 5, 5)) == {"minimum_period"}
    minor_fine = credit_for(setup, penalty("L21", "2026-03-02", ["02"], fine=2000))  # SAMR 2021 low fine
    assert "repairable_kind" in failed(minor_fine, dt.date(2026, 11, 29))


def test_food_items_wait_twelve_months(setup, penalty):
    from jianguan.catalog.models import SupervisionItem

    SupervisionItem.objects.filter(code=setup.item.code).update(name="对食品生产经营者的监督检查")
    credit = credit_for(setup, penalty("H21", "2026-03-02", ["02", "03"], fine=50000))  # SAMR 2021: 6 months, food 12
    assert failed(credit, dt.date(2026, 9, 2)) == {"minimum_period"}
    assert failed(credit, dt.date(2027, 3, 2)) == set()


def test_request_review_decision_stops_publication_at_once(setup, penalty):
    from jianguan.audit.models import AuditEvent
    from jianguan.catalog.models import SupervisionItem

    SupervisionItem.objects.filter(code=setup.item.code).update(name="对计量器具使用的监督检查")

    credit = credit_for(setup, penalty("G26", "2026-05-06", ["02"], fine=3000))
    assert credit.is_public
    with pytest.raises(DomainError) as exc:
        request_repair(credit, applicant="济南历下测试食品有限公司", performed=False)
    assert exc.value.code == "not_eligible" and {e.code for e in exc.value.errors} == {"performed"}
    request = request_repair(credit, applicant="济南历下测试食品有限公司", contact="13800000000", performed=True)
    assert "13800000000" not in request.contact_sealed
    with pytest.raises(DomainError):
        decide_repair(request, approve=False, note=" ")
    decide_repair(request, approve=True, note="已履行处罚并整改到位")
    credit.refresh_from_db()
    assert credit.repaired_at is not None and not credit.is_public
    with pytest.raises(DomainError):
        decide_repair(request, approve=True)
    actions = set(AuditEvent.objects.values_list("action", flat=True))
    assert {"credit.request_repair", "credit.decide_repair"} <= actions
    from jianguan.credit.services import refresh_publication

    refresh_publication()
    credit.refresh_from_db()
    assert not credit.is_public  # a repaired record never comes back on schedule


def test_repair_over_the_api_within_scope(setup, penalty, province, make_user):
    from django.test import Client

    from jianguan.catalog.models import SupervisionItem

    SupervisionItem.objects.filter(code=setup.item.code).update(name="对计量器具使用的监督检查")
    credit = credit_for(setup, penalty("G26", "2026-05-06", ["02"], fine=3000))
    admin = Client()
    admin.force_login(make_user("department_admin", department=province.jn_market))
    checks = admin.get(f"/api/v1/credit/records/{credit.pk}/repair-eligibility").json()["checks"]
    assert all(c["ok"] for c in checks)
    created = admin.post(
        f"/api/v1/credit/records/{credit.pk}/repairs",
        {"applicant": "济南历下测试食品有限公司", "performed": True},
        content_type="application/json",
    )
    assert created.status_code == 201
    outsider = Client()
    outsider.force_login(make_user("department_admin", department=province.qd_market))
    repair_id = created.json()["id"]
    assert (
        outsider.post(
            f"/api/v1/credit/repairs/{repair_id}/decision", {"approve": True}, content_type="application/json"
        ).status_code
        == 404
    )
    decided = admin.post(
        f"/api/v1/credit/repairs/{repair_id}/decision",
        {"approve": True, "note": "已整改"},
        content_type="application/json",
    )
    assert decided.json()["status"] == "approved"
    credit.refresh_from_db()
    assert not credit.is_public
