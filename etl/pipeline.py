"""The ETL run: load the articles, extract rows from each, save the tables.

    load    - find article files under the seeds folder; read and hash each once
    process - ``extract`` what the cache does not already hold (in worker processes,
              or on a Dask cluster, when asked); aggregate places
    save    - write all tables into a new folder and swap it in, under a lock so two
              runs never interleave

Only this module, ``cache`` and ``output`` touch the disk.
"""

from __future__ import annotations

import hashlib
import json
import sys
from collections import Counter, defaultdict
from collections.abc import Iterator
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, datetime
from importlib import resources
from pathlib import Path, PurePosixPath

from filelock import FileLock, Timeout

from etl.cache import ExtractionCache
from etl.extract import BODY, Extraction, extract
from etl.output import BUILD_FILE, TableWriter, frame
from etl.places import GAZETTEER, Gazetteer, load_gazetteer
from etl.reading import SUFFIXES, Unreadable, document_from_bytes
from etl.schema import ARTICLES, CLAIMS, LINKS, MENTIONS, PLACES, PROBLEMS
from etl.timing import TIMER

#: How long a run waits for another run on the same output folder (seconds).
LOCK_TIMEOUT = 600
#: Articles handed to a worker process at a time.
CHUNK_SIZE = 16
ENGINES = ("local", "dask")


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
    """An article file: where it is, its path under the seeds folder, the hash of its bytes."""

    path: Path
    relative: str
    sha256: str


@dataclass
class Extracted:
    """What one article gave: its rows and text, or the problems that stopped it."""

    source: Source
    extraction: Extraction | None
    text: str | None
    problems: list[dict]
    cached: bool = False


def extractor_version() -> str:
    """A hash of the extractor's code, lexicons and gazetteer: changing any of them changes it."""
    h = hashlib.sha256()
    files = sorted((p for p in _walk(resources.files("etl")) if p.name.endswith((".py", ".toml"))),
                   key=lambda p: str(p))
    for p in [*files, GAZETTEER] if GAZETTEER.exists() else files:
        h.update(str(p.name).encode())
        h.update(p.read_bytes())
    return h.hexdigest()[:16]


def _walk(node) -> Iterator:
    for child in node.iterdir():
        if child.is_dir():
            if child.name != "__pycache__":
                yield from _walk(child)
        else:
            yield child


def find_articles(seeds: Path) -> tuple[list[Path], list[dict]]:
    """Article files under ``seeds`` (recursively, sorted), and problem rows for other files."""
    files, problems = [], []
    for path in sorted(p for p in seeds.rglob("*") if p.is_file()):
        relative = path.relative_to(seeds)
        if any(part.startswith(".") for part in relative.parts):
            continue  # hidden files and folders (editor backups, .git) are not articles
        if path.suffix.lower() in SUFFIXES:
            files.append(path)
        else:
            problem = f"not an article file type ({path.suffix or 'no extension'}); skipped"
            problems.append({"file": relative.as_posix(), "problem": problem})
    return files, problems


def hash_sources(files: list[Path], seeds: Path) -> list[Source]:
    return [Source(p, p.relative_to(seeds).as_posix(), hashlib.sha256(p.read_bytes()).hexdigest())
            for p in files]


def corpus_fingerprint(sources: list[Source], version: str) -> str:
    """Identity of a corpus: every article's path and content hash, plus the extractor version."""
    h = hashlib.sha256(version.encode())
    for s in sources:
        h.update(f"{s.relative}\0{s.sha256}\n".encode())
    return h.hexdigest()


def fingerprint(files: list[Path], seeds: Path) -> str:
    """The fingerprint the tables of ``files`` would record in ``build.json``."""
    return corpus_fingerprint(hash_sources(files, seeds), extractor_version())


def extract_source(source: Source, language: str | None = None) -> Extracted:
    """Read and extract one article: a pure function of the file, safe to run anywhere."""
    with TIMER.stage("reading"):
        try:
            data = source.path.read_bytes()
            doc = document_from_bytes(data, PurePosixPath(source.relative), source.sha256)
        except Unreadable as e:
            return Extracted(source, None, None, [{"file": source.relative, "problem": str(e)}])
        except OSError as e:
            problem = f"cannot read the file ({e.strerror or e})"
            return Extracted(source, None, None, [{"file": source.relative, "problem": problem}])
    return Extracted(source, extract(doc, load_gazetteer(), language=language), doc.text, [])


def aggregate_places(results: list[Extraction], gazetteer: Gazetteer) -> list[dict]:
    mentions: Counter[str] = Counter()
    articles: dict[str, set[str]] = defaultdict(set)
    seen: set[str] = set()
    for r in results:
        for m in r.mentions:
            seen.add(m["place_id"])
            if m["section"] == BODY:
                mentions[m["place_id"]] += 1
                articles[m["place_id"]].add(m["article_id"])
    rows = []
    for pid in sorted(seen):
        p = gazetteer.places[pid]
        rows.append({
            "place_id": p.place_id, "name": p.name, "name_local": p.name_local, "country": p.country,
            "level": p.level, "province_id": p.province_id, "lat": p.lat, "lon": p.lon,
            "border_province": p.border_province, "merged_into_2025": p.merged_into_2025, "source": p.source,
            "n_mentions": mentions[pid], "n_articles": len(articles[pid]),
        })
    return rows


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
    files, problems = find_articles(seeds)
    if not files:
        raise EtlError(f"no article files (.txt, .md, .html, .htm) under {seeds}")
    with TIMER.stage("reading"):
        sources = hash_sources(files, seeds)
    version = extractor_version()
    corpus = corpus_fingerprint(sources, version)
    built = _read_build(out)
    if not force and built.get("fingerprint") == corpus:
        counts = (built.get(k, 0) for k in ("n_articles", "n_claims", "n_mentions"))
        return RunResult(out, *counts, skipped=True)

    # process
    cache = ExtractionCache(cache_root, version)
    results: list[Extraction] = []
    n_extracted = 0
    with TableWriter(out) as writer:
        for item in _extract_all(sources, cache, workers, progress, engine, scheduler):
            problems += item.problems
            if item.extraction is None or item.text is None:
                continue
            results.append(item.extraction)
            problems += item.extraction.problems
            writer.add_text(item.extraction.article["article_id"], item.text)
            if not item.cached:
                n_extracted += 1
                cache.put(item.source.relative, item.source.sha256, item.extraction, item.text)
        if not results:
            raise EtlError(f"none of the {len(files)} article files under {seeds} could be read "
                           f"({problems[0]['problem'] if problems else 'unknown reason'})")
        results.sort(key=lambda r: r.article["file"])
        frames = _frames(results, problems)

        # save
        build = {
            "fingerprint": corpus, "extractor_version": version,
            "built_at": datetime.now(UTC).isoformat(timespec="seconds"),
            "n_articles": len(results), "n_claims": len(frames[CLAIMS.name]),
            "n_mentions": len(frames[MENTIONS.name]),
            "articles": {r.article["file"]: r.article["sha256"] for r in results},
        }
        with TIMER.stage("writing"):
            writer.commit(frames, build)
    cache.prune()
    return RunResult(out, len(results), build["n_claims"], build["n_mentions"], _unique(problems),
                     n_extracted=n_extracted)


def _frames(results: list[Extraction], problems: list[dict]) -> dict:
    with TIMER.stage("writing"):
        return {
            ARTICLES.name: frame(ARTICLES, [r.article for r in results]),
            CLAIMS.name: frame(CLAIMS, [c for r in results for c in r.claims]),
            PLACES.name: frame(PLACES, aggregate_places(results, load_gazetteer())),
            MENTIONS.name: frame(MENTIONS, [m for r in results for m in r.mentions]),
            LINKS.name: frame(LINKS, [lk for r in results for lk in r.links]),
            PROBLEMS.name: frame(PROBLEMS, _sorted_problems(problems)),
        }


def _extract_all(sources: list[Source], cache: ExtractionCache, workers: int, progress: bool, engine: str,
                 scheduler: str | None) -> Iterator[Extracted]:
    """Every article's extraction: from the cache when it holds one, else computed."""
    from tqdm import tqdm

    todo = []
    bar = tqdm(total=len(sources), unit="article", disable=not progress, desc="Extracting")
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
