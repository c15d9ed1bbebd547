"""Article text as safe HTML with claims and places marked.

Article text is untrusted: every character goes through ``html.escape`` and the
only markup added is ``<mark>`` with a ``title``. Overlapping spans (a place inside
a claim) are handled by cutting the text at every span boundary and marking each
piece with the highest-priority span that covers it, so tags never interleave.
"""

from __future__ import annotations

import html
from collections.abc import Iterable
from dataclasses import dataclass
from itertools import pairwise

import pandas as pd

from pages.lib.facts import is_target
from pages.lib.wording import mended

CLAIM, PLACE, CITED = "claim", "place", "cited"
#: Lower wins where spans overlap: the figure a link cites, then claims, then places.
PRIORITY = {CITED: -1, CLAIM: 0, PLACE: 1}
#: Colour-blind-safe light backgrounds (Okabe-Ito yellow and sky blue, lightened).
MARK_STYLE = {
    CLAIM: "background:#F8F1A0;border-bottom:2px solid #E69F00;padding:0 1px;",
    PLACE: "background:#D4ECF9;border-bottom:2px solid #0072B2;padding:0 1px;",
    # not by colour alone: a thick outline as well (vermillion, the palette's alert)
    CITED: "background:#F8F1A0;outline:3px solid #D55E00;outline-offset:1px;padding:0 2px;font-weight:600;",
}
TEXT_STYLE = "white-space:pre-wrap;line-height:1.6;font-size:1rem;max-width:60rem;"
#: Characters searched around a claim for its sentence when the text is long.
SENTENCE_SEARCH = 2000


@dataclass(frozen=True)
class Span:
    start: int
    end: int
    kind: str
    title: str


def highlight(text: str, spans: Iterable[Span]) -> str:
    """Escaped ``text`` with each span wrapped in ``<mark title=...>``.

    >>> highlight("a <b> c", [Span(2, 5, CLAIM, 'x"y')])  # doctest: +ELLIPSIS
    'a <mark class="vnkh-claim" style="..." title="x&quot;y">&lt;b&gt;</mark> c'
    """
    valid = [s for s in spans if 0 <= s.start < s.end <= len(text)]
    cuts = sorted({0, len(text), *(s.start for s in valid), *(s.end for s in valid)})
    pieces = []
    for lo, hi in pairwise(cuts):
        covering = [s for s in valid if s.start <= lo and hi <= s.end]
        chunk = html.escape(mended(text[lo:hi]))
        if covering:
            top = min(covering, key=lambda s: (PRIORITY.get(s.kind, len(PRIORITY)), s.end - s.start))
            titles = " · ".join(dict.fromkeys(s.title for s in covering))
            style = MARK_STYLE.get(top.kind, "")
            chunk = (
                f'<mark class="vnkh-{top.kind}" style="{style}" '
                f'title="{html.escape(titles, quote=True)}">{chunk}</mark>'
            )
        pieces.append(chunk)
    return "".join(pieces)


def article_spans(claims: pd.DataFrame, mentions: pd.DataFrame, places: pd.DataFrame,
                  cited: str | None = None) -> list[Span]:
    """Spans of an article's claims and place mentions, with hover titles; the claim ``cited`` (its id:
    a link cites it) marked apart."""
    names = dict(zip(places["place_id"], places["name"], strict=True))
    spans = [
        Span(
            int(c.char_start),
            int(c.char_end),
            CITED if cited is not None and getattr(c, "claim_id", None) == cited else CLAIM,
            f"{c.label} · {c.category}"
            + (f" · {c.period}" if c.period else "")
            + (" · target" if is_target(c.target) else ""),
        )
        for c in claims.itertuples()
    ]
    spans += [
        Span(int(m.char_start), int(m.char_end), PLACE, f"Place: {names.get(m.place_id, m.place_id)}")
        for m in mentions.itertuples()
    ]
    return spans


def span_in_sentence(
    article_text: str | None, quote: str, start: int, end: int, surface: str
) -> tuple[int, int] | None:
    """Where a claim's span falls inside its sentence, from the article offsets.

    >>> text = "One. Trade hit $5B. Trade hit $5B again."
    >>> span_in_sentence(text, "Trade hit $5B again.", 30, 33, "$5B")
    (10, 13)
    >>> span_in_sentence(None, "Trade hit $5B again.", 30, 33, "$5B")
    (10, 13)
    """
    if article_text:
        window_start = max(0, start - max(len(quote), SENTENCE_SEARCH))
        at = article_text.find(quote, window_start, end + len(quote))
        while at != -1 and not (at <= start and end <= at + len(quote)):
            at = article_text.find(quote, at + 1, end + len(quote))
        if at != -1:
            return start - at, end - at
    at = quote.find(surface)
    return (at, at + len(surface)) if at != -1 else None


def highlight_sentence(
    article_text: str | None, quote: str, start: int, end: int, surface: str, title: str
) -> str:
    """The claim's sentence, escaped, with the claim marked."""
    where = span_in_sentence(article_text, quote, start, end, surface)
    spans = [Span(where[0], where[1], CLAIM, title)] if where else []
    return highlight(quote, spans)


def article_html(text: str, spans: Iterable[Span]) -> str:
    """A whole article, highlighted, in a block that keeps its line breaks."""
    return f'<div class="vnkh-article" style="{TEXT_STYLE}">{highlight(text, spans)}</div>'
