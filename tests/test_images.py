"""Charts as images and the briefing as PDF, made offline and read back; charts in words.

Images: every chart the pages draw, as PNG at slide size and as SVG whose text is text, stamped with
the chart's title, its source line and the build date. PDF: one page per slide, read back with
poppler's ``pdftotext`` and ``pdfinfo``, a page rendered with ``pdftoppm``. Text alternatives: the
table under a chart lists what it draws, and its sentence names the largest figure.
"""

from __future__ import annotations

import re
import shutil
import struct
import subprocess
from datetime import UTC, datetime
from pathlib import Path

import pandas as pd
import plotly.graph_objects as go
import pytest

from pages.lib import briefing, briefing_pdf, charts, describe, images, theme
from pages.lib.stamp import Stamp
from tests.views import empty_view, small_view, view_figures

BUILT = "2026-01-02T03:04:05+00:00"
STAMP = Stamp("Source: 2 articles (VNA 2024); figures extracted by vn-kh-monitor.", BUILT)
POPPLER = all(shutil.which(tool) for tool in ("pdftotext", "pdfinfo", "pdftoppm"))
needs_poppler = pytest.mark.skipif(not POPPLER, reason="poppler-utils (pdftotext) is not installed")


def png_size(data: bytes) -> tuple[int, int]:
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    return struct.unpack(">II", data[16:24])


def svg_text(data: bytes) -> str:
    """The words of an SVG drawn by ``images`` (its text is kept as ``<text>`` elements)."""
    return " ".join(re.sub(r"<[^>]+>", " ", data.decode()).split())


@pytest.fixture(scope="module")
def figures(geometry) -> dict[str, go.Figure]:
    return view_figures(small_view(), geometry)


@pytest.mark.parametrize("name", ["trade", "trade_vnd", "series", "aid", "matrix", "network", "map", "empty"])
def test_every_chart_is_an_image_at_slide_size_stamped_with_title_source_and_build_date(figures, name):
    fig = figures[name]
    assert png_size(images.chart_image(fig, "png", STAMP)) == images.IMAGE_SIZE
    words = svg_text(images.chart_image(fig, "svg", STAMP))
    assert images.label_text(fig.layout.title.text) in words
    assert f"Data built {BUILT}" in words
    source = images.label_text(next((a.text for a in fig.layout.annotations if a.name == "source"),
                                    STAMP.source)).replace("\n", " ")
    assert " ".join(source.split())[:60] in words
    assert images.chart_image(fig, "pdf", STAMP).startswith(b"%PDF")


def test_an_image_says_what_the_chart_says(figures):
    words = svg_text(images.chart_image(figures["trade"], "svg", STAMP))
    assert "&gt; $548M" in words or "> $548M" in words  # the hedge stays on the label
    assert "Trade · achieved" in words and "Trade · target" in words  # the legend


def test_an_unknown_format_is_refused(figures):
    with pytest.raises(ValueError, match="one of png, svg, pdf"):
        images.chart_image(figures["trade"], "gif", STAMP)


def test_article_text_is_drawn_as_text_not_as_mathematics():
    fig = theme.empty_figure("Trade hit $5 and $6 <b>now</b> \\frac{1}{2}", "$x^2$ ${}")
    words = svg_text(images.chart_image(fig, "svg", STAMP))
    assert "Trade hit $5 and $6 now \\frac{1}{2}" in words and "$x^2$ ${}" in words


def test_labels_that_would_overlap_are_moved_apart():
    target = images.new_figure()
    ax = target.add_axes((0.1, 0.1, 0.8, 0.8))
    labels = [ax.annotate(text, (0.5, 0.5), xytext=(0, 5), textcoords="offset points", ha="center")
              for text in ("$2.3B", "$2.28B (no year)", "$2.2B")]
    renderer = target.canvas.get_renderer()
    assert images.declutter(labels, renderer) == 2
    boxes = [label.get_window_extent(renderer) for label in labels]
    assert not any(a.overlaps(b) for i, a in enumerate(boxes) for b in boxes[i + 1:])


def test_plotly_colours_and_symbols_are_read():
    assert images.colour("rgba(0,0,255,0.5)") == (0.0, 0.0, 1.0, 0.5)
    assert images._marker_style("circle-open-dot") == ("o", True, True)
    assert [images.short_number(v) for v in (5e3, 2e9)] == ["5K", "2B"]


# --- text alternatives ------------------------------------------------------------------------------

def test_a_chart_table_lists_every_figure_the_chart_draws(figures):
    table = describe.chart_table(figures["trade"])
    drawn = [t for t in figures["trade"].data if (t.meta or {}).get("role") == "figures"]
    assert len(table) == sum(len(t.x) for t in drawn)
    assert {"Series", "Item", "x", "y"} <= set(table.columns)
    shown = describe.shown_table(figures["trade"], table)
    assert "Amount (USD, log scale)" in shown.columns and "Year (line: period the figure covers; " \
        "marker: its last year)" in shown.columns


def test_a_chart_summary_names_its_largest_and_smallest_figure(figures):
    table = describe.chart_table(figures["trade"])
    text = describe.summary(figures["trade"], table)
    top = table.loc[table["y"].idxmax()]
    assert text.startswith("Money figures reported in Vietnam–Cambodia news (USD):")
    assert f"highest {top['Label'] or top['Item']}" in text


def test_bar_summaries_use_the_bar_labels(figures):
    text = describe.summary(figures["aid"])
    assert "largest" in text and "smallest" in text


def test_a_heatmap_table_lists_its_cells(figures):
    table = describe.chart_table(figures["matrix"])
    z = figures["matrix"].data[0].z
    assert len(table) == int(pd.notna(pd.DataFrame(z)).sum().sum())
    assert table["Item"].str.contains(" with ").all()


def test_an_empty_chart_says_so():
    assert describe.summary(theme.empty_figure("Nothing here", "No figure.")) == "Nothing here: nothing drawn."


def test_bar_labels_name_the_measure_never_a_piece_of_the_sentence():
    rows = pd.DataFrame({
        "fact_id": ["trade.1", "students.2", "capital-vn-kh.3"],
        "unit": ["USD", "count", "USD"],
        "what": ["convenu de porter cette année le chiffre d'affaires bilatéral", "étudiants",
                 "Vietnam with total capital"],
        "category": ["trade", "education", "investment"],
        "period": ["2024", "", None],
    })
    labels = [charts._bar_label(r) for r in rows.itertuples()]
    assert labels == ["Trade (2024)", "étudiants", "Capital, Vietnam → Cambodia"]


# --- the briefing as PDF -----------------------------------------------------------------------------

@pytest.fixture(scope="module")
def pdf(tmp_path_factory, geometry) -> Path:
    path = tmp_path_factory.mktemp("pdf") / "briefing.pdf"
    made = datetime(2026, 3, 4, 5, 6, tzinfo=UTC)
    path.write_bytes(briefing_pdf.briefing_pdf(small_view(), geometry, scope="languages en", made=made))
    return path


def pdf_pages(path: Path) -> list[str]:
    text = subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True,
                          check=True).stdout
    return text.split("\f")[:-1]


def test_the_briefing_has_a_slide_for_each_part(geometry):
    slides = briefing_pdf.slides(small_view(), geometry)
    assert len(slides) == 1 + 2 + 1 + 2 + 1  # key figures, USD and VND, map, matrix and network, sources


@needs_poppler
def test_the_pdf_has_one_landscape_page_per_slide(pdf: Path, geometry):
    assert pdf.read_bytes().startswith(b"%PDF")
    info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True, check=True).stdout
    expected = len(briefing_pdf.slides(small_view(), geometry))
    assert re.search(rf"^Pages:\s+{expected}$", info, re.MULTILINE)
    assert re.search(r"^Page size:\s+1152 x 648 pts", info, re.MULTILINE)  # 16 x 9 inches, landscape


@needs_poppler
def test_every_pdf_page_says_its_scope_build_date_and_number(pdf: Path):
    pages = pdf_pages(pdf)
    for number, page in enumerate(pages, start=1):
        flat = " ".join(page.split())
        assert "Scope: languages en" in flat and "made 2026-03-04T05:06+00:00" in flat
        assert f"page {number} of {len(pages)}" in flat
        assert "data built" in flat


@needs_poppler
def test_the_pdf_holds_the_key_figures_charts_and_sources_as_text(pdf: Path):
    pages = [" ".join(p.split()) for p in pdf_pages(pdf)]
    assert pages[0].startswith("Key figures") and "> $548M" in pages[0]
    assert "Money figures reported in Vietnam–Cambodia news (USD)" in pages[1]
    assert "Where the articles point" in pages[3]
    assert "Sources" in pages[-1] and "Money figures quoted" in pages[-1]
    assert "Trade hit <b>$548M</b>." in pages[-1]  # article text as it is, never read as markup


@needs_poppler
def test_a_pdf_page_renders(pdf: Path, tmp_path: Path):
    subprocess.run(["pdftoppm", "-png", "-r", "50", "-f", "2", "-l", "2", str(pdf), str(tmp_path / "page")],
                   check=True)
    (page,) = tmp_path.glob("page*.png")
    assert png_size(page.read_bytes()) == (800, 450)
    assert page.stat().st_size > 10_000  # a chart, not a blank page


def test_an_empty_view_makes_a_pdf_that_says_so(geometry):
    data = briefing_pdf.briefing_pdf(empty_view(), geometry)
    assert data.startswith(b"%PDF")
    slides = briefing_pdf.slides(empty_view(), geometry)
    assert len(slides) == 5  # key figures, "no money figure", map, "no link", sources


def test_the_sources_of_a_pdf_are_bounded():
    articles = pd.DataFrame({
        "title": [f"Article {i}" for i in range(1000)], "outlet": "VNA", "published": "2024-01-01",
        "published_basis": None, "file": "a.html", "language": "en"})
    lines = briefing_pdf.source_lines(articles, small_view().claims.iloc[:0])
    assert sum(1 for _, line in lines if line.startswith(tuple(f"{i}. " for i in range(1, 1001)))) \
        == briefing_pdf.MAX_ARTICLES
    assert any("850 more articles" in line for _, line in lines)


def test_briefing_sources_mark_an_inferred_date():
    articles = pd.DataFrame({"title": ["T"], "outlet": ["VNA"], "published": ["2023"],
                             "published_basis": ["inferred from text: reports the period ending 2023"], "file": ["a.html"], "language": ["en"]})
    assert briefing.sources(articles) == ["“T”, VNA, 2023, inferred — file a.html, language en"]
