"""Where the tables are, whether they are up to date, and cached loaders for them.

* Paths come from ``VNKH_SEEDS`` (default ``seeds``) and ``VNKH_DATA`` (default
  ``data/processed``), relative to the repository root.
* Staleness is the ETL's own test: the corpus fingerprint against ``build.json``.
  The app checks it once per server process (``build_gate``) and when asked to rebuild.
* Loaders read the Parquet files with pyarrow and are cached on the data version (the build
  fingerprint), so a rebuild is picked up. The tables and what pages derive from them
  (``derived``) are shared by every session, read-only. No cached function renders.
"""

from __future__ import annotations

import functools
import io
import json
import os
import threading
import zipfile
from collections.abc import Callable, Hashable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import TypeVar

import geopandas as gpd
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq
import streamlit as st

from etl import pipeline
from etl.outdir import BUILD_FILE, TEXTS_FILE, OutputFolder
from etl.output import frame_to_csv
from etl.rows import dictionary_encoded
from etl.schema import (
    ARROW_TYPES,
    BOOLEAN,
    CLAIMS,
    INTEGER,
    NUMBER,
    PANDAS_TYPES,
    TABLES,
    TABLES_BY_NAME,
    Table,
)
from etl.text import BIDI_CONTROLS, NEUTRAL_BIDI
from pages.lib import filters
from pages.lib.briefing import briefing_html
from pages.lib.filters import RELATED, Filters
from pages.lib.filters import apply as apply_filters
from pages.lib.maps import DRAW_TOLERANCE, MapGeometry, province_geometry
from pages.lib.svgmap import ProjectedMap, province_paths
from pages.lib.tables import Tables, coerce

T = TypeVar("T")
REPO_ROOT = Path(__file__).resolve().parents[2]
#: How the pages hold what pyarrow reads: the schema's pandas types (``etl.schema.PANDAS_TYPES``), text
#: left in Arrow's buffers.
_PANDAS_FOR_ARROW = {
    **{ARROW_TYPES[t]: pd.api.types.pandas_dtype(PANDAS_TYPES[t]) for t in (INTEGER, NUMBER, BOOLEAN)},
    pa.int32(): pd.Int64Dtype(),
    pa.string(): pd.StringDtype("pyarrow"), pa.large_string(): pd.StringDtype("pyarrow"),
}
#: Text columns loaded as categoricals (see ``_load_table``); ids stay text, which pages compare
#: and join as text.
REPEATED_TEXT = ("quote",)
SEEDS_ENV, DATA_ENV = "VNKH_SEEDS", "VNKH_DATA"
DEFAULT_SEEDS, DEFAULT_DATA = "seeds", "data/processed"
BOUNDARIES_DIR = REPO_ROOT / "data" / "boundaries"
PROVINCES_FILE, COUNTRIES_FILE = "provinces.geojson", "countries.geojson"
DATAPACKAGE_FILE = "datapackage.json"
#: Values derived from tables kept at once (``derived``): about ten per view, for the views
#: ``_filtered`` keeps.
DERIVED_ENTRIES = 512


def _resolve(env: str, default: str) -> Path:
    path = Path(os.environ.get(env) or default)
    return path if path.is_absolute() else REPO_ROOT / path


def seeds_dir() -> Path:
    """The articles folder (``VNKH_SEEDS``)."""
    return _resolve(SEEDS_ENV, DEFAULT_SEEDS)


def data_dir() -> Path:
    """The tables folder (``VNKH_DATA``)."""
    return _resolve(DATA_ENV, DEFAULT_DATA)


def read_build(out: Path) -> dict:
    """``build.json`` of a tables folder, or ``{}`` when there is none (yet)."""
    try:
        return json.loads((out / BUILD_FILE).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}


#: What pages show of a build; the per-file records (megabytes with 10,000 articles) stay on disk.
SUMMARY_KEYS = ("fingerprint", "extractor_version", "built_at", "n_articles", "n_claims", "n_mentions",
                "seeds")
#: Text columns shown on the pages, whose direction controls are taken out when they are read.
SHOWN_TEXT = ("title", "author", "text", "what", "quote", "surface", "problem", "file")
_BIDI_PATTERN = "[" + "".join(f"\\x{{{ord(c):04x}}}" for c in BIDI_CONTROLS) + "]"


class TablesUnreadable(Exception):
    """A table file cannot be read (damaged, or removed under the app); the message says which."""


def build_summary(out: Path) -> dict:
    """The build's counts, time and fingerprint, parsed once per version of ``build.json``."""
    try:
        stat = (out / BUILD_FILE).stat()
    except OSError:
        return {}
    return dict(_summary(str(out), stat.st_mtime_ns, stat.st_size))


@functools.lru_cache(maxsize=8)
def _summary(out: str, mtime_ns: int, size: int) -> tuple[tuple[str, object], ...]:
    build = read_build(Path(out))
    return tuple((k, build[k]) for k in SUMMARY_KEYS if k in build)


def tables_present(out: Path) -> bool:
    return bool(build_summary(out)) and all((out / f"{t.name}.parquet").exists() for t in TABLES)


def staleness(seeds: Path, out: Path) -> str | None:
    """Why the tables must be (re)built, or ``None`` when they match the articles and extractor."""
    if not tables_present(out):
        return "the tables have not been built yet"
    why = damaged(out)
    if why:
        return why
    files, _ = pipeline.find_articles(seeds) if seeds.is_dir() else ([], [])
    if not files:
        return None  # nothing to build from: keep what is there
    build = read_build(out)
    if pipeline.fingerprint(files, seeds, build) != build.get("fingerprint"):
        return "the articles or the extractor changed since the last build"
    return None


def damaged(out: Path) -> str | None:
    """Why the tables look damaged (a file changed or went missing since the ETL wrote it), or ``None``."""
    changed = OutputFolder(out).changed_files(read_build(out))
    if not changed:
        return None
    files = ", ".join(changed[:3]) + ("…" if len(changed) > 3 else "")
    said = "changed since it was" if len(changed) == 1 else "changed or went missing since they were"
    return f"the tables in {out.name} are damaged: {files} {said} written"


def replaced_seeds(seeds: Path, out: Path) -> str | None:
    """Why the articles folder looks replaced since the tables were built (``pipeline.seeds_replaced``),
    or ``None``; checked at every run, at the cost of a ``stat`` while the folder is the same one."""
    identity = _identity(seeds)
    if identity is not None and build_summary(out).get("seeds") in (None, list(identity)):
        return None
    try:
        stat = (out / BUILD_FILE).stat()
    except OSError:
        return None
    return _replaced(str(seeds), identity, str(out), stat.st_mtime_ns)


def _identity(folder: Path) -> tuple[int, int] | None:
    try:
        st = folder.stat()
    except OSError:
        return None
    return (st.st_dev, st.st_ino) if folder.is_dir() else None


@functools.lru_cache(maxsize=8)
def _replaced(seeds: str, identity: tuple[int, int] | None, out: str, build_mtime_ns: int) -> str | None:
    return pipeline.seeds_replaced(Path(seeds), read_build(Path(out)))


@dataclass
class BuildGate:
    """Lets one session per server process check staleness; others wait for it, then skip."""

    lock: threading.Lock = field(default_factory=threading.Lock)
    checked: bool = False

    def run_once(self, check: Callable[[], None]) -> None:
        with self.lock:
            if not self.checked:
                try:
                    check()
                finally:
                    self.checked = True

    def pass_if_current(self, is_current: Callable[[], bool]) -> bool:
        """Count the check as done if ``is_current()``; True when the tables are current.

        A stale build is left unchecked, for the first session to rebuild where it can be seen.
        """
        with self.lock:
            if not self.checked:
                self.checked = is_current()
            return self.checked


@st.cache_resource(show_spinner=False)
def build_gate(seeds: str, out: str) -> BuildGate:
    """One gate per (seeds, tables) pair and server process."""
    return BuildGate()


def build(seeds: Path, out: Path, force: bool) -> pipeline.RunResult:
    """Run the ETL (raises ``pipeline.EtlError`` with a one-line message), then drop cached tables."""
    result = pipeline.run(seeds, out, workers=1, force=force, progress=False)
    clear_caches()
    return result


def furniture_claims(out: Path) -> int:
    """Claims the build found in page furniture (teasers, navigation: ``section`` related), which the
    pages leave out until "Include page furniture" is ticked; 0 when the table cannot be read."""
    try:
        sections = pq.read_table(Path(out) / f"{CLAIMS.name}.parquet", columns=["section"]).column(0)
    except (OSError, pa.ArrowException):
        return 0
    return int(pc.sum(pc.equal(sections, RELATED)).as_py() or 0)


def clear_caches() -> None:
    for loader in (_load_table, _all_tables, _filtered, _derived, load_text, zip_bundle, briefing_file):
        loader.clear()


def derived(tables: Tables, key: Hashable, compute: Callable[[], T]) -> T:
    """``compute()``, once for these tables.

    One ``Tables`` per data version and filters is shared by every session (``load_tables``,
    ``filtered_tables``), so what a page derives from it (labels, counts, sources joined in) is computed
    on the first rerun that needs it, not on every rerun. ``key`` must name everything ``compute``
    depends on besides the tables; the value is shared and must be treated as read-only. Streamlit's
    resource cache computes a key once: a caller that asks while another thread computes it (the
    server's warm-up, another session) waits for that value.
    """
    return _derived(tables.token, key, compute)


@st.cache_resource(show_spinner=False, max_entries=DERIVED_ENTRIES)
def _derived(token: str, key: Hashable, _compute: Callable[[], object]) -> object:
    return _compute()


def data_version(out: Path) -> str:
    """The build fingerprint: the key of every cached table."""
    return str(build_summary(out).get("fingerprint", "none"))


@st.cache_resource(show_spinner=False, max_entries=64)
def _load_table(out: str, version: str, name: str) -> pd.DataFrame:
    """One table read from its Parquet file; ``version`` is only the cache key.

    A resource, not data: every session and rerun shares one frame per table and data
    version instead of unpickling its own copy (with 500,000 mentions that copy cost seconds
    per rerun). Sharing is safe because pandas 3 is copy-on-write: a page that modifies a
    frame it derived from this one modifies its own copy, never the cached table.
    """
    path = Path(out) / f"{name}.parquet"
    # A sentence is repeated for every claim and place pair in it: categorical, it is held once and
    # filtering moves codes (links: 250 MB of text become 30 MB). Read as a dictionary (as Parquet
    # stores it), each sentence is never made once per row first.
    try:
        rows = pq.read_table(path, read_dictionary=list(REPEATED_TEXT))
    except (OSError, pa.ArrowException) as e:
        raise TablesUnreadable(f"the tables in {Path(out).name} are damaged: {path.name} "
                               "cannot be read") from e
    rows = neutral_direction(dictionary_encoded(rows, REPEATED_TEXT))
    # Other text stays in Arrow's buffers instead of one Python object per cell.
    return coerce(TABLES_BY_NAME[name], rows.to_pandas(types_mapper=_PANDAS_FOR_ARROW.get))


def neutral_direction(rows: pa.Table) -> pa.Table:
    """The shown text columns without direction controls (see ``etl.text.BIDI_CONTROLS``): a right-to-left
    override in a title or quote would reverse the text after it on every page that shows it."""
    for name in SHOWN_TEXT:
        if name not in rows.column_names:
            continue
        column = rows.column(name)
        if pa.types.is_dictionary(column.type):  # each distinct text once
            cleaned = pa.chunked_array([pa.DictionaryArray.from_arrays(c.indices, _neutral(c.dictionary))
                                        for c in column.chunks], column.type)
        else:
            cleaned = _neutral(column)
        rows = rows.set_column(rows.column_names.index(name), name, cleaned)
    return rows


def _neutral(texts: pa.Array | pa.ChunkedArray) -> pa.Array | pa.ChunkedArray:
    return pc.replace_substring_regex(texts, _BIDI_PATTERN, "")


def load_tables(out: Path) -> Tables:
    """All tables of a folder, as of its current build (shared, read-only: see ``_load_table``)."""
    return _all_tables(str(out), data_version(out))


@st.cache_resource(show_spinner=False, max_entries=4)
def _all_tables(out_dir: str, version: str) -> Tables:
    out = Path(out_dir)
    # read side by side: Arrow does most of the work without the GIL
    with ThreadPoolExecutor(max_workers=len(TABLES)) as pool:
        loading = {t.name: pool.submit(_load_table, out_dir, version, t.name) for t in TABLES}
        frames = {name: future.result() for name, future in loading.items()}
    return Tables(**frames, build=build_summary(out))


@st.cache_resource(show_spinner=False, max_entries=32)
def _filtered(out: str, version: str, f: filters.Filters) -> Tables:
    return filters.apply(load_tables(Path(out)), f)


def filtered_tables(out: Path, f: filters.Filters) -> Tables:
    """The tables narrowed by the sidebar's filters, computed once per data version and filters
    and shared (read-only, see ``_load_table``) by every session that asks for the same view."""
    return _filtered(str(out), data_version(out), f)


@st.cache_data(show_spinner=False, max_entries=256)
def load_text(out: str, version: str, article_id: str) -> str | None:
    """The decoded text of an article, exactly as its offsets count it; ``None`` if missing."""
    try:
        # the row-group statistics of the ids lead the reader to the one group that holds the text
        found = pq.read_table(Path(out) / TEXTS_FILE, columns=["text"],
                              filters=[("article_id", "=", article_id)])
    except (OSError, pa.ArrowException):
        return None
    # direction controls become zero-width spaces: offsets hold, and nothing shown is reversed
    return found.column("text")[0].as_py().translate(NEUTRAL_BIDI) if found.num_rows else None


@st.cache_data(show_spinner=False, max_entries=32)
def table_csv(table: Table, df: pd.DataFrame) -> bytes:
    """A table as the ETL writes it: text cells guarded against spreadsheet formulas.

    Cached on the frame's content: a rerun that offers the same rows (every rerun of a page with
    a download button) reuses the bytes instead of writing tens of thousands of rows again.
    """
    return frame_to_csv(table, df)


README_TEMPLATE = """Vietnam-Cambodia cooperation: quantitative claims and place mentions
=====================================================================

Built {built_at} from {n_articles} articles (fingerprint {fingerprint}).

Files
-----
{files}
datapackage.json  Frictionless Data Package: every column's type and meaning.

Sources
-------
News articles listed in articles.csv (file names and SHA-256 hashes of the files read).
Place coordinates from the project's gazetteer; province boundaries Made with Natural Earth
(public domain, naturalearthdata.com), simplified; Tbong Khmum split and island corrections by
the project.

Licence
-------
The tables: Open Data Commons Attribution License 1.0 (ODC-By-1.0). The quotes remain the
articles' publishers' text, quoted for reference.

Citation
--------
vn-kh-monitor: quantitative claims in news on Vietnam-Cambodia cooperation, data built {built_at}.
Every figure keeps its sentence and character span: check it against the article before quoting it.
"""


def readme_text(build: dict) -> str:
    files = "\n".join(f"{t.name + '.csv':<17} {t.description}" for t in TABLES)
    return README_TEMPLATE.format(
        built_at=build.get("built_at", "?"),
        n_articles=build.get("n_articles", "?"),
        fingerprint=str(build.get("fingerprint", "?"))[:16],
        files=files,
    )


@st.cache_data(show_spinner=False, max_entries=4)
def zip_bundle(out: str, version: str) -> bytes:
    """Every CSV as written by the ETL, ``datapackage.json`` and a README, in one ZIP."""
    folder = Path(out)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for table in TABLES:
            archive.write(folder / f"{table.name}.csv", f"{table.name}.csv")
        if (folder / DATAPACKAGE_FILE).exists():
            archive.write(folder / DATAPACKAGE_FILE, DATAPACKAGE_FILE)
        archive.writestr("README.txt", readme_text(build_summary(folder)))
    return buffer.getvalue()


@st.cache_resource(show_spinner=False, max_entries=2)
def load_geometry(tolerance: float = DRAW_TOLERANCE) -> MapGeometry:
    """Province and country boundaries, simplified for drawing (read once per process, shared
    read-only by every session)."""
    provinces = gpd.read_file(BOUNDARIES_DIR / PROVINCES_FILE)
    countries = gpd.read_file(BOUNDARIES_DIR / COUNTRIES_FILE)
    return province_geometry(provinces, countries, tolerance)


@st.cache_resource(show_spinner=False, max_entries=4)
def projected_geometry(extent: str) -> ProjectedMap:
    """The boundaries as SVG path data for one map extent (projected once per process)."""
    return province_paths(load_geometry(), extent)


@st.cache_data(show_spinner=False, max_entries=4)
def briefing_file(out: str, version: str, chosen: Filters, scope: str) -> str:
    """The briefing HTML for a filtered view (about 5 MB: plotly.js is inside)."""
    view = apply_filters(load_tables(Path(out)), chosen)
    return briefing_html(view, load_geometry(), scope=scope)


def briefing_pdf_file(out: str, chosen: Filters, scope: str) -> bytes:
    """The briefing as PDF for a filtered view, made when asked for (it says when it was made, so it is
    not kept; matplotlib is loaded the first time)."""
    from pages.lib.briefing_pdf import briefing_pdf

    view = apply_filters(load_tables(Path(out)), chosen)
    return briefing_pdf(view, load_geometry(), scope=scope)
