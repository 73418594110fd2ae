"""The complaint map's optional background: the deployment's own tile server (empty: none)."""

from django import template
from django.conf import settings

register = template.Library()


@register.simple_tag
def map_tiles() -> str:
    """The tile URL template for the map's `data-tiles` attribute; empty keeps the map to its own boundaries."""
    return settings.COMPLAINT_MAP_TILES
