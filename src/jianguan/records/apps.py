from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RecordsConfig(AppConfig):
    name = "jianguan.records"
    label = "records"
    verbose_name = _("Supervision actions")

    def ready(self):
        from jianguan.facts.services import declare

        # Published by the gateway once per committed chunk: {"source", "ids": {kind: [id…]}, "deleted": [id…]}.
        declare("records.written", _("Supervision records written"))
