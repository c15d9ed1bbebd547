"""Drive the dashboard in a real headless Chromium, fully offline.

One Streamlit server is started per session on tables built into a temporary folder; every page is
opened, must finish running without an exception, show its title and never reach beyond localhost.
A full-page screenshot of each page lands in ``tests/screenshots/`` (git-ignored) for a human to look at.

Chromium comes from Debian (``/usr/bin/chromium``, installed by ``.ci/run``), never from
``playwright install``: the tests skip when it is missing.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
import warnings
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import parse_qs, urlencode, urlsplit

import pyarrow.parquet as pq
import pytest
from playwright.sync_api import (
    Browser,
    BrowserContext,
    Locator,
    Page,
    Route,
    WebSocket,
    expect,
)
from playwright.sync_api import Error as PlaywrightError
from playwright.sync_api import TimeoutError as PlaywrightTimeoutError

from etl.pipeline import run as build_tables
from etl.tools.synth import generate
from pages.lib import app as dashboard_app
from pages.lib.wording import mended

ROOT = Path(__file__).resolve().parents[1]
SEEDS = ROOT / "seeds"
ENTRY_FILE = "dashboard.py"
SCREENSHOTS = ROOT / "tests" / "screenshots"
CHROMIUM = Path("/usr/bin/chromium")

CHROMIUM_ARGS = [
    "--no-sandbox",  # CI runs as root, where Chromium's sandbox refuses to start
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]

# Seconds for the server, milliseconds for Playwright (its unit).
SERVER_START_TIMEOUT_S = 60
SERVER_STOP_TIMEOUT_S = 10
HEALTH_POLL_INTERVAL_S = 0.5
HEALTH_REQUEST_TIMEOUT_S = 2
PAGE_LOAD_TIMEOUT_MS = 30_000
SCRIPT_RUN_TIMEOUT_MS = 90_000  # the first run of a page fills Streamlit's caches
ELEMENT_TIMEOUT_MS = 15_000
CHART_DRAW_TIMEOUT_MS = 30_000
DOWNLOAD_TIMEOUT_MS = 60_000
SERVER_LOG_TAIL_CHARS = 3_000

VIEWPORT = {"width": 1400, "height": 900}
MAX_SCREENSHOT_HEIGHT = 12_000  # px; keeps a runaway page from producing a giant image

LOCAL_HOSTS = frozenset({"127.0.0.1", "localhost", "::1", "[::1]"})
LOCAL_SCHEMES = frozenset({"data", "blob", "about", "chrome", "chrome-extension", "devtools"})

# Streamlit's markers: the app root carries the script state; errors render as stException.
APP_IDLE = '[data-testid="stApp"][data-test-script-state="notRunning"]'
STATUS_WIDGET = '[data-testid="stStatusWidget"]'
EXCEPTION = '[data-testid="stException"]'
EXCEPTION_BUTTONS = frozenset({"Copy", "Ask Google", "Ask ChatGPT"})
NAVIGATION = '[data-testid="stSidebarNav"], [data-testid="stTopNav"], nav'
SCROLLING_PANES = '[data-testid="stMain"], [data-testid="stAppViewContainer"], section'
ERROR_ALERT = '[data-testid="stAlertContentError"]'
PLOTLY_SVG = ".js-plotly-plot .main-svg"
#: Streamlit loads the code of most elements (select boxes, sliders, buttons, charts...) when a page first
#: needs it, and draws a skeleton in their place meanwhile: a script that has finished does not mean a
#: page that is drawn.
SKELETON = '[data-testid="stSkeleton"]'
#: True once no element waits for its code and every plotly chart has drawn its svg.
PAGE_DRAWN = f"""() => !document.querySelector('{SKELETON}')
    && Array.from(document.querySelectorAll('[data-testid="stPlotlyChart"]'))
        .every(chart => chart.querySelector('.main-svg'))"""
#: Resolves once the browser has laid out and painted what changed (two frames: the next one may be
#: the one already under way).
NEXT_PAINT = "() => new Promise(done => requestAnimationFrame(() => requestAnimationFrame(done)))"
FILLED_SHAPE = ".js-plotly-plot .scatterlayer path.js-fill"  # fill="toself" scatter traces

#: A global filter as a shared link carries it (pages/lib/filters.py) and dashboard.py's widget for it.
FILTER_QUERY = {"lang": ["fr"]}
LANGUAGE_FILTER_KEY = "f_lang"
CLAIM_COUNT = re.compile(r"(\d+) of (\d+) claims")  # the claims explorer's caption: "shown of filtered"
TAG = '[data-tag], [data-baseweb="tag"]'  # a chosen value in a multiselect (new and old markup)

MAP_CHART_KEY = "province_map"
MIN_PROVINCE_SHAPES = 50  # the boundaries file has 88 provinces
OVERVIEW_MAP = 'svg[role="img"]'
BENCH_TIMEOUT_S = 300
MIN_OVERVIEW_MAP_PX = 300
DOWNLOAD_KEY = "download_briefing"
#: A corpus larger than a picker lists (pages/lib/ui.py MAX_PICKER_CHOICES): pickers get a search box.
MANY_ARTICLES = 210
ARTICLE_SEARCH = ".st-key-f_article_search input"
ARTICLE_FILTER = ".st-key-f_articles"
OPTION = '[role="option"]'
ARTICLES_MATCH = re.compile(r"[\d,]+ articles match")  # under "Find articles" while more match than are listed
SEARCHED_ARTICLE = "synthetic-00123"
SEARCHED_TITLE = re.compile(r"\bSynthetic article 123\b")  # its title, not that of article 1234


@dataclass(frozen=True)
class AppPage:
    url_path: str
    title: str


#: The app's own list of pages (one source: pages/lib/app.py).
PAGES = [AppPage(url_path, title) for _, title, url_path in dashboard_app.PAGES]
PAGE_BY_PATH = {p.url_path: p for p in PAGES}
APP_NAVIGATION_TITLE = PAGES[-1].title  # a link only dashboard.py's st.navigation draws
ROOT_PAGE = AppPage("", "Overview")  # "/" shows the default page
PAGE_NOT_FOUND = "Page not found"

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(
        not CHROMIUM.exists(),
        reason=f"{CHROMIUM} is missing: install Debian's chromium (apt-get install chromium; .ci/run does)",
    ),
]


# --------------------------------------------------------------------------------------------------
# Offline guard
# --------------------------------------------------------------------------------------------------


def is_local(url: str) -> bool:
    """True when loading ``url`` stays on this machine.

    >>> is_local("http://127.0.0.1:8501/_stcore/health")
    True
    >>> is_local("data:image/png;base64,AAAA")
    True
    >>> is_local("https://cdn.plot.ly/plotly-2.35.2.min.js")
    False
    """
    parts = urlsplit(url)
    if parts.scheme in LOCAL_SCHEMES:
        return True
    return parts.scheme in {"http", "https", "ws", "wss"} and (parts.hostname or "") in LOCAL_HOSTS


@dataclass
class NetworkGuard:
    """Aborts every request that would leave the machine, and remembers it."""

    files_only: bool = False  # for a downloaded file: local files only, not even the local server
    blocked: list[str] = field(default_factory=list)

    def allows(self, url: str) -> bool:
        if self.files_only:
            scheme = urlsplit(url).scheme
            return scheme == "file" or scheme in LOCAL_SCHEMES
        return is_local(url)

    def handle(self, route: Route) -> None:
        url = route.request.url
        if self.allows(url):
            route.continue_()
        else:
            self.blocked.append(url)
            route.abort("blockedbyclient")

    def watch_websocket(self, ws: WebSocket) -> None:
        # Routes do not see websockets; Streamlit's own one is local.
        if not self.allows(ws.url):
            self.blocked.append(ws.url)


@dataclass
class Tab:
    """A page in its own browser context, with what the guard blocked and the JS errors seen."""

    page: Page
    guard: NetworkGuard
    js_errors: list[str]


def open_tab(browser: Browser, guard: NetworkGuard) -> tuple[BrowserContext, Tab]:
    context = browser.new_context(viewport=VIEWPORT, accept_downloads=True)
    context.set_default_timeout(ELEMENT_TIMEOUT_MS)
    context.route("**/*", guard.handle)
    page = context.new_page()
    page.on("websocket", guard.watch_websocket)
    js_errors: list[str] = []
    page.on("pageerror", lambda error: js_errors.append(str(error)))
    return context, Tab(page, guard, js_errors)


# --------------------------------------------------------------------------------------------------
# Server
# --------------------------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def log_tail(log: Path) -> str:
    text = log.read_text(encoding="utf-8", errors="replace") if log.exists() else ""
    return text[-SERVER_LOG_TAIL_CHARS:]


def is_healthy(base_url: str) -> bool:
    # An empty ProxyHandler: a proxy from the environment must not answer for localhost.
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
    try:
        with opener.open(f"{base_url}/_stcore/health", timeout=HEALTH_REQUEST_TIMEOUT_S) as response:
            return response.status == 200
    except (urllib.error.URLError, ConnectionError, TimeoutError):
        return False


def wait_until_healthy(process: subprocess.Popen[bytes], base_url: str, log: Path) -> None:
    deadline = time.monotonic() + SERVER_START_TIMEOUT_S
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"streamlit exited with code {process.returncode} before answering:\n{log_tail(log)}")
        if is_healthy(base_url):
            return
        time.sleep(HEALTH_POLL_INTERVAL_S)
    pytest.fail(f"streamlit did not answer {base_url}/_stcore/health within {SERVER_START_TIMEOUT_S} s:\n"
                f"{log_tail(log)}")


def stop(process: subprocess.Popen[bytes]) -> None:
    """Stop the server and anything it started (it leads its own process group)."""
    for sig in (signal.SIGTERM, signal.SIGKILL):
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, sig)
        try:
            process.wait(timeout=SERVER_STOP_TIMEOUT_S)
            return
        except subprocess.TimeoutExpired:
            continue


@pytest.fixture(scope="session")
def tables(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Tables for the server alone: it may rebuild them, so it does not share conftest's ``built``."""
    out = tmp_path_factory.mktemp("browser") / "processed"
    build_tables(SEEDS, out, progress=False)
    return out


@contextlib.contextmanager
def server_process(command: list[str], env: Mapping[str, str], log: Path) -> Iterator[subprocess.Popen[bytes]]:
    """Run ``command`` from the repository root, its output in ``log``; stop it, and all it started, on leaving."""
    with log.open("wb") as log_file:
        process = subprocess.Popen(command, cwd=ROOT, env=env, stdin=subprocess.DEVNULL, stdout=log_file,
                                   stderr=subprocess.STDOUT, start_new_session=True)
    try:
        yield process
    finally:
        stop(process)


@contextlib.contextmanager
def running_app(tables: Path, log: Path, seeds: Path = SEEDS) -> Iterator[str]:
    """Serve the dashboard on the given tables (built from ``seeds``); yield its base URL."""
    port = free_port()
    base_url = f"http://127.0.0.1:{port}"
    command = [
        sys.executable, "-m", "streamlit", "run", ENTRY_FILE,
        "--server.headless", "true",
        "--server.address", "127.0.0.1",
        "--server.port", str(port),
        "--browser.gatherUsageStats", "false",
        "--server.fileWatcherType", "none",
        # A visitor sees only an error's type (.streamlit/config.toml); a failing test's description
        # (``describe``) needs its message and traceback.
        "--client.showErrorDetails", "full",
    ]
    env = {**os.environ, "VNKH_DATA": str(tables), "VNKH_SEEDS": str(seeds)}
    with server_process(command, env, log) as process:
        wait_until_healthy(process, base_url, log)
        yield base_url


@pytest.fixture(scope="session")
def app_url(tables: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    with running_app(tables, tmp_path_factory.mktemp("streamlit") / "server.log") as base_url:
        yield base_url


# --------------------------------------------------------------------------------------------------
# Browser
# --------------------------------------------------------------------------------------------------


# ``playwright`` and ``browser`` are session fixtures in conftest.py, shared with test_browser_hostile.py:
# Playwright's sync API allows one instance at a time.


@pytest.fixture
def tab(browser: Browser) -> Iterator[Tab]:
    context, tab = open_tab(browser, NetworkGuard())
    yield tab
    context.close()


@pytest.fixture
def offline_tab(browser: Browser) -> Iterator[Tab]:
    """A tab that may read local files and nothing else, not even localhost."""
    context, tab = open_tab(browser, NetworkGuard(files_only=True))
    yield tab
    context.close()


# --------------------------------------------------------------------------------------------------
# Helpers
# --------------------------------------------------------------------------------------------------


def texts(page: Page, selector: str) -> list[str]:
    return ["\n".join(line.strip() for line in text.splitlines() if line.strip())
            for text in page.locator(selector).all_inner_texts()]


def strip_buttons(text: str) -> str:
    """An exception's text without the labels of the buttons Streamlit puts under it."""
    return "\n".join(line for line in text.splitlines() if line not in EXCEPTION_BUTTONS)


def describe(tab: Tab, name: str) -> str:
    """What a failure message needs: the page, its errors, and whatever was blocked."""
    lines = [f"page {name!r} at {tab.page.url}"]
    exceptions = [strip_buttons(text) for text in texts(tab.page, EXCEPTION)]
    # An exception box is drawn as an error alert too: list only the other alerts.
    errors = [e for e in texts(tab.page, ERROR_ALERT) if not any(strip_buttons(e) in x for x in exceptions)]
    for label, found in [
        ("exception", exceptions),
        ("error message", errors),
        ("JavaScript error", tab.js_errors),
        ("blocked request", tab.guard.blocked),
    ]:
        lines += [f"  {label}: " + item.replace("\n", "\n    ") for item in found]
    return "\n".join(lines)


def heading(page: Page, title: str) -> Locator:
    return page.get_by_role("heading", name=title, exact=True)


def nav_link(page: Page, title: str) -> Locator:
    # hidden ones too: the briefing hides the sidebar, and the navigation with it
    return page.get_by_role("link", name=title, exact=True, include_hidden=True)


@contextlib.contextmanager
def explained(tab: Tab, name: str, what: str) -> Iterator[None]:
    """Turn a failed ``expect`` (which retries until its timeout) into a failure that says what was
    awaited and shows the page's state."""
    try:
        yield
    except AssertionError as error:
        pytest.fail(f"{what}\n{describe(tab, name)}\n{error}")


def wait_for_app(tab: Tab, name: str) -> None:
    """Wait until Streamlit has run the page's script to the end and the browser has drawn what it sent.

    Sound after loading a page (the app says "initial" until its first run starts), not right after a
    click or a key: the app still says "not running" from the run before until the server has started
    the new one. There, first wait (``expect``) for something only the new run draws.
    """
    try:
        tab.page.locator(APP_IDLE).wait_for(state="attached", timeout=SCRIPT_RUN_TIMEOUT_MS)
        tab.page.locator(STATUS_WIDGET).wait_for(state="hidden", timeout=SCRIPT_RUN_TIMEOUT_MS)
    except PlaywrightTimeoutError:
        pytest.fail(f"still running after {SCRIPT_RUN_TIMEOUT_MS} ms\n{describe(tab, name)}")
    if not page_drawn(tab.page):
        waiting = tab.page.locator(SKELETON).count()
        pytest.fail(f"not drawn within {CHART_DRAW_TIMEOUT_MS} ms of the script's end ({waiting} elements "
                    f"still wait for their code, or a chart for its svg)\n{describe(tab, name)}")


def page_drawn(page: Page, timeout_ms: int = CHART_DRAW_TIMEOUT_MS) -> bool:
    """Wait until every element and chart on the page is drawn; False if some are not within ``timeout_ms``."""
    try:
        page.wait_for_function(PAGE_DRAWN, timeout=timeout_ms)
    except PlaywrightTimeoutError:
        return False
    return True


def visit(tab: Tab, base_url: str, page: AppPage, query: dict[str, list[str]] | None = None) -> None:
    url = f"{base_url}/{page.url_path}" + (f"?{urlencode(query, doseq=True)}" if query else "")
    name = page.url_path or "/"
    tab.page.goto(url, wait_until="domcontentloaded", timeout=PAGE_LOAD_TIMEOUT_MS)
    wait_for_app(tab, name)
    # On a fresh server the first run may be the page's script alone, which reruns itself through
    # dashboard.py (pages/lib/ui.py, run_under_navigation): between the two runs the app says "not
    # running". Only the second draws dashboard.py's navigation (the other names pages by their files).
    with explained(tab, name, "dashboard.py's navigation is not drawn: was the page run on its own?"):
        expect(nav_link(tab.page, APP_NAVIGATION_TITLE)).to_be_attached(timeout=SCRIPT_RUN_TIMEOUT_MS)
    wait_for_app(tab, name)


def assert_renders(tab: Tab, page: AppPage) -> None:
    name = page.url_path or "/"
    if tab.page.locator(EXCEPTION).count():
        pytest.fail(f"Streamlit exception\n{describe(tab, name)}")
    try:
        heading(tab.page, page.title).wait_for(state="visible", timeout=ELEMENT_TIMEOUT_MS)
    except PlaywrightTimeoutError:
        shown = texts(tab.page, "h1")
        pytest.fail(f"no heading {page.title!r} (h1 shown: {shown})\n{describe(tab, name)}")
    if tab.page.get_by_text(PAGE_NOT_FOUND).count():  # Streamlit's notice for an address it does not know
        pytest.fail(f"{PAGE_NOT_FOUND!r} shown at /{page.url_path}\n{describe(tab, name)}")
    if tab.guard.blocked:
        pytest.fail(f"requests left localhost\n{describe(tab, name)}")


def save_screenshot(page: Page, name: str) -> Path:
    """A full-page screenshot: Streamlit scrolls inside its main pane, so grow the viewport to fit it."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{name}.png"
    try:
        _grow_viewport_and_shoot(page, path)
    except PlaywrightError as error:  # never hide the test's own failure behind this one
        warnings.warn(f"no screenshot of {name}: {error}", stacklevel=2)
    return path


def _grow_viewport_and_shoot(page: Page, path: Path) -> None:
    content_height = page.evaluate(
        """selector => Math.max(document.documentElement.scrollHeight,
            ...Array.from(document.querySelectorAll(selector)).map(el => el.scrollHeight))""",
        SCROLLING_PANES,
    )
    height = min(max(int(content_height), VIEWPORT["height"]), MAX_SCREENSHOT_HEIGHT)
    page.set_viewport_size({"width": VIEWPORT["width"], "height": height})
    page.evaluate(NEXT_PAINT)
    page_drawn(page)  # a picture with something missing still helps: take it anyway
    page.screenshot(path=str(path), full_page=True)
    page.set_viewport_size(VIEWPORT)


def province_map(page: Page) -> Locator:
    """The keyed map chart; Streamlit marks a keyed element's container with ``st-key-<key>``."""
    return page.locator(f".st-key-{MAP_CHART_KEY}")


#: Closed shapes drawn by filled scatter traces: one ``M`` per polygon, whether the figure has a trace
#: per province or one trace with gaps between polygons.
COUNT_FILLED_SHAPES = """(el, selector) => Array.from(el.querySelectorAll(selector))
    .map(p => ((p.getAttribute('d') || '').match(/M/g) || []).length)
    .reduce((a, b) => a + b, 0)"""


def count_filled_shapes(chart: Locator) -> int:
    return chart.evaluate(COUNT_FILLED_SHAPES, FILLED_SHAPE)


def wait_for_filled_shapes(chart: Locator, more_than: int) -> None:
    """Wait until the chart has drawn more than ``more_than`` shapes: plotly may still be adding
    traces after the first one is drawn."""
    with contextlib.suppress(PlaywrightTimeoutError):  # the caller counts, and says how many it found
        chart.page.wait_for_function(
            f"([el, selector, least]) => ({COUNT_FILLED_SHAPES})(el, selector) > least",
            arg=[chart.element_handle(), FILLED_SHAPE, more_than],
            timeout=CHART_DRAW_TIMEOUT_MS,
        )


@dataclass(frozen=True)
class ClaimsView:
    """What decides which claims the explorer shows: the URL's filters, the sidebar's languages, the count."""

    query: dict[str, list[str]]
    languages: tuple[str, ...]
    claims: int | None


def language_tags(page: Page) -> Locator:
    return page.locator(f".st-key-{LANGUAGE_FILTER_KEY}").locator(TAG)


def claims_view(tab: Tab, languages: tuple[str, ...] = ()) -> ClaimsView:
    """The explorer's view once drawn, read when its count's caption is shown (the sidebar's filters
    are drawn before it, in the same run) and the sidebar shows ``languages`` (the view expected);
    if it never does, what it shows instead, for the test to report."""
    caption = tab.page.get_by_text(CLAIM_COUNT).first
    tags = language_tags(tab.page)
    with contextlib.suppress(AssertionError):  # the test compares the views and says what differs
        expect(caption).to_be_visible(timeout=SCRIPT_RUN_TIMEOUT_MS)
    with contextlib.suppress(AssertionError):
        expect(tags).to_have_text(list(languages), timeout=ELEMENT_TIMEOUT_MS)
    match = CLAIM_COUNT.search(caption.inner_text()) if caption.count() else None
    return ClaimsView(
        query=parse_qs(urlsplit(tab.page.url).query),
        languages=tuple(tags.all_inner_texts()),
        claims=int(match.group(2)) if match else None,
    )


#: What a control's text may overflow its box by (px) before it counts as cut off.
CLIP_TOLERANCE_PX = 1
#: Every button, segmented-control option and select placeholder of the main pane.
CONTROLS = '[data-testid="stMain"] button, [data-testid="stMain"] [data-baseweb="select"] [value], ' \
           '[data-testid="stMain"] [data-baseweb="select"] div[title]'


def cut_off_controls(tab: Tab) -> list[str]:
    """The texts of the main pane's controls that do not fit (at 1400 px the Map's "Both countries" read
    "Both count" and the Claims explorer's "Targets" "Ta")."""
    # a control is cut off when its text overflows its own box, or its box reaches past an ancestor
    # that clips (a column too narrow for a row of buttons)
    cut = tab.page.evaluate(
        """([selector, tolerance]) => {
            const clipped = el => {
                if (el.scrollWidth > el.clientWidth + tolerance && getComputedStyle(el).overflowX !== 'visible')
                    return true;
                const box = el.getBoundingClientRect();
                for (let a = el.parentElement; a; a = a.parentElement) {
                    if (getComputedStyle(a).overflowX === 'visible') continue;
                    const outer = a.getBoundingClientRect();
                    if (box.right > outer.right + tolerance || box.left < outer.left - tolerance) return true;
                }
                return false;
            };
            return Array.from(document.querySelectorAll(selector))
                .filter(el => el.offsetParent !== null && el.clientWidth > 0 && clipped(el))
                .map(el => (el.innerText || el.getAttribute('placeholder') || el.title || '').trim().slice(0, 60));
        }""",
        [CONTROLS, CLIP_TOLERANCE_PX],
    )
    return [text for text in cut if text]


# --------------------------------------------------------------------------------------------------
# Tests
# --------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("app_page", [*PAGES, ROOT_PAGE], ids=lambda p: p.url_path or "root")
def test_page_renders_offline(app_url: str, tab: Tab, app_page: AppPage) -> None:
    try:
        visit(tab, app_url, app_page)
    finally:  # a picture of a page stuck running helps too
        save_screenshot(tab.page, app_page.url_path or "root")
    assert_renders(tab, app_page)
    cut = cut_off_controls(tab)
    assert not cut, f"cut off at {VIEWPORT['width']} px on /{app_page.url_path}: {cut}"


def test_deep_link_to_fresh_server_uses_app_navigation(tables: Path, tab: Tab, tmp_path: Path) -> None:
    """A bookmark opened first after a restart must still go through ``dashboard.py``'s navigation.

    With a ``pages/`` folder beside the entry file, Streamlit runs a requested ``pages/<name>.py`` on its
    own (old multipage mode) until some session has run ``st.navigation``; the shared server of the
    other tests has usually been warmed up, so this one starts its own.
    """
    page = PAGE_BY_PATH["trade"]
    with running_app(tables, tmp_path / "server.log") as base_url:
        visit(tab, base_url, page)
        assert_renders(tab, page)
        missing = [p.title for p in PAGES if not nav_link(tab.page, p.title).count()]
        if missing:
            nav = texts(tab.page, NAVIGATION)
            pytest.fail(f"navigation lacks {missing} (shown: {nav}); was dashboard.py bypassed?\n"
                        f"{describe(tab, page.url_path)}")


def test_map_draws_province_shapes(app_url: str, tab: Tab) -> None:
    page = PAGE_BY_PATH["map"]
    visit(tab, app_url, page)
    assert_renders(tab, page)
    chart = province_map(tab.page)
    with explained(tab, "map", f"no chart with key {MAP_CHART_KEY!r}"):
        expect(chart).to_have_count(1, timeout=ELEMENT_TIMEOUT_MS)
    try:
        chart.locator(FILLED_SHAPE).first.wait_for(state="attached", timeout=CHART_DRAW_TIMEOUT_MS)
    except PlaywrightTimeoutError:
        pytest.fail(f"the map drew no filled shape within {CHART_DRAW_TIMEOUT_MS} ms\n{describe(tab, 'map')}")
    wait_for_filled_shapes(chart, MIN_PROVINCE_SHAPES)
    shapes = count_filled_shapes(chart)
    if shapes <= MIN_PROVINCE_SHAPES:
        pytest.fail(f"the map drew {shapes} filled shapes, expected more than {MIN_PROVINCE_SHAPES}\n"
                    f"{describe(tab, 'map')}")


def test_overview_draws_its_static_map_without_plotly(app_url: str, tab: Tab) -> None:
    visit(tab, app_url, ROOT_PAGE)
    assert_renders(tab, ROOT_PAGE)
    svg = tab.page.locator(OVERVIEW_MAP)
    with explained(tab, "root", "no overview map"):
        expect(svg).to_have_count(1, timeout=ELEMENT_TIMEOUT_MS)
        expect(svg).to_be_visible(timeout=ELEMENT_TIMEOUT_MS)
    box = svg.bounding_box()
    assert box and box["width"] > MIN_OVERVIEW_MAP_PX, f"the overview map is {box} on screen"
    provinces = svg.evaluate("el => el.querySelectorAll('path > title').length")
    assert provinces > MIN_PROVINCE_SHAPES, f"{provinces} shapes with a tooltip"
    assert not tab.page.locator(".js-plotly-plot").count(), "the first page should not wait for plotly.js"


def test_briefing_download_works_offline(app_url: str, tab: Tab, offline_tab: Tab, tmp_path: Path) -> None:
    page = PAGE_BY_PATH["briefing"]
    visit(tab, app_url, page)
    assert_renders(tab, page)
    button = tab.page.locator(f".st-key-{DOWNLOAD_KEY}").get_by_role("button")
    # drawn after the title, once the briefing file is made: the heading alone does not tell
    with explained(tab, "briefing", f"no download button with key {DOWNLOAD_KEY!r}"):
        expect(button).to_have_count(1, timeout=SCRIPT_RUN_TIMEOUT_MS)
    with tab.page.expect_download(timeout=DOWNLOAD_TIMEOUT_MS) as download_info:
        button.click()
    briefing = tmp_path / (download_info.value.suggested_filename or "briefing.html")
    download_info.value.save_as(briefing)
    assert briefing.stat().st_size > 0, "the briefing download is empty"

    offline_tab.page.goto(briefing.as_uri(), wait_until="load", timeout=PAGE_LOAD_TIMEOUT_MS)
    name = f"downloaded briefing {briefing.name}"
    try:
        offline_tab.page.locator(PLOTLY_SVG).first.wait_for(state="attached", timeout=CHART_DRAW_TIMEOUT_MS)
    except PlaywrightTimeoutError:
        pytest.fail(f"plotly drew no chart in the briefing opened offline\n{describe(offline_tab, name)}")
    assert offline_tab.page.locator(PLOTLY_SVG).count() >= 1
    if offline_tab.guard.blocked or offline_tab.js_errors:
        pytest.fail(f"the briefing needs the network or fails\n{describe(offline_tab, name)}")
    save_screenshot(offline_tab.page, "briefing_download")


def test_filter_link_reopens_the_same_view(app_url: str, tab: Tab) -> None:
    page = PAGE_BY_PATH["claims"]
    wanted = tuple(FILTER_QUERY["lang"])
    visit(tab, app_url, page)
    assert_renders(tab, page)
    unfiltered = claims_view(tab)

    visit(tab, app_url, page, query=FILTER_QUERY)
    assert_renders(tab, page)
    linked = claims_view(tab, wanted)
    tab.page.reload(wait_until="domcontentloaded", timeout=PAGE_LOAD_TIMEOUT_MS)
    wait_for_app(tab, "claims (reloaded)")
    assert_renders(tab, page)
    reloaded = claims_view(tab, wanted)

    context = f"without filter: {unfiltered}\nfrom the link: {linked}\nreloaded: {reloaded}\n"
    if linked.query != FILTER_QUERY or linked.languages != wanted:
        pytest.fail(f"the link's filter was not applied or not kept in the URL\n"
                    f"{context}{describe(tab, 'claims')}")
    if None in (unfiltered.claims, linked.claims) or not linked.claims < unfiltered.claims:
        pytest.fail(f"the language filter did not narrow the claims\n{context}{describe(tab, 'claims')}")
    if reloaded != linked:
        pytest.fail(f"reloading the link shows another view\n{context}{describe(tab, 'claims')}")


@pytest.fixture(scope="module")
def many_articles_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    root = tmp_path_factory.mktemp("many-articles")
    generate(MANY_ARTICLES, root / "seeds", SEEDS)
    build_tables(root / "seeds", root / "processed", progress=False)
    with running_app(root / "processed", root / "server.log", seeds=root / "seeds") as base_url:
        yield base_url


def test_with_many_articles_the_sidebar_finds_one_by_its_words(many_articles_url: str, tab: Tab) -> None:
    """More articles than a picker lists: words typed in "Find articles" narrow the Articles filter's
    choices, and the one chosen filters the view and goes into the link."""
    visit(tab, many_articles_url, ROOT_PAGE)
    assert_renders(tab, ROOT_PAGE)
    how_many = tab.page.get_by_text(ARTICLES_MATCH)
    with explained(tab, "root", "no word on how many articles the filter lists"):
        expect(how_many).to_contain_text(f"{MANY_ARTICLES} articles match", timeout=ELEMENT_TIMEOUT_MS)
    tab.page.locator(ARTICLE_SEARCH).fill(SEARCHED_ARTICLE)
    tab.page.keyboard.press("Enter")
    # Only the run the search started can drop the word on how many match (one does).
    with explained(tab, "root (articles searched)", "the search did not narrow the Articles filter"):
        expect(how_many).to_have_count(0, timeout=SCRIPT_RUN_TIMEOUT_MS)
    wait_for_app(tab, "root (articles searched)")
    tab.page.locator(ARTICLE_FILTER).click()
    options = tab.page.locator(OPTION)
    with explained(tab, "root", "the Articles filter does not offer the one article found"):
        expect(options).to_have_count(1, timeout=ELEMENT_TIMEOUT_MS)
        expect(options).to_contain_text(SEARCHED_TITLE, timeout=ELEMENT_TIMEOUT_MS)
    offered = options.inner_text()
    options.click()
    tab.page.keyboard.press("Escape")
    with explained(tab, "root (article chosen)", "the chosen article is not in the link"):
        expect(tab.page).to_have_url(re.compile(rf"[?&]article={SEARCHED_ARTICLE}(&|$)"),
                                     timeout=SCRIPT_RUN_TIMEOUT_MS)
    wait_for_app(tab, "root (article chosen)")
    save_screenshot(tab.page, "many-articles-filter")
    assert parse_qs(urlsplit(tab.page.url).query).get("article") == [SEARCHED_ARTICLE], tab.page.url
    with explained(tab, "root (article chosen)", "the Articles filter does not show the chosen article"):
        expect(tab.page.locator(ARTICLE_FILTER).locator(TAG)).to_have_text([offered], timeout=ELEMENT_TIMEOUT_MS)
    assert_renders(tab, ROOT_PAGE)


def test_the_dashboard_benchmark_times_every_step(tmp_path: Path) -> None:
    """``python -m etl.tools.bench --dashboard`` as a user runs it (its own process: Playwright's sync API
    cannot start inside this session's), on a small corpus: every figure measured and positive."""
    report_file = tmp_path / "report.json"
    command = [sys.executable, "-m", "etl.tools.bench", "--sizes", "6", "--workers", "1", "--repeat", "1",
               "--dashboard", "--work", str(tmp_path / "work"), "--json", str(report_file)]
    done = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=BENCH_TIMEOUT_S)
    assert done.returncode == 0, done.stderr[-2000:]
    dashboard = json.loads(report_file.read_text(encoding="utf-8"))["dashboard"]
    assert set(dashboard) == {"server_start_s", "run_to_first_page_s", "first_page_cold_s", "first_page_s",
                              "page_switch_s", "filter_s", "shared_link_first_s", "shared_link_s",
                              "server_rss_mb"}
    assert all(value > 0 for value in dashboard.values()), dashboard


def test_a_link_to_one_figure_opens_the_reader_with_it_marked(app_url: str, tables: Path, tab: Tab) -> None:
    """The address an analyst pastes into an e-mail (``/articles?claim=…``), opened in a fresh browser."""
    claims = pq.read_table(tables / "claims.parquet", columns=["claim_id", "section", "text"]).to_pylist()
    claim = next(c for c in claims if c["section"] == "body")
    page = PAGE_BY_PATH["articles"]
    visit(tab, app_url, page, query={"claim": [claim["claim_id"]]})
    try:
        assert_renders(tab, page)
        cited = tab.page.locator("mark.vnkh-cited")
        with explained(tab, "articles", f"the cited figure {claim['claim_id']} is not marked"):
            expect(cited).to_have_count(1, timeout=ELEMENT_TIMEOUT_MS)
        expect(cited).to_have_text(mended(claim["text"]))
        expect(tab.page.get_by_text("Cited figure:", exact=False)).to_be_visible()
        cited.scroll_into_view_if_needed()
    finally:
        save_screenshot(tab.page, "cited_figure")

