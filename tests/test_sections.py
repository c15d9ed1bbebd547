"""Page furniture lines: one combined pattern says what the lexicons' patterns say one by one."""

from __future__ import annotations

import pytest

from etl.extract import all_lexicons
from etl.sections import FURNITURE_PATTERNS, _either, _is_furniture_line
from etl.text import fold

LEXICONS = all_lexicons()
LISTED = sorted({w for lex in LEXICONS for w in (*lex.sections.furniture_lines, *lex.sections.nav_lines)})


def one_by_one(folded: str) -> bool:
    return any(lex.patterns[name].match(folded) for lex in LEXICONS for name in FURNITURE_PATTERNS)


LINES = [*LISTED, *(f"  {w} »" for w in LISTED), *(f"{w}: more" for w in LISTED),
         "Trade grew 15% in 2023.", "Le commerce a progressé de 15 %.", "", "»", "next " * 40, "share " * 3]


@pytest.mark.parametrize("line", LINES)
def test_the_combined_pattern_matches_where_one_of_the_lexicons_patterns_does(line: str):
    assert (_either(LEXICONS, FURNITURE_PATTERNS).match(fold(line)) is not None) == one_by_one(fold(line))


def test_every_listed_line_is_furniture():
    assert LISTED and all(_is_furniture_line(fold(w), LEXICONS) for w in LISTED)
