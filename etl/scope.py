"""Which places a figure is about: its scope (``claims.scope_place_ids`` and ``scope_basis``).

``place_ids`` lists the places a claim's sentence names; many figures name none ("De 2015 à
aujourd'hui, le chiffre d'affaires ... a atteint plus de 548 millions de dollars") and are about the
place the article is about. The scope is, in order:

1. ``sentence``: the places the sentence names (but the dateline's: "HANOI, Jan. 5 (VNA) - Trade
   reached..." is not a figure of Hanoi), and the place a phrase such as "the province" or "la province"
   stands for (the lexicon's ``[scope] anaphors``: phrase -> level). Such a phrase stands for the
   article's main place (below) in Vietnam or Cambodia, else for the last place of its level named
   before it; a phrase followed by a place name ("the province of Kampot", "la province de Kien Giang")
   or right after one ("Binh Phuoc provincial") is part of that name, and stands for nothing more.
2. ``paragraph``: else the places named (or stood for) in the sentences of its paragraph before it.
3. ``article``: else, for a figure of the article itself (not page furniture), the article's main
   places. A place's body mentions count for its province (a border gate's for the province it is in),
   a country's for itself. When a province is mentioned at least as often as any country, the article
   is about provinces, and its main places are the dateline's place ("Binh Phuoc (VNA) –") and the
   provinces mentioned at least ``MAIN_SHARE`` as often as the most mentioned one; otherwise it is about
   countries, and they are its main places (a capital's dateline on a national story says where it was
   written, not what it is about). Each province is given as the place the article names for it: the
   province itself, else its most mentioned place.

Every id is a place the article mentions (so in ``places.csv``). Pure: the article's rows in, rows out.
"""

from __future__ import annotations

import bisect
import re
from collections import Counter
from collections.abc import Callable, Iterable
from functools import cache
from typing import TYPE_CHECKING, NamedTuple

from etl.lexicon import Lexicon, folded
from etl.places import Gazetteer
from etl.schema import SCOPE_BASES, join_ids
from etl.text import fold

if TYPE_CHECKING:  # extract imports this module
    from etl.extract import Reading

SENTENCE, PARAGRAPH, ARTICLE = SCOPE_BASES
BODY = "body"
#: The two sides of the border: a phrase such as "the province" stands for a place of theirs.
SIDES = ("VN", "KH")
#: Levels of place that lie in no one province (their mentions count for no province).
OUTSIDE_PROVINCES = ("country", "region", "river")
COUNTRY = "country"
#: A province mentioned at least this share as often as the most mentioned one is a main place too.
MAIN_SHARE = 0.5
#: A dateline is looked for at the start of this many first lines of the body.
DATELINE_LINES = 3
#: What follows a dateline's place: a date, an agency in brackets, or both, then a dash
#: ("PHNOM PENH, March 3, 2025 (VNA) -", "Binh Phuoc (VNA) –", "Soc Trang, 18 juillet -").
_DATELINE_REST = re.compile(
    r"""\s*(?:,[^\n,()]{1,40}?(?:,\s*\d{4})?\s*(?:\([^()\n]{1,40}\))?  # ", March 3, 2025 (VNA)"
          |\([^()\n]{1,40}\))                                      # " (VNA)"
        \s*[-–—]""",
    re.VERBOSE,
)
#: Characters between a place name and a phrase that stands for a place, for the phrase to be part of
#: the name ("Binh Phuoc provincial").
NAME_GAP = 2


class Placed(NamedTuple):
    """A place found in the text: named (a mention), or stood for by a phrase such as "the province"."""

    start: int  # offset in the original text
    place_id: str
    sentence: int
    section: str


def with_scope(claims: list[dict], mentions: list[dict], reading: Reading, lex: Lexicon | None,
               gazetteer: Gazetteer) -> list[dict]:
    """The claim rows with ``scope_place_ids`` and ``scope_basis`` (see the module docstring)."""
    if not claims:
        return claims
    dateline = dateline_mention(reading, mentions)

    @cache
    def main() -> list[str]:  # only when a figure or a phrase such as "the province" needs them
        return main_places(mentions, gazetteer, dateline["place_id"] if dateline else None)

    placed = [Placed(m["char_start"], m["place_id"], m["sentence_id"], m["section"]) for m in mentions
              if m is not dateline]
    stood = stood_for(reading, lex, mentions, gazetteer, main)
    if stood:
        placed = sorted(placed + stood, key=lambda p: p.start)
    by_sentence: dict[int, list[Placed]] = {}
    for p in placed:
        by_sentence.setdefault(p.sentence, []).append(p)
    scopes = sentence_scopes(sorted({(c["sentence_id"], c["section"]) for c in claims}), by_sentence,
                             [s.paragraph for s in reading.sentences], main)
    out = []
    for claim in claims:
        ids, basis = scopes[claim["sentence_id"], claim["section"]]
        out.append({**claim, "scope_place_ids": join_ids(ids), "scope_basis": basis})
    return out


def sentence_scopes(wanted: list[tuple[int, str]], by_sentence: dict[int, list[Placed]],
                    paragraph_of: list[int], main: Callable[[], list[str]]
                    ) -> dict[tuple[int, str], tuple[list[str], str | None]]:
    """The scope of the figures of each (sentence, section) of ``wanted`` (in sentence order), and where it
    came from: the places named before a sentence in its paragraph are gathered going forward, once.
    ``main()``: the article's main places.

    >>> here = {0: [Placed(0, "kampot", 0, "body")], 2: [Placed(90, "kep", 2, "body")]}
    >>> sentence_scopes([(1, "body"), (2, "body")], here, [0, 0, 0], lambda: ["kien-giang"])
    {(1, 'body'): (['kampot'], 'paragraph'), (2, 'body'): (['kep'], 'sentence')}
    >>> sentence_scopes([(1, "body"), (1, "related")], here, [0, 1, 1], lambda: ["kien-giang"])
    {(1, 'body'): (['kien-giang'], 'article'), (1, 'related'): ([], None)}
    """
    found: dict[tuple[int, str], tuple[list[str], str | None]] = {}
    seen: dict[str, dict[str, None]] = {}  # section -> the places named so far in the paragraph, in order
    paragraph, done = None, 0  # the paragraph being read, and the sentences of it already gathered
    for sid, section in wanted:
        if paragraph_of[sid] != paragraph:
            paragraph, seen, done = paragraph_of[sid], {}, sid
            while done > 0 and paragraph_of[done - 1] == paragraph:
                done -= 1  # the paragraph's first sentence
        for s in range(done, sid):
            for p in by_sentence.get(s, ()):
                seen.setdefault(p.section, {})[p.place_id] = None
        done = max(done, sid)
        own = _unique(p.place_id for p in by_sentence.get(sid, ()))
        before = list(seen.get(section, ()))
        if own:
            found[sid, section] = own, SENTENCE
        elif before:
            found[sid, section] = before, PARAGRAPH
        elif section == BODY and main():
            found[sid, section] = list(main()), ARTICLE
        else:
            found[sid, section] = [], None
    return found


def _unique(ids: Iterable[str]) -> list[str]:
    return list(dict.fromkeys(ids))


def stood_for(reading: Reading, lex: Lexicon | None, mentions: list[dict], gazetteer: Gazetteer,
              main: Callable[[], list[str]] = list) -> list[Placed]:
    """The places that phrases such as "the province" stand for (see the module docstring); ``main()``:
    the article's main places."""
    if lex is None or not mentions:
        return []
    view, text = reading.view, reading.doc.text
    phrases = lex.scan(view).phrases("scope")
    if not phrases:
        return []
    starts = [m["char_start"] for m in mentions]
    ends = {m["char_end"] for m in mentions}
    links = folded(lex.scope.name_links)
    main_place = next((p for p in main() if _level_and_side(gazetteer, p)[1]
                       and _level_and_side(gazetteer, p)[0] not in OUTSIDE_PROVINCES), None)
    by_level: dict[str, tuple[list[int], list[str]]] = {}  # level -> body mentions of that level: starts, ids
    for m in mentions:
        level, side = _level_and_side(gazetteer, m["place_id"])
        if m["section"] == BODY and side and level is not None:
            at, ids = by_level.setdefault(level, ([], []))
            at.append(m["char_start"])
            ids.append(m["place_id"])
    found = []
    for a, b, level in phrases:
        start, end = view.span(a, b)
        if _names_a_place(text, start, end, starts, ends, links):
            continue
        referent = main_place
        if referent is None and level in by_level:  # the last place of its level named before it
            at, ids = by_level[level]
            i = bisect.bisect_left(at, start)
            referent = ids[i - 1] if i else None
        if referent is not None:
            sid = reading.sentence_of(start)
            found.append(Placed(start, referent, sid, reading.sections[sid] if reading.sections else BODY))
    return found


def _names_a_place(text: str, start: int, end: int, starts: list[int], ends: set[int],
                   links: frozenset[str]) -> bool:
    """Whether the phrase at ``start:end`` is part of a place's name: a place is named right before it
    ("Binh Phuoc provincial") or right after it, perhaps behind a link word ("la province de Kampot",
    "la province d'An Giang")."""
    if any(e in ends and not text[e:start].strip() for e in range(max(start - NAME_GAP, 0), start + 1)):
        return True
    at = _skip_space(text, end)
    link = _LINK_WORD.match(text, at)
    if link and fold(link.group()) in links:
        at = _skip_space(text, link.end())
    i = bisect.bisect_left(starts, at)
    return i < len(starts) and starts[i] == at


#: A word that may link a phrase to a name, elided ones with their apostrophe ("de", "d'").
_LINK_WORD = re.compile(r"[^\W\d_]+['’]?")


def _skip_space(text: str, i: int) -> int:
    while i < len(text) and text[i].isspace():
        i += 1
    return i


def _level_and_side(gazetteer: Gazetteer, place_id: str) -> tuple[str | None, bool]:
    place = gazetteer.places.get(place_id)
    return (place.level, place.country in SIDES) if place is not None else (None, False)


def dateline_mention(reading: Reading, mentions: list[dict]) -> dict | None:
    """The mention of the place that opens a dateline at the start of one of the first body lines
    ("PHNOM PENH, March 3, 2025 (VNA) - ..."), or ``None``."""
    text = reading.doc.text
    starts = [m["char_start"] for m in mentions]
    for line in reading.body_lines[:DATELINE_LINES]:
        i = bisect.bisect_left(starts, line.start)
        if i == len(starts) or starts[i] >= line.end or text[line.start:starts[i]].strip():
            continue
        m = mentions[i]
        if _DATELINE_REST.match(text, m["char_end"], line.end):
            return m
    return None


def main_places(mentions: list[dict], gazetteer: Gazetteer, dateline: str | None = None) -> list[str]:
    """The article's main places (see the module docstring), as ids of places it mentions.

    >>> from types import SimpleNamespace as P
    >>> places = {"kampot": P(level="province", country="KH", province_id="kampot"),
    ...           "ha-tien": P(level="city", country="VN", province_id="kien-giang"),
    ...           "vietnam": P(level="country", country="VN", province_id=None)}
    >>> def m(*ids): return [{"place_id": p, "section": "body"} for p in ids]
    >>> main_places(m("ha-tien", "ha-tien", "kampot", "vietnam"), P(places=places))
    ['ha-tien', 'kampot']
    >>> main_places(m("vietnam", "vietnam", "kampot"), P(places=places), dateline="kampot")
    ['vietnam']
    """
    provinces: Counter[str] = Counter()
    countries: Counter[str] = Counter()
    named: dict[str, Counter[str]] = {}  # province -> its places the article names, by mentions
    for m in mentions:
        place = gazetteer.places.get(m["place_id"])
        if m["section"] != BODY or place is None:
            continue
        if place.level == COUNTRY:
            countries[m["place_id"]] += 1
        elif place.level not in OUTSIDE_PROVINCES and place.country in SIDES:
            province = place.province_id or m["place_id"]
            provinces[province] += 1
            named.setdefault(province, Counter())[m["place_id"]] += 1
    top_province = max(provinces.values(), default=0)
    top_country = max(countries.values(), default=0)
    if top_province and top_province >= top_country:
        main = [p for p, n in provinces.most_common() if n >= MAIN_SHARE * top_province]
        ids = [p if p in named[p] else named[p].most_common(1)[0][0] for p in main]
        if dateline is not None and _level_and_side(gazetteer, dateline)[1] \
                and _level_and_side(gazetteer, dateline)[0] not in OUTSIDE_PROVINCES:
            ids.insert(0, dateline)
        return _unique(ids)
    return [c for c, n in countries.most_common() if n >= MAIN_SHARE * top_country]
