"""The dashboard in a real browser: a Streamlit server (python -m earful.dashboard.standalone) over a
prepared DuckDB file, screenshotted by headless chromium; the Live page must really render."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import urllib.request
from datetime import timedelta
from pathlib import Path

import pytest

from earful import config as config_mod
from earful.clock import utcnow
from earful.model import Enrichment, Mention
from earful.store import Store
from earful.tracker import Tracker

pytestmark = pytest.mark.browser
ROOT = Path(__file__).resolve().parents[1]
CHROMIUM = next((p for p in ("/usr/bin/chromium", shutil.which("chromium") or "", shutil.which("chromium-browser") or "")
                 if p and Path(p).exists()), None)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def prepare_db(path: Path) -> None:
    now = utcnow()
    store = Store(path)
    tracker = Tracker(store, config_mod.parse({"brands": [{"name": "Acme", "keywords": ["acme"],
                                                               "accounts": {"x": ["acme"]}}]}))
    mentions = []
    for i in range(40):
        complaint = i % 3 == 0
        platform = ("x", "reddit", "bluesky")[i % 3]
        at = now - timedelta(minutes=20 * i + 5)
        mentions.append(Mention(
            platform=platform, id=f"p{i}", author=f"user{i}", created_at=at, collected_at=at, brand="Acme",
            text=("acme app broken <script>alert(1)</script>" if complaint else "acme is fine today"),
            url=f"https://{platform}.example/p{i}", source=f"{platform}:browser",
            enrichment=Enrichment(lang="en", sentiment=-0.6 if complaint else 0.4,
                                  intent="complaint" if complaint else "other", complaint=complaint,
                                  complaint_score=0.9 if complaint else 0.1, reasons=["problem report"])))
    for platform in ("x", "reddit", "bluesky"):
        page = [m for m in mentions if m.platform == platform]
        store.save_page(page, f"{platform}:browser", None, now)
        tracker.on_mentions(page, now, alerts=False)
    store.close()


def wait_ready(proc: subprocess.Popen, port: int, timeout_lines: int = 400) -> None:
    """Block on the server's own output until Streamlit says it serves our port (no sleeping)."""
    seen = []
    for _ in range(timeout_lines):
        line = proc.stdout.readline().decode(errors="replace")
        if not line and proc.poll() is not None:
            raise AssertionError(f"server exited with {proc.returncode}: {''.join(seen)[-2000:]}")
        seen.append(line)
        if f"127.0.0.1:{port}" in line and "URL" in line:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/_stcore/health", timeout=10) as resp:
                assert resp.status == 200
            return
    raise AssertionError("the server never said it was ready: " + "".join(seen)[-2000:])


def chromium(profile: Path, url: str, *extra: str, env: dict[str, str]) -> str:
    result = subprocess.run(
        [CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
         "--disable-component-update", "--disable-sync", "--no-first-run", f"--user-data-dir={profile}",
         "--virtual-time-budget=30000", "--window-size=1400,1000", *extra, url],
        capture_output=True, timeout=120, env=env)
    assert result.returncode == 0, result.stderr.decode(errors="replace")[-2000:]
    return result.stdout.decode(errors="replace")


def charts_drawn(dom: str) -> int:
    """Charts that vega has drawn: its embed element holds an <svg class="marks"> only once rendered."""
    return dom.count('class="marks"')


def pixel_spread(png: Path) -> tuple[int, int, float]:
    from PIL import Image, ImageStat
    with Image.open(png) as img:
        gray = img.convert("L")
        stat = ImageStat.Stat(gray)
        colors = len(img.convert("RGB").resize((350, 250)).getcolors(maxcolors=1 << 20) or [])
        return img.width * img.height, colors, stat.stddev[0]


def assert_live_page_renders(tmp_path: Path, url: str, env: dict[str, str]) -> str:
    # the first visit imports and compiles the pages; chromium's virtual time does not wait for that,
    # so a cold server may still show the skeleton, or the headline numbers before the charts: load the
    # page again until the whole page is there (each load is a new chromium; nothing sleeps)
    dom = ""
    for attempt in range(8):
        dom = chromium(tmp_path / f"dom{attempt}", url, "--dump-dom", env=env)
        if "Mentions today" in dom and charts_drawn(dom) >= 3:
            break
    assert "Mentions today" in dom and "Open cases" in dom and "Net sentiment" in dom, dom[-3000:]
    assert charts_drawn(dom) >= 3, "the three altair charts did not render"
    png = tmp_path / "live.png"
    for attempt in range(3):
        chromium(tmp_path / f"shot{attempt}", url, f"--screenshot={png}", env=env)
        assert png.exists(), "no screenshot written"
        pixels, colors, spread = pixel_spread(png)
        if png.stat().st_size > 20_000 and colors > 50:
            break
    assert png.stat().st_size > 20_000, "screenshot is tiny"
    assert pixels == 1400 * 1000
    assert colors > 50 and spread > 10, f"blank page? colors={colors} stddev={spread:.1f}"
    keep = os.environ.get("EARFUL_SCREENSHOT")
    if keep:
        shutil.copy(png, keep)
    return dom


def stop(proc: subprocess.Popen) -> None:
    proc.terminate()
    try:
        proc.wait(timeout=20)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()


@pytest.mark.skipif(CHROMIUM is None, reason="chromium is not installed (apt-get install -y chromium)")
def test_live_page_renders_in_chromium(tmp_path: Path) -> None:
    db = tmp_path / "browser.duckdb"
    prepare_db(db)
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    env = {**os.environ, "PYTHONPATH": str(ROOT), "STREAMLIT_BROWSER_GATHER_USAGE_STATS": "false", "HOME": str(tmp_path)}
    proc = subprocess.Popen([sys.executable, "-m", "earful.dashboard.standalone", "--db", str(db), "--port", str(port),
                             "--refresh-seconds", "3600"],
                            cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    try:
        wait_ready(proc, port)
        dom = assert_live_page_renders(tmp_path, url, env)
        assert "&lt;script&gt;" in dom or "<script>alert" not in dom
    finally:
        stop(proc)
    assert proc.returncode is not None


@pytest.mark.skipif(CHROMIUM is None, reason="chromium is not installed (apt-get install -y chromium)")
def test_demo_serves_a_live_page_in_chromium(tmp_path: Path) -> None:
    """`earful demo` itself: sandbox platforms, collectors and the dashboard in one process."""
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    env = {**os.environ, "PYTHONPATH": str(ROOT), "STREAMLIT_BROWSER_GATHER_USAGE_STATS": "false",
           "HOME": str(tmp_path), "EARFUL_DB": str(tmp_path / "demo.duckdb")}
    env.pop("SLACK_WEBHOOK_URL", None)
    proc = subprocess.Popen([sys.executable, "-m", "earful.cli", "demo", "--fresh", "--port", str(port),
                             "--step-seconds", "0.01"], cwd=ROOT, env=env, stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT)
    try:
        wait_ready(proc, port)
        dom = assert_live_page_renders(tmp_path, url, env)
        assert "Clock: 2026-11-23" in dom  # the demo's simulated clock drives the page
    finally:
        stop(proc)
