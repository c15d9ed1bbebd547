"""Incremental builds, the synthetic corpus, and the Dask engine (same tables as a local run)."""

from __future__ import annotations

import csv
import io
import os
import shutil
import time
from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq
import pytest

from etl import discover, output, pipeline, reuse, rows
from etl.schema import TABLES
from etl.tools.synth import generate
from tests.conftest import SEEDS


def same_tables(a: Path, b: Path) -> None:
    for table in TABLES:
        assert (a / f"{table.name}.csv").read_bytes() == (b / f"{table.name}.csv").read_bytes(), table.name


def same_output(a: Path, b: Path) -> None:
    """The same CSV bytes, the same Parquet rows, the same texts."""
    same_tables(a, b)
    for table in TABLES:
        assert pq.read_table(a / f"{table.name}.parquet").equals(pq.read_table(b / f"{table.name}.parquet"))
    assert pq.read_table(a / "texts.parquet").equals(pq.read_table(b / "texts.parquet"))


@pytest.fixture
def mixed_corpus(tmp_path: Path) -> Path:
    """Seed articles and synthetic ones, some in a subfolder."""
    seeds = tmp_path / "mixed"
    shutil.copytree(SEEDS, seeds)
    generate(12, seeds / "sub", SEEDS, seed=5)
    return seeds


def republish(original: Path, copy: Path) -> None:
    """``original``'s story under a new header, as another outlet republishes it."""
    body = original.read_text(encoding="utf-8").split("\n", 1)[1]
    copy.write_text("A new headline for the same story\nBy Another Outlet\n" + body, encoding="utf-8")


def duplicates(out: Path) -> dict[str, str]:
    articles = pq.read_table(out / "articles.parquet", columns=["article_id", "duplicate_of"]).to_pylist()
    return {a["article_id"]: a["duplicate_of"] for a in articles if a["duplicate_of"]}


def test_an_incremental_build_equals_a_full_build(mixed_corpus, tmp_path):
    out, cache = tmp_path / "out", tmp_path / "cache"
    original, other = mixed_corpus / "003_952f03fc20e26940.txt", mixed_corpus / "002_1bc91b7b4a1688c3.txt"
    republish(original, mixed_corpus / "sub" / "copy-of-003.txt")
    first = pipeline.run(mixed_corpus, out, progress=False, cache=cache)
    assert not cache.exists()  # what is not extracted again comes from the previous tables
    assert duplicates(out) == {"sub/copy-of-003": "003_952f03fc20e26940"}
    changed = sorted((mixed_corpus / "sub").glob("synthetic-*.txt"))[3]
    changed.write_text(changed.read_text(encoding="utf-8") + "\nKampot a reçu 12 tonnes de riz.\n",
                       encoding="utf-8")
    sorted((mixed_corpus / "sub").glob("synthetic-*.txt"))[7].unlink()
    (mixed_corpus / "sub" / "synthetic-00004b.txt").write_text(
        "Trade between Kien Giang and Kampot reached $40 million in 2023.", encoding="utf-8")
    (mixed_corpus / "broken.txt").write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(200))
    # the copy kept from the previous build is no copy once its original is gone; a new one is
    original.unlink()
    republish(other, mixed_corpus / "sub" / "copy-of-002.txt")

    result = pipeline.run(mixed_corpus, out, progress=False, cache=cache)
    assert result.n_extracted == 3 and result.n_articles == first.n_articles
    assert duplicates(out) == {"sub/copy-of-002": "002_1bc91b7b4a1688c3"}
    pipeline.run(mixed_corpus, tmp_path / "fresh", progress=False, cache=tmp_path / "fresh-cache")
    same_output(out, tmp_path / "fresh")  # every table, facts.csv and articles.duplicate_of included
    assert "broken.txt" in (out / "problems.csv").read_text(encoding="utf-8")
    facts = pq.read_table(out / "facts.parquet").to_pylist()
    copied = [f for f in facts if "sub/copy-of-002#c1" in f["claim_ids"].split(";")]
    assert len(copied) == 1 and copied[0]["n_articles"] == 1  # the copy's figures count for its original


def formatted_articles(monkeypatch) -> dict[str, set[str]]:
    """The articles whose CSV rows each table formats (rather than copies), as runs go on."""
    formatted: dict[str, set[str]] = {}
    real = output.CsvFile.write

    def write(self, data):
        formatted.setdefault(self.table.name, set()).update(data.column("article_id").to_pylist())
        real(self, data)

    monkeypatch.setattr(output.CsvFile, "write", write)
    return formatted


def test_a_rerun_copies_the_csv_rows_of_unchanged_articles(mixed_corpus, tmp_path, monkeypatch):
    out = tmp_path / "out"
    pipeline.run(mixed_corpus, out, progress=False)
    index = pq.read_table(out / output.CSV_INDEX_FILE).to_pylist()
    # each offset is the start of a row of its article; the articles table is written whole at save
    # (its duplicate_of is decided over all articles), so its rows are not copied
    assert not [e for e in index if e["table"] == "articles"]
    for table in ("claims", "mentions", "links"):
        text = (out / f"{table}.csv").read_bytes()
        entries = [e for e in index if e["table"] == table]
        assert entries
        for e in entries:
            row = next(csv.DictReader(io.StringIO(
                (text[:len(text.split(b"\n", 1)[0]) + 1] + text[e["offset"]:]).decode("utf-8"))))
            assert row["article_id"] == e["article_id"]
    formatted = formatted_articles(monkeypatch)
    subfolder = sorted((mixed_corpus / "sub").glob("*.txt"))
    changed = subfolder[4]
    changed.write_text(changed.read_text(encoding="utf-8") + "\nKep a reçu 3 tonnes de riz.\n", encoding="utf-8")
    subfolder[2].unlink()  # rows between copied ones that must not be copied
    pipeline.run(mixed_corpus, out, progress=False)
    assert set().union(*formatted.values()) == {"sub/" + changed.stem}
    pipeline.run(mixed_corpus, tmp_path / "fresh", progress=False, cache=tmp_path / "fresh-cache")
    same_output(out, tmp_path / "fresh")


def test_csv_rows_are_copied_where_the_kernel_cannot_copy_them(mixed_corpus, tmp_path, monkeypatch):
    out = tmp_path / "out"
    pipeline.run(mixed_corpus, out, progress=False)
    real = os.copy_file_range
    calls = []

    def fails_after_a_few_bytes(src, dst, count, offset_src=None, offset_dst=None):
        calls.append(count)
        if len(calls) == 1:  # part of the first range, then "not between these file systems"
            return real(src, dst, min(count, 10), offset_src, offset_dst)
        raise OSError(18, "Invalid cross-device link")

    monkeypatch.setattr(os, "copy_file_range", fails_after_a_few_bytes)
    formatted = formatted_articles(monkeypatch)
    (mixed_corpus / "new.txt").write_text("Kep a reçu 3 tonnes de riz.", encoding="utf-8")
    pipeline.run(mixed_corpus, out, progress=False)
    assert len(calls) > 1 and set().union(*formatted.values()) == {"new"}
    pipeline.run(mixed_corpus, tmp_path / "fresh", progress=False, cache=tmp_path / "fresh-cache")
    same_output(out, tmp_path / "fresh")


def test_a_csv_file_changed_since_the_build_is_written_again(mixed_corpus, tmp_path, monkeypatch):
    out = tmp_path / "out"
    pipeline.run(mixed_corpus, out, progress=False)
    claims = out / "claims.csv"
    assert b"Kampot" in claims.read_bytes()
    claims.write_bytes(claims.read_bytes().replace(b"Kampot", b"KAMPOT"))  # same size, edited
    formatted = formatted_articles(monkeypatch)
    (mixed_corpus / "new.txt").write_text("Kep a reçu 3 tonnes de riz.", encoding="utf-8")
    pipeline.run(mixed_corpus, out, progress=False)
    assert len(formatted["claims"]) > 1  # every article's claims formatted again
    assert formatted.get("links", set()) <= {"new"}  # the other files still copied
    pipeline.run(mixed_corpus, tmp_path / "fresh", progress=False, cache=tmp_path / "fresh-cache")
    same_output(out, tmp_path / "fresh")


def test_small_batches_and_reads_give_the_same_tables(mixed_corpus, tmp_path, monkeypatch):
    """Rows handed on a few articles at a time and previous tables read a few rows at a time (an
    article's rows then span reads) still make the tables of one full build."""
    monkeypatch.setattr(rows, "BATCH_ARTICLES", 2)
    monkeypatch.setattr(output, "ROW_GROUP_ROWS", 5)
    monkeypatch.setattr(output, "TEXT_GROUP_ROWS", 2)
    monkeypatch.setattr(reuse, "CURSOR_BATCH_ROWS", 3)
    monkeypatch.setattr(reuse, "CURSOR_BATCH_TEXTS", 3)
    out, cache = tmp_path / "out", tmp_path / "cache"
    pipeline.run(mixed_corpus, out, progress=False, cache=cache)
    assert not cache.exists()
    subfolder = sorted((mixed_corpus / "sub").glob("*.txt"))
    for changed in (subfolder[1], subfolder[6]):
        changed.write_text(changed.read_text(encoding="utf-8") + "\nKep a reçu 3 tonnes de riz.\n",
                           encoding="utf-8")
    subfolder[9].unlink()
    (mixed_corpus / "sub" / "synthetic-00002b.txt").write_text(
        "Trade between Kien Giang and Kampot reached $40 million in 2023.", encoding="utf-8")
    result = pipeline.run(mixed_corpus, out, progress=False, cache=cache)
    assert result.n_extracted == 3
    monkeypatch.undo()
    pipeline.run(mixed_corpus, tmp_path / "fresh", progress=False, cache=tmp_path / "fresh-cache")
    same_output(out, tmp_path / "fresh")
    assert pq.ParquetFile(out / "links.parquet").num_row_groups > 1  # the rows came in several batches


def test_row_groups_hold_only_their_own_sentences_after_reruns(mixed_corpus, tmp_path, monkeypatch):
    """Kept rows are read with their row group's whole dictionary of sentences; a group written
    from them must not carry the sentences of rows it does not hold (re-run after re-run, the
    dictionaries, the files and the time to read them would grow)."""
    monkeypatch.setattr(output, "ROW_GROUP_ROWS", 40)
    monkeypatch.setattr(reuse, "CURSOR_BATCH_ROWS", 25)
    out = tmp_path / "out"
    pipeline.run(mixed_corpus, out, progress=False)
    changed = sorted((mixed_corpus / "sub").glob("*.txt"))[5]
    for i in range(3):
        changed.write_text(changed.read_text(encoding="utf-8") + f"\nKep a reçu {i + 3} tonnes de riz.\n",
                           encoding="utf-8")
        assert pipeline.run(mixed_corpus, out, progress=False).n_extracted == 1
    for name in ("claims", "links"):  # the tables with a quote
        file = pq.ParquetFile(out / f"{name}.parquet", read_dictionary=["quote"])
        assert file.num_row_groups > 2
        for group in range(file.num_row_groups):
            quotes = file.read_row_group(group, columns=["quote"]).column("quote").combine_chunks()
            assert len(quotes.dictionary) == len(pc.unique(quotes.indices)), (name, group)


def test_place_counts_take_mentions_in_chunks_with_dictionaries_of_their_own():
    def chunk(article_ids, place_ids):
        return rows.dictionary_encoded(pa.table({
            "article_id": article_ids, "place_id": place_ids, "section": ["body"] * len(place_ids)}))

    counts = rows.PlaceCounts()
    counts.add(pa.concat_tables([chunk(["a", "a"], ["kep", "kampot"]), chunk(["b"], ["kep"])]))
    counts.add(chunk(["c", "c"], ["kep", "kep"]))
    assert counts.mentions == {"kep": 4, "kampot": 1} and counts.articles == {"kep": 3, "kampot": 1}


@pytest.mark.parametrize("max_slices", [0, rows.MAX_SLICES])
@pytest.mark.parametrize("pattern", ["all", "none", "one_gap", "alternate", "ends"])
def test_rows_where_keeps_the_rows_a_filter_keeps(pattern, max_slices, monkeypatch):
    monkeypatch.setattr(rows, "MAX_SLICES", max_slices)  # 0: always the filter; else slices when few runs
    n = 300
    keep = {
        "all": [True] * n,
        "none": [False] * n,
        "one_gap": [not 100 <= i < 103 for i in range(n)],
        "alternate": [i % 2 == 0 for i in range(n)],
        "ends": [i < 5 or i >= n - 5 for i in range(n)],
    }[pattern]
    data = rows.dictionary_encoded(pa.table({"article_id": [f"a{i // 3}" for i in range(n)], "x": range(n)}))
    mask = pa.chunked_array([keep[:150], keep[150:]])
    assert rows.rows_where(data, mask).equals(data.filter(mask))


def test_kept_rows_are_plain_text_in_parquet(mixed_corpus, tmp_path):
    out = tmp_path / "out"
    pipeline.run(mixed_corpus, out, progress=False)
    (mixed_corpus / "new.txt").write_text("Kep a reçu 3 tonnes de riz.", encoding="utf-8")
    pipeline.run(mixed_corpus, out, progress=False)
    for name in ("claims", "links", "mentions"):
        schema = pq.read_schema(out / f"{name}.parquet")
        assert schema.field("quote" if "quote" in schema.names else "article_id").type == pa.string()


def test_damaged_previous_tables_mean_extracting_again(mixed_corpus, tmp_path):
    out, cache = tmp_path / "out", tmp_path / "cache"
    first = pipeline.run(mixed_corpus, out, progress=False, cache=cache)
    (out / "links.parquet").write_bytes(b"not parquet")
    (mixed_corpus / "new.txt").write_text("Kep a reçu 3 tonnes de riz.", encoding="utf-8")
    assert not cache.exists()
    result = pipeline.run(mixed_corpus, out, progress=False, cache=cache)
    assert result.n_extracted == first.n_articles + 1
    pipeline.run(mixed_corpus, tmp_path / "fresh", progress=False, cache=tmp_path / "fresh-cache")
    same_output(out, tmp_path / "fresh")


def test_previous_tables_found_damaged_half_way_mean_extracting_again(mixed_corpus, tmp_path, monkeypatch):
    out, cache = tmp_path / "out", tmp_path / "cache"
    first = pipeline.run(mixed_corpus, out, progress=False, cache=cache)
    (mixed_corpus / "new.txt").write_text("Kep a reçu 3 tonnes de riz.", encoding="utf-8")
    assert not cache.exists()
    real = pq.ParquetFile.iter_batches

    def damaged_after_the_first_batch(self, *args, **kwargs):
        batches = real(self, *args, **kwargs)
        yield next(batches)
        raise pa.ArrowInvalid("corrupt page")

    monkeypatch.setattr(reuse, "CURSOR_BATCH_ROWS", 3)
    monkeypatch.setattr(reuse, "CURSOR_BATCH_TEXTS", 3)  # found damaged before the new article comes
    monkeypatch.setattr(pq.ParquetFile, "iter_batches", damaged_after_the_first_batch)
    result = pipeline.run(mixed_corpus, out, progress=False, cache=cache)
    assert result.n_extracted == first.n_articles + 1
    monkeypatch.undo()
    pipeline.run(mixed_corpus, tmp_path / "fresh", progress=False, cache=tmp_path / "fresh-cache")
    same_output(out, tmp_path / "fresh")
    assert not list(tmp_path.glob(".out.new-*")), "the abandoned folder is removed"


def test_unchanged_files_are_not_read_again(corpus, tmp_path, monkeypatch):
    hour_ago = time.time() - 3600
    for path in corpus.iterdir():
        os.utime(path, (hour_ago, hour_ago))
    out = tmp_path / "out"
    pipeline.run(corpus, out, progress=False)
    digests = []
    real = discover.hashlib.file_digest
    monkeypatch.setattr(discover.hashlib, "file_digest", lambda f, name: digests.append(f.name) or real(f, name))
    assert pipeline.run(corpus, out, progress=False).skipped
    assert digests == []
    assert not pipeline.run(corpus, out, progress=False, force=True).skipped
    assert len(digests) == 5  # --force trusts nothing from the previous build


def test_an_edit_in_the_same_clock_tick_is_not_missed(corpus, tmp_path):
    """A file changed right after a build, keeping its size and time stamp, is still hashed again."""
    out = tmp_path / "out"
    article = corpus / "003_952f03fc20e26940.txt"
    text = article.read_text(encoding="utf-8")
    article.write_text(text, encoding="utf-8")  # saved just now, then built at once
    pipeline.run(corpus, out, progress=False)
    stat = article.stat()
    article.write_text(text.replace("Cambodia", "Cambodge", 1), encoding="utf-8")
    os.utime(article, ns=(stat.st_atime_ns, stat.st_mtime_ns))
    assert article.stat().st_size == stat.st_size
    result = pipeline.run(corpus, out, progress=False)
    assert not result.skipped and result.n_extracted == 1


def test_only_changed_articles_are_extracted_again(corpus, tmp_path):
    out = tmp_path / "out"
    assert pipeline.run(corpus, out, progress=False).n_extracted == 5
    article = corpus / "003_952f03fc20e26940.txt"
    article.write_text(article.read_text(encoding="utf-8") + "\nTrade rose to $12 billion.\n", encoding="utf-8")
    result = pipeline.run(corpus, out, progress=False)
    assert result.n_extracted == 1 and result.n_articles == 5


def test_an_interrupted_build_resumes_from_the_cache(corpus, tmp_path, monkeypatch):
    cache = tmp_path / "cache"

    def interrupted(*args, **kwargs):
        raise KeyboardInterrupt

    with monkeypatch.context() as m:
        m.setattr(output.TableWriter, "commit", interrupted)  # every article extracted, then stopped
        with pytest.raises(KeyboardInterrupt):
            pipeline.run(corpus, tmp_path / "out", progress=False, cache=cache)
    assert not (tmp_path / "out").exists()
    result = pipeline.run(corpus, tmp_path / "out", progress=False, cache=cache)
    assert result.n_extracted == 0 and result.n_articles == 5  # all from the interrupted build's work
    assert not cache.exists(), "once the tables hold them, the entries are removed"
    pipeline.run(corpus, tmp_path / "fresh", progress=False, cache=tmp_path / "fresh-cache")
    same_output(tmp_path / "out", tmp_path / "fresh")


def test_a_resumed_build_gives_the_ids_of_now(corpus, tmp_path, monkeypatch):
    """An article's id depends on the other files (``a.md`` takes ``a`` from ``a.txt``): an entry kept
    for an article under another id is not used."""
    cache = tmp_path / "cache"
    with monkeypatch.context() as m:
        m.setattr(output.TableWriter, "commit", lambda *a, **k: (_ for _ in ()).throw(KeyboardInterrupt))
        with pytest.raises(KeyboardInterrupt):
            pipeline.run(corpus, tmp_path / "out", progress=False, cache=cache)
    article = corpus / "003_952f03fc20e26940.txt"
    shutil.copy(article, article.with_suffix(".md"))  # now "003_952f03fc20e26940" is the .md file's id
    result = pipeline.run(corpus, tmp_path / "out", progress=False, cache=cache)
    assert result.n_extracted == 2 and result.n_articles == 6  # the .md file, and the .txt file again
    pipeline.run(corpus, tmp_path / "fresh", progress=False, cache=tmp_path / "fresh-cache")
    same_output(tmp_path / "out", tmp_path / "fresh")


def test_cached_build_equals_a_fresh_build(corpus, tmp_path):
    pipeline.run(corpus, tmp_path / "a", progress=False, cache=tmp_path / "cache")
    pipeline.run(corpus, tmp_path / "b", progress=False, cache=tmp_path / "cache", force=True)
    pipeline.run(corpus, tmp_path / "c", progress=False, cache=tmp_path / "other-cache")
    same_tables(tmp_path / "a", tmp_path / "b")
    same_tables(tmp_path / "a", tmp_path / "c")


def test_a_new_extractor_version_misses_the_cache(corpus, tmp_path, monkeypatch):
    out = tmp_path / "out"
    pipeline.run(corpus, out, progress=False)
    monkeypatch.setattr(pipeline, "extractor_version", lambda: "another-version")
    assert pipeline.run(corpus, out, progress=False).n_extracted == 5


def test_a_removed_article_leaves_the_tables(corpus, tmp_path):
    out = tmp_path / "out"
    pipeline.run(corpus, out, progress=False)
    (corpus / "004_dae10f83133d40bb.txt").unlink()
    result = pipeline.run(corpus, out, progress=False)
    assert result.n_articles == 4 and result.n_extracted == 0
    assert "004_dae10f83133d40bb" not in (out / "articles.csv").read_text(encoding="utf-8")


def test_synthetic_corpus_is_deterministic_and_says_so(tmp_path):
    a = generate(6, tmp_path / "a", SEEDS, seed=3)
    b = generate(6, tmp_path / "b", SEEDS, seed=3)
    assert [p.read_bytes() for p in a] == [p.read_bytes() for p in b]
    assert all("not real news" in p.read_text(encoding="utf-8").splitlines()[0] for p in a)
    assert (tmp_path / "a" / ".SYNTHETIC").exists()
    languages = {p.read_text(encoding="utf-8").split("(", 1)[1].split(")")[0] for p in a}
    assert languages == {"en", "fr"}


@pytest.mark.slow
def test_dask_engine_writes_the_same_tables(corpus, tmp_path):
    pytest.importorskip("dask.distributed")
    pipeline.run(corpus, tmp_path / "local", progress=False, cache=tmp_path / "c1")
    pipeline.run(corpus, tmp_path / "dask", progress=False, engine="dask", workers=2, cache=tmp_path / "c2")
    same_tables(tmp_path / "local", tmp_path / "dask")


@pytest.mark.parametrize("encode", [False, True], ids=["plain", "dictionary"])
def test_row_ranks_follow_the_previous_order(encode):
    """Each kept row's article place, looked up once per run of rows of one article; an article the
    previous build does not list, or a row without one, makes the previous build unreadable."""
    ids = ["b", "b", "b", "a", "d", "d", "c"]
    rank = {"a": 0, "b": 1, "c": 2, "d": 3}
    column = pa.array(ids).dictionary_encode() if encode else pa.array(ids)
    chunked = pa.chunked_array([column.slice(0, 4), column.slice(4)])
    assert reuse._ranks(chunked, rank).tolist() == [rank[i] for i in ids]
    assert reuse._ranks(pa.array([], pa.string()), rank).tolist() == []
    with pytest.raises(reuse.PreviousUnreadable):
        reuse._ranks(pa.array(["a", "z"]), rank)
    with pytest.raises(reuse.PreviousUnreadable):
        reuse._ranks(pa.array(["a", None]), rank)
