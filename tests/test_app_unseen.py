"""Every page on articles unlike the seeds: no dates, no outlets, no figures, no places.

The seed articles all have a date and an outlet; unseen articles often have neither, so
every page is run on a synthetic corpus (etl.tools.synth, undated) plus an article with nothing
to extract.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from etl.pipeline import run
from etl.tools.synth import generate
from pages.lib import data
from tests.conftest import ROOT, SEEDS
from tests.test_app import PAGES, TIMEOUT

N_SYNTHETIC = 30


@pytest.fixture(scope="module")
def unseen(tmp_path_factory) -> tuple[Path, Path]:
    root = tmp_path_factory.mktemp("unseen")
    seeds = root / "seeds"
    generate(N_SYNTHETIC, seeds, SEEDS, seed=5)
    (seeds / "nothing.txt").write_text("A note\n\nThis text names no place and holds no figure at all.\n",
                                      encoding="utf-8")
    out = root / "processed"
    run(seeds, out, progress=False)
    return seeds, out


@pytest.mark.parametrize("page", PAGES)
def test_page_runs_on_undated_articles(unseen, page, monkeypatch):
    seeds, out = unseen
    monkeypatch.setenv(data.DATA_ENV, str(out))
    monkeypatch.setenv(data.SEEDS_ENV, str(seeds))
    at = AppTest.from_file(str(ROOT / "dashboard.py"), default_timeout=TIMEOUT)
    at.run()
    at.switch_page(f"pages/{page}.py")
    at.run()
    assert not at.exception, at.exception
    assert [t.value for t in at.title] == [PAGES[page]]
