"""The lexicons: every language has the same keys, and every pattern compiles."""

from __future__ import annotations

import pytest

from etl.lexicon import _read_toml, available_languages, load


def _keys(d: dict, prefix: str = "") -> set[str]:
    keys = set()
    for k, v in d.items():
        path = f"{prefix}.{k}" if prefix else k
        # sections whose entries are words (not keys) are compared by their own name only
        if isinstance(v, dict) and prefix == "":
            keys |= {path} | ({f"{path}.{x}" for x in v} if k not in _WORD_TABLES else set())
        else:
            keys.add(path)
    return keys


#: Tables keyed by words of the language itself (so their keys differ between languages).
_WORD_TABLES = {"categories", "links", "qualifiers"}


def test_english_and_french_are_the_languages():
    assert {"en", "fr"} <= set(available_languages())


def test_every_language_has_the_same_keys():
    reference = _keys(_read_toml("en"))
    for lang in available_languages():
        assert _keys(_read_toml(lang)) == reference, lang


def test_categories_and_relations_are_the_same_in_every_language():
    for section in ("categories", "links", "qualifiers"):
        names = {lang: set(_read_toml(lang)[section]) for lang in available_languages()}
        assert len({frozenset(v) for v in names.values()}) == 1, names


def test_categories_are_the_contract_categories():
    from etl.schema import CATEGORIES
    assert set(_read_toml("en")["categories"]) == set(CATEGORIES) - {"other"}


@pytest.mark.parametrize("lang", available_languages())
def test_lexicon_compiles(lang):
    lex = load(lang)
    assert lex is not None and lex.patterns["number"].pattern


def test_unknown_language_has_no_lexicon():
    assert load("de") is None
