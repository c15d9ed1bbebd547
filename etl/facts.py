"""Facts: the claims, in one article or in several, that report the same figure.

A figure in a headline, a lead and a body is three claims but one fact; the same figure in three
outlets is three claims, three articles, one fact; $10.6B and $9.2B for the same year's trade from two
outlets are one fact on which the sources differ. ``claims.fact_id`` says which fact a claim reports,
``facts.csv`` has one row per fact.

**The fact key** is computed per claim while its article is extracted, from that article alone (no
state shared between articles, so any engine and any incremental build give the same ids). It is::

    unit | category | target or achieved | period | scope | measure

* *period*: the years the claim covers; when its sentence names none, the year the article's figures
  are about (the single year its achieved body figures most often cover: a January article on "trade
  reached $10.6 billion in 2022" gives its exports without repeating the year), else "as of" its
  publication year (a figure without a year in a 2018 article is not the one of a 2023 article); without
  that either, the article itself (such a figure cannot be matched with another article's).
* *scope* (``etl.scope``), as a key: the provinces of the Vietnamese and Cambodian places it is about (a
  town counts for its province), and the other countries it names unless it names both Vietnam and
  Cambodia; "national" when there are neither. A provincial figure is not the national one.
* *measure* (``etl.measures``): turnover, exports or imports and which way, investment capital or the
  number of projects, a count's counted noun, the goods, and a percentage's aspect (change or share).

**Inside one article**, the claims are grouped before their keys are final. Two claims of one sentence
are never one fact (a sentence does not repeat its figure: "14 GW from Laos, 3.8 GW from China and 4 GW
from Cambodia"). Otherwise a claim joins an earlier group when its unit and target are the group's and

* its key is the group's (each part known or unknown alike) and its value agrees with every value of
  the group (below); or
* each part of its key is the group's or unknown on one side (no period, no measure word, category
  ``other``, a scope found only from the paragraph or the article), and it gives the group's figure:
  the same value, or a hedge that holds it ("over $10B" and "$10.6 billion").

So the headline's "$10.6B" (no year, scope from the title), the lead's "$10.6 billion in 2022" and a
closing recap are one group, whose key takes the known parts of all of them; "2.3 billion" this year
and "2.28 billion in 2012" are not. Two groups that end with the same key but values that do not agree
are two facts: all but the largest get the value added to their key. A duration ("41 years") measures
time, not a figure other outlets report: its fact is its sentence's own (and a republished copy's of
that sentence). The id is ``{measure}.{hash}``: the measure and its direction ("exports-vn-kh"), or
the category when no measure word was found, then 12 hex digits of the key's SHA-256.

**Agreement.** Each claim stands for an interval of values: an exact figure for the values that round
to it (a hair under half a unit of its last significant digit, at most ``ROUNDING`` of it: "10.6
billion" for 10.55 to 10.65, "921,047" for itself, "100" for 95 to 105), "about" X for at least
``APPROX`` either side, a range for its ends so rounded, "more than" / "at least" X for X up to
X × (1 + ``HEDGE_REACH``), "less than" / "up to" X for X / (1 + ``HEDGE_REACH``) up to X. Values agree
when some value lies in every interval: "more than $10B" agrees with $10.6B, $10.6B and $10.57B agree,
$10.6B and $9.2B differ, 1.7% and 1.8% differ.

**The facts table** (``facts_table``) is made when the tables are saved, from the claims and articles
tables (the columns it needs, as Arrow; the work is vectorised, no loop over claims): per fact, the
median of the values its articles give (each article's most precise value, a republished copy
counting as its original, ``articles.duplicate_of``), the smallest and largest value reported (range
ends included), its claims, articles and outlets, its first and last publication date, and whether the
sources agree. Its label, period, scope and category are those of its most precise claim: exact before
range before "about" before a hedge, then nearest the median, with a period, with a scope from its
sentence, in the body, first in text order.
"""

from __future__ import annotations

import hashlib
import math
import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from typing import NamedTuple

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from etl.arrays import unique
from etl.measures import Measure
from etl.places import Gazetteer
from etl.schema import AGREEMENTS, FACTS, ID_SEPARATOR, split_ids
from etl.text import boundary_view, fold

SINGLE, AGREE, DIFFER = AGREEMENTS
#: An exact figure stands for the values that round to it, at most this share either side of it (the
#: trailing zeros of "100" may be rounding, or not).
ROUNDING = 0.05
#: A hair under half a unit of the last significant digit: 1.7 and 1.8 stand for intervals that do not meet.
HALF_UNIT = 0.49
#: Significant digits a value is read with (the extractor rounds values to 12).
DIGITS = 12
#: Below this power of ten, a value's digits are read with both sides multiplied by 10 ** ``SHIFT``: 10.0 **
#: -320 is zero, and a value of 1e-310 ("0.000...1" in a page) would divide by it.
TINY_SCALE, SHIFT = -300, 200
#: Kinds whose facts are their sentence's own (a duration measures time, not a figure outlets report).
LOCAL_KINDS = frozenset({"duration"})
#: A claim is weighed against this many groups at most, the latest of its unit, target and order of
#: magnitude: bounded work per figure, even in a line of thousands of figures.
MAX_CANDIDATES = 16
#: The order of magnitude of zero (and of a value that is no number), apart from every other.
ZERO_MAGNITUDE = -(10**6)
#: "About", "près de": within this share.
APPROX = 0.10
#: "More than X" is consistent with values up to X × (1 + this); "less than X" down to X / (1 + this).
HEDGE_REACH = 0.5
ABOVE = ("more_than", "at_least")
BELOW = ("less_than", "up_to")
RANGE, EXACT = "range", "exact"
#: How precise a qualifier is, most first: the fact's label comes from its most precise claim.
QUALIFIER_RANK = {EXACT: 0, RANGE: 1, "approx": 2}
OTHER_CATEGORY = "other"
SIDES = ("VN", "KH")
OUTSIDE_PROVINCES = ("country", "region", "river")
NATIONAL = "national"
#: Hex digits of the key's hash in a fact id.
ID_DIGITS = 12
SENTENCE_BASIS = "sentence"
BASIS_RANK = {SENTENCE_BASIS: 0, "paragraph": 1, "article": 2}
BODY = "body"
_SLUG = re.compile(r"[^a-z0-9]+")


def intervals(values: Sequence[float] | np.ndarray, lows: Sequence[float | None] | np.ndarray,
              highs: Sequence[float | None] | np.ndarray, qualifiers: Sequence[str] | np.ndarray
              ) -> tuple[np.ndarray, np.ndarray]:
    """The interval of values each claim is consistent with (see the module docstring).

    >>> lo, hi = intervals([10e9, 10.6e9, 9.2e9], [None] * 3, [None] * 3, ["more_than", "exact", "exact"])
    >>> (lo / 1e9).round(2).tolist(), (hi / 1e9).round(2).tolist()
    ([10.0, 10.55, 9.15], [15.0, 10.65, 9.25])
    """
    def having(names: tuple[str, ...]) -> np.ndarray:
        return np.array([q in names for q in qualifiers], dtype=bool)

    return _intervals(_float_array(values), _float_array(lows), _float_array(highs), having(("approx",)),
                      having(ABOVE), having(BELOW), having((RANGE,)))


def _float_array(values: Sequence[float | None] | np.ndarray) -> np.ndarray:
    if isinstance(values, np.ndarray):
        return values.astype(float)
    return np.array([np.nan if x is None else x for x in values], dtype=float)


def _intervals(v: np.ndarray, low: np.ndarray, high: np.ndarray, approx: np.ndarray, above: np.ndarray,
               below: np.ndarray, is_range: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """``intervals`` from the qualifiers as masks (``low``/``high``: NaN where a claim has none).

    An end beyond the largest float is infinite (as Python's floats make it in ``interval``): a value
    near 1e308 is consistent with every larger one. An infinite value (never extracted, but a table
    edited by hand may hold one) has no interval: NaN ends, consistent with nothing.
    """
    size = np.abs(v)
    rounding, low_rounding, high_rounding = _rounding(np.concatenate([v, low, high])).reshape(3, -1)
    with np.errstate(over="ignore", invalid="ignore"):
        lo, hi = v - rounding, v + rounding
        wide = np.maximum(rounding, APPROX * size)
        lo, hi = np.where(approx, v - wide, lo), np.where(approx, v + wide, hi)
        lo, hi = np.where(above, v, lo), np.where(above, v + HEDGE_REACH * size, hi)
        lo, hi = np.where(below, v - size * HEDGE_REACH / (1 + HEDGE_REACH), lo), np.where(below, v, hi)
        is_range = is_range & ~np.isnan(low) & ~np.isnan(high)
        lo = np.where(is_range, low - low_rounding, lo)
        hi = np.where(is_range, high + high_rounding, hi)
    return lo, hi


def _rounding(v: np.ndarray) -> np.ndarray:
    """How far either side of each value the values that round to it reach (see the module docstring).

    >>> _rounding(np.array([10.6e9, 921047.0, 100.0, 0.0, 1.75])).tolist()
    [49000000.0, 0.49, 5.0, 0.0, 0.0049]
    """
    a = np.where(np.isfinite(v), np.abs(v), 0.0)
    nonzero = a > 0
    exponent = np.floor(np.log10(np.where(nonzero, a, 1.0)))
    scale = exponent - (DIGITS - 1)
    shift = np.where(scale < TINY_SCALE, SHIFT, 0)  # 10 ** scale would be zero: both sides shifted
    digits = np.rint(np.where(nonzero, a, 0.0) * 10.0 ** shift / 10.0 ** (scale + shift)).astype(np.int64)
    # trailing zeros: how many times both 2 and 5 divide the digits (their greatest common divisors with
    # 2**11 and 5**11 say, at once for every value)
    twos = np.log2(np.gcd(digits, 2 ** (DIGITS - 1)))
    fives = np.log(np.gcd(digits, 5 ** (DIGITS - 1))) / np.log(5)
    trailing = np.rint(np.minimum(twos, fives))
    unit = 10.0 ** (exponent - (DIGITS - 1) + trailing)
    return np.where(nonzero, np.minimum(HALF_UNIT * unit, ROUNDING * a), 0.0)


def interval(value: float, low: float | None, high: float | None, qualifier: str) -> tuple[float, float]:
    """``intervals`` of one claim, with Python floats: an article's few claims are grouped one by one
    (``fact_ids``), where numpy's cost per call would outweigh the work; the same operations in the
    same order, so the same floats (a test compares the two).

    >>> interval(10e9, None, None, "more_than"), interval(30e6, 30e6, 70e6, "range")
    ((10000000000.0, 15000000000.0), (28500000.0, 73500000.0))
    """
    size = abs(value)
    rounding = _rounding_one(value)
    lo, hi = value - rounding, value + rounding
    if qualifier == "approx":
        wide = max(rounding, APPROX * size)
        lo, hi = value - wide, value + wide
    elif qualifier in ABOVE:
        lo, hi = value, value + HEDGE_REACH * size
    elif qualifier in BELOW:
        lo, hi = value - size * HEDGE_REACH / (1 + HEDGE_REACH), value
    elif qualifier == RANGE and low is not None and high is not None and not math.isnan(low + high):
        lo, hi = low - _rounding_one(low), high + _rounding_one(high)
    return lo, hi


def _rounding_one(v: float | None) -> float:
    """``_rounding`` of one value.

    >>> [_rounding_one(x) for x in (10.6e9, 921047.0, 100.0, 0.0, 1.75, None)]
    [49000000.0, 0.49, 5.0, 0.0, 0.0049, 0.0]
    """
    if v is None or not math.isfinite(v) or v == 0:
        return 0.0
    a = abs(v)
    exponent = math.floor(math.log10(a))
    scale = exponent - (DIGITS - 1)
    shift = SHIFT if scale < TINY_SCALE else 0
    written = str(round(a * 10.0 ** shift / 10.0 ** (scale + shift)))
    trailing = min(len(written) - len(written.rstrip("0")), DIGITS - 1)
    unit = 10.0 ** (exponent - (DIGITS - 1) + trailing)
    return min(HALF_UNIT * unit, ROUNDING * a)


def agree(lows: np.ndarray, highs: np.ndarray) -> bool:
    """Whether some value lies in every interval.

    >>> agree(*intervals([10e9, 10.6e9], [None, None], [None, None], ["more_than", "exact"]))
    True
    >>> agree(*intervals([10.6e9, 9.2e9], [None, None], [None, None], ["exact", "exact"]))
    False
    """
    return bool(np.max(lows) <= np.min(highs))


# --- the fact key, per article ----------------------------------------------------------------------


class FactKey(NamedTuple):
    """A claim's fact key before it is final: ``None`` (or category ``other``, or a measure with no
    name) where the claim does not say. (A named tuple: one is made per claim, five times faster than
    a frozen dataclass.)"""

    unit: str
    category: str
    target: bool
    period: str | None
    scope: str | None  # from the claim's own sentence; None when only the paragraph or article says
    measure: Measure
    weak_scope: str = NATIONAL  # the scope from the paragraph or the article, used when no claim says

    def compatible(self, other: FactKey) -> bool:
        """Whether two claims can report one fact: same unit and target, and every other part the same
        or unknown on one side."""
        return (self.unit == other.unit and self.target == other.target
                and _same_or_unknown(self.category, other.category, OTHER_CATEGORY)
                and _same_or_unknown(self.period, other.period) and _same_or_unknown(self.scope, other.scope)
                and _measures_compatible(self.measure, other.measure))

    def same(self, other: FactKey) -> bool:
        """Whether two keys know the same parts, alike (where the scope was found aside)."""
        return (self.unit, self.category, self.target, self.period, self.scope, self.measure) == (
            other.unit, other.category, other.target, other.period, other.scope, other.measure)

    def matches(self, other: FactKey) -> int:
        """How many parts two compatible keys both know and share (the best group has most)."""
        m, n = self.measure, other.measure
        return sum(a is not None and a == b for a, b in (
            (self.period, other.period), (self.scope, other.scope), (m.name, n.name),
            (m.direction, n.direction), (m.aspect, n.aspect)))

    def merged(self, other: FactKey) -> FactKey:
        """The key that knows what either knows."""
        m, n = self.measure, other.measure
        measure = Measure(m.name or n.name, m.direction or n.direction, m.goods or n.goods,
                          m.aspect or n.aspect)
        category = self.category if self.category != OTHER_CATEGORY else other.category
        return self._replace(category=category, period=self.period or other.period,
                             scope=self.scope or other.scope, measure=measure)

    def text(self, anchor: str) -> str:
        """The final key as text; ``anchor``: the period of a fact whose claims name none."""
        return "|".join((self.unit, self.category, "target" if self.target else "achieved",
                         self.period or anchor, self.scope or self.weak_scope, self.measure.key))

    @property
    def prefix(self) -> str:
        """The readable start of the fact's id: its measure and direction, else its category."""
        return _SLUG.sub("-", (self.measure.slug or self.category).lower()).strip("-") or OTHER_CATEGORY


def _same_or_unknown(a: object, b: object, unknown: object = None) -> bool:
    return a == b or unknown in (a, b)


def _measures_compatible(m: Measure, n: Measure) -> bool:
    return (_same_or_unknown(m.name, n.name) and _same_or_unknown(m.direction, n.direction)
            and _same_or_unknown(m.goods, n.goods, ()) and _same_or_unknown(m.aspect, n.aspect))


def scope_key(place_ids: str | None, gazetteer: Gazetteer) -> str:
    """A scope as a key part: the provinces of its Vietnamese and Cambodian places, then the other
    countries it names unless it names both Vietnam and Cambodia (then they are the terms of a
    comparison: "third among 78 countries, after Russia and Laos"); ``national`` when there are neither.

    >>> from types import SimpleNamespace as P
    >>> g = P(places={"ha-tien": P(level="city", country="VN", province_id="kien-giang"),
    ...               "vietnam": P(level="country", country="VN", province_id=None),
    ...               "cambodia": P(level="country", country="KH", province_id=None),
    ...               "laos": P(level="country", country="LA", province_id=None)})
    >>> scope_key("vietnam;ha-tien", g), scope_key("vietnam;laos", g), scope_key("vietnam;cambodia;laos", g)
    ('kien-giang', 'LA', 'national')
    >>> scope_key(None, g)
    'national'
    """
    provinces, countries, sides = set(), set(), set()
    for pid in split_ids(place_ids):
        place = gazetteer.places.get(pid)
        if place is None:
            continue
        if place.country in SIDES:
            sides.add(place.country)
        if place.level not in OUTSIDE_PROVINCES and place.country in SIDES:
            provinces.add(place.province_id or pid)
        elif place.level == "country" and place.country not in SIDES and place.country:
            countries.add(place.country)
    if sides == set(SIDES):
        countries = set()
    return ";".join(sorted(provinces) + sorted(countries)) or NATIONAL


def claim_key(claim: dict, measure: Measure, gazetteer: Gazetteer, scopes: dict | None = None) -> FactKey:
    """A claim row's key before the article's claims are grouped (``scopes``: the scope keys found so far,
    by ``scope_place_ids``: an article's claims share a few)."""
    start, end = claim.get("period_start"), claim.get("period_end")
    period = None if start is None and end is None else f"{_year(start)}-{_year(end)}"
    place_ids = claim.get("scope_place_ids")
    scopes = {} if scopes is None else scopes
    scope = scopes.get(place_ids)
    if scope is None:
        scope = scopes[place_ids] = scope_key(place_ids, gazetteer)
    strong = claim.get("scope_basis") == SENTENCE_BASIS
    return FactKey(claim["unit"], claim["category"], bool(claim["target"]), period, scope if strong else None,
                   measure, weak_scope=scope)


def _year(year: int | None) -> str:
    return "" if year is None else str(year)


def _local(claim: dict) -> str:
    """What keeps a fact of a ``LOCAL_KINDS`` claim to its own sentence (a republished copy of that
    sentence reports it too); nothing for another claim.

    >>> _local({"kind": "duration", "quote": "In just 3 years, 8 months"}), _local({"kind": "currency"})
    ('|in: in just 3 years 8 months', '')
    """
    if claim["kind"] not in LOCAL_KINDS:
        return ""
    return "|in: " + " ".join(boundary_view(fold(str(claim.get("quote") or ""))).split())


def period_anchor(article: dict, claims: Sequence[dict] = ()) -> str:
    """What a fact whose claims name no year is anchored to (see the module docstring).

    >>> year = {"period_start": 2022, "period_end": 2022, "target": False, "section": "body"}
    >>> period_anchor({"published": "2023-05-02", "article_id": "a"}, [year, year | {"period_start": 2021}])
    '2022-2022'
    >>> period_anchor({"published": "2023-05-02", "article_id": "a"}), period_anchor({"article_id": "a"})
    ('as of 2023', 'in a')
    """
    years = Counter(c["period_start"] for c in claims if c.get("section", BODY) == BODY and not c["target"]
                    and c.get("period_start") is not None and c["period_start"] == c.get("period_end"))
    if years:
        year = max(years, key=lambda y: (years[y], y))
        return f"{year}-{year}"
    published = article.get("published")
    return f"as of {published[:4]}" if published else f"in {article['article_id']}"


def fact_ids(claims: list[dict], measures: list[Measure], article: dict, gazetteer: Gazetteer) -> list[str]:
    """The fact id of each claim row of one article (see the module docstring).

    >>> from types import SimpleNamespace as P
    >>> def claim(sentence, value, qualifier="exact", period=None):
    ...     return {"sentence_id": sentence, "value": value, "qualifier": qualifier, "unit": "USD",
    ...             "kind": "currency", "category": "trade", "target": False, "period_start": period,
    ...             "period_end": period}
    >>> rows = [claim(0, 10.6e9), claim(1, 10.6e9, period=2022), claim(2, 9e9, period=2022),
    ...         claim(3, 10e9, "more_than"), claim(3, 10.6e9)]
    >>> article = {"article_id": "a", "published": "2023"}
    >>> ids = fact_ids(rows, [Measure("turnover")] * 5, article, P(places={}))
    >>> [ids.index(i) for i in ids], ids[0].startswith("turnover.")
    ([0, 0, 2, 0, 4], True)
    """
    if not claims:
        return []
    scopes: dict[str | None, str] = {}
    figures = _Figures.of(claims, [claim_key(c, m, gazetteer, scopes)
                                   for c, m in zip(claims, measures, strict=True)])
    groups: list[_Group] = []
    nearby: dict[tuple, list[_Group]] = {}  # (unit, target, sign, magnitude) -> its groups, in order
    for i in range(len(claims)):
        unit, target, sign, magnitude = figures.place(i)
        candidates = [g for m in (magnitude - 1, magnitude, magnitude + 1)
                      for g in nearby.get((unit, target, sign, m), ())[-MAX_CANDIDATES:]
                      if figures.fits(g, i)]
        if candidates:
            best = max(candidates, key=lambda g, i=i: (g.key.matches(figures.keys[i]), -g.members[0]))
            best.add(i, figures)
        else:
            group = _Group(figures.keys[i], figures.lows[i], figures.highs[i], [i],
                           {figures.sentences[i]})
            groups.append(group)
            nearby.setdefault((unit, target, sign, magnitude), []).append(group)
    anchor = period_anchor(article, claims)
    texts = [g.key.text(anchor) + _local(claims[g.members[0]]) for g in groups]
    ids: list[str] = [""] * len(claims)
    by_text: dict[str, list[_Group]] = {}
    for group, text in zip(groups, texts, strict=True):
        by_text.setdefault(text, []).append(group)
    for text, alike in by_text.items():
        same = sorted(alike, key=lambda g: (-len(g.members), g.members[0]))
        for n, group in enumerate(same):
            # the largest group keeps the key; another with values that do not agree gets its value too
            band = "" if n == 0 else f"|value {claims[group.members[0]]['value']:.12g} #{n}"
            fid = f"{group.key.prefix}.{hashlib.sha256((text + band).encode()).hexdigest()[:ID_DIGITS]}"
            for i in group.members:
                ids[i] = fid
    return ids


@dataclass
class _Group:
    """Claims of one article grouped as one fact: the key that knows what they say, and the interval of
    values every one of them is consistent with."""

    key: FactKey
    low: float
    high: float
    members: list[int]
    sentences: set[int]

    def add(self, i: int, figures: _Figures) -> None:
        self.key = self.key.merged(figures.keys[i])
        self.low, self.high = max(self.low, figures.lows[i]), min(self.high, figures.highs[i])
        self.members.append(i)
        self.sentences.add(figures.sentences[i])


@dataclass(frozen=True)
class _Figures:
    """An article's claims as ``fact_ids`` weighs them: their sentences, keys, values and intervals."""

    sentences: list[int]
    keys: list[FactKey]
    values: list[float]
    hedged: list[bool]
    lows: list[float]
    highs: list[float]

    @classmethod
    def of(cls, claims: list[dict], keys: list[FactKey]) -> _Figures:
        values = [float(c["value"]) for c in claims]  # a required column: never empty
        bounds = [interval(v, _float_or_none(c.get("low")), _float_or_none(c.get("high")), c["qualifier"])
                  for v, c in zip(values, claims, strict=True)]
        return cls([c["sentence_id"] for c in claims], keys, values,
                    [c["qualifier"] not in (EXACT, RANGE) for c in claims],
                    [lo for lo, _ in bounds], [hi for _, hi in bounds])

    def place(self, i: int) -> tuple[str, bool, int, int]:
        """Where claim ``i`` is looked for among the groups: its unit, target, sign and order of magnitude
        (a power of two: every value that can agree with it lies within a factor of two)."""
        value = self.values[i]
        magnitude = math.floor(math.log2(abs(value))) if value and math.isfinite(value) else ZERO_MAGNITUDE
        sign = (value > 0) - (value < 0)
        return self.keys[i].unit, self.keys[i].target, sign, magnitude

    def fits(self, group: _Group, i: int) -> bool:
        """Whether claim ``i`` joins ``group`` (see the module docstring)."""
        if self.sentences[i] in group.sentences:
            return False  # a sentence does not repeat its own figure
        if group.key.same(self.keys[i]):
            return max(group.low, self.lows[i]) <= min(group.high, self.highs[i])
        return group.key.compatible(self.keys[i]) and self.same_figure(group.members[0], i)

    def same_figure(self, a: int, b: int) -> bool:
        """Whether two claims give one figure: the same value, or a hedge that holds the other's."""
        return (self.values[a] == self.values[b]
                or (self.hedged[a] and self.lows[a] <= self.values[b] <= self.highs[a])
                or (self.hedged[b] and self.lows[b] <= self.values[a] <= self.highs[b]))


def _float_or_none(value: float | None) -> float | None:
    return None if value is None else float(value)


def with_fact_ids(claims: list[dict], measures: list[Measure], article: dict, gazetteer: Gazetteer
                  ) -> list[dict]:
    """The claim rows with their ``fact_id``."""
    return [{**c, "fact_id": f} for c, f in zip(claims, fact_ids(claims, measures, article, gazetteer),
                                                 strict=True)]


# --- the facts table, at save time -----------------------------------------------------------------

#: What ``facts_table`` reads of the claims and articles tables.
CLAIM_COLUMNS = ("claim_id", "article_id", "section", "value", "low", "high", "unit", "kind", "qualifier",
                 "what", "category", "period_start", "period_end", "target", "fact_id", "scope_place_ids",
                 "scope_basis")
ARTICLE_COLUMNS = ("article_id", "outlet", "published", "duplicate_of")
#: Taken from each fact's most precise claim.
FROM_BEST = ("category", "unit", "kind", "target", "period_start", "period_end", "scope_place_ids", "what")


@dataclass(frozen=True)
class Summary:
    """The facts of a set of claims (``table``, the facts table) and, for each claim, the row of its fact
    (``fact_of``); for each fact, the row of its most precise claim (``best``)."""

    table: pa.Table
    fact_of: np.ndarray
    best: np.ndarray


def facts_table(claims: pa.Table, articles: pa.Table) -> pa.Table:
    """One row per fact of ``claims`` (see the module docstring), in the order facts are first met.

    ``claims`` and ``articles`` hold at least ``CLAIM_COLUMNS`` and ``ARTICLE_COLUMNS``; a claim without a
    fact id is a fact of its own, a claim of an article ``articles`` does not hold counts as its own
    article.
    """
    return summarise(claims, articles).table


def summarise(claims: pa.Table, articles: pa.Table) -> Summary:
    """``facts_table``, with which fact each claim reports and each fact's most precise claim."""
    schema = FACTS.arrow_schema
    if claims.num_rows == 0:
        return Summary(schema.empty_table(), np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64))
    claims = claims.combine_chunks()
    n = claims.num_rows
    fact_id = pc.coalesce(_plain(claims.column("fact_id")), _plain(claims.column("claim_id")))
    encoded = pc.dictionary_encode(fact_id)
    codes = encoded.indices.to_numpy(zero_copy_only=False).astype(np.int64)
    n_facts = len(encoded.dictionary)

    article_id = _plain(claims.column("article_id"))
    ids = _plain(articles.column("article_id"))
    roots_of_articles = pc.coalesce(_plain(articles.column("duplicate_of")), ids)
    where = pc.index_in(article_id, value_set=ids)
    root = pc.coalesce(pc.take(roots_of_articles, where), article_id)  # a copy counts for its original
    root_codes = _codes(root)
    root_where = pc.index_in(root, value_set=ids)
    outlet = pc.coalesce(pc.take(_plain(articles.column("outlet")), root_where),
                         pc.binary_join_element_wise("\0", root, ""))  # an unknown outlet: its own
    outlet_codes = _codes(outlet)
    published = pc.take(_plain(articles.column("published")), where)

    value = _floats(claims.column("value"))
    low_in, high_in = _floats(claims.column("low")), _floats(claims.column("high"))
    qualifier = _plain(claims.column("qualifier"))
    lo, hi = _intervals(value, low_in, high_in, _is_in(qualifier, ("approx",)), _is_in(qualifier, ABOVE),
                        _is_in(qualifier, BELOW), _is_in(qualifier, (RANGE,)))
    smallest = np.where(np.isnan(low_in), value, np.fmin(low_in, value))
    largest = np.where(np.isnan(high_in), value, np.fmax(high_in, value))

    order = np.argsort(codes, kind="stable")
    starts = np.flatnonzero(np.r_[True, np.diff(codes[order]) != 0])
    n_claims = np.diff(np.r_[starts, n])
    low = np.minimum.reduceat(smallest[order], starts)
    high = np.maximum.reduceat(largest[order], starts)
    consistent = np.maximum.reduceat(lo[order], starts) <= np.minimum.reduceat(hi[order], starts)
    n_articles = _distinct_per(codes, root_codes, n_facts)
    n_outlets = _distinct_per(codes, outlet_codes, n_facts)
    median = _median_per(codes, root_codes, value, _precision_order(claims), n_facts)
    agreement = np.where(n_articles == 1, SINGLE, np.where(consistent, AGREE, DIFFER))

    best = _best(codes, value, median, claims)
    by_fact = pa.table({"code": codes, "claim_id": _plain(claims.column("claim_id")), "published": published})
    grouped = by_fact.group_by("code", use_threads=False).aggregate(
        [("claim_id", "list"), ("published", "min"), ("published", "max")])
    slots = grouped.column("code").to_numpy()  # the codes in the order first met: 0, 1, 2...
    assert np.array_equal(slots, np.arange(n_facts)), "facts in the order first met"
    columns = {
        "fact_id": encoded.dictionary,
        **{name: pc.take(claims.column(name), pa.array(best)) for name in FROM_BEST},
        "value": median, "low": low, "high": high, "n_claims": n_claims, "n_articles": n_articles,
        "n_outlets": n_outlets,
        "first_published": grouped.column("published_min"), "last_published": grouped.column("published_max"),
        "agreement": agreement.astype(str),
        "claim_ids": pc.binary_join(grouped.column("claim_id_list"), ID_SEPARATOR),
    }
    table = pa.table([_typed(columns[f.name], f.type) for f in schema], schema=schema)
    return Summary(table, codes, best)


def _plain(column: pa.ChunkedArray | pa.Array) -> pa.Array:
    """A column as one plain array: not dictionary-encoded, text as ``string`` (pandas gives large ones)."""
    array = column.combine_chunks() if isinstance(column, pa.ChunkedArray) else column
    array = array.dictionary_decode() if pa.types.is_dictionary(array.type) else array
    return array.cast(pa.string()) if pa.types.is_large_string(array.type) else array


def _typed(values: object, type_: pa.DataType) -> pa.Array:
    """A column of the facts table as an array of its type (from Arrow or numpy)."""
    if isinstance(values, pa.ChunkedArray):
        values = values.combine_chunks()
    if isinstance(values, pa.Array):
        return values.cast(type_)
    return pa.array(values, type_)


def _codes(values: pa.Array) -> np.ndarray:
    return pc.dictionary_encode(values).indices.to_numpy(zero_copy_only=False).astype(np.int64)


def _floats(column: pa.ChunkedArray | pa.Array) -> np.ndarray:
    return pc.cast(_plain(column), pa.float64()).to_numpy(zero_copy_only=False).astype(float)


def _distinct_per(codes: np.ndarray, others: np.ndarray, n_groups: int) -> np.ndarray:
    """For each group code, how many distinct ``others`` its rows hold."""
    if not len(codes):
        return np.zeros(n_groups, dtype=np.int64)
    pairs = unique(codes * (int(others.max()) + 1) + others)  # one number for a code and an other
    return np.bincount(pairs // (int(others.max()) + 1), minlength=n_groups)


def _median_per(codes: np.ndarray, sources: np.ndarray, values: np.ndarray, precision: list[np.ndarray],
                n_groups: int) -> np.ndarray:
    """For each group, the median of the values its sources give: each source's most precise claim's
    (``precision``: sort keys, most significant last, as ``np.lexsort`` takes them)."""
    pairs = codes * (int(sources.max()) + 1) + sources
    order = np.lexsort((*precision, pairs))
    firsts = order[np.flatnonzero(np.r_[True, np.diff(pairs[order]) != 0])]  # each source's claim
    c, v = codes[firsts], values[firsts]
    order = np.lexsort((v, c))
    c, v = c[order], v[order]
    starts = np.flatnonzero(np.r_[True, np.diff(c) != 0])
    counts = np.diff(np.r_[starts, len(c)])
    median = np.full(n_groups, np.nan)
    # halves added, not the sum halved: the same float (halving is exact), and no overflow near 1e308
    median[c[starts]] = v[starts + (counts - 1) // 2] / 2 + v[starts + counts // 2] / 2
    return median


def _precision_order(claims: pa.Table) -> list[np.ndarray]:
    """Sort keys that put a fact's most precise claims first (``np.lexsort``'s order: the last key is the
    first compared): exact before range before "about" before a hedge, with a period, with a scope from
    its sentence, in the body, first in text order."""
    precision = _ranks(_plain(claims.column("qualifier")), QUALIFIER_RANK)
    no_period = pc.and_(pc.is_null(claims.column("period_start")),
                        pc.is_null(claims.column("period_end"))).to_numpy(zero_copy_only=False)
    basis = _ranks(_plain(claims.column("scope_basis")), BASIS_RANK)
    furniture = _is_in(_plain(claims.column("section")), (BODY,)) == 0
    return [np.arange(claims.num_rows), furniture, basis, no_period, precision]


def _is_in(values: pa.Array, wanted: tuple[str, ...]) -> np.ndarray:
    return pc.fill_null(pc.is_in(values, value_set=pa.array(wanted, pa.string())), False) \
        .to_numpy(zero_copy_only=False)


def _ranks(values: pa.Array, ranks: dict[str, int]) -> np.ndarray:
    """Each value's rank in ``ranks`` (values it does not list, and nulls, last), without a loop over rows."""
    encoded = pc.dictionary_encode(pc.fill_null(values, ""))
    table = np.array([ranks.get(v, len(ranks)) for v in encoded.dictionary.to_pylist()] or [0])
    return table[encoded.indices.to_numpy(zero_copy_only=False)]


def _best(codes: np.ndarray, values: np.ndarray, median: np.ndarray, claims: pa.Table) -> np.ndarray:
    """The row of each fact's most precise claim (see the module docstring), by fact code."""
    rows, furniture, basis, no_period, precision = _precision_order(claims)
    with np.errstate(invalid="ignore", over="ignore"):  # an infinite value is no distance away: NaN, last
        distance = np.abs(values - median[codes])
    order = np.lexsort((rows, furniture, basis, no_period, distance, precision, codes))
    firsts = np.flatnonzero(np.r_[True, np.diff(codes[order]) != 0])
    best = np.empty(len(firsts), dtype=np.int64)
    best[codes[order][firsts]] = order[firsts]
    return best
