"""A dropped database connection: told from other database errors, and retried where that is safe.

A chunk of a batch is written in one transaction, so after a lost connection it either committed
or left nothing: the caller says how to tell which (`done`), and the chunk is written again only
if it did not commit. Inside an outer transaction nothing is retried: the outer work is gone.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from typing import TypeVar

from django.conf import settings
from django.db import DatabaseError, InterfaceError, OperationalError, connection

log = logging.getLogger(__name__)
T = TypeVar("T")


def connection_lost(exc: BaseException) -> bool:
    """True when the error came from the connection rather than from the statement."""
    if isinstance(exc, OperationalError | InterfaceError):
        return True
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
    except DatabaseError:
        return True
    return False


def retried(write: Callable[[], T], *, done: Callable[[], bool], what: str) -> T | None:
    """Run `write`; after a lost connection reconnect, and write again unless `done()` says it committed.

    Returns what `write` returned, or None when it had committed before the connection dropped.
    The last failure is raised as it came, for the caller to report.
    """
    delays = list(settings.DATABASE_RETRY_DELAYS)
    attempt = 0
    while True:
        try:
            if attempt and done():
                return None
            return write()
        except DatabaseError as exc:
            if not delays or connection.in_atomic_block or not connection_lost(exc):
                raise
            delay = delays.pop(0)
            attempt += 1
            log.warning("database connection lost while writing %s (%s); retry %d in %.1f s", what, exc, attempt, delay)
            connection.close()
            time.sleep(delay)
