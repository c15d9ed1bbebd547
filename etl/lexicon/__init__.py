"""Per-language vocabularies (``etl/lexicon/*.toml``) compiled into patterns.

The words live in data files with the same keys for every language; this module
builds the regular expressions from them once, longest alternative first. The
grammar that uses them (``quantities``, ``context``, ``categories``) never
branches on the language.

Word patterns are matched against the *folded* view of the text (lower case, no
accents, see ``etl.text.fold``), so lexicon words are folded here too. Symbols
whose case matters (``USD``, ``MW``, ``kWh``) are matched against the unfolded view.
"""

from __future__ import annotations

import dataclasses
import re
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache, cached_property
from importlib import resources
from types import MappingProxyType
from typing import Any

from etl.lexicon.model import Common, Language, LexiconError, WordTable, by_identity, folded, load_sections
from etl.scanner import Scan, Scanner
from etl.text import TextView, fold

__all__ = ["Common", "Language", "Lexicon", "LexiconError", "WordTable", "available_languages", "by_identity",
           "folded", "load", "load_common", "phrases_before", "words_pattern"]

LEXICON_PACKAGE = "etl.lexicon"
#: One to four capitalised words (a person's name after a title); "Lê Minh Khái", "Hun Sen".
_NAME_RUN = r"(?-i:[A-ZÀ-ÖØ-ÞĐ][\w'’-]*)(?:\s+(?-i:[A-ZÀ-ÖØ-ÞĐ][\w'’-]*)){0,3}"


def words_pattern(words: list[str] | tuple[str, ...], *, fold_words: bool = True) -> str:
    """A regex alternation of ``words``, longest first.

    A trailing ``*`` means "any word starting with this"; spaces match any run of
    white space; apostrophes match both ' and ’.

    >>> re.fullmatch(words_pattern(["export*", "trade"]), "exports") is not None
    True
    """
    alternatives = _alternatives(words, fold_words=fold_words)
    return "|".join(alternatives) if alternatives else _NEVER


_NEVER = r"(?!x)x"


def _alternatives(words: list[str] | tuple[str, ...], *, fold_words: bool = True) -> list[str]:
    alternatives = []
    for w in sorted(set(words), key=lambda x: (-len(x), x)):
        prefix = w.endswith("*")
        w = w.rstrip("*")
        w = fold(w) if fold_words else w
        pat = re.escape(w).replace(r"\ ", r"\s+").replace("'", "['’]")
        alternatives.append(pat + (r"[\w'’-]*" if prefix else ""))
    return alternatives


#: The first character of an alternative, when it is a plain one (``re.escape`` puts a backslash
#: before punctuation).
_PLAIN_HEAD = re.compile(r"\\[^\w\s]|[^\\\[(]")


def _bounded(words: list[str] | tuple[str, ...], **kw: Any) -> str:
    """``words_pattern`` with word boundaries that also work for words ending in punctuation.

    The alternatives are grouped by their first character, and the look-behind for the boundary
    comes after it (spanning it): a pattern whose alternatives all open with a plain character
    lets ``re`` skip to the next position holding one of them, where a look-behind first is tried
    at every position. Within a group the order is kept (longest first), and at any position only
    one group can match (for a pattern compiled without ``re.IGNORECASE``), so the pattern matches
    what the plain alternation does.

    >>> [m.group() for m in re.finditer(_bounded(["the", "these", "n°"]), "these then the n° 5 bathe")]
    ['these', 'the', 'n°']
    """
    alternatives = _alternatives(words, **kw)
    if not alternatives:
        return _NEVER
    groups: dict[str, list[str]] = {}
    for alternative in alternatives:
        head = _PLAIN_HEAD.match(alternative)
        if head is None:  # a character class ("['’]"): the look-behind first, for all of them
            return rf"(?<![\w])(?:{'|'.join(alternatives)})(?![\w])"
        groups.setdefault(head.group(), []).append(alternative[head.end():])
    branches = [rf"{head}(?<![\w][\s\S])(?:{'|'.join(rests)})" for head, rests in groups.items()]
    return rf"(?:{'|'.join(branches)})(?![\w])"


#: Sections whose word lists an article is scanned for: phrases (``Scan.phrases(section)``)...
SCANNED_PHRASES = ("categories", "measures", "links", "fact_measures", "fact_goods", "fact_aspects",
                   "fact_direction", "scope")
#: ... and words that open patterns: ``Scan.starts(name)`` says where the words of each list (or the
#: keys of each table) of a section may start. Name -> (section, lists).
SCANNED_STARTS = {"numbers": ("numbers", ("number_words", "vague")), "months": ("dates", ("months",)),
                  "targets": ("targets", ("cues", "near_cues", "modal_cues", "trailing_cues"))}


@dataclass(frozen=True, eq=False)
class Lexicon(Language):
    """One language's vocabulary (its sections, typed: ``etl.lexicon.model``), the common one, and the
    patterns built from them."""

    lang: str
    common: Common
    patterns: Mapping[str, re.Pattern[str]]

    # one lexicon per language (``load`` is cached): compared and hashed by identity, not by the
    # thousands of words in its sections (cached functions key on it for every figure)
    __hash__ = object.__hash__
    __eq__ = object.__eq__

    def scan(self, view: TextView, scanner: Scanner | None = None) -> Scan:
        """What the lexicon's scanned word lists (``SCANNED_PHRASES``, ``SCANNED_STARTS``) find in an
        article, all in one pass; kept with the view, for every step that asks.

        ``scanner``: one that finds these lists among others, for the first to ask (``extract`` scans
        for place names and people's titles in the same pass).
        """
        found = view.memo.get(self)
        if found is None:
            found = view.memo[self] = (scanner or self.scanner).scan(view.folded, view.bounded)
        return found  # type: ignore[return-value]

    def scanned_lists(self) -> tuple[dict[str, Any], dict[str, Any]]:
        """The ``phrases`` and ``starts`` arguments of a ``Scanner`` that finds what ``scan`` gives."""
        return ({section: getattr(self, section).as_table() for section in SCANNED_PHRASES},
                {name: {key: list(getattr(getattr(self, section), key)) for key in keys}
                 for name, (section, keys) in SCANNED_STARTS.items()})

    @cached_property
    def scanner(self) -> Scanner:
        return Scanner(*self.scanned_lists())


def _read_toml(name: str) -> dict[str, Any]:
    with resources.files(LEXICON_PACKAGE).joinpath(f"{name}.toml").open("rb") as f:
        return tomllib.load(f)


@cache
@cache
def available_languages() -> tuple[str, ...]:
    """Languages that have a lexicon file (``common.toml`` is shared, not a language): listed once per
    process, like the files themselves, which are read once (``load_language``)."""
    names = [p.name[: -len(".toml")] for p in resources.files(LEXICON_PACKAGE).iterdir()
             if p.name.endswith(".toml") and p.name != "common.toml"]
    return tuple(sorted(names))


@cache
def load_common() -> Common:
    """The vocabulary no language owns (``common.toml``), checked as it is read."""
    return load_sections(Common, "common.toml", _read_toml("common"))


@cache
def load_language(lang: str) -> Language:
    """One language's file, checked as it is read (``LexiconError`` names a missing or unknown key)."""
    return load_sections(Language, f"{lang}.toml", _read_toml(lang))


@cache
def load(lang: str) -> Lexicon | None:
    """The compiled lexicon for ``lang``, or ``None`` when the language has none."""
    if lang not in available_languages():
        return None
    language, common = load_language(lang), load_common()
    sections = {f.name: getattr(language, f.name) for f in dataclasses.fields(Language)}
    patterns = MappingProxyType(_compile(language, common))
    return Lexicon(**sections, lang=lang, common=common, patterns=patterns)


def phrases_before(lex: Language) -> dict[str, tuple[str, ...]]:
    """The patterns of listed phrases that end right before a number (``_bounded(phrases)\\s*$``, searched
    on the folded text), each with its phrases: hedges, range words, determiners, ranks, reporting windows."""
    return {
        "qualifier": tuple(w for _, phrases in lex.qualifiers.items() for w in phrases),
        "range_intro": tuple(lex.ranges.intro),
        "determiner": tuple(lex.exclusions.determiners),
        "rank_before": tuple(lex.exclusions.rank_before),
        "window_before": tuple(lex.exclusions.window_before),
        "elision_before": tuple(lex.exclusions.elision_before),
    }


def _compile(lex: Language, common: Common) -> dict[str, re.Pattern[str]]:
    p: dict[str, re.Pattern[str]] = {}
    flags = re.IGNORECASE

    # Months for dates: "7 janvier 1979", "January 28th, 2020", "April 1975".
    months = words_pattern(list(lex.dates.months))
    ords = words_pattern(lex.dates.ordinal_suffixes)
    # an ordinal whose suffix a page set apart from its digits ("ranks 16 th", "la 24 e phase")
    p["spaced_ordinal"] = re.compile(rf" (?:{ords})(?![\w])")
    day = rf"\d{{1,2}}(?:{ords})?"
    year = r"\d{4}"
    # The two forms that open with a month share it: trying the months once per position, not twice,
    # makes the pattern a third faster (a day after the month is still tried before a year).
    p["date"] = re.compile(
        rf"""(?<![\w])(?:
              \d{{4}}-\d{{1,2}}-\d{{1,2}}                               # 2024-01-07
            | \d{{1,2}}[/.-]\d{{1,2}}[/.-]\d{{2,4}}                     # 29/12/2020, 07-01-1979
            | {day}\s+(?:{months})\.?(?:,?\s+{year})?                   # 7 janvier 1979
            | (?:{months})\.?(?:\s+{day}(?![\w])(?:,?\s+{year})?       # January 28th, 2020
                              | ,?\s+{year})                            # avril 1975
        )(?![\w])""",
        re.VERBOSE | flags,
    )
    markers = words_pattern(lex.dates.time_markers)
    p["time"] = re.compile(rf"(?<![\w])\d{{1,2}}\s?(?:[:h]\s?\d{{2}}|{markers})(?![\w])", flags)
    p["month"] = re.compile(rf"(?<![\w])(?:{months})(?![\w])", flags)

    # Numbers.
    scales = lex.numbers.scales
    p["scale"] = re.compile(rf"\s*({words_pattern(list(scales))})(?![\w])", flags)
    # The first digit comes before the look-behinds that test the character before it: a pattern
    # that opens with a character class lets ``re`` skip straight to the next digit, five times
    # faster over a whole article than trying the look-behinds at every position.
    # Letters right before or after the digits are allowed here and weighed in ``quantities``: a lost
    # space ("built218 houses", "550personnes") or a code ("A321", "45th").
    p["number"] = re.compile(
        r"""[0-9](?<![0-9.,/:][0-9])(?<![^\W\d_]-[0-9])            # not inside a number, date or time
             (?:[0-9]{0,2}(?:[ \u00a0\u202f\u2009][0-9]{3})+(?![0-9]) # 1 234 567 (spaces)
              |[0-9]*)
             (?:[.,][0-9]+)*                                          # 1,234.5 / 1.234,5 / 2.76
             (?:(?![\w/:])|(?=[^\W\d_]))""",
        re.VERBOSE,
    )
    # Both open with one of their words after a word boundary: ``Lexicon.scan`` (``SCANNED_STARTS``) of
    # the same list tells where they can match, and ``quantities`` tries them only there.
    words = lex.numbers.number_words
    joiners = words_pattern(lex.numbers.number_joiners)
    w = words_pattern(words)
    # a hyphen may follow the last word when no number word comes after it: "a four-day visit"
    p["number_words"] = re.compile(
        rf"(?<![\w-])(?:{w})(?:(?:\s+|-)(?:(?:{joiners})(?:\s+|-))?(?:{w}))*(?![\w])(?!-(?:{w})(?![\w]))")
    vague = lex.numbers.vague
    link = words_pattern(lex.numbers.vague_link)
    p["vague"] = re.compile(rf"(?<![\w])({words_pattern(list(vague))})\s*(?:{link})\s*")

    # Units, right after a number (link words such as "de", "of" or a hyphen allowed).
    unit_links = words_pattern(lex.units.unit_links)
    p["count_of"] = re.compile(rf"{_bounded(lex.units.count_of)}\s*")
    p["unit_link"] = re.compile(rf"\s+(?:{unit_links})(?![\w])|\s+(?:d['’])(?=\w)")
    sym_units = sorted(common.units, key=len, reverse=True)
    p["unit_symbol"] = re.compile(
        rf"(?:\s*(?:(?:{unit_links})\s*)?)({'|'.join(re.escape(u) for u in sym_units)})(?![\w])")
    unit_words = words_pattern(list(lex.units.words))
    between = f"{unit_links}|{words_pattern(lex.units.added_before_unit)}"  # "of", "more"
    p["unit_word"] = re.compile(rf"(?:\s+(?:(?:{between})\s+)?|-|(?<=[0-9]))({unit_words})(?![\w])")
    codes = common.currency_codes.codes
    symbols = sorted(common.currency_symbols, key=len, reverse=True)
    cur_sym = "|".join(re.escape(s) for s in symbols)
    cur_code = "|".join(re.escape(c) for c in sorted(codes, key=len, reverse=True))
    # a code glued to the next word ("148 million USDin Cambodia") is still the code
    p["currency_after"] = re.compile(
        rf"(?:\s*(?:(?:{unit_links})\s*)?)(?:({cur_code})(?:(?![\w])|(?=[a-z]))|({cur_sym}))")
    currency_words = words_pattern(list(lex.units.currency_words))
    p["currency_word"] = re.compile(rf"(?:\s+(?:(?:{unit_links})\s+)?|(?<=[0-9]))({currency_words})(?![\w])")
    p["currency_before"] = re.compile(rf"(?:({cur_code})|({cur_sym}))\s?$")
    p["currency_prefix"] = re.compile(rf"(?:{cur_code}|{cur_sym})\s?")
    # what opens an item of a list of figures: "(and) 3.8 GW", "(et) $5 million"
    p["list_item"] = re.compile(rf"\s*(?:(?:{joiners})\s+)?(?:{cur_sym}|{cur_code})?\s?[0-9]", re.IGNORECASE)
    excluded = sorted(common.excluded_units.symbols, key=len, reverse=True)
    p["excluded_unit"] = re.compile(rf"\s?(?:{'|'.join(map(re.escape, excluded)) or _NEVER})(?![\w])")

    # Qualifiers, range words, exclusions: anchored at the end of the text before a number.
    for name, phrases in lex.qualifiers.items():
        p[f"qualifier:{name}"] = re.compile(rf"{_bounded(phrases)}\s*$")
    # every qualifier's phrases in one pattern ("qualifier"): its leftmost match is the leftmost of theirs
    for name, phrases in phrases_before(lex).items():
        p[name] = re.compile(rf"{_bounded(phrases)}\s*$")
    # the change word three words before the range ("rose, from"), or further in the same clause, across
    # its object ("increase the amount of electricity it supplies from 80 to 200 MW")
    p["clause_break"] = re.compile(_bounded(lex.periods.clause_breaks))
    # a percentage of change earlier in the sentence ("rise 94.9 percent ..., from $69M to $135M")
    percent = words_pattern([w for w, (_, kind, _) in lex.units.words.items() if kind == "percent"])
    p["percent_change"] = re.compile(
        rf"{_bounded(lex.ranges.change_words)}\s+(?:by\s+|de\s+)?(?:\S+\s+)?\d[\d.,]*\s*(?:%|(?:{percent})(?![\w]))")
    p["change_before"] = re.compile(
        rf"(?:{_bounded(lex.ranges.change_words)}\s*(?:\S+\s+){{0,3}}"
        rf"|{_bounded(lex.ranges.object_change_words)}\s*(?:[^\s,;:.!?()]+\s+){{4,14}})$")
    seps = lex.ranges.separators
    p["range_sep"] = re.compile(rf"\s*(?:{words_pattern(seps)})\s*")
    p["reference_noun"] = re.compile(rf"\s*{_bounded(lex.exclusions.reference_nouns)}")
    p["window_after"] = re.compile(rf"\s+{_bounded(lex.exclusions.window_after)}")
    markers = lex.exclusions.name_markers
    p["name_marker"] = re.compile(rf"(?:{words_pattern(markers, fold_words=False)})\s*$")

    # Periods and targets, searched within a sentence (folded).
    per = lex.periods
    yr = r"(1[89]\d\d|20\d\d|2100)"
    now = words_pattern(per.now)
    start, end = _bounded(per.range_start), words_pattern(per.range_end)
    year_words = words_pattern(per.year_words)  # "de l'année 2015 à 2020"
    p["period_range"] = re.compile(rf"{start}\s+(?:(?:{year_words})\s+)?{yr}\s*(?:{end})\s*{yr}(?![\w])")
    # two full dates joined as a range: "(07-01-1979 – 07-01-2020)", "January 7, 1979 to ..."
    p["date_range_gap"] = re.compile(rf"^\s*[-–—]\s*$|^\s*(?:{words_pattern(per.date_range_links)})\s*$")
    # not a piece of a longer number or date ("1.2017-2018", "2017-2018.5"); a full stop may end the sentence
    p["period_dash"] = re.compile(rf"(?<![\w/.-]){yr}\s*[-–—/]\s*{yr}(?![\w/-])(?!\.\d)")
    # "since 2015", "depuis 2015": an open start ("de 2022" alone is "of 2022": a single year)
    p["period_open"] = re.compile(
        rf"{_bounded(per.open_start)}\s+{yr}(?![\w])"
        rf"(?:\s*(?:{words_pattern(per.range_end)})\s*(?:{now}))?")
    # "since the launch of these operations in 2001": up to five words (no number, no punctuation, one space
    # apart), then the year; at most 96 characters before the year (``periods.YEAR_CONTEXT_BEFORE``)
    p["period_since_event"] = re.compile(
        rf"{_bounded(per.since_event)}\s(?:[^\W\d_][\w'’-]{{0,13}}\s){{1,5}}?(?:{words_pattern(per.single)})\s{yr}(?![\w])")
    # a comparison before a year, in its clause and with no figure between: "compared to the same period in
    # 2018", "par rapport à 2019" (not "contre 8 milliards en 2023")
    p["comparison_before"] = re.compile(rf"{_bounded(per.comparison)}[^,;:.!?\d]{{0,40}}$")
    p["period_open_now"] = re.compile(rf"{start}\s+{yr}\s*(?:{end})\s*(?:{now})")
    single = per.single
    # the word may be glued to the year on a page that lost its spaces: "En2012"
    glued = rf"(?<![\w])(?:{words_pattern(single)})(?=(?:1[89]|20)\d\d(?![\w]))"
    p["period_single"] = re.compile(
        rf"(?:{_bounded(single)}\s+|{glued})(?:(?:{months})\s+)?{yr}(?![\w-])")
    p["period_deadline"] = re.compile(rf"{_bounded(per.deadline)}\s+{yr}(?![\w])")
    p["period_until"] = re.compile(rf"{_bounded(per.until)}\s+(?:(?:{months})\s+)?{yr}(?![\w])")
    p["year"] = re.compile(rf"(?<![\w.,-]){yr}(?![\w-])")
    p["target_cue"] = re.compile(_bounded(lex.targets.cues))
    # in a headline, "to" before a verb (lower case, on the normalised text): "Vietnam to supply 400MW"
    headline_future = words_pattern(lex.targets.headline_future)
    p["headline_future"] = re.compile(rf"(?<![\w])(?:{headline_future})\s+(?=[a-z])")
    p["near_target_cue"] = re.compile(_bounded(lex.targets.near_cues))
    p["modal_cue"] = re.compile(_bounded(lex.targets.modal_cues))
    p["trailing_target_cue"] = re.compile(_bounded(lex.targets.trailing_cues))

    # Sections.
    sec = lex.sections
    for name, key in (("related_header", "related_headers"), ("nav_line", "nav_lines")):
        p[name] = re.compile(rf"^\W*(?:{words_pattern(getattr(sec, key))})\W*$")
    # with a count before or after it: "2 comments:", "Commentaires (3)"
    p["late_related_header"] = re.compile(
        rf"^\W*(?:\d+\s+)?(?:{words_pattern(sec.late_related_headers)})\W*(?:\d+\W*)?$")
    p["furniture_line"] = re.compile(rf"^\W*(?:{words_pattern(sec.furniture_lines)})\W*$")

    # People: the capitalised name after a title.
    p["name_run"] = re.compile(rf"\s+({_NAME_RUN})")

    # Places: cues that turn a bare name into a border gate.
    pl = lex.places
    p["gate_after"] = re.compile(rf"\s*{_bounded(pl.border_gate_after)}")
    p["gate_before"] = re.compile(rf"{_bounded(pl.border_gate_before)}\s*$")
    return p
