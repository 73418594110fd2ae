"""Background work of the gateway: deliver the national outbox every minute."""

from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task

from jianguan.exchange.outbox import deliver_all
from jianguan.exchange.services import close_interrupted
from jianguan.exchange.transport import TransportError


def _deliver() -> dict:
    try:
        return deliver_all().as_dict()
    except TransportError as exc:  # not configured: records wait in the outbox
        return {"error": str(exc)}


@db_periodic_task(crontab(minute="*"))
def deliver_national_outbox():
    return _deliver()


@db_task()
def deliver_soon():
    """Queued when a batch adds to the outbox; the periodic run catches whatever this misses."""
    return _deliver()


@db_periodic_task(crontab(minute="*/5"))
def close_interrupted_batches():
    return {"closed": close_interrupted()}
