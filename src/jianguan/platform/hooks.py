"""Registers the department importer with the shared import engine."""

from jianguan.platform import services  # noqa: F401
