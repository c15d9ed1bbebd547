"""Where extractions are computed: here, in a pool of worker processes, or on a Dask cluster.

The pipeline asks for the extractions of the articles it has to extract, in article order
(``extract_all``); the journal's entries are taken as they are, and the others are computed by
the engine asked for. Each article goes through one pure function (``extract_source``), so every
engine writes the same tables. Worker processes load what extraction needs as they start
(``preload``), and a thread can compute extractions ahead of the caller (``Prefetched``).
"""

from __future__ import annotations

import contextlib
import queue
import threading
from collections.abc import Iterator
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import TYPE_CHECKING, TypeVar

from etl.discover import NotReadable, Source, problem, read_article
from etl.errors import EtlError
from etl.extract import Extraction, extract
from etl.journal import Journal, pack, unpack
from etl.places import load_gazetteer
from etl.reading import Unreadable, document_from_bytes
from etl.timing import TIMER

if TYPE_CHECKING:
    from tqdm import tqdm

T = TypeVar("T")

ENGINES = ("local", "dask")
#: Articles handed to a worker process at a time.
CHUNK_SIZE = 16
#: How often (seconds) a ``Prefetched`` thread waiting for room checks whether it was closed.
PREFETCH_POLL_S = 0.1


@dataclass
class ArticleOutcome:
    """What one article gave: its rows and text, or the problems that stopped it."""

    source: Source
    extraction: Extraction | None
    text: str | None
    problems: list[dict]
    cached: bool = False
    #: ``extraction`` and ``text`` packed for the journal (``etl.journal.pack``), when a worker packed them
    payload: bytes | None = None


def extract_source(source: Source, language: str | None = None, root: Path | None = None) -> ArticleOutcome:
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
            return ArticleOutcome(source, None, None, [problem(source.relative, str(e))])
    return ArticleOutcome(source, extract(doc, load_gazetteer(), language=language), doc.text, [])


def extract_packed(source: Source) -> ArticleOutcome:
    """``extract_source`` with the extraction and text packed for the journal: what a worker process
    sends back (the main process unpacks it once, and writes it to the journal as it is)."""
    item = extract_source(source)
    if item.extraction is None or item.text is None:
        return item
    return ArticleOutcome(source, None, None, item.problems, payload=pack(item.extraction, item.text))


def _unpacked(item: ArticleOutcome) -> ArticleOutcome:
    if item.payload is not None and item.extraction is None:
        item.extraction, item.text = unpack(item.payload)
    return item


def extract_all(sources: list[Source], cache: Journal, workers: int, progress: bool, engine: str,
                scheduler: str | None, pool: ProcessPoolExecutor | None = None) -> Iterator[ArticleOutcome]:
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
                        else ArticleOutcome(source, hit[0], hit[1], [], cached=True))
            bar.update()
            yield item
    finally:
        bar.close()


def _compute(todo: list[Source], workers: int, engine: str, scheduler: str | None,
             pool: ProcessPoolExecutor | None = None) -> Iterator[ArticleOutcome]:
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
    pool = ProcessPoolExecutor(max_workers=workers, initializer=preload)
    for _ in range(workers):  # start them (a pool starts its processes as tasks come)
        pool.submit(int)
    return pool


#: Two short articles, one in each language, whose extraction loads what every article needs (the
#: gazetteer, each lexicon, the language model, word frequencies: about half a second).
PRELOAD_ARTICLES = (
    b"Trade between Kien Giang and Kampot reached more than $40 million in 2023, a co-operation "
    b"the two provinces signed on 12 March 2024.",
    b"Les \xc3\xa9changes entre An Giang et Takeo ont atteint 12 millions de dollars en 2024, selon "
    b"le d\xc3\xa9partement provincial.",
)


def preload() -> None:
    """Load what extraction needs by extracting ``PRELOAD_ARTICLES``: a worker process does it as it
    starts, while the main one is still finding and hashing the articles.

    Only a head start: whatever fails here fails again on a real article, which reports it (a pool
    whose initializer raises is broken, and says only that a process ended abruptly).
    """
    with contextlib.suppress(Exception):
        for i, data in enumerate(PRELOAD_ARTICLES):
            extract(document_from_bytes(data, PurePosixPath(f"preload-{i}.txt")), load_gazetteer())


def _compute_dask(todo: list[Source], workers: int, scheduler: str | None) -> Iterator[ArticleOutcome]:
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


class Prefetched(Iterator[T]):
    """``items`` in order, computed by a thread at most ``depth`` items ahead of the caller.

    The thread starts at once, not at the first ``next``: what it computes overlaps whatever the
    caller does before asking (after one article changed, writing the kept rows of the articles
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
                self._ready.put(entry, timeout=PREFETCH_POLL_S)
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
        except BaseException as e:  # queued for the caller, raised there
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


def _progress_bar(total: int) -> tqdm:
    from tqdm import tqdm  # only on a terminal: importing tqdm reads package metadata (0.1-0.4 s)

    return tqdm(total=total, unit="article", desc="Extracting")
