"""Public rate limits count in the database (every worker process sees one count), apart from the
cache of public answers, and by the citizen's address, which behind a trusted proxy is read from
X-Forwarded-For and otherwise never."""

import subprocess
import sys

import pytest
from django.db import connection
from django.test import RequestFactory
from django.utils import timezone

from jianguan.core import ratelimit
from jianguan.core.errors import DomainError
from jianguan.core.models import RateCount
from jianguan.core.ratelimit import check_public_rate, client_address


def request(remote, forwarded=None):
    extra = {"HTTP_X_FORWARDED_FOR": forwarded} if forwarded else {}
    return RequestFactory().get("/", REMOTE_ADDR=remote, **extra)


def test_without_trusted_proxies_the_header_is_ignored(settings):
    settings.TRUSTED_PROXIES = []
    assert client_address(request("203.0.113.9", "198.51.100.1")) == "203.0.113.9"


def test_behind_a_trusted_proxy_the_nearest_untrusted_hop_is_the_client(settings):
    settings.TRUSTED_PROXIES = ["10.0.0.0/8", "127.0.0.1"]
    # A citizen may send a false first hop; the proxy appends the address it saw.
    assert client_address(request("10.1.2.3", "1.2.3.4, 198.51.100.7")) == "198.51.100.7"
    assert client_address(request("10.1.2.3", "198.51.100.7, 10.9.9.9")) == "198.51.100.7"
    assert client_address(request("203.0.113.9", "198.51.100.7")) == "203.0.113.9"  # not via the proxy
    assert client_address(request("10.1.2.3", "not-an-address")) == "not-an-address"
    assert client_address(request("10.1.2.3")) == "10.1.2.3"


def test_the_count_lives_in_the_database_outside_the_cache(db, settings):
    assert settings.CACHES["default"]["BACKEND"].endswith("DatabaseCache")
    for _ in range(3):
        check_public_rate("198.51.100.7", "test", per_minute=3)
    with pytest.raises(DomainError) as refused:
        check_public_rate("198.51.100.7", "test", per_minute=3)
    assert refused.value.status == 429
    # Where another worker process reads the same count; the cache holds none of it.
    assert RateCount.objects.get(key="test:198.51.100.7").count == 4
    with connection.cursor() as cursor:
        cursor.execute("SELECT COUNT(*) FROM jianguan_cache")
        assert cursor.fetchone()[0] == 0


def test_a_new_minute_counts_from_one_and_drops_the_counts_of_past_minutes(db, monkeypatch):
    minute = int(timezone.now().strftime("%Y%m%d%H%M"))
    RateCount.objects.create(key="test:198.51.100.7", minute=minute - 1, count=99)
    RateCount.objects.create(key="test:198.51.100.8", minute=minute - 1, count=99)
    monkeypatch.setattr(ratelimit, "_pruned_minute", 0)
    check_public_rate("198.51.100.7", "test", per_minute=3)
    assert list(RateCount.objects.values_list("key", "count")) == [("test:198.51.100.7", 1)]


def test_the_cache_table_is_made_by_migrate(tmp_path):
    """A fresh database migrated the usual way has the cache table (no separate createcachetable)."""
    env = {"JIANGUAN_VAR_DIR": str(tmp_path), "PATH": "/usr/bin:/bin", "JIANGUAN_DATABASE_URL": ""}
    subprocess.run([sys.executable, "-m", "jianguan", "migrate", "--verbosity", "0"], env=env, check=True)
    import sqlite3

    database = tmp_path / "jianguan.sqlite3"
    names = {row[0] for row in sqlite3.connect(database).execute("SELECT name FROM sqlite_master")}
    assert "jianguan_cache" in names
