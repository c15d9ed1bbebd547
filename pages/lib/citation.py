"""A link to one figure, for an analyst to cite it: ``/articles?claim=<claim_id>`` or ``?fact=<fact_id>``
opens the reader at the figure's sentence with its span marked (no Streamlit here).

A fact's link opens the claim of it that was published first (earliest article, then the first in
its text): the one the others repeat or were republished from.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from urllib.parse import urlencode, urlsplit, urlunsplit

import pandas as pd

Q_CLAIM, Q_FACT = "claim", "fact"
#: Query-string keys of a citation (kept in the URL beside the filters while the reader shows it).
KEYS = (Q_CLAIM, Q_FACT)
#: The reader's URL path (``pages.lib.app.PAGES``).
READER_PATH = "articles"


@dataclass(frozen=True)
class Citation:
    """What a link asks for (``key``, ``value``) and the claim it resolves to (``None``: no such figure)."""

    key: str
    value: str
    claim: pd.Series | None

    @property
    def article_id(self) -> str | None:
        return None if self.claim is None else str(self.claim["article_id"])

    @property
    def claim_id(self) -> str | None:
        return None if self.claim is None else str(self.claim["claim_id"])

    def problem(self) -> str:
        what = "figure" if self.key == Q_CLAIM else "fact"
        return f"The link asks for the {what} {self.value!r}, which the tables do not hold (rebuilt since?)."


def from_query(params: Mapping[str, str | list[str]], claims: pd.DataFrame,
               articles: pd.DataFrame) -> Citation | None:
    """The citation a page's query parameters ask for, if any (a claim before a fact).

    >>> claims = pd.DataFrame({"claim_id": ["b#c1", "a#c2", "a#c1"], "article_id": ["b", "a", "a"],
    ...                        "fact_id": ["f", "f", "g"], "char_start": [5, 40, 3]})
    >>> articles = pd.DataFrame({"article_id": ["a", "b"], "published": ["2023-02-01", "2023-01-05"]})
    >>> from_query({"fact": "f"}, claims, articles).claim_id  # b was published first
    'b#c1'
    >>> from_query({"claim": ["a#c1"]}, claims, articles).claim_id
    'a#c1'
    >>> from_query({"claim": "x"}, claims, articles).claim is None, from_query({}, claims, articles)
    (True, None)
    """
    for key, column in ((Q_CLAIM, "claim_id"), (Q_FACT, "fact_id")):
        raw = params.get(key)
        value = (raw[0] if raw else None) if isinstance(raw, list) else raw
        if not value:
            continue
        found = claims[claims[column] == value]
        if found.empty:
            return Citation(key, value, None)
        if len(found) > 1:
            reporting = articles[articles["article_id"].isin(found["article_id"])]
            published = found["article_id"].map(dict(zip(reporting["article_id"], reporting["published"],
                                                          strict=True)))
            order = pd.DataFrame({"published": published.fillna("9999"), "article_id": found["article_id"],
                                  "char_start": found["char_start"]})
            found = found.loc[order.sort_values(["published", "article_id", "char_start"]).index]
        return Citation(key, value, found.iloc[0])
    return None


def link(page_url: str, key: str, value: str) -> str:
    """The reader's address citing ``value``, on the server ``page_url`` (any page's address) is on.

    >>> link("http://localhost:8501/claims?lang=fr", Q_CLAIM, "002_x#c13")
    'http://localhost:8501/articles?claim=002_x%23c13'
    >>> link("https://example.org/monitor/", Q_FACT, "trade.1f")
    'https://example.org/monitor/articles?fact=trade.1f'
    """
    parts = urlsplit(page_url)
    base = parts.path.rsplit("/", 1)[0]  # the app's own path prefix, if it is served under one
    return urlunsplit((parts.scheme, parts.netloc, f"{base}/{READER_PATH}", urlencode({key: value}), ""))
