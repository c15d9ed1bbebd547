"""The lexicons: typed sections read from the TOML files, checked as they are read; every language
with the same keys; every pattern compiled; values that name the tables' schema are the schema's."""

from __future__ import annotations

import dataclasses
import tomllib
from importlib import resources

import pytest

from etl.lexicon import LexiconError, available_languages, load, load_common
from etl.lexicon.model import Language, Numbers, load_section, load_sections
from etl.schema import CATEGORIES, KINDS, RELATIONS

EN_TOML = tomllib.loads((resources.files("etl.lexicon") / "en.toml").read_text(encoding="utf-8"))


def test_english_french_and_spanish_are_the_languages():
    assert {"en", "fr", "es"} <= set(available_languages())


@pytest.mark.parametrize("lang", available_languages())
def test_every_language_loads_into_the_typed_sections(lang):
    lex = load(lang)
    assert lex is not None and isinstance(lex, Language)
    assert lex.patterns["number"].pattern


def test_a_missing_key_fails_at_load_with_where_it_is():
    raw = {k: v for k, v in EN_TOML["numbers"].items() if k != "scales"}
    with pytest.raises(LexiconError, match=r"xx\.toml \[numbers\]: missing scales"):
        load_section(Numbers, "xx.toml [numbers]", raw)


def test_a_mistyped_key_fails_at_load():
    raw = {**EN_TOML["numbers"], "scale": {}}
    with pytest.raises(LexiconError, match="unknown scale"):
        load_section(Numbers, "xx.toml [numbers]", raw)


def test_a_value_of_the_wrong_type_fails_at_load():
    raw = {**EN_TOML["numbers"], "number_joiners": "and"}
    with pytest.raises(LexiconError, match="number_joiners: expected a list of words"):
        load_section(Numbers, "xx.toml [numbers]", raw)


def test_a_missing_section_fails_at_load():
    raw = {k: v for k, v in EN_TOML.items() if k != "targets"}
    with pytest.raises(LexiconError, match="missing sections targets"):
        load_sections(Language, "xx.toml", raw)


def test_a_unit_of_a_kind_outside_the_schema_fails_at_load():
    raw = {**EN_TOML, "units": {**EN_TOML["units"], "words": {"miles": ["mile", "distance", 1.6]}}}
    with pytest.raises(LexiconError, match="kind 'distance' is not one of"):
        load_sections(Language, "xx.toml", raw)


@pytest.mark.parametrize("lang", available_languages())
def test_every_unit_is_of_a_kind_of_the_schema(lang):
    lex = load(lang)
    assert {kind for _, kind, _ in lex.units.words.values()} <= set(KINDS)


def test_every_common_unit_is_of_a_kind_of_the_schema():
    assert {kind for _, kind, _ in load_common().units.values()} <= set(KINDS)


def test_categories_and_relations_are_the_schemas():
    lex = load("en")
    for section in (lex.categories, lex.measures):
        assert [f.name for f in dataclasses.fields(section)] == list(CATEGORIES)
    assert {f.name for f in dataclasses.fields(lex.links)} == set(RELATIONS)


def test_a_lexicon_cannot_be_changed_once_loaded():
    lex = load("en")
    with pytest.raises(dataclasses.FrozenInstanceError):
        lex.numbers = lex.numbers  # type: ignore[misc]
    with pytest.raises(TypeError):
        lex.patterns["number"] = lex.patterns["scale"]  # type: ignore[index]


def test_unknown_language_has_no_lexicon():
    assert load("de") is None
