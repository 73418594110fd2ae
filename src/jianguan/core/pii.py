"""Personal data at rest: keyed hashes for identifiers to match, encryption for those to pass on."""

import base64
import hashlib
import hmac
from functools import cache

from cryptography.fernet import Fernet
from django.conf import settings


def keyed_hash(value: str) -> str:
    """HMAC-SHA256 of an identifier under the deployment's PII key: matchable, not reversible."""
    return hmac.new(settings.PII_KEY.encode(), value.encode(), hashlib.sha256).hexdigest()


@cache
def _fernet(key: str) -> Fernet:
    return Fernet(base64.urlsafe_b64encode(hashlib.sha256(b"jianguan-encrypt:" + key.encode()).digest()))


def encrypt(value: str) -> str:
    """Authenticated encryption (Fernet) under a key derived from the deployment's PII key."""
    return _fernet(settings.PII_KEY).encrypt(value.encode()).decode()


def decrypt(token: str) -> str:
    return _fernet(settings.PII_KEY).decrypt(token.encode()).decode()
