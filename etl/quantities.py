"""Find quantities in text: a number, its scale and unit, its qualifier, what it counts.

Works on a ``TextView`` (offsets in ``view.norm``; map them back with
``view.span``). The grammar is language-neutral; the words come from the
article's ``Lexicon``. Each step is one small function; anything that does not
parse is skipped, never raised.

What is *not* a quantity (see the gold guidelines): calendar dates and bare
years, times of day, ordinals (``45th``, ``60e``), numbers inside names
(``COVID-19``, ``Route 1``) and small numbers that name a set (``the two
countries``, ``les deux pays``).
"""

from __future__ import annotations

import bisect
import re
from functools import cache
from typing import NamedTuple

from etl.context import find_dates
from etl.lexicon import Lexicon
from etl.numbers import parse_number, parse_number_words
from etl.phrases import finditer_at
from etl.text import TextView, fold

#: Bare four-digit integers in this range are years, not quantities.
YEAR_MIN, YEAR_MAX = 1800, 2100
#: How far left of a number a qualifier or currency prefix may start (characters).
LEFT_WINDOW = 40
#: Words between a number and its counted noun phrase are on one line.
_GAP = r"[^\S\r\n]*"
_TOKEN = re.compile(
    _GAP + r"((?:[^\W\d_]{1,3}['’](?=[^\W\d_]))|[^\W\d_][\w]*(?:-[^\W\d_][\w]*)*|&)")
_WORD_BREAK = re.compile(r"[\s-]+")
_WORD_BEFORE = re.compile(r"([^\W\d_][\w.'’-]*)[^\S\r\n]+$")
_SENTENCE_OPENERS = frozenset('.!?:;"“«(\n\r')
_MILLION = 1e6
_ATTACHED_MILLION = re.compile(r"[mM](?![\w])")


class Quantity(NamedTuple):
    """A quantity found in ``view.norm``: span, normalised value, unit, qualifier."""

    start: int
    end: int
    value: float
    unit: str
    kind: str
    qualifier: str
    low: float | None = None
    high: float | None = None
    counted: str | None = None  # the counted noun phrase, for counts


class _Unit(NamedTuple):
    end: int
    unit: str
    kind: str
    factor: float


def find_quantities(view: TextView, lex: Lexicon, dates: list[re.Match[str]] | None = None) -> list[Quantity]:
    """Every quantity in the text, in order, without overlaps (``dates``: ``context.find_dates``, when
    the caller has them)."""
    blocked = _blocked_spans(view, lex, find_dates(view, lex) if dates is None else dates)
    cores = _cores(view, lex)
    found: list[Quantity] = []
    taken_until = -1
    for start, end, kind in cores:
        if start < taken_until or _overlaps(blocked, start, end):
            continue
        q = (_vague(view, lex, start, end) if kind == "vague"
             else _quantity(view, lex, start, end, kind))
        if q is not None:
            found.append(q)
            taken_until = q.end
        elif kind != "vague":
            # a year range such as "1979-1989" consumes both years
            taken_until = max(taken_until, _year_range_end(view, lex, start, end))
    return found


# --- candidates ----------------------------------------------------------------------------

def _cores(view: TextView, lex: Lexicon) -> list[tuple[int, int, str]]:
    p = lex.patterns
    cores = [(m.start(), m.end(), "digits") for m in p["number"].finditer(view.norm)]
    # Number words and vague amounts are tried only where one of their words starts: a long
    # alternation of words tried at every position of the text is slow (``SCANNED_STARTS``).
    starts = lex.scan(view).starts("numbers")
    for name, kind in (("number_words", "words"), ("vague", "vague")):
        cores += [(m.start(), m.end(), kind) for m in finditer_at(p[name], view.folded, starts[name])]
    # earliest first; at one position the longest (a vague phrase before its number words)
    cores.sort(key=lambda c: (c[0], -(c[1] - c[0])))
    return cores


def _blocked_spans(view: TextView, lex: Lexicon, dates: list[re.Match[str]]) -> list[tuple[int, int]]:
    """Dates and times. A time opens with a run of digits: it is looked for there only."""
    times = finditer_at(lex.patterns["time"], view.folded, [start for start, _ in view.digit_runs])
    return sorted({m.span() for m in dates} | {m.span() for m in times})


def _overlaps(spans: list[tuple[int, int]], start: int, end: int) -> bool:
    i = bisect.bisect_right(spans, (start, float("inf"))) - 1
    return any(s < end and start < e for s, e in spans[max(i, 0): i + 2])


# --- one quantity --------------------------------------------------------------------------

def _number_value(view: TextView, lex: Lexicon, start: int, end: int, kind: str) -> float | None:
    if kind == "digits":
        return parse_number(view.norm[start:end], lex.get("numbers", "decimal_separator", "."),
                            tuple(lex.get("numbers", "thousands_separators", [])))
    words = view.folded[start:end]
    if words in lex.folded_set("numbers", "ambiguous_alone") and not _WORD_BREAK.search(words):
        return None  # "one", "un" alone
    scales = lex.folded_table("numbers", "scales")
    if all(t in scales for t in _WORD_BREAK.split(words)):
        return None  # "millions" alone is vague, handled elsewhere
    return parse_number_words(view.norm[start:end], lex.lang)


def _quantity(view: TextView, lex: Lexicon, start: int, end: int, kind: str) -> Quantity | None:
    value = _number_value(view, lex, start, end, kind)
    if value is None or _is_name(view, lex, start, kind):
        return None
    p = lex.patterns
    left = start
    currency = None
    m = p["currency_before"].search(view.norm, max(0, start - _currency_reach(lex)), start)
    if m:
        currency = _currency_code(lex, m.group(1) or m.group(2))
        left = m.start()

    pos = end
    scale, pos = _scale(view, lex, pos)
    if currency is None and scale == 1 and _looks_like_year(view, start, end, kind) \
            and _unit_after(view, lex, pos) is None:
        return None  # a year (the commonest number in these articles): settled before the costly checks
    if currency and scale == 1 and _ATTACHED_MILLION.match(view.norm, pos):
        scale, pos = _MILLION, pos + 1  # "$5m"

    # a range: "30-70", "30 to 70", "between 30 and 70", "de 30 à 70"
    low = high = None
    intro = _range_intro(view, lex, left)
    rng = _range_end(view, lex, pos, intro is not None)
    if rng is not None:
        value2, _, pos2 = rng
        scale2, pos2 = _scale(view, lex, pos2)
        if scale == 1:
            scale = scale2
        low, high, pos = value, value2, pos2

    unit = _unit_after(view, lex, pos)
    if unit is None and currency is None and scale == 1 and _looks_like_year(view, start, end, kind):
        return None
    if unit is None and currency is not None:
        unit = _Unit(pos, currency, "currency", 1.0)
    counted = None
    if unit is None:
        if _after_determiner(view, lex, left, value):
            return None  # "the two countries": settled before the costly noun phrase
        np_end, counted = _noun_phrase(view, lex, pos)
        if counted is None and scale != 1:
            link = lex.patterns["unit_link"].match(view.folded, pos)  # "2 millions de touristes"
            if link:
                np_end, counted = _noun_phrase(view, lex, link.end())
        if counted is None:
            return None
        unit = _Unit(np_end, "count", "count", 1.0)
        if _is_reference(lex, value, counted):
            return None
    elif unit.kind == "currency" and currency is None:
        currency = unit.unit

    if low is not None and high is not None:
        if _looks_like_year(view, start, end, kind) and unit.kind == "count" and high >= YEAR_MIN:
            return None
        if high < low:
            return None
    qualifier, left = _qualifier(view, lex, left)
    if low is not None:
        qualifier = "range"
        if intro is not None:
            left = intro
    factor = scale * unit.factor
    if low is not None and high is not None:
        low, high = low * factor, high * factor
        value = (low + high) / 2
    else:
        value *= factor
    return Quantity(left, unit.end, value, unit.unit, unit.kind, qualifier, low, high, counted)


def _scale(view: TextView, lex: Lexicon, pos: int) -> tuple[float, int]:
    m = lex.patterns["scale"].match(view.folded, pos)
    if not m:
        return 1.0, pos
    return float(lex.folded_table("numbers", "scales").get(m.group(1), 1.0)), m.end()


def _range_intro(view: TextView, lex: Lexicon, left: int) -> int | None:
    m = lex.patterns["range_intro"].search(view.folded, max(0, left - LEFT_WINDOW), left)
    return m.start() if m else None


def _range_end(view: TextView, lex: Lexicon, pos: int, has_intro: bool
               ) -> tuple[float, str, int] | None:
    """The second number of a range starting after ``pos``, its kind and end."""
    m = lex.patterns["range_sep"].match(view.folded, pos)
    if not m:
        return None
    if fold(m.group(0).strip()) in _and_words(lex) and not has_intro:
        return None  # "30 and 70" is a range only after "between"
    after = m.end()
    prefix = lex.patterns["currency_prefix"].match(view.norm, after)
    if prefix:
        after = prefix.end()
    for kind, pat, text in (("digits", lex.patterns["number"], view.norm),
                            ("words", lex.patterns["number_words"], view.folded)):
        mn = pat.match(text, after)
        if mn:
            v = _number_value(view, lex, mn.start(), mn.end(), kind)
            if v is not None:
                return v, kind, mn.end()
    return None


def _and_words(lex: Lexicon) -> set[str]:
    """Separators that need an intro word ("between 30 and 70"), i.e. the number joiners."""
    return {fold(w) for w in lex.get("numbers", "number_joiners", [])}


def _unit_after(view: TextView, lex: Lexicon, pos: int) -> _Unit | None:
    p = lex.patterns
    m = p["unit_symbol"].match(view.norm, pos)
    if m:
        unit, kind, factor = lex.common["units"][m.group(1)]
        return _Unit(m.end(), unit, kind, float(factor))
    m = p["currency_after"].match(view.norm, pos)
    if m:
        return _Unit(m.end(), _currency_code(lex, m.group(1) or m.group(2)), "currency", 1.0)
    m = p["unit_word"].match(view.folded, pos)
    if m:
        words = lex.folded_table("units", "words")
        key = re.sub(r"\s+", " ", m.group(1))
        if key in words:
            unit, kind, factor = words[key]
            if _is_age(view, m.end()):
                return None
            return _Unit(m.end(), unit, kind, float(factor))
    m = p["currency_word"].match(view.folded, pos)
    if m:
        words = lex.folded_table("units", "currency_words")
        code = words.get(re.sub(r"\s+", " ", m.group(1)))
        if code:
            return _Unit(m.end(), code, "currency", 1.0)
    return None


def _is_age(view: TextView, pos: int) -> bool:
    """"30-year-old": an age, which the guidelines leave out."""
    return view.folded.startswith("-old", pos) or view.folded.startswith(" old", pos)


@cache
def _currency_reach(lex: Lexicon) -> int:
    """How far before a number a currency written before it can start: the longest code or symbol,
    a space, and the line break that ``$`` may stand before (``currency_before`` is plain words)."""
    tokens = [*lex.common["currency_codes"]["codes"], *lex.common["currency_symbols"]]
    return min(LEFT_WINDOW, max(map(len, tokens), default=0) + 2)


def _currency_code(lex: Lexicon, token: str) -> str:
    symbols = lex.common["currency_symbols"]
    aliases = lex.common["currency_codes"].get("aliases", {})
    return symbols.get(token) or aliases.get(token) or token


def _qualifier(view: TextView, lex: Lexicon, left: int) -> tuple[str, int]:
    best: tuple[str, int] = ("exact", left)
    for name in lex.raw.get("qualifiers", {}):
        m = lex.patterns[f"qualifier:{name}"].search(view.folded, max(0, left - LEFT_WINDOW), left)
        if m and m.start() < best[1]:
            best = (name, m.start())
    return best


def _looks_like_year(view: TextView, start: int, end: int, kind: str) -> bool:
    raw = view.norm[start:end]
    return kind == "digits" and len(raw) == 4 and raw.isdigit() and YEAR_MIN <= int(raw) <= YEAR_MAX


def _year_range_end(view: TextView, lex: Lexicon, start: int, end: int) -> int:
    if not _looks_like_year(view, start, end, "digits"):
        return end
    m = lex.patterns["period_dash"].match(view.norm, start)
    return m.end() if m else end


def _is_name(view: TextView, lex: Lexicon, start: int, kind: str) -> bool:
    """A number that is part of a name or reference: "Route 1", "No. 5", "COVID19", "A321"."""
    text = view.norm
    if start > 0 and text[start - 1].isalpha():
        before = re.search(r"[^\W\d_]+$", text[max(0, start - 8):start])
        token = before.group(0) if before else ""
        codes = set(lex.common["currency_codes"]["codes"]) | set(lex.common["currency_symbols"])
        return token not in codes
    if lex.patterns["name_marker"].search(text, max(0, start - LEFT_WINDOW), start):
        return True
    if kind != "digits":
        return False
    m = _WORD_BEFORE.search(text, max(0, start - LEFT_WINDOW), start)
    if not m or not m.group(1)[0].isupper() or m.group(1).isupper():
        return False
    word = fold(m.group(1))
    if word in _function_words(lex):
        return False
    # A capitalised word that opens a sentence is not a name ("Over 200 people").
    before = text[:m.start()].rstrip(" \t")
    return bool(before) and before[-1] not in _SENTENCE_OPENERS


def _function_words(lex: Lexicon) -> frozenset[str]:
    key = "_function_words"
    cached = lex.patterns.get(key)
    if cached is None:
        words = set(lex.folded_set("noun_phrase", "stopwords"))
        for phrases in lex.raw.get("qualifiers", {}).values():
            words.update(fold(w) for p in phrases for w in p.split())
        words.update(fold(w) for w in lex.get("ranges", "intro", []))
        words.update(fold(w) for w in lex.get("dates", "months", {}))
        lex.patterns[key] = frozenset(words)  # type: ignore[assignment]
        cached = lex.patterns[key]
    return cached  # type: ignore[return-value]


def _after_determiner(view: TextView, lex: Lexicon, left: int, value: float) -> bool:
    """"the two countries", "les deux pays": a small number after a determiner names a known set."""
    return (value <= lex.get("exclusions", "reference_max", 0)
            and lex.patterns["determiner"].search(view.folded, max(0, left - LEFT_WINDOW), left) is not None)


def _is_reference(lex: Lexicon, value: float, counted: str) -> bool:
    """"two sides", "deux pays": the pair a text is about, without a determiner."""
    return (value == 2 <= lex.get("exclusions", "reference_max", 0)
            and lex.patterns["reference_noun"].match(" " + fold(counted)) is not None)


def _noun_phrase(view: TextView, lex: Lexicon, pos: int) -> tuple[int, str | None]:
    """The counted noun phrase right after ``pos``: "cadres civils et politiques"."""
    stop = lex.folded_set("noun_phrase", "stopwords")
    joiners = lex.folded_set("noun_phrase", "joiners")
    suffixes = tuple(lex.get("noun_phrase", "stop_suffixes", []))
    exceptions = lex.folded_set("noun_phrase", "suffix_exceptions")
    non_count = lex.folded_set("units", "non_count")
    months = lex.folded_set("dates", "months")
    numberish = _numberish(lex)
    max_words = lex.get("noun_phrase", "max_words", 4)
    heads = tuple(lex.get("noun_phrase", "head_suffixes", []))
    start = end = pos
    content = 0
    pending_joiner = False
    while content < max_words:
        m = _TOKEN.match(view.norm, pos)
        if not m:
            break
        word = fold(m.group(1))
        if content == 0:
            start = m.start(1)
            if word in non_count or word in months:
                return pos, None
        if word in stop or word in numberish or word.endswith(("'", "’")):
            break
        if word in joiners:
            if content == 0 or pending_joiner:
                break
            pending_joiner = True
            pos = m.end()
            continue
        if word not in exceptions and any(word.endswith(x) and len(word) >= len(x) + 2 for x in suffixes):
            break
        content += 1
        pending_joiner = False
        end = pos = m.end()
        if heads and word.endswith(heads) and not _joiner_follows(view, lex, pos, joiners):
            break  # "200 Vietnamese companies | operate": the plural head ends the phrase
    if content == 0:
        return pos, None
    return end, view.norm[start:end]


def _joiner_follows(view: TextView, lex: Lexicon, pos: int, joiners: frozenset[str]) -> bool:
    m = _TOKEN.match(view.norm, pos)
    return bool(m) and fold(m.group(1)) in joiners


@cache
def _numberish(lex: Lexicon) -> frozenset[str]:
    """Words that start a new figure: number words and the heads of vague amounts ("thousands")."""
    heads = {fold(v.split()[-1]) for v in lex.get("numbers", "vague", {})}
    return lex.folded_set("numbers", "number_words") | heads


# --- vague amounts ---------------------------------------------------------------------------

def _vague(view: TextView, lex: Lexicon, start: int, end: int) -> Quantity | None:
    """"des milliers de patients", "tens of thousands of people": a lower bound."""
    m = lex.patterns["vague"].match(view.folded, start)
    if not m:
        return None
    value = lex.folded_table("numbers", "vague").get(re.sub(r"\s+", " ", m.group(1)))
    if value is None:
        return None
    unit = _unit_after(view, lex, m.end() - 1) if m.end() > 0 else None
    if unit is not None and unit.kind == "duration":
        return Quantity(start, unit.end, value * unit.factor, unit.unit, unit.kind, "at_least")
    np_end, counted = _noun_phrase(view, lex, m.end())
    if counted is None:
        return None
    return Quantity(start, np_end, float(value), "count", "count", "at_least", counted=counted)
