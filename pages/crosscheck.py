"""Cross-check: the figures several articles report, those whose sources differ first, quotes side by side."""

from __future__ import annotations

import streamlit as st

from pages.lib import citation, crosscheck, ui, widgets
from pages.lib.wording import are, counted

#: Figures listed at most, each with its quotes (the filters and the category narrow the list).
MAX_FACTS = 40

st.title("Cross-check")
page = ui.page_data()
widgets.note("A figure reported by several articles is one fact: the same measure (unit, category, target or "
        "achieved, period, the places it is about, and what it measures: exports or imports and which way, "
        "investment or projects...). Republished copies of a story count once. Sources agree when one value "
        "fits them all, hedges and rounding considered ('more than $10B' agrees with $10.6B).")

several = crosscheck.facts_in_view(page.facts)
if several.empty:
    widgets.nothing_to_show("figure reported by several articles")
    st.stop()

left, right = st.columns([3, 2])
categories = left.multiselect("Categories", sorted(several["category"].dropna().unique()),
                              key="cc_categories", placeholder="All categories")
only_differ = right.toggle("Only where the sources differ", key="cc_differ")
chosen = several
if categories:
    chosen = chosen[chosen["category"].isin(categories)]
if only_differ:
    chosen = chosen[chosen["agreement"] == crosscheck.DIFFER]

n_differ = int((several["agreement"] == crosscheck.DIFFER).sum())
st.caption(f"{counted(len(several), 'figure')} {are(len(several))} reported by several articles: "
           f"{n_differ:,} where the sources differ, {len(several) - n_differ:,} where they agree. "
           f"{len(chosen):,} listed"
           + (f"; the first {MAX_FACTS} shown." if len(chosen) > MAX_FACTS else "."))
if chosen.empty:
    widgets.nothing_to_show("figure")
    st.stop()

for row in chosen.head(MAX_FACTS).itertuples():
    with st.container(border=True):
        verdict = "Sources differ" if row.agreement == crosscheck.DIFFER else "Sources agree"
        st.markdown(f"**{widgets.plain_markdown(crosscheck.fact_label(row._asdict()))}** · {verdict}")
        what = row.what if isinstance(row.what, str) else ""
        widgets.note(" · ".join(p for p in (crosscheck.measure_name(crosscheck.measure_of(row.fact_id)), what,
                                       str(row.category), row.dissent) if p))
        ui.fact_sources(page, row.fact_id)
        widgets.citation_link(citation.Q_FACT, row.fact_id)
