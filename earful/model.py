"""The records that flow through the pipeline: collectors make Mentions, enrichment adds an Enrichment."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

PLATFORMS = ("x", "reddit", "bluesky", "mastodon", "hackernews", "rss", "file")
INTENTS = ("complaint", "question", "praise", "spam", "other")


@dataclass(slots=True)
class Enrichment:
    lang: str
    sentiment: float
    intent: str
    complaint: bool
    complaint_score: float
    reasons: list[str]
    model_version: str = ""

    def as_dict(self) -> dict[str, Any]:
        return {
            "lang": self.lang,
            "sentiment": round(self.sentiment, 4),
            "intent": self.intent,
            "complaint": self.complaint,
            "complaint_score": round(self.complaint_score, 4),
            "reasons": list(self.reasons),
        }


@dataclass(slots=True)
class Mention:
    """A post as collected. `created_at` is naive UTC (see earful.clock)."""

    platform: str
    id: str
    author: str
    text: str
    created_at: datetime
    url: str | None = None
    author_id: str | None = None
    reply_to_id: str | None = None
    thread_id: str | None = None
    lang_hint: str | None = None
    raw: dict[str, Any] | None = None
    # filled by the pipeline
    brand: str | None = None
    is_brand: bool = False
    collected_at: datetime | None = None
    enrichment: Enrichment | None = None
    source: str = ""


@dataclass(slots=True)
class Page:
    """One page of candidate mentions and the cursor to resume *after* it.

    The pipeline stores the page and the cursor in one transaction.
    """

    mentions: list[Mention]
    cursor: str | None
    note: str = ""
    meta: dict[str, Any] = field(default_factory=dict)
