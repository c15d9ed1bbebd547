"""Which category a figure is about, from the words around it.

Every category keyword in the sentence votes for its category with a weight that
falls with its distance from the figure; a keyword inside the figure's own span
("184 *investment* projects", "25 *étudiants*") weighs most. Each category keeps
its two strongest votes, so one long list of sectors cannot outvote the word
next to the figure. Other sentences of the same paragraph add a little, which
settles figures whose own sentence says nothing ("In just 3 years, 8 months...").
The keywords are in the lexicon; nothing here depends on the language.
"""

from __future__ import annotations

import bisect
from collections import defaultdict

from etl.lexicon import Lexicon
from etl.text import TextView

#: Average characters per word, to turn character distances into word distances.
CHARS_PER_WORD = 6.0
#: A keyword this many words away counts half as much as one next to the figure.
HALF_WEIGHT_WORDS = 4.0
#: Weight of a keyword inside the figure's span (the counted noun).
INSIDE_WEIGHT = 1.5
#: How many of a category's votes count.
TOP_VOTES = 2
#: Weight of each keyword elsewhere in the paragraph, and how many count.
PARAGRAPH_WEIGHT, PARAGRAPH_VOTES = 0.15, 3
#: Kinds of quantity that say their category by themselves.
KIND_PRIOR = {"energy": ("energy", 2.0), "power": ("energy", 2.0)}
#: Below this score the figure is "other".
MIN_SCORE = 0.1
DEFAULT = "other"


class KeywordHits:
    """Every category keyword of an article, found once; sliced per sentence or paragraph.

    They are found when first asked for: an article with no figure, or no sentence that pairs
    places, never needs its whole text scanned for them.
    """

    def __init__(self, view: TextView, lex: Lexicon, section: str = "categories") -> None:
        self._view = view
        self._lex = lex
        self._section = section
        self._hits: list[tuple[int, int, str]] | None = None  # (start, end, value)
        self._starts: list[int] = []

    @property
    def hits(self) -> list[tuple[int, int, str]]:
        if self._hits is None:
            self._hits = self._lex.scan(self._view).phrases(self._section)
            self._starts = [h[0] for h in self._hits]
        return self._hits

    def between(self, lo: int, hi: int) -> list[tuple[int, int, str]]:
        """(start, end, category) of the keywords between ``lo`` and ``hi``."""
        hits = self.hits
        return hits[bisect.bisect_left(self._starts, lo):bisect.bisect_left(self._starts, hi)]


def categorise(sentence_hits: list[tuple[int, int, str]], paragraph_hits: list[tuple[int, int, str]],
               start: int, end: int, kind: str) -> str:
    """The category of the figure at ``start:end`` given the keyword hits around it."""
    votes: dict[str, list[float]] = defaultdict(list)
    for a, b, category in sentence_hits:
        if a >= start and b <= end:
            votes[category].append(INSIDE_WEIGHT)
            continue
        gap = (start - b) if b <= start else (a - end)
        words = max(gap, 0) / CHARS_PER_WORD
        votes[category].append(1.0 / (1.0 + words / HALF_WEIGHT_WORDS))
    scores = {c: sum(sorted(w, reverse=True)[:TOP_VOTES]) for c, w in votes.items()}
    in_sentence = {(a, b) for a, b, _ in sentence_hits}
    paragraph: dict[str, int] = defaultdict(int)
    for a, b, category in paragraph_hits:
        if (a, b) not in in_sentence:
            paragraph[category] += 1
    for category, n in paragraph.items():
        scores[category] = scores.get(category, 0.0) + PARAGRAPH_WEIGHT * min(n, PARAGRAPH_VOTES)
    if kind in KIND_PRIOR:
        category, bonus = KIND_PRIOR[kind]
        scores[category] = scores.get(category, 0.0) + bonus
    if not scores:
        return DEFAULT
    best = max(sorted(scores), key=lambda c: scores[c])
    return best if scores[best] >= MIN_SCORE else DEFAULT
