"""Scenario files: a simulated day of posts that the sandbox platforms release as the clock moves.

Format (JSON, see scenarios/demo.json):

    {"name": "demo", "start": "2026-11-23T00:00:00Z", "duration_minutes": 1440,
     "brand": { ...same keys as a [[brands]] entry in earful.toml... },
     "posts": [
       {"id": "s0001",            # unique in the scenario; platform ids are derived from it
        "platform": "reddit",     # x | reddit | bluesky | mastodon | hackernews | rss
        "minute": 12.5,           # offset from start, simulated minutes
        "author": "sadcustomer",  # brand replies use the brand's own account on that platform
        "text": "...", "title": "...optional, reddit/hn stories and rss items...",
        "lang": "en",
        "label": "complaint",     # complaint | question | praise | spam | competitor | other |
                                  # brand_reply | followup
        "reply_to": null,         # id of the scenario post this one answers
        "community": "parcelly"}  # subreddit, hashtag or feed name; optional
     ]}

Everything is deterministic: the same file gives the same posts with the same ids every run.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from importlib import resources
from pathlib import Path
from typing import Any

from earful.clock import to_utc_naive

LABELS = ("complaint", "question", "praise", "spam", "competitor", "other", "brand_reply", "followup")


@dataclass(frozen=True, slots=True)
class ScenarioPost:
    id: str
    platform: str
    minute: float
    author: str
    text: str
    lang: str
    label: str
    at: datetime
    title: str | None = None
    reply_to: str | None = None
    community: str | None = None


@dataclass
class Scenario:
    name: str
    start: datetime
    duration_minutes: float
    brand: dict[str, Any]
    posts: list[ScenarioPost]
    by_id: dict[str, ScenarioPost] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.posts.sort(key=lambda p: (p.at, p.id))
        self.by_id = {p.id: p for p in self.posts}

    @property
    def end(self) -> datetime:
        return self.start + timedelta(minutes=self.duration_minutes)

    def for_platform(self, platform: str) -> list[ScenarioPost]:
        return [p for p in self.posts if p.platform == platform]

    def root(self, post: ScenarioPost) -> ScenarioPost:
        seen = set()
        while post.reply_to and post.reply_to in self.by_id and post.id not in seen:
            seen.add(post.id)
            post = self.by_id[post.reply_to]
        return post


def base36(number: int) -> str:
    """Platform-style short ids (Reddit's, X's pagination tokens) for sandbox objects."""
    digits = "0123456789abcdefghijklmnopqrstuvwxyz"
    out = ""
    while True:
        number, rem = divmod(number, 36)
        out = digits[rem] + out
        if number == 0:
            return out


def parse(data: dict[str, Any]) -> Scenario:
    start = to_utc_naive(datetime.fromisoformat(data["start"].replace("Z", "+00:00")))
    posts = []
    for raw in data["posts"]:
        if raw["label"] not in LABELS:
            raise ValueError(f"scenario post {raw['id']}: unknown label {raw['label']!r}")
        posts.append(ScenarioPost(
            id=raw["id"], platform=raw["platform"], minute=float(raw["minute"]), author=raw["author"],
            text=raw["text"], lang=raw.get("lang", "und"), label=raw["label"],
            at=start + timedelta(minutes=float(raw["minute"])), title=raw.get("title"),
            reply_to=raw.get("reply_to"), community=raw.get("community")))
    ids = [p.id for p in posts]
    if len(ids) != len(set(ids)):
        raise ValueError("scenario post ids must be unique")
    return Scenario(name=data.get("name", "scenario"), start=start,
                    duration_minutes=float(data.get("duration_minutes", 1440)),
                    brand=data.get("brand", {}), posts=posts)


def load(path: str | Path | None = None) -> Scenario:
    """Load a scenario file; without a path, the bundled demo scenario."""
    if path is None:
        text = resources.files("earful.sandbox").joinpath("scenarios/demo.json").read_text(encoding="utf-8")
    else:
        text = Path(path).read_text(encoding="utf-8")
    return parse(json.loads(text))
