"""Registers the catalogue's importer with the shared import engine."""

from jianguan.catalog import services  # noqa: F401
