"""Jianguan (监管): a provincial Internet + Supervision platform."""

__version__ = "0.1.0"
