"""Every list endpoint and list screen costs the same number of queries whatever its page size.

The test walks the assembled API (every paged GET path without path parameters or required query
parameters) and every staff screen without URL arguments plus each register screen, over a small demo province, as a
platform administrator. An endpoint is read with `limit=1` and `limit=5`; a screen is rendered
with its paginator at 1 and at 5 rows a page (most demo tables hold more than one row). A count that grows with the page is an N+1 query.
"""

import pytest
from django.core import paginator
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from jianguan.accounts.models import User
from jianguan.config.api import api
from jianguan.demo.build import build_demo
from jianguan.platform.policies import forget
from jianguan.web.screens import SCREENS

# Screens outside the list-and-page pattern: log-in and log-out, the API and its documents,
# operations probes, the Django admin, language switching and the public site (no staff session).
SKIP_PREFIXES = ("api/", "admin/", "i18n/", "public/", "open311/", "health", "metrics", "login", "logout")


@pytest.fixture
def province(db):
    build_demo(seed=11, subjects=240, actions=900, complaints=240)
    client = Client()
    client.force_login(User.objects.get(username="admin"))
    return client


def _list_endpoints() -> list[str]:
    paths = []
    for path, operations in api.get_openapi_schema()["paths"].items():
        get = operations.get("get")
        if get is None or "{" in path:
            continue
        parameters = get.get("parameters", [])
        if any(p.get("required") for p in parameters):
            continue
        if any(p["name"] == "limit" for p in parameters):
            paths.append(path)
    return sorted(paths)


def _screens(resolver=None, prefix: str = "") -> list[str]:
    found = []
    for pattern in (resolver or get_resolver()).url_patterns:
        route = prefix + str(pattern.pattern)
        if isinstance(pattern, URLResolver):
            if "<" not in route:
                found += _screens(pattern, route)
        elif isinstance(pattern, URLPattern) and "<" not in route and not route.startswith(SKIP_PREFIXES):
            found.append("/" + route.lstrip("^").rstrip("$"))
    return sorted(set(found))


def _all_screens() -> list[str]:
    """The screens without arguments, and each register screen of the declarative machinery."""
    return _screens() + [reverse("web:screen_list", args=[key]) for key in SCREENS]


def _queries(client: Client, url: str, **params) -> tuple[int, int]:
    forget()  # policy reads are cached for a few seconds: every measurement starts cold
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url, params)
    return response.status_code, len(captured)


def test_list_endpoints_do_not_query_per_row(province):
    endpoints = _list_endpoints()
    assert len(endpoints) >= 12, endpoints  # the walk found the API
    grows = {}
    for path in endpoints:
        status, few = _queries(province, path, limit=1)
        assert status == 200, path
        body = province.get(path, {"limit": 5}).json()
        status, many = _queries(province, path, limit=5)
        if many != few and len(body.get("items", [])) > 1:
            grows[path] = (few, many)
    assert grows == {}


def test_list_screens_do_not_query_per_row(province, monkeypatch):
    screens = _all_screens()
    assert len(screens) >= 20, screens
    counts = {}
    for rows in (1, 5):
        original = paginator.Paginator.__init__

        def sized(self, object_list, per_page, *args, _rows=rows, _original=original, **kwargs):
            _original(self, object_list, _rows, *args, **kwargs)

        monkeypatch.setattr(paginator.Paginator, "__init__", sized)
        for url in screens:
            status, n = _queries(province, url)
            assert status in (200, 302, 405), (url, status)  # 405: a form's POST-only target
            counts.setdefault(url, []).append((status, n))
        monkeypatch.setattr(paginator.Paginator, "__init__", original)
    grows = {url: [n for _s, n in c] for url, c in counts.items() if c[0][1] != c[1][1]}
    assert grows == {}
