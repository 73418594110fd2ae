"""Registers the officers' importer with the shared import engine."""

from jianguan.officers import services  # noqa: F401
