"""Incremental builds: the rows an unchanged article keeps from the previous build.

An article is unchanged when its file has the same path and hash as in the previous build, made
by the same extractor version. Its rows are not extracted again but read back from the previous
tables, in article order (``PreviousBuild`` -> ``KeptRows`` -> one ``RowCursor`` per table), and
its CSV rows are copied byte for byte from the previous CSV files instead of being formatted
again, which is several times slower. Both halves of that copy live here: while a CSV file is
written, ``CsvIndexBuilder`` records where each article's rows start (saved as
``csv_index.parquet``); the next build reads it back (``CsvIndex``) and copies byte ranges
(``CsvCopy``). Anything unreadable about the previous build only means extracting again.
"""

from __future__ import annotations

import contextlib
import io
import os
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from etl.discover import Source
from etl.outdir import OutputFolder
from etl.rows import ARTICLE_TABLES, DICTIONARY_COLUMNS, RowStream, rows_where
from etl.schema import ARTICLES, PROBLEMS, TEXTS, Table
from etl.timing import TIMER

if TYPE_CHECKING:  # the writer calls this module: only its type is needed here
    from etl.output import TableWriter

#: Rows of a previous table read at a time (see ``RowCursor``), and texts (they are most of the bytes).
CURSOR_BATCH_ROWS = 65_536
CURSOR_BATCH_TEXTS = 512
#: Bytes of CSV looked through at a time for the ends of rows (bounds the scan's temporary arrays).
SCAN_CHUNK_BYTES = 1 << 23
#: Bytes read at a time when a previous CSV file cannot be copied in the kernel.
COPY_CHUNK_BYTES = 1 << 20


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
        """The build recorded in ``built`` (its ``build.json``); one that keeps nothing when it was
        made by another extractor version or its tables cannot be read."""
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
            cursors = {t.name: RowCursor(self.out / f"{t.name}.parquet", self.rank) for t in ARTICLE_TABLES}
            cursors[TEXTS.name] = RowCursor(OutputFolder(self.out).texts_file, self.rank, CURSOR_BATCH_TEXTS)
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

    def write_rows(self, run: list[Source], rows: RowStream, writer: TableWriter) -> None:
        """Write the rows and texts of unchanged articles that follow each other in article order:
        to ``rows`` (which counts their places), and their CSV rows copied where the previous file
        can be."""
        if not run:
            return
        ranks = np.array([self.previous.rank[s.article_id] for s in run], dtype=np.int64)
        wanted = np.zeros(len(self.previous.order), dtype=bool)  # by place in the previous order
        wanted[ranks] = True
        last = int(ranks[-1])
        for table in ARTICLE_TABLES:
            # their CSV rows copied as they are when the previous file can be, else written again
            index = self.csv.get(table.name)
            for part in self.cursors[table.name].rows_through(last, wanted):
                with TIMER.stage("writing"):
                    rows.add_arrow(table, part, csv=index is None)
            if index is not None:
                writer.copy_csv(table, index.copies(ranks))
        for part in self.cursors[TEXTS.name].rows_through(last, wanted):
            writer.write(TEXTS, part)

    def close(self) -> None:
        for cursor in self.cursors.values():
            cursor.close()


class RowCursor:
    """Reads one previous table in order, batch by batch (the next batch is read ahead in a
    thread), giving the rows of the articles asked for and skipping the others'."""

    def __init__(self, path: Path, rank: dict[str, int], batch_rows: int | None = None) -> None:
        file = pq.ParquetFile(path, read_dictionary=[c for c in DICTIONARY_COLUMNS
                                                     if c in pq.read_schema(path).names])
        self._rank = rank
        self._batches = file.iter_batches(batch_size=batch_rows or CURSOR_BATCH_ROWS)
        self._reader = ThreadPoolExecutor(max_workers=1)
        self._next = self._reader.submit(next, self._batches, None)
        self._buffer: pa.Table | None = None  # rows read and not yet given
        self._buffer_ranks = np.zeros(0, dtype=np.int64)

    def rows_through(self, last_rank: int, wanted: np.ndarray) -> Iterator[pa.Table]:
        """The rows up to those of the article at ``last_rank`` (in the previous order), of the
        articles ``wanted`` (a flag for each place in that order) only; every part holds whole
        articles. The rows after them stay for the next call."""
        while True:
            if self._buffer is not None and len(self._buffer_ranks) and self._buffer_ranks[-1] > last_rank:
                cut = int(np.searchsorted(self._buffer_ranks, last_rank, side="right"))
                yield from self._wanted_rows(self._buffer.slice(0, cut), self._buffer_ranks[:cut], wanted)
                self._set_buffer(self._buffer.slice(cut), self._buffer_ranks[cut:])
                return
            batch = self._read()
            if batch is None:  # the table's end: everything left is this run's
                if self._buffer is not None:
                    yield from self._wanted_rows(self._buffer, self._buffer_ranks, wanted)
                self._set_buffer(None, np.zeros(0, dtype=np.int64))
                return
            if self._buffer is not None and len(self._buffer_ranks):
                # the buffer's last article may go on in this batch: give all but it
                cut = int(np.searchsorted(self._buffer_ranks, self._buffer_ranks[-1], side="left"))
                yield from self._wanted_rows(self._buffer.slice(0, cut), self._buffer_ranks[:cut], wanted)
                rest, rest_ranks = self._buffer.slice(cut), self._buffer_ranks[cut:]
            else:
                rest, rest_ranks = None, np.zeros(0, dtype=np.int64)
            ranks = _ranks(batch.column("article_id"), self._rank)
            parts = [t for t in (rest, batch) if t is not None and t.num_rows]
            self._set_buffer(pa.concat_tables(parts) if parts else None, np.concatenate([rest_ranks, ranks]))

    def _read(self) -> pa.Table | None:
        try:
            batch = self._next.result()
        except (OSError, pa.ArrowException) as e:  # only reading: a failure of ours is not hidden
            raise PreviousUnreadable(f"{e}") from e
        if batch is None:
            return None
        self._next = self._reader.submit(next, self._batches, None)
        return pa.Table.from_batches([batch])

    def _set_buffer(self, table: pa.Table | None, ranks: np.ndarray) -> None:
        self._buffer, self._buffer_ranks = table, ranks

    @staticmethod
    def _wanted_rows(part: pa.Table, ranks: np.ndarray, wanted: np.ndarray) -> Iterator[pa.Table]:
        if part.num_rows:
            kept = rows_where(part, wanted[ranks])
            if kept.num_rows:
                yield kept

    def close(self) -> None:
        self._reader.shutdown(wait=True, cancel_futures=True)


def _ranks(article_ids: pa.Array | pa.ChunkedArray, rank: dict[str, int]) -> np.ndarray:
    """Each row's article position (``rank``: each article's place in the previous order), for ids
    plain or dictionary-encoded. An article's rows follow each other, so only the first id of each
    run of equal ids is looked up (a hash of the 10,000 ids of the order, made by each call of
    ``pc.index_in``, cost more than the lookups).

    >>> _ranks(pa.array(["b", "b", "a", "c", "c"]), {"a": 0, "b": 1, "c": 2}).tolist()
    [1, 1, 0, 2, 2]
    """
    column = article_ids.combine_chunks() if isinstance(article_ids, pa.ChunkedArray) else article_ids
    n = len(column)
    if column.null_count:
        raise PreviousUnreadable("rows without an article id")
    if n == 0:
        return np.zeros(0, dtype=np.int64)
    if pa.types.is_dictionary(column.type):
        codes = column.indices.to_numpy(zero_copy_only=False)
        starts = np.flatnonzero(codes[1:] != codes[:-1]) + 1
        values = column.dictionary
        first_ids = values.take(pa.array(codes[np.concatenate(([0], starts))]))
    else:
        changed = pc.not_equal(column.slice(1), column.slice(0, n - 1)).to_numpy(zero_copy_only=False)
        starts = np.flatnonzero(changed) + 1
        first_ids = column.take(pa.array(np.concatenate(([0], starts))))
    try:
        run_ranks = np.fromiter((rank[a] for a in first_ids.to_pylist()), dtype=np.int64,
                                count=len(first_ids))
    except KeyError:
        raise PreviousUnreadable("rows of an article the previous build does not list") from None
    return np.repeat(run_ranks, np.diff(np.concatenate(([0], starts, [n]))))


# --- CSV rows copied byte for byte ----------------------------------------------------------


def row_starts(body: bytes | memoryview) -> np.ndarray:
    r"""Where each row of CSV text starts: after every newline that is not inside quotes (a quote
    inside a quoted value is doubled, so a newline ends a row when the quotes before it are even).

    >>> row_starts(b'a,"x\ny"\nb,"say ""hi"" now"\n').tolist()
    [0, 8]
    """
    data = np.frombuffer(body, dtype=np.uint8)
    ends = []
    quotes_before = 0
    for lo in range(0, len(data), SCAN_CHUNK_BYTES):
        part = data[lo:lo + SCAN_CHUNK_BYTES]
        newlines = np.flatnonzero(part == ord("\n"))
        quotes = np.flatnonzero(part == ord('"'))
        if len(quotes):
            newlines = newlines[(np.searchsorted(quotes, newlines) + quotes_before) % 2 == 0]
        quotes_before += len(quotes)
        ends.append(newlines + lo)
    found = np.concatenate(ends) if ends else np.zeros(0, dtype=np.int64)
    return np.concatenate(([0], found[:-1] + 1)) if len(found) else found


@dataclass(frozen=True)
class CsvCopy:
    """Rows of unchanged articles, copied byte for byte from the previous build's CSV file: bytes
    ``start:end`` of ``path``, the rows of ``article_ids``, which start at ``starts`` (from ``start``)."""

    path: Path
    start: int
    end: int
    article_ids: pa.Array
    starts: np.ndarray

    def copy_to(self, sink: io.RawIOBase) -> int:
        """Append the bytes to ``sink`` (a file opened without buffering), in the kernel where it can;
        returns how many were copied."""
        size = self.end - self.start
        copied = 0
        with open(self.path, "rb") as source:
            if hasattr(os, "copy_file_range"):  # Linux
                with contextlib.suppress(OSError):  # not between these file systems: copied below
                    while copied < size:
                        n = os.copy_file_range(source.fileno(), sink.fileno(), size - copied,
                                               self.start + copied)
                        if n == 0:
                            break  # the file ends early: said below
                        copied += n
            source.seek(self.start + copied)
            while copied < size:
                chunk = source.read(min(size - copied, COPY_CHUNK_BYTES))
                if not chunk:
                    raise OSError(f"{self.path} ended before byte {self.end}")
                view = memoryview(chunk)
                while view:  # an unbuffered write may take part of it
                    view = view[sink.write(view):]
                copied += len(chunk)
        return copied


@dataclass(frozen=True)
class CsvIndex:
    """Where the rows of each article that has any start in a previous CSV file (``ranks``: the
    articles' places in ``order``), as ``CsvIndexBuilder`` recorded it."""

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


class CsvIndexBuilder:
    """Where each article's rows start in a CSV file being written in article order: the rows of
    ``table`` in ``csv_index.parquet``, which the next build reads back as a ``CsvIndex``."""

    def __init__(self, table: Table) -> None:
        self.table = table
        self._ids: list[pa.Array] = []
        self._starts: list[np.ndarray] = []
        self._row_starts: list[np.ndarray] = []  # of the rows formatted since the last ``add_articles``
        self._complete = True  # false if rows could not be told apart (then nothing is copied next time)

    def add_formatted(self, body: memoryview, n_rows: int, offset: int) -> None:
        """``n_rows`` rows formatted as ``body``, written at ``offset`` in the file."""
        found = row_starts(body)
        self._complete &= len(found) == n_rows
        self._row_starts.append(found + offset)

    def add_articles(self, article_ids: pa.ChunkedArray) -> None:
        """The article of each row given to ``add_formatted`` since the last call, in order."""
        starts, self._row_starts = self._row_starts, []
        if not self._complete:
            return
        ids = article_ids.combine_chunks()
        encoded = ids if pa.types.is_dictionary(ids.type) else pc.dictionary_encode(ids)
        codes = encoded.indices.to_numpy(zero_copy_only=False)
        firsts = np.flatnonzero(np.r_[True, codes[1:] != codes[:-1]])
        self._add(encoded.dictionary.take(pa.array(codes[firsts])), np.concatenate(starts)[firsts])

    def add_copied(self, part: CsvCopy, offset: int) -> None:
        """``part``'s rows, copied at ``offset`` in the file."""
        self._add(part.article_ids, part.starts + offset)

    def _add(self, article_ids: pa.Array, starts: np.ndarray) -> None:
        self._ids.append(article_ids.cast(pa.string()))
        self._starts.append(np.asarray(starts, dtype=np.int64))

    def index_rows(self) -> pa.Table | None:
        """Each article with rows, and the offset of its first row; ``None`` when unknown."""
        if not self._complete:
            return None
        ids = pa.concat_arrays(self._ids) if self._ids else pa.array([], pa.string())
        starts = np.concatenate(self._starts) if self._starts else np.zeros(0, dtype=np.int64)
        return pa.table({"table": pa.array([self.table.name] * len(ids), pa.string()), "article_id": ids,
                         "offset": pa.array(starts, pa.int64())})
