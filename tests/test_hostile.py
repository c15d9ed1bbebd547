"""Article text is untrusted: what the dashboard shows, exports and downloads from hostile articles.

The corpus (``hostile_corpus``) is the seed articles plus one article whose title and body carry
script tags, event handlers and Markdown link and image tricks, and one whose cells start with
``=``, ``+``, ``-`` and ``@``. The real browser is driven over the same corpus in
``test_browser_hostile.py``; here are the downloads, the briefing file and the escaping helpers.
"""

from __future__ import annotations

import csv
import html
import io

import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from etl.output import FORMULA_STARTS
from etl.schema import ARTICLES, CLAIMS, Table
from pages.lib import data, widgets
from pages.lib.briefing import briefing_html
from tests.conftest import FORMULA_ID, HOSTILE_FILE, HOSTILE_ID, HOSTILE_TEXT, Corpus
from tests.test_app import APP, TIMEOUT, RecordingStorage, download, open_page, widget

HOSTILE_TITLE = HOSTILE_TEXT.splitlines()[0]
#: What must never reach a page or a file unescaped.
RAW_MARKUP = ("<script>window.__pwned", '<img src=x onerror="window.__pwned', "<img src=x onerror=window")
#: Spreadsheet formula starts the CSVs must neutralise (``etl.output.FORMULA_STARTS``, printable ones).
FORMULA_CHARS = ("=", "+", "-", "@")


@pytest.fixture
def app(hostile_corpus: Corpus, monkeypatch: pytest.MonkeyPatch) -> AppTest:
    monkeypatch.setenv(data.DATA_ENV, str(hostile_corpus.tables))
    monkeypatch.setenv(data.SEEDS_ENV, str(hostile_corpus.seeds))
    monkeypatch.setattr("streamlit.testing.v1.app_test.MemoryMediaFileStorage", RecordingStorage)
    return AppTest.from_file(str(APP), default_timeout=TIMEOUT)


def rows(payload: bytes) -> list[dict[str, str]]:
    """A CSV's cells exactly as a spreadsheet would receive them (no type guessing)."""
    return list(csv.DictReader(io.StringIO(payload.decode("utf-8"))))


def unguarded(cells: list[dict[str, str]], columns: list[str]) -> list[str]:
    return [row[c] for row in cells for c in columns if row[c].startswith(FORMULA_STARTS)]


def text_columns(table: Table) -> list[str]:
    return [c.name for c in table.columns if c.is_text]


def numeric_columns(table: Table) -> list[str]:
    return [c.name for c in table.columns if c.type in ("integer", "number")]


def page_html(at: AppTest) -> str:
    return "".join(str(h.proto.body) for h in at.get("html"))


# --- CSV downloads ---------------------------------------------------------------------------------


def test_claims_csv_neutralises_formula_cells_and_keeps_numbers(app: AppTest, hostile_corpus: Corpus):
    at = open_page(app, "claims")
    widget(at, "multiselect", "ce_article").set_value([FORMULA_ID]).run()
    assert not at.exception
    cells = rows(download(at, "download_claims_filtered"))
    assert cells and {row["article_id"] for row in cells} == {FORMULA_ID}
    quotes = {row["quote"][:2] for row in cells}
    assert {f"'{c}" for c in FORMULA_CHARS} <= quotes, f"every formula start is guarded: {quotes}"
    assert unguarded(cells, text_columns(CLAIMS)) == []
    claims = pd.read_parquet(hostile_corpus.tables / "claims.parquet").set_index("claim_id")
    for row in cells:
        for column in numeric_columns(CLAIMS):
            if row[column]:
                assert float(row[column]) == claims.loc[row["claim_id"], column], (row["claim_id"], column)


def test_article_claims_csv_neutralises_formula_cells(app: AppTest):
    at = open_page(app, "articles")
    widget(at, "selectbox", "article_pick").set_value(FORMULA_ID).run()
    assert not at.exception
    cells = rows(download(at, "download_article_claims"))
    assert {row["what"] for row in cells} >= {"'+Trade between the two countries", "'-Investment from Vietnam"}
    assert unguarded(cells, list(cells[0])) == []


def test_articles_csv_neutralises_a_formula_title(app: AppTest):
    at = open_page(app, "data")
    cells = {row["article_id"]: row for row in rows(download(at, "download_articles"))}
    assert cells[FORMULA_ID]["title"].startswith("'=HYPERLINK(")
    assert cells[FORMULA_ID]["n_claims"] == "5", "a count stays a number"
    assert unguarded(list(cells.values()), text_columns(ARTICLES)) == []


FRAME_CELLS = [
    ("=1+1", "'=1+1"),
    ("+33 12 34", "'+33 12 34"),
    ("-Investment", "'-Investment"),
    ("@SUM(A1)", "'@SUM(A1)"),
    ("Kampot", "Kampot"),
    ("", ""),
]


@pytest.mark.parametrize(("cell", "offered"), FRAME_CELLS, ids=[c for c, _ in FRAME_CELLS])
def test_derived_csv_guards_text_cells_only(cell: str, offered: str):
    frame = pd.DataFrame(
        {
            "text": pd.Series([cell], dtype="string"),
            "loose": pd.Series([cell], dtype=object),
            "count": pd.Series([-5], dtype="Int64"),
            "value": pd.Series([-1.5], dtype="Float64"),
        }
    )
    (row,) = rows(widgets.frame_csv(frame))
    assert row == {"text": offered, "loose": offered, "count": "-5", "value": "-1.5"}


# --- the briefing file ------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def hostile_briefing(hostile_corpus: Corpus) -> str:
    tables = data.load_tables(hostile_corpus.tables)
    return briefing_html(tables, data.load_geometry(), scope="<script>window.__pwned=5</script>", plotlyjs="")


def test_briefing_carries_the_hostile_text_escaped(hostile_briefing: str):
    assert html.escape(HOSTILE_TITLE) in hostile_briefing, "the title is listed in the sources, escaped"
    assert "&lt;script&gt;window.__pwned=1&lt;/script&gt;" in hostile_briefing
    assert "Scope: &lt;script&gt;window.__pwned=5&lt;/script&gt;" in hostile_briefing


@pytest.mark.parametrize("markup", [*RAW_MARKUP, "<script>window.__pwned=5"])
def test_briefing_has_no_raw_markup_from_articles(hostile_briefing: str, markup: str):
    assert markup not in hostile_briefing


def test_briefing_charts_embed_no_closing_script_tag(hostile_briefing: str):
    """Chart data sits inside <script> blocks: an article's ``</script>`` there would end the block."""
    assert hostile_briefing.count("</script>") == hostile_briefing.count("<script")


# --- pages -----------------------------------------------------------------------------------------


def test_articles_page_shows_the_hostile_article_as_text(app: AppTest):
    at = open_page(app, "articles")
    widget(at, "selectbox", "article_pick").set_value(HOSTILE_ID).run()
    assert not at.exception
    assert [h.value for h in at.subheader] == [widgets.plain_markdown(HOSTILE_TITLE)]
    shown = page_html(at)
    assert "&lt;script&gt;window.__pwned=1&lt;/script&gt;" in shown, "the article text is shown, escaped"
    assert html.escape(HOSTILE_FILE) in shown, "so is its file name"
    assert not [markup for markup in RAW_MARKUP if markup in shown]


MARKDOWN_TRICKS = [
    "<script>window.__pwned=1</script> title",
    '<img src=x onerror="window.__pwned=2">',
    "[click](javascript:window.__pwned=3)",
    "![x](http://example.com/x.png)",
    "From $5 to $10 million",
    "*not emphasis* _nor this_ `nor code`",
    ":red[not red] &amp; \\ backslash",
    "# not a heading",
    "1. not a list",
    "- not a list either",
    "> not a quote",
]


@pytest.mark.parametrize("text", MARKDOWN_TRICKS, ids=MARKDOWN_TRICKS)
def test_plain_markdown_renders_as_the_text_itself(text: str):
    markdown_it = pytest.importorskip("markdown_it")
    rendered = markdown_it.MarkdownIt("commonmark").render(widgets.plain_markdown(text))
    escaped = html.escape(text, quote=False).replace('"', "&quot;")  # as markdown-it escapes text
    assert rendered == f"<p>{escaped}</p>\n"


def test_hostile_file_name_is_kept_in_the_tables(hostile_corpus: Corpus):
    """The corpus really holds a file named with HTML (the browser test relies on it)."""
    assert (hostile_corpus.seeds / HOSTILE_FILE).exists()
    articles = pd.read_parquet(hostile_corpus.tables / "articles.parquet")
    assert HOSTILE_ID in set(articles["article_id"])

