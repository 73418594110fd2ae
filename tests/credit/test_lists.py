"""经营异常名录 and 严重违法失信名单: deadlines on the working-day calendar, removal, escalation, early removal."""

import datetime as dt

import pytest

from jianguan.core.errors import DomainError
from jianguan.credit.lists import (
    early_removal_checks,
    escalate,
    list_abnormal,
    list_serious,
    record_cure,
    remove,
    remove_early,
)
from jianguan.credit.models import ListEntry


def test_listing_deadline_counts_working_days_across_national_day(make_subject, province):
    subject = make_subject()
    # Grounds established on Monday 2026-09-28: 10 working days skip the National Day holiday
    # (1–7 October 2026) and land on 16 October... counted by the calendar, not by hand.
    from jianguan.core.calendar import add_working_days

    entry = list_abnormal(subject, "unreachable", dt.date(2026, 9, 28), province.lixia_market, on=dt.date(2026, 10, 9))
    assert entry.listing_due == add_working_days(dt.date(2026, 9, 28), 10)
    assert entry.listing_due > dt.date(2026, 10, 12)  # more than 10 calendar days: the holiday is skipped
    assert entry.notice_due == dt.date(2029, 8, 10) and entry.normal_end == dt.date(2029, 10, 9)
    with pytest.raises(DomainError):
        list_abnormal(subject, "unreachable", dt.date(2026, 9, 28), province.lixia_market)
    with pytest.raises(DomainError):
        list_abnormal(subject, "no_such_reason", dt.date(2026, 9, 28), province.lixia_market)


def test_removal_on_cure(make_subject, province):
    entry = list_abnormal(
        make_subject(), "annual_report", dt.date(2026, 6, 30), province.lixia_market, on=dt.date(2026, 7, 10)
    )
    entry = record_cure(entry, dt.date(2026, 8, 3))
    assert entry.removal_due == dt.date(2026, 8, 10)
    with pytest.raises(DomainError):
        remove(entry, dt.date(2026, 8, 5), " ")
    entry = remove(entry, dt.date(2026, 8, 5), "已补报年度报告")
    assert entry.status == "removed"
    from jianguan.facts.models import Fact

    published = list(Fact.objects.filter(subject_id=entry.subject_id).values_list("name", "payload__status"))
    assert published == [("credit.listed", "listed"), ("credit.delisted", "removed")]


def test_three_years_abnormal_moves_to_the_serious_list_after_notice(make_subject, province):
    subject = make_subject(legal_representative="王某某")
    other = make_subject("同一法定代表人的另一公司", legal_representative="王某某")
    entry = list_abnormal(subject, "unreachable", dt.date(2023, 1, 5), province.lixia_market, on=dt.date(2023, 1, 10))
    assert escalate(dt.date(2025, 11, 10)) == {"noticed": 0, "moved": 0, "ended": 0}
    assert escalate(dt.date(2025, 11, 11)) == {"noticed": 1, "moved": 0, "ended": 0}  # 60 days before
    assert escalate(dt.date(2025, 11, 12)) == {"noticed": 0, "moved": 0, "ended": 0}  # once only
    assert escalate(dt.date(2026, 1, 10)) == {"noticed": 0, "moved": 1, "ended": 0}
    entry.refresh_from_db()
    assert entry.status == "moved" and entry.escalated_to.kind == "serious"
    serious = entry.escalated_to
    assert serious.normal_end == dt.date(2029, 1, 10)
    assert serious.related_subjects == [other.pk]  # the legal representative's other company is flagged
    assert escalate(dt.date(2029, 1, 10))["ended"] == 1
    from jianguan.facts.models import Fact

    facts = list(Fact.objects.filter(subject_id=subject.pk).values_list("name", "payload__list", "payload__status"))
    assert facts == [
        ("credit.listed", "abnormal", "listed"),
        ("credit.listed", "serious", "listed"),
        ("credit.delisted", "abnormal", "moved"),
        ("credit.delisted", "serious", "ended"),
    ]


def test_early_removal_conditions(make_subject, province):
    entry = list_serious(make_subject(), "serious_violation", province.jn_market, on=dt.date(2025, 3, 1))
    codes = {e.code for e in early_removal_checks(entry, dt.date(2026, 2, 27), performed=False, remedied=False)}
    assert codes == {"too_early", "not_performed", "not_remedied"}
    assert early_removal_checks(entry, dt.date(2026, 3, 1), performed=True, remedied=True) == []
    with pytest.raises(DomainError) as exc:
        remove_early(entry, dt.date(2026, 1, 1), performed=True, remedied=True)
    assert exc.value.code == "early_removal_refused"
    entry = remove_early(entry, dt.date(2026, 3, 2), performed=True, remedied=True)
    assert entry.status == ListEntry.Status.REMOVED


def test_public_profile_shows_current_entries(make_subject, province):
    from jianguan.credit.permissions import public_profile

    subject = make_subject()
    list_abnormal(subject, "annual_report", dt.date(2026, 6, 30), province.lixia_market, on=dt.date(2026, 7, 10))
    profile = public_profile(subject)
    assert profile["lists"][0]["reason"] == "未按规定报送年度报告"


def test_staff_credit_screens(make_subject, province, make_user):
    from django.test import Client

    from jianguan.credit.models import RiskGrade

    subject = make_subject()
    list_abnormal(subject, "annual_report", dt.date(2026, 6, 30), province.lixia_market, on=dt.date(2026, 7, 10))
    RiskGrade.objects.create(
        subject=subject,
        as_of=dt.date(2026, 11, 1),
        scheme="national",
        model_version="v1",
        grade="C",
        score=25,
        explanation=[{"indicator": "penalties", "label": "近 3 年行政处罚", "points": 25}],
    )
    staff = Client()
    staff.force_login(make_user("officer", department=province.jn_market))
    page = staff.get(f"/credit/subjects/{subject.pk}/").content.decode()
    assert "近 3 年行政处罚" in page and "未按规定报送年度报告" in page and 'id="risk-grade"' in page
    lists = staff.get("/credit/").content.decode()
    assert subject.name in lists
    outsider = Client()
    outsider.force_login(make_user("officer", department=province.qd_market))
    assert subject.name not in outsider.get("/credit/").content.decode()
    assert f"/credit/subjects/{subject.pk}/" in staff.get(f"/subjects/{subject.pk}/").content.decode()


def test_staff_forms_for_lists_and_repair(setup, penalty, province, make_user):
    from django.test import Client

    from jianguan.catalog.models import SupervisionItem
    from jianguan.credit.models import CreditRecord, RepairRequest
    from jianguan.credit.services import sync_credit_records
    from jianguan.exchange.services import ingest

    SupervisionItem.objects.filter(code=setup.item.code).update(name="对计量器具使用的监督检查")
    ingest(enumerate([penalty("G26", "2026-05-06", ["02"], fine=3000)], 1), source=setup.source, channel="api")
    sync_credit_records()
    subject = setup.subject
    admin = Client()
    admin.force_login(make_user("department_admin", department=province.jn_market))
    base = f"/credit/subjects/{subject.pk}"
    admin.post(f"{base}/list_abnormal/", {"reason": "unreachable", "basis_on": "2026-11-02"})
    entry = ListEntry.objects.get(subject=subject)
    assert entry.department == province.jn_market
    admin.post(f"{base}/remove/", {"entry": entry.pk, "on": "2026-11-20", "reason": "已恢复联系"})
    entry.refresh_from_db()
    assert entry.status == "removed"
    credit = CreditRecord.objects.get(subject=subject)
    admin.post(f"{base}/repair/", {"credit": credit.pk, "applicant": subject.name, "performed": "on"})
    repair = RepairRequest.objects.get()
    admin.post(f"{base}/decide/", {"repair": repair.pk, "approve": "yes", "note": "已整改"})
    credit.refresh_from_db()
    assert credit.repaired_at is not None and not credit.is_public
    officer = Client()
    officer.force_login(make_user("officer", department=province.jn_market))
    officer.post(f"{base}/list_serious/", {"reason": "严重违法"})
    assert not ListEntry.objects.filter(kind="serious").exists()  # officers may not list
