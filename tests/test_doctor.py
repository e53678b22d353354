"""`earful doctor` against the sandbox platforms: good credentials pass the real auth handshakes, bad ones name
the setting to fix, an unreachable endpoint says so, and no secret value is ever printed."""

from __future__ import annotations

import importlib
from contextlib import AsyncExitStack
from datetime import datetime, timedelta
from pathlib import Path

import pytest

from earful import config as config_mod
from earful import doctor
from earful.clock import ManualClock
from earful.sandbox.scenario import parse
from earful.sandbox.server import SandboxServer, free_port

PLATFORMS = ("reddit", "x", "bluesky", "mastodon", "hackernews", "rss")
BRAND = {"name": "Parcelly", "keywords": ["parcelly"]}
SCENARIO = parse({"name": "doctor", "start": "2026-11-23T00:00:00Z", "duration_minutes": 60, "brand": BRAND,
                  "posts": [{"id": f"{p}1", "platform": p, "minute": 5, "author": "cust", "label": "complaint",
                             "text": "parcelly lost my parcel", "title": "parcelly?", "community": "parcelly"}
                            for p in PLATFORMS]})
BAD = {"EARFUL_DEMO_REDDIT_SECRET": "wrong-reddit-secret-123", "EARFUL_DEMO_X_BEARER_TOKEN": "wrong-x-token-456",
       "EARFUL_DEMO_BLUESKY_APP_PASSWORD": "wrong-bsky-pass-789", "EARFUL_DEMO_MASTODON_TOKEN": "wrong-masto-000"}


def sandbox(platform: str):
    return importlib.import_module(f"earful.sandbox.{platform}")


def secrets() -> list[str]:
    values = [v for p in PLATFORMS for v in getattr(sandbox(p), "DEMO_ENV", {}).values()]
    return values + list(BAD.values())


def make_config(urls: dict[str, str]) -> config_mod.Config:
    sources = {}
    for platform, url in urls.items():
        sources[platform] = sandbox(platform).demo_source(url)
    return config_mod.parse({"brands": [BRAND], "sources": sources})


@pytest.fixture
def demo_env(monkeypatch: pytest.MonkeyPatch) -> None:
    for p in PLATFORMS:
        for name, value in getattr(sandbox(p), "DEMO_ENV", {}).items():
            monkeypatch.setenv(name, value)


@pytest.fixture
async def urls(demo_env: None):
    clock = ManualClock(datetime(2026, 11, 23) + timedelta(hours=1))
    async with AsyncExitStack() as stack:
        out = {}
        for p in PLATFORMS:
            server = await stack.enter_async_context(SandboxServer(sandbox(p).make_app(SCENARIO, clock)))
            out[p] = server.url
        yield out


def text(reports: list[doctor.SourceReport]) -> str:
    return "\n".join(f"{r.name}: {line}" for r in reports for line in r.lines)


async def test_good_credentials_pass_every_handshake(urls: dict[str, str]) -> None:
    reports = await doctor.check_sources(make_config(urls), timeout=5)
    out = text(reports)
    assert {r.name: r.problems for r in reports} == {p: 0 for p in PLATFORMS}, out
    assert "reddit:   ok: auth: token issued" in out and "(password grant)" in out
    assert "x:   ok: auth: one recent search (max_results=10)" in out
    assert "bluesky:   ok: Jetstream" in out and "bluesky:   ok: auth: createSession ok" in out
    assert "mastodon:   ok: auth: search with the access token" in out
    assert "hackernews:   ok: search" in out and "rss:   ok: feed" in out
    assert "credentials: client_id set, client_secret set, password set" in out
    assert not any(s in out for s in secrets())


async def test_bad_credentials_name_the_setting(urls: dict[str, str], monkeypatch: pytest.MonkeyPatch) -> None:
    for name, value in BAD.items():
        monkeypatch.setenv(name, value)
    reports = {r.name: r for r in await doctor.check_sources(make_config(urls), timeout=5)}
    out = text(list(reports.values()))
    assert reports["reddit"].problems == 1 and "fix sources.reddit.client_id / sources.reddit.client_secret" in out
    assert reports["x"].problems == 1 and "fix sources.x.bearer_token" in out
    assert reports["bluesky"].problems == 1 and "sources.bluesky.app_password" in out
    assert reports["mastodon"].problems == 1 and "fix sources.mastodon.access_token" in out
    assert reports["hackernews"].problems == reports["rss"].problems == 0
    assert not any(s in out for s in secrets())


async def test_bad_reddit_password_is_reported_as_the_password(urls: dict[str, str],
                                                               monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("EARFUL_DEMO_REDDIT_PASSWORD", "not-the-password-xyz")
    cfg = make_config({"reddit": urls["reddit"]})
    (report,) = await doctor.check_sources(cfg, timeout=5)
    out = text([report])
    assert report.problems == 1 and "invalid_grant" in out and "sources.reddit.password" in out
    assert "not-the-password-xyz" not in out


async def test_unreachable_endpoints_say_so(demo_env: None) -> None:
    dead = f"http://127.0.0.1:{free_port()}"
    cfg = make_config({p: dead for p in ("hackernews", "rss", "mastodon", "bluesky")})
    reports = {r.name: r for r in await doctor.check_sources(cfg, timeout=2)}
    out = text(list(reports.values()))
    assert all(r.problems >= 1 for r in reports.values()), out
    assert "unreachable" in out and "check sources.hackernews.api_url" in out
    assert "check sources.rss.feeds[0]" in out and "check sources.bluesky.jetstream_url" in out
    assert "check sources.mastodon.instances[0]" in out


def test_run_doctor_prints_a_summary_without_secrets(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("EARFUL_TEST_X_TOKEN", "super-secret-token-abc")
    dead = f"http://127.0.0.1:{free_port()}"
    cfg = config_mod.parse({"brands": [BRAND], "sources": {
        "x": {"bearer_token": {"env": "EARFUL_TEST_X_TOKEN"}, "api_url": dead + "/?token=super-secret-token-abc"}}})
    lines: list[str] = []
    code = doctor.run_doctor(cfg, str(tmp_path / "d.duckdb"), lines.append, timeout=2)
    out = "\n".join(lines)
    assert code == 1 and "source x: 1 problem(s)" in out and "credentials: bearer_token set" in out
    assert "unreachable" in out and "super-secret-token-abc" not in out and "1 problem(s) found" in out
