"""The one Collector shape every platform follows.

A collector is an object with a unique ``key`` (the source name, used for its cursor and health),
a ``platform`` (one of earful.model.PLATFORMS) and an async generator ``pages(cursor)`` that yields
Page objects: candidate mentions plus the opaque cursor that resumes *after* that page. The pipeline
stores each page and its cursor in one transaction, so a killed process neither loses nor
duplicates anything. ``pages`` returns when the source is caught up (polling sources); a streaming
source may keep yielding until cancelled.

Collectors never sleep on their own: they receive a Clock (``clock.sleep``) and their HTTP session.
They raise earful.errors.SourceError subclasses (RateLimited, AuthFailed, Unavailable,
MalformedPayload) for the pipeline to log, back off and retry.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from typing import Any, Protocol, runtime_checkable

from earful.model import Page


@runtime_checkable
class Collector(Protocol):
    key: str
    platform: str
    poll_interval: float

    def pages(self, cursor: str | None) -> AsyncIterator[Page]: ...

    async def aclose(self) -> None: ...


def load_cursor(cursor: str | None) -> dict[str, Any]:
    """Cursors are JSON objects serialised to strings; None or garbage start fresh."""
    if not cursor:
        return {}
    try:
        value = json.loads(cursor)
    except ValueError:
        return {}
    return value if isinstance(value, dict) else {}


def dump_cursor(value: dict[str, Any]) -> str:
    return json.dumps(value, sort_keys=True, separators=(",", ":"))
