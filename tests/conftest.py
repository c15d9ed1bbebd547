"""Shared fixtures: the real gazetteer, documents made from strings, tables built once, hostile corpora."""

from __future__ import annotations

import hashlib
import shutil
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

import pytest

from etl.extract import Extraction, extract
from etl.places import load_gazetteer
from etl.reading import Document, article_id_for

ROOT = Path(__file__).resolve().parents[1]
SEEDS = ROOT / "seeds"


@pytest.fixture(scope="session")
def gazetteer():
    return load_gazetteer()


def run_extract(text: str, language: str | None = None, name: str = "test.txt") -> Extraction:
    """Extract rows from ``text`` as if it had been read from a file called ``name``."""
    doc = Document(name, article_id_for(PurePosixPath(name)), text, hashlib.sha256(text.encode()).hexdigest())
    return extract(doc, load_gazetteer(), language=language)


@pytest.fixture(scope="session")
def seed_tables(tmp_path_factory) -> Path:
    """The tables built from the seed articles, once per test session."""
    from etl.pipeline import run

    out = tmp_path_factory.mktemp("tables") / "processed"
    run(SEEDS, out, progress=False)
    return out


@pytest.fixture
def corpus(tmp_path: Path) -> Path:
    """A copy of the seed articles in ``tmp_path/seeds``, free to change."""
    seeds = tmp_path / "seeds"
    shutil.copytree(SEEDS, seeds)
    return seeds


@pytest.fixture(scope="session")
def geometry():
    """The shipped province and country outlines, ready for the maps."""
    import geopandas as gpd

    from pages.lib import maps

    boundaries = ROOT / "data" / "boundaries"
    return maps.province_geometry(gpd.read_file(boundaries / "provinces.geojson"),
                                  gpd.read_file(boundaries / "countries.geojson"))


# --- hostile corpus: the seed articles plus articles written to attack the dashboard ----------------

#: Script, event-handler, Markdown-link and remote-image tricks, in the title line and the body.
HOSTILE_TEXT = """\
<script>window.__pwned=1</script> Vietnam and Cambodia <img src=x onerror="window.__pwned=2"> sign a trade deal [click](javascript:window.__pwned=3)
PHNOM PENH, March 3, 2025 (VNA) - Two-way trade between Vietnam and Cambodia reached 10 billion USD in 2024 <script>window.__pwned=1</script>, the ministry said.

Vietnam granted 300 scholarships to Cambodian students from Kampot province <img src=x onerror="window.__pwned=2"> last year [click](javascript:window.__pwned=3).

Investment from Vietnam in Cambodia ![x](http://example.com/x.png) rose to 3 billion USD in 2024, according to the Council for the Development of Cambodia.
"""
#: A file name with HTML in it (no "/": that would be a folder), put straight into the corpus.
HOSTILE_FILE = "evil<b>name<img src=x onerror=window.__pwned=4>.txt"
HOSTILE_ID = HOSTILE_FILE.removesuffix(".txt")
#: Cells a spreadsheet would run as formulas: the title and sentences start with = + - @.
FORMULA_TEXT = """\
=HYPERLINK("http://evil.example","click") Vietnam and Cambodia trade report
PHNOM PENH, March 4, 2025 (VNA) - The two ministries published their figures on Tuesday.

=1+2 Vietnam provided aid worth 5 million USD to Cambodia in 2024.

+Trade between the two countries rose to 10 billion USD in 2024.

-Investment from Vietnam reached 3 billion USD in 2024.

@Kampot received 200 scholarships from Vietnam in 2024.
"""
FORMULA_FILE = "formula.txt"
FORMULA_ID = "formula"


@dataclass(frozen=True)
class Corpus:
    seeds: Path
    tables: Path


@pytest.fixture(scope="session")
def hostile_corpus(tmp_path_factory) -> Corpus:
    """A copy of the seed articles plus the hostile and formula articles, and its tables (built once).

    Read-only: a test that adds articles or rebuilds works on its own copy.
    """
    from etl.pipeline import run

    root = tmp_path_factory.mktemp("hostile")
    seeds = root / "seeds"
    shutil.copytree(SEEDS, seeds)
    (seeds / HOSTILE_FILE).write_text(HOSTILE_TEXT, encoding="utf-8")
    (seeds / FORMULA_FILE).write_text(FORMULA_TEXT, encoding="utf-8")
    tables = root / "processed"
    run(seeds, tables, progress=False)
    return Corpus(seeds, tables)


def copy_corpus(seeds: Path, tables: Path, to: Path) -> Corpus:
    """A private copy of a corpus and its tables (with the ETL's workspace), so a rebuild is quick."""
    copy = Corpus(to / "seeds", to / "processed")
    shutil.copytree(seeds, copy.seeds)
    shutil.copytree(tables, copy.tables)  # copy2: sizes and times kept, so the tables are not "damaged"
    return copy


@pytest.fixture
def seed_corpus(seed_tables: Path, tmp_path: Path) -> Corpus:
    """This test's own copy of the seed articles and their tables: it may add articles and rebuild."""
    return copy_corpus(SEEDS, seed_tables, tmp_path / "corpus")


# --- one figure, many claims: a corpus of our own for facts and republished copies ----------------

#: An agency story whose trade figure is in its headline, its lead and a closing recap; the same story
#: republished by another outlet under a new header; two outlets that report the same measure, one with
#: another value; and a provincial story with the same kind of figure.
FACT_ARTICLES = {
    "agency.txt": """Vietnam-Cambodia trade hits $10.6 billion in 2022
HANOI, January 5, 2023 (VNA) - Two-way trade between Vietnam and Cambodia reached $10.6 billion in 2022, up 15% year-on-year, according to the Ministry of Industry and Trade.
Vietnam's exports to Cambodia were valued at $7.4 billion, while imports from Cambodia reached $3.2 billion.
The ministry said the two countries aim to raise bilateral trade to $20 billion by 2025.
Trade between the two neighbours has grown steadily for a decade, and the $10.6 billion recorded last year is a record.
""",
    "republished.txt": """Record year for trade with Cambodia
By Viet Nam News (VNS)
HANOI, January 5, 2023 (VNA) - Two-way trade between Vietnam and Cambodia reached $10.6 billion in 2022, up 15% year-on-year, according to the Ministry of Industry and Trade.
Vietnam's exports to Cambodia were valued at $7.4 billion, while imports from Cambodia reached $3.2 billion.
The ministry said the two countries aim to raise bilateral trade to $20 billion by 2025.
Trade between the two neighbours has grown steadily for a decade, and the $10.6 billion recorded last year is a record.
""",
    "customs.txt": """Cambodia-Vietnam trade figures for 2022
PHNOM PENH, January 10, 2023 (Khmer Times) - Bilateral trade between Cambodia and Vietnam reached $9.2 billion in 2022, the General Department of Customs said.
Cambodia's exports to Vietnam amounted to $3.2 billion in 2022.
""",
    "courrier.txt": """Vietnam-Cambodge : un commerce record
Hanoi, 12 janvier 2023 (VNA) - Les échanges commerciaux entre le Vietnam et le Cambodge ont atteint plus de 10 milliards de dollars en 2022.
Les exportations du Vietnam vers le Cambodge se sont élevées à 7,4 milliards de dollars en 2022.
""",
    "province.txt": """Kien Giang and Kampot boost border trade
Kien Giang (VNA) - Trade between Kien Giang province and Kampot province reached $548 million in 2022.
The province also granted 25 scholarships to Cambodian students in 2022.
""",
}


@pytest.fixture(scope="session")
def fact_corpus(tmp_path_factory) -> Corpus:
    """``FACT_ARTICLES`` and their tables (built once; read-only)."""
    from etl.pipeline import run

    root = tmp_path_factory.mktemp("facts")
    seeds = root / "seeds"
    seeds.mkdir()
    for name, text in FACT_ARTICLES.items():
        (seeds / name).write_text(text, encoding="utf-8")
    tables = root / "processed"
    run(seeds, tables, progress=False)
    return Corpus(seeds, tables)


# --- the browser, shared by the browser test modules ------------------------------------------------


@pytest.fixture(scope="session")
def playwright():
    """Playwright's sync API runs one instance at a time: every browser test module shares this one."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        yield p


@pytest.fixture(scope="session")
def browser(playwright):
    """Debian's headless Chromium, with the path and flags set in test_browser.py."""
    from tests.test_browser import CHROMIUM, CHROMIUM_ARGS

    browser = playwright.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS)
    yield browser
    browser.close()
