from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SpotcheckConfig(AppConfig):
    name = "jianguan.spotcheck"
    label = "spotcheck"
    verbose_name = _("Random spot checks")

    def ready(self):
        from jianguan.facts.services import declare

        # One department's result for a task: {"batch", "result", "finding", "follow_up", "record",
        # "failed": [check point codes], "entered_by"}.
        declare("spotcheck.result_recorded", _("Spot-check result recorded"))
