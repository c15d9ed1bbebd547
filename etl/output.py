"""Write the tables: CSV and Parquet per table, ``datapackage.json``, article texts.

Everything is written into a fresh folder next to the output folder, validated,
then swapped in with two renames, so an interrupted run leaves the previous
tables whole (and ``recover`` puts them back if a run died between the renames).
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
from collections.abc import Iterable
from pathlib import Path

import pandas as pd

from etl.schema import BOOLEAN, CONTRACT_VERSION, INTEGER, NUMBER, TABLES, Table

#: First characters that make a spreadsheet read a cell as a formula (OWASP CSV injection).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
TEXTS_DIR = "texts"
BUILD_FILE = "build.json"
_PANDAS_TYPES = {INTEGER: "Int64", NUMBER: "Float64", BOOLEAN: "boolean"}

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
    """Rows as a DataFrame with the table's columns, order and types."""
    df = pd.DataFrame(list(rows), columns=table.column_names)
    for col in table.columns:
        df[col.name] = df[col.name].astype(_PANDAS_TYPES.get(col.type, "string"))
    duplicated = df.duplicated(list(table.key))
    if duplicated.any():
        raise ValueError(f"{table.name}: duplicate key {list(table.key)} in {int(duplicated.sum())} rows")
    return df


def to_csv(table: Table, df: pd.DataFrame, path: Path) -> None:
    out = df.copy()
    for col in table.columns:
        if col.is_text:
            out[col.name] = out[col.name].map(protect, na_action="ignore")
        elif col.type == BOOLEAN:
            out[col.name] = out[col.name].map({True: "true", False: "false"}, na_action="ignore")
    out.to_csv(path, index=False, encoding="utf-8", lineterminator="\n")


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

    Texts are written as articles stream in, so the corpus is never held in memory;
    leaving the ``with`` block without committing removes the half-built folder.
    """

    def __init__(self, out: Path) -> None:
        self.out = out.resolve()
        self.tmp: Path | None = None

    def __enter__(self) -> TableWriter:
        self.out.parent.mkdir(parents=True, exist_ok=True)
        recover(self.out)
        self.tmp = Path(tempfile.mkdtemp(prefix=f".{self.out.name}.new-", dir=self.out.parent))
        return self

    def __exit__(self, *exc: object) -> None:
        if self.tmp is not None:
            shutil.rmtree(self.tmp, ignore_errors=True)

    def add_text(self, article_id: str, text: str) -> None:
        assert self.tmp is not None
        path = self.tmp / TEXTS_DIR / f"{article_id}.txt"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8", newline="")

    def commit(self, frames: dict[str, pd.DataFrame], build: dict) -> None:
        """Write every table and the build record, then swap the folder in for ``out``."""
        assert self.tmp is not None
        for table in TABLES:
            df = frames[table.name]
            to_csv(table, df, self.tmp / f"{table.name}.csv")
            df.to_parquet(self.tmp / f"{table.name}.parquet", index=False)
        (self.tmp / "datapackage.json").write_text(
            json.dumps(datapackage(TABLES), indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
        build_text = json.dumps(build, indent=2, sort_keys=True) + "\n"
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
