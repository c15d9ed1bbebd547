"""The briefing as a PDF: one landscape slide per page, made offline.

The same content as the HTML briefing (``briefing.parts``): key figures, a money chart per
currency, the province map, the cooperation charts, then the articles and the money figures
quoted. Charts are drawn as vectors by ``images`` (matplotlib), text stays text (it can be
searched and copied), and every page says the briefing's scope, when its data was built and
when the PDF was made. Nothing is fetched: matplotlib's own font draws every page.
"""

from __future__ import annotations

import io
import textwrap
from collections.abc import Callable
from datetime import UTC, datetime

import pandas as pd
from matplotlib.backends.backend_pdf import PdfPages
from matplotlib.figure import Figure
from matplotlib.patches import Rectangle

from pages.lib import briefing, images, theme
from pages.lib.maps import MapGeometry
from pages.lib.stamp import Stamp
from pages.lib.tables import Tables
from pages.lib.wording import mended

#: A page, in pixels at ``images.DPI``: 16 × 9 inches, a slide's shape.
PAGE = (1600, 900)
MARGIN_X, MARGIN_TOP, FOOTER_PX = 40, 30, 44
#: Key figure cards: per row, and at most (the largest trade, investment and aid, achieved and target).
CARDS_PER_ROW, MAX_CARDS = 3, 6
CARD_GAP_PX, CARD_PAD_PX, CARD_BAR_PX = 24, 18, 8
#: Lines of a quote on a card, and characters per line of the sources list.
QUOTE_LINES, SOURCE_CHARS = 5, 150
#: The width of an average character of matplotlib's DejaVu Sans, in ems (for wrapping text to a box).
CHAR_EM = 0.6
#: Articles listed one by one in the sources, oldest first (a PDF of 10,000 articles stays a briefing).
MAX_ARTICLES = 150
#: Sources: lines on a page, and the height of one (pixels).
SOURCE_LINE_PX = 23
HEADING_SIZE, BODY_SIZE, AMOUNT_SIZE = 26, 13, 30

Slide = Callable[[Figure], None]


def _wrap(text: object, chars: int, lines: int | None = None) -> list[str]:
    """Text wrapped to ``chars`` a line, cut to ``lines`` lines with an ellipsis."""
    wrapped = textwrap.wrap(mended(str(text)) if text is not None else "", chars) or [""]
    if lines is not None and len(wrapped) > lines:
        wrapped = [*wrapped[: lines - 1], wrapped[lines - 1].rstrip(" .,;") + " …"]
    return wrapped


def _heading(target: Figure, title: str, subtitle: str = "") -> float:
    """A slide's heading; the height it leaves under it, as a figure fraction from the bottom."""
    width, height = target.bbox.width, target.bbox.height
    top = 1 - MARGIN_TOP / height
    target.text(MARGIN_X / width, top, title, fontsize=HEADING_SIZE, fontweight="bold", va="top",
                color=images.TEXT)
    top -= 48 / height
    if subtitle:
        target.text(MARGIN_X / width, top, subtitle, fontsize=BODY_SIZE, va="top", color=images.GREY)
        top -= 30 / height
    return top


def _card(target: Figure, box: tuple[float, float, float, float], row: object) -> None:
    """One key figure: what it is, the amount, what it counts and where, the quote and the source."""
    left, bottom, width, height = box
    w, h = target.bbox.width, target.bbox.height
    target.add_artist(Rectangle((left, bottom), width, height, transform=target.transFigure,
                                facecolor="white", edgecolor="#dddddd", linewidth=1))
    target.add_artist(Rectangle((left, bottom), CARD_BAR_PX / w, height, transform=target.transFigure,
                                facecolor=theme.KH_COLOUR, edgecolor="none"))
    x = left + (CARD_BAR_PX + CARD_PAD_PX) / w
    y = bottom + height - CARD_PAD_PX / h
    room = width * w - CARD_BAR_PX - 2 * CARD_PAD_PX

    def chars(size: float) -> int:  # characters of this size (points) that fit across the card
        return max(int(room / (size / images.PT * CHAR_EM)), 10)

    target.text(x, y, str(row.heading).upper(), fontsize=BODY_SIZE - 1, color=images.GREY, va="top")
    y -= 26 / h
    target.text(x, y, str(row.amount), fontsize=AMOUNT_SIZE, fontweight="bold", va="top", color=images.TEXT)
    y -= 54 / h
    detail = " · ".join(str(p) for p in (row.what, row.scope, row.period, row.qualifier) if _present(p))
    lines = _wrap(detail, chars(BODY_SIZE), 2)
    target.text(x, y, "\n".join(lines), fontsize=BODY_SIZE, va="top", color=images.TEXT, linespacing=1.3)
    y -= (22 * len(lines) + 10) / h
    quote = _wrap(row.quote, chars(BODY_SIZE - 1), QUOTE_LINES)
    target.text(x, y, "\n".join(quote), fontsize=BODY_SIZE - 1, style="italic", va="top", color="#333333",
                linespacing=1.3)
    target.text(x, bottom + CARD_PAD_PX / h, "\n".join(_wrap(row.source, chars(BODY_SIZE - 2), 2)),
                fontsize=BODY_SIZE - 2, va="bottom", color=images.GREY, linespacing=1.25)


def _present(value: object) -> bool:
    return value is not None and not (not isinstance(value, str) and pd.isna(value)) and str(value) != ""


def key_figures_slide(figures: pd.DataFrame) -> Slide:
    def draw(target: Figure) -> None:
        top = _heading(target, "Key figures",
                       "The largest trade, investment and aid figures, each counted once; targets apart")
        if figures.empty:
            _message(target, top, "No trade, investment or aid figure in the selected articles.")
            return
        w, h = target.bbox.width, target.bbox.height
        shown = figures.head(MAX_CARDS)
        rows = -(-len(shown) // CARDS_PER_ROW)
        bottom_px = FOOTER_PX + 16
        card_w = (w - 2 * MARGIN_X - (CARDS_PER_ROW - 1) * CARD_GAP_PX) / CARDS_PER_ROW
        card_h = (top * h - bottom_px - (rows - 1) * CARD_GAP_PX) / rows
        for i, row in enumerate(shown.itertuples()):
            col, line = i % CARDS_PER_ROW, i // CARDS_PER_ROW
            left = (MARGIN_X + col * (card_w + CARD_GAP_PX)) / w
            bottom = (top * h - (line + 1) * card_h - line * CARD_GAP_PX) / h
            _card(target, (left, bottom, card_w / w, card_h / h), row)

    return draw


def chart_slide(fig: object, stamp: Stamp) -> Slide:
    def draw(target: Figure) -> None:
        w, h = target.bbox.width, target.bbox.height
        box = (MARGIN_X / w, (FOOTER_PX + 8) / h, 1 - 2 * MARGIN_X / w, 1 - (FOOTER_PX + 8 + MARGIN_TOP) / h)
        images.draw(fig, target, box, stamp)

    return draw


def text_slide(title: str, message: str) -> Slide:
    def draw(target: Figure) -> None:
        _message(target, _heading(target, title), message)

    return draw


def _message(target: Figure, top: float, message: str) -> None:
    target.text(MARGIN_X / target.bbox.width, top, message, fontsize=BODY_SIZE + 2, va="top",
                color=images.TEXT)


def source_lines(articles: pd.DataFrame, claims: pd.DataFrame) -> list[tuple[str, str]]:
    """The sources section as (style, line) pairs: headings, numbered articles, quoted money figures."""
    lines: list[tuple[str, str]] = [("heading", "Articles")]
    listed = briefing.sources(articles)
    for i, text in enumerate(listed[:MAX_ARTICLES], start=1):
        for j, part in enumerate(_wrap(text, SOURCE_CHARS)):
            lines.append(("body", f"{i}. {part}" if j == 0 else f"    {part}"))
    if len(listed) > MAX_ARTICLES:
        lines.append(("meta", f"… and {len(listed) - MAX_ARTICLES:,} more articles: the dashboard's articles "
                              "table lists them all."))
    lines.append(("heading", "Money figures quoted"))
    quotes = briefing.money_quotes(claims)
    if quotes.empty:
        lines.append(("body", "None."))
    for c in quotes.itertuples():
        lines.append(("strong", f"{c.label} ({briefing.quote_kind(c)})"))
        lines += [("quote", f"    {part}") for part in _wrap(c.quote, SOURCE_CHARS - 6)]
        lines += [("meta", f"    {part}") for part in _wrap(f"{c.source} · {c.claim_id}", SOURCE_CHARS - 6)]
    return lines


STYLES = {
    "heading": {"fontsize": BODY_SIZE + 4, "fontweight": "bold", "color": images.TEXT},
    "body": {"fontsize": BODY_SIZE, "color": images.TEXT},
    "strong": {"fontsize": BODY_SIZE, "fontweight": "bold", "color": images.TEXT},
    "quote": {"fontsize": BODY_SIZE - 1, "style": "italic", "color": "#333333"},
    "meta": {"fontsize": BODY_SIZE - 2, "color": images.GREY},
}


def source_slides(lines: list[tuple[str, str]], size: tuple[int, int] = PAGE) -> list[Slide]:
    """The sources, as many pages as they take."""
    usable = size[1] - MARGIN_TOP - 48 - FOOTER_PX - 16
    per_page = max(int(usable // SOURCE_LINE_PX), 1)
    pages = [lines[i:i + per_page] for i in range(0, len(lines), per_page)] or [[]]

    def slide(part: list[tuple[str, str]], n: int) -> Slide:
        def draw(target: Figure) -> None:
            title = "Sources" if n == 0 else f"Sources (continued, {n + 1} of {len(pages)})"
            y = _heading(target, title)
            for style, text in part:
                target.text(MARGIN_X / target.bbox.width, y, text, va="top", **STYLES[style])
                y -= SOURCE_LINE_PX / target.bbox.height

        return draw

    return [slide(part, n) for n, part in enumerate(pages)]


def slides(view: Tables, geometry: MapGeometry) -> list[Slide]:
    """Every page of the briefing, in order."""
    made = briefing.parts(view, geometry)
    stamp = Stamp(made.source, made.built)
    out = [key_figures_slide(made.key_figures)]
    out += [chart_slide(f, stamp) for f in made.trade] or [text_slide("Trade and investment",
                                                                      briefing.NO_MONEY)]
    out.append(chart_slide(made.map, stamp))
    out += [chart_slide(f, stamp) for f in made.cooperation] or [text_slide("Cooperation", briefing.NO_LINK)]
    out += source_slides(source_lines(view.articles, made.claims))
    return out


def briefing_pdf(view: Tables, geometry: MapGeometry, *, scope: str = "all articles",
                 made: datetime | None = None) -> bytes:
    """The briefing as PDF bytes: one 16:9 landscape page per slide, each with the scope, the data's
    build time, the time the PDF was made and its page number at the foot."""
    built = str(view.build.get("built_at", "unknown"))
    when = (made or datetime.now(UTC)).astimezone(UTC).isoformat(timespec="minutes")
    pages = slides(view, geometry)
    buffer = io.BytesIO()
    with images.drawing(), PdfPages(buffer, metadata={"Title": briefing.TITLE, "Creator": "vn-kh-monitor",
                                                    "Subject": f"Scope: {scope}"}) as pdf:
        for number, draw in enumerate(pages, start=1):
            target = images.new_figure(PAGE)
            draw(target)
            foot = (f"{briefing.TITLE} · Scope: {scope} · data built {built} · made {when} · "
                    f"page {number} of {len(pages)}")
            target.text(MARGIN_X / PAGE[0], 14 / PAGE[1], "\n".join(_wrap(foot, 190, 2)), fontsize=10,
                        color=images.GREY, va="bottom")
            pdf.savefig(target)
    return buffer.getvalue()
