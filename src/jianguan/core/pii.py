"""Personal data at rest: keyed hashes for identifiers that must be matched but never shown."""

import hashlib
import hmac

from django.conf import settings


def keyed_hash(value: str) -> str:
    """HMAC-SHA256 of an identifier under the deployment's PII key: matchable, not reversible."""
    return hmac.new(settings.PII_KEY.encode(), value.encode(), hashlib.sha256).hexdigest()
