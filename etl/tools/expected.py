"""Write the expected tables of the test corpora: ``tests/fixtures/expected/<corpus>/<table>.csv``.

    python -m etl.tools.expected          # after a deliberate change to what is extracted

``tests/test_expected_tables.py`` builds the tables of the seed articles and of the development set
and compares them with these files byte for byte: a restructuring must leave them as they are, and
a change to extraction shows, row by row, in ``git diff`` of this folder (which the commit that makes
the change explains).
"""

from __future__ import annotations

import argparse
import shutil
import sys
import tempfile
from collections.abc import Sequence
from pathlib import Path

from etl.pipeline import run
from etl.schema import TABLES

ROOT = Path(__file__).resolve().parents[2]
EXPECTED = ROOT / "tests" / "fixtures" / "expected"
#: corpus name -> its articles folder
CORPORA = {"seeds": ROOT / "seeds", "dev": ROOT / "tests" / "fixtures" / "dev" / "articles"}


def build(corpus: str, into: Path) -> Path:
    """Build the tables of ``corpus`` in a new folder under ``into``; return it."""
    out = into / corpus
    run(CORPORA[corpus], out, progress=False)
    return out


def table_files() -> list[str]:
    """The files compared: every table's CSV (the Parquet files hold the same rows)."""
    return [f"{table.name}.csv" for table in TABLES]


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m etl.tools.expected", description=__doc__.split("\n")[0])
    parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as tmp:
        for corpus in CORPORA:
            built = build(corpus, Path(tmp))
            target = EXPECTED / corpus
            target.mkdir(parents=True, exist_ok=True)
            for name in table_files():
                shutil.copyfile(built / name, target / name)
            print(f"wrote {target.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
