"""Trade & investment: every money figure on a log axis over the years it covers, each figure once."""

from __future__ import annotations

import streamlit as st

from pages.lib import charts, crosscheck, facts, ui, widgets
from pages.lib.wording import counted

VIEWS = {"figures": "Every figure", "series": "Yearly series"}
TABLE_KEY = "trade_table"

st.title("Trade & investment")
page = ui.page_data()
# one row per fact: a figure repeated in a headline, a lead and three outlets is one point
money = facts.money_claims(page.facts)

categories = sorted(money["category"].dropna().unique())
chosen = st.multiselect(
    "Categories",
    categories,
    key="trade_categories",
    placeholder="All categories",
    help="Money figures of every category are shown unless you pick some.",
)
if chosen:
    money = money[money["category"].isin(chosen)]

if money.empty:
    widgets.nothing_to_show("money figure")
    st.stop()

shown = st.segmented_control(
    "Show",
    list(VIEWS),
    format_func=VIEWS.get,
    default="figures",
    key="trade_view",
    help="Yearly series: one point per year and measure (trade turnover, exports each way...), built from "
    "the figures of one year that articles report nationally, with how many report it and how far apart.",
) or "figures"

for currency in facts.currencies(money):
    if shown == "series":
        series = crosscheck.yearly_series(money, page.view.places, currency)
        widgets.chart(charts.yearly_chart(series, currency, page.source), key=f"trade_series_{currency}",
                      stamp=page.stamp)
    else:
        widgets.chart(charts.trade_chart(money, currency, page.source), key=f"trade_chart_{currency}",
                      stamp=page.stamp)
    if currency != "USD":
        st.caption(
            f"Figures in {currency} are shown in their own unit: never converted, never mixed with dollars."
        )

n_claims = int(money["n_claims"].sum())
st.caption(
    f"{counted(len(money), 'figure')} from {counted(n_claims, 'claim')}: a figure repeated in one article, "
    "or reported by several (a republished copy counts once), is drawn once; its hover says how many "
    "sources give it."
)
undated = money[money["period_start"].isna() & money["period_end"].isna() & money["published"].isna()]
if len(undated):
    st.caption(
        f"{counted(len(undated), 'figure')} {'has' if len(undated) == 1 else 'have'} no period and no "
        "publication date, so they are in the table only."
    )
if left_out := charts.left_out_note(money):
    st.caption(left_out)

st.subheader("Money figures")
table = charts.trade_table(money)
event = st.dataframe(
    widgets.shown_rows(table, "figures"),
    hide_index=True,
    key=TABLE_KEY,
    on_select="rerun",
    selection_mode="single-row",
    column_config={"label": "Figure", "sources": "Sources", "dissent": "Differing sources",
                   "quote": st.column_config.TextColumn("Quote", width="large")},
)
widgets.frame_download("Download these figures (CSV)", table, "money_figures.csv", key="download_trade")
rows = event.selection.rows if event else []
if rows:
    figure = table.iloc[rows[0]]
    st.subheader(f"{figure['label']}: what the sources say")
    ui.fact_sources(page, figure["fact_id"])
else:
    widgets.note("Tick a row to read its sources side by side.")
