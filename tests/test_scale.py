"""Incremental builds, the synthetic corpus, and the Dask engine (same tables as a local run)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from etl import pipeline
from etl.schema import TABLES
from etl.synth import generate
from tests.conftest import SEEDS


@pytest.fixture
def corpus(tmp_path: Path) -> Path:
    seeds = tmp_path / "seeds"
    shutil.copytree(SEEDS, seeds)
    return seeds


def same_tables(a: Path, b: Path) -> None:
    for table in TABLES:
        assert (a / f"{table.name}.csv").read_bytes() == (b / f"{table.name}.csv").read_bytes(), table.name


def test_only_changed_articles_are_extracted_again(corpus, tmp_path):
    out = tmp_path / "out"
    assert pipeline.run(corpus, out, progress=False).n_extracted == 5
    article = corpus / "003_952f03fc20e26940.txt"
    article.write_text(article.read_text(encoding="utf-8") + "\nTrade rose to $12 billion.\n", encoding="utf-8")
    result = pipeline.run(corpus, out, progress=False)
    assert result.n_extracted == 1 and result.n_articles == 5


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
