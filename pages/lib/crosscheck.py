"""Each figure once, with its sources: the facts of a view (``etl.facts``) as the pages show them.

A fact is the claims, in one or several articles, that report one figure (``claims.fact_id``). The pages
count and draw each fact once: ``fact_rows`` gives one row per fact of the view, the row of its most
precise claim (so that every chart and label builder that takes claims takes it as it is) with what
the sources say: how many articles and outlets, whether they agree, and in words "3 articles, 2
outlets" and "one outlet says $9.2B". ``fact_sources`` lists the sources of one fact side by side (each
article once, a republished copy under its original).

The facts are computed for the view, by the ETL's own function on the view's claims: with the filters
set, a fact counts the selected articles only. Pure functions on DataFrames; nothing here renders.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pyarrow as pa

from etl.facts import ARTICLE_COLUMNS, CLAIM_COLUMNS, QUALIFIER_RANK, intervals, summarise
from etl.schema import CATEGORIES, FACTS, split_ids
from etl.text import fold
from pages.lib import facts
from pages.lib.wording import counted

SINGLE, AGREE, DIFFER = "single", "agree", "differ"
#: Written as words in "one outlet says", "two outlets say".
NUMBER_WORDS = ("no", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten")
#: Columns of the facts table a row of ``fact_rows`` carries beside its claim's.
FACT_COLUMNS = ("fact_id", "n_claims", "n_articles", "n_outlets", "agreement", "claim_ids", "first_published",
                "last_published")
#: Directions as the fact ids write them, and as readers do.
SIDE_NAMES = {"vn": "Vietnam", "kh": "Cambodia"}
MEASURE_SEPARATOR = "."
#: How a fact id names a category when no measure word was found ("security-defence.1a2b...").
CATEGORY_PREFIXES = frozenset(c.replace("_", "-") for c in CATEGORIES)


def count_words(n: int, noun: str) -> str:
    """A count and its noun, the count in words up to ten.

    >>> count_words(1, "outlet"), count_words(3, "article"), count_words(12, "outlet")
    ('one outlet', 'three articles', '12 outlets')
    """
    said = NUMBER_WORDS[n] if 0 <= n < len(NUMBER_WORDS) else f"{n:,}"
    return f"{said} {noun}{'' if n == 1 else 's'}"


def sources_text(n_articles: int, n_outlets: int) -> str:
    """How many sources report a fact.

    >>> sources_text(3, 3), sources_text(1, 1), sources_text(4, 2)
    ('3 articles, 3 outlets', '1 article', '4 articles, 2 outlets')
    """
    if n_articles <= 1:
        return "1 article"
    return f"{counted(n_articles, 'article')}, {counted(n_outlets, 'outlet')}"


def measure_of(fact_id: object) -> str:
    """The measure a fact id names (its part before the hash).

    >>> measure_of("exports-vn-kh.1a2b3c4d5e6f"), measure_of("trade.0a1b"), measure_of(None)
    ('exports-vn-kh', 'trade', '')
    """
    return fact_id.rsplit(MEASURE_SEPARATOR, 1)[0] if isinstance(fact_id, str) else ""


def measure_name(measure: str) -> str:
    """A measure as words.

    >>> measure_name("exports-vn-kh"), measure_name("turnover"), measure_name("border-markers")
    ('Exports, Vietnam → Cambodia', 'Turnover', 'Border markers')
    >>> measure_name("capital-cn-kh")
    'Capital, CN → Cambodia'
    """
    parts = measure.split("-")
    if len(parts) >= 3 and all(len(p) == 2 and p.isalpha() for p in parts[-2:]):
        name = " ".join(parts[:-2]).capitalize()
        origin, destination = (SIDE_NAMES.get(p, p.upper()) for p in parts[-2:])
        return f"{name}, {origin} → {destination}"
    return " ".join(parts).capitalize()


#: A counted noun names its figure when it is this many words at most ("participating officers"); the
#: words the ETL found for a measure do when they hold the measure's own word and are this many at most.
NAME_WORDS, MEASURE_WORDS = 4, 6
#: Words that make a phrase a piece of a clause rather than the name of a measure ("Cambodia with total
#: capital", "chiffre d'affaires de la province").
CLAUSE_WORDS = frozenset({
    "with", "of", "by", "to", "for", "in", "on", "at", "from", "than",
    "de", "du", "des", "le", "la", "les", "avec", "a", "en", "entre", "par", "pour",
})


def figure_name(fact_id: object, unit: object, what: object, category: object) -> str:
    """What a figure counts or measures, in a few words, for a bar or a card: the counted noun of a count
    ("étudiants"), else the measure its fact names ("Exports, Vietnam → Cambodia"), else its category
    ("Trade"); never a piece of the sentence around it ("convenu de porter cette année le chiffre").

    >>> figure_name("students.1a2b", "count", "étudiants cambodgiens", "education")
    'étudiants cambodgiens'
    >>> figure_name("capital-vn-kh.1a2b", "USD", "Cambodia with total capital", "investment")
    'Capital, Vietnam → Cambodia'
    >>> figure_name("trade.1a2b", "USD", "convenu de porter cette année le chiffre", "trade")
    'Trade'
    >>> figure_name("turnover.1a2b", "USD", "Viet Nam-Cambodia trade turnover", "trade")
    'Viet Nam-Cambodia trade turnover'
    >>> figure_name(None, "MW", None, "energy")
    'Energy'
    >>> figure_name(None, "count", "a fourni de l'électricité à certaines communes", "security_defence")
    'Security & defence'
    """
    words = what.split() if isinstance(what, str) else []
    if unit == "count" and 0 < len(words) <= NAME_WORDS:
        return str(what)
    measure = measure_of(fact_id)
    head = measure.split("-")[0]
    folded = [fold(w) for w in words]
    if (head and 0 < len(words) <= MEASURE_WORDS and folded[-1].startswith(head)
            and not CLAUSE_WORDS.intersection(folded)):
        return str(what)  # "Viet Nam-Cambodia trade turnover": a noun phrase ending in the measure's word
    if measure and measure not in CATEGORY_PREFIXES:
        return measure_name(measure)
    if isinstance(category, str) and category:
        return category.replace("_", " & ").capitalize()
    return "Figure"


def _arrow(df: pd.DataFrame, columns: tuple[str, ...]) -> pa.Table:
    part = df[list(columns)].copy()
    for name in columns:
        if isinstance(part[name].dtype, pd.CategoricalDtype):
            part[name] = part[name].astype("string")
    return pa.Table.from_pandas(part, preserve_index=False)


def _keyed(claims: pd.DataFrame) -> pd.Series:
    """Each claim's fact id; a claim without one (written by hand, say) is a fact of its own."""
    return claims["fact_id"].fillna(claims["claim_id"]) if "fact_id" in claims else claims["claim_id"]


def fact_rows(claims: pd.DataFrame, articles: pd.DataFrame) -> pd.DataFrame:
    """One row per fact of ``claims`` (labelled, with sources: ``PageData.claims``), in the order facts
    are first met: its most precise claim's row, with ``FACT_COLUMNS``, ``median`` (the value the sources
    give, median), ``low`` and ``high`` (the smallest and largest value reported), ``spread`` (they
    differ), ``sources`` and ``dissent`` (words), and ``source`` (the claim's source, then those words).
    """
    columns = [*claims.columns, *FACT_COLUMNS, "median", "spread", "sources", "dissent"]
    if claims.empty:
        return pd.DataFrame(columns=list(dict.fromkeys(columns)))
    claims = claims.reset_index(drop=True).assign(fact_id=_keyed(claims).to_numpy())
    summary = summarise(_arrow(claims, CLAIM_COLUMNS), _arrow(_with_copies(articles), ARTICLE_COLUMNS))
    table = summary.table.to_pandas()
    rows = claims.iloc[summary.best].reset_index(drop=True)
    for name in FACT_COLUMNS:
        rows[name] = table[name].astype(FACTS.column(name).pandas_type).to_numpy()
    rows["median"] = pd.array(table["value"], dtype="Float64")
    rows["low"] = pd.array(table["low"], dtype="Float64")
    rows["high"] = pd.array(table["high"], dtype="Float64")
    rows["spread"] = (table["low"] < table["high"]).to_numpy()
    rows["sources"] = [sources_text(a, o)
                       for a, o in zip(table["n_articles"], table["n_outlets"], strict=True)]
    rows["dissent"] = dissent(claims, articles, rows)
    said = rows["sources"].where(rows["dissent"] == "", rows["sources"] + " · " + rows["dissent"])
    rows["source"] = rows["source"].astype(str) + " · " + said
    return rows


def _with_copies(articles: pd.DataFrame) -> pd.DataFrame:
    """Articles with a ``duplicate_of`` column (an older table has none: no article is a copy)."""
    return articles if "duplicate_of" in articles else articles.assign(duplicate_of=pd.NA)


def _roots(claims: pd.DataFrame, articles: pd.DataFrame) -> pd.Series:
    """The article each claim counts for: its own, or the original it is a copy of."""
    articles = _with_copies(articles)
    originals = articles["duplicate_of"].fillna(articles["article_id"])
    root = dict(zip(articles["article_id"].tolist(), originals.tolist(), strict=True))
    return claims["article_id"].map(root).fillna(claims["article_id"])


#: What ``per_source`` and ``dissent`` read of a claim (the rest of a wide row is only carried along).
SOURCE_COLUMNS = ("claim_id", "article_id", "fact_id", "value", "low", "high", "qualifier", "label", "outlet")


def per_source(claims: pd.DataFrame, articles: pd.DataFrame) -> pd.DataFrame:
    """Each fact's sources: for every article (a copy counted as its original) its most precise claim of
    the fact, with ``root`` (that article), ``copies`` (its copies in the view, ``;``-joined) and ``lo``,
    ``hi`` (the values the claim is consistent with)."""
    claims = claims.assign(fact_id=_keyed(claims).to_numpy(), root=_roots(claims, articles).to_numpy())
    copy = (claims["article_id"] != claims["root"]).to_numpy()
    rank = claims["qualifier"].astype(str).map(QUALIFIER_RANK).fillna(len(QUALIFIER_RANK)).to_numpy()
    order = claims[["fact_id", "root"]].assign(_copy=copy, _rank=rank) \
        .sort_values(["fact_id", "root", "_copy", "_rank"], kind="stable")
    firsts = order.index[~order.duplicated(["fact_id", "root"]).to_numpy()]
    best = claims.loc[firsts]
    copied = claims.loc[copy, ["fact_id", "root", "article_id"]].drop_duplicates()
    joined = copied.groupby(["fact_id", "root"], sort=False)["article_id"].agg(";".join)
    keys = pd.MultiIndex.from_arrays([best["fact_id"], best["root"]])
    best = best.assign(copies=joined.reindex(keys).fillna("").to_numpy())
    lo, hi = _bounds(best)
    return best.assign(lo=lo, hi=hi).reset_index(drop=True)


def _bounds(claims: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:
    """The values each claim is consistent with (``etl.facts.intervals``)."""
    def floats(name: str) -> np.ndarray:
        return claims[name].astype(float).to_numpy(na_value=np.nan)

    qualifiers = claims["qualifier"].astype(str).to_numpy()
    return intervals(floats("value"), floats("low"), floats("high"), qualifiers)


def dissent(claims: pd.DataFrame, articles: pd.DataFrame, rows: pd.DataFrame) -> list[str]:
    """For each fact of ``rows``, words for the sources whose figure does not agree with its row's
    ("one outlet says $9.2B"); empty when all agree."""
    differ = rows[rows["agreement"] == DIFFER]
    if differ.empty:
        return [""] * len(rows)
    mine = claims[_keyed(claims).isin(set(differ["fact_id"])).to_numpy()]
    sources = per_source(mine[[c for c in SOURCE_COLUMNS if c in mine]], articles)
    bounds = claim_intervals(claims, differ["claim_id"])
    own = pd.DataFrame({"fact_id": differ["fact_id"].to_numpy(),
                        "own_lo": [bounds[c][0] for c in differ["claim_id"]],
                        "own_hi": [bounds[c][1] for c in differ["claim_id"]]})
    sources = sources.merge(own, on="fact_id")
    others = sources[(sources["hi"] < sources["own_lo"]) | (sources["lo"] > sources["own_hi"])]
    others = others.assign(said_by=others["outlet"].astype(object).fillna(others["root"]).to_numpy())
    counts = others.groupby(["fact_id", "label"], sort=False, observed=True)["said_by"].nunique()
    said: dict[str, list[str]] = {}
    for (fact_id, label), n in counts.items():
        verb = "says" if n == 1 else "say"
        said.setdefault(fact_id, []).append(f"{count_words(n, 'outlet')} {verb} {label}")
    return ["; ".join(said.get(f, ())) for f in rows["fact_id"].tolist()]


def claim_intervals(claims: pd.DataFrame, claim_ids: pd.Series) -> dict[str, tuple[float, float]]:
    """The values each of these claims is consistent with (``etl.facts.intervals``), by claim id."""
    chosen = claims[claims["claim_id"].isin(set(claim_ids))]
    lo, hi = _bounds(chosen)
    return {c: (float(a), float(b)) for c, a, b in zip(chosen["claim_id"], lo, hi, strict=True)}


def fact_sources(claims: pd.DataFrame, articles: pd.DataFrame, fact_id: str) -> pd.DataFrame:
    """The sources of one fact, side by side: each article once (its copies named), its most precise
    claim's label, quote and source, whether it agrees with the fact's row, the earliest first."""
    mine = claims[_keyed(claims) == fact_id]
    if mine.empty:
        return pd.DataFrame(columns=["root", "label", "quote", "source", "outlet", "published", "copies",
                                     "claim_id", "agrees"])
    sources = per_source(mine, articles).sort_values(["published", "root"], na_position="last")
    row = fact_rows(mine, articles).iloc[0]
    lo, hi = claim_intervals(mine, pd.Series([row["claim_id"]]))[row["claim_id"]]
    sources["agrees"] = ~((sources["hi"] < lo) | (sources["lo"] > hi))
    return sources.reset_index(drop=True)


def facts_in_view(rows: pd.DataFrame, several: bool = True) -> pd.DataFrame:
    """Facts for the cross-check: reported by several articles (``several``), those whose sources differ
    first, then by how many articles report them."""
    chosen = rows[rows["n_articles"] > 1] if several else rows
    order = chosen.assign(_differ=(chosen["agreement"] != DIFFER).to_numpy())
    return order.sort_values(["_differ", "n_articles", "n_claims"], ascending=[True, False, False],
                             kind="stable").drop(columns="_differ").reset_index(drop=True)


def fact_label(row: pd.Series) -> str:
    """A fact in one line: its figure, period and sources ("≈ $10.6B in 2022 · 3 articles, 3 outlets")."""
    period = f" in {row['period']}" if isinstance(row.get("period"), str) and row["period"] else ""
    return f"{row['label']}{period} · {row['sources']}"


def yearly_series(rows: pd.DataFrame, places: pd.DataFrame, currency: str) -> pd.DataFrame:
    """One point per year and measure: the national, achieved money facts in ``currency`` whose period is
    one year and whose id names a measure (not only a category), the one reported by most articles
    for each year and measure; with ``measure`` (words), ``year``, its value, spread and sources."""
    money = facts.money_claims(rows, currency)
    money = money[~money["target"].fillna(False).astype(bool)]
    one_year = money["period_start"].notna() & (money["period_start"] == money["period_end"])
    money = money[one_year.fillna(False).astype(bool)]
    if money.empty:
        return money.assign(measure=pd.Series(dtype=str), year=pd.Series(dtype="Int64"))
    national = national_scope(money["scope_place_ids"], places)
    money = money[national.to_numpy()]
    measures = money["fact_id"].map(measure_of)
    named = ~measures.isin(CATEGORY_PREFIXES)  # a fact whose id names only its category has no measure
    money = money.assign(measure=measures.map(measure_name), year=money["period_start"])[named.to_numpy()]
    ranked = money.sort_values(["measure", "year", "n_articles", "n_claims"],
                               ascending=[True, True, False, False])
    return ranked.drop_duplicates(["measure", "year"]).reset_index(drop=True)


def national_scope(scopes: pd.Series, places: pd.DataFrame) -> pd.Series:
    """Whether each scope names no place inside a province (only countries, regions, rivers, or nothing)."""
    inside = set(places.loc[~places["level"].isin(["country", "region", "river"]), "place_id"])
    return scopes.map(lambda ids: not any(p in inside for p in split_ids(ids))).astype(bool)
