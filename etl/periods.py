"""The years a figure covers: period expressions in its sentence ("from 2015", "de 2015 à
aujourd'hui", "between 2018 and 2022", "in 2022", "1979-1989", "until 2030", a range of two
dates); each figure takes the nearest one. All offsets are in the normalised view
(``TextView.norm``). Whether a figure is a goal is ``etl.targets``.
"""

from __future__ import annotations

import bisect
import itertools
import re
from collections.abc import Sequence
from typing import NamedTuple

from etl.lexicon import Lexicon
from etl.scanner import around, finditer_at, finditer_in
from etl.text import TextView

#: Pattern name -> how its years become (first, last).
_PERIOD_PATTERNS = ("period_range", "period_open_now", "period_dash", "period_deadline",
                    "period_until", "period_open", "period_since_event", "period_single")
#: A year, not inside a longer number. The look-behind comes after the year (and spans it): a
#: pattern that opens with a plain character class is searched faster, ``re`` skipping straight
#: to the next 1 or 2.
_YEAR = re.compile(r"(1[89]\d\d|20\d\d|2100)(?<!\d\d{4})(?!\d)")
#: Period expressions are looked for this many characters around each year: every one holds a year,
#: and the words around it are short (the longest before one, "pendant la période l'année ", has 27
#: characters; after one, "to the present day", 19). The patterns are costly to try, and the fewer
#: characters they are tried on the better.
YEAR_CONTEXT = 40
#: Before a year, further, for an open start before the event the year dates ("depuis le lancement de
#: ces opérations en 2001": 45 characters; ``period_since_event`` matches at most 96).
YEAR_CONTEXT_BEFORE = 96
#: How far before a year a comparison word is looked for ("compared to the same period in"): the longest
#: cue and the 40 characters after it that ``comparison_before`` allows.
COMPARISON_REACH = 70
#: At most this many characters between a figure and a period expression that is that figure's.
TRAILING_GAP = 2
#: Characters added to the distance of an expression after a figure: a tie goes to the one before.
TRAILING_PENALTY = 0.5



class Period(NamedTuple):
    start: int
    end: int
    first: int | None
    last: int | None
    deadline: bool = False
    full_dates: bool = False  # written as two full dates: its end is the time of writing


def find_dates(view: TextView, lex: Lexicon) -> list[re.Match[str]]:
    """Calendar dates in the folded text ("7 janvier 1979", "2024-01-07", "January 28th, 2020").

    A date opens with a digit or a month name, after a word boundary: the pattern is tried at the
    start of every run of digits and every word that begins like a month, not at every position.
    """
    months = lex.scan(view).starts("months")["months"]
    if months is None:  # a text the word finder cannot look into
        return list(lex.patterns["date"].finditer(view.folded))
    starts = sorted({start for start, _ in view.digit_runs}.union(months))
    return finditer_at(lex.patterns["date"], view.folded, starts)


def year_spans(view: TextView) -> list[tuple[int, int]]:
    """Where ``_YEAR`` matches: runs of four digits from 1800 to 2100."""
    folded = view.folded
    return [(a, b) for a, b in view.digit_runs
            if b - a == 4 and (folded[a:a + 2] in ("18", "19", "20") or folded[a:b] == "2100")]


def find_periods(view: TextView, lex: Lexicon, dates: list[re.Match[str]] | None = None) -> list[Period]:
    """Period expressions, without overlaps, in text order (``dates``: ``find_dates``, when the caller
    has them)."""
    p = lex.patterns
    found: list[Period] = []
    taken = _Taken()
    years = year_spans(view)
    near_years = around(years, YEAR_CONTEXT, YEAR_CONTEXT, len(view.folded))
    # "since the launch of these operations in 2001" reaches further before its year (the others do not)
    far = {"period_since_event": around(years, YEAR_CONTEXT_BEFORE, YEAR_CONTEXT, len(view.folded))}
    if dates is None:
        dates = find_dates(view, lex)
    for a, b, first, last in _date_ranges(view, lex, dates):
        found.append(Period(a, b, first, last, full_dates=True))
        taken.add(a, b)
    for name in _PERIOD_PATTERNS:
        for m in finditer_in(p[name], view.folded, far.get(name, near_years)):
            a, b = m.span()
            if taken.overlaps(a, b):
                continue
            years = [int(y) for y in m.groups() if y and y.isdigit()]
            period = _period_of(name, years, a, b)
            if period is not None:
                found.append(period)
                taken.add(a, b)
    for m in dates:
        a, b = m.span()
        y = _YEAR.search(m.group(0))
        if y and not taken.overlaps(a, b):
            found.append(Period(a, b, int(y.group(1)), int(y.group(1))))
            taken.add(a, b)
    # the year a change is measured against is no period of the figures ("up 4.6 percent compared to the
    # same period in 2018": the figures' year is the sentence's other one)
    compared = p["comparison_before"]
    kept = [x for x in found if not compared.search(view.folded, max(0, x.start - COMPARISON_REACH), x.start)]
    return sorted(kept, key=lambda x: x.start)


class _Taken:
    """Non-overlapping spans, with an overlap test in logarithmic time."""

    def __init__(self) -> None:
        self.starts: list[int] = []
        self.ends: list[int] = []

    def overlaps(self, a: int, b: int) -> bool:
        i = bisect.bisect_left(self.starts, b)
        return i > 0 and self.ends[i - 1] > a

    def add(self, a: int, b: int) -> None:
        i = bisect.bisect_left(self.starts, a)
        self.starts.insert(i, a)
        self.ends.insert(i, b)


def _period_of(name: str, years: list[int], a: int, b: int) -> Period | None:
    if not years:
        return None
    if name in ("period_range", "period_dash"):
        if len(years) < 2 or years[1] < years[0]:
            return None
        return Period(a, b, years[0], years[1])
    if name in ("period_open", "period_open_now", "period_since_event"):
        return Period(a, b, years[0], None)
    if name == "period_deadline":
        return Period(a, b, None, years[0], deadline=True)
    if name == "period_until":
        return Period(a, b, None, years[0])
    return Period(a, b, years[0], years[0])


def _date_ranges(view: TextView, lex: Lexicon, matches: list[re.Match[str]]
                 ) -> list[tuple[int, int, int, int]]:
    """Two dates joined by a dash: "(07-01-1979 – 07-01-2020)", "January 7, 1979 - January 7, 2024"."""
    dates = [(m.start(), m.end(), _YEAR.search(m.group(0))) for m in matches]
    out = []
    for (a1, b1, y1), (a2, b2, y2) in itertools.pairwise(dates):
        if y1 and y2 and lex.patterns["date_range_gap"].match(view.folded[b1:a2]):
            first, last = int(y1.group(1)), int(y2.group(1))
            if first <= last:
                out.append((a1, b2, first, last))
    return out


def period_for(periods: list[Period], start: int, end: int, others: list[tuple[int, int]],
               after: int | None = None, breaks: Sequence[int] = ()) -> tuple[int | None, int | None]:
    """The (first, last) years of the period expression that governs the figure at ``start:end``.

    An expression before the figure scopes forward over the rest of the sentence ("In 2022,
    A and B"); one after it binds only to the figure right before it ("A in 2022, up from B
    in 2021"), so it is skipped when another figure (``others``) stands between them.
    ``after`` restricts the choice to expressions starting after that offset (a target's goal
    word: the years before it describe what was achieved). ``breaks``: where another statement opens
    in the sentence ("while", "tandis que"): an expression right after a figure, before one, does not
    reach past it (one that opens the sentence does: "In 2022, trade reached A while B").
    """
    best: tuple[float, Period] | None = None
    for period in periods:
        if after is not None and period.start < after:
            continue
        if period.end <= start:
            if breaks and any(period.end <= b < start for b in breaks) and any(
                    0 <= period.start - o_end <= TRAILING_GAP for _, o_end in others):
                continue  # "$186 million in 2009, while Vietnam's exports ...": that figure's year only
            gap = start - period.end
        elif period.start >= end:
            if any(end <= o_start and o_end <= period.start for o_start, o_end in others):
                continue
            gap = period.start - end + TRAILING_PENALTY
        else:
            continue
        if best is None or gap < best[0]:
            best = (gap, period)
    return (best[1].first, best[1].last) if best else (None, None)
