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
from dataclasses import dataclass

import ahocorasick

from etl.text import fold

_WORD_CHAR = re.compile(r"[\w'’-]")


@dataclass(frozen=True)
class Hit:
    start: int
    end: int
    value: str


class PhraseIndex:
    """Phrases grouped by a value (a category, a relation...), found in folded text."""

    def __init__(self, groups: dict[str, list[str]]) -> None:
        self.automaton = ahocorasick.Automaton()
        entries: dict[str, list[tuple[str, bool]]] = {}
        for value, phrases in groups.items():
            for phrase in phrases:
                prefix = phrase.endswith("*")
                key = re.sub(r"\s+", " ", fold(phrase.rstrip("*"))).replace("’", "'")
                if key:
                    entries.setdefault(key, []).append((value, prefix))
        for key, values in entries.items():
            self.automaton.add_word(key, (key, values))
        self.empty = not entries
        if not self.empty:
            self.automaton.make_automaton()

    def find(self, folded: str, lo: int = 0, hi: int | None = None) -> list[Hit]:
        """Non-overlapping hits between ``lo`` and ``hi``, leftmost-longest, in order."""
        if self.empty:
            return []
        hi = len(folded) if hi is None else hi
        found: list[Hit] = []
        for end_index, (key, values) in self.automaton.iter(folded, lo, hi):
            start, end = end_index - len(key) + 1, end_index + 1
            if start > 0 and folded[start - 1].isalnum():
                continue
            for value, prefix in values:
                stop = end
                if prefix:
                    while stop < hi and _WORD_CHAR.match(folded[stop]):
                        stop += 1
                elif end < len(folded) and folded[end].isalnum():
                    continue
                found.append(Hit(start, stop, value))
                break
        found.sort(key=lambda h: (h.start, -(h.end - h.start)))
        out: list[Hit] = []
        for hit in found:
            if not out or hit.start >= out[-1].end:
                out.append(hit)
        return out


def windows(text: str, anchor: re.Pattern[str], before: int, after: int) -> list[tuple[int, int]]:
    """Merged spans around every match of ``anchor``: where a costly pattern can match at all.

    >>> windows("ab 12 cd 34 ef", re.compile(r"\\d+"), 2, 2)
    [(1, 13)]
    """
    spans: list[tuple[int, int]] = []
    for m in anchor.finditer(text):
        lo, hi = max(0, m.start() - before), min(len(text), m.end() + after)
        if spans and lo <= spans[-1][1]:
            spans[-1] = (spans[-1][0], max(spans[-1][1], hi))
        else:
            spans.append((lo, hi))
    return spans


def finditer_in(pattern: re.Pattern[str], text: str, spans: list[tuple[int, int]]) -> list[re.Match[str]]:
    """``pattern.finditer`` restricted to ``spans`` (lookbehinds still see the text before)."""
    return [m for lo, hi in spans for m in pattern.finditer(text, lo, hi)]
