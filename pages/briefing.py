"""Briefing: one idea per screen in large type, and the whole briefing as one offline HTML file."""

from __future__ import annotations

from functools import partial

import streamlit as st

from pages.lib import briefing, charts, data, facts, ui, widgets

SLIDE_KEY = "briefing_slide"
SLIDES = ("Key figures", "Trade", "Map", "Cooperation", "Sources")
SLIDE_HEIGHT = 640
SLIDE_AMOUNT_SIZE = "3.6rem"
#: Presentation look, this page only: no sidebar, large type.
CSS = """
<style>
[data-testid="stSidebar"], [data-testid="stSidebarCollapsedControl"] {display: none;}
.stMainBlockContainer p, .stMainBlockContainer li {font-size: 1.35rem;}
.stMainBlockContainer h1 {font-size: 2.6rem;}
.stMainBlockContainer h2 {font-size: 2.1rem;}
</style>
"""


def move(step: int) -> None:
    st.session_state[SLIDE_KEY] = (st.session_state.get(SLIDE_KEY, 0) + step) % len(SLIDES)


def scope_text() -> str:
    chosen = page.filters
    parts = [
        f"languages {', '.join(chosen.languages)}" if chosen.languages else "",
        f"{len(chosen.articles)} chosen articles" if chosen.articles else "",
        f"published from {chosen.date_from}" if chosen.date_from else "",
        f"published to {chosen.date_to}" if chosen.date_to else "",
        "page furniture included" if chosen.include_related else "",
    ]
    return "; ".join(p for p in parts if p) or "all articles"


def key_figures_slide() -> None:
    figures = charts.key_figures(claims, ui.place_names(page))
    if figures.empty:
        widgets.nothing_to_show("trade, investment or aid figure")
        return
    st.html(f"<style>{briefing.card_style(SLIDE_AMOUNT_SIZE)}</style>{briefing.key_figure_cards(figures)}")


def trade_slide() -> None:
    if facts.money_claims(claims, "USD").empty:
        widgets.nothing_to_show("money figure in USD")
        return
    figure = charts.trade_chart(claims, "USD", page.source).update_layout(height=SLIDE_HEIGHT)
    widgets.chart(figure, key="briefing_trade")


def map_slide() -> None:
    figure = ui.province_map(page, height=SLIDE_HEIGHT)
    widgets.chart(figure, key="briefing_map")


def cooperation_slide() -> None:
    if view.links.empty:
        widgets.nothing_to_show("cooperation link")
        return
    widgets.chart(charts.partner_network(view.links, view.places, source=page.source), key="briefing_network")


def sources_slide() -> None:
    if view.articles.empty:
        widgets.nothing_to_show("article")
        return
    for article in view.articles.sort_values("published").itertuples():
        widgets.note(facts.source_text(article.title, article.outlet, article.published))


st.markdown(CSS, unsafe_allow_html=True)
st.title("Briefing")
page = ui.page_data()
view, claims = page.view, page.facts  # one row per fact: each figure once, with its sources
slide = st.session_state.setdefault(SLIDE_KEY, 0) % len(SLIDES)

nav = st.columns([1.4, 1.2, 2.6, 2.4, 2.6])
nav[0].button("Previous", key="briefing_prev", on_click=move, args=(-1,), icon=":material/arrow_back:")
nav[1].button("Next", key="briefing_next", on_click=move, args=(1,), icon=":material/arrow_forward:")
nav[2].markdown(f"**{slide + 1} / {len(SLIDES)}** · {SLIDES[slide]}")
nav[3].download_button(
    "Briefing as HTML",
    # the file is kept per view (about 5 MB); the time it says it was made is this screen's
    briefing.stamped(
        data.briefing_file(str(page.out), data.data_version(page.out), page.filters, scope_text())
    ),
    file_name="vn-kh-briefing.html",
    mime="text/html",
    key="download_briefing",
    icon=":material/download:",
    help="One HTML file with the key figures, charts, map and sources; it opens offline in any browser.",
)
nav[4].download_button(
    "Briefing as PDF",
    partial(data.briefing_pdf_file, str(page.out), page.filters, scope_text()),  # made when clicked
    file_name="vn-kh-briefing.pdf",
    mime="application/pdf",
    key="download_briefing_pdf",
    icon=":material/picture_as_pdf:",
    help="One landscape page per slide (key figures, charts, map, cooperation, sources), charts as vectors, "
    "the scope and build date on every page; made on this machine, offline, in a few seconds.",
)

st.header(SLIDES[slide])
{0: key_figures_slide, 1: trade_slide, 2: map_slide, 3: cooperation_slide, 4: sources_slide}[slide]()
st.page_link("pages/overview.py", label="Leave the briefing", icon=":material/close:")
