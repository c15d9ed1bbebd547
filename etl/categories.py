"""Which category a figure is about, from the words around it.

What the figure *measures* decides first: a measure word of the sentence ("exports", "turnover",
"capital", "scholarships", "visitors", "border markers"), the nearest winning, one inside the
figure's own span (its counted noun) nearest of all. A trade figure stays trade whatever goods it
counts (rice, cashew, medicine), a donation stays aid whatever it gives. Only when the sentence
names no measure do the topic words around the figure vote:

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

from etl.lexicon import Lexicon, by_identity, folded
from etl.text import TextView, boundary_view, opens_sentence

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
#: Kinds of quantity that say their category by themselves (electricity in kWh or MW is energy,
#: whoever sells or gives it).
KIND_CATEGORY = {"energy": "energy", "power": "energy"}
#: A measure word after the figure counts this much of one as far before it: the subject that
#: says what a figure measures usually comes first ("exports reached 2 million tonnes").
AFTER_FACTOR = 0.8
#: How many words before a measure word (after the figure) are looked at for a recipient word.
RECIPIENT_WORDS = 3
#: Kinds whose category the topic words decide, whatever measure words are near.
TOPIC_KINDS = frozenset({"duration"})
#: Measure words of equal weight (both in the figure's span): the more specific category first. What
#: happened to the people counted (killed, fallen: history; treated: health; taught: education) says more
#: than who they are or who gave (soldiers, aid), as GUIDELINES' categories have it.
PRECEDENCE = ("history", "health", "education", "tourism", "energy", "trade", "investment", "aid",
              "agriculture", "border", "security_defence", "infrastructure", "culture", "diplomacy", "other")
_PRECEDENCE = {c: i for i, c in enumerate(PRECEDENCE)}
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
               start: int, end: int, kind: str, measure_hits: list[tuple[int, int, str]] = ()) -> str:
    """The category of the figure at ``start:end`` given the measure words of its sentence
    (``measure_hits``) and the topic keywords around it.

    >>> categorise([(0, 4, "agriculture")], [], 20, 30, "mass", [(5, 13, "trade")])  # rice exported 9 t
    'trade'
    >>> categorise([(0, 4, "agriculture")], [], 20, 30, "mass")
    'agriculture'
    """
    if kind in KIND_CATEGORY:
        return KIND_CATEGORY[kind]
    # a duration measures time, and the words around it say of what ("41 years since the victory",
    # "three months to mature"): the topic decides
    measured = _nearest(measure_hits, start, end) if kind not in TOPIC_KINDS else None
    if measured is not None:
        return measured
    votes: dict[str, list[float]] = defaultdict(list)
    for a, b, category in sentence_hits:
        votes[category].append(_closeness(a, b, start, end))
    scores = {c: sum(sorted(w, reverse=True)[:TOP_VOTES]) for c, w in votes.items()}
    in_sentence = {(a, b) for a, b, _ in sentence_hits}
    paragraph: dict[str, int] = defaultdict(int)
    for a, b, category in paragraph_hits:
        if (a, b) not in in_sentence:
            paragraph[category] += 1
    for category, n in paragraph.items():
        scores[category] = scores.get(category, 0.0) + PARAGRAPH_WEIGHT * min(n, PARAGRAPH_VOTES)
    if not scores:
        return DEFAULT
    best = max(sorted(scores), key=lambda c: scores[c])
    return best if scores[best] >= MIN_SCORE else DEFAULT


def _closeness(a: int, b: int, start: int, end: int) -> float:
    """How much a word at ``a:b`` weighs for the figure at ``start:end``: most inside its span, then
    less the further it is."""
    if a >= start and b <= end:
        return INSIDE_WEIGHT
    gap = (start - b) if b <= start else (a - end)
    words = max(gap, 0) / CHARS_PER_WORD
    return 1.0 / (1.0 + words / HALF_WEIGHT_WORDS)


def _nearest(hits: list[tuple[int, int, str]], start: int, end: int) -> str | None:
    """The category of the measure word that weighs most for the figure, or ``None`` when there is none;
    between words that weigh the same (both in the figure's own span), the more specific (``PRECEDENCE``).

    >>> _nearest([(3, 10, "security_defence"), (14, 20, "history")], 0, 20)  # "10 soldats tombés"
    'history'
    """
    best: tuple[float, int, str] | None = None
    for a, b, category in hits:
        weight = _closeness(a, b, start, end) * (AFTER_FACTOR if a >= end else 1.0)
        ranked = (weight, -_PRECEDENCE[category], category)
        if best is None or ranked > best:
            best = ranked
    return None if best is None else best[2]


def measure_words(view: TextView, lex: Lexicon, hits: list[tuple[int, int, str]], start: int, end: int
                  ) -> list[tuple[int, int, str]]:
    """The measure words that can say what the figure at ``start:end`` measures: those before it, and
    those after it unless one of the ``RECIPIENT_WORDS`` words before them is a recipient word ("$880
    *for* the border guards").

    Offsets are in the view; ``hits`` are the measure words of the figure's sentence.
    """
    recipients = folded(lex.measure_context.recipients)
    kept = []
    for a, b, category in hits:
        if a >= end and not recipients.isdisjoint(view.bounded[end:a].split()[-RECIPIENT_WORDS:]):
            continue
        if _in_a_name(view, a):
            continue  # "Da Market", "the Ministry of Trade": a name, not what is measured
        kept.append((a, b, category))
    return kept


def _in_a_name(view: TextView, a: int) -> bool:
    """Whether the word at ``a`` is capitalised (not all capitals, not a sentence's first word)."""
    word = view.norm[a:a + 2]
    if len(word) < 2 or not (word[0].isupper() and word[1].islower()):
        return False
    return not opens_sentence(view.norm, a)


def refers_back(view: TextView, lex: Lexicon, lo: int, start: int) -> bool:
    """Whether the sentence, before the figure at ``start`` (from ``lo``), refers back to the figure
    before it ("Ce chiffre représente une augmentation de 234 %")."""
    before = " " + " ".join(view.bounded[lo:start].split()) + " "
    return any(phrase in before for phrase in _bounded_phrases(lex.measure_context.refer_back))


@by_identity
def _bounded_phrases(phrases: tuple[str, ...]) -> tuple[str, ...]:
    """Phrases as they read in ``TextView.bounded`` (folded, punctuation as spaces), each between spaces,
    sorted."""
    return tuple(sorted({f" {' '.join(boundary_view(p).split())} " for p in folded(phrases)}))
