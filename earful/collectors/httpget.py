"""One GET with an explicit timeout, for the aiohttp-based collectors (Mastodon, Hacker News, RSS).

Transport trouble (timeouts, refused or dropped connections) becomes earful.errors.Unavailable;
the status code and body are returned for the collector to interpret with its platform's rules.
The URL in error messages never includes user:password or the query string (credentials, tokens and search
terms stay out of logs and stored errors).
"""

from __future__ import annotations

import asyncio
import json
from dataclasses import dataclass
from typing import Any

import aiohttp
from multidict import CIMultiDictProxy
from yarl import URL

from earful.errors import MalformedPayload, Unavailable

MAX_BODY = 20 * 1024 * 1024  # a page larger than this is not a page


@dataclass
class Reply:
    status: int
    headers: CIMultiDictProxy[str]
    body: bytes
    url: URL

    def json(self) -> Any:
        try:
            return json.loads(self.body)
        except (ValueError, UnicodeDecodeError) as exc:
            raise MalformedPayload(f"{safe_url(self.url)}: bad JSON ({exc.__class__.__name__})") from None

    def text(self, limit: int = 200) -> str:
        return self.body[:limit].decode("utf-8", "replace")


def safe_url(url: str | URL) -> str:
    """The URL without what may hold a secret: user:password, query string and fragment."""
    url = URL(str(url))
    return str(url.with_user(None).with_query(None).with_fragment(None))


async def get(session: aiohttp.ClientSession, url: str, *, params: dict[str, Any] | list[tuple[str, str]] | None = None,
              headers: dict[str, str] | None = None, timeout: float = 20.0) -> Reply:
    try:
        async with session.get(url, params=params, headers=headers, allow_redirects=True,
                               timeout=aiohttp.ClientTimeout(total=timeout)) as resp:
            body = await resp.content.read(MAX_BODY + 1)
            if len(body) > MAX_BODY:
                raise MalformedPayload(f"{safe_url(url)}: response larger than {MAX_BODY} bytes")
            return Reply(resp.status, resp.headers, body, resp.url)
    except (asyncio.TimeoutError, TimeoutError):
        raise Unavailable(f"{safe_url(url)}: no answer within {timeout:g} s") from None
    except aiohttp.ClientPayloadError as exc:
        raise MalformedPayload(f"{safe_url(url)}: truncated response ({exc.__class__.__name__})") from None
    except aiohttp.ClientError as exc:
        raise Unavailable(f"{safe_url(url)}: {exc.__class__.__name__}") from None
