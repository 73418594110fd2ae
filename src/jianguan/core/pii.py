"""Personal data at rest: keyed hashes for identifiers to match, sealing for those to pass on.

Sealing is Fernet (authenticated encryption) under a key ring (settings.SEALING_KEYS): a sealed
value reads "id:token", the ring's newest key seals, every key of the ring unseals, so a new key
is added first and older values are re-sealed afterwards (`jianguan keys rotate`) without a pause.
A value sealed before key rings existed has no id and is unsealed with the legacy key derived from
JIANGUAN_PII_KEY. Keyed hashes use their own key (settings.MATCHING_KEY).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
from functools import cache

from cryptography.fernet import Fernet, InvalidToken
from django.conf import settings

LEGACY = "legacy"


def keyed_hash(value: str) -> str:
    """HMAC-SHA256 of an identifier under the matching key: matchable, not reversible."""
    return hmac.new(settings.MATCHING_KEY.encode(), value.encode(), hashlib.sha256).hexdigest()


@cache
def _fernet(secret: str) -> Fernet:
    return Fernet(base64.urlsafe_b64encode(hashlib.sha256(b"jianguan-encrypt:" + secret.encode()).digest()))


def ring() -> dict[str, Fernet]:
    """Key id → cipher, oldest first; the legacy key is always there to unseal old values."""
    keys = {LEGACY: _fernet(settings.PII_KEY)}
    keys.update((key_id, _fernet(secret)) for key_id, secret in settings.SEALING_KEYS)
    return keys


def sealing_key_id() -> str:
    """The id of the key that seals now: the ring's newest."""
    return settings.SEALING_KEYS[-1][0] if settings.SEALING_KEYS else LEGACY


def encrypt(value: str) -> str:
    """Seal a value under the newest key: "id:token"."""
    key_id = sealing_key_id()
    token = ring()[key_id].encrypt(value.encode()).decode()
    return token if key_id == LEGACY else f"{key_id}:{token}"


def key_id_of(sealed: str) -> str:
    key_id, sep, _token = sealed.partition(":")
    return key_id if sep else LEGACY


def decrypt(sealed: str) -> str:
    key_id, sep, token = sealed.partition(":")
    if not sep:
        key_id, token = LEGACY, sealed
    cipher = ring().get(key_id)
    if cipher is None:
        raise InvalidToken(f"sealed under key {key_id!r}, which is not in JIANGUAN_SEALING_KEYS")
    return cipher.decrypt(token.encode()).decode()


def resealed(sealed: str) -> str | None:
    """The value sealed under the newest key, or None when it already is."""
    if not sealed or key_id_of(sealed) == sealing_key_id():
        return None
    return encrypt(decrypt(sealed))
