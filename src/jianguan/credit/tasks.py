"""Daily: bring new penalties and spot-check results into credit, and switch publication on schedule."""

from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from jianguan.credit.lists import escalate
from jianguan.credit.services import grade_subjects, sync_credit_records


@db_periodic_task(crontab(hour="1", minute="5"))
def credit_daily():
    return {"records": sync_credit_records(), "lists": escalate()}


@db_periodic_task(crontab(day="1", hour="2", minute="0"))
def credit_monthly_grades():
    """Risk grades for every subject, on the first of each month."""
    return grade_subjects()
