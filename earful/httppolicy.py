"""How earful waits on a platform: one backoff formula and one reader of "wait this long" headers.

- ``backoff(failures)``: exponential (``base`` doubling per consecutive failure, at most ``cap``) with jitter
  that only ever lengthens the wait (up to +``jitter``), so clients restarted together spread out and a
  server's own wait is never cut short. ``retry_after`` given: at least that long.
- ``retry_after(headers, now)``: the longest wait that any of the named headers asks for, bounded to
  [``minimum``, ``maximum``]; ``default`` when none is readable. Each value may be
  delta-seconds ("120", also "1.5" as some servers send), an HTTP-date in any of the three forms RFC 9110
  section 5.6.7 requires recipients to read (IMF-fixdate, RFC 850, asctime), epoch seconds (X's
  ``x-rate-limit-reset``, Bluesky's ``RateLimit-Reset``) or ISO 8601 (Mastodon's ``X-RateLimit-Reset``).
  ``now`` is the injected clock's time, so tests and the sandboxes' simulated clock agree with it.

URLs in the messages collectors log or store go through earful.collectors.httpget.safe_url (no query string,
no user:password).
"""

from __future__ import annotations

import random
from collections.abc import Iterable, Mapping
from datetime import datetime
from email.utils import parsedate_to_datetime

from earful.clock import parse_iso, to_utc_naive

DEFAULT_WAIT = 60.0
MAX_WAIT = 900.0
EPOCH_FLOOR = 1e9  # a number this large is a time (epoch seconds), not a number of seconds
_EPOCH = datetime(1970, 1, 1)
_rng = random.Random()


def backoff(failures: int, *, base: float = 0.5, cap: float = 60.0, retry_after: float | None = None,
            jitter: float = 0.1, rng: random.Random | None = None) -> float:
    """Seconds to wait after ``failures`` consecutive failures (1 = the first): ``base * 2**(failures-1)``, at
    most ``cap``, at least ``retry_after``, times a random factor in [1, 1 + jitter]."""
    delay = min(cap, base * 2 ** max(0, min(failures - 1, 62)))
    if retry_after is not None:
        delay = max(delay, retry_after)
    return delay * (1.0 + jitter * (rng or _rng).random())


def wait_seconds(value: object, now: datetime) -> float | None:
    """Seconds after ``now`` (naive UTC) that one header value asks to wait (negative if already past);
    None if the value is none of the forms the module docstring lists."""
    if not isinstance(value, str | int | float) or isinstance(value, bool):
        return None
    text = str(value).strip()
    if not text:
        return None
    try:
        number = float(text)
    except ValueError:
        number = None
    if number is not None:
        if number != number or number in (float("inf"), float("-inf")):
            return None
        if number > EPOCH_FLOOR:
            return number - (to_utc_naive(now) - _EPOCH).total_seconds()
        return number
    when = parse_iso(text) if text[:4].isdigit() else None
    if when is None:
        try:
            when = to_utc_naive(parsedate_to_datetime(text))
        except (TypeError, ValueError, IndexError):
            return None
    return (when - to_utc_naive(now)).total_seconds()


def retry_after(headers: Mapping[str, str] | None, now: datetime, *, names: Iterable[str] = ("Retry-After",),
                default: float = DEFAULT_WAIT, minimum: float = 1.0, maximum: float = MAX_WAIT,
                extra: float = 0.0) -> float:
    """The longest wait the ``names`` headers ask for (plus ``extra``), bounded to [minimum, maximum]; ``default``
    when none of them is readable. Header names are matched case-insensitively."""
    lowered = {str(k).lower(): v for k, v in (headers or {}).items()}
    waits = [w for w in (wait_seconds(lowered.get(name.lower()), now) for name in names) if w is not None]
    seconds = max(waits) + extra if waits else default
    return min(maximum, max(minimum, seconds))
