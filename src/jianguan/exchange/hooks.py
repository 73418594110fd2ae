"""The gateway's periodic outbox delivery (Huey) and the facts it publishes."""

from django.utils.translation import gettext_lazy as _

from jianguan.exchange import tasks  # noqa: F401
from jianguan.facts.services import declare

# A batch completed or was closed as interrupted: {"source", "status", "received", "accepted", …}.
declare("exchange.batch_finished", _("Exchange batch finished"))
