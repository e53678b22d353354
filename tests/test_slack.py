"""Slack delivery against the sandbox webhook with the real slack_sdk AsyncWebhookClient."""

from __future__ import annotations

import json
import logging
import random
import re
import time
import unicodedata
from datetime import datetime

import aiohttp
import pytest
from slack_sdk.models.blocks import Block
from slack_sdk.webhook.async_client import AsyncWebhookClient

from earful.alerts.slack import (
    KINDS,
    DeliveryResult,
    backoff,
    build_message,
    deliver,
    escape_mrkdwn,
    redact_url,
    safe_url,
)
from earful.clock import ManualClock
from earful.sandbox import slack as sandbox
from earful.sandbox.faults import Faults
from earful.sandbox.server import SandboxServer, free_port

SECRET = "s3cr3tW3bh00kT0k3nXYZ"
HOOK = f"/services/T0EARFUL1/B0ALERTS2/{SECRET}"

HOSTILE = (
    "<!channel> @here @Everyone @\u200bchannel <!subteam^S123> <@U0BOSS> "
    "<https://evil.example|click here for your refund> & &amp; &lt;!here&gt; "
    "emoji 😡👨‍👩‍👧🏳️‍🌈 RTL עברית العربية \u202eoverride\u202c zero\u200bwidth\ufeff "
    "controls \x00\x07\x1b[31m\x7f\x85 tab\tend\r\nnext line"
)


def alert(**overrides):
    base = {
        "kind": "sla_breach", "brand": "Acme", "platform": "reddit", "author": "angry_customer",
        "text": "My order never arrived & support ignores me", "url": "https://www.reddit.com/r/acme/comments/abc/",
        "lang": "en", "case_id": 42, "priority": 2, "opened_at": "2025-03-01T09:00:00",
        "sla_due_at": "2025-03-01T10:00:00", "age_minutes": 75, "reasons": ["reports a failure", "asks for help"],
        "complaint_score": 0.91,
    }
    base.update(overrides)
    return base


def all_strings(obj):
    if isinstance(obj, str):
        yield obj
    elif isinstance(obj, dict):
        for value in obj.values():
            yield from all_strings(value)
    elif isinstance(obj, list):
        for value in obj:
            yield from all_strings(value)


def mrkdwn_texts(message):
    texts = [message["text"]]
    for block in message["blocks"]:
        if block.get("text", {}).get("type") == "mrkdwn":
            texts.append(block["text"]["text"])
        texts += [f["text"] for f in block.get("fields", [])]
        texts += [e["text"] for e in block.get("elements", []) if e.get("type") == "mrkdwn"]
    return texts


def units(text):
    return len(text.encode("utf-16-le")) // 2


def assert_within_limits(message):
    assert sandbox.validate(message) is None
    assert len(message["blocks"]) <= 50
    for block in message["blocks"]:
        Block.parse(block).validate_json()  # slack_sdk's own Block Kit limits
        if block["type"] == "header":
            assert units(block["text"]["text"]) <= 150


@pytest.fixture
async def slack():
    faults = Faults()
    app = sandbox.make_app(faults, webhooks={HOOK})
    async with SandboxServer(app) as server:
        yield server, faults, app, server.url + HOOK


def assert_no_secret(*texts):
    for text in texts:
        assert SECRET not in text
        assert "B0ALERTS2" not in text


# --- delivery ------------------------------------------------------------------------------------

async def test_delivers_and_sandbox_records(slack):
    server, faults, app, url = slack
    message = build_message(alert())
    result = await deliver(url, message)
    assert result == DeliveryResult(ok=True, retryable=False, retry_after=None, status=200, error="")
    assert [r["path"] for r in app["received"]] == [HOOK]
    assert app["received"][0]["payload"]["blocks"] == message["blocks"]
    async with aiohttp.ClientSession() as http, http.get(server.url + "/_sandbox/received") as resp:
        listed = await resp.json()
    assert listed[0]["payload"]["text"] == message["text"]
    datetime.fromisoformat(listed[0]["received_at"])


async def test_429_is_retryable_with_retry_after_then_ok(slack):
    _, faults, app, url = slack
    faults.add("/services/", status=429, body="rate_limited", headers={"Retry-After": "7"},
               content_type="text/plain")
    first = await deliver(url, build_message(alert()))
    assert (first.ok, first.retryable, first.status, first.retry_after) == (False, True, 429, 7.0)
    assert faults.count("/services/") == 1  # the client did not retry by itself: the outbox owns retries
    wait = backoff(1, first.retry_after, random.Random(1))
    assert 7.0 <= wait <= 8.0
    second = await deliver(url, build_message(alert()))
    assert second.ok and len(app["received"]) == 1


async def test_503_twice_then_ok_with_backoff(slack):
    _, faults, app, url = slack
    faults.add("/services/", status=503, body="service_unavailable", times=2, content_type="text/plain")
    clock, rng = ManualClock(datetime(2025, 3, 1, 10)), random.Random(7)
    results = []
    for attempt in range(1, 6):
        result = await deliver(url, build_message(alert()))
        results.append(result)
        if result.ok or not result.retryable:
            break
        await clock.sleep(backoff(attempt, result.retry_after, rng))
    assert [r.status for r in results] == [503, 503, 200]
    assert results[0].retryable and results[0].retry_after is None and "service_unavailable" in results[0].error
    assert 5.0 <= clock.slept[0] <= 7.5 and 10.0 <= clock.slept[1] <= 15.0
    assert len(app["received"]) == 1


async def test_hang_times_out_as_retryable(slack):
    _, faults, app, url = slack
    faults.add("/services/", kind="hang")
    started = time.monotonic()
    result = await deliver(url, build_message(alert()), timeout=0.3)
    assert time.monotonic() - started < 3
    assert (result.ok, result.retryable, result.status) == (False, True, None)
    assert "timeout" in result.error
    assert app["received"] == []


async def test_disconnect_is_retryable_and_not_retried_inside(slack):
    _, faults, app, url = slack
    faults.add("/services/", kind="disconnect", times=1)
    result = await deliver(url, build_message(alert()))
    assert (result.ok, result.retryable, result.status) == (False, True, None)
    assert "connection error" in result.error
    assert faults.count("/services/") == 1 and app["received"] == []


async def test_connection_refused_is_retryable():
    url = f"http://127.0.0.1:{free_port()}{HOOK}"
    result = await deliver(url, build_message(alert()), timeout=2)
    assert result.retryable and not result.ok and result.status is None
    assert_no_secret(result.error)


async def test_no_service_is_permanent(slack):
    server, _, app, _ = slack
    for path in ("/services/T0EARFUL1/B0ALERTS2/revokedhook", "/services/nonsense"):
        result = await deliver(server.url + path, build_message(alert()))
        assert (result.ok, result.retryable, result.status) == (False, False, 404)
        assert "no_service" in result.error and "revokedhook" not in result.error
    assert app["received"] == []


async def test_invalid_blocks_and_no_text_are_permanent(slack):
    _, _, app, url = slack
    too_many = {"text": "x", "blocks": [{"type": "divider"}] * 51}
    result = await deliver(url, too_many)
    assert (result.retryable, result.status) == (False, 400) and "invalid_blocks" in result.error
    long_section = {"text": "x", "blocks": [{"type": "section", "text": {"type": "mrkdwn", "text": "a" * 3001}}]}
    assert "invalid_blocks" in (await deliver(url, long_section)).error
    empty = await deliver(url, {"blocks": []})
    assert (empty.retryable, empty.status, empty.error) == (False, 400, "HTTP 400: no_text")
    assert app["received"] == []


async def test_sandbox_rejects_invalid_json_as_plain_text(slack):
    server, _, _, url = slack
    async with aiohttp.ClientSession() as http:
        async with http.post(url, data=b"{not json", headers={"Content-Type": "application/json"}) as resp:
            assert (resp.status, await resp.text(), resp.content_type) == (400, "invalid_payload", "text/plain")
        async with http.post(url, json=["a list"]) as resp:
            assert (resp.status, await resp.text()) == (400, "invalid_payload")
        async with http.post(url, json={"text": "hi"}) as resp:
            assert (resp.status, await resp.text()) == (200, "ok")


async def test_bad_webhook_url_is_permanent_without_raising():
    for url in ("ftp://hooks.slack.com/services/x", "not a url", ""):
        result = await deliver(url, {"text": "x"})
        assert not result.ok and not result.retryable


async def test_caller_client_is_used_and_must_match_url(slack):
    _, _, app, url = slack
    async with aiohttp.ClientSession() as session:
        client = AsyncWebhookClient(url, session=session, retry_handlers=[])
        assert (await deliver(url, build_message(alert()), client=client)).ok
        with pytest.raises(ValueError) as err:
            await deliver(url + "x", {"text": "x"}, client=client)
    assert SECRET not in str(err.value)
    assert len(app["received"]) == 1


async def test_webhook_url_never_in_errors_or_logs(slack, caplog):
    caplog.set_level(logging.DEBUG)
    server, faults, _, url = slack
    faults.add("/services/", status=502, body=f"<html>bad gateway for {url} ({HOOK})</html>",
               content_type="text/html")
    faults.add("/services/", status=403, body="invalid_token", content_type="text/plain")
    faults.add("/services/", status=429, body="rate_limited", headers={"Retry-After": "1"})
    faults.add("/services/", kind="disconnect")
    faults.add("/services/", kind="hang")
    results = [await deliver(url, build_message(alert()), timeout=0.3) for _ in range(5)]
    results.append(await deliver(f"http://127.0.0.1:{free_port()}{HOOK}", {"text": "x"}, timeout=1))
    results.append(await deliver(url, build_message(alert())))
    assert [r.status for r in results] == [502, 403, 429, None, None, None, 200]
    assert "bad gateway" in results[0].error and "***" in results[0].error
    assert results[1].error == "HTTP 403: invalid_token"
    assert caplog.records, "delivery must log"
    assert_no_secret(caplog.text, *(r.error for r in results), *(repr(r) for r in results))
    assert redact_url(url) == f"{server.url}/services/***"


# --- escaping and messages -----------------------------------------------------------------------

async def test_hostile_post_is_accepted_and_inert(slack):
    _, _, app, url = slack
    text = HOSTILE + " filler" * 1500  # > 10 kB
    assert len(text.encode()) > 10_000
    hostile = alert(text=text, author="@channel <!here>", reasons=["<!everyone> said so", "@here"],
                    url="https://www.reddit.com/r/acme/comments/abc/?q=<b>|x&y=1", lang="<!channel>")
    message = build_message(hostile)
    assert_within_limits(message)
    result = await deliver(url, message)
    assert result.ok, result.error
    received = app["received"][0]["payload"]
    dumped = json.dumps(received, ensure_ascii=False)
    for token in ("<!", "<@", "@here", "@channel", "@everyone", "@Everyone", "<https://evil"):
        assert token not in dumped
    assert "\u2060here" in dumped and "&lt;!channel&gt;" in dumped and "&amp;amp;" in dumped
    assert "&lt;https://evil.example|click here" in dumped  # shown as text, not a link
    for text_ in mrkdwn_texts(received):
        # the only "<" left is our own link to the post, whose URL is percent-encoded
        assert re.sub(r"<https://www\.reddit\.com/r/acme/comments/abc/\?q=%3Cb%3E%7Cx&amp;y=1\|Reddit>", "",
                      text_).count("<") == 0
    for s in all_strings(received):
        assert not any(unicodedata.category(ch) == "Cc" and ch not in "\n\t" for ch in s)
        assert "\u202e" not in s and "\u200b" not in s and "\ufeff" not in s
    section = received["blocks"][1]["text"]["text"]
    assert "😡" in section and "👨‍👩‍👧" in section and "עברית" in section and "العربية" in section
    assert "tab\tend" in section and section.endswith("…") and units(section) <= 3000


def test_escape_truncation_never_cuts_an_escape():
    text = "a<b>&c @here " * 20 + "😡" * 10
    full = escape_mrkdwn(text)
    entity = re.compile(r"&(?:amp|lt|gt);")
    for limit in range(0, 300):
        cut = escape_mrkdwn(text, limit)
        assert units(cut) <= limit
        body = cut.removesuffix("…")
        assert full.startswith(body)
        # every "&" in the cut begins a complete entity, and no neutralised mention is split
        assert all(entity.match(body, m.start()) for m in re.finditer("&", body))
        assert not body.endswith("@") and not body.endswith("\u2060")
        assert "\ud83d" not in body


def test_escape_rules():
    assert escape_mrkdwn("a & b < c > d") == "a &amp; b &lt; c &gt; d"
    assert escape_mrkdwn("<!here|x> <@U1>") == "&lt;!here|x&gt; &lt;@U1&gt;"
    assert escape_mrkdwn("ping @HERE and @\u200bchannel, mail me@example.com") == \
        "ping @\u2060HERE and @\u2060channel, mail me@example.com"
    assert escape_mrkdwn("a\x00b\x1bc\r\nd\te\u2028f") == "abc\nd\te\nf"
    assert escape_mrkdwn("שלום 👍🏽 مرحبا") == "שלום 👍🏽 مرحبا"
    assert escape_mrkdwn("short", 100) == "short" and escape_mrkdwn(None) == ""
    assert escape_mrkdwn("👨‍👩‍👧👨‍👩‍👧", 4).endswith("…")
    assert not escape_mrkdwn("👨‍👩‍👧👨‍👩‍👧", 4).removesuffix("…").endswith("\u200d")


def test_every_kind_has_its_own_header_and_stays_within_limits():
    headers = {}
    for kind in KINDS:
        message = build_message(alert(kind=kind))
        assert_within_limits(message)
        headers[kind] = message["blocks"][0]["text"]["text"]
    assert len(set(headers.values())) == len(KINDS)
    assert headers["sla_breach"].startswith(":rotating_light: SLA breached")
    assert "1 h 15 min" in headers["sla_escalation"]
    assert "Reddit" in headers["source_silent"]


def test_giant_and_missing_fields_stay_within_limits():
    huge = alert(brand="B" * 500, author="A" * 10_000, reasons=["r" * 5000] * 100, lang="x" * 300,
                 text="\n".join(["line &"] * 2000), platform="p" * 400, case_id="9" * 500)
    message = build_message(huge)
    assert_within_limits(message)
    assert units(message["text"]) <= 1000
    sparse = build_message({"kind": "new_case"})
    assert_within_limits(sparse)
    assert not any(b["type"] == "actions" for b in sparse["blocks"])
    with pytest.raises(ValueError):
        build_message({"kind": "bogus"})


def test_only_http_urls_become_links():
    for bad in ("javascript:alert(1)", "data:text/html,x", "https://acme.com@evil.example/",
                "https://acme.com/a b", "https://acme.com/\u202e", "//acme.com/x", None, 42):
        assert safe_url(bad) is None
        message = build_message(alert(url=bad))
        assert not any(b["type"] == "actions" for b in message["blocks"])
        assert "javascript" not in json.dumps(message) and "evil" not in json.dumps(message)
    assert safe_url("https://acme.com/p?a=1&b=<2>|3") == "https://acme.com/p?a=1&b=%3C2%3E%7C3"
    assert safe_url("HTTP://Bücher.example/ä") == "http://xn--bcher-kva.example/%C3%A4"


def test_backoff_bounds_growth_and_determinism():
    assert [backoff(n, None, random.Random(3)) for n in range(1, 8)] == \
        [backoff(n, None, random.Random(3)) for n in range(1, 8)]
    rng = random.Random(5)
    waits = [backoff(n, None, rng) for n in range(1, 60)]
    assert all(5.0 <= w <= 900.0 for w in waits)
    assert 5.0 <= waits[0] <= 7.5 and 20.0 <= waits[2] <= 30.0 and waits[-1] == 900.0
    assert backoff(0, None, random.Random(1)) >= 5.0
    assert 30.0 <= backoff(3, 30.0, random.Random(1)) <= 31.0
    assert 0.0 <= backoff(1, 0.0, random.Random(1)) <= 1.0
    assert backoff(1, 10 ** 9, random.Random(1)) <= 3601.0
