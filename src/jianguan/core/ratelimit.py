"""A per-client, per-minute limit for public endpoints (credit queries, complaint filing and lookup)."""

from __future__ import annotations

from django.conf import settings
from django.core.cache import cache
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from jianguan.core.errors import DomainError, lazy_format


def client_address(request) -> str:
    return request.META.get("REMOTE_ADDR", "") or "unknown"


def check_public_rate(client_key: str, bucket: str = "public", per_minute: int | None = None) -> None:
    """At most `per_minute` (default PUBLIC_QUERIES_PER_MINUTE) calls per client, bucket and minute."""
    limit = per_minute or settings.PUBLIC_QUERIES_PER_MINUTE
    minute = timezone.now().strftime("%Y%m%d%H%M")
    key = f"{bucket}:{client_key}:{minute}"
    count = cache.get_or_set(key, 0, timeout=70)
    if count >= limit:
        raise DomainError(
            "rate_limited",
            lazy_format(_("At most %(n)d queries a minute; please wait a moment."), {"n": limit}),
            status=429,
        )
    try:
        cache.incr(key)
    except ValueError:
        cache.set(key, 1, timeout=70)
