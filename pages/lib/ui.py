"""Small rendering helpers shared by the pages (the only module here that draws).

Nothing in this module is cached: it calls the cached loaders and the pure
builders, then renders.
"""

from __future__ import annotations

import html
import re
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from types import ModuleType

import pandas as pd
import plotly.graph_objects as go
import streamlit as st
from streamlit.delta_generator import DeltaGenerator
from streamlit.runtime.uploaded_file_manager import UploadedFile

from etl.output import any_frame_to_csv, frame_to_csv
from etl.pipeline import EtlError
from etl.schema import Table
from pages.lib import citation, crosscheck, data, facts, filters, highlight, maps, svgmap, theme, upload
from pages.lib.tables import Tables
from pages.lib.wording import counted, mended

#: Session-state key under which dashboard.py leaves the global filters for the pages.
FILTERS_KEY = "_global_filters"
#: Set by the "Rebuild data" button's callback, consumed by dashboard.py on the next run.
REBUILD_KEY = "_rebuild_requested"
#: Plotly config for every chart: no logo link, no cloud export.
PLOTLY_CONFIG = {"displaylogo": False, "modeBarButtonsToRemove": ["sendDataToCloud"]}
CSV_MIME = "text/csv"
#: Rows a table on a page shows at most; the download next to it has them all.
MAX_TABLE_ROWS = 5_000
#: An article picker lists every article up to this many; beyond, a search box narrows the list
#: (a picker of 10,000 articles sends half a megabyte to the browser at every rerun).
MAX_PICKER_CHOICES = 200
#: Downloads of more rows than this are made when clicked, not on every rerun (see ``download_payload``).
EAGER_DOWNLOAD_ROWS = 20_000
#: Article text may hold long unbroken strings (URLs, formulas): let them wrap inside their box.
WRAP_ANYWHERE = "overflow-wrap:anywhere;"
QUOTE_STYLE = (
    "margin:0.2rem 0 0.8rem;padding-left:0.8rem;border-left:3px solid #bbb;color:#333;" + WRAP_ANYWHERE
)
NOTE_STYLE = "font-size:0.85rem;color:#666;" + WRAP_ANYWHERE
FIELDS_STYLE = "display:grid;grid-template-columns:repeat(auto-fill,minmax(11rem,1fr));gap:0.6rem 1.2rem;"
LIST_STYLE = "margin:0.2rem 0 0.8rem;padding-left:1.2rem;"
#: Every ASCII punctuation mark: Markdown lets any of them be escaped with a backslash.
_MARKDOWN_PUNCTUATION = re.compile(r"([!-/:-@\[-`{-~])")
#: Widget keys of the "Add articles" panel, and where its last report is kept between runs.
UPLOAD_KEY, ADD_KEY = "upload_articles", "add_articles"
UPLOAD_REQUESTED_KEY, UPLOAD_OUTCOME_KEY = "_upload_requested", "_upload_outcome"


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
        every = self.all.derived(
            "claims", lambda: facts.labelled(facts.with_sources(self.all.claims, self.all.articles))
        )
        if self.view.claims is self.all.claims:
            return every

        def in_view() -> pd.DataFrame:  # the view's own filter, applied to the labelled claims
            return filters.filter_evidence(every, self.view.articles["article_id"], self.filters.sections)

        return self.view.derived("claims", in_view)

    @property
    def facts(self) -> pd.DataFrame:
        """One row per fact of the view (``crosscheck.fact_rows``): each figure once, with its sources.

        Counted over the view's claims and articles, once per view (and once for the unfiltered one)."""
        return self.view.derived("fact_rows", lambda: crosscheck.fact_rows(self.claims, self.view.articles))

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
    return page_for(data.data_dir(), st.session_state.get(FILTERS_KEY, filters.Filters()))


def page_for(out: Path, chosen: filters.Filters) -> PageData:
    """The tables of ``out`` and their view under ``chosen`` (both shared: see ``pages.lib.data``)."""
    view = data.filtered_tables(out, chosen)
    return PageData(all=data.load_tables(out), view=view, filters=chosen, out=out)


def _province_counts(view: Tables) -> pd.DataFrame:
    """Mentions and claims by province for the view, once per view (the map and the overview's SVG)."""
    return view.derived(
        "province_counts", lambda: maps.province_counts(view.places, view.mentions, view.claims)
    )


def province_map(page: PageData, **options) -> go.Figure:
    """The filtered view's province map with its source line; ``options`` go to ``maps.province_map``."""
    view = page.view
    counts = _province_counts(view)
    pairs = view.derived("link_pairs", lambda: maps.link_pairs(view.links, view.places))
    return maps.province_map(data.load_geometry(), view.places, view.mentions, view.claims, view.links,
                             page.source, counts=counts, pairs=pairs, **options)


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

    return view.derived(("province_svg", metric, extent), draw)


def chart(fig: go.Figure, key: str, **kwargs) -> object:
    """A plotly chart with the house config (theme=None keeps the figure's own colours)."""
    return st.plotly_chart(fig, key=key, theme=None, config=PLOTLY_CONFIG, **kwargs)


def csv_button(label: str, payload: bytes | Callable[[], bytes], file_name: str, key: str) -> None:
    st.download_button(
        label, payload, file_name=file_name, mime=CSV_MIME, key=key, icon=":material/download:"
    )


def download_payload(rows: int, make: Callable[[], bytes]) -> bytes | Callable[[], bytes]:
    """A download's bytes, made now when the file is small; otherwise ``make`` itself, which
    Streamlit calls when the button is clicked, so no rerun spends seconds writing a file
    nobody may ask for."""
    return make() if rows <= EAGER_DOWNLOAD_ROWS else make


def figures_table(table: pd.DataFrame, key: str, file_name: str, download_key: str) -> None:
    """Figures as a table (label and quote columns named for readers) with its CSV download."""
    st.dataframe(
        shown_rows(table, "figures"),
        hide_index=True,
        key=key,
        column_config={"label": "Figure", "quote": st.column_config.TextColumn("Quote", width="large")},
    )
    frame_download("Download these figures (CSV)", table, file_name, key=download_key)


def table_download(label: str, table: Table, df: pd.DataFrame, file_name: str, key: str) -> None:
    """Rows of an output table as CSV, formula-protected like the ETL's own files."""
    # a small frame's bytes are cached on its content; hashing a large one would cost as much as writing it
    small = len(df) <= EAGER_DOWNLOAD_ROWS
    make = partial(data.table_csv, table, df) if small else partial(frame_to_csv, table, df)
    csv_button(label, download_payload(len(df), make), file_name, key)


def frame_download(label: str, df: pd.DataFrame, file_name: str, key: str) -> None:
    """A derived table (labels, sources joined in) as CSV; every text cell formula-protected."""
    csv_button(label, download_payload(len(df), partial(frame_csv, df)), file_name, key)


@st.cache_data(show_spinner=False, max_entries=32)
def frame_csv(df: pd.DataFrame) -> bytes:
    """Any frame as CSV, as the ETL writes its tables (``etl.output.any_frame_to_csv``), cached."""
    return any_frame_to_csv(df)


def shown_rows(df: pd.DataFrame, what: str, limit: int | None = None) -> pd.DataFrame:
    """The rows as a table on screen shows them: the first ``limit`` (``MAX_TABLE_ROWS``), saying so
    when there are more (a browser table of hundreds of thousands of rows takes seconds to send and
    nobody scrolls it), and an empty text cell blank (not a grey "None")."""
    limit = MAX_TABLE_ROWS if limit is None else limit
    if len(df) > limit:
        note(f"Showing the first {limit:,} of {len(df):,} {what}; narrow the filters to see others, "
             "or download them all.")
        df = df.head(limit)
    return blank_missing_text(df)


def blank_missing_text(df: pd.DataFrame) -> pd.DataFrame:
    """``df`` with empty text cells as empty strings (other columns untouched; a copy only if needed).

    >>> df = pd.DataFrame({"a": pd.array(["x", None], "string"), "n": [1, None]})
    >>> blank_missing_text(df).to_dict("list")
    {'a': ['x', ''], 'n': [1.0, nan]}
    """
    text = [c for c in df.columns if (pd.api.types.is_string_dtype(df[c]) or
                                      isinstance(df[c].dtype, pd.CategoricalDtype)) and df[c].isna().any()]
    if not text:
        return df
    out = df.copy()
    for c in text:
        column = out[c]
        if isinstance(column.dtype, pd.CategoricalDtype) and "" not in column.cat.categories:
            column = column.cat.add_categories([""])
        out[c] = column.fillna("")
    return out


#: Sources of a fact shown side by side in one row (more go on the next), and at most this many.
SOURCES_PER_ROW, MAX_SOURCES_SHOWN = 3, 6


def citation_link(key: str, value: str) -> None:
    """The address that opens the reader at a figure (``pages.lib.citation``), ready to copy."""
    st.code(citation.link(st.context.url or "http://localhost:8501/", key, value), language=None,
            wrap_lines=True)


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
    return page.all.derived("place_names", lambda: dict(zip(places["place_id"], places["name"], strict=True)))


def fact_sources(page: PageData, fact_id: str) -> None:
    """The sources of one fact side by side: each article's figure (marked when it differs), its quote,
    its source line, and the copies republished from it."""
    # once per view and fact: the overview's key figures ask on every visit
    sources = page.view.derived(("fact_sources", fact_id),
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
    st.html(f'<blockquote style="{QUOTE_STYLE}">{html.escape(mended(text))}</blockquote>')


def note(text: object) -> None:
    """Small grey text from the data (titles, sources), escaped rather than read as markdown."""
    st.html(f'<div style="{NOTE_STYLE}">{html.escape(str(text))}</div>')


def plain_markdown(text: object) -> str:
    r"""Text from the data, escaped so that Streamlit's Markdown shows it as it is.

    Article titles and file names are untrusted: unescaped, ``$...$`` becomes LaTeX,
    ``![x](url)`` loads an image from anywhere and ``:red[...]`` colours text.

    >>> print(plain_markdown("<b>$5</b> [x](javascript:y)"))
    \<b\>\$5\<\/b\> \[x\]\(javascript\:y\)
    """
    return _MARKDOWN_PUNCTUATION.sub(r"\\\1", str(text))


def bullet_list(lines: list[str]) -> None:
    """Lines from the data as an escaped bulleted list."""
    items = "".join(f"<li>{html.escape(line)}</li>" for line in lines)
    st.html(f'<ul style="{LIST_STYLE}">{items}</ul>')


def build_tables(seeds: Path, out: Path, force: bool, reason: str) -> bool:
    """Run the ETL under a visible status box. True when it produced tables."""
    with st.status(f"Building the tables ({reason})…", expanded=True) as status:
        st.write(
            f"Reading the articles in `{seeds.name}/` and extracting figures and places. "
            "This happens once, not on every click."
        )
        if upload.build_running(out):
            st.write(upload.WAITING)
        try:
            result = data.build(seeds, out, force=force)
        except EtlError as error:
            status.update(label=f"Could not build the tables: {error}", state="error", expanded=True)
            return False
        note = " (already up to date)" if result.skipped else ""
        furniture = data.furniture_claims(out)
        hidden = f" ({furniture:,} in page furniture, hidden by default)" if furniture else ""
        status.update(
            label=f"Tables ready{note}: {counted(result.n_articles, 'article')}, "
            f"{counted(result.n_claims, 'claim')}{hidden}, {counted(result.n_mentions, 'place mention')}",
            state="complete",
            expanded=False,
        )
        for problem in result.problems:
            st.warning(plain_markdown(f"{problem['file']}: {problem['problem']}"))
    return True


def article_texts(tables: Tables) -> dict[str, str]:
    """What the "Find articles" box searches, once per data version: each article's date, whole
    title, outlet and id."""

    def texts() -> dict[str, str]:
        fields = ("published", "title", "outlet", "article_id")
        return {a.article_id: " ".join(str(getattr(a, f)) for f in fields if pd.notna(getattr(a, f)))
                for a in tables.articles.itertuples()}

    return tables.derived("article_texts", texts)


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


def ensure_tables(seeds: Path, out: Path) -> None:
    """Build the tables if they are missing, damaged or older than the articles — checked once per
    process; but never from an articles folder that was replaced under the app (say so instead)."""
    replaced = data.replaced_seeds(seeds, out)

    def check() -> None:
        reason = data.staleness(seeds, out)
        if reason and not replaced:
            if reason == data.damaged(out):  # said where it stays, not only in the status box
                st.warning(plain_markdown(f"{reason}; rebuilding…"), icon=":material/build:")
            build_tables(seeds, out, force=False, reason=reason)

    data.build_gate(str(seeds), str(out)).run_once(check)
    if replaced and data.tables_present(out):
        kept = ("The tables were kept as they were built; press “Rebuild data” to rebuild them from the "
                "folder as it is now.")
        st.warning(plain_markdown(f"{replaced[0].upper()}{replaced[1:]}. {kept}"), icon=":material/warning:")
    if not data.tables_present(out):
        st.error(
            f"No tables in `{out}` and none could be built from `{seeds}`. "
            "Check the folder (VNKH_SEEDS) and press “Rebuild data”."
        )
        st.sidebar.button("Rebuild data", key="rebuild_data_missing", on_click=request_rebuild)
        st.stop()


def readable_tables(seeds: Path, out: Path) -> Tables:
    """The tables; when one cannot be read (damaged since the check, or removed), one line saying so
    and a rebuild, instead of a traceback."""
    try:
        return data.load_tables(out)
    except data.TablesUnreadable as error:
        st.warning(plain_markdown(f"{error}; rebuilding…"), icon=":material/build:")
    data.clear_caches()
    if build_tables(seeds, out, force=True, reason="the tables were damaged"):
        try:
            return data.load_tables(out)
        except data.TablesUnreadable as error:
            st.error(plain_markdown(f"{error}, even after a rebuild."))
    st.sidebar.button("Rebuild data", key="rebuild_data_damaged", on_click=request_rebuild)
    st.stop()


def request_rebuild() -> None:
    """Button callback: callbacks run before the script, so the request survives any rerun."""
    st.session_state[REBUILD_KEY] = True


def rebuild_if_requested(seeds: Path, out: Path) -> None:
    """Rebuild (forced) when the reader pressed "Rebuild data"."""
    if st.session_state.pop(REBUILD_KEY, False):
        build_tables(seeds, out, force=True, reason="asked for")


def add_articles_panel(seeds: Path, out: Path) -> None:
    """The "Add articles" uploader and button, and the report of the last files added."""
    outcome: upload.UploadOutcome | None = st.session_state.get(UPLOAD_OUTCOME_KEY)
    types = ", ".join(f".{t}" for t in upload.ACCEPTED_TYPES)
    with st.expander("Add articles", expanded=outcome is not None, icon=":material/upload_file:"):
        files = st.file_uploader(
            "Article files",
            type=list(upload.ACCEPTED_TYPES),
            accept_multiple_files=True,
            key=UPLOAD_KEY,
            max_upload_size=upload.MAX_UPLOAD_MB,
            help=f"Plain text ({types}) or a saved web page, at most {upload.MAX_UPLOAD_MB} MB per file. "
            "A file whose content is already in the corpus is skipped; a new file never replaces another.",
        )
        st.caption(
            f"Accepted: {types} · at most {upload.MAX_UPLOAD_MB} MB per file. The files are saved in "
            f"`{seeds.name}/` and the tables are rebuilt; only the new articles are read."
        )
        st.button(
            "Add and rebuild",
            key=ADD_KEY,
            type="primary",
            icon=":material/upload:",
            disabled=not files,
            on_click=request_upload,
        )
        if st.session_state.pop(UPLOAD_REQUESTED_KEY, False) and files:
            st.session_state[UPLOAD_OUTCOME_KEY] = add_uploads(files, seeds, out)
            st.rerun()  # from the top, so the sidebar and every page read the new tables
        if outcome is not None:
            upload_report(outcome)


def request_upload() -> None:
    """Button callback, like ``request_rebuild``: the request survives a rerun before the panel is drawn."""
    st.session_state[UPLOAD_REQUESTED_KEY] = True


def add_uploads(files: list[UploadedFile], seeds: Path, out: Path) -> upload.UploadOutcome:
    """Save the uploaded files and rebuild the tables under a status box; cached tables are dropped."""
    with st.status("Adding the articles and rebuilding the tables…", expanded=True) as status:
        outcome = upload.add_and_rebuild(
            [(f.name, f.getvalue()) for f in files],
            seeds,
            out,
            build=lambda s, o: data.build(s, o, force=False),
            notify=st.write,
        )
        state = "error" if outcome.error else "complete"
        status.update(label=plain_markdown(outcome.summary()), state=state, expanded=False)
    return outcome


def upload_report(outcome: upload.UploadOutcome) -> None:
    """What the last "Add and rebuild" did, file by file (names and titles escaped)."""
    if outcome.error:
        st.error(plain_markdown(outcome.error), icon=":material/error:")
    elif outcome.rebuilt is not None:
        st.success(plain_markdown(outcome.summary()), icon=":material/check_circle:")
    else:
        st.info(plain_markdown(outcome.summary()), icon=":material/info:")
    sections = [
        ("Added", [a.describe() for a in outcome.added if a.read]),
        ("Added but not readable", [a.describe() for a in outcome.unread]),
        ("Saved, not yet in the tables", list(outcome.saved) if outcome.rebuilt is None else []),
        ("Skipped", outcome.duplicate_lines()),
        ("Refused", outcome.rejected_lines()),
    ]
    for heading, lines in sections:
        if lines:
            st.markdown(f"**{heading}**")
            bullet_list(lines)
