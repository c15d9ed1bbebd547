"""Benchmark the ETL (and optionally the dashboard) on real news text, and on a synthetic corpus.

    python -m etl.tools.bench [--corpus real synthetic] [--sizes 1000 10000] [--workers 1 2]
                              [--repeat 3] [--quantulum] [--dashboard] [--json report.json]

Two corpora, labelled in every line of the report: ``real`` (``etl.tools.realcorpus``: the
project's real articles, short pages with many figures, bylines and page furniture, copied with
their figures varied), the default and the one the README's claims rest on; and ``synthetic``
(``etl.tools.synth``: seed sentences recombined into 8 KB articles, cheaper per MB).

For each corpus and size it reports, as the median of ``--repeat`` runs, each the whole command
in a fresh process (``python -m etl --force``, starting Python and importing included): wall
seconds, CPU seconds of the process and its workers, MB of text per CPU second and per wall
second, CPU milliseconds per article, the peak memory of the whole process tree (the sum of the
resident memory of the process and its workers, sampled), the share of time per stage, and the
time of a re-run after one article changed or was added.

``--quantulum`` compares with quantulum3 (the best-known open quantity extractor) on the same real
text, both languages (it reads French badly, at its usual speed): CPU seconds of the whole
``python -m etl`` command against quantulum3's parsing alone (its import and model loading left
out), the two run in turn ``--repeat`` times. ``--dashboard`` times the Streamlit app in headless
Chromium.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import platform
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from pathlib import Path

from etl.timing import STAGES

DEFAULT_SIZES = (1000, 10000)
DEFAULT_REPEAT = 3
DEFAULT_CORPORA = ("real", "synthetic")
#: Articles of real text quantulum3 and the ETL are compared on (quantulum3 reads about 0.03 MB/s).
QUANTULUM_ARTICLES = 400
#: How often the memory of the process tree is sampled (seconds).
MEMORY_SAMPLE_S = 0.05
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
    # set up as the command's process is (``etl.__main__.prepare``), before pyarrow or numpy is imported
    code = ("import etl.__main__ as command; command.prepare(); "
            "import json,sys; from pathlib import Path; from etl.tools.bench import _child; "
            "print(json.dumps(_child(Path(sys.argv[1]), Path(sys.argv[2]), Path(sys.argv[3]), "
            "int(sys.argv[4]), sys.argv[5] == '1')), flush=True); command.finish()")
    done = measured([sys.executable, "-c", code, str(seeds), str(out), str(cache), str(workers),
                     "1" if force else "0"])
    result = json.loads(done["stdout"].strip().splitlines()[-1])
    # what a user waits for: the whole process, starting Python and importing included
    result.update(wall_s=done["wall_s"], cpu_s=done["cpu_s"], peak_tree_mb=done["peak_tree_mb"])
    return result


def measured(command: list[str]) -> dict:
    """Run ``command`` to its end: its output, wall seconds, CPU seconds (its own and its workers'),
    and the peak of the summed resident memory of its process tree."""
    import psutil

    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=ROOT)
    peak = [0]
    stop = threading.Event()

    def sample() -> None:
        try:
            root = psutil.Process(process.pid)
            while not stop.is_set():
                total = 0
                for p in [root, *root.children(recursive=True)]:
                    with contextlib.suppress(psutil.Error):
                        total += p.memory_info().rss
                peak[0] = max(peak[0], total)
                stop.wait(MEMORY_SAMPLE_S)
        except psutil.Error:
            pass

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    stdout, stderr = process.communicate()
    stop.set()
    sampler.join()
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if process.returncode:
        raise RuntimeError(f"{command[:3]} failed: {stderr.strip()[-500:]}")
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return {"stdout": stdout, "wall_s": wall, "cpu_s": cpu, "peak_tree_mb": peak[0] / 2**20}


# --- the ETL benchmark -------------------------------------------------------------------

def make_corpus(kind: str, n: int, work: Path) -> Path:
    """The corpus of ``kind`` (real or synthetic) and ``n`` articles, written once into ``work``."""
    corpus = work / f"corpus-{kind}-{n}"
    if not corpus.exists():
        if kind == "real":
            from etl.tools.realcorpus import generate as generate_real
            generate_real(n, corpus)
        else:
            from etl.tools.synth import generate
            generate(n, corpus, ROOT / "seeds")
    return corpus


def bench_size(kind: str, n: int, work: Path, workers_list: list[int], repeat: int) -> dict:
    corpus = make_corpus(kind, n, work)
    size_mb = sum(p.stat().st_size for p in corpus.glob("*.txt")) / 1e6
    report: dict = {"corpus": kind, "articles": n, "megabytes": round(size_mb, 2), "runs": {}}
    for workers in workers_list:
        runs = []
        for _ in range(repeat):
            out, cache = work / "out", work / "cache"
            shutil.rmtree(out, ignore_errors=True)
            shutil.rmtree(cache, ignore_errors=True)
            runs.append(_run_child(corpus, out, cache, workers, force=True))
        wall = statistics.median(r["wall_s"] for r in runs)
        cpu = statistics.median(r["cpu_s"] for r in runs)
        entry = {
            "wall_s": round(wall, 2),
            "cpu_s": round(cpu, 2),
            "mb_per_cpu_s": round(size_mb / cpu, 2),
            "mb_per_wall_s": round(size_mb / wall, 2),
            "cpu_ms_per_article": round(1000 * cpu / n, 2),
            "articles_per_s": round(n / wall, 1),
            "peak_tree_mb": round(max(r["peak_tree_mb"] for r in runs), 1),
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

def bench_quantulum(work: Path, n: int, repeat: int) -> dict:
    """CPU seconds of the whole ``python -m etl`` command (one worker) and of quantulum3's parsing
    alone, on the same ``n`` articles of real text, run in turn."""
    try:
        import quantulum3  # noqa: F401
    except ImportError:
        return {"quantulum3": "not installed (pip install -e '.[bench]')"}
    corpus = make_corpus("real", n, work)
    size_mb = sum(p.stat().st_size for p in corpus.glob("*.txt")) / 1e6
    parse = ("import json,sys,time; from pathlib import Path; from quantulum3 import parser; "
             "parser.parse('warm up with 3 kilometres'); texts=[p.read_text(encoding='utf-8') "
             "for p in sorted(Path(sys.argv[1]).glob('*.txt'))]; t=time.process_time(); "
             "[parser.parse(x) for x in texts]; print(json.dumps(time.process_time()-t))")
    ours, theirs = [], []
    for _ in range(repeat):
        out = work / "out-quantulum"
        shutil.rmtree(out, ignore_errors=True)
        ours.append(measured([sys.executable, "-m", "etl", "--seeds", str(corpus), "--out", str(out),
                              "--workers", "1", "--force"])["cpu_s"])
        theirs.append(json.loads(measured([sys.executable, "-c", parse, str(corpus)])["stdout"].strip()))
    ours_s, theirs_s = statistics.median(ours), statistics.median(theirs)
    return {"corpus": "real", "articles": n, "megabytes": round(size_mb, 2),
            "etl_whole_command_cpu_s": round(ours_s, 2), "quantulum3_parse_cpu_s": round(theirs_s, 2),
            "etl_mb_per_cpu_s": round(size_mb / ours_s, 3),
            "quantulum3_mb_per_cpu_s": round(size_mb / theirs_s, 4),
            "ratio": round(theirs_s / ours_s, 1)}


def _time(fn: Callable[[], object]) -> float:
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
             "| corpus | articles | MB | workers | wall s | CPU s | MB per CPU s | MB per wall s | "
             "CPU ms per article | peak memory of the process tree, MB | re-run: 1 changed, s | "
             "re-run: 1 added, s |", "|---|---|---|---|---|---|---|---|---|---|---|---|"]
    for size in report["etl"]:
        inc = size["incremental"]
        for workers, r in size["runs"].items():
            lines.append(f"| {size['corpus']} | {size['articles']:,} | {size['megabytes']} | {workers} | "
                         f"{r['wall_s']} | {r['cpu_s']} | {r['mb_per_cpu_s']} | {r['mb_per_wall_s']} | "
                         f"{r['cpu_ms_per_article']} | {r['peak_tree_mb']} | {inc['one_changed_s']} | "
                         f"{inc['one_added_s']} |")
    for size in report["etl"]:
        share = size["runs"].get("1", {}).get("stage_share")
        if share:
            where = f"{size['corpus']}, {size['articles']:,} articles, 1 worker"
            lines += ["", f"Share of time per stage ({where}): "
                      + ", ".join(f"{k} {v:.0%}" for k, v in share.items())]
    if "quantulum" in report:
        lines += ["", f"quantulum3 comparison (same real text): {json.dumps(report['quantulum'])}"]
    if "dashboard" in report:
        lines += ["", f"Dashboard: {json.dumps(report['dashboard'])}"]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m etl.tools.bench", description=__doc__.splitlines()[0])
    p.add_argument("--corpus", nargs="+", choices=DEFAULT_CORPORA, default=list(DEFAULT_CORPORA),
                   help="which corpora to measure: real news text (default first) and the synthetic one")
    p.add_argument("--sizes", type=int, nargs="+", default=list(DEFAULT_SIZES),
                   help="corpus sizes, in articles")
    p.add_argument("--workers", type=int, nargs="+", default=[1, 2], help="worker counts to measure")
    p.add_argument("--repeat", type=int, default=DEFAULT_REPEAT, help="runs per measurement (median)")
    p.add_argument("--quantulum", action="store_true", help="also time quantulum3 on the same real text")
    p.add_argument("--quantulum-articles", type=int, default=QUANTULUM_ARTICLES,
                   help="articles of real text for the quantulum3 comparison")
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

    for kind in args.corpus:
        for n in args.sizes:
            print(f"benchmarking {n} articles ({kind})...", file=sys.stderr)
            report["etl"].append(bench_size(kind, n, work, args.workers, args.repeat))
            save()
    if args.quantulum:
        report["quantulum"] = bench_quantulum(work, args.quantulum_articles, args.repeat)
        save()
    if args.dashboard:
        out, corpus = work / "out", make_corpus(args.corpus[0], args.sizes[-1], work)
        _run_child(corpus, out, work / "cache", max(args.workers), force=True)
        report["dashboard"] = bench_dashboard(out, corpus, args.repeat)
        save()
    print(markdown(report))
    return 0


if __name__ == "__main__":
    sys.exit(main())
