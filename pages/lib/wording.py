"""Counts and text as the pages write them for a reader (no Streamlit here)."""

from __future__ import annotations

import html
import re

from etl.text import make_view

_CODE = re.compile(r"`+([^`]*)`+")


def counted(n: int, singular: str, plural: str | None = None) -> str:
    """``n`` and the noun, singular for one, with thousands separated.

    >>> counted(1, "claim"), counted(1200, "place mention"), counted(0, "copy", "copies")
    ('1 claim', '1,200 place mentions', '0 copies')
    """
    return f"{n:,} {singular if n == 1 else (plural or singular + 's')}"


def are(n: int) -> str:
    """The verb that goes with ``counted(n, ...)``: "is" for one, "are" otherwise."""
    return "is" if n == 1 else "are"


def mended(text: object) -> str:
    """Article text as a reader should see it: a word the page broke at a line end joined again
    ("Vi-etnam"), invisible format characters left out (the ETL's own reading, ``etl.text.make_view``).

    >>> mended("Vi-etnam and Cambodia, a long-term partner"), mended(None)
    ('Vietnam and Cambodia, a long-term partner', '')
    """
    if not isinstance(text, str):
        return ""
    return make_view(text).norm


def plain(text: str) -> str:
    """Text written for Markdown (``code`` marks) as it reads in a table cell, without the marks.

    >>> plain("`{article_id}#c{n}`, n counting from 1; ``etl.scope``")
    '{article_id}#c{n}, n counting from 1; etl.scope'
    """
    return _CODE.sub(r"\1", text)


TAG = re.compile(r"<[^>]*>")
BREAK = re.compile(r"<br\s*/?>", re.IGNORECASE)


def label_text(text: object) -> str:
    """A plotly label as plain text: line breaks kept, tags dropped, entities read.

    >>> label_text("<b>Kampot</b><br>3 claims &amp; more")
    'Kampot\\n3 claims & more'
    """
    if text is None:
        return ""
    return html.unescape(TAG.sub("", BREAK.sub("\n", str(text))))
