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
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import TYPE_CHECKING, BinaryIO

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq
from pyarrow import csv

from etl.rows import arrow_schema
from etl.schema import BOOLEAN, CONTRACT_VERSION, INTEGER, NUMBER, TABLES, Table

if TYPE_CHECKING:  # pandas is for callers that use it; the ETL itself writes from Arrow
    import pandas as pd

#: First characters that make a spreadsheet read a cell as a formula (OWASP CSV injection).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
TEXTS_DIR = "texts"
WRITER_THREADS = 4
BUILD_FILE = "build.json"
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
    columns = [_protected(data.column(c.name)) if c.is_text else data.column(c.name) for c in table.columns]
    header = (",".join(table.column_names) + "\n").encode()  # plain names, as most CSV files have
    with contextlib.ExitStack() as stack:
        out = stack.enter_context(open(sink, "wb")) if isinstance(sink, Path) else sink
        out.write(header)
        csv.write_csv(pa.table(columns, names=table.column_names), out, _CSV_OPTIONS)


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

    Texts are written as articles stream in, so the corpus is never held in memory (an
    unchanged article's text is hard-linked from the previous build); leaving the ``with``
    block without committing removes the half-built folder.
    """

    def __init__(self, out: Path) -> None:
        self.out = out.resolve()
        self.tmp: Path | None = None
        self._folders: set[str] = set()

    def __enter__(self) -> TableWriter:
        self.out.parent.mkdir(parents=True, exist_ok=True)
        recover(self.out)
        self.tmp = Path(tempfile.mkdtemp(prefix=f".{self.out.name}.new-", dir=self.out.parent))
        return self

    def __exit__(self, *exc: object) -> None:
        if self.tmp is not None:
            shutil.rmtree(self.tmp, ignore_errors=True)

    def _text_path(self, article_id: str) -> str:
        assert self.tmp is not None
        path = os.path.join(self.tmp, TEXTS_DIR, f"{article_id}.txt")
        folder = os.path.dirname(path)
        if folder not in self._folders:
            os.makedirs(folder, exist_ok=True)
            self._folders.add(folder)
        return path

    def add_text(self, article_id: str, text: str) -> None:
        # "x": a new file, never one linked from the previous build (writing through it would change
        # that build's text); each article's text is either kept or written, once.
        with open(self._text_path(article_id), "x", encoding="utf-8", newline="") as f:
            f.write(text)

    def keep_text(self, article_id: str, previous: str) -> None:
        """Share the previous build's text file (text files are never changed in place)."""
        path = self._text_path(article_id)
        try:
            os.link(previous, path)
        except OSError:
            shutil.copyfile(previous, path)

    def commit(self, tables: dict[str, pa.Table], build: dict) -> None:
        """Write every table and the build record, then swap the folder in for ``out``."""
        assert self.tmp is not None
        tmp = self.tmp
        # Arrow writes without holding the GIL: the twelve files are written side by side.
        with ThreadPoolExecutor(max_workers=WRITER_THREADS) as pool:
            jobs = [pool.submit(write_csv, t, tables[t.name], tmp / f"{t.name}.csv") for t in TABLES]
            # store_schema=False: readers see plain text even where rows are dictionary-encoded
            jobs += [pool.submit(pq.write_table, tables[t.name], tmp / f"{t.name}.parquet",
                                 store_schema=False) for t in TABLES]
            for job in jobs:
                job.result()  # raise the first failure
        (self.tmp / "datapackage.json").write_text(
            json.dumps(datapackage(TABLES), indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
        # compact: with 10,000 articles an indented record takes ten times longer to write
        build_text = json.dumps(build, sort_keys=True, separators=(",", ":")) + "\n"
        (self.tmp / BUILD_FILE).write_text(build_text, encoding="utf-8")
        _fsync_dir(self.tmp)
        swap_in(self.tmp, self.out)
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
