"""Code values of joint supervision."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class CampaignTaskStatus(models.TextChoices):
    ASSIGNED = "assigned", _("Assigned")
    DONE = "done", _("Checked")
    CANCELLED = "cancelled", _("Cancelled")


class CampaignPhase(models.IntegerChoices):
    """Where a campaign stands in its window (it has no workflow: its dates decide)."""

    UPCOMING = 1, _("Not yet started")
    RUNNING = 2, _("Under way")
    ENDED = 3, _("Ended")


class NationalStatus(models.TextChoices):
    """The national joint-task message's status values (taskInfo.status)."""

    DISPATCHED = "分发", _("Dispatched (分发)")
    CLAIMED = "认领", _("Claimed (认领)")
    ENDED = "结束", _("Ended (结束)")
    FEEDBACK = "反馈", _("Feedback (反馈)")


CLAIM_WORKFLOW = "joint_claim"
ASSIST_WORKFLOW = "joint_assist"
