"""The ETL run: load the articles, extract rows from each, save the tables.

    load    - find article files under the seeds folder; hash each (a file whose size and
              modification time match the last build keeps that build's hash, as git does:
              ``etl.discover``)
    process - keep the previous build's rows of every unchanged article (``etl.reuse``);
              ``extract`` the others, from the journal when it holds them (in worker processes,
              or on a Dask cluster, when asked: ``etl.engines``); derive places from the mentions
    save    - decide over all articles which are republished copies (``etl.duplicates``) and which
              claims report the same fact (``etl.facts``), from what was written; write all tables
              into a new folder and swap it in (``etl.output``), under a lock so two runs never
              interleave (``etl.outdir``)

Rows are Arrow tables from the moment they leave ``extract`` (see ``etl.rows``), and are
written as the articles stream in, in article order: neither the corpus nor its rows are held.
"""

from __future__ import annotations

import contextlib
import os
import sys
import time
from collections.abc import Iterator
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import partial
from pathlib import Path

from filelock import Timeout

from etl.discover import Source, corpus_fingerprint, files_record, find_articles, hash_sources
from etl.duplicates import with_duplicates
from etl.engines import ENGINES, ArticleOutcome, Prefetched, extract_all, start_pool
from etl.errors import EtlError
from etl.facts import ARTICLE_COLUMNS, CLAIM_COLUMNS, facts_table
from etl.journal import Journal, pack
from etl.outdir import SIGNATURE, OutputFolder, Refused
from etl.output import TableWriter
from etl.places import load_gazetteer
from etl.reuse import KeptRows, PreviousBuild, PreviousUnreadable
from etl.rows import RowStream, to_arrow
from etl.schema import ARTICLES, CLAIMS, FACTS, MENTIONS, PLACES, PROBLEMS, TEXTS
from etl.timing import TIMER
from etl.version import extractor_version

#: What the command line and the dashboard use from here (``find_articles`` is ``etl.discover``'s).
__all__ = ["ENGINES", "EtlError", "RunResult", "Terminated", "find_articles", "fingerprint", "run",
           "seeds_replaced"]

#: How long a run waits for another run on the same output folder (seconds).
LOCK_TIMEOUT = 600
#: Articles extracted ahead of the one being written (see ``Prefetched``).
EXTRACT_AHEAD = 8
#: Reasons a "none could be read" error names before "…".
NAMED_REASONS = 3


class Terminated(KeyboardInterrupt):
    """The process was asked to stop (SIGTERM): cleaned up as after Ctrl-C."""


@dataclass
class RunResult:
    out: Path
    n_articles: int
    n_claims: int
    n_mentions: int
    problems: list[dict] = field(default_factory=list)
    skipped: bool = False  # the tables were already up to date
    n_extracted: int = 0  # articles extracted this run (the others kept their rows, or came from the cache)


@dataclass
class Processed:
    """What the process step wrote: the rows (``rows.places`` counts their places), the files that
    gave rows, every problem met, and how many articles were extracted rather than kept."""

    rows: RowStream
    files_read: set[str] = field(default_factory=set)
    problems: list[dict] = field(default_factory=list)
    n_extracted: int = 0


def fingerprint(files: list[Path], seeds: Path, build: dict | None = None) -> str:
    """The fingerprint the tables of ``files`` would record in ``build.json`` (``build``: the
    current record, whose file hashes are reused for unchanged files)."""
    sources, _ = hash_sources(files, seeds, (build or {}).get("files"))
    return corpus_fingerprint(sources, extractor_version())


def run(seeds: Path, out: Path, workers: int = 1, force: bool = False, progress: bool | None = None,
        engine: str = "local", scheduler: str | None = None, cache: Path | None = None) -> RunResult:
    """Build the tables for the articles under ``seeds`` into ``out`` (see the module docstring).

    Raises ``EtlError`` (one line) when nothing could be produced: no articles, an output folder
    that is not this tool's to replace, or one that cannot be written (the previous tables then
    stay whole, and nothing is left behind).
    """
    if not seeds.exists():
        raise EtlError(f"no such folder: {seeds}")
    if not seeds.is_dir():
        raise EtlError(f"{seeds} is a file; --seeds takes the folder that holds the articles")
    if engine not in ENGINES:
        raise EtlError(f"unknown engine {engine!r} (choose from {', '.join(ENGINES)})")
    if progress is None:
        progress = sys.stderr.isatty()
    folder = OutputFolder(out)
    try:
        folder.check_replaceable(seeds)
    except Refused as e:
        raise EtlError(str(e)) from e
    created = False
    try:
        created = folder.prepare()
        lock = folder.lock()
        try:
            lock.acquire(timeout=0)
        except Timeout:
            if progress:
                print(f"Another build of {folder.path} is in progress; waiting for it...", file=sys.stderr)
            try:
                lock.acquire(timeout=LOCK_TIMEOUT)
            except Timeout as e:
                raise EtlError(f"another build of {folder.path} is still running after "
                               f"{LOCK_TIMEOUT} s") from e
        try:
            folder.check_replaceable(seeds)  # as it is now that no other build can change it
            return _run_locked(seeds, folder, workers, force, progress, engine, scheduler,
                               cache or folder.journal)
        finally:
            lock.release()
    except Refused as e:
        raise EtlError(str(e)) from e
    except OSError as e:  # the output cannot be written: the journal would only fill the disk further
        Journal(cache or folder.journal, "").clear()
        if created:
            folder.remove_if_unused()
        where = f" ({e.filename})" if isinstance(e.filename, str) else ""
        kept = "; the previous tables are unchanged" if folder.build_file.exists() else ""
        raise EtlError(f"cannot write the tables to {folder.given}: {e.strerror or e}{where}{kept}") from e
    except BaseException:
        if created:
            folder.remove_if_unused()
        raise


def _run_locked(seeds: Path, folder: OutputFolder, workers: int, force: bool, progress: bool, engine: str,
                scheduler: str | None, cache_root: Path) -> RunResult:
    # load
    scanned_ns = time.time_ns()
    files, problems = find_articles(seeds)
    if not files:
        raise EtlError(f"no article files (.txt, .md, .html, .htm) under {seeds}")
    built = {} if force else folder.read_build()
    changed = folder.changed_files(built) if built else []
    version = extractor_version()
    with contextlib.ExitStack() as stack:
        pool = None
        if engine == "local" and workers > 1 and len(files) > 1 and built.get("extractor_version") != version:
            # every article will be extracted: the workers start, and load what they need, while
            # the articles are hashed
            pool = stack.enter_context(start_pool(workers))
        with TIMER.stage("reading"):
            sources, unread = hash_sources(files, seeds, built.get("files"))
        problems = sorted(problems + unread, key=lambda p: p["file"])
        if not sources:
            raise EtlError(_none_readable(len(files), problems))
        corpus = corpus_fingerprint(sources, version)
        if not force and not changed and built.get("fingerprint") == corpus:
            counts = (built.get(k, 0) for k in ("n_articles", "n_claims", "n_mentions"))
            return RunResult(folder.path, *counts, skipped=True)
        # process and save
        build = partial(_build, sources, problems, folder=folder, workers=workers, progress=progress,
                        engine=engine, scheduler=scheduler, cache_root=cache_root, version=version,
                        corpus=corpus, scanned_ns=scanned_ns, pool=pool, seeds=seeds)
        if any(not name.endswith(".csv") for name in changed):
            # a damaged table or text file: no row of the previous build is trusted (a changed CSV
            # file only is written again from the Parquet rows: see ``PreviousBuild.csv_indexes``)
            return build(PreviousBuild(folder.path))
        try:
            return build(PreviousBuild.open(folder.path, built, version))
        except PreviousUnreadable:  # found damaged half-way: extract those articles too
            return build(PreviousBuild(folder.path))


def _none_readable(n_files: int, problems: list[dict]) -> str:
    """Why no article could be read, in one line, every distinct reason counted.

    >>> _none_readable(3, [{"file": "a", "problem": "empty file"}, {"file": "b", "problem": "empty file"},
    ...                    {"file": "c", "problem": "not text (looks like PNG)"}])
    'none of the 3 article files could be read (2 × empty file; 1 × not text (looks like PNG))'
    """
    counts: dict[str, int] = {}
    for p in problems:
        counts[p["problem"]] = counts.get(p["problem"], 0) + 1
    reasons = sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))
    said = "; ".join(f"{n} × {reason}" for reason, n in reasons[:NAMED_REASONS])
    more = "; …" if len(reasons) > NAMED_REASONS else ""
    noun = "article file" if n_files == 1 else "article files"
    return f"none of the {n_files} {noun} could be read ({said or 'unknown reason'}{more})"


def _build(sources: list[Source], problems: list[dict], previous: PreviousBuild, *, folder: OutputFolder,
           workers: int, progress: bool, engine: str, scheduler: str | None, cache_root: Path, version: str,
           corpus: str, scanned_ns: int, seeds: Path, pool: ProcessPoolExecutor | None = None) -> RunResult:
    """Process every article into a new output folder, then save it in place of the old one."""
    cache = Journal(cache_root, version)
    with contextlib.ExitStack() as stack:
        stack.callback(cache.close)  # what was extracted serves the next run, should this one fail
        writer = stack.enter_context(TableWriter(folder))
        kept = stack.enter_context(contextlib.closing(previous.kept_rows(sources)))
        todo = [s for s in sources if not kept.holds(s)]
        extracted = extract_all(todo, cache, workers, progress, engine, scheduler, pool)
        if kept.files:
            # extracted by a thread while the main one writes the kept rows (Arrow reads and
            # writes without the GIL): after one article changed, its extraction costs no wait.
            # With nothing kept there is nothing to overlap, and the two threads would only take
            # the GIL from each other at every article.
            extracted = Prefetched(extracted, EXTRACT_AHEAD)
        stack.enter_context(contextlib.closing(extracted))
        done = _process(sources, problems, kept, extracted, writer, cache)
        if not done.files_read:
            files = {s.relative for s in sources}
            raise EtlError(_none_readable(len(sources), [p for p in done.problems if p["file"] in files]))
        build = _save(done, writer, sources, corpus=corpus, version=version, scanned_ns=scanned_ns,
                      seeds=seeds)
    cache.clear()  # the tables hold it all now
    return RunResult(folder.path, len(done.files_read), build["n_claims"], build["n_mentions"],
                     _unique(done.problems), n_extracted=done.n_extracted)


def _process(sources: list[Source], problems: list[dict], kept: KeptRows, extracted: Iterator[ArticleOutcome],
             writer: TableWriter, cache: Journal) -> Processed:
    """Rows of every article, in article order, into ``writer``: an unchanged article's kept from
    the previous tables, the others' from ``extracted`` (each new extraction goes to the journal)."""
    done = Processed(RowStream(writer.write), problems=list(problems))
    run: list[Source] = []  # unchanged articles in a row: their rows are read together
    for source in sources:
        if kept.holds(source):
            run.append(source)
            continue
        kept.write_rows(run, done.rows, writer)
        done.files_read.update(s.relative for s in run)
        run = []
        item = next(extracted)
        assert item.source.relative == source.relative, "extractions come in article order"
        done.problems += item.problems
        if item.extraction is None or item.text is None:
            continue
        with TIMER.stage("writing"):
            done.rows.add(item.extraction)
            writer.add_text(item.extraction.article["article_id"], item.text, item.extraction.signature)
        done.problems += item.extraction.problems
        done.files_read.add(source.relative)
        if not item.cached:
            done.n_extracted += 1
            cache.put(source.relative, source.sha256, source.article_id,
                      item.payload or pack(item.extraction, item.text))
    kept.write_rows(run, done.rows, writer)
    done.files_read.update(s.relative for s in run)
    done.problems += kept.problems
    return done


def _save(done: Processed, writer: TableWriter, sources: list[Source], *, corpus: str, version: str,
          scanned_ns: int, seeds: Path) -> dict:
    """Write the last rows; decide, over all articles, the republished copies and the facts, from the
    rows written (the columns needed only); write them with the places and problems tables and the
    build record, then swap the new folder in; returns the build record."""
    with TIMER.stage("writing"):
        done.rows.flush()
        writer.close_streams()
        articles = with_duplicates(writer.read(ARTICLES), writer.read(TEXTS, ["article_id", "signature"]))
        facts = facts_table(writer.read(CLAIMS, list(CLAIM_COLUMNS)), articles.select(list(ARTICLE_COLUMNS)))
        tables = {ARTICLES.name: articles, FACTS.name: facts,
                  PLACES.name: done.rows.places.table(load_gazetteer()),
                  PROBLEMS.name: to_arrow(PROBLEMS, _sorted_problems(done.problems))}
        build = {
            "generator": SIGNATURE,
            "fingerprint": corpus, "extractor_version": version,
            "built_at": datetime.now(UTC).isoformat(timespec="seconds"),
            "n_articles": len(done.files_read), "n_claims": writer.n_rows(CLAIMS),
            "n_mentions": writer.n_rows(MENTIONS),
            "articles": {s.relative: s.sha256 for s in sources if s.relative in done.files_read},
            "files": files_record(sources, scanned_ns),
            "seeds": _folder_identity(seeds),
        }
        writer.commit(tables, build)
    return build


def seeds_replaced(seeds: Path, build: dict) -> str | None:
    """Why the articles folder looks replaced since ``build`` (a ``build.json`` record) was made, or
    ``None``: it is missing, or it is another folder (deleted and made again, or swapped) from
    which articles of that build are gone. A rebuild from it would drop those articles from the
    tables, which a user should decide, not an automatic rebuild.
    """
    articles = build.get("articles") or {}
    if not articles:
        return None
    if not seeds.is_dir():
        return f"the articles folder {seeds} is missing"
    if build.get("seeds") in (None, _folder_identity(seeds)):
        return None
    gone = sum(1 for relative in articles if not os.path.lexists(seeds / relative))
    if not gone:
        return None
    return (f"the articles folder {seeds} was replaced since the tables were built: {gone} of the "
            f"{len(articles)} articles in the tables are no longer in it")


def _folder_identity(folder: Path) -> list[int]:
    """The device and inode of a folder: a folder deleted and made again under the same name has
    another (see ``pages.lib.data.replaced_seeds``)."""
    st = os.stat(folder)
    return [st.st_dev, st.st_ino]


def _sorted_problems(problems: list[dict]) -> list[dict]:
    return sorted(_unique(problems), key=lambda p: (p["file"], p["problem"]))


def _unique(rows: list[dict]) -> list[dict]:
    seen, out = set(), []
    for r in rows:
        key = (r["file"], r["problem"])
        if key not in seen:
            seen.add(key)
            out.append(r)
    return out
