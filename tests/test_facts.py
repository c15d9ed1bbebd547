"""One figure, once: which claims report the same fact (``etl.facts``, ``etl.measures``).

Sentences of our own, in both languages, grouped by what they check: the same measure from two outlets
(their values agree or differ), and what keeps two figures apart (direction, exports and imports,
goods, provincial and national, goal and achieved); then the grouping inside one article, and the
facts table made from claims and articles.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pyarrow as pa
import pytest

from etl.facts import AGREE, DIFFER, SINGLE, facts_table, interval, intervals
from etl.schema import ARTICLES, CLAIMS
from tests.conftest import run_extract


@dataclass(frozen=True)
class Pair:
    """Two articles and a figure in each: one fact or two, and whether their sources agree."""

    id: str
    first: str
    second: str
    same: bool
    agreement: str | None = None  # when one fact
    figures: tuple[str, str] = ("", "")  # text in each claim's span, when an article has several figures


def claim_of(text: str, name: str, figure: str) -> dict:
    claims = run_extract(text, name=name).claims
    chosen = [c for c in claims if figure in c["text"]] if figure else claims
    assert chosen, f"no claim with {figure!r} in {text!r}: {[c['text'] for c in claims]}"
    return chosen[0]


def agreement_of(*claims: dict) -> str:
    articles = [{"article_id": c["article_id"], "outlet": f"outlet of {c['article_id']}", "published": "2023-01",
                 "duplicate_of": None} for c in claims]
    table = facts_table(pa.Table.from_pylist(list(claims), schema=CLAIMS.arrow_schema),
                        pa.Table.from_pylist(articles, schema=ARTICLES.arrow_schema))
    assert table.num_rows == 1
    return table.column("agreement")[0].as_py()


SAME_MEASURE = [
    # English
    Pair("en: rounding agrees",
         "HANOI, January 5, 2023 (VNA) - Two-way trade between Vietnam and Cambodia reached $10.6 billion in 2022.",
         "PHNOM PENH, January 9, 2023 (Khmer Times) - Bilateral trade between Cambodia and Vietnam hit $10.57 billion in 2022.",
         True, AGREE),
    Pair("en: two values differ",
         "Two-way trade between Vietnam and Cambodia reached $10.6 billion in 2022, the ministry said.",
         "Bilateral trade between Cambodia and Vietnam was $9.2 billion in 2022, customs data show.",
         True, DIFFER),
    Pair("en: a hedge agrees",
         "Trade between Vietnam and Cambodia reached more than $10 billion in 2022.",
         "Two-way trade between Vietnam and Cambodia reached $10.6 billion in 2022.",
         True, AGREE),
    Pair("en: a range agrees",
         "Trade between Vietnam and Cambodia was between $10 billion and $11 billion in 2022.",
         "Two-way trade between Vietnam and Cambodia reached $10.6 billion in 2022.",
         True, AGREE),
    Pair("en: a hedge that does not reach",
         "Trade between Vietnam and Cambodia reached less than $8 billion in 2022.",
         "Two-way trade between Vietnam and Cambodia reached $10.6 billion in 2022.",
         True, DIFFER),
    # French
    Pair("fr: arrondi concordant",
         "Les échanges commerciaux entre le Vietnam et le Cambodge ont atteint 10,6 milliards de dollars en 2022.",
         "Le commerce bilatéral entre le Cambodge et le Vietnam a atteint 10,57 milliards de dollars en 2022.",
         True, AGREE),
    Pair("fr: deux valeurs divergent",
         "Les échanges commerciaux entre le Vietnam et le Cambodge ont atteint 10,6 milliards de dollars en 2022.",
         "Les échanges commerciaux entre le Vietnam et le Cambodge se sont élevés à 9,2 milliards de dollars en 2022.",
         True, DIFFER),
    Pair("fr: « plus de » concorde",
         "Les échanges commerciaux entre le Vietnam et le Cambodge ont atteint plus de 10 milliards de dollars en 2022.",
         "Le commerce bilatéral entre le Vietnam et le Cambodge a atteint 10,6 milliards de dollars en 2022.",
         True, AGREE),
    # one language and the other
    Pair("en/fr: exports one way",
         "Vietnam's exports to Cambodia reached $7.4 billion in 2022.",
         "Les exportations du Vietnam vers le Cambodge se sont élevées à 7,4 milliards de dollars en 2022.",
         True, AGREE),
    Pair("en/fr: scholarships counted",
         "Vietnam granted 300 scholarships to Cambodian students in 2022.",
         "Le Vietnam a accordé 300 bourses à des étudiants cambodgiens en 2022.",
         True, AGREE),
]

DIFFERENT_FACTS = [
    Pair("en: exports each way",
         "Vietnam's exports to Cambodia reached $7.4 billion in 2022.",
         "Cambodia's exports to Vietnam reached $7.4 billion in 2022.", False),
    Pair("en: exported from and to",
         "Exports from Vietnam to Cambodia were $3.2 billion in 2022.",
         "Exports from Cambodia to Vietnam were $3.2 billion in 2022.", False),
    Pair("en: exports and imports",
         "Vietnam's exports to Cambodia reached $3.2 billion in 2022.",
         "Vietnam's imports from Cambodia reached $3.2 billion in 2022.", False),
    Pair("en: two goods",
         "Cambodia exported 1 million tonnes of rice to Vietnam in 2021.",
         "Cambodia exported 1 million tonnes of cassava to Vietnam in 2021.", False),
    Pair("en: provincial and national",
         "Trade between Kien Giang province and Kampot province reached $548 million in 2022.",
         "Trade between Vietnam and Cambodia reached $548 million in 2022.", False),
    Pair("en: goal and achieved",
         "Vietnam and Cambodia aim to raise two-way trade to $20 billion in 2025.",
         "Two-way trade between Vietnam and Cambodia reached $20 billion in 2025.", False),
    Pair("en: two years",
         "Two-way trade between Vietnam and Cambodia reached $10.6 billion in 2022.",
         "Two-way trade between Vietnam and Cambodia reached $10.6 billion in 2021.", False),
    Pair("en: capital and projects",
         "Vietnam has 200 investment projects in Cambodia, with capital of $2.9 billion.",
         "Vietnam has 200 investment projects in Cambodia, with capital of $2.9 billion.", False,
         figures=("200", "$2.9 billion")),
    Pair("fr: exportations dans les deux sens",
         "Les exportations du Vietnam vers le Cambodge ont atteint 7,4 milliards de dollars en 2022.",
         "Les exportations du Cambodge vers le Vietnam ont atteint 7,4 milliards de dollars en 2022.", False),
    Pair("fr: importations en provenance du Vietnam",
         "Le Cambodge a importé pour 3,2 milliards de dollars de marchandises en provenance du Vietnam en 2022.",
         "Le Cambodge a exporté pour 3,2 milliards de dollars de marchandises vers le Vietnam en 2022.", False),
    Pair("fr: provincial et national",
         "Les échanges commerciaux entre la province de Kien Giang et Kampot ont atteint 548 millions de dollars en 2022.",
         "Les échanges commerciaux entre le Vietnam et le Cambodge ont atteint 548 millions de dollars en 2022.", False),
    Pair("fr: objectif et réalisé",
         "Les deux pays visent à porter les échanges commerciaux à 20 milliards de dollars en 2025.",
         "Les échanges commerciaux entre les deux pays ont atteint 20 milliards de dollars en 2025.", False),
]


@pytest.mark.parametrize("pair", SAME_MEASURE + DIFFERENT_FACTS, ids=lambda p: p.id)
def test_two_outlets_report_one_fact_or_two(pair: Pair):
    a = claim_of(pair.first, "a.txt", pair.figures[0])
    b = claim_of(pair.second, "b.txt", pair.figures[1])
    assert (a["fact_id"] == b["fact_id"]) == pair.same, (a["fact_id"], b["fact_id"])
    if pair.same:
        assert agreement_of(a, b) == pair.agreement


def test_a_fact_of_one_article_is_single():
    claim = claim_of("Two-way trade between Vietnam and Cambodia reached $10.6 billion in 2022.", "a.txt", "")
    assert agreement_of(claim) == SINGLE


def test_a_fact_id_says_its_measure_and_direction():
    assert claim_of("Vietnam's exports to Cambodia reached $7.4 billion in 2022.", "a.txt", "")[
        "fact_id"].startswith("exports-vn-kh.")
    assert claim_of("Les importations du Vietnam en provenance du Cambodge ont atteint 3 milliards de dollars en "
                    "2022.", "a.txt", "")["fact_id"].startswith("imports-kh-vn.")


# --- inside one article ----------------------------------------------------------------------------

HEADLINE_LEAD_BODY = {
    "en": """Vietnam-Cambodia trade hits $10.6 billion in 2022
HANOI, January 5, 2023 (VNA) - Two-way trade between Vietnam and Cambodia reached $10.6 billion in 2022, the Ministry of Industry and Trade said.
Vietnam's exports to Cambodia were valued at $7.4 billion, while imports from Cambodia reached $3.2 billion.
Trade between the two neighbours has grown for a decade, and the $10.6 billion recorded last year is a record.
""",
    "fr": """Le commerce Vietnam-Cambodge atteint 10,6 milliards de dollars en 2022
Hanoi, 5 janvier (VNA) - Les échanges commerciaux entre le Vietnam et le Cambodge ont atteint 10,6 milliards de dollars en 2022.
Les exportations du Vietnam vers le Cambodge se sont élevées à 7,4 milliards de dollars, et les importations en provenance du Cambodge à 3,2 milliards de dollars.
Ces 10,6 milliards de dollars sont un record.
""",
}


@pytest.mark.parametrize("lang", HEADLINE_LEAD_BODY)
def test_a_figure_in_the_headline_the_lead_and_a_recap_is_one_fact(lang: str):
    claims = run_extract(HEADLINE_LEAD_BODY[lang], name="a.txt").claims
    repeated = [c["fact_id"] for c in claims if c["value"] == 10.6e9]
    assert len(repeated) == 3 and len(set(repeated)) == 1
    others = {c["fact_id"] for c in claims if c["value"] != 10.6e9}
    assert len(others) == 2 and not others & set(repeated)  # exports and imports, each its own


LISTS = [
    ("en", "From now until 2030, Vietnam may import 14 GW of electricity from Laos, 3.8 GW from China and 4 GW from Cambodia."),
    ("en", "It was followed by Japan (7.8%), Vietnam (2.9%), Singapore (1.8%) and the Republic of Korea (1.7%)."),
    ("fr", "Les exportations ont atteint respectivement 822 728 tonnes, 155 210 tonnes et 154 000 tonnes."),
]


@pytest.mark.parametrize(("lang", "sentence"), LISTS, ids=[s[:40] for _, s in LISTS])
def test_figures_of_one_sentence_are_different_facts(lang: str, sentence: str):
    claims = run_extract(sentence, language=lang, name="a.txt").claims
    assert len(claims) >= 3
    assert len({c["fact_id"] for c in claims}) == len(claims)


def test_two_values_of_one_measure_in_an_article_are_two_facts():
    text = ("Two-way trade between Vietnam and Cambodia reached $10.6 billion in 2022.\n"
            "Another estimate put two-way trade between Vietnam and Cambodia at $9.2 billion in 2022.\n")
    claims = run_extract(text, name="a.txt").claims
    assert len({c["fact_id"] for c in claims}) == 2


def test_a_figure_without_a_year_takes_the_year_its_article_reports():
    """The lead names 2022; the next sentence's exports do not, and are the 2022 exports of another outlet."""
    a = claim_of(HEADLINE_LEAD_BODY["en"], "a.txt", "$7.4 billion")
    b = claim_of("Vietnam's exports to Cambodia reached $7.4 billion in 2022.", "b.txt", "")
    assert a["period_start"] is None and a["fact_id"] == b["fact_id"]


# --- agreement, as intervals ---------------------------------------------------------------------

INTERVALS = [
    # (value, low, high, qualifier), (value, low, high, qualifier), agree
    ((10.6e9, None, None, "exact"), (10.57e9, None, None, "exact"), True),
    ((10.6e9, None, None, "exact"), (9.2e9, None, None, "exact"), False),
    ((10e9, None, None, "more_than"), (10.6e9, None, None, "exact"), True),
    ((10e9, None, None, "more_than"), (25e9, None, None, "exact"), False),
    ((10e9, None, None, "approx"), (10.6e9, None, None, "exact"), True),
    ((12e9, None, None, "up_to"), (10.6e9, None, None, "exact"), True),
    ((10.5e9, 10e9, 11e9, "range"), (10.6e9, None, None, "exact"), True),
    ((1.8, None, None, "exact"), (1.7, None, None, "exact"), False),
    ((100, None, None, "exact"), (94, None, None, "exact"), False),
    ((921047, None, None, "exact"), (1e6, None, None, "approx"), True),
]


@pytest.mark.parametrize(("a", "b", "agree"), INTERVALS, ids=[f"{a[3]} {a[0]:g} vs {b[3]} {b[0]:g}" for a, b, _ in INTERVALS])
def test_values_agree_when_one_value_fits_them_all(a, b, agree):
    lo, hi = intervals(*zip(a, b, strict=True))
    assert (lo.max() <= hi.min()) == agree


# --- the facts table ------------------------------------------------------------------------------


def test_the_facts_table_counts_articles_outlets_and_copies():
    claims = [
        {"claim_id": "a#c1", "article_id": "a", "value": 10.6e9, "qualifier": "exact", "fact_id": "f"},
        {"claim_id": "a#c2", "article_id": "a", "value": 10.6e9, "qualifier": "exact", "fact_id": "f"},
        {"claim_id": "b#c1", "article_id": "b", "value": 10.6e9, "qualifier": "exact", "fact_id": "f"},
        {"claim_id": "c#c1", "article_id": "c", "value": 9.2e9, "qualifier": "exact", "fact_id": "f"},
        {"claim_id": "d#c1", "article_id": "d", "value": 10e9, "qualifier": "more_than", "fact_id": "f"},
        {"claim_id": "d#c2", "article_id": "d", "value": 5e6, "low": 3e6, "high": 7e6, "qualifier": "range",
         "fact_id": "g"},
    ]
    base = {"section": "body", "unit": "USD", "kind": "currency", "category": "trade", "target": False,
            "period_start": 2022, "period_end": 2022, "scope_basis": "sentence", "what": "trade"}
    articles = [
        {"article_id": "a", "outlet": "VNA", "published": "2023-01-05"},
        {"article_id": "b", "outlet": "VNS", "published": "2023-01-06", "duplicate_of": "a"},
        {"article_id": "c", "outlet": "Khmer Times", "published": "2023-01-10"},
        {"article_id": "d", "outlet": None, "published": "2023-02"},
    ]
    table = facts_table(pa.Table.from_pylist([base | c for c in claims], schema=CLAIMS.arrow_schema),
                        pa.Table.from_pylist(articles, schema=ARTICLES.arrow_schema)).to_pylist()
    f, g = table
    assert f["fact_id"] == "f" and f["n_claims"] == 5 and f["n_articles"] == 3 and f["n_outlets"] == 3
    assert (f["low"], f["high"], f["value"]) == (9.2e9, 10.6e9, 10e9)  # median of 10.6 (a and its copy), 9.2, 10
    assert f["agreement"] == DIFFER and f["claim_ids"] == "a#c1;a#c2;b#c1;c#c1;d#c1"
    assert (f["first_published"], f["last_published"]) == ("2023-01-05", "2023-02")
    assert (g["low"], g["high"], g["agreement"], g["n_outlets"]) == (3e6, 7e6, SINGLE, 1)


def test_no_measure_is_named_like_a_category():
    """A fact id names its measure, or its category when no measure word was found: they must differ."""
    from dataclasses import fields

    from etl.lexicon.model import FactMeasures
    from etl.schema import CATEGORIES

    assert not {f.name.replace("_", "-") for f in fields(FactMeasures)} & {c.replace("_", "-") for c in CATEGORIES}


def test_one_claim_s_interval_is_the_vectorised_one_to_the_bit():
    """``interval`` (per claim, while an article is extracted) and ``intervals`` (the facts table) say the
    same rule twice: they must give the same floats, or a fact would group in one and not the other."""
    rng = np.random.default_rng(7)
    n = 4000
    values = np.concatenate([rng.uniform(-1e12, 1e12, n // 4), np.round(rng.uniform(0, 1e6, n // 4)),
                             np.round(rng.uniform(0, 1e4, n // 4)) * 1000, np.round(rng.uniform(0, 10, n // 4), 2)])
    values[:30] = 10.0 ** np.arange(-10, 20)
    values[30:32] = (0.0, -5.0)
    values[32:40] = (1e-310, 3.7e-316, 5e-324, -2.5e-320, 1e-300, 1.23e-305, 1e308, -1.7e308)  # tiny and huge
    qualifiers = rng.choice(["exact", "approx", "more_than", "at_least", "less_than", "up_to", "range"], size=n)
    lows = [v * 0.5 if q == "range" and k % 3 else None for k, (v, q) in enumerate(zip(values, qualifiers, strict=True))]
    highs = [v * 1.5 if lo is not None and k % 5 else None for k, (v, lo) in enumerate(zip(values, lows, strict=True))]
    lo, hi = intervals(values, lows, highs, qualifiers)
    one = [interval(float(v), low, high, str(q)) for v, low, high, q in zip(values, lows, highs, qualifiers, strict=True)]
    assert [a for a, _ in one] == lo.tolist() and [b for _, b in one] == hi.tolist()


@pytest.mark.parametrize("zeros", [300, 314, 322, 330])
def test_a_figure_too_small_for_its_digits_still_gets_its_fact(zeros: int):
    """"0.000...1 tonnes" with hundreds of zeros (a damaged page): below 1e-308 a float loses digits and
    10 ** -320 is zero, which the rounding of its interval once divided by."""
    text = f"Bilateral trade reached 0.{'0' * zeros}1 tonnes of rice in 2023, the ministry said in Phnom Penh."
    claims = run_extract(text, language="en").claims
    assert [c["unit"] for c in claims] == ["tonne"] and claims[0]["fact_id"]
