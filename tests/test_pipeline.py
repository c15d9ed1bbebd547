"""The ETL as a user runs it: command line, outputs, problems, atomic replacement, determinism."""

from __future__ import annotations

import csv
import errno
import json
import subprocess
import sys
import threading
import time
from pathlib import Path

import pyarrow.parquet as pq
import pytest

from etl import engines, output, pipeline
from etl.cli import main, parser
from etl.output import TEXT_GROUP_ROWS
from etl.schema import TABLES
from tests.conftest import ROOT, SEEDS


def read_csv(path: Path) -> list[dict]:
    with path.open(newline="", encoding="utf-8") as f:
        return list(csv.DictReader(f))


def test_every_option_has_help_text():
    for action in parser()._actions:
        assert action.help, f"option {action.option_strings} has no help text"


def test_help_runs_as_a_module():
    done = subprocess.run([sys.executable, "-m", "etl", "--help"], capture_output=True, text=True, cwd=ROOT)
    assert done.returncode == 0 and "--seeds" in done.stdout and "--workers" in done.stdout


def test_missing_folder_is_one_clear_line(tmp_path, capsys):
    assert main(["--seeds", str(tmp_path / "nope"), "--out", str(tmp_path / "out")]) == 2
    err = capsys.readouterr().err
    assert err.startswith("error: no such folder") and "Traceback" not in err


def test_folder_without_readable_article_fails(tmp_path, capsys):
    seeds = tmp_path / "seeds"
    seeds.mkdir()
    (seeds / "empty.txt").write_bytes(b"")
    assert main(["--seeds", str(seeds), "--out", str(tmp_path / "out")]) == 2
    assert "could be read" in capsys.readouterr().err


def test_bad_files_are_listed_and_the_rest_is_processed(corpus, tmp_path, capsys):
    (corpus / "empty.txt").write_bytes(b"")
    (corpus / "image.txt").write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(50))
    (corpus / "old.txt").write_bytes("Le Vietnam a formé 25 étudiants à Phnom Penh.".encode("cp1252"))
    (corpus / "notes.docx").write_bytes(b"PK\x03\x04")
    out = tmp_path / "out"
    assert main(["--seeds", str(corpus), "--out", str(out)]) == 0
    problems = {r["file"]: r["problem"] for r in read_csv(out / "problems.csv")}
    assert problems["empty.txt"] == "empty file"
    assert problems["image.txt"] == "not text (looks like PNG)"
    assert problems["old.txt"] == "decoded as cp1252"
    assert "not an article file type" in problems["notes.docx"]
    articles = {r["file"] for r in read_csv(out / "articles.csv")}
    assert "old.txt" in articles and len(articles) == 6
    assert "warning: empty.txt: empty file" in capsys.readouterr().err


def test_all_tables_are_written_as_csv_and_parquet(seed_tables):
    for table in TABLES:
        assert (seed_tables / f"{table.name}.csv").exists()
        assert (seed_tables / f"{table.name}.parquet").exists()
        header = (seed_tables / f"{table.name}.csv").read_text(encoding="utf-8").splitlines()[0]
        assert header.split(",") == table.column_names


def test_spans_point_into_the_decoded_text(seed_tables):
    texts = {}
    for row in read_csv(seed_tables / "articles.csv"):
        texts[row["article_id"]] = (SEEDS / row["file"]).read_text(encoding="utf-8")
    for row in read_csv(seed_tables / "claims.csv"):
        text = texts[row["article_id"]]
        assert text[int(row["char_start"]):int(row["char_end"])] == row["text"].removeprefix("'")
    for row in read_csv(seed_tables / "mentions.csv"):
        text = texts[row["article_id"]]
        assert text[int(row["char_start"]):int(row["char_end"])] == row["surface"]


def test_the_texts_the_offsets_count_in_are_stored_beside_the_tables(seed_tables, tmp_path):
    texts = pq.read_table(seed_tables / "texts.parquet")
    ids = [r["article_id"] for r in read_csv(seed_tables / "articles.csv")]
    assert texts.column("article_id").to_pylist() == ids  # in article order, one each
    for article_id, text in zip(ids, texts.column("text").to_pylist(), strict=True):
        assert text == (SEEDS / f"{article_id}.txt").read_text(encoding="utf-8")
    # many articles: small groups, so that reading one text reads little else
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    for i in range(3 * TEXT_GROUP_ROWS):
        (corpus / f"a{i:04d}.txt").write_text(f"Kampot a reçu {i} tonnes de riz.", encoding="utf-8")
    pipeline.run(corpus, tmp_path / "out", progress=False)
    stored = pq.ParquetFile(tmp_path / "out" / "texts.parquet")
    assert stored.metadata.num_rows == 3 * TEXT_GROUP_ROWS
    assert stored.metadata.num_row_groups == 3


def test_datapackage_is_valid(seed_tables):
    from frictionless import validate
    report = validate(seed_tables / "datapackage.json")
    assert report.valid, report.flatten(["rowNumber", "fieldName", "type", "note"])[:10]


def test_rerun_on_unchanged_corpus_is_byte_identical(corpus, tmp_path):
    a, b = tmp_path / "a", tmp_path / "b"
    pipeline.run(corpus, a, progress=False)
    pipeline.run(corpus, b, progress=False, force=True)
    for table in TABLES:
        assert (a / f"{table.name}.csv").read_bytes() == (b / f"{table.name}.csv").read_bytes(), table.name
    assert (a / "datapackage.json").read_bytes() == (b / "datapackage.json").read_bytes()


def test_unchanged_corpus_is_not_rebuilt(corpus, tmp_path):
    out = tmp_path / "out"
    assert not pipeline.run(corpus, out, progress=False).skipped
    assert pipeline.run(corpus, out, progress=False).skipped
    (corpus / "new.txt").write_text("Le Cambodge a reçu 40 tonnes de riz.", encoding="utf-8")
    result = pipeline.run(corpus, out, progress=False)
    assert not result.skipped and result.n_articles == 6


def test_a_failed_run_leaves_the_previous_tables_whole(corpus, tmp_path, monkeypatch):
    out = tmp_path / "out"
    pipeline.run(corpus, out, progress=False)
    before = {p.name: p.read_bytes() for p in out.iterdir() if p.is_file()}

    def broken(*args, **kwargs):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(output.pq, "write_table", broken)
    with pytest.raises(pipeline.EtlError, match="No space left on device; the previous tables are unchanged"):
        pipeline.run(corpus, out, progress=False, force=True)
    after = {p.name: p.read_bytes() for p in out.iterdir() if p.is_file()}
    assert after == before
    assert not list(tmp_path.glob(".out.new-*"))


def test_formula_cells_are_neutralised_in_csv_only(tmp_path):
    seeds = tmp_path / "seeds"
    seeds.mkdir()
    (seeds / "evil.txt").write_text("=HYPERLINK(\"http://x\")\n-Kampot a reçu 30 tonnes de riz.\n",
                                    encoding="utf-8")
    out = tmp_path / "out"
    pipeline.run(seeds, out, progress=False)
    title = read_csv(out / "articles.csv")[0]["title"]
    assert title.startswith("'=")
    claim = read_csv(out / "claims.csv")[0]
    assert claim["quote"].startswith("'-") and float(claim["value"]) == 30.0
    import pandas as pd
    assert pd.read_parquet(out / "articles.parquet")["title"][0].startswith("=")


def test_workers_give_the_same_tables(corpus, tmp_path):
    a, b = tmp_path / "a", tmp_path / "b"
    pipeline.run(corpus, a, progress=False)
    pipeline.run(corpus, b, workers=2, progress=False)
    for table in TABLES:
        assert (a / f"{table.name}.csv").read_bytes() == (b / f"{table.name}.csv").read_bytes()


def test_worker_processes_start_while_the_articles_are_hashed(corpus, tmp_path, monkeypatch):
    """A build that extracts every article starts its workers first: they load what extraction needs
    while the main process hashes the files. A re-run that keeps rows starts none ahead."""
    events = []
    start_pool, hash_sources = pipeline.start_pool, pipeline.hash_sources
    monkeypatch.setattr(pipeline, "start_pool", lambda n: (events.append("pool"), start_pool(n))[1])
    monkeypatch.setattr(pipeline, "hash_sources", lambda *a: (events.append("hash"), hash_sources(*a))[1])
    out = tmp_path / "out"
    pipeline.run(corpus, out, workers=2, progress=False)
    assert events == ["pool", "hash"]
    events.clear()
    article = corpus / "003_952f03fc20e26940.txt"
    article.write_text(article.read_text(encoding="utf-8") + "\nTrade rose to $12 billion.\n", encoding="utf-8")
    assert pipeline.run(corpus, out, workers=2, progress=False).n_extracted == 1
    assert events == ["hash"]


def test_a_failing_preload_leaves_the_workers_to_extract(corpus, tmp_path, monkeypatch):
    """The preload is a head start only: when it fails the workers still extract (a pool whose
    initializer raises is broken)."""
    pipeline.run(corpus, tmp_path / "a", progress=False)
    monkeypatch.setattr(engines, "PRELOAD_ARTICLES", (object(),))  # not bytes: reading it raises
    pipeline.run(corpus, tmp_path / "b", workers=2, progress=False)
    for table in TABLES:
        assert (tmp_path / "a" / f"{table.name}.csv").read_bytes() == (tmp_path / "b" / f"{table.name}.csv").read_bytes()


def test_build_file_records_the_corpus(seed_tables):
    build = json.loads((seed_tables / "build.json").read_text(encoding="utf-8"))
    assert build["n_articles"] == 5 and len(build["articles"]) == 5


def test_readme_documents_the_tables_as_declared():
    from etl.tools.docs import BEGIN, END, tables_markdown
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    block = readme.split(BEGIN, 1)[1].split(END, 1)[0]
    assert block.strip() == tables_markdown().strip(), "README tables are stale: run python -m etl.tools.docs"


def test_two_files_with_the_same_name_are_two_articles(corpus, tmp_path):
    text = (corpus / "003_952f03fc20e26940.txt").read_text(encoding="utf-8")
    (corpus / "003_952f03fc20e26940.md").write_text(text, encoding="utf-8")
    result = pipeline.run(corpus, tmp_path / "out", progress=False)
    assert result.n_articles == 6
    ids = pq.read_table(tmp_path / "out" / "articles.parquet").column("article_id").to_pylist()
    assert {"003_952f03fc20e26940", "003_952f03fc20e26940.txt"} <= set(ids)


def test_prefetched_keeps_the_order_and_stays_within_its_depth():
    produced = []

    def numbers():
        for n in range(50):
            produced.append(n)
            yield n

    prefetched = engines.Prefetched(numbers(), depth=3)
    assert next(prefetched) == 0
    time.sleep(0.2)  # the thread fills the queue and waits
    assert len(produced) <= 1 + 3 + 1  # the one taken, the queue, the one waiting to be put
    assert list(prefetched) == list(range(1, 50))


def test_prefetched_starts_computing_before_it_is_asked():
    started = threading.Event()

    def numbers():
        started.set()
        yield 1

    prefetched = engines.Prefetched(numbers(), depth=2)
    assert started.wait(5), "the thread works while the caller does something else"
    assert list(prefetched) == [1]


def test_prefetched_raises_the_producers_error_where_the_item_was_due():
    def failing():
        yield 1
        raise ValueError("unreadable")

    prefetched = engines.Prefetched(failing(), depth=2)
    assert next(prefetched) == 1
    with pytest.raises(ValueError, match="unreadable"):
        next(prefetched)


def test_closing_prefetched_stops_its_thread():
    stopped = threading.Event()

    def endless():
        try:
            n = 0
            while True:
                yield n
                n += 1
        finally:
            stopped.set()

    prefetched = engines.Prefetched(endless(), depth=2)
    assert next(prefetched) == 0
    prefetched.close()
    assert not any(t.name == "extract-ahead" and t.is_alive() for t in threading.enumerate())
    assert stopped.is_set(), "the producer's generator is closed too"


def test_the_extraction_cache_reads_whole_entries_and_clears_only_its_own_folders(tmp_path: Path):
    from etl.extract import Extraction
    from etl.journal import Journal, pack

    root = tmp_path / "cache"
    first = Journal(root, "0123456789abcdef")
    first.put("a.txt", "sha-a", "a", pack(Extraction({"article_id": "a"}), "text a"))
    first.put("b.txt", "sha-b", "b", pack(Extraction({"article_id": "b"}), "text b"))
    first.close()
    journal = next(root.glob("*/*.journal"))
    journal.write_bytes(journal.read_bytes()[:-3])  # a run killed while writing its second entry

    second = Journal(root, "0123456789abcdef")
    extraction, text = second.get("a.txt", "sha-a", "a")
    assert (extraction.article, text) == ({"article_id": "a"}, "text a")
    assert not second.has("b.txt", "sha-b", "b") and second.get("b.txt", "sha-b", "b") is None
    assert second.get("a.txt", "another sha", "a") is None
    assert second.get("a.txt", "sha-a", "another id") is None
    second.put("b.txt", "sha-b", "b", pack(Extraction({"article_id": "b"}), "text b"))  # in a journal of its own
    second.close()
    assert len(list(root.glob("*/*.journal"))) == 2
    assert Journal(root, "0123456789abcdef").get("b.txt", "sha-b", "b")[1] == "text b"
    assert not Journal(root, "fedcba9876543210").has("a.txt", "sha-a", "a"), "another extractor version"
    (root / "notes").mkdir()  # not ours: kept
    second.clear()
    assert [p.name for p in root.iterdir()] == ["notes"]
    (root / "notes").rmdir()
    Journal(root, "0123456789abcdef").clear()
    assert not root.exists()


def test_an_unreadable_journal_entry_is_a_miss(tmp_path: Path):
    from etl.journal import Journal

    cache = Journal(tmp_path, "0123456789abcdef")
    cache.put("a.txt", "sha-a", "a", b"\x80\x05not a pickle")
    cache.close()
    again = Journal(tmp_path, "0123456789abcdef")
    assert again.has("a.txt", "sha-a", "a") and again.get("a.txt", "sha-a", "a") is None


def test_the_command_runs_without_importing_pandas(tmp_path):
    """``python -m etl`` never gives pyarrow a pandas object, so pyarrow is kept from importing pandas
    (a quarter of a one-article re-run); the tables are those ``pipeline.run`` writes in a process
    that has pandas."""
    out = tmp_path / "out"
    script = ("import runpy, sys\n"
              f"sys.argv = ['etl', '--seeds', {str(SEEDS)!r}, '--out', {str(out)!r}]\n"
              "try:\n    runpy.run_module('etl', run_name='__main__')\n"
              "except SystemExit as e:\n    assert e.code == 0, e.code\n"
              "print('pandas' in sys.modules)\n")
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, cwd=ROOT)
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines()[-1] == "False"
    with_pandas = tmp_path / "with_pandas"
    pipeline.run(SEEDS, with_pandas)
    for table in TABLES:
        assert (out / f"{table.name}.csv").read_bytes() == (with_pandas / f"{table.name}.csv").read_bytes()


def test_pyarrow_gives_pandas_after_the_command_kept_it_out():
    """Asked for pandas later (``to_pandas``), pyarrow imports it after all."""
    script = ("import sys\nfrom etl.__main__ import arrow_without_pandas\narrow_without_pandas()\n"
              "import pyarrow as pa\nassert 'pandas' not in sys.modules\n"
              "df = pa.table({'a': [1, 2]}).to_pandas()\nprint(type(df).__name__, int(df['a'].sum()))\n")
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, cwd=ROOT)
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == ["DataFrame", "3"]


@pytest.mark.parametrize(("given", "pool"), [({}, "system"), ({"ARROW_DEFAULT_MEMORY_POOL": "mimalloc"}, "mimalloc")])
def test_the_command_process_is_set_up_before_arrow_loads(given, pool):
    """``etl.__main__`` chooses Arrow's allocator and one BLAS thread before pyarrow and numpy are
    imported (later they would not count), unless the user chose otherwise; ``prepare`` raises the
    garbage collector's thresholds."""
    import os

    script = ("import etl.__main__ as command\ncommand.prepare()\nimport gc, os, pyarrow as pa\n"
              "print(pa.default_memory_pool().backend_name, os.environ['OPENBLAS_NUM_THREADS'],"
              " gc.get_threshold() == command.GC_THRESHOLDS)\n")
    env = {k: v for k, v in os.environ.items() if k not in ("ARROW_DEFAULT_MEMORY_POOL", "OPENBLAS_NUM_THREADS")}
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, cwd=ROOT,
                          env={**env, **given})
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == [pool, "1", "True"]
