"""The staff forms of a subject's credit file: a bad post is shown again with the error beside the field
(or beside its row) and nothing is written; a good one acts as before."""

import datetime as dt

import pytest
from django.test import Client

from jianguan.credit.models import ListEntry, RepairRequest


@pytest.fixture
def credit_file(setup, penalty, province, make_user):
    from jianguan.catalog.models import SupervisionItem
    from jianguan.credit.models import CreditRecord
    from jianguan.credit.services import sync_credit_records
    from jianguan.exchange.services import ingest

    SupervisionItem.objects.filter(code=setup.item.code).update(name="对计量器具使用的监督检查")
    ingest(enumerate([penalty("G26", "2026-05-06", ["02"], fine=3000)], 1), source=setup.source, channel="api")
    sync_credit_records()
    admin = Client()
    admin.force_login(make_user("department_admin", department=province.jn_market))
    return admin, f"/credit/subjects/{setup.subject.pk}", CreditRecord.objects.get(subject=setup.subject)


def _beside(response, name: str) -> bool:
    page = response.content.decode()
    return response.status_code == 200 and f'id="error-{name}"' in page and "is-invalid" in page


@pytest.mark.parametrize(
    ("post", "field"),
    [
        ({"reason": "unreachable"}, "basis_on"),
        ({"reason": "unreachable", "basis_on": "2026-13-45"}, "basis_on"),
        ({"reason": "no_such_reason", "basis_on": "2026-11-02"}, "reason"),
    ],
)
def test_a_bad_abnormal_listing_is_refused_beside_its_field(credit_file, post, field):
    admin, base, _credit = credit_file
    assert _beside(admin.post(f"{base}/list_abnormal/", post), field)
    assert not ListEntry.objects.exists()


def test_a_second_listing_for_the_same_reason_is_refused_beside_the_reason(credit_file):
    admin, base, _credit = credit_file
    good = {"reason": "unreachable", "basis_on": "2026-11-02"}
    assert admin.post(f"{base}/list_abnormal/", good).status_code == 302
    assert _beside(admin.post(f"{base}/list_abnormal/", good), "reason")
    assert ListEntry.objects.count() == 1


def test_serious_grounds_longer_than_the_register_keeps_are_refused(credit_file):
    admin, base, _credit = credit_file
    assert _beside(admin.post(f"{base}/list_serious/", {"reason": "严重违法" * 9}), "reason")
    assert not ListEntry.objects.exists()
    assert admin.post(f"{base}/list_serious/", {"reason": ""}).status_code == 302
    assert ListEntry.objects.get().reason == "serious_violation"  # the service's general grounds


def test_removal_without_a_reason_or_a_date_is_refused_beside_it_in_its_row(credit_file):
    admin, base, _credit = credit_file
    admin.post(f"{base}/list_abnormal/", {"reason": "unreachable", "basis_on": "2026-11-02"})
    entry = ListEntry.objects.get()
    no_reason = admin.post(f"{base}/remove/", {"entry": entry.pk, "on": "2026-11-20", "reason": " "})
    assert _beside(no_reason, "reason")
    assert f'id="r{entry.pk}-on"' in no_reason.content.decode()  # the row's own form, as posted
    assert _beside(admin.post(f"{base}/cure/", {"entry": entry.pk, "on": "20/11/2026"}), "on")
    entry.refresh_from_db()
    assert entry.status == ListEntry.Status.LISTED and entry.removed_on is None


def test_an_entry_another_department_decided_is_neither_offered_nor_removed(credit_file, setup, province):
    from jianguan.credit.lists import list_abnormal

    admin, base, _credit = credit_file
    theirs = list_abnormal(setup.subject, "annual_report", dt.date(2026, 6, 30), province.qd_market)
    page = admin.get(base).content.decode()
    assert f'name="entry" value="{theirs.pk}"' not in page
    refused = admin.post(f"{base}/remove/", {"entry": theirs.pk, "on": "2026-11-20", "reason": "已恢复"})
    assert refused.status_code == 200 and 'class="alert alert-danger' in refused.content.decode()
    theirs.refresh_from_db()
    assert theirs.status == ListEntry.Status.LISTED


def test_a_repair_of_an_ineligible_record_is_refused_beside_the_record(credit_file):
    admin, base, credit = credit_file
    assert _beside(admin.post(f"{base}/repair/", {"applicant": "某公司"}), "credit")
    assert _beside(admin.post(f"{base}/repair/", {"credit": credit.pk}), "credit")  # penalty not performed
    assert not RepairRequest.objects.exists()
    assert admin.post(f"{base}/repair/", {"credit": credit.pk, "performed": "on"}).status_code == 302
    assert RepairRequest.objects.get().applicant == credit.subject.name  # the subject applies unless named


def test_a_rejection_without_a_note_is_refused_beside_the_note(credit_file):
    admin, base, credit = credit_file
    admin.post(f"{base}/repair/", {"credit": credit.pk, "performed": "on"})
    repair = RepairRequest.objects.get()
    refused = admin.post(f"{base}/decide/", {"repair": repair.pk, "approve": "no", "note": ""})
    assert _beside(refused, "note") and f'id="r{repair.pk}-note"' in refused.content.decode()
    unknown = admin.post(f"{base}/decide/", {"repair": repair.pk, "approve": "maybe"})
    assert unknown.status_code == 200 and 'id="error-approve"' in unknown.content.decode()
    repair.refresh_from_db()
    assert repair.status == RepairRequest.Status.SUBMITTED
    done = admin.post(f"{base}/decide/", {"repair": repair.pk, "approve": "no", "note": "材料不全"})
    repair.refresh_from_db()
    assert done.status_code == 302 and repair.status == RepairRequest.Status.REJECTED
