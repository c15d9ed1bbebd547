"""Place mentions: spelling variants, misspellings, border gates, and no hits on ordinary words."""

from __future__ import annotations

from pathlib import PurePosixPath

import pytest

from tests.conftest import SEEDS, run_extract


def places(text: str, lang: str = "en") -> list[tuple[str, str]]:
    return [(m["surface"], m["place_id"]) for m in run_extract(text, language=lang).mentions]


def place_ids(text: str, lang: str = "en") -> set[str]:
    return {pid for _, pid in places(text, lang)}


SPELLINGS = [
    ("fr", "Le Vietnam et le Cambodge coopèrent.", {"vietnam", "cambodia"}),
    ("fr", "Le Royaume du Cambodge a accueilli la délégation.", {"cambodia"}),
    ("en", "Việt Nam, Viet Nam and Vietnam are one country.", {"vietnam"}),
    ("en", "The ceremony took place in Hà Nội.", {"hanoi"}),
    ("en", "VIETNAM, January 7 - HÀ NỘI — The ceremony opened.", {"vietnam", "hanoi"}),
    ("fr", "Des communes du district de Kompongtrach (Kampot) ont reçu de l'électricité.",
     {"kampong-trach", "kampot"}),
    ("en", "Trade with Kompong Cham and Kampong Cham grew.", {"kampong-cham"}),
    ("en", "Officials from Kien Giang, Kiên Giang and An Giang met.", {"kien-giang", "an-giang"}),
    ("en", "Delegates from Preah Sihanouk and Koh Kong arrived.", {"preah-sihanouk", "koh-kong"}),
    ("en", "Vi-etnam invested in Cambodia.", {"vietnam", "cambodia"}),
    ("en", "They met in Tay Ninh and Svay Rieng.", {"tay-ninh", "svay-rieng"}),
    ("en", "Delegations from Takeo and An Giang signed.", {"takeo", "an-giang"}),
    ("fr", "La Russie, le Laos et la Mongolie étaient invités.", {"russia", "laos", "mongolia"}),
    ("fr", "L'ambassade du Vietnam en République de Corée a réagi.", {"vietnam", "south-korea"}),
    ("en", "The Mekong River flows through Cambodia.", {"mekong-river", "cambodia"}),
]


@pytest.mark.parametrize(("lang", "text", "expected"), SPELLINGS, ids=[s[1][:60] for s in SPELLINGS])
def test_spellings(lang, text, expected):
    assert place_ids(text, lang) == expected


def test_a_misspelt_known_place_is_found():
    assert place_ids("The President landed at Pochenton Airport.") == {"phnom-penh-international-airport"}


def test_misspelt_names_are_looked_up_once_and_the_memo_stays_bounded(monkeypatch):
    from etl import places as P

    gazetteer = P.load_gazetteer()
    looked_up = []
    closest = gazetteer._closest_place
    monkeypatch.setattr(gazetteer, "_closest_place", lambda name: looked_up.append(name) or closest(name))
    monkeypatch.setattr(gazetteer, "_fuzzy_places", {})
    monkeypatch.setattr(P, "FUZZY_MEMO_SIZE", 2)
    names = ["Pochenton Airport", "Pochenton Airport", "Prime Minister", "Kampong Chhnangg", "Pochenton Airport"]
    found = [gazetteer.fuzzy_place(n) for n in names]
    assert found[0] == found[1] == found[4] == "phnom-penh-international-airport"
    assert found[2] is None  # common words only
    assert looked_up == ["Pochenton Airport", "Prime Minister", "Kampong Chhnangg", "Pochenton Airport"]
    assert len(gazetteer._fuzzy_places) <= 2


BORDER_GATES = [
    ("fr", "Les échanges passent par la porte frontière internationale de Ha Tien.", "ha-tien-border-gate"),
    ("fr", "Le commerce passe par la porte frontière nationale de Giang Thanh.", "giang-thanh-border-gate"),
    ("en", "Trucks queued at the Moc Bai border gate.", "moc-bai-border-gate"),
    ("en", "Trucks crossed at Bavet International Border Gate.", "bavet-border-gate"),
]


@pytest.mark.parametrize(("lang", "text", "gate"), BORDER_GATES, ids=[b[1][:60] for b in BORDER_GATES])
def test_border_gates_need_their_cue(lang, text, gate):
    assert gate in place_ids(text, lang)


def test_a_town_without_a_gate_cue_is_not_the_gate():
    assert "ha-tien-border-gate" not in place_ids("The town of Ha Tien is on the coast.")


NOT_PLACES = [
    ("en", "Cambodian and Vietnamese officials met."),
    ("fr", "Les soldats vietnamiens et le peuple cambodgien."),
    ("en", "They hope to see a long and happy future in the hue of dawn."),
    ("en", "Trade reached over US$10 billion."),
    ("en", "The deputy minister Tran Quoc Huy spoke."),
    ("en", "We thank all of us for the support."),
    ("fr", "Le colonel Trân Van Lâu a informé la délégation."),
    ("fr", "Selon le vice-président Nguyen Thanh Binh, les échanges ont progressé."),
    ("en", "Deputy Prime Minister Lê Minh Khái made the statement."),
]


def test_a_place_of_several_words_opening_with_a_family_name_is_kept():
    assert place_ids("Trade with Ho Chi Minh City rose.") == {"ho-chi-minh-city"}


@pytest.mark.parametrize(("lang", "text"), NOT_PLACES, ids=[n[1][:60] for n in NOT_PLACES])
def test_no_place_invented(lang, text):
    assert place_ids(text, lang) == set()


def test_mentions_point_at_their_surface():
    text = "Le Vietnam, y compris la province de Kien Giang, aide le Cambodge."
    result = run_extract(text, language="fr")
    for m in result.mentions:
        assert text[m["char_start"]:m["char_end"]] == m["surface"]


def test_claims_list_the_places_of_their_sentence():
    claims = run_extract("Kien Giang a envoyé 200 cadres à Kampot.", language="fr").claims
    assert claims[0]["place_ids"] == "kien-giang;kampot"


def test_links_pair_places_across_the_border():
    text = ("Kien Giang a signé des accords de coopération avec Kep et Kampot dans les domaines "
            "de l'agriculture et du tourisme.")
    links = run_extract(text, language="fr").links
    pairs = {(lk["place_a"], lk["place_b"], lk["sector"]) for lk in links}
    assert ("kien-giang", "kep", "agriculture") in pairs
    assert ("kien-giang", "kampot", "tourism") in pairs
    assert {lk["relation"] for lk in links} == {"agreement"}


@pytest.mark.parametrize("seed", sorted(SEEDS.glob("*.*")), ids=lambda p: p.name)
def test_places_found_alone_are_those_found_in_the_article_wide_scan(seed, gazetteer):
    """``extract`` finds place names in the same pass as its lexicon's words; on its own,
    ``find_mentions`` scans for them itself: the same mentions either way."""
    from etl.extract import _scanner, all_lexicons
    from etl.lexicon import load
    from etl.places import find_mentions
    from etl.reading import document_from_bytes
    from etl.text import make_view

    text = document_from_bytes(seed.read_bytes(), PurePosixPath(seed.name)).text
    view = make_view(text, gazetteer.known_words)
    lexicons = all_lexicons()
    shared = _scanner(load("en"), gazetteer).scan(view.folded, view.bounded)
    alone = find_mentions(view, gazetteer, lexicons)
    assert alone and alone == find_mentions(view, gazetteer, lexicons, shared)


#: Error classes of real news: what looks like a place but names a person or a currency.
NOT_PLACES_IN_REAL_NEWS = [
    ("en", "Nguyen said the province would help.", set()),  # a family name alone, an alias of a town
    ("fr", "L'ambassadeur du Vietnam au Cambodge, Vu Quang Minh, a exprimé son espoir.", {"vietnam", "cambodia"}),
    ("en", "Firms invested hundreds of millions of US dollars in Kratie.", {"kratie"}),
    ("en", "The US and Vietnam signed a deal.", {"united-states", "vietnam"}),
]


@pytest.mark.parametrize(("lang", "text", "expected"), NOT_PLACES_IN_REAL_NEWS,
                         ids=[s[1][:60] for s in NOT_PLACES_IN_REAL_NEWS])
def test_people_and_currencies_are_not_places(lang, text, expected):
    assert place_ids(text, lang) == expected


def test_a_photo_caption_saved_twice_is_the_articles_not_a_teaser_list():
    caption = "Des agriculteurs transportent du manioc dans la province de Banteay Meanchey. Photo Heng Chivoan"
    text = "Le manioc en hausse\n\n" + "Le Cambodge a exporté du manioc.\n" * 6 + f"{caption}\n{caption}\n"
    mentions = run_extract(text, "fr").mentions
    assert {m["section"] for m in mentions if m["place_id"] == "banteay-meanchey"} == {"body"}


#: Border gates written bare, in pairs and in lists (a gate's name that names nothing else is the gate);
#: romanisations that split a Khmer name in syllables; a piece of a longer name is not a place.
GATES_AND_SPELLINGS = [
    ("en", "Trade through the Le Thanh - Oyadav and Xa Xia - Prek Chak gates rose.",
     {"le-thanh-border-gate", "o-yadav-border-gate", "ha-tien-border-gate", "prek-chak-border-gate"}),
    ("en", "Goods crossed at Trapeang Sre and Dinh Ba.", {"trapeang-sre-border-gate", "dinh-ba-border-gate"}),
    ("fr", "Le poste frontalier de Môc Bài et celui de Vinh Xuong ont été modernisés.",
     {"moc-bai-border-gate", "vinh-xuong-border-gate"}),
    ("en", "The town of Kam Pot welcomed visitors from Dac Nong.", {"kampot", "dak-nong"}),
    ("en", "Officials from Kam Pong Svay district met.", {"kampong-svay"}),  # not "Pong" (Ban Pong)
    ("en", "Delegates from Tboung Khmum arrived.", {"tbong-khmum"}),
    ("en", "Dong Thap and Cambodia's Pray Veng province signed an agreement.", {"dong-thap", "cambodia", "prey-veng"}),
    ("fr", "La province de Pray Veng a signé un accord.", {"prey-veng"}),
]

#: A name the page split into syllables that, joined, is a name of the gazetteer; the whole name, not
#: a shorter place inside it ("Mean Chey" is a district of Phnom Penh).
SPLIT_NAMES = [
    ("en", "Donors from Phnom Penh and Ta Keo presented gifts.", [("Phnom Penh", "phnom-penh"), ("Ta Keo", "takeo")]),
    ("en", "The Kra Tie delegation visited Banteay Mean Chey.",
     [("Kra Tie", "kratie"), ("Banteay Mean Chey", "banteay-meanchey")]),
    ("fr", "Les délégations de Ta Keo et de Sihanouk Ville sont arrivées.",
     [("Ta Keo", "takeo"), ("Sihanouk Ville", "sihanoukville")]),
    ("fr", "Le district de Mean Chey, à Phnom Penh, a reçu la délégation.",
     [("Mean Chey", "mean-chey"), ("Phnom Penh", "phnom-penh")]),
]


#: A person's name after a place's, in one run of capitalised words; not a run that names a place.
PEOPLE_AFTER_PLACES = [
    ("fr", "L'ambassadeur du Vietnam au Cambodge Vu Quang Minh s'exprime.", {"vietnam", "cambodia"}),
    ("en", "The ambassador to Cambodia Vu Quang Minh spoke.", {"cambodia"}),
    ("en", "The Kien Giang Province People's Committee met.", {"kien-giang"}),
]


@pytest.mark.parametrize(("lang", "text", "expected"), PEOPLE_AFTER_PLACES, ids=[s[1][:60] for s in PEOPLE_AFTER_PLACES])
def test_a_persons_name_after_a_places_is_no_place(lang, text, expected):
    assert place_ids(text, lang) == expected


@pytest.mark.parametrize(("lang", "text"), [
    ("en", "The projects are worth US $3.8 billion."),
    ("fr", "Les projets valent 3,8 milliards de dollars US $ en tout."),
])
def test_a_currency_written_apart_from_its_country_code_is_no_place(lang, text):
    assert "united-states" not in place_ids(text, lang)


#: A short name of a town next to a capitalised word is a piece of a longer name, unless the word names its
#: level or opens the sentence.
SHORT_NAMES = [
    ("en", "Doctors at the Cho Ray Hospital examined 700 people.", []),
    ("fr", "Les habitants du district de Piem Cho ont été examinés.", []),
    ("en", "Tourists visited Hue City.", [("Hue", "hue")]),
    ("fr", "À Hue, les touristes sont nombreux.", [("Hue", "hue")]),
]


@pytest.mark.parametrize(("lang", "text", "expected"), SHORT_NAMES, ids=[s[1][:60] for s in SHORT_NAMES])
def test_a_short_town_name_next_to_a_capitalised_word_is_a_piece_of_a_longer_name(lang, text, expected):
    assert places(text, lang) == expected


@pytest.mark.parametrize(("lang", "text", "expected"), SPLIT_NAMES, ids=[s[1][:60] for s in SPLIT_NAMES])
def test_a_name_split_in_syllables_is_the_place_it_joins_into(lang, text, expected):
    assert places(text, lang) == expected


@pytest.mark.parametrize(("lang", "text", "expected"), GATES_AND_SPELLINGS, ids=[s[1][:60] for s in GATES_AND_SPELLINGS])
def test_gates_and_spellings_of_real_news(lang, text, expected):
    assert place_ids(text, lang) == expected


def test_a_town_sharing_a_gates_name_still_needs_a_cue():
    assert place_ids("The delegation visited Ha Tien.") == {"ha-tien"}


#: Page furniture seen on real pages: links marked ">>", "Must read" boxes, "NEWS SAME CATEGORY",
#: comment forms, weather widgets.
FURNITURE = [
    "Trade with Kampot rose.\n>> Vietnam and Laos sign deal\n>> Kep hosts festival",
    "Trade with Kampot rose.\n" + "Kampot sells rice.\n" * 3 + "NEWS SAME CATEGORY\nKep hosts festival",
    "Trade with Kampot rose.\n" + "Kampot sells rice.\n" * 3 + "Leave a comment\nKep hosts festival",
    "Trade with Kampot rose.\nHanoi 31°C Cloudy\n",
    "Trade with Kampot rose.\nKep 28,5 C\n",
    # a comment counter ends the article: the comments after it are the readers'
    "Trade with Kampot rose.\n" + "Kampot sells rice.\n" * 3 + "2 comments:\nKep hosts festival",
    "Trade with Kampot rose.\n" + "Kampot sells rice.\n" * 3 + "Commentaires (3)\nKep hosts festival",
]


@pytest.mark.parametrize("text", FURNITURE, ids=[t.split("\n")[-2][:40] or t[:40] for t in FURNITURE])
def test_page_furniture_of_real_news_is_related(text):
    sections = {(m["surface"], m["section"]) for m in run_extract(text, "en").mentions}
    assert ("Kampot", "body") in sections
    assert not {s for s in sections if s[0] != "Kampot" and s[1] == "body"}


def test_a_must_read_box_above_the_article_leaves_the_article_body():
    text = "Must read\nHANOI – Vietnam will import 14 GW of electricity from Laos by 2030.\n"
    assert {c["section"] for c in run_extract(text, "en").claims} == {"body"}


#: Named regions and gates added to the gazetteer from real news (curated rows with their source).
REGIONS_AND_GATES = [
    ("en", "Farmers in the Central Highlands grow coffee.", {"central-highlands"}),
    ("fr", "Les entreprises du Tay Nguyen ont planté de l'hévéa.", {"central-highlands"}),
    ("en", "Power lines from the North-Central region reach Laos.", {"north-central-coast", "laos"}),
    ("fr", "Les postes de Dak Peur et Busara ont été ouverts.", {"dak-peur-border-gate", "busra-border-gate"}),
    ("en", "The port of Kampong Saom handled more ships.", {"sihanoukville"}),
    ("fr", "Des familles du quartier de Russey Keo à Phnom Penh.", {"ruessei-kaev", "phnom-penh"}),
]


@pytest.mark.parametrize(("lang", "text", "expected"), REGIONS_AND_GATES, ids=[s[1][:60] for s in REGIONS_AND_GATES])
def test_regions_and_gates_of_real_news(lang, text, expected):
    assert place_ids(text, lang) == expected


def test_a_region_is_in_no_province():
    from etl.places import load_gazetteer

    assert load_gazetteer().places["central-highlands"].province_id is None
