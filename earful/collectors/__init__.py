"""Collectors: one module per platform, each a Collector (see base.py)."""
