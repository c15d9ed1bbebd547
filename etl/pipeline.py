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

import hashlib
import json
import os
import sys
import time
from collections.abc import Iterator
from concurrent.futures import ProcessPoolExecutor, ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import partial
from pathlib import Path, PurePosixPath

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq
from filelock import FileLock, Timeout

from etl.cache import ExtractionCache
from etl.extract import Extraction, extract
from etl.output import BUILD_FILE, TEXTS_DIR, TableWriter
from etl.places import load_gazetteer
from etl.reading import SUFFIXES, Unreadable, article_id_for, document_from_bytes
from etl.rows import ARTICLE_TABLES, DICTIONARY_COLUMNS, RowCollector, places_table, rows_where, to_arrow
from etl.schema import ARTICLES, CLAIMS, MENTIONS, PLACES, PROBLEMS
from etl.timing import TIMER
from etl.version import extractor_version

#: How long a run waits for another run on the same output folder (seconds).
LOCK_TIMEOUT = 600
#: Articles handed to a worker process at a time.
CHUNK_SIZE = 16
ENGINES = ("local", "dask")
#: A file modified this close (seconds) to the scan that hashed it is hashed again next time, even
#: if its size and modification time look unchanged (it may have changed within the clock's tick).
RACY_SECONDS = 2.0


class EtlError(Exception):
    """Nothing could be produced; the message says why in one line."""


@dataclass
class RunResult:
    out: Path
    n_articles: int
    n_claims: int
    n_mentions: int
    problems: list[dict] = field(default_factory=list)
    skipped: bool = False  # the tables were already up to date
    n_extracted: int = 0  # articles extracted this run (the others came from the cache)


@dataclass(frozen=True)
class Source:
    """An article file: where it is, its path under the seeds folder, the hash of its bytes, its id."""

    path: Path
    relative: str
    sha256: str
    article_id: str = ""
    size: int = 0
    mtime_ns: int = 0


@dataclass
class Extracted:
    """What one article gave: its rows and text, or the problems that stopped it."""

    source: Source
    extraction: Extraction | None
    text: str | None
    problems: list[dict]
    cached: bool = False


def find_articles(seeds: Path) -> tuple[list[Path], list[dict]]:
    """Article files under ``seeds`` (recursively, sorted), and problem rows for other files."""
    found: list[str] = []
    problems = []
    for relative in _files_under(str(seeds), ""):
        suffix = os.path.splitext(relative)[1]
        if suffix.lower() in SUFFIXES:
            found.append(relative)
        else:
            problem = f"not an article file type ({suffix or 'no extension'}); skipped"
            problems.append({"file": relative, "problem": problem})
    found.sort()
    problems.sort(key=lambda p: p["file"])
    return [seeds / r for r in found], problems


def _files_under(folder: str, prefix: str) -> Iterator[str]:
    """Paths (``/``-separated, relative) of the regular files under ``folder``, hidden ones left out
    (editor backups, ``.git``)."""
    with os.scandir(folder) as entries:
        for entry in entries:
            if entry.name.startswith("."):
                continue
            if entry.is_dir(follow_symlinks=False):  # a linked folder could loop
                yield from _files_under(entry.path, f"{prefix}{entry.name}/")
            elif entry.is_file():
                yield prefix + entry.name


def article_ids(relatives: list[str]) -> dict[str, str]:
    """Each file's article id: its path without extension, or with it when another file took that.

    >>> article_ids(["a.md", "a.txt", "b.txt"])
    {'a.md': 'a', 'a.txt': 'a.txt', 'b.txt': 'b'}
    """
    ids: dict[str, str] = {}
    taken: set[str] = set()
    for relative in sorted(relatives):
        candidate = article_id_for(PurePosixPath(relative))
        n = 1
        while candidate in taken:
            candidate = relative if n == 1 else f"{relative}~{n}"
            n += 1
        ids[relative] = candidate
        taken.add(candidate)
    return ids


def hash_sources(files: list[Path], seeds: Path, known: dict | None = None) -> list[Source]:
    """Each file as a ``Source``. ``known`` (a build's ``files`` record: path -> [size, mtime_ns,
    sha256]) lets a file whose size and modification time are unchanged skip re-reading."""
    known = known or {}
    root = os.path.join(str(seeds), "")
    relatives = [_relative(str(p), root) for p in files]
    ids = article_ids(relatives)
    sources = []
    for path, relative in zip(files, relatives, strict=True):
        st = os.stat(path)
        record = known.get(relative)
        if record and record[0] == st.st_size and record[1] == st.st_mtime_ns:
            sha = record[2]
        else:
            with open(path, "rb") as f:
                sha = hashlib.file_digest(f, "sha256").hexdigest()
        sources.append(Source(path, relative, sha, ids[relative], st.st_size, st.st_mtime_ns))
    return sources


def _relative(path: str, root: str) -> str:
    # the usual case, a path find_articles made, needs no relpath (slow on 10,000 files)
    path = path[len(root):] if path.startswith(root) else os.path.relpath(path, root)
    return path.replace(os.sep, "/")


def files_record(sources: list[Source], scanned_ns: int) -> dict:
    """What ``hash_sources`` may trust next time: files not modified just before this scan."""
    safe_before = scanned_ns - int(RACY_SECONDS * 1e9)
    return {s.relative: [s.size, s.mtime_ns, s.sha256] for s in sources if s.mtime_ns < safe_before}


def corpus_fingerprint(sources: list[Source], version: str) -> str:
    """Identity of a corpus: every article's path and content hash, plus the extractor version."""
    h = hashlib.sha256(version.encode())
    for s in sources:
        h.update(f"{s.relative}\0{s.sha256}\n".encode())
    return h.hexdigest()


def fingerprint(files: list[Path], seeds: Path, build: dict | None = None) -> str:
    """The fingerprint the tables of ``files`` would record in ``build.json`` (``build``: the
    current record, whose file hashes are reused for unchanged files)."""
    return corpus_fingerprint(hash_sources(files, seeds, (build or {}).get("files")), extractor_version())


def extract_source(source: Source, language: str | None = None) -> Extracted:
    """Read and extract one article: a pure function of the file, safe to run anywhere."""
    with TIMER.stage("reading"):
        try:
            data = source.path.read_bytes()
            doc = document_from_bytes(data, PurePosixPath(source.relative), source.sha256,
                                      source.article_id or None)
        except Unreadable as e:
            return Extracted(source, None, None, [{"file": source.relative, "problem": str(e)}])
        except OSError as e:
            problem = f"cannot read the file ({e.strerror or e})"
            return Extracted(source, None, None, [{"file": source.relative, "problem": problem}])
    return Extracted(source, extract(doc, load_gazetteer(), language=language), doc.text, [])


def default_cache(out: Path) -> Path:
    return out.resolve().parent / f".{out.name}.cache"


def run(seeds: Path, out: Path, workers: int = 1, force: bool = False, progress: bool | None = None,
        engine: str = "local", scheduler: str | None = None, cache: Path | None = None) -> RunResult:
    """Build the tables for the articles under ``seeds`` into ``out`` (see the module docstring)."""
    if not seeds.is_dir():
        raise EtlError(f"no such folder: {seeds}")
    if engine not in ENGINES:
        raise EtlError(f"unknown engine {engine!r} (choose from {', '.join(ENGINES)})")
    if progress is None:
        progress = sys.stderr.isatty()
    out = out.resolve()
    out.parent.mkdir(parents=True, exist_ok=True)
    lock = FileLock(str(out.parent / f".{out.name}.lock"))
    try:
        lock.acquire(timeout=0)
    except Timeout:
        if progress:
            print(f"Another build of {out} is in progress; waiting for it...", file=sys.stderr)
        try:
            lock.acquire(timeout=LOCK_TIMEOUT)
        except Timeout as e:
            raise EtlError(f"another build of {out} is still running after {LOCK_TIMEOUT} s") from e
    try:
        return _run_locked(seeds, out, workers, force, progress, engine, scheduler,
                           cache or default_cache(out))
    finally:
        lock.release()


def _run_locked(seeds: Path, out: Path, workers: int, force: bool, progress: bool, engine: str,
                scheduler: str | None, cache_root: Path) -> RunResult:
    # load
    scanned_ns = time.time_ns()
    files, problems = find_articles(seeds)
    if not files:
        raise EtlError(f"no article files (.txt, .md, .html, .htm) under {seeds}")
    built = {} if force else _read_build(out)
    with TIMER.stage("reading"):
        sources = hash_sources(files, seeds, built.get("files"))
    version = extractor_version()
    corpus = corpus_fingerprint(sources, version)
    if not force and built.get("fingerprint") == corpus:
        counts = (built.get(k, 0) for k in ("n_articles", "n_claims", "n_mentions"))
        return RunResult(out, *counts, skipped=True)

    # process
    cache = ExtractionCache(cache_root, version)
    rows = RowCollector()
    files_read: dict[str, str] = {}  # file -> article id, of every article that gave rows
    with TableWriter(out) as writer:
        previous = PreviousBuild.open(out, built, version)
        held, todo = [], []
        for s in sources:
            (held if previous.holds(s) else todo).append(s)
        collect = partial(_collect, rows=rows, writer=writer, cache=cache, problems=problems,
                          files_read=files_read)
        with ThreadPoolExecutor(max_workers=1) as reader:
            # Arrow reads the previous tables without the GIL while the changed articles are extracted.
            reading = reader.submit(previous.rows, held, writer)
            n_extracted = collect(_extract_all(todo, cache, workers, progress, engine, scheduler))
            kept = reading.result()
        if kept is None:  # the previous tables cannot be read: extract those articles too
            n_extracted += collect(_extract_all(held, cache, workers, progress, engine, scheduler))
        else:
            kept.hand_over(rows, problems)
            for s in held:
                cache.keep(s.relative, s.sha256)
                files_read[s.relative] = s.article_id
        if not files_read:
            raise EtlError(f"none of the {len(files)} article files under {seeds} could be read "
                           f"({problems[0]['problem'] if problems else 'unknown reason'})")
        with TIMER.stage("writing"):
            tables = rows.tables([files_read[f] for f in sorted(files_read)])
            tables[PLACES.name] = places_table(tables[MENTIONS.name], load_gazetteer())
            tables[PROBLEMS.name] = to_arrow(PROBLEMS, _sorted_problems(problems))

        # save
        build = {
            "fingerprint": corpus, "extractor_version": version,
            "built_at": datetime.now(UTC).isoformat(timespec="seconds"),
            "n_articles": len(files_read), "n_claims": tables[CLAIMS.name].num_rows,
            "n_mentions": tables[MENTIONS.name].num_rows,
            "articles": {s.relative: s.sha256 for s in sources if s.relative in files_read},
            "files": files_record(sources, scanned_ns),
        }
        with TIMER.stage("writing"):
            writer.commit(tables, build)
    cache.prune()
    return RunResult(out, len(files_read), build["n_claims"], build["n_mentions"], _unique(problems),
                     n_extracted=n_extracted)


@dataclass
class PreviousBuild:
    """The tables already in the output folder, whose rows an unchanged article keeps.

    An article is unchanged when its file has the same path and hash as in that build, the
    build was made by the same extractor version and its text file is there. Anything
    unreadable about the previous build makes every article count as changed.
    """

    out: Path
    articles: dict[str, tuple[str, str]] = field(default_factory=dict)  # file -> (sha256, article id)
    texts: set[str] = field(default_factory=set)  # ids of the articles whose text file is there

    @classmethod
    def open(cls, out: Path, built: dict, version: str) -> PreviousBuild:
        if built.get("extractor_version") != version:
            return cls(out)
        try:
            table = pq.read_table(out / f"{ARTICLES.name}.parquet", columns=["file", "sha256", "article_id"])
        except (OSError, pa.ArrowException):
            return cls(out)
        articles = {f: (sha, aid) for f, sha, aid in zip(*(table.column(c).to_pylist() for c in
                                                           ("file", "sha256", "article_id")), strict=True)}
        texts = set()
        root = out / TEXTS_DIR
        for folder, _, names in os.walk(root):
            prefix = Path(folder).relative_to(root).as_posix()
            stems = (n[:-4] for n in names if n.endswith(".txt"))
            texts.update(f"{prefix}/{n}" if prefix != "." else n for n in stems)
        return cls(out, articles, texts)

    def text(self, article_id: str) -> str:
        return os.path.join(self.out, TEXTS_DIR, f"{article_id}.txt")

    def holds(self, source: Source) -> bool:
        return (self.articles.get(source.relative) == (source.sha256, source.article_id)
                and source.article_id in self.texts)

    def rows(self, sources: list[Source], writer: TableWriter) -> KeptRows | None:
        """These articles' rows and problems, their texts handed to ``writer``; ``None`` when the
        previous tables cannot be read."""
        if not sources:
            return KeptRows({}, [])
        ids = pa.array([s.article_id for s in sources], pa.string())
        files = pa.array([s.relative for s in sources], pa.string())
        try:
            tables = {t.name: _rows_of(self.out / f"{t.name}.parquet", "article_id", ids)
                      for t in ARTICLE_TABLES}
            problems = _rows_of(self.out / f"{PROBLEMS.name}.parquet", "file", files).to_pylist()
        except (OSError, KeyError, pa.ArrowException):
            return None
        for s in sources:
            writer.keep_text(s.article_id, self.text(s.article_id))
        return KeptRows(tables, problems)


@dataclass
class KeptRows:
    """Rows of unchanged articles, read from the previous build."""

    tables: dict[str, pa.Table]
    problems: list[dict]

    def hand_over(self, rows: RowCollector, problems: list[dict]) -> None:
        for table in ARTICLE_TABLES:
            if table.name in self.tables:
                rows.add_arrow(table, self.tables[table.name])
        problems += self.problems


def _collect(items: Iterator[Extracted], rows: RowCollector, writer: TableWriter, cache: ExtractionCache,
             problems: list[dict], files_read: dict[str, str]) -> int:
    """Hand extracted articles to ``rows`` and ``writer``, cache new extractions; how many were new."""
    n_extracted = 0
    for item in items:
        problems += item.problems
        if item.extraction is None or item.text is None:
            continue
        rows.add(item.extraction)
        problems += item.extraction.problems
        article_id = item.extraction.article["article_id"]
        files_read[item.source.relative] = article_id
        writer.add_text(article_id, item.text)
        if not item.cached:
            n_extracted += 1
            cache.put(item.source.relative, item.source.sha256, item.extraction, item.text)
    return n_extracted


def _rows_of(path: Path, column: str, values: pa.Array) -> pa.Table:
    names = pq.read_schema(path).names
    data = pq.read_table(path, read_dictionary=[c for c in DICTIONARY_COLUMNS if c in names])
    return rows_where(data, pc.is_in(data.column(column), value_set=values))


def _extract_all(sources: list[Source], cache: ExtractionCache, workers: int, progress: bool, engine: str,
                 scheduler: str | None) -> Iterator[Extracted]:
    """Every article's extraction: from the cache when it holds one, else computed."""
    todo = []
    bar = _progress_bar(len(sources)) if progress else _NoBar()
    try:
        for source in sources:
            hit = cache.get(source.relative, source.sha256)
            if hit is None:
                todo.append(source)
                continue
            item = Extracted(source, hit[0], hit[1], [], cached=True)
            bar.update()
            yield item
        for item in _compute(todo, workers, engine, scheduler):
            bar.update()
            yield item
    finally:
        bar.close()


class _NoBar:
    """What a run without a terminal uses instead of a progress bar."""

    def update(self, n: int = 1) -> None:
        pass

    def close(self) -> None:
        pass


def _progress_bar(total: int):
    from tqdm import tqdm  # only on a terminal: importing tqdm reads package metadata (0.1-0.4 s)

    return tqdm(total=total, unit="article", desc="Extracting")


def _compute(todo: list[Source], workers: int, engine: str, scheduler: str | None) -> Iterator[Extracted]:
    if not todo:
        return
    if engine == "dask":
        yield from _compute_dask(todo, workers, scheduler)
    elif workers > 1 and len(todo) > 1:
        with ProcessPoolExecutor(max_workers=workers) as pool:
            yield from pool.map(extract_source, todo, chunksize=CHUNK_SIZE)
    else:
        yield from map(extract_source, todo)


def _compute_dask(todo: list[Source], workers: int, scheduler: str | None) -> Iterator[Extracted]:
    """The same per-article function on a Dask cluster (``scheduler`` address, or a local one)."""
    try:
        from dask.distributed import Client, LocalCluster, as_completed
    except ImportError as e:
        raise EtlError("--engine dask needs dask.distributed: pip install -e '.[dask]'") from e
    cluster = None if scheduler else LocalCluster(n_workers=workers, threads_per_worker=1,
                                                  processes=True, dashboard_address=None)
    try:
        with Client(scheduler or cluster) as client:
            futures = client.map(extract_source, todo, pure=False)
            for future in as_completed(futures):
                yield future.result()
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


def _read_build(out: Path) -> dict:
    try:
        return json.loads((out / BUILD_FILE).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
