"""Command line: ``python -m etl --seeds DIR --out DIR [--workers N] [--force]``.

A thin layer over ``etl.pipeline.run``: library errors become one clear line on
stderr and a non-zero exit, never a traceback.
"""

from __future__ import annotations

import argparse
import signal
import sys
from pathlib import Path

from etl.pipeline import ENGINES, EtlError, RunResult, Terminated, run

DEFAULT_SEEDS = Path("seeds")
DEFAULT_OUT = Path("data/processed")
EXIT_NOTHING_PRODUCED = 2
EXIT_INTERRUPTED = 130  # 128 + SIGINT, as a shell reports Ctrl-C
EXIT_TERMINATED = 143  # 128 + SIGTERM


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="python -m etl",
        description="Tabulate every quantitative claim and place mention in a folder of news articles "
                    "(French and English) into CSV and Parquet tables with a datapackage.json.",
        epilog="Exit status: 0 when tables were written (bad files are listed in problems.csv), "
               "2 when nothing could be produced.",
    )
    p.add_argument("--seeds", type=Path, default=DEFAULT_SEEDS,
                   help="folder of articles, read recursively: .txt, .md, .html, .htm (default: seeds/)")
    p.add_argument("--out", type=Path, default=DEFAULT_OUT,
                   help="folder for the tables, replaced atomically; only a folder this tool wrote, an "
                        "empty one or a missing one is replaced (default: data/processed/)")
    p.add_argument("--workers", type=int, default=1, metavar="N",
                   help="extract with N processes (default: 1)")
    p.add_argument("--engine", choices=ENGINES, default="local",
                   help="where extraction runs: local processes, or a Dask cluster (default: local)")
    p.add_argument("--scheduler", metavar="ADDRESS",
                   help="with --engine dask: the address of a running Dask scheduler "
                        "(default: start a local cluster with --workers processes)")
    p.add_argument("--cache", type=Path, metavar="DIR",
                   help="folder of cached per-article extractions (default: beside --out)")
    p.add_argument("--force", action="store_true",
                   help="rebuild even when the tables are up to date with the articles and the extractor")
    return p


def _terminate(signum: int, frame: object) -> None:
    raise Terminated()


def counts(result: RunResult) -> str:
    """How many articles were extracted, in words that fit what happened.

    >>> counts(RunResult(Path("x"), 6, 0, 0, n_extracted=6))
    '6 articles, all extracted'
    >>> counts(RunResult(Path("x"), 6, 0, 0, n_extracted=2))
    '6 articles: 2 extracted, 4 unchanged or from the journal'
    >>> counts(RunResult(Path("x"), 1, 0, 0, n_extracted=0))
    '1 article, none extracted (all unchanged or from the journal)'
    """
    n, k = result.n_articles, result.n_extracted
    noun = "article" if n == 1 else "articles"
    if k >= n:
        return f"{n} {noun}, all extracted"
    if k == 0:
        return f"{n} {noun}, none extracted (all unchanged or from the journal)"
    return f"{n} {noun}: {k} extracted, {n - k} unchanged or from the journal"


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    if args.workers < 1:
        parser().error("--workers must be at least 1")
    # SIGTERM cleans up as Ctrl-C does: the half-built folder is removed, the previous tables stay
    previous = signal.signal(signal.SIGTERM, _terminate)
    try:
        result = run(args.seeds, args.out, workers=args.workers, force=args.force, engine=args.engine,
                     scheduler=args.scheduler, cache=args.cache)
    except EtlError as e:
        print(f"error: {e}", file=sys.stderr)
        return EXIT_NOTHING_PRODUCED
    except Terminated:
        print("terminated: the previous tables are unchanged", file=sys.stderr)
        return EXIT_TERMINATED
    except KeyboardInterrupt:
        print("interrupted: the previous tables are unchanged", file=sys.stderr)
        return EXIT_INTERRUPTED
    finally:
        signal.signal(signal.SIGTERM, previous)
    if result.skipped:
        print(f"Tables in {result.out} are up to date ({result.n_articles} articles); "
              "use --force to rebuild.")
        return 0
    for p in result.problems:
        print(f"warning: {p['file']}: {p['problem']}", file=sys.stderr)
    print(f"Wrote {result.out}: {counts(result)}; {result.n_claims} claims, {result.n_mentions} place "
          f"mentions, {len(result.problems)} problems.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
