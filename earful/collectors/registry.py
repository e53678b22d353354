"""Build the configured collectors: each platform module exposes create(config, clock, session)."""

from __future__ import annotations

import importlib
import logging

import aiohttp

from earful.clock import Clock
from earful.collectors.base import Collector
from earful.config import COLLECTED_PLATFORMS, Config

log = logging.getLogger(__name__)


def available_platforms() -> list[str]:
    found = []
    for platform in COLLECTED_PLATFORMS:
        try:
            module = importlib.import_module(f"earful.collectors.{platform}")
        except ModuleNotFoundError as exc:
            if exc.name == f"earful.collectors.{platform}":
                continue
            raise
        if hasattr(module, "create"):
            found.append(platform)
    return found


def build(config: Config, clock: Clock, session: aiohttp.ClientSession) -> list[Collector]:
    collectors: list[Collector] = []
    enabled = config.sources.enabled()
    for platform in available_platforms():
        if platform not in enabled:
            continue
        module = importlib.import_module(f"earful.collectors.{platform}")
        collectors.extend(module.create(config, clock, session))
    missing = sorted(set(enabled) - set(available_platforms()))
    if missing:
        log.warning("no collector yet for: %s", ", ".join(missing))
    return collectors
