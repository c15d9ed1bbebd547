"""Chart, map and briefing builders: pure functions tested on their traces, titles and units.

Rows are made with the ETL's own ``frame`` so they have exactly the app's column types.
"""

from __future__ import annotations

import re
import threading
import xml.etree.ElementTree as ET
from dataclasses import replace
from pathlib import Path

import geopandas as gpd
import pandas as pd
import plotly.offline
import pytest

from etl.output import frame
from etl.schema import ARTICLES, CLAIMS, LINKS, MENTIONS, PLACES, PROBLEMS
from pages.lib import briefing, charts, facts, maps, svgmap, theme
from pages.lib.tables import Tables

REPO = Path(__file__).resolve().parents[1]
BOUNDARIES = REPO / "data" / "boundaries"
N_PROVINCES = 88  # 63 Vietnamese (before July 2025) + 25 Cambodian, see data/boundaries/README.md
N_BORDER_PROVINCES = 19


# --- small tables ------------------------------------------------------------------------------

ARTICLE = {
    "article_id": "a1",
    "file": "a1.txt",
    "title": "Trade grows",
    "outlet": "VNA",
    "author": None,
    "published": "2023-05-02",
    "published_basis": "dateline",
    "language": "en",
    "sha256": "0" * 64,
    "n_sentences": 10,
    "n_claims": 3,
    "n_mentions": 4,
}


def claim(n: int, **fields) -> dict:
    """A claims row: a body, exact, achieved USD trade figure unless told otherwise."""
    row = {
        "claim_id": f"a1#c{n}",
        "article_id": "a1",
        "sentence_id": n,
        "section": "body",
        "text": "$1 million",
        "char_start": 0,
        "char_end": 10,
        "value": 1e6,
        "low": None,
        "high": None,
        "unit": "USD",
        "kind": "currency",
        "qualifier": "exact",
        "what": "trade",
        "category": "trade",
        "period_start": None,
        "period_end": None,
        "target": False,
        "place_ids": None,
        "quote": f"Sentence {n} says $1 million.",
    }
    return row | fields


def place(place_id: str, **fields) -> dict:
    row = {
        "place_id": place_id,
        "name": place_id.replace("-", " ").title(),
        "name_local": None,
        "country": "KH",
        "level": "province",
        "province_id": place_id,
        "lat": 10.6,
        "lon": 104.2,
        "border_province": False,
        "merged_into_2025": None,
        "source": "test",
        "n_mentions": 1,
        "n_articles": 1,
    }
    return row | fields


def link(sentence: int, place_b: str, sector: str = "trade", relation: str = "agreement") -> dict:
    return {
        "article_id": "a1",
        "sentence_id": sentence,
        "section": "body",
        "place_a": "kien-giang",
        "place_b": place_b,
        "sector": sector,
        "relation": relation,
        "quote": f"Kien Giang and {place_b} agree.",
    }


def with_sources(rows: list[dict]) -> pd.DataFrame:
    return facts.with_sources(frame(CLAIMS, rows), frame(ARTICLES, [ARTICLE]))


PLACES_ROWS = [
    place("kien-giang", name="Kien Giang", country="VN", lat=10.0, lon=105.1, border_province=True),
    place("kampot", name="Kampot", border_province=True, lat=10.8, lon=104.3),
    place("kep", name="Kep", lat=10.5, lon=104.3),
    place(
        "kampong-trach", name="Kampong Trach", level="district", province_id="kampot", lat=10.56, lon=104.47
    ),
    place("cambodia", name="Cambodia", level="country", province_id=None, lat=12.5, lon=105.0),
]
LINK_ROWS = [
    link(1, "kampot"),
    link(1, "kep"),
    link(2, "kampong-trach", "energy", "aid"),
    link(3, "cambodia"),
]


@pytest.fixture(scope="module")
def geometry() -> maps.MapGeometry:
    return maps.province_geometry(
        gpd.read_file(BOUNDARIES / "provinces.geojson"), gpd.read_file(BOUNDARIES / "countries.geojson")
    )


def small_view() -> Tables:
    claims = [
        claim(1, value=548e6, qualifier="more_than", period_start=2015, quote="Trade hit <b>$548M</b>."),
        claim(2, value=20e9, target=True, place_ids="kien-giang;kampot"),
        claim(3, value=2.5e12, unit="VND", category="investment"),
    ]
    mentions = [
        {
            "mention_id": "a1#m1",
            "article_id": "a1",
            "sentence_id": 1,
            "section": "body",
            "place_id": "kampong-trach",
            "surface": "Kampong Trach",
            "char_start": 0,
            "char_end": 13,
        }
    ]
    return Tables(
        articles=frame(ARTICLES, [ARTICLE]),
        claims=frame(CLAIMS, claims),
        places=frame(PLACES, PLACES_ROWS),
        mentions=frame(MENTIONS, mentions),
        links=frame(LINKS, LINK_ROWS),
        problems=frame(PROBLEMS, []),
        build={"built_at": "2024-01-01T00:00:00+00:00"},
    )


# --- trade chart ---------------------------------------------------------------------------------


def figure_traces(fig, role: str) -> list:
    return [t for t in fig.data if isinstance(t.meta, dict) and t.meta.get("role") == role]


def test_trade_chart_y_axis_is_log_and_in_usd():
    fig = charts.trade_chart(with_sources([claim(1), claim(2, value=10e9)]))
    assert fig.layout.yaxis.type == "log"
    assert "USD" in fig.layout.yaxis.title.text
    assert "Year" in fig.layout.xaxis.title.text


def test_trade_chart_ticks_read_millions_and_billions():
    fig = charts.trade_chart(with_sources([claim(1, value=13e6), claim(2, value=10e9)]))
    assert "$10M" in fig.layout.yaxis.ticktext and "$10B" in fig.layout.yaxis.ticktext


@pytest.mark.parametrize(
    ("qualifier", "prefix"),
    [
        ("more_than", ">"),
        ("approx", "≈"),
        ("at_least", "≥"),
        ("up_to", "≤"),
        ("less_than", "<"),
        ("exact", "$"),
    ],
)
def test_trade_chart_label_shows_the_qualifier(qualifier: str, prefix: str):
    fig = charts.trade_chart(with_sources([claim(1, value=548e6, qualifier=qualifier)]))
    (points,) = figure_traces(fig, "figures")
    assert points.text[0].startswith(prefix)
    assert "548M" in points.text[0]


def test_trade_chart_range_has_error_bars_to_low_and_high():
    fig = charts.trade_chart(with_sources([claim(1, value=50e6, low=30e6, high=70e6, qualifier="range")]))
    (points,) = figure_traces(fig, "figures")
    assert points.text[0] == "$30M–$70M"
    assert list(points.error_y.array) == [20e6] and list(points.error_y.arrayminus) == [20e6]


def test_trade_chart_tells_targets_from_achieved_figures():
    fig = charts.trade_chart(with_sources([claim(1), claim(2, value=20e9, target=True)]))
    points = {t.name: t for t in figure_traces(fig, "figures")}
    assert set(points) == {"Achieved", "Target"}
    assert points["Achieved"].marker.symbol != points["Target"].marker.symbol
    assert points["Achieved"].marker.color != points["Target"].marker.color


def test_trade_chart_draws_an_open_period_to_the_publication_year():
    fig = charts.trade_chart(with_sources([claim(1, period_start=2015)]))
    (span,) = figure_traces(fig, "span")
    assert list(span.x[:2]) == [2015, 2023]


def test_trade_chart_hover_has_quote_and_source():
    fig = charts.trade_chart(with_sources([claim(1, quote="Trade reached <b>$1 million</b>.")]))
    (points,) = figure_traces(fig, "figures")
    _label, _period, _category, quote, source, claim_id = points.customdata[0]
    assert "&lt;b&gt;" in quote  # article text is escaped in hover labels
    assert "Trade grows" in source and "VNA" in source and "2023-05-02" in source
    assert claim_id == "a1#c1"


def test_vnd_claims_are_not_on_the_usd_axis():
    claims = with_sources([claim(1), claim(2, value=2.5e12, unit="VND")])
    usd = charts.trade_chart(claims, "USD")
    assert [row[-1] for t in figure_traces(usd, "figures") for row in t.customdata] == ["a1#c1"]
    vnd = charts.trade_chart(claims, "VND")
    assert "VND" in vnd.layout.yaxis.title.text
    assert [row[-1] for t in figure_traces(vnd, "figures") for row in t.customdata] == ["a1#c2"]


def test_trade_chart_title_says_what_and_where_and_has_a_source_line():
    fig = charts.trade_chart(with_sources([claim(1)]), source="Source: 1 article")
    assert "Vietnam–Cambodia" in fig.layout.title.text and "USD" in fig.layout.title.text
    assert any("Source: 1 article" in a.text for a in fig.layout.annotations)


def test_trade_chart_copes_with_no_claims():
    fig = charts.trade_chart(with_sources([claim(1)]).iloc[0:0])
    assert not figure_traces(fig, "figures")


def test_currencies_lists_usd_first():
    assert facts.currencies(with_sources([claim(1, unit="VND"), claim(2, unit="VND"), claim(3)])) == [
        "USD",
        "VND",
    ]


# --- aid chart -------------------------------------------------------------------------------------


def aid_claims() -> pd.DataFrame:
    return with_sources(
        [
            claim(
                1,
                kind="count",
                unit="count",
                value=200,
                qualifier="approx",
                what="cadres",
                category="aid",
                period_start=1979,
                period_end=1989,
            ),
            claim(2, kind="count", unit="count", value=53, what="students", category="education"),
            claim(3, kind="energy", unit="kWh", value=160e6, what="electricity", category="energy"),
            claim(4, value=13e6, category="aid", what="grant"),
        ]
    )


def test_aid_chart_has_one_panel_per_kind_in_its_own_unit():
    fig = charts.aid_chart(aid_claims())
    titles = [a.text for a in fig.layout.annotations]
    assert {"People and things (count)", "Energy (kWh)", "Money (USD)"} <= set(titles)
    units = {t.meta["unit"] for t in fig.data}
    assert units == {"count", "kWh", "USD"}
    assert all(axis.type == "log" for axis in (fig.layout.xaxis, fig.layout.xaxis2, fig.layout.xaxis3))


def test_aid_chart_bars_say_what_was_given_and_when():
    fig = charts.aid_chart(aid_claims())
    labels = [text for key in ("yaxis", "yaxis2", "yaxis3") for text in fig.layout[key].ticktext]
    assert "cadres (1979–1989)" in labels and "students" in labels
    counts = next(t for t in fig.data if t.meta["unit"] == "count")
    assert "≈ 200" in counts.text


def test_aid_chart_copes_with_no_claims():
    fig = charts.aid_chart(aid_claims().iloc[0:0])
    assert "No figure" in fig.layout.annotations[0].text


# --- cooperation ---------------------------------------------------------------------------------


def test_cooperation_matrix_counts_sectors_by_partner_province():
    fig = charts.cooperation_matrix(frame(LINKS, LINK_ROWS), frame(PLACES, PLACES_ROWS))
    (heatmap,) = fig.data
    assert set(heatmap.x) == {"Kampot", "Kep", "Cambodia"}  # Kampong Trach counts for Kampot
    assert set(heatmap.y) == {"trade", "energy"}
    assert pd.Series(heatmap.z.ravel()).sum() == len(LINK_ROWS)
    assert "Partner" in fig.layout.xaxis.title.text and fig.layout.yaxis.title.text == "Sector"


def test_partner_network_draws_each_pair_once():
    fig = charts.partner_network(frame(LINKS, LINK_ROWS), frame(PLACES, PLACES_ROWS), focus="kien-giang")
    edges = [t for t in fig.data if t.meta["role"] == "edge"]
    assert len(edges) == 3  # Kampot (twice: directly and through Kampong Trach), Kep, Cambodia
    nodes = [t for t in fig.data if t.meta["role"] == "node"]
    assert list(nodes[0].text) == ["Kien Giang"]
    assert set(nodes[1].text) == {"Kampot", "Kep", "Cambodia"}
    assert "Kien Giang" in fig.layout.title.text


def test_cooperation_builders_cope_with_no_links():
    empty = frame(LINKS, [])
    places = frame(PLACES, PLACES_ROWS)
    assert charts.cooperation_matrix(empty, places).layout.annotations
    assert charts.partner_network(empty, places).layout.annotations
    assert charts.agreement_sentences(empty, places, frame(ARTICLES, [ARTICLE])).empty


def test_agreement_sentences_are_one_row_per_sentence():
    table = charts.agreement_sentences(
        frame(LINKS, LINK_ROWS), frame(PLACES, PLACES_ROWS), frame(ARTICLES, [ARTICLE])
    )
    assert sorted(table["sentence_id"]) == [1, 3]  # sentence 2 is aid, not an agreement
    assert "Kampot" in table.iloc[0]["places"] and "Kep" in table.iloc[0]["places"]


# --- key figures -----------------------------------------------------------------------------------


def test_key_figures_are_the_largest_with_qualifier_period_and_source():
    claims = with_sources(
        [
            claim(1, value=548e6, qualifier="more_than", period_start=2015),
            claim(2, value=10e9, qualifier="more_than", period_start=2022, period_end=2022),
            claim(3, value=20e9, target=True),
            claim(4, value=2.76e9, qualifier="approx", category="investment"),
            claim(5, kind="count", unit="count", value=200, category="aid", what="cadres"),
        ]
    )
    figures = charts.key_figures(claims).set_index("heading")
    assert figures.loc["Trade", "amount"] == "> $10B"
    assert figures.loc["Trade", "period"] == "2022"
    assert figures.loc["Trade", "qualifier"] == "more than"
    assert figures.loc["Trade target", "amount"] == "$20B"
    assert figures.loc["Investment", "amount"] == "≈ $2.76B"
    assert figures.loc["Aid", "what"] == "cadres"
    assert figures.loc["Trade", "source"] == "“Trade grows”, VNA, 2023-05-02"


def test_key_figures_of_nothing_is_an_empty_table():
    assert charts.key_figures(with_sources([claim(1)]).iloc[0:0]).empty


# --- map -------------------------------------------------------------------------------------------


def province_figure(geometry, view: Tables | None = None, **kwargs):
    view = view or small_view()
    return maps.province_map(
        geometry, view.places, view.mentions, view.claims, view.links, "Source: test", **kwargs
    )


def test_map_has_one_filled_polygon_trace_per_province(geometry):
    fig = province_figure(geometry)
    provinces = figure_traces(fig, maps.ROLE_PROVINCE)
    assert len(provinces) == N_PROVINCES
    assert all(t.fill == "toself" for t in provinces)
    assert len({t.meta["id"] for t in provinces}) == N_PROVINCES


def test_map_uses_plain_axes_with_an_equal_scale_and_no_web_traces(geometry):
    fig = province_figure(geometry)
    assert {t.type for t in fig.data} == {"scatter"}  # no geo, mapbox or map traces: they fetch from the web
    assert fig.layout.yaxis.scaleanchor == "x"


def test_map_province_ids_are_the_gazetteer_slugs(geometry):
    ids = set(geometry.provinces["place_id"])
    assert {"kien-giang", "ba-ria-vung-tau", "ho-chi-minh-city", "phnom-penh", "tbong-khmum"} <= ids
    gazetteer = REPO / "data" / "gazetteer.csv"
    if gazetteer.exists():
        known = set(pd.read_csv(gazetteer, usecols=["place_id"])["place_id"])
        assert ids <= known


def test_map_draws_the_land_border_and_outlines_border_provinces(geometry):
    assert int(geometry.provinces["border"].sum()) == N_BORDER_PROVINCES
    assert len([x for x in geometry.border_xs if x is not None]) > 100
    fig = province_figure(geometry)
    names = {t.name for t in fig.data}
    assert "Vietnam–Cambodia land border" in names and "Province on the land border (outlined)" in names


def test_map_colours_provinces_by_mentions_or_claims(geometry):
    by_mentions = {t.meta["id"]: t.fillcolor for t in figure_traces(province_figure(geometry), "province")}
    assert by_mentions["kampot"] == theme.KH_RAMP[1]  # one mention, of Kampong Trach in Kampot
    assert by_mentions["kep"] == theme.KH_RAMP[0]
    by_claims = {
        t.meta["id"]: t.fillcolor
        for t in figure_traces(province_figure(geometry, metric="claims"), "province")
    }
    assert by_claims["kien-giang"] == theme.VN_RAMP[1] and by_claims["kampot"] == theme.KH_RAMP[1]


def test_map_points_and_links_and_clickable_province_handles(geometry):
    fig = province_figure(geometry)
    (handles,) = figure_traces(fig, maps.ROLE_HANDLE)
    assert len(handles.customdata) == N_PROVINCES and "kien-giang" in {row[0] for row in handles.customdata}
    points = figure_traces(fig, maps.ROLE_POINTS)
    assert [t.name for t in points] == ["District (size: mentions)"]
    links = figure_traces(fig, maps.ROLE_LINK)
    assert len(links) == 3  # to Kampot, Kep and Kampong Trach; none to "Cambodia" as a whole
    assert any(theme.BOUNDARY_ATTRIBUTION in a.text for a in fig.layout.annotations)


def empty_view() -> Tables:
    """The small view with every row filtered out."""
    view = small_view()
    return Tables(view.articles.iloc[0:0], view.claims.iloc[0:0], view.places.iloc[0:0],
                  view.mentions.iloc[0:0], view.links.iloc[0:0], view.problems, {})


def test_map_copes_with_no_data(geometry):
    empty = empty_view()
    fig = province_figure(geometry, empty)
    assert len(figure_traces(fig, "province")) == N_PROVINCES
    assert not figure_traces(fig, maps.ROLE_POINTS) and not figure_traces(fig, maps.ROLE_LINK)


def test_province_counts_count_a_town_for_its_province():
    view = small_view()
    counts = maps.province_counts(view.places, view.mentions, view.claims).set_index("province_id")
    assert counts.loc["kampot", "mentions"] == 1
    assert counts.loc["kien-giang", "claims"] == 1 and counts.loc["kampot", "claims"] == 1


# --- briefing --------------------------------------------------------------------------------------

EXTERNAL_ATTRIBUTE = re.compile(r"""\b(?:src|href)\s*=\s*["']?\s*(?:https?:)?//""", re.IGNORECASE)
SCRIPT = re.compile(r"<script\b[^>]*>.*?</script>", re.DOTALL | re.IGNORECASE)


@pytest.fixture(scope="module")
def briefing_page(geometry) -> str:
    return briefing.briefing_html(small_view(), geometry)


def test_briefing_carries_plotly_inline(briefing_page: str):
    assert plotly.offline.get_plotlyjs()[:500] in briefing_page
    assert briefing_page.count(plotly.offline.get_plotlyjs()[:500]) == 1
    assert not re.search(r"<script[^>]*\bsrc=", briefing_page, re.IGNORECASE)


def test_briefing_makes_no_external_request(briefing_page: str):
    markup = SCRIPT.sub("<script></script>", briefing_page)  # plotly.js holds link text for its own UI
    assert not EXTERNAL_ATTRIBUTE.search(markup)
    assert "@import" not in markup and "fonts.googleapis" not in briefing_page
    assert "cdn.plot.ly" not in SCRIPT.sub("", briefing_page)


def test_briefing_has_key_figures_charts_and_escaped_sources(briefing_page: str):
    assert "Key figures" in briefing_page and "&gt; $548M" in briefing_page
    assert briefing_page.count('class="plotly-graph-div"') == 5  # USD, VND, map, matrix, network
    assert "Trade hit &lt;b&gt;$548M&lt;/b&gt;." in briefing_page
    assert "<b>$20B</b> (trade, target)" in briefing_page
    assert "<b>$548M</b>" not in SCRIPT.sub("", briefing_page)


def test_briefing_copes_with_an_empty_view(geometry):
    empty = empty_view()
    page = briefing.briefing_html(empty, geometry, plotlyjs="")
    assert "No money figure" in page and "No trade, investment or aid figure" in page


# --- theme -----------------------------------------------------------------------------------------


def test_vietnam_and_cambodia_keep_their_colours_everywhere():
    assert theme.COUNTRY_COLOURS == {"VN": theme.VN_COLOUR, "KH": theme.KH_COLOUR}
    assert theme.VN_RAMP[4] == theme.VN_COLOUR and theme.KH_RAMP[4] == theme.KH_COLOUR
    assert {theme.VN_COLOUR, theme.KH_COLOUR, theme.ACHIEVED_COLOUR, theme.TARGET_COLOUR} <= set(
        theme.OKABE_ITO.values()
    )


def test_source_line_is_escaped_in_figures():
    fig = theme.style_figure(charts.go.Figure(), "t", "s", "Source: <script>x</script>", 300)
    assert "&lt;script&gt;" in fig.layout.annotations[0].text


def test_compact_map_has_a_short_title_and_no_legend(geometry):
    fig = province_figure(geometry, compact=True)
    assert fig.layout.showlegend is False
    assert fig.layout.title.text == "Place mentions by province, southern Vietnam and Cambodia"


# --- many links: the strongest are drawn ------------------------------------------------------------


def many_links(n_partners: int) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Kien Giang linked to ``n_partners`` places, partner i by i + 1 sentences."""
    partners = [f"place-{i:04d}" for i in range(n_partners)]
    places = [place("kien-giang", country="VN", lon=105.1, lat=10.0)] + [
        place(p, lon=104.0 + i / n_partners, lat=11.0) for i, p in enumerate(partners)
    ]
    rows = [link(s, p) | {"article_id": f"a{i}"} for i, p in enumerate(partners) for s in range(i + 1)]
    return frame(LINKS, rows), frame(PLACES, places)


def test_the_map_draws_only_the_strongest_links(geometry, monkeypatch):
    monkeypatch.setattr(maps, "MAX_LINKS", 5)
    links, places = many_links(12)
    fig = maps.province_map(geometry, places, frame(MENTIONS, []), frame(CLAIMS, []), links, "Source: test")
    drawn = figure_traces(fig, maps.ROLE_LINK)
    assert len(drawn) == 5
    assert all("place-0011" in t.text or "Place 0011" in t.text for t in drawn[:1])  # the strongest first
    assert "5 strongest of 12" in drawn[0].name


def test_the_partner_network_draws_only_the_strongest_pairs(monkeypatch):
    monkeypatch.setattr(charts, "MAX_NETWORK_EDGES", 4)
    links, places = many_links(9)
    fig = charts.partner_network(links, places)
    assert len([t for t in fig.data if t.meta["role"] == "edge"]) == 4
    assert "4 strongest of 9 pairs" in fig.layout.title.subtitle.text


def test_derived_values_are_computed_once_per_view():
    view = small_view()
    calls = []
    assert view.derived("n", lambda: calls.append(1) or 7) == 7
    assert view.derived("n", lambda: calls.append(1) or 8) == 7
    assert calls == [1]
    narrowed = replace(view, claims=view.claims.head(1))
    assert narrowed.derived("n", lambda: 9) == 9  # a narrowed view does not inherit the memo


def test_a_value_asked_for_while_another_thread_computes_it_is_waited_for():
    view = small_view()
    started, release = threading.Event(), threading.Event()
    calls = []

    def slow() -> int:
        calls.append(1)
        started.set()
        release.wait(5)
        return 7

    first = threading.Thread(target=view.derived, args=("n", slow))
    first.start()
    assert started.wait(5)
    waiting = []
    second = threading.Thread(target=lambda: waiting.append(view.derived("n", lambda: calls.append(2) or 8)))
    second.start()
    second.join(0.3)  # it gets to ``derived`` while the first caller is still computing
    release.set()
    first.join(5)
    second.join(5)
    assert waiting == [7] and calls == [1], "the second caller took the first one's value"


def test_many_partners_are_slanted_and_the_source_line_moves_below_them():
    links, places = many_links(12)
    fig = charts.cooperation_matrix(links, places, "Source: test")
    assert fig.layout.xaxis.tickangle == -45
    source = fig.layout.annotations[-1]
    assert "Source: test" in source.text and source.yshift < theme.SOURCE_OFFSET
    few = charts.cooperation_matrix(*many_links(3), "Source: test")
    assert few.layout.xaxis.tickangle is None and few.layout.annotations[-1].yshift == theme.SOURCE_OFFSET


def test_points_and_links_stay_map_sized_with_huge_counts(geometry):
    links, places = many_links(4)
    places["n_mentions"] = pd.array([40_000, 10_000, 2_500, 100, 1], dtype="Int64")
    places["level"] = "city"
    fig = maps.province_map(geometry, places, frame(MENTIONS, []), frame(CLAIMS, []), links, "Source: test")
    (points,) = figure_traces(fig, maps.ROLE_POINTS)
    sizes = sorted(points.marker.size, reverse=True)
    assert sizes[0] == maps.POINT_MAX_SIZE and sizes[0] / sizes[1] > 1.5  # the order of counts still shows
    widths = [t.line.width for t in figure_traces(fig, maps.ROLE_LINK)]
    assert max(widths) <= maps.LINK_MAX_WIDTH


# --- the overview's static map ------------------------------------------------------------------

SVG = "{http://www.w3.org/2000/svg}"


def overview_svg(geometry, view: Tables | None = None, **kwargs) -> ET.Element:
    view = view or small_view()
    counts = maps.province_counts(view.places, view.mentions, view.claims)
    svg = svgmap.province_svg(
        svgmap.province_paths(geometry), geometry.provinces, view.places, counts, **kwargs
    )
    return ET.fromstring(svg)  # well-formed XML, or this raises


def titled(root: ET.Element) -> dict[str, ET.Element]:
    """Shapes by the first line of their tooltip (``<title>``)."""
    return {
        shape.find(f"{SVG}title").text.split("\n")[0]: shape
        for shape in root.iter()
        if shape.find(f"{SVG}title") is not None
    }


def test_projection_puts_the_extent_in_the_drawing():
    projection = svgmap.Projection.of("border")
    (x0, x1), (y0, y1) = maps.EXTENTS["border"]
    xs, ys = projection.xy([x0, x1], [y1, y0])
    assert list(xs) == [0, svgmap.WIDTH] and list(ys) == [0, projection.height]
    assert projection.height > svgmap.WIDTH * (y1 - y0) / (x1 - x0)  # latitude stretched, as on the Map page


def test_overview_map_has_one_shape_per_province_with_its_numbers(geometry):
    shapes = titled(overview_svg(geometry))
    provinces = [key for key in shapes if key.endswith(("Vietnam", "Cambodia"))]
    assert len(provinces) == N_PROVINCES
    kampot = next(shape for key, shape in shapes.items() if key.startswith("Kampot"))
    assert kampot.get("fill") == theme.KH_RAMP[1]  # one mention, of Kampong Trach in Kampot
    tip = kampot.find(f"{SVG}title").text
    assert "1 place mentions" in tip and "On the Vietnam–Cambodia land border" in tip
    kep = next(shape for key, shape in shapes.items() if key.startswith("Kep"))
    assert kep.get("fill") == theme.KH_RAMP[0]


def test_overview_map_colours_by_claims_when_asked(geometry):
    shapes = titled(overview_svg(geometry, metric="claims"))
    kien_giang = next(shape for key, shape in shapes.items() if key.startswith("Kien Giang"))
    assert kien_giang.get("fill") == theme.VN_RAMP[1]


def test_overview_map_draws_the_land_border_as_an_open_line_on_top(geometry):
    root = overview_svg(geometry)
    lines = [p for p in root.iter(f"{SVG}path") if p.get("stroke") == theme.BORDER_LINE]
    (border,) = lines
    assert border.get("fill") == "none" and "Z" not in border.get("d")  # a line, never closed back
    shapes = list(root.iter(f"{SVG}path"))
    last_province = max(i for i, p in enumerate(shapes) if p.find(f"{SVG}title") is not None
                        and p.get("fill") in (*theme.VN_RAMP, *theme.KH_RAMP))
    assert shapes.index(border) > last_province


def test_overview_map_points_say_what_they_are(geometry):
    shapes = titled(overview_svg(geometry))
    point = shapes["Kampong Trach (district): 1 mentions in 1 articles"]
    assert point.tag == f"{SVG}rect"  # districts are squares, as on the Map page
    assert not any(key.startswith("Kampong Trach") for key in titled(overview_svg(geometry, show_points=False)))


def test_overview_map_escapes_names(geometry):
    view = small_view()
    places = view.places.copy()
    places.loc[places["place_id"] == "kampong-trach", "name"] = "<script>alert(1)</script> & co"
    root = overview_svg(geometry, replace(view, places=places))
    assert "<script>alert(1)</script> & co (district): 1 mentions in 1 articles" in titled(root)
    assert not list(root.iter(f"{SVG}script")) and not list(root.iter("script"))


def test_overview_map_copes_with_no_data(geometry):
    root = overview_svg(geometry, empty_view())
    fills = {p.get("fill") for key, p in titled(root).items() if key.endswith(("Vietnam", "Cambodia"))}
    assert fills == {theme.VN_RAMP[0], theme.KH_RAMP[0]}
    assert not list(root.iter(f"{SVG}circle")) and not list(root.iter(f"{SVG}rect"))[1:]  # the sea only


def test_overview_map_legend_shows_the_bins_in_use():
    counts = pd.DataFrame({"province_id": ["kampot", "kep"], "mentions": [12, 0], "claims": [0, 0]})
    legend = svgmap.legend(counts)
    assert "place mentions: 0 · 1–2 · 3–9 · 10–29" in legend and "30–99" not in legend
    assert legend.count(theme.VN_RAMP[3]) == 1 and legend.count(theme.KH_RAMP[3]) == 1
