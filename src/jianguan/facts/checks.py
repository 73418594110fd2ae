"""A system check: every fact a subscriber listens to is declared by the application that publishes it."""

from django.core.checks import Error, register

from jianguan.facts.services import DECLARED, SUBSCRIBERS


@register()
def subscribed_facts_are_declared(app_configs=None, **kwargs):
    return [
        Error(f"the subscriber {sub.key} listens to {name!r}, which no application declares", id="facts.E001")
        for sub in SUBSCRIBERS.values()
        for name in sorted(sub.names - DECLARED.keys())
    ]
