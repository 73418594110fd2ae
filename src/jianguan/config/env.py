"""Small typed readers for JIANGUAN_* environment variables.

Each reader names the variable in its error, so a bad deployment fails at start-up with a message
that says what to fix.
"""

import os


class ConfigurationError(Exception):
    """A JIANGUAN_* variable holds a value the platform cannot run with."""


def env_str(name: str, default: str = "") -> str:
    return os.environ.get(name, default)


def env_bool(name: str, default: bool = False) -> bool:
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return default
    value = raw.strip().lower()
    if value in {"1", "true", "yes", "on"}:
        return True
    if value in {"0", "false", "no", "off"}:
        return False
    raise ConfigurationError(f"{name} must be true or false, got {raw!r}")


def env_int(name: str, default: int, minimum: int | None = None) -> int:
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return default
    try:
        value = int(raw)
    except ValueError:
        raise ConfigurationError(f"{name} must be an integer, got {raw!r}") from None
    if minimum is not None and value < minimum:
        raise ConfigurationError(f"{name} must be at least {minimum}, got {value}")
    return value


def env_list(name: str, default: list[str] | None = None) -> list[str]:
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return list(default or [])
    return [item.strip() for item in raw.split(",") if item.strip()]


def env_secret(name: str, default: str = "") -> str:
    """A secret from the variable itself or, better, from the file that NAME_FILE names (a mounted
    secret): the file's content without its final newline."""
    path = os.environ.get(f"{name}_FILE")
    if path:
        try:
            with open(path, encoding="utf-8") as handle:
                return handle.read().rstrip("\n")
        except OSError as exc:
            raise ConfigurationError(f"{name}_FILE names {path!r}, which cannot be read: {exc}") from None
    return os.environ.get(name, default)


def env_keys(name: str) -> list[tuple[str, str]]:
    """Key ring: "id:secret" items, comma- or line-separated, oldest first (the last one seals)."""
    raw = env_secret(name)
    ring = []
    for item in raw.replace("\n", ",").split(","):
        item = item.strip()
        if not item:
            continue
        key_id, sep, secret = item.partition(":")
        if not sep or not key_id.isalnum() or len(key_id) > 16 or not secret:
            raise ConfigurationError(f"{name} items must read id:secret (id of letters and digits), got {item[:20]!r}…")
        ring.append((key_id, secret))
    if len({key_id for key_id, _ in ring}) != len(ring):
        raise ConfigurationError(f"{name} names one key id twice")
    return ring
