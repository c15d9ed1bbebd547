"""What a figure reports: its measure, the direction of the flow it measures, the goods it is about.

Two figures of trade in the same unit, year and place are one fact only if they report the same
measure: turnover, exports or imports, Vietnam's exports to Cambodia or Cambodia's to Vietnam, of rice
or of cashew. Everything here comes from word lists in the lexicon, the same measures in every language
(``[fact_measures]``, ``[fact_goods]``, ``[fact_aspects]``, ``[fact_direction]``; which side of a flow
the one that does it is, in ``common.toml``'s ``[fact_roles]``), found in the article's one scan.

A figure is read within its clause: its sentence, from the figure before it to the one after it.

* **measure**: a measure word inside the figure's span (its counted noun: "184 investment *projects*")
  decides, a counted thing (``[fact_roles] counted``) before any other ("projets d'investissement" counts
  projects too); else the nearest measure word before the figure; else the nearest after it, unless a
  recipient word stands before that one ("$880 for the border guards"). A count with no measure word is
  measured by its counted noun ("noun:cadre-civil").
* **direction**, for a measure that flows (``[fact_roles] actor``): every place the clause names, and
  every nationality word next to the measure word ("Cambodian exports", "exportations cambodgiennes"),
  is a side. Behind a destination word ("to Cambodia", "vers le Cambodge") the side is where the flow
  goes, behind an origin word ("from Vietnam", "en provenance du Vietnam") where it comes from, and
  otherwise it is the side that does the measure: the origin of exports, the destination of imports.
  The first side found for each end counts; when one end is Vietnam or Cambodia and the other is not
  said, it is the other of the two. "VN>KH" is a flow from Vietnam to Cambodia.
* **goods**: every goods word of the clause, sorted ("cashew", "rice").
* **aspect**, for a percentage: the nearest change or share word of the clause ("up 15%", "30% of the
  total"), so that a growth rate is not the share of a market.
"""

from __future__ import annotations

import bisect
from functools import cache
from typing import TYPE_CHECKING, NamedTuple

from etl.categories import KeywordHits
from etl.lexicon import Lexicon, folded, load_common
from etl.places import Gazetteer
from etl.text import TextView, fold

if TYPE_CHECKING:  # extract imports this module
    from etl.extract import Reading

VN, KH = "VN", "KH"
OTHER_SIDE = {VN: KH, KH: VN}
ORIGIN, DESTINATION = "origin", "destination"
#: Nationality groups of ``[fact_direction]``, and the side each names.
NATIONALITY = {"vietnam": VN, "cambodia": KH}
#: A measure word after the figure counts up to this many characters from it.
AFTER_CHARS = 80
#: A direction word counts for a side when at most this many characters stand between them ("vers le ").
CUE_GAP = 6
#: A nationality word counts for a side when at most this many characters stand between it and the
#: measure word ("Cambodian rice exports").
NATIONALITY_GAP = 12
PERCENT, COUNT = "percent", "count"
#: The prefix of a measure taken from a count's counted noun.
NOUN = "noun:"
#: Kinds of quantity no measure word is looked for: a duration measures time, whatever it is of.
UNMEASURED_KINDS = frozenset({"duration"})
#: A word between a direction word and a place is an article at most this long ("vers le Cambodge").
ARTICLE_CHARS = 3
#: How many words before a measure word after the figure are looked at for a recipient word.
RECIPIENT_WORDS = 3
#: Characters after which a capitalised word opens a clause rather than continuing a name.
OPENERS = ".!?:\"“«(\n-–—"


class Measure(NamedTuple):
    """What a figure reports (see the module docstring); every part may be unknown (``None``, empty)."""

    name: str | None = None
    direction: str | None = None
    goods: tuple[str, ...] = ()
    aspect: str | None = None

    @property
    def known(self) -> bool:
        return self.name is not None

    @property
    def key(self) -> str:
        """The measure as one string, for the fact key.

        >>> Measure("exports", "VN>KH", ("rice",)).key, Measure().key
        ('exports|VN>KH|rice|', '|||')
        """
        return "|".join((self.name or "", self.direction or "", "+".join(self.goods), self.aspect or ""))

    @property
    def slug(self) -> str | None:
        """A readable name of the measure and its direction, for a fact's id ("exports-vn-kh").

        >>> Measure("exports", "VN>KH").slug, Measure("noun:cadre").slug, Measure().slug
        ('exports-vn-kh', None, None)
        """
        if self.name is None or self.name.startswith(NOUN):
            return None
        parts = [self.name.replace("_", "-")]
        if self.direction:
            parts += [side.lower() for side in self.direction.split(">")]
        return "-".join(parts)


@cache
def _counted() -> frozenset[str]:
    return frozenset(load_common().fact_roles.counted)


def claim_measures(claims: list[dict], reading: Reading, lex: Lexicon | None, mentions: list[dict],
             gazetteer: Gazetteer) -> list[Measure]:
    """The measure of each claim row (rows of one article, in text order; ``reading``: the article as
    ``etl.extract`` read it)."""
    if lex is None or not claims:
        return [Measure() for _ in claims]
    view = reading.view
    found = {section: KeywordHits(view, lex, section)
             for section in ("fact_measures", "fact_goods", "fact_aspects", "fact_direction")}
    mention_starts = [m["char_start"] for m in mentions]
    spans = [(view.to_view(c["char_start"]), view.to_view(c["char_end"])) for c in claims]
    out = []
    for i, claim in enumerate(claims):
        start, end = spans[i]
        # the clause: its sentence, from the figure before it to the one after it (claims are in text order)
        sentence = reading.sentences[claim["sentence_id"]]
        same_before = i > 0 and claims[i - 1]["sentence_id"] == claim["sentence_id"]
        same_after = i + 1 < len(claims) and claims[i + 1]["sentence_id"] == claim["sentence_id"]
        lo = spans[i - 1][1] if same_before else view.to_view(sentence.start)
        hi = spans[i + 1][0] if same_after else view.to_view(sentence.end)
        if claim["kind"] in UNMEASURED_KINDS:
            out.append(Measure())
            continue
        hits = _measure_words(view, lex, found["fact_measures"].between(lo, hi), start, end)
        name, at = _measure(hits, start, end, claim["unit"], _counts_a_noun(claim))
        if name is None and at is None and claim["unit"] == COUNT and claim.get("what"):
            name = NOUN + _noun_key(claim["what"])
        direction = None
        if name in load_common().fact_roles.actor and at is not None:
            nearby = mentions[bisect.bisect_left(mention_starts, view.to_original(lo)):
                              bisect.bisect_left(mention_starts, view.to_original(hi))]
            sides = _mention_sides(view, nearby, gazetteer)
            direction = _direction(name, at, sides, found["fact_direction"].between(lo, hi), view.norm)
        goods = tuple(sorted({g for _, _, g in found["fact_goods"].between(lo, hi)}))
        aspects = found["fact_aspects"].between(lo, hi) if claim["unit"] == PERCENT else []
        aspect = _nearest(aspects, start, end)
        out.append(Measure(name, direction, goods, aspect))
    return out


def _measure_words(view: TextView, lex: Lexicon, hits: list[tuple[int, int, str]], start: int, end: int
                   ) -> list[tuple[int, int, str]]:
    """The measure words that can say what the figure at ``start:end`` measures: not one after it behind a
    recipient word ("$880 *for* the border guards"), not a capitalised word inside a name ("the
    Ministry of Trade"); a capitalised word after a sentence's punctuation or a dateline's dash opens its
    clause ("HANOI, Jan. 5 (VNA) - Two-way trade reached...")."""
    recipients = folded(lex.measure_context.recipients)
    kept = []
    for a, b, name in hits:
        if a >= end and not recipients.isdisjoint(view.bounded[end:a].split()[-RECIPIENT_WORDS:]):
            continue
        word, before = view.norm[a:a + 2], view.norm[max(0, a - 3):a].rstrip()
        capitalised = len(word) == 2 and word[0].isupper() and word[1].islower()
        if capitalised and before and before[-1] not in OPENERS:
            continue
        kept.append((a, b, name))
    return kept


def _counts_a_noun(claim: dict) -> bool:
    """Whether the claim's span holds the noun it counts ("25 étudiants", not "more than 3 million")."""
    what = claim.get("what")
    return claim["unit"] == COUNT and bool(what) and fold(what) in fold(claim["text"])


def _measure(hits: list[tuple[int, int, str]], start: int, end: int, unit: str, counts_a_noun: bool = False
             ) -> tuple[str | None, tuple[int, int] | None]:
    """The measure of the figure at ``start:end`` from the measure words of its clause, and where that
    word stands; ``(None, None)`` when none says (a count of a noun no measure word names is measured
    by that noun, not by the words around it).

    >>> _measure([(0, 6, "investment"), (20, 30, "projects"), (31, 40, "investment")], 16, 40, "count")
    ('projects', (20, 30))
    >>> _measure([(0, 6, "officials")], 16, 40, "count", counts_a_noun=True)
    (None, None)
    """
    inside = [h for h in hits if h[0] >= start and h[1] <= end]
    if inside:
        counted = [h for h in inside if h[2] in _counted()]
        a, b, name = (counted or inside)[0] if unit == COUNT else inside[0]
        return name, (a, b)
    if counts_a_noun:
        return None, None
    before = [h for h in hits if h[1] <= start]
    if before:
        a, b, name = before[-1]
        return name, (a, b)
    after = [h for h in hits if h[0] >= end and h[0] - end <= AFTER_CHARS]
    if after:
        a, b, name = after[0]
        return name, (a, b)
    return None, None


def _nearest(hits: list[tuple[int, int, str]], start: int, end: int) -> str | None:
    """The value of the hit nearest the figure at ``start:end`` (before it on a tie).

    >>> _nearest([(0, 2, "change"), (30, 35, "share")], 10, 20)
    'change'
    """
    if not hits:
        return None
    return min(hits, key=lambda h: (start - h[1]) if h[1] <= start else (h[0] - end + 0.5))[2]


def _noun_key(what: str) -> str:
    """A counted noun as a key: folded words, a final s or x dropped.

    >>> _noun_key("Cadres civils et politiques"), _noun_key("étudiants")
    ('cadre-civil-et-politique', 'etudiant')
    """
    words = [w.rstrip(".,;:") for w in fold(what).split()]
    return "-".join(w[:-1] if len(w) > 3 and w[-1] in "sx" else w for w in words if w)


def _mention_sides(view: TextView, mentions: list[dict], gazetteer: Gazetteer) -> list[tuple[int, int, str]]:
    """(view start, view end, country code) of the article's place mentions of a known country."""
    sides = []
    for m in mentions:
        place = gazetteer.places.get(m["place_id"])
        if place is not None and place.country:
            sides.append((view.to_view(m["char_start"]), view.to_view(m["char_end"]), place.country))
    return sides


def _direction(name: str, at: tuple[int, int], places: list[tuple[int, int, str]],
               words: list[tuple[int, int, str]], text: str) -> str | None:
    """The direction of a flow measured by ``name`` (its word at ``at``), from the sides of its clause
    (``places``) and its direction and nationality words (``words``), offsets in ``text``.

    >>> text = "Cambodia exports rice to Vietnam"
    >>> _direction("exports", (9, 16), [(0, 8, "KH"), (25, 32, "VN")], [(22, 24, "destination")], text)
    'KH>VN'
    >>> text = "Vietnam's imports from the Kingdom"
    >>> _direction("imports", (10, 17), [(0, 7, "VN"), (27, 34, "KH")], [(18, 22, "origin")], text)
    'KH>VN'
    >>> _direction("exports", (0, 7), [], [(8, 17, "cambodia")], "exports Cambodian"), _direction(
    ...     "exports", (0, 7), [(19, 26, "VN")], [(11, 13, "destination")], "exports up to now, Vietnam")
    ('KH>VN', 'VN>KH')
    """
    actor = load_common().fact_roles.actor[name]
    cues = [(b, role) for a, b, role in words if role in (ORIGIN, DESTINATION)]
    marked = list(places)
    marked += [(a, b, NATIONALITY[group]) for a, b, group in words if group in NATIONALITY
               and min(abs(a - at[1]), abs(at[0] - b)) <= NATIONALITY_GAP]
    ends: dict[str, str] = {}
    for a, _b, side in sorted(marked):
        role = next((r for b, r in reversed(cues) if 0 <= a - b <= CUE_GAP and _article_at_most(text[b:a])),
                    actor)
        ends.setdefault(role, side)
    origin, destination = ends.get(ORIGIN), ends.get(DESTINATION)
    if origin is None and destination in OTHER_SIDE:
        origin = OTHER_SIDE[destination]
    if destination is None and origin in OTHER_SIDE:
        destination = OTHER_SIDE[origin]
    if origin is None or destination is None or origin == destination:
        return None
    return f"{origin}>{destination}"


def _article_at_most(gap: str) -> bool:
    """Whether the text between a direction word and a side is white space and one short word at most
    (an article: "vers *le* Cambodge", "to *the* Kingdom"), no punctuation.

    >>> _article_at_most(" le "), _article_at_most(" "), _article_at_most(" now, ")
    (True, True, False)
    """
    words = gap.split()
    return len(words) <= 1 and all(w.isalpha() and len(w) <= ARTICLE_CHARS for w in words)
