"""Build a sandbox's aiohttp application on the sandbox clock, and run it on a free loopback port inside the
current event loop.

Every answer carries `Date` from the sandbox clock (RFC 9110 section 6.6.1, IMF-fixdate), so the header agrees
with the times the sandbox puts in its bodies, tokens (JWT iat/exp) and rate-limit reset headers: a client that
compares a reset or an expiry with the server's Date (or with its own clock, when the sandbox runs on real time)
sees one timeline.
"""

from __future__ import annotations

import socket
from collections.abc import Awaitable, Callable, Iterable
from email.utils import format_datetime

from aiohttp import web

from earful.clock import Clock
from earful.sandbox.faults import Faults


def free_port(host: str = "127.0.0.1") -> int:
    with socket.socket() as sock:
        sock.bind((host, 0))
        return sock.getsockname()[1]


def http_date(clock: Clock) -> str:
    """The clock's now as an HTTP Date value: ``Sun, 06 Dec 2026 07:40:00 GMT``."""
    return format_datetime(clock.now().replace(microsecond=0), usegmt=False).replace("-0000", "GMT")


def application(clock: Clock, faults: Faults | None = None,
                middlewares: Iterable[Callable[..., Awaitable[web.StreamResponse]]] = ()) -> web.Application:
    """A sandbox application whose answers are dated by ``clock`` (fault middleware first, when given)."""
    app = web.Application(middlewares=([faults.middleware] if faults is not None else []) + list(middlewares))

    async def date_header(_request: web.Request, response: web.StreamResponse) -> None:
        response.headers["Date"] = http_date(clock)

    app.on_response_prepare.append(date_header)
    return app


class SandboxServer:
    """``async with SandboxServer(app) as server: server.url``"""

    def __init__(self, app: web.Application, host: str = "127.0.0.1", port: int = 0):
        self.app, self.host, self.port = app, host, port
        self._runner: web.AppRunner | None = None

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}"

    async def start(self) -> SandboxServer:
        self._runner = web.AppRunner(self.app, access_log=None, handler_cancellation=True)
        await self._runner.setup()
        site = web.TCPSite(self._runner, self.host, self.port or 0)
        await site.start()
        if not self.port:
            self.port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
        return self

    async def stop(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    async def __aenter__(self) -> SandboxServer:
        return await self.start()

    async def __aexit__(self, *exc: object) -> None:
        await self.stop()
