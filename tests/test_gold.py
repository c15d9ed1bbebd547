"""End to end on real articles, scored against hand-made gold (tests/fixtures): the five seed
articles, and the development set of twenty real articles from eleven outlets (tests/fixtures/dev,
a copy of the team's shared dev set). Each set is held to floors: the issue's goals where they are
met, else the level reached, so that no change lowers it unnoticed; goals not yet met are strict
xfails, so reaching one is noticed too."""

from __future__ import annotations

import csv
import importlib.util
import json
import sys
from pathlib import Path

import pytest

from etl.pipeline import run
from tests.conftest import SEEDS

FIXTURES = Path(__file__).parent / "fixtures"
DEV = FIXTURES / "dev"
#: gold set -> (articles folder, gold file)
GOLD_SETS = {"seeds": (SEEDS, FIXTURES / "gold_seeds.json"), "dev": (DEV / "articles", DEV / "gold.json")}
#: The issue's goals for real news (claims and places F1; attributes of matched claims).
GOALS = {"claims": 0.95, "places": 0.95, "category": 0.92, "period": 0.92, "target": 0.95, "qualifier": 0.97,
         "span_exact": 0.93, "geocoding": 1.0}
#: Floors per set where a goal is not met yet: the level reached (raise them as extraction improves).
FLOORS: dict[str, dict[str, float]] = {"seeds": {}, "dev": {}}


_REPORTS: dict[str, dict] = {}


def gold_report(name: str, tmp_path_factory) -> dict:
    """The scorer's report on the tables built from one gold set's articles (once per session)."""
    if name not in _REPORTS:
        articles, gold = GOLD_SETS[name]
        tables = tmp_path_factory.mktemp(f"gold-{name}") / "tables"
        run(articles, tables, progress=False)
        spec = importlib.util.spec_from_file_location("score", FIXTURES / "score.py")
        score = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(score)
        out = tables.parent / "report.json"
        argv = sys.argv
        sys.argv = ["score.py", "--gold", str(gold), "--tables", str(tables), "--json", str(out)]
        try:
            score.main()
        finally:
            sys.argv = argv
        _REPORTS[name] = json.loads(out.read_text(encoding="utf-8"))
    return _REPORTS[name]


def _measure(report: dict, what: str) -> float:
    if what == "geocoding":
        return report["geocoding_within_tolerance"]
    return report[what]["f1"] if what in ("claims", "places") else report["claim_attributes"][what]


@pytest.mark.parametrize(("name", "what"), [(n, w) for n in GOLD_SETS for w in GOALS])
def test_each_gold_set_meets_its_goal_or_floor(tmp_path_factory, name, what):
    floor = FLOORS[name].get(what, GOALS[what])
    assert _measure(gold_report(name, tmp_path_factory), what) >= floor


@pytest.mark.parametrize(("name", "what"), [(n, w) for n, floors in FLOORS.items() for w in floors])
def test_goals_not_yet_met(tmp_path_factory, name, what, request):
    request.applymarker(pytest.mark.xfail(strict=True, reason=f"{name} {what} below the goal {GOALS[what]}"))
    assert _measure(gold_report(name, tmp_path_factory), what) >= GOALS[what]


EXPECTED_METADATA = {
    # file: (language, published, outlet, author)
    "000_1e6461ddf1f46a2e.txt": ("fr", "2023", None, None),
    "001_9e19c6bcc5bb0299.txt": ("fr", "2018-07-18", "VNA (Vietnam News Agency)", None),
    "002_1bc91b7b4a1688c3.txt": ("en", "2020", None, "Uch Leang"),
    "003_952f03fc20e26940.txt": ("en", "2024-01-07", "VNS (Viet Nam News)", None),
    "004_dae10f83133d40bb.txt": ("en", "2020-12-29", "TGVN (The Gioi & Viet Nam)", "Tran Quoc Huy"),
}


def test_article_metadata(seed_tables):
    with (seed_tables / "articles.csv").open(encoding="utf-8") as f:
        rows = {r["file"]: r for r in csv.DictReader(f)}
    for file, (language, published, outlet, author) in EXPECTED_METADATA.items():
        row = rows[file]
        assert (row["language"], row["published"], row["outlet"] or None, row["author"] or None) == (
            language, published, outlet, author), file


def test_page_furniture_is_related(seed_tables):
    with (seed_tables / "claims.csv").open(encoding="utf-8") as f:
        sections = {r["text"]: r["section"] for r in csv.DictReader(f)}
    # the counted phrase keeps its bare complement ("documents de coopération"), as the dev gold's
    # "projets d'investissement" does; the seed gold stops before it (an optional claim)
    (teaser,) = [text for text in sections if text.startswith("onze autres documents")]
    assert sections[teaser] == "related"
    assert sections["plus de 548 millions de dollars"] == "body"
