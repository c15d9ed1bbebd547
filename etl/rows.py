"""The tables' rows as Arrow: built in batches while articles stream in, then put in article order.

Articles' rows arrive as Python dicts (``extract``) or as Arrow tables kept from the
previous build (unchanged articles). ``RowCollector`` turns dicts into Arrow every
``BATCH_ARTICLES`` articles, so a large corpus is never held as Python objects, and
``RowCollector.tables`` concatenates everything and sorts it by article, keeping
each article's rows in their own order. The places table is derived from mentions.
"""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from etl.extract import BODY, Extraction
from etl.places import Gazetteer
from etl.schema import ARTICLES, BOOLEAN, CLAIMS, INTEGER, LINKS, MENTIONS, NUMBER, PLACES, Table

ARROW_TYPES = {INTEGER: pa.int64(), NUMBER: pa.float64(), BOOLEAN: pa.bool_()}
#: The tables holding rows of one article each (their rows carry ``article_id``).
ARTICLE_TABLES: tuple[Table, ...] = (ARTICLES, CLAIMS, MENTIONS, LINKS)
#: Articles whose rows are kept as dicts before they are turned into Arrow.
BATCH_ARTICLES = 256
#: Runs of rows put in order by slicing at most (see ``in_article_order``).
MAX_SLICES = 64
#: Text columns held dictionary-encoded: a sentence is repeated for every claim and place pair in
#: it (with the previous build's rows, decoding it each time would cost seconds).
DICTIONARY_COLUMNS = ("article_id", "quote")


def arrow_schema(table: Table) -> pa.Schema:
    """The table's columns with their Arrow types (text is ``string``)."""
    return pa.schema([pa.field(c.name, ARROW_TYPES.get(c.type, pa.string())) for c in table.columns])


def to_arrow(table: Table, rows: Iterable[dict]) -> pa.Table:
    """Rows (dicts; missing keys are null, extra keys ignored) as an Arrow table of ``table``'s schema.

    >>> to_arrow(PLACES, [{"place_id": "kep", "lat": 10.5}]).column("lat").to_pylist()
    [10.5]
    """
    return pa.Table.from_pylist(list(rows), schema=arrow_schema(table))


def rows_of(extraction: Extraction, table: Table) -> list[dict]:
    if table is ARTICLES:
        return [extraction.article]
    return getattr(extraction, table.name)


def check_unique(table: Table, data: pa.Table) -> None:
    """Raise ``ValueError`` when two rows share the table's key."""
    if data.num_rows == 0:
        return
    distinct = data.select(list(table.key)).group_by(list(table.key)).aggregate([]).num_rows
    if distinct != data.num_rows:
        raise ValueError(f"{table.name}: duplicate key {list(table.key)} in {data.num_rows - distinct} rows")


def in_article_order(data: pa.Table, article_ids: pa.Array) -> pa.Table:
    """Rows sorted by the position of their ``article_id`` in ``article_ids``; stable within an article."""
    rank = pc.index_in(data.column("article_id"), value_set=article_ids)
    if rank.null_count:
        raise ValueError("rows of an article that is not in the corpus")
    if data.num_rows < 2 or pc.all(pc.greater_equal(rank[1:], rank[:-1])).as_py():
        return data  # already in order: no copy
    order = pc.sort_indices(rank).to_numpy()  # Arrow's sort is stable
    # Runs of rows already in order (a few changed articles among many kept ones) become slices,
    # which copy nothing; a shuffle with many runs is taken row by row.
    breaks = np.flatnonzero(np.diff(order) != 1) + 1
    if len(breaks) < MAX_SLICES:
        bounds = zip(np.r_[0, breaks], np.r_[breaks, len(order)], strict=True)
        return pa.concat_tables([data.slice(order[lo], hi - lo) for lo, hi in bounds])
    return data.take(order)


def rows_where(data: pa.Table, keep: pa.ChunkedArray) -> pa.Table:
    """The rows where ``keep`` is true. Rows are grouped by article, so keeping all articles but a
    few leaves a few runs of rows: those become slices, which copy nothing; many runs are filtered.

    >>> t = pa.table({"x": [1, 2, 3, 4, 5]})
    >>> rows_where(t, pa.chunked_array([[True, True, False, True, True]])).column("x").to_pylist()
    [1, 2, 4, 5]
    """
    flags = np.asarray(keep.to_numpy(zero_copy_only=False), dtype=np.int8)
    edges = np.flatnonzero(np.diff(np.r_[0, flags, 0]))  # where runs of kept rows start and end
    starts, ends = edges[0::2], edges[1::2]
    if len(starts) > MAX_SLICES:
        return data.filter(keep)
    if len(starts) == 1 and starts[0] == 0 and ends[0] == data.num_rows:
        return data
    if not len(starts):
        return data.slice(0, 0)
    return pa.concat_tables([data.slice(lo, hi - lo) for lo, hi in zip(starts, ends, strict=True)])


class RowCollector:
    """Rows of the article tables, collected article by article (see the module docstring)."""

    def __init__(self, batch_articles: int = BATCH_ARTICLES) -> None:
        self.batch_articles = batch_articles
        self._pending: dict[str, list[dict]] = {t.name: [] for t in ARTICLE_TABLES}
        self._n_pending = 0
        self._parts: dict[str, list[pa.Table]] = {t.name: [] for t in ARTICLE_TABLES}

    def add(self, extraction: Extraction) -> None:
        for table in ARTICLE_TABLES:
            self._pending[table.name] += rows_of(extraction, table)
        self._n_pending += 1
        if self._n_pending >= self.batch_articles:
            self._flush()

    def add_arrow(self, table: Table, data: pa.Table) -> None:
        """Rows already in Arrow (kept from a previous build): the table's columns, text columns
        possibly dictionary-encoded."""
        self._flush()
        self._parts[table.name].append(data.select(table.column_names))

    def _flush(self) -> None:
        if not self._n_pending:
            return
        for table in ARTICLE_TABLES:
            part = to_arrow(table, self._pending[table.name])
            # Every key holds the article id, and article ids are unique: checking each batch
            # checks the table (rows kept from a previous build were checked when first added).
            check_unique(table, part)
            self._parts[table.name].append(dictionary_encoded(part))
            self._pending[table.name] = []
        self._n_pending = 0

    def tables(self, article_ids: list[str]) -> dict[str, pa.Table]:
        """Every article table, rows in the order of ``article_ids``."""
        self._flush()
        order = pa.array(article_ids, pa.string())
        out = {}
        for table in ARTICLE_TABLES:
            parts = self._parts.pop(table.name) or [to_arrow(table, [])]
            schema = _widest(table, parts)
            data = pa.concat_tables([p if p.schema == schema else p.cast(schema) for p in parts])
            data = data.unify_dictionaries()  # one dictionary per column, as group_by needs
            out[table.name] = in_article_order(data, order)
        return out


def dictionary_encoded(data: pa.Table, columns: tuple[str, ...] = DICTIONARY_COLUMNS) -> pa.Table:
    """These columns (those it has) dictionary-encoded: each sentence held once, not once per claim
    or place pair."""
    for name in columns:
        if name in data.column_names:
            i = data.schema.get_field_index(name)
            data = data.set_column(i, name, pc.dictionary_encode(data.column(name)))
    return data


def _widest(table: Table, parts: list[pa.Table]) -> pa.Schema:
    """The table's schema, with each column dictionary-encoded where any part has it so."""
    fields = []
    for f in arrow_schema(table):
        types = [p.schema.field(f.name).type for p in parts]
        encoded = [t for t in types if pa.types.is_dictionary(t)]
        fields.append(pa.field(f.name, encoded[0]) if encoded else f)
    return pa.schema(fields)


def places_table(mentions: pa.Table, gazetteer: Gazetteer) -> pa.Table:
    """One row per place mentioned anywhere, with counts of its body mentions and articles."""
    body = mentions.filter(pc.equal(mentions.column("section"), BODY))
    counts = body.group_by("place_id").aggregate([("place_id", "count"), ("article_id", "count_distinct")])
    n_mentions = dict(zip(counts.column("place_id").to_pylist(), counts.column("place_id_count").to_pylist(),
                          strict=True))
    n_articles = dict(zip(counts.column("place_id").to_pylist(),
                          counts.column("article_id_count_distinct").to_pylist(), strict=True))
    rows = []
    for pid in sorted(pc.unique(mentions.column("place_id")).to_pylist()):
        p = gazetteer.places[pid]
        rows.append({
            "place_id": p.place_id, "name": p.name, "name_local": p.name_local, "country": p.country,
            "level": p.level, "province_id": p.province_id, "lat": p.lat, "lon": p.lon,
            "border_province": p.border_province, "merged_into_2025": p.merged_into_2025, "source": p.source,
            "n_mentions": n_mentions.get(pid, 0), "n_articles": n_articles.get(pid, 0),
        })
    return to_arrow(PLACES, rows)
