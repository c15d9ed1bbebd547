"""Trade & investment: every money figure on a log axis over the years it covers."""

from __future__ import annotations

import streamlit as st

from pages.lib import charts, facts, ui

st.title("Trade & investment")
page = ui.page_data()
money = facts.money_claims(page.claims)

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
    ui.nothing_to_show("money figure")
    st.stop()

for currency in facts.currencies(money):
    ui.chart(charts.trade_chart(money, currency, page.source), key=f"trade_chart_{currency}")
    if currency != "USD":
        st.caption(
            f"Figures in {currency} are shown in their own unit: never converted, never mixed with dollars."
        )

undated = money[money["period_start"].isna() & money["period_end"].isna() & money["published"].isna()]
if len(undated):
    st.caption(
        f"{len(undated)} figures have no period and no publication date, so they are in the table only."
    )
if left_out := charts.left_out_note(money):
    st.caption(left_out)

st.subheader("Money figures")
table = charts.trade_table(money)
ui.figures_table(table, key="trade_table", file_name="money_figures.csv", download_key="download_trade")
