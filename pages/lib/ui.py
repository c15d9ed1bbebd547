"""Small rendering helpers shared by the pages (the only module here that draws).

Nothing in this module is cached: it calls the cached loaders and the pure
builders, then renders.
"""

from __future__ import annotations

import html
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
import plotly.graph_objects as go
import streamlit as st

from etl.output import protect
from etl.pipeline import EtlError
from etl.schema import Table
from pages.lib import data, facts, filters, theme
from pages.lib.tables import Tables

#: Session-state key under which dashboard.py leaves the global filters for the pages.
FILTERS_KEY = "_global_filters"
#: Set by the "Rebuild data" button's callback, consumed by dashboard.py on the next run.
REBUILD_KEY = "_rebuild_requested"
#: Plotly config for every chart: no logo link, no cloud export.
PLOTLY_CONFIG = {"displaylogo": False, "modeBarButtonsToRemove": ["sendDataToCloud"]}
CSV_MIME = "text/csv"
QUOTE_STYLE = "margin:0.2rem 0 0.8rem;padding-left:0.8rem;border-left:3px solid #bbb;color:#333;"
NOTE_STYLE = "font-size:0.85rem;color:#666;"
FIELDS_STYLE = "display:grid;grid-template-columns:repeat(auto-fill,minmax(11rem,1fr));gap:0.6rem 1.2rem;"


@dataclass(frozen=True)
class PageData:
    """What every page starts from: all tables, the filtered view, and the filters."""

    all: Tables
    view: Tables
    filters: filters.Filters
    out: Path

    @property
    def claims(self) -> pd.DataFrame:
        """Filtered claims with their article's title, outlet, date and language."""
        return facts.with_sources(self.view.claims, self.view.articles)

    @property
    def source(self) -> str:
        return theme.source_line(self.view.articles)


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
    out = data.data_dir()
    tables = data.load_tables(out)
    current = st.session_state.get(FILTERS_KEY, filters.Filters())
    return PageData(all=tables, view=filters.apply(tables, current), filters=current, out=out)


def chart(fig: go.Figure, key: str, **kwargs) -> object:
    """A plotly chart with the house config (theme=None keeps the figure's own colours)."""
    return st.plotly_chart(fig, key=key, theme=None, config=PLOTLY_CONFIG, **kwargs)


def csv_button(label: str, payload: bytes, file_name: str, key: str) -> None:
    st.download_button(
        label, payload, file_name=file_name, mime=CSV_MIME, key=key, icon=":material/download:"
    )


def table_download(label: str, table: Table, df: pd.DataFrame, file_name: str, key: str) -> None:
    """Rows of an output table as CSV, formula-protected like the ETL's own files."""
    csv_button(label, data.table_csv(table, df), file_name, key)


def frame_download(label: str, df: pd.DataFrame, file_name: str, key: str) -> None:
    """A derived table (labels, sources joined in) as CSV; every text cell formula-protected."""
    csv_button(label, frame_csv(df), file_name, key)


def frame_csv(df: pd.DataFrame) -> bytes:
    """Any frame as UTF-8 CSV, text cells guarded with ``etl.output.protect``."""

    out = df.copy()
    for column in out.columns:
        if pd.api.types.is_string_dtype(out[column]) or out[column].dtype == object:
            out[column] = out[column].map(protect, na_action="ignore")
    return out.to_csv(index=False, lineterminator="\n").encode("utf-8")


def nothing_to_show(what: str) -> None:
    st.info(
        f"No {what} matches the current filters. Widen the filters in the sidebar "
        "(languages, articles, dates, or include page furniture).",
        icon=":material/filter_alt_off:",
    )


def fields(values: dict[str, object]) -> None:
    """Labelled values in a grid (article metadata), escaped; missing values show as a dash."""
    cells = "".join(
        f'<div><div style="{NOTE_STYLE}">{html.escape(label)}</div>'
        f"<div>{'–' if _missing(value) else html.escape(str(value))}</div></div>"
        for label, value in values.items()
    )
    st.html(f'<div style="{FIELDS_STYLE}">{cells}</div>')


def _missing(value: object) -> bool:
    return value is None or (not isinstance(value, str) and bool(pd.isna(value)))


def quote(text: object) -> None:
    """A sentence from an article, escaped (article text is untrusted: no markdown, no HTML)."""
    st.html(f'<blockquote style="{QUOTE_STYLE}">{html.escape(str(text))}</blockquote>')


def note(text: object) -> None:
    """Small grey text from the data (titles, sources), escaped rather than read as markdown."""
    st.html(f'<div style="{NOTE_STYLE}">{html.escape(str(text))}</div>')


def build_tables(seeds: Path, out: Path, force: bool, reason: str) -> bool:
    """Run the ETL under a visible status box. True when it produced tables."""
    with st.status(f"Building the tables ({reason})…", expanded=True) as status:
        st.write(
            f"Reading the articles in `{seeds.name}/` and extracting figures and places. "
            "This happens once, not on every click."
        )
        try:
            result = data.build(seeds, out, force=force)
        except EtlError as error:
            status.update(label=f"Could not build the tables: {error}", state="error", expanded=True)
            return False
        note = " (already up to date)" if result.skipped else ""
        status.update(
            label=f"Tables ready{note}: {result.n_articles} articles, {result.n_claims} claims, "
            f"{result.n_mentions} place mentions",
            state="complete",
            expanded=False,
        )
        for problem in result.problems:
            st.warning(f"{problem['file']}: {problem['problem']}")
    return True


def ensure_tables(seeds: Path, out: Path) -> None:
    """Build the tables if they are missing or older than the articles — checked once per process."""

    def check() -> None:
        reason = data.staleness(seeds, out)
        if reason:
            build_tables(seeds, out, force=False, reason=reason)

    data.build_gate(str(seeds), str(out)).run_once(check)
    if not data.tables_present(out):
        st.error(
            f"No tables in `{out}` and none could be built from `{seeds}`. "
            "Check the folder (VNKH_SEEDS) and press “Rebuild data”."
        )
        st.sidebar.button("Rebuild data", key="rebuild_data_missing", on_click=request_rebuild)
        st.stop()


def request_rebuild() -> None:
    """Button callback: callbacks run before the script, so the request survives any rerun."""
    st.session_state[REBUILD_KEY] = True


def rebuild_if_requested(seeds: Path, out: Path) -> None:
    """Rebuild (forced) when the reader pressed "Rebuild data"."""
    if st.session_state.pop(REBUILD_KEY, False):
        build_tables(seeds, out, force=True, reason="asked for")
