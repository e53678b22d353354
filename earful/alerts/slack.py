"""Slack alerts: safe Block Kit messages, one-shot webhook delivery, retry backoff.

Endpoint: a Slack incoming webhook, ``POST https://hooks.slack.com/services/T…/B…/<secret>`` with a JSON
body ``{"text", "blocks", ...}``. Answers are plain text: ``200 ok``; 400 ``invalid_payload`` /
``no_text`` / ``invalid_blocks``; 403 ``action_prohibited`` / ``invalid_token``; 404 ``no_service`` /
``channel_not_found``; 410 ``channel_is_archived``; 429 with ``Retry-After: <seconds>``; 5xx.
Limits: about 1 message per second per webhook; ≤50 blocks, section text ≤3000, fields ≤10 × ≤2000,
header ≤150 (plain_text), context ≤10 elements, button text ≤75, url ≤3000.
Credential: the webhook URL itself. It is a secret: it never appears in logs, errors or
``DeliveryResult.error``; ``redact_url`` shows it as ``https://hooks.slack.com/services/***``.

Everything in an alert that came from the internet (post text, author, reasons, URL) is hostile:
``escape_mrkdwn`` escapes ``& < >`` (Slack's only mrkdwn escapes, so ``<!channel>`` and
``<https://evil|click>`` become inert text), breaks literal ``@here``/``@channel``/``@everyone`` with a
word joiner, drops control and bidi-override characters and truncates without cutting an escape.

Retries belong to the outbox, so that a restart resumes them: ``deliver`` makes exactly one attempt
(``AsyncWebhookClient(retry_handlers=[])``: the SDK's default handler would silently retry dropped
connections) and returns a ``DeliveryResult`` that says whether and when to retry; ``backoff`` says how
long to wait.
"""

from __future__ import annotations

import asyncio
import logging
import random
import re
import unicodedata
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any
from urllib.parse import quote, urlsplit, urlunsplit

import aiohttp
from slack_sdk.webhook.async_client import AsyncWebhookClient

log = logging.getLogger(__name__)

# slack_sdk logs the full webhook URL at DEBUG whenever its logger's own level is <= DEBUG (NOTSET
# included). The clients made here log through this logger, whose level is pinned above DEBUG.
_SDK_LOG = logging.getLogger(__name__ + ".sdk")
_SDK_LOG.setLevel(logging.INFO)

# Block Kit limits (slack_sdk models/blocks/blocks.py; PLATFORMS.md section 7).
MAX_BLOCKS = 50
MAX_SECTION_TEXT = 3000
MAX_FIELDS = 10
MAX_FIELD_TEXT = 2000
MAX_HEADER_TEXT = 150
MAX_CONTEXT_ELEMENTS = 10
MAX_BUTTON_TEXT = 75
MAX_URL = 3000
MAX_FALLBACK_TEXT = 1000
MAX_QUOTE_LINES = 30

NEUTRALISER = "\u2060"  # WORD JOINER: invisible, and "@\u2060here" pings nobody
ELLIPSIS = "…"

BACKOFF_BASE = 5.0
BACKOFF_CAP = 900.0
RETRY_AFTER_MAX = 3600.0

# Characters dropped from hostile text: C0/C1 controls except \t and \n, lone surrogates, zero-width
# space / word joiner / invisible operators / BOM (they could hide a mention from our neutraliser),
# bidi embeddings, overrides and isolates (they reorder the rest of the message), interlinear marks.
# ZWJ and ZWNJ stay: emoji sequences and several scripts need them.
_DROP = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u200b\u202a-\u202e\u2060-\u2064\u2066-\u2069"
                   "\ufeff\ufff9-\ufffb\ud800-\udfff]")
_NEWLINES = re.compile("\r\n|[\r\u0085\u2028\u2029]")
_INVISIBLE = "\u00ad\u034f\u180e\u200c-\u200f"
_BROADCAST = re.compile(f"@[{_INVISIBLE}]*(here|channel|everyone|group)", re.IGNORECASE)
_SPECIAL = re.compile(f"(@[{_INVISIBLE}]*(?:here|channel|everyone|group))|([&<>])", re.IGNORECASE)
_ENTITIES = {"&": "&amp;", "<": "&lt;", ">": "&gt;"}
_DANGLING = "\u200d\ufe0e\ufe0f"

PLATFORM_NAMES = {"x": "X", "reddit": "Reddit", "bluesky": "Bluesky", "mastodon": "Mastodon",
                  "hackernews": "Hacker News", "rss": "RSS", "file": "File import"}

# kind -> (emoji, title)
KINDS = {
    "new_case": (":speech_balloon:", "New complaint"),
    "sla_warning": (":hourglass_flowing_sand:", "SLA due soon"),
    "sla_breach": (":rotating_light:", "SLA breached"),
    "sla_escalation": (":fire:", "Escalation: still unanswered"),
    "source_silent": (":mute:", "Source silent"),
}


# --- text ---------------------------------------------------------------------------------------

def _units(text: str) -> int:
    """Length in UTF-16 code units: an astral emoji counts 2, which is never laxer than Slack."""
    return len(text.encode("utf-16-le", "surrogatepass")) // 2


def _clean(text: Any) -> str:
    text = "" if text is None else str(text)
    return _DROP.sub("", _NEWLINES.sub("\n", text))


def _pieces(text: str, escape: bool) -> Iterator[tuple[str, bool]]:
    """(piece, atomic) pairs: escapes and neutralised mentions are atomic, never cut."""
    pos = 0
    pattern = _SPECIAL if escape else _BROADCAST
    for match in pattern.finditer(text):
        if match.start() > pos:
            yield text[pos:match.start()], False
        if match.group(1):
            yield "@" + NEUTRALISER + match.group(1).lstrip("@").strip(_INVISIBLE_CHARS), True
        else:
            yield _ENTITIES[match.group(2)], True
        pos = match.end()
    if pos < len(text):
        yield text[pos:], False


_INVISIBLE_CHARS = "\u00ad\u034f\u180e\u200c\u200d\u200e\u200f"


def _trim_dangling(text: str) -> str:
    """Drop joiners, variation selectors and combining marks left hanging by a cut."""
    while text and (text[-1] in _DANGLING or unicodedata.combining(text[-1])
                    or 0x1F3FB <= ord(text[-1]) <= 0x1F3FF):
        text = text[:-1]
    return text


def _fit(pieces: list[tuple[str, bool]], limit: int | None) -> str:
    if limit is None or sum(_units(p) for p, _ in pieces) <= limit:
        return "".join(p for p, _ in pieces)
    ellipsis = ELLIPSIS if limit >= _units(ELLIPSIS) else ""
    budget = limit - _units(ellipsis)
    out: list[str] = []
    used = 0
    for piece, atomic in pieces:
        size = _units(piece)
        if used + size <= budget:
            out.append(piece)
            used += size
            continue
        if not atomic:
            kept: list[str] = []
            for ch in piece:
                width = 2 if ord(ch) > 0xFFFF else 1
                if used + width > budget:
                    break
                kept.append(ch)
                used += width
            out.append("".join(kept))
        break
    return _trim_dangling("".join(out)).rstrip() + ellipsis


def escape_mrkdwn(text: Any, limit: int | None = None) -> str:
    """Hostile text made safe for a Slack mrkdwn field, at most ``limit`` UTF-16 units long.

    Escapes ``&``, ``<``, ``>``; turns ``@here``/``@channel``/``@everyone``/``@group`` (any case, even
    with invisible characters inside) into ``@\\u2060here`` which pings nobody; drops control characters
    (except newline and tab), bidi overrides and zero-width spaces; normalises line breaks to ``\\n``.
    Truncation ends with "…" and never cuts inside ``&amp;``/``&lt;``/``&gt;`` or a neutralised mention.
    """
    return _fit(list(_pieces(_clean(text), escape=True)), limit)


def plain_text(text: Any, limit: int | None = None) -> str:
    """Hostile text for a plain_text field (header, button): one line, mentions neutralised, no escaping."""
    flat = re.sub(r"\s+", " ", _clean(text)).strip()
    return _fit(list(_pieces(flat, escape=False)), limit)


def safe_url(url: Any) -> str | None:
    """An http(s) URL fit for a button or a mrkdwn link, or None when the URL is not one.

    Rejects other schemes (javascript:, data:, ...), URLs with user:password@ (``https://brand.com@evil``),
    whitespace or control characters; percent-encodes ``| < > "`` and non-ASCII, IDNA-encodes the host.
    """
    if not isinstance(url, str):
        return None
    url = url.strip()
    if not url or _units(url) > MAX_URL:
        return None
    if any(ch.isspace() or unicodedata.category(ch) in ("Cc", "Cf", "Cs") for ch in url):
        return None
    try:
        parts = urlsplit(url)
        host = parts.hostname
        port = parts.port
        if parts.scheme.lower() not in ("http", "https") or not host or "@" in parts.netloc:
            return None
        host = host.encode("idna").decode("ascii")
    except (ValueError, UnicodeError):
        return None
    if ":" in host:  # IPv6 literal
        host = f"[{host}]"
    netloc = host + (f":{port}" if port is not None else "")
    safe = "/:@!$&'()*+,;=%~-._"
    result = urlunsplit((parts.scheme.lower(), netloc, quote(parts.path, safe=safe),
                         quote(parts.query, safe=safe + "?/"), quote(parts.fragment, safe=safe + "?/#")))
    return result if _units(result) <= MAX_URL else None


def _link(url: str, label: str) -> str:
    """A mrkdwn link to a ``safe_url`` result: ``&`` escaped, ``|`` and ``>`` are already encoded."""
    return f"<{url.replace('&', '&amp;')}|{escape_mrkdwn(label, 200)}>"


# --- message ------------------------------------------------------------------------------------

def _when(value: Any) -> str:
    if not value:
        return "—"
    try:
        moment = value if isinstance(value, datetime) else datetime.fromisoformat(str(value))
    except ValueError:
        return escape_mrkdwn(value, 40)
    if moment.tzinfo is not None:
        moment = moment.astimezone(UTC)
    return moment.strftime("%Y-%m-%d %H:%M UTC")


def _duration(minutes: Any) -> str:
    try:
        total = max(0, int(round(float(minutes))))
    except (TypeError, ValueError):
        return ""
    days, rest = divmod(total, 24 * 60)
    hours, mins = divmod(rest, 60)
    if days:
        return f"{days} d {hours} h"
    if hours:
        return f"{hours} h {mins:02d} min"
    return f"{mins} min"


def _mrkdwn(text: str) -> dict[str, str]:
    return {"type": "mrkdwn", "text": text}


def _quote(text: Any, limit: int) -> str:
    """The post as a mrkdwn block quote of at most ``limit`` units."""
    cleaned = re.sub(r"\n{3,}", "\n\n", _clean(text).strip())
    lines = cleaned.split("\n")
    if len(lines) > MAX_QUOTE_LINES:
        lines = lines[:MAX_QUOTE_LINES - 1] + [" ".join(lines[MAX_QUOTE_LINES - 1:])]
    body = escape_mrkdwn("\n".join(lines), limit - MAX_QUOTE_LINES)
    if not body:
        return "_(no text)_"
    return "\n".join(">" + line for line in body.split("\n"))


def build_message(alert: Mapping[str, Any]) -> dict[str, Any]:
    """A Block Kit webhook message for one alert; every Block Kit limit holds whatever the input.

    ``alert`` keys: kind (new_case | sla_warning | sla_breach | sla_escalation | source_silent), brand,
    platform, author, text, url, lang, case_id, priority, opened_at and sla_due_at (ISO), age_minutes,
    reasons (list[str]), complaint_score. Missing keys are shown as "—" or left out.
    Raises ValueError for an unknown kind.
    """
    kind = alert.get("kind")
    if kind not in KINDS:
        raise ValueError(f"unknown alert kind {kind!r}; use one of {', '.join(KINDS)}")
    emoji, title = KINDS[kind]
    platform_id = str(alert.get("platform") or "")
    platform = PLATFORM_NAMES.get(platform_id, platform_id) or "—"
    brand = alert.get("brand") or "—"
    age = _duration(alert.get("age_minutes"))
    url = safe_url(alert.get("url"))

    if kind == "source_silent":
        headline = f"{title}: no mentions from {platform} for {age or 'a while'} ({brand})"
    elif kind == "sla_escalation" and age:
        headline = f"{title} after {age}: {brand} on {platform}"
    else:
        headline = f"{title}: {brand} on {platform}"
    header = plain_text(f"{emoji} {headline}", MAX_HEADER_TEXT)

    blocks: list[dict[str, Any]] = [{"type": "header", "text": {"type": "plain_text", "text": header,
                                                                  "emoji": True}}]
    if kind == "source_silent":
        detail = escape_mrkdwn(alert.get("text") or "", 1500)
        intro = (f"No new mentions from *{escape_mrkdwn(platform, 100)}* for "
                 f"{escape_mrkdwn(brand, 200)} in {age or 'a while'}. Check its credentials and reachability.")
        section = intro + (f"\n{detail}" if detail else "")
        blocks.append({"type": "section", "text": _mrkdwn(section)})  # < 2000 units
    else:
        author = escape_mrkdwn(alert.get("author") or "unknown", 200)
        where = _link(url, platform) if url else escape_mrkdwn(platform, 100)
        intro = f"*{author}* on {where}:\n"
        blocks.append({"type": "section",
                       "text": _mrkdwn(intro + _quote(alert.get("text"), MAX_SECTION_TEXT - _units(intro)))})

    fields = [f"*Platform*\n{escape_mrkdwn(platform, 100)}"]
    if kind != "source_silent":
        fields += [f"*Language*\n{escape_mrkdwn(alert.get('lang') or '—', 50)}",
                   f"*Author*\n{escape_mrkdwn(alert.get('author') or '—', 500)}",
                   f"*SLA due*\n{_when(alert.get('sla_due_at'))}"]
    blocks.append({"type": "section", "fields": [_mrkdwn(f) for f in fields[:MAX_FIELDS]]})

    context: list[str] = []
    reasons = [r for r in (alert.get("reasons") or []) if r][:10]
    if reasons:
        context.append("Why: " + " · ".join(escape_mrkdwn(r, 150) for r in reasons))
    facts = []
    if alert.get("case_id") is not None:
        facts.append(f"Case {escape_mrkdwn(alert['case_id'], 60)}")
    if alert.get("priority") not in (None, ""):
        facts.append(f"priority {escape_mrkdwn(alert['priority'], 20)}")
    if alert.get("complaint_score") is not None:
        try:
            facts.append(f"complaint score {float(alert['complaint_score']):.2f}")
        except (TypeError, ValueError):
            pass
    if alert.get("opened_at"):
        facts.append(f"opened {_when(alert['opened_at'])}" + (f" ({age} ago)" if age else ""))
    if facts:
        context.append(" · ".join(facts))
    if context:
        blocks.append({"type": "context", "elements": [_mrkdwn(c) for c in context[:MAX_CONTEXT_ELEMENTS]]})

    if url:
        button = plain_text(f"Open on {platform}", MAX_BUTTON_TEXT)
        blocks.append({"type": "actions", "elements": [
            {"type": "button", "action_id": "open_post", "url": url,
             "text": {"type": "plain_text", "text": button, "emoji": True}}]})

    if kind == "source_silent":
        fallback = escape_mrkdwn(headline, MAX_FALLBACK_TEXT)
    else:
        snippet = escape_mrkdwn(re.sub(r"\s+", " ", _clean(alert.get("text"))).strip(), 300)
        fallback = escape_mrkdwn(f"{headline} — {alert.get('author') or 'unknown'}: ", 500) + f"“{snippet}”"
    return {"text": fallback, "blocks": blocks[:MAX_BLOCKS], "unfurl_links": False, "unfurl_media": False}


# --- delivery -----------------------------------------------------------------------------------

@dataclass(frozen=True)
class DeliveryResult:
    """One delivery attempt. ``retry_after`` is Slack's Retry-After (seconds) when it sent one."""

    ok: bool
    retryable: bool
    retry_after: float | None = None
    status: int | None = None
    error: str = ""


def redact_url(url: str) -> str:
    """The webhook URL without its secret parts: ``https://hooks.slack.com/services/***``."""
    try:
        parts = urlsplit(url)
        first = parts.path.strip("/").split("/")[0] if parts.path.strip("/") else ""
        prefix = f"/{first}" if first == "services" else ""
        return f"{parts.scheme}://{parts.hostname or '?'}{f':{parts.port}' if parts.port else ''}{prefix}/***"
    except ValueError:
        return "<invalid webhook url>"


def _scrub(text: str, url: str) -> str:
    """``text`` with the webhook URL and each of its path segments replaced by ***."""
    secrets = {url, url.rstrip("/")}
    try:
        parts = urlsplit(url)
        secrets.add(parts.path)
        secrets.update(seg for seg in parts.path.split("/") if len(seg) >= 4 and seg != "services")
        if parts.query:
            secrets.add(parts.query)
    except ValueError:
        pass
    secrets |= {quote(s, safe="") for s in list(secrets)} | {quote(s) for s in list(secrets)}
    for secret in sorted((s for s in secrets if s), key=len, reverse=True):
        text = text.replace(secret, "***")
    return text


def _body_error(body: str | None, url: str) -> str:
    first = (body or "").strip().splitlines()[0] if (body or "").strip() else ""
    return _scrub(plain_text(first, 200), url)


def _retry_after(headers: Mapping[str, str] | None) -> float | None:
    value = (headers or {}).get("Retry-After")
    try:
        seconds = float(value) if value is not None else None
    except ValueError:
        return None
    if seconds is None or seconds != seconds:  # NaN
        return None
    return min(max(seconds, 0.0), RETRY_AFTER_MAX)


def classify(status: int, body: str | None, headers: Mapping[str, str] | None, url: str = "") -> DeliveryResult:
    """A webhook answer as a DeliveryResult: 2xx ok; 429, 408 and 5xx retryable; other 4xx permanent."""
    code = _body_error(body, url)
    if 200 <= status < 300:
        return DeliveryResult(ok=True, retryable=False, status=status)
    if status == 429:
        return DeliveryResult(False, True, _retry_after(headers), status, f"HTTP 429 rate limited: {code or '-'}")
    if status >= 500 or status == 408:
        return DeliveryResult(False, True, _retry_after(headers), status, f"HTTP {status}: {code or '-'}")
    return DeliveryResult(False, False, None, status, f"HTTP {status}: {code or '-'}")


def _valid_webhook(url: str) -> bool:
    try:
        parts = urlsplit(url)
        return parts.scheme in ("http", "https") and bool(parts.hostname)
    except ValueError:
        return False


async def deliver(url: str, message: dict, client: AsyncWebhookClient | None = None,
                  timeout: float = 10) -> DeliveryResult:
    """Post ``message`` to the webhook once and classify the outcome; never raises for Slack's failures.

    ``client``: an AsyncWebhookClient for this same ``url`` (for instance one sharing an aiohttp session);
    it is used as given, so give it ``retry_handlers=[]`` and a logger that is not at DEBUG. Without it,
    one is made with no retry handlers. ``timeout`` bounds the whole attempt (seconds).
    """
    where = redact_url(url)
    if not _valid_webhook(url):
        result = DeliveryResult(False, False, None, None, "webhook URL must be an http(s) URL")
        log.warning("slack: not delivered to %s: %s", where, result.error)
        return result
    if client is None:
        client = AsyncWebhookClient(url, timeout=timeout, retry_handlers=[], logger=_SDK_LOG)  # type: ignore[arg-type]
    elif client.url != url:
        raise ValueError("client.url is not the webhook url given to deliver()")
    try:
        async with asyncio.timeout(timeout):
            response = await client.send_dict(dict(message))
    except TimeoutError:
        result = DeliveryResult(False, True, None, None, f"timeout after {timeout:g} s")
    except aiohttp.InvalidURL:
        result = DeliveryResult(False, False, None, None, "invalid webhook URL")
    except (aiohttp.ClientError, OSError) as exc:
        detail = _scrub(plain_text(str(exc), 200), url)
        result = DeliveryResult(False, True, None, None, f"connection error: {type(exc).__name__}"
                                + (f": {detail}" if detail else ""))
    else:
        result = classify(response.status_code, response.body, response.headers, url)
    if result.ok:
        log.info("slack: delivered to %s (HTTP %s)", where, result.status)
    else:
        log.warning("slack: delivery to %s failed, %s: %s", where,
                    "will retry" if result.retryable else "permanent", result.error)
    return result


def backoff(attempt: int, retry_after: float | None = None, rng: random.Random | None = None) -> float:
    """Seconds to wait before retrying after failed attempt number ``attempt`` (1 = the first failure).

    With Slack's ``retry_after``: that many seconds (at most 1 h) plus up to 1 s of jitter, so a burst
    of queued alerts does not all come back in the same second. Without it: exponential from 5 s,
    doubling per attempt, with up to +50 % jitter, always within [5 s, 15 min].
    Deterministic when given a seeded ``random.Random``.
    """
    source = rng if rng is not None else random
    if retry_after is not None and retry_after == retry_after:
        return min(max(float(retry_after), 0.0), RETRY_AFTER_MAX) + source.uniform(0.0, 1.0)
    exponent = min(max(attempt, 1) - 1, 30)
    delay = min(BACKOFF_CAP, BACKOFF_BASE * 2 ** exponent)
    return min(BACKOFF_CAP, delay * (1 + source.uniform(0.0, 0.5)))
