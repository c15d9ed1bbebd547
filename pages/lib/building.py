"""Building the tables from the dashboard: the first-run and stale-tables build under a status box, the
"Rebuild data" button, a damaged table's rebuild, and the "Add articles" panel (uploads)."""

from __future__ import annotations

from pathlib import Path

import streamlit as st
from streamlit.runtime.uploaded_file_manager import UploadedFile

from etl.pipeline import EtlError
from pages.lib import data, upload
from pages.lib.tables import Tables
from pages.lib.widgets import bullet_list, plain_markdown
from pages.lib.wording import counted

#: Set by the "Rebuild data" button's callback, consumed by dashboard.py on the next run.
REBUILD_KEY = "_rebuild_requested"
#: Widget keys of the "Add articles" panel, and where its last report is kept between runs.
UPLOAD_KEY, ADD_KEY = "upload_articles", "add_articles"
UPLOAD_REQUESTED_KEY, UPLOAD_OUTCOME_KEY = "_upload_requested", "_upload_outcome"


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
