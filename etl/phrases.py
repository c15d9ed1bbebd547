"""Find lexicon phrases in folded text with one Aho-Corasick pass.

Big alternations of words are slow in Python's ``re`` (every position tries every
word); an automaton finds them all in one linear scan. A phrase ending in ``*``
matches any word that starts with it ("export*" finds "exportations").

>>> index = PhraseIndex({"trade": ["trade", "export*"], "health": ["patient*"]})
>>> [(h.start, h.end, h.value) for h in index.find("exports and patients trade")]
[(0, 7, 'trade'), (12, 20, 'health'), (21, 26, 'trade')]
"""

from __future__ import annotations

import re
from functools import cache
from typing import NamedTuple

import ahocorasick

from etl.text import boundary_view, fold


class Hit(NamedTuple):
    """One phrase found (a named tuple: an article has hundreds, and tuples are cheap to make)."""

    start: int
    end: int
    value: str


class PhraseIndex:
    """Phrases grouped by a value (a category, a relation...), found in folded text.

    Keys are matched in the *boundary view* of the text (``etl.text.boundary_view``) with a
    space before them, and after them unless they end in ``*``: the automaton reports only
    whole-word matches, so no time is spent on "art" inside "partenariat".
    """

    def __init__(self, groups: dict[str, list[str]]) -> None:
        self.automaton = ahocorasick.Automaton()
        entries: dict[str, tuple[str, ...]] = {}
        for value, phrases in groups.items():
            for phrase in phrases:
                prefix = phrase.endswith("*")
                words = boundary_view(fold(phrase.rstrip("*"))).split()
                if words:
                    key = " " + " ".join(words) + ("" if prefix else " ")
                    entries[key] = (*entries.get(key, ()), value)
        for key, values in entries.items():
            self.automaton.add_word(key, (len(key), key.endswith(" "), values[0]))
        self.empty = not entries
        if not self.empty:
            self.automaton.make_automaton()

    def find(self, folded: str, lo: int = 0, hi: int | None = None, bounded: str | None = None) -> list[Hit]:
        """Non-overlapping hits between ``lo`` and ``hi``, leftmost-longest, in order.

        ``bounded`` is ``boundary_view(folded)`` when the caller has it.
        """
        if self.empty:
            return []
        hi = len(folded) if hi is None else hi
        haystack = " " + (bounded if bounded is not None else boundary_view(folded)) + " "
        # (start, -end, order found, value): sorted as tuples, leftmost first, then longest, then the
        # first found (faster than sorting with a key function)
        found: list[tuple[int, int, int, str]] = []
        for end_index, (length, exact, value) in self.automaton.iter(haystack, lo, hi + 2):
            # haystack offset i is text offset i - 1; the key's leading space sits before the word
            start = end_index - length + 1
            end = end_index - 1 if exact else haystack.find(" ", end_index + 1) - 1
            if start >= lo and end <= hi:
                found.append((start, -end, len(found), value))
        found.sort()
        out: list[Hit] = []
        last_end = -1
        for start, negative_end, _, value in found:
            if start >= last_end:
                out.append(Hit(start, -negative_end, value))
                last_end = -negative_end
        return out


class WordStarts:
    """Where a pattern that opens with one of some words (after a word boundary) can match.

    ``find`` returns, for each group of words, every offset where the folded text has a word
    that begins like one of them: a superset of the starts of the pattern's matches, found for
    all groups in one automaton pass, so that each pattern is tried there only (``finditer_at``)
    instead of at every position. Only the first run of letters and digits of each word is
    looked for: white space, hyphens and apostrophes in a pattern match any of several
    characters, and every one of them is a space in the boundary view.

    >>> starts = WordStarts({"numbers": ["deux"], "vague": ["des milliers"]})
    >>> starts.find("les deux et des milliers, deuxieme")
    {'numbers': [4, 26], 'vague': [12]}
    """

    def __init__(self, groups: dict[str, list[str]]) -> None:
        self.groups = tuple(groups)
        self.automaton = ahocorasick.Automaton()
        keys: dict[str, set[str]] = {}
        for group, words in groups.items():
            for word in words:
                runs = boundary_view(fold(word.rstrip("*"))).split()
                if runs:
                    keys.setdefault(" " + runs[0], set()).add(group)
        for key, in_groups in keys.items():
            self.automaton.add_word(key, (len(key), tuple(g for g in self.groups if g in in_groups)))
        self.empty = not keys
        if not self.empty:
            self.automaton.make_automaton()

    def find(self, folded: str, bounded: str | None = None) -> dict[str, list[int] | None]:
        """Each group's sorted offsets in ``folded`` where one of its words may start.

        ``None`` means anywhere: beyond the table of ``boundary_view`` (outside the Basic
        Multilingual Plane) a character that is not a letter stays as it is, so a text with
        such characters is not looked into. ``bounded`` is ``boundary_view(folded)`` when the
        caller has it.
        """
        if not folded.isascii() and len(folded.encode("utf-16-le", "surrogatepass")) != 2 * len(folded):
            return dict.fromkeys(self.groups)
        found: dict[str, set[int]] = {group: set() for group in self.groups}
        if not self.empty:
            haystack = " " + (bounded if bounded is not None else boundary_view(folded)) + " "
            for end_index, (length, groups) in self.automaton.iter(haystack):
                # haystack offset i is text offset i - 1; the key's leading space sits before the word
                for group in groups:
                    found[group].add(end_index - length + 1)
        return {group: sorted(starts) for group, starts in found.items()}


def finditer_at(pattern: re.Pattern[str], text: str, starts: list[int] | None) -> list[re.Match[str]]:
    """What ``pattern.finditer(text)`` finds, when its matches can only start at ``starts``.

    ``starts`` is sorted (``None``: anywhere) and ``pattern`` never matches the empty string;
    like ``finditer``, each match is looked for from the end of the previous one on.

    >>> [m.group() for m in finditer_at(re.compile(r"a+"), "aaa ba", [0, 1, 5])]
    ['aaa', 'a']
    """
    if starts is None:
        return list(pattern.finditer(text))
    found: list[re.Match[str]] = []
    resume = 0
    for start in starts:
        if start < resume:
            continue
        m = pattern.match(text, start)
        if m is not None:
            found.append(m)
            resume = m.end()
    return found


def windows(text: str, anchor: re.Pattern[str], before: int, after: int) -> list[tuple[int, int]]:
    """Merged spans around every match of ``anchor``: where a costly pattern can match at all.

    Anchors closer than ``before + after`` characters fall in one span; a cluster pattern
    finds those runs in one pass instead of one Python step per anchor.

    >>> windows("ab 12 cd 34 ef", re.compile(r"\\d+"), 2, 2)
    [(1, 13)]
    """
    cluster = _cluster(anchor.pattern, anchor.flags, before + after)
    return [(max(0, m.start() - before), min(len(text), m.end() + after)) for m in cluster.finditer(text)]


def around(spans: list[tuple[int, int]], before: int, after: int, length: int) -> list[tuple[int, int]]:
    """What ``windows`` returns when the anchor's matches are ``spans`` (sorted, not overlapping), in a
    text of ``length`` characters: spans closer than ``before + after`` fall in one window.

    >>> around([(3, 5), (9, 11)], 2, 2, 14)
    [(1, 13)]
    """
    merged: list[list[int]] = []
    for start, end in spans:
        if merged and start - before <= merged[-1][1]:
            merged[-1][1] = end + after
        else:
            merged.append([start - before, end + after])
    return [(max(0, lo), min(length, hi)) for lo, hi in merged]


@cache
def _cluster(anchor: str, flags: int, gap: int) -> re.Pattern[str]:
    return re.compile(rf"(?:{anchor})(?:[\s\S]{{0,{gap}}}?(?:{anchor}))*", flags)


def finditer_in(pattern: re.Pattern[str], text: str, spans: list[tuple[int, int]]) -> list[re.Match[str]]:
    """``pattern.finditer`` restricted to ``spans`` (lookbehinds still see the text before)."""
    return [m for lo, hi in spans for m in pattern.finditer(text, lo, hi)]
