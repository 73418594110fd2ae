"""The public site: every page answers without a log-in, in Chinese, with no staff link, and under
the strict content security policy."""

from django.test import Client
from django.urls import URLPattern, get_resolver

from jianguan.portal import urls as portal_urls


def _pages() -> list[str]:
    return [
        f"/public/{p.pattern}"
        for p in portal_urls.urlpatterns
        if isinstance(p, URLPattern) and "<" not in str(p.pattern) and not (p.name or "").endswith("_download")
    ]


def test_every_public_page_answers_anonymously_in_chinese(db, province):
    pages = _pages()
    assert len(pages) >= 5, pages
    assert get_resolver().resolve("/public/credit/")
    visitor = Client()
    for url in pages:
        response = visitor.get(url)
        assert response.status_code == 200, url
        page = response.content.decode()
        assert 'lang="zh-hans"' in page.lower(), url
        assert "/logout/" not in page and "/admin/" not in page, url
        assert "script-src 'self'" in response["Content-Security-Policy"], url


def test_downloads_answer_anonymously(db):
    script = Client().get("/public/spotchecks/verify_draw.py")
    assert script.status_code == 200 and b"def check(" in script.content
    assert script["Content-Disposition"] == 'attachment; filename="verify_draw.py"'


def test_a_script_in_the_credit_query_is_shown_as_text(db, province):
    page = Client().get("/public/credit/", {"q": "<script>alert(1)</script>"}).content.decode()
    assert "<script>alert(1)</script>" not in page and "&lt;script&gt;" in page
