"""The extractor's version (etl.version) changes with what a build runs, and only with that.

Every cached extraction and kept row is keyed by it: a version that moved with a benchmark's
docstring would make the next build extract every article again, one that missed an
extraction module would keep stale rows. The tests edit a copy of the package, never the real one.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from etl.version import GAZETTEER, extractor_version, version_of
from tests.conftest import ROOT

PACKAGE = ROOT / "etl"
TOOLS = sorted(p.relative_to(PACKAGE).as_posix() for p in (PACKAGE / "tools").glob("*.py"))
#: Extraction, lexicons, and the modules that decide which rows are kept and write them.
BUILD_FILES = ["extract.py", "quantities.py", "lexicon/en.toml", "pipeline.py", "engines.py", "reuse.py",
               "output.py", "rows.py"]


@pytest.fixture
def package(tmp_path: Path) -> Path:
    copy = tmp_path / "etl"
    shutil.copytree(PACKAGE, copy, ignore=shutil.ignore_patterns("__pycache__"))
    return copy


@pytest.fixture
def gazetteer(tmp_path: Path) -> Path:
    copy = tmp_path / "gazetteer.csv"
    shutil.copyfile(GAZETTEER, copy)
    return copy


def edit(path: Path) -> None:
    path.write_text(path.read_text(encoding="utf-8") + "\n# edited\n", encoding="utf-8")


def test_a_copy_of_the_package_has_the_version_of_the_installed_one(package, gazetteer):
    """What the other tests measure on a copy is what a build computes."""
    assert version_of(package, gazetteer) == extractor_version()


def test_the_tools_are_found():
    """The parametrized test below covers every tool (an empty list would test nothing)."""
    assert {"tools/bench.py", "tools/synth.py", "tools/gazetteer_build.py", "tools/docs.py"} <= set(TOOLS)


@pytest.mark.parametrize("tool", TOOLS)
def test_editing_a_tool_keeps_the_version(package, gazetteer, tool):
    before = version_of(package, gazetteer)
    edit(package / tool)
    assert version_of(package, gazetteer) == before


def test_a_new_tool_keeps_the_version(package, gazetteer):
    before = version_of(package, gazetteer)
    (package / "tools" / "profile.py").write_text('"""A new tool."""\n', encoding="utf-8")
    assert version_of(package, gazetteer) == before


@pytest.mark.parametrize("module", BUILD_FILES)
def test_editing_what_a_build_runs_changes_the_version(package, gazetteer, module):
    before = version_of(package, gazetteer)
    edit(package / module)
    assert version_of(package, gazetteer) != before


def test_editing_the_gazetteer_changes_the_version(package, gazetteer):
    before = version_of(package, gazetteer)
    edit(gazetteer)
    assert version_of(package, gazetteer) != before
