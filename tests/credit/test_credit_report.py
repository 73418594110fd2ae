"""The public credit query as GSXT has it: a result list first, then the profile with 双公示
licences and penalties inside their periods; the PDF credit report and its verification."""

import hashlib
import re

import pytest
from django.core.cache import cache
from django.test import Client

from jianguan.core.models import RateCount
from jianguan.credit.models import CreditReport
from jianguan.credit.services import sync_credit_records
from jianguan.exchange.services import ingest


@pytest.fixture(autouse=True)
def fresh_rate_limit(db):
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def licence(inspection):
    def make(source_id, decided, valid_to=None):
        record = inspection(source_id, kind="licence", action_date=decided, reported_at=f"{decided}T16:00:00+08:00")
        for name in ("form", "officers", "check_items", "result"):
            record.pop(name, None)
        record.update(
            licence_no=f"JY{source_id}", licence_name="食品经营许可证", decision_no=f"许〔{decided[:4]}〕{source_id}号"
        )
        if valid_to:
            record["valid_to"] = valid_to
        return record

    return make


@pytest.fixture
def published(setup, penalty, licence):
    """The test subject with a current and an expired penalty, a current and an expired licence."""
    setup.subject.legal_representative = "王小明"
    setup.subject.save()
    batch = ingest(
        enumerate(
            [
                penalty("OLD", "2022-03-01", ["02"], fine=5000),  # 3 months: long over
                penalty("NOW", "2026-05-06", ["02"], fine=3000),
                licence("LIC-NOW", "2026-02-02", valid_to="2031-02-01"),
                licence("LIC-OLD", "2020-02-02", valid_to="2021-02-01"),  # validity over: no longer public
            ],
            1,
        ),
        source=setup.source,
        channel="api",
    )
    assert batch.accepted == 4, list(batch.rows.values_list("errors", flat=True))
    sync_credit_records()
    return setup.subject


def test_the_query_answers_a_list_then_the_profile_shows_only_what_is_inside_its_period(published):
    client = Client()
    listing = client.get("/public/credit/", {"q": "测试食品"}).content.decode()
    rows = re.findall(r'<a class="list-group-item[^"]*credit-result.*?</a>', listing, re.S)
    assert len(rows) == 1
    row = rows[0]
    assert published.name in row and published.uscc in row and published.region.full_name in row
    assert "王**" in row and "王小明" not in listing
    assert "罚〔2026〕NOW号" not in listing  # the list is not the profile

    link = re.search(r'href="(/public/credit/\d+/)', row).group(1)
    profile = client.get(link).content.decode()
    assert published.name in profile and "王**" in profile and "王小明" not in profile
    assert "罚〔2026〕NOW号" in profile and "JYLIC-NOW" in profile
    assert "OLD" not in profile  # neither the expired penalty nor the lapsed licence


def test_a_missing_subject_has_no_public_profile_nor_report(db):
    assert Client().get("/public/credit/999999/").status_code == 404
    assert Client().post("/public/credit/999999/report/").status_code == 404


def test_the_result_list_is_capped_and_paged(db, make_subject, settings):
    settings.PUBLIC_QUERY_CACHE_SECONDS = 0
    for n in range(55):
        make_subject(f"济南分页查询{n:02d}商贸有限公司")
    client = Client()
    first = client.get("/public/credit/", {"q": "分页查询"}).content.decode()
    assert first.count("credit-result ") == 10
    assert "50" in re.search(r'id="result-count">(.*?)</p>', first, re.S).group(1)
    last = client.get("/public/credit/", {"q": "分页查询", "page": 5}).content.decode()
    assert last.count("credit-result ") == 10 and "济南分页查询49" in last and "济南分页查询50" not in last
    assert "credit-result " not in client.get("/public/credit/", {"q": "分"}).content.decode()


def _report(client, subject):
    client.get(f"/public/credit/{subject.pk}/")
    return client.post(f"/public/credit/{subject.pk}/report/")


def test_the_credit_report_is_a_pdf_whose_code_verifies_and_a_forged_code_does_not(published):
    client = Client()
    response = _report(client, published)
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    data = response.content
    assert data.startswith(b"%PDF-")
    report = CreditReport.objects.get()
    assert report.code in response["Content-Disposition"]
    assert report.pdf_sha256 == hashlib.sha256(data).hexdigest()
    # The subject's name is in the document (its title, UTF-16 in the document information).
    assert published.name.encode("utf-16-be").hex() in data.decode("latin-1").lower()
    assert [p["document_no"] for p in report.content["penalties"]] == ["罚〔2026〕NOW号"]
    assert [x["licence_no"] for x in report.content["licences"]] == ["JYLIC-NOW"]
    assert "OLD" not in str(report.content)

    genuine = client.get("/public/credit/verify/", {"code": report.code.lower().replace("-", " ")}).content.decode()
    assert 'id="verify-genuine"' in genuine and published.name in genuine
    assert report.content_sha256 in genuine and report.pdf_sha256 in genuine

    forged = report.code[:-1] + ("0" if report.code[-1] != "0" else "1")
    page = client.get("/public/credit/verify/", {"code": forged}).content.decode()
    assert 'id="verify-forged"' in page and published.name not in page
    assert 'id="verify-forged"' in client.get("/public/credit/verify/", {"code": "1234"}).content.decode()


def test_two_reports_get_different_unguessable_codes(published):
    client = Client()
    _report(client, published)
    _report(client, published)
    codes = list(CreditReport.objects.values_list("code", flat=True))
    assert len(set(codes)) == 2
    assert all(re.fullmatch(r"[0-9A-HJKMNP-TV-Z]{4}(-[0-9A-HJKMNP-TV-Z]{4}){3}", c) for c in codes)


def test_a_missing_font_fails_with_a_clear_error_and_stores_nothing(published, settings):
    settings.CREDIT_REPORT_FONT = "/nonexistent/NotoSansCJK-Regular.ttc"
    response = _report(Client(), published)
    assert response.status_code == 503
    page = response.content.decode()
    assert "/nonexistent/NotoSansCJK-Regular.ttc" in page and 'id="report-error"' in page
    assert not CreditReport.objects.exists()


def test_report_downloads_are_rate_limited(published):
    from django.utils import timezone

    client = Client()
    # The limit counts per clock minute: a sequence that straddles a minute boundary is run again.
    for _attempt in range(3):
        cache.clear()
        RateCount.objects.all().delete()
        CreditReport.objects.all().delete()
        minute = timezone.now().replace(second=0, microsecond=0)
        statuses = [_report(client, published).status_code for _ in range(7)]
        if timezone.now().replace(second=0, microsecond=0) == minute:
            break
    assert statuses == [200] * 5 + [429] * 2
    assert CreditReport.objects.count() == 5
