"""Invisible format characters (zero-width spaces and joiners, soft hyphens, direction controls):
matching reads through them with offsets still exact, and none changes how text is shown."""

from __future__ import annotations

import sys
import unicodedata

import pytest

from etl.text import BIDI_CONTROLS, FORMAT_CHARACTERS, NEUTRAL_BIDI
from tests.conftest import run_extract

#: (sentence, language, the claim's surface, value, unit)
FIGURES = [
    ("Vietnam gave $4\u200b0 million to Cambodia in 2024.", "en", "$4\u200b0 million", 40e6, "USD"),
    ("Kampot received 300\u200c tonnes of rice.", "en", "300\u200c tonnes", 300, "tonne"),
    ("Trade reached 1\u00ad200 tonnes in 2023.", "en", "1\u00ad200 tonnes", 1200, "tonne"),
    ("Le Vietnam a envoyé 2\u2060000 tonnes de riz à Kampot.", "fr", "2\u2060000 tonnes", 2000, "tonne"),
    ("Les échanges ont atteint 10 mil\u200bliards de dollars en 2024.", "fr", "10 mil\u200bliards de dollars",
     10e9, "USD"),
    ("Vietnam gave \ufeff$40 million to Cambodia.", "en", "$40 million", 40e6, "USD"),
]


@pytest.mark.parametrize(("sentence", "lang", "surface", "value", "unit"), FIGURES,
                         ids=[f[0][:40] for f in FIGURES])
def test_figures_are_read_through_format_characters(sentence, lang, surface, value, unit):
    claims = [c for c in run_extract(sentence, lang).claims if c["unit"] == unit]
    assert len(claims) == 1
    claim = claims[0]
    assert (claim["text"], claim["value"]) == (surface, value)
    assert sentence[claim["char_start"]:claim["char_end"]] == surface


def test_a_place_name_is_found_through_a_zero_width_joiner():
    text = "Vietnam and Kam\u200dpot signed a trade agreement."
    mentions = run_extract(text, "en").mentions
    kampot = [m for m in mentions if m["place_id"] == "kampot"]
    assert [text[m["char_start"]:m["char_end"]] for m in kampot] == ["Kam\u200dpot"]


def test_a_direction_override_does_not_reach_the_title():
    article = run_extract("Trade \u202egrows between Vietnam and Cambodia\nTrade rose 5% in 2024.", "en").article
    assert article["title"] == "Trade grows between Vietnam and Cambodia"


def test_direction_controls_are_neutralised_for_display_with_offsets_kept():
    text = "Kampot \u202eexports\u202c rose."
    shown = text.translate(NEUTRAL_BIDI)
    assert len(shown) == len(text) and not any(c in shown for c in BIDI_CONTROLS)
    assert shown[:6] == "Kampot"


def test_the_format_character_class_is_unicode_category_cf():
    """Written out as data (building it from unicodedata at import took a quarter of a second)."""
    matched = [i for i in range(sys.maxunicode + 1) if FORMAT_CHARACTERS.fullmatch(chr(i))]
    assert all(unicodedata.category(chr(i)) == "Cf" for i in matched)
    assert all(FORMAT_CHARACTERS.fullmatch(chr(i)) for i in range(0x10000) if unicodedata.category(chr(i)) == "Cf")
    assert set(BIDI_CONTROLS) <= {chr(i) for i in matched}


def test_the_format_table_marks_exactly_the_class():
    """``format_positions`` looks code units up in a table built with one search over the whole
    Basic Multilingual Plane; it must mark what the pattern matches, one code point at a time."""
    from etl.text import _format_codes

    table = _format_codes()
    assert [i for i in range(0x10000) if table[i]] == [i for i in range(0x10000)
                                                       if FORMAT_CHARACTERS.fullmatch(chr(i))]
