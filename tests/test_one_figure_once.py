"""One figure, once: on a corpus of our own (``conftest.FACT_ARTICLES``) where a figure is in a headline, a
lead and a closing recap, and the story is republished by another outlet under a new header, the tables
and every chart count it once, and say who reports it."""

from __future__ import annotations

import pandas as pd
import pytest

from etl.schema import TABLES_BY_NAME
from pages.lib import briefing, charts, crosscheck, facts, maps
from pages.lib.tables import Tables, coerce

NATIONAL_TRADE = "$10.6B"


def read(tables, name: str) -> pd.DataFrame:
    return coerce(TABLES_BY_NAME[name], pd.read_parquet(tables / f"{name}.parquet"))


@pytest.fixture(scope="module")
def view(fact_corpus) -> Tables:
    names = ("articles", "claims", "places", "mentions", "links", "problems", "facts")
    return Tables(**{n: read(fact_corpus.tables, n) for n in names}, build={})


@pytest.fixture(scope="module")
def claims(view: Tables) -> pd.DataFrame:
    return facts.labelled(facts.with_sources(view.claims, view.articles))


@pytest.fixture(scope="module")
def rows(view: Tables, claims: pd.DataFrame) -> pd.DataFrame:
    return crosscheck.fact_rows(claims, view.articles)


def fact_with(view: Tables, claim_id: str) -> pd.Series:
    (fact,) = [f for _, f in view.facts.iterrows() if claim_id in f["claim_ids"].split(";")]
    return fact


# --- the tables ------------------------------------------------------------------------------------


def test_the_republished_story_names_its_original(view: Tables):
    copies = dict(zip(view.articles["article_id"], view.articles["duplicate_of"], strict=True))
    assert copies["republished"] == "agency"
    assert all(pd.isna(copies[a]) for a in ("agency", "customs", "courrier", "province"))


def test_every_claim_reports_a_fact_of_the_facts_table(view: Tables):
    assert view.claims["fact_id"].notna().all()
    assert set(view.claims["fact_id"]) == set(view.facts["fact_id"])
    listed = [c for ids in view.facts["claim_ids"] for c in ids.split(";")]
    assert sorted(listed) == sorted(view.claims["claim_id"])  # each claim in one fact


def test_the_headline_lead_and_recap_are_one_fact_with_its_copy_and_two_outlets(view: Tables):
    fact = fact_with(view, "agency#c1")
    ids = set(fact["claim_ids"].split(";"))
    agency = {c for c in view.claims["claim_id"] if c.startswith("agency#")
              and view.claims.set_index("claim_id").loc[c, "value"] == 10.6e9}
    assert len(agency) == 3 and agency <= ids  # headline, lead, recap
    assert {"customs#c1", "courrier#c1"} <= ids
    assert (fact["n_articles"], fact["n_outlets"]) == (3, 2)  # the copy counts once; VNA twice, Khmer Times
    assert fact["agreement"] == "differ"  # $9.2B against $10.6B and "plus de 10 milliards"
    assert (fact["low"], fact["high"], fact["value"]) == (9.2e9, 10.6e9, 10e9)
    assert (fact["period_start"], fact["period_end"]) == (2022, 2022)


def test_the_same_exports_from_two_outlets_agree(view: Tables):
    fact = fact_with(view, "courrier#c2")
    assert "agency#c4" in fact["claim_ids"].split(";")
    assert (fact["n_articles"], fact["agreement"]) == (2, "agree")
    assert fact["fact_id"].startswith("exports-vn-kh.")


def test_flows_each_way_and_provinces_are_facts_of_their_own(view: Tables):
    national = fact_with(view, "agency#c1")["fact_id"]
    assert fact_with(view, "customs#c2")["fact_id"].startswith("exports-kh-vn.")  # Cambodia's exports
    assert fact_with(view, "agency#c5")["fact_id"].startswith("imports-kh-vn.")  # Vietnam's imports
    assert fact_with(view, "province#c1")["fact_id"] != national  # Kien Giang and Kampot's trade
    assert fact_with(view, "agency#c6")["target"]  # the $20 billion goal is a fact of its own
    assert fact_with(view, "agency#c6")["fact_id"] != national


# --- every chart -----------------------------------------------------------------------------------


def figure_labels(fig) -> list[str]:
    return [row[0] for t in fig.data if isinstance(t.meta, dict) and t.meta.get("role") in ("figures", "bars")
            for row in t.customdata]


def test_the_trade_chart_draws_each_fact_once(rows: pd.DataFrame, claims: pd.DataFrame):
    fig = charts.trade_chart(facts.money_claims(rows), "USD")
    labels = figure_labels(fig)
    assert labels.count(NATIONAL_TRADE) == 1
    assert len(labels) == len(facts.money_claims(rows, "USD")) < len(facts.money_claims(claims, "USD"))
    (point,) = [row for t in fig.data if t.meta and t.meta.get("role") == "figures" for row in t.customdata
                if row[0] == NATIONAL_TRADE]
    assert "3 articles, 2 outlets" in point[4] and "one outlet says $9.2B" in point[4]


def test_the_aid_chart_draws_each_fact_once(rows: pd.DataFrame, claims: pd.DataFrame):
    counts = rows[rows["kind"] == "count"]
    fig = charts.aid_chart(counts)
    assert sorted(figure_labels(fig)) == sorted(counts["label"])
    assert figure_labels(fig).count("25") == 1


def test_the_key_figures_count_each_fact_once_and_say_their_sources(rows: pd.DataFrame):
    figures = charts.key_figures(rows).set_index("heading")
    trade = figures.loc["Trade"]
    assert trade["amount"] == NATIONAL_TRADE
    assert trade["sources"] == "3 articles, 2 outlets" and trade["dissent"] == "one outlet says $9.2B"


def test_the_yearly_series_has_one_point_per_year_and_measure(rows: pd.DataFrame, view: Tables):
    series = crosscheck.yearly_series(rows, view.places, "USD")
    assert not series.duplicated(["measure", "year"]).any()
    turnover = series[series["measure"] == "Turnover"]
    assert turnover["year"].tolist() == [2022] and turnover["n_articles"].tolist() == [3]
    fig = charts.yearly_chart(series, "USD")
    assert sum(len(t.x) for t in fig.data) == len(series)


def test_the_cross_check_lists_what_several_articles_report_the_differing_first(rows: pd.DataFrame,
                                                                               claims: pd.DataFrame,
                                                                               view: Tables):
    several = crosscheck.facts_in_view(rows)
    assert several["n_articles"].min() > 1 and several.iloc[0]["agreement"] == "differ"
    sources = crosscheck.fact_sources(claims, view.articles, several.iloc[0]["fact_id"])
    assert sources["root"].tolist() == ["agency", "customs", "courrier"]  # by date; the copy under its original
    assert sources.set_index("root").loc["agency", "copies"] == "republished"
    assert sources.set_index("root")["agrees"].to_dict() == {"agency": True, "customs": False, "courrier": True}


def test_the_province_lists_its_figures_found_from_context(view: Tables, claims: pd.DataFrame):
    from pages.lib import filters

    listed = filters.claims_in_province(claims, view.places, "kien-giang")
    found = dict(zip(listed["text"], listed["found"], strict=True))
    assert found["25 scholarships"] == filters.FOUND_FROM["sentence"]  # "The province also granted..."
    counts = maps.province_counts(view.places, view.mentions, view.claims).set_index("province_id")
    assert counts.loc["kien-giang", "claims"] == len(listed)


def test_the_briefing_counts_each_fact_once(view: Tables, geometry):
    page = briefing.briefing_html(view, geometry, plotlyjs="")
    assert "3 articles, 2 outlets" in page and "one outlet says $9.2B" in page
