"""The province map (plotly) and the overview's static SVG map, on the shipped boundaries."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from dataclasses import replace

import pandas as pd

from etl.output import frame
from etl.schema import CLAIMS, MENTIONS
from pages.lib import maps, svgmap, theme
from pages.lib.tables import Tables
from tests.views import (
    N_BORDER_PROVINCES,
    N_PROVINCES,
    REPO,
    empty_view,
    figure_traces,
    many_links,
    small_view,
)


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
    assert any(theme.BOUNDARY_ATTRIBUTION in a.text.replace("<br>", " ") for a in fig.layout.annotations)


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


def test_compact_map_has_a_short_title_and_no_legend(geometry):
    fig = province_figure(geometry, compact=True)
    assert fig.layout.showlegend is False
    assert fig.layout.title.text == "Place mentions by province, southern Vietnam and Cambodia"


def test_the_map_draws_only_the_strongest_links(geometry, monkeypatch):
    monkeypatch.setattr(maps, "MAX_LINKS", 5)
    links, places = many_links(12)
    fig = maps.province_map(geometry, places, frame(MENTIONS, []), frame(CLAIMS, []), links, "Source: test")
    drawn = figure_traces(fig, maps.ROLE_LINK)
    assert len(drawn) == 5
    assert all("place-0011" in t.text or "Place 0011" in t.text for t in drawn[:1])  # the strongest first
    assert "5 strongest of 12" in drawn[0].name


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
    assert "1 place mention ·" in tip and "On the Vietnam–Cambodia land border" in tip
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
    point = shapes["Kampong Trach (district): 1 mention in 1 article"]
    assert point.tag == f"{SVG}rect"  # districts are squares, as on the Map page
    assert not any(key.startswith("Kampong Trach") for key in titled(overview_svg(geometry, show_points=False)))


def test_overview_map_escapes_names(geometry):
    view = small_view()
    places = view.places.copy()
    places.loc[places["place_id"] == "kampong-trach", "name"] = "<script>alert(1)</script> & co"
    root = overview_svg(geometry, replace(view, places=places))
    assert "<script>alert(1)</script> & co (district): 1 mention in 1 article" in titled(root)
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


def test_tooltips_count_in_the_singular_for_one(geometry):
    province = geometry.provinces.iloc[0]
    assert "1 place mention · 1 claim" in maps.province_tip(province, 1, 1)
    assert "2 place mentions · 0 claims" in maps.province_tip(province, 2, 0)


def test_map_names_the_border_provinces_and_those_the_articles_name(geometry):
    (names,) = figure_traces(province_figure(geometry), maps.ROLE_NAMES)
    written = set(names.text)
    border = set(geometry.provinces.loc[geometry.provinces["border"], "name"])
    assert len(border) == N_BORDER_PROVINCES and border <= written
    assert {"Kampot", "Tay Ninh", "Kien Giang"} <= written
    assert len(written) < N_PROVINCES, "not every province: the map stays readable"
    assert not figure_traces(province_figure(geometry, compact=True), maps.ROLE_NAMES)


def test_the_chosen_province_is_outlined_and_named_in_the_legend(geometry):
    assert not figure_traces(province_figure(geometry), maps.ROLE_SELECTED)
    (chosen,) = figure_traces(province_figure(geometry, selected="kampot"), maps.ROLE_SELECTED)
    assert chosen.name == "Chosen: Kampot" and chosen.line.width > 2 and chosen.line.color == theme.SELECTED_LINE
    kampot = geometry.provinces.set_index("place_id").loc["kampot"]
    assert list(chosen.x) == list(kampot["xs"])


def test_province_counts_count_each_claim_once_per_province():
    """Counted per distinct place and scope, then by province: a claim about two places of one province
    counts once for it; a claim without a scope counts for its sentence's places; places without a
    province count for none."""
    from etl.schema import PLACES

    places = frame(PLACES, [
        {"place_id": "kampot", "name": "Kampot", "level": "province", "province_id": "kampot"},
        {"place_id": "kep-town", "name": "Kep", "level": "city", "province_id": "kampot"},
        {"place_id": "ha-tien", "name": "Ha Tien", "level": "city", "province_id": "kien-giang"},
        {"place_id": "cambodia", "name": "Cambodia", "level": "country"},
    ])
    mentions = frame(MENTIONS, [{"mention_id": f"m{i}", "place_id": p} for i, p in
                                enumerate(["kampot", "kep-town", "kep-town", "ha-tien", "cambodia"])])
    claims = frame(CLAIMS, [
        {"claim_id": "c1", "scope_place_ids": "kampot;kep-town"},  # one province, once
        {"claim_id": "c2", "scope_place_ids": "kampot;kep-town"},
        {"claim_id": "c3", "scope_place_ids": "kep-town;ha-tien;cambodia"},
        {"claim_id": "c4", "place_ids": "ha-tien"},  # no scope: its sentence's places
        {"claim_id": "c5", "scope_place_ids": "cambodia"},
    ])
    counts = maps.province_counts(places, mentions, claims).set_index("province_id")
    assert counts.to_dict("index") == {"kampot": {"mentions": 3, "claims": 3},
                                       "kien-giang": {"mentions": 1, "claims": 2}}
