from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ExchangeConfig(AppConfig):
    name = "jianguan.exchange"
    label = "exchange"
    verbose_name = _("Exchange gateway")

    def ready(self):
        # Registers the periodic outbox delivery with Huey.
        from jianguan.facts.services import declare

        from . import tasks  # noqa: F401

        # A batch completed or was closed as interrupted: {"source", "status", "received", "accepted", …}.
        declare("exchange.batch_finished", _("Exchange batch finished"))
