"""Shared fixtures: the real gazetteer, documents made from strings, tables built once."""

from __future__ import annotations

import hashlib
from pathlib import Path, PurePosixPath

import pytest

from etl.extract import Extraction, extract
from etl.places import load_gazetteer
from etl.reading import Document, article_id_for

ROOT = Path(__file__).resolve().parents[1]
SEEDS = ROOT / "seeds"


@pytest.fixture(scope="session")
def gazetteer():
    return load_gazetteer()


def run_extract(text: str, language: str | None = None, name: str = "test.txt") -> Extraction:
    """Extract rows from ``text`` as if it had been read from a file called ``name``."""
    doc = Document(name, article_id_for(PurePosixPath(name)), text, hashlib.sha256(text.encode()).hexdigest())
    return extract(doc, load_gazetteer(), language=language)


@pytest.fixture(scope="session")
def seed_tables(tmp_path_factory) -> Path:
    """The tables built from the seed articles, once per test session."""
    from etl.pipeline import run

    out = tmp_path_factory.mktemp("tables") / "processed"
    run(SEEDS, out, progress=False)
    return out
