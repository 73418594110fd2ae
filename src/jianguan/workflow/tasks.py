"""Periodic workflow work."""

from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from jianguan.workflow.services import escalate_overdue


@db_periodic_task(crontab(minute="*/15"))
def escalate_overdue_task():
    return escalate_overdue().as_dict()
