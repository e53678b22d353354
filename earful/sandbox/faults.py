"""Fault injection for sandbox servers: answer chosen requests with errors instead of data.

    faults = Faults()
    faults.add("/r/all/search", status=429, body='{"message": "Too Many Requests", "error": 429}',
               headers={"X-Ratelimit-Reset": "3"}, times=1)
    faults.add("/api/v1/access_token", kind="hang")       # never answers: the client must time out
    faults.add("/services/", kind="disconnect", times=2)  # closes the connection

Rules match on path prefix (and optional method), are tried in order and expire after `times` uses
(None = forever). Every request is recorded in `faults.log` as (method, path_qs) so tests can
assert what a client sent.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field

from aiohttp import web


@dataclass
class Fault:
    path: str
    status: int = 500
    body: str | bytes = ""
    headers: dict[str, str] = field(default_factory=dict)
    times: int | None = 1
    kind: str = "respond"  # respond | hang | disconnect
    method: str | None = None
    content_type: str = "application/json"


class Faults:
    def __init__(self) -> None:
        self.rules: list[Fault] = []
        self.log: list[tuple[str, str]] = []
        self.hits: dict[str, int] = {}

    def add(self, path: str, status: int = 500, body: str | bytes = "", headers: dict[str, str] | None = None,
            times: int | None = 1, kind: str = "respond", method: str | None = None,
            content_type: str = "application/json") -> Fault:
        rule = Fault(path, status, body, dict(headers or {}), times, kind, method, content_type)
        self.rules.append(rule)
        return rule

    def clear(self) -> None:
        self.rules.clear()

    def take(self, method: str, path: str) -> Fault | None:
        for rule in self.rules:
            if path.startswith(rule.path) and (rule.method is None or rule.method == method):
                if rule.times is not None:
                    rule.times -= 1
                    if rule.times <= 0:
                        self.rules.remove(rule)
                self.hits[rule.path] = self.hits.get(rule.path, 0) + 1
                return rule
        return None

    def count(self, path_prefix: str) -> int:
        return sum(1 for _, p in self.log if p.startswith(path_prefix))

    @web.middleware
    async def middleware(self, request: web.Request, handler):  # type: ignore[no-untyped-def]
        self.log.append((request.method, request.path_qs))
        rule = self.take(request.method, request.path)
        if rule is None:
            return await handler(request)
        if rule.kind == "hang":
            await asyncio.Event().wait()  # until the client gives up and the server cancels us
        if rule.kind == "disconnect":
            if request.transport is not None:
                request.transport.close()
            raise ConnectionResetError("sandbox fault: disconnect")
        body = rule.body.encode() if isinstance(rule.body, str) else rule.body
        return web.Response(status=rule.status, body=body, headers=rule.headers, content_type=rule.content_type)
