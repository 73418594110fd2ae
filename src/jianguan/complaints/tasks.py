"""Periodic work-order jobs: red cards and 督办 for overdue orders; weekly surge detection."""

from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from jianguan.complaints.analysis import detect_surges
from jianguan.complaints.services import flag_overdue


@db_periodic_task(crontab(minute="*/15"))
def flag_overdue_task():
    return flag_overdue()


@db_periodic_task(crontab(day_of_week="1", hour="2", minute="10"))
def detect_surges_task():
    return [s.pk for s in detect_surges()]
