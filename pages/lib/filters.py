"""Filters: pure functions from tables and filter values to tables, and their query-string form.

The sidebar's global filters (language, articles, publication dates, page furniture)
live in the URL, so a filtered view can be shared as a link. ``to_query`` and
``from_query`` are inverse; ``apply`` narrows every table at once.
"""

from __future__ import annotations

import calendar
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from datetime import date

import pandas as pd

from etl.schema import split_ids
from etl.text import fold
from pages.lib.facts import period_span
from pages.lib.tables import Tables

#: Query-string keys of the global filters.
Q_LANGUAGE, Q_ARTICLE, Q_FROM, Q_TO, Q_FURNITURE = "lang", "article", "from", "to", "furniture"
QUERY_KEYS = (Q_LANGUAGE, Q_ARTICLE, Q_FROM, Q_TO, Q_FURNITURE)
BODY, RELATED = "body", "related"
TRUE_WORDS = ("1", "true", "yes", "on")
#: The claims explorer's choices for the ``target`` column.
TARGET_ALL, TARGET_ACHIEVED, TARGET_ONLY = "all", "achieved", "target"
#: Publication dates outside these are slips (no news article is that old or that new), and the
#: article counts as undated: Streamlit's date slider refuses days before 1684-07-29 or after 2255-06-04.
EARLIEST_PUBLISHED, LATEST_PUBLISHED = date(1700, 1, 1), date(2199, 12, 31)


@dataclass(frozen=True)
class Filters:
    """The global filters. An empty tuple means "all"; ``None`` dates mean "no limit"."""

    languages: tuple[str, ...] = ()
    articles: tuple[str, ...] = ()
    date_from: date | None = None
    date_to: date | None = None
    include_related: bool = False

    @property
    def sections(self) -> tuple[str, ...]:
        return (BODY, RELATED) if self.include_related else (BODY,)


def to_query(f: Filters) -> dict[str, list[str]]:
    """The filters as query parameters; defaults are left out so a plain link stays plain.

    >>> to_query(Filters(languages=("fr",), date_from=date(2020, 1, 1), include_related=True))
    {'lang': ['fr'], 'from': ['2020-01-01'], 'furniture': ['1']}
    >>> to_query(Filters())
    {}
    """
    query: dict[str, list[str]] = {}
    if f.languages:
        query[Q_LANGUAGE] = list(f.languages)
    if f.articles:
        query[Q_ARTICLE] = list(f.articles)
    if f.date_from:
        query[Q_FROM] = [f.date_from.isoformat()]
    if f.date_to:
        query[Q_TO] = [f.date_to.isoformat()]
    if f.include_related:
        query[Q_FURNITURE] = ["1"]
    return query


def from_query(params: Mapping[str, str | list[str]]) -> Filters:
    """Filters read from query parameters; values that do not parse are ignored, never raised.

    >>> from_query({"lang": ["fr", "en"], "to": "2024-01-31", "furniture": "true"})
    Filters(languages=('fr', 'en'), articles=(), date_from=None, date_to=datetime.date(2024, 1, 31), \
include_related=True)
    >>> from_query({"from": "not a date"}).date_from is None
    True
    """
    return Filters(
        languages=tuple(_values(params, Q_LANGUAGE)),
        articles=tuple(_values(params, Q_ARTICLE)),
        date_from=_date(_first(params, Q_FROM)),
        date_to=_date(_first(params, Q_TO)),
        include_related=(_first(params, Q_FURNITURE) or "").lower() in TRUE_WORDS,
    )


def _values(params: Mapping[str, str | list[str]], key: str) -> list[str]:
    raw = params.get(key, [])
    values = [raw] if isinstance(raw, str) else list(raw)
    # "lang=fr,en" is accepted as well as "lang=fr&lang=en".
    return [v for item in values for v in item.split(",") if v]


def _first(params: Mapping[str, str | list[str]], key: str) -> str | None:
    values = _values(params, key)
    return values[0] if values else None


def _date(text: str | None) -> date | None:
    try:
        return date.fromisoformat(text) if text else None
    except ValueError:
        return None


def restrict(f: Filters, languages: Iterable[str], articles: Iterable[str]) -> Filters:
    """Drop filter values that name no language or article in the data (a stale shared link)."""
    known_languages, known_articles = set(languages), set(articles)
    return replace(
        f,
        languages=tuple(v for v in f.languages if v in known_languages),
        articles=tuple(v for v in f.articles if v in known_articles),
    )


def published_interval(published: object) -> tuple[date, date] | None:
    """First and last day a date of any precision may stand for.

    >>> published_interval("2020-02")
    (datetime.date(2020, 2, 1), datetime.date(2020, 2, 29))
    >>> published_interval("2018"), published_interval(None)
    ((datetime.date(2018, 1, 1), datetime.date(2018, 12, 31)), None)
    >>> published_interval("0001-01-01"), published_interval("9999"), published_interval("2024-13")
    (None, None, None)
    """
    if not isinstance(published, str):
        return None
    parts = published.split("-")
    try:
        year = int(parts[0])
        if len(parts) == 1:
            first, last = date(year, 1, 1), date(year, 12, 31)
        elif len(parts) == 2:
            month = int(parts[1])
            first, last = date(year, month, 1), date(year, month, calendar.monthrange(year, month)[1])
        else:
            first = last = date(year, int(parts[1]), int(parts[2]))
    except (ValueError, IndexError):
        return None
    return (first, last) if first >= EARLIEST_PUBLISHED and last <= LATEST_PUBLISHED else None


def date_bounds(articles: pd.DataFrame) -> tuple[date, date] | None:
    """Earliest and latest day the articles' dates may stand for."""
    spans = [s for s in map(published_interval, articles["published"]) if s]
    if not spans:
        return None
    return min(s[0] for s in spans), max(s[1] for s in spans)


def filter_articles(articles: pd.DataFrame, f: Filters) -> pd.DataFrame:
    """Articles that pass the language, article and date filters.

    A date of low precision ("2023") passes when any day it may stand for is in range;
    an undated article passes only when no date limit is set.
    """
    keep = pd.Series(True, index=articles.index)
    if f.languages:
        keep &= articles["language"].isin(f.languages)
    if f.articles:
        keep &= articles["article_id"].isin(f.articles)
    if f.date_from or f.date_to:
        lo, hi = f.date_from or date.min, f.date_to or date.max
        spans = [published_interval(p) for p in articles["published"]]
        keep &= pd.Series([s is not None and s[0] <= hi and s[1] >= lo for s in spans], index=articles.index)
    return articles[keep].reset_index(drop=True)


def matching_choices(
    texts: Mapping[str, str], query: str, keep: Iterable[str] = (), limit: int | None = None
) -> tuple[list[str], int]:
    """What a picker of many items offers: the ids in ``keep`` (chosen already: a picker keeps its
    value), then the first ``limit`` others whose text holds every word of ``query`` (case and
    accents aside), in the order of ``texts``; and how many texts match in all.

    >>> texts = {"a": "2024-01-07 Kampot rice", "b": "2023 Trade with Kiên Giang", "c": "2024 Kampot port"}
    >>> matching_choices(texts, "kampot", limit=1)
    (['a'], 2)
    >>> matching_choices(texts, "KIEN 2023", keep=["c"])
    (['c', 'b'], 1)
    >>> matching_choices(texts, "", limit=2)
    (['a', 'b'], 3)
    """
    words = fold(query).split()
    kept = [k for k in dict.fromkeys(keep) if k in texts]

    def holds_every_word(text: str) -> bool:
        folded = fold(text)
        return all(w in folded for w in words)

    matches = [k for k, text in texts.items() if holds_every_word(text)] if words else list(texts)
    taken = set(kept)
    return kept + [k for k in matches if k not in taken][:limit], len(matches)


def filter_evidence(
    df: pd.DataFrame, article_ids: Iterable[str] | None, sections: Iterable[str]
) -> pd.DataFrame:
    """Rows of claims, mentions or links from the given articles (``None``: every article) and sections."""
    keep = df["section"].isin(list(sections))
    if article_ids is not None:
        keep &= df["article_id"].isin(list(article_ids))
    if keep.all():
        return df  # nothing filtered out: no copy of (perhaps hundreds of megabytes of) rows
    return df[keep].reset_index(drop=True)


def place_counts(places: pd.DataFrame, mentions: pd.DataFrame) -> pd.DataFrame:
    """Places with ``n_mentions`` and ``n_articles`` counted over the given mentions only."""
    counts = mentions.groupby("place_id").agg(
        n_mentions=("mention_id", "size"), n_articles=("article_id", "nunique")
    )
    out = places.drop(columns=["n_mentions", "n_articles"]).merge(counts, on="place_id", how="left")
    out[["n_mentions", "n_articles"]] = out[["n_mentions", "n_articles"]].fillna(0).astype("Int64")
    return out


def apply(tables: Tables, f: Filters) -> Tables:
    """Every table narrowed to the filtered articles and sections; place counts recomputed."""
    articles = filter_articles(tables.articles, f)
    # every article passes unless a filter is set: then only the section decides
    ids = articles["article_id"].tolist() if len(articles) < len(tables.articles) else None
    mentions = filter_evidence(tables.mentions, ids, f.sections)
    return replace(
        tables,
        articles=articles,
        claims=filter_evidence(tables.claims, ids, f.sections),
        mentions=mentions,
        links=filter_evidence(tables.links, ids, f.sections),
        places=place_counts(tables.places, mentions),
    )


@dataclass(frozen=True)
class ClaimFacets:
    """The claims explorer's facets. Empty tuples mean "all"."""

    categories: tuple[str, ...] = ()
    kinds: tuple[str, ...] = ()
    units: tuple[str, ...] = ()
    qualifiers: tuple[str, ...] = ()
    target: str = TARGET_ALL
    languages: tuple[str, ...] = ()
    articles: tuple[str, ...] = ()
    places: tuple[str, ...] = ()
    sections: tuple[str, ...] = ()
    period: tuple[int, int] | None = None


#: Facets that keep the rows whose column holds one of the chosen values.
FACET_COLUMNS = {
    "categories": "category",
    "kinds": "kind",
    "units": "unit",
    "qualifiers": "qualifier",
    "languages": "language",
    "articles": "article_id",
    "sections": "section",
}


def filter_claims(claims: pd.DataFrame, facets: ClaimFacets) -> pd.DataFrame:
    """Claims (with a ``language`` column, see ``facts.with_sources``) that pass every facet."""
    keep = pd.Series(True, index=claims.index)
    for attr, column in FACET_COLUMNS.items():
        chosen = getattr(facets, attr)
        if chosen:
            keep &= claims[column].isin(chosen).fillna(False).astype(bool)
    if facets.target != TARGET_ALL:
        keep &= claims["target"].fillna(False).astype(bool) == (facets.target == TARGET_ONLY)
    if facets.places:
        wanted = set(facets.places)
        keep &= claims["place_ids"].map(lambda ids: bool(wanted & set(split_ids(ids)))).astype(bool)
    if facets.period:
        keep &= pd.Series([_covers(row, facets.period) for row in claims.itertuples()], index=claims.index)
    return claims[keep].reset_index(drop=True)


def _covers(claim: pd.Series, years: tuple[int, int]) -> bool:
    """Whether a claim's stated period overlaps ``years``; an open end runs to publication."""
    if pd.isna(claim.period_start) and pd.isna(claim.period_end):
        return False
    span = period_span(claim.period_start, claim.period_end, getattr(claim, "published_year", None))
    return span is not None and span[0] <= years[1] and span[1] >= years[0]


def period_bounds(claims: pd.DataFrame) -> tuple[int, int] | None:
    """Earliest and latest year any claim's period names."""
    years = pd.concat([claims["period_start"], claims["period_end"]]).dropna()
    return (int(years.min()), int(years.max())) if len(years) else None


def province_of(places: pd.DataFrame) -> dict[str, str]:
    """Each place id's province id (a province is its own province)."""
    known = places.dropna(subset=["province_id"])
    return dict(zip(known["place_id"], known["province_id"], strict=True))


#: How a claim about a province was found to be about it (see ``claims_in_province``), by ``scope_basis``.
FOUND_NAMED = "named in the sentence"
FOUND_FROM = {
    "sentence": "the sentence refers to it ('the province')",
    "paragraph": "named before it in the paragraph",
    "article": "the article's main place",
}


def scope_ids(claims: pd.DataFrame) -> pd.Series:
    """Each claim's scope (the places its figure is about); the places its sentence names for tables
    written before scopes were."""
    if "scope_place_ids" not in claims:
        return claims["place_ids"]
    return claims["scope_place_ids"].fillna(claims["place_ids"])


def claims_in_province(claims: pd.DataFrame, places: pd.DataFrame, province_id: str) -> pd.DataFrame:
    """Claims about the province or a place inside it (their scope), with ``found``: whether their
    sentence names it (``FOUND_NAMED``) or it was found from their context (``FOUND_FROM``)."""
    province = province_of(places)

    def inside(ids: object) -> bool:
        return any(province.get(p) == province_id or p == province_id for p in split_ids(ids))

    about = claims[scope_ids(claims).map(inside).astype(bool)].reset_index(drop=True)
    named = about["place_ids"].map(inside).astype(bool)
    basis = about["scope_basis"] if "scope_basis" in about else pd.Series(pd.NA, index=about.index)
    context = basis.map(lambda b: FOUND_FROM.get(b, FOUND_NAMED) if isinstance(b, str) else FOUND_NAMED)
    return about.assign(found=named.map({True: FOUND_NAMED, False: None}).fillna(context).astype(str))


def links_in_province(links: pd.DataFrame, places: pd.DataFrame, province_id: str) -> pd.DataFrame:
    """Cooperation links with one end in the province."""
    province = province_of(places)

    def inside(place_id: str) -> bool:
        return place_id == province_id or province.get(place_id) == province_id

    keep = links["place_a"].map(inside).astype(bool) | links["place_b"].map(inside).astype(bool)
    return links[keep].reset_index(drop=True)
