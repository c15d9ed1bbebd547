"""The dashboard's charts as images (PNG, SVG) and as PDF pages, drawn offline with matplotlib.

Plotly's own exporter (kaleido) drives a Chrome browser, which a user's machine may not have
and which it would download; matplotlib installs from a wheel and draws without any network.
So ``draw`` reads a plotly figure, as the pages build it, and draws the same traces with
matplotlib: scatter markers, lines, filled polygons (the map), text, error bars, horizontal
bars, heatmaps, log axes with their ticks, subplot panels, titles and the legend. Hover text,
zoom and clicks stay on the page. ``chart_image`` stamps an image with the chart's title, its
source line and the date the data was built, at slide size (1600 × 900 pixels).

Everything here is a pure function of a figure and a few strings; article text in a figure is
drawn as plain text (matplotlib's mathtext is switched off for every string).
"""

from __future__ import annotations

import contextlib
import io
import math
import re
import threading
from collections.abc import Iterable, Iterator, Sequence

import matplotlib
import matplotlib.text
import matplotlib.transforms
import numpy as np
import plotly.graph_objects as go
from matplotlib.axes import Axes
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Patch, Rectangle

from pages.lib import mimes
from pages.lib.stamp import Stamp
from pages.lib.theme import SOURCE_ANNOTATION, layout_axis
from pages.lib.wording import label_text

#: The largest power of ten a float holds.
MAX_DECADE = 308
#: Slide size of an image, in pixels (width, height), and pixels per inch of the drawing.
IMAGE_SIZE = (1600, 900)
DPI = 100
#: Points per pixel: plotly sizes are pixels, matplotlib's are points.
PT = 72 / DPI
#: Type sizes in points at 100 dpi: 12 pt is 16.7 px, readable on a projector at 1600 px.
BASE_SIZE, TITLE_SIZE, SUBTITLE_SIZE, SOURCE_SIZE = 12, 20, 12, 10.5
GREY, TEXT = "#555555", "#1a1a1a"
#: Blank border around an image (pixels).
MARGIN_PX = (24, 18)
#: Heights of the bands above and below the plot (pixels).
TITLE_PX, SUBTITLE_LINE_PX, LEGEND_ROW_PX, SOURCE_LINE_PX, PAD_PX = 38, 20, 26, 17, 14
PANEL_TITLE_PX = 26
#: Legend entries per row at most.
LEGEND_COLUMNS = 4
#: Characters per line of a wrapped source or subtitle line.
WRAP_CHARS = 190
FORMATS = mimes.IMAGES
#: plotly marker symbols by their base name; suffixes ``-open`` and ``-dot`` are read apart.
SYMBOLS = {
    "circle": "o",
    "square": "s",
    "diamond": "D",
    "cross": "P",
    "x": "X",
    "triangle-up": "^",
    "triangle-down": "v",
    "triangle-left": "<",
    "triangle-right": ">",
    "star": "*",
    "hexagon": "h",
    "pentagon": "p",
}
DASHES = {"solid": "-", "dot": ":", "dash": "--", "longdash": "--", "dashdot": "-.", "longdashdot": "-."}

#: Drawing one image at a time: matplotlib's settings and font cache are shared by the process, and
#: Streamlit serves each browser tab from its own thread.
DRAWING_LOCK = threading.Lock()


@contextlib.contextmanager
def drawing() -> Iterator[None]:
    """Hold ``DRAWING_LOCK`` while matplotlib draws; figures near the largest float make its margins,
    log transforms and ticks reach past it (inf, which it clamps): numpy's overflow warnings about
    that are not shown."""
    with DRAWING_LOCK, np.errstate(over="ignore", invalid="ignore"):
        yield

matplotlib.rcParams.update(
    {
        "font.family": "DejaVu Sans",  # matplotlib's own font: the same image on every machine
        "font.size": BASE_SIZE,
        "svg.fonttype": "none",  # text stays text in SVG (searchable, selectable)
        "pdf.fonttype": 42,  # TrueType in PDF: its text can be copied and searched
        "axes.edgecolor": "#888888",
        "axes.labelcolor": TEXT,
        "xtick.color": "#444444",
        "ytick.color": "#444444",
        "text.parse_math": False,  # article text with "$" is not mathematics
    }
)


RGB = re.compile(r"rgba?\(([^)]*)\)")


def colour(value: object, default: object = "#444444") -> object:
    """A plotly colour as matplotlib reads it: ``rgb(…)`` and ``rgba(…)`` become tuples.

    >>> colour("rgb(255,0,51)"), colour("#abc"), colour(None, "red")
    ((1.0, 0.0, 0.2), '#abc', 'red')
    """
    if not isinstance(value, str) or not value:
        return default
    match = RGB.fullmatch(value.strip())
    if not match:
        return value
    parts = [float(p) for p in match.group(1).split(",")]
    return tuple([*(min(max(p / 255, 0.0), 1.0) for p in parts[:3]), *parts[3:4]])


def short_number(value: float) -> str:
    """A tick of a log axis in words a reader knows.

    >>> [short_number(v) for v in (1, 100, 1_000, 2.5e6, 1e9, 1e13, 0.01)]
    ['1', '100', '1K', '2.5M', '1B', '1e+13', '0.01']
    """
    for size, suffix in ((1e12, None), (1e9, "B"), (1e6, "M"), (1e3, "K")):
        if abs(value) >= size:
            return f"{value:.0e}" if suffix is None else f"{value / size:g}{suffix}"
    return f"{value:g}"


def _numbers(values: object) -> np.ndarray:
    """Plotly data (lists with ``None`` gaps, arrays, series) as floats, gaps as NaN."""
    if values is None:
        return np.array([], dtype=float)
    out = np.asarray(values, dtype=object).ravel()
    return np.array([np.nan if v is None else _float(v) for v in out], dtype=float)


def _float(value: object) -> float:
    try:
        return float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return math.nan


def _each(value: object, n: int) -> list:
    """A per-point attribute (one value or one per point) as a list of ``n``."""
    if value is None or isinstance(value, str | int | float):
        return [value] * n
    items = list(np.asarray(value, dtype=object).ravel())
    return items if len(items) == n else [items[0] if items else None] * n


def _marker_style(symbol: object) -> tuple[str, bool, bool]:
    """A plotly symbol as matplotlib's marker, whether it is open, and whether it has a dot in it.

    >>> _marker_style("diamond-open-dot"), _marker_style(None)
    (('D', True, True), ('o', False, False))
    """
    name = str(symbol or "circle")
    dot = name.endswith("-dot")
    name = name.removesuffix("-dot")
    is_open = name.endswith("-open")
    return SYMBOLS.get(name.removesuffix("-open"), "o"), is_open, dot


def _axis_names(trace: go.BaseTraceType) -> tuple[str, str]:
    x, y = getattr(trace, "xaxis", None) or "x", getattr(trace, "yaxis", None) or "y"
    return "xaxis" + x[1:], "yaxis" + y[1:]


class _Canvas:
    """One plotly figure being drawn into a rectangle of a matplotlib figure."""

    def __init__(self, source: go.Figure, target: Figure, rect: tuple[float, float, float, float]) -> None:
        self.fig, self.target, self.rect = source, target, rect
        self.layout = source.layout
        self.axes: dict[tuple[str, str], Axes] = {}
        self.categories: dict[str, dict[str, int]] = {}  # axis name -> category -> position
        self.ratios: dict[tuple[str, str], float] = {}  # axes whose units keep a ratio (a map)

    # -- axes ---------------------------------------------------------------------------------
    def domain(self, name: str) -> tuple[float, float]:
        axis = layout_axis(self.layout, name)
        domain = getattr(axis, "domain", None) if axis is not None else None
        return (float(domain[0]), float(domain[1])) if domain else (0.0, 1.0)

    def paper(self, x: float, y: float) -> tuple[float, float]:
        """Plotly paper coordinates (0..1 over the plot area) in figure fractions."""
        left, bottom, width, height = self.rect
        return left + x * width, bottom + y * height

    def axes_for(self, xname: str, yname: str) -> Axes:
        key = (xname, yname)
        if key not in self.axes:
            (x0, x1), (y0, y1) = self.domain(xname), self.domain(yname)
            left, bottom = self.paper(x0, y0)
            right, top = self.paper(x1, y1)
            ax = self.target.add_axes((left, bottom, right - left, top - bottom))
            ax.set_facecolor(self.layout.plot_bgcolor or "white")
            ax.grid(True, color="#e6e6e6", linewidth=0.8)
            ax.set_axisbelow(True)
            for side in ("top", "right"):
                ax.spines[side].set_visible(False)
            self.axes[key] = ax
        return self.axes[key]

    def category(self, name: str, key: str) -> int:
        """Position of a category on an axis, in the order categories first appear (as plotly)."""
        seen = self.categories.setdefault(name, {})
        return seen.setdefault(key, len(seen))

    def positions(self, name: str, values: object, layout_axis: object) -> np.ndarray:
        numbers = _numbers(values)
        raw = list(np.asarray(values, dtype=object).ravel()) if values is not None else []
        if raw and np.isnan(numbers).all() and any(isinstance(v, str) for v in raw):
            ticks = getattr(layout_axis, "tickvals", None)
            for tick in ticks or ():
                self.category(name, str(tick))
            return np.array([self.category(name, str(v)) for v in raw], dtype=float)
        return numbers

    # -- traces -------------------------------------------------------------------------------
    def draw(self) -> None:
        for trace in self.fig.data:
            if trace.visible in (False, "legendonly"):
                continue
            xname, yname = _axis_names(trace)
            ax = self.axes_for(xname, yname)
            kind = trace.type
            if kind == "scatter":
                self.scatter(ax, trace, xname, yname)
            elif kind == "bar":
                self.bar(ax, trace, xname, yname)
            elif kind == "heatmap":
                self.heatmap(ax, trace)
        for (xname, yname), ax in self.axes.items():
            self.style_axis(ax.xaxis, ax, layout_axis(self.layout, xname), xname, "x")
            self.style_axis(ax.yaxis, ax, layout_axis(self.layout, yname), yname, "y")
            if yname in self.layout and self.layout[yname].scaleanchor:
                self.ratios[(xname, yname)] = float(self.layout[yname].scaleratio or 1)

    def scatter(self, ax: Axes, trace: go.Scatter, xname: str, yname: str) -> None:
        x = self.positions(xname, trace.x, layout_axis(self.layout, xname))
        y = self.positions(yname, trace.y, layout_axis(self.layout, yname))
        mode = trace.mode or "lines+markers"
        alpha = 1.0 if trace.opacity is None else float(trace.opacity)
        line = trace.line
        ink = colour(line.color if line and line.color else None, _first_colour(trace.marker) or "#444444")
        width = (line.width if line and line.width is not None else 2) * PT
        if trace.fill == "toself":
            for xs, ys in _rings(x, y):
                ax.fill(
                    xs,
                    ys,
                    facecolor=colour(trace.fillcolor, ink),
                    edgecolor=ink,
                    linewidth=width,
                    alpha=alpha,
                    zorder=1,
                )
        elif "lines" in mode:
            ax.plot(
                x,
                y,
                color=ink,
                linewidth=width,
                alpha=alpha,
                zorder=2,
                linestyle=DASHES.get(line.dash if line and line.dash else "solid", "-"),
                solid_capstyle="round",
            )
        if trace.error_y and trace.error_y.visible and trace.error_y.array is not None:
            plus = np.nan_to_num(_numbers(trace.error_y.array))
            minus = (
                np.nan_to_num(_numbers(trace.error_y.arrayminus))
                if trace.error_y.arrayminus is not None
                else plus
            )
            show = (plus > 0) | (minus > 0)
            if show.any():
                ax.errorbar(
                    x[show],
                    y[show],
                    yerr=[minus[show], plus[show]],
                    fmt="none",
                    ecolor=colour(trace.error_y.color, ink),
                    capsize=4,
                    elinewidth=(trace.error_y.thickness or 2) * PT,
                    zorder=3,
                )
        if "markers" in mode:
            self.markers(ax, trace, x, y, alpha)
        if "text" in mode and trace.text is not None:
            self.point_labels(ax, trace, x, y)

    def markers(self, ax: Axes, trace: go.Scatter, x: np.ndarray, y: np.ndarray, alpha: float) -> None:
        marker, n = trace.marker, len(x)
        colours = _each(marker.color, n) if marker else [None] * n
        sizes = _each(marker.size if marker and marker.size is not None else 6, n)
        symbols = _each(marker.symbol if marker else None, n)
        edges = _each(marker.line.color if marker and marker.line else None, n)
        edge_width = marker.line.width if marker and marker.line and marker.line.width is not None else 0.5
        opacity = float(marker.opacity) if marker and isinstance(marker.opacity, int | float) else alpha
        for i in range(n):
            if not (np.isfinite(x[i]) and np.isfinite(y[i])):
                continue
            shape, is_open, dot = _marker_style(symbols[i])
            fill = colour(colours[i])
            edge = colour(edges[i], fill)
            size = (_float(sizes[i]) if np.isfinite(_float(sizes[i])) else 6) * PT
            ax.plot(
                x[i],
                y[i],
                marker=shape,
                markersize=size,
                linestyle="none",
                alpha=opacity,
                zorder=4,
                markerfacecolor="none" if is_open else fill,
                markeredgecolor=fill if is_open else edge,
                markeredgewidth=max(edge_width, 1.5 if is_open else 0) * PT,
            )
            if dot:  # plotly draws the dot in the outline's colour
                dot_colour = fill if is_open else edge
                ax.plot(x[i], y[i], marker="o", markersize=size / 4, color=dot_colour, zorder=5)

    def point_labels(self, ax: Axes, trace: go.Scatter, x: np.ndarray, y: np.ndarray) -> None:
        texts = _each(trace.text, len(x))
        where = _each(trace.textposition or "middle center", len(x))
        font = trace.textfont
        size = (font.size if font and isinstance(font.size, int | float) else BASE_SIZE / PT) * PT
        ink = colour(font.color if font else None, TEXT)
        sizes = _each(trace.marker.size if trace.marker and trace.marker.size is not None else 6, len(x))
        for i, text in enumerate(texts):
            if not text or not (np.isfinite(x[i]) and np.isfinite(y[i])):
                continue
            vertical, _, horizontal = str(where[i]).partition(" ")
            gap = (_float(sizes[i]) / 2 + 3) * PT if "markers" in (trace.mode or "") else 0
            dx = {"left": -gap, "right": gap}.get(horizontal, 0)
            dy = {"top": gap, "bottom": -gap}.get(vertical, 0)
            ax.annotate(
                label_text(text),
                (x[i], y[i]),
                xytext=(dx, dy),
                textcoords="offset points",
                fontsize=size,
                color=ink,
                zorder=6,
                annotation_clip=trace.cliponaxis is not False,
                ha={"left": "right", "right": "left"}.get(horizontal, "center"),
                va={"top": "bottom", "bottom": "top"}.get(vertical, "center"),
            )

    def bar(self, ax: Axes, trace: go.Bar, xname: str, yname: str) -> None:
        horizontal = trace.orientation == "h"
        values = _numbers(trace.x if horizontal else trace.y)
        names = (yname, trace.y) if horizontal else (xname, trace.x)
        places = self.positions(names[0], names[1], layout_axis(self.layout, names[0]))
        draw = ax.barh if horizontal else ax.bar
        draw(places, values, 0.7, color=_first_colour(trace.marker) or "#444444", zorder=3,
             hatch=_hatch(trace.marker), edgecolor="white", linewidth=0)
        for place, value, text in zip(places, values, _each(trace.text, len(values)), strict=True):
            if text and np.isfinite(value):
                xy = (value, place) if horizontal else (place, value)
                ax.annotate(
                    label_text(text),
                    xy,
                    xytext=(4, 0) if horizontal else (0, 4),
                    textcoords="offset points",
                    ha="left" if horizontal else "center",
                    va="center" if horizontal else "bottom",
                    fontsize=BASE_SIZE - 1,
                    annotation_clip=False,
                    zorder=6,
                )

    def heatmap(self, ax: Axes, trace: go.Heatmap) -> None:
        z = np.array(
            [[_float(v) for v in row] for row in (trace.z if trace.z is not None else [])], dtype=float
        )
        if z.size == 0:
            return
        scale = trace.colorscale
        cmap = "Blues"
        if isinstance(scale, tuple) and scale and len(scale[-1]) == 2:
            from matplotlib.colors import LinearSegmentedColormap

            cmap = LinearSegmentedColormap.from_list("plotly", [(float(s), colour(c)) for s, c in scale])
        image = ax.imshow(np.ma.masked_invalid(z), cmap=cmap, aspect="auto", origin="lower", zorder=2)
        ax.grid(False)
        ax.set_xticks(
            range(z.shape[1]),
            [label_text(v) for v in (trace.x if trace.x is not None else range(z.shape[1]))],
        )
        ax.set_yticks(
            range(z.shape[0]),
            [label_text(v) for v in (trace.y if trace.y is not None else range(z.shape[0]))],
        )
        top = np.nanmax(z) if np.isfinite(z).any() else 1
        if trace.texttemplate:
            for (row, col), value in np.ndenumerate(z):
                if np.isfinite(value):
                    ax.text(
                        col,
                        row,
                        f"{value:g}",
                        ha="center",
                        va="center",
                        fontsize=BASE_SIZE - 1,
                        color="white" if value > top * 0.6 else TEXT,
                    )
        bar = self.target.colorbar(image, ax=ax, fraction=0.04, pad=0.02)
        title = trace.colorbar.title.text if trace.colorbar and trace.colorbar.title else None
        if title:
            bar.set_label(label_text(title))

    # -- axes and annotations ---------------------------------------------------------------
    def style_axis(self, axis: object, ax: Axes, spec: object, name: str, letter: str) -> None:
        if spec is None:
            return
        if spec.visible is False:
            axis.set_visible(False)
            for side in ("bottom", "top") if letter == "x" else ("left", "right"):
                ax.spines[side].set_visible(False)
            ax.grid(False, axis=letter)
        log = spec.type == "log"
        if log:
            (ax.set_xscale if letter == "x" else ax.set_yscale)("log")
            axis.set_major_formatter(matplotlib.ticker.FuncFormatter(lambda v, _: short_number(v)))
        if spec.range is not None and all(v is not None for v in spec.range):
            # a log range is in powers of ten, kept to what a float holds (1e308)
            low, high = ((10.0 ** min(float(v), MAX_DECADE) for v in spec.range) if log
                         else (float(v) for v in spec.range))
            (ax.set_xlim if letter == "x" else ax.set_ylim)(low, high)
        if spec.tickvals is not None:
            ticks = list(spec.tickvals)
            labels = (
                [label_text(t) for t in spec.ticktext]
                if spec.ticktext is not None
                else [str(t) for t in ticks]
            )
            seen = self.categories.get(name)
            places = [seen.get(str(t), math.nan) for t in ticks] if seen else [_float(t) for t in ticks]
            keep = [i for i, p in enumerate(places) if np.isfinite(p)]
            axis.set_ticks([places[i] for i in keep], [labels[i] for i in keep])
            axis.set_minor_locator(matplotlib.ticker.NullLocator())
        elif spec.tickformat == "d":
            axis.set_major_locator(matplotlib.ticker.MaxNLocator(integer=True))
            axis.set_major_formatter(matplotlib.ticker.FormatStrFormatter("%d"))
        if spec.tickangle:
            for label in axis.get_ticklabels():
                label.set_rotation(-float(spec.tickangle))
                label.set_ha("right")
        if spec.autorange == "reversed":
            (ax.invert_xaxis if letter == "x" else ax.invert_yaxis)()
        title = spec.title.text if spec.title else None
        if title and spec.visible is not False:
            (ax.set_xlabel if letter == "x" else ax.set_ylabel)(label_text(title))

    def keep_ratios(self) -> None:
        """Widen the x or the y range of axes whose units keep a ratio (``scaleanchor``) so that the plot
        fills its box, as plotly's ``constrain="range"`` does: a map shows more around it, never less."""
        width_px, height_px = self.target.bbox.width, self.target.bbox.height
        for key, ratio in self.ratios.items():
            ax = self.axes[key]
            box = ax.get_position()
            w, h = box.width * width_px, box.height * height_px
            (x0, x1), (y0, y1) = ax.get_xlim(), ax.get_ylim()
            xr, yr = x1 - x0, y1 - y0
            if not (w > 0 and h > 0 and xr and yr):
                continue
            if h / yr > ratio * w / xr:  # too few y units for the height: show more north and south
                half = h * xr / (ratio * w) / 2
                ax.set_ylim((y0 + y1) / 2 - half, (y0 + y1) / 2 + half)
            else:
                half = ratio * w * yr / h / 2
                ax.set_xlim((x0 + x1) / 2 - half, (x0 + x1) / 2 + half)

    def shapes(self) -> None:
        """Rectangles placed on the plot's frame (the map's colour key)."""
        for shape in self.layout.shapes:
            if shape.type != "rect" or shape.xref != "paper" or shape.yref != "paper":
                continue
            x0, y0 = self.paper(float(shape.x0), float(shape.y0))
            x1, y1 = self.paper(float(shape.x1), float(shape.y1))
            line = shape.line
            width = (line.width if line is not None and line.width is not None else 1) * PT
            self.target.add_artist(Rectangle(
                (x0, y0), x1 - x0, y1 - y0, transform=self.target.transFigure, zorder=5,
                facecolor=colour(shape.fillcolor, "none"),
                edgecolor=colour(line.color if line is not None else None, "none") if width else "none",
                linewidth=width))

    def annotations(self) -> None:
        for note in self.layout.annotations:
            if note.name == SOURCE_ANNOTATION or not note.text:
                continue
            if note.xref != "paper" or note.yref != "paper":
                continue
            x, y = self.paper(float(note.x or 0), float(note.y or 0))
            self.target.text(
                x,
                y + (note.yshift or 0) / self.target.bbox.height,
                label_text(note.text),
                ha={"left": "left", "right": "right"}.get(note.xanchor, "center"),
                va={"top": "top", "bottom": "bottom"}.get(note.yanchor, "center"),
                fontsize=(note.font.size * PT * 1.2 if note.font and note.font.size else BASE_SIZE),
                color=TEXT,
                zorder=6,  # above the shapes they label
            )

    def legend(self) -> list[tuple[Line2D | Patch, str]]:
        if self.layout.showlegend is False:
            return []
        entries: list[tuple[float, int, Line2D | Patch, str]] = []
        groups: set[str] = set()
        shown = [t for t in self.fig.data if t.name and t.showlegend is not False and t.visible is not False]
        if len(shown) < 2 and not any(t.showlegend for t in shown):
            return []
        for i, trace in enumerate(shown):
            if trace.legendgroup and trace.legendgroup in groups:
                continue
            groups.add(trace.legendgroup or f"#{i}")
            rank = trace.legendrank if trace.legendrank is not None else 1000
            entries.append((rank, i, _handle(trace), label_text(trace.name)))
        return [(handle, label) for _, _, handle, label in sorted(entries, key=lambda e: (e[0], e[1]))]


#: plotly's bar patterns as matplotlib's hatches.
HATCHES = {"/": "//", "\\": "\\\\", "x": "xx", "-": "--", "|": "||", "+": "++", ".": ".."}


def _hatch(marker: object) -> str | None:
    """A bar's pattern (a target's hatching) as matplotlib's hatch, or ``None``."""
    pattern = getattr(marker, "pattern", None) if marker is not None else None
    shape = getattr(pattern, "shape", None) if pattern is not None else None
    return HATCHES.get(shape) if isinstance(shape, str) else None


def _first_colour(marker: object) -> str | None:
    value = getattr(marker, "color", None) if marker is not None else None
    if isinstance(value, str):
        return colour(value)
    if value is not None:
        return colour(
            next((c for c in np.asarray(value, dtype=object).ravel() if isinstance(c, str)), None), None
        )
    return None


def _handle(trace: go.BaseTraceType) -> Line2D | Patch:
    """The legend's sample of a trace: its marker, its line, or a filled square."""
    if trace.type == "scatter" and trace.fill == "toself":
        return Line2D(
            [],
            [],
            marker="s",
            markersize=12,
            linestyle="none",
            markerfacecolor=colour(trace.fillcolor, "#cccccc"),
            markeredgecolor="#888888",
        )
    if trace.type == "bar":
        return Patch(facecolor=_first_colour(trace.marker) or "#444444", hatch=_hatch(trace.marker),
                     edgecolor="white", linewidth=0)
    mode = getattr(trace, "mode", None) or ""
    line = getattr(trace, "line", None)
    sample = colour(line.color if line is not None else None, _first_colour(trace.marker) or "#444444")
    if "markers" in mode:
        symbols = _each(trace.marker.symbol if trace.marker else None, 1)
        shape, is_open, _ = _marker_style(symbols[0])
        return Line2D(
            [],
            [],
            marker=shape,
            markersize=10,
            linestyle="none",
            markerfacecolor="none" if is_open else sample,
            markeredgecolor=sample,
            markeredgewidth=1.5,
        )
    width = line.width if line is not None and line.width else 2
    return Line2D([], [], color=sample, linewidth=min(width, 6) * PT * 1.5)


def _rings(x: np.ndarray, y: np.ndarray) -> Iterable[tuple[np.ndarray, np.ndarray]]:
    """The polygons of a filled trace, whose rings are separated by gaps."""
    gaps = np.flatnonzero(~(np.isfinite(x) & np.isfinite(y)))
    start = 0
    for end in [*gaps.tolist(), len(x)]:
        if end - start > 2:
            yield x[start:end], y[start:end]
        start = end + 1


def _wrapped(text: str, chars: int = WRAP_CHARS) -> list[str]:
    import textwrap

    return [part for line in text.split("\n") for part in (textwrap.wrap(line, chars) or [""])]


def _source_text(fig: go.Figure) -> str:
    for note in fig.layout.annotations:
        if note.name == SOURCE_ANNOTATION:
            return label_text(note.text).replace("\n", " ")
    return ""


def draw(
    fig: go.Figure,
    target: Figure,
    box: tuple[float, float, float, float],
    stamp: Stamp,
    title: str | None = None,
) -> None:
    """Draw the plotly ``fig`` into the ``box`` (left, bottom, width, height in figure fractions) of
    ``target``: its title and subtitle on top, its legend under them, the plot, and under it the source
    line and the stamp's build date."""
    width_px, height_px = target.bbox.width, target.bbox.height
    left, bottom, width, height = box
    top = bottom + height
    heading = label_text(title if title is not None else (fig.layout.title.text or ""))
    subtitle_spec = fig.layout.title.subtitle if fig.layout.title else None
    subtitle = _wrapped(label_text(subtitle_spec.text)) if subtitle_spec and subtitle_spec.text else []
    y = top
    if heading:
        target.text(left, y, heading, fontsize=TITLE_SIZE, fontweight="bold", va="top", color=TEXT)
        y -= TITLE_PX / height_px
    if subtitle:
        target.text(
            left, y, "\n".join(subtitle), fontsize=SUBTITLE_SIZE, va="top", color=GREY, linespacing=1.25
        )
        y -= SUBTITLE_LINE_PX * len(subtitle) / height_px
    canvas = _Canvas(fig, target, (0, 0, 1, 1))
    entries = canvas.legend()
    side = 0.0  # the width a legend at the side takes
    if entries and fig.layout.legend.orientation == "v":  # as plotly: a column at the plot's right
        legend = target.legend(
            [h for h, _ in entries],
            [label for _, label in entries],
            loc="upper right",
            bbox_to_anchor=(left + width, y),
            frameon=False,
            fontsize=BASE_SIZE - 1,
            borderaxespad=0,
            handletextpad=0.4,
        )
        side = legend.get_window_extent(target.canvas.get_renderer()).width / width_px + PAD_PX / width_px
    elif entries:
        columns = min(LEGEND_COLUMNS, len(entries))
        rows = math.ceil(len(entries) / columns)
        target.legend(
            [h for h, _ in entries],
            [label for _, label in entries],
            loc="upper left",
            bbox_to_anchor=(left, y),
            ncols=columns,
            frameon=False,
            fontsize=BASE_SIZE - 1,
            borderaxespad=0,
            handletextpad=0.4,
            columnspacing=1.5,
        )
        y -= (LEGEND_ROW_PX * rows + PAD_PX / 2) / height_px
    source = _source_text(fig) or stamp.source
    lines = [*_wrapped(source), stamp.footer()] if source else [stamp.footer()]
    target.text(
        left, bottom, "\n".join(lines), fontsize=SOURCE_SIZE, va="bottom", color=GREY, linespacing=1.3
    )
    foot = (SOURCE_LINE_PX * len(lines) + PAD_PX) / height_px
    # panel titles stand above their panels: room for them under the legend
    panel_titles = any(n.name != SOURCE_ANNOTATION and n.yanchor == "bottom" for n in fig.layout.annotations)
    y -= (PAD_PX + (PANEL_TITLE_PX if panel_titles else 0)) / height_px
    # room for tick labels and axis titles: measured once the plot is drawn, then the plot moved in
    canvas.rect = (left, bottom + foot, width - side, y - (bottom + foot))
    canvas.draw()
    canvas.rect = _fit(target, canvas, canvas.rect, width_px, height_px)
    canvas.keep_ratios()
    canvas.shapes()
    canvas.annotations()
    renderer = target.canvas.get_renderer()
    for ax in canvas.axes.values():
        declutter([t for t in ax.texts if isinstance(t, matplotlib.text.Annotation)], renderer)


#: Where a label that overlaps another is tried, in label heights above (+) or below (−) its place.
NUDGES = (0, 1, -1, 2, -2, 3, -3)


def declutter(labels: Sequence[matplotlib.text.Annotation], renderer: object) -> int:
    """Move point labels up or down, by whole label heights, off the labels placed before them
    (a label that finds no free place stays where it was); how many were moved."""
    placed: list[matplotlib.transforms.Bbox] = []
    moved = 0
    for label in labels:
        box = label.get_window_extent(renderer)
        dx, dy = label.xyann
        for step in NUDGES:
            shift = step * box.height * 1.05
            trial = box.translated(0, shift)
            if not any(trial.overlaps(other) for other in placed):
                if step:
                    label.xyann = (dx, dy + shift * PT)
                    moved += 1
                placed.append(trial)
                break
        else:
            placed.append(box)
    return moved


def _unclipped(text: matplotlib.text.Text) -> bool:
    """Whether a label may be drawn outside its plot (an annotation with plotly's cliponaxis=False)."""
    return isinstance(text, matplotlib.text.Annotation) and text.get_annotation_clip() is False


def _fit(
    target: Figure,
    canvas: _Canvas,
    plot: tuple[float, float, float, float],
    width_px: float,
    height_px: float,
) -> tuple[float, float, float, float]:
    """Shrink the plot so its tick labels and axis titles stay inside ``plot``; the plot's new box."""
    renderer = target.canvas.get_renderer()
    left, bottom, width, height = plot
    # labels that may leave the plot (plotly's cliponaxis=False) need room too; clipped ones do not
    boxes = [ax.get_tightbbox(renderer, bbox_extra_artists=[t for t in ax.texts if _unclipped(t)])
             for ax in canvas.axes.values()]
    boxes = [b for b in boxes if b is not None]
    if not boxes:
        return plot
    extra_left = max(0.0, left - min(b.x0 for b in boxes) / width_px)
    extra_bottom = max(0.0, bottom - min(b.y0 for b in boxes) / height_px)
    extra_right = max(0.0, max(b.x1 for b in boxes) / width_px - (left + width))
    extra_top = max(0.0, max(b.y1 for b in boxes) / height_px - (bottom + height))
    new_width = max(width - extra_left - extra_right, width * 0.3)
    new_height = max(height - extra_bottom - extra_top, height * 0.3)
    sx, sy = new_width / width, new_height / height
    for ax in canvas.axes.values():
        x0, y0, w, h = ax.get_position().bounds
        ax.set_position(
            (left + extra_left + (x0 - left) * sx, bottom + extra_bottom + (y0 - bottom) * sy, w * sx, h * sy)
        )
    return left + extra_left, bottom + extra_bottom, new_width, new_height


def chart_image(fig: go.Figure, fmt: str, stamp: Stamp, size: Sequence[int] = IMAGE_SIZE) -> bytes:
    """One chart as a ``fmt`` image (``png``, ``svg`` or ``pdf``) of ``size`` pixels, stamped with
    its title, source line and build date."""
    if fmt not in FORMATS:
        raise ValueError(f"image format {fmt!r}: one of {', '.join(FORMATS)}")
    with drawing():
        target = new_figure(size)
        margin_x, margin_y = MARGIN_PX[0] / size[0], MARGIN_PX[1] / size[1]
        draw(fig, target, (margin_x, margin_y, 1 - 2 * margin_x, 1 - 2 * margin_y), stamp)
        buffer = io.BytesIO()
        target.savefig(buffer, format=fmt, dpi=DPI, metadata=_metadata(fmt, fig))
        return buffer.getvalue()


def new_figure(size: Sequence[int] = IMAGE_SIZE) -> Figure:
    """A blank drawing of ``size`` pixels (not pyplot's: nothing global, freed when dropped)."""
    target = Figure(figsize=(size[0] / DPI, size[1] / DPI), dpi=DPI)
    FigureCanvasAgg(target)  # measuring text needs a renderer
    return target


def _metadata(fmt: str, fig: go.Figure) -> dict[str, str | None]:
    title = label_text(fig.layout.title.text or "") if fig.layout.title else ""
    if fmt == "png":
        return {"Title": title, "Software": "vn-kh-monitor (matplotlib)"}
    if fmt == "svg":
        return {"Title": title, "Date": None}  # no date: the same chart gives the same file
    return {"Title": title, "Creator": "vn-kh-monitor", "CreationDate": None}
