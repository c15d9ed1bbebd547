"""Data: files that could not be read, the data dictionary (from etl/schema.py), every table as CSV, a ZIP."""

from __future__ import annotations

from functools import partial

import pandas as pd
import streamlit as st

from etl.schema import TABLES, Table
from pages.lib import data, mimes, ui, widgets
from pages.lib.wording import counted, plain


def dictionary(table: Table) -> pd.DataFrame:
    """The table's columns as the schema declares them."""
    return pd.DataFrame(
        [
            {
                "column": c.name,
                "type": c.type,
                "required": c.required,
                "meaning": plain(c.description),
                "allowed values": ", ".join(c.enum) if c.enum else "",
            }
            for c in table.columns
        ]
    )


st.title("Data")
page = ui.page_data()
build = page.all.build
version = data.data_version(page.out)

st.markdown(
    f"Built **{build.get('built_at', 'unknown')}** from **{build.get('n_articles', '?')} articles** "
    f"(extractor `{build.get('extractor_version', '?')}`). The downloads below are the whole tables, "
    "not the filtered view; text cells that start with `=`, `+`, `-`, `@` are prefixed with `'` so "
    "a spreadsheet does not run them. Licence: ODC-By-1.0."
)
st.download_button(
    "Download everything (ZIP: CSVs, datapackage.json, README)",
    widgets.download_payload(
        sum(len(getattr(page.all, t.name)) for t in TABLES), partial(data.zip_bundle, str(page.out), version)
    ),
    file_name="vn-kh-cooperation-data.zip",
    mime=mimes.ZIP,
    key="download_zip",
    icon=":material/folder_zip:",
    type="primary",
)

st.header("Files that could not be read in full", anchor="problems")
if page.all.problems.empty:
    st.markdown("Every article file was read in full.")
else:
    st.markdown(
        "Files the ETL skipped (they are not in the tables) or read with an assumption "
        "(an encoding guessed, the main text taken from a web page)."
    )
    st.dataframe(
        page.all.problems,
        hide_index=True,
        key="problems_table",
        column_config={
            "file": st.column_config.TextColumn("File"),
            "problem": st.column_config.TextColumn("Problem", width="large"),
        },
    )
st.page_link("pages/articles.py", label="Add articles (on the Articles page)", icon=":material/upload_file:")

st.header("Data dictionary")
for table in TABLES:
    frame = getattr(page.all, table.name)
    st.subheader(f"{table.title} · `{table.name}.csv`", anchor=table.name)
    st.markdown(f"{table.description} Key: `{', '.join(table.key)}` · {counted(len(frame), 'row')}.")
    st.dataframe(
        dictionary(table),
        hide_index=True,
        key=f"dictionary_{table.name}",
        column_config={"meaning": st.column_config.TextColumn("Meaning", width="large")},
    )
    widgets.table_download(
        f"Download {table.name}.csv", table, frame, f"{table.name}.csv", key=f"download_{table.name}"
    )
