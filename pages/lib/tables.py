"""The six output tables as one value, with the ETL's column types (no Streamlit here)."""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from etl.schema import BOOLEAN, INTEGER, NUMBER, Table

#: The same pandas types the ETL writes (nullable integers, floats and booleans; strings).
PANDAS_TYPES = {INTEGER: "Int64", NUMBER: "Float64", BOOLEAN: "boolean"}
STRING_TYPE = "string"


@dataclass(frozen=True)
class Tables:
    """The output tables (each caller's own copies) and the build record."""

    articles: pd.DataFrame
    claims: pd.DataFrame
    places: pd.DataFrame
    mentions: pd.DataFrame
    links: pd.DataFrame
    problems: pd.DataFrame
    build: dict


def coerce(table: Table, df: pd.DataFrame) -> pd.DataFrame:
    """The table's declared columns, in order, with the ETL's pandas types (missing ones empty)."""
    out = pd.DataFrame(index=df.index)
    for col in table.columns:
        values = df[col.name] if col.name in df else pd.Series(pd.NA, index=df.index)
        out[col.name] = values.astype(PANDAS_TYPES.get(col.type, STRING_TYPE))
    return out.reset_index(drop=True)
