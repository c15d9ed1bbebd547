"""What the ETL reads from the articles folder, and what it lists in problems.csv instead: nothing
outside the folder is read, and one bad file never stops the build."""

from __future__ import annotations

import csv
import os
import shutil
import socket
from pathlib import Path

import pytest

from etl import discover, pipeline
from etl.cli import main
from tests.conftest import SEEDS

SECRET = "root:x:0:0:the secret line:/root:/bin/bash\n"


@pytest.fixture
def corpus(tmp_path: Path) -> Path:
    """Two seed articles (the folder checks need few; conftest's ``corpus`` has all five)."""
    seeds = tmp_path / "seeds"
    seeds.mkdir()
    for path in sorted(SEEDS.iterdir())[:2]:
        shutil.copy(path, seeds / path.name)
    return seeds


def problems(out: Path) -> dict[str, str]:
    with open(out / "problems.csv", encoding="utf-8", newline="") as f:
        return {row["file"]: row["problem"] for row in csv.DictReader(f)}


def all_text(out: Path) -> str:
    """Everything the tables hold, as text (the secret must be nowhere)."""
    import pyarrow.parquet as pq

    texts = pq.read_table(out / "texts.parquet").column("text").to_pylist()
    return "\n".join(texts) + "".join(p.read_text(encoding="utf-8") for p in out.glob("*.csv"))


def build(seeds: Path, out: Path) -> pipeline.RunResult:
    """Build the tables of ``seeds`` (the two articles of the ``corpus`` fixture, and bad entries)."""
    result = pipeline.run(seeds, out, progress=False)
    assert result.n_articles == 2, "the readable articles are built"
    return result


# the entries that are not read, and the reason each is listed with
SKIPPED = [
    ("a link to a file outside", lambda s, t: (s / "passwd.txt").symlink_to(t / "secret.txt"),
     "passwd.txt", "symlink to a file outside the articles folder; skipped"),
    ("a link to a folder outside", lambda s, t: (s / "etc").symlink_to(t),
     "etc", "symlink to a folder outside the articles folder; skipped"),
    ("a link loop", lambda s, t: (s / "loop.txt").symlink_to("loop.txt"), "loop.txt", "symlink loop; skipped"),
    ("a broken link", lambda s, t: (s / "gone.txt").symlink_to(s / "nowhere.txt"),
     "gone.txt", "broken symlink (its target does not exist); skipped"),
    ("a FIFO", lambda s, t: os.mkfifo(s / "pipe.txt"), "pipe.txt", "not a regular file (a FIFO); skipped"),
    ("a hidden file", lambda s, t: (s / ".draft.txt").write_text("Trade rose 5%.", encoding="utf-8"),
     ".draft.txt", "hidden file; skipped"),
    ("a hidden folder", lambda s, t: (s / ".git").mkdir(), ".git", "hidden folder; skipped"),
]


@pytest.mark.parametrize(("case", "make", "name", "reason"), SKIPPED, ids=[c[0] for c in SKIPPED])
def test_an_entry_that_is_not_read_is_listed_and_the_others_built(corpus, tmp_path, case, make, name, reason):
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "secret.txt").write_text(SECRET, encoding="utf-8")
    make(corpus, outside)
    out = tmp_path / "out"
    result = build(corpus, out)
    assert problems(out) == {name: reason}
    assert {p["file"] for p in result.problems} == {name}
    assert "the secret line" not in all_text(out)


def test_a_socket_is_listed(corpus, tmp_path):
    path = corpus / "sock.txt"
    server = socket.socket(socket.AF_UNIX)
    try:
        server.bind(str(path))
        build(corpus, tmp_path / "out")
    finally:
        server.close()
    assert problems(tmp_path / "out") == {"sock.txt": "not a regular file (a socket); skipped"}


def test_a_link_inside_the_folder_is_read(corpus, tmp_path):
    first = sorted(corpus.iterdir())[0]
    (corpus / "inside.txt").symlink_to(first.name)
    out = tmp_path / "out"
    result = pipeline.run(corpus, out, progress=False)
    assert result.n_articles == 3 and not result.problems


def test_a_link_retargeted_outside_after_listing_is_not_read(corpus, tmp_path):
    """The check is made again when the file is opened: the folder may change in between."""
    outside = tmp_path / "secret.txt"
    outside.write_text(SECRET, encoding="utf-8")
    link = corpus / "late.txt"
    link.symlink_to(sorted(corpus.iterdir())[0].name)
    files, _ = discover.find_articles(corpus)
    assert link in files
    link.unlink()
    link.symlink_to(outside)
    with pytest.raises(discover.NotReadable, match="outside the articles folder"):
        discover.read_article(link, corpus)


def test_an_unchanged_file_is_not_opened_again(corpus, monkeypatch):
    """A re-run trusts a regular file whose size and time are the last build's: nothing of it is read."""
    files, _ = discover.find_articles(corpus)
    first, _ = discover.hash_sources(files, corpus)
    known = discover.files_record(first, 2 * max(s.mtime_ns for s in first) + 10**12)
    opened = []
    real_open = discover.open_article
    monkeypatch.setattr(discover, "open_article", lambda path, root: (opened.append(path), real_open(path, root))[1])
    again, problems = discover.hash_sources(files, corpus, known)
    assert again == first and not problems and opened == []
    files[0].write_text(files[0].read_text(encoding="utf-8") + "\nTrade rose 5%.\n", encoding="utf-8")
    changed, _ = discover.hash_sources(files, corpus, known)
    assert opened == [files[0]] and changed[0].sha256 != first[0].sha256


def test_a_file_replaced_by_a_link_outside_is_checked_even_with_its_old_size_and_time(corpus, tmp_path):
    files, _ = discover.find_articles(corpus)
    sources, _ = discover.hash_sources(files, corpus)
    known = discover.files_record(sources, 2 * max(s.mtime_ns for s in sources) + 10**12)
    target = files[0]
    outside = tmp_path / "secret.txt"
    outside.write_bytes(SECRET.encode().ljust(target.stat().st_size, b"x"))
    os.utime(outside, ns=(target.stat().st_atime_ns, target.stat().st_mtime_ns))
    target.unlink()
    target.symlink_to(outside)
    kept, problems = discover.hash_sources(files, corpus, known)
    assert [s.path for s in kept] == files[1:]
    assert problems == [discover.problem(target.name, "symlink to a file outside the articles folder; skipped")]


def test_a_file_that_cannot_be_opened_is_listed(corpus, tmp_path, monkeypatch):
    """As a file of mode 000 is for a user who is not root (the tests may run as root, who reads it)."""
    locked = corpus / "locked.txt"
    locked.write_text("Trade rose 5%.", encoding="utf-8")
    real_open = os.open

    def refusing(path, flags, *args, **kwargs):
        if str(path).endswith("locked.txt"):
            raise PermissionError(13, "Permission denied", str(path))
        return real_open(path, flags, *args, **kwargs)

    monkeypatch.setattr(discover.os, "open", refusing)
    build(corpus, tmp_path / "out")
    assert problems(tmp_path / "out") == {"locked.txt": "cannot read the file (Permission denied); skipped"}


@pytest.mark.skipif(os.geteuid() == 0, reason="root reads a file of mode 000")
def test_an_unreadable_file_is_listed(corpus, tmp_path):
    locked = corpus / "locked.txt"
    locked.write_text("Trade rose 5%.", encoding="utf-8")
    locked.chmod(0)
    build(corpus, tmp_path / "out")
    assert problems(tmp_path / "out") == {"locked.txt": "cannot read the file (Permission denied); skipped"}


def test_a_file_over_the_size_limit_is_not_read(corpus, tmp_path, monkeypatch):
    big = corpus / "big.txt"
    big.write_text("Trade rose 5% in 2024. " * 2000, encoding="utf-8")  # 46 KB; the seeds have less
    monkeypatch.setattr(discover, "MAX_FILE_BYTES", 40_000)
    reads = []
    real = discover.hashlib.file_digest
    monkeypatch.setattr(discover.hashlib, "file_digest", lambda f, name: reads.append(f.name) or real(f, name))
    build(corpus, tmp_path / "out")
    assert problems(tmp_path / "out") == {"big.txt": "too large (0.046 MB; the limit is 0.04 MB); skipped"}
    assert not any(str(name).endswith("big.txt") for name in reads), "not even hashed"


def test_seeds_that_is_a_file_says_so(tmp_path, capsys):
    article = tmp_path / "a.txt"
    article.write_text("Trade rose 5%.", encoding="utf-8")
    assert main(["--seeds", str(article), "--out", str(tmp_path / "out")]) == 2
    assert capsys.readouterr().err.strip() == (f"error: {article} is a file; --seeds takes the folder that "
                                               "holds the articles")


def test_a_junk_folder_names_every_reason(tmp_path, capsys):
    junk = tmp_path / "junk"
    junk.mkdir()
    (junk / "a.txt").write_bytes(b"")
    (junk / "b.txt").write_bytes(b"")
    (junk / "c.txt").write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(64))
    (junk / "d.txt").write_text("   \n", encoding="utf-8")
    assert main(["--seeds", str(junk), "--out", str(tmp_path / "out")]) == 2
    assert capsys.readouterr().err.strip() == (
        "error: none of the 4 article files could be read (2 × empty file; 1 × not text (looks like PNG); "
        "1 × only whitespace)")


def test_the_summary_does_not_speak_of_a_rest_when_there_is_none(corpus, tmp_path, capsys):
    out = tmp_path / "out"
    assert main(["--seeds", str(corpus), "--out", str(out)]) == 0
    assert "2 articles, all extracted;" in capsys.readouterr().out
    (corpus / "new.txt").write_text("Trade between Vietnam and Cambodia rose 5% in 2024.", encoding="utf-8")
    assert main(["--seeds", str(corpus), "--out", str(out)]) == 0
    assert "3 articles: 1 extracted, 2 unchanged or from the journal;" in capsys.readouterr().out
