"""The public credit query: what it shows, what it never shows, and its rate limit."""

import pytest
from django.core.cache import cache
from django.test import Client

from jianguan.core.models import RateCount
from jianguan.credit.services import sync_credit_records
from jianguan.exchange.services import ingest


def forget_rate_counts():
    cache.clear()
    RateCount.objects.all().delete()


@pytest.fixture(autouse=True)
def fresh_rate_limit(db):
    forget_rate_counts()
    yield
    forget_rate_counts()


def test_public_query_shows_current_penalties_and_results_but_no_grade(setup, penalty, inspection):
    subject = setup.subject
    subject.risk_grade = "D"
    subject.save()
    ingest(
        enumerate(
            [
                penalty("OLD", "2022-03-01", ["02"], fine=5000),  # 3 months, long over
                penalty("NOW", "2026-05-06", ["02"], fine=3000),  # 12 months from May 2026
                inspection("SC-9", plan_id="SC1-1", result="未发现问题"),
            ],
            1,
        ),
        source=setup.source,
        channel="api",
    )
    sync_credit_records()
    response = Client().get("/api/v1/public/credit", {"q": subject.uscc})
    assert response.status_code == 200
    body = response.json()
    profile = body["results"][0]
    assert profile["name"] == subject.name
    assert [p["document_no"] for p in profile["penalties"]] == ["罚〔2026〕NOW号"]
    assert profile["spot_checks"][0]["result"] == "未发现问题"
    text = response.content.decode()
    assert "grade" not in text and '"D"' not in text and "OLD" not in text
    listing = Client().get("/public/credit/", {"q": "测试食品"}).content.decode()
    assert subject.name in listing and "风险" not in listing
    page = Client().get(f"/public/credit/{subject.pk}/").content.decode()
    assert subject.name in page and "罚〔2026〕NOW号" in page and "罚〔2022〕OLD号" not in page
    assert "风险" not in page


def test_public_query_is_rate_limited(setup, settings):
    from django.utils import timezone

    settings.PUBLIC_QUERIES_PER_MINUTE = 2
    client = Client()
    # The limit counts per clock minute: a sequence that straddles a minute boundary is run again.
    for _attempt in range(3):
        forget_rate_counts()
        minute = timezone.now().replace(second=0, microsecond=0)
        statuses = [
            client.get("/api/v1/public/credit", {"q": "测试"}).status_code,
            client.get("/public/credit/", {"q": "测试"}).status_code,
        ]
        refused = client.get("/api/v1/public/credit", {"q": "测试"})
        page = client.get("/public/credit/", {"q": "测试"}).status_code
        if timezone.now().replace(second=0, microsecond=0) == minute:
            break
    assert statuses == [200, 200]
    assert refused.status_code == 429 and refused.json()["code"] == "rate_limited"
    assert page == 429


def test_persons_and_one_letter_queries_find_nothing(setup):
    assert Client().get("/api/v1/public/credit", {"q": "测"}).json()["results"] == []


@pytest.mark.browser
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_browser_public_credit_query_report_and_verification(
    flushable_audit, live_server, setup, penalty, browser_page, screenshot, tmp_path
):
    from jianguan.credit.models import CreditReport
    from tests.ui_text import leaked_codes

    ingest(enumerate([penalty("NOW", "2026-05-06", ["02"], fine=3000)], 1), source=setup.source, channel="api")
    sync_credit_records()
    page = browser_page
    page.goto(f"{live_server.url}/public/credit/")
    page.fill("input[name=q]", "测试食品")
    page.click("#credit-search")
    page.wait_for_selector(".credit-result")
    assert setup.subject.name in page.inner_text("#credit-results")
    assert not leaked_codes(page.inner_text("#credit-results"))
    for width in (1400, 390):
        screenshot(page, "public-credit-results", width=width)
    page.click(".credit-result")
    page.wait_for_selector(".credit-profile")
    assert setup.subject.name in page.inner_text("#subject-name")
    assert "罚〔2026〕NOW号" in page.inner_text(".penalties")
    body = page.inner_text("body")
    assert "等级" not in body and "风险" not in body
    for width in (1400, 390):
        screenshot(page, "public-credit-profile", width=width)
    with page.expect_download() as download:
        page.click("#credit-report")
    saved = tmp_path / "report.pdf"
    download.value.save_as(saved)
    assert saved.read_bytes().startswith(b"%PDF-")
    code = CreditReport.objects.get().code
    assert code in download.value.suggested_filename

    page.goto(f"{live_server.url}/public/credit/verify/")
    page.fill("#code", code)
    page.click("#verify-submit")
    page.wait_for_selector("#verify-genuine")
    assert setup.subject.name in page.inner_text("body")
    for width in (1400, 390):
        screenshot(page, "public-credit-verify", width=width)
    page.fill("#code", "ABCD-EFGH-JKMN-PQRS")
    page.click("#verify-submit")
    page.wait_for_selector("#verify-forged")


def test_the_public_query_reads_a_fixed_number_of_queries_for_twenty_results(
    db, make_subject, django_assert_max_num_queries, settings
):
    settings.PUBLIC_QUERY_CACHE_SECONDS = 0  # the search itself
    for n in range(25):
        make_subject(f"济南查询压测{n:02d}商贸有限公司")
    client = Client()
    with django_assert_max_num_queries(10):
        body = client.get("/api/v1/public/credit", {"q": "查询压测"}).json()
    assert len(body["results"]) == 20 and body["results"][0]["region"].startswith("山东省")


def test_a_repeated_public_query_is_answered_from_the_cache(db, make_subject, django_assert_max_num_queries):
    from jianguan.subjects.models import Subject

    for n in range(3):
        make_subject(f"济南缓存查询{n}商贸有限公司")
    client = Client()
    first = client.get("/api/v1/public/credit", {"q": "缓存查询"}).json()
    Subject.objects.filter(name__contains="缓存查询").update(name="已更名商贸有限公司")
    with django_assert_max_num_queries(8):  # the rate count and one cache read: no search
        again = client.get("/api/v1/public/credit", {"q": " 缓存查询 "}).json()
    assert again["results"] == first["results"] and len(first["results"]) == 3


def test_the_rate_counts_of_many_citizens_leave_the_cached_answers_in_place(
    db, make_subject, django_assert_max_num_queries
):
    from jianguan.credit.permissions import check_public_rate
    from jianguan.subjects.models import Subject

    for n in range(3):
        make_subject(f"济南众人查询{n}商贸有限公司")
    client = Client()
    first = client.get("/api/v1/public/credit", {"q": "众人查询"}).json()
    for n in range(400):  # four hundred citizens query within the minute, each counted
        check_public_rate(f"198.51.{n // 256}.{n % 256}")
    Subject.objects.filter(name__contains="众人查询").update(name="已更名商贸有限公司")
    with django_assert_max_num_queries(3):  # the rate count and one cache read: no search
        again = client.get("/api/v1/public/credit", {"q": "众人查询"}).json()
    assert again["results"] == first["results"] and len(first["results"]) == 3
