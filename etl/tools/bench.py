"""Benchmark the ETL (and optionally the dashboard) on synthetic corpora.

    python -m etl.tools.bench [--sizes 100 1000 10000] [--workers 1 2] [--repeat 3]
                        [--quantulum] [--dashboard] [--json report.json]

For each corpus size it reports, as the median of ``--repeat`` runs, each in a
fresh process and timed from outside it (starting Python included): articles per
second, MB of text per second (and per core), peak resident memory, the share of
time per stage, and the time of a re-run after one article changed or was added.
``--quantulum`` runs quantulum3 (the best-known open quantity extractor; English
only) over the same English text and reports the ratio. ``--dashboard`` times the
Streamlit app in headless Chromium. Corpora come from ``etl.tools.synth`` (deterministic,
documented as synthetic).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from etl.timing import STAGES

DEFAULT_SIZES = (100, 1000, 10000)
DEFAULT_REPEAT = 3
ROOT = Path(__file__).resolve().parents[2]


# --- measured in a child process -----------------------------------------------------------

def _child(seeds: Path, out: Path, cache: Path, workers: int, force: bool) -> dict:
    """One ETL run; returns its time, peak memory (this process and its workers) and stage times."""
    from etl.pipeline import run
    from etl.timing import TIMER

    TIMER.enabled = workers == 1
    start = time.perf_counter()
    result = run(seeds, out, workers=workers, force=force, progress=False, cache=cache)
    wall = time.perf_counter() - start
    peak_kb = max(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss,
                  resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)
    return {"wall_s": wall, "peak_rss_mb": peak_kb / 1024, "stages": dict(TIMER.totals),
            "n_extracted": result.n_extracted, "n_articles": result.n_articles}


def _run_child(seeds: Path, out: Path, cache: Path, workers: int, force: bool) -> dict:
    code = ("import json,sys; from pathlib import Path; from etl.tools.bench import _child; "
            "print(json.dumps(_child(Path(sys.argv[1]), Path(sys.argv[2]), Path(sys.argv[3]), "
            "int(sys.argv[4]), sys.argv[5] == '1')))")
    start = time.perf_counter()
    done = subprocess.run([sys.executable, "-c", code, str(seeds), str(out), str(cache), str(workers),
                           "1" if force else "0"], capture_output=True, text=True, check=True, cwd=ROOT)
    result = json.loads(done.stdout.strip().splitlines()[-1])
    # what a user waits for: the whole process, starting Python and importing included
    result["wall_s"] = time.perf_counter() - start
    return result


# --- the ETL benchmark -------------------------------------------------------------------

def bench_size(n: int, work: Path, workers_list: list[int], repeat: int) -> dict:
    from etl.tools.synth import generate

    corpus = work / f"corpus-{n}"
    if not corpus.exists():
        generate(n, corpus, ROOT / "seeds")
    size_mb = sum(p.stat().st_size for p in corpus.glob("*.txt")) / 1e6
    report: dict = {"articles": n, "megabytes": round(size_mb, 2), "runs": {}}
    for workers in workers_list:
        runs = []
        for _ in range(repeat):
            out, cache = work / "out", work / "cache"
            shutil.rmtree(out, ignore_errors=True)
            shutil.rmtree(cache, ignore_errors=True)
            runs.append(_run_child(corpus, out, cache, workers, force=True))
        wall = statistics.median(r["wall_s"] for r in runs)
        entry = {
            "wall_s": round(wall, 2),
            "articles_per_s": round(n / wall, 1),
            "mb_per_s": round(size_mb / wall, 2),
            "mb_per_s_per_core": round(size_mb / wall / workers, 2),
            "peak_rss_mb": round(max(r["peak_rss_mb"] for r in runs), 1),
        }
        if workers == 1:
            stages = {s: statistics.median(r["stages"].get(s, 0.0) for r in runs) for s in STAGES}
            total = sum(stages.values()) or 1.0
            entry["stage_share"] = {s: round(v / total, 3) for s, v in stages.items()}
        report["runs"][str(workers)] = entry
    report["incremental"] = _incremental(corpus, work, max(workers_list), repeat)
    return report


def _incremental(corpus: Path, work: Path, workers: int, repeat: int) -> dict:
    """Seconds to re-run (a fresh process each time) after one article changed, and after one was
    added, on top of a full build; the corpus is put back after."""
    out, cache = work / "out", work / "cache"
    _run_child(corpus, out, cache, workers, force=False)
    articles = sorted(corpus.glob("*.txt"))
    victim = articles[len(articles) // 2]  # in the middle: rows on both sides of it are kept
    original = victim.read_bytes()
    added = corpus / "added-article.txt"
    changed, new = [], []
    try:
        for i in range(repeat):
            victim.write_bytes(original + f"\nLa province a reçu {12 + i} tonnes de riz.\n".encode())
            changed.append(_run_child(corpus, out, cache, workers, force=False)["wall_s"])
            added.write_text(f"Kampot a reçu {30 + i} tonnes de riz du Vietnam en 2024.", encoding="utf-8")
            new.append(_run_child(corpus, out, cache, workers, force=False)["wall_s"])
            added.unlink()
    finally:
        victim.write_bytes(original)
        added.unlink(missing_ok=True)
    return {"one_changed_s": round(statistics.median(changed), 2),
            "one_added_s": round(statistics.median(new), 2)}


# --- quantulum3, for comparison ------------------------------------------------------------

def bench_quantulum(repeat: int) -> dict:
    """quantulum3 and this extractor over the same English text (the English seed articles)."""
    from etl.extract import extract
    from etl.places import load_gazetteer
    from etl.reading import read_document

    docs = [read_document(p, ROOT / "seeds") for p in sorted((ROOT / "seeds").glob("*.txt"))]
    english = [d for d in docs if extract(d, load_gazetteer()).article["language"] == "en"]
    text_mb = sum(len(d.text.encode()) for d in english) / 1e6
    gazetteer = load_gazetteer()
    ours = statistics.median(_time(lambda: [extract(d, gazetteer) for d in english]) for _ in range(repeat))
    try:
        from quantulum3 import parser
    except ImportError:
        return {"ours_mb_per_s": round(text_mb / ours, 3),
                "quantulum3": "not installed (pip install -e '.[bench]')"}
    parser.parse("warm up with 3 kilometres")
    theirs = statistics.median(_time(lambda: [parser.parse(d.text) for d in english]) for _ in range(repeat))
    return {"text_mb": round(text_mb, 4), "ours_mb_per_s": round(text_mb / ours, 3),
            "quantulum3_mb_per_s": round(text_mb / theirs, 4), "ratio": round(theirs / ours, 1)}


def _time(fn) -> float:
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


# --- the dashboard ----------------------------------------------------------------------------

def bench_dashboard(tables: Path, seeds: Path, repeat: int) -> dict:
    """Seconds from `streamlit run` to the first page drawn, to switch pages, to apply a filter."""
    from etl.tools.bench_dashboard import time_dashboard
    return time_dashboard(tables, repeat, seeds)


# --- report ---------------------------------------------------------------------------------

def machine() -> dict:
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    mem_gb = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    return {"cpu": cpu, "cores": os.cpu_count(), "memory_gb": round(mem_gb, 1),
            "python": platform.python_version(), "system": platform.platform()}


def markdown(report: dict) -> str:
    lines = [f"Machine: {report['machine']['cpu']}, {report['machine']['cores']} cores, "
             f"{report['machine']['memory_gb']} GB, Python {report['machine']['python']}.", "",
             "| articles | MB | workers | wall s | articles/s | MB/s | MB/s per core | peak RSS MB | "
             "re-run: 1 changed, s | re-run: 1 added, s |", "|---|---|---|---|---|---|---|---|---|---|"]
    for size in report["etl"]:
        inc = size["incremental"]
        for workers, r in size["runs"].items():
            lines.append(f"| {size['articles']:,} | {size['megabytes']} | {workers} | {r['wall_s']} | "
                         f"{r['articles_per_s']} | {r['mb_per_s']} | {r['mb_per_s_per_core']} | "
                         f"{r['peak_rss_mb']} | {inc['one_changed_s']} | {inc['one_added_s']} |")
    largest = report["etl"][-1]["runs"].get("1", {}).get("stage_share")
    if largest:
        lines += ["", "Share of time per stage (1 worker, largest corpus): " +
                  ", ".join(f"{k} {v:.0%}" for k, v in largest.items())]
    if "quantulum" in report:
        q = report["quantulum"]
        lines += ["", f"quantulum3 comparison (English seed text): {json.dumps(q)}"]
    if "dashboard" in report:
        lines += ["", f"Dashboard: {json.dumps(report['dashboard'])}"]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m etl.tools.bench", description=__doc__.splitlines()[0])
    p.add_argument("--sizes", type=int, nargs="+", default=list(DEFAULT_SIZES),
                   help="corpus sizes, in articles")
    p.add_argument("--workers", type=int, nargs="+", default=[1, 2], help="worker counts to measure")
    p.add_argument("--repeat", type=int, default=DEFAULT_REPEAT, help="runs per measurement (median)")
    p.add_argument("--quantulum", action="store_true", help="also time quantulum3 on the same English text")
    p.add_argument("--dashboard", action="store_true", help="also time the dashboard in headless Chromium")
    p.add_argument("--work", type=Path, help="folder for corpora and outputs (default: a temporary one)")
    p.add_argument("--json", type=Path, help="write the full report here")
    args = p.parse_args(argv)
    work = args.work or Path(tempfile.mkdtemp(prefix="vnkh-bench-"))
    work.mkdir(parents=True, exist_ok=True)
    report: dict = {"machine": machine(), "etl": []}

    def save() -> None:  # after every part, so a failure later loses nothing measured
        if args.json:
            args.json.write_text(json.dumps(report, indent=2), encoding="utf-8")

    for n in args.sizes:
        print(f"benchmarking {n} articles...", file=sys.stderr)
        report["etl"].append(bench_size(n, work, args.workers, args.repeat))
        save()
    if args.quantulum:
        report["quantulum"] = bench_quantulum(args.repeat)
        save()
    if args.dashboard:
        out, corpus = work / "out", work / f"corpus-{args.sizes[-1]}"
        _run_child(corpus, out, work / "cache", max(args.workers), force=True)
        report["dashboard"] = bench_dashboard(out, corpus, args.repeat)
        save()
    print(markdown(report))
    return 0


if __name__ == "__main__":
    sys.exit(main())
