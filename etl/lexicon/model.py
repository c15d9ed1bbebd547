"""What the lexicon files hold, section by section: typed, frozen, checked when they are read.

Each section of ``en.toml``, ``fr.toml`` (every language: the same keys) and ``common.toml`` loads
into one frozen dataclass below, whose fields are its keys. A key missing from a file, or one the
dataclass does not declare (a typo), fails at load with the file, the section and the key named:
a mistyped key can no longer fall back silently to a default.

Word lists are tuples; word tables (word -> value) are ``WordTable``; ``folded(words)`` gives a
list's folded set, computed once.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from functools import cache, cached_property, wraps
from types import MappingProxyType
from typing import Any, TypeVar, get_type_hints

from etl.schema import CATEGORIES, KINDS, LEVELS, RELATIONS
from etl.text import fold

T = TypeVar("T")
R = TypeVar("R")
WordList = tuple[str, ...]


class LexiconError(ValueError):
    """A lexicon file does not hold what its section declares; the message says where."""


class WordTable(Mapping[str, Any]):
    """A read-only table of words and their values ("million" -> 1e6), with its folded form."""

    def __init__(self, items: Mapping[str, Any]) -> None:
        self._items = MappingProxyType(dict(items))

    def __getitem__(self, key: str) -> Any:
        return self._items[key]

    def __iter__(self) -> Iterator[str]:
        return iter(self._items)

    def __len__(self) -> int:
        return len(self._items)

    def __hash__(self) -> int:
        return id(self)

    def __eq__(self, other: object) -> bool:
        return self is other

    @cached_property
    def folded(self) -> Mapping[str, Any]:
        """The table with folded keys ("Đồng" -> "dong")."""
        return MappingProxyType({fold(k): v for k, v in self._items.items()})


def by_identity(function: Callable[[Any], R]) -> Callable[[Any], R]:
    """``function`` of one argument, cached by the argument's identity first: a lexicon's word lists are
    asked for at every figure, and ``functools.cache`` would hash a whole tuple of words each time (a
    tuple does not keep its hash). Up to ``IDENTITY_CACHE_SIZE`` arguments are kept by identity (with a
    reference, so that an id is never reused); beyond, by equality, as ``functools.cache`` does.

    >>> calls = []
    >>> twice = by_identity(lambda words: calls.append(words) or len(words))
    >>> words = ("a", "b")
    >>> twice(words), twice(words), twice(("a", "b")), len(calls)
    (2, 2, 2, 1)
    """
    by_id: dict[int, tuple[Any, R]] = {}
    by_value = cache(function)

    @wraps(function)
    def cached(argument: Any) -> R:
        hit = by_id.get(id(argument))
        if hit is not None and hit[0] is argument:
            return hit[1]
        result = by_value(argument)
        if len(by_id) < IDENTITY_CACHE_SIZE:
            by_id[id(argument)] = (argument, result)
        return result

    return cached


#: Arguments ``by_identity`` keeps by identity: far more than the word lists of every lexicon.
IDENTITY_CACHE_SIZE = 4096


@by_identity
def folded(words: WordList) -> frozenset[str]:
    """The folded words of a list, computed once per list.

    >>> sorted(folded(("Élève", "Dong")))
    ['dong', 'eleve']
    """
    return frozenset(fold(w) for w in words)


def load_section(cls: type[T], where: str, raw: object) -> T:
    """``raw`` (a TOML table) as ``cls``: every declared key present, no other, each of its type."""
    if not isinstance(raw, dict):
        raise LexiconError(f"{where}: expected a table")
    names = [f.name for f in dataclasses.fields(cls)]  # type: ignore[arg-type]
    missing = [n for n in names if n not in raw]
    unknown = sorted(set(raw) - set(names))
    if missing or unknown:
        said = "; ".join(p for p in (f"missing {', '.join(missing)}" if missing else "",
                                     f"unknown {', '.join(unknown)}" if unknown else "") if p)
        raise LexiconError(f"{where}: {said}")
    hints = get_type_hints(cls)
    return cls(**{n: _typed(raw[n], hints[n], f"{where} {n}") for n in names})


def _typed(value: object, hint: object, where: str) -> object:
    if hint is WordTable:
        if not isinstance(value, dict):
            raise LexiconError(f"{where}: expected a table of words")
        return WordTable({k: tuple(v) if isinstance(v, list) else v for k, v in value.items()})
    if hint == WordList:
        if not isinstance(value, list) or not all(isinstance(w, str) for w in value):
            raise LexiconError(f"{where}: expected a list of words")
        return tuple(value)
    if hint is int and not (isinstance(value, int) and not isinstance(value, bool)):
        raise LexiconError(f"{where}: expected a whole number")
    if hint is float and not isinstance(value, int | float):
        raise LexiconError(f"{where}: expected a number")
    if hint is str and not isinstance(value, str):
        raise LexiconError(f"{where}: expected a text")
    if hint == tuple[WordList, ...]:
        if not isinstance(value, list) or not all(isinstance(p, list) for p in value):
            raise LexiconError(f"{where}: expected a list of lists")
        return tuple(tuple(p) for p in value)
    return value


# --- a language's sections (en.toml, fr.toml: the same keys) --------------------------------------


@dataclass(frozen=True)
class Numbers:
    decimal_separator: str
    thousands_separators: WordList
    #: word -> multiplier, written after a number ("2.76 billion", "$5bn")
    scales: WordTable
    #: words text2num understands; runs of them are parsed as one number
    number_words: WordList
    number_joiners: WordList
    #: a scale word alone after one of these is one of it ("a million visitors")
    lone_scale_articles: WordList
    #: number words that are also articles: a number only inside a longer run
    ambiguous_alone: WordList
    #: vague amounts: phrase -> lower bound
    vague: WordTable
    vague_link: WordList


@dataclass(frozen=True)
class Units:
    #: word -> (unit, kind, factor)
    words: WordTable
    #: word -> ISO 4217 code
    currency_words: WordTable
    money_nouns: WordList
    unit_links: WordList
    #: names what a bare number later in the sentence counts: "the number of tourists ... 305,000"
    count_of: WordList
    #: words between a number and its unit word: "three more years"
    added_before_unit: WordList
    non_count: WordList


@dataclass(frozen=True)
class Qualifiers:
    more_than: WordList
    approx: WordList
    at_least: WordList
    up_to: WordList
    less_than: WordList

    def items(self) -> list[tuple[str, WordList]]:
        """(qualifier, its phrases), in the order declared."""
        return [(f.name, getattr(self, f.name)) for f in dataclasses.fields(self)]


@dataclass(frozen=True)
class QualifierContext:
    phrasal_verbs: WordList
    during: WordList
    comparison_before: WordList
    verbs: WordList


@dataclass(frozen=True)
class Ranges:
    intro: WordList
    separators: WordList
    intro_in_span: WordList
    change_words: WordList
    #: change verbs that take an object between them and "from": they reach further ("increase the amount of
    #: electricity it supplies from 80 to 200 MW")
    object_change_words: WordList


@dataclass(frozen=True)
class Periods:
    open_start: WordList
    #: an open start before an event and its year: "since the launch of the operations in 2001"
    since_event: WordList
    #: words that open another statement in a sentence: a year or a change before them does not reach the
    #: figures after them ("rose 50 percent in 2010 ..., while Vietnam's exports increased 36 percent")
    clause_breaks: WordList
    #: before a year, a comparison: the year is the base of a change, not a period of the figures
    #: ("up 4.6 percent compared to the same period in 2018")
    comparison: WordList
    range_start: WordList
    range_end: WordList
    single: WordList
    deadline: WordList
    until: WordList
    now: WordList
    #: words between a range's opening word and its first year ("de l'année 2015")
    year_words: WordList
    #: words between two full dates that make them a range ("to", "au", "jusqu'au")
    date_range_links: WordList


@dataclass(frozen=True)
class Dates:
    #: month name -> number
    months: WordTable
    ordinal_suffixes: WordList
    update_labels: WordList
    #: what follows the hour of a time of day ("10 a.m.", "9h30")
    time_markers: WordList
    #: the first day of a month, written as an ordinal ("1er janvier")
    first_day_suffixes: WordList
    #: names of the days of the week, and their abbreviations ("Monday, 02 February 2015")
    weekdays: WordList


@dataclass(frozen=True)
class Targets:
    cues: WordList
    near_cues: WordList
    modal_cues: WordList
    trailing_cues: WordList
    achieved_suffixes: WordList
    goal_prepositions: WordList
    achieved_words: WordList
    #: right after a modal verb, the auxiliary of a future passive or perfect: the participles after it
    #: are part of the future ("will be increased to 400 MW", "will have reached")
    future_auxiliaries: WordList
    #: in a headline, before a verb, a future: "Vietnam to supply 400MW to Cambodia in 2025"
    headline_future: WordList


@dataclass(frozen=True)
class Exclusions:
    determiners: WordList
    reference_nouns: WordList
    reference_max: int
    rank_before: WordList
    window_before: WordList
    window_after: WordList
    list_glue: WordList
    #: right before a bare number, words that make it a part of the figure before it in its sentence, however
    #: far: "3,000 Cambodians study at Vietnamese universities, of which 600 ..."
    elision_before: WordList
    name_markers: WordList


@dataclass(frozen=True)
class NounPhrase:
    stopwords: WordList
    joiners: WordList
    complement_links: WordList
    articles: WordList
    stop_suffixes: WordList
    stop_suffixes_after_joiner: WordList
    suffix_exceptions: WordList
    max_words: int
    head_suffixes: WordList
    #: words that end like a head noun and are none ("overseas tourists", "various projects")
    not_heads: WordList


@dataclass(frozen=True)
class What:
    trim: WordList


@dataclass(frozen=True)
class Sentences:
    abbreviations: WordList


@dataclass(frozen=True)
class Categories:
    """Per category, its words (one field per category of ``etl.schema.CATEGORIES``)."""

    trade: WordList
    investment: WordList
    aid: WordList
    energy: WordList
    education: WordList
    health: WordList
    agriculture: WordList
    tourism: WordList
    border: WordList
    security_defence: WordList
    history: WordList
    diplomacy: WordList
    culture: WordList
    infrastructure: WordList
    other: WordList

    def as_table(self) -> dict[str, list[str]]:
        """Category -> words, for a ``Scanner``."""
        return {f.name: list(getattr(self, f.name)) for f in dataclasses.fields(self)}


@dataclass(frozen=True)
class MeasureContext:
    recipients: WordList
    refer_back: WordList


@dataclass(frozen=True)
class Links:
    """Per relation between two places, its cue words (``etl.schema.RELATIONS``)."""

    agreement: WordList
    aid: WordList
    trade: WordList
    visit: WordList
    other: WordList

    def as_table(self) -> dict[str, list[str]]:
        return {f.name: list(getattr(self, f.name)) for f in dataclasses.fields(self)}


class WordGroups:
    """A section whose fields are named groups of words (a measure's words, a role's cues), found in
    an article's one scan (``Lexicon.scan``): ``as_table`` gives them to a ``Scanner``."""

    def as_table(self) -> dict[str, list[str]]:
        return {f.name: list(getattr(self, f.name)) for f in dataclasses.fields(self)}  # type: ignore[arg-type]


@dataclass(frozen=True)
class FactMeasures(WordGroups):
    """What a figure reports, to tell one fact from another (``etl.measures``): one field per measure,
    the same measures in every language ("exports", "exportations"). No measure is named like a
    category (``schema.CATEGORIES``): a fact id names its measure, or its category when none was found."""

    turnover: WordList
    exports: WordList
    imports: WordList
    balance: WordList
    capital: WordList
    projects: WordList
    assistance: WordList
    scholarships: WordList
    students: WordList
    teachers: WordList
    patients: WordList
    visitors: WordList
    electricity: WordList
    houses: WordList
    border_markers: WordList
    border_length: WordList
    officials: WordList
    soldiers: WordList


@dataclass(frozen=True)
class FactGoods(WordGroups):
    """Goods a trade figure can be about: two figures of exports of different goods are two facts."""

    rice: WordList
    cassava: WordList
    cashew: WordList
    rubber: WordList
    maize: WordList
    sugar: WordList
    fruit: WordList
    vegetables: WordList
    fish: WordList
    livestock: WordList
    steel: WordList
    fuel: WordList
    fertiliser: WordList
    textiles: WordList
    cement: WordList
    wood: WordList
    machinery: WordList
    vehicles: WordList


@dataclass(frozen=True)
class FactAspects(WordGroups):
    """What a percentage says of its measure: a change ("up 15%") or a share ("30% of the total")."""

    change: WordList
    share: WordList


@dataclass(frozen=True)
class FactDirection(WordGroups):
    """Which way a flow goes: words before a place that make it the flow's destination ("to
    Cambodia") or origin ("from Vietnam"), and words that name a side without a place ("Cambodian
    exports")."""

    destination: WordList
    origin: WordList
    vietnam: WordList
    cambodia: WordList


@dataclass(frozen=True)
class Scope(WordGroups):
    """Words that refer to a place named before ("the province", "la province"): phrase -> the level
    of the place they refer to (``etl.scope``)."""

    anaphors: WordTable
    #: between such a phrase and a place name, they make it part of the name ("the province of Kampot")
    name_links: WordList

    def as_table(self) -> dict[str, list[str]]:
        """Level -> its phrases, for a ``Scanner``."""
        table: dict[str, list[str]] = {}
        for phrase, level in self.anaphors.items():
            table.setdefault(level, []).append(phrase)
        return table


@dataclass(frozen=True)
class Sections:
    related_headers: WordList
    late_related_headers: WordList
    furniture_lines: WordList
    nav_lines: WordList


@dataclass(frozen=True)
class Metadata:
    byline_prefixes: WordList
    byline_suffixes: WordList


@dataclass(frozen=True)
class People:
    titles: WordList


@dataclass(frozen=True)
class Places:
    border_gate_after: WordList
    border_gate_before: WordList


@dataclass(frozen=True)
class Language:
    """Every section of one language's file."""

    numbers: Numbers
    units: Units
    qualifiers: Qualifiers
    qualifier_context: QualifierContext
    ranges: Ranges
    periods: Periods
    dates: Dates
    targets: Targets
    exclusions: Exclusions
    noun_phrase: NounPhrase
    what: What
    sentences: Sentences
    categories: Categories
    measures: Categories
    measure_context: MeasureContext
    links: Links
    sections: Sections
    metadata: Metadata
    people: People
    places: Places
    fact_measures: FactMeasures
    fact_goods: FactGoods
    fact_aspects: FactAspects
    fact_direction: FactDirection
    scope: Scope


# --- common.toml: what no language owns -----------------------------------------------------------


@dataclass(frozen=True)
class CurrencyCodes:
    codes: WordList
    aliases: WordTable


@dataclass(frozen=True)
class ExcludedUnits:
    symbols: WordList


@dataclass(frozen=True)
class CommonMetadata:
    date_line: str
    credit_words: WordList


@dataclass(frozen=True)
class Romanisation:
    pairs: tuple[WordList, ...]
    joined_name_countries: WordList


@dataclass(frozen=True)
class Fuzzy:
    min_score: int
    min_chars: int
    common_word_zipf: float


@dataclass(frozen=True)
class CommonPlaces:
    not_before: WordList
    #: after a short place name, words that keep it the place ("Hue City"), in any language
    level_words: WordList


@dataclass(frozen=True)
class CommonPeople:
    vietnamese_family_names: WordList
    min_name_words: int


@dataclass(frozen=True)
class Words:
    """Word frequencies: the languages whose lists say whether a word is common (wordfreq codes)."""

    frequency_languages: WordList


@dataclass(frozen=True)
class FactRoles:
    """Measures that flow from one side to the other: measure -> what the side doing it is, the
    flow's ``origin`` (who exports, invests, gives) or ``destination`` (who imports)."""

    actor: WordTable
    #: measures that are things counted: inside a count's span they name what it counts before any other
    #: measure word there ("184 investment projects", "184 projets d'investissement")
    counted: WordList


#: What a side doing a measure can be (``FactRoles.actor``).
FLOW_ROLES = ("origin", "destination")


@dataclass(frozen=True)
class Common:
    """Every section of ``common.toml``."""

    #: symbol -> ISO 4217 code
    currency_symbols: WordTable
    currency_codes: CurrencyCodes
    #: symbol -> (unit, kind, factor)
    units: WordTable
    excluded_units: ExcludedUnits
    #: abbreviation or name -> the outlet's name
    outlets: WordTable
    metadata: CommonMetadata
    romanisation: Romanisation
    fuzzy: Fuzzy
    places: CommonPlaces
    people: CommonPeople
    words: Words
    fact_roles: FactRoles


def load_sections(cls: type[T], source: str, raw: dict) -> T:
    """A file's sections as ``cls`` (``Language`` or ``Common``), each checked (``load_section``)."""
    hints = get_type_hints(cls)
    names = [f.name for f in dataclasses.fields(cls)]  # type: ignore[arg-type]
    missing = [n for n in names if n not in raw]
    unknown = sorted(set(raw) - set(names))
    if missing or unknown:
        said = "; ".join(p for p in (f"missing sections {', '.join(missing)}" if missing else "",
                                     f"unknown sections {', '.join(unknown)}" if unknown else "") if p)
        raise LexiconError(f"{source}: {said}")
    sections = {n: (_typed(raw[n], WordTable, f"{source} [{n}]") if hints[n] is WordTable
                    else load_section(hints[n], f"{source} [{n}]", raw[n])) for n in names}
    value = cls(**sections)
    _check_values(value, source)
    return value


def _check_values(value: object, source: str) -> None:
    """Values that name something of the tables' schema must be one of its values."""
    if isinstance(value, Language):
        for table in (value.units.words,):
            for word, (_, kind, _factor) in table.items():
                if kind not in KINDS:
                    raise LexiconError(f"{source} [units] words {word!r}: kind {kind!r} is not one of "
                                       f"{KINDS}")
        if {f.name for f in dataclasses.fields(FactMeasures)} & set(CATEGORIES):
            raise LexiconError(f"{source} [fact_measures]: a measure is named like a category")
        for name, categories in (("categories", value.categories), ("measures", value.measures)):
            names = {f.name for f in dataclasses.fields(categories)}
            if names != set(CATEGORIES):
                raise LexiconError(f"{source} [{name}]: the categories are not the schema's")
        if {f.name for f in dataclasses.fields(value.links)} != set(RELATIONS):
            raise LexiconError(f"{source} [links]: the relations are not the schema's")
        for phrase, level in value.scope.anaphors.items():
            if level not in LEVELS:
                raise LexiconError(f"{source} [scope] anaphors {phrase!r}: level {level!r} is not one of "
                                   f"{LEVELS}")
    if isinstance(value, Common):
        for symbol, (_, kind, _factor) in value.units.items():
            if kind not in KINDS:
                raise LexiconError(f"{source} [units] {symbol!r}: kind {kind!r} is not one of {KINDS}")
        measures = {f.name for f in dataclasses.fields(FactMeasures)}
        for measure, role in value.fact_roles.actor.items():
            if measure not in measures or role not in FLOW_ROLES:
                raise LexiconError(f"{source} [fact_roles] actor {measure!r} = {role!r}: a measure of "
                                   f"[fact_measures] and one of {FLOW_ROLES}")
        for measure in value.fact_roles.counted:
            if measure not in measures:
                raise LexiconError(f"{source} [fact_roles] counted {measure!r}: not a measure of "
                                   "[fact_measures]")
