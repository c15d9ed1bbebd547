"""Tell the article body from page furniture saved with it.

Furniture (``section = related``): a "Voir plus" / "Related Posts" header and
everything after it, previous/next links, advertising lines such as
``cellcard cellcard cellcard``, share buttons, and a trailing list of other
headlines (a headline repeated on the next line, or followed by a teaser that
ends in "..."). Headers and line types come from the lexicons of every language,
since saved pages often mix the site's language with the article's.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from functools import cache
from typing import NamedTuple

from etl.lexicon import Lexicon, load_common
from etl.text import fold

_LINE = re.compile(r"[^\r\n]+")
#: A heading or teaser line is at most this long (characters).
MAX_HEADLINE_CHARS = 160
_TERMINAL = re.compile(r"[.!?…:»\"”]\s*$")
_ELLIPSIS = re.compile(r"(?:\.\.\.|…)\s*$")
_REPEATED_WORD = re.compile(r"^\s*(\w+)(?:\s+\1){1,}\s*$", re.IGNORECASE)
#: Teaser blocks are only looked for in the last part of a page (share of its lines).
TEASER_ZONE = 0.4
#: A line opening with one of these links to another article.
_LINK_MARKER = re.compile(r"^\s*(?:>>|»|›|→)")
#: A short line with a temperature is a weather widget.
MAX_WIDGET_CHARS = 60
_TEMPERATURE = re.compile(r"""(?<![\w.,])-?\d{1,2}
                              (?:(?:[.,]\d)?\s?°\s?[cf]?   # 31°C, 31 °
                               |[.,]\d\s?[cf])(?![\w])   # 31.7 C""", re.VERBOSE)


class Line(NamedTuple):
    start: int
    end: int
    text: str
    folded: str = ""


def lines_of(text: str, folded: str | None = None) -> list[Line]:
    """The non-empty lines of ``text``; ``folded`` is ``fold(text)`` when the caller has it."""
    folded = fold(text) if folded is None else folded
    return [Line(m.start(), m.end(), m.group(0).strip(), folded[m.start():m.end()].strip())
            for m in _LINE.finditer(text) if m.group(0).strip()]


def related_spans(text: str, lexicons: Iterable[Lexicon], lines: list[Line] | None = None
                  ) -> list[tuple[int, int]]:
    """Character spans of page furniture, sorted."""
    lexicons = tuple(lexicons)
    lines = lines_of(text) if lines is None else lines
    spans: list[tuple[int, int]] = []
    tail_from = _tail_start(lines, lexicons)
    for i, line in enumerate(lines):
        if tail_from is not None and i >= tail_from:
            spans.append((line.start, lines[-1].end))
            break
        if _is_furniture_line(line.folded, lexicons):
            spans.append((line.start, line.end))
            if _matches(line.folded, lexicons, "nav_line") and i + 1 < len(lines):
                spans.append((lines[i + 1].start, lines[i + 1].end))
    return _merge(spans)


def _tail_start(lines: list[Line], lexicons: Sequence[Lexicon]) -> int | None:
    """Index of the first line of trailing furniture (header or teaser list), if any."""
    for i, line in enumerate(lines):
        if i > 0 and _matches(line.folded, lexicons, "related_header"):
            return i
    zone = int(len(lines) * (1 - TEASER_ZONE))
    for i in range(max(zone, 1), len(lines)):
        if _matches(lines[i].folded, lexicons, "late_related_header"):
            return i
    credits = _credit_pattern(load_common().metadata.credit_words)
    for i in range(max(zone, 1), len(lines) - 1):
        if _is_teaser_start(lines, i, credits):
            return i
    return None


def _is_teaser_start(lines: list[Line], i: int, credits: re.Pattern[str]) -> bool:
    head, nxt = lines[i].text, lines[i + 1].text
    if len(head) > MAX_HEADLINE_CHARS or _TERMINAL.search(head) or credits.search(lines[i].folded):
        return False  # a photo caption, saved twice, is the article's, not a list of headlines
    return nxt == head or bool(_ELLIPSIS.search(nxt))


@cache
def _credit_pattern(words: tuple[str, ...]) -> re.Pattern[str]:
    """A credit at the end of a line: "... Photo Heng Chivoan", "... (Ảnh: VNA)"."""
    alternatives = "|".join(re.escape(fold(w)) for w in words) or "(?!x)x"
    return re.compile(rf"(?<![\w])(?:{alternatives})\W+\w[\w .'’-]*\W*$")


def is_furniture(folded: str, lexicons: Sequence[Lexicon]) -> bool:
    """Whether a folded line is navigation, a furniture header or an advert."""
    return _is_furniture_line(folded, lexicons) or _matches(folded, lexicons, "related_header")


def _is_furniture_line(folded: str, lexicons: Sequence[Lexicon]) -> bool:
    if _REPEATED_WORD.match(folded):
        return True  # advertising such as "cellcard cellcard cellcard"
    if _LINK_MARKER.match(folded):
        return True  # ">> Vietnam and Laos sign deal": a link to another article
    if len(folded) <= MAX_WIDGET_CHARS and _TEMPERATURE.search(folded):
        return True  # a weather widget: "Hanoi 31°C Cloudy"
    return (len(folded) <= MAX_HEADLINE_CHARS
            and _either(tuple(lexicons), FURNITURE_PATTERNS).match(folded) is not None)


#: The lexicon patterns of a line that is furniture all by itself.
FURNITURE_PATTERNS = ("nav_line", "furniture_line")


@cache
def _either(lexicons: tuple[Lexicon, ...], names: tuple[str, ...]) -> re.Pattern[str]:
    """One pattern that matches where any of the lexicons' patterns ``names`` does (one match per line
    instead of one per language and pattern)."""
    patterns = [lex.patterns[name] for lex in lexicons for name in names]
    flags = {p.flags for p in patterns}
    if len(flags) > 1:
        raise ValueError(f"patterns {names} differ in their flags: {flags}")
    return re.compile("|".join(f"(?:{p.pattern})" for p in patterns) or "(?!x)x", flags.pop() if flags else 0)


def _matches(folded: str, lexicons: Sequence[Lexicon], pattern: str) -> bool:
    """Whether a short folded line is one of the lexicons' furniture lines."""
    return len(folded) <= MAX_HEADLINE_CHARS and any(lex.patterns[pattern].match(folded) for lex in lexicons)


def _merge(spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    out: list[tuple[int, int]] = []
    for s, e in sorted(spans):
        if out and s <= out[-1][1] + 1:
            out[-1] = (out[-1][0], max(out[-1][1], e))
        else:
            out.append((s, e))
    return out


def section_at(spans: list[tuple[int, int]], offset: int) -> str:
    """``related`` when ``offset`` falls in a furniture span, else ``body``."""
    return "related" if any(s <= offset < e for s, e in spans) else "body"
