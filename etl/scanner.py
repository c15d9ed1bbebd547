"""Find lexicon phrases in folded text with one Aho-Corasick pass.

Big alternations of words are slow in Python's ``re`` (every position tries every
word); an automaton finds them all in one linear scan. A phrase ending in ``*``
matches any word that starts with it ("export*" finds "exportations").

>>> scanner = Scanner({"topics": {"trade": ["trade", "export*"], "health": ["patient*"]}})
>>> scanner.scan("exports and patients trade").phrases("topics")
[(0, 7, 'trade'), (12, 20, 'health'), (21, 26, 'trade')]
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Iterable
from functools import cache

import ahocorasick

from etl.text import boundary_view, fold

#: One phrase found: (start, end, value). A plain tuple: an article has hundreds, and a named tuple
#: takes eight times as long to make.
Hit = tuple[int, int, str]


#: What a key means to a finder (the first item of each meaning).
_PHRASE, _START, _KEY = 0, 1, 2


class Scanner:
    """Phrase lists, word-start lists and plain keys found together, in one pass of one automaton.

    ``phrases`` and ``starts`` name groups of word lists. For a phrase finder, ``scan`` gives
    the phrases found, leftmost-longest, each with the value of its group. For
    a word-start finder, it gives each group's offsets where the folded text has a word that
    begins like one of its words: a superset of the starts of a pattern that opens with one
    of them, so that the pattern is tried there only (``finditer_at``) instead of at every
    position. ``keys`` name collections of keys already in the boundary view's form (words
    separated by one space, such as the gazetteer's aliases): each is found wherever it stands
    as whole words, overlaps included. An article's text is scanned once for all of them: each
    pass of an automaton costs about as much as the others, whatever it finds.

    Keys are matched in the *boundary view* of the text (``etl.text.boundary_view``) with a
    space before them. A phrase key has a space after it too, unless it ends in ``*``: the
    automaton reports only whole-word matches, so no time is spent on "art" inside
    "partenariat". A word-start key is the first run of letters and digits of a word, with
    no space after, unless another run follows it in the word: white space, hyphens and
    apostrophes in a pattern match any of several characters, every one of them a space in the
    boundary view, so "to reach" starts only where the whole word "to" stands, not at "today".

    >>> scanner = Scanner({"topics": {"trade": ["export*"]}},
    ...                   {"numbers": {"words": ["deux"], "vague": ["des milliers"]}},
    ...                   {"places": ["kep", "des"]})
    >>> found = scanner.scan("deux exportations, des milliers, deuxieme")
    >>> found.phrases("topics"), found.starts("numbers"), found.keys("places")
    ([(5, 17, 'trade')], {'words': [0, 33], 'vague': [19]}, [(19, 22, 'des')])
    """

    def __init__(self, phrases: dict[str, dict[str, list[str]]] | None = None,
                 starts: dict[str, dict[str, list[str]]] | None = None,
                 keys: dict[str, Iterable[str]] | None = None) -> None:
        phrases, starts, keys = phrases or {}, starts or {}, keys or {}
        self.groups = {name: tuple(groups) for name, groups in starts.items()}
        self.phrase_names = tuple(phrases)
        self.key_names = tuple(keys)
        # key -> what it means to each finder: (_PHRASE, finder, whole word, value) for a phrase,
        # (_START, finder, groups) for a word start, (_KEY, finder, key) for a plain key
        meanings: dict[str, list[tuple]] = {}
        for name, groups in phrases.items():
            values: dict[str, str] = {}
            for value, words in groups.items():
                for phrase in words:
                    runs = boundary_view(fold(phrase.rstrip("*"))).split()
                    if runs:  # the first value listed for a phrase keeps it
                        values.setdefault(" " + " ".join(runs) + ("" if phrase.endswith("*") else " "), value)
            for key, value in values.items():
                meanings.setdefault(key, []).append((_PHRASE, name, key.endswith(" "), value))
        for name, groups in starts.items():
            in_groups: dict[str, set[str]] = {}
            for group, words in groups.items():
                for word in words:
                    runs = boundary_view(fold(word.rstrip("*"))).split()
                    if runs:
                        in_groups.setdefault(" " + runs[0] + (" " if len(runs) > 1 else ""), set()).add(group)
            for key, found_in in in_groups.items():
                ordered = tuple(g for g in self.groups[name] if g in found_in)
                meanings.setdefault(key, []).append((_START, name, ordered))
        for name, found_keys in keys.items():
            for key in found_keys:
                meanings.setdefault(f" {key} ", []).append((_KEY, name, key))
        # each key's meanings split by kind, so that ``scan`` handles a key without testing kinds:
        # (length, phrases as (finder, whole word, value), starts as (finder, group), keys as (finder, key))
        self.automaton = ahocorasick.Automaton()
        for key, meaning in meanings.items():
            self.automaton.add_word(key, (
                len(key), tuple(m[1:] for m in meaning if m[0] == _PHRASE),
                tuple((m[1], group) for m in meaning if m[0] == _START for group in m[2]),
                tuple(m[1:] for m in meaning if m[0] == _KEY)))
        self.empty = not meanings
        if not self.empty:
            self.automaton.make_automaton()

    def scan(self, folded: str, bounded: str | None = None) -> Scan:
        """Everything found in ``folded`` (``bounded``: ``boundary_view(folded)``, when the caller has it)."""
        found = Scan(folded, self.phrase_names, self.groups, self.key_names)
        if self.empty:
            return found
        haystack = found.haystack = " " + (bounded if bounded is not None else boundary_view(folded)) + " "
        phrases, starts, keys = found.raw, found.raw_starts, found.raw_keys
        for end_index, meanings in self.automaton.iter(haystack):
            length, phrase_meanings, start_meanings, key_meanings = meanings
            # haystack offset i is text offset i - 1; the key's leading space sits before the word
            start = end_index - length + 1
            for name, exact, value in phrase_meanings:
                phrases[name].append((start, end_index, exact, value))
            for name, group in start_meanings:
                starts[name][group].add(start)
            for name, key in key_meanings:  # the key's trailing space is the end of its last word
                keys[name].append((start, end_index - 1, key))
        return found


class Scan:
    """What a ``Scanner`` found in one text, handed out per finder."""

    def __init__(self, folded: str, phrase_names: tuple[str, ...], groups: dict[str, tuple[str, ...]],
                 key_names: tuple[str, ...] = ()) -> None:
        # beyond the Basic Multilingual Plane ``boundary_view`` leaves a character that is not a letter
        # as it is, so that no word start can be ruled out
        self.anywhere = (not folded.isascii()
                         and len(folded.encode("utf-16-le", "surrogatepass")) != 2 * len(folded))
        self.haystack = ""
        self.raw: dict[str, list[tuple[int, int, bool, str]]] = {name: [] for name in phrase_names}
        self.raw_starts: dict[str, dict[str, set[int]]] = {
            name: {group: set() for group in in_groups} for name, in_groups in groups.items()}
        self.raw_keys: dict[str, list[tuple[int, int, str]]] = {name: [] for name in key_names}
        self.sorted_starts: dict[str, dict[str, list[int] | None]] = {}

    def keys(self, name: str) -> list[tuple[int, int, str]]:
        """(start, end, key) of every key of finder ``name`` found, in the order their ends come."""
        return self.raw_keys[name]

    def phrases(self, name: str) -> list[Hit]:
        """The non-overlapping phrases of finder ``name``, leftmost-longest, in order."""
        # (start, -end, order found, value): sorted as tuples, leftmost first, then longest, then the
        # first found (faster than sorting with a key function)
        found: list[tuple[int, int, int, str]] = []
        haystack = self.haystack
        for start, end_index, exact, value in self.raw[name]:
            end = end_index - 1 if exact else haystack.find(" ", end_index + 1) - 1
            found.append((start, -end, len(found), value))
        found.sort()
        out: list[Hit] = []
        last_end = -1
        for start, negative_end, _, value in found:
            if start >= last_end:
                out.append((start, -negative_end, value))
                last_end = -negative_end
        return out

    def starts(self, name: str) -> dict[str, list[int] | None]:
        """Each group's sorted offsets where one of its words may start (``None``: anywhere, for a
        text with characters beyond the Basic Multilingual Plane); sorted once per finder."""
        sorted_starts = self.sorted_starts.get(name)
        if sorted_starts is None:
            if self.anywhere:
                sorted_starts = dict.fromkeys(self.raw_starts[name])
            else:
                sorted_starts = {group: sorted(found) for group, found in self.raw_starts[name].items()}
            self.sorted_starts[name] = sorted_starts
        return sorted_starts


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


def finditer_between(pattern: re.Pattern[str], text: str, starts: list[int] | None, lo: int, hi: int
                     ) -> list[re.Match[str]]:
    """What ``pattern.finditer(text, lo, hi)`` finds, when its matches can only start at ``starts``
    (sorted; ``None``: anywhere). A look-behind still sees the text before ``lo``.

    >>> [m.span() for m in finditer_between(re.compile(r"a+"), "aaa ba a", [0, 1, 5, 7], 1, 6)]
    [(1, 3), (5, 6)]
    """
    if starts is None:
        return list(pattern.finditer(text, lo, hi))
    found: list[re.Match[str]] = []
    resume = lo
    for i in range(bisect.bisect_left(starts, lo), bisect.bisect_left(starts, hi)):
        start = starts[i]
        if start < resume:
            continue
        m = pattern.match(text, start, hi)
        if m is not None:
            found.append(m)
            resume = max(m.end(), start + 1)
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
