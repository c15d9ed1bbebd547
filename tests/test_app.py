"""The app run headless with Streamlit's AppTest: every page, and the interactions that matter.

The tables come from the session fixture ``seed_tables`` (built from seeds/ into a temporary
folder); ``VNKH_DATA`` points the app at them. Downloads are read back from the media
storage AppTest uses, so a test can compare the offered file with the expected table.
"""

from __future__ import annotations

import io
import json
import re
import shutil
import time
import zipfile
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import ClassVar

import pandas as pd
import pytest
from streamlit.runtime.memory_media_file_storage import MemoryMediaFileStorage
from streamlit.testing.v1 import AppTest

from etl.schema import CLAIMS, LINKS, TABLES
from pages.lib import app as dashboard_app
from pages.lib import data, filters, theme, ui, widgets

REPO = Path(__file__).resolve().parents[1]
APP = REPO / "dashboard.py"
TIMEOUT = 60  # seconds: the first run imports plotly and geopandas
#: url path -> title, from the app's own list of pages (one source: pages/lib/app.py)
PAGES = {url_path: title for _, title, url_path in dashboard_app.PAGES}


class RecordingStorage(MemoryMediaFileStorage):
    """AppTest's in-memory media storage, keeping every file so a test can read a download."""

    files: ClassVar[dict[str, bytes]] = {}

    def load_and_get_id(self, path_or_data, mimetype, kind, filename=None) -> str:
        file_id = super().load_and_get_id(path_or_data, mimetype, kind, filename)
        RecordingStorage.files[file_id] = self.get_file(file_id).content
        return file_id


@pytest.fixture
def app(seed_tables: Path, monkeypatch: pytest.MonkeyPatch) -> AppTest:
    monkeypatch.setenv(data.DATA_ENV, str(seed_tables))
    monkeypatch.setenv(data.SEEDS_ENV, str(REPO / "seeds"))
    monkeypatch.setattr("streamlit.testing.v1.app_test.MemoryMediaFileStorage", RecordingStorage)
    return AppTest.from_file(str(APP), default_timeout=TIMEOUT)


def open_page(at: AppTest, page: str) -> AppTest:
    at.run()
    at.switch_page(f"pages/{page}.py")
    return at.run()


def download(at: AppTest, key: str) -> bytes:
    """The bytes a download button offers."""
    (button,) = [b for b in at.get("download_button") if b.key == key]
    return RecordingStorage.files[Path(button.proto.url).stem]


def shown_tables(at: AppTest) -> list:
    """The page's own tables, without the data tables under its charts (``widgets.chart_extras``)."""
    return [d for d in at.dataframe if not {"Series", "Item"} <= set(d.value.columns)]


def widget(at: AppTest, kind: str, key: str):
    return getattr(at, kind)(key=key)


def table(path: Path, name: str) -> pd.DataFrame:
    return pd.read_parquet(path / f"{name}.parquet")


# --- every page ------------------------------------------------------------------------------------


def test_entry_point_opens_on_the_overview(app: AppTest):
    app.run()
    assert not app.exception
    assert [t.value for t in app.title] == ["Overview"]
    assert {w.key for w in app.sidebar.multiselect} == {"f_lang", "f_articles"}
    assert any("Data as of" in c.value for c in app.sidebar.caption)


def test_key_figures_say_what_places_they_are_about_and_mark_an_inferred_date(app: AppTest, seed_tables: Path):
    at = app.run()
    notes = [str(h.proto.body) for h in at.get("html")]
    assert any("Việt Nam-Cambodia trade turnover · Vietnam–Cambodia · 2022 · achieved" in n for n in notes)
    articles = table(seed_tables, "articles")
    inferred = articles[articles["published_basis"].str.startswith("inferred", na=False)]
    shown = [(a.title, a.published) for a in inferred.itertuples() if any(a.title in n for n in notes)]
    assert shown, "a key figure comes from an article whose date was inferred"
    for title, published in shown:
        lines = [n for n in notes if title in n]
        assert all(f"{published}, inferred" in n for n in lines), lines
    listed = shown_tables(at)[0].value  # the latest articles
    assert set(listed.loc[listed["title"].isin(inferred["title"]), "published"]) == {
        f"{p}, inferred" for p in inferred["published"]}


def test_overview_draws_its_map_as_svg_and_links_to_the_interactive_map(app: AppTest):
    app.run()
    (svg,) = [m.value for m in app.markdown if m.value.startswith("<svg")]
    assert svg.count("<title>") > 88 and "Kien Giang" in svg  # every province, each with its tooltip
    assert not app.get("plotly_chart"), "the first page needs no plotly.js"
    assert "map" in {link.proto.page for link in app.get("page_link")}


@pytest.mark.parametrize("page", PAGES)
def test_page_runs(app: AppTest, page: str):
    at = open_page(app, page)
    assert not at.exception
    assert [t.value for t in at.title] == [PAGES[page]]


@pytest.mark.parametrize("page", PAGES)
def test_page_copes_with_filters_that_match_nothing(app: AppTest, page: str):
    app.query_params["lang"] = "fr"
    app.query_params["article"] = "003_952f03fc20e26940"  # an English article
    at = open_page(app, page)
    assert not at.exception
    if page not in ("data", "map"):  # the data page offers the whole tables; the map still draws provinces
        assert at.info, "an empty view says so"


# --- global filters and the URL --------------------------------------------------------------------


def test_language_filter_narrows_the_claims_and_goes_into_the_url(app: AppTest, seed_tables: Path):
    at = open_page(app, "claims")
    everything = len(shown_tables(at)[0].value)
    widget(at, "multiselect", "f_lang").set_value(["fr"]).run()
    assert not at.exception
    french = shown_tables(at)[0].value
    claims, articles = table(seed_tables, "claims"), table(seed_tables, "articles")
    french_ids = set(articles.loc[articles["language"] == "fr", "article_id"])
    expected = claims[claims["article_id"].isin(french_ids) & (claims["section"] == "body")]
    assert 0 < len(french) < everything
    assert sorted(french["claim_id"]) == sorted(expected["claim_id"])
    assert at.query_params["lang"] in ("fr", ["fr"])


def test_a_shared_link_reloads_the_same_filters(app: AppTest):
    app.query_params["lang"] = "en"
    app.query_params["furniture"] = "1"
    app.run()
    assert widget(app, "multiselect", "f_lang").value == ["en"]
    assert widget(app, "toggle", "f_furniture").value is True


def test_page_furniture_is_off_by_default(app: AppTest, seed_tables: Path):
    at = open_page(app, "claims")
    assert set(shown_tables(at)[0].value["section"]) == {"body"}
    widget(at, "toggle", "f_furniture").set_value(True).run()
    claims = table(seed_tables, "claims")
    assert len(shown_tables(at)[0].value) == len(claims)


# --- many articles: pickers narrowed by a search box ------------------------------------------------


@pytest.fixture
def few_choices(monkeypatch: pytest.MonkeyPatch) -> int:
    """Pickers list at most two articles: the five seed articles are then "many"."""
    monkeypatch.setattr(ui, "MAX_PICKER_CHOICES", 2)
    return 2


def test_with_many_articles_the_sidebar_finds_them_by_their_words(app: AppTest, few_choices: int):
    app.run()
    assert len(widget(app, "multiselect", "f_articles").options) == few_choices
    assert any("5 articles match" in c.value for c in app.sidebar.caption)
    widget(app, "text_input", "f_article_search").set_value("decentralisee").run()  # accents aside
    picker = widget(app, "multiselect", "f_articles")
    (option,) = picker.options
    assert option.startswith("2018-07-18 · Vietnam-Cambodge : renforcement de la coopération")
    picker.set_value(["001_9e19c6bcc5bb0299"]).run()
    assert not app.exception
    assert app.query_params["article"] in ("001_9e19c6bcc5bb0299", ["001_9e19c6bcc5bb0299"])
    widget(app, "text_input", "f_article_search").set_value("Cambodia ties").run()
    picker = widget(app, "multiselect", "f_articles")
    assert picker.value == ["001_9e19c6bcc5bb0299"], "a choice stays when the search moves on"
    assert len(picker.options) == 2 and picker.options[1].endswith("Viet Nam – Cambodia ties")


def test_with_many_articles_a_shared_link_keeps_its_article(app: AppTest, few_choices: int):
    app.query_params["article"] = "001_9e19c6bcc5bb0299"  # the oldest: not among the first listed
    app.run()
    picker = widget(app, "multiselect", "f_articles")
    assert picker.value == ["001_9e19c6bcc5bb0299"] and len(picker.options) == 1 + few_choices


def test_with_many_articles_the_articles_page_finds_one_by_its_words(app: AppTest, few_choices: int):
    at = open_page(app, "articles")
    assert len(widget(at, "selectbox", "article_pick").options) == few_choices
    widget(at, "text_input", "article_search").set_value("party contribution").run()
    pick = widget(at, "selectbox", "article_pick")
    assert pick.options[-1] == "Great contribution by our Party to Viet Nam – Cambodia ties (004_dae10f83133d40bb)"
    pick.set_value("004_dae10f83133d40bb").run()
    assert not at.exception
    assert at.subheader[0].value == "Great contribution by our Party to Viet Nam – Cambodia ties"
    widget(at, "text_input", "article_search").set_value("2018-07-18").run()  # a date, as in the sidebar
    assert widget(at, "selectbox", "article_pick").options[-1].endswith("(001_9e19c6bcc5bb0299)")
    widget(at, "text_input", "article_search").set_value("no such words").run()
    assert not at.exception and any("No article matches" in c.value for c in at.caption)
    assert widget(at, "selectbox", "article_pick").value == "004_dae10f83133d40bb"


# --- downloads -------------------------------------------------------------------------------------


def test_claims_csv_equals_the_filtered_table(app: AppTest, seed_tables: Path):
    at = open_page(app, "claims")
    widget(at, "multiselect", "ce_category").set_value(["education"]).run()
    assert not at.exception
    offered = download(at, "download_claims_filtered")
    claims = data.load_tables(seed_tables).claims
    expected = claims[(claims["category"] == "education") & (claims["section"] == "body")]
    assert offered == data.table_csv(CLAIMS, expected)
    rows = pd.read_csv(io.BytesIO(offered))
    assert len(rows) == len(shown_tables(at)[0].value) > 0
    assert set(rows["category"]) == {"education"}


def test_whole_claims_csv_is_the_etl_file(app: AppTest, seed_tables: Path):
    at = open_page(app, "claims")
    assert download(at, "download_claims_all") == (seed_tables / "claims.csv").read_bytes()


def test_data_page_offers_every_table_as_the_etl_wrote_it(app: AppTest, seed_tables: Path):
    at = open_page(app, "data")
    for schema in TABLES:
        assert download(at, f"download_{schema.name}") == (seed_tables / f"{schema.name}.csv").read_bytes()
    archive = zipfile.ZipFile(io.BytesIO(download(at, "download_zip")))
    assert {"claims.csv", "datapackage.json", "README.txt"} <= set(archive.namelist())


def test_data_dictionary_comes_from_the_schema(app: AppTest):
    at = open_page(app, "data")
    dictionaries = [df.value for df in at.dataframe if "column" in df.value.columns]
    assert [list(d["column"]) for d in dictionaries] == [s.column_names for s in TABLES]
    meanings = " ".join(" ".join(d["meaning"]) for d in dictionaries)
    assert "{article_id}#c{n}" in meanings and "`" not in meanings, "a table cell shows no Markdown marks"


# --- map -------------------------------------------------------------------------------------------


def test_choosing_a_province_lists_its_claims(app: AppTest, seed_tables: Path):
    at = open_page(app, "map")
    widget(at, "selectbox", "map_province").set_value("kien-giang").run()
    assert not at.exception
    assert any("Kien Giang" in h.value for h in at.subheader)
    listed = shown_tables(at)[0].value
    places = table(seed_tables, "places")
    inside = set(places.loc[places["province_id"] == "kien-giang", "place_id"]) | {"kien-giang"}
    claims = table(seed_tables, "claims")
    body = claims[claims["section"] == "body"]
    about = body[body["scope_place_ids"].fillna("").map(lambda ids: bool(inside & set(ids.split(";"))))]
    named = body[body["place_ids"].fillna("").map(lambda ids: bool(inside & set(ids.split(";"))))]
    assert set(named["claim_id"]) < set(about["claim_id"])  # more than the sentences that name it
    assert sorted(listed["claim_id"]) == sorted(about["claim_id"])
    found = dict(zip(listed["claim_id"], listed["found"], strict=True))
    # its own $548M (the article's main place) and 25 students ('La province'), found from their context
    assert found["000_1e6461ddf1f46a2e#c3"] == filters.FOUND_FROM["article"]
    assert found["000_1e6461ddf1f46a2e#c7"] == filters.FOUND_FROM["sentence"]
    assert {found[c] for c in named["claim_id"]} == {filters.FOUND_NAMED}


def test_map_switches_between_mentions_and_claims(app: AppTest):
    at = open_page(app, "map")
    at.button_group(key="map_metric").set_value("claims").run()
    assert not at.exception


def test_map_names_its_boundary_source_once(app: AppTest):
    at = open_page(app, "map")
    source = json.loads(at.get("plotly_chart")[0].proto.spec)["layout"]["annotations"]
    texts = [a.get("text", "").replace("<br>", " ") for a in source]  # source lines are wrapped
    assert sum(theme.BOUNDARY_ATTRIBUTION in text for text in texts) == 1, "in the figure"
    assert not any(theme.BOUNDARY_ATTRIBUTION in c.value for c in at.caption), "not again under it"


# --- other pages -----------------------------------------------------------------------------------


def test_trade_page_shows_one_chart_per_currency_and_a_csv(app: AppTest, seed_tables: Path):
    at = open_page(app, "trade")
    claims = table(seed_tables, "claims")
    money = claims[(claims["kind"] == "currency") & (claims["section"] == "body")]
    offered = pd.read_csv(io.BytesIO(download(at, "download_trade")))
    # one row per figure; together they hold every money claim once
    assert sorted(c for ids in offered["claim_ids"] for c in ids.split(";")) == sorted(money["claim_id"])


def test_articles_page_highlights_claims_and_places(app: AppTest):
    at = open_page(app, "articles")
    widget(at, "selectbox", "article_pick").set_value("000_1e6461ddf1f46a2e").run()
    assert not at.exception
    page = "".join(str(h.proto.body) for h in at.get("html"))
    assert "<mark" in page and "vnkh-claim" in page and "vnkh-place" in page


def test_the_reader_joins_a_word_the_page_broke_at_a_line_end(app: AppTest):
    at = open_page(app, "articles")
    widget(at, "selectbox", "article_pick").set_value("002_1bc91b7b4a1688c3").run()
    page = "".join(str(h.proto.body) for h in at.get("html"))
    assert re.search(r">Vietnam</mark> started investments", page) and "Vi-etnam" not in page
    assert "people-to-people" in page, "a real compound keeps its hyphens"


# --- a link to one figure ----------------------------------------------------------------------------


def open_link(at: AppTest, **params: str) -> AppTest:
    """The reader opened from a link carrying ``params`` (as a browser opening /articles?...)."""
    for key, value in params.items():
        at.query_params[key] = value
    return open_page(at, "articles")


def test_a_claim_link_opens_the_reader_at_the_figure_marked(app: AppTest, seed_tables: Path):
    claim = table(seed_tables, "claims").query("section == 'body'").iloc[-1]
    at = open_link(app, claim=claim["claim_id"])
    assert not at.exception
    assert widget(at, "selectbox", "article_pick").value == claim["article_id"]
    html = "".join(str(h.proto.body) for h in at.get("html"))
    assert html.count('class="vnkh-cited"') == 1, "the cited figure is marked apart in the text"
    assert any(m.value.startswith("**Cited figure:") for m in at.markdown)
    (link,) = [c.value for c in at.code]
    assert link.endswith("/articles?claim=" + claim["claim_id"].replace("#", "%23"))
    # the reader moves to another article: the address no longer cites the figure
    other = next(a for a in table(seed_tables, "articles")["article_id"] if a != claim["article_id"])
    widget(at, "selectbox", "article_pick").set_value(other).run()
    assert "claim" not in at.query_params and not at.get("html")[0].proto.body.count("vnkh-cited")


def test_a_fact_link_opens_its_first_report(fact_app: AppTest, fact_corpus):
    claims = table(fact_corpus.tables, "claims")
    several = claims.groupby("fact_id")["article_id"].nunique()
    fact_id = several[several > 1].index[0]
    at = open_link(fact_app, fact=fact_id)
    assert not at.exception
    articles = table(fact_corpus.tables, "articles").set_index("article_id")
    reports = claims[claims["fact_id"] == fact_id]
    first = min(reports["article_id"], key=lambda a: (str(articles.loc[a, "published"]), a))
    assert widget(at, "selectbox", "article_pick").value == first
    assert "first report" in page_text(at) and at.code[0].value.endswith(f"?fact={fact_id}")


def test_a_link_to_a_figure_the_tables_do_not_hold_says_so(app: AppTest):
    at = open_link(app, claim="no-such-article#c1")
    assert not at.exception
    assert [w.value for w in at.warning] == [
        "The link asks for the figure 'no-such-article#c1', which the tables do not hold (rebuilt since?)."]


def test_the_cross_check_page_gives_each_fact_its_link(fact_app: AppTest):
    at = open_page(fact_app, "crosscheck")
    links = [c.value for c in at.code]
    assert links and all("/articles?fact=" in link for link in links)


def test_briefing_download_is_one_offline_html_file(app: AppTest):
    at = open_page(app, "briefing")
    html = download(at, "download_briefing").decode("utf-8")
    assert html.startswith("<!DOCTYPE html>")
    assert "Key figures" in html and "Sources" in html
    assert "<script src" not in html
    made = re.search(r"briefing made (\S+)</p>", html).group(1)
    assert abs(datetime.fromisoformat(made) - datetime.now(UTC)) < timedelta(minutes=2), "made now, not cached"
    assert re.search(r"\b5 articles, \d+ claims", html)


def test_briefing_offers_a_pdf_made_when_asked(app: AppTest):
    at = open_page(app, "briefing")
    (button,) = [b for b in at.get("download_button") if b.key == "download_briefing_pdf"]
    assert button.proto.label == "PDF"
    assert not at.exception


@pytest.mark.parametrize(("page", "key"), [("trade", "trade_chart_USD"), ("aid", "aid_chart"),
                                           ("cooperation", "cooperation_matrix"),
                                           ("cooperation", "partner_network"), ("map", "province_map")])
def test_each_chart_offers_its_images_its_data_and_a_sentence(app: AppTest, page: str, key: str):
    at = open_page(app, page)
    assert not at.exception
    assert {f"{key}_png", f"{key}_svg"} <= {b.key for b in at.get("download_button")}
    assert any(e.label.startswith("Chart data") for e in at.expander)
    tables = [d.value for d in at.dataframe if {"Series", "Item"} <= set(d.value.columns)]
    assert tables and all(len(t) for t in tables)


def test_the_map_says_in_words_which_provinces_the_articles_name_most(app: AppTest):
    at = open_page(app, "map")
    (sentence,) = [c.value.replace("\\", "") for c in at.caption if c.value.startswith("Province map")]
    assert "Kien Giang" in sentence and "most:" in sentence


def test_briefing_moves_between_screens(app: AppTest):
    at = open_page(app, "briefing")
    assert at.header[0].value == "Key figures"
    at.button(key="briefing_next").click().run()
    assert at.header[0].value == "Trade"
    at.button(key="briefing_prev").click().run()
    at.button(key="briefing_prev").click().run()
    assert at.header[0].value == "Sources"
    assert not at.exception


def test_missing_tables_are_built_on_first_run(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    out = tmp_path / "processed"
    monkeypatch.setenv(data.DATA_ENV, str(out))
    monkeypatch.setenv(data.SEEDS_ENV, str(REPO / "seeds"))
    at = AppTest.from_file(str(APP), default_timeout=TIMEOUT).run()
    assert not at.exception
    assert (out / "build.json").exists()
    assert [t.value for t in at.title] == ["Overview"]
    assert at.get("expandable") or at.status, "the build shows a status box"
    (status,) = at.status
    furniture = int((table(out, "claims")["section"] == "related").sum())
    assert furniture and f"({furniture} in page furniture, hidden by default)" in status.label, (
        "the count says why the overview shows fewer claims")


# --- building the tables ---------------------------------------------------------------------------


def fresh_copy(seed_tables: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[Path, Path]:
    """A private copy of the seeds and of their tables, the app pointed at them."""
    seeds, out = tmp_path / "seeds", tmp_path / "processed"
    shutil.copytree(REPO / "seeds", seeds)
    shutil.copytree(seed_tables, out)
    monkeypatch.setenv(data.DATA_ENV, str(out))
    monkeypatch.setenv(data.SEEDS_ENV, str(seeds))
    return seeds, out


def test_tables_older_than_the_articles_are_rebuilt_once(seed_tables: Path, tmp_path: Path, monkeypatch):
    seeds, out = fresh_copy(seed_tables, tmp_path, monkeypatch)
    article = next(seeds.glob("*.txt"))
    article.write_text(
        article.read_text(encoding="utf-8") + "\nTrade reached $5 billion in 2023.\n", encoding="utf-8"
    )
    before = data.read_build(out)["fingerprint"]
    at = AppTest.from_file(str(APP), default_timeout=TIMEOUT).run()
    assert not at.exception
    after = data.read_build(out)["fingerprint"]
    assert after != before
    article.write_text(article.read_text(encoding="utf-8") + "\nMore text.\n", encoding="utf-8")
    at.run()  # an ordinary rerun never extracts: staleness is checked once per process
    assert data.read_build(out)["fingerprint"] == after


def test_rebuild_button_runs_the_etl(seed_tables: Path, tmp_path: Path, monkeypatch):
    _, out = fresh_copy(seed_tables, tmp_path, monkeypatch)
    built_before = data.read_build(out)["built_at"]
    at = AppTest.from_file(str(APP), default_timeout=TIMEOUT).run()
    time.sleep(1)  # built_at has one-second precision
    at.button(key="rebuild_data").click().run()
    assert not at.exception
    assert data.read_build(out)["built_at"] != built_before


def not_warmed() -> None:
    pytest.fail("left for the first visit: the warm-up did not compute it")


def test_the_server_warm_up_prepares_the_first_visit(seed_tables: Path, tmp_path: Path, monkeypatch):
    seeds, out = fresh_copy(seed_tables, tmp_path, monkeypatch)
    dashboard_app.warm_up()  # what `streamlit run dashboard.py` starts in a thread as the server starts
    assert data.build_gate(str(seeds), str(out)).checked, "the tables were checked against the articles"
    everything, unfiltered = data.load_tables(out), data.filtered_tables(out, filters.Filters())
    for tables, key in ((everything, "claims"), (everything, "date_bounds"), (everything, "article_labels"),
                        (unfiltered, ("province_svg", "mentions", "border"))):
        data.derived(tables, key, not_warmed)
    at = AppTest.from_file(str(APP), default_timeout=TIMEOUT).run()
    assert not at.exception
    assert [t.value for t in at.title] == ["Overview"]
    assert data.filtered_tables(out, at.session_state[ui.FILTERS_KEY]) is unfiltered, "the view the visit drew"


def test_the_warm_up_leaves_stale_tables_to_the_first_visit(seed_tables: Path, tmp_path: Path, monkeypatch):
    seeds, out = fresh_copy(seed_tables, tmp_path, monkeypatch)
    article = next(seeds.glob("*.txt"))
    article.write_text(article.read_text(encoding="utf-8") + "\nTrade reached $5 billion in 2023.\n",
                       encoding="utf-8")
    before = data.read_build(out)["fingerprint"]
    dashboard_app.warm_up()
    assert not data.build_gate(str(seeds), str(out)).checked
    assert data.read_build(out)["fingerprint"] == before, "nothing is built out of sight"
    at = AppTest.from_file(str(APP), default_timeout=TIMEOUT).run()
    assert not at.exception
    assert at.get("expandable") or at.status, "the visit builds them, with a status box"
    assert data.read_build(out)["fingerprint"] != before


def test_no_articles_and_no_tables_is_one_clear_error(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    (tmp_path / "seeds").mkdir()
    monkeypatch.setenv(data.DATA_ENV, str(tmp_path / "processed"))
    monkeypatch.setenv(data.SEEDS_ENV, str(tmp_path / "seeds"))
    at = AppTest.from_file(str(APP), default_timeout=TIMEOUT).run()
    assert not at.exception
    assert any("No tables" in e.value for e in at.error)


def test_page_widgets_survive_a_filter_that_removes_their_choice(app: AppTest):
    at = open_page(app, "cooperation")
    widget(at, "selectbox", "coop_province").set_value("kien-giang").run()
    widget(at, "multiselect", "f_lang").set_value(["en"]).run()
    assert not at.exception


def test_long_tables_show_their_first_rows_and_say_so(app: AppTest, seed_tables, monkeypatch):

    monkeypatch.setattr(widgets, "MAX_TABLE_ROWS", 2)
    at = open_page(app, "cooperation")
    assert not at.exception
    links = shown_tables(at)[-1]  # "All links", the page's last table
    assert list(links.value.columns) == LINKS.column_names and len(links.value) == 2
    body_links = table(seed_tables, "links").query("section == 'body'")
    assert any(f"first 2 of {len(body_links)} links" in h.proto.body for h in at.get("html"))
    # the download still offers every link of the view
    assert len(pd.read_csv(io.BytesIO(download(at, "download_links")))) == len(body_links) > 2


# --- one figure, once: a corpus of our own (conftest.FACT_ARTICLES) -------------------------------


@pytest.fixture
def fact_app(fact_corpus, monkeypatch: pytest.MonkeyPatch) -> AppTest:
    monkeypatch.setenv(data.DATA_ENV, str(fact_corpus.tables))
    monkeypatch.setenv(data.SEEDS_ENV, str(fact_corpus.seeds))
    monkeypatch.setattr("streamlit.testing.v1.app_test.MemoryMediaFileStorage", RecordingStorage)
    return AppTest.from_file(str(APP), default_timeout=TIMEOUT)


def page_text(at: AppTest) -> str:
    """Every text, note and quote a page shows."""
    parts = [m.value for m in at.markdown] + [c.value for c in at.caption]
    return "\n".join(parts + [str(h.proto.body) for h in at.get("html")])


def test_cross_check_lists_the_figures_several_outlets_report_with_their_quotes(fact_app: AppTest):
    at = open_page(fact_app, "crosscheck")
    assert not at.exception
    assert [t.value for t in at.title] == ["Cross-check"]
    text = page_text(at)
    assert "· Sources differ" in text and "· Sources agree" in text
    assert text.index("· Sources differ") < text.index("· Sources agree")  # the differing first
    assert "one outlet says $9.2B" in text and "Republished as republished" in text
    assert "Khmer Times" in text and "Vietnam-Cambodia trade hits $10.6 billion in 2022" in text  # quotes
    at.toggle(key="cc_differ").set_value(True).run()
    assert not at.exception and "· Sources agree" not in page_text(at)


def test_a_figure_many_articles_give_shows_a_few_sources_the_differing_first(fact_app: AppTest, monkeypatch):
    monkeypatch.setattr(ui, "MAX_SOURCES_SHOWN", 1)
    at = open_page(fact_app, "crosscheck")
    assert not at.exception
    text = page_text(at)
    assert re.search(r"1 of \d+ sources shown, those that differ first; every claim of this figure has "
                     r"fact_id \S+ in claims.csv", text)
    assert "· differs" in text, "the one source shown of a figure whose sources differ is one that differs"


def test_key_figures_say_their_sources_and_count_a_copy_once(fact_app: AppTest):
    at = fact_app.run()
    assert not at.exception
    text = page_text(at)
    assert "3 articles, 2 outlets" in text and "one outlet says $9.2B" in text
    listed = shown_tables(at)[0].value
    assert listed.set_index("title").loc["Record year for trade with Cambodia", "duplicate_of"] == "agency"


def test_trade_page_draws_each_figure_once_and_reads_its_sources(fact_app: AppTest, fact_corpus):
    at = open_page(fact_app, "trade")
    assert not at.exception
    offered = pd.read_csv(io.BytesIO(download(at, "download_trade")))
    assert offered["fact_id"].is_unique and (offered["label"] == "$10.6B").sum() == 1
    national = offered.index[offered["label"] == "$10.6B"][0]
    assert offered.loc[national, "sources"] == "3 articles, 2 outlets"
    at.session_state["trade_table"] = {"selection": {"rows": [int(national)], "columns": []}}  # ticked
    at.run()
    assert not at.exception
    assert any("what the sources say" in h.value for h in at.subheader)
    at.button_group(key="trade_view").set_value("series").run()
    assert not at.exception and any(c.key and c.key.startswith("trade_series") for c in at.get("plotly_chart"))


def test_aid_page_counts_facts_and_the_map_lists_a_province_s_figures_found_from_context(fact_app: AppTest):
    at = open_page(fact_app, "aid")
    assert not at.exception
    assert any(re.search(r"\b(figure|figures) from", c.value) for c in at.caption)
    at = open_page(fact_app, "map")
    widget(at, "selectbox", "map_province").set_value("kien-giang").run()
    assert not at.exception
    listed = shown_tables(at)[0].value.set_index("claim_id")["found"].to_dict()
    # "Trade between Kien Giang province and Kampot..."; "The province also granted 25 scholarships..."
    assert listed == {"province#c1": filters.FOUND_NAMED, "province#c2": filters.FOUND_FROM["sentence"]}


def test_the_reader_marks_a_republished_copy(fact_app: AppTest):
    at = open_page(fact_app, "articles")
    widget(at, "selectbox", "article_pick").set_value("republished").run()
    assert not at.exception
    assert any(i.value.startswith("Republished from") and "\\(agency\\)" in i.value for i in at.info)
    widget(at, "selectbox", "article_pick").set_value("agency").run()
    assert "Republished as republished" in page_text(at)
