"""Tables damaged after they were written, and an articles folder deleted or replaced under the app:
the ETL and the dashboard notice, say so in one line, and lose nothing the user did not ask to lose."""

from __future__ import annotations

import shutil
from pathlib import Path

import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from etl import pipeline
from etl.cli import main
from pages.lib import data, upload
from pages.lib.widgets import plain_markdown
from tests.conftest import Corpus

APP = Path(__file__).resolve().parents[1] / "dashboard.py"
TIMEOUT = 120  # seconds: the first run imports plotly and geopandas, and may rebuild
NEW_ARTICLE = b"Kampot port\nVietnam will invest 50 million USD in a port in Kampot province, officials said.\n"


def damage(path: Path, at: int = 1000, n: int = 200) -> None:
    """Overwrite ``n`` bytes of a file in place (as a failing disk or a careless edit does)."""
    with open(path, "r+b") as f:
        f.seek(min(at, max(path.stat().st_size - n, 0)))
        f.write(b"x" * n)


def tables_bytes(out: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(out.iterdir()) if p.is_file() and p.name != "build.json"}


# --- the ETL -----------------------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["claims.parquet", "claims.csv", "texts.parquet"])
def test_the_etl_rebuilds_a_table_that_changed_since_it_wrote_it(seed_corpus: Corpus, tmp_path, capsys, name):
    fresh = tmp_path / "fresh"
    pipeline.run(seed_corpus.seeds, fresh, progress=False)
    damage(seed_corpus.tables / name)
    assert main(["--seeds", str(seed_corpus.seeds), "--out", str(seed_corpus.tables)]) == 0
    assert "up to date" not in capsys.readouterr().out
    assert tables_bytes(seed_corpus.tables) == tables_bytes(fresh)


def test_the_etl_rebuilds_a_table_that_went_missing(seed_corpus: Corpus, capsys):
    (seed_corpus.tables / "links.csv").unlink()
    assert main(["--seeds", str(seed_corpus.seeds), "--out", str(seed_corpus.tables)]) == 0
    assert (seed_corpus.tables / "links.csv").exists()


# --- the dashboard -----------------------------------------------------------------------------------


@pytest.fixture
def app_env(seed_corpus: Corpus, monkeypatch: pytest.MonkeyPatch) -> Corpus:
    monkeypatch.setenv(data.DATA_ENV, str(seed_corpus.tables))
    monkeypatch.setenv(data.SEEDS_ENV, str(seed_corpus.seeds))
    return seed_corpus


def run_app() -> AppTest:
    return AppTest.from_file(str(APP), default_timeout=TIMEOUT).run()


def texts_of(at: AppTest) -> str:
    """Every message, status label and markdown text the run drew."""
    parts = [e.value for kind in ("warning", "error", "info", "success", "markdown", "caption")
             for e in getattr(at, kind)]
    parts += [str(s.proto.label) for s in at.get("expandable")]
    return "\n".join(map(str, parts))


def test_damaged_tables_are_said_and_rebuilt_on_the_first_visit(app_env: Corpus):
    damage(app_env.tables / "claims.parquet")
    at = run_app()
    assert not at.exception
    said = texts_of(at)
    assert plain_markdown("the tables in processed are damaged: claims.parquet changed since it was written; "
                          "rebuilding…") in said
    assert len(pd.read_parquet(app_env.tables / "claims.parquet")) > 0, "rebuilt, and readable again"


def test_a_table_damaged_while_the_app_runs_is_said_in_one_line_and_rebuilt(app_env: Corpus):
    at = run_app()
    assert not at.exception
    damage(app_env.tables / "claims.parquet")
    data.clear_caches()  # as after a restart, or once the cached frames were evicted
    at.run()
    assert not at.exception
    said = texts_of(at)
    assert plain_markdown("the tables in processed are damaged: claims.parquet cannot be read; rebuilding…") in said
    assert "Traceback" not in said and "Snappy" not in said
    assert len(pd.read_parquet(app_env.tables / "claims.parquet")) > 0


def test_an_upload_into_a_deleted_articles_folder_is_refused(seed_corpus: Corpus):
    before = tables_bytes(seed_corpus.tables)
    shutil.rmtree(seed_corpus.seeds)
    outcome = upload.add_and_rebuild([("new.txt", NEW_ARTICLE)], seed_corpus.seeds, seed_corpus.tables)
    assert outcome.error is not None and "folder seeds is missing" in outcome.error
    assert not outcome.saved and outcome.rebuilt is None
    assert not seed_corpus.seeds.exists(), "not made again with one article in it"
    assert tables_bytes(seed_corpus.tables) == before


def replace_seeds(corpus: Corpus) -> None:
    """The articles folder deleted and made again with one other article in it."""
    shutil.rmtree(corpus.seeds)
    corpus.seeds.mkdir()
    (corpus.seeds / "other.txt").write_bytes(NEW_ARTICLE)


def test_an_upload_into_a_replaced_folder_saves_but_does_not_rebuild(seed_corpus: Corpus):
    before = tables_bytes(seed_corpus.tables)
    replace_seeds(seed_corpus)
    outcome = upload.add_and_rebuild([("new.txt", NEW_ARTICLE.replace(b"50", b"60"))], seed_corpus.seeds,
                                     seed_corpus.tables)
    assert outcome.saved == ("new.txt",) and outcome.rebuilt is None
    assert "was replaced since the tables were built: 5 of the 5 articles" in outcome.error
    assert tables_bytes(seed_corpus.tables) == before


def test_the_dashboard_does_not_rebuild_from_a_replaced_folder(app_env: Corpus):
    before = tables_bytes(app_env.tables)
    replace_seeds(app_env)
    at = run_app()
    assert not at.exception
    (warning,) = [w.value for w in at.warning]
    assert "was replaced since the tables were built" in warning and "Rebuild data" in warning
    assert tables_bytes(app_env.tables) == before, "the tables of the five articles are kept"
    at.sidebar.button(key="rebuild_data").click().run()  # the user's say-so
    assert not at.exception
    assert len(pd.read_parquet(app_env.tables / "articles.parquet")) == 1


def test_a_folder_moved_back_in_place_is_not_replaced(seed_corpus: Corpus):
    moved = seed_corpus.seeds.with_name("moved")
    shutil.copytree(seed_corpus.seeds, moved)
    shutil.rmtree(seed_corpus.seeds)
    moved.rename(seed_corpus.seeds)  # another folder, the same articles
    assert data.replaced_seeds(seed_corpus.seeds, seed_corpus.tables) is None
