"""Claims as readable facts: amounts with their qualifier, periods, and where each came from.

Pure functions on values and DataFrames; every chart and table label is made here,
so ``> $548M`` reads the same on the trade chart, in the key figures and in the briefing.
"""

from __future__ import annotations

import functools
import html
import math
import re
import textwrap
from collections.abc import Callable, Iterable

import numpy as np
import pandas as pd

from etl import metadata

#: How a qualifier is written in front of a figure.
QUALIFIER_PREFIX = {
    "exact": "",
    "approx": "≈ ",
    "more_than": "> ",
    "less_than": "< ",
    "at_least": "≥ ",
    "up_to": "≤ ",
    "range": "",
}
QUALIFIER_WORDS = {
    "exact": "exact",
    "approx": "approximately",
    "more_than": "more than",
    "less_than": "less than",
    "at_least": "at least",
    "up_to": "up to",
    "range": "range",
}
#: Suffixes for large numbers, largest first.
_SCALES = ((1e12, "T"), (1e9, "B"), (1e6, "M"), (1e3, "K"))
#: Significant digits shown in compact numbers.
SIGNIFICANT = 3
#: Magnitudes written in scientific notation ("1e+18", "1e-300") rather than with dozens of digits.
SCIENTIFIC_FROM, SCIENTIFIC_BELOW = 1e15, 1e-3
#: How a value that is missing, not a number or infinite is written: the tables may hold any float.
UNKNOWN_AMOUNT = "?"
#: Hover texts remembered (see ``hover_quote``).
HOVER_CACHE_SIZE = 100_000
#: What ``articles.published_basis`` says when the date or its year was inferred from the text.
INFERRED_MARKS = (metadata.INFERRED, metadata.YEAR_INFERRED)
#: Counts below this are written in full ("25,000"), above it compactly ("3M").
FULL_COUNT_LIMIT = 1e6
CURRENCY_SYMBOLS = {"USD": "$"}
DURATION_UNITS = ("year", "month", "day")
#: Hover and quote lines are wrapped at this width (characters).
WRAP_WIDTH = 80
MONEY_KIND = "currency"


def compact(value: float) -> str:
    """A number with a K/M/B/T suffix and at most three significant digits.

    >>> compact(548e6), compact(2.76e9), compact(13e6), compact(950), compact(1500), compact(0.5)
    ('548M', '2.76B', '13M', '950', '1.5K', '0.5')
    >>> compact(1e18), compact(-2.5e300), compact(1e-300)
    ('1e+18', '-2.5e+300', '1e-300')
    """
    if abs(value) < SCIENTIFIC_FROM:
        for scale, suffix in _SCALES:
            if abs(value) >= scale:
                return f"{_significant(value / scale)}{suffix}"
    return _significant(value)


def _significant(value: float) -> str:
    if value == 0:
        return "0"
    if not SCIENTIFIC_BELOW <= abs(value) < SCIENTIFIC_FROM:  # also inf and NaN, which have no digits
        return f"{value:.{SIGNIFICANT}g}"
    digits = max(SIGNIFICANT - 1 - math.floor(math.log10(abs(value))), 0)
    text = f"{round(value, digits):.{digits}f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


def format_amount(value: float, unit: str) -> str:
    """A value in its own unit, compactly.

    >>> format_amount(548e6, "USD"), format_amount(1.2e12, "VND"), format_amount(25, "count")
    ('$548M', '1.2T VND', '25')
    >>> format_amount(84, "percent"), format_amount(41, "year"), format_amount(160e6, "kWh")
    ('84%', '41 years', '160M kWh')
    >>> format_amount(float("inf"), "USD"), format_amount(pd.NA, "count"), format_amount(1e300, "USD")
    ('?', '?', '$1e+300')
    """
    if not is_number(value):
        return UNKNOWN_AMOUNT
    if unit in CURRENCY_SYMBOLS:
        return f"{CURRENCY_SYMBOLS[unit]}{compact(value)}"
    if unit == "percent":
        return f"{_significant(value)}%"
    if unit == "count":
        return f"{value:,.0f}" if abs(value) < FULL_COUNT_LIMIT else compact(value)
    if unit in DURATION_UNITS:
        return f"{_significant(value)} {unit}{'' if value == 1 else 's'}"
    return f"{compact(value)} {unit}"


def claim_label(
    qualifier: str, value: float, unit: str, low: float | None = None, high: float | None = None
) -> str:
    """The figure as a reader should see it, hedge included.

    >>> claim_label("more_than", 548e6, "USD")
    '> $548M'
    >>> claim_label("range", 50e6, "USD", 30e6, 70e6)
    '$30M–$70M'
    >>> claim_label("approx", 200, "count")
    '≈ 200'
    >>> claim_label("range", 50e6, "USD", float("-inf"), 70e6)  # an end that is no number: the midpoint
    '$50M'
    """
    if qualifier == "range" and is_number(low) and is_number(high):
        return f"{format_amount(low, unit)}–{format_amount(high, unit)}"
    return QUALIFIER_PREFIX.get(qualifier, "") + format_amount(value, unit)


def _present(value: object) -> bool:
    return value is not None and not pd.isna(value)


def is_number(value: object) -> bool:
    """Whether a value cell holds a finite number: one that can be written and drawn.

    >>> is_number(548e6), is_number(0), is_number(float("inf")), is_number(float("nan")), is_number(pd.NA)
    (True, True, False, False, False)
    """
    return _present(value) and math.isfinite(value)


def drawable_values(values: pd.Series, log: bool = False) -> pd.Series:
    """Values as floats, NaN where a chart cannot place them: missing, not a number, infinite, or (on
    a ``log`` axis) not above zero.

    >>> drawable_values(pd.Series([5.0, float("inf"), None, 0.0, -1.0]), log=True).tolist()
    [5.0, nan, nan, nan, nan]
    """
    numbers = values.astype(float)
    keep = np.isfinite(numbers) & (numbers > 0 if log else True)
    return numbers.where(keep)


def drawable(claims: pd.DataFrame, log: bool = False) -> pd.DataFrame:
    """The claims whose ``value`` a chart can place (see ``drawable_values``); the others stay in the
    tables, labelled ``UNKNOWN_AMOUNT`` when they are no number."""
    return claims[drawable_values(claims["value"], log).notna()]


def is_target(value: object) -> bool:
    """A ``target`` cell as a plain bool (missing counts as achieved).

    >>> is_target(pd.NA), is_target(pd.array([True], dtype="boolean")[0])
    (False, True)
    """
    return False if pd.isna(value) else bool(value)


def published_year(published: object) -> int | None:
    """The year of an ISO date at any precision.

    >>> published_year("2018-07-18"), published_year("2023"), published_year(None)
    (2018, 2023, None)
    """
    if isinstance(published, str) and published[:4].isdigit():
        return int(published[:4])
    return None


def period_span(start: object, end: object, year_published: int | None) -> tuple[int, int] | None:
    """First and last year a figure covers; an open end runs to the publication year.

    >>> period_span(2015, None, 2023), period_span(2022, 2022, 2024), period_span(None, None, 2020)
    ((2015, 2023), (2022, 2022), (2020, 2020))
    >>> period_span(None, 2030, 2024), period_span(None, None, None), period_span(2030, 2020, None)
    ((2030, 2030), None, (2020, 2030))
    """
    first, last, published = _year(start), _year(end), _year(year_published)
    if first is not None and last is not None:
        return min(first, last), max(first, last)  # a period written the wrong way round
    if first is not None:
        return first, max(first, published) if published is not None else first
    if last is not None:
        return last, last
    if published is not None:
        return published, published
    return None


def _year(value: object) -> int | None:
    """A year cell as an int, ``None`` when it is empty (``None`` or ``pd.NA``: the tables' integers
    are nullable)."""
    return int(value) if _present(value) else None


def period_label(start: object, end: object, year_published: int | None = None,
                 inferred: object = False) -> str:
    """The period a figure covers, as words; ``inferred``: the publication year was inferred from the text.

    >>> period_label(1979, 1989), period_label(2022, 2022), period_label(2015, None, 2023)
    ('1979–1989', '2022', '2015 onwards (to 2023)')
    >>> period_label(None, 2030), period_label(None, None), period_label(2015, None, pd.NA)
    ('by 2030', '', '2015 onwards')
    >>> period_label(2015, None, 2023, True)
    '2015 onwards (to 2023, inferred)'
    """
    first, last, published = _year(start), _year(end), _year(year_published)
    if first is not None and last is not None:
        return str(first) if first == last else f"{first}–{last}"
    if first is not None:
        if published is None:
            return f"{first} onwards"
        return f"{first} onwards (to {shown_date(published, inferred)})"
    if last is not None:
        return f"by {last}"
    return ""


def with_sources(claims: pd.DataFrame, articles: pd.DataFrame) -> pd.DataFrame:
    """Claims with their article's title, outlet, date and language, and a one-line ``source``;
    ``published_inferred`` says the date was inferred from the text (no dateline gave it)."""
    meta = articles[["article_id", "title", "outlet", "published", "language"]].copy()
    basis = articles["published_basis"] if "published_basis" in articles else [None] * len(articles)
    meta["published_inferred"] = [is_inferred(b) for b in basis]
    # per article, then merged: the Python-level formatting runs once per article, not per claim
    meta["source"] = [
        source_text(t, o, p, i) for t, o, p, i in zip(meta["title"], meta["outlet"], meta["published"],
                                                      meta["published_inferred"], strict=True)
    ]
    meta["published_year"] = pd.array([published_year(p) for p in meta["published"]], dtype="Int64")
    return claims.merge(meta, on="article_id", how="left")


def is_inferred(published_basis: object) -> bool:
    """Whether an article's date was inferred from its text (``articles.published_basis``), not read
    from a dateline: shown as such wherever the date appears.

    >>> is_inferred("inferred from text: reports the period ending 2022"), is_inferred("dateline")
    (True, False)
    >>> is_inferred("dateline (year from text: latest year mentioned, 2021)")
    True
    """
    return isinstance(published_basis, str) and any(mark in published_basis for mark in INFERRED_MARKS)


def shown_date(published: object, inferred: object = False) -> str:
    """A publication date as the pages write it: "2023, inferred" when the text only suggests it.

    >>> shown_date("2023", True), shown_date("2024-01-07")
    ('2023, inferred', '2024-01-07')
    """
    return f"{published}, inferred" if isinstance(inferred, (bool, np.bool_)) and inferred else str(published)


def source_text(title: object, outlet: object, published: object, inferred: object = False) -> str:
    """“Title”, Outlet, date — the parts that are known.

    >>> source_text("Trade grows", "VNA", "2024-01-07")
    '“Trade grows”, VNA, 2024-01-07'
    >>> source_text("Trade grows", None, None), source_text("Trade grows", None, "2023", True)
    ('“Trade grows”', '“Trade grows”, 2023, inferred')
    """
    parts = [f"“{title}”"] + [str(v) for v in (outlet,) if _present(v)]
    if _present(published):
        parts.append(shown_date(published, inferred))
    return ", ".join(parts)


#: Words right after a figure that make it a yearly rate ("USD 5 billion per annum", "5 milliards par an").
RATE = re.compile(r"\s*(?:per\s+(?:annum|year)|a\s+year|each\s+year|every\s+year|annually|yearly"
                  r"|/\s*(?:year|yr|an)|par\s+an(?:née)?|chaque\s+année|annuellement|l'an|l’an)\b",
                  re.IGNORECASE)
#: After the label of a yearly rate.
RATE_MARK = "a year"


def is_yearly_rate(text: object, quote: object) -> bool:
    """Whether the words right after a figure's text, in its sentence, make it a yearly rate.

    >>> is_yearly_rate("USD 5 billion", "The two countries aim to reach USD 5 billion per annum.")
    True
    >>> is_yearly_rate("5 milliards de dollars", "Objectif : 5 milliards de dollars par an."), is_yearly_rate(
    ...     "$5 billion", "Trade reached $5 billion in 2023.")
    (True, False)
    """
    if not isinstance(text, str) or not isinstance(quote, str) or not text:
        return False
    at = quote.find(text)
    return at >= 0 and RATE.match(quote, at + len(text)) is not None


def labelled(claims: pd.DataFrame) -> pd.DataFrame:
    """Claims (with sources) plus ``label`` (hedged figure, "a year" after a yearly rate) and ``period``
    (words) columns.

    Claims that already have them (``PageData.claims`` computes them once per view) are returned as
    they are.
    """
    if {"label", "period"} <= set(claims.columns):
        return claims
    out = claims.copy()
    out["label"] = _each_once(
        claim_label, out["qualifier"], out["value"], out["unit"], out["low"], out["high"]
    )
    if {"text", "quote"} <= set(out.columns):
        rate = _each_once(is_yearly_rate, out["text"], out["quote"])
        out["label"] = [f"{label} {RATE_MARK}" if r else label
                        for label, r in zip(out["label"], rate, strict=True)]
    years = out["published_year"] if "published_year" in out else [None] * len(out)
    inferred = out["published_inferred"] if "published_inferred" in out else [False] * len(out)
    out["period"] = _each_once(period_label, out["period_start"], out["period_end"], years, inferred)
    return out


def _each_once(function: Callable[..., str], *columns: Iterable) -> list[str]:
    """``function`` over the columns row by row, called once per distinct row (figures repeat:
    the same "$10 billion" or "2021-2025" in many articles).

    pandas finds the distinct rows (a Python set of row tuples took a quarter of a second for
    85,000 claims); empty cells of any kind (None, NaN, NA) are one value.

    >>> _each_once(lambda a, b: f"{a}{b}", pd.Series(["x", "y", "x"]), [1, 2, 1])
    ['x1', 'y2', 'x1']
    """
    keys = [c.reset_index(drop=True) if isinstance(c, pd.Series) else pd.Series(list(c), dtype=object)
            for c in columns]
    if not len(keys[0]):
        return []
    codes = pd.DataFrame(dict(enumerate(keys))).groupby(
        list(range(len(keys))), dropna=False, sort=False, observed=True).ngroup().to_numpy()
    first = np.unique(codes, return_index=True)[1]  # the first row of each group, groups numbered 0, 1...
    cells = [k.tolist() for k in keys]
    results = [function(*(cell[i] for cell in cells)) for i in first.tolist()]
    return [results[code] for code in codes.tolist()]


def strongest(pairs: pd.DataFrame, limit: int, ends: list[str]) -> tuple[pd.DataFrame, str]:
    """The ``limit`` pairs with the most sentences (column ``n``; ties in the order of ``ends``), and
    words saying so when some are left out (empty when all are kept)."""
    if len(pairs) <= limit:
        return pairs, ""
    ranked = pairs.sort_values(["n", *ends], ascending=[False] + [True] * len(ends))
    return ranked.head(limit), f"the {limit} strongest of {len(pairs):,}"


def money_claims(claims: pd.DataFrame, currency: str | None = None) -> pd.DataFrame:
    """Claims about money, optionally in one currency only."""
    money = claims[claims["kind"] == MONEY_KIND]
    if currency is not None:
        money = money[money["unit"] == currency]
    return money


def currencies(claims: pd.DataFrame) -> list[str]:
    """Currencies present, USD first, then by number of claims."""
    counts = money_claims(claims)["unit"].value_counts()
    return sorted(counts.index, key=lambda c: (c != "USD", -counts[c], c))


@functools.lru_cache(maxsize=HOVER_CACHE_SIZE)
def hover_quote(quote: object) -> str:
    """A quote escaped for a plotly hover label and wrapped onto short lines (remembered: charts
    ask again on every rerun, and wrapping tens of thousands of sentences takes seconds)."""
    text = html.escape(str(quote)) if _present(quote) else ""
    return "<br>".join(textwrap.wrap(text, WRAP_WIDTH)) or "(no quote)"


@functools.lru_cache(maxsize=HOVER_CACHE_SIZE)
def hover_source(source: object) -> str:
    return "<br>".join(textwrap.wrap(html.escape(str(source)), WRAP_WIDTH))


def summary(articles: pd.DataFrame, claims: pd.DataFrame, places: pd.DataFrame) -> dict[str, str | int]:
    """The overview's counts: articles, languages, date span, claims, places, border provinces named."""
    dates = articles["published"].dropna().sort_values()
    mentioned = places[places["n_mentions"] > 0]
    border = mentioned[mentioned["border_province"].fillna(False).astype(bool)]
    return {
        "articles": len(articles),
        "languages": ", ".join(sorted(articles["language"].dropna().unique())) or "–",
        "date span": f"{dates.iloc[0][:4]}–{dates.iloc[-1][:4]}" if len(dates) else "–",
        "claims": len(claims),
        "places": len(mentioned),
        "border provinces named": border["province_id"].dropna().nunique(),
    }
