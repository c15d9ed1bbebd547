"""Pure chart builders: filtered tables in, ``go.Figure`` (or a small table) out.

Every figure says what and where in its title, gives its axes units, and carries a
source line; every builder copes with empty input. The province map is in ``maps``.
"""

from __future__ import annotations

import html
import math
import sys
from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from etl.schema import split_ids
from pages.lib import theme
from pages.lib.crosscheck import figure_name
from pages.lib.facts import (
    QUALIFIER_WORDS,
    drawable,
    drawable_values,
    format_amount,
    hover_quote,
    hover_source,
    labelled,
    money_claims,
    period_span,
    strongest,
)
from pages.lib.wording import are, counted

TRADE_HEIGHT = 560
#: Decades of padding around the data on log axes, so labels are not clipped.
LOG_PAD = 0.35
#: Powers of ten labelled on a log axis at most: figures may span hundreds of decades.
MAX_LOG_TICKS = 12
#: The largest power of ten a float holds (1e308): no tick goes beyond it.
MAX_DECADE = math.floor(math.log10(sys.float_info.max))
STATUSES = (
    ("Achieved", False, theme.ACHIEVED_COLOUR, ""),
    ("Target", True, theme.TARGET_COLOUR, theme.TARGET_PATTERN),
)
SPAN_WIDTH = 5
SPAN_OPACITY = 0.45
MARKER_SIZE = 12
#: The outline (and dot) of a filled marker of a figure that gives no year.
UNDATED_LINE = "#FFFFFF"
#: After the label of a figure that gives no year (drawn at its article's publication date).
NO_YEAR_MARK = "(no year)"
HOVER_FIGURE = (
    "<b>%{customdata[0]}</b> · %{customdata[1]} · %{customdata[2]}<br>"
    "<i>%{customdata[3]}</i><br>%{customdata[4]}<extra>%{fullData.name}</extra>"
)

#: Small multiples of the aid page: one panel per kind (and per unit inside a kind).
AID_KINDS = (("count", "People and things"), ("energy", "Energy"), ("currency", "Money"))
AID_BAR_HEIGHT = 34
#: Pixels between two panels: room for an axis title and the next panel's title.
AID_PANEL_GAP = 120
WHAT_CHARS = 45

#: Key figures: the largest figure of each of these categories.
KEY_CATEGORIES = (("trade", "Trade"), ("investment", "Investment"), ("aid", "Aid"))
KEY_FALLBACK_KINDS = ("count", "energy")
KEY_CURRENCY = "USD"

NETWORK_ROW_HEIGHT = 38
NETWORK_MIN_HEIGHT = 320
NETWORK_WIDTH_PER_SQRT = 1.6
NETWORK_MAX_WIDTH = 12.0
#: Partner names in the cooperation matrix stay upright up to this many; more are slanted.
UPRIGHT_PARTNERS = 10
#: How far a slanted name reaches below the axis, per character (pixels, at the tick font).
SLANTED_PX_PER_CHAR = 5
#: Pairs drawn at most in the partner network (the strongest): each is a trace.
MAX_NETWORK_EDGES = 150


def _customdata(df: pd.DataFrame) -> np.ndarray:
    return np.array(
        [
            [
                row.label,
                row.period or "no period given",
                row.category,
                hover_quote(row.quote),
                hover_source(row.source),
                row.claim_id,
            ]
            for row in df.itertuples()
        ],
        dtype=object,
    )


def _log_ticks(low: float, high: float, unit: str) -> tuple[list[float], list[str], list[float]]:
    """Tick values and labels at powers of ten (every few powers when they are many), and the axis
    range (log10 units), for positive finite ``low`` and ``high``.

    >>> _log_ticks(13e6, 10e9, "USD")[1]
    ['$10M', '$100M', '$1B', '$10B']
    >>> values, labels, _ = _log_ticks(1, 1e300, "USD"); len(values) <= MAX_LOG_TICKS, labels[-1]
    (True, '$1e+280')
    >>> _log_ticks(2e8, 2e8, "VND")[2]  # one figure: the axis still shows two powers of ten
    [7.95..., 9]
    """
    low_log, high_log = math.log10(max(low, 1)), math.log10(max(high, 1))
    lo = min(math.floor(low_log), MAX_DECADE - 1)
    hi = min(max(math.ceil(high_log), lo + 1), MAX_DECADE)
    step = math.ceil((hi - lo) / (MAX_LOG_TICKS - 1))
    values = [10.0**k for k in range(lo, hi + 1, step)]
    span = [low_log - LOG_PAD, high_log + LOG_PAD]
    if sum(span[0] <= math.log10(v) <= span[1] for v in values) < 2:  # one figure, or a few close together
        span = [min(span[0], lo), max(span[1], hi)]  # two powers of ten in view, so the axis reads
    return values, [format_amount(v, unit) for v in values], span


def _with_spans(money: pd.DataFrame) -> pd.DataFrame:
    spans = [
        period_span(s, e, y)
        for s, e, y in zip(money["period_start"], money["period_end"], money["published_year"], strict=True)
    ]
    out = money.assign(x0=[s[0] if s else None for s in spans], x1=[s[1] if s else None for s in spans])
    return out.dropna(subset=["x0"])


#: Where a figure's label may go, in order of preference; a range's label goes beside its bar first.
LABEL_PLACES = ("top center", "bottom center", "middle right", "middle left")
RANGE_LABEL_PLACES = ("middle right", "middle left", "top center", "bottom center")
#: The plot a label's room is reckoned on (px), a label's height and width per character, and the
#: gap between a marker and its label.
#: Reckoned for the smallest plot the chart gets (a 1366-pixel screen) and the largest type (a slide).
LABEL_PLOT_PX, LABEL_HEIGHT_PX, LABEL_CHAR_PX, LABEL_GAP_PX = (900, 260), 20, 9, 9
#: How far (px) a label may reach into the margins around the plot.
LABEL_MARGIN_PX = 20


def label_places(x: Sequence[float], log_y: Sequence[float], labels: Sequence[str],
                 ranges: Sequence[bool]) -> list[str | None]:
    """A place for each figure's label (plotly's ``textposition``) where it overlaps neither a label
    placed before it nor a marker, inside the plot: labels of figures close together go above, below or
    beside them ("$1.2B" no longer on "> $548M"), a figure at the right edge is labelled on its left.
    ``None`` for a label that finds no free place: it is left out (its figure keeps its hover and its
    row in the table) rather than written over another.

    >>> label_places([2020, 2020, 2020], [9.0, 9.05, 6.0], ["$1B", "$1.1B", "$1M"], [False] * 3)
    ['bottom center', 'top center', 'top center']
    >>> label_places([2020] * 6, [9.0] * 6, ["$1B"] * 6, [False] * 6)
    ['top center', 'bottom center', None, None, None, None]
    """
    if not len(x):
        return []
    xs, ys = np.asarray(x, dtype=float), np.asarray(log_y, dtype=float)
    x_px = LABEL_PLOT_PX[0] / max(np.nanmax(xs) - np.nanmin(xs) + 2, 1)
    y_px = LABEL_PLOT_PX[1] / max(np.nanmax(ys) - np.nanmin(ys) + 2 * LOG_PAD, 0.5)
    centres = np.column_stack([xs * x_px, ys * y_px])
    markers = [(cx - 6, cx + 6, cy - 6, cy + 6) for cx, cy in centres]
    # the plot (the trade chart's ranges: a year and LOG_PAD decades around the figures), and a little
    # of the margins, where a label stays whole
    m = LABEL_MARGIN_PX
    frame = ((np.nanmin(xs) - 1) * x_px - m, (np.nanmax(xs) + 1) * x_px + m,
             (np.nanmin(ys) - LOG_PAD) * y_px - m, (np.nanmax(ys) + LOG_PAD) * y_px + m)
    placed: list[tuple[float, float, float, float]] = []
    out = []
    for (cx, cy), label, is_range in zip(centres, labels, ranges, strict=True):
        w, h, g = len(label) * LABEL_CHAR_PX, LABEL_HEIGHT_PX, LABEL_GAP_PX
        boxes = {
            "top center": (cx - w / 2, cx + w / 2, cy + g, cy + g + h),
            "bottom center": (cx - w / 2, cx + w / 2, cy - g - h, cy - g),
            "middle right": (cx + g, cx + g + w, cy - h / 2, cy + h / 2),
            "middle left": (cx - g - w, cx - g, cy - h / 2, cy + h / 2),
        }
        others = [m for m in markers if not (m[0] == cx - 6 and m[2] == cy - 6)]
        places = RANGE_LABEL_PLACES if is_range else LABEL_PLACES
        inside = [place for place in places if _within(boxes[place], frame)] or list(places)
        choice = next((place for place in inside
                       if not any(_overlap(boxes[place], b) for b in [*placed, *others])), None)
        if choice is not None:
            placed.append(boxes[choice])
        out.append(choice)
    return out


def _within(box: tuple[float, float, float, float], frame: tuple[float, float, float, float]) -> bool:
    return box[0] >= frame[0] and box[1] <= frame[1] and box[2] >= frame[2] and box[3] <= frame[3]


def _overlap(a: tuple[float, float, float, float], b: tuple[float, float, float, float]) -> bool:
    return a[0] < b[1] and b[0] < a[1] and a[2] < b[3] and b[2] < a[3]


def _category_order(category: str) -> tuple[int, str]:
    """Categories with a colour of their own first, in ``theme.CATEGORY_COLOURS`` order, then the others."""
    order = list(theme.CATEGORY_COLOURS)
    return (order.index(category) if category in order else len(order), category)


def _add_money_traces(fig: go.Figure, group: pd.DataFrame, name: str, colour: str, symbol: str,
                      meta: dict) -> None:
    """One category and status of the money chart: the periods as lines, the figures as markers."""
    # a figure that gives no year ("soon reach $20 billion") stands at its article's date: a dotted
    # marker and its label say so, lest it read as a figure of that year; dated figures come first,
    # as the legend shows the first marker's shape
    no_year = (group["period_start"].isna() & group["period_end"].isna()).to_numpy(dtype=bool)
    order = np.argsort(no_year, kind="stable")
    group, undated = group.iloc[order], no_year[order].tolist()
    xs: list[float | None] = []
    ys: list[float | None] = []
    for row in group.itertuples():
        if row.x0 != row.x1:
            xs += [row.x0, row.x1, None]
            ys += [row.value, row.value, None]
    if xs:
        fig.add_trace(go.Scatter(x=xs, y=ys, mode="lines", name=f"{name}: period covered", legendgroup=name,
                                 hoverinfo="skip", opacity=SPAN_OPACITY, showlegend=False,
                                 line={"color": colour, "width": SPAN_WIDTH}, meta={"role": "span", **meta}))
    value = group["value"].astype(float)
    low, high = drawable_values(group["low"], log=True), drawable_values(group["high"], log=True)
    spread = group["spread"].fillna(False).astype(bool) if "spread" in group else False
    is_range = (group["qualifier"].eq("range") | spread) & low.notna() & high.notna()
    fig.add_trace(
        go.Scatter(
            x=group["x1"],
            y=value,
            mode="markers+text",
            name=name,
            legendgroup=name,
            text=group["shown_label"],
            textposition=group["label_place"].tolist(),
            cliponaxis=False,  # a label above the highest figure stays whole
            marker={
                "color": colour,
                "symbol": [undated_symbol(symbol) if u else symbol for u in undated],
                "size": MARKER_SIZE,
                # a filled marker's dot is drawn in its outline's colour: white, so that it shows
                "line": {"width": 2, "color": [UNDATED_LINE if u and not symbol.endswith("-open") else colour
                                               for u in undated]},
            },
            error_y={
                "type": "data",
                "visible": True,
                "color": colour,
                "thickness": 2,
                # an end on the wrong side of the value (a range upside down) draws no bar
                "array": np.where(is_range, (high - value).clip(lower=0), 0),
                "arrayminus": np.where(is_range, (value - low).clip(lower=0), 0),
            },
            customdata=_customdata(group),
            hovertemplate=HOVER_FIGURE,
            meta={"role": "figures", **meta},
        )
    )


def undated_symbol(symbol: str) -> str:
    """The marker of a figure that gives no year: its own shape, filled or open as its status says, with
    a dot in it (white in a filled marker, whose outline is white too: ``UNDATED_LINE``).

    >>> undated_symbol("circle"), undated_symbol("triangle-up-open")
    ('circle-dot', 'triangle-up-open-dot')
    """
    return f"{symbol}-dot"


def trade_chart(claims: pd.DataFrame, currency: str = "USD", source: str = "") -> go.Figure:
    """Money figures in one currency on a log axis against the years they cover.

    ``claims`` carry sources (``facts.with_sources``); the pages give one row per fact
    (``crosscheck.fact_rows``), so a figure repeated in a headline, a lead and three outlets is one
    point, whose hover says its sources. Achieved figures and targets differ in colour and marker; a
    line spans each figure's period; ranges, and the spread of what several sources say (a row's
    ``spread``), get error bars; labels keep the hedge (``> $548M``). Other currencies never enter the
    figure.
    """
    money = _with_spans(labelled(drawable(money_claims(claims, currency), log=True)))
    if not money.empty:
        undated = (money["period_start"].isna() & money["period_end"].isna()).to_numpy(dtype=bool)
        shown = [f"{label} {NO_YEAR_MARK}" if u else label
                 for label, u in zip(money["label"], undated, strict=True)]
        spread = money["spread"].fillna(False).astype(bool) if "spread" in money else False
        ranges = (money["qualifier"].eq("range") | spread).tolist()
        log_values = np.log10(money["value"].astype(float))
        places = label_places(money["x1"].astype(float), log_values, shown, ranges)
        money = money.assign(
            shown_label=[label if place else "" for label, place in zip(shown, places, strict=True)],
            label_place=[place or "top center" for place in places])
    fig = go.Figure()
    categories = sorted(money["category"].dropna().unique(), key=_category_order) if not money.empty else []
    for category in categories:
        colour = theme.CATEGORY_COLOURS.get(category, theme.OTHER_COLOUR)
        for status, is_target, _, _ in STATUSES:
            group = money[(money["category"] == category)
                          & (money["target"].fillna(False).astype(bool) == is_target)]
            if not group.empty:
                _add_money_traces(fig, group, f"{str(category).capitalize()} · {status.lower()}", colour,
                                  theme.figure_symbol(category, is_target),
                                  {"category": category, "target": is_target})
    symbol = "$" if currency == "USD" else currency
    theme.style_figure(
        fig,
        f"Money figures reported in Vietnam–Cambodia news ({currency})",
        f"Log scale, so {symbol} millions and billions both read · labels keep the hedge: "
        "> more than, ≥ at least, ≈ about, ≤ up to, < less than<br>"
        "Bars show ranges, or what several sources say · colour and shape: what the figure is about · "
        "filled: achieved, open: target<br>"
        f"Dotted marker {NO_YEAR_MARK}: no year given, drawn at the article's date",
        source,
        TRADE_HEIGHT,
    )
    fig.update_xaxes(
        title="Year (line: period the figure covers; marker: its last year)",
        tickformat="d",
        dtick=1 if money.empty or money["x1"].max() - money["x0"].min() < 12 else None,
    )
    fig.update_yaxes(type="log", title=f"Amount ({currency}, log scale)")
    if not money.empty:
        ends = pd.concat([drawable_values(money[c], log=True) for c in ("value", "low", "high")])
        values, labels, span = _log_ticks(ends.min(), ends.max(), currency)
        fig.update_yaxes(tickvals=values, ticktext=labels, range=span)
        fig.update_xaxes(range=[money["x0"].min() - 1, money["x1"].max() + 1])
    return fig


def left_out_note(claims: pd.DataFrame) -> str:
    """Words saying how many figures the log-scale charts leave out (no amount above zero: missing,
    infinite, zero or negative), or ``""`` when they draw every one.

    >>> left_out_note(pd.DataFrame({"value": [5.0, 0.0, float("inf")]}))
    '2 figures are not an amount above zero, so in the table only.'
    """
    n = len(claims) - len(drawable(claims, log=True))
    return f"{counted(n, 'figure')} {are(n)} not an amount above zero, so in the table only." if n else ""


#: Columns of a fact row (``crosscheck.fact_rows``) the trade table keeps when it is given facts.
TABLE_FACT_COLUMNS = ("sources", "agreement", "dissent", "fact_id", "claim_ids")


def trade_table(claims: pd.DataFrame) -> pd.DataFrame:
    """Money claims as the trade page lists them (all currencies, each in its own unit); given one row
    per fact, with its sources."""
    money = labelled(money_claims(claims))
    columns = [
        "label",
        "unit",
        "qualifier",
        "category",
        "target",
        "period",
        "what",
        "quote",
        "title",
        "outlet",
        "published",
        "claim_id",
        *[c for c in TABLE_FACT_COLUMNS if c in money.columns],
    ]
    return money.sort_values(["unit", "value"], ascending=[True, False])[columns].reset_index(drop=True)


def _aid_panels(claims: pd.DataFrame) -> list[tuple[str, str, pd.DataFrame]]:
    panels = []
    for kind, title in AID_KINDS:
        of_kind = claims[claims["kind"] == kind]
        for unit, group in of_kind.groupby("unit", sort=True):
            unit_name = "count" if unit == "count" else unit
            panels.append((f"{title} ({unit_name})", str(unit), group.sort_values("value")))
    return panels


def _bar_label(row: pd.Series) -> str:
    """What a bar counts or measures, and when (``crosscheck.figure_name``)."""
    what = figure_name(getattr(row, "fact_id", None), row.unit, row.what, row.category)
    what = what if len(what) <= WHAT_CHARS else what[: WHAT_CHARS - 1].rstrip() + "…"
    label = f"{what} ({row.period})" if isinstance(row.period, str) and row.period else what
    return html.escape(label)  # article words: plotly would read tags in them


def aid_chart(claims: pd.DataFrame, source: str = "") -> go.Figure:
    """Small multiples of what was given, one panel per kind and unit, each bar labelled
    with what was given and when. Log axes: a few dozen students and thousands of patients."""
    panels = _aid_panels(labelled(drawable(claims, log=True)))
    if not panels:
        return theme.empty_figure("Aid and people-to-people figures, Vietnam–Cambodia", "No figure to show.")
    sizes = [len(group) for _, _, group in panels]
    plot_height = sum(sizes) * AID_BAR_HEIGHT + len(panels) * AID_PANEL_GAP
    height = plot_height + theme.TOP_MARGIN + theme.BOTTOM_MARGIN
    fig = make_subplots(
        rows=len(panels),
        cols=1,
        subplot_titles=[t for t, _, _ in panels],
        row_heights=[n + 1 for n in sizes],
        vertical_spacing=min(AID_PANEL_GAP / plot_height, 0.9 / max(len(panels) - 1, 1)),
    )
    shown: set[str] = set()
    for i, (_, unit, group) in enumerate(panels, start=1):
        for status, is_target, colour, pattern in STATUSES:
            part = group[group["target"].fillna(False).astype(bool) == is_target]
            if part.empty:
                continue
            fig.add_trace(
                go.Bar(
                    x=part["value"].astype(float),
                    y=part["claim_id"],
                    orientation="h",
                    name=status,
                    legendgroup=status,
                    showlegend=status not in shown,
                    marker={"color": colour, "pattern": {"shape": pattern, "fgcolor": "white"}},
                    text=part["label"],
                    textposition="outside",
                    cliponaxis=False,
                    customdata=_customdata(part),
                    hovertemplate=HOVER_FIGURE,
                    meta={"role": "bars", "unit": unit},
                ),
                row=i,
                col=1,
            )
            shown.add(status)
        fig.update_yaxes(
            tickvals=group["claim_id"].tolist(),
            ticktext=[_bar_label(r) for r in group.itertuples()],
            row=i,
            col=1,
        )
        values = group["value"].astype(float)
        low = max(0, math.floor(math.log10(max(values.min(), 1))) - 1)
        fig.update_xaxes(
            type="log",
            title=f"{'Count' if unit == 'count' else unit} (log scale)",
            range=[low, math.log10(max(values.max(), 10)) + 1],
            row=i,
            col=1,
        )
    theme.style_figure(
        fig,
        "Aid and people-to-people figures, Vietnam–Cambodia",
        "What was given, to whom and when, as the articles report it; each panel in its own unit",
        source,
        height,
    )
    fig.update_layout(bargap=0.3)
    return fig


def place_names(places: pd.DataFrame) -> dict[str, str]:
    return dict(zip(places["place_id"], places["name"], strict=True))


def province_name(place_id: str, names: dict[str, str]) -> str:
    """
    >>> province_name("ba-ria-vung-tau", {}), province_name("kep", {"kep": "Kep"})
    ('Ba Ria Vung Tau', 'Kep')
    """
    return names.get(place_id) or place_id.replace("-", " ").title()


def partners(links: pd.DataFrame, places: pd.DataFrame) -> pd.DataFrame:
    """Links with both ends named at province level (a town counts for its province;
    a country stays itself), plus the partner's country."""
    names = place_names(places)
    province = dict(zip(places["place_id"], places["province_id"].fillna(places["place_id"]), strict=True))
    country = dict(zip(places["place_id"], places["country"].fillna(""), strict=True))
    out = links.copy()
    for end, column in (("place_a", "side"), ("place_b", "partner")):
        # once per distinct place, not once per link (links run to hundreds of thousands)
        ids = pd.unique(out[end].dropna())
        side_ids = {p: province.get(p, p) for p in ids}
        out[f"{column}_id"] = out[end].map(side_ids)
        out[column] = out[f"{column}_id"].map({p: province_name(p, names) for p in set(side_ids.values())})
    out["partner_country"] = out["place_b"].map(country).fillna("")
    out["side_country"] = out["place_a"].map(country).fillna("")
    return out


def cooperation_matrix(links: pd.DataFrame, places: pd.DataFrame, source: str = "") -> go.Figure:
    """Heatmap of sectors against partner provinces: how many sentences link them."""
    table = partners(links, places)
    if table.empty:
        return theme.empty_figure("Cooperation by sector and partner, Vietnam–Cambodia", "No link to show.")
    counts = table.pivot_table(
        index="sector", columns="partner", values="quote", aggfunc="size", fill_value=0
    )
    counts = counts.loc[
        counts.sum(axis=1).sort_values().index, counts.sum().sort_values(ascending=False).index
    ]
    z = counts.to_numpy().astype(float)
    fig = go.Figure(
        go.Heatmap(
            z=np.where(z == 0, np.nan, z),
            x=counts.columns.tolist(),
            y=[s.replace("_", " & ") for s in counts.index],
            colorscale=theme.HEATMAP_SCALE,
            texttemplate="%{z}",
            colorbar={"title": {"text": "Sentences"}},
            hovertemplate="%{y} with %{x}: %{z} sentences<extra></extra>",
            xgap=2,
            ygap=2,
        )
    )
    height = max(360, 26 * len(counts.index) + 220)
    theme.style_figure(
        fig,
        "Cooperation by sector and partner province, Vietnam–Cambodia",
        "Sentences that name a Vietnamese place, its partner and a field of cooperation",
        source,
        height,
    )
    fig.update_xaxes(title="Partner (province; a town counts for its province)", side="bottom")
    fig.update_yaxes(title="Sector")
    if len(counts.columns) > UPRIGHT_PARTNERS:
        # Many partners: slanted names, and the source line moved below them instead of across them.
        drop = int(max(len(str(c)) for c in counts.columns) * SLANTED_PX_PER_CHAR)
        fig.update_xaxes(tickangle=-45)
        fig.update_layout(height=height + drop, margin_b=theme.BOTTOM_MARGIN + drop)
        fig.layout.annotations[-1].yshift = theme.SOURCE_OFFSET - drop
    return fig


def _node_positions(names: Sequence[str]) -> dict[str, float]:
    n = len(names)
    return {name: (n - 1 - i) / max(n - 1, 1) for i, name in enumerate(names)}


def _node_column(x: float, names: list[str], ys: dict[str, float], textposition: str, legend: str,
                 colour: str | list[str]) -> go.Scatter:
    """One side of the partner network: a labelled dot per province, at ``x``."""
    return go.Scatter(
        x=[x] * len(names),
        y=[ys[n] for n in names],
        mode="markers+text",
        text=names,
        textposition=textposition,
        name=legend,
        hoverinfo="text",
        marker={"size": 16, "color": colour},
        meta={"role": "node"},
    )


def partner_network(
    links: pd.DataFrame, places: pd.DataFrame, focus: str | None = None, source: str = ""
) -> go.Figure:
    """Two-column diagram: Vietnamese provinces on the left, their partners on the right,
    line width by the number of sentences linking them. ``focus`` keeps one province's links."""
    table = partners(links, places)
    if focus:
        table = table[table["side_id"] == focus]
    title = "Partners of " + (province_name(focus, place_names(places)) if focus else "Vietnamese provinces")
    if table.empty:
        return theme.empty_figure(title, "No cooperation link to show.")
    pairs = (
        table.groupby(["side", "partner", "partner_country"])
        .agg(n=("quote", "size"), sectors=("sector", lambda s: ", ".join(sorted(set(s)))))
        .reset_index()
    )
    pairs, left_out = strongest(pairs, MAX_NETWORK_EDGES, ["side", "partner"])
    subtitle = "Line width: sentences naming both places" + (f"; {left_out} pairs" if left_out else "")
    left = pairs.groupby("side")["n"].sum().sort_values(ascending=False).index.tolist()
    right = pairs.groupby("partner")["n"].sum().sort_values(ascending=False).index.tolist()
    y_left, y_right = _node_positions(left), _node_positions(right)
    fig = go.Figure()
    widths = theme.sqrt_sizes(pairs["n"], 1, NETWORK_WIDTH_PER_SQRT, NETWORK_MAX_WIDTH)
    for row, width in zip(pairs.itertuples(), widths, strict=True):
        fig.add_trace(
            go.Scatter(
                x=[0, 1],
                y=[y_left[row.side], y_right[row.partner]],
                mode="lines",
                showlegend=False,
                line={
                    "color": theme.OKABE_ITO["reddish_purple"],
                    "width": width,
                },
                opacity=0.7,
                hoverinfo="text",
                text=f"{row.side} – {row.partner}: {row.n} sentences ({row.sectors})",
                meta={"role": "edge"},
            )
        )
    partner_country = dict(zip(pairs["partner"], pairs["partner_country"], strict=False))
    colours = [theme.COUNTRY_COLOURS.get(partner_country[n], theme.OTHER_COLOUR) for n in right]
    fig.add_trace(_node_column(0, left, y_left, "middle left", "Vietnam", theme.VN_COLOUR))
    fig.add_trace(_node_column(1, right, y_right, "middle right", "Cambodia (grey: elsewhere)", colours))
    height = max(NETWORK_MIN_HEIGHT, NETWORK_ROW_HEIGHT * max(len(left), len(right)) + 200)
    theme.style_figure(
        fig,
        f"{title}: cooperation partners across the border",
        subtitle,
        source,
        height,
    )
    fig.update_xaxes(visible=False, range=[-0.8, 1.8])
    fig.update_yaxes(visible=False, range=[-0.15, 1.15])
    return fig


def agreement_sentences(links: pd.DataFrame, places: pd.DataFrame, articles: pd.DataFrame) -> pd.DataFrame:
    """One row per sentence that reports an agreement, with the places and sectors it names."""
    table = partners(links[links["relation"] == "agreement"], places)
    columns = ["quote", "places", "sectors", "title", "published", "article_id", "sentence_id"]
    if table.empty:
        return pd.DataFrame(columns=columns)
    grouped = (
        table.groupby(["article_id", "sentence_id"])
        .agg(
            quote=("quote", "first"),
            places=("partner", lambda s: ", ".join(dict.fromkeys(s))),
            sides=("side", lambda s: ", ".join(dict.fromkeys(s))),
            sectors=("sector", lambda s: ", ".join(sorted(set(s)))),
        )
        .reset_index()
    )
    grouped["places"] = grouped["sides"] + " → " + grouped["places"]
    meta = articles[["article_id", "title", "published"]]
    return grouped.merge(meta, on="article_id", how="left")[columns]


#: Columns of a fact row (``crosscheck.fact_rows``) the key figures keep when they are given facts.
KEY_FACT_COLUMNS = ("fact_id", "sources", "dissent", "n_articles")


def key_figures(claims: pd.DataFrame, place_names: Mapping[str, str] | None = None) -> pd.DataFrame:
    """The largest trade, investment and aid figures (achieved, and targets apart), with
    qualifier, period, scope (the places it is about, named with ``place_names``) and source.
    ``claims`` carry sources (``facts.with_sources``); given one row per fact
    (``crosscheck.fact_rows``), each figure counts once and says its sources."""
    extra = [c for c in KEY_FACT_COLUMNS if c in claims.columns]
    rows = []
    table = claims
    for category, name in KEY_CATEGORIES:
        of_category = drawable(table[table["category"] == category])
        candidates = money_claims(of_category, KEY_CURRENCY)
        if candidates.empty:
            candidates = of_category[of_category["kind"].isin(KEY_FALLBACK_KINDS)]
        for is_target in (False, True):
            part = candidates[candidates["target"].fillna(False).astype(bool) == is_target]
            if part.empty:
                continue
            best = labelled(part.loc[[part["value"].astype(float).idxmax()]]).iloc[0]
            rows.append(
                {
                    "heading": f"{name} target" if is_target else name,
                    "amount": best["label"],
                    "what": figure_name(best.get("fact_id"), best["unit"], best["what"], best["category"]),
                    "period": best["period"],
                    "scope": scope_text(best.get("scope_place_ids"), place_names or {}),
                    "qualifier": QUALIFIER_WORDS.get(best["qualifier"], best["qualifier"]),
                    "status": "target" if is_target else "achieved",
                    "source": best["source"],
                    "quote": best["quote"],
                    "claim_id": best["claim_id"],
                    **{c: best[c] for c in extra},
                }
            )
    return pd.DataFrame(
        rows,
        columns=["heading", "amount", "what", "period", "scope", "qualifier", "status", "source", "quote",
                 "claim_id", *extra],
    )


#: Places named in a figure's scope before "+N more".
SCOPE_NAMES = 2


def scope_text(place_ids: object, names: Mapping[str, str]) -> str:
    """The places a figure is about, as a reader wants them on a card: "Kien Giang", or
    "Vietnam–Cambodia" for the two countries together; empty when unknown.

    >>> names = {"vietnam": "Vietnam", "cambodia": "Cambodia", "kien-giang": "Kien Giang", "kep": "Kep",
    ...          "kampot": "Kampot"}
    >>> scope_text("kien-giang", names), scope_text("vietnam;cambodia", names), scope_text(None, names)
    ('Kien Giang', 'Vietnam–Cambodia', '')
    >>> scope_text("kien-giang;kep;kampot", names)
    'Kien Giang, Kep +1 more'
    """
    ids = split_ids(place_ids)
    if not ids:
        return ""
    if set(ids) == {"vietnam", "cambodia"}:
        return "Vietnam–Cambodia"
    shown = [names.get(p, p) for p in ids[:SCOPE_NAMES]]
    more = len(ids) - SCOPE_NAMES
    return ", ".join(shown) + (f" +{more} more" if more > 0 else "")


#: The yearly series: marker size per source reporting a figure, and its bounds.
SERIES_MARKER_PER_SOURCE, SERIES_MARKER_MAX = 3, 24
SERIES_HEIGHT = 480


def yearly_chart(series: pd.DataFrame, currency: str = "USD", source: str = "") -> go.Figure:
    """A yearly series built from facts (``crosscheck.yearly_series``): one line per measure, one point
    per year at the figure its sources give, sized by how many articles report it, with a bar from the
    smallest to the largest value reported."""
    title = f"Yearly figures from the facts, Vietnam–Cambodia ({currency})"
    points = series[drawable_values(series["value"], log=True).notna()] if not series.empty else series
    if points.empty:
        return theme.empty_figure(title, "No national figure of one year to draw.")
    fig = go.Figure()
    for measure, group in points.groupby("measure", sort=True):
        value = group["value"].astype(float)
        low, high = drawable_values(group["low"], log=True), drawable_values(group["high"], log=True)
        sizes = (MARKER_SIZE + SERIES_MARKER_PER_SOURCE * (group["n_articles"].astype(int) - 1)).clip(
            upper=SERIES_MARKER_MAX)
        fig.add_trace(
            go.Scatter(
                x=group["year"].astype(int),
                y=value,
                mode="lines+markers",
                name=html.escape(str(measure)),
                marker={"size": sizes.tolist()},
                error_y={"type": "data", "visible": True, "thickness": 1.5,
                         "array": (high - value).clip(lower=0).fillna(0),
                         "arrayminus": (value - low).clip(lower=0).fillna(0)},
                customdata=_customdata(group),
                hovertemplate=HOVER_FIGURE,
                meta={"role": "series", "measure": str(measure)},
            )
        )
    subtitle = ("One point per year and measure (national figures): the figure its sources give; larger "
                "when more articles report it; bars: smallest to largest reported")
    theme.style_figure(fig, title, subtitle, source, SERIES_HEIGHT)
    fig.update_xaxes(title="Year", tickformat="d", dtick=1)
    ends = pd.concat([drawable_values(points[c], log=True) for c in ("value", "low", "high")])
    values, labels, span = _log_ticks(ends.min(), ends.max(), currency)
    fig.update_yaxes(type="log", title=f"Amount ({currency}, log scale)", tickvals=values, ticktext=labels,
                     range=span)
    return fig
