"""Drawing helpers with no page context: escaped text (quotes, notes, fields), tables as a reader
sees them, charts, CSV downloads and a figure's link. Article text is untrusted: everything from the
data is escaped here."""

from __future__ import annotations

import html
import re
from collections.abc import Callable
from functools import partial

import pandas as pd
import plotly.graph_objects as go
import streamlit as st

from etl.output import any_frame_to_csv, frame_to_csv
from etl.schema import Table
from pages.lib import citation, data, describe, mimes
from pages.lib.stamp import Stamp
from pages.lib.wording import mended

#: Plotly config for every chart: no logo link, no cloud export.
PLOTLY_CONFIG = {"displaylogo": False, "modeBarButtonsToRemove": ["sendDataToCloud"]}
IMAGE_FORMATS = {"png": "PNG image", "svg": "SVG image"}
#: Rows a table on a page shows at most; the download next to it has them all.
MAX_TABLE_ROWS = 5_000
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


def chart(fig: go.Figure, key: str, stamp: Stamp | None = None, summary: str | None = None,
          **kwargs) -> object:
    """A plotly chart with the house config (theme=None keeps the figure's own colours).

    Given a ``stamp``, the chart is followed by its text alternative (``summary``, or one made from the
    figure) and a row with its data table, one click away, and its PNG and SVG images at slide size
    (``pages.lib.images``: made only when asked for, stamped with title, source and build date)."""
    event = st.plotly_chart(fig, key=key, theme=None, config=PLOTLY_CONFIG, **kwargs)
    if stamp is not None:
        chart_extras(fig, key, stamp, summary)
    return event


def chart_extras(fig: go.Figure, key: str, stamp: Stamp, summary: str | None = None) -> None:
    """A chart's text alternative, its data table and its image downloads (see ``chart``)."""
    table = describe.chart_table(fig)
    st.caption(plain_markdown(summary or describe.summary(fig, table)))
    with st.container(horizontal=True, key=f"{key}_images"):
        for fmt, label in IMAGE_FORMATS.items():
            st.download_button(
                label, partial(_image, fig, fmt, stamp), file_name=f"{key}.{fmt}", mime=mimes.IMAGES[fmt],
                key=f"{key}_{fmt}", icon=":material/image:",
                help="The chart at slide size (1600 × 900), with its title, source line and build date",
            )
    with st.expander("Chart data: what the chart draws, as a table", icon=":material/table:"):
        st.dataframe(blank_missing_text(describe.shown_table(fig, table)), hide_index=True, key=f"{key}_data")


def _image(fig: go.Figure, fmt: str, stamp: Stamp) -> bytes:
    from pages.lib import images  # matplotlib is loaded the first time an image is asked for

    return images.chart_image(fig, fmt, stamp)


def csv_button(label: str, payload: bytes | Callable[[], bytes], file_name: str, key: str) -> None:
    st.download_button(
        label, payload, file_name=file_name, mime=mimes.CSV, key=key, icon=":material/download:"
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


def citation_link(key: str, value: str) -> None:
    """The address that opens the reader at a figure (``pages.lib.citation``), ready to copy."""
    st.code(citation.link(st.context.url or "http://localhost:8501/", key, value), language=None,
            wrap_lines=True)


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
