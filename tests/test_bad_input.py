"""Whatever analysts save from the web: each bad file gets a plain problem, the rest is processed.

Sizes are large enough to show that cost stays proportional to the input (no timing is
asserted: the benchmark measures speed).
"""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from etl import pipeline
from tests.conftest import SEEDS, run_extract


def problems_of(out: Path) -> dict[str, str]:
    with (out / "problems.csv").open(encoding="utf-8") as f:
        return {r["file"]: r["problem"] for r in csv.DictReader(f)}


def articles_of(out: Path) -> dict[str, dict]:
    with (out / "articles.csv").open(encoding="utf-8") as f:
        return {r["file"]: r for r in csv.DictReader(f)}


FILES = {
    "empty.txt": (b"", "empty file"),
    "blank.txt": (b"  \n\t\r\n  ", "only whitespace"),
    "image.txt": (b"\x89PNG\r\n\x1a\n" + bytes(64), "not text (looks like PNG)"),
    "scan.txt": (b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n" + bytes(64), "not text (looks like PDF)"),
    "archive.txt": (b"PK\x03\x04" + bytes(64), "not text (looks like ZIP)"),
    "windows.txt": ("Le Vietnam a formé 25 étudiants à Phnom Penh.".encode("cp1252"), "decoded as cp1252"),
    "latin1.txt": ("Kâmpôt a reçu 30 tonnes de riz.".encode("latin-1"), "decoded as cp1252"),
    "utf16.txt": ("Vietnam sent 200 doctors to Takeo.".encode("utf-16"), "decoded as utf-16 (BOM)"),
}


def test_every_bad_file_is_reported_and_the_rest_processed(corpus, tmp_path):
    for name, (data, _) in FILES.items():
        (corpus / name).write_bytes(data)
    out = tmp_path / "out"
    result = pipeline.run(corpus, out, progress=False)
    problems = problems_of(out)
    for name, (_, problem) in FILES.items():
        assert problems.get(name) == problem, name
    articles = articles_of(out)
    assert {"windows.txt", "latin1.txt", "utf16.txt"} <= set(articles)
    assert result.n_articles == 5 + 3


def test_mixed_line_endings_keep_offsets(corpus, tmp_path):
    text = "Titre\r\nLe Vietnam a formé 25 étudiants.\rLe Cambodge a reçu 30 tonnes de riz.\nFin\r\n"
    (corpus / "mixed.txt").write_bytes(text.encode("utf-8"))
    out = tmp_path / "out"
    pipeline.run(corpus, out, progress=False)
    with (out / "claims.csv").open(encoding="utf-8") as f:
        claims = [r for r in csv.DictReader(f) if r["article_id"] == "mixed"]
    assert [text[int(c["char_start"]):int(c["char_end"])] for c in claims] == ["25 étudiants", "30 tonnes"]


def test_html_that_is_mostly_navigation(corpus, tmp_path):
    nav = "".join(f'<li><a href="/{i}">Rubrique {i}</a></li>' for i in range(300))
    html = (f"<html><head><script>{'var a=1;' * 500}</script></head><body><ul>{nav}</ul>"
            "<article><p>Le Vietnam a offert 120 bourses à des étudiants cambodgiens.</p></article>"
            f"<script>{'track();' * 500}</script></body></html>")
    (corpus / "page.html").write_text(html, encoding="utf-8")
    out = tmp_path / "out"
    pipeline.run(corpus, out, progress=False)
    assert "page.html" in articles_of(out) or "page.html" in problems_of(out)


def test_only_navigation_is_a_plain_problem(corpus, tmp_path):
    (corpus / "nav.html").write_text("<html><body><nav><a href='/'>Home</a></nav><script>x()</script></body></html>",
                                     encoding="utf-8")
    out = tmp_path / "out"
    pipeline.run(corpus, out, progress=False)
    assert problems_of(out)["nav.html"] == "no article text found in the HTML page"


NUMBERS = [
    ("fr", "Le budget atteint 1.234.567,89 euros.", [1234567.89]),
    ("fr", "La hausse est de 12,5 % cette année.", [12.5]),
    ("en", "Prices went $$$ for everyone.", []),
    ("en", "A value of 1e10 appears in the code.", []),
    ("en", "The label reads ٣ students.", []),
]


@pytest.mark.parametrize(("lang", "text", "values"), NUMBERS, ids=[n[1] for n in NUMBERS])
def test_odd_numbers(lang, text, values):
    assert [c["value"] for c in run_extract(text, language=lang).claims] == values


@pytest.mark.parametrize(("text", "language"), [
    ("Vietnam und Kambodscha haben im Jahr 2022 insgesamt 12 Abkommen über Handel und Landwirtschaft "
     "unterzeichnet, sagte der Minister in Phnom Penh.", "de"),
    ("Việt Nam và Campuchia đã ký 12 thỏa thuận hợp tác về thương mại và nông nghiệp trong năm 2022, "
     "Bộ trưởng cho biết tại Phnom Penh.", "vi"),
])
def test_a_language_without_lexicon_invents_no_claims(text, language):
    result = run_extract(text)
    assert result.article["language"] == language
    assert result.claims == []
    assert "no lexicon" in result.problems[0]["problem"]


@pytest.mark.slow
def test_one_megabyte_line_without_a_sentence_break():
    text = ("Le Vietnam a envoyé 200 cadres et 30 tonnes de riz à Kampot en 2019 pour aider " * 13000)[:1_000_000]
    result = run_extract(text, language="fr")
    assert len(result.claims) > 20000
    for c in result.claims[:50] + result.claims[-50:]:
        assert text[c["char_start"]:c["char_end"]] == c["text"]


@pytest.mark.slow
def test_a_text_of_ten_thousand_numbers():
    text = " ".join(f"{i} étudiants," for i in range(10_000))
    result = run_extract(text, language="fr")
    assert len(result.claims) == 10_000 - len([i for i in range(10_000) if 1800 <= i <= 2100])


@pytest.mark.slow
def test_a_fifty_megabyte_file_finishes(tmp_path):
    seeds = tmp_path / "seeds"
    seeds.mkdir()
    paragraph = (SEEDS / "000_1e6461ddf1f46a2e.txt").read_bytes()
    with (seeds / "huge.txt").open("wb") as f:
        for _ in range(50_000_000 // len(paragraph) + 1):
            f.write(paragraph)
    result = pipeline.run(seeds, tmp_path / "out", progress=False)
    assert result.n_articles == 1 and result.n_claims > 40_000
