"""Background work of alerts: every subject's fused risk recomputed each night."""

from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from jianguan.alerts.fusion import fuse_all


@db_periodic_task(crontab(hour="2", minute="40"))
def fused_risk():
    return {"subjects": fuse_all()}
