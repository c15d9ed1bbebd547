"""Periods, targets and categories of figures, from sentences of our own in both languages."""

from __future__ import annotations

import pytest

from tests.conftest import run_extract


def first_claim(text: str, lang: str) -> dict:
    claims = run_extract(text, language=lang).claims
    assert claims, f"no claim found in {text!r}"
    return claims[0]


def claim_with(text: str, lang: str, surface_start: str) -> dict:
    for c in run_extract(text, language=lang).claims:
        if c["text"].startswith(surface_start):
            return c
    raise AssertionError(f"no claim starting {surface_start!r} in {text!r}")


PERIODS = [
    ("fr", "De 2015 à aujourd'hui, le commerce a atteint 548 millions de dollars.", (2015, None)),
    ("fr", "Depuis 2010, la province a formé 300 étudiants.", (2010, None)),
    ("fr", "Entre 2018 et 2022, l'université a formé 53 étudiants.", (2018, 2022)),
    ("fr", "Pendant la période 1979-1989, la province a envoyé 200 cadres.", (1979, 1989)),
    ("fr", "En 2022, les échanges ont atteint 10 milliards de dollars.", (2022, 2022)),
    ("fr", "De 2016 à 2020, 40 projets ont été réalisés.", (2016, 2020)),
    ("en", "In 2022, trade turnover reached over US$10 billion.", (2022, 2022)),
    ("en", "Since 2015, Vietnam has invested $2 billion in Cambodia.", (2015, None)),
    ("en", "Between 2018 and 2022, the university trained 53 students.", (2018, 2022)),
    ("en", "From 2016 to 2020, 40 projects were completed.", (2016, 2020)),
    ("en", "It is 41 years ago (07-01-1979 – 07-01-2020) that the troops entered.", (1979, 2020)),
    ("en", "Trade reached $5 billion in the first half of 2023.", (2023, 2023)),
    ("en", "The hospital treated 500 patients.", (None, None)),
    ("fr", "L'hôpital a soigné 500 patients.", (None, None)),
]


@pytest.mark.parametrize(("lang", "text", "period"), PERIODS, ids=[p[1][:60] for p in PERIODS])
def test_period(lang, text, period):
    c = first_claim(text, lang)
    assert (c["period_start"], c["period_end"]) == period


def test_each_figure_takes_the_nearest_period():
    text = "Vietnam invested from 2005 and from 2015 up to now has achieved up to 10 projects."
    assert (claim_with(text, "en", "up to 10")["period_start"]) == 2015


TARGETS = [
    ("en", "Trade reached over US$10 billion and the two sides were determined to soon reach $20 billion.",
     {"over US$10 billion": False, "$20 billion": True}),
    ("en", "The two countries aim to raise bilateral trade to $20 billion by 2030.", {"$20 billion": True}),
    ("en", "Both sides set a target of 5 million tourists.", {"5 million tourists": True}),
    ("en", "Exports were worth $3 billion last year.", {"$3 billion": False}),
    ("fr", "L'objectif est d'atteindre 20 milliards de dollars d'échanges.", {"20 milliards de dollars": True}),
    ("fr", "Les deux pays visent 20 milliards de dollars d'ici 2030.", {"20 milliards de dollars": True}),
    ("fr", "Les échanges ont atteint 10 milliards de dollars.", {"10 milliards de dollars": False}),
]


@pytest.mark.parametrize(("lang", "text", "expected"), TARGETS, ids=[t[1][:60] for t in TARGETS])
def test_target(lang, text, expected):
    for surface, is_target in expected.items():
        assert claim_with(text, lang, surface)["target"] is is_target, surface


def test_a_target_keeps_only_its_own_period():
    text = "In 2022, trade reached over US$10 billion and the two sides were determined to soon reach $20 billion."
    c = claim_with(text, "en", "$20 billion")
    assert (c["period_start"], c["period_end"]) == (None, None)


def test_a_deadline_is_the_end_of_a_target_period():
    c = claim_with("The two countries aim to raise trade to $20 billion by 2030.", "en", "$20 billion")
    assert c["period_end"] == 2030


CATEGORIES = [
    ("fr", "Le chiffre d'affaires des importations et des exportations a atteint 548 millions de dollars.",
     "trade"),
    ("fr", "La province a fourni de l'électricité pour 13 millions USD.", "energy"),
    ("fr", "La province a envoyé près de 200 cadres pour aider la révolution.", "aid"),
    ("fr", "L'université a formé gratuitement 53 étudiants cambodgiens.", "education"),
    ("fr", "Des milliers de patients ont reçu des soins gratuits à l'hôpital.", "health"),
    ("fr", "Kien Giang a signé des accords de coopération avec 5 provinces.", "diplomacy"),
    ("fr", "Les agriculteurs ont récolté 3 000 tonnes de riz.", "agriculture"),
    ("fr", "La province a accueilli 2 millions de touristes.", "tourism"),
    ("fr", "La démarcation de 84 % de la frontière terrestre est achevée.", "border"),
    ("en", "Vietnam has 184 investment projects in Cambodia with total capital about $2.76 billion.", "investment"),
    ("en", "Trade turnover reached over US$10 billion.", "trade"),
    ("en", "The plant supplied 160 million kWh to Kampot.", "energy"),
    ("en", "The university trained 25 students in the Vietnamese language.", "education"),
    ("en", "Doctors examined 700 patients at the field hospital.", "health"),
    ("en", "The two armies held 3 joint patrols against drug smuggling.", "security_defence"),
    ("en", "Under the Pol Pot genocide regime, more than 3 million people were murdered.", "history"),
    ("en", "They signed 12 cooperation agreements during the visit.", "diplomacy"),
    ("en", "The new bridge will be 2 km long and connect the two highways.", "infrastructure"),
    ("en", "The festival attracted 300 artists and musicians.", "culture"),
    ("en", "Vietnam donated 50 tonnes of rice as humanitarian aid.", "aid"),
]


@pytest.mark.parametrize(("lang", "text", "category"), CATEGORIES, ids=[c[1][:60] for c in CATEGORIES])
def test_category(lang, text, category):
    assert first_claim(text, lang)["category"] == category


#: A sentence that names no measure, after one of its paragraph with a figure of the same unit, is about the
#: same ("... a exporté 620.106 tonnes de riz. Cette année, le pays vise 800.000 tonnes.").
FOLLOWING = [
    ("fr", "L'an dernier, le Cambodge a exporté 620.106 tonnes de riz. Cette année, le pays vise 800.000 tonnes.",
     "800.000 tonnes", "trade"),
    ("en", "Last year Cambodia exported 620,106 tonnes of rice. This year the country aims at 800,000 tonnes.",
     "800,000 tonnes", "trade"),
    ("fr", "Le Cambodge a exporté 620.106 tonnes de riz.\n\nLa province a récolté 800.000 tonnes.", "800.000 tonnes",
     "agriculture"),
]


@pytest.mark.parametrize(("lang", "text", "surface", "category"), FOLLOWING, ids=[f[1][:60] for f in FOLLOWING])
def test_a_sentence_without_a_measure_follows_the_figure_before_it(lang, text, surface, category):
    assert claim_with(text, lang, surface)["category"] == category


#: What the figure measures decides, not the goods, the giver or the people around it (GUIDELINES,
#: categories): the measure word nearest the figure wins over every topic word.
MEASURED = [
    ("en", "Vietnam exported 12,000 tonnes of rice to Cambodia last year.", "trade"),
    ("en", "Exports of medicine to Cambodia reached $15 million.", "trade"),
    ("en", "About 40,000 tonnes of cassava were imported through the border gate.", "trade"),
    ("en", "The province donated 300 tonnes of rice to flood victims.", "aid"),
    ("en", "Vietnam granted 120 scholarships to Cambodian students.", "aid"),
    ("en", "Aid worth $4,000 was handed over to the border guards of Kampot.", "aid"),
    ("en", "More than 50,000 Cambodians visited Da Lat in 2023.", "tourism"),
    ("en", "The two sides planted 62 border markers along the line.", "border"),
    ("en", "The company put registered capital of $3 million into its cashew factory.", "investment"),
    ("en", "Exported rice takes just three months to mature in the paddies.", "agriculture"),
    ("fr", "Le Cambodge a exporté 250 000 tonnes de noix de cajou vers le Vietnam.", "trade"),
    ("fr", "Les exportations de médicaments ont atteint 8 millions de dollars.", "trade"),
    ("fr", "Les exportations de riz se sont élevées à 3 000 tonnes.", "trade"),
    ("fr", "La province a offert 500 tonnes de riz aux sinistrés.", "aid"),
    ("fr", "Le ministre a remis une aide de 20 millions de dôngs (environ 800 USD) aux gardes-frontières.", "aid"),
    ("fr", "Plus de 60 000 Vietnamiens ont visité Siem Reap.", "tourism"),
    ("fr", "Les deux provinces ont planté 40 bornes le long de la frontière.", "border"),
    ("fr", "Le pays compte 12 projets d'investissement dans l'agriculture.", "investment"),
    # people examined by doctors are health, whatever they are given for free; free of charge alone is aid
    ("fr", "Les médecins ont examiné et administré des médicaments gratuits à près de 700 personnes.", "health"),
    ("en", "The doctors examined and gave free medicines to nearly 700 people.", "health"),
    ("fr", "La province a distribué gratuitement 500 tonnes de riz aux sinistrés.", "aid"),
    # soldiers fallen or their remains are history; soldiers on duty are security and defence
    ("fr", "L'équipe a rapatrié les restes de 2.131 soldats volontaires tombés au Cambodge.", "history"),
    ("fr", "Cette unité a rapatrié 2 933 ossements de soldats.", "history"),
    ("en", "The team repatriated the remains of 2,131 fallen volunteer soldiers.", "history"),
    ("en", "They honoured 300 soldiers who were on patrol.", "security_defence"),
    # goods shipped, a country's top customer: trade
    ("fr", "Le royaume a également expédié environ 1,6 million de tonnes d'amidon de manioc.", "trade"),
    ("fr", "La Chine reste le premier client du riz cambodgien, avec quelque 230 000 tonnes.", "trade"),
    ("en", "The kingdom also shipped about 1.6 million tonnes of cassava starch.", "trade"),
    # buying and selling goods is trade, whatever the goods
    ("en", "The company planned to buy 300,000 tonnes of paddy from Cambodia.", "trade"),
    ("fr", "L'entreprise prévoit d'acheter 300 000 tonnes de paddy au Cambodge.", "trade"),
    # "produits" are goods, whatever they are; "produit" (made) is production
    ("fr", "La province exporte des engrais et des produits laitiers pour 12 millions de dollars.", "trade"),
    ("fr", "La province a produit 12 000 tonnes de riz.", "agriculture"),
    ("en", "The province exports fertiliser and dairy products worth $12 million.", "trade"),
    # a measure word in a name is part of the name ("Da Market", "the Ministry of Trade")
    ("en", "The Da Market lies about 300 meters from the border.", "border"),
    ("en", "The Ministry of Trade said 40 teachers were trained.", "education"),
    ("fr", "Le poste se trouve à 500 mètres de la frontière.", "border"),
]


@pytest.mark.parametrize(("lang", "text", "category"), MEASURED, ids=[c[1][:60] for c in MEASURED])
def test_what_the_figure_measures_decides(lang, text, category):
    assert first_claim(text, lang)["category"] == category


REFERRING_BACK = [
    ("en", "Vietnamese investment reached $2 billion. This figure is an increase of 12% on last year.", "12%",
     "investment"),
    ("fr", "Les échanges commerciaux ont atteint 9 milliards de dollars. Ce chiffre représente une hausse de 15 %.",
     "15 %", "trade"),
]


@pytest.mark.parametrize(("lang", "text", "surface", "category"), REFERRING_BACK, ids=[r[0] for r in REFERRING_BACK])
def test_a_sentence_that_refers_back_takes_the_category_of_the_figure_before(lang, text, surface, category):
    assert claim_with(text, lang, surface)["category"] == category


#: Periods, targets and hedges as the guidelines settle them, in sentences of our own:
#: (lang, sentence, claim's surface start, period_start, period_end, target, qualifier)
REAL_NEWS_ATTRIBUTES = [
    # "until" and "jusqu'en" end a period; a future verb makes every figure of its clause a forecast
    ("en", "From now until 2035, the country may buy 9 GW from Laos, 2 GW from China and 1 GW from Cambodia.",
     "2 GW", None, 2035, True, "exact"),
    ("fr", "Jusqu'en 2028, le pays pourrait importer 3 GW du Laos.", "3 GW", None, 2028, True, "exact"),
    ("en", "The firm will spend $20 million planting cashew on 900ha in Kratie.", "900ha", None, None, True, "exact"),
    ("fr", "Ce programme pourrait créer environ 12 000 emplois.", "environ 12 000 emplois", None, None, True, "approx"),
    ("fr", "Cette année, 2 millions de visiteurs sont attendus au Cambodge.", "2 millions de visiteurs", None, None,
     True, "exact"),
    ("en", "Hun Sen ordered to build three new border markets.", "three new border markets", None, None, True,
     "exact"),
    ("fr", "Les deux pays ont convenu de porter cette année le commerce à plus de 12 milliards de dollars.",
     "plus de 12 milliards", None, None, True, "more_than"),
    # a past verb after the future one leaves the figure achieved; "to raise awareness" is no goal
    ("en", "The fund will help families who received $3,000 last year.", "$3,000", None, None, False, "exact"),
    ("en", "In May, trade reached $2 billion.", "$2 billion", None, None, False, "exact"),
    ("fr", "Le coût va de 30 à 70 millions de dollars.", "30 à 70", None, None, False, "range"),
    ("en", "The association held 120 sessions to raise awareness of border rules for 9,000 residents.",
     "9,000 residents", None, None, False, "exact"),
    # "de 2022" is "of 2022"; "En2012" on a page that lost its space
    ("fr", "Au cours des six premiers mois de 2022, le commerce a atteint 3 milliards de dollars.",
     "3 milliards", 2022, 2022, False, "exact"),
    ("fr", "En2012, le pays a accueilli 3,5 millions de touristes.", "3,5 millions", 2012, 2012, False, "exact"),
    # a sentence glued to the next one does not lend it its year
    ("fr", "Le commerce a atteint 7 milliards de dollars en 2022.Concernant la balance, le déficit était de 400 "
           "millions de dollars.", "400 millions", None, None, False, "exact"),
    # "over" as a particle, and "over" meaning during
    ("en", "The guards handed over 60 bicycles to pupils.", "60 bicycles", None, None, False, "exact"),
    ("en", "The company will farm the land over 50 years.", "50 years", None, None, True, "exact"),
    ("en", "The two peoples have been friends for over 50 years.", "over 50 years", None, None, False, "more_than"),
    # verbs of exceeding hedge the figure from outside its span; "plus" alone before a number
    ("fr", "Les exportations dépassent le million de tonnes.", "le million de tonnes", None, None, False, "more_than"),
    ("fr", "La province a investi plus 500 milliards de dongs.", "plus 500 milliards", None, None, False, "more_than"),
    # a year right after a figure is that figure's only, past "while"; one opening the sentence reaches it all
    ("en", "Exports rose 50 percent to $277 million, from $186 million in 2009, while imports increased about 36 "
           "percent.", "about 36 percent", None, None, False, "approx"),
    ("fr", "Les exportations ont atteint 277 millions de dollars, contre 186 millions en 2009, tandis que les "
           "importations ont augmenté de 36 %.", "36 %", None, None, False, "exact"),
    ("en", "In 2022, trade reached $5 billion while investment reached $2 billion.", "$2 billion", 2022, 2022,
     False, "exact"),
    # an English headline's "to" before a verb is a future ("Vietnam to supply 400MW"); "to" before a name or a
    # figure is not
    ("en", "Vietnam to supply 400MW to Cambodia in 2025\n\nThe plan was agreed.", "400MW", 2025, 2025, True,
     "exact"),
    ("en", "Exports to Cambodia reach $5 billion\n\nThe figure is a record.", "$5 billion", None, None, False,
     "exact"),
    ("en", "Trade up 20% to $5 billion\n\nTrade rose.", "$5 billion", None, None, False, "exact"),
    ("en", "Vietnam to supply 400MW to Cambodia in 2025.", "400MW", 2025, 2025, False, "exact"),
    # a future or conditional verb right after the figure makes it a goal; one further on does not
    ("fr", "Jusqu'à 100 000 personnes pourraient être accueillies sur le site.", "Jusqu'à 100 000", None, None,
     True, "up_to"),
    ("en", "About 300 new jobs will be created this year.", "About 300 new jobs", None, None, True, "approx"),
    ("en", "The company has grown nearly 7,600ha and will finish the project soon.", "nearly 7,600ha", None, None,
     False, "approx"),
    ("en", "The 300 people who attended will remember it.", "300 people", None, None, False, "exact"),
    # the year a change is compared with is not the figures' period
    ("en", "In the first seven months of 2019, Cambodia received 470,000 tourists, an increase of 4.6 percent "
           "compared to the same period in 2018.", "4.6 percent", 2019, 2019, False, "exact"),
    ("fr", "En août, le nombre des touristes a grimpé, avec 205% par rapport à la même période de 2019.", "205%",
     None, None, False, "exact"),
    ("fr", "En 2024, les échanges ont atteint 10 milliards de dollars, contre 8 milliards en 2023.", "10 milliards",
     2024, 2024, False, "exact"),
    # "since" before an event and its year opens a period; a goal may be agreed in the feminine; "24 e" is a rank
    ("fr", "Depuis le lancement de ces opérations en 2001, la province a rapatrié 8.627 restes de martyrs.",
     "8.627 restes", 2001, None, False, "exact"),
    ("en", "Since its establishment in 1999, the fund has given over 50,000 scholarships.", "over 50,000", 1999,
     None, False, "more_than"),
    ("fr", "Elles se sont engagées à maintenir 11 équipes au Cambodge.", "11 équipes", None, None, True, "exact"),
    ("en", "They committed to keeping 11 teams in Cambodia.", "11 teams", None, None, True, "exact"),
    # the year of the page's date or of the dateline is when the article was written, not a period
    ("en", "Title\n\ndate 2025-04-26 PHNOM PENH — Over nearly 17 years, the firms employed 10,000 workers.",
     "10,000 workers", None, None, False, "exact"),
    ("en", "Title\n\nHanoi, January 7, 2024 (VNA) - Trade reached $5 billion.", "$5 billion", None, None, False,
     "exact"),
    ("fr", "Titre\n\nPhnom Penh, 3 mars 2022 (VNA) - Le Cambodge a reçu 20 tonnes de riz.", "20 tonnes", None, None,
     False, "exact"),
    ("fr", "Titre\n\ndate 2022-09 Le commerce a atteint 7,7 milliards de dollars.", "7,7 milliards", None, None,
     False, "exact"),
    # two years joined by a dash end a sentence; a year-like number that is itself a figure is no period
    ("fr", "Les échanges ont atteint plus de 257 millions de dollars en 2017-2018.", "plus de 257", 2017, 2018,
     False, "more_than"),
    ("en", "Trade reached $257 million in 2017-2018.", "$257 million", 2017, 2018, False, "exact"),
    ("en", "Its capacity is 400MW with an average output of 1998 million KWh per year.", "400MW", None, None, False,
     "exact"),
    ("fr", "Sa capacité est de 400 MW pour une production de 1998 millions de kWh par an.", "400 MW", None, None,
     False, "exact"),
    # "estimated at" hedges; a future passive or perfect is a goal ("will be increased to")
    ("en", "Its capacity is estimated at 400MW.", "estimated at 400MW", None, None, False, "approx"),
    ("fr", "Sa capacité est estimée à 400 MW.", "estimée à 400 MW", None, None, False, "approx"),
    ("en", "The supply will be renewed and increased to 400 MW in 2025.", "400 MW", 2025, 2025, True, "exact"),
    ("en", "By then the province will have reached 5,000 tonnes.", "5,000 tonnes", None, None, True, "exact"),
    ("fr", "L'approvisionnement sera porté à 400 MW en 2025.", "400 MW", 2025, 2025, True, "exact"),
    # a change from one figure to another: the first is where it starts, the second the goal
    ("en", "The plan is to raise the quota from 50 to 120 MW.", "50", None, None, False, "exact"),
    ("en", "The plan is to raise the quota from 50 to 120 MW.", "120 MW", None, None, True, "exact"),
    ("en", "He asked to increase the amount of electricity his country supplies from 80 megawatts to 200 megawatts.",
     "80 megawatts", None, None, False, "exact"),
    ("en", "He asked to increase the amount of electricity his country supplies from 80 megawatts to 200 megawatts.",
     "200 megawatts", None, None, True, "exact"),
    ("fr", "Le plan vise à porter la part de l'électricité vendue au Cambodge de 80 à 200 MW.", "200 MW", None, None,
     True, "exact"),
    ("fr", "Le plan vise à porter la part de l'électricité vendue au Cambodge de 80 à 200 MW.", "80", None, None,
     False, "exact"),
]


@pytest.mark.parametrize(("lang", "text", "surface", "first", "last", "target", "qualifier"), REAL_NEWS_ATTRIBUTES,
                         ids=[r[1][:60] for r in REAL_NEWS_ATTRIBUTES])
def test_periods_targets_and_hedges_of_real_news(lang, text, surface, first, last, target, qualifier):
    c = claim_with(text, lang, surface)
    assert (c["period_start"], c["period_end"], c["target"], c["qualifier"]) == (first, last, target, qualifier)


SPANS = [
    ("en", "They repatriated 177 sets of remains of soldiers.", "177 sets of remains"),
    ("fr", "Le Cambodge a attiré 68 projets d'investissement de Chine.", "68 projets d'investissement"),
    ("fr", "Il existe sept postes de garde-frontières sur cette ligne.", "sept postes de garde-frontières"),
    ("fr", "Il y a 20 marchés des 16 communes frontalières.", "20 marchés"),
    ("fr", "Le programme a aidé 550personnes et planté des arbres.", "550personnes"),
    ("en", "It handed over 50 bicycles and spent the rest.", "50 bicycles"),
]


@pytest.mark.parametrize(("lang", "text", "surface"), SPANS, ids=[s[1][:60] for s in SPANS])
def test_a_counted_phrase_keeps_its_bare_complement_and_stops_at_a_verb(lang, text, surface):
    assert first_claim(text, lang)["text"] == surface


def test_a_figure_with_no_topic_is_other():
    assert first_claim("They counted 12 boxes.", "en")["category"] == "other"


# Bugs caught on articles written to probe unseen text.
def test_a_trailing_period_binds_only_to_the_figure_before_it():
    text = ("Cambodia and Vietnam agreed to push bilateral trade to US$20 billion in the coming years, "
            "up from $10.57 billion in 2023.")
    target = claim_with(text, "en", "US$20 billion")
    achieved = claim_with(text, "en", "$10.57 billion")
    assert (target["period_start"], target["period_end"], target["target"]) == (None, None, True)
    assert (achieved["period_start"], achieved["period_end"], achieved["target"]) == (2023, 2023, False)


def test_a_leading_period_scopes_over_every_figure():
    text = "Between 2020 and 2023, Vietnam provided 3.5 million doses and trained 1,500 health workers."
    for surface in ("3.5 million doses", "1,500 health workers"):
        c = claim_with(text, "en", surface)
        assert (c["period_start"], c["period_end"]) == (2020, 2023), surface


def test_au_cours_de_is_not_education():
    text = "Le poste frontière a enregistré plus de 450.000 passages au cours des neuf premiers mois."
    assert first_claim(text, "fr")["category"] == "border"


@pytest.mark.parametrize(("lang", "text", "what"), [
    ("en", "Title\n\nHanoi, January 7, 2024 (VNA) - Trade reached $5 billion.", "Trade"),
    ("fr", "Titre\n\nPhnom Penh, 3 mars 2022 (VNA) - Le Cambodge a exporté 20 tonnes de riz.", "Cambodge a exporté"),
])
def test_what_a_figure_measures_leaves_the_dateline_out(lang, text, what):
    assert first_claim(text, lang)["what"] == what


def test_every_category_has_a_precedence_for_measure_words_of_equal_weight():
    from etl.categories import PRECEDENCE
    from etl.schema import CATEGORIES

    assert sorted(PRECEDENCE) == sorted(CATEGORIES) and len(set(PRECEDENCE)) == len(PRECEDENCE)
