"""Adding articles from the dashboard: ``pages.lib.upload.add_and_rebuild`` and the Articles page's panel.

Each test works on its own copy of the seed articles, their tables and the ETL's cache
(``seed_corpus``), so a rebuild only extracts the files the test adds.
"""

from __future__ import annotations

import threading
import time
import tomllib
from pathlib import Path

import pandas as pd
import pytest
from filelock import FileLock
from streamlit.testing.v1 import AppTest

from etl import ingest, pipeline
from etl.outdir import OutputFolder
from pages.lib import building, data, upload, widgets
from tests.conftest import SEEDS, Corpus

REPO = Path(__file__).resolve().parents[1]
APP = REPO / "dashboard.py"
TIMEOUT = 120  # seconds: the first run imports plotly and geopandas, and the upload rebuilds
CONFIG = REPO / ".streamlit" / "config.toml"

NEW_FILE = "border_gate.txt"
NEW_ID = "border_gate"
NEW_ARTICLE = b"""Vietnam and Cambodia open a new border gate
PHNOM PENH, May 5, 2025 (VNA) - Vietnam will invest 50 million USD in a new border gate in Kampot province, officials said.

The two countries expect trade through the gate to reach 2 billion USD by 2030.
"""
PNG = b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 4
#: Seconds another "build" holds the ETL's lock in the waiting test, and how long the ETL may wait.
HOLD_LOCK_S, LOCK_TIMEOUT_S = 1.0, 30


def first_seed() -> Path:
    return sorted(SEEDS.glob("*.txt"))[0]


def table(out: Path, name: str) -> pd.DataFrame:
    return pd.read_parquet(out / f"{name}.parquet")


def failing_build(error: Exception):
    def build(seeds: Path, out: Path) -> pipeline.RunResult:
        raise error

    return build


def never_build(seeds: Path, out: Path) -> pipeline.RunResult:
    raise AssertionError("nothing new was added, so nothing should be built")


def seed_files(corpus: Corpus) -> list[str]:
    return sorted(p.name for p in corpus.seeds.iterdir())


# --- add_and_rebuild -------------------------------------------------------------------------------


def test_a_new_article_is_added_and_its_claims_are_in_the_tables(seed_corpus: Corpus):
    before = table(seed_corpus.tables, "articles")
    outcome = upload.add_and_rebuild([(NEW_FILE, NEW_ARTICLE)], seed_corpus.seeds, seed_corpus.tables)
    assert outcome.error is None
    assert outcome.saved == (NEW_FILE,)
    (added,) = outcome.added
    claims = table(seed_corpus.tables, "claims")
    body = claims[(claims["article_id"] == NEW_ID) & (claims["section"] == "body")]
    assert added.read and added.title == "Vietnam and Cambodia open a new border gate"
    assert added.n_claims == len(body) > 0
    assert added.n_mentions > 0
    assert {"50 million USD", "2 billion USD"} <= set(body["text"])
    assert outcome.rebuilt is not None and outcome.rebuilt.n_articles == len(before) + 1
    assert outcome.rebuilt.n_extracted == 1, "only the new article is extracted; the others come from the cache"
    assert f"{added.n_claims} claims" in added.describe()


def test_a_duplicate_is_skipped_and_named(seed_corpus: Corpus):
    build_before = data.read_build(seed_corpus.tables)
    outcome = upload.add_and_rebuild(
        [("copy.txt", first_seed().read_bytes())], seed_corpus.seeds, seed_corpus.tables, build=never_build
    )
    assert outcome.duplicates == (("copy.txt", first_seed().name),)
    assert outcome.duplicate_lines() == [f"copy.txt: already in the corpus as {first_seed().name}"]
    assert outcome.saved == () and outcome.rebuilt is None and outcome.error is None
    assert outcome.summary() == "Nothing added: 1 file already in the corpus"
    assert data.read_build(seed_corpus.tables) == build_before
    assert "copy.txt" not in seed_files(seed_corpus)


def test_a_too_large_file_is_refused_with_the_limit_stated(seed_corpus: Corpus):
    big = b"Trade rose. " * (ingest.MAX_UPLOAD_BYTES // 12 + 1)
    outcome = upload.add_and_rebuild([("big.txt", big)], seed_corpus.seeds, seed_corpus.tables, build=never_build)
    ((name, reason),) = outcome.rejected
    assert name == "big.txt"
    assert "too large" in reason and f"the limit is {upload.MAX_UPLOAD_MB} MB per file" in reason
    assert "big.txt" not in seed_files(seed_corpus)


def test_a_binary_file_is_added_but_reported_unreadable_and_the_rest_is_built(seed_corpus: Corpus):
    outcome = upload.add_and_rebuild(
        [("photo.txt", PNG), (NEW_FILE, NEW_ARTICLE)], seed_corpus.seeds, seed_corpus.tables
    )
    assert outcome.error is None
    assert outcome.saved == ("photo.txt", NEW_FILE)
    photo, article = outcome.added
    assert not photo.read and photo.problems == ("not text (looks like PNG)",)
    assert photo.describe().startswith("photo.txt: could not be read (not text (looks like PNG))")
    assert outcome.unread == (photo,)
    assert article.read and article.n_claims > 0
    articles = table(seed_corpus.tables, "articles")
    assert set(articles["file"]) == {p.name for p in SEEDS.glob("*.txt")} | {NEW_FILE}
    problems = table(seed_corpus.tables, "problems")
    assert ("photo.txt", "not text (looks like PNG)") in set(zip(problems["file"], problems["problem"], strict=True))
    assert "photo.txt" in seed_files(seed_corpus), "the file stays in the corpus, reported as a problem"
    assert outcome.summary().startswith("Added 2 files (1 could not be read)")


def test_refused_duplicate_and_new_files_in_one_batch(seed_corpus: Corpus):
    outcome = upload.add_and_rebuild(
        [("notes.exe", b"MZ"), ("copy.txt", first_seed().read_bytes()), (NEW_FILE, NEW_ARTICLE)],
        seed_corpus.seeds,
        seed_corpus.tables,
    )
    assert [a.file for a in outcome.added] == [NEW_FILE]
    assert [name for name, _ in outcome.duplicates] == ["copy.txt"]
    assert outcome.rejected_lines() == ["notes.exe: not an accepted file (.txt, .md, .html, .htm)"]
    assert outcome.summary().startswith("Added 1 file, 1 file already in the corpus, 1 file refused, tables rebuilt")


def test_a_failed_build_keeps_the_old_tables_and_says_why_in_one_line(seed_corpus: Corpus):
    build_before = data.read_build(seed_corpus.tables)
    outcome = upload.add_and_rebuild(
        [(NEW_FILE, NEW_ARTICLE)],
        seed_corpus.seeds,
        seed_corpus.tables,
        build=failing_build(pipeline.EtlError("another build is still running after 600 s")),
    )
    assert outcome.saved == (NEW_FILE,) and outcome.added == () and outcome.rebuilt is None
    assert outcome.error is not None
    assert "could not be rebuilt: another build is still running after 600 s" in outcome.error
    assert "Rebuild data" in outcome.error and "\n" not in outcome.error
    assert outcome.summary() == "Added 1 file, but the tables were not rebuilt"
    assert data.read_build(seed_corpus.tables) == build_before


def test_an_unexpected_build_error_is_reported_not_raised(seed_corpus: Corpus):
    outcome = upload.add_and_rebuild(
        [(NEW_FILE, NEW_ARTICLE)], seed_corpus.seeds, seed_corpus.tables, build=failing_build(ValueError("boom"))
    )
    assert outcome.error is not None and "ValueError: boom" in outcome.error


def test_a_failed_save_leaves_no_half_written_article(seed_corpus: Corpus, monkeypatch: pytest.MonkeyPatch):
    before = seed_files(seed_corpus)

    def disk_full(src, dst):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(ingest.os, "link", disk_full)
    outcome = upload.add_and_rebuild(
        [(NEW_FILE, NEW_ARTICLE)], seed_corpus.seeds, seed_corpus.tables, build=never_build
    )
    assert outcome.error == "Could not save the files (No space left on device). Nothing was added."
    assert seed_files(seed_corpus) == before, "no article and no temporary file is left behind"


def hold_lock(path: Path, seconds: float) -> threading.Thread:
    """Hold a lock for ``seconds`` in another thread (filelock locks belong to the thread that took them)."""
    taken = threading.Event()

    def hold() -> None:
        with FileLock(str(path)):
            taken.set()
            time.sleep(seconds)

    holder = threading.Thread(target=hold)
    holder.start()
    taken.wait()
    return holder


def test_waiting_for_another_build_is_said(seed_corpus: Corpus, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setattr(pipeline, "LOCK_TIMEOUT", LOCK_TIMEOUT_S)  # a failure must not wait ten minutes
    holder = hold_lock(upload.lock_file(seed_corpus.tables), HOLD_LOCK_S)
    heard: list[str] = []
    try:
        outcome = upload.add_and_rebuild(
            [(NEW_FILE, NEW_ARTICLE)], seed_corpus.seeds, seed_corpus.tables, notify=heard.append
        )
    finally:
        holder.join()
    assert upload.WAITING in heard
    assert outcome.error is None and outcome.added[0].read


def test_the_lock_checked_is_the_one_the_etl_takes(seed_corpus: Corpus):
    assert upload.lock_file(seed_corpus.tables) == OutputFolder(seed_corpus.tables).lock_file
    assert seed_corpus.tables in upload.lock_file(seed_corpus.tables).parents, "inside what the ETL owns"
    pipeline.run(seed_corpus.seeds, seed_corpus.tables, progress=False)
    assert upload.lock_file(seed_corpus.tables).exists(), "etl.pipeline.run locks another file"
    assert not upload.build_running(seed_corpus.tables)
    with FileLock(str(upload.lock_file(seed_corpus.tables))):
        assert upload.build_running(seed_corpus.tables)


def test_upload_limit_is_the_same_everywhere():
    server = tomllib.loads(CONFIG.read_text(encoding="utf-8"))["server"]
    assert server["maxUploadSize"] == upload.MAX_UPLOAD_MB == 5
    assert upload.MAX_UPLOAD_MB * upload.BYTES_PER_MB == ingest.MAX_UPLOAD_BYTES
    assert upload.ACCEPTED_TYPES == ("htm", "html", "md", "txt")


# --- the Articles page's panel (AppTest drives st.file_uploader) ------------------------------------


@pytest.fixture
def app(seed_corpus: Corpus, monkeypatch: pytest.MonkeyPatch) -> AppTest:
    monkeypatch.setenv(data.DATA_ENV, str(seed_corpus.tables))
    monkeypatch.setenv(data.SEEDS_ENV, str(seed_corpus.seeds))
    at = AppTest.from_file(str(APP), default_timeout=TIMEOUT).run()
    at.switch_page("pages/articles.py")
    return at.run()


def report_html(at: AppTest) -> str:
    return "".join(str(h.proto.body) for h in at.get("html"))


def upload_files(at: AppTest, files: list[tuple[str, bytes]]) -> AppTest:
    at.file_uploader(key=building.UPLOAD_KEY).set_value([(name, content, "text/plain") for name, content in files])
    at.run()
    return at.button(key=building.ADD_KEY).click().run()


def test_the_panel_states_the_types_and_the_limit(app: AppTest):
    assert not app.exception
    uploader = app.file_uploader(key=building.UPLOAD_KEY)
    assert uploader.accept_multiple_files
    assert sorted(uploader.allowed_type) == [".htm", ".html", ".md", ".txt"]
    assert "5 MB per file" in uploader.help
    assert any("5 MB per file" in c.value and ".html" in c.value for c in app.caption)
    assert app.button(key=building.ADD_KEY).disabled, "nothing to add before a file is chosen"


def test_adding_an_article_from_the_page(app: AppTest, seed_corpus: Corpus):
    at = upload_files(app, [(NEW_FILE, NEW_ARTICLE), ("copy.txt", first_seed().read_bytes())])
    assert not at.exception
    assert [s.value for s in at.success] == [widgets.plain_markdown(at.session_state[building.UPLOAD_OUTCOME_KEY].summary())]
    report = report_html(at)
    assert f"{NEW_FILE}: “Vietnam and Cambodia open a new border gate”, " in report
    assert f"copy.txt: already in the corpus as {first_seed().name}" in report
    title = "Vietnam and Cambodia open a new border gate"
    assert f"{title} ({NEW_ID})" in at.selectbox(key="article_pick").options, "the page reads the new tables"
    assert f"2025-05-05 · {title}" in at.sidebar.multiselect(key="f_articles").options, "so does the sidebar"
    assert (seed_corpus.seeds / NEW_FILE).read_bytes() == NEW_ARTICLE


def test_refused_files_are_listed_with_their_reason_and_escaped(app: AppTest):
    big = b"x" * (ingest.MAX_UPLOAD_BYTES + 1)
    at = upload_files(app, [("big.txt", big), ('<img src=x onerror="alert(1)">.txt', b"   ")])
    assert not at.exception
    assert at.info and at.info[0].value.startswith("Nothing added")
    report = report_html(at)
    assert "big.txt: too large (5.2 MB; the limit is 5 MB per file)" in report
    assert "&lt;img src=x onerror=&quot;alert(1)&quot;&gt;.txt: empty file" in report
    assert "<img" not in report


def test_an_unreadable_upload_is_listed_on_the_data_page(app: AppTest):
    assert any(m.value == "Every article file was read in full." for m in app.switch_page("pages/data.py").run().markdown)
    app.switch_page("pages/articles.py").run()
    at = upload_files(app, [("photo.txt", PNG)])
    assert not at.exception
    assert "photo.txt: could not be read (not text (looks like PNG))" in report_html(at)
    at.switch_page("pages/data.py").run()
    (problems,) = [df.value for df in at.dataframe if list(df.value.columns) == ["file", "problem"]]
    assert ("photo.txt", "not text (looks like PNG)") in set(zip(problems["file"], problems["problem"], strict=True))


def test_a_failed_rebuild_is_one_plain_error_on_the_page(app: AppTest, monkeypatch: pytest.MonkeyPatch):
    def broken_run(*args, **kwargs):
        raise pipeline.EtlError("no space left for the tables")

    monkeypatch.setattr(pipeline, "run", broken_run)
    at = upload_files(app, [(NEW_FILE, NEW_ARTICLE)])
    assert not at.exception
    (error,) = at.error
    assert widgets.plain_markdown("could not be rebuilt: no space left for the tables") in error.value
    assert "Traceback" not in error.value
    assert "Saved, not yet in the tables" in [m.value.strip("*") for m in at.markdown]
