"""What ``--out`` will and will not replace, and what a failed, refused or stopped build leaves behind."""

from __future__ import annotations

import errno
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from etl import output, pipeline
from etl.cli import main
from etl.outdir import SIGNATURE, OutputFolder
from tests.conftest import ROOT, SEEDS

EXIT_REFUSED = 2
#: How long a test waits for a build process to reach the point it is stopped at, or to end.
WAIT_S = 120
#: Articles of the build that SIGTERM stops: enough that it is still running when the signal comes.
SIGTERM_CORPUS = 1000


def tree(folder: Path) -> dict[str, bytes]:
    """Every file under ``folder`` with its bytes (what a refused build must leave as it was)."""
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


@pytest.fixture
def users_folder(tmp_path: Path) -> Path:
    """A folder of the user's, as ``data/`` is: boundaries, a gazetteer, notes."""
    folder = tmp_path / "data"
    (folder / "boundaries").mkdir(parents=True)
    (folder / "boundaries" / "provinces.geojson").write_text("{}", encoding="utf-8")
    (folder / "gazetteer.csv").write_text("place_id\nkampot\n", encoding="utf-8")
    (folder / "notes.txt").write_text("my notes", encoding="utf-8")
    return folder


def one_line_error(capsys, *args: str) -> str:
    """Run the command line; assert it failed with one line and exit 2; return that line."""
    assert main(list(args)) == EXIT_REFUSED
    err = capsys.readouterr().err.strip()
    assert err.count("\n") == 0 and "Traceback" not in err, err
    return err


def test_a_folder_of_the_users_is_refused_and_kept(corpus, users_folder, capsys):
    before = tree(users_folder)
    err = one_line_error(capsys, "--seeds", str(corpus), "--out", str(users_folder))
    assert err == (f"error: refusing to replace {users_folder}: it holds files this tool did not write "
                   "(boundaries/, gazetteer.csv, notes.txt); choose another --out")
    assert tree(users_folder) == before
    assert not list(users_folder.parent.glob(".data.*")), "nothing left beside it either"


def test_a_folder_with_one_file_of_the_users_among_the_tables_is_refused(corpus, tmp_path, capsys):
    out = tmp_path / "out"
    pipeline.run(corpus, out, progress=False)
    (out / "notes.txt").write_text("mine", encoding="utf-8")
    before = tree(out)
    err = one_line_error(capsys, "--seeds", str(corpus), "--out", str(out), "--force")
    assert "(notes.txt)" in err
    assert tree(out) == before


def test_a_file_is_refused_and_kept(corpus, tmp_path, capsys):
    readme = tmp_path / "README.md"
    readme.write_text("# mine\n", encoding="utf-8")
    err = one_line_error(capsys, "--seeds", str(corpus), "--out", str(readme))
    assert "it is a file" in err
    assert readme.read_text(encoding="utf-8") == "# mine\n"


@pytest.mark.parametrize("where", ["the seeds folder", "inside it", "its parent"])
def test_the_articles_folder_is_never_the_output(corpus, capsys, where):
    out = {"the seeds folder": corpus, "inside it": corpus / "tables", "its parent": corpus.parent}[where]
    before = tree(corpus)
    err = one_line_error(capsys, "--seeds", str(corpus), "--out", str(out))
    assert "articles folder" in err
    assert tree(corpus) == before
    assert not (corpus / "tables").exists()


def test_a_link_named_as_the_output_is_refused(corpus, tmp_path, capsys):
    target = tmp_path / "elsewhere"
    pipeline.run(corpus, target, progress=False)
    link = tmp_path / "link"
    link.symlink_to(target)
    assert "symbolic link" in one_line_error(capsys, "--seeds", str(corpus), "--out", str(link), "--force")
    assert link.is_symlink()


def test_its_own_folder_an_empty_one_and_a_missing_one_are_replaced(corpus, tmp_path):
    empty = tmp_path / "empty"
    empty.mkdir()
    for out in (tmp_path / "missing" / "deep", empty):
        pipeline.run(corpus, out, progress=False)
        assert OutputFolder(out).read_build()["generator"] == SIGNATURE
    result = pipeline.run(corpus, empty, progress=False, force=True)
    assert result.n_articles == len(list(SEEDS.iterdir()))


def test_a_folder_written_before_the_signature_is_still_recognised(corpus, tmp_path):
    out = tmp_path / "out"
    pipeline.run(corpus, out, progress=False)
    build = OutputFolder(out).build_file
    build.write_text(build.read_text(encoding="utf-8").replace(f'"generator":"{SIGNATURE}",', ""),
                     encoding="utf-8")
    assert "generator" not in OutputFolder(out).read_build()
    assert not pipeline.run(corpus, out, progress=False, force=True).skipped


def test_the_lock_and_the_journal_live_inside_the_output(corpus, tmp_path):
    out = tmp_path / "out"
    pipeline.run(corpus, out, progress=False)
    folder = OutputFolder(out)
    assert folder.lock_file.is_file() and folder.path in folder.lock_file.parents
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out", "seeds"], "nothing beside the output"


def test_the_lock_stays_the_same_file_across_the_swap(corpus, tmp_path):
    """A build waiting for the lock waits on the file the running build holds: the new folder gets
    that very file, not a new one."""
    out = tmp_path / "out"
    pipeline.run(corpus, out, progress=False)
    inode = OutputFolder(out).lock_file.stat().st_ino
    pipeline.run(corpus, out, progress=False, force=True)
    assert OutputFolder(out).lock_file.stat().st_ino == inode


@pytest.mark.parametrize("reason", [errno.ENOSPC, errno.EROFS], ids=["disk full", "read-only"])
def test_an_unwritable_output_says_one_line_and_leaves_nothing(corpus, tmp_path, monkeypatch, capsys, reason):
    out = tmp_path / "out"
    pipeline.run(corpus, out, progress=False)
    before = tree(out)

    def fails(*args, **kwargs):
        raise OSError(reason, os.strerror(reason))

    monkeypatch.setattr(output.pq, "write_table", fails)
    err = one_line_error(capsys, "--seeds", str(corpus), "--out", str(out), "--force")
    assert err == f"error: cannot write the tables to {out}: {os.strerror(reason)}; the previous tables are unchanged"
    assert tree(out) == before, "the previous tables whole, no journal left in them"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out", "seeds"]


def test_an_impossible_output_says_one_line(corpus, tmp_path, capsys):
    blocker = tmp_path / "file"
    blocker.write_text("x", encoding="utf-8")
    err = one_line_error(capsys, "--seeds", str(corpus), "--out", str(blocker / "out"))
    assert err.startswith(f"error: cannot write the tables to {blocker / 'out'}: ")
    assert blocker.read_text(encoding="utf-8") == "x"


def test_a_first_build_that_fails_leaves_no_folder(tmp_path, capsys):
    junk = tmp_path / "junk"
    junk.mkdir()
    (junk / "empty.txt").write_bytes(b"")
    one_line_error(capsys, "--seeds", str(junk), "--out", str(tmp_path / "out"))
    assert not (tmp_path / "out").exists()


def build_process(seeds: Path, out: Path) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "etl", "--seeds", str(seeds), "--out", str(out)],
                            cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def test_a_stop_while_the_new_folder_is_set_up_leaves_nothing_behind(tmp_path, monkeypatch):
    """SIGTERM (or Ctrl-C) in the moment between the new folder's creation and its files' opening:
    ``__exit__`` does not run for a ``with`` whose ``__enter__`` failed, so ``__enter__`` cleans up."""
    opened = []

    class StoppedStream(output.TableStream):
        def __init__(self, table, *args, **kwargs):
            if table.name == "texts":  # the last stream opened
                raise pipeline.Terminated()
            super().__init__(table, *args, **kwargs)
            opened.append(self)

    monkeypatch.setattr(output, "TableStream", StoppedStream)
    folder = OutputFolder(tmp_path / "out")
    with pytest.raises(pipeline.Terminated), output.TableWriter(folder):
        pass
    assert opened and not folder.stagings()


@pytest.mark.slow
def test_sigterm_removes_the_half_built_folder_and_keeps_the_previous_tables(tmp_path):
    from etl.tools.synth import generate

    seeds = tmp_path / "seeds"
    generate(SIGTERM_CORPUS, seeds, SEEDS)
    out = tmp_path / "out"
    pipeline.run(SEEDS, out, progress=False)
    before = tree(out)
    process = build_process(seeds, out)
    deadline = time.monotonic() + WAIT_S
    while not OutputFolder(out).stagings() and process.poll() is None and time.monotonic() < deadline:
        time.sleep(0.05)
    assert OutputFolder(out).stagings(), f"the build started writing its new folder ({process.poll()})"
    process.send_signal(signal.SIGTERM)
    _, err = process.communicate(timeout=WAIT_S)
    assert process.returncode == 128 + signal.SIGTERM, err
    assert "terminated: the previous tables are unchanged" in err and "Traceback" not in err
    assert not OutputFolder(out).stagings()
    after = tree(out)
    assert {k: v for k, v in after.items() if ".etl" not in k} == {k: v for k, v in before.items()
                                                                   if ".etl" not in k}
