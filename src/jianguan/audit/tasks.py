"""Background work of the audit trail: anchor the chain's head outside the database every hour."""

from django.conf import settings
from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from jianguan.audit.services import seal_pending, write_anchor


@db_periodic_task(crontab(minute="7"))
def anchor_audit_chain():
    if not settings.AUDIT_ANCHOR_DIR:
        return {"anchored": None}
    anchor = write_anchor(settings.AUDIT_ANCHOR_DIR)
    return {"anchored": anchor.seq if anchor else None}


@db_periodic_task(crontab())
def seal_audit_events():
    """Seal what a writer committed but could not seal itself (its process ended before the sealer ran)."""

    return {"sealed": seal_pending()}
