"""Colours, fonts and the common look of every chart, defined once.

The palette is Okabe & Ito's (2008) colour-blind-safe set. Vietnam is always
vermillion and Cambodia always blue, on every page and in the briefing export;
the sequential ramps of the map are light-to-dark versions of the same two hues.
"""

from __future__ import annotations

import html
import math
import textwrap
from collections.abc import Iterable

import pandas as pd
import plotly.graph_objects as go

from pages.lib.facts import is_inferred, shown_date

#: Okabe-Ito palette (https://jfly.uni-koeln.de/color/), by name.
OKABE_ITO = {
    "black": "#000000",
    "orange": "#E69F00",
    "sky_blue": "#56B4E9",
    "bluish_green": "#009E73",
    "yellow": "#F0E442",
    "blue": "#0072B2",
    "vermillion": "#D55E00",
    "reddish_purple": "#CC79A7",
}
#: Qualitative sequence for categories that have no fixed colour.
SEQUENCE = [
    OKABE_ITO[k]
    for k in ("blue", "orange", "bluish_green", "reddish_purple", "sky_blue", "vermillion", "yellow", "black")
]

VN_COLOUR = OKABE_ITO["vermillion"]
KH_COLOUR = OKABE_ITO["blue"]
OTHER_COLOUR = "#8C8C8C"
COUNTRY_COLOURS = {"VN": VN_COLOUR, "KH": KH_COLOUR}
COUNTRY_NAMES = {"VN": "Vietnam", "KH": "Cambodia"}

#: The money chart's categories, each its colour (Vietnam's vermillion and Cambodia's blue kept for
#: the countries); a category not listed is grey. Status is told by marker shape, not colour.
CATEGORY_COLOURS = {
    "trade": OKABE_ITO["bluish_green"],
    "investment": OKABE_ITO["reddish_purple"],
    "aid": OKABE_ITO["orange"],
    "energy": OKABE_ITO["sky_blue"],
    "infrastructure": OKABE_ITO["black"],
}
#: Achieved figures and targets are told apart by colour and by fill: a target's marker is open, its
#: bar hatched (colour is never the only sign, for readers who do not see it).
ACHIEVED_COLOUR = OKABE_ITO["bluish_green"]
TARGET_COLOUR = OKABE_ITO["orange"]
TARGET_PATTERN = "/"
#: The money chart's marker shape per category, the same as its colour tells (a target's is open).
CATEGORY_SYMBOLS = {
    "trade": "circle",
    "investment": "square",
    "aid": "triangle-up",
    "energy": "star",
    "infrastructure": "hexagon",
}
OTHER_SYMBOL = "pentagon"


def figure_symbol(category: object, target: bool) -> str:
    """The marker of a money figure: its category's shape, open for a target.

    >>> figure_symbol("trade", False), figure_symbol("aid", True), figure_symbol("tourism", False)
    ('circle', 'triangle-up-open', 'pentagon')
    """
    base = CATEGORY_SYMBOLS.get(category, OTHER_SYMBOL) if isinstance(category, str) else OTHER_SYMBOL
    return f"{base}-open" if target else base

#: Map ramps, lightest (no mention) to darkest; sequential in one hue each.
VN_RAMP = ("#F7F7F7", "#FDE0C5", "#F9B88A", "#EE8A4F", "#D55E00", "#8F3F00")
KH_RAMP = ("#F7F7F7", "#D3E6F5", "#9DC8EA", "#5FA3D6", "#0072B2", "#004C77")
COUNTRY_RAMPS = {"VN": VN_RAMP, "KH": KH_RAMP}
SEA_COLOUR = "#EEF4F8"
BACKGROUND_LAND = "#E4E4E4"
BORDER_LINE = "#222222"
BORDER_PROVINCE_LINE = "#555555"
#: Province names on the map, and the outline of the province a reader chose (Okabe-Ito's
#: reddish purple: neither country's colour nor the border's black).
NAME_COLOUR, SELECTED_LINE = "#333333", OKABE_ITO["reddish_purple"]
#: Places on the map are dark so that fills keep the country colours to themselves.
POINT_COLOUR = "#333333"
HEATMAP_SCALE = "Blues"

#: System fonts only: the app and the briefing must not fetch web fonts.
FONT_FAMILY = "system-ui, -apple-system, 'Segoe UI', Roboto, 'Helvetica Neue', Arial, sans-serif"
FONT_SIZE = 13
TITLE_SIZE = 17
SOURCE_SIZE = 10
#: Room under the plot for the axis title and up to three source lines (pixels).
BOTTOM_MARGIN = 120
#: Room above the plot for the title, subtitle and a two-row legend (pixels).
TOP_MARGIN = 130
#: Height of each further line of a subtitle (lines are broken with ``<br>``).
SUBTITLE_LINE = 16
#: Source lines are wrapped at this many characters.
SOURCE_WRAP = 110  # about 600 px: whole under a plot pushed right by long labels at 1366 px
SOURCE_OFFSET = -64
#: The height of a source line (px).
SOURCE_LINE = 13
#: The name of the annotation that holds a chart's source line.
SOURCE_ANNOTATION = "source"
#: Articles named one by one in a source line; more are counted.
SOURCE_ARTICLES_LISTED = 3

BOUNDARY_ATTRIBUTION = (
    "Boundaries: Made with Natural Earth (public domain, naturalearthdata.com). "
    "Simplified. Tbong Khmum split and island corrections by the project."
)
PROJECT_CREDIT = "figures extracted by vn-kh-monitor"


def source_line(articles: pd.DataFrame) -> str:
    """One line naming the articles a chart is drawn from, and their dates.

    >>> df = pd.DataFrame({"outlet": ["VNA", None], "published": ["2018-07-18", "2024"],
    ...                    "title": ["A", "B"]})
    >>> source_line(df)
    'Source: 2 articles, 2018-07-18 to 2024 (VNA 2018-07-18; B 2024); figures extracted by vn-kh-monitor.'
    """
    if articles.empty:
        return "Source: no article matches the filters."
    dated = articles.sort_values("published", na_position="last")
    names = [_article_short(row) for row in dated.head(SOURCE_ARTICLES_LISTED).itertuples()]
    more = len(dated) - SOURCE_ARTICLES_LISTED
    listed = "; ".join(names) + (f"; +{more} more" if more > 0 else "")
    dates = dated["published"].dropna()
    span = (
        f", {dates.min()} to {dates.max()}"
        if len(dates) > 1
        else (f", {dates.iloc[0]}" if len(dates) else "")
    )
    noun = "article" if len(dated) == 1 else "articles"
    return f"Source: {len(dated)} {noun}{span} ({listed}); {PROJECT_CREDIT}."


def _article_short(row: pd.Series) -> str:
    label = row.outlet if isinstance(row.outlet, str) and row.outlet else _truncate(str(row.title), 40)
    label = label.split(" (")[0]  # "VNA (Vietnam News Agency)" -> "VNA"
    if not isinstance(row.published, str):
        return label
    return f"{label} {shown_date(row.published, is_inferred(getattr(row, 'published_basis', None)))}"


def _truncate(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def style_figure(fig: go.Figure, title: str, subtitle: str, source: str, height: int) -> go.Figure:
    """Give a figure the house look: title and subtitle, source line underneath, system fonts.

    ``source`` is plain text (it names articles, so it is escaped); a newline starts a second line.
    """
    fig.update_layout(
        template="plotly_white",
        height=height,
        font={"family": FONT_FAMILY, "size": FONT_SIZE},
        title={
            "text": title,
            "subtitle": {"text": subtitle},
            "font": {"size": TITLE_SIZE},
            "x": 0.01,
            "xanchor": "left",
            "yref": "container",
            "y": 0.98,
            "yanchor": "top",
        },
        margin={"l": 60, "r": 30, "t": TOP_MARGIN + SUBTITLE_LINE * subtitle.count("<br>"),
                "b": BOTTOM_MARGIN},
        legend={"orientation": "h", "yanchor": "bottom", "y": 1.02, "xanchor": "left", "x": 0.0},
        colorway=SEQUENCE,
        modebar={"orientation": "v"},  # down the right edge, not over the title
    )
    lines = [html.escape(part) for line in source.split("\n") for part in textwrap.wrap(line, SOURCE_WRAP)]
    # room for every source line under the axis title
    fig.update_layout(margin_b=max(BOTTOM_MARGIN, -SOURCE_OFFSET + SOURCE_LINE * len(lines) + 8))
    fig.add_annotation(
        name=SOURCE_ANNOTATION,  # the image exporter (``images``) finds the source line by it
        text="<br>".join(lines),
        xref="paper",
        yref="paper",
        x=0,
        y=0,
        xanchor="left",
        yanchor="top",
        yshift=SOURCE_OFFSET,
        showarrow=False,
        align="left",
        font={"size": SOURCE_SIZE, "color": "#555555"},
    )
    return fig


#: Type sizes of a chart on a briefing slide (pixels): read from the back of a room, none under 16.
SLIDE_FONT, SLIDE_TITLE, SLIDE_SMALL = 18, 26, 16
#: The height of a line of small type on a slide (px), and a source line's characters at most (about
#: 800 px: a slide is a whole screen wide).
SLIDE_LINE, SLIDE_SOURCE_WRAP = 20, 95


def for_slide(fig: go.Figure, height: int) -> go.Figure:
    """A chart made for a page, restyled for a briefing slide: every label at least ``SLIDE_SMALL``
    pixels, ``height`` pixels tall, the room above and below the plot grown with the type."""
    scale = SLIDE_FONT / FONT_SIZE
    subtitle = fig.layout.title.subtitle.text if fig.layout.title and fig.layout.title.subtitle else None
    lines = subtitle.count("<br>") if subtitle else 0
    margin = fig.layout.margin
    fig.update_layout(
        height=height,
        font={"size": SLIDE_FONT},
        title={"font": {"size": SLIDE_TITLE}, "subtitle": {"font": {"size": SLIDE_SMALL}}},
        legend={"font": {"size": SLIDE_SMALL}},
        margin={"t": int((margin.t or TOP_MARGIN) * 1.1 + 8 * lines),
                "b": int((margin.b or BOTTOM_MARGIN) * 1.1), "l": int((margin.l or 60) * scale)},
    )
    fig.update_xaxes(tickfont={"size": SLIDE_SMALL}, title_font={"size": SLIDE_FONT})
    fig.update_yaxes(tickfont={"size": SLIDE_SMALL}, title_font={"size": SLIDE_FONT})
    fig.update_traces(textfont={"size": SLIDE_SMALL}, selector={"type": "scatter"})
    fig.update_traces(textfont={"size": SLIDE_SMALL}, selector={"type": "bar"})
    for note in fig.layout.annotations:
        size = note.font.size if note.font and note.font.size else FONT_SIZE
        note.font.size = max(size, SLIDE_SMALL)
        if note.name == SOURCE_ANNOTATION:  # wrapped again for the larger type
            text = html.unescape(note.text.replace("<br>", " "))
            lines = textwrap.wrap(text, SLIDE_SOURCE_WRAP)
            note.text = "<br>".join(html.escape(part) for part in lines)
            note.yshift = (note.yshift or SOURCE_OFFSET) * 1.2
            fig.layout.margin.b = max(fig.layout.margin.b, int(-note.yshift + SLIDE_LINE * len(lines) + 8))
    return fig


def layout_axis(layout: go.Layout, name: str) -> object:
    """The layout's axis of that name (``xaxis2``), or ``None`` when the figure has none."""
    return layout[name] if name in layout else None  # noqa: SIM401 (a plotly Layout has no get)


def empty_figure(title: str, message: str, height: int = 300) -> go.Figure:
    """A figure that says there is nothing to draw (used by the briefing export, never raises)."""
    fig = go.Figure()
    fig.add_annotation(text=message, x=0.5, y=0.5, xref="paper", yref="paper", showarrow=False)
    fig.update_xaxes(visible=False)
    fig.update_yaxes(visible=False)
    return style_figure(fig, title, "", "", height)


def sqrt_sizes(counts: Iterable[float], smallest: float, per_sqrt: float, largest: float) -> list[float]:
    """Marker sizes or line widths growing with the square root of a count: ``smallest`` plus
    ``per_sqrt`` per unit of square root, scaled down so the biggest count stays at ``largest``
    (tens of thousands of mentions would otherwise draw points wider than the map).

    >>> sqrt_sizes([0, 4, 16], 1, 2, 100), sqrt_sizes([0, 100, 400], 1, 2, 21)
    ([1.0, 5.0, 9.0], [1.0, 11.0, 21.0])
    """
    roots = [math.sqrt(max(float(c), 0.0)) for c in counts]
    top = max(roots, default=0.0)
    step = per_sqrt if top == 0 else min(per_sqrt, (largest - smallest) / top)
    return [smallest + step * r for r in roots]
