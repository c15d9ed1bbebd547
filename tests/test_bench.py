"""The benchmark as a user runs it, on small corpora: every figure measured, both corpora labelled."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from etl.tools.realcorpus import generate, source_articles

ROOT = Path(__file__).resolve().parents[1]
BENCH_TIMEOUT_S = 600


def test_a_real_corpus_varies_the_figures_and_keeps_the_sources(tmp_path):
    paths = generate(len(source_articles()) + 1, tmp_path)
    assert len({p.name for p in paths}) == len(paths), "unique ids"
    first, again = paths[0], paths[-1]  # the same source article, copied twice
    assert first.name.split("-", 2)[2] == again.name.split("-", 2)[2]
    assert first.read_text(encoding="utf-8") != again.read_text(encoding="utf-8"), "figures varied"


@pytest.mark.slow
def test_the_benchmark_reports_cpu_memory_and_rate_for_both_corpora(tmp_path):
    report_file = tmp_path / "report.json"
    command = [sys.executable, "-m", "etl.tools.bench", "--sizes", "8", "--workers", "1", "--repeat", "1",
               "--work", str(tmp_path / "work"), "--json", str(report_file)]
    done = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=BENCH_TIMEOUT_S)
    assert done.returncode == 0, done.stderr[-2000:]
    report = json.loads(report_file.read_text(encoding="utf-8"))
    assert [size["corpus"] for size in report["etl"]] == ["real", "synthetic"]
    for size in report["etl"]:
        run = size["runs"]["1"]
        assert run["cpu_s"] > 0 and run["wall_s"] > 0 and run["peak_tree_mb"] > 0, run
        assert run["mb_per_cpu_s"] > 0 and run["cpu_ms_per_article"] > 0, run
        assert size["incremental"]["one_changed_s"] > 0
        assert abs(sum(run["stage_share"].values()) - 1) < 0.01
    assert sorted(p.name for p in (tmp_path / "work" / "corpus-synthetic-8").glob("*.txt")) == [
        f"synthetic-{i:05d}.txt" for i in range(1, 9)
    ]  # the article changed for the incremental run is put back as it was
    assert "| real | 8 |" in done.stdout and "| synthetic | 8 |" in done.stdout
