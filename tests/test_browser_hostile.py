"""Hostile article text and adding articles, in a real headless Chromium against ``streamlit run``.

Reuses ``test_browser.py``'s server, network guard and tab fixtures, and conftest.py's browser. The hostile corpus
(``conftest.hostile_corpus``) is the seed articles plus an article whose title line and body carry
``<script>``, an ``onerror`` handler, a ``javascript:`` Markdown link and a remote Markdown image, in a
file whose name holds HTML. Every page that shows article text must show it as text: nothing runs,
no ``<img src="x">`` exists, no request leaves the machine. Screenshots land in ``tests/screenshots/``.
"""

from __future__ import annotations

import re
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect
from playwright.sync_api import TimeoutError as PlaywrightTimeoutError

import tests.test_browser as tb
from tests.conftest import HOSTILE_ID, HOSTILE_TEXT, SEEDS, Corpus, copy_corpus
from tests.test_browser import (
    PAGE_BY_PATH,
    Tab,
    assert_renders,
    describe,
    explained,
    running_app,
    save_screenshot,
    visit,
    wait_for_app,
)

pytestmark = tb.pytestmark
# test_browser.py's tab fixtures, reused (the browser itself is conftest.py's, shared).
tab, offline_tab = tb.tab, tb.offline_tab

HOSTILE_TITLE = HOSTILE_TEXT.splitlines()[0]
TITLE_WORDS = "sign a trade deal"  # typed into the article picker to find the hostile article
SCRIPT_TEXT = "<script>window.__pwned=1</script>"
#: Everything that would betray markup from an article turned into live HTML. (Chart data inside the
#: briefing's own scripts may quote the article, as an inert JSON string: only a script *made of* the
#: article's code counts.)
PROBE = """() => ({
    pwned: typeof window.__pwned === "undefined" ? null : String(window.__pwned),
    images: document.querySelectorAll('img[src="x"]').length,
    scripts: Array.from(document.scripts).filter(s => s.textContent.trim().startsWith("window.__pwned")).length,
    handlers: Array.from(document.querySelectorAll("*")).filter(el => Array.from(el.attributes)
        .some(a => a.name.startsWith("on") && a.value.includes("__pwned"))).length,
    js_links: document.querySelectorAll('a[href^="javascript:" i]').length,
    remote_images: Array.from(document.images).filter(i => i.src.includes("example.com")).length,
})"""
SAFE = {"pwned": None, "images": 0, "scripts": 0, "handlers": 0, "js_links": 0, "remote_images": 0}

ARTICLE_PICK = ".st-key-article_pick"
#: How long an open picker is given to list an option before it is opened again.
PICKER_WAIT_MS = 3_000
ARTICLE_TEXT = ".vnkh-article"
OPTION = '[role="option"]'
BRIEFING_PREVIOUS = ".st-key-briefing_prev button"
SOURCES_SLIDE = "Sources"  # the last slide's heading (pages/briefing.py SLIDES)
CLAIM_ARTICLE_FACET = ".st-key-ce_article"
CLAIMS_GRID = ".st-key-claims_table"
#: The claims table is drawn on a canvas: a row is clicked by position (Streamlit's default row height).
GRID_ROW_PX, ROW_MARKER_X = 35, 15
UPLOADER_INPUT = '.st-key-upload_articles input[type="file"]'
ADD_BUTTON = ".st-key-add_articles button"
SUCCESS = '[data-testid="stAlertContentSuccess"]'
TOO_LARGE = re.compile(r"File must be .* or smaller")

NEW_FILE = "border_gate.txt"
NEW_TITLE = "Vietnam and Cambodia open a new border gate"
NEW_ARTICLE = (
    f"{NEW_TITLE}\nPHNOM PENH, May 5, 2025 (VNA) - Vietnam will invest 50 million USD in a new border gate "
    "in Kampot province, officials said.\n"
).encode()
#: Bytes over the 5 MB per-file limit (Streamlit counts mebibytes).
TOO_LARGE_BYTES = 5 * 1024 * 1024 + 1


@pytest.fixture(scope="module")
def hostile_url(hostile_corpus: Corpus, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    log = tmp_path_factory.mktemp("streamlit-hostile") / "server.log"
    with running_app(hostile_corpus.tables, log, seeds=hostile_corpus.seeds) as base_url:
        yield base_url


def probe(page: Page) -> dict:
    return page.evaluate(PROBE)


def assert_inert(tab: Tab, name: str) -> None:
    found = probe(tab.page)
    if found != SAFE:
        pytest.fail(f"article markup came alive: {found}\n{describe(tab, name)}")
    if tab.guard.blocked:
        pytest.fail(f"requests left localhost\n{describe(tab, name)}")


def listed_in_picker(tab: Tab, title: str) -> None:
    """Open the Articles page's picker until it lists ``title`` once. A run that starts while the list
    is open (the one after an upload ends, say) draws the picker again, closed, and its options go: as
    a user would, open it again once the app is idle."""
    deadline = time.monotonic() + tb.ELEMENT_TIMEOUT_MS / 1000
    option = tab.page.locator(OPTION).filter(has_text=title)
    while True:
        wait_for_app(tab, "articles (picker)")
        tab.page.locator(ARTICLE_PICK).click()
        try:
            expect(option).to_have_count(1, timeout=PICKER_WAIT_MS)
            return
        except AssertionError:
            if time.monotonic() > deadline:
                with explained(tab, "articles (picker open)", f"{title!r} is not listed"):
                    raise
            tab.page.keyboard.press("Escape")


def pick_article(tab: Tab, words: str) -> None:
    """Choose an article in the Articles page's picker by typing words of its title."""
    tab.page.locator(ARTICLE_PICK).click()
    # typed anywhere else, the words would be the app's shortcuts ("r" reruns)
    expect(tab.page.locator(ARTICLE_PICK).get_by_role("combobox")).to_be_focused(timeout=tb.ELEMENT_TIMEOUT_MS)
    tab.page.keyboard.type(words)
    tab.page.locator(OPTION).filter(has_text=words).first.click()
    # The picker shows the choice at once; the article's own heading comes with the run it starts.
    with explained(tab, "articles (article chosen)", f"the article titled with {words!r} is not shown"):
        expect(tab.page.get_by_role("heading").filter(has_text=words).first).to_be_visible(
            timeout=tb.SCRIPT_RUN_TIMEOUT_MS)
    wait_for_app(tab, "articles (article chosen)")


def read_hostile_claim(tab: Tab) -> None:
    """Narrow the claims explorer to the hostile article and tick its first claim, so its sentence is drawn."""
    count = tab.page.get_by_text(tb.CLAIM_COUNT).first
    with explained(tab, "claims", "no count of the claims shown"):
        expect(count).to_be_visible(timeout=tb.ELEMENT_TIMEOUT_MS)
    every_article = count.inner_text()
    tab.page.locator(CLAIM_ARTICLE_FACET).click()
    expect(tab.page.locator(CLAIM_ARTICLE_FACET).get_by_role("combobox")).to_be_focused(
        timeout=tb.ELEMENT_TIMEOUT_MS)
    tab.page.keyboard.type(TITLE_WORDS)
    tab.page.locator(OPTION).filter(has_text=TITLE_WORDS).first.click()
    tab.page.keyboard.press("Escape")
    # Only the run the choice starts changes the count; the table is drawn in that run too, so the row
    # clicked below is the hostile article's.
    with explained(tab, "claims (article chosen)", "choosing the article did not narrow the claims"):
        expect(count).not_to_have_text(every_article, timeout=tb.SCRIPT_RUN_TIMEOUT_MS)
    wait_for_app(tab, "claims (article chosen)")
    grid = tab.page.locator(CLAIMS_GRID).bounding_box()
    assert grid, f"no claims table\n{describe(tab, 'claims')}"
    tab.page.mouse.click(grid["x"] + ROW_MARKER_X, grid["y"] + GRID_ROW_PX * 1.5)  # first row under the header
    # The sentence comes with the run the tick starts.
    with explained(tab, "claims (row ticked)", "the ticked claim's sentence is not shown"):
        expect(tab.page.locator("blockquote").filter(has_text=SCRIPT_TEXT)).to_be_visible(
            timeout=tb.SCRIPT_RUN_TIMEOUT_MS)
    wait_for_app(tab, "claims (row ticked)")


def open_briefing_sources(tab: Tab) -> None:
    """The Sources slide (the last one) lists every article's title."""
    tab.page.locator(BRIEFING_PREVIOUS).click()
    with explained(tab, "briefing (sources)", "the Sources slide is not shown"):
        expect(tab.page.get_by_role("heading", name=SOURCES_SLIDE, exact=True)).to_be_visible(
            timeout=tb.SCRIPT_RUN_TIMEOUT_MS)
    wait_for_app(tab, "briefing (sources)")


#: The pages the issue names first, then the others, which show article text in charts and tables.
HOSTILE_PAGES = ["articles", "claims", "overview", "briefing", "trade", "aid", "cooperation", "map", "data"]


@pytest.mark.parametrize("path", HOSTILE_PAGES)
def test_hostile_article_text_stays_text(hostile_url: str, tab: Tab, path: str) -> None:
    # The overview is the default page, served at "/" ("/overview" is "not found" once the server is warm).
    page = tb.ROOT_PAGE if path == "overview" else PAGE_BY_PATH[path]
    try:
        visit(tab, hostile_url, page)
        assert_renders(tab, page)
        if path == "articles":
            pick_article(tab, TITLE_WORDS)
        elif path == "claims":
            read_hostile_claim(tab)
        elif path == "briefing":
            open_briefing_sources(tab)
        assert_inert(tab, path)
    finally:
        save_screenshot(tab.page, f"hostile_{path}")


def test_hostile_article_is_shown_literally(hostile_url: str, tab: Tab) -> None:
    page = PAGE_BY_PATH["articles"]
    visit(tab, hostile_url, page)
    pick_article(tab, TITLE_WORDS)
    with explained(tab, "articles", "the title is not shown as it is written"):
        expect(tab.page.get_by_role("heading", name=HOSTILE_TITLE, exact=True)).to_be_visible(
            timeout=tb.ELEMENT_TIMEOUT_MS)
    with explained(tab, "articles", "the article's text is not shown as it is written"):
        expect(tab.page.locator(ARTICLE_TEXT)).to_contain_text(SCRIPT_TEXT, timeout=tb.ELEMENT_TIMEOUT_MS)
    with explained(tab, "articles", "the file name is not shown as text"):
        expect(tab.page.locator("body")).to_contain_text(HOSTILE_ID, timeout=tb.ELEMENT_TIMEOUT_MS)
    assert_inert(tab, "articles")


def test_hostile_briefing_download_is_inert_offline(
    hostile_url: str, tab: Tab, offline_tab: Tab, tmp_path: Path
) -> None:
    page = PAGE_BY_PATH["briefing"]
    visit(tab, hostile_url, page)
    button = tab.page.locator(f".st-key-{tb.DOWNLOAD_KEY}").get_by_role("button")
    with tab.page.expect_download(timeout=tb.DOWNLOAD_TIMEOUT_MS) as download_info:
        button.click()
    briefing = tmp_path / "briefing.html"
    download_info.value.save_as(briefing)
    offline_tab.page.goto(briefing.as_uri(), wait_until="load", timeout=tb.PAGE_LOAD_TIMEOUT_MS)
    offline_tab.page.locator(tb.PLOTLY_SVG).first.wait_for(state="attached", timeout=tb.CHART_DRAW_TIMEOUT_MS)
    with explained(offline_tab, "downloaded hostile briefing", "the quote is not listed, as text"):
        expect(offline_tab.page.locator("body")).to_contain_text(SCRIPT_TEXT, timeout=tb.ELEMENT_TIMEOUT_MS)
    assert_inert(offline_tab, "downloaded hostile briefing")
    save_screenshot(offline_tab.page, "hostile_briefing_download")


# --- adding articles -------------------------------------------------------------------------------


@pytest.fixture
def private_corpus(seed_tables: Path, tmp_path: Path) -> Corpus:
    return copy_corpus(SEEDS, seed_tables, tmp_path / "corpus")


def choose_files(tab: Tab, files: list[tuple[str, bytes]]) -> None:
    tab.page.locator(UPLOADER_INPUT).set_input_files(
        [{"name": name, "mimeType": "text/plain", "buffer": content} for name, content in files]
    )


def test_adding_an_article_in_the_browser(private_corpus: Corpus, tab: Tab, tmp_path: Path) -> None:
    page = PAGE_BY_PATH["articles"]
    with running_app(private_corpus.tables, tmp_path / "server.log", seeds=private_corpus.seeds) as base_url:
        visit(tab, base_url, page)
        assert_renders(tab, page)
        tab.page.get_by_text("Add articles", exact=True).click()
        choose_files(tab, [(NEW_FILE, NEW_ARTICLE)])
        tab.page.get_by_text(NEW_FILE).first.wait_for(state="visible")
        # The button is drawn enabled by the run the finished upload starts: clicked sooner, it would
        # add nothing.
        with explained(tab, "articles (file chosen)", "the chosen file does not enable the button"):
            expect(tab.page.locator(ADD_BUTTON)).to_be_enabled(timeout=tb.SCRIPT_RUN_TIMEOUT_MS)
        wait_for_app(tab, "articles (file chosen)")
        tab.page.locator(ADD_BUTTON).click()
        try:
            tab.page.locator(SUCCESS).wait_for(state="visible", timeout=tb.SCRIPT_RUN_TIMEOUT_MS)
        except PlaywrightTimeoutError:
            save_screenshot(tab.page, "upload_failed")
            pytest.fail(f"no success message after adding a file\n{describe(tab, 'articles')}")
        wait_for_app(tab, "articles (added)")
        with explained(tab, "articles (added)", "no report of the file added"):
            expect(tab.page.locator(SUCCESS)).to_contain_text("Added 1 file", timeout=tb.ELEMENT_TIMEOUT_MS)
            expect(tab.page.locator("body")).to_contain_text(
                re.compile(rf"{re.escape(NEW_FILE)}: “{NEW_TITLE}”, \d+ claims? and \d+ place mentions? found"),
                timeout=tb.ELEMENT_TIMEOUT_MS,
            )
        assert (private_corpus.seeds / NEW_FILE).read_bytes() == NEW_ARTICLE

        listed_in_picker(tab, NEW_TITLE)
        tab.page.keyboard.press("Escape")
        save_screenshot(tab.page, "upload_added")

        choose_files(tab, [("big.txt", b"x" * TOO_LARGE_BYTES)])
        tab.page.get_by_text(TOO_LARGE).first.wait_for(state="visible")
        save_screenshot(tab.page, "upload_too_large")
        assert not (private_corpus.seeds / "big.txt").exists()
        assert_renders(tab, page)
