"""Code values of complaints and 12345 work orders."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Kind(models.TextChoices):
    COMPLAINT = "complaint", _("Complaint (投诉)")
    REPORT = "report", _("Report (举报)")
    CONSULTATION = "consultation", _("Consultation (咨询)")
    HELP = "help", _("Request for help (求助)")
    SUGGESTION = "suggestion", _("Suggestion (建议)")
    THANKS = "thanks", _("Thanks (感谢)")
    OTHER = "other", _("Other (其他)")


class Channel(models.TextChoices):
    PHONE = "phone", _("Phone (12345)")
    PORTAL = "portal", _("Public portal")
    WECHAT = "wechat", _("WeChat")
    SMS = "sms", _("SMS")
    MAILBOX = "mailbox", _("Mayor's mailbox")
    HOTLINE_SYSTEM = "hotline_system", _("12345 system (API)")
    OPEN311 = "open311", _("Open311 application")
    OTHER = "other", _("Other")


class State(models.TextChoices):
    """The work-order workflow's states (definitions/complaints_order.json holds the machine)."""

    RECEIVED = "received", _("Received, to dispatch (已受理)")
    DISPATCHED = "dispatched", _("Dispatched, to sign (待签收)")
    RETURNED = "returned", _("Returned, to review (退单待审)")
    HANDLING = "handling", _("Being handled (办理中)")
    REPLIED = "replied", _("Replied, return call due (待回访)")
    CLOSED = "closed", _("Closed (已办结)")
    MERGED = "merged", _("Merged into another order (已合并)")


class AssignmentRole(models.TextChoices):
    LEAD = "lead", _("Lead unit (主办)")
    CO = "co", _("Co-handler (协办)")


class ReturnStatus(models.TextChoices):
    NONE = "", _("Not returned")
    PENDING = "pending", _("Return to review")
    ACCEPTED = "accepted", _("Return accepted, reassigned")
    REFUSED = "refused", _("Return refused")


class ExtensionStatus(models.TextChoices):
    PENDING = "pending", _("Requested")
    APPROVED = "approved", _("Approved")
    REFUSED = "refused", _("Refused")


class Satisfaction(models.TextChoices):
    SATISFIED = "satisfied", _("Satisfied (满意)")
    BASIC = "basic", _("Basically satisfied (基本满意)")
    DISSATISFIED = "dissatisfied", _("Dissatisfied (不满意)")


class UrgingReason(models.TextChoices):
    OVERDUE = "overdue", _("Overdue (超期)")
    DISSATISFIED = "dissatisfied", _("Dissatisfied return call (回访不满意)")
    MANUAL = "manual", _("Urging by the office (人工督办)")


class RoutingOutcome(models.TextChoices):
    ROUTED = "routed", _("Routed by the dispatch catalogue")
    NO_CATEGORY = "no_category", _("No category: dispatch by hand")
    NO_RULE = "no_rule", _("No dispatch rule for the category: dispatch by hand")
    NO_DEPARTMENT = "no_department", _("No department of the responsible sector in the region: dispatch by hand")
    MANUAL = "manual", _("Dispatched by hand")


class SurgeStatus(models.TextChoices):
    NEW = "new", _("New")
    ACKNOWLEDGED = "acknowledged", _("Acknowledged")


# Roles that act without a staff account: a citizen proven by the portal, a scheduled job.
PUBLIC_ROLE = "public"
SYSTEM_ROLE = "system"
WORKFLOW_CODE = "complaints_order"
