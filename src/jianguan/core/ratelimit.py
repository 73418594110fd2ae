"""A per-client, per-minute limit for public endpoints (credit queries, complaint filing and lookup)."""

from __future__ import annotations

import ipaddress
from functools import lru_cache

from django.conf import settings
from django.core.cache import cache, caches
from django.core.cache.backends.db import DatabaseCache
from django.db import connection
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from jianguan.core.errors import DomainError, lazy_format


@lru_cache(maxsize=8)
def _trusted(proxies: tuple[str, ...]) -> tuple:
    return tuple(ipaddress.ip_network(proxy, strict=False) for proxy in proxies)


def _is_trusted(address: str, networks: tuple) -> bool:
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return False
    return any(ip in network for network in networks)


def client_address(request) -> str:
    """The citizen's address: REMOTE_ADDR, or behind a trusted proxy the nearest untrusted hop."""
    remote = request.META.get("REMOTE_ADDR", "") or "unknown"
    networks = _trusted(tuple(settings.TRUSTED_PROXIES))
    if not networks or not _is_trusted(remote, networks):
        return remote
    hops = [hop.strip() for hop in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if hop.strip()]
    for hop in reversed(hops):
        if not _is_trusted(hop, networks):
            return hop[:64]
    return remote


# One statement counts the call and answers the new count, atomically on SQLite and PostgreSQL
# alike: a count of a past minute starts again at 1.
_COUNT_SQL = (
    "INSERT INTO core_ratecount (key, minute, count) VALUES (%s, %s, 1) ON CONFLICT (key) DO UPDATE SET "
    "count = CASE WHEN core_ratecount.minute = excluded.minute THEN core_ratecount.count + 1 ELSE 1 END, "
    "minute = excluded.minute RETURNING count"
)
_pruned_minute = 0


def _count_in_database(key: str, minute: int) -> int:
    global _pruned_minute
    with connection.cursor() as cursor:
        if minute != _pruned_minute:  # once a minute per process: the counts of past minutes go
            cursor.execute("DELETE FROM core_ratecount WHERE minute < %s", [minute])
            _pruned_minute = minute
        cursor.execute(_COUNT_SQL, [key[:200], minute])
        return cursor.fetchone()[0]


def _count_in_cache(key: str) -> int:
    # One atomic increment in the usual case (Redis: INCR); the first call of a minute adds the key.
    try:
        return cache.incr(key)
    except ValueError:
        return 1 if cache.add(key, 1, timeout=70) else cache.incr(key)


def check_public_rate(client_key: str, bucket: str = "public", per_minute: int | None = None) -> None:
    """At most `per_minute` (default PUBLIC_QUERIES_PER_MINUTE) calls per client, bucket and minute.

    The count is shared by every worker process: in Redis when the cache is Redis, otherwise in the
    database's RateCount table (one upsert), not in the database cache, where a count per citizen
    would crowd out the cached public answers and cost five statements.
    """
    limit = per_minute or settings.PUBLIC_QUERIES_PER_MINUTE
    minute = timezone.now().strftime("%Y%m%d%H%M")
    key = f"{bucket}:{client_key}"
    if isinstance(caches["default"], DatabaseCache):
        count = _count_in_database(key, int(minute))
    else:
        count = _count_in_cache(f"{key}:{minute}")
    if count > limit:
        raise DomainError(
            "rate_limited",
            lazy_format(_("At most %(n)d queries a minute; please wait a moment."), {"n": limit}),
            status=429,
        )
