"""Reading files: encodings, binary files, empty files, HTML; offsets point into the decoded text."""

from __future__ import annotations

import codecs
from pathlib import Path, PurePosixPath

import pytest

from etl.reading import Unreadable, decode, document_from_bytes, read_document

SENTENCE = "Le Vietnam a envoyé près de 200 cadres à Kampot en 1979. Coût : 13 millions €."

ENCODINGS = [
    ("utf-8", SENTENCE.encode("utf-8"), ()),
    ("utf-8 with BOM", codecs.BOM_UTF8 + SENTENCE.encode("utf-8"), ()),
    ("utf-16 with BOM", SENTENCE.encode("utf-16"), ("decoded as utf-16 (BOM)",)),
    ("cp1252", SENTENCE.encode("cp1252"), ("decoded as cp1252",)),
    ("utf-16-le without BOM", SENTENCE.encode("utf-16-le"), ("decoded as utf-16-le (no BOM)",)),
]


ASCII_SENTENCE = "Trade between Vietnam and Cambodia reached more than 10 billion USD in 2024."
ENCODINGS += [
    ("ascii utf-16-le without BOM", ASCII_SENTENCE.encode("utf-16-le"), ("decoded as utf-16-le (no BOM)",)),
    ("ascii utf-16-be without BOM", ASCII_SENTENCE.encode("utf-16-be"), ("decoded as utf-16-be (no BOM)",)),
]


@pytest.mark.parametrize(("name", "data", "problems"), ENCODINGS, ids=[e[0] for e in ENCODINGS])
def test_encodings_are_detected_and_reported(name, data, problems):
    text, found = decode(data)
    assert text == (ASCII_SENTENCE if name.startswith("ascii") else SENTENCE)
    assert found == problems


#: UTF-8 text with a few bytes damaged: read as UTF-8, the bad bytes replaced, and said.
DAMAGED = [
    ("one byte", SENTENCE.encode().replace(b"Kampot", b"Kam\xffpot"), 1),
    ("a byte at the end", SENTENCE.encode() + b"\xff", 1),
    ("three bytes", SENTENCE.encode().replace(b"200", b"\xfe200\xff").replace(b"en ", b"en\x80 "), 3),
]


@pytest.mark.parametrize(("name", "data", "n_bad"), DAMAGED, ids=[d[0] for d in DAMAGED])
def test_utf8_with_a_few_invalid_bytes_stays_utf8(name, data, n_bad):
    text, found = decode(data)
    assert text.count("\ufffd") == n_bad
    assert "près de 200" in text.replace("\ufffd", "") and "envoyé" in text
    assert found == (f"{n_bad} invalid UTF-8 byte{'s' if n_bad > 1 else ''} replaced by U+FFFD",)


def test_a_damaged_utf8_article_keeps_its_hedges():
    from tests.conftest import run_extract

    damaged = "Le Vietnam a envoyé près de 200 cadres au Cambodge en 1979.".encode() + b"\xff"
    doc = document_from_bytes(damaged, PurePosixPath("a.txt"))
    claims = run_extract(doc.text, "fr").claims
    assert [(c["text"], c["qualifier"]) for c in claims if c["unit"] == "count"] == [("près de 200 cadres", "approx")]


def test_a_nul_byte_does_not_drop_an_article():
    doc = document_from_bytes(ASCII_SENTENCE.encode().replace(b" 2024", b" \x002024"), PurePosixPath("a.txt"))
    assert doc.text.startswith("Trade between Vietnam")


def test_latin1_text_is_read_as_cp1252():
    text, problems = decode("Préah Sihanouk, Kâmpôt".encode("latin-1"))
    assert text == "Préah Sihanouk, Kâmpôt"
    assert problems == ("decoded as cp1252",)


BINARY = [
    ("png", b"\x89PNG\r\n\x1a\n" + bytes(100), "not text (looks like PNG)"),
    ("pdf", b"%PDF-1.7\n" + bytes(100), "not text (looks like PDF)"),
    ("zip", b"PK\x03\x04" + bytes(100), "not text (looks like ZIP)"),
    ("random bytes", bytes(range(256)) * 4, "not text (binary content)"),
]


@pytest.mark.parametrize(("name", "data", "problem"), BINARY, ids=[b[0] for b in BINARY])
def test_binary_files_are_refused_with_a_reason(name, data, problem):
    with pytest.raises(Unreadable, match=problem.replace("(", r"\(").replace(")", r"\)")):
        document_from_bytes(data, PurePosixPath("x.txt"))


@pytest.mark.parametrize(("data", "problem"), [(b"", "empty file"), (b"  \n\t\r\n ", "only whitespace")])
def test_empty_files(data, problem):
    with pytest.raises(Unreadable, match=problem):
        document_from_bytes(data, PurePosixPath("x.txt"))


def test_line_endings_are_kept_so_offsets_hold():
    doc = document_from_bytes(b"Titre\r\nLe Vietnam\r\naide le Cambodge.\n", PurePosixPath("a.txt"))
    assert doc.text == "Titre\r\nLe Vietnam\r\naide le Cambodge.\n"


def test_html_main_text_is_extracted(tmp_path: Path):
    html = """<html><head><title>Kien Giang aide Kampot</title></head><body>
    <nav><a href="/">Accueil</a> <a href="/monde">Monde</a></nav>
    <article><h1>Kien Giang aide Kampot</h1>
    <p>La province de Kien Giang a fourni près de 160 millions de kWh à la province de Kampot,
    d'une valeur d'environ 13 millions USD, selon le département des affaires étrangères.</p>
    <p>Elle a aussi formé 25 étudiants cambodgiens en langue vietnamienne.</p></article>
    <footer>Copyright</footer><script>var x = 1;</script></body></html>"""
    (tmp_path / "page.html").write_text(html, encoding="utf-8")
    doc = read_document(tmp_path / "page.html", tmp_path)
    assert "160 millions de kWh" in doc.text
    assert "var x" not in doc.text
    assert doc.article_id == "page"
    assert "main text extracted from HTML" in doc.problems


def test_article_id_is_the_path_without_extension(tmp_path: Path):
    (tmp_path / "2024").mkdir()
    (tmp_path / "2024" / "a.md").write_text("Le Vietnam.", encoding="utf-8")
    doc = read_document(tmp_path / "2024" / "a.md", tmp_path)
    assert (doc.file, doc.article_id) == ("2024/a.md", "2024/a")


NON_LATIN = [
    ("big5", "越南和柬埔寨加強合作。越南向柬埔寨提供了援助和培訓。"),
    ("gb18030", "越南和柬埔寨加强合作。越南向柬埔寨提供了援助和培训。"),
    ("cp1251", "Вьетнам и Камбоджа укрепляют сотрудничество в торговле и сельском хозяйстве."),
    ("shift_jis", "ベトナムとカンボジアは貿易と農業の協力を強化する。"),
]


@pytest.mark.parametrize(("encoding", "text"), NON_LATIN, ids=[n[0] for n in NON_LATIN])
def test_non_latin_legacy_encodings_are_not_read_as_windows_1252(encoding, text):
    decoded, problems = decode(text.encode(encoding))
    assert decoded == text
    assert problems[0].startswith("decoded as") and "cp1252" not in problems[0]
