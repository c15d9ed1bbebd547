"""Charts on a briefing slide and the map's colour key: type large enough to read from the back of a
room, and a key that says what the fills mean in two rows instead of a dozen legend entries."""

from __future__ import annotations

import math

import plotly.graph_objects as go
import pytest

from pages.lib import charts, crosscheck, facts, maps, theme
from tests.views import small_view, view_figures


def figures(geometry) -> dict[str, go.Figure]:
    return view_figures(small_view(), geometry)


def font_sizes(fig: go.Figure) -> list[float]:
    """Every type size the figure sets (layout, axes, legend, annotations, traces' text)."""
    layout = fig.layout
    sizes = [layout.font.size, layout.title.font.size, layout.legend.font.size]
    sizes += [axis.tickfont.size for axis in (layout.xaxis, layout.yaxis)]
    sizes += [note.font.size for note in layout.annotations]
    sizes += [t.textfont.size for t in fig.data if getattr(t, "textfont", None) is not None and t.text is not None]
    return [s for s in sizes if s is not None]


@pytest.mark.parametrize("name", ["trade", "map", "network"])
def test_a_slide_chart_has_no_type_under_16_pixels(geometry, name):
    fig = theme.for_slide(figures(geometry)[name], 560)
    assert fig.layout.height == 560
    assert min(font_sizes(fig)) >= theme.SLIDE_SMALL


def test_a_slide_keeps_every_source_line_in_its_bottom_margin(geometry):
    fig = theme.for_slide(figures(geometry)["map"], 560)
    (source,) = [a for a in fig.layout.annotations if a.name == theme.SOURCE_ANNOTATION]
    lines = source.text.count("<br>") + 1
    assert fig.layout.margin.b >= -source.yshift + theme.SLIDE_LINE * lines
    assert all(len(line) <= theme.SLIDE_SOURCE_WRAP for line in source.text.split("<br>"))


def test_the_map_key_replaces_a_legend_entry_per_colour(geometry):
    fig = figures(geometry)["map"]
    names = [t.name for t in fig.data if t.showlegend is not False and t.name]
    assert not any("place mentions" in name for name in names)  # no "Vietnam: 1–2 place mentions"
    swatches = [s for s in fig.layout.shapes if s.name == maps.ROLE_RAMP and s.fillcolor in
                (*theme.VN_RAMP, *theme.KH_RAMP)]
    counts = maps.province_counts(small_view().places, small_view().mentions, small_view().claims)
    bins = maps.bin_index(int(counts["mentions"].max())) + 1
    assert len(swatches) == 2 * bins
    labels = [a.text for a in fig.layout.annotations if a.name == maps.ROLE_RAMP]
    assert labels[:2] == ["Vietnam", "Cambodia"] and labels[2:] == [maps.bin_label(i) for i in range(bins)]


def test_a_compact_map_has_no_key(geometry):
    view = small_view()
    fig = maps.province_map(geometry, view.places, view.mentions, view.claims, view.links, "", compact=True)
    assert not fig.layout.shapes


def test_one_figure_still_gets_two_ticks_on_its_amount_axis(geometry):
    view = small_view()
    rows = crosscheck.fact_rows(facts.labelled(facts.with_sources(view.claims, view.articles)), view.articles)
    vnd = facts.money_claims(rows, "VND")
    fig = charts.trade_chart(vnd.head(1), "VND")
    low, high = fig.layout.yaxis.range
    assert sum(low <= math.log10(v) <= high for v in fig.layout.yaxis.tickvals) >= 2
