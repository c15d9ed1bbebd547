"""Map: provinces of both countries coloured by mentions or claims; choose one to read its claims."""

from __future__ import annotations

import streamlit as st

from pages.lib import data, facts, filters, maps, theme, ui, widgets
from pages.lib.wording import counted

MAP_KEY, PROVINCE_KEY, LAST_CLICK_KEY = "province_map", "map_province", "_map_last_click"
#: The map's height per extent (px): both countries, from Hanoi to Ca Mau, need a tall map to be read.
EXTENT_HEIGHTS = {"border": 720, "all": 1100}
CLAIM_COLUMNS = ["label", "found", "what", "period", "category", "quote", "source", "claim_id"]


def clicked_province() -> str | None:
    """The province id of a point clicked on the map since the last run, if any."""
    event = st.session_state.get(MAP_KEY)
    points = (event or {}).get("selection", {}).get("points", [])
    ids = [p.get("customdata", [None])[0] for p in points if p.get("customdata")]
    click = tuple(ids)
    if not ids or click == st.session_state.get(LAST_CLICK_KEY):
        return None
    st.session_state[LAST_CLICK_KEY] = click
    return ids[0] or None


st.title("Map")
page = ui.page_data()
view = page.view
geometry = data.load_geometry()
provinces = geometry.provinces.sort_values(["country", "name"], ascending=[False, True])
names = {p.place_id: f"{p.name} ({theme.COUNTRY_NAMES[p.country]})" for p in provinces.itertuples()}

clicked = clicked_province()
if clicked in names:
    st.session_state[PROVINCE_KEY] = clicked

# the province picker on a row of its own: at 1400 px one row cut "Both countries" and the placeholder
controls = [*st.columns([2, 2.4, 1, 1]), st.columns([3, 2])[0]]
metric = (
    controls[0].segmented_control(
        "Colour provinces by",
        list(maps.METRICS),
        default="mentions",
        format_func=maps.METRICS.get,
        key="map_metric",
    )
    or "mentions"
)
extent = controls[1].segmented_control(
    "Show",
    list(maps.EXTENTS),
    default="border",
    key="map_extent",
    format_func={"border": "Border region", "all": "Both countries"}.get,
)
show_points = controls[2].toggle("Places", value=True, key="map_points")
show_links = controls[3].toggle("Links", value=True, key="map_links")
province = controls[4].selectbox(
    "Province",
    list(names),
    format_func=names.get,
    index=None,
    key=PROVINCE_KEY,
    placeholder="Choose a province, or click its dot on the map",
)

figure = ui.province_map(
    page,
    metric=metric,
    extent=extent or "border",
    show_points=show_points,
    show_links=show_links,
    selected=province,
    height=EXTENT_HEIGHTS.get(extent or "border", EXTENT_HEIGHTS["border"]),
)
widgets.chart(figure, key=MAP_KEY, stamp=page.stamp, summary=ui.map_summary(page, metric),
              on_select="rerun", selection_mode="points")

if province:
    st.subheader(f"Claims about {names[province]}")
    claims = filters.claims_in_province(page.claims, view.places, province)
    if claims.empty:
        st.info("No claim is about this province or a place in it, in the selected articles.")
    else:
        from_context = int((claims["found"] != filters.FOUND_NAMED).sum())
        named = len(claims) - from_context
        widgets.note(f"{counted(len(claims), 'claim')} whose figure is about it: {named} name it in their "
                f"sentence, {from_context} were found from their context (the paragraph before them, the "
                "article's main place, or 'the province' standing for it): see the column Found.")
        table = facts.labelled(claims)[CLAIM_COLUMNS]
        st.dataframe(
            widgets.shown_rows(table, "claims"),
            hide_index=True,
            key="map_claims",
            column_config={"label": "Figure", "found": "Found",
                           "quote": st.column_config.TextColumn("Quote", width="large")},
        )
        widgets.frame_download(
            "Download these claims (CSV)", table, f"claims_{province}.csv", key="download_map_claims"
        )
    links = filters.links_in_province(view.links, view.places, province)
    if not links.empty:
        st.subheader("Cooperation sentences")
        for quote in links.drop_duplicates(["article_id", "sentence_id"])["quote"]:
            widgets.quote(quote)
