"""The overview's small province map, drawn as plain SVG on the server.

The interactive map (``maps.province_map``) needs plotly.js, a 4.7 MB script that a
browser must download, parse and run before the first chart appears: about a second
and a half on a small machine, on every first visit. The overview only needs to show
where the articles point, so it draws the same provinces, colours, outlines and places
as SVG paths (a few tens of kilobytes, drawn by the browser at once). Each province and
place carries a ``<title>``, which browsers show as a tooltip on hover; the Map page has
zoom, links and clicks.

``province_paths`` projects the boundaries once per extent (the caller caches it);
``province_svg`` is a pure function of those paths and the view's counts.
"""

from __future__ import annotations

import html
import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from pages.lib import maps, theme
from pages.lib.wording import counted

#: Width of the drawing in SVG units; it scales to its container, so this only sets precision.
WIDTH = 600
#: Decimals kept in path coordinates (a tenth of a unit at 600 units wide).
DECIMALS = 1
PROVINCE_LINE, BACKGROUND_LINE, BORDER_PROVINCE_WIDTH, BORDER_WIDTH = 0.6, 0.8, 1.4, 3.0
#: Place symbols: the same sizes as the interactive map, scaled to this drawing.
POINT_MIN_SIZE, POINT_SIZE_PER_SQRT, POINT_MAX_SIZE = 7, 5, 40
STAR_INNER_RATIO = 0.45
SWATCH_STYLE = "display:inline-block;width:0.9rem;height:0.9rem;border:1px solid #ccc;vertical-align:middle;"
LEGEND_STYLE = "font-size:0.8rem;color:#444;display:flex;flex-wrap:wrap;gap:0.2rem 1rem;margin:0.3rem 0;"


@dataclass(frozen=True)
class Projection:
    """Longitude and latitude to SVG units: latitude stretched by 1/cos of the mid latitude
    (as the interactive map does), north up, the extent filling ``WIDTH`` units."""

    x0: float
    y1: float
    scale: float
    stretch: float
    height: float

    @classmethod
    def of(cls, extent: str) -> Projection:
        (x0, x1), (y0, y1) = maps.EXTENTS[extent]
        scale = WIDTH / (x1 - x0)
        stretch = 1 / math.cos(math.radians((y0 + y1) / 2))
        return cls(x0, y1, scale, stretch, round((y1 - y0) * stretch * scale, DECIMALS))

    def xy(self, lon: np.ndarray, lat: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        x = (np.asarray(lon, dtype=float) - self.x0) * self.scale
        y = (self.y1 - np.asarray(lat, dtype=float)) * self.stretch * self.scale
        return np.round(x, DECIMALS), np.round(y, DECIMALS)


def path(
    xs: Sequence[float | None], ys: Sequence[float | None], projection: Projection, closed: bool = True
) -> str:
    """An SVG path from plotly-style coordinate lists, where ``None`` separates rings (``closed``)
    or lines.

    >>> p = Projection(x0=0, y1=10, scale=1, stretch=1, height=10)
    >>> path([0, 1, 1, None, 5, 6, 6], [10, 10, 9, None, 5, 5, 4], p)
    'M0 0L1 0L1 1ZM5 5L6 5L6 6Z'
    >>> path([0, 1, None, 5, 6], [10, 10, None, 5, 5], p, closed=False)
    'M0 0L1 0M5 5L6 5'
    """
    end = "Z" if closed else ""
    lon = np.array([np.nan if v is None else v for v in xs], dtype=float)
    lat = np.array([np.nan if v is None else v for v in ys], dtype=float)
    x, y = projection.xy(lon, lat)
    parts = []
    for ring in np.split(np.arange(len(x)), np.flatnonzero(np.isnan(x))):
        ring = ring[~np.isnan(x[ring])]
        if len(ring):
            points = "L".join(f"{_num(a)} {_num(b)}" for a, b in zip(x[ring], y[ring], strict=True))
            parts.append(f"M{points}{end}")
    return "".join(parts)


def _num(value: float) -> str:
    """A coordinate to ``DECIMALS`` places, without a trailing ``.0``.

    >>> _num(12.0), _num(3.14159), _num(-0.04)
    ('12', '3.1', '0')
    """
    rounded = round(float(value), DECIMALS) + 0.0  # + 0.0 turns -0.0 into 0.0
    return f"{rounded:.{DECIMALS}f}".rstrip("0").rstrip(".")


@dataclass(frozen=True)
class ProjectedMap:
    """Every outline of ``maps.MapGeometry`` as SVG path data, for one extent."""

    projection: Projection
    provinces: pd.Series  # path data by province id, largest province first
    background: tuple[tuple[str, str], ...]  # (country name, path data)
    border_provinces: str
    border: str


def province_paths(geometry: maps.MapGeometry, extent: str = "border") -> ProjectedMap:
    """Project the boundaries once; the counts change with every filter, the outlines never."""
    projection = Projection.of(extent)
    p = geometry.provinces
    provinces = pd.Series(
        [path(xs, ys, projection) for xs, ys in zip(p["xs"], p["ys"], strict=True)], index=p["place_id"]
    )
    background = tuple(
        (row.name, path(row.xs, row.ys, projection)) for row in geometry.background.itertuples()
    )
    outlined = "".join(provinces[pid] for pid in p.loc[p["border"], "place_id"])
    border = path(geometry.border_xs, geometry.border_ys, projection, closed=False)
    return ProjectedMap(projection, provinces, background, outlined, border)


def _symbol(level: str, x: float, y: float, size: float) -> tuple[str, str]:
    """A place's marker, ``size`` across, centred on (x, y), as (tag, attributes): the interactive
    map's symbols (square districts, triangular border gates, star landmarks, round cities)."""
    r = size / 2
    if level == "district":
        side, corner = _num(r * 1.7), (x - r * 0.85, y - r * 0.85)
        return "rect", f'x="{_num(corner[0])}" y="{_num(corner[1])}" width="{side}" height="{side}"'
    if level == "border_gate":
        corners = [(x, y - r), (x + r, y + r * 0.8), (x - r, y + r * 0.8)]
    elif level == "landmark":
        radii = [r if i % 2 == 0 else r * STAR_INNER_RATIO for i in range(10)]
        angles = [math.pi * i / 5 - math.pi / 2 for i in range(10)]
        corners = [(x + d * math.cos(a), y + d * math.sin(a)) for d, a in zip(radii, angles, strict=True)]
    else:
        return "circle", f'cx="{_num(x)}" cy="{_num(y)}" r="{_num(r)}"'
    points = "L".join(f"{_num(a)} {_num(b)}" for a, b in corners)
    return "path", f'd="M{points}Z"'


def _points(places: pd.DataFrame, projected: ProjectedMap, extent: str) -> list[str]:
    # the most mentioned last, so a big symbol never hides a small one
    points = maps.mapped_points(places, extent).sort_values("n_mentions", kind="stable")
    sizes = theme.sqrt_sizes(points["n_mentions"], POINT_MIN_SIZE, POINT_SIZE_PER_SQRT, POINT_MAX_SIZE)
    xs, ys = projected.projection.xy(points["lon"], points["lat"])
    out = []
    for row, x, y, size in zip(points.itertuples(), xs, ys, sizes, strict=True):
        kind = maps.LEVEL_NAMES[row.level].lower()
        tip = (f"{row.name} ({kind}): {counted(int(row.n_mentions), 'mention')} "
               f"in {counted(int(row.n_articles), 'article')}")
        tag, attributes = _symbol(row.level, x, y, size)
        out.append(f"<{tag} {attributes}><title>{html.escape(tip)}</title></{tag}>")
    return out


def province_svg(
    projected: ProjectedMap,
    provinces: pd.DataFrame,
    places: pd.DataFrame,
    counts: pd.DataFrame,
    metric: str = "mentions",
    extent: str = "border",
    show_points: bool = True,
) -> str:
    """The province map as one ``<svg>`` element: provinces coloured by ``metric`` in the
    interactive map's bins and ramps, border provinces outlined, the land border, places.

    ``provinces`` is ``maps.MapGeometry.provinces`` (names, countries, border flags) and
    ``counts`` is ``maps.province_counts`` for the view.
    """
    by_id = counts.set_index("province_id")
    mentions = by_id["mentions"].reindex(provinces["place_id"], fill_value=0).to_numpy()
    claims = by_id["claims"].reindex(provinces["place_id"], fill_value=0).to_numpy()
    values = mentions if metric == "mentions" else claims
    shapes = []
    for name, d in projected.background:
        shapes.append(f'<path d="{d}" fill="{theme.BACKGROUND_LAND}" stroke="white" '
                      f'stroke-width="{BACKGROUND_LINE}"><title>{html.escape(name)}</title></path>')
    for p, n_mentions, n_claims, value in zip(provinces.itertuples(), mentions, claims, values, strict=True):
        colour = maps.province_colour(p.country, int(value))
        tip = maps.province_tip(p, int(n_mentions), int(n_claims))
        shapes.append(f'<path d="{projected.provinces[p.place_id]}" fill="{colour}" stroke="white" '
                      f'stroke-width="{PROVINCE_LINE}"><title>{html.escape(tip)}</title></path>')
    shapes.append(f'<path d="{projected.border_provinces}" fill="none" stroke="{theme.BORDER_PROVINCE_LINE}" '
                  f'stroke-width="{BORDER_PROVINCE_WIDTH}" pointer-events="none"/>')
    shapes.append(f'<path d="{projected.border}" fill="none" stroke="{theme.BORDER_LINE}" '
                  f'stroke-width="{BORDER_WIDTH}" stroke-linejoin="round" pointer-events="none"/>')
    if show_points:
        shapes.append(f'<g fill="{theme.POINT_COLOUR}" stroke="white" stroke-width="1">')
        shapes += _points(places, projected, extent)
        shapes.append("</g>")
    height = projected.projection.height
    label = f"{maps.METRICS[metric].capitalize()} by province, " + (
        "southern Vietnam and Cambodia" if extent == "border" else "Vietnam and Cambodia")
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {_num(height)}" role="img" '
        f'aria-label="{html.escape(label)}" style="width:100%;max-width:760px;height:auto;display:block">'
        f'<rect width="{WIDTH}" height="{_num(height)}" fill="{theme.SEA_COLOUR}"/>'
        + "".join(shapes)
        + "</svg>"
    )


def legend(counts: pd.DataFrame, metric: str = "mentions") -> str:
    """The colour bins in use, per country, as a line of swatches (HTML)."""
    values = counts[metric] if len(counts) else pd.Series([0])
    top = max(maps.bin_index(int(v)) for v in [0, *values])
    items = []
    for code, name in theme.COUNTRY_NAMES.items():
        ramp = theme.COUNTRY_RAMPS[code]
        swatches = "".join(
            f'<span title="{maps.bin_label(i)}" style="{SWATCH_STYLE}background:{ramp[i]}"></span>'
            for i in range(top + 1)
        )
        items.append(f"<span>{name} {swatches}</span>")
    bins = " · ".join(maps.bin_label(i) for i in range(top + 1))
    items.append(f"<span>{html.escape(maps.METRICS[metric])}: {bins}</span>")
    return f'<div style="{LEGEND_STYLE}">{"".join(items)}</div>'
