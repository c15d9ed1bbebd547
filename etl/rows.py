"""The tables' rows as Arrow, handed on in article order while articles stream in.

Articles' rows arrive as Python dicts (``extract``) or as Arrow tables kept from the
previous build (unchanged articles), always in article order. ``RowStream`` turns dicts
into Arrow every ``BATCH_ARTICLES`` articles and hands every batch to a sink (the
output files), so neither the corpus nor its rows are ever held whole. The places
table is derived from the mentions as they pass (``PlaceCounts``).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from etl.extract import BODY, Extraction
from etl.places import Gazetteer
from etl.schema import ARTICLES, CLAIMS, LINKS, MENTIONS, PLACES, Table

#: The tables holding rows of one article each (their rows carry ``article_id``).
ARTICLE_TABLES: tuple[Table, ...] = (ARTICLES, CLAIMS, MENTIONS, LINKS)
#: Articles whose rows are kept as dicts before they are turned into Arrow.
BATCH_ARTICLES = 256
#: Runs of rows kept by slicing at most (see ``rows_where``).
MAX_SLICES = 64
#: Text columns held dictionary-encoded: a sentence is repeated for every claim and place pair in
#: it (with the previous build's rows, decoding it each time would cost seconds).
DICTIONARY_COLUMNS = ("article_id", "quote")


def to_arrow(table: Table, rows: Iterable[dict]) -> pa.Table:
    """Rows (dicts; a missing key is an empty cell, a key that is not a column raises
    ``etl.schema.SchemaError``) as an Arrow table of ``table``'s schema.

    >>> to_arrow(PLACES, [{"place_id": "kep", "lat": 10.5}]).column("lat").to_pylist()
    [10.5]
    """
    rows = list(rows)
    table.check_keys(rows)
    return pa.Table.from_pylist(rows, schema=table.arrow_schema)


def encoded_arrow(table: Table, rows: list[dict]) -> pa.Table:
    """``dictionary_encoded(to_arrow(table, rows))``, without turning every repeated text into Arrow
    first: a sentence is the quote of each of its claims and place pairs (tens of rows), and most
    of the time of a batch went into copying it again for each.

    >>> rows = [{"article_id": "a", "claim_id": "a#c1", "quote": "q"}, {"article_id": "a", "quote": "q"}]
    >>> encoded_arrow(CLAIMS, rows).equals(dictionary_encoded(to_arrow(CLAIMS, rows)))
    True
    """
    table.check_keys(rows)
    schema = table.arrow_schema
    encoded = [name for name in DICTIONARY_COLUMNS if name in table.column_names]
    plain = pa.Table.from_pylist(rows, schema=pa.schema([f for f in schema if f.name not in encoded]))
    for name in encoded:
        codes: dict[str, int] = {}  # each text's code, in the order first met (as dictionary_encode)
        indices = [None if (v := row.get(name)) is None else codes.setdefault(v, len(codes)) for row in rows]
        dictionary = pa.array(list(codes), pa.string())
        column = pa.DictionaryArray.from_arrays(pa.array(indices, pa.int32()), dictionary)
        plain = plain.add_column(0, schema.field(name).with_type(column.type), column)
    return plain.select(table.column_names)


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


def rows_where(data: pa.Table, keep: pa.ChunkedArray | pa.Array | np.ndarray) -> pa.Table:
    """The rows where ``keep`` is true. Rows are grouped by article, so keeping all articles but a
    few leaves a few runs of rows: those become slices, which copy nothing; many runs are filtered.

    >>> t = pa.table({"x": [1, 2, 3, 4, 5]})
    >>> rows_where(t, pa.chunked_array([[True, True, False, True, True]])).column("x").to_pylist()
    [1, 2, 4, 5]
    """
    flags = np.asarray(keep if isinstance(keep, np.ndarray) else keep.to_numpy(zero_copy_only=False),
                       dtype=np.int8)
    edges = np.flatnonzero(np.diff(np.r_[0, flags, 0]))  # where runs of kept rows start and end
    starts, ends = edges[0::2], edges[1::2]
    if len(starts) > MAX_SLICES:
        return data.filter(keep)
    if len(starts) == 1 and starts[0] == 0 and ends[0] == data.num_rows:
        return data
    if not len(starts):
        return data.slice(0, 0)
    return pa.concat_tables([data.slice(lo, hi - lo) for lo, hi in zip(starts, ends, strict=True)])


class RowStream:
    """Rows of the article tables, collected article by article in article order and handed to
    ``sink(table, rows, csv)`` in batches (see the module docstring)."""

    def __init__(self, sink: Callable[[Table, pa.Table, bool], None],
                 batch_articles: int | None = None) -> None:
        self.sink = sink
        self.batch_articles = batch_articles or BATCH_ARTICLES
        self.places = PlaceCounts()
        self._pending: dict[str, list[dict]] = {t.name: [] for t in ARTICLE_TABLES}
        self._n_pending = 0

    def add(self, extraction: Extraction) -> None:
        for table in ARTICLE_TABLES:
            self._pending[table.name] += rows_of(extraction, table)
        self._n_pending += 1
        if self._n_pending >= self.batch_articles:
            self.flush()

    def add_arrow(self, table: Table, data: pa.Table, csv: bool = True) -> None:
        """Rows already in Arrow (kept from a previous build), whole articles only: the table's
        columns, text columns possibly dictionary-encoded. ``csv=False``: the sink is given their
        CSV otherwise (copied from the previous build)."""
        self.flush()
        self._to_sink(table, data, csv)

    def flush(self) -> None:
        if not self._n_pending:
            return
        for table in ARTICLE_TABLES:
            part = encoded_arrow(table, self._pending[table.name])
            # Every key holds the article id, and article ids are unique: checking each batch
            # checks the table (rows kept from a previous build were checked when first added).
            check_unique(table, part)
            self._to_sink(table, part)
            self._pending[table.name] = []
        self._n_pending = 0

    def _to_sink(self, table: Table, data: pa.Table, csv: bool = True) -> None:
        """Give ``data`` to the sink, counting the places of mentions on the way."""
        if table is MENTIONS:
            self.places.add(data)
        self.sink(table, data, csv)


class PlaceCounts:
    """Each place's body mentions and the articles they are in, counted as mentions pass by.

    Mentions come whole article by whole article, so an article is counted once per place by
    counting it in each part it is in (it is in one only).
    """

    def __init__(self) -> None:
        self.mentions: Counter[str] = Counter()
        self.articles: Counter[str] = Counter()
        self.ids: set[str] = set()

    def add(self, mentions: pa.Table) -> None:
        if not mentions.num_rows:
            return
        # kept rows may come in chunks with dictionaries of their own: one per column for group_by
        mentions = mentions.select(["place_id", "article_id", "section"]).unify_dictionaries()
        self.ids.update(pc.unique(mentions.column("place_id")).to_pylist())
        body = mentions.filter(pc.equal(mentions.column("section"), BODY))
        counts = body.group_by("place_id").aggregate(
            [("place_id", "count"), ("article_id", "count_distinct")]
        )
        places = counts.column("place_id").to_pylist()
        self.mentions.update(dict(zip(places, counts.column("place_id_count").to_pylist(), strict=True)))
        self.articles.update(dict(zip(places, counts.column("article_id_count_distinct").to_pylist(),
                                      strict=True)))

    def table(self, gazetteer: Gazetteer) -> pa.Table:
        """One row per place mentioned anywhere, with counts of its body mentions and articles."""
        rows = []
        for pid in sorted(self.ids):
            p = gazetteer.places[pid]
            rows.append({
                "place_id": p.place_id, "name": p.name, "name_local": p.name_local, "country": p.country,
                "level": p.level, "province_id": p.province_id, "lat": p.lat, "lon": p.lon,
                "border_province": p.border_province, "merged_into_2025": p.merged_into_2025,
                "source": p.source, "n_mentions": self.mentions[pid], "n_articles": self.articles[pid],
            })
        return to_arrow(PLACES, rows)


def compact_dictionaries(data: pa.Table) -> pa.Table:
    """``data`` with each dictionary column's chunks sharing one dictionary of only the values its
    rows use. Rows kept from a previous build come with the dictionary of the whole row group
    they were read from, and Parquet writes a dictionary as it is: without this, every re-run
    would add the unused sentences of the groups before to each row group's dictionary.

    >>> data = pa.table({"q": pa.DictionaryArray.from_arrays([2, 0, 2], ["a", "b", "c"])})
    >>> column = compact_dictionaries(data).column("q")
    >>> column.chunk(0).dictionary.to_pylist(), column.to_pylist()
    (['a', 'c'], ['c', 'a', 'c'])
    """
    data = data.unify_dictionaries()
    for i, field in enumerate(data.schema):
        column = data.column(i)
        if not pa.types.is_dictionary(field.type) or not column.num_chunks:
            continue
        dictionary = column.chunk(0).dictionary
        used = np.zeros(len(dictionary), dtype=bool)
        for chunk in column.chunks:
            used[chunk.indices.drop_null().to_numpy()] = True
        if used.all():
            continue
        codes = pa.array(np.cumsum(used) - 1, field.type.index_type)  # each used value's new code
        kept = dictionary.filter(used)
        chunks = [pa.DictionaryArray.from_arrays(codes.take(c.indices), kept) for c in column.chunks]
        data = data.set_column(i, field, pa.chunked_array(chunks, field.type))
    return data


def dictionary_encoded(data: pa.Table, columns: tuple[str, ...] = DICTIONARY_COLUMNS) -> pa.Table:
    """These columns (those it has) dictionary-encoded: each sentence held once, not once per claim
    or place pair."""
    for name in columns:
        if name in data.column_names:
            i = data.schema.get_field_index(name)
            column = pc.dictionary_encode(data.column(name))
            data = data.set_column(i, data.schema.field(i).with_type(column.type), column)
    return data
