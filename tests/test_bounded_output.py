"""No input makes the tables grow faster than the text: quotes are bounded, cooperation links per
sentence are bounded, and a figure no measure can reach is not a claim."""

from __future__ import annotations

import math
import random
from pathlib import Path

import pyarrow.parquet as pq
import pytest

from etl import pipeline
from etl.extract import MAX_LINKS_PER_SENTENCE, MAX_QUOTE_CHARS, QUOTE_WINDOW
from pages.lib import upload
from tests.conftest import run_extract

#: Bytes of tables (every file) a byte of such text may give at most. A sentence of figures gives a
#: row of some 400 bytes per figure; before the quotes were bounded, 8,000 bytes per byte of text.
MAX_GROWTH = 40
LINE_BYTES = 200_000
VN = ("Kien Giang", "An Giang", "Tay Ninh", "Dong Thap", "Long An", "Binh Phuoc", "Dak Nong", "Gia Lai")
KH = ("Kampot", "Kep", "Takeo", "Svay Rieng", "Prey Veng", "Kandal", "Kratie", "Mondulkiri")


def one_line(make_part, size: int = LINE_BYTES) -> str:
    """A headline, then one line of ``size`` characters without sentence punctuation."""
    rng = random.Random(7)
    parts: list[str] = []
    while sum(len(p) + 5 for p in parts) < size:
        parts.append(make_part(rng))
    return "Figures without a full stop\n" + " and ".join(parts) + "\n"


FIGURES = ("figures", lambda rng: f"{rng.randint(1, 999)} tonnes of rice worth ${rng.randint(1, 99)} million")
PLACES = ("places", lambda rng: f"{rng.choice(VN)} signed a cooperation agreement on trade, education, "
                                f"health and tourism with {rng.choice(KH)}")
LINES = [FIGURES, PLACES]


def size_of(folder: Path) -> int:
    return sum(p.stat().st_size for p in folder.rglob("*") if p.is_file())


@pytest.mark.slow
@pytest.mark.parametrize(("name", "make_part"), LINES, ids=[name for name, _ in LINES])
def test_a_long_line_gives_tables_in_proportion_to_it(tmp_path, name, make_part):
    seeds = tmp_path / "seeds"
    seeds.mkdir()
    text = one_line(make_part)
    (seeds / "line.txt").write_text(text, encoding="utf-8")
    out = tmp_path / "out"
    result = pipeline.run(seeds, out, progress=False)
    assert result.n_claims + result.n_mentions > 1000, "the line holds many rows"
    assert size_of(out) < MAX_GROWTH * len(text.encode())


def test_a_long_run_is_quoted_around_each_figure_with_exact_offsets():
    text = one_line(FIGURES[1], 20_000)
    claims = run_extract(text, "en").claims
    assert len(claims) > 100
    for claim in claims:
        assert text[claim["char_start"]:claim["char_end"]] == claim["text"]
        assert len(claim["quote"]) <= QUOTE_WINDOW + 2
        assert claim["text"] in claim["quote"]
        assert claim["quote"].startswith("…") or claim["quote"].endswith("…")


def test_a_sentence_of_ordinary_length_is_quoted_whole():
    sentence = "Two-way trade between Vietnam and Cambodia reached 10 billion USD in 2024, " * 10
    assert len(sentence) <= MAX_QUOTE_CHARS
    claims = run_extract(sentence.strip() + ".", "en").claims
    assert claims and all(c["quote"] == sentence.strip() + "." for c in claims)


def test_links_of_one_sentence_are_bounded_and_said():
    text = ("Cooperation agreement on trade, education, health, tourism, agriculture and energy between "
            + ", ".join(VN) + " and " + ", ".join(KH) + ".")
    extraction = run_extract(text, "en")
    per_sentence: dict[int, int] = {}
    for link in extraction.links:
        per_sentence[link["sentence_id"]] = per_sentence.get(link["sentence_id"], 0) + 1
    assert max(per_sentence.values()) == MAX_LINKS_PER_SENTENCE
    assert any("cooperation links" in p["problem"] for p in extraction.problems)


HUGE = {"400 nines of dollars": "$" + "9" * 400 + " million", "1e30 tonnes": "1" + "0" * 30 + " tonnes",
        "ten billion billion dong": "10,000,000,000 billion dong"}


@pytest.mark.parametrize("figure", list(HUGE.values()), ids=list(HUGE))
def test_a_figure_beyond_any_measure_is_not_a_claim(figure):
    extraction = run_extract(f"Vietnam gave {figure} to Cambodia in 2024.", "en")
    assert all(math.isfinite(c["value"]) and abs(c["value"]) <= 1e18 for c in extraction.claims)
    assert any("unreadable figure" in p["problem"] for p in extraction.problems)


def test_a_figure_beyond_any_measure_never_reaches_the_tables(tmp_path):
    seeds = tmp_path / "seeds"
    seeds.mkdir()
    (seeds / "big.txt").write_text("Aid\nVietnam gave $" + "9" * 400 + " million to Kampot in 2024.\n",
                                   encoding="utf-8")
    out = tmp_path / "out"
    result = pipeline.run(seeds, out, progress=False)
    values = pq.read_table(out / "claims.parquet", columns=["value", "low", "high"]).to_pylist()
    assert all(v is None or math.isfinite(v) for row in values for v in row.values())
    assert [p["problem"] for p in result.problems] == ["1 unreadable figure (beyond 1e+18) not taken as claims"]


@pytest.mark.slow
def test_an_upload_of_a_long_line_is_built_in_proportion(seed_corpus):
    text = one_line(FIGURES[1], 150_000)
    before = size_of(seed_corpus.tables)
    outcome = upload.add_and_rebuild([("line.txt", text.encode())], seed_corpus.seeds, seed_corpus.tables)
    assert outcome.error is None and outcome.added[0].n_claims > 1000
    assert size_of(seed_corpus.tables) - before < MAX_GROWTH * len(text.encode())
