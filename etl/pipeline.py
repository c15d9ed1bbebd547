"""The ETL run: load the articles, extract rows from each, save the tables.

    load   - find article files under the seeds folder and read them (problems noted)
    process - ``extract`` each article (in worker processes when asked), aggregate places
    save   - write all tables atomically, under a lock so two runs never interleave

Only this module and ``output`` touch the disk.
"""

from __future__ import annotations

import hashlib
import sys
from collections import Counter, defaultdict
from collections.abc import Iterable, Iterator
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, datetime
from importlib import resources
from pathlib import Path

from filelock import FileLock, Timeout

from etl.extract import BODY, Extraction, extract
from etl.output import BUILD_FILE, frame, write_tables
from etl.places import GAZETTEER, Gazetteer, load_gazetteer
from etl.reading import SUFFIXES, Document, Unreadable, read_document
from etl.schema import ARTICLES, CLAIMS, LINKS, MENTIONS, PLACES, PROBLEMS

#: How long a run waits for another run on the same output folder (seconds).
LOCK_TIMEOUT = 600
#: Articles handed to a worker process at a time.
CHUNK_SIZE = 16


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


def extractor_version() -> str:
    """A hash of the extractor's code, lexicons and gazetteer: changing any of them changes it."""
    h = hashlib.sha256()
    package = resources.files("etl")
    files = sorted((p for p in _walk(package) if p.name.endswith((".py", ".toml"))), key=lambda p: str(p))
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


def fingerprint(files: Iterable[Path], seeds: Path) -> str:
    """Identity of a corpus: every article's path and content hash, plus the extractor version."""
    h = hashlib.sha256(extractor_version().encode())
    for path in files:
        h.update(path.relative_to(seeds).as_posix().encode())
        h.update(hashlib.sha256(path.read_bytes()).digest())
    return h.hexdigest()


def _extract_path(args: tuple[Path, Path]) -> tuple[Extraction | None, list[dict]]:
    path, seeds = args
    relative = path.relative_to(seeds).as_posix()
    try:
        doc: Document = read_document(path, seeds)
    except Unreadable as e:
        return None, [{"file": relative, "problem": str(e)}]
    except OSError as e:
        return None, [{"file": relative, "problem": f"cannot read the file ({e.strerror or e})"}]
    result = extract(doc, load_gazetteer())
    return result, []


def _texts_of(results: list[Extraction], seeds: Path) -> dict[str, str]:
    texts = {}
    for r in results:
        doc = read_document(seeds / r.article["file"], seeds)
        texts[doc.article_id] = doc.text
    return texts


def aggregate_places(results: list[Extraction], gazetteer: Gazetteer) -> list[dict]:
    mentions = Counter()
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


def run(seeds: Path, out: Path, workers: int = 1, force: bool = False,
        progress: bool | None = None) -> RunResult:
    """Build the tables for the articles under ``seeds`` into ``out`` (see the module docstring)."""
    if not seeds.is_dir():
        raise EtlError(f"no such folder: {seeds}")
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
        return _run_locked(seeds, out, workers, force, progress)
    finally:
        lock.release()


def _run_locked(seeds: Path, out: Path, workers: int, force: bool, progress: bool) -> RunResult:
    # load
    files, problems = find_articles(seeds)
    if not files:
        raise EtlError(f"no article files (.txt, .md, .html, .htm) under {seeds}")
    corpus = fingerprint(files, seeds)
    built = _read_build(out)
    if not force and built.get("fingerprint") == corpus:
        counts = (built.get(k, 0) for k in ("n_articles", "n_claims", "n_mentions"))
        return RunResult(out, *counts, skipped=True)

    # process
    gazetteer = load_gazetteer()
    results: list[Extraction] = []
    for result, bad in _map(files, seeds, workers, progress):
        problems += bad
        if result is not None:
            results.append(result)
            problems += result.problems
    if not results:
        raise EtlError(f"none of the {len(files)} article files under {seeds} could be read "
                       f"({problems[0]['problem'] if problems else 'unknown reason'})")
    articles = [r.article for r in results]
    claims = [c for r in results for c in r.claims]
    mentions = [m for r in results for m in r.mentions]
    links = [lk for r in results for lk in r.links]
    frames = {
        ARTICLES.name: frame(ARTICLES, articles), CLAIMS.name: frame(CLAIMS, claims),
        PLACES.name: frame(PLACES, aggregate_places(results, gazetteer)),
        MENTIONS.name: frame(MENTIONS, mentions), LINKS.name: frame(LINKS, links),
        PROBLEMS.name: frame(PROBLEMS, _unique(problems)),
    }

    # save
    build = {
        "fingerprint": corpus, "extractor_version": extractor_version(),
        "built_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "n_articles": len(articles), "n_claims": len(claims), "n_mentions": len(mentions),
        "articles": {a["file"]: a["sha256"] for a in articles},
    }
    write_tables(out, frames, _texts_of(results, seeds), build)
    return RunResult(out, len(articles), len(claims), len(mentions), _unique(problems))


def _map(files: list[Path], seeds: Path, workers: int, progress: bool
         ) -> Iterator[tuple[Extraction | None, list[dict]]]:
    from tqdm import tqdm
    jobs = [(f, seeds) for f in files]
    bar = tqdm(total=len(jobs), unit="article", disable=not progress, desc="Extracting")
    try:
        if workers > 1 and len(jobs) > 1:
            with ProcessPoolExecutor(max_workers=workers) as pool:
                for item in pool.map(_extract_path, jobs, chunksize=CHUNK_SIZE):
                    bar.update()
                    yield item
        else:
            for job in jobs:
                item = _extract_path(job)
                bar.update()
                yield item
    finally:
        bar.close()


def _unique(rows: list[dict]) -> list[dict]:
    seen, out = set(), []
    for r in rows:
        key = (r["file"], r["problem"])
        if key not in seen:
            seen.add(key)
            out.append(r)
    return out


def _read_build(out: Path) -> dict:
    import json
    try:
        return json.loads((out / BUILD_FILE).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
