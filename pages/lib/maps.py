"""The province map, drawn offline.

Plotly's geo traces fetch a world outline from a CDN and its tile maps need WebGL,
so provinces are drawn as filled ``go.Scatter`` polygons on ordinary axes with an
equal-area-ish aspect (latitude stretched by 1/cos of the mid latitude). One trace per
province gives each its own hover; a point at each province's centre makes it clickable.

``province_geometry`` turns the GeoJSON into plain coordinate lists once (cached by the
caller); ``province_map`` is a pure function of those lists and the filtered tables.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import geopandas as gpd
import numpy as np
import pandas as pd
import plotly.graph_objects as go
import shapely

from etl.schema import ID_SEPARATOR
from etl.text import slugify
from pages.lib import facts, theme
from pages.lib.filters import province_of, scope_ids
from pages.lib.wording import counted

#: Simplification tolerance for drawing (degrees, about 1 km): fewer points, same look.
DRAW_TOLERANCE = 0.01
#: Coordinates are rounded to this many decimals in the figure (about 10 m).
COORD_DECIMALS = 4
#: Upper bin edges are exclusive: 0 | 1-2 | 3-9 | 10-29 | 30-99 | 100+.
BIN_EDGES = (0, 1, 3, 10, 30, 100)
METRICS = {"mentions": "place mentions", "claims": "claims"}
#: Extents as ((lon min, lon max), (lat min, lat max)).
EXTENTS = {
    "border": ((102.2, 109.6), (8.3, 15.3)),
    "all": ((102.0, 109.6), (8.3, 23.5)),
}
POINT_LEVELS = {"city": "circle", "border_gate": "triangle-up", "landmark": "star", "district": "square"}
LEVEL_NAMES = {"city": "City", "border_gate": "Border gate", "landmark": "Landmark", "district": "District"}
#: Levels that have no meaningful point on a province map, so no link line is drawn to them.
UNMAPPED_LEVELS = ("country", "region", "river")
POINT_MIN_SIZE, POINT_SIZE_PER_SQRT, POINT_MAX_SIZE = 7, 5, 56
LINK_MIN_WIDTH, LINK_WIDTH_PER_SQRT, LINK_MAX_WIDTH = 1.0, 1.2, 10.0
#: Links drawn at most (the strongest): each is a trace, and a few thousand make a map slow to send
#: and to draw without making it easier to read.
MAX_LINKS = 150
HANDLE_SIZE = 6
MAP_TOP_MARGIN = 80
HANDLE_OPACITY = 0.6
ROLE_PROVINCE, ROLE_HANDLE, ROLE_POINTS, ROLE_LINK = "province", "province_handle", "places", "link"
ROLE_NAMES, ROLE_SELECTED, ROLE_RAMP = "province_names", "selected_province", "colour_key"
#: The colour key: type size, swatch height and gap between the rows (px); where it stands, the width of
#: its country names and of a swatch (fractions of the plot).
KEY_FONT, KEY_BAR_PX, KEY_GAP_PX = 12, 14, 4
KEY_LEFT, KEY_BOTTOM, KEY_NAME_WIDTH, KEY_SWATCH = 0.015, 0.03, 0.13, 0.07
#: Province names written on the map (px), and the chosen province's outline width.
NAME_SIZE, SELECTED_WIDTH = 11, 4


@dataclass(frozen=True)
class MapGeometry:
    """Boundaries as plotly-ready coordinate lists (``None`` separates rings)."""

    provinces: (
        pd.DataFrame
    )  # place_id, name, name_local, country, iso_3166_2, border, merged_into_2025, xs, ys, cx, cy
    background: pd.DataFrame  # name, xs, ys: the countries around (Laos, Thailand)
    border_xs: list[float | None]
    border_ys: list[float | None]


def _xy(lines: Sequence) -> tuple[list[float | None], list[float | None]]:
    xs: list[float | None] = []
    ys: list[float | None] = []
    for line in lines:
        coords = np.round(shapely.get_coordinates(line), COORD_DECIMALS)
        if xs:
            xs.append(None)
            ys.append(None)
        xs.extend(coords[:, 0].tolist())
        ys.extend(coords[:, 1].tolist())
    return xs, ys


def rings(geometry: shapely.Geometry) -> list:
    """Exterior and interior rings of a (multi)polygon.

    Holes are wound the other way round, so SVG's non-zero fill rule leaves them empty.
    """
    polygons = getattr(geometry, "geoms", [geometry])
    return [ring for poly in polygons for ring in (poly.exterior, *poly.interiors)]


def province_geometry(
    provinces: gpd.GeoDataFrame, countries: gpd.GeoDataFrame, tolerance: float = DRAW_TOLERANCE
) -> MapGeometry:
    """Coordinate lists for every province, the neighbouring countries and the VN-KH land border."""
    simplified = provinces.geometry.simplify_coverage(tolerance) if tolerance else provinces.geometry
    rows = []
    for (_, feature), shape in zip(provinces.iterrows(), simplified, strict=True):
        xs, ys = _xy(rings(shape))
        centre = shape.representative_point()
        rows.append(
            {
                "place_id": slugify(feature["name"]),
                "name": feature["name"],
                "name_local": feature["name_local"],
                "country": feature["country"],
                "iso_3166_2": feature["iso_3166_2"],
                "border": bool(feature["borders_other_country"]),
                "merged_into_2025": feature["merged_into_2025"],
                "xs": xs,
                "ys": ys,
                "cx": round(centre.x, COORD_DECIMALS),
                "cy": round(centre.y, COORD_DECIMALS),
                "area": shape.area,
            }
        )
    # Largest first, so a province inside another (Phnom Penh in Kandal) is drawn on top.
    table = (
        pd.DataFrame(rows).sort_values("area", ascending=False).drop(columns="area").reset_index(drop=True)
    )
    by_code = countries.set_index("iso_a2").geometry
    background = [
        {"name": name, **dict(zip(("xs", "ys"), _xy(rings(geom)), strict=True))}
        for name, geom in zip(countries["name"], countries.geometry, strict=True)
        if name not in theme.COUNTRY_NAMES.values()
    ]
    border = shapely.line_merge(by_code["VN"].boundary.intersection(by_code["KH"].boundary))
    border_xs, border_ys = _xy(getattr(border, "geoms", [border]))
    return MapGeometry(table, pd.DataFrame(background, columns=["name", "xs", "ys"]), border_xs, border_ys)


def province_counts(places: pd.DataFrame, mentions: pd.DataFrame, claims: pd.DataFrame) -> pd.DataFrame:
    """Mentions of places in each province and claims about one (their scope: named in their sentence or
    found from its context, ``claims.scope_place_ids``), by province id.

    Counted per distinct place and per distinct scope, then mapped to provinces (a hundred places and a
    few thousand scopes, against hundreds of thousands of mentions and claims).
    """
    province = province_of(places)
    per_place = mentions["place_id"].value_counts()
    mention_counts = per_place.groupby(per_place.index.map(province)).sum()
    per_scope = scope_ids(claims).dropna().astype(str).value_counts()
    claim_counts: dict[str, int] = {}
    for scope, n in zip(per_scope.index, per_scope.tolist(), strict=True):
        # a claim counts once for a province, however many of its places are in it
        for province_id in {province.get(place_id) for place_id in scope.split(ID_SEPARATOR)} - {None}:
            claim_counts[province_id] = claim_counts.get(province_id, 0) + n
    out = pd.DataFrame({"mentions": mention_counts, "claims": pd.Series(claim_counts, dtype="int64")})
    out = out.fillna(0).astype(int)
    out.index = out.index.astype("str")
    out.index.name = "province_id"
    return out.reset_index()


def bin_index(count: int, edges: Sequence[int] = BIN_EDGES) -> int:
    """Which colour bin a count falls in.

    >>> [bin_index(n) for n in (0, 1, 2, 3, 29, 30, 500)]
    [0, 1, 1, 2, 3, 4, 5]
    """
    return max(i for i, edge in enumerate(edges) if count >= edge)


def bin_label(index: int, edges: Sequence[int] = BIN_EDGES) -> str:
    """
    >>> bin_label(0), bin_label(1), bin_label(5)
    ('0', '1–2', '100+')
    """
    lo = edges[index]
    if index + 1 == len(edges):
        return f"{lo}+"
    hi = edges[index + 1] - 1
    return str(lo) if lo == hi else f"{lo}–{hi}"


def province_colour(country: str, count: int) -> str:
    """A province's fill: its country's ramp at the count's bin."""
    return theme.COUNTRY_RAMPS.get(country, theme.VN_RAMP)[bin_index(count)]


def province_tip(province: pd.Series, n_mentions: int, n_claims: int, bold: str = "{}",
                 newline: str = "\n") -> str:
    """What hovering a province tells (a row of ``MapGeometry.provinces``); ``bold`` formats its name
    and ``newline`` breaks lines (plotly: ``<b>{}</b>`` and ``<br>``)."""
    country = theme.COUNTRY_NAMES.get(province.country, province.country)
    local = province.name_local
    local = f" ({local})" if isinstance(local, str) and local != province.name else ""
    border = f"{newline}On the Vietnam–Cambodia land border" if province.border else ""
    return (f"{bold.format(province.name)}{local}, {country}{newline}"
            f"{counted(n_mentions, 'place mention')} · {counted(n_claims, 'claim')}{border}")


def mapped_points(places: pd.DataFrame, extent: str) -> pd.DataFrame:
    """The places drawn as points on a map of ``extent``: towns, gates, landmarks and districts
    inside it that are mentioned."""
    (x0, x1), (y0, y1) = EXTENTS[extent]
    inside = places["lon"].between(x0, x1) & places["lat"].between(y0, y1)
    return places[places["level"].isin(list(POINT_LEVELS)) & inside & (places["n_mentions"] > 0)]


def _province_traces(geometry: MapGeometry, counts: pd.DataFrame, metric: str) -> list[go.Scatter]:
    by_id = counts.set_index("province_id")
    traces = []
    for p in geometry.provinces.itertuples():
        n_mentions = int(by_id["mentions"].get(p.place_id, 0))
        n_claims = int(by_id["claims"].get(p.place_id, 0))
        value = n_mentions if metric == "mentions" else n_claims
        level = bin_index(value)
        country = theme.COUNTRY_NAMES.get(p.country, p.country)
        traces.append(
            go.Scatter(
                x=p.xs,
                y=p.ys,
                mode="lines",
                fill="toself",
                name=f"{country}: {bin_label(level)} {METRICS[metric]}",
                legendgroup=f"{p.country}-{level}",
                showlegend=False,  # the colour keys (``_ramp_traces``) say what the fills mean
                fillcolor=province_colour(p.country, value),
                line={"color": "white", "width": 0.6},
                hoveron="fills",
                hoverinfo="text",
                text=province_tip(p, n_mentions, n_claims, bold="<b>{}</b>", newline="<br>"),
                meta={"role": ROLE_PROVINCE, "id": p.place_id},
            )
        )
    return traces


def add_colour_key(fig: go.Figure, counts: pd.DataFrame, metric: str, plot_px: float,
                   font_size: int | None = None) -> go.Figure:
    """The colour key, in the sea at the map's lower left: a row of swatches per country, Vietnam's above
    Cambodia's, light to dark up to the darkest bin in use, the bins' counts under them (two small rows
    instead of a dozen legend entries). ``plot_px``: the plot's height, to size the rows in pixels."""
    size = font_size or KEY_FONT
    top = bin_index(int(counts[metric].max())) if not counts.empty else 0
    levels = list(range(top + 1))
    row_h = KEY_BAR_PX / max(plot_px, 1)
    gap = KEY_GAP_PX / max(plot_px, 1)
    label_h = (size + 6) / max(plot_px, 1)
    x0 = KEY_LEFT + KEY_NAME_WIDTH
    rows = list(theme.COUNTRY_RAMPS.items())
    height = len(rows) * (row_h + gap) + label_h
    right = x0 + KEY_SWATCH * len(levels) + 0.01
    fig.add_shape(type="rect", xref="paper", yref="paper", x0=KEY_LEFT - 0.005, x1=right,
                  y0=KEY_BOTTOM - 0.01, y1=KEY_BOTTOM + height + 0.01, fillcolor="rgba(255,255,255,0.88)",
                  line={"width": 0}, layer="above", name=ROLE_RAMP)
    for row, (code, ramp) in enumerate(rows):
        y = KEY_BOTTOM + label_h + (len(rows) - 1 - row) * (row_h + gap)
        fig.add_annotation(x=KEY_LEFT, y=y + row_h / 2, xref="paper", yref="paper", xanchor="left",
                           yanchor="middle", showarrow=False, text=theme.COUNTRY_NAMES[code],
                           font={"size": size, "color": theme.NAME_COLOUR}, name=ROLE_RAMP)
        for i in levels:
            fig.add_shape(type="rect", xref="paper", yref="paper", x0=x0 + i * KEY_SWATCH,
                          x1=x0 + (i + 1) * KEY_SWATCH, y0=y, y1=y + row_h, fillcolor=ramp[i],
                          line={"color": "#999999", "width": 0.5}, layer="above", name=ROLE_RAMP)
    for i in levels:
        fig.add_annotation(x=x0 + (i + 0.5) * KEY_SWATCH, y=KEY_BOTTOM + label_h, xref="paper", yref="paper",
                           xanchor="center", yanchor="top", showarrow=False, text=bin_label(i),
                           font={"size": size, "color": theme.NAME_COLOUR}, name=ROLE_RAMP)
    return fig


def _name_trace(geometry: MapGeometry, counts: pd.DataFrame, metric: str, border: bool = True) -> go.Scatter:
    """The names of the border provinces (unless ``border`` is false) and of those the articles name,
    written under their centre (an official reads "Kampot" without hovering)."""
    p = geometry.provinces
    named = set(counts.loc[counts[metric] > 0, "province_id"]) if not counts.empty else set()
    shown = p[(p["border"] & border) | p["place_id"].isin(named)]
    return go.Scatter(
        x=shown["cx"],
        y=shown["cy"],
        mode="text",
        text=shown["name"],
        textposition="bottom center",
        textfont={"size": NAME_SIZE, "color": theme.NAME_COLOUR},
        hoverinfo="skip",
        showlegend=False,
        meta={"role": ROLE_NAMES},
    )


def _selected_traces(geometry: MapGeometry, selected: str | None) -> list[go.Scatter]:
    """The chosen province outlined thick, with a legend entry naming it (none when nothing is chosen)."""
    chosen = geometry.provinces[geometry.provinces["place_id"] == selected] if selected else None
    if chosen is None or chosen.empty:
        return []
    row = chosen.iloc[0]
    return [go.Scatter(x=row["xs"], y=row["ys"], mode="lines", name=f"Chosen: {row['name']}",
                       hoverinfo="skip", line={"color": theme.SELECTED_LINE, "width": SELECTED_WIDTH},
                       meta={"role": ROLE_SELECTED}, legendrank=0)]


def _outline_traces(geometry: MapGeometry) -> list[go.Scatter]:
    border_provinces = geometry.provinces[geometry.provinces["border"]]
    xs: list[float | None] = []
    ys: list[float | None] = []
    for p in border_provinces.itertuples():
        xs += [*p.xs, None]
        ys += [*p.ys, None]
    return [
        go.Scatter(
            x=xs,
            y=ys,
            mode="lines",
            name="Province on the land border (outlined)",
            hoverinfo="skip",
            line={"color": theme.BORDER_PROVINCE_LINE, "width": 1.4},
            legendrank=10,
        ),
        go.Scatter(
            x=geometry.border_xs,
            y=geometry.border_ys,
            mode="lines",
            hoverinfo="skip",
            name="Vietnam–Cambodia land border",
            line={"color": theme.BORDER_LINE, "width": 3},
            legendrank=1,
        ),
    ]


def _background_traces(geometry: MapGeometry) -> list[go.Scatter]:
    return [
        go.Scatter(
            x=row.xs,
            y=row.ys,
            mode="lines",
            fill="toself",
            fillcolor=theme.BACKGROUND_LAND,
            line={"color": "white", "width": 0.8},
            hoverinfo="text",
            hoveron="fills",
            text=row.name,
            showlegend=False,
            meta={"role": "background"},
        )
        for row in geometry.background.itertuples()
    ]


def _handle_trace(geometry: MapGeometry, counts: pd.DataFrame) -> go.Scatter:
    """A clickable point at each province's centre (clicking a filled area selects nothing in plotly)."""
    by_id = counts.set_index("province_id")
    p = geometry.provinces
    text = [
        f"<b>{name}</b><br>{counted(int(by_id['mentions'].get(pid, 0)), 'place mention')} · "
        f"{counted(int(by_id['claims'].get(pid, 0)), 'claim')}<br>Click to list its claims"
        for pid, name in zip(p["place_id"], p["name"], strict=True)
    ]
    return go.Scatter(
        x=p["cx"],
        y=p["cy"],
        mode="markers",
        name="Province (click for claims)",
        marker={
            "size": HANDLE_SIZE,
            "color": "white",
            "opacity": HANDLE_OPACITY,
            "line": {"color": "#666666", "width": 1},
        },
        customdata=np.array(p[["place_id", "name"]]),
        hovertext=text,
        hoverinfo="text",
        meta={"role": ROLE_HANDLE},
        legendrank=20,
    )


def _point_traces(places: pd.DataFrame, extent: str) -> list[go.Scatter]:
    points = mapped_points(places, extent)
    traces = []
    # one scale for every kind of place, so sizes compare across symbols
    all_sizes = theme.sqrt_sizes(points["n_mentions"], POINT_MIN_SIZE, POINT_SIZE_PER_SQRT, POINT_MAX_SIZE)
    size_of = pd.Series(all_sizes, index=points.index)
    for level, symbol in POINT_LEVELS.items():
        group = points[points["level"] == level]
        if group.empty:
            continue
        sizes = size_of[group.index]
        text = [
            f"<b>{n}</b> ({LEVEL_NAMES[level].lower()})<br>"
            f"{counted(int(m), 'mention')} in {counted(int(a), 'article')}"
            for n, m, a in zip(group["name"], group["n_mentions"], group["n_articles"], strict=True)
        ]
        traces.append(
            go.Scatter(
                x=group["lon"],
                y=group["lat"],
                mode="markers",
                name=f"{LEVEL_NAMES[level]} (size: mentions)",
                marker={
                    "symbol": symbol,
                    "size": sizes,
                    "color": theme.POINT_COLOUR,
                    "line": {"color": "white", "width": 1},
                },
                customdata=np.array(group[["province_id", "name"]].fillna("")),
                hovertext=text,
                hoverinfo="text",
                meta={"role": ROLE_POINTS},
                legendrank=30,
            )
        )
    return traces


def link_pairs(links: pd.DataFrame, places: pd.DataFrame) -> pd.DataFrame:
    """Cooperation links between mappable places: one row per pair, with coordinates and a count."""
    mappable = places[~places["level"].isin(UNMAPPED_LEVELS)].set_index("place_id")
    pairs = links.groupby(["place_a", "place_b"]).size().rename("n").reset_index()
    pairs = pairs[pairs["place_a"].isin(mappable.index) & pairs["place_b"].isin(mappable.index)]
    for end in ("a", "b"):
        ids = pairs[f"place_{end}"]
        pairs[f"name_{end}"] = ids.map(mappable["name"])
        pairs[f"lon_{end}"] = ids.map(mappable["lon"]).astype(float)
        pairs[f"lat_{end}"] = ids.map(mappable["lat"]).astype(float)
    return pairs.reset_index(drop=True)


def _link_traces(pairs: pd.DataFrame) -> list[go.Scatter]:
    traces = []
    pairs, left_out = facts.strongest(pairs, MAX_LINKS, ["place_a", "place_b"])
    name = f"Cooperation links: {left_out}" if left_out else "Cooperation link"
    name += " (width: sentences)"
    widths = theme.sqrt_sizes(pairs["n"], LINK_MIN_WIDTH, LINK_WIDTH_PER_SQRT, LINK_MAX_WIDTH)
    for i, (row, width) in enumerate(zip(pairs.itertuples(), widths, strict=True)):
        traces.append(
            go.Scatter(
                x=[row.lon_a, row.lon_b],
                y=[row.lat_a, row.lat_b],
                mode="lines",
                line={"color": theme.OKABE_ITO["reddish_purple"], "width": width},
                opacity=0.8,
                name=name,
                legendgroup="links",
                showlegend=i == 0,
                hoverinfo="text",
                text=f"{row.name_a} – {row.name_b}: {row.n} sentences",
                meta={"role": ROLE_LINK},
                legendrank=40,
            )
        )
    return traces


def province_map(
    geometry: MapGeometry,
    places: pd.DataFrame,
    mentions: pd.DataFrame,
    claims: pd.DataFrame,
    links: pd.DataFrame,
    source: str,
    metric: str = "mentions",
    extent: str = "border",
    show_points: bool = True,
    show_links: bool = True,
    height: int = 720,
    compact: bool = False,
    counts: pd.DataFrame | None = None,
    pairs: pd.DataFrame | None = None,
    selected: str | None = None,
    name_border: bool = True,
) -> go.Figure:
    """Provinces of Vietnam and Cambodia coloured by mentions or claims, with the land border,
    border provinces outlined and named (and those the articles name), places sized by mentions and
    cooperation links; the province ``selected`` (its id) drawn with a thick outline.

    ``compact`` is for a small map: a short title, no legend and no names (the hover still tells all).
    ``counts`` (``province_counts``) and ``pairs`` (``link_pairs``) may be passed when already known.
    ``name_border``: false names only the provinces with mentions or claims (a slide, in large type).
    """
    if counts is None:
        counts = province_counts(places, mentions, claims)
    bounds = EXTENTS[extent]
    traces = [
        *_background_traces(geometry),
        *_province_traces(geometry, counts, metric),
        *_outline_traces(geometry),
    ]
    if show_links:
        traces += _link_traces(link_pairs(links, places) if pairs is None else pairs)
    traces += _selected_traces(geometry, selected)
    if not compact:
        traces.append(_name_trace(geometry, counts, metric, border=name_border))
    traces.append(_handle_trace(geometry, counts))
    if show_points:
        traces += _point_traces(places, extent)
    fig = go.Figure(traces)
    where = "southern Vietnam and Cambodia" if extent == "border" else "Vietnam and Cambodia"
    title = f"{METRICS[metric].capitalize()} by province, {where}"
    theme.style_figure(
        fig,
        title if compact else f"Where the articles point: {title[0].lower()}{title[1:]}",
        f"Colour: {METRICS[metric]} per province, darker = more; dark outline: provinces on the land border; "
        "points: places sized by mentions",
        f"{source}\n{theme.BOUNDARY_ATTRIBUTION}",
        height,
    )
    (x0, x1), (y0, y1) = bounds
    mid_latitude = math.radians((y0 + y1) / 2)
    # the map fills the chart's width (the view widens east and west) rather than leaving it empty
    fig.update_xaxes(range=[x0, x1], visible=False, constrain="range")
    fig.update_yaxes(range=[y0, y1], visible=False, scaleanchor="x", scaleratio=1 / math.cos(mid_latitude))
    fig.update_layout(
        plot_bgcolor=theme.SEA_COLOUR,
        dragmode="pan",
        hovermode="closest",
        legend={"orientation": "v", "y": 1, "yanchor": "top", "x": 1.02, "xanchor": "left"},
        margin={"r": 10, "t": MAP_TOP_MARGIN},  # the legend is at the side: no room needed above
        showlegend=not compact,
    )
    if not compact:
        add_colour_key(fig, counts, metric, height - MAP_TOP_MARGIN - theme.BOTTOM_MARGIN)
    return fig
