"""Personal data at rest: keyed hashes for identifiers that must be matched but never shown."""

import hashlib
import hmac

from django.conf import settings


def keyed_hash(value: str) -> str:
    """HMAC-SHA256 of an identifier under the deployment's PII key: matchable, not reversible."""
    return hmac.new(settings.PII_KEY.encode(), value.encode(), hashlib.sha256).hexdigest()


def mask_name(name: str) -> str:
    """张三丰 → 张**: the surname stays so staff can address the person."""
    return name[:1] + "*" * max(len(name) - 1, 1) if name else ""


def mask_phone(phone: str) -> str:
    return phone[:3] + "****" + phone[-4:] if len(phone) >= 11 else "*" * len(phone)
