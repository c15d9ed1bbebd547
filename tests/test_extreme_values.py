"""Extreme values in the tables: no page and no chart builder fails on them.

The ETL keeps its values within bounds, but the dashboard reads whatever the tables hold: a claim's
``value``, ``low`` or ``high`` may be NaN, infinite, negative, zero (on a log axis), huge or tiny; its
period may name year 0, -5 or 99999, or none; an article's date may be empty or make no sense.
Each case below puts such claims into a private copy of the seed tables (every category, unit and
status) and runs every page on them, then gives the same rows to the pure builders of
``pages.lib``. What cannot be drawn is left out of charts and written as "?" in labels.
"""

from __future__ import annotations

import json
import math
import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from streamlit import config as st_config
from streamlit.testing.v1 import AppTest

from etl import pipeline
from etl.output import frame, write_csv
from etl.schema import ARTICLES, CLAIMS, LINKS, MENTIONS, PLACES, PROBLEMS, Table
from pages.lib import briefing, charts, data, facts, filters, maps, svgmap
from pages.lib.app import PAGES
from pages.lib.tables import Tables
from tests import views

#: numpy's warnings about overflow or NaN are errors here: each was a value that slipped through
pytestmark = pytest.mark.filterwarnings("error::RuntimeWarning")

REPO = Path(__file__).resolve().parents[1]
APP = REPO / "dashboard.py"
BOUNDARIES = REPO / "data" / "boundaries"
TIMEOUT = 60  # seconds: the first run imports plotly and geopandas
INF, NAN = math.inf, math.nan
ERROR_DETAILS = "client.showErrorDetails"

# --- the cases -------------------------------------------------------------------------------------

#: Every injected claim is one of these: each category, unit (with its kind) and status.
CATEGORIES = ("trade", "aid", "investment")
UNITS = {"USD": "currency", "VND": "currency", "count": "count", "percent": "percent", "kWh": "energy"}
TARGETS = (False, True)
#: More than the briefing has: stepping through them comes back to the first before this.
MAX_SLIDES = 10
#: A province the injected claims name, so the maps count them and the Map page lists them.
PROVINCE = "kien-giang"
#: An ordinary value for cases about something else (periods, dates).
ORDINARY = 5e6
#: ``Case.published`` for cases that leave the article's date as it is.
KEEP = "(as built)"


@dataclass(frozen=True)
class Case:
    """Fields every injected claim takes, and the date given to the article that holds them."""

    id: str
    claim: dict = field(default_factory=dict)
    published: str | None = KEEP


CASES = [
    # value
    Case("value-nan", {"value": NAN}),
    Case("value-inf", {"value": INF}),
    Case("value-minus-inf", {"value": -INF}),
    Case("value-negative", {"value": -2.5e6}),
    Case("value-zero", {"value": 0.0}),
    Case("value-1e18", {"value": 1e18}),
    Case("value-largest-float", {"value": sys.float_info.max}),
    Case("value-1e-300", {"value": 1e-300}),
    # low and high
    Case("range-infinite-ends", {"qualifier": "range", "low": -INF, "high": INF}),
    Case("range-nan-ends", {"qualifier": "range", "low": NAN, "high": NAN}),
    Case("range-tiny-to-huge", {"qualifier": "range", "low": 1e-300, "high": 1e300}),
    Case("range-negative-to-zero", {"qualifier": "range", "low": -5.0, "high": 0.0}),
    Case("range-upside-down", {"qualifier": "range", "low": 9e6, "high": 1e6}),
    # periods
    Case("period-year-zero", {"period_start": 0, "period_end": 0}),
    Case("period-minus-5-to-99999", {"period_start": -5, "period_end": 99999}),
    Case("period-99999-to-minus-5", {"period_start": 99999, "period_end": -5}),
    Case("period-open-end-minus-5", {"period_start": -5}),
    Case("period-only-end-99999", {"period_end": 99999}),
    # publication dates (periods left empty, so the date places the figure)
    Case("published-empty", published=""),
    Case("published-missing", published=None),
    Case("published-missing-period-open", {"period_start": 2015}, published=None),  # "since 2015", to when?
    Case("published-nonsense", published="not a date"),
    Case("published-impossible-day", published="99999-99-99"),
    Case("published-year-one", published="0001-01-01"),
    Case("published-year-9999", published="9999-12-31"),
]
CASE_IDS = [c.id for c in CASES]


def injected_claims(case: Case, article_id: str, surface: str, first: int = 9000) -> list[dict]:
    """The case's claims, one per category, unit and status, in sentence 0 of ``article_id`` (claim
    numbers from ``first``)."""
    rows = []
    for category in CATEGORIES:
        for unit, kind in UNITS.items():
            for target in TARGETS:
                n = first + len(rows)
                rows.append({
                    "claim_id": f"{article_id}#c{n}",
                    "article_id": article_id,
                    "sentence_id": 0,
                    "section": "body",
                    "text": surface,
                    "char_start": 0,
                    "char_end": len(surface),
                    "value": ORDINARY,
                    "low": None,
                    "high": None,
                    "unit": unit,
                    "kind": kind,
                    "qualifier": "exact",
                    "what": f"injected {case.id} {category}",
                    "category": category,
                    "period_start": None,
                    "period_end": None,
                    "target": target,
                    "place_ids": PROVINCE,
                    "quote": f"{surface} (an injected sentence: {case.id}).",
                    "fact_id": f"{article_id}#c{n}",  # a fact of its own
                } | case.claim)
    return rows


#: The pages are run on groups of cases, written into the tables together (a page run takes about two
#: seconds; every case on its own, 25 cases x 9 pages, took seven minutes): every odd figure at once in
#: the newest article, and the odd dates each on an article of its own.
FIGURE_CASES = [c for c in CASES if c.published == KEEP]
DATE_CASES = [c for c in CASES if c.published != KEEP]
#: Articles of the seed corpus a group of date cases can spread over.
SEED_ARTICLES = 5
PAGE_GROUPS = {"every-odd-figure": FIGURE_CASES,
               **{f"odd-dates-{i + 1}": DATE_CASES[i * SEED_ARTICLES:(i + 1) * SEED_ARTICLES]
                  for i in range((len(DATE_CASES) + SEED_ARTICLES - 1) // SEED_ARTICLES)}}


# --- a copy of the seed tables with the case written in ---------------------------------------------


def rewrite(out: Path, table: Table, rows: pa.Table) -> list[str]:
    """Write a table's Parquet and CSV files as the ETL does; the names of the files written."""
    rows = rows.select(table.column_names).cast(table.arrow_schema)
    pq.write_table(rows, out / f"{table.name}.parquet", store_schema=False)
    write_csv(table, rows, out / f"{table.name}.csv")
    return [f"{table.name}.parquet", f"{table.name}.csv"]


def record_rewrites(seeds: Path, out: Path, names: list[str], n_claims: int) -> None:
    """Make ``build.json`` describe the rewritten files, so the app takes them as the build's own
    instead of rebuilding them (and the injected rows with them).

    A file whose size or time differs from ``outputs`` counts as damaged. The fingerprint is made
    again too: it holds the extractor's version, a hash of the ``etl`` code, which may have changed
    since the session's tables were built.
    """
    path = out / data.BUILD_FILE
    build = json.loads(path.read_text(encoding="utf-8"))
    build["fingerprint"] = pipeline.fingerprint(pipeline.find_articles(seeds)[0], seeds, build)
    outputs = build.get("outputs") or {}
    for name in names:
        if name in outputs:
            st = (out / name).stat()
            outputs[name] = [st.st_size, st.st_mtime_ns]
    # where each article's rows start in the old CSV files no longer holds: a rebuild must not trust it
    for name in names:
        (build.get("csv_files") or {}).pop(name.removesuffix(".csv"), None)
    build["n_claims"] = n_claims
    path.write_text(json.dumps(build, sort_keys=True, separators=(",", ":")) + "\n", encoding="utf-8")


def host_article(out: Path) -> str:
    """The newest article (the Articles page opens on it): it holds the injected claims."""
    articles = pd.read_parquet(out / f"{ARTICLES.name}.parquet")
    return str(articles.sort_values("published").iloc[-1]["article_id"])


def inject(cases: list[Case], seeds: Path, out: Path) -> str:
    """Write ``cases`` into the tables of ``out``: figure cases all in the newest article, each date
    case in an article of its own, newest first; the id of the newest article."""
    articles = pd.read_parquet(out / f"{ARTICLES.name}.parquet").sort_values("published", ascending=False)
    hosts = list(articles["article_id"])
    texts = pd.read_parquet(out / data.TEXTS_FILE).set_index("article_id")["text"]
    claims = pq.read_table(out / f"{CLAIMS.name}.parquet").to_pylist()
    dated: dict[str, str | None] = {}
    for i, case in enumerate(cases):
        host = hosts[0] if case.published == KEEP else hosts[len(dated)]
        claims += injected_claims(case, host, texts[host][:10], first=9000 + 100 * i)
        if case.published != KEEP:
            dated[host] = case.published
    written = rewrite(out, CLAIMS, pa.Table.from_pylist(claims, schema=CLAIMS.arrow_schema))
    if dated:
        rows = pq.read_table(out / f"{ARTICLES.name}.parquet").to_pylist()
        for article in rows:
            if article["article_id"] in dated:
                article["published"] = dated[article["article_id"]]
        written += rewrite(out, ARTICLES, pa.Table.from_pylist(rows, schema=ARTICLES.arrow_schema))
    record_rewrites(seeds, out, written, len(claims))
    return hosts[0]


@dataclass(frozen=True)
class Injected:
    seeds: Path
    tables: Path
    host: str
    cases: list[Case]


@pytest.fixture(params=list(PAGE_GROUPS), ids=list(PAGE_GROUPS))
def injected(request, seed_corpus) -> Injected:
    cases = PAGE_GROUPS[request.param]
    host = inject(cases, seed_corpus.seeds, seed_corpus.tables)
    assert data.staleness(seed_corpus.seeds, seed_corpus.tables) is None, "the app would rebuild the tables"
    return Injected(seed_corpus.seeds, seed_corpus.tables, host, cases)


# --- every page ------------------------------------------------------------------------------------


@pytest.fixture
def error_details():
    """Exceptions shown in full, so a failure names its error (the app's config shows visitors none)."""
    shown = st_config.get_option(ERROR_DETAILS)
    st_config.set_option(ERROR_DETAILS, "full")
    yield
    st_config.set_option(ERROR_DETAILS, shown)


def no_exception(at: AppTest) -> None:
    errors = [f"{e.proto.type}: {e.message}\n{''.join(e.stack_trace)}" for e in at.exception]
    assert not errors, "\n".join(errors)


def read_the_host_article(at: AppTest, host: str) -> None:
    at.selectbox(key="article_pick").set_value(host).run()
    no_exception(at)


def narrow_the_period(at: AppTest, host: str) -> None:
    for slider in (s for s in at.slider if s.key == "ce_period"):
        first = int(slider.proto.min)
        slider.set_range(first, first + 1).run()
        no_exception(at)


def list_the_province_and_colour_by_claims(at: AppTest, host: str) -> None:
    at.selectbox(key="map_province").set_value(PROVINCE).run()
    no_exception(at)
    assert at.dataframe, "the injected claims name the province"
    at.button_group(key="map_metric").set_value("claims").run()
    no_exception(at)


def every_slide(at: AppTest, host: str) -> None:
    first = at.header[0].value
    for _ in range(MAX_SLIDES):
        at.button(key="briefing_next").click().run()
        no_exception(at)
        if at.header[0].value == first:
            return
    pytest.fail("the briefing never came back to its first slide")


#: What a reader does on a page after opening it, to reach the parts that draw the claims.
THEN: dict[str, Callable[[AppTest, str], None]] = {
    "articles": read_the_host_article,
    "claims": narrow_the_period,
    "map": list_the_province_and_colour_by_claims,
    "briefing": every_slide,
}


@pytest.mark.slow  # about two seconds a page and group
@pytest.mark.usefixtures("error_details")
@pytest.mark.parametrize(("script", "title", "page"), PAGES, ids=[page for *_, page in PAGES])
def test_page_copes_with_extreme_claims(injected: Injected, script: str, title: str, page: str,
                                        monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv(data.DATA_ENV, str(injected.tables))
    monkeypatch.setenv(data.SEEDS_ENV, str(injected.seeds))
    at = AppTest.from_file(str(APP), default_timeout=TIMEOUT)
    at.switch_page(script).run()
    no_exception(at)
    assert [t.value for t in at.title] == [title]
    if page in THEN:
        THEN[page](at, injected.host)
    claims = pd.read_parquet(injected.tables / f"{CLAIMS.name}.parquet")
    assert claims["what"].str.startswith("injected").any(), "the page ran on the injected tables, not a rebuild"


# --- the builders ----------------------------------------------------------------------------------

ARTICLE = views.ARTICLE | {"n_claims": 30}
PLACE = {
    "place_id": PROVINCE, "name": "Kien Giang", "name_local": None, "country": "VN", "level": "province",
    "province_id": PROVINCE, "lat": 10.0, "lon": 105.1, "border_province": True, "merged_into_2025": None,
    "source": "test", "n_mentions": 1, "n_articles": 1,
}
MENTION = {
    "mention_id": "a1#m1", "article_id": "a1", "sentence_id": 0, "section": "body", "place_id": PROVINCE,
    "surface": "Kien Giang", "char_start": 0, "char_end": 10,
}
#: An ordinary claim beside the injected ones: the charts have something drawable.
ORDINARY_CLAIM = {"claim_id": "a1#c1", "value": 548e6, "what": "ordinary trade", "period_start": 2015}


def view_of(case: Case) -> Tables:
    article = ARTICLE if case.published == KEEP else ARTICLE | {"published": case.published}
    ordinary = injected_claims(Case("ordinary"), "a1", "Kien Giang")[0] | ORDINARY_CLAIM
    rows = [*injected_claims(case, "a1", "Kien Giang"), ordinary]
    return Tables(
        articles=frame(ARTICLES, [article]),
        claims=frame(CLAIMS, rows),
        places=frame(PLACES, [PLACE]),
        mentions=frame(MENTIONS, [MENTION]),
        links=frame(LINKS, []),
        problems=frame(PROBLEMS, []),
        build={"built_at": "2024-01-01T00:00:00+00:00"},
    )


@pytest.fixture(params=CASES, ids=CASE_IDS)
def view(request) -> Tables:
    return view_of(request.param)


@pytest.fixture
def claims(view: Tables) -> pd.DataFrame:
    """The view's claims as pages have them: sources joined in, labelled."""
    return facts.labelled(facts.with_sources(view.claims, view.articles))


@pytest.fixture(scope="module")
def projected(geometry: maps.MapGeometry) -> svgmap.ProjectedMap:
    return svgmap.province_paths(geometry)


def drawn_numbers(values) -> np.ndarray:
    """The numbers of a trace's coordinate array (``None`` separators left out)."""
    return np.array([v for v in (values if values is not None else []) if v is not None], dtype=float)


def on_log_axis(values) -> bool:
    numbers = drawn_numbers(values)
    return bool(np.all(np.isfinite(numbers)) and np.all(numbers > 0))


def test_labels_never_show_an_unformattable_number(claims: pd.DataFrame):
    for label in claims["label"]:
        assert isinstance(label, str) and label
        assert not any(word in label.lower() for word in ("inf", "nan", "<na>")), label
        assert len(label) < 40, f"a compact label: {label}"


def drawn_claims(fig) -> set[str]:
    """The claim ids a figure draws (the last field of each point's hover data)."""
    return {row[-1] for trace in fig.data if trace.customdata is not None for row in trace.customdata}


def test_trade_chart_draws_only_positive_finite_figures(claims: pd.DataFrame):
    for currency in facts.currencies(claims):
        fig = charts.trade_chart(claims, currency, "source")
        fig.to_json()  # what Streamlit sends
        if currency == "USD":
            assert ORDINARY_CLAIM["claim_id"] in drawn_claims(fig), "the ordinary figure is still drawn"
        for trace in fig.data:
            assert on_log_axis(trace.y), (trace.name, trace.y)
            if trace.error_y and trace.error_y.array is not None:
                assert np.all(np.isfinite(trace.error_y.array)) and np.all(np.isfinite(trace.error_y.arrayminus))
                assert np.all(np.asarray(trace.error_y.array) >= 0) and np.all(np.asarray(trace.error_y.arrayminus) >= 0)
        if fig.layout.yaxis.range is not None:
            assert all(np.isfinite(fig.layout.yaxis.range)), fig.layout.yaxis.range
            assert len(fig.layout.yaxis.tickvals) <= charts.MAX_LOG_TICKS


def test_figures_left_out_of_the_charts_are_counted(claims: pd.DataFrame):
    values = claims["value"].astype(float)
    left_out = int((~(np.isfinite(values) & (values > 0))).sum())
    note = charts.left_out_note(claims)
    assert note.startswith(f"{left_out} figures") if left_out else note == ""


def test_aid_chart_draws_only_positive_finite_figures(claims: pd.DataFrame):
    fig = charts.aid_chart(claims, "source")
    fig.to_json()
    for trace in fig.data:
        assert on_log_axis(trace.x), (trace.name, trace.x)
    for axis in fig.select_xaxes():
        assert axis.range is None or all(np.isfinite(axis.range))


def test_key_figures_and_tables_cope(claims: pd.DataFrame):
    figures = charts.key_figures(claims)
    for amount in figures["amount"]:
        assert "inf" not in amount.lower() and "nan" not in amount.lower()
    assert len(charts.trade_table(claims)) == len(facts.money_claims(claims))


@pytest.mark.slow
def test_briefing_copes(view: Tables, geometry: maps.MapGeometry):
    page = briefing.briefing_html(view, geometry, plotlyjs="")
    assert page.startswith("<!DOCTYPE html>") and "Key figures" in page


@pytest.mark.slow
def test_chart_images_cope(claims: pd.DataFrame):
    """The image exporter draws what the pages draw, extreme values left out the same way."""
    from pages.lib import images
    from pages.lib.stamp import Stamp

    for fig in (charts.trade_chart(claims), charts.aid_chart(claims)):
        assert images.chart_image(fig, "png", Stamp("source", "built")).startswith(b"\x89PNG")


def test_maps_cope(view: Tables, geometry: maps.MapGeometry, projected: svgmap.ProjectedMap):
    counts = maps.province_counts(view.places, view.mentions, view.claims)
    assert int(counts.set_index("province_id").loc[PROVINCE, "claims"]) == len(view.claims)
    maps.province_map(geometry, view.places, view.mentions, view.claims, view.links, "source").to_json()
    svg = svgmap.province_svg(projected, geometry.provinces, view.places, counts, "claims")
    assert svg.startswith("<svg")
    assert svgmap.legend(counts, "claims").startswith("<div")


def test_filters_cope(claims: pd.DataFrame, view: Tables):
    bounds = filters.period_bounds(claims)
    if bounds:
        narrowed = filters.filter_claims(claims, filters.ClaimFacets(period=(bounds[0], bounds[0] + 1)))
        assert len(narrowed) <= len(claims)
    days = filters.date_bounds(view.articles)
    assert days is None or filters.EARLIEST_PUBLISHED <= days[0] <= days[1] <= filters.LATEST_PUBLISHED, days
    filters.apply(view, filters.Filters(date_from=date(2020, 1, 1)))


# --- amounts, one value at a time -------------------------------------------------------------------

EXTREME_VALUES = {
    "nan": NAN, "na": pd.NA, "none": None, "inf": INF, "minus-inf": -INF, "negative": -2.5e6, "zero": 0.0,
    "1e18": 1e18, "1e300": 1e300, "largest-float": sys.float_info.max, "1e-300": 1e-300, "minus-1e-300": -1e-300,
}


@pytest.mark.parametrize("value", EXTREME_VALUES.values(), ids=EXTREME_VALUES.keys())
@pytest.mark.parametrize("unit", [*UNITS, "year", "km"])
def test_any_amount_is_written_compactly(value: object, unit: str):
    text = facts.format_amount(value, unit)
    assert text and len(text) < 20, text
    if value is None or pd.isna(value) or math.isinf(value):
        assert text == facts.format_amount(None, unit), "written as a missing value"
    for qualifier in facts.QUALIFIER_PREFIX:
        assert facts.claim_label(qualifier, 1e6, unit, value, 2e6)
        assert facts.claim_label(qualifier, value, unit, value, value)
