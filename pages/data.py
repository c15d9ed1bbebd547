"""Data: the data dictionary (from etl/schema.py), every table as CSV, and one ZIP of everything."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from etl.schema import TABLES, Table
from pages.lib import data, ui


def dictionary(table: Table) -> pd.DataFrame:
    """The table's columns as the schema declares them."""
    return pd.DataFrame(
        [
            {
                "column": c.name,
                "type": c.type,
                "required": c.required,
                "meaning": c.description,
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
    data.zip_bundle(str(page.out), version),
    file_name="vn-kh-cooperation-data.zip",
    mime="application/zip",
    key="download_zip",
    icon=":material/folder_zip:",
    type="primary",
)

st.header("Data dictionary")
for table in TABLES:
    frame = getattr(page.all, table.name)
    st.subheader(f"{table.title} · `{table.name}.csv`", anchor=table.name)
    st.markdown(f"{table.description} Key: `{', '.join(table.key)}` · {len(frame)} rows.")
    st.dataframe(
        dictionary(table),
        hide_index=True,
        key=f"dictionary_{table.name}",
        column_config={"meaning": st.column_config.TextColumn("Meaning", width="large")},
    )
    ui.table_download(
        f"Download {table.name}.csv", table, frame, f"{table.name}.csv", key=f"download_{table.name}"
    )

if len(page.all.problems):
    st.header("Files that could not be read in full")
    st.dataframe(page.all.problems, hide_index=True, key="problems_table")
