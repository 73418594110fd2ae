"""Delivery of facts: queued after each publishing commit, and a sweeper every minute for what was left."""

from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task

from jianguan.facts.services import deliver


@db_task()
def deliver_facts():
    return deliver()


@db_periodic_task(crontab())
def sweep_facts():
    """Number and deliver what a process committed but did not deliver (it ended, or the queue was down),
    and retry the subscribers whose pause after a failure is over."""

    return deliver()
