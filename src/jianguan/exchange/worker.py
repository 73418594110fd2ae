"""The worker process that prepares chunks while the main process writes (`ingest(parallel=True)`).

It is spawned, not forked, so it shares no database connection; it needs none, because the
preparer it is given carries the registers it checks against. This module imports nothing of
Django at load time: the spawned interpreter imports it before Django is set up.
"""

from __future__ import annotations

import contextlib
import multiprocessing
import os
import pickle
import threading
import time
from collections.abc import Iterator
from concurrent.futures import ProcessPoolExecutor
from typing import Any

import django

from jianguan.core.bulk import gc_paused

_preparer: Any = None


def _watch_parent(parent: int) -> None:
    """End this worker when the process that started it is gone (killed with -9, say): nobody is
    left to collect its work, and a pool does not notice on its own while the worker waits."""
    while True:
        time.sleep(0.5)
        if os.getppid() != parent:
            os._exit(1)


def _start(preparer: bytes, parent: int) -> None:
    global _preparer
    threading.Thread(target=_watch_parent, args=(parent,), name="watch-parent", daemon=True).start()

    django.setup()  # before unpickling: the preparer's classes import the models
    _preparer = pickle.loads(preparer)  # noqa: S301 - our own object, from our own process


def prepare(chunk: list[tuple]) -> list[Any]:
    with gc_paused():  # as in the main process
        # The main process still holds each row as sent: the rows travel back without it.
        return [row.packed(keep=False) for row in _preparer(chunk)]


@contextlib.contextmanager
def preparing(preparer: Any) -> Iterator[ProcessPoolExecutor]:
    pool = ProcessPoolExecutor(
        max_workers=1,
        mp_context=multiprocessing.get_context("spawn"),
        initializer=_start,
        initargs=(pickle.dumps(preparer), os.getpid()),
    )
    try:
        yield pool
    finally:
        pool.shutdown(wait=True, cancel_futures=True)
