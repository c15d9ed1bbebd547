"""Write the tables: CSV and Parquet per table, ``datapackage.json``, article texts.

Everything is written into a fresh folder next to the output folder, validated,
then swapped in with two renames, so an interrupted run leaves the previous
tables whole (and ``recover`` puts them back if a run died between the renames).
"""

from __future__ import annotations

import contextlib
import io
import json
import os
import shutil
from collections.abc import Iterable
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path
from typing import TYPE_CHECKING, BinaryIO

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq
from pyarrow import csv

from etl.outdir import BUILD_FILE, CSV_INDEX_FILE, DATAPACKAGE_FILE, OutputFolder
from etl.reuse import CsvCopy, CsvIndexBuilder
from etl.rows import ARTICLE_TABLES, DICTIONARY_COLUMNS, compact_dictionaries
from etl.schema import ARTICLES, BOOLEAN, CONTRACT_VERSION, TABLES, TEXTS, Table

if TYPE_CHECKING:  # pandas is for callers that use it; the ETL itself writes from Arrow
    import pandas as pd

#: First characters that make a spreadsheet read a cell as a formula (OWASP CSV injection).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
#: Rows of an article table written to Parquet at a time (one row group).
ROW_GROUP_ROWS = 131_072
#: Texts per row group of ``texts.parquet``: reading one article's text decompresses its group only.
TEXT_GROUP_ROWS = 64
#: Rows formatted as CSV at a time (bounds the text held before it is written).
CSV_SLICE_ROWS = 4_096
#: Article tables with a column decided at save time over all articles (``articles.duplicate_of``): their
#: rows stream to Parquet only, and the whole table is written again at save (it is small: one row per
#: article), so their CSV rows are never copied from a previous build.
WRITTEN_AT_SAVE = (ARTICLES,)
_FORMULA_STARTS = pa.array(FORMULA_STARTS)
#: Arrow quotes every text value (and only text values) and writes booleans as true/false.
_CSV_OPTIONS = csv.WriteOptions(include_header=False, quoting_style="needed")

PACKAGE_META = {
    "name": "vn-kh-cooperation-claims",
    "title": "Quantitative claims and place mentions in news on Vietnam-Cambodia cooperation",
    "description": "Every figure (value, unit, qualifier, period, target, category) and every place "
                   "mention found in the articles, each tied to its sentence and character span.",
    "licenses": [{"name": "ODC-By-1.0", "title": "Open Data Commons Attribution License 1.0",
                  "path": "https://opendatacommons.org/licenses/by/1-0/"}],
    "sources": [
        {"title": "News articles in the seeds folder (see articles.csv for files and hashes)"},
        {"title": "Boundaries: Made with Natural Earth (public domain). Simplified.",
         "path": "https://www.naturalearthdata.com/"},
    ],
}


def frame(table: Table, rows: Iterable[dict]) -> pd.DataFrame:
    """Rows as a pandas DataFrame with the table's columns, order and types (for code that builds
    a table by hand, such as tests)."""
    import pandas as pd

    df = pd.DataFrame(list(rows), columns=table.column_names)
    for col in table.columns:
        df[col.name] = df[col.name].astype(col.pandas_type)
    duplicated = df.duplicated(list(table.key))
    if duplicated.any():
        raise ValueError(f"{table.name}: duplicate key {list(table.key)} in {int(duplicated.sum())} rows")
    return df


def _protected(values: pa.ChunkedArray) -> pa.ChunkedArray:
    """A text column (plain or dictionary-encoded) with every cell that a spreadsheet would run as a
    formula (one starting with a ``FORMULA_STARTS`` character) prefixed with ``'``: the one place
    that rule is applied, for the ETL's tables and the dashboard's downloads alike.

    >>> _protected(pa.chunked_array([["=HYPERLINK(1)", "Kampot", None]])).to_pylist()
    ["'=HYPERLINK(1)", 'Kampot', None]
    """
    if pa.types.is_dictionary(values.type):
        return pa.chunked_array([pa.DictionaryArray.from_arrays(c.indices, _protected(c.dictionary))
                                 for c in values.chunks], values.type)
    risky = pc.is_in(pc.utf8_slice_codeunits(values, 0, 1), value_set=_FORMULA_STARTS)
    if not pc.any(risky).as_py():
        return values  # the usual case: nothing to copy
    return pc.if_else(risky, pc.binary_join_element_wise("'", values, ""), values)


def write_csv(table: Table, data: pa.Table, sink: Path | BinaryIO) -> None:
    """The table as CSV: UTF-8, header row, text protected, empty cell for null, ``true``/``false``."""
    with contextlib.ExitStack() as stack:
        out = stack.enter_context(open(sink, "wb")) if isinstance(sink, Path) else sink
        out.write(_csv_header(table))
        _write_csv_rows(table, data, out)


def _csv_header(table: Table) -> bytes:
    return (",".join(table.column_names) + "\n").encode()  # plain names, as most CSV files have


def _write_csv_rows(table: Table, data: pa.Table, out: BinaryIO) -> None:
    columns = [_protected(data.column(c.name)) if c.is_text else data.column(c.name) for c in table.columns]
    csv.write_csv(pa.table(columns, names=table.column_names), out, _CSV_OPTIONS)


def stream_schema(table: Table) -> pa.Schema:
    """The schema rows are streamed in: the table's with the repeated text columns
    dictionary-encoded (``etl.rows.DICTIONARY_COLUMNS``)."""
    encoded = pa.dictionary(pa.int32(), pa.string())
    return pa.schema([f.with_type(encoded) if f.name in DICTIONARY_COLUMNS else f
                      for f in table.arrow_schema])


class CsvFile:
    """A table's CSV file, written in article order, that records where each article's rows start.

    The record (``index``, see ``etl.reuse``) lets the next build copy the rows of the articles that
    did not change (``copy``) instead of formatting them again, which is several times slower.
    """

    def __init__(self, table: Table, path: Path) -> None:
        self.table = table
        self.path = path
        self.index = CsvIndexBuilder(table)
        self._file = open(path, "wb", buffering=0)  # noqa: SIM115 - closed by close()
        self._pos = 0
        self._write_all(memoryview(_csv_header(table)))

    def _write_all(self, data: memoryview) -> None:
        while data:
            n = self._file.write(data)
            data = data[n:]
            self._pos += n

    def write(self, data: pa.Table) -> None:
        """Rows of whole articles, formatted."""
        if not data.num_rows:
            return
        for lo in range(0, data.num_rows, CSV_SLICE_ROWS):
            rows = data.slice(lo, CSV_SLICE_ROWS)
            sink = io.BytesIO()  # Python's memory, given back when freed (Arrow's pool keeps it)
            _write_csv_rows(self.table, rows, sink)
            body = sink.getbuffer()
            self.index.add_formatted(body, rows.num_rows, self._pos)
            self._write_all(body)
            del body
        self.index.add_articles(data.column("article_id"))

    def copy(self, part: CsvCopy) -> None:
        """Rows of whole articles, copied from a previous file (in the kernel where it can)."""
        self.index.add_copied(part, self._pos)
        self._pos += part.copy_to(self._file)

    def close(self) -> None:
        self._file.close()


class TableStream:
    """One table's CSV and Parquet files, written as rows arrive in order.

    Rows are gathered until there are ``ROW_GROUP_ROWS`` of them (small Parquet row groups make
    files several times bigger and slower to read), then written by a thread of their own while
    the caller goes on (Arrow writes without the GIL); a group waits for the one before it, so
    at most two are held.

    The CSV of unchanged articles' rows can be copied from the previous build (``copy_csv``; their
    rows then come with ``csv=False``, for Parquet only). ``csv=False`` for the stream: a Parquet
    file only. ``group_rows``: rows gathered before they are written, as one row group, or as row
    groups of exactly that many rows with ``split``. ``parquet_options`` go to ``ParquetWriter``.
    """

    def __init__(self, table: Table, folder: Path, *, csv: bool = True, group_rows: int | None = None,
                 split: bool = False, parquet_options: dict | None = None) -> None:
        self.table = table
        self.schema = stream_schema(table)
        self.n_rows = 0
        self._group_rows = group_rows or ROW_GROUP_ROWS
        self._split = split
        self.csv = CsvFile(table, folder / f"{table.name}.csv") if csv else None
        # store_schema=False: readers see plain text although rows are dictionary-encoded
        self._parquet = pq.ParquetWriter(folder / f"{table.name}.parquet", self.schema, store_schema=False,
                                         **(parquet_options or {}))
        self._thread = ThreadPoolExecutor(max_workers=1)
        self._pending: Future | None = None
        # in order: (rows, True) rows for both files; (rows, False) rows for Parquet only, their CSV
        # copied; (None, copy) CSV rows to copy
        self._gathered: list[tuple[pa.Table | None, bool | CsvCopy]] = []
        self._n_gathered = 0

    def write(self, data: pa.Table, csv: bool = True) -> None:
        """The next rows; ``csv=False``: their CSV comes from ``copy_csv``."""
        data = data.select(self.table.column_names)
        self.table.check(data)
        if data.schema != self.schema:
            data = data.cast(self.schema)
        self.n_rows += data.num_rows
        self._gathered.append((data, csv))
        self._n_gathered += data.num_rows
        if self._n_gathered >= self._group_rows:
            self.flush_group()

    def copy_csv(self, parts: list[CsvCopy]) -> None:
        """CSV rows copied from the previous build, after the rows written so far."""
        self._gathered += [(None, part) for part in parts]

    def flush_group(self) -> None:
        """Write the rows gathered so far as one row group, and their CSV (in a thread)."""
        if not self._gathered:
            return
        group, self._gathered, self._n_gathered = self._gathered, [], 0
        self._wait()
        self._pending = self._thread.submit(self._write, group)

    def _write(self, group: list[tuple[pa.Table | None, bool | CsvCopy]]) -> None:
        tables = [rows for rows, _ in group if rows is not None]
        if self.csv is not None:
            formatted: list[pa.Table] = []  # rows to format, in a row
            for rows, csv in group:
                if csv is True:
                    formatted.append(rows)
                    continue
                if formatted:
                    self.csv.write(pa.concat_tables(formatted))
                    formatted = []
                if isinstance(csv, CsvCopy):
                    self.csv.copy(csv)
            if formatted:
                self.csv.write(pa.concat_tables(formatted))
        if tables:
            # one dictionary per column: Parquet then writes the codes as they are
            data = compact_dictionaries(pa.concat_tables(tables))
            self._parquet.write_table(data, row_group_size=self._group_rows if self._split
                                      else max(data.num_rows, 1))

    def _wait(self) -> None:
        if self._pending is not None:
            pending, self._pending = self._pending, None
            pending.result()  # raise a failed write here

    def close(self) -> None:
        try:
            self.flush_group()
            self._wait()
        finally:
            self._thread.shutdown()
            self._parquet.close()
            if self.csv is not None:
                self.csv.close()


def frame_to_csv(table: Table, df: pd.DataFrame) -> bytes:
    """A DataFrame of ``table`` (such as a filtered view) as the ETL writes its CSV."""
    buffer = io.BytesIO()
    # a view is written as it is: pandas may hold a NaN the table stored as null (the check is the ETL's)
    schema = pa.schema([f.with_nullable(True) for f in table.arrow_schema])
    data = pa.Table.from_pandas(df[table.column_names], schema=schema, preserve_index=False)
    write_csv(table, data, buffer)
    return buffer.getvalue()


def any_frame_to_csv(df: pd.DataFrame) -> bytes:
    r"""Any frame (a view the dashboard derived: labels, sources joined in) as CSV, written as the
    tables are: UTF-8, text protected (``_protected``), empty cell for null, ``true``/``false``.

    >>> import pandas as pd
    >>> any_frame_to_csv(pd.DataFrame({"what": ["=1+1", "rice"], "n": [1, None]})).decode().splitlines()
    ['what,n', '"\'=1+1",1', '"rice",']
    """
    data = pa.Table.from_pandas(df, preserve_index=False)
    columns = [_protected(_small_string(c)) if _is_text(c.type) else c for c in data.columns]
    buffer = io.BytesIO()
    buffer.write(_csv_header_of([str(n) for n in data.column_names]))
    csv.write_csv(pa.table(columns, names=data.column_names), buffer, _CSV_OPTIONS)
    return buffer.getvalue()


def _is_text(type_: pa.DataType) -> bool:
    if pa.types.is_dictionary(type_):
        type_ = type_.value_type
    return pa.types.is_string(type_) or pa.types.is_large_string(type_)


def _small_string(values: pa.ChunkedArray) -> pa.ChunkedArray:
    """Text as ``string`` (pandas' Arrow-backed text comes as ``large_string``)."""
    if pa.types.is_dictionary(values.type):
        return values.cast(pa.dictionary(values.type.index_type, pa.string()))
    return values.cast(pa.string())


def _csv_header_of(names: list[str]) -> bytes:
    """A header row of any names: each protected like a text cell (``_protected``), quoted when needed."""
    protected = _protected(pa.chunked_array([pa.array(names, pa.string())])).to_pylist()
    return (",".join('"' + n.replace('"', '""') + '"' if any(c in n for c in ',"\n\r') else n
                     for n in protected) + "\n").encode()


def datapackage(tables: Iterable[Table]) -> dict:
    """A Frictionless Data Package descriptor for the tables (deterministic: no timestamps)."""
    resources = []
    for table in tables:
        fields = []
        for col in table.columns:
            f: dict = {"name": col.name, "type": col.type, "description": col.description}
            constraints: dict = {}
            if col.required:
                constraints["required"] = True
            if col.enum:
                constraints["enum"] = list(col.enum)
            if constraints:
                f["constraints"] = constraints
            if col.type == BOOLEAN:
                f["trueValues"], f["falseValues"] = ["true"], ["false"]
            fields.append(f)
        resources.append({
            "name": table.name, "title": table.title, "description": table.description,
            "path": f"{table.name}.csv", "format": "csv", "mediatype": "text/csv", "encoding": "utf-8",
            "schema": {"fields": fields, "primaryKey": list(table.key), "missingValues": [""]},
        })
    return {**PACKAGE_META, "contract_version": CONTRACT_VERSION, "resources": resources}


class TableWriter:
    """Builds the new output folder beside ``folder`` and swaps it in on ``commit``.

    Rows and texts are written as articles stream in, so neither the corpus nor its rows are
    held in memory: the article tables and the texts through a ``TableStream`` each (``write``,
    ``add_text``). Once every article is in, ``close_streams`` finishes those files and ``read`` reads
    them back, for what is computed over all articles (republished copies, the facts table) before
    ``commit``. Leaving the ``with`` block without committing removes the half-built folder.
    """

    def __init__(self, folder: OutputFolder) -> None:
        self.folder = folder
        self.tmp: Path | None = None
        self._streams: dict[str, TableStream] = {}
        self._closed = False
        # ids, texts and signatures not yet written
        self._texts: tuple[list[str], list[str], list[bytes | None]] = ([], [], [])

    def __enter__(self) -> TableWriter:
        self.folder.recover()
        self.tmp = self.folder.staging()
        try:
            self._streams = {t.name: TableStream(t, self.tmp, csv=t not in WRITTEN_AT_SAVE)
                             for t in ARTICLE_TABLES}
            # the texts: Parquet only, in small groups (reading one text reads little more than it),
            # compressed harder, neither dictionary-encoded nor given statistics but for the ids
            self._streams[TEXTS.name] = TableStream(
                TEXTS, self.tmp, csv=False, group_rows=TEXT_GROUP_ROWS, split=True,
                parquet_options={"compression": "zstd", "use_dictionary": False,
                                 "write_statistics": ["article_id"]})
        except BaseException:  # Ctrl-C or SIGTERM while the streams open: __exit__ will not run
            self.__exit__()
            raise
        return self

    def __exit__(self, *exc: object) -> None:
        with contextlib.suppress(Exception):  # the error that stopped the run is the one to see
            self.close_streams()
        if self.tmp is not None:
            shutil.rmtree(self.tmp, ignore_errors=True)

    def close_streams(self) -> None:
        """Finish the files of the streamed tables (after the last article's rows); ``read`` reads them."""
        if self._closed:
            return
        self._closed = True
        if self._streams:
            self._flush_texts()
        streams = self._streams
        for stream in streams.values():
            stream.flush_group()  # every table's last rows are written side by side
        errors = []
        for stream in streams.values():
            try:
                stream.close()
            except Exception as e:  # every file is closed before the first error is raised
                errors.append(e)
        if errors:
            raise errors[0]

    def write(self, table: Table, data: pa.Table, csv: bool = True) -> None:
        """The next rows of an article table, or texts (in article order); ``csv=False``: their CSV
        is copied (``copy_csv``)."""
        if table is TEXTS:
            self._flush_texts()  # those added before come first
        self._streams[table.name].write(data, csv)

    def copy_csv(self, table: Table, parts: list[CsvCopy]) -> None:
        """Rows of unchanged articles copied from the previous build's CSV file of ``table``."""
        self._streams[table.name].copy_csv(parts)

    def n_rows(self, table: Table) -> int:
        return self._streams[table.name].n_rows

    def add_text(self, article_id: str, text: str, signature: bytes | None = None) -> None:
        """The next article's text (in article order), and its body's signature (``etl.duplicates``)."""
        ids, texts, signatures = self._texts
        ids.append(article_id)
        texts.append(text)
        signatures.append(signature)
        if len(ids) >= TEXT_GROUP_ROWS:
            self._flush_texts()

    def _flush_texts(self) -> None:
        ids, texts, signatures = self._texts
        if ids:
            self._texts = ([], [], [])
            columns = [pa.array(ids, pa.string()), pa.array(texts, pa.string()),
                       pa.array(signatures, pa.binary())]
            self._streams[TEXTS.name].write(pa.table(columns, names=TEXTS.column_names))

    def read(self, table: Table, columns: list[str] | None = None) -> pa.Table:
        """Rows of a streamed table (or the texts) as written so far (``close_streams`` first), the
        ``columns`` asked for only."""
        assert self.tmp is not None and self._closed, "close_streams first"
        return pq.read_table(self.tmp / f"{table.name}.parquet", columns=columns)

    def commit(self, tables: dict[str, pa.Table], build: dict) -> None:
        """Finish the streamed tables, write the others (``tables``: places, facts, problems, and the
        tables ``WRITTEN_AT_SAVE`` again, whole) and the build record, then swap the folder in for ``out``."""
        assert self.tmp is not None
        tmp = self.tmp
        csv_files = [s.csv for s in self._streams.values() if s.csv is not None]
        self.close_streams()
        indexes = [f.index.index_rows() for f in csv_files]
        if all(index is not None for index in indexes):
            pq.write_table(pa.concat_tables(indexes), tmp / CSV_INDEX_FILE)
            build = {**build, "csv_files": {f.table.name: _stat(f.path) for f in csv_files}}
        for table in TABLES:
            if table.name in tables:
                table.check(tables[table.name])
                write_csv(table, tables[table.name], tmp / f"{table.name}.csv")
                pq.write_table(tables[table.name], tmp / f"{table.name}.parquet", store_schema=False)
        (tmp / DATAPACKAGE_FILE).write_text(
            json.dumps(datapackage(TABLES), indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
        # what each file was when written: a file changed since (damaged, or edited) is noticed
        build = {**build, "outputs": OutputFolder.outputs_record(tmp)}
        # compact: with 10,000 articles an indented record takes ten times longer to write
        build_text = json.dumps(build, sort_keys=True, separators=(",", ":")) + "\n"
        (tmp / BUILD_FILE).write_text(build_text, encoding="utf-8")
        _fsync_dir(tmp)
        self.folder.swap_in(tmp)
        self.tmp = None


def _stat(path: Path) -> list[int]:
    st = os.stat(path)
    return [st.st_size, st.st_mtime_ns]


def _fsync_dir(path: Path) -> None:
    try:
        fd = os.open(path, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
