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

from etl.lexicon import Lexicon, folded, phrases_before
from etl.numbers import parse_number, parse_number_words
from etl.periods import find_dates
from etl.scanner import finditer_at
from etl.text import TextView, boundary_view, fold, word_zipf_in

#: Bare four-digit integers in this range are years, not quantities.
YEAR_MIN, YEAR_MAX = 1800, 2100
#: How far left of a number a qualifier or currency prefix may start (characters).
LEFT_WINDOW = 40
#: How far before a range a percentage of change may stand in its sentence (``_changes``).
PERCENT_CHANGE_WINDOW = 200
#: How far before a range a change word may stand, across its object ("increase the amount of electricity
#: it supplies from 80 to 200 MW": ``change_before``).
CHANGE_WINDOW = 120
#: Words between a number and its counted noun phrase are on one line.
_GAP = r"[^\S\r\n]*"
_TOKEN = re.compile(
    _GAP + r"((?:[^\W\d_]{1,3}['’](?=[^\W\d_]))|[^\W\d_][\w]*(?:-[^\W\d_][\w]*)*|&)")
_WORD_BREAK = re.compile(r"[\s-]+")
#: White space within a line: ``[^\S\r\n]`` (every white space character is below U+3001).
_LINE_SPACE = "".join(c for c in map(chr, range(0x3001)) if c.isspace() and c not in "\r\n")
#: What a word before a number may hold after its first letter.
_WORD_PUNCTUATION = "_.'’-"
_LETTERS = re.compile(r"[^\W\d_]+")
_SENTENCE_OPENERS = frozenset('.!?:;"“«(\n\r')
_MILLION = 1e6
_ATTACHED_MILLION = re.compile(r"[mM](?![\w])")
#: The unit of a number found with neither unit nor counted noun: it is a claim only if it shares a
#: neighbouring figure's unit (``_shared_units``).
BARE = "bare"
#: Kinds whose unit a bare number over 100 after a figure of them does not take ("rose 12% to 300,000",
#: "in five months to 305,000"): a list of them runs below that.
_SMALL_KINDS = frozenset({"percent", "duration"})
#: How far after a figure a part of it may be named ("..., of which 600": ``_glued_or_elided``).
ELISION_REACH = 200
#: The smallest bare number taken as the before or after of a percentage of change (``_change_counts``).
MIN_CHANGE_COUNT = 1000
#: How far before a bare number its "number of" phrase may stand (characters).
COUNT_OF_REACH = 200
#: The unit of a number with a scale and neither unit nor noun, until the sentence's currency is known.
SCALED = "scaled"
#: A line break or the end of a sentence, between a figure and the next.
_SENTENCE_BREAK = re.compile(r"\n|[.!?](?:\s|$)")
#: A word glued to a number ("550personnes", "built218") is read as its own word when it is at least
#: this long and this common (wordfreq Zipf, in the article's language): page text that lost its
#: spaces. Rarer or shorter glued letters make a code or an ordinal ("A321", "45th").
GLUED_MIN_CHARS, GLUED_MIN_ZIPF = 3, 3.5
#: Values are rounded to this many significant digits (0.24 ha, not 0.24000000000000002).
SIGNIFICANT_DIGITS = 12
#: At most this many words between a bare number and the figure whose unit it shares...
MAX_GLUE_WORDS = 3
#: ...and no other characters than these, letters and digits: "155, 14 et 38 tonnes", "(202.000)".
_LIST_PUNCTUATION = frozenset(" ,()-'’\u00a0")
#: A day in a dateline: a small number opening a line, then a place and an agency or a dash
#: ("12 Phnom Penh (AKP) –").
_DATELINE_DAY_MAX = 31
_DATELINE_AFTER = re.compile(r"[^\S\r\n]+(?:[A-ZÀ-ÖØ-ÞĐ][\w'’.-]*[^\S\r\n]*){1,4}(?:\(|[-–—:,])")
#: A shortened second year ("2021-25"): the number after a year and a dash.
_SHORT_YEAR_BEFORE = re.compile(r"(?<![\w.,])(?:1[89]|20)[0-9]{2}\s?[-–/]\s?$")


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
    factor: float = 1.0  # what the number was multiplied by: its scale times its unit's factor


class _Unit(NamedTuple):
    end: int
    unit: str
    kind: str
    factor: float


def find_quantities(view: TextView, lex: Lexicon, dates: list[re.Match[str]] | None = None,
                    places: frozenset[str] = frozenset()) -> list[Quantity]:
    """Every quantity in the text, in order, without overlaps (``dates``: ``context.find_dates``, when
    the caller has them; ``places``: folded names of places, one word each, such as the gazetteer's
    ``known_words``: before a number, a name of a place is no name that holds it, "Route 1")."""
    blocked = _blocked_spans(view, lex, find_dates(view, lex) if dates is None else dates)
    cores = _cores(view, lex)
    found: list[Quantity] = []
    bare: list[Quantity] = []  # numbers with neither unit nor noun: they may share a neighbour's
    scaled: list[Quantity] = []  # likewise with a scale ("8 milliards"): money if money comes before
    taken_until = -1
    for start, end, kind in cores:
        if start < taken_until or overlaps(blocked, start, end):
            continue
        q = (_vague(view, lex, start, end) if kind == "vague"
             else _quantity(view, lex, start, end, kind, places))
        if q is not None and q.unit in (BARE, SCALED):
            (bare if q.unit == BARE else scaled).append(q)
            taken_until = q.end
        elif q is not None:
            found.append(q)
            taken_until = q.end
        elif kind != "vague":
            # a year range such as "1979-1989" consumes both years
            taken_until = max(taken_until, _year_range_end(view, lex, start, end))
    found = _full_ranges(view, lex, found)
    found = _elided_currencies(view, lex, found)
    if scaled:
        found = sorted(found + _scaled_amounts(view, lex, scaled, found), key=lambda q: q.start)
    if bare:
        shared = _shared_units(view, lex, bare, found)
        taken = {q.start for q in shared}
        counted = _counted_before(view, lex, [b for b in bare if b.start not in taken])
        taken |= {q.start for q in counted}
        changed = _change_counts(view, lex, [b for b in bare if b.start not in taken])
        found = sorted(found + shared + counted + changed, key=lambda q: q.start)
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


def overlaps(spans: list[tuple[int, int]], start: int, end: int) -> bool:
    """Whether ``start:end`` overlaps one of ``spans`` (sorted, not overlapping each other)."""
    i = bisect.bisect_right(spans, (start, float("inf"))) - 1
    return any(s < end and start < e for s, e in spans[max(i, 0): i + 2])


# --- one quantity --------------------------------------------------------------------------

def _number_value(view: TextView, lex: Lexicon, start: int, end: int, kind: str) -> float | None:
    if kind == "digits":
        return parse_number(view.norm[start:end], lex.numbers.decimal_separator,
                            lex.numbers.thousands_separators)
    words = view.folded[start:end]
    if words in folded(lex.numbers.ambiguous_alone) and not _WORD_BREAK.search(words):
        return None  # "one", "un" alone
    scales = lex.numbers.scales.folded
    if all(t in scales for t in _WORD_BREAK.split(words)):
        return None  # "millions" alone is vague, handled elsewhere
    return parse_number_words(view.norm[start:end], lex.lang)


def _quantity(view: TextView, lex: Lexicon, start: int, end: int, kind: str,
              places: frozenset[str] = frozenset()) -> Quantity | None:
    value = _number_value(view, lex, start, end, kind)
    left = start
    if value is None and kind == "words":
        value, left = _lone_scale(view, lex, start, end)
    if value is None:
        return None
    p = lex.patterns
    currency = None
    m = _currency_before(view, lex, start)
    if m:
        currency = _currency_code(lex, m.group(1) or m.group(2))
        left = m.start()

    pos = end
    scale, pos = _scale(view, lex, pos)
    if currency is None and p["excluded_unit"].match(view.norm, pos):
        return None  # a voltage or a temperature: outside the units claims are made in
    if currency is None and scale == 1 and _looks_like_year(view, start, end, kind) \
            and _unit_after(view, lex, pos) is None:
        return None  # a year (the commonest number in these articles): settled before the costly checks
    if _is_name(view, lex, start, kind, places) or not _stands_alone(view, lex, start, end, kind, value):
        return None
    if currency and scale == 1 and _ATTACHED_MILLION.match(view.norm, pos):
        scale, pos = _MILLION, pos + 1  # "$5m"

    # a range: "30-70", "30 to 70", "between 30 and 70", "de 30 à 70"
    low = high = None
    intro = _range_intro(view, lex, left)
    if intro is not None and _changes(view, lex, intro):
        intro, rng = None, None  # "rose from 30 to 70%": a before and an after, not a range
    else:
        rng = _range_end(view, lex, pos, intro is not None)
    if rng is not None:
        value2, _, pos2 = rng
        scale2, pos2 = _scale(view, lex, pos2)
        if scale != 1 and scale2 not in (1, scale) and currency is not None:
            rng = None  # "$933.88 million to $1.53 billion": two whole figures (``_full_ranges`` joins them)
        elif scale != 1 and scale2 not in (1, scale):  # "de 500 millions à 1,2 milliard de dollars"
            low, high, pos, scale = value * scale, value2 * scale2, pos2, 1.0
        else:
            if scale == 1:
                scale = scale2
            low, high, pos = value, value2, pos2

    if _is_window(view, lex, left, pos):
        return None  # "the first five months", "les 7 premiers mois": a reporting window
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
        if counted is None and (scale != 1 or _ends_with_scale(view, lex, start, end, kind)):
            link = lex.patterns["unit_link"].match(view.folded, pos)  # "2 millions de touristes"
            if link:
                np_end, counted = _noun_phrase(view, lex, link.end())
        if counted is None:
            if low is not None:
                return None
            qualifier, left = _qualifier(view, lex, left)
            if scale != 1:  # "contre 8 milliards": an amount of the sentence's currency, if it has one
                return Quantity(left, pos, _rounded(value * scale), SCALED, SCALED, qualifier, factor=scale)
            return Quantity(left, end, value, BARE, BARE, qualifier)  # its unit may be a neighbour's
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
    qualifier, left = _qualifier(view, lex, left, unit.kind)
    if low is not None:
        qualifier = "range"
        if intro is not None and _intro_in_span(view, lex, intro):
            left = intro
    if unit.kind == "percent" and _minus_before(view, left):
        value, left = -value, left - 1  # "-4%", "−7.5%": a fall
    factor = scale * unit.factor
    if low is not None and high is not None:
        low, high = _rounded(low * factor), _rounded(high * factor)
        value = (low + high) / 2
    else:
        value *= factor
    return Quantity(left, unit.end, _rounded(value), unit.unit, unit.kind, qualifier, low, high, counted,
                    factor)


def _rounded(value: float) -> float:
    """``value`` to ``SIGNIFICANT_DIGITS`` (products of factors leave binary noise in the last digits).

    >>> _rounded(2400 * 1e-4), _rounded(548e6)
    (0.24, 548000000.0)
    """
    return float(f"{value:.{SIGNIFICANT_DIGITS}g}")


def _minus_before(view: TextView, left: int) -> bool:
    """A minus sign right before the number, itself after a space or an opening bracket."""
    return left > 0 and view.folded[left - 1] == "-" and (left == 1 or view.folded[left - 2] in " \t\n(:")


def _lone_scale(view: TextView, lex: Lexicon, start: int, end: int) -> tuple[float | None, int]:
    """"le million de tonnes", "a million visitors": a scale word alone after an article is one of it;
    the value and where the quantity starts (the article)."""
    words = view.folded[start:end]
    scales = lex.numbers.scales.folded
    if words not in scales:
        return None, start
    before = _word_before(view.norm, max(0, start - LEFT_WINDOW), start)
    if before is None or fold(view.norm[before[0]:before[1]]) not in folded(lex.numbers.lone_scale_articles):
        return None, start
    return float(scales[words]), before[0]


def _word_before(text: str, lo: int, start: int) -> tuple[int, int] | None:
    r"""The span of the word that the white space before ``start`` follows, within ``text[lo:start]``: what
    ``re.search(r"([^\W\d_][\w.'’-]*)[^\S\r\n]+$", text[:start])`` finds from ``lo`` (a letter, then
    letters, digits and ``_.'’-``, then white space within the line; ``$`` may stand before a final line
    break), found from the end instead of tried at every position (five times faster).

    >>> text = "Route 1, the 20 ha"
    >>> [text[a:b] for a, b in filter(None, (_word_before(text, 0, 6), _word_before(text, 0, 13)))]
    ['Route', 'the']
    >>> _word_before("12 ", 0, 3), _word_before("Rs.\n", 0, 4), _word_before("x \n", 0, 3)
    (None, None, (0, 1))
    """
    stop = start - 1 if start > lo and text[start - 1] == "\n" else start
    end = stop
    while end > lo and text[end - 1] in _LINE_SPACE:
        end -= 1
    if end == stop:
        return None
    first = end
    while first > lo and (text[first - 1].isalnum() or text[first - 1] in _WORD_PUNCTUATION):
        first -= 1
    for i in range(first, end):
        c = text[i]
        if c.isalnum() and not c.isdecimal():
            return i, end
    return None


def _stands_alone(view: TextView, lex: Lexicon, start: int, end: int, kind: str, value: float) -> bool:
    """False for a number that is part of something else: a shortened year range ("2021-25"), a rank
    ("one of the four biggest"), the day of a dateline ("12 Phnom Penh (AKP) –"), or digits glued to
    letters that make a code or an ordinal ("A321", "45th") rather than a lost space ("550personnes")."""
    text = view.norm
    if kind == "digits":
        if _SHORT_YEAR_BEFORE.search(text, max(0, start - 8), start):
            return False
        if end < len(text) and text[end].isalpha() and not _glued_word(view, lex, end):
            return False
        if view.folded.startswith(" ", end) and lex.patterns["spaced_ordinal"].match(view.folded, end):
            return False  # "ranks 16 th": an ordinal split by the page
        line_start = text.rfind("\n", 0, start) + 1
        if (not text[line_start:start].strip() and _DATELINE_AFTER.match(text, end)
                and value <= _DATELINE_DAY_MAX):
            return False
    return not _listed_before(view, lex, "rank_before", start)


def _glued_word(view: TextView, lex: Lexicon, pos: int) -> bool:
    """Whether the letters at ``pos`` (right after a number) are a unit, a scale or a currency written
    without a space ("27.000hectares", "2,28milliards", "148 millionUSD"), or a common word
    ("550personnes")."""
    p = lex.patterns
    m = _LETTERS.match(view.norm, pos)
    word = m.group(0) if m else ""
    if word.lower() in _ordinal_suffixes(lex):
        return False  # "35ème", "21st": an ordinal
    if p["scale"].match(view.folded, pos) or _unit_after(view, lex, pos) is not None:
        return True
    return (len(word) >= GLUED_MIN_CHARS and word.islower()
            and word_zipf_in(word, lex.lang) >= GLUED_MIN_ZIPF)


def _is_window(view: TextView, lex: Lexicon, left: int, pos: int) -> bool:
    """A reporting window: a duration after "first", "past"... ("the first five months"), or with
    "premiers", "dernières"... between the number and its unit ("les 7 premiers mois")."""
    p = lex.patterns
    after = p["window_after"].match(view.folded, pos)
    if after:
        unit = _unit_after(view, lex, after.end())
        return unit is not None and unit.kind == "duration"
    if _listed_before(view, lex, "window_before", left):
        unit = _unit_after(view, lex, pos)
        return unit is not None and unit.kind == "duration"
    return False


def _changes(view: TextView, lex: Lexicon, intro: int) -> bool:
    """Whether a change word ("rose", "raise the quota", "passé") comes right before a range's intro, or a
    percentage of change earlier in its sentence ("rise 94.9 percent in the first half, from $69 million to
    $135 million": the before and the after of that change)."""
    if lex.patterns["change_before"].search(view.folded, max(0, intro - CHANGE_WINDOW), intro) is not None:
        return True
    lo = max(0, intro - PERCENT_CHANGE_WINDOW)
    window = view.folded[lo:intro]
    if "%" not in window and not any(word in window for word in _percent_words(lex)):
        return False  # most ranges: no percentage before them
    clause = max([_sentence_start(view, lo, intro),
                  *(m.end() for m in lex.patterns["clause_break"].finditer(view.folded, lo, intro))])
    return lex.patterns["percent_change"].search(view.folded, clause, intro) is not None


def _sentence_start(view: TextView, lo: int, pos: int) -> int:
    """Where the sentence (or line) holding ``pos`` starts, looked for from ``lo`` on (``lo`` if before)."""
    return max((m.end() for m in _SENTENCE_BREAK.finditer(view.norm, lo, pos)), default=lo)


@cache
def _percent_words(lex: Lexicon) -> tuple[str, ...]:
    """The lexicon's words for a percentage, folded ("percent", "pour cent")."""
    return tuple(fold(w) for w, (_, kind, _) in lex.units.words.items() if kind == "percent")


def starts_a_change(view: TextView, lex: Lexicon, x: Quantity, y: Quantity) -> bool:
    """Whether ``x`` and the next figure ``y``, left as two, give a change from the one to the other ("raise
    the quota from 50 to 120 MW", "de 80 à 200 MW"): ``x`` is where it starts, ``y`` where it ends."""
    if lex.patterns["range_sep"].fullmatch(view.folded, x.end, y.start) is None:
        return False
    intro = _range_intro(view, lex, x.start)
    return intro is not None and not _intro_in_span(view, lex, intro)


def _intro_in_span(view: TextView, lex: Lexicon, intro: int) -> bool:
    """"between" opens a range's span ("between $30-70 million"); "from", "de" do not ("15 à 20%")."""
    m = re.match(r"[^\W\d_]+", view.folded[intro:])
    return bool(m) and m.group(0) in folded(lex.ranges.intro_in_span)


def _full_ranges(view: TextView, lex: Lexicon, found: list[Quantity]) -> list[Quantity]:
    """Two whole quantities of one unit joined as a range are one range claim: "from 300 million kWh to
    1.1 billion kWh", "between 20 and 30 tonnes" when each has its unit, "20 % à 25 %"."""
    out: list[Quantity] = []
    i = 0
    while i < len(found):
        q = found[i]
        r = found[i + 1] if i + 1 < len(found) else None
        if (r is not None and r.unit == q.unit and q.low is None and r.low is None and q.value < r.value
                and lex.patterns["range_sep"].fullmatch(view.folded, q.end, r.start)):
            intro = _range_intro(view, lex, q.start)
            # without "from" or "between", "to" or a dash joins them ("dont 20 % à 25 %"), "and" does not
            bare_range = intro is None and fold(view.folded[q.end:r.start].strip()) not in _and_words(lex)
            changed = _changes(view, lex, q.start if intro is None else intro)
            if (intro is not None or bare_range) and not changed:
                start = intro if intro is not None and _intro_in_span(view, lex, intro) else q.start
                out.append(Quantity(start, r.end, _rounded((q.value + r.value) / 2), q.unit, q.kind, "range",
                                    q.value, r.value, q.counted or r.counted, q.factor))
                i += 2
                continue
        out.append(q)
        i += 1
    return out


def _elided_currencies(view: TextView, lex: Lexicon, found: list[Quantity]) -> list[Quantity]:
    """A figure with a scale that counts money ("350 millions d'exportations") after an amount of
    money in the same line is money too, in that currency (GUIDELINES: an elided currency takes the
    sentence's currency); its span ends with its scale word."""
    money = folded(lex.units.money_nouns)
    out: list[Quantity] = []
    currency: Quantity | None = None
    for q in found:
        if q.kind == "currency":
            currency = q
        elif (currency is not None and q.unit == "count" and q.factor != 1 and q.counted
              and fold(q.counted.split()[0]) in money and "\n" not in view.norm[currency.end:q.start]):
            scale = lex.patterns["scale"].search(view.folded, q.start, q.end)
            end = scale.end() if scale else q.end
            q = q._replace(end=end, unit=currency.unit, kind="currency", counted=None)
        out.append(q)
    return out


def _counted_before(view: TextView, lex: Lexicon, bare: list[Quantity]) -> list[Quantity]:
    """The bare numbers that a "number of" phrase before them in their sentence says what they count ("the
    number of Vietnamese tourists rose to about 305,000", "le nombre des touristes a atteint 80.000")."""
    pattern = lex.patterns["count_of"]
    out = []
    for b in bare:
        lo = _sentence_start(view, max(0, b.start - COUNT_OF_REACH), b.start)
        found = list(pattern.finditer(view.folded, lo, b.start))
        if found:
            _, counted = _noun_phrase(view, lex, found[-1].end())
            if counted is not None:
                out.append(b._replace(unit="count", kind="count", counted=counted))
    return out


def _change_counts(view: TextView, lex: Lexicon, bare: list[Quantity]) -> list[Quantity]:
    """The bare numbers that are the before or the after of a percentage of change in their sentence
    ("arrivals rose about 46 percent in the first half to 215,496, from 147,721"): counts of what changed.
    A thousand at least: smaller ones are as often days, ranks or items of a list."""
    words = _change_words(lex)
    out = []
    for b in bare:
        if b.value < MIN_CHANGE_COUNT:
            continue
        before = view.bounded[max(0, b.start - LEFT_WINDOW):b.start].split()
        if before and before[-1] in words and _changes(view, lex, b.start):
            out.append(b._replace(unit="count", kind="count"))
    return out


@cache
def _change_words(lex: Lexicon) -> frozenset[str]:
    """The words right before the before or after of a change: range words, the last of comparisons
    ("to", "from", "contre", "with")."""
    return (folded(lex.ranges.separators) | folded(lex.ranges.intro)
            | {boundary_view(fold(c)).split()[-1] for c in lex.periods.comparison})


def _scaled_amounts(view: TextView, lex: Lexicon, scaled: list[Quantity], found: list[Quantity]
                    ) -> list[Quantity]:
    """The scaled numbers with neither unit nor noun ("contre 8 milliards") that follow an amount of money in
    the same sentence, or come right before one as the start of a change ("de 933 millions à 1,53 milliard
    de dollars"): amounts of its currency (GUIDELINES: an elided currency takes the sentence's); the
    others are no claim ("2 millions" alone)."""
    money = [q for q in found if q.kind == "currency"]
    starts = [q.start for q in money]
    out = []
    for q in scaled:
        i = bisect.bisect_left(starts, q.start)
        if i < len(money) and lex.patterns["range_sep"].fullmatch(view.folded, q.end, money[i].start):
            out.append(q._replace(unit=money[i].unit, kind="currency"))
        elif i > 0 and not _SENTENCE_BREAK.search(view.norm, money[i - 1].end, q.start):
            out.append(q._replace(unit=money[i - 1].unit, kind="currency"))
    return out


def _shared_units(view: TextView, lex: Lexicon, bare: list[Quantity], found: list[Quantity]
                  ) -> list[Quantity]:
    """The bare numbers that share the unit of a figure beside them in a list: the next one ("155, 14
    et 38 tonnes", "from 50 to 120 MW" after a change word), else the one before ("67 familles, dont
    57", "ces 68 projets, 36 sont..."). Only list words (commas, "and", "dont", "of which", range
    separators) may stand between them. Linear: one pass each way over the figures in text order."""
    glue = folded(lex.exclusions.list_glue) | folded(lex.ranges.separators)
    items: list[tuple[Quantity, bool]] = sorted([(q, False) for q in found] + [(b, True) for b in bare],
                                                key=lambda item: item[0].start)
    shared: dict[int, Quantity] = {}  # index in ``items`` -> the bare number with its unit
    nearest: Quantity | None = None
    for i in range(len(items) - 1, -1, -1):  # the next figure with a unit, from the last
        q, is_bare = items[i]
        if not is_bare:
            nearest = q
        elif (nearest is not None and _glued_by(view, glue, q.end, nearest.start)
              and not _opens_aside(view, q.end, nearest.start)):
            nearest = shared[i] = _sharing(q, nearest)
        else:
            nearest = None
    nearest = None
    for i, (q, is_bare) in enumerate(items):  # else the figure before it
        if not is_bare or i in shared:
            nearest = shared.get(i, q)
        elif (nearest is not None and _glued_or_elided(view, lex, glue, nearest.end, q.start)
              and not (nearest.kind in _SMALL_KINDS and q.value > 100)):  # "rose 12% to 300,000"
            if nearest.factor == 1:
                nearest = shared[i] = _sharing(q, nearest)
            elif _listed_before(view, lex, "elision_before", q.start) is not None:
                # "2 million tourists, of which 300,000": the unit, as written; "US $1.97 billion, and 36 in
                # the SEZ" is not 36 billion dollars
                nearest = shared[i] = _sharing(q, nearest._replace(factor=1.0))
            else:
                nearest = None
        else:
            nearest = None
    return list(shared.values())


def _glued_or_elided(view: TextView, lex: Lexicon, glue: frozenset[str], lo: int, hi: int) -> bool:
    """``_glued_by``, or a part of the figure ending at ``lo`` named right before ``hi`` ("3,000 Cambodians
    study at Vietnamese universities, of which 600"), in the same sentence."""
    return _glued_by(view, glue, lo, hi) or (
        _listed_before(view, lex, "elision_before", hi) is not None
        and hi - lo <= ELISION_REACH and not _SENTENCE_BREAK.search(view.norm, lo, hi))


def _glued_by(view: TextView, glue: frozenset[str], lo: int, hi: int) -> bool:
    """Whether only list words and punctuation (at most ``MAX_GLUE_WORDS`` words, one line) are between."""
    gap = view.folded[lo:hi]
    if any(not (c.isalnum() or c in _LIST_PUNCTUATION) for c in gap):
        return False  # a sentence or line break, an operator ("1+2"), a slash...
    words = view.bounded[lo:hi].split()
    if len(words) > MAX_GLUE_WORDS:
        return False
    text = " ".join(words)
    if not text:
        return True
    return text in glue or all(w in glue for w in words)


def _opens_aside(view: TextView, lo: int, hi: int) -> bool:
    """Whether a bracket opens between ``lo`` and ``hi`` and stays open: the figure after it is an aside
    on the number before ("102 (90.27%)": a share of it), not the next item of a list."""
    gap = view.folded[lo:hi]
    return gap.count("(") > gap.count(")")


def _sharing(b: Quantity, q: Quantity) -> Quantity:
    """The bare number ``b`` with the unit of the figure ``q``."""
    value = _rounded(b.value * q.factor)
    return Quantity(b.start, b.end, value, q.unit, q.kind, b.qualifier, counted=q.counted, factor=q.factor)


def _scale(view: TextView, lex: Lexicon, pos: int) -> tuple[float, int]:
    m = lex.patterns["scale"].match(view.folded, pos)
    if not m:
        return 1.0, pos
    return float(lex.numbers.scales.folded.get(m.group(1), 1.0)), m.end()


def _range_intro(view: TextView, lex: Lexicon, left: int) -> int | None:
    m = _listed_before(view, lex, "range_intro", left)
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
    return folded(lex.numbers.number_joiners)


def _unit_after(view: TextView, lex: Lexicon, pos: int) -> _Unit | None:
    p = lex.patterns
    m = p["unit_symbol"].match(view.norm, pos)
    if m:
        unit, kind, factor = lex.common.units[m.group(1)]
        return _Unit(m.end(), unit, kind, float(factor))
    m = p["currency_after"].match(view.norm, pos)
    if m:
        return _Unit(m.end(), _currency_code(lex, m.group(1) or m.group(2)), "currency", 1.0)
    m = p["unit_word"].match(view.folded, pos)
    if m:
        words = lex.units.words.folded
        key = re.sub(r"\s+", " ", m.group(1))
        if key in words:
            unit, kind, factor = words[key]
            if _is_age(view, m.end()) or _is_rate(view, m.end(), key):
                return None
            return _Unit(m.end(), unit, kind, float(factor))
    m = p["currency_word"].match(view.folded, pos)
    if m:
        words = lex.units.currency_words.folded
        code = words.get(re.sub(r"\s+", " ", m.group(1)))
        if code:
            return _Unit(m.end(), code, "currency", 1.0)
    return None


def _ends_with_scale(view: TextView, lex: Lexicon, start: int, end: int, kind: str) -> bool:
    """Number words that end with a scale ("un million", "two billion") take "de", "of" before their noun."""
    last = _WORD_BREAK.split(view.folded[start:end])[-1]
    return kind == "words" and last in lex.numbers.scales.folded


def _is_rate(view: TextView, pos: int, word: str) -> bool:
    """"2,300 year-on-year", "month on month": the unit ``word`` is half of a comparison with itself, not
    what is counted ("40 percent on average" is a percentage).

    >>> from etl.text import make_view
    >>> texts = ("2,300 year-on-year", "2,300 year on years", "2,300 year on")
    >>> [_is_rate(make_view(t), 10, "year") for t in texts]
    [True, True, False]
    """
    m = _ON_ITSELF.match(view.folded, pos)
    return m is not None and m.group(1).rstrip("s") == word.rstrip("s")


#: "-on-year", " on month": what follows a unit word compared with itself.
_ON_ITSELF = re.compile(r"(?:-| )on(?:-| )(\w+)")


def _is_age(view: TextView, pos: int) -> bool:
    """"30-year-old": an age, which the guidelines leave out."""
    return view.folded.startswith("-old", pos) or view.folded.startswith(" old", pos)


def _currency_before(view: TextView, lex: Lexicon, start: int) -> re.Match[str] | None:
    """The currency code or symbol written right before the number at ``start`` ("$5", "USD 5").

    Its last character is one of the last three before the number (``\\s?$``, and ``$`` may stand
    before a final line break): most numbers have none of the characters a code or symbol ends with
    there, and the search, which tries every code at every position of its window, is skipped.
    """
    if _currency_ends(lex).isdisjoint(view.norm[max(0, start - 3):start]):
        return None
    return lex.patterns["currency_before"].search(view.norm, max(0, start - _currency_reach(lex)), start)


def _listed_before(view: TextView, lex: Lexicon, name: str, pos: int) -> re.Match[str] | None:
    """``lex.patterns[name].search(view.folded, pos - LEFT_WINDOW, pos)``: one of the listed phrases (the
    patterns of ``etl.lexicon.phrases_before``) ending right before ``pos``, but searched only when the
    last word before ``pos`` is the last word of one of them. The pattern is tried at every position of
    its window; the last word is found once (in the boundary view: letters and digits, punctuation as
    spaces).
    """
    lasts = _last_words(lex, name)
    if lasts is not None:
        before = view.bounded[max(0, pos - LEFT_WINDOW):pos].rstrip()
        word = before[before.rfind(" ") + 1:]
        if not word or (word.isalnum() and word not in lasts):
            return None
    return lex.patterns[name].search(view.folded, max(0, pos - LEFT_WINDOW), pos)


@cache
def _last_words(lex: Lexicon, name: str) -> frozenset[str] | None:
    """The last words (boundary view) of the phrases of pattern ``name``; ``None`` when a phrase has no
    letter or digit, or ends with ``*`` (any word that starts so): then no word can be ruled out."""
    phrases = phrases_before(lex)[name]
    lasts = [boundary_view(fold(p)).split()[-1:] for p in phrases]
    if any(p.endswith("*") for p in phrases) or not all(lasts):
        return None
    return frozenset(last[0] for last in lasts)


@cache
def _currency_ends(lex: Lexicon) -> frozenset[str]:
    """The last characters of the currency codes and symbols."""
    return frozenset(token[-1] for token in (*lex.common.currency_codes.codes, *lex.common.currency_symbols))


@cache
def _currency_reach(lex: Lexicon) -> int:
    """How far before a number a currency written before it can start: the longest code or symbol,
    a space, and the line break that ``$`` may stand before (``currency_before`` is plain words)."""
    tokens = [*lex.common.currency_codes.codes, *lex.common.currency_symbols]
    return min(LEFT_WINDOW, max(map(len, tokens), default=0) + 2)


def _currency_code(lex: Lexicon, token: str) -> str:
    symbols = lex.common.currency_symbols
    aliases = lex.common.currency_codes.aliases
    return symbols.get(token) or aliases.get(token) or token


def _qualifier(view: TextView, lex: Lexicon, left: int, kind: str = "") -> tuple[str, int]:
    """The hedge before the figure starting at ``left`` ("more than", "près de"), and where it starts.

    "over" in "handed over 50 bicycles" is the verb's particle, and before a duration it means
    "during" ("over 70 years") unless a word before it makes a comparison ("for over 70 years").
    """
    # one search for every qualifier at once; its match is the one the loop below would choose unless
    # it is no hedge there (then another qualifier's phrase, further right, may be)
    m = _listed_before(view, lex, "qualifier", left)
    if m is None:
        return ("exact", left)
    hedge = " ".join(view.bounded[m.start():m.end()].split())
    name = _qualifier_names(lex).get(hedge)
    if name is not None and not _not_a_hedge(view, lex, m, kind):
        verb = hedge in folded(lex.qualifier_context.verbs)
        return (name, left if verb else m.start())
    best: tuple[str, int] = ("exact", left)
    for name, _ in lex.qualifiers.items():
        m = lex.patterns[f"qualifier:{name}"].search(view.folded, max(0, left - LEFT_WINDOW), left)
        if m and m.start() < best[1] and not _not_a_hedge(view, lex, m, kind):
            hedge = " ".join(view.bounded[m.start():m.end()].split())
            verb = hedge in folded(lex.qualifier_context.verbs)
            best = (name, left if verb else m.start())
    return best


@cache
def _qualifier_names(lex: Lexicon) -> dict[str, str]:
    """Each qualifier phrase, as the boundary view spells it, and its qualifier (the first that lists it)."""
    names: dict[str, str] = {}
    for name, phrases in lex.qualifiers.items():
        for phrase in phrases:
            names.setdefault(" ".join(boundary_view(fold(phrase)).split()), name)
    return names


def _not_a_hedge(view: TextView, lex: Lexicon, m: re.Match[str], kind: str) -> bool:
    before = " ".join(view.bounded[max(0, m.start() - LEFT_WINDOW):m.end()].split())
    phrasal = folded(lex.qualifier_context.phrasal_verbs)
    if any(before.endswith(verb) for verb in phrasal):
        return True
    word = " ".join(view.bounded[m.start():m.end()].split())
    if kind == "duration" and word in folded(lex.qualifier_context.during):
        previous = before[: -len(word)].split()[-1:]
        return not previous or previous[0] not in folded(lex.qualifier_context.comparison_before)
    return False


def _looks_like_year(view: TextView, start: int, end: int, kind: str) -> bool:
    raw = view.norm[start:end]
    return kind == "digits" and len(raw) == 4 and raw.isdigit() and YEAR_MIN <= int(raw) <= YEAR_MAX


def _year_range_end(view: TextView, lex: Lexicon, start: int, end: int) -> int:
    if not _looks_like_year(view, start, end, "digits"):
        return end
    m = lex.patterns["period_dash"].match(view.norm, start)
    return m.end() if m else end


def _is_name(view: TextView, lex: Lexicon, start: int, kind: str,
             places: frozenset[str] = frozenset()) -> bool:
    """A number that is part of a name or reference: "Route 1", "No. 5", "COVID19", "A321"; not after the
    name of a place (``places``: "a accordé au Cambodge 1.045 bourses")."""
    text = view.norm
    if start > 0 and text[start - 1].isalpha():
        before = re.search(r"[^\W\d_]+$", text[max(0, start - LEFT_WINDOW):start])
        token = before.group(0) if before else ""
        codes = set(lex.common.currency_codes.codes) | set(lex.common.currency_symbols)
        if token in codes:
            return False
        # a common word glued to the number is a lost space ("built218 houses"), not a name ("A321")
        return not (len(token) >= GLUED_MIN_CHARS and token.islower()
                    and word_zipf_in(token, lex.lang) >= GLUED_MIN_ZIPF)
    if lex.patterns["name_marker"].search(text, max(0, start - LEFT_WINDOW), start):
        return True
    if kind != "digits":
        return False
    found = _word_before(text, max(0, start - LEFT_WINDOW), start)
    if found is None:
        return False
    written = text[found[0]:found[1]]
    if not written[0].isupper() or written.isupper():
        return False
    if written.endswith(".") and written[:-1].lower() not in _abbreviations(lex):
        return False  # "... de Pol Pot. 3 millions de Cambodgiens": the number opens a sentence
    key = fold(written)
    if key in _function_words(lex) or key in places:
        return False
    # A capitalised word that opens a sentence is not a name ("Over 200 people").
    at = found[0]
    while at > 0 and text[at - 1] in " \t":
        at -= 1
    return at > 0 and text[at - 1] not in _SENTENCE_OPENERS


@cache
def _ordinal_suffixes(lex: Lexicon) -> frozenset[str]:
    """The lexicon's ordinal suffixes, lower case ("th", "ème")."""
    return frozenset(s.lower() for s in lex.dates.ordinal_suffixes)


@cache
def _abbreviations(lex: Lexicon) -> frozenset[str]:
    """The lexicon's abbreviations, lower case: a full stop after one ends no sentence ("Rs. 5")."""
    return frozenset(a.lower() for a in lex.sentences.abbreviations)


@cache
def _function_words(lex: Lexicon) -> frozenset[str]:
    """Words that never open a name before a number: stop words, hedges, range words, months."""
    words = set(folded(lex.noun_phrase.stopwords))
    for _, phrases in lex.qualifiers.items():
        words.update(fold(w) for p in phrases for w in p.split())
    words.update(folded(lex.ranges.intro))
    words.update(lex.dates.months.folded)
    return frozenset(words)

def _after_determiner(view: TextView, lex: Lexicon, left: int, value: float) -> bool:
    """"the two countries", "les deux pays": a small number after a determiner names a known set."""
    return (value <= lex.exclusions.reference_max
            and _listed_before(view, lex, "determiner", left) is not None)


def _is_reference(lex: Lexicon, value: float, counted: str) -> bool:
    """"two sides", "deux pays": the pair a text is about, without a determiner."""
    return (value == 2 <= lex.exclusions.reference_max
            and lex.patterns["reference_noun"].match(" " + fold(counted)) is not None)


def _noun_phrase(view: TextView, lex: Lexicon, pos: int) -> tuple[int, str | None]:
    """The counted noun phrase right after ``pos``: "cadres civils et politiques"."""
    phrase = lex.noun_phrase
    stop = folded(phrase.stopwords)
    joiners = folded(phrase.joiners)
    suffixes = phrase.stop_suffixes
    exceptions = folded(phrase.suffix_exceptions)
    non_count = folded(lex.units.non_count)
    months = frozenset(lex.dates.months.folded)
    numberish = _numberish(lex)
    max_words = phrase.max_words
    heads = phrase.head_suffixes
    not_heads = folded(phrase.not_heads)
    after_joiner = phrase.stop_suffixes_after_joiner
    links = folded(phrase.complement_links)
    articles = folded(phrase.articles) | folded(lex.exclusions.determiners)
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
            if content and not pending_joiner and word in links:
                complement = _complement(view, m.end(), articles, numberish, heads, stop)
                if complement is not None:  # "177 sets of remains", "68 projets d'investissement"
                    end = complement
            break
        if word in joiners:
            if content == 0 or pending_joiner:
                break
            pending_joiner = True
            pos = m.end()
            continue
        verb_like = word not in exceptions and any(word.endswith(x) and len(word) >= len(x) + 2
                                                   for x in suffixes)
        # "documents recognising"; but "participating officers" opens with an adjective, and a compound
        # ("major Vietnamese-invested projects", "state-owned firms") is one wherever it stands
        if verb_like and not ((content == 0 or "-" in word)
                              and _noun_follows(view, lex, m.end(), stop, suffixes)):
            break
        written = m.group(1).lower()  # accents kept: "planté" is a participle, "plante" a noun
        if pending_joiner and any(written.endswith(x) and len(written) >= len(x) + 2 for x in after_joiner):
            break  # "550 personnes et planté": a verb, not a second noun
        content += 1
        pending_joiner = False
        end = pos = m.end()
        if (heads and word.endswith(heads) and word not in not_heads
                and not _joiner_follows(view, lex, pos, joiners)):
            # "200 Vietnamese companies | operate": the plural head ends the phrase, with its bare
            # complement if it has one ("177 sets of remains")
            link = _TOKEN.match(view.norm, pos)
            if link and fold(link.group(1)) in links:
                end = _complement(view, link.end(), articles, numberish, heads, stop) or end
            break
    if content == 0:
        return pos, None
    return end, view.norm[start:end]


def _complement(view: TextView, pos: int, articles: frozenset[str], numberish: frozenset[str],
                heads: tuple[str, ...] = (), stop: frozenset[str] = frozenset()) -> int | None:
    """The end of the bare noun after a complement link ("of", "de", "d'") at ``pos``: one lower-case
    word, with no article, number or name ("of remains", "de garde-frontières"), or two when the first is
    not a plural head and the second is ("of border gates": ``heads``, the language's plural endings)."""
    m = _TOKEN.match(view.norm, pos)
    if not m or not m.group(1)[0].islower():
        return None
    word = fold(m.group(1))
    if word in articles or word in numberish or word.endswith(("'", "’")):
        return None
    if heads and not word.endswith(heads):
        head = _TOKEN.match(view.norm, m.end())
        if head and head.group(1)[0].islower():
            noun = fold(head.group(1))
            if noun.endswith(heads) and noun not in stop and noun not in articles and noun not in numberish:
                return head.end()
    return m.end()


def _noun_follows(view: TextView, lex: Lexicon, pos: int, stop: frozenset[str], suffixes: tuple[str, ...]
                  ) -> bool:
    """Whether a content word that could be a noun (neither a function word nor a verb form) comes next:
    the word before it is then an adjective ("participating officers", "destroyed houses")."""
    m = _TOKEN.match(view.norm, pos)
    if not m:
        return False
    word = fold(m.group(1))
    return word not in stop and not any(word.endswith(x) for x in suffixes)


def _joiner_follows(view: TextView, lex: Lexicon, pos: int, joiners: frozenset[str]) -> bool:
    m = _TOKEN.match(view.norm, pos)
    return bool(m) and fold(m.group(1)) in joiners


@cache
def _numberish(lex: Lexicon) -> frozenset[str]:
    """Words that start a new figure: number words and the heads of vague amounts ("thousands")."""
    heads = {fold(v.split()[-1]) for v in lex.numbers.vague}
    return folded(lex.numbers.number_words) | heads


# --- vague amounts ---------------------------------------------------------------------------

def _vague(view: TextView, lex: Lexicon, start: int, end: int) -> Quantity | None:
    """"des milliers de patients", "tens of thousands of people": a lower bound."""
    m = lex.patterns["vague"].match(view.folded, start)
    if not m:
        return None
    value = lex.numbers.vague.folded.get(re.sub(r"\s+", " ", m.group(1)))
    if value is None:
        return None
    unit = _unit_after(view, lex, m.end() - 1) if m.end() > 0 else None
    if unit is not None and unit.kind == "duration":
        return Quantity(start, unit.end, value * unit.factor, unit.unit, unit.kind, "at_least")
    np_end, counted = _noun_phrase(view, lex, m.end())
    if counted is None:
        return None
    return Quantity(start, np_end, float(value), "count", "count", "at_least", counted=counted)
