"""A corpus of real news text for benchmarks: the project's real articles, copied with their figures varied.

    python -m etl.tools.realcorpus --n 1000 --out /tmp/real [--seed 7]

The sources are the real articles the project ships: ``seeds/`` and the development set under
``tests/fixtures/dev/articles`` (short pages, many figures, bylines, captions and page furniture:
what real news costs to read, unlike ``etl.tools.synth``'s recombined seed sentences). Copy ``k`` of
an article has every number that is not a year scaled by a factor drawn for it, so no two copies
hold the same figures and a build cannot reuse one copy's extraction for another; the file name
(``real-00001-dev_03.txt``) keeps the source, and the id unique. The same seed gives the same corpus.
"""

from __future__ import annotations

import argparse
import random
import re
import sys
from collections.abc import Sequence
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SOURCES = (ROOT / "seeds", ROOT / "tests" / "fixtures" / "dev" / "articles")
DEFAULT_SEED = 7
#: A copy's numbers are multiplied by a factor in this range (years are left as they are).
SCALE_RANGE = (0.5, 1.5)
_NUMBER = re.compile(r"(?<![\w.,])(\d+)(?![\w])")
_YEAR = re.compile(r"^(1[89]\d\d|20\d\d)$")


def source_articles(sources: Sequence[Path] = SOURCES) -> list[Path]:
    """The real articles a corpus is made of, in a fixed order."""
    return sorted(p for folder in sources for p in folder.glob("*.txt"))


def varied(text: str, rng: random.Random) -> str:
    """``text`` with each number that is not a year scaled by a factor drawn for it.

    >>> varied("In 2023 trade reached 120 tonnes.", random.Random(1))
    'In 2023 trade reached 76 tonnes.'
    """
    def scale(m: re.Match[str]) -> str:
        digits = m.group(1)
        if _YEAR.match(digits) or len(digits) > 12:
            return digits
        return str(max(1, round(int(digits) * rng.uniform(*SCALE_RANGE))))

    return _NUMBER.sub(scale, text)


def generate(n: int, out: Path, seed: int = DEFAULT_SEED, sources: Sequence[Path] = SOURCES) -> list[Path]:
    """Write ``n`` articles into ``out`` (made if missing): the source articles in turn, each copy's
    figures varied; return their paths."""
    articles = source_articles(sources)
    texts = [p.read_text(encoding="utf-8") for p in articles]
    rng = random.Random(seed)
    out.mkdir(parents=True, exist_ok=True)
    written = []
    for i in range(n):
        source = articles[i % len(articles)]
        path = out / f"real-{i + 1:05d}-{source.stem}.txt"
        path.write_text(varied(texts[i % len(texts)], rng), encoding="utf-8")
        written.append(path)
    return written


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m etl.tools.realcorpus",
                                     description=__doc__.split("\n")[0])
    parser.add_argument("--n", type=int, required=True, help="articles to write")
    parser.add_argument("--out", type=Path, required=True, help="folder to write them into")
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED,
                        help="random seed (the same seed, the same corpus)")
    args = parser.parse_args(argv)
    paths = generate(args.n, args.out, args.seed)
    size = sum(p.stat().st_size for p in paths) / 1e6
    print(f"wrote {len(paths)} articles ({size:.1f} MB) of real text, figures varied, to {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
