"""A third language from one data file: ``etl/lexicon/es.toml`` and nothing else.

The grammar in ``etl/`` has no word of any language; a Spanish file with the same keys as the
English and French ones is all it takes to read Spanish figures (text2num reads Spanish numbers).
The list is short: these sentences, not Spanish news at large.
"""

from __future__ import annotations

import pytest

from tests.conftest import run_extract

#: (sentence, the claim's surface, value, unit, qualifier, category)
SENTENCES = [
    ("El comercio entre Vietnam y Camboya alcanzó más de 10.000 millones de dólares en 2024.",
     "más de 10.000 millones de dólares", 1e10, "USD", "more_than", "trade"),
    ("Vietnam donó 300 toneladas de arroz a la provincia de Kampot.", "300 toneladas", 300, "tonne", "exact", "aid"),
    ("Las exportaciones crecieron un 12,5 por ciento.", "12,5 por ciento", 12.5, "percent", "exact", "trade"),
    ("La provincia recibió cerca de cincuenta estudiantes camboyanos.", "cerca de cincuenta estudiantes camboyanos",
     50, "count", "approx", "education"),
]


@pytest.mark.parametrize(("text", "surface", "value", "unit", "qualifier", "category"), SENTENCES,
                         ids=[s[0][:50] for s in SENTENCES])
def test_a_spanish_figure_is_read(text, surface, value, unit, qualifier, category):
    claims = run_extract(text, "es").claims
    assert [(c["text"], c["value"], c["unit"], c["qualifier"], c["category"]) for c in claims] == [
        (surface, value, unit, qualifier, category)]


def test_the_year_of_a_spanish_sentence_is_its_period():
    (claim,) = run_extract("En 2023, Camboya exportó 500 toneladas de anacardo.", "es").claims
    assert (claim["period_start"], claim["period_end"]) == (2023, 2023)


def test_places_are_found_in_a_spanish_article():
    """Names the gazetteer holds are found whatever the language (Spanish exonyms such as "Camboya"
    would be gazetteer rows to add)."""
    mentions = run_extract("Vietnam firmó un acuerdo con Kampot en Phnom Penh.", "es").mentions
    assert {m["place_id"] for m in mentions} == {"vietnam", "kampot", "phnom-penh"}
