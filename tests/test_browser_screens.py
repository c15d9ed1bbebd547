"""The dashboard on a laptop and on a projector: 1366 × 768 and 1920 × 1080, in headless Chromium.

Every page keeps its controls whole at both sizes; every briefing slide fits the screen without
scrolling, its text at least 20 pixels and its chart labels at least 16; "/overview" opens the overview
with no "Page not found"; the trade chart's colours stay apart for readers with a colour-vision
deficiency (a screenshot, simulated, saved beside the others for a person to look at). Reuses
``test_browser.py``'s server, network guard and helpers; screenshots land in ``tests/screenshots/``.
"""

from __future__ import annotations

import itertools
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path

import matplotlib.image
import numpy as np
import pytest
from playwright.sync_api import Browser, expect

import tests.test_browser as tb
from pages.lib import theme
from tests import cvd
from tests.test_browser import (
    PAGE_BY_PATH,
    PAGES,
    ROOT_PAGE,
    NetworkGuard,
    Tab,
    assert_renders,
    cut_off_controls,
    describe,
    explained,
    open_tab,
    visit,
    wait_for_app,
)

pytestmark = tb.pytestmark
# test_browser.py's server and tab, reused (the browser itself is conftest.py's, shared).
tables, app_url, tab = tb.tables, tb.app_url, tb.tab

SCREENS = {"laptop": {"width": 1366, "height": 768}, "projector": {"width": 1920, "height": 1080}}
SLIDES = ("Key figures", "Trade", "Map", "Cooperation", "Sources")  # pages/briefing.py SLIDES
NEXT = ".st-key-briefing_next button"
SLIDE = ".st-key-slide"
#: A slide may be this many pixels taller than the screen before it counts as scrolling.
SCROLL_TOLERANCE_PX = 2
MIN_BODY_PX, MIN_CHART_LABEL_PX = 20, 16
#: Pixels within this distance (0-255 per channel, summed) of a colour count as drawn in it.
COLOUR_MATCH = 24
#: A colour counts as drawn in a screenshot from this many pixels.
MIN_COLOUR_PIXELS = 30

#: The height the page would need, and the height it has, in the pane that scrolls.
SCROLL = """() => {
    const panes = Array.from(document.querySelectorAll('[data-testid="stMain"], [data-testid="stAppViewContainer"]'));
    return panes.map(p => [p.scrollHeight, p.clientHeight]);
}"""
#: Computed type sizes (px) of the slide's visible text, outside its charts and controls.
BODY_SIZES = """(slide) => {
    const root = document.querySelector(slide);
    const seen = [];
    for (const el of root.querySelectorAll('p, li, blockquote, .card div, h2')) {
        if (!el.offsetParent || !el.innerText.trim() || el.closest('.js-plotly-plot, button')) continue;
        seen.push([parseFloat(getComputedStyle(el).fontSize), el.innerText.trim().slice(0, 40)]);
    }
    return seen;
}"""
#: Type sizes (px) of every label drawn in the slide's charts.
CHART_SIZES = """(slide) => Array.from(document.querySelectorAll(slide + ' .main-svg text'))
    .filter(t => t.textContent.trim() && t.getBBox().width > 0)
    .map(t => [parseFloat(getComputedStyle(t).fontSize), t.textContent.trim().slice(0, 40)])"""


@pytest.fixture(params=list(SCREENS), ids=list(SCREENS))
def screen(request, browser: Browser) -> Iterator[tuple[str, Tab]]:
    context, tab = open_tab(browser, NetworkGuard())
    tab.page.set_viewport_size(SCREENS[request.param])
    yield request.param, tab
    context.close()


def shoot(tab: Tab, name: str) -> Path:
    """A screenshot of the screen as a viewer sees it (not grown to the page's height)."""
    tb.SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = tb.SCREENSHOTS / f"{name}.png"
    tab.page.screenshot(path=str(path))
    return path


@pytest.mark.parametrize("app_page", [*PAGES, ROOT_PAGE], ids=lambda p: p.url_path or "root")
def test_every_control_is_whole_on_a_laptop_and_a_projector(app_url: str, screen, app_page) -> None:
    name, tab = screen
    visit(tab, app_url, app_page)
    shoot(tab, f"{name}-{app_page.url_path or 'root'}")
    assert_renders(tab, app_page)
    cut = cut_off_controls(tab)
    assert not cut, f"cut off on the {name} screen at /{app_page.url_path}: {cut}"


def test_what_a_reader_needs_is_on_screen_at_both_sizes(app_url: str, screen) -> None:
    """The points of the 'what a new user saw' list, as drawn: the map writes province names and its
    colour key, says itself in a sentence and offers its images and data; the overview's key figures
    say their scope and mark an inferred date."""
    name, tab = screen
    visit(tab, app_url, PAGE_BY_PATH["map"])
    chart = tab.page.locator(".st-key-province_map .main-svg").first
    with explained(tab, "map", "no map drawn"):
        expect(chart).to_be_visible(timeout=tb.CHART_DRAW_TIMEOUT_MS)
    words = " ".join(tab.page.locator(".st-key-province_map .main-svg text").all_text_contents())
    for word in ("Kampot", "Kien Giang", "Vietnam", "Cambodia", "10–29"):
        assert word in words, f"{word!r} not written on the map on the {name} screen"
    expect(tab.page.get_by_text("Province map:", exact=False).first).to_be_visible()
    for label in ("PNG image", "SVG image"):
        expect(tab.page.get_by_role("button", name=label).first).to_be_visible()
    expect(tab.page.get_by_text("Chart data", exact=False).first).to_be_visible()
    visit(tab, app_url, ROOT_PAGE)
    text = tab.page.locator('[data-testid="stMain"]').inner_text()
    assert "Vietnam–Cambodia" in text and ", inferred" in text, f"on the {name} screen"
    assert not tab.guard.blocked


def test_overview_by_its_name_opens_the_overview_with_its_filters(app_url: str, tab: Tab) -> None:
    tab.page.goto(f"{app_url}/overview?lang=fr")
    wait_for_app(tab, "overview")
    assert_renders(tab, ROOT_PAGE)
    assert not tab.page.get_by_text(tb.PAGE_NOT_FOUND).count()
    assert tab.page.url.endswith("/?lang=fr"), tab.page.url


def test_every_slide_fits_the_screen_in_type_read_from_the_back_of_a_room(app_url: str, screen) -> None:
    name, tab = screen
    visit(tab, app_url, PAGE_BY_PATH["briefing"])
    problems = []
    for number, title in enumerate(SLIDES):
        if number:
            tab.page.locator(NEXT).click()
        with explained(tab, f"briefing ({title})", f"the {title} slide is not shown"):
            expect(tab.page.locator(SLIDE).get_by_role("heading", name=title, exact=True)).to_be_visible(
                timeout=tb.SCRIPT_RUN_TIMEOUT_MS)
        wait_for_app(tab, f"briefing ({title})")
        tab.page.wait_for_function(tb.PAGE_DRAWN, timeout=tb.CHART_DRAW_TIMEOUT_MS)
        shoot(tab, f"{name}-slide-{number + 1}")
        over = [(h, c) for h, c in tab.page.evaluate(SCROLL) if h > c + SCROLL_TOLERANCE_PX]
        if over:
            problems.append(f"{title}: scrolls ({over})")
        small = [t for size, t in tab.page.evaluate(BODY_SIZES, SLIDE) if size < MIN_BODY_PX]
        if small:
            problems.append(f"{title}: text under {MIN_BODY_PX} px: {small[:5]}")
        labels = tab.page.evaluate(CHART_SIZES, SLIDE)
        tiny = [t for size, t in labels if size < MIN_CHART_LABEL_PX]
        if tiny:
            problems.append(f"{title}: chart labels under {MIN_CHART_LABEL_PX} px: {tiny[:5]}")
        if title in ("Trade", "Map", "Cooperation") and not labels:
            problems.append(f"{title}: no chart drawn")
        cut = cut_off_controls(tab)
        if cut:
            problems.append(f"{title}: controls cut off: {cut}")
    assert not problems, f"on the {name} screen:\n" + "\n".join(problems) + f"\n{describe(tab, 'briefing')}"


def download(tab: Tab, key: str, folder: Path) -> Path:
    """Click the download button of that key and keep what the browser saves."""
    button = tab.page.locator(f".st-key-{key}").get_by_role("button")
    with explained(tab, key, f"no download button with key {key!r}"):
        expect(button).to_have_count(1, timeout=tb.SCRIPT_RUN_TIMEOUT_MS)
    with tab.page.expect_download(timeout=tb.DOWNLOAD_TIMEOUT_MS) as info:
        button.click()
    path = folder / (info.value.suggested_filename or key)
    info.value.save_as(path)
    return path


def test_a_chart_image_downloads_at_slide_size_from_the_page(app_url: str, tab: Tab, tmp_path: Path) -> None:
    visit(tab, app_url, PAGE_BY_PATH["trade"])
    png = download(tab, "trade_chart_USD_png", tmp_path)
    assert matplotlib.image.imread(png).shape[:2] == (900, 1600)
    svg = download(tab, "trade_chart_USD_svg", tmp_path).read_text()
    assert "Money figures reported in Vietnam–Cambodia news (USD)" in svg and "Data built" in svg
    assert not tab.guard.blocked


def test_the_briefing_pdf_downloads_from_the_page(app_url: str, tab: Tab, tmp_path: Path) -> None:
    visit(tab, app_url, PAGE_BY_PATH["briefing"])
    pdf = download(tab, "download_briefing_pdf", tmp_path)
    assert pdf.read_bytes().startswith(b"%PDF")
    if shutil.which("pdftotext"):  # .ci/run installs it
        text = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
        assert "Key figures" in text and "Scope: all articles" in " ".join(text.split())
    assert not tab.guard.blocked


#: The boxes (x0, y0, x1, y1) of a chart's point labels as drawn.
LABEL_BOXES = """(chart) => Array.from(document.querySelectorAll(chart + ' .textpoint text'))
    .filter(t => t.textContent.trim())
    .map(t => { const r = t.getBoundingClientRect(); return [t.textContent.trim(), r.left, r.top, r.right, r.bottom]; })"""


@pytest.fixture(scope="module")
def dev_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The dashboard on the development set (20 real articles): money figures crowd the trade chart."""
    from etl.pipeline import run

    articles = Path(__file__).parent / "fixtures" / "dev" / "articles"
    out = tmp_path_factory.mktemp("dev") / "processed"
    run(articles, out, progress=False)
    with tb.running_app(out, tmp_path_factory.mktemp("streamlit-dev") / "server.log", seeds=articles) as url:
        yield url


@pytest.mark.parametrize("page_path, chart", [("trade", ".st-key-trade_chart_USD"), ("briefing", SLIDE)])
def test_trade_labels_do_not_overlap(dev_url: str, screen, page_path: str, chart: str) -> None:
    name, tab = screen
    visit(tab, dev_url, PAGE_BY_PATH[page_path])
    if page_path == "briefing":
        tab.page.locator(NEXT).click()
        expect(tab.page.locator(SLIDE).get_by_role("heading", name="Trade", exact=True)).to_be_visible(
            timeout=tb.SCRIPT_RUN_TIMEOUT_MS)
        wait_for_app(tab, "briefing (Trade)")
    with explained(tab, page_path, "no trade chart labels"):
        expect(tab.page.locator(f"{chart} .textpoint text").first).to_be_visible(timeout=tb.CHART_DRAW_TIMEOUT_MS)
    boxes = tab.page.evaluate(LABEL_BOXES, chart)
    assert len(boxes) >= 2
    overlapping = [(a[0], b[0]) for a, b in itertools.combinations(boxes, 2)
                   if a[1] < b[3] and b[1] < a[3] and a[2] < b[4] and b[2] < a[4]]
    assert not overlapping, f"labels overlap on the {name} screen: {overlapping}"


def colour_pixels(image: np.ndarray, colour: str) -> np.ndarray:
    """The pixels of an RGB image (0..1) drawn in ``colour`` (within ``COLOUR_MATCH``)."""
    target = cvd.hex_rgb(colour) * 255
    near = np.abs(image[..., :3] * 255 - target).sum(axis=-1) <= COLOUR_MATCH
    return image[near][..., :3]


def test_trade_colours_stay_apart_for_colour_blind_readers(app_url: str, tab: Tab) -> None:
    tab.page.set_viewport_size(SCREENS["projector"])
    visit(tab, app_url, PAGE_BY_PATH["trade"])
    chart = tab.page.locator(".st-key-trade_chart_USD")
    with explained(tab, "trade", "no trade chart"):
        expect(chart.locator(".main-svg").first).to_be_visible(timeout=tb.CHART_DRAW_TIMEOUT_MS)
    path = tb.SCREENSHOTS / "cvd-trade.png"
    tb.SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    chart.screenshot(path=str(path))
    image = matplotlib.image.imread(path)
    drawn = {c: colour_pixels(image, theme.CATEGORY_COLOURS[c]) for c in theme.CATEGORY_COLOURS}
    drawn = {c: pixels.mean(axis=0) for c, pixels in drawn.items() if len(pixels) >= MIN_COLOUR_PIXELS}
    assert len(drawn) >= 2, f"the chart shows fewer than two categories' colours: {list(drawn)}"
    close = []
    for deficiency in cvd.MATRICES:
        seen = cvd.simulate(image, deficiency)
        matplotlib.image.imsave(tb.SCREENSHOTS / f"cvd-trade-{deficiency}.png", seen)
        for (a, ca), (b, cb) in itertools.combinations(drawn.items(), 2):
            difference = cvd.delta_e(cvd.simulate(ca, deficiency), cvd.simulate(cb, deficiency))
            if difference < cvd.CONFUSABLE:
                close.append(f"{deficiency}: {a} and {b} (ΔE {difference:.1f})")
    assert not close, close
