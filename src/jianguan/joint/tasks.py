"""Periodic joint-supervision work: claim tasks for new licences, first inspections of claimed ones."""

from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from jianguan.joint.services import sync_claims


@db_periodic_task(crontab(hour="*/1", minute="20"))
def sync_claims_task():
    return sync_claims()
