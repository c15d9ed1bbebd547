"""The output tables as one value, with the ETL's column types (no Streamlit here)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field

import pandas as pd

from etl.schema import FACTS, Table


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
    #: The facts table as the ETL wrote it (the Data page offers it; the pages count the facts of their
    #: view from its claims: ``pages.lib.crosscheck``). Tables made by hand may leave it out.
    facts: pd.DataFrame = field(default_factory=lambda: coerce(FACTS, pd.DataFrame()))
    #: This value's own name: what is derived from it (``pages.lib.data.derived``) is cached under it. Every
    #: instance has its own, ``dataclasses.replace`` included: a narrowed view derives its own values.
    token: str = field(default_factory=lambda: uuid.uuid4().hex, init=False, compare=False, repr=False)


def coerce(table: Table, df: pd.DataFrame) -> pd.DataFrame:
    """The table's declared columns, in order, with the ETL's pandas types (missing ones empty).

    A text column that is categorical (sentences repeated for every claim or place pair in them,
    see ``pages.lib.data``) stays categorical: filtering it moves codes, not text.
    """
    out = pd.DataFrame(index=df.index)
    for col in table.columns:
        values = df[col.name] if col.name in df else pd.Series(pd.NA, index=df.index)
        if col.is_text and isinstance(values.dtype, pd.CategoricalDtype):
            out[col.name] = values
        else:
            out[col.name] = values.astype(col.pandas_type)
    return out.reset_index(drop=True)
