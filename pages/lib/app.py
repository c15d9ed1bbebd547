"""The dashboard itself: the pages (``st.navigation``), the table check, the global filters in
the sidebar, and what the server warms up before the first visit.

``dashboard.py`` runs ``main`` for every session and, under ``streamlit run``, ``warm_up`` once as
the server starts. The tables are checked against the articles once per server process; the
filters live in the URL's query string, so a filtered view is a link.
"""

from __future__ import annotations

import logging
from datetime import date
from pathlib import Path

import pandas as pd
import streamlit as st

from pages.lib import building, citation, data, filters, ui
from pages.lib.tables import Tables

APP_TITLE = "Vietnam–Cambodia cooperation monitor"
#: The pages, the first the default: script (relative to dashboard.py), title, URL path. No page
#: icons: Streamlit would fetch a Material Symbols favicon from a font CDN.
PAGES = (
    ("pages/overview.py", "Overview", "overview"),
    ("pages/trade.py", "Trade & investment", "trade"),
    ("pages/aid.py", "Aid & people", "aid"),
    ("pages/cooperation.py", "Cooperation", "cooperation"),
    ("pages/map.py", "Map", "map"),
    ("pages/claims.py", "Claims explorer", "claims"),
    ("pages/crosscheck.py", "Cross-check", "crosscheck"),
    ("pages/articles.py", "Articles", "articles"),
    ("pages/data.py", "Data", "data"),
    ("pages/briefing.py", "Briefing", "briefing"),
)
#: The default page's own address, which nothing links to (it is served at "/", and "/overview" leads there).
DEFAULT_PAGE_PATH = "home"
#: Widget keys of the global filters.
K_LANG, K_ARTICLES, K_DATES, K_FURNITURE = "f_lang", "f_articles", "f_dates", "f_furniture"
K_ARTICLE_SEARCH = "f_article_search"  # narrows the "Articles" choices when there are many
URL_READ_KEY = "_filters_read_from_url"
DATE_BOUNDS_KEY = "_date_bounds"  # the date slider's range as last drawn
TITLE_CHARS = 60


def to_default_page() -> None:
    """The default page asked for by its name: go to it, with the filters of the link kept."""
    st.switch_page(PAGES[0][0], query_params=query_dict())


def query_dict() -> dict[str, list[str]]:
    return {key: st.query_params.get_all(key) for key in st.query_params}


def seed_widgets_from_url(tables: Tables, bounds: tuple[date, date] | None) -> None:
    """On a session's first run, set the filter widgets from the link it was opened with."""
    if st.session_state.get(URL_READ_KEY):
        return
    wanted = filters.restrict(
        filters.from_query(query_dict()), tables.articles["language"].dropna(), tables.articles["article_id"]
    )
    st.session_state[K_LANG] = list(wanted.languages)
    st.session_state[K_ARTICLES] = list(wanted.articles)
    st.session_state[K_FURNITURE] = wanted.include_related
    if bounds:
        lo, hi = bounds
        start = min(max(wanted.date_from or lo, lo), hi)
        end = max(min(wanted.date_to or hi, hi), start)
        st.session_state[K_DATES] = (start, end)
    st.session_state[URL_READ_KEY] = True


def keep_widgets_valid(tables: Tables, bounds: tuple[date, date] | None) -> None:
    """Drop stored filter values the data no longer has (after a rebuild), so no widget errors."""
    languages = set(tables.articles["language"].dropna())
    article_ids = set(tables.articles["article_id"])
    st.session_state[K_LANG] = [v for v in st.session_state.get(K_LANG, []) if v in languages]
    st.session_state[K_ARTICLES] = [v for v in st.session_state.get(K_ARTICLES, []) if v in article_ids]
    st.session_state.setdefault(K_FURNITURE, False)
    if bounds:
        lo, hi = bounds
        old_lo, old_hi = st.session_state.get(DATE_BOUNDS_KEY) or bounds
        start, end = st.session_state.get(K_DATES) or bounds
        # A handle at the old end of the range meant "no limit": it follows the range when a rebuild
        # widens it, so a newly added article is not filtered out unasked.
        start = lo if start == old_lo else min(max(start, lo), hi)
        end = hi if end == old_hi else end
        st.session_state[K_DATES] = (start, max(min(end, hi), start))
        st.session_state[DATE_BOUNDS_KEY] = bounds


def article_label(articles: pd.DataFrame) -> dict[str, str]:
    return {
        a.article_id: f"{a.published if pd.notna(a.published) else '????'} · {str(a.title)[:TITLE_CHARS]}"
        for a in articles.itertuples()
    }


def date_bounds(tables: Tables) -> tuple[date, date] | None:
    return data.derived(tables, "date_bounds", lambda: filters.date_bounds(tables.articles))


def article_labels(tables: Tables) -> dict[str, str]:
    return data.derived(tables, "article_labels", lambda: article_label(tables.articles))


def sidebar_filters(tables: Tables) -> filters.Filters:
    """The global filters' widgets; returns the filters and mirrors them into the URL."""
    articles = tables.articles
    bounds = date_bounds(tables)
    seed_widgets_from_url(tables, bounds)
    keep_widgets_valid(tables, bounds)
    st.sidebar.header("Filters")
    st.sidebar.multiselect(
        "Language", sorted(articles["language"].dropna().unique()), key=K_LANG, placeholder="All languages"
    )
    labels = article_labels(tables)
    choices = ui.article_choices(ui.article_texts(tables), st.session_state[K_ARTICLES], K_ARTICLE_SEARCH,
                                 st.sidebar)
    st.sidebar.multiselect(
        "Articles", choices, format_func=labels.get, key=K_ARTICLES, placeholder="All articles"
    )
    date_from = date_to = None
    if bounds and bounds[0] < bounds[1]:
        start, end = st.sidebar.slider(
            "Published between", min_value=bounds[0], max_value=bounds[1], key=K_DATES, format="YYYY-MM-DD"
        )
        date_from = start if start > bounds[0] else None
        date_to = end if end < bounds[1] else None
    st.sidebar.toggle(
        "Include page furniture",
        key=K_FURNITURE,
        help="Rows from teaser blocks, navigation and ads around the article (section = related).",
    )
    chosen = filters.Filters(
        languages=tuple(st.session_state[K_LANG]),
        articles=tuple(st.session_state[K_ARTICLES]),
        date_from=date_from,
        date_to=date_to,
        include_related=bool(st.session_state[K_FURNITURE]),
    )
    # a link citing one figure keeps its citation beside the filters (the reader drops it when left)
    wanted = filters.to_query(chosen) | {k: v for k, v in query_dict().items() if k in citation.KEYS}
    if wanted != query_dict():
        st.query_params.from_dict(wanted)
    return chosen


def sidebar_footer(tables: Tables, seeds: Path, out: Path) -> None:
    """The "data as of" line and the rebuild button."""
    dates = tables.articles["published"].dropna()
    newest = dates.max() if len(dates) else None  # the max of no date is NA, which "or" cannot test
    built = str(tables.build.get("built_at", "unknown")).replace("T", " ")
    st.sidebar.divider()
    st.sidebar.caption(f"Data as of **{newest or 'unknown'}** (newest article) · built {built}")
    st.sidebar.button(
        "Rebuild data",
        key="rebuild_data",
        icon=":material/refresh:",
        help="Read the articles again and rebuild every table.",
        on_click=building.request_rebuild,
    )


def main() -> None:
    st.set_page_config(page_title=APP_TITLE, layout="wide")
    # The default page lives at "/"; Streamlit's browser side knows no other address for it and met
    # "/overview" with a "Page not found" box. A hidden page answers there and goes to "/", links kept;
    # the default page's own name is one no link uses.
    pages = [st.Page(script, title=title, url_path=DEFAULT_PAGE_PATH if n == 0 else url_path, default=n == 0)
             for n, (script, title, url_path) in enumerate(PAGES)]
    named_default = st.Page(to_default_page, title=PAGES[0][1], url_path=PAGES[0][2], visibility="hidden")
    page = st.navigation([*pages, named_default])
    seeds, out = data.seeds_dir(), data.data_dir()
    building.rebuild_if_requested(seeds, out)
    building.ensure_tables(seeds, out)
    tables = building.readable_tables(seeds, out)
    st.session_state[ui.FILTERS_KEY] = sidebar_filters(tables)
    sidebar_footer(tables, seeds, out)
    page.run()


def warm_up() -> None:
    """What the first visit would wait for, done in advance: the tables checked and read, the
    sidebar's choices and the overview of the unfiltered view (see ``ui.warm_view``)."""
    try:
        page = ui.warm_view(data.seeds_dir(), data.data_dir())
        if page is not None:
            date_bounds(page.all)
            article_labels(page.all)
            ui.article_texts(page.all)
    except Exception:  # the first visit does the same work again and shows what went wrong
        logging.getLogger(__name__).exception("Warming the dashboard up failed")
