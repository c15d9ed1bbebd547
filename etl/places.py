"""Find place mentions with the project's gazetteer (``data/gazetteer.csv``).

Every alias of every place, folded (case, accents; hyphens read as spaces) and
with its romanisation variants (``Kompong``/``Kampong``, names written as one
word: ``Kompongtrach``), is a key of the Aho-Corasick automaton that scans the
folded view of an article once (``place_finders``; ``extract`` scans for its
lexicon's words in the same pass). A hit counts when it is a whole word and
capitalised in the text (all-capital aliases such as ``US`` must match exactly).
Overlapping hits keep the longest; one alias shared by several places goes to
the lowest ``priority`` (a province before the town of the same name).

Border gates: a bare name such as ``Ha Tien`` means the border gate only next
to a cue (``porte frontière internationale de Ha Tien``, ``Ha Tien border gate``).

A capitalised name that the gazetteer does not know, but that is very close to
a long alias (``Pochenton Airport``), is matched with rapidfuzz; ordinary words
never are.
"""

from __future__ import annotations

import csv
import hashlib
import re
import unicodedata
from collections import defaultdict
from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import NamedTuple

from etl.lexicon import Lexicon, folded, load_common
from etl.lexicon.model import Fuzzy
from etl.prepared import kept
from etl.scanner import Hit, Scan, Scanner
from etl.text import TextView, boundary_view, fold, opens_sentence, word_zipf

GAZETTEER = Path(__file__).resolve().parent.parent / "data" / "gazetteer.csv"
#: Capitalised names of up to four words; the look-behind follows the first capital (and spans it),
#: since a pattern that opens with a character class is searched faster.
_CAPITALISED_RUN = re.compile(r"([A-ZÀ-ÖØ-ÞĐ](?<![\w].)[\w'’]+(?:[ -][A-ZÀ-ÖØ-ÞĐ][\w'’]+){0,3})")
#: A word of the boundary view.
_KEY_WORD = re.compile(r"\S+")
_NEXT_WORD = re.compile(r"[^\S\r\n]+(\w+)")
_WORD_ENDING = re.compile(r"(\w+)[^\S\r\n]+$")
#: What separates the words of such a name.
_NAME_WORD_BREAK = re.compile(r"[ -]")
#: All-capital aliases up to this length are acronyms ("US", "RPDC") and match case-sensitively.
MAX_ACRONYM = 5
#: A misspelling may make a name this many characters longer or shorter.
FUZZY_LENGTH_SLACK = 2
#: What ``find_mentions`` has an article scanned for (``place_finders``): people's titles, place names.
TITLES, PLACES = "titles", "places"
#: Names whose closest alias is kept (``Gazetteer.fuzzy_place``) before the memo starts afresh.
FUZZY_MEMO_SIZE = 100_000
_UNKNOWN = object()
#: How far before a bare border-gate name its cue may start (characters).
CUE_WINDOW = 60


@dataclass(frozen=True)
class Place:
    place_id: str
    name: str
    name_local: str | None
    country: str | None
    level: str
    lat: float
    lon: float
    province_id: str | None
    border_province: bool
    merged_into_2025: str | None
    priority: int
    source: str


class Mention(NamedTuple):
    """A place named in the text (a named tuple: an article has hundreds, and tuples are cheap to make)."""

    start: int  # offsets in the view
    end: int
    place_id: str


@dataclass(frozen=True)
class _Alias:
    place_id: str
    priority: int
    cue_only: bool
    exact: str | None  # the alias as written, when it must match case-sensitively


class _Reading(NamedTuple):
    """What an alias key stands for, worked out once from its entries (``Gazetteer.readings``)."""

    exact: frozenset[str] | None  # the spellings (full stops left out) it must be written in, if any
    plain: str | None  # the place it names (the best of its entries that need no cue), if any
    gate: str | None  # the border gate it names next to a cue ("cửa khẩu", "border gate"), if any


def _reading(entries: list[_Alias]) -> _Reading:
    exact = frozenset(a.exact.replace(".", "") for a in entries if a.exact) or None
    plain, gate = [a for a in entries if not a.cue_only], [a for a in entries if a.cue_only]
    # a gate's bare name that names nothing else is the gate, cue or not ("Moc Bai", "Xa Xia - Prek
    # Chak"); one shared with a town ("Ha Tien") is the gate only next to a cue
    return _Reading(exact, _best(plain) or _best(gate), _best(gate))


def _best(entries: list[_Alias]) -> str | None:
    return min(entries, key=lambda a: (a.priority, a.place_id)).place_id if entries else None


class Gazetteer:
    """The places, their folded aliases (the keys of ``aliases``) and what each alias stands for."""

    def __init__(self, places: dict[str, Place], aliases: dict[str, list[_Alias]], fuzzy: Fuzzy,
                 not_before: frozenset[str] = frozenset(), level_words: frozenset[str] = frozenset()) -> None:
        self.places = places
        #: words after which an acronym is not a place ("US dollars")
        self.not_before = not_before
        #: words after a short town name that keep it the town ("Hue City")
        self.level_words = level_words
        self.aliases = aliases
        self.fuzzy = fuzzy
        self.known_words = frozenset(k.replace(" ", "") for k in aliases)
        self.readings = {key: _reading(entries) for key, entries in aliases.items()}
        #: what the first word of a name split into syllables can be: the start of a one-word alias
        self.split_starts = frozenset(key[:n] for key, reading in self.readings.items()
                                      if " " not in key and reading.plain for n in range(1, len(key)))
        self._fuzzy_index: dict[tuple[str, int], list[str]] = defaultdict(list)
        for key, entries in aliases.items():
            if len(key) >= fuzzy.min_chars and not all(a.exact for a in entries):
                self._fuzzy_index[(key[0], len(key))].append(key)
        self._fuzzy_windows: dict[tuple[str, int], tuple[str, ...]] = {}  # filled as names are looked up
        self._fuzzy_places: dict[str, str | None] = {}  # likewise (``fuzzy_place``)

    def fuzzy_candidates(self, key: str) -> tuple[str, ...]:
        """Aliases that start like ``key``, at most ``FUZZY_LENGTH_SLACK`` characters longer or shorter."""
        window = (key[:1], len(key))
        found = self._fuzzy_windows.get(window)
        if found is None:  # (two threads may both fill it: the same value)
            found = self._fuzzy_windows[window] = tuple(
                c for n in range(len(key) - FUZZY_LENGTH_SLACK, len(key) + FUZZY_LENGTH_SLACK + 1)
                for c in self._fuzzy_index.get((key[:1], n), ()))
        return found


    def fuzzy_place(self, name: str) -> str | None:
        """The place a capitalised name that is no alias stands for, when it is one misspelt: the alias
        closest to it, if close enough. ``None`` for a name of common words only ("Prime Minister").

        Names recur from article to article (the same provinces, ministers, agencies), so each
        name's answer is kept: looking for the closest alias is the costly part of finding places.
        """
        found = self._fuzzy_places.get(name, _UNKNOWN)
        if found is _UNKNOWN:
            if len(self._fuzzy_places) >= FUZZY_MEMO_SIZE:
                self._fuzzy_places.clear()  # bounded: a long run over ever new names starts afresh
            found = self._fuzzy_places[name] = self._closest_place(name)
        return found  # type: ignore[return-value]

    def _closest_place(self, name: str) -> str | None:
        from rapidfuzz import fuzz, process

        zipf, min_score = self.fuzzy.common_word_zipf, self.fuzzy.min_score
        if all(_is_common_word(w, zipf) for w in _NAME_WORD_BREAK.split(name)):
            return None
        key = _match_key(name)
        choices = self.fuzzy_candidates(key)
        if not choices:
            return None
        best = process.extractOne(key, choices, scorer=fuzz.ratio, score_cutoff=min_score)
        return None if best is None else self.readings[best[0]].plain


def _match_key(text: str) -> str:
    """Folded words separated by single spaces, as in the boundary view ("Hô Chi Minh-Ville")."""
    return " ".join(boundary_view(fold(text)).split())


def _swaps(pairs: tuple[tuple[str, ...], ...]) -> list[tuple[str, re.Pattern, str]]:
    """Each romanisation pair both ways: (word, pattern matching it as a whole word, replacement)."""
    return [(x, re.compile(rf"\b{re.escape(x)}\b"), y) for a, b in pairs for x, y in ((a, b), (b, a))]


def _variants(key: str, place: Place, swaps: list[tuple[str, re.Pattern, str]],
              joined_countries: Collection[str]) -> set[str]:
    """The alias key and its romanisation variants."""
    out = {key}
    for word, pattern, replacement in swaps:
        for s in [s for s in out if word in s]:
            if pattern.search(s):
                out.add(pattern.sub(replacement, s).strip())
    if place.country in joined_countries and place.level != "country":
        out |= {v.replace(" ", "") for v in out if " " in v}
    return {v for v in out if v}


@cache
def load_gazetteer(path: Path = GAZETTEER) -> Gazetteer:
    """The gazetteer: once per process, and built once per version of the extractor (``etl.prepared``)."""
    from etl.version import extractor_version

    key = hashlib.sha256(f"{extractor_version()}\0{path.resolve()}".encode()).hexdigest()[:16]
    if path.resolve() != GAZETTEER.resolve():  # another file: its content is part of the key
        key = hashlib.sha256(key.encode() + path.read_bytes()).hexdigest()[:16]
    return kept("gazetteer", key, lambda: _build_gazetteer(path))


def _build_gazetteer(path: Path) -> Gazetteer:
    common = load_common()
    swaps, joined = _swaps(common.romanisation.pairs), common.romanisation.joined_name_countries
    places: dict[str, Place] = {}
    aliases: dict[str, list[_Alias]] = defaultdict(list)
    # a family name alone ("Nguyen", an alternate name of a town) names a person, never a place
    surnames = frozenset(common.people.vietnamese_family_names)
    with path.open(newline="", encoding="utf-8") as f:
        for row in csv.DictReader(f):
            place = Place(
                row["place_id"], row["name"], row["name_local"] or None, row["country"] or None,
                row["level"], float(row["lat"]), float(row["lon"]), row["province_id"] or None,
                row["border_province"].strip().lower() == "true", row["merged_into_2025"] or None,
                int(row["priority"] or 9), row["source"])
            places[place.place_id] = place
            for alias_list, cue_only in ((row["aliases"], False), (row["cue_aliases"], True)):
                for alias in filter(None, (a.strip() for a in alias_list.split("|"))):
                    acronym = alias.isupper() and len(alias) <= MAX_ACRONYM
                    entry = _Alias(place.place_id, place.priority, cue_only, alias if acronym else None)
                    key = _match_key(alias)
                    if key in surnames:
                        continue
                    keys = {key} if acronym else _variants(key, place, swaps, joined)
                    for key in keys:
                        if entry not in aliases[key]:
                            aliases[key].append(entry)
    return Gazetteer(places, dict(aliases), common.fuzzy, folded(common.places.not_before),
                     folded(common.places.level_words))


def place_finders(gazetteer: Gazetteer, lexicons: Iterable[Lexicon]) -> tuple[dict, dict]:
    """The ``phrases`` and ``keys`` of a ``Scanner`` that finds what ``find_mentions`` reads: people's
    titles in every language ("Mr", "M.", "gouverneur"), and the gazetteer's aliases."""
    return ({TITLES: {"title": [t for lex in lexicons for t in lex.people.titles]}},
            {PLACES: gazetteer.aliases.keys()})


@cache
def _place_scanner(gazetteer: Gazetteer, lexicons: tuple[Lexicon, ...]) -> Scanner:
    phrases, keys = place_finders(gazetteer, lexicons)
    return Scanner(phrases, keys=keys)


def find_mentions(view: TextView, gazetteer: Gazetteer, lexicons: Iterable[Lexicon],
                  scan: Scan | None = None) -> list[Mention]:
    """Every place mention in the text, in order, without overlaps.

    ``scan``: the text scanned by a ``Scanner`` with ``place_finders`` among its lists (``extract``
    scans once for everything); without it, the text is scanned here.
    """
    lexicons = list(lexicons)
    if scan is None:
        scan = _place_scanner(gazetteer, tuple(lexicons)).scan(view.folded, view.bounded)
    candidates = [(start, end, key) for start, end, key in scan.keys(PLACES)
                  if _written_as_name(view.norm, start, end, gazetteer.readings[key])
                  and not (gazetteer.readings[key].exact and _word_after(view, end) in gazetteer.not_before)]
    candidates.sort(key=lambda c: (c[0], -(c[1] - c[0])))
    mentions: list[Mention] = []
    taken_until = -1
    for start, end, key in candidates:
        if start < taken_until:
            continue
        place_id = _resolve(view, gazetteer.readings[key], start, end, lexicons)
        if place_id is not None:
            mentions.append(Mention(start, end, place_id))
            taken_until = end
    runs = [m.span() for m in _CAPITALISED_RUN.finditer(view.norm)]
    mentions = _split_names(view, gazetteer, mentions, runs)
    mentions += _fuzzy_mentions(view, gazetteer, mentions, runs)
    people = person_spans(view, lexicons, scan.phrases(TITLES))
    return sorted((m for m in mentions if not _inside_a_name(view, m, people)
                   and not _fragment(view, m, gazetteer)), key=lambda m: m.start)


#: A one-word name of a town this short is a piece of a longer name next to one capitalised word.
SHORT_NAME_CHARS = 4
#: Levels whose one-word names stand alone even between capitalised words ("Kampot Ha Tien").
_STANDALONE_LEVELS = frozenset({"country", "province", "region"})


def _fragment(view: TextView, mention: Mention, gazetteer: Gazetteer) -> bool:
    """A one-word name of a town or district between two capitalised words is a piece of a longer
    name ("Pong" in "Kam Pong Svay"), not the place; a short one (``SHORT_NAME_CHARS``) next to one
    capitalised word is too ("Cho" in "Cho Ray Hospital", in "Piem Cho"), unless that word names its level
    ("Hue City") or opens the sentence ("In Hue")."""
    place = gazetteer.places.get(mention.place_id)
    if place is None or place.level in _STANDALONE_LEVELS or " " in view.norm[mention.start:mention.end]:
        return False
    before = _WORD_ENDING.search(view.norm, max(0, mention.start - CUE_WINDOW), mention.start)
    after = _NEXT_WORD.match(view.norm, mention.end)
    capital_before = bool(before) and before.group(1)[0].isupper()
    capital_after = bool(after) and after.group(1)[0].isupper()
    if capital_before and capital_after:
        return True
    if mention.end - mention.start > SHORT_NAME_CHARS:
        return False
    if capital_after and fold(after.group(1)) not in gazetteer.level_words:
        return True
    return capital_before and not opens_sentence(view.norm, before.start(1))


def person_spans(view: TextView, lexicons: Sequence[Lexicon], titles: list[Hit]
                 ) -> list[tuple[int, int, bool]]:
    """Spans of people's names: (start, end, titled). Titled names come after one of ``titles``
    ("M.", "Minister"...). Untitled ones are runs of capitalised words opening with a Vietnamese
    family name.
    """
    spans = []
    if lexicons:
        for _, title_end, _ in titles:
            name = lexicons[0].patterns["name_run"].match(view.norm, title_end)
            if name:
                spans.append((name.start(1), name.end(1), True))
    common = load_common()
    people = common.people
    family = frozenset(people.vietnamese_family_names)
    levels = folded(common.places.level_words)
    for m in _capitalised_runs(people.min_name_words).finditer(view.norm):
        words = m.group(0).split()
        if fold(words[0]) in family:
            spans.append((m.start(), m.end(), False))
            continue
        # a name after other capitalised words ("au Cambodge Vu Quang Minh"), unless they name a place
        # ("Kien Giang Province People's Committee")
        for k in range(1, len(words) - people.min_name_words + 1):
            if fold(words[k]) in family and levels.isdisjoint(fold(w) for w in words[k + 1:]):
                spans.append((m.start() + _word_offset(m.group(0), k), m.end(), False))
                break
    return spans


def _word_offset(run: str, k: int) -> int:
    """Where the ``k``th word (from 0) of a run of words separated by spaces or tabs starts in it."""
    return [w.start() for w in _KEY_WORD.finditer(run)][k]


@cache
def _capitalised_runs(min_words: int) -> re.Pattern[str]:
    """Runs of ``min_words`` or more capitalised words, for names that start with a family name.

    A shorter run never matches, not even from one of its later words: only the few long runs come
    out of ``re``. The look-behind comes after the first capital (and spans it): a pattern that
    opens with a character class is searched faster.
    """
    word = r"[A-ZÀ-ÖØ-ÞĐ][\w'’]*"
    return re.compile(rf"[A-ZÀ-ÖØ-ÞĐ](?<![\w'’-].)[\w'’]*(?:[ \t]{word}){{{max(min_words - 1, 1)},}}")


def _inside_a_name(view: TextView, mention: Mention, people: list[tuple[int, int, bool]]) -> bool:
    for start, end, titled in people:
        if start <= mention.start and mention.end <= end:
            # "Ho Chi Minh City", "Ha Tien International Border Gate": a place of several words that
            # is the whole of an untitled run is a place; with more words after it, the run is a
            # person's name ("Vu Quang Minh")
            several_words = " " in view.norm[mention.start:mention.end].strip()
            whole_run = mention.start == start and view.norm[mention.end:end].strip() == ""
            return titled or not (whole_run and several_words)
    return False


def _word_after(view: TextView, end: int) -> str:
    """The folded word right after ``end`` ("" if none on the same line)."""
    m = _NEXT_WORD.match(view.folded, end)
    return m.group(1) if m else ""


def _written_as_name(norm: str, start: int, end: int, reading: _Reading) -> bool:
    after = end + 1 if norm.startswith(" ", end) else end
    if after < len(norm) and unicodedata.category(norm[after]) == "Sc":
        return False  # "US$10", "US $3.8 billion": part of a currency, not a place
    if reading.exact:
        return norm[start:end].replace(".", "") in reading.exact
    return norm[start].isupper() or not norm[start].isalpha()


def _resolve(view: TextView, reading: _Reading, start: int, end: int,
             lexicons: Sequence[Lexicon]) -> str | None:
    # A cue only changes the answer for names that are border gates next to one; most are not,
    # and looking for cues around every mention is costly.
    if reading.gate is not None and _has_gate_cue(view, start, end, lexicons):
        return reading.gate
    return reading.plain


def _has_gate_cue(view: TextView, start: int, end: int, lexicons: Sequence[Lexicon]) -> bool:
    for lex in lexicons:
        if lex.patterns["gate_before"].search(view.folded, max(0, start - CUE_WINDOW), start):
            return True
        if lex.patterns["gate_after"].match(view.folded, end):
            return True
    return False


def _split_names(view: TextView, gazetteer: Gazetteer, exact: list[Mention], runs: list[tuple[int, int]]
                 ) -> list[Mention]:
    """``exact`` with the names a page split into syllables ("Ta Keo", "Kra Tie", "Banteay Mean Chey"):
    capitalised words (``runs``) that, joined, are an alias ("Takeo", "Banteay Meanchey" joined) while
    as written they are none. Such a name replaces the mentions inside it ("Mean Chey", a district of
    Phnom Penh, in "Banteay Mean Chey"); the longest name from the earliest word wins.
    """
    found: list[Mention] = []
    bounded, readings, starts = view.bounded, gazetteer.readings, gazetteer.split_starts
    for run_start, run_end in runs:
        if bounded.find(" ", run_start, run_end) < 0:
            continue  # one word (most runs: looked at without making a string)
        # the run's words as the gazetteer's keys have them (``view.bounded``: folded, punctuation as spaces)
        words = bounded[run_start:run_end].split()
        spans: list[tuple[int, int]] = []
        i = 0
        while i < len(words) - 1:
            if words[i] not in starts:
                i += 1
                continue
            joined, best = words[i], None
            for j in range(i + 1, len(words)):  # the words after it while they join into an alias's start
                joined += words[j]
                if joined in readings and readings[joined].plain and " ".join(words[i:j + 1]) not in readings:
                    best = j  # the longest
                if joined not in starts:
                    break
            if best is not None:
                spans = spans or [m.span() for m in _KEY_WORD.finditer(bounded, run_start, run_end)]
                start, end = spans[i][0], spans[best][1]
                inside = [m for m in exact if start < m.end and m.start < end]
                if not any(m.start < start or m.end > end for m in inside):
                    found.append(Mention(start, end, readings["".join(words[i:best + 1])].plain))
                    exact = [m for m in exact if m not in inside]
                    i = best
            i += 1
    return sorted(exact + found, key=lambda m: m.start) if found else exact


def _fuzzy_mentions(view: TextView, gazetteer: Gazetteer, exact: list[Mention], runs: list[tuple[int, int]]
                    ) -> list[Mention]:
    min_chars = gazetteer.fuzzy.min_chars
    taken = sorted((m.start, m.end) for m in exact)  # they do not overlap: their ends are sorted too
    first_open = 0  # the first exact mention that ends after the current name starts
    found: list[Mention] = []
    for start, end in runs:
        if end - start < min_chars:
            continue
        # Names come in text order: a mention that ends before this one starts misses the later ones too.
        while first_open < len(taken) and taken[first_open][1] <= start:
            first_open += 1
        if first_open < len(taken) and taken[first_open][0] < end:
            continue  # overlaps an exact mention
        place_id = gazetteer.fuzzy_place(view.norm[start:end])
        if place_id is not None:
            found.append(Mention(start, end, place_id))
    return found


def _is_common_word(word: str, zipf_min: float) -> bool:
    return word_zipf(word.lower()) >= zipf_min
