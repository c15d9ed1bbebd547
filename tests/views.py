"""Small tables for the chart, map and briefing tests, made with the ETL's own ``frame`` so they have
exactly the app's column types."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from etl.output import frame
from etl.schema import ARTICLES, CLAIMS, LINKS, MENTIONS, PLACES, PROBLEMS
from pages.lib import charts, crosscheck, facts, maps, theme
from pages.lib.tables import Tables

REPO = Path(__file__).resolve().parents[1]
N_PROVINCES = 88  # 63 Vietnamese (before July 2025) + 25 Cambodian, see data/boundaries/README.md
N_BORDER_PROVINCES = 19

ARTICLE = {
    "article_id": "a1",
    "file": "a1.txt",
    "title": "Trade grows",
    "outlet": "VNA",
    "author": None,
    "published": "2023-05-02",
    "published_basis": "dateline",
    "language": "en",
    "sha256": "0" * 64,
    "n_sentences": 10,
    "n_claims": 3,
    "n_mentions": 4,
}

def claim(n: int, **fields) -> dict:
    """A claims row: a body, exact, achieved USD trade figure unless told otherwise."""
    row = {
        "claim_id": f"a1#c{n}",
        "article_id": "a1",
        "sentence_id": n,
        "section": "body",
        "text": "$1 million",
        "char_start": 0,
        "char_end": 10,
        "value": 1e6,
        "low": None,
        "high": None,
        "unit": "USD",
        "kind": "currency",
        "qualifier": "exact",
        "what": "trade",
        "category": "trade",
        "period_start": None,
        "period_end": None,
        "target": False,
        "place_ids": None,
        "quote": f"Sentence {n} says $1 million.",
    }
    return row | fields



def place(place_id: str, **fields) -> dict:
    row = {
        "place_id": place_id,
        "name": place_id.replace("-", " ").title(),
        "name_local": None,
        "country": "KH",
        "level": "province",
        "province_id": place_id,
        "lat": 10.6,
        "lon": 104.2,
        "border_province": False,
        "merged_into_2025": None,
        "source": "test",
        "n_mentions": 1,
        "n_articles": 1,
    }
    return row | fields



def link(sentence: int, place_b: str, sector: str = "trade", relation: str = "agreement") -> dict:
    return {
        "article_id": "a1",
        "sentence_id": sentence,
        "section": "body",
        "place_a": "kien-giang",
        "place_b": place_b,
        "sector": sector,
        "relation": relation,
        "quote": f"Kien Giang and {place_b} agree.",
    }



def with_sources(rows: list[dict]) -> pd.DataFrame:
    return facts.with_sources(frame(CLAIMS, rows), frame(ARTICLES, [ARTICLE]))



PLACES_ROWS = [
    place("kien-giang", name="Kien Giang", country="VN", lat=10.0, lon=105.1, border_province=True),
    place("kampot", name="Kampot", border_province=True, lat=10.8, lon=104.3),
    place("kep", name="Kep", lat=10.5, lon=104.3),
    place(
        "kampong-trach", name="Kampong Trach", level="district", province_id="kampot", lat=10.56, lon=104.47
    ),
    place("cambodia", name="Cambodia", level="country", province_id=None, lat=12.5, lon=105.0),
]

LINK_ROWS = [
    link(1, "kampot"),
    link(1, "kep"),
    link(2, "kampong-trach", "energy", "aid"),
    link(3, "cambodia"),
]

def small_view() -> Tables:
    claims = [
        claim(1, value=548e6, qualifier="more_than", period_start=2015, quote="Trade hit <b>$548M</b>."),
        claim(2, value=20e9, target=True, place_ids="kien-giang;kampot"),
        claim(3, value=2.5e12, unit="VND", category="investment"),
    ]
    mentions = [
        {
            "mention_id": "a1#m1",
            "article_id": "a1",
            "sentence_id": 1,
            "section": "body",
            "place_id": "kampong-trach",
            "surface": "Kampong Trach",
            "char_start": 0,
            "char_end": 13,
        }
    ]
    return Tables(
        articles=frame(ARTICLES, [ARTICLE]),
        claims=frame(CLAIMS, claims),
        places=frame(PLACES, PLACES_ROWS),
        mentions=frame(MENTIONS, mentions),
        links=frame(LINKS, LINK_ROWS),
        problems=frame(PROBLEMS, []),
        build={"built_at": "2024-01-01T00:00:00+00:00"},
    )



def empty_view() -> Tables:
    """The small view with every row filtered out."""
    view = small_view()
    return Tables(view.articles.iloc[0:0], view.claims.iloc[0:0], view.places.iloc[0:0],
                  view.mentions.iloc[0:0], view.links.iloc[0:0], view.problems, {})



def figure_traces(fig, role: str) -> list:
    return [t for t in fig.data if isinstance(t.meta, dict) and t.meta.get("role") == role]



def many_links(n_partners: int) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Kien Giang linked to ``n_partners`` places, partner i by i + 1 sentences."""
    partners = [f"place-{i:04d}" for i in range(n_partners)]
    places = [place("kien-giang", country="VN", lon=105.1, lat=10.0)] + [
        place(p, lon=104.0 + i / n_partners, lat=11.0) for i, p in enumerate(partners)
    ]
    rows = [link(s, p) | {"article_id": f"a{i}"} for i, p in enumerate(partners) for s in range(i + 1)]
    return frame(LINKS, rows), frame(PLACES, places)


def view_figures(view: Tables, geometry) -> dict:
    """Every chart the pages draw, on a view (``geometry``: the map's province outlines)."""
    rows = crosscheck.fact_rows(facts.labelled(facts.with_sources(view.claims, view.articles)), view.articles)
    source = theme.source_line(view.articles)
    return {
        "trade": charts.trade_chart(rows, "USD", source),
        "trade_vnd": charts.trade_chart(rows, "VND", source),
        "series": charts.yearly_chart(crosscheck.yearly_series(rows, view.places, "USD"), "USD", source),
        "aid": charts.aid_chart(rows, source),
        "matrix": charts.cooperation_matrix(view.links, view.places, source),
        "network": charts.partner_network(view.links, view.places, source=source),
        "map": maps.province_map(geometry, view.places, view.mentions, view.claims, view.links, source),
        "empty": theme.empty_figure("Nothing here", "No figure to show."),
    }
