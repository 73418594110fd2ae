"""Background work of monitoring: the silence rules every five minutes."""

from django.db import transaction
from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from jianguan.monitoring.rules import check_silence


@db_periodic_task(crontab(minute="*/5"))
def silent_devices():
    with transaction.atomic():
        return {"clues": [clue.number for clue in check_silence()]}
