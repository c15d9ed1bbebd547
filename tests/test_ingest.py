"""Adding articles: safe names, size limit, duplicates by content, no overwrite, nothing half-written."""

from __future__ import annotations

import pytest

from etl import ingest
from etl.ingest import add_articles, safe_name

NAMES = [
    ("article.txt", "article.txt"),
    ("../../etc/passwd.txt", "passwd.txt"),
    ("C:\\Users\\me\\report.HTML", "report.html"),
    ("Kiên Giang – VNA.md", "Kien_Giang_VNA.md"),
    (".hidden.txt", "hidden.txt"),
    ("...txt", None),
    (".bashrc", None),
    ("photo.png", None),
    ("noextension", None),
    ("a/b/../c.htm", "c.htm"),
]


@pytest.mark.parametrize(("name", "safe"), NAMES, ids=[n for n, _ in NAMES])
def test_safe_names(name, safe):
    assert safe_name(name) == safe


def test_new_articles_are_added(tmp_path):
    report = add_articles([("a.txt", b"Le Vietnam aide le Cambodge."), ("b.md", b"Trade rose.")], tmp_path)
    assert report.added == ["a.txt", "b.md"]
    assert (tmp_path / "a.txt").read_bytes() == b"Le Vietnam aide le Cambodge."


def test_exact_duplicates_are_skipped_and_said(tmp_path):
    (tmp_path / "old.txt").write_bytes(b"Same text.")
    report = add_articles([("copy.txt", b"Same text."), ("again.txt", b"Same text.")], tmp_path)
    assert report.added == [] and report.duplicates == [("copy.txt", "old.txt"), ("again.txt", "old.txt")]


def test_a_different_article_with_the_same_name_does_not_overwrite(tmp_path):
    (tmp_path / "a.txt").write_bytes(b"First article.")
    report = add_articles([("a.txt", b"Second article.")], tmp_path)
    assert report.added == ["a-2.txt"]
    assert (tmp_path / "a.txt").read_bytes() == b"First article."


def test_too_large_empty_and_wrong_type_are_refused(tmp_path):
    report = add_articles([("big.txt", b"x" * 101), ("empty.txt", b"  \n"), ("x.exe", b"MZ")], tmp_path,
                          max_bytes=100)
    reasons = dict(report.rejected)
    assert "too large" in reasons["big.txt"] and reasons["empty.txt"] == "empty file"
    assert "not an accepted file" in reasons["x.exe"]
    assert list(tmp_path.iterdir()) == []


def test_a_failed_write_leaves_nothing(tmp_path, monkeypatch):
    def broken_link(src, dst):
        raise OSError("disk full")

    monkeypatch.setattr(ingest.os, "link", broken_link)
    with pytest.raises(OSError):
        add_articles([("a.txt", b"Le Vietnam aide le Cambodge.")], tmp_path)
    assert list(tmp_path.iterdir()) == []
