"""Code values of random spot checks."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class BatchStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    APPROVED = "approved", _("Approved")
    DRAWN = "drawn", _("Drawn")
    IN_PROGRESS = "in_progress", _("In progress")
    COMPLETED = "completed", _("Completed")
    PUBLISHED = "published", _("Published")
    CANCELLED = "cancelled", _("Draw cancelled")


class FollowUp(models.TextChoices):
    NONE = "", _("None")
    RECTIFICATION = "rectification", _("Rectification order (责令整改)")
    REFERRAL = "referral", _("Case referral (移送立案)")


class TaskStatus(models.TextChoices):
    ASSIGNED = "assigned", _("Team assigned")
    UNASSIGNED = "unassigned", _("No team: constraints not met")
    COMPLETED = "completed", _("Result recorded")


# Until credit grading exists every subject counts as grade B.
DEFAULT_GRADE = "B"

# The standard list of overall results (data; a batch keeps its own copy, editable before the draw).
DEFAULT_RESULTS = [
    {"code": "01", "label": "未发现问题", "finding": False},
    {"code": "02", "label": "发现问题已责令改正", "finding": True},
    {"code": "03", "label": "未按规定公示应当公示的信息", "finding": True},
    {"code": "04", "label": "未发现开展本次抽查涉及的经营活动", "finding": False},
    {"code": "05", "label": "不配合检查", "finding": True},
    {"code": "06", "label": "发现问题待后续处理", "finding": True},
    {"code": "07", "label": "通过登记的住所(经营场所)无法联系", "finding": True},
    {"code": "08", "label": "已注销", "finding": False},
]
# Evidence files: kinds and size a result may carry.
EVIDENCE_TYPES = {".jpg": "image/jpeg", ".jpeg": "image/jpeg", ".png": "image/png", ".pdf": "application/pdf"}
EVIDENCE_MAX_BYTES = 10 * 1024 * 1024
# Photos taken in the field (the camera button of the result form): images only.
PHOTO_TYPES = {".jpg": "image/jpeg", ".jpeg": "image/jpeg", ".png": "image/png"}

# Why a drawn subject got no team (the draw counts the officers passed over for each reason).
UNASSIGNED_REASONS = {
    "conflict": _("declared conflict of interest"),
    "inspected_recently": _("inspected the subject recently"),
    "home_county": _("officer's home county"),
    "too_few_officers": _("officers missing for a full team"),
}
