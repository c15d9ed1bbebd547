"""Chart builders (trade, aid, cooperation, key figures, theme) and the view's memo: pure functions
tested on their traces, titles and units."""

from __future__ import annotations

import pandas as pd
import pytest

from etl.output import frame
from etl.schema import ARTICLES, LINKS, PLACES
from pages.lib import charts, facts, theme
from tests.views import (
    ARTICLE,
    LINK_ROWS,
    PLACES_ROWS,
    claim,
    figure_traces,
    many_links,
    with_sources,
)


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
    assert points.text[0] in ("$30M–$70M", "$30M–$70M (no year)")
    assert list(points.error_y.array) == [20e6] and list(points.error_y.arrayminus) == [20e6]


def test_trade_chart_tells_targets_from_achieved_figures():
    fig = charts.trade_chart(with_sources([claim(1), claim(2, value=20e9, target=True)]))
    points = {t.meta["target"]: t for t in figure_traces(fig, "figures")}
    assert {t.name for t in points.values()} == {"Trade · achieved", "Trade · target"}
    assert points[False].marker.symbol != points[True].marker.symbol  # shape, not colour: both are trade


def test_trade_chart_draws_an_open_period_to_the_publication_year():
    fig = charts.trade_chart(with_sources([claim(1, period_start=2015)]))
    (span,) = figure_traces(fig, "span")
    assert list(span.x[:2]) == [2015, 2023]


def test_trade_chart_colours_each_category_and_names_it():
    """Trade, investment, an electricity value and aid are not one series: each has its colour and name."""
    rows = [claim(1, category="trade"), claim(2, value=2e9, category="investment"),
            claim(3, value=3e6, category="energy"), claim(4, value=4e6, category="aid", target=True)]
    fig = charts.trade_chart(with_sources(rows))
    points = figure_traces(fig, "figures")
    assert [t.name for t in points] == ["Trade · achieved", "Investment · achieved", "Aid · target",
                                        "Energy · achieved"]
    assert len({t.marker.color for t in points}) == 4
    assert all(t.marker.color == theme.CATEGORY_COLOURS[t.meta["category"]] for t in points)


def test_trade_chart_marks_a_figure_that_gives_no_year_apart():
    """'Soon reach $20 billion' is drawn at its article's date, but must not read as that year's target."""
    fig = charts.trade_chart(with_sources([claim(1, period_start=2022, period_end=2022),
                                           claim(2, value=20e9, target=True, period_start=None, period_end=None)]))
    points = {t.meta["target"]: t for t in figure_traces(fig, "figures")}
    assert points[True].text[0] == "$20B (no year)"
    target, achieved = theme.figure_symbol("trade", True), theme.figure_symbol("trade", False)
    assert points[True].marker.symbol[0] == charts.undated_symbol(target) != target
    assert points[False].marker.symbol[0] == achieved
    assert "(no year)" not in points[False].text[0]
    assert "Dotted marker (no year): no year given, drawn at the article's date" in fig.layout.title.subtitle.text


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


def test_vietnam_and_cambodia_keep_their_colours_everywhere():
    assert theme.COUNTRY_COLOURS == {"VN": theme.VN_COLOUR, "KH": theme.KH_COLOUR}
    assert theme.VN_RAMP[4] == theme.VN_COLOUR and theme.KH_RAMP[4] == theme.KH_COLOUR
    assert {theme.VN_COLOUR, theme.KH_COLOUR, theme.ACHIEVED_COLOUR, theme.TARGET_COLOUR} <= set(
        theme.OKABE_ITO.values()
    )


def test_source_line_is_escaped_in_figures():
    fig = theme.style_figure(charts.go.Figure(), "t", "s", "Source: <script>x</script>", 300)
    assert "&lt;script&gt;" in fig.layout.annotations[0].text


def test_the_partner_network_draws_only_the_strongest_pairs(monkeypatch):
    monkeypatch.setattr(charts, "MAX_NETWORK_EDGES", 4)
    links, places = many_links(9)
    fig = charts.partner_network(links, places)
    assert len([t for t in fig.data if t.meta["role"] == "edge"]) == 4
    assert "4 strongest of 9 pairs" in fig.layout.title.subtitle.text


def test_many_partners_are_slanted_and_the_source_line_moves_below_them():
    links, places = many_links(12)
    fig = charts.cooperation_matrix(links, places, "Source: test")
    assert fig.layout.xaxis.tickangle == -45
    source = fig.layout.annotations[-1]
    assert "Source: test" in source.text and source.yshift < theme.SOURCE_OFFSET
    few = charts.cooperation_matrix(*many_links(3), "Source: test")
    assert few.layout.xaxis.tickangle is None and few.layout.annotations[-1].yshift == theme.SOURCE_OFFSET
