"""A synthetic corpus for scale tests: seed sentences recombined, their figures varied.

    python -m etl.tools.synth --n 1000 --out /tmp/corpus [--seed 7] [--seeds seeds]

Each article is built from body sentences of the seed articles of one language,
with every number scaled, every year shifted and province names swapped for
others of the same country. The result reads like the seeds but is not real
news: each file's first line says so, and a hidden ``.SYNTHETIC`` note in the
folder records how it was made. The same seed gives the same corpus.
"""

from __future__ import annotations

import argparse
import random
import re
import sys
from collections import defaultdict
from pathlib import Path

from etl.extract import BODY, all_lexicons
from etl.metadata import detect_language
from etl.places import load_gazetteer
from etl.sections import related_spans, section_at
from etl.text import split_sentences

DEFAULT_SEED = 7
SENTENCES_PER_ARTICLE = (15, 45)
SENTENCES_PER_PARAGRAPH = (1, 4)
#: Numbers are multiplied by a factor in this range; years move by at most this many.
SCALE_RANGE = (0.3, 3.0)
YEAR_SHIFT = 6
_NUMBER = re.compile(r"(?<![\w.,])(\d{1,3}(?:,\d{3})+|\d+)(?:([.,])(\d+))?(?![\w])")
_YEAR = re.compile(r"^(19[5-9]\d|20[0-4]\d)$")


def seed_sentences(seeds: Path) -> dict[str, list[str]]:
    """Body sentences of the seed articles, by language."""
    lexicons = all_lexicons()
    abbreviations = frozenset(a for lx in lexicons for a in lx.sentences.abbreviations)
    by_language: dict[str, list[str]] = defaultdict(list)
    for path in sorted(seeds.glob("*.txt")):
        text = path.read_text(encoding="utf-8")
        related = related_spans(text, lexicons)
        language = detect_language(text)
        for s in split_sentences(text, abbreviations):
            if section_at(related, s.start) == BODY and len(text[s.start:s.end]) > 40:
                by_language[language].append(text[s.start:s.end])
    return dict(by_language)


def _province_names() -> dict[str, list[str]]:
    gazetteer = load_gazetteer()
    names: dict[str, list[str]] = defaultdict(list)
    for place in gazetteer.places.values():
        if place.level == "province" and place.country in ("VN", "KH"):
            names[place.country].append(place.name)
    return {k: sorted(v) for k, v in names.items()}


def vary(sentence: str, rng: random.Random, provinces: dict[str, list[str]]) -> str:
    """The sentence with its numbers scaled, its years shifted and its provinces swapped."""
    def number(m: re.Match[str]) -> str:
        whole = m.group(1)
        if _YEAR.match(whole) and not m.group(2):
            return str(int(whole) + rng.randint(-YEAR_SHIFT, YEAR_SHIFT))
        value = int(whole.replace(",", "")) * rng.uniform(*SCALE_RANGE)
        text = f"{max(1, round(value)):,}" if "," in whole else str(max(1, round(value)))
        return text + (m.group(2) + m.group(3) if m.group(2) else "")

    out = _NUMBER.sub(number, sentence)
    for names in provinces.values():
        for name in names:
            if name in out:
                out = out.replace(name, rng.choice(names))
    return out


def generate(n: int, out: Path, seeds: Path = Path("seeds"), seed: int = DEFAULT_SEED) -> list[Path]:
    """Write ``n`` synthetic articles into ``out``; return their paths."""
    rng = random.Random(seed)
    pools = seed_sentences(seeds)
    if not pools:
        raise SystemExit(f"no seed sentences under {seeds}")
    provinces = _province_names()
    languages = sorted(pools)
    out.mkdir(parents=True, exist_ok=True)
    (out / ".SYNTHETIC").write_text(
        f"Synthetic corpus: {n} articles made by `python -m etl.tools.synth --seed {seed}` from the "
        f"sentences of {seeds}, with numbers, years and province names varied. Not real news.\n",
        encoding="utf-8")
    paths = []
    for i in range(n):
        language = languages[i % len(languages)]
        pool = pools[language]
        sentences = [vary(rng.choice(pool), rng, provinces)
                     for _ in range(rng.randint(*SENTENCES_PER_ARTICLE))]
        paragraphs, k = [], 0
        while k < len(sentences):
            size = rng.randint(*SENTENCES_PER_PARAGRAPH)
            paragraphs.append(" ".join(sentences[k:k + size]))
            k += size
        title = f"Synthetic article {i + 1} ({language}), not real news"
        path = out / f"synthetic-{i + 1:05d}.txt"
        path.write_text(title + "\n\n" + "\n\n".join(paragraphs) + "\n", encoding="utf-8")
        paths.append(path)
    return paths


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m etl.tools.synth", description=__doc__.splitlines()[0])
    p.add_argument("--n", type=int, required=True, help="how many articles to write")
    p.add_argument("--out", type=Path, required=True, help="folder to write them into")
    p.add_argument("--seeds", type=Path, default=Path("seeds"),
                   help="the articles to recombine (default: seeds/)")
    p.add_argument("--seed", type=int, default=DEFAULT_SEED, help=f"random seed (default: {DEFAULT_SEED})")
    args = p.parse_args(argv)
    paths = generate(args.n, args.out, args.seeds, args.seed)
    size = sum(path.stat().st_size for path in paths)
    print(f"wrote {len(paths)} synthetic articles ({size / 1e6:.1f} MB) to {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
