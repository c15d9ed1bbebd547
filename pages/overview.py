"""Overview: the counts, the key figures, a small map and the articles."""

from __future__ import annotations

import streamlit as st

from pages.lib import charts, facts, theme, ui, widgets

#: The six counts in two rows, so a date span is never cut.
METRICS_PER_ROW = 3
#: Articles listed on the overview (the latest); the Articles page reads any of them.
LATEST_ARTICLES = 200

st.title("Overview")
page = ui.page_data()
view = page.view

counts = facts.summary(view.articles, view.claims, view.places)
columns = [*st.columns(METRICS_PER_ROW), *st.columns(METRICS_PER_ROW)]
for column, (label, value) in zip(columns, counts.items(), strict=False):
    column.metric(label.capitalize(), value, border=True)

st.subheader("Key figures")
# one row per fact: a figure repeated in a headline, a lead and three outlets counts once
figures = charts.key_figures(page.facts, ui.place_names(page))
if figures.empty:
    widgets.nothing_to_show("trade, investment or aid figure")
else:
    for column, row in zip(st.columns(len(figures)), figures.itertuples(), strict=True):
        with column.container(border=True):
            st.metric(row.heading, row.amount, help=f"Qualifier: {row.qualifier}")
            widgets.note(" · ".join(part for part in (row.what, row.scope, row.period, row.status) if part))
            widgets.note(row.source)
            with st.expander("Quotes" if row.n_articles > 1 else "Quote"):
                ui.fact_sources(page, row.fact_id)

# the map and the articles one under the other: side by side, a 1366-pixel screen showed only the
# articles' dates and a cut title
with st.container():
    st.subheader("Where")
    # Static SVG rather than plotly: the first page appears without loading plotly.js (4.7 MB).
    widgets.note("Place mentions by province, southern Vietnam and Cambodia. Darker = more; dark outline: "
            "provinces on the land border; points: places sized by mentions. Hover for the numbers.")
    st.markdown(ui.province_svg(page), unsafe_allow_html=True)
    widgets.note(f"{page.source}\n{theme.BOUNDARY_ATTRIBUTION}")
    st.page_link(
        "pages/map.py",
        label="Open the interactive map: zoom, cooperation links, claims by province",
        icon=":material/map:",
    )
with st.container():
    st.subheader("Articles")
    if view.articles.empty:
        widgets.nothing_to_show("article")
    else:
        columns = ["published", "title", "outlet", "language", "n_claims", "n_mentions", "duplicate_of"]
        latest = view.articles.sort_values("published", ascending=False)
        shown = widgets.shown_rows(latest[[*columns, "published_basis"]], "articles, the latest first",
                                   limit=LATEST_ARTICLES)
        shown = shown[columns].assign(published=[  # a date the text only suggests says so (rows shown only)
            facts.shown_date(p, facts.is_inferred(b)) if isinstance(p, str) and p else p
            for p, b in zip(shown["published"], shown["published_basis"], strict=True)])
        st.dataframe(
            shown,
            hide_index=True,
            key="overview_articles",
            column_config={
                "n_claims": "Claims",
                "n_mentions": "Mentions",
                "published": "Published",
                "duplicate_of": "Republished from",
                "title": st.column_config.TextColumn("Title", width="large"),
            },
        )
        st.page_link(
            "pages/articles.py",
            label="Read an article with its figures highlighted",
            icon=":material/arrow_forward:",
        )
