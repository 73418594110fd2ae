"""Registers the delivery tasks with Huey and the declared-facts system check."""

from jianguan.facts import checks, tasks  # noqa: F401
