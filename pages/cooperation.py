"""Cooperation: sectors by partner province, each province's partners, the agreements."""

from __future__ import annotations

import streamlit as st

from etl.schema import LINKS
from pages.lib import charts, data, ui, widgets

st.title("Cooperation")
page = ui.page_data()
links, places = page.view.links, page.view.places

if links.empty:
    widgets.nothing_to_show("cooperation link")
    st.stop()

widgets.chart(charts.cooperation_matrix(links, places, page.source), key="cooperation_matrix",
              stamp=page.stamp)

st.subheader("Partners of each Vietnamese province")
table = data.derived(page.view, "partners", lambda: charts.partners(links, places))
sides = table.groupby(["side_id", "side"]).size().sort_values(ascending=False)
names = {side_id: name for side_id, name in sides.index}
focus = st.selectbox(
    "Province",
    list(names),
    format_func=names.get,
    index=None,
    key="coop_province",
    placeholder="All Vietnamese provinces",
)
widgets.chart(charts.partner_network(links, places, focus, page.source), key="partner_network",
              stamp=page.stamp)
st.caption("The same links are drawn on the Map page.")

st.subheader("Agreement sentences")
agreements = data.derived(
    page.view, "agreements", lambda: charts.agreement_sentences(links, places, page.view.articles)
)
if agreements.empty:
    st.info("No sentence reports an agreement in the selected articles.")
else:
    st.dataframe(
        widgets.shown_rows(agreements, "agreement sentences"),
        hide_index=True,
        key="agreements_table",
        column_config={"quote": st.column_config.TextColumn("Sentence", width="large")},
    )

st.subheader("All links")
st.dataframe(widgets.shown_rows(links, "links"), hide_index=True, key="links_table")
widgets.table_download("Download these links (CSV)", LINKS, links, "links.csv", key="download_links")
