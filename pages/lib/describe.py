"""A chart in words: one sentence saying what it shows, and the table of what it draws.

A reader who cannot see the colours or the shapes of a chart (a screen reader, a colour-blind
reader, an official reading a printout in black and white) gets the same facts from
``summary`` and ``chart_table``. Both read the plotly figure the page draws, so they say what
is on the screen, not what a builder meant to draw.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from pages.lib.theme import layout_axis
from pages.lib.wording import counted, label_text

#: Columns of a chart's table: the series (legend entry), what the item is, its label on the chart, and
#: its place along the two axes (named after the axes' titles when the table is shown).
COLUMNS = ("Series", "Item", "Label", "x", "y")
#: Series named one by one in a summary; more are counted.
SERIES_NAMED = 4


def _title(fig: go.Figure) -> str:
    return label_text(fig.layout.title.text) if fig.layout.title and fig.layout.title.text else "Chart"


def _axis_title(fig: go.Figure, name: str) -> str:
    axis = layout_axis(fig.layout, name)
    return label_text(axis.title.text) if axis is not None and axis.title and axis.title.text else ""


def _texts(value: object, n: int) -> list[str]:
    if value is None:
        return [""] * n
    if isinstance(value, str):
        return [label_text(value)] * n
    items = [label_text(v) if v is not None else "" for v in np.asarray(value, dtype=object).ravel()]
    return items if len(items) == n else [items[0] if items else ""] * n


def _number(value: object) -> float:
    try:
        number = float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return math.nan
    return number if math.isfinite(number) else math.nan


def chart_table(fig: go.Figure) -> pd.DataFrame:
    """One row per thing the chart draws and names: a point, a bar, a cell, a province, a line with a
    label (lines that only span periods or outline areas, and gaps, are left out)."""
    rows: list[tuple[str, str, str, float, float]] = []
    for trace in fig.data:
        if trace.visible in (False, "legendonly"):
            continue
        series = label_text(trace.name) if trace.name else ""
        if trace.type == "heatmap":
            xs, ys = (
                list(trace.x if trace.x is not None else []),
                list(trace.y if trace.y is not None else []),
            )
            for i, row in enumerate(trace.z if trace.z is not None else []):
                for j, value in enumerate(row):
                    if math.isfinite(_number(value)):
                        rows.append(
                            (
                                series,
                                f"{label_text(ys[i])} with {label_text(xs[j])}",
                                "",
                                math.nan,
                                _number(value),
                            )
                        )
            continue
        if trace.type == "bar":
            horizontal = trace.orientation == "h"
            values = list(trace.x if horizontal else trace.y)
            places = list(trace.y if horizontal else trace.x)
            ticks = _tick_labels(fig, trace)
            for place, value, label in zip(places, values, _texts(trace.text, len(values)), strict=True):
                item = ticks.get(str(place), label_text(place))
                rows.append(
                    (
                        series,
                        item,
                        label,
                        *((_number(value), math.nan) if horizontal else (math.nan, _number(value))),
                    )
                )
            continue
        mode = trace.mode or ""
        hover = trace.hovertext if trace.hovertext is not None else trace.text
        if trace.fill == "toself" or ("markers" not in mode and "text" not in mode):
            if isinstance(hover, str) and hover:  # one area or one line: one row if it says something
                rows.append((series, label_text(hover).replace("\n", " · "), "", math.nan, math.nan))
            continue
        x, y = list(trace.x if trace.x is not None else []), list(trace.y if trace.y is not None else [])
        labels = _texts(trace.text, len(x))
        tips = _texts(hover, len(x)) if hover is not None else labels
        for i in range(len(x)):
            if x[i] is None or y[i] is None:
                continue
            item = (tips[i] or labels[i]).replace("\n", " · ")
            rows.append((series, item, labels[i] if labels[i] != item else "", _number(x[i]), _number(y[i])))
    return pd.DataFrame(rows, columns=list(COLUMNS)).drop_duplicates(ignore_index=True)


def shown_table(fig: go.Figure, table: pd.DataFrame | None = None) -> pd.DataFrame:
    """``chart_table`` as a reader sees it: empty columns dropped, the axes' columns named as the axes.

    >>> fig = go.Figure(go.Scatter(x=[2020], y=[5.0], mode="markers", name="Trade", text=["$5"]))
    >>> shown_table(fig.update_xaxes(title="Year")).to_dict("records")
    [{'Series': 'Trade', 'Item': '$5', 'Year': 2020.0, 'y': 5.0}]
    """
    table = chart_table(fig) if table is None else table
    names = {axis: _axis_title(fig, f"{axis}axis") or axis for axis in ("x", "y")}
    kept = [c for c in table.columns if not (table[c].isna() | table[c].eq("")).all()]
    return table[kept].rename(columns=names)


def _tick_labels(fig: go.Figure, trace: go.Bar) -> dict[str, str]:
    name = (
        "yaxis" + (trace.yaxis or "y")[1:] if trace.orientation == "h" else "xaxis" + (trace.xaxis or "x")[1:]
    )
    axis = layout_axis(fig.layout, name)
    if axis is None or axis.tickvals is None or axis.ticktext is None:
        return {}
    return {str(v): label_text(t) for v, t in zip(axis.tickvals, axis.ticktext, strict=False)}


def summary(fig: go.Figure, table: pd.DataFrame | None = None) -> str:
    """One sentence: the chart's title, how many things it draws in which series, and its extremes
    where it has values.

    >>> fig = go.Figure(go.Bar(x=[3, 40], y=["a", "b"], orientation="h", name="Aid", text=["3", "40"]))
    >>> summary(fig.update_layout(title="Aid given"))
    'Aid given: 2 items in 1 series (Aid); largest 40 (b), smallest 3 (a).'
    """
    table = chart_table(fig) if table is None else table
    title = _title(fig)
    if table.empty:
        return f"{title}: nothing drawn."
    names = [n for n in dict.fromkeys(table["Series"]) if n]
    listed = "; ".join(names[:SERIES_NAMED]) + (
        f"; +{len(names) - SERIES_NAMED} more" if len(names) > SERIES_NAMED else ""
    )
    text = f"{title}: {counted(len(table), 'item')}"
    if names:
        text += f" in {counted(len(names), 'series', 'series')} ({listed})"
    extremes = _extremes(fig, table)
    return f"{text}{'; ' + extremes if extremes else ''}."


def _extremes(fig: go.Figure, table: pd.DataFrame) -> str:
    """The largest and the smallest item, by the bars' lengths or the points' heights on a value axis."""
    if any(t.type == "heatmap" for t in fig.data):
        return ""
    bars = any(t.type == "bar" for t in fig.data)
    horizontal = bars and any(t.type == "bar" and t.orientation == "h" for t in fig.data)
    if not bars and not _axis_title(fig, "yaxis"):
        return ""  # points without a value axis: a map, a diagram
    values = table["x" if horizontal else "y"]
    if values.notna().sum() < 2:
        return ""
    top, bottom = table.loc[values.idxmax()], table.loc[values.idxmin()]
    if bars:
        return (
            f"largest {top['Label'] or _value(top)} ({top['Item']}), "
            f"smallest {bottom['Label'] or _value(bottom)} ({bottom['Item']})"
        )
    return (
        f"highest {top['Label'] or top['Item']} ({top['Series']}), "
        f"lowest {bottom['Label'] or bottom['Item']} ({bottom['Series']})"
    )


def _value(row: pd.Series) -> str:
    value = row["x"] if math.isfinite(row["x"]) else row["y"]
    return f"{value:g}"
