"""Aid & people: what was given — people trained, patients treated, electricity, money — each figure once."""

from __future__ import annotations

import streamlit as st

from pages.lib import charts, facts, ui, widgets
from pages.lib.wording import counted

#: Categories of people-to-people help and aid, shown unless the reader picks others.
AID_CATEGORIES = ("aid", "education", "health", "energy", "culture", "agriculture", "tourism")
TABLE_COLUMNS = [
    "label",
    "what",
    "period",
    "category",
    "unit",
    "qualifier",
    "target",
    "quote",
    "source",
    "sources",
    "dissent",
    "claim_ids",
]

st.title("Aid & people")
page = ui.page_data()
# one row per fact: "25 students" in the lead and the body, or in three outlets, is one bar
claims = page.facts
claims = claims[claims["kind"].isin([kind for kind, _ in charts.AID_KINDS])]

available = sorted(claims["category"].dropna().unique())
default = [c for c in AID_CATEGORIES if c in available]
if "aid_categories" not in st.session_state:
    st.session_state["aid_categories"] = default
chosen = st.multiselect("Categories", available, key="aid_categories", placeholder="All categories")
subset = claims[claims["category"].isin(chosen)] if chosen else claims

if subset.empty:
    widgets.nothing_to_show("aid or people-to-people figure")
    st.stop()

widgets.chart(charts.aid_chart(subset, page.source), key="aid_chart", stamp=page.stamp)
n_claims = int(subset["n_claims"].sum())
st.caption(f"{counted(len(subset), 'figure')} from {counted(n_claims, 'claim')}: each figure once, "
           "however many times and places it is reported (its hover says its sources).")
if left_out := charts.left_out_note(subset):
    st.caption(left_out)

st.subheader("Figures")
table = facts.labelled(subset).sort_values(["kind", "value"], ascending=[True, False])[TABLE_COLUMNS]
widgets.figures_table(table, key="aid_table", file_name="aid_figures.csv", download_key="download_aid")
