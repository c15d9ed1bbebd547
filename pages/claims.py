"""Claims explorer: every quantitative claim, faceted, sortable, with its sentence highlighted."""

from __future__ import annotations

from collections.abc import Callable

import streamlit as st

from etl.schema import CLAIMS, split_ids
from pages.lib import citation, data, facts, filters, highlight, ui, widgets
from pages.lib.wording import counted

TABLE_KEY = "claims_table"
SHOWN_COLUMNS = [
    "label",
    "category",
    "kind",
    "unit",
    "qualifier",
    "target",
    "what",
    "period",
    "place_ids",
    "section",
    "language",
    "title",
    "published",
    "quote",
    "claim_id",
]
TARGET_CHOICES = {
    filters.TARGET_ALL: "All",
    filters.TARGET_ACHIEVED: "Achieved",
    filters.TARGET_ONLY: "Targets",
}


def options(column: str) -> list[str]:
    return sorted(claims[column].dropna().unique())


def facet(column: str, label: str, key: str, format_func: Callable[[str], str] = str) -> tuple[str, ...]:
    return tuple(st.multiselect(label, options(column), key=key, format_func=format_func, placeholder="All"))


st.title("Claims explorer")
page = ui.page_data()
claims = page.claims
names = {p.place_id: p.name for p in page.view.places.itertuples()}
titles = dict(zip(page.view.articles["article_id"], page.view.articles["title"], strict=True))

with st.expander("Facets", expanded=True, icon=":material/filter_list:"):
    row1 = st.columns([1, 1, 1, 1, 1.6])  # "All · Achieved · Targets" whole at 1400 px
    with row1[0]:
        categories = facet("category", "Category", "ce_category")
    with row1[1]:
        kinds = facet("kind", "Kind", "ce_kind")
    with row1[2]:
        units = facet("unit", "Unit", "ce_unit")
    with row1[3]:
        qualifiers = facet("qualifier", "Qualifier", "ce_qualifier")
    with row1[4]:
        target = (
            st.segmented_control(
                "Achieved or target",
                list(TARGET_CHOICES),
                format_func=TARGET_CHOICES.get,
                default=filters.TARGET_ALL,
                key="ce_target",
            )
            or filters.TARGET_ALL
        )
    row2 = st.columns(5)
    with row2[0]:
        languages = facet("language", "Language", "ce_language")
    with row2[1]:
        articles = facet("article_id", "Article", "ce_article", format_func=lambda a: titles.get(a, a))
    with row2[2]:
        place_options = sorted(
            {p for ids in claims["place_ids"] for p in split_ids(ids)}, key=lambda p: names.get(p, p)
        )
        places = tuple(
            st.multiselect(
                "Place named",
                place_options,
                format_func=lambda p: names.get(p, p),
                key="ce_place",
                placeholder="All",
            )
        )
    with row2[3]:
        sections = facet("section", "Section", "ce_section")
    with row2[4]:
        bounds = filters.period_bounds(claims)
        period = None
        if bounds and bounds[0] < bounds[1]:
            chosen = st.slider("Period covers", bounds[0], bounds[1], bounds, key="ce_period")
            period = None if tuple(chosen) == bounds else tuple(chosen)

facets = filters.ClaimFacets(
    categories=categories,
    kinds=kinds,
    units=units,
    qualifiers=qualifiers,
    target=target,
    languages=languages,
    articles=articles,
    places=places,
    sections=sections,
    period=period,
)
selected = filters.filter_claims(claims, facets)
st.caption(f"{len(selected):,} of {counted(len(claims), 'claim')}. "
           "Click a column header to sort; tick a row to read it.")

if selected.empty:
    widgets.nothing_to_show("claim")
else:
    table = widgets.shown_rows(facts.labelled(selected)[SHOWN_COLUMNS], "claims")
    event = st.dataframe(
        table,
        hide_index=True,
        key=TABLE_KEY,
        on_select="rerun",
        selection_mode="single-row",
        column_config={"label": "Figure", "quote": st.column_config.TextColumn("Sentence", width="large")},
    )
    rows = event.selection.rows if event else []
    if rows:
        claim = table.iloc[rows[0]]
        text = data.load_text(str(page.out), data.data_version(page.out), claim["claim_id"].split("#")[0])
        original = selected[selected["claim_id"] == claim["claim_id"]].iloc[0]
        st.subheader(f"{claim['label']} — {claim['category']}")
        sentence = highlight.highlight_sentence(
            text,
            str(original["quote"]),
            int(original["char_start"]),
            int(original["char_end"]),
            str(original["text"]),
            f"{claim['label']} · {claim['qualifier']}",
        )
        st.html(f'<blockquote style="{widgets.QUOTE_STYLE}font-size:1.1rem;">{sentence}</blockquote>')
        widgets.note(
            f"{original['source']} · {claim['claim_id']} · characters {original['char_start']}–"
            f"{original['char_end']}"
        )
        widgets.citation_link(citation.Q_CLAIM, str(claim["claim_id"]))

left, right = st.columns(2)
with left:
    widgets.table_download(
        "Download the filtered claims (CSV)",
        CLAIMS,
        selected,
        "claims_filtered.csv",
        key="download_claims_filtered",
    )
with right:
    widgets.table_download(
        "Download the whole claims table (CSV)",
        CLAIMS,
        page.all.claims,
        "claims.csv",
        key="download_claims_all",
    )
