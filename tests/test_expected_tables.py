"""The tables of the seed articles and of the development set, byte for byte as expected.

A restructuring of the code must leave every table as it was; a deliberate change to extraction
rewrites the expected files (``python -m etl.tools.expected``) and its commit explains the rows that
changed (``git diff tests/fixtures/expected``).
"""

from __future__ import annotations

import difflib
from pathlib import Path

import pytest

from etl.tools.expected import CORPORA, EXPECTED, build, table_files

#: Lines of difference shown when a table differs.
SHOWN_LINES = 20


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> dict[str, Path]:
    into = tmp_path_factory.mktemp("expected")
    return {corpus: build(corpus, into) for corpus in CORPORA}


@pytest.mark.parametrize("corpus", list(CORPORA))
@pytest.mark.parametrize("name", table_files())
def test_table_is_as_expected(built, corpus, name):
    expected = (EXPECTED / corpus / name).read_text(encoding="utf-8")
    actual = (built[corpus] / name).read_text(encoding="utf-8")
    if actual != expected:
        diff = difflib.unified_diff(expected.splitlines(), actual.splitlines(), "expected", "built", lineterm="")
        shown = "\n".join(list(diff)[:SHOWN_LINES])
        pytest.fail(f"{corpus}/{name} differs (python -m etl.tools.expected rewrites it):\n{shown}")
