"""Facts the records register publishes."""

from django.utils.translation import gettext_lazy as _

from jianguan.facts.services import declare

# Published by the gateway once per committed chunk: {"source", "ids": {kind: [id…]}, "deleted": [id…]}.
declare("records.written", _("Supervision records written"))
