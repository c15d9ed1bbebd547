"""Filters, labels, highlighting and data helpers: pure functions, table-driven."""

from __future__ import annotations

import doctest
import importlib
import io
import zipfile
from datetime import date

import pandas as pd
import pytest

from etl.output import frame
from etl.schema import ARTICLES, CLAIMS, LINKS, MENTIONS, PLACES, PROBLEMS
from pages.lib import data, facts, filters, highlight, widgets
from pages.lib.tables import Tables

LIBRARY_MODULES = [
    "theme", "facts", "filters", "tables", "maps", "charts", "highlight", "briefing", "data", "upload", "ui"
]


@pytest.mark.parametrize("name", LIBRARY_MODULES)
def test_doctests(name: str):
    """The doctests of pages/lib (pytest's --doctest-modules only looks in tests/ and etl/)."""
    result = doctest.testmod(importlib.import_module(f"pages.lib.{name}"), optionflags=doctest.ELLIPSIS)
    assert result.failed == 0


# --- query string ----------------------------------------------------------------------------------

ROUND_TRIPS = [
    filters.Filters(),
    filters.Filters(languages=("fr",)),
    filters.Filters(languages=("fr", "en"), articles=("000_a", "sub/001_b")),
    filters.Filters(date_from=date(2020, 1, 1), date_to=date(2023, 12, 31)),
    filters.Filters(include_related=True),
]


@pytest.mark.parametrize("chosen", ROUND_TRIPS, ids=lambda f: str(filters.to_query(f)) or "defaults")
def test_query_string_round_trip(chosen: filters.Filters):
    assert filters.from_query(filters.to_query(chosen)) == chosen


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"lang": "fr,en"}, filters.Filters(languages=("fr", "en"))),
        ({"furniture": "0"}, filters.Filters()),
        ({"from": "2020-13-01"}, filters.Filters()),
        ({"unknown": "x"}, filters.Filters()),
    ],
    ids=["comma-list", "furniture-off", "bad-date", "unknown-key"],
)
def test_query_string_is_read_leniently(params: dict, expected: filters.Filters):
    assert filters.from_query(params) == expected


def test_restrict_drops_values_the_data_does_not_have():
    wanted = filters.Filters(languages=("fr", "xx"), articles=("a1", "gone"))
    assert filters.restrict(wanted, ["fr", "en"], ["a1"]) == filters.Filters(
        languages=("fr",), articles=("a1",)
    )


# --- global filters --------------------------------------------------------------------------------


def article(article_id: str, language: str, published: str | None) -> dict:
    return {
        "article_id": article_id,
        "file": f"{article_id}.txt",
        "title": article_id.upper(),
        "outlet": None,
        "author": None,
        "published": published,
        "published_basis": None,
        "language": language,
        "sha256": "0",
        "n_sentences": 1,
        "n_claims": 1,
        "n_mentions": 1,
    }


def claim(claim_id: str, article_id: str, **fields) -> dict:
    row = {
        "claim_id": claim_id,
        "article_id": article_id,
        "sentence_id": 0,
        "section": "body",
        "text": "5",
        "char_start": 0,
        "char_end": 1,
        "value": 5.0,
        "low": None,
        "high": None,
        "unit": "count",
        "kind": "count",
        "qualifier": "exact",
        "what": None,
        "category": "trade",
        "period_start": None,
        "period_end": None,
        "target": False,
        "place_ids": None,
        "quote": "5.",
    }
    return row | fields


def mention(mention_id: str, article_id: str, place_id: str, section: str = "body") -> dict:
    return {
        "mention_id": mention_id,
        "article_id": article_id,
        "sentence_id": 0,
        "section": section,
        "place_id": place_id,
        "surface": place_id,
        "char_start": 0,
        "char_end": 3,
    }


def place(place_id: str, province_id: str | None) -> dict:
    return {
        "place_id": place_id,
        "name": place_id.title(),
        "name_local": None,
        "country": "KH",
        "level": "province",
        "province_id": province_id,
        "lat": 10.0,
        "lon": 104.0,
        "border_province": True,
        "merged_into_2025": None,
        "source": "test",
        "n_mentions": 9,
        "n_articles": 9,
    }


TABLES = Tables(
    articles=frame(
        ARTICLES,
        [
            article("fr1", "fr", "2018"),
            article("en1", "en", "2020-02"),
            article("en2", "en", "2024-01-07"),
            article("undated", "en", None),
        ],
    ),
    claims=frame(
        CLAIMS,
        [
            claim("fr1#c1", "fr1", category="aid", place_ids="kampot"),
            claim("en1#c1", "en1", target=True, period_start=2015, place_ids="kampong-trach;kep"),
            claim("en2#c1", "en2", section="related", period_start=2030, period_end=2030),
            claim("undated#c1", "undated", unit="USD", kind="currency"),
        ],
    ),
    places=frame(PLACES, [place("kampot", "kampot"), place("kampong-trach", "kampot"), place("kep", "kep")]),
    mentions=frame(
        MENTIONS,
        [
            mention("fr1#m1", "fr1", "kampot"),
            mention("en1#m1", "en1", "kampong-trach"),
            mention("en2#m1", "en2", "kep", "related"),
        ],
    ),
    links=frame(LINKS, []),
    problems=frame(PROBLEMS, []),
    build={},
)


@pytest.mark.parametrize(
    ("chosen", "expected"),
    [
        (filters.Filters(), ["fr1", "en1", "en2", "undated"]),
        (filters.Filters(languages=("en",)), ["en1", "en2", "undated"]),
        (filters.Filters(articles=("fr1", "en2")), ["fr1", "en2"]),
        (filters.Filters(date_from=date(2020, 2, 29)), ["en1", "en2"]),  # "2020-02" may be the 29th
        (filters.Filters(date_to=date(2018, 1, 1)), ["fr1"]),  # "2018" may be the 1st of January
        (filters.Filters(languages=("fr",), articles=("en1",)), []),
    ],
    ids=["none", "language", "articles", "from-month-precision", "to-year-precision", "nothing"],
)
def test_filter_articles(chosen: filters.Filters, expected: list[str]):
    assert filters.filter_articles(TABLES.articles, chosen)["article_id"].tolist() == expected


def test_page_furniture_is_left_out_unless_asked_for():
    body = filters.apply(TABLES, filters.Filters())
    assert "en2#c1" not in body.claims["claim_id"].tolist()
    assert "en2#m1" not in body.mentions["mention_id"].tolist()
    everything = filters.apply(TABLES, filters.Filters(include_related=True))
    assert "en2#c1" in everything.claims["claim_id"].tolist()


def test_apply_recounts_mentions_over_the_filtered_rows():
    view = filters.apply(TABLES, filters.Filters(languages=("fr",)))
    counts = dict(zip(view.places["place_id"], view.places["n_mentions"], strict=True))
    assert counts == {"kampot": 1, "kampong-trach": 0, "kep": 0}


def test_apply_never_changes_the_tables_it_is_given():
    before = TABLES.places.copy()
    filters.apply(TABLES, filters.Filters(languages=("fr",)))
    pd.testing.assert_frame_equal(TABLES.places, before)


# --- claims explorer facets ------------------------------------------------------------------------

CLAIMS_WITH_SOURCES = facts.with_sources(TABLES.claims, TABLES.articles)


@pytest.mark.parametrize(
    ("facets", "expected"),
    [
        (filters.ClaimFacets(), ["fr1#c1", "en1#c1", "en2#c1", "undated#c1"]),
        (filters.ClaimFacets(categories=("aid",)), ["fr1#c1"]),
        (filters.ClaimFacets(units=("USD",)), ["undated#c1"]),
        (filters.ClaimFacets(target=filters.TARGET_ONLY), ["en1#c1"]),
        (filters.ClaimFacets(target=filters.TARGET_ACHIEVED), ["fr1#c1", "en2#c1", "undated#c1"]),
        (filters.ClaimFacets(languages=("fr",)), ["fr1#c1"]),
        (filters.ClaimFacets(places=("kep",)), ["en1#c1"]),
        (filters.ClaimFacets(sections=("related",)), ["en2#c1"]),
        (filters.ClaimFacets(period=(2016, 2020)), ["en1#c1"]),
        (filters.ClaimFacets(categories=("aid",), languages=("en",)), []),
    ],
    ids=[
        "none",
        "category",
        "unit",
        "targets",
        "achieved",
        "language",
        "place",
        "section",
        "period",
        "nothing",
    ],
)
def test_claim_facets(facets: filters.ClaimFacets, expected: list[str]):
    assert filters.filter_claims(CLAIMS_WITH_SOURCES, facets)["claim_id"].tolist() == expected


def test_claims_in_province_include_places_inside_it():
    found = filters.claims_in_province(TABLES.claims, TABLES.places, "kampot")
    assert found["claim_id"].tolist() == ["fr1#c1", "en1#c1"]  # Kampot itself, and Kampong Trach in Kampot


# --- labels ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (("more_than", 548e6, "USD"), "> $548M"),
        (("approx", 13e6, "USD"), "≈ $13M"),
        (("at_least", 1000, "count"), "≥ 1,000"),
        (("up_to", 10, "count"), "≤ 10"),
        (("less_than", 5, "percent"), "< 5%"),
        (("exact", 20e9, "USD"), "$20B"),
        (("exact", 2.5e12, "VND"), "2.5T VND"),
        (("exact", 160e6, "kWh"), "160M kWh"),
        (("range", 50e6, "USD", 30e6, 70e6), "$30M–$70M"),
    ],
    ids=lambda v: v if isinstance(v, str) else None,
)
def test_claim_label(args: tuple, expected: str):
    assert facts.claim_label(*args) == expected


# --- highlighting ----------------------------------------------------------------------------------


def test_highlight_escapes_article_text():
    html_text = highlight.highlight(
        '<img src=x onerror="alert(1)"> & $5B', [highlight.Span(33, 36, "claim", "t")]
    )
    assert "<img" not in html_text and "&lt;img" in html_text and "&amp;" in html_text
    assert html_text.endswith('title="t">$5B</mark>')


def test_highlight_overlapping_spans_never_interleave_tags():
    text = "Kien Giang gave 53 Kien Giang students"
    spans = [
        highlight.Span(16, 38, "claim", "53 students"),
        highlight.Span(19, 29, "place", "Kien Giang"),
        highlight.Span(0, 10, "place", "Kien Giang"),
    ]
    out = highlight.highlight(text, spans)
    assert out.count("<mark") == out.count("</mark>") == 4  # place, claim, claim+place, claim
    assert "<mark" not in out.split("</mark>")[0].split(">", 1)[1]  # no mark opens inside another
    assert 'title="53 students · Kien Giang"' in out


def test_highlight_ignores_spans_outside_the_text():
    assert highlight.highlight("abc", [highlight.Span(2, 9, "claim", "x")]) == "abc"


def test_span_in_sentence_uses_the_article_offsets():
    text = "Trade hit $5B. Then trade hit $5B again."
    quote = "Then trade hit $5B again."
    start = text.index("$5B", 20)
    assert highlight.span_in_sentence(text, quote, start, start + 3, "$5B") == (15, 18)


# --- data helpers ----------------------------------------------------------------------------------


def test_table_csv_guards_text_cells_only():
    rows = frame(CLAIMS, [claim("a#c1", "a", quote="=HYPERLINK(1)", what="-5 students", value=-5.0)])
    text = data.table_csv(CLAIMS, rows).decode()
    assert "'=HYPERLINK(1)" in text and "'-5 students" in text
    assert ",-5,," in text  # numbers are not text: no apostrophe


def test_paths_come_from_the_environment(monkeypatch, tmp_path):
    monkeypatch.setenv(data.DATA_ENV, str(tmp_path))
    monkeypatch.setenv(data.SEEDS_ENV, "somewhere")
    assert data.data_dir() == tmp_path
    assert data.seeds_dir() == data.REPO_ROOT / "somewhere"


def test_staleness_of_a_missing_build(tmp_path):
    assert data.staleness(data.REPO_ROOT / "seeds", tmp_path / "none") == "the tables have not been built yet"


def test_build_gate_runs_its_check_once():
    gate, calls = data.BuildGate(), []
    gate.run_once(lambda: calls.append(1))
    gate.run_once(lambda: calls.append(2))
    assert calls == [1]


def test_zip_bundle_has_every_csv_the_datapackage_and_a_readme(seed_tables):
    archive = zipfile.ZipFile(io.BytesIO(data.zip_bundle(str(seed_tables), "test")))
    names = set(archive.namelist())
    assert {
        "articles.csv",
        "claims.csv",
        "places.csv",
        "mentions.csv",
        "links.csv",
        "problems.csv",
        "datapackage.json",
        "README.txt",
    } <= names
    readme = archive.read("README.txt").decode()
    assert "Licence" in readme and "Citation" in readme and "Natural Earth" in readme


def test_loaded_tables_have_the_etl_types(seed_tables):
    tables = data.load_tables(seed_tables)
    assert str(tables.claims["value"].dtype) == "Float64"
    assert str(tables.claims["target"].dtype) == "boolean"
    assert str(tables.articles["n_claims"].dtype) == "Int64"
    assert tables.build["n_articles"] == len(tables.articles)


def test_tables_are_loaded_with_sentences_as_categories(seed_tables):
    links = data._load_table(str(seed_tables), "test", LINKS.name)
    assert isinstance(links["quote"].dtype, pd.CategoricalDtype)
    assert links["article_id"].dtype == "string"
    # the download of a categorical column is the ETL's own file, byte for byte
    assert data.table_csv(LINKS, links) == (seed_tables / "links.csv").read_bytes()


def test_large_downloads_are_made_when_clicked(monkeypatch):

    rows = frame(CLAIMS, [claim(f"a#c{i}", "a") for i in range(1, 6)])
    monkeypatch.setattr(widgets, "EAGER_DOWNLOAD_ROWS", 10)
    assert isinstance(widgets.download_payload(len(rows), lambda: b"now"), bytes)
    monkeypatch.setattr(widgets, "EAGER_DOWNLOAD_ROWS", 3)
    deferred = widgets.download_payload(len(rows), lambda: data.table_csv(CLAIMS, rows))
    assert callable(deferred) and deferred() == data.table_csv(CLAIMS, rows)
