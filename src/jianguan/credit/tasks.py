"""Daily: bring new penalties and spot-check results into credit, and switch publication on schedule."""

from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from jianguan.credit.services import sync_credit_records


@db_periodic_task(crontab(hour="1", minute="5"))
def credit_daily():
    return {"records": sync_credit_records()}
