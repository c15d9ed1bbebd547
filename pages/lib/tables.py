"""The output tables as one value, with the ETL's column types (no Streamlit here)."""

from __future__ import annotations

import threading
from collections.abc import Callable, Hashable
from dataclasses import dataclass, field
from typing import TypeVar

import pandas as pd

from etl.schema import FACTS, Table

T = TypeVar("T")


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
    #: Values derived from these tables (see ``derived``); never copied by ``dataclasses.replace``.
    memo: dict = field(default_factory=dict, init=False, compare=False, repr=False)
    _computing: dict = field(default_factory=dict, init=False, compare=False, repr=False)
    _guard: threading.Lock = field(default_factory=threading.Lock, init=False, compare=False, repr=False)

    def derived(self, key: Hashable, compute: Callable[[], T]) -> T:
        """``compute()``, once for these tables.

        The dashboard shares one ``Tables`` per data version and filters between all sessions
        (``pages.lib.data``), so what a page derives from it (labels, counts, sources joined in) is
        computed on the first rerun that needs it, not on every rerun. ``key`` must name everything
        ``compute`` depends on besides the tables; the value is shared and must be treated as read-only.
        A caller that asks while another thread computes the same key (the server's warm-up, another
        session) waits for that value instead of computing it again.
        """
        if key in self.memo:
            return self.memo[key]
        with self._guard:
            lock = self._computing.setdefault(key, threading.Lock())
        with lock:
            if key not in self.memo:
                self.memo[key] = compute()
        return self.memo[key]


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
