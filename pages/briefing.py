"""Briefing: one idea per screen in large type, and the whole briefing as one offline HTML file or a PDF.

A slide fits a projector's screen without scrolling, from 1366 × 768 up: the controls are one row at
the top, charts are ``SLIDE_HEIGHT`` pixels tall with labels of 16 pixels and more
(``theme.for_slide``), text is 20 pixels at 1366 and grows with the screen's width.
"""

from __future__ import annotations

from functools import partial

import streamlit as st

from pages.lib import briefing, charts, data, facts, maps, mimes, theme, ui, widgets

SLIDE_KEY = "briefing_slide"
SLIDES = ("Key figures", "Trade", "Map", "Cooperation", "Sources")
#: Chart height on a slide (px): what is left of a 768-pixel-high screen under the controls.
SLIDE_HEIGHT = 560
#: Articles listed on the Sources slide (the HTML and PDF briefings list more).
SOURCES_ON_SLIDE = 8
#: Presentation look, this page only: no sidebar, little padding, large type (20 px at 1366 px wide,
#: 26 px at 1920), the cards' long texts cut to a few lines.
CSS = """
<style>
[data-testid="stSidebar"], [data-testid="stSidebarCollapsedControl"] {display: none;}
.stMainBlockContainer {padding-top: 2.6rem; padding-bottom: 0; max-width: none;}
.stMainBlockContainer h1 {font-size: 1.6rem; padding: 0.4rem 0 0;}
.st-key-slide h2 {font-size: max(30px, 2.1vw); padding: 0 0 0.4rem;}
.st-key-slide p, .st-key-slide li, .st-key-slide blockquote, .st-key-slide .card div
    {font-size: max(20px, 1.35vw); line-height: 1.35;}
.st-key-slide .card .amount {font-size: max(44px, 3.2vw); line-height: 1.15;}
.st-key-slide .card .heading {font-size: max(20px, 1.2vw);}
.st-key-slide .cards {grid-template-columns: repeat(3, 1fr);}
.st-key-slide .card blockquote, .st-key-slide .card .meta, .st-key-slide .card .detail
    {display: -webkit-box; -webkit-box-orient: vertical; overflow: hidden;}
.st-key-slide .card blockquote {-webkit-line-clamp: 2;}
.st-key-slide .card .meta {-webkit-line-clamp: 1;}
.st-key-slide .card .detail {-webkit-line-clamp: 2;}
.st-key-slide .sources li {margin-bottom: 0.4rem;}
</style>
"""
#: Slide charts: no toolbar over their titles (the chart pages have it for zoom and images).
SLIDE_CHART_CONFIG = {"displayModeBar": False}


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


def slide_chart(figure: object, key: str) -> None:
    st.plotly_chart(theme.for_slide(figure, SLIDE_HEIGHT), key=key, theme=None,
                    config={**widgets.PLOTLY_CONFIG, **SLIDE_CHART_CONFIG})


def key_figures_slide() -> None:
    figures = charts.key_figures(claims, ui.place_names(page))
    if figures.empty:
        widgets.nothing_to_show("trade, investment or aid figure")
        return
    st.html(f"<style>{briefing.card_style()}</style>{briefing.key_figure_cards(figures)}")


def trade_slide() -> None:
    if facts.money_claims(claims, "USD").empty:
        widgets.nothing_to_show("money figure in USD")
        return
    slide_chart(charts.trade_chart(claims, "USD", page.source), key="briefing_trade")


def map_slide() -> None:
    figure = ui.province_map(page, height=SLIDE_HEIGHT, name_border=False)
    # room for the map on a 768-pixel screen: its key says what the colours mean, its legend the rest,
    # and nobody clicks a province during a talk
    figure.update_layout(title_subtitle_text="", margin_t=maps.MAP_TOP_MARGIN - theme.SUBTITLE_LINE)
    figure.update_traces(showlegend=False, selector={"meta": {"role": maps.ROLE_HANDLE}})
    slide_chart(figure, key="briefing_map")


def cooperation_slide() -> None:
    if view.links.empty:
        widgets.nothing_to_show("cooperation link")
        return
    slide_chart(charts.partner_network(view.links, view.places, source=page.source), key="briefing_network")


def sources_slide() -> None:
    if view.articles.empty:
        widgets.nothing_to_show("article")
        return
    listed = briefing.sources(view.articles)
    items = [line.split(" — file ")[0] for line in listed[:SOURCES_ON_SLIDE]]
    more = len(listed) - SOURCES_ON_SLIDE
    if more > 0:
        items.append(f"… and {more:,} more: the HTML and PDF briefings list them")
    widgets.bullet_list(items)


st.markdown(CSS, unsafe_allow_html=True)
page = ui.page_data()
view, claims = page.view, page.facts  # one row per fact: each figure once, with its sources
slide = st.session_state.setdefault(SLIDE_KEY, 0) % len(SLIDES)

with st.container(horizontal=True, vertical_alignment="center", key="briefing_controls"):
    st.title("Briefing", anchor=False, width="content")
    st.button("Previous", key="briefing_prev", on_click=move, args=(-1,), icon=":material/arrow_back:")
    st.button("Next", key="briefing_next", on_click=move, args=(1,), icon=":material/arrow_forward:")
    st.markdown(f"**{slide + 1} / {len(SLIDES)}**", width="content")
    st.download_button(
        "HTML",
        # the file is kept per view (about 5 MB); the time it says it was made is this screen's
        briefing.stamped(
            data.briefing_file(str(page.out), data.data_version(page.out), page.filters, scope_text())
        ),
        file_name="vn-kh-briefing.html",
        mime=mimes.HTML,
        key="download_briefing",
        icon=":material/download:",
        help="The briefing as one HTML file: key figures, charts, map and sources; it opens offline in any "
        "browser.",
    )
    st.download_button(
        "PDF",
        partial(data.briefing_pdf_file, str(page.out), page.filters, scope_text()),  # made when clicked
        file_name="vn-kh-briefing.pdf",
        mime=mimes.PDF,
        key="download_briefing_pdf",
        icon=":material/picture_as_pdf:",
        help="The briefing as PDF: one landscape page per slide (key figures, charts, map, cooperation, "
        "sources), charts as vectors, the scope and build date on every page; made offline in a few seconds.",
    )
    st.page_link("pages/overview.py", label="Leave", icon=":material/close:")

with st.container(key="slide"):
    st.header(SLIDES[slide], anchor=False)
    {0: key_figures_slide, 1: trade_slide, 2: map_slide, 3: cooperation_slide, 4: sources_slide}[slide]()
