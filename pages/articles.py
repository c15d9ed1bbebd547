"""Articles: read any article with its claims and places highlighted, its metadata and claims; add more."""

from __future__ import annotations

import streamlit as st

from pages.lib import building, citation, data, facts, highlight, ui, widgets
from pages.lib.app import query_dict
from pages.lib.wording import counted

META_FIELDS = ("outlet", "author", "published", "published_basis", "language", "file", "n_sentences")
K_PICK = "article_pick"
#: The citation (key, value) whose article the picker was last set to (set once, then the user's).
K_CITED = "article_cited"
CLAIM_COLUMNS = ["label", "text", "category", "qualifier", "target", "what", "period", "section", "claim_id"]

st.title("Articles")
page = ui.page_data()
building.add_articles_panel(data.seeds_dir(), page.out)
articles = page.view.articles.sort_values("published", ascending=False)

if articles.empty:
    widgets.nothing_to_show("article")
    st.stop()

cited = citation.from_query(query_dict(), page.all.claims, page.all.articles)
if cited is not None and st.session_state.get(K_CITED) != (cited.key, cited.value):
    st.session_state[K_CITED] = (cited.key, cited.value)
    if cited.claim is None:
        st.warning(cited.problem(), icon=":material/link_off:")
    elif cited.article_id in set(articles["article_id"]):
        st.session_state[K_PICK] = cited.article_id
    else:
        st.warning("The cited figure's article is outside the current filters: widen them in the sidebar.",
                   icon=":material/filter_alt_off:")

every_title = dict(zip(page.all.articles["article_id"], page.all.articles["title"], strict=True))
labels = {
    a: f"{title} ({a})" + (f" · republished from {original}" if isinstance(original, str) else "")
    for a, title, original in zip(articles["article_id"], articles["title"], articles["duplicate_of"],
                                  strict=True)
}
current = st.session_state.get(K_PICK)
every_text = ui.article_texts(page.all)
searched = {a: every_text[a] for a in labels}  # the view's articles, newest first
choices = ui.article_choices(searched, [current] if current in labels else [], "article_search")
if not choices:
    st.stop()  # the search matches nothing (said under it)
article_id = st.selectbox("Article", choices, format_func=labels.get, key=K_PICK)
article = articles[articles["article_id"] == article_id].iloc[0]

st.subheader(widgets.plain_markdown(article["title"]), anchor=False)
original = article.get("duplicate_of")
if isinstance(original, str):
    st.info(widgets.plain_markdown(f"Republished from “{every_title.get(original, original)}” ({original}): "
                                   "the same story, so its figures count once, as the original's."),
            icon=":material/content_copy:")
copies = page.all.articles.loc[page.all.articles["duplicate_of"] == article_id, "article_id"].tolist()
if copies:
    widgets.note(f"Republished as {', '.join(copies)}.")
widgets.fields({name.replace("_", " ").capitalize(): article[name] for name in META_FIELDS})

claims = facts.labelled(page.claims[page.claims["article_id"] == article_id])
mentions = page.view.mentions[page.view.mentions["article_id"] == article_id]
text = data.load_text(str(page.out), data.data_version(page.out), article_id)

if cited is not None and cited.article_id is not None:
    if cited.article_id != article_id:  # the reader moved on: the address no longer cites it
        for key in citation.KEYS:
            st.query_params.pop(key, None)
    else:
        ui.cited_figure(cited, claims, text)

reading, side = st.columns([3, 2])
with reading:
    show = st.segmented_control(
        "Highlight",
        ["claims", "places"],
        selection_mode="multi",
        default=["claims", "places"],
        key="article_highlight",
    )
    if text is None:
        st.warning("The article's text is missing from the tables folder: rebuild the data.")
    else:
        spans = highlight.article_spans(
            claims if "claims" in show else claims.iloc[0:0],
            mentions if "places" in show else mentions.iloc[0:0],
            page.view.places,
            cited=cited.claim_id if cited is not None and cited.article_id == article_id else None,
        )
        st.html(highlight.article_html(text, spans))
with side:
    st.markdown(f"**{counted(len(claims), 'claim')}**, {counted(len(mentions), 'place mention')}")
    if claims.empty:
        st.info("No claim in this article (with the current filters).")
    else:
        st.dataframe(widgets.shown_rows(claims[CLAIM_COLUMNS], "claims"), hide_index=True,
                     key="article_claims")
        widgets.frame_download(
            "Download this article's claims (CSV)",
            claims[CLAIM_COLUMNS],
            f"claims_{article_id}.csv",
            key="download_article_claims",
        )
