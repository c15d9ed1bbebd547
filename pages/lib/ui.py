"""A page's context: the tables as of the current build, narrowed by the sidebar's filters (``PageData``),
what each page derives from them once per view (the province map and SVG, a fact's sources, article
pickers), and the server's warm-up. Nothing in this module is cached: it calls the cached loaders and
the pure builders, then renders (with ``pages.lib.widgets``)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from types import ModuleType

import pandas as pd
import plotly.graph_objects as go
import streamlit as st
from streamlit.delta_generator import DeltaGenerator

from pages.lib import citation, crosscheck, data, facts, filters, highlight, maps, svgmap, theme
from pages.lib.stamp import Stamp
from pages.lib.tables import Tables
from pages.lib.widgets import QUOTE_STYLE, citation_link, note, plain_markdown, quote
from pages.lib.wording import counted

#: Session-state key under which dashboard.py leaves the global filters for the pages.
FILTERS_KEY = "_global_filters"
#: An article picker lists every article up to this many; beyond, a search box narrows the list
#: (a picker of 10,000 articles sends half a megabyte to the browser at every rerun).
MAX_PICKER_CHOICES = 200
#: Sources of a fact shown side by side in one row (more go on the next), and at most this many.
SOURCES_PER_ROW, MAX_SOURCES_SHOWN = 3, 6
#: Provinces a map's one-sentence summary names.
MAP_SUMMARY_PROVINCES = 5


@dataclass(frozen=True)
class PageData:
    """What every page starts from: all tables, the filtered view, and the filters."""

    all: Tables
    view: Tables
    filters: filters.Filters
    out: Path

    @property
    def claims(self) -> pd.DataFrame:
        """Filtered claims with their article's title, outlet, date and language, label and period.

        Labels are made once per data version for every claim (formatting tens of thousands of
        figures takes a second), and each view takes its rows from there.
        """
        every = data.derived(
            self.all, "claims", lambda: facts.labelled(facts.with_sources(self.all.claims, self.all.articles))
        )
        if self.view.claims is self.all.claims:
            return every

        def in_view() -> pd.DataFrame:  # the view's own filter, applied to the labelled claims
            return filters.filter_evidence(every, self.view.articles["article_id"], self.filters.sections)

        return data.derived(self.view, "claims", in_view)

    @property
    def facts(self) -> pd.DataFrame:
        """One row per fact of the view (``crosscheck.fact_rows``): each figure once, with its sources.

        Counted over the view's claims and articles, once per view (and once for the unfiltered one)."""
        return data.derived(self.view, "fact_rows",
                            lambda: crosscheck.fact_rows(self.claims, self.view.articles))

    @property
    def source(self) -> str:
        return theme.source_line(self.view.articles)

    @property
    def stamp(self) -> Stamp:
        """What a chart's image says about itself: the view's source line and the data's build time."""
        return Stamp(self.source, str(self.all.build.get("built_at", "")))


def run_under_navigation() -> None:
    """Make sure this page runs inside dashboard.py's ``st.navigation``, not on its own.

    Streamlit sees the ``pages/`` folder and, on a server's very first run, runs a page
    requested by URL (``/map``) directly, the legacy multipage way, skipping dashboard.py
    (no filters, no navigation). Once ``st.navigation`` has been called the flag is off for
    the whole process; if it is still on here, turn it off and rerun, so the same page runs
    again through dashboard.py.
    """
    try:
        from streamlit.runtime.pages_manager import PagesManager
    except ImportError:  # a Streamlit without the legacy mode
        return
    if getattr(PagesManager, "uses_pages_directory", False):
        PagesManager.uses_pages_directory = False
        st.rerun()


def page_data() -> PageData:
    """The tables as of the current build, narrowed by the sidebar's filters."""
    run_under_navigation()
    return page_for(data.data_dir(), st.session_state.get(FILTERS_KEY, filters.Filters()))


def page_for(out: Path, chosen: filters.Filters) -> PageData:
    """The tables of ``out`` and their view under ``chosen`` (both shared: see ``pages.lib.data``)."""
    view = data.filtered_tables(out, chosen)
    return PageData(all=data.load_tables(out), view=view, filters=chosen, out=out)


def _province_counts(view: Tables) -> pd.DataFrame:
    """Mentions and claims by province for the view, once per view (the map and the overview's SVG)."""
    return data.derived(view, "province_counts",
                        lambda: maps.province_counts(view.places, view.mentions, view.claims))


def province_map(page: PageData, **options) -> go.Figure:
    """The filtered view's province map with its source line; ``options`` go to ``maps.province_map``."""
    view = page.view
    counts = _province_counts(view)
    pairs = data.derived(view, "link_pairs", lambda: maps.link_pairs(view.links, view.places))
    return maps.province_map(data.load_geometry(), view.places, view.mentions, view.claims, view.links,
                             page.source, counts=counts, pairs=pairs, **options)


def map_summary(page: PageData, metric: str = "mentions") -> str:
    """The province map in one sentence: the provinces with most mentions (or claims), for a reader who
    cannot see its colours.

    The same counts as the map's colours (``maps.province_counts``)."""
    counts = _province_counts(page.view)
    top = counts[counts[metric] > 0].nlargest(MAP_SUMMARY_PROVINCES, metric)
    if top.empty:
        return f"Province map: no province has {maps.METRICS[metric]} in the selected articles."
    names = place_names(page)
    listed = ", ".join(f"{names.get(pid, pid)} ({n:,})" for pid, n in zip(top["province_id"], top[metric],
                                                                           strict=True))
    n = int((counts[metric] > 0).sum())
    return (f"Province map: {counted(n, 'province')} with {maps.METRICS[metric]}; most: {listed}. "
            "Darker provinces have more; the table under the map lists them all.")


def province_svg(page: PageData, metric: str = "mentions", extent: str = "border") -> str:
    """The filtered view's province map as static SVG with its legend (``pages.lib.svgmap``),
    made once per view."""
    view = page.view

    def draw() -> str:
        counts = _province_counts(view)
        projected, provinces = data.projected_geometry(extent), data.load_geometry().provinces
        return svgmap.province_svg(projected, provinces, view.places, counts, metric, extent) + svgmap.legend(
            counts, metric
        )

    return data.derived(view, ("province_svg", metric, extent), draw)


def cited_figure(cited: citation.Citation, claims: pd.DataFrame, text: str | None) -> None:
    """The figure a link cites, above the article: its sentence with the figure marked, and the link."""
    rows = claims[claims["claim_id"] == cited.claim_id]
    claim = rows.iloc[0] if len(rows) else cited.claim  # outside the view's claims (furniture, say)
    label = claim["label"] if "label" in claim else claim["text"]
    with st.container(border=True):
        st.markdown(f"**Cited figure: {plain_markdown(label)}** · {plain_markdown(claim['category'])}")
        sentence = highlight.highlight_sentence(text, str(claim["quote"]), int(claim["char_start"]),
                                                int(claim["char_end"]), str(claim["text"]), str(label))
        st.html(f'<blockquote style="{QUOTE_STYLE}font-size:1.1rem;">{sentence}</blockquote>')
        if cited.key == citation.Q_FACT:
            note("The link cites a fact: this is its first report (the Cross-check page lists the others).")
        citation_link(cited.key, cited.value)


def place_names(page: PageData) -> dict[str, str]:
    """Each place's name by id (every place of the build), once per data version."""
    places = page.all.places
    return data.derived(page.all, "place_names",
                        lambda: dict(zip(places["place_id"], places["name"], strict=True)))


def fact_sources(page: PageData, fact_id: str) -> None:
    """The sources of one fact side by side: each article's figure (marked when it differs), its quote,
    its source line, and the copies republished from it."""
    # once per view and fact: the overview's key figures ask on every visit
    sources = data.derived(page.view, ("fact_sources", fact_id),
                           lambda: crosscheck.fact_sources(page.claims, page.view.articles, fact_id))
    if sources.empty:
        note("No claim of this figure in the selected articles.")
        return
    if len(sources) > MAX_SOURCES_SHOWN:
        # a figure hundreds of articles repeat would draw hundreds of cards (seconds of page); those
        # that differ come first
        note(f"{MAX_SOURCES_SHOWN} of {counted(len(sources), 'source')} shown, those that differ first; "
             f"every claim of this figure has fact_id {fact_id} in claims.csv (Data page).")
        sources = sources.sort_values("agrees", kind="stable").head(MAX_SOURCES_SHOWN)
    for start in range(0, len(sources), SOURCES_PER_ROW):
        chunk = sources.iloc[start:start + SOURCES_PER_ROW]
        for column, source in zip(st.columns(SOURCES_PER_ROW), chunk.itertuples(), strict=False):
            with column.container(border=True):
                differs = "" if source.agrees else " · differs"
                st.markdown(f"**{plain_markdown(source.label)}**{differs}")
                quote(source.quote)
                note(source.source)
                if source.copies:
                    note(f"Republished as {source.copies.replace(';', ', ')}")


def article_texts(tables: Tables) -> dict[str, str]:
    """What the "Find articles" box searches, once per data version: each article's date, whole
    title, outlet and id."""

    def texts() -> dict[str, str]:
        fields = ("published", "title", "outlet", "article_id")
        return {a.article_id: " ".join(str(getattr(a, f)) for f in fields if pd.notna(getattr(a, f)))
                for a in tables.articles.itertuples()}

    return data.derived(tables, "article_texts", texts)


def article_choices(searched: dict[str, str], chosen: list[str], search_key: str,
                    where: DeltaGenerator | ModuleType = st) -> list[str]:
    """The article ids a picker offers: every one when there are at most ``MAX_PICKER_CHOICES``;
    else a search box (in ``where``: the page or the sidebar), and the ``chosen`` ids with the first
    ids whose text in ``searched`` (id -> title, date...) holds the words typed there."""
    if len(searched) <= MAX_PICKER_CHOICES:
        return list(searched)
    query = where.text_input("Find articles", key=search_key, placeholder="Words of the title, or a date")
    options, n_matching = filters.matching_choices(searched, query, chosen, MAX_PICKER_CHOICES)
    if n_matching > MAX_PICKER_CHOICES:
        where.caption(f"{n_matching:,} articles match; the first {MAX_PICKER_CHOICES} are listed. "
                      "Type more words to narrow them.")
    elif not n_matching:
        where.caption("No article matches these words.")
    return options


def warm_view(seeds: Path, out: Path) -> PageData | None:
    """Before anyone visits: check the tables against the articles, read them, and derive what the
    overview draws for the unfiltered view (claim labels, the province map), into the caches the
    first visit reads. ``None`` (nothing done) when the tables must be built first: the first
    session does that, in view."""
    if not data.build_gate(str(seeds), str(out)).pass_if_current(lambda: data.staleness(seeds, out) is None):
        return None
    page = page_for(out, filters.Filters())
    _ = page.claims, page.facts
    province_svg(page)
    return page
