"""The schema is enforced where rows are written: a misspelt column, an empty required cell or a value
outside an enumeration stops the build instead of becoming a silent empty or odd cell."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from etl.outdir import OutputFolder
from etl.output import TableWriter
from etl.rows import encoded_arrow, to_arrow
from etl.schema import CLAIMS, FACTS, LINKS, PLACES, PROBLEMS, TABLES, SchemaError
from pages.lib.data import load_tables
from pages.lib.tables import coerce


def test_a_key_that_is_not_a_column_raises():
    with pytest.raises(SchemaError, match="places has no column 'latitude'"):
        to_arrow(PLACES, [{"place_id": "kep", "latitude": 10.5}])
    with pytest.raises(SchemaError, match="claims has no column 'qualifer'"):
        encoded_arrow(CLAIMS, [{"claim_id": "a#c1", "article_id": "a", "qualifer": "approx"}])


def test_missing_keys_are_empty_cells():
    assert to_arrow(PLACES, [{"place_id": "kep"}]).column("lat").to_pylist() == [None]


@pytest.mark.parametrize(("table", "column", "value", "message"), [
    (PROBLEMS, "problem", None, "problems.problem is required but 1 row leaves it empty"),
    (CLAIMS, "kind", "weight", "claims.kind must be one of currency, .*; found 'weight'"),
    (LINKS, "relation", "alliance", "links.relation must be one of agreement, .*; found 'alliance'"),
    (FACTS, "agreement", "maybe", "facts.agreement must be one of single, agree, differ; found 'maybe'"),
])
def test_the_writer_refuses_rows_that_break_the_declaration(tmp_path: Path, table, column, value, message):
    good = _valid_row(table)
    rows = to_arrow(table, [good, good | {column: value}])
    folder = OutputFolder(tmp_path / "out")
    with TableWriter(folder) as writer, pytest.raises(SchemaError, match=message):
        if table in (CLAIMS, LINKS):
            writer.write(table, rows)  # streamed, article by article
        else:
            writer.close_streams()
            writer.commit({table.name: rows}, {})  # written whole at the end
    assert not folder.path.exists() or not any(folder.path.iterdir()), "nothing half-written is left"


def test_an_optional_enumerated_column_may_be_empty():
    CLAIMS.check(to_arrow(CLAIMS, [_valid_row(CLAIMS) | {"scope_basis": None}]))


def test_required_columns_are_not_nullable_in_the_parquet_files(seed_tables: Path):
    for table in TABLES:
        schema = pq.read_schema(seed_tables / f"{table.name}.parquet")
        assert {f.name: f.nullable for f in schema} == {c.name: not c.required for c in table.columns}


def test_the_dashboard_holds_each_column_in_the_schemas_pandas_type(seed_tables: Path):
    tables = load_tables(seed_tables)
    for table in TABLES:
        df = getattr(tables, table.name)
        for col in table.columns:
            if isinstance(df[col.name].dtype, pd.CategoricalDtype):
                continue  # sentences repeated for every claim (see pages.lib.data)
            assert df[col.name].dtype == col.pandas_type, (table.name, col.name, df[col.name].dtype)
    # and a table built by hand gets the same types
    hand_made = coerce(CLAIMS, pd.DataFrame({"value": [1], "target": [True]}))
    assert [str(hand_made[c].dtype) for c in ("value", "target", "unit")] == ["Float64", "boolean", "string"]


def _valid_row(table) -> dict:
    """One row with every required cell filled with a value its column accepts."""
    samples = {"string": "x", "integer": 1, "number": 1.0, "boolean": False}
    row = {c.name: (c.enum[0] if c.enum else samples[c.type]) for c in table.columns if c.required}
    return row | ({"article_id": "a"} if "article_id" in row else {})


def test_valid_rows_pass(tmp_path: Path):
    for table in TABLES:
        table.check(to_arrow(table, [_valid_row(table)]))
    assert pa.types.is_string(CLAIMS.arrow_schema.field("quote").type)
