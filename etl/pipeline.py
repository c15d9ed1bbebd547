"""The ETL run: load the articles, extract rows from each, save the tables.

    load    - find article files under the seeds folder; hash each (a file whose size and
              modification time match the last build keeps that build's hash, as git does)
    process - keep the previous build's rows of every unchanged article; ``extract`` the
              others, from the cache when it holds them (in worker processes, or on a Dask
              cluster, when asked); derive places from the mentions
    save    - write all tables into a new folder and swap it in, under a lock so two
              runs never interleave

Rows are Arrow tables from the moment they leave ``extract`` (see ``etl.rows``).
Only this module, ``cache`` and ``output`` touch the disk.
"""

from __future__ import annotations

import contextlib
import os
import queue
import sys
import threading
import time
from collections.abc import Iterator
from concurrent.futures import ProcessPoolExecutor, ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import cached_property, partial
from pathlib import Path, PurePosixPath
from typing import TypeVar

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq
from filelock import Timeout

from etl.cache import ExtractionCache, pack, unpack
from etl.discover import (
    NotReadable,
    Source,
    corpus_fingerprint,
    files_record,
    find_articles,
    hash_sources,
    problem,
    read_article,
)
from etl.extract import Extraction, extract
from etl.outdir import SIGNATURE, OutputFolder, Refused
from etl.output import CsvCopy, TableWriter
from etl.places import load_gazetteer
from etl.reading import Unreadable, document_from_bytes
from etl.rows import ARTICLE_TABLES, DICTIONARY_COLUMNS, RowStream, rows_where, to_arrow
from etl.schema import ARTICLES, CLAIMS, MENTIONS, PLACES, PROBLEMS, TEXTS
from etl.timing import TIMER
from etl.version import extractor_version

T = TypeVar("T")

#: How long a run waits for another run on the same output folder (seconds).
LOCK_TIMEOUT = 600
#: Articles handed to a worker process at a time.
CHUNK_SIZE = 16
#: Articles extracted ahead of the one being written (see ``Ahead``).
EXTRACT_AHEAD = 8
AHEAD_POLL_S = 0.1
#: Rows of a previous table read at a time (see ``RowCursor``), and texts (they are most of the bytes).
CURSOR_BATCH_ROWS = 65_536
CURSOR_BATCH_TEXTS = 512
ENGINES = ("local", "dask")


class EtlError(Exception):
    """Nothing could be produced; the message says why in one line."""


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
class Extracted:
    """What one article gave: its rows and text, or the problems that stopped it."""

    source: Source
    extraction: Extraction | None
    text: str | None
    problems: list[dict]
    cached: bool = False
    #: ``extraction`` and ``text`` packed for the journal (``etl.cache.pack``), when a worker packed them
    payload: bytes | None = None


def fingerprint(files: list[Path], seeds: Path, build: dict | None = None) -> str:
    """The fingerprint the tables of ``files`` would record in ``build.json`` (``build``: the
    current record, whose file hashes are reused for unchanged files)."""
    sources, _ = hash_sources(files, seeds, (build or {}).get("files"))
    return corpus_fingerprint(sources, extractor_version())


def extract_source(source: Source, language: str | None = None, root: Path | None = None) -> Extracted:
    """Read and extract one article: a pure function of the file, safe to run anywhere.

    ``root``: the articles folder, which the file may not lead out of (default: the folder the
    file's path under it says).
    """
    if root is None:
        root = Path(str(source.path)[: -len(source.relative)] or ".")
    with TIMER.stage("reading"):
        try:
            data = read_article(source.path, root)
            doc = document_from_bytes(data, PurePosixPath(source.relative), source.sha256,
                                      source.article_id or None)
        except (Unreadable, NotReadable) as e:
            return Extracted(source, None, None, [problem(source.relative, str(e))])
    return Extracted(source, extract(doc, load_gazetteer(), language=language), doc.text, [])


def extract_packed(source: Source) -> Extracted:
    """``extract_source`` with the extraction and text packed for the journal: what a worker process
    sends back (the main process unpacks it once, and writes it to the journal as it is)."""
    item = extract_source(source)
    if item.extraction is None or item.text is None:
        return item
    return Extracted(source, None, None, item.problems, payload=pack(item.extraction, item.text))


def _unpacked(item: Extracted) -> Extracted:
    if item.payload is not None and item.extraction is None:
        item.extraction, item.text = unpack(item.payload)
    return item


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
        ExtractionCache(cache or folder.journal, "").clear()
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
        process = partial(_process, sources, problems, folder=folder, workers=workers, progress=progress,
                          engine=engine, scheduler=scheduler, cache_root=cache_root, version=version,
                          corpus=corpus, scanned_ns=scanned_ns, pool=pool, seeds=seeds)
        if any(not name.endswith(".csv") for name in changed):
            # a damaged table or text file: no row of the previous build is trusted (a changed CSV
            # file only is written again from the Parquet rows: see ``PreviousBuild.csv_indexes``)
            return process(PreviousBuild(folder.path))
        try:
            return process(PreviousBuild.open(folder.path, built, version))
        except PreviousUnreadable:  # found damaged half-way: extract those articles too
            return process(PreviousBuild(folder.path))


#: Reasons a "none could be read" error names before "…".
NAMED_REASONS = 3


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


def _process(sources: list[Source], problems: list[dict], previous: PreviousBuild, *, folder: OutputFolder,
             workers: int, progress: bool, engine: str, scheduler: str | None, cache_root: Path, version: str,
             corpus: str, scanned_ns: int, seeds: Path, pool: ProcessPoolExecutor | None = None) -> RunResult:
    """Rows of every article, in article order, into a new output folder: an unchanged article's
    from the previous tables, the others' extracted (or from the cache)."""
    cache = ExtractionCache(cache_root, version)
    problems = list(problems)
    files_read: set[str] = set()  # the files that gave rows
    with contextlib.ExitStack() as stack:
        stack.callback(cache.close)  # what was extracted serves the next run, should this one fail
        writer = stack.enter_context(TableWriter(folder))
        rows = RowStream(writer.write)
        kept = stack.enter_context(contextlib.closing(previous.kept_rows(sources)))
        todo = [s for s in sources if not kept.holds(s)]
        extracted = _extract_all(todo, cache, workers, progress, engine, scheduler, pool)
        if kept.files:
            # extracted by a thread while the main one passes on the kept rows (Arrow reads and
            # writes without the GIL): after one article changed, its extraction costs no wait.
            # With nothing kept there is nothing to overlap, and the two threads would only take
            # the GIL from each other at every article.
            extracted = Ahead(extracted, EXTRACT_AHEAD)
        stack.enter_context(contextlib.closing(extracted))
        n_extracted = 0
        run: list[Source] = []  # unchanged articles in a row: their rows are taken together
        for source in sources:
            if kept.holds(source):
                run.append(source)
                continue
            kept.hand_over(run, rows, writer)
            files_read.update(s.relative for s in run)
            run = []
            item = next(extracted)
            assert item.source.relative == source.relative, "extractions come in article order"
            problems += item.problems
            if item.extraction is None or item.text is None:
                continue
            with TIMER.stage("writing"):
                rows.add(item.extraction)
                writer.add_text(item.extraction.article["article_id"], item.text)
            problems += item.extraction.problems
            files_read.add(source.relative)
            if not item.cached:
                n_extracted += 1
                cache.put(source.relative, source.sha256, source.article_id,
                          item.payload or pack(item.extraction, item.text))
        kept.hand_over(run, rows, writer)
        files_read.update(s.relative for s in run)
        problems += kept.problems
        if not files_read:
            files = {s.relative for s in sources}
            raise EtlError(_none_readable(len(sources), [p for p in problems if p["file"] in files]))
        with TIMER.stage("writing"):
            rows.flush()
            tables = {PLACES.name: rows.places.table(load_gazetteer()),
                      PROBLEMS.name: to_arrow(PROBLEMS, _sorted_problems(problems))}
            build = {
                "generator": SIGNATURE,
                "fingerprint": corpus, "extractor_version": cache.version,
                "built_at": datetime.now(UTC).isoformat(timespec="seconds"),
                "n_articles": len(files_read), "n_claims": writer.n_rows(CLAIMS),
                "n_mentions": writer.n_rows(MENTIONS),
                "articles": {s.relative: s.sha256 for s in sources if s.relative in files_read},
                "files": files_record(sources, scanned_ns),
                "seeds": _folder_identity(seeds),
            }
            writer.commit(tables, build)
    cache.clear()  # the tables hold it all now
    return RunResult(folder.path, len(files_read), build["n_claims"], build["n_mentions"], _unique(problems),
                     n_extracted=n_extracted)


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


class PreviousUnreadable(Exception):
    """The previous tables turned out damaged while their rows were being read."""


@dataclass
class PreviousBuild:
    """The tables already in the output folder, whose rows an unchanged article keeps.

    An article is unchanged when its file has the same path and hash as in that build, the
    build was made by the same extractor version and its text is there. Anything
    unreadable about the previous build makes every article count as changed.
    """

    out: Path
    articles: dict[str, tuple[str, str]] = field(default_factory=dict)  # file -> (sha256, article id)
    order: list[str] = field(default_factory=list)  # article ids, in the order of the tables' rows
    texts: set[str] = field(default_factory=set)  # ids of the articles whose text is there
    csv_files: dict[str, list[int]] = field(default_factory=dict)  # table -> [size, mtime_ns] as written

    @cached_property
    def rank(self) -> dict[str, int]:
        """Each article's place in ``order``."""
        return {article_id: i for i, article_id in enumerate(self.order)}

    @classmethod
    def open(cls, out: Path, built: dict, version: str) -> PreviousBuild:
        if built.get("extractor_version") != version:
            return cls(out)
        try:
            table = pq.read_table(out / f"{ARTICLES.name}.parquet", columns=["file", "sha256", "article_id"])
        except (OSError, pa.ArrowException):
            return cls(out)
        files, shas, ids = (table.column(c).to_pylist() for c in ("file", "sha256", "article_id"))
        articles = {f: (sha, aid) for f, sha, aid in zip(files, shas, ids, strict=True)}
        try:
            texts = set(pq.read_table(OutputFolder(out).texts_file, columns=["article_id"])
                        .column("article_id").to_pylist())
        except (OSError, pa.ArrowException):
            texts = set()
        return cls(out, articles, ids, texts, built.get("csv_files") or {})

    def holds(self, source: Source) -> bool:
        return (self.articles.get(source.relative) == (source.sha256, source.article_id)
                and source.article_id in self.texts)

    def kept_rows(self, sources: list[Source]) -> KeptRows:
        """Readers of the rows of those ``sources`` this build holds; none when its tables cannot
        be opened (then every article is extracted)."""
        held = [s for s in sources if self.holds(s)]
        if not held:
            return KeptRows(self, {}, [], set())
        files = pa.array([s.relative for s in held], pa.string())
        order = pa.array(self.order, pa.string())
        try:
            cursors = {t.name: RowCursor(self.out / f"{t.name}.parquet", order) for t in ARTICLE_TABLES}
            cursors[TEXTS.name] = RowCursor(OutputFolder(self.out).texts_file, order, CURSOR_BATCH_TEXTS)
            problems = pq.read_table(self.out / f"{PROBLEMS.name}.parquet")
            problems = problems.filter(pc.is_in(problems.column("file"), value_set=files)).to_pylist()
        except (OSError, KeyError, pa.ArrowException):
            return KeptRows(self, {}, [], set())
        return KeptRows(self, cursors, problems, {s.relative for s in held}, self.csv_indexes(order))

    def csv_indexes(self, order: pa.Array) -> dict[str, CsvIndex]:
        """Where each article's rows start in the CSV files that are as this build wrote them."""
        try:
            index = pq.read_table(OutputFolder(self.out).csv_index_file)
        except (OSError, pa.ArrowException):
            return {}
        indexes = {}
        for table in ARTICLE_TABLES:
            path = self.out / f"{table.name}.csv"
            try:
                st = os.stat(path)
            except OSError:
                continue
            if self.csv_files.get(table.name) != [st.st_size, st.st_mtime_ns]:
                continue  # changed since (opened and saved in a spreadsheet...): written again
            rows = index.filter(pc.equal(index.column("table"), table.name))
            ranks = pc.index_in(rows.column("article_id"), value_set=order)
            if ranks.null_count:
                continue
            ranks = ranks.to_numpy(zero_copy_only=False).astype(np.int64)
            offsets = rows.column("offset").to_numpy()
            if len(ranks) and (np.any(np.diff(ranks) <= 0) or np.any(np.diff(offsets) <= 0)
                               or offsets[-1] >= st.st_size):
                continue
            indexes[table.name] = CsvIndex(path, order, ranks, offsets, st.st_size)
        return indexes


@dataclass(frozen=True)
class CsvIndex:
    """Where the rows of each article that has any start in a previous CSV file (``ranks``: the
    articles' places in ``order``)."""

    path: Path
    order: pa.Array
    ranks: np.ndarray
    offsets: np.ndarray
    size: int

    def copies(self, ranks: np.ndarray) -> list[CsvCopy]:
        """The byte ranges holding the rows of the articles at ``ranks`` (ascending)."""
        parts = []
        breaks = np.flatnonzero(np.diff(ranks) != 1) + 1  # runs of articles next to each other
        for run in np.split(ranks, breaks):
            i = int(np.searchsorted(self.ranks, run[0], side="left"))
            j = int(np.searchsorted(self.ranks, run[-1], side="right"))
            if i == j:
                continue  # no rows
            start = int(self.offsets[i])
            end = int(self.offsets[j]) if j < len(self.offsets) else self.size
            ids = self.order.take(pa.array(self.ranks[i:j]))
            parts.append(CsvCopy(self.path, start, end, ids, self.offsets[i:j] - start))
        return parts


@dataclass
class KeptRows:
    """The rows of unchanged articles, read from the previous build's tables in article order."""

    previous: PreviousBuild
    cursors: dict[str, RowCursor]
    problems: list[dict]
    files: set[str]  # the unchanged articles' files
    csv: dict[str, CsvIndex] = field(default_factory=dict)  # the previous CSV files that can be copied

    def holds(self, source: Source) -> bool:
        return source.relative in self.files

    def hand_over(self, run: list[Source], rows: RowStream, writer: TableWriter) -> None:
        """Pass on the rows and texts of unchanged articles that follow each other in article order."""
        if not run:
            return
        ranks = np.array([self.previous.rank[s.article_id] for s in run], dtype=np.int64)
        wanted = np.zeros(len(self.previous.order), dtype=bool)  # by place in the previous order
        wanted[ranks] = True
        last = int(ranks[-1])
        for table in ARTICLE_TABLES:
            # their CSV rows copied as they are when the previous file can be, else written again
            index = self.csv.get(table.name)
            for part in self.cursors[table.name].take_through(last, wanted):
                with TIMER.stage("writing"):
                    rows.add_arrow(table, part, csv=index is None)
            if index is not None:
                writer.copy_csv(table, index.copies(ranks))
        for part in self.cursors[TEXTS.name].take_through(last, wanted):
            writer.write(TEXTS, part)

    def close(self) -> None:
        for cursor in self.cursors.values():
            cursor.close()


class RowCursor:
    """Reads one previous table in order, batch by batch (the next batch is read ahead in a
    thread), handing over the rows of the articles asked for and skipping the others'."""

    def __init__(self, path: Path, order: pa.Array, batch_rows: int | None = None) -> None:
        file = pq.ParquetFile(path, read_dictionary=[c for c in DICTIONARY_COLUMNS
                                                     if c in pq.read_schema(path).names])
        self._order = order
        self._batches = file.iter_batches(batch_size=batch_rows or CURSOR_BATCH_ROWS)
        self._reader = ThreadPoolExecutor(max_workers=1)
        self._next = self._reader.submit(next, self._batches, None)
        self._buffer: pa.Table | None = None  # rows read and not yet handed over
        self._buffer_ranks = np.zeros(0, dtype=np.int64)

    def take_through(self, last_rank: int, wanted: np.ndarray) -> Iterator[pa.Table]:
        """The rows up to those of the article at ``last_rank`` (in the previous order), of the
        articles ``wanted`` (a flag for each place in that order) only; every part holds whole
        articles."""
        while True:
            if self._buffer is not None and len(self._buffer_ranks) and self._buffer_ranks[-1] > last_rank:
                cut = int(np.searchsorted(self._buffer_ranks, last_rank, side="right"))
                yield from self._pass(self._buffer.slice(0, cut), self._buffer_ranks[:cut], wanted)
                self._keep(self._buffer.slice(cut), self._buffer_ranks[cut:])
                return
            batch = self._read()
            if batch is None:  # the table's end: everything left is this run's
                if self._buffer is not None:
                    yield from self._pass(self._buffer, self._buffer_ranks, wanted)
                self._keep(None, np.zeros(0, dtype=np.int64))
                return
            if self._buffer is not None and len(self._buffer_ranks):
                # the buffer's last article may go on in this batch: hand over all but it
                cut = int(np.searchsorted(self._buffer_ranks, self._buffer_ranks[-1], side="left"))
                yield from self._pass(self._buffer.slice(0, cut), self._buffer_ranks[:cut], wanted)
                rest, rest_ranks = self._buffer.slice(cut), self._buffer_ranks[cut:]
            else:
                rest, rest_ranks = None, np.zeros(0, dtype=np.int64)
            ranks = _ranks(batch.column("article_id"), self._order)
            parts = [t for t in (rest, batch) if t is not None and t.num_rows]
            self._keep(pa.concat_tables(parts) if parts else None, np.concatenate([rest_ranks, ranks]))

    def _read(self) -> pa.Table | None:
        try:
            batch = self._next.result()
        except (OSError, pa.ArrowException) as e:  # only reading: a failure of ours is not hidden
            raise PreviousUnreadable(f"{e}") from e
        if batch is None:
            return None
        self._next = self._reader.submit(next, self._batches, None)
        return pa.Table.from_batches([batch])

    def _keep(self, table: pa.Table | None, ranks: np.ndarray) -> None:
        self._buffer, self._buffer_ranks = table, ranks

    @staticmethod
    def _pass(part: pa.Table, ranks: np.ndarray, wanted: np.ndarray) -> Iterator[pa.Table]:
        if part.num_rows:
            kept = rows_where(part, wanted[ranks])
            if kept.num_rows:
                yield kept

    def close(self) -> None:
        self._reader.shutdown(wait=True, cancel_futures=True)


def _ranks(article_ids: pa.ChunkedArray, order: pa.Array) -> np.ndarray:
    """Each row's article position in ``order`` (plain or dictionary-encoded ids)."""
    column = article_ids.combine_chunks() if isinstance(article_ids, pa.ChunkedArray) else article_ids
    if pa.types.is_dictionary(column.type):
        ranks = pc.take(pc.index_in(column.dictionary, value_set=order), column.indices)
    else:
        ranks = pc.index_in(column, value_set=order)
    if ranks.null_count:
        raise PreviousUnreadable("rows of an article the previous build does not list")
    return ranks.to_numpy(zero_copy_only=False).astype(np.int64)


def _extract_all(sources: list[Source], cache: ExtractionCache, workers: int, progress: bool, engine: str,
                 scheduler: str | None, pool: ProcessPoolExecutor | None = None) -> Iterator[Extracted]:
    """Every article's extraction, in the order of ``sources``: from the cache when it holds one,
    else computed (by a pool or a cluster, in order)."""
    misses = [s for s in sources if not cache.has(s.relative, s.sha256, s.article_id)]
    computed = _compute(misses, workers, engine, scheduler, pool)
    missing = {s.relative for s in misses}
    bar = _progress_bar(len(sources)) if progress else _NoBar()
    try:
        for source in sources:
            if source.relative in missing:
                item = next(computed)
            else:
                hit = cache.get(source.relative, source.sha256, source.article_id)
                # an entry that cannot be read after all is extracted here
                item = (extract_source(source) if hit is None
                        else Extracted(source, hit[0], hit[1], [], cached=True))
            bar.update()
            yield item
    finally:
        bar.close()


class Ahead(Iterator[T]):
    """``items`` in order, produced by a thread at most ``depth`` items ahead of the caller.

    The thread starts at once, not at the first ``next``: what it produces overlaps whatever the
    caller does before asking (after one article changed, passing on the rows of the articles
    before it). ``close`` stops the thread (at its next item) and waits for it.
    """

    def __init__(self, items: Iterator[T], depth: int) -> None:
        self._items = items
        self._ready: queue.Queue[tuple[bool, object]] = queue.Queue(maxsize=depth)
        self._stop = threading.Event()
        self._finished = False
        self._thread = threading.Thread(target=self._produce, name="extract-ahead", daemon=True)
        self._thread.start()

    def _put(self, entry: tuple[bool, object]) -> bool:
        while not self._stop.is_set():
            try:
                self._ready.put(entry, timeout=AHEAD_POLL_S)
                return True
            except queue.Full:
                continue
        return False

    def _produce(self) -> None:
        try:
            for item in self._items:
                if not self._put((True, item)):
                    return
            self._put((True, _DONE))
        except BaseException as e:  # handed to the caller, raised there
            self._put((False, e))
        finally:
            close = getattr(self._items, "close", None)
            if close is not None:
                close()  # a generator's own clean-up (a process pool's shutdown) runs here

    def __next__(self) -> T:
        if self._finished:
            raise StopIteration
        ok, item = self._ready.get()
        if not ok:
            self.close()
            raise item  # type: ignore[misc]
        if item is _DONE:
            self.close()
            raise StopIteration
        return item  # type: ignore[return-value]

    def close(self) -> None:
        self._finished = True
        self._stop.set()
        self._thread.join()


_DONE = object()


class _NoBar:
    """What a run without a terminal uses instead of a progress bar."""

    def update(self, n: int = 1) -> None:
        pass

    def close(self) -> None:
        pass


def _progress_bar(total: int):
    from tqdm import tqdm  # only on a terminal: importing tqdm reads package metadata (0.1-0.4 s)

    return tqdm(total=total, unit="article", desc="Extracting")


def _compute(todo: list[Source], workers: int, engine: str, scheduler: str | None,
             pool: ProcessPoolExecutor | None = None) -> Iterator[Extracted]:
    """The extractions of ``todo``, in order: on a Dask cluster, in ``pool`` (a started one), in a
    pool of ``workers`` processes, or here."""
    if not todo:
        return
    if engine == "dask":
        yield from _compute_dask(todo, workers, scheduler)
    elif pool is not None:
        yield from map(_unpacked, pool.map(extract_packed, todo, chunksize=CHUNK_SIZE))
    elif workers > 1 and len(todo) > 1:
        with start_pool(workers) as pool:
            yield from map(_unpacked, pool.map(extract_packed, todo, chunksize=CHUNK_SIZE))
    else:
        yield from map(extract_source, todo)


def start_pool(workers: int) -> ProcessPoolExecutor:
    """``workers`` processes, started now, each loading what extraction needs as it starts."""
    pool = ProcessPoolExecutor(max_workers=workers, initializer=warm_up)
    for _ in range(workers):  # start them (a pool starts its processes as tasks come)
        pool.submit(int)
    return pool


#: Two short articles, one in each language, whose extraction loads what every article needs (the
#: gazetteer, each lexicon, the language model, word frequencies: about half a second).
WARM_UP_ARTICLES = (
    b"Trade between Kien Giang and Kampot reached more than $40 million in 2023, a co-operation "
    b"the two provinces signed on 12 March 2024.",
    b"Les \xc3\xa9changes entre An Giang et Takeo ont atteint 12 millions de dollars en 2024, selon "
    b"le d\xc3\xa9partement provincial.",
)


def warm_up() -> None:
    """Load what extraction needs by extracting ``WARM_UP_ARTICLES``: a worker process does it as it
    starts, while the main one is still finding and hashing the articles.

    Only a head start: whatever fails here fails again on a real article, which reports it (a pool
    whose initializer raises is broken, and says only that a process ended abruptly).
    """
    with contextlib.suppress(Exception):
        for i, data in enumerate(WARM_UP_ARTICLES):
            extract(document_from_bytes(data, PurePosixPath(f"warm-up-{i}.txt")), load_gazetteer())


def _compute_dask(todo: list[Source], workers: int, scheduler: str | None) -> Iterator[Extracted]:
    """The same per-article function on a Dask cluster (``scheduler`` address, or a local one)."""
    try:
        from dask.distributed import Client, LocalCluster
    except ImportError as e:
        raise EtlError("--engine dask needs dask.distributed: pip install -e '.[dask]'") from e
    cluster = None if scheduler else LocalCluster(n_workers=workers, threads_per_worker=1,
                                                  processes=True, dashboard_address=None)
    try:
        with Client(scheduler or cluster) as client:
            futures = client.map(extract_packed, todo, pure=False)
            for future in futures:  # in article order: the tables are written as results come
                yield _unpacked(future.result())
    finally:
        if cluster is not None:
            cluster.close()


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
