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
import tempfile
from collections.abc import Iterable
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path
from typing import TYPE_CHECKING, BinaryIO

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq
from pyarrow import csv

from etl.rows import ARTICLE_TABLES, DICTIONARY_COLUMNS, arrow_schema
from etl.schema import BOOLEAN, CONTRACT_VERSION, INTEGER, NUMBER, TABLES, TEXTS, Table

if TYPE_CHECKING:  # pandas is for callers that use it; the ETL itself writes from Arrow
    import pandas as pd

#: First characters that make a spreadsheet read a cell as a formula (OWASP CSV injection).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
TEXTS_FILE = "texts.parquet"
BUILD_FILE = "build.json"
#: Rows of an article table written to Parquet at a time (one row group).
ROW_GROUP_ROWS = 131_072
#: Texts per row group of ``texts.parquet``: reading one article's text decompresses its group only.
TEXT_GROUP_ROWS = 64
_PANDAS_TYPES = {INTEGER: "Int64", NUMBER: "Float64", BOOLEAN: "boolean"}
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


def protect(value: object) -> object:
    """Neutralise a text cell that a spreadsheet would run as a formula.

    >>> protect("=HYPERLINK(1)"), protect("Kampot"), protect(None)
    ("'=HYPERLINK(1)", 'Kampot', None)
    """
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def frame(table: Table, rows: Iterable[dict]) -> pd.DataFrame:
    """Rows as a pandas DataFrame with the table's columns, order and types (for code that builds
    a table by hand, such as tests)."""
    import pandas as pd

    df = pd.DataFrame(list(rows), columns=table.column_names)
    for col in table.columns:
        df[col.name] = df[col.name].astype(_PANDAS_TYPES.get(col.type, "string"))
    duplicated = df.duplicated(list(table.key))
    if duplicated.any():
        raise ValueError(f"{table.name}: duplicate key {list(table.key)} in {int(duplicated.sum())} rows")
    return df


def _protected(values: pa.ChunkedArray) -> pa.ChunkedArray:
    """``protect`` over a whole text column (plain or dictionary-encoded)."""
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
    """The schema rows are streamed in: ``arrow_schema`` with the repeated text columns
    dictionary-encoded (``etl.rows.DICTIONARY_COLUMNS``)."""
    encoded = pa.dictionary(pa.int32(), pa.string())
    return pa.schema([pa.field(f.name, encoded) if f.name in DICTIONARY_COLUMNS else f
                      for f in arrow_schema(table)])


class TableStream:
    """One table's CSV and Parquet files, written as rows arrive in order.

    Rows are gathered until there are ``ROW_GROUP_ROWS`` of them (small Parquet row groups make
    files several times bigger and slower to read), then written by a thread of their own while
    the caller goes on (Arrow writes without the GIL); a group waits for the one before it, so
    at most two are held.

    The texts (``TEXTS``) are a Parquet file only, in groups of ``TEXT_GROUP_ROWS`` texts, so that
    reading one article's text reads little more than that text.
    """

    def __init__(self, table: Table, folder: Path) -> None:
        self.table = table
        self.schema = stream_schema(table)
        self.n_rows = 0
        self._texts = table is TEXTS
        self._group_rows = TEXT_GROUP_ROWS if self._texts else ROW_GROUP_ROWS
        self._csv: BinaryIO | None = None
        if not self._texts:
            self._csv = open(folder / f"{table.name}.csv", "wb")  # noqa: SIM115 - closed by close()
            self._csv.write(_csv_header(table))
        # store_schema=False: readers see plain text although rows are dictionary-encoded.
        # Texts: compressed harder, neither dictionary-encoded nor given statistics (the ids' are
        # what finds a text).
        options: dict = ({"compression": "zstd", "use_dictionary": False, "write_statistics": ["article_id"]}
                         if self._texts else {})
        self._parquet = pq.ParquetWriter(folder / f"{table.name}.parquet", self.schema, store_schema=False,
                                         **options)
        self._thread = ThreadPoolExecutor(max_workers=1)
        self._pending: Future | None = None
        self._gathered: list[pa.Table] = []
        self._n_gathered = 0

    def write(self, data: pa.Table) -> None:
        data = data.select(self.table.column_names)
        if data.schema != self.schema:
            data = data.cast(self.schema)
        self.n_rows += data.num_rows
        self._gathered.append(data)
        self._n_gathered += data.num_rows
        if self._n_gathered >= self._group_rows:
            self.hand_on()

    def hand_on(self) -> None:
        """Write the rows gathered so far (in a thread)."""
        if not self._gathered:
            return
        group, self._gathered, self._n_gathered = self._gathered, [], 0
        self._wait()
        self._pending = self._thread.submit(self._write, group)

    def _write(self, group: list[pa.Table]) -> None:
        # one dictionary per column: Parquet then writes the codes as they are
        data = pa.concat_tables(group).unify_dictionaries()
        if self._csv is not None:
            _write_csv_rows(self.table, data, self._csv)
        group_rows = self._group_rows if self._texts else max(data.num_rows, 1)
        self._parquet.write_table(data, row_group_size=group_rows)

    def _wait(self) -> None:
        if self._pending is not None:
            pending, self._pending = self._pending, None
            pending.result()  # raise a failed write here

    def close(self) -> None:
        try:
            self.hand_on()
            self._wait()
        finally:
            self._thread.shutdown()
            self._parquet.close()
            if self._csv is not None:
                self._csv.close()


def frame_to_csv(table: Table, df: pd.DataFrame) -> bytes:
    """A DataFrame of ``table`` (such as a filtered view) as the ETL writes its CSV."""
    buffer = io.BytesIO()
    data = pa.Table.from_pandas(df[table.column_names], schema=arrow_schema(table), preserve_index=False)
    write_csv(table, data, buffer)
    return buffer.getvalue()


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
    """Builds the new output folder beside ``out`` and swaps it in on ``commit``.

    Rows and texts are written as articles stream in, so neither the corpus nor its rows are
    held in memory: the article tables and the texts through a ``TableStream`` each (``write``,
    ``add_text``). Leaving the ``with`` block without committing removes the half-built folder.
    """

    def __init__(self, out: Path) -> None:
        self.out = out.resolve()
        self.tmp: Path | None = None
        self._streams: dict[str, TableStream] = {}
        self._texts: tuple[list[str], list[str]] = ([], [])  # ids and texts not yet handed on

    def __enter__(self) -> TableWriter:
        self.out.parent.mkdir(parents=True, exist_ok=True)
        recover(self.out)
        self.tmp = Path(tempfile.mkdtemp(prefix=f".{self.out.name}.new-", dir=self.out.parent))
        self._streams = {t.name: TableStream(t, self.tmp) for t in (*ARTICLE_TABLES, TEXTS)}
        return self

    def __exit__(self, *exc: object) -> None:
        with contextlib.suppress(Exception):  # the error that stopped the run is the one to see
            self._close_streams()
        if self.tmp is not None:
            shutil.rmtree(self.tmp, ignore_errors=True)

    def _close_streams(self) -> None:
        if self._streams:
            self._hand_on_texts()
        streams, self._streams = self._streams, {}
        for stream in streams.values():
            stream.hand_on()  # every table's last rows are written side by side
        errors = []
        for stream in streams.values():
            try:
                stream.close()
            except Exception as e:  # every file is closed before the first error is raised
                errors.append(e)
        if errors:
            raise errors[0]

    def write(self, table: Table, data: pa.Table) -> None:
        """The next rows of an article table, or texts (in article order)."""
        if table is TEXTS:
            self._hand_on_texts()  # those added before come first
        self._streams[table.name].write(data)

    def n_rows(self, table: Table) -> int:
        return self._streams[table.name].n_rows

    def add_text(self, article_id: str, text: str) -> None:
        """The next article's text (in article order)."""
        ids, texts = self._texts
        ids.append(article_id)
        texts.append(text)
        if len(ids) >= TEXT_GROUP_ROWS:
            self._hand_on_texts()

    def _hand_on_texts(self) -> None:
        ids, texts = self._texts
        if ids:
            self._texts = ([], [])
            columns = [pa.array(ids, pa.string()), pa.array(texts, pa.string())]
            self._streams[TEXTS.name].write(pa.table(columns, names=TEXTS.column_names))

    def commit(self, tables: dict[str, pa.Table], build: dict) -> None:
        """Finish the streamed tables, write the others (``tables``: places and problems) and the
        build record, then swap the folder in for ``out``."""
        assert self.tmp is not None
        tmp = self.tmp
        self._close_streams()
        for table in TABLES:
            if table.name in tables:
                write_csv(table, tables[table.name], tmp / f"{table.name}.csv")
                pq.write_table(tables[table.name], tmp / f"{table.name}.parquet", store_schema=False)
        (tmp / "datapackage.json").write_text(
            json.dumps(datapackage(TABLES), indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
        # compact: with 10,000 articles an indented record takes ten times longer to write
        build_text = json.dumps(build, sort_keys=True, separators=(",", ":")) + "\n"
        (tmp / BUILD_FILE).write_text(build_text, encoding="utf-8")
        _fsync_dir(tmp)
        swap_in(tmp, self.out)
        self.tmp = None


def swap_in(new: Path, out: Path) -> None:
    old = out.with_name(f".{out.name}.old")
    if old.exists():
        shutil.rmtree(old)
    if out.exists():
        os.replace(out, old)
    os.replace(new, out)
    shutil.rmtree(old, ignore_errors=True)


def recover(out: Path) -> None:
    """Put the previous tables back if a run died between the two renames of ``swap_in``."""
    old = out.with_name(f".{out.name}.old")
    if old.exists() and not out.exists():
        os.replace(old, out)
    for stale in out.parent.glob(f".{out.name}.new-*"):
        shutil.rmtree(stale, ignore_errors=True)


def _fsync_dir(path: Path) -> None:
    try:
        fd = os.open(path, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
