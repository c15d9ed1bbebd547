"""Time the dashboard as a person meets it: a real ``streamlit run`` driven by headless Chromium.

Reports, as medians over ``repeat`` visits: seconds from the server answering to the
first page fully drawn, to switch to another page, to apply a sidebar filter, and to draw a
shared link (the first page with filters in its URL, in a fresh browser);
the first page of the very first visit on its own (it reads the tables), the seconds
from ``streamlit run`` to the server answering, and from ``streamlit run`` to that first
page drawn; and the server's resident memory afterwards. Used by ``python -m etl.tools.bench --dashboard``.
"""

from __future__ import annotations

import os
import signal
import socket
import statistics
import subprocess
import sys
import time
import urllib.request
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from playwright.sync_api import Browser, Page

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]
APP_IDLE = '[data-testid="stApp"][data-test-script-state="notRunning"]'
STATUS_WIDGET = '[data-testid="stStatusWidget"]'
#: What the first page (the overview) draws last: its province map (SVG) and its article table.
FIRST_PAGE_DRAWN = ('svg[role="img"]', '[data-testid="stDataFrame"] canvas')
LANGUAGE_FILTER = '[data-testid="stSidebar"] [data-testid="stMultiSelect"]'
#: A shared link: the overview with filters in its URL (French articles, page furniture included).
SHARED_LINK = "/?lang=fr&furniture=1"
SERVER_START_S = 120
#: How often the health check is asked while the server starts (seconds).
SERVER_POLL_S = 0.05
TIMEOUT_MS = 300_000


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _rss_mb(pid: int) -> float:
    """Resident memory of a process and its children (MB), from /proc."""
    total = 0
    for status in Path("/proc").glob("[0-9]*/status"):
        try:
            fields = dict(line.split(":", 1) for line in status.read_text().splitlines() if ":" in line)
        except OSError:
            continue
        if int(fields.get("Pid", "0")) == pid or int(fields.get("PPid", "0")) == pid:
            total += int(fields.get("VmRSS", "0 kB").split()[0])
    return total / 1024


VIEWPORT = {"width": 1400, "height": 900}


def _open_first_page(page: Page, url: str) -> None:
    """Open ``url`` and wait until the overview is drawn (its map and its article table)."""
    page.goto(url, wait_until="domcontentloaded", timeout=TIMEOUT_MS)
    _wait_idle(page)
    for drawn in FIRST_PAGE_DRAWN:
        page.locator(drawn).first.wait_for(state="attached", timeout=TIMEOUT_MS)


def _first_page(browser: Browser, url: str) -> float:
    """Seconds to draw ``url``'s overview in a fresh browser context (no cache, no session)."""
    context = browser.new_context(viewport=VIEWPORT)
    try:
        t = time.monotonic()
        _open_first_page(context.new_page(), url)
        return time.monotonic() - t
    finally:
        context.close()


def _wait_idle(page: Page) -> None:
    page.locator(APP_IDLE).wait_for(state="attached", timeout=TIMEOUT_MS)
    page.locator(STATUS_WIDGET).wait_for(state="hidden", timeout=TIMEOUT_MS)


def time_dashboard(tables: Path, repeat: int, seeds: Path | None = None) -> dict:
    """Start the app on ``tables`` (built from ``seeds``) and time what a person does first.

    The browser is open before the server starts, as a visitor's is: the first visit asks for the
    page the moment the server answers, while the server's start-up warm-up may still run.
    """
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS)
        try:
            return _time_visits(browser, tables, repeat, seeds)
        finally:
            browser.close()


def _time_visits(browser: Browser, tables: Path, repeat: int, seeds: Path | None) -> dict:
    port = _free_port()
    env = {**os.environ, "VNKH_DATA": str(tables)}
    if seeds is not None:
        env["VNKH_SEEDS"] = str(seeds)
    launched = time.monotonic()
    server = subprocess.Popen(
        [sys.executable, "-m", "streamlit", "run", "dashboard.py", "--server.headless", "true",
         "--server.port", str(port), "--browser.gatherUsageStats", "false",
         "--server.fileWatcherType", "none"],
        cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    base = f"http://127.0.0.1:{port}"
    try:
        while True:
            try:
                with urllib.request.urlopen(f"{base}/_stcore/health", timeout=2):
                    break
            except OSError:
                if time.monotonic() - launched > SERVER_START_S:
                    raise RuntimeError("the dashboard did not start") from None
                time.sleep(SERVER_POLL_S)
        server_up = time.monotonic() - launched
        first, switch, filtering, shared = [], [], [], []
        for _ in range(repeat):
            context = browser.new_context(viewport=VIEWPORT)
            page = context.new_page()
            t = time.monotonic()
            _open_first_page(page, base + "/")
            first.append(time.monotonic() - t)

            t = time.monotonic()
            page.get_by_role("link", name="Claims explorer", exact=True).click()
            page.get_by_role("heading", name="Claims explorer").wait_for(timeout=TIMEOUT_MS)
            _wait_idle(page)
            switch.append(time.monotonic() - t)

            page.locator(LANGUAGE_FILTER).first.click()
            option = page.get_by_role("option").first
            t = time.monotonic()
            option.click()
            page.wait_for_timeout(50)  # the rerun starts
            _wait_idle(page)
            filtering.append(time.monotonic() - t)
            context.close()
            shared.append(_first_page(browser, base + SHARED_LINK))
        return {"server_start_s": round(server_up, 2),  # `streamlit run` to the health check answering
                "run_to_first_page_s": round(server_up + first[0], 2),
                "first_page_cold_s": round(first[0], 2),  # the first visit, during the start-up warm-up
                "first_page_s": round(statistics.median(first), 2),
                "page_switch_s": round(statistics.median(switch), 2),
                "filter_s": round(statistics.median(filtering), 2),
                # a link with filters opened in a fresh browser (after the visits above): the first
                # time (nothing of its filtered view computed yet), and the median with later times
                "shared_link_first_s": round(shared[0], 2),
                "shared_link_s": round(statistics.median(shared), 2),
                "server_rss_mb": round(_rss_mb(server.pid), 1)}
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=30)
