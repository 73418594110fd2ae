from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CreditConfig(AppConfig):
    name = "jianguan.credit"
    label = "credit"
    verbose_name = _("Credit supervision")

    def ready(self):
        # Registers the daily publication refresh with Huey.
        from jianguan.facts.services import declare, subscribe

        from . import services, tasks  # noqa: F401

        # Per subject whose grade moved: {"scheme", "as_of", "from", "to", "score", "previous_score",
        # "indicators": {indicator: [points before, points now]}}.
        declare("credit.grade_changed", _("Risk grade changed"))
        # A subject put on or taken off a credit list: {"list", "reason", "entry"}.
        declare("credit.listed", _("Put on a credit list"))
        declare("credit.delisted", _("Taken off a credit list"))
        subscribe(
            "records.written",
            services.sync_written,
            key="credit.sync_records",
            label=_("Credit records and risk grades of new supervision actions"),
            batch=20,
        )
