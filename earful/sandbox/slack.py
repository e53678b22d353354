"""Sandbox Slack incoming webhook: ``POST /services/T…/B…/<secret>`` with a JSON message.

Answers like hooks.slack.com (see ../shared/PLATFORMS.md section 7): plain-text bodies, ``200 ok`` on
success; ``400 invalid_payload`` (body is not a JSON object), ``400 no_text`` (neither text nor blocks),
``400 invalid_blocks`` (a Block Kit limit is broken), ``404 no_service`` (no such webhook). 429 with
Retry-After, 5xx, hangs and dropped connections are injected by tests through ``faults``.

Limits checked (slack_sdk models/blocks): ≤50 blocks; section text ≤3000, fields ≤10 × ≤2000;
header plain_text ≤150; context ≤10 elements; actions ≤25 elements; button text ≤75, url ≤3000;
block_id / action_id ≤255. Lengths are counted in UTF-16 code units, which is at least as strict as
Slack (whose counting rule is unconfirmed).

Every accepted message is kept in ``app["received"]`` (dicts with path, payload, received_at) and
served as JSON by ``GET /_sandbox/received`` so the demo can show what arrived.

    app = make_app(faults)                      # any well-formed /services/T…/B…/… path is a webhook
    app = make_app(webhooks={"/services/T1/B1/abc"})   # only these paths exist; others: 404 no_service
"""

from __future__ import annotations

import json
import re
import warnings
from collections.abc import Iterable
from typing import Any

from aiohttp import web

from earful.clock import Clock
from earful.sandbox.faults import Faults
from earful.sandbox.server import application

WEBHOOK_PATH = re.compile(r"^/services/T[A-Z0-9]+/B[A-Z0-9]+/[A-Za-z0-9]+$")

MAX_BLOCKS = 50
MAX_SECTION_TEXT = 3000
MAX_FIELDS = 10
MAX_FIELD_TEXT = 2000
MAX_HEADER_TEXT = 150
MAX_CONTEXT_ELEMENTS = 10
MAX_ACTIONS_ELEMENTS = 25
MAX_BUTTON_TEXT = 75
MAX_URL = 3000
MAX_ID = 255
MAX_TEXT_OBJECT = 3000

RECEIVED = "received"  # a plain string key: the demo and tests read app["received"]
CLOCK = web.AppKey("clock", Clock)
WEBHOOKS = web.AppKey("webhooks", object)


def _units(text: str) -> int:
    """Length in UTF-16 code units (an astral emoji counts 2)."""
    return len(text.encode("utf-16-le", "surrogatepass")) // 2


class InvalidBlocks(ValueError):
    pass


def _text_object(obj: Any, limit: int, plain_only: bool = False) -> None:
    if not isinstance(obj, dict) or obj.get("type") not in ("plain_text", "mrkdwn"):
        raise InvalidBlocks("text object must be plain_text or mrkdwn")
    if plain_only and obj["type"] != "plain_text":
        raise InvalidBlocks("must be plain_text")
    text = obj.get("text")
    if not isinstance(text, str) or not text or _units(text) > limit:
        raise InvalidBlocks(f"text must be a non-empty string of at most {limit} characters")


def _button(element: dict) -> None:
    _text_object(element.get("text"), MAX_BUTTON_TEXT, plain_only=True)
    url = element.get("url")
    if url is not None and (not isinstance(url, str) or _units(url) > MAX_URL):
        raise InvalidBlocks("button url too long")
    if len(str(element.get("action_id", ""))) > MAX_ID:
        raise InvalidBlocks("action_id too long")


def _check_block(block: Any) -> None:
    if not isinstance(block, dict) or not isinstance(block.get("type"), str):
        raise InvalidBlocks("block must be an object with a type")
    if len(str(block.get("block_id", ""))) > MAX_ID:
        raise InvalidBlocks("block_id too long")
    kind = block["type"]
    if kind == "section":
        if "text" not in block and "fields" not in block:
            raise InvalidBlocks("section needs text or fields")
        if "text" in block:
            _text_object(block["text"], MAX_SECTION_TEXT)
        fields = block.get("fields", [])
        if not isinstance(fields, list) or len(fields) > MAX_FIELDS:
            raise InvalidBlocks("too many fields")
        for field in fields:
            _text_object(field, MAX_FIELD_TEXT)
        accessory = block.get("accessory")
        if isinstance(accessory, dict) and accessory.get("type") == "button":
            _button(accessory)
    elif kind == "header":
        _text_object(block.get("text"), MAX_HEADER_TEXT, plain_only=True)
    elif kind == "context":
        elements = block.get("elements")
        if not isinstance(elements, list) or not elements or len(elements) > MAX_CONTEXT_ELEMENTS:
            raise InvalidBlocks("context needs 1..10 elements")
        for element in elements:
            if isinstance(element, dict) and element.get("type") == "image":
                continue
            _text_object(element, MAX_TEXT_OBJECT)
    elif kind == "actions":
        elements = block.get("elements")
        if not isinstance(elements, list) or not elements or len(elements) > MAX_ACTIONS_ELEMENTS:
            raise InvalidBlocks("actions needs 1..25 elements")
        for element in elements:
            if not isinstance(element, dict):
                raise InvalidBlocks("element must be an object")
            if element.get("type") == "button":
                _button(element)
    elif kind not in ("divider", "image", "rich_text", "input", "file", "video"):
        raise InvalidBlocks(f"unknown block type {kind!r}")


def validate(payload: Any) -> str | None:
    """Slack's error code for this webhook body, or None when it would be posted."""
    if not isinstance(payload, dict):
        return "invalid_payload"
    text, blocks = payload.get("text"), payload.get("blocks")
    if text is not None and not isinstance(text, str):
        return "invalid_payload"
    if not text and not blocks and not payload.get("attachments"):
        return "no_text"
    if blocks is not None:
        if not isinstance(blocks, list) or len(blocks) > MAX_BLOCKS:
            return "invalid_blocks"
        try:
            for block in blocks:
                _check_block(block)
        except InvalidBlocks:
            return "invalid_blocks"
    return None


def _plain(status: int, body: str) -> web.Response:
    return web.Response(status=status, text=body, content_type="text/plain")


async def post_message(request: web.Request) -> web.Response:
    webhooks = request.app[WEBHOOKS]
    path = request.path
    if not WEBHOOK_PATH.match(path) or (webhooks is not None and path not in webhooks):
        return _plain(404, "no_service")
    raw = await request.read()
    try:
        payload = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        return _plain(400, "invalid_payload")
    error = validate(payload)
    if error is not None:
        return _plain(400, error)
    request.app[RECEIVED].append(
        {"path": path, "payload": payload, "received_at": request.app[CLOCK].now().isoformat()}
    )
    return _plain(200, "ok")


async def unknown_service(request: web.Request) -> web.Response:
    return _plain(404, "no_service")


async def received(request: web.Request) -> web.Response:
    return web.json_response(request.app[RECEIVED])


def make_app(faults: Faults | None = None, webhooks: Iterable[str] | None = None,
             clock: Clock | None = None) -> web.Application:
    """The sandbox webhook server. ``webhooks``: the only paths that exist (default: any well-formed one)."""
    app = application(clock or Clock(), faults)  # answers dated by the sandbox clock
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", web.NotAppKeyWarning)
        app[RECEIVED] = []
    app[CLOCK] = clock or Clock()
    app[WEBHOOKS] = set(webhooks) if webhooks is not None else None
    app.router.add_post("/services/{tail:.*}", post_message)
    app.router.add_get("/_sandbox/received", received)
    app.router.add_route("*", "/{tail:.*}", unknown_service)
    return app
