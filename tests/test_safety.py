"""Never lose data: a killed run leaves the previous tables whole; two runs at once do not interleave."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from etl import pipeline
from etl.schema import TABLES
from etl.tools.synth import generate
from tests.conftest import ROOT, SEEDS

#: How long to wait for a run to reach its writing phase or to finish (seconds).
WAIT_S = 120


def snapshot(out: Path) -> dict[str, bytes]:
    return {p.relative_to(out).as_posix(): p.read_bytes() for p in sorted(out.rglob("*")) if p.is_file()}


def etl_process(seeds: Path, out: Path, cache: Path) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "etl", "--seeds", str(seeds), "--out", str(out), "--force",
                             "--cache", str(cache)], cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE)


@pytest.fixture
def big_corpus(tmp_path: Path) -> Path:
    seeds = tmp_path / "seeds"
    generate(300, seeds, SEEDS, seed=11)
    return seeds


@pytest.mark.slow
def test_killing_the_etl_midway_keeps_the_previous_tables(big_corpus, tmp_path):
    out = tmp_path / "out"
    pipeline.run(SEEDS, out, progress=False, cache=tmp_path / "cache0")
    before = snapshot(out)
    proc = etl_process(big_corpus, out, tmp_path / "cache1")
    deadline = time.monotonic() + WAIT_S
    # wait until the new folder is being filled (a first group of texts written after the file's
    # 4-byte magic number), then kill without warning
    while time.monotonic() < deadline:
        if any(p.stat().st_size > 4 for p in out.parent.glob(f".{out.name}.new-*/texts.parquet")):
            break
        time.sleep(0.05)
    assert proc.poll() is None, "the run ended before it could be killed"
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait(timeout=WAIT_S)
    assert snapshot(out) == before
    from frictionless import validate
    assert validate(out / "datapackage.json").valid
    # the next run clears what the killed one left behind
    pipeline.run(SEEDS, out, progress=False, force=True, cache=tmp_path / "cache0")
    assert not list(out.parent.glob(f".{out.name}.new-*"))


@pytest.mark.slow
def test_two_runs_at_once_do_not_interleave(big_corpus, tmp_path):
    out = tmp_path / "out"
    first = etl_process(big_corpus, out, tmp_path / "cache1")
    time.sleep(0.5)
    second = etl_process(big_corpus, out, tmp_path / "cache2")
    assert first.wait(timeout=WAIT_S * 2) == 0
    assert second.wait(timeout=WAIT_S * 2) == 0
    reference = tmp_path / "reference"
    pipeline.run(big_corpus, reference, progress=False, cache=tmp_path / "cache3")
    for table in TABLES:
        assert (out / f"{table.name}.csv").read_bytes() == (reference / f"{table.name}.csv").read_bytes()


def test_a_second_run_waits_for_the_lock(tmp_path, monkeypatch):
    from filelock import FileLock

    from etl.outdir import OutputFolder
    folder = OutputFolder(tmp_path / "out")
    folder.prepare()
    monkeypatch.setattr(pipeline, "LOCK_TIMEOUT", 0.2)
    with FileLock(str(folder.lock_file)), pytest.raises(pipeline.EtlError, match=r"another build .* still"):
        pipeline.run(SEEDS, folder.path, progress=False)
    assert not folder.build_file.exists()
