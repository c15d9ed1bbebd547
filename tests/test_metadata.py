"""Article metadata from texts of our own: dates with their basis, outlet, byline, title, language."""

from __future__ import annotations

import pytest

from tests.conftest import run_extract

DATES = [
    ("date 2023-05-04 HANOI — Vietnam and Cambodia signed a deal worth $3 million.", "2023-05-04", "date line"),
    ("Trade grows\n\nUpdate: 08:30 | 14/02/2021\nVietnam and Cambodia signed deals.", "2021-02-14", "update line"),
    ("Titre\n\nPhnom Penh, 3 mars 2022 (VNA) - Le Cambodge a reçu 20 tonnes de riz.", "2022-03-03", "dateline"),
    ("Titre\n\nTay Ninh, 12 mai (VNA) - Au cours du premier trimestre 2019, 300 camions ont passé la frontière.",
     "2019-05-12", "dateline (year from text: latest year mentioned, 2019)"),
    ("Hanoi, January 9 (VNA) - In 2021, exports rose by 10%.", "2021-01-09",
     "dateline (year from text: latest year mentioned, 2021)"),
    ("Title\n\nBetween 2016 and 2021, the province trained 40 students.", "2022",
     "inferred from text: reports the period ending 2021 as past, so written in 2022 at the earliest"),
    ("Title\n\nIn 2019, the two provinces signed 3 agreements.", "2019",
     "inferred from text: latest year mentioned, 2019"),
    ("Title\n\nThe two provinces signed 3 agreements.", None, None),
    # a line that is a date alone under the headline (not a weather widget's, above it)
    ("Trade grows\n\nWednesday, September 30, 2009\n\nTrade rose by 5% in 2030.", "2009-09-30", "date line"),
    ("Le commerce progresse\n\nMardi 3 mars 2020 | 10:15\n\nLe commerce a augmenté de 5 %.", "2020-03-03",
     "date line"),
    # a saved page's date to the month, or with one-digit parts
    ("date 2020-01 Dak Lak (VNA) - The association has 1,900 members (January 7, 1979).", "2020-01", "date line"),
    ("date 2024-1-6 HANOI — Trade rose 5% in 2023.", "2024-01-06", "date line"),
    # a range of years named for a plan is not over: the article need not be written after it
    ("Title\n\nThe two provinces renewed their memorandum for 2023-2028. In 2023, trade reached $5 million.",
     "2023", "inferred from text: latest year mentioned, 2023"),
    ("Titre\n\nLes deux provinces ont renouvelé leur mémorandum pour 2023-2028. En 2023, les échanges ont "
     "atteint 5 millions de dollars.", "2023", "inferred from text: latest year mentioned, 2023"),
]


@pytest.mark.parametrize(("text", "published", "basis"), DATES, ids=[d[0][:50] for d in DATES])
def test_publication_date_and_basis(text, published, basis):
    article = run_extract(text).article
    assert (article["published"], article["published_basis"]) == (published, basis)


OUTLETS = [
    ("Hanoi, January 9 (VNA) - Trade rose.", "VNA (Vietnam News Agency)"),
    ("TGVN. Vietnam and Cambodia agreed to cooperate.", "TGVN (The Gioi & Viet Nam)"),
    ("Vietnam and Cambodia agreed to cooperate. VNS", "VNS (Viet Nam News)"),
    ("Vietnam and Cambodia agreed to cooperate.\nDes enfants (Photo : VNA)", None),
]


@pytest.mark.parametrize(("text", "outlet"), OUTLETS, ids=[o[0][:40] for o in OUTLETS])
def test_outlet_but_not_photo_credits(text, outlet):
    assert run_extract(text).article["outlet"] == outlet


BYLINES = [
    ("Title here\n\nUch Leang / Share:\nVietnam and Cambodia agreed.", "Uch Leang"),
    ("Title here\n\nBy Nguyen Van An\nVietnam and Cambodia agreed.", "Nguyen Van An"),
    ("Titre\n\nLe Vietnam aide le Cambodge.\n\nTran Quoc Huy", "Tran Quoc Huy"),
    ("Titre\n\nLe Vietnam aide le Cambodge.\n\nPrevious Article", None),
    ("Title\n\nVietnam helps Cambodia.\n\nPhnom Penh", None),
]


@pytest.mark.parametrize(("text", "author"), BYLINES, ids=[b[0][-30:] for b in BYLINES])
def test_byline(text, author):
    assert run_extract(text).article["author"] == author


def test_a_weather_widgets_date_is_not_the_articles():
    text = "31.7 C\nHo Chi Minh City\nMonday, November 25, 2024\n\nTrade grows\n\n" + "In 2023, trade rose by 5%.\n" * 6
    assert run_extract(text).article["published_basis"] != "date line"


@pytest.mark.parametrize("date", ["date 2022-09-14", "date 2022-09", "date 2022-9-4"])
def test_a_title_taken_from_a_first_line_leaves_the_pages_date_out(date):
    text = f"{date} Les exportations vers le Cambodge ont progressé\n\nLe commerce a atteint 7 milliards de dollars."
    assert run_extract(text, "fr").article["title"] == "Les exportations vers le Cambodge ont progressé"


def test_title_is_the_headline_line_not_an_advert():
    text = "cellcard cellcard cellcard\n\nKien Giang helps Kampot\n\nThe province sent 200 cadres."
    assert run_extract(text).article["title"] == "Kien Giang helps Kampot"


def test_title_falls_back_to_the_first_sentence():
    text = "date 2024-01-07 Vietnam always treasures its relationship with Cambodia. It sent 5 teams."
    assert run_extract(text).article["title"] == "Vietnam always treasures its relationship with Cambodia."


@pytest.mark.parametrize(("text", "language"), [
    ("Le Vietnam et le Cambodge ont renforcé leur coopération dans les domaines de l'agriculture.", "fr"),
    ("Vietnam and Cambodia have strengthened their cooperation in agriculture and trade.", "en"),
    ("Vietnam und Kambodscha haben ihre Zusammenarbeit im Handel und in der Landwirtschaft gestärkt.", "de"),
])
def test_language_is_detected(text, language):
    assert run_extract(text).article["language"] == language


LANGUAGE_SAMPLES = [
    "Le Vietnam et le Cambodge ont renforcé leur coopération dans les domaines de l'agriculture.",
    "VIETNAM AND CAMBODIA SIGN A TRADE DEAL",  # all capitals: lowered first
    "Xin chào các bạn, hôm nay hai tỉnh ký kết thỏa thuận hợp tác.",
    "Esto es una frase en español sobre el comercio entre los dos países.",
    "Привет, это предложение о торговле между двумя странами.",
    "Србија и Камбоџа су потписале споразум.",  # a language the model lists twice (sr and srl)
    "ព្រះរាជាណាចក្រកម្ពុជា និង វៀតណាម",
    "日本とカンボジアの貿易",
    "Kien Giang 2024: 3,5 tỷ USD",
]


@pytest.mark.parametrize("text", LANGUAGE_SAMPLES)
def test_the_language_model_decides_as_py3langid(text):
    from py3langid.langid import MODEL_FILE, LanguageIdentifier

    from etl.metadata import detect_language

    assert detect_language(text) == LanguageIdentifier.from_model_file(MODEL_FILE).classify(text)[0]


def test_the_language_model_decides_as_py3langid_on_the_seed_articles():
    from py3langid.langid import MODEL_FILE, LanguageIdentifier

    from etl.metadata import LANGUAGE_SAMPLE_CHARS, detect_language
    from tests.conftest import SEEDS

    reference = LanguageIdentifier.from_model_file(MODEL_FILE)
    for path in sorted(SEEDS.glob("*.txt")):
        text = path.read_text(encoding="utf-8")
        for start in range(0, len(text) - LANGUAGE_SAMPLE_CHARS, 997):  # samples all along the article
            sample = text[start:start + LANGUAGE_SAMPLE_CHARS]
            assert detect_language(sample) == reference.classify(sample)[0], (path.name, start)


def test_a_text_without_any_feature_of_the_model_is_undetermined():
    from etl.metadata import detect_language

    assert detect_language("ab") == "und"  # py3langid says "af", its first language, for want of any
    assert detect_language("12 345") == "und"


def test_an_unsupported_language_invents_no_claims_but_says_so():
    text = "Vietnam und Kambodscha unterzeichneten 12 Abkommen über den Handel im Jahr 2022 in Phnom Penh."
    result = run_extract(text)
    assert result.article["language"] == "de"
    assert result.claims == []
    assert "has no lexicon" in result.problems[0]["problem"]
    assert {m["place_id"] for m in result.mentions} >= {"phnom-penh"}


def test_page_furniture_is_related_and_counts_stay_on_the_body():
    text = ("Kien Giang helps Kampot\n\nThe province sent 200 cadres to Kampot.\n\nRelated Posts\n\n"
            "Laos receives 300 tonnes of rice\n\nPrevious Article\n\nSome other headline")
    result = run_extract(text, language="en")
    sections = {c["text"]: c["section"] for c in result.claims}
    assert sections == {"200 cadres": "body", "300 tonnes": "related"}
    assert result.article["n_claims"] == 1


def test_teaser_list_at_the_end_is_related():
    text = ("Title\n\n" + "Vietnam and Cambodia agreed to expand trade by 20%.\n\n" * 6 +
            "Cambodia friendly football tournament to boost relations\n"
            "Cambodia friendly football tournament to boost relations\n"
            "A friendly tournament with 16 teams kicked off in Phnom Penh on August 26.\n")
    claims = run_extract(text, language="en").claims
    assert [c["section"] for c in claims if c["text"] == "16 teams"] == ["related"]
