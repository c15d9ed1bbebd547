"""Republished copies (``etl.duplicates``): MinHash signatures of the body, LSH, and which copy is the original."""

from __future__ import annotations

import itertools
import random

import numpy as np
import pyarrow as pa
import pytest

from etl import duplicates
from etl.duplicates import (
    MIN_SIMILARITY,
    copies,
    duplicate_of,
    earlier,
    signature,
    similarity,
    story_roots,
    with_duplicates,
)
from etl.text import boundary_view, fold
from tests.conftest import SEEDS

STORY = (SEEDS / "003_952f03fc20e26940.txt").read_text(encoding="utf-8")
OTHER = (SEEDS / "002_1bc91b7b4a1688c3.txt").read_text(encoding="utf-8")


def lines(text: str) -> list[str]:
    return [fold(line) for line in text.splitlines()]


def body(text: str) -> str:
    return text.split("\n", 1)[1]  # without the headline


# A copy as outlets republish it: another headline, an outlet line, a credit at the end.
COPIES = [
    ("new headline", "Viet Nam, Cambodia ties grow stronger\n" + body(STORY)),
    ("outlet line", "Vietnam treasures ties with Cambodia\nBy Viet Nam News (VNS)\n" + body(STORY)),
    ("credit at the end", STORY + "\nSource: VNA. Photo: Tran Viet / VNA\n"),
    ("line breaks changed", STORY.replace("\n", "\n\n")),
]


@pytest.mark.parametrize(("what", "copy"), COPIES, ids=[w for w, _ in COPIES])
def test_a_republished_copy_has_nearly_the_same_signature(what: str, copy: str):
    assert similarity(signature(lines(STORY)), signature(lines(copy))) >= MIN_SIMILARITY


def test_different_articles_have_different_signatures():
    assert similarity(signature(lines(STORY)), signature(lines(OTHER))) < 0.2


def test_a_signature_is_the_same_for_the_same_words_and_none_for_no_words():
    assert signature(lines("Trade grew 15%.")) == signature(["trade grew  15%"])  # punctuation, spaces aside
    assert signature(["", "  ", "!"]) is None


@pytest.mark.parametrize("text", [STORY, OTHER, "one two three", "l'export-import (2022) vers Hà Tiên",
                                  "tr\u00e0ng 5 \u0111\u1ed3ng", "a\u2009b\u00a0c d e f g", "😀 word " * 9])
def test_the_ascii_path_hashes_as_the_general_one(text: str):
    """An ASCII body is hashed from its bytes; any body gives the hashes of its words joined by spaces."""
    words = boundary_view(fold(text)).split()
    expected = duplicates.sketch(duplicates.shingle_hashes(words)).astype("<u4").tobytes()
    assert signature([fold(text)]) == expected


#: (id, published) of two articles, and whether the first comes before the second.
EARLIER = [
    (("b", "2020-01-02"), ("a", "2021"), True),  # by date, whatever the ids
    (("b", "2021-03"), ("a", "2021"), False),  # the dates overlap: by id
    (("a", "2021-03"), ("b", "2021"), True),
    (("a", None), ("b", "1999"), True),  # a date unknown: by id
    (("b", "2023-01-05"), ("a", "2023-01-05"), False),  # the same day: by id
]


@pytest.mark.parametrize(("a", "b", "first"), EARLIER, ids=[f"{a} {b}" for a, b, _ in EARLIER])
def test_earlier_is_by_date_when_both_are_known_else_by_id(a, b, first):
    assert earlier(a, b) == first


def test_every_copy_names_the_original_of_its_group():
    """A group is read in id order, keeping the article no other comes before: here the undated
    "a-copy" cannot be compared by date, so it comes before the others by id, and is the original."""
    copy, original = signature(lines(COPIES[0][1])), signature(lines(STORY))
    ids = ["z-agency", "m-copy", "a-copy", "other"]
    published = ["2023-01-05", "2023-01-06", None, "2023-01-01"]
    found = duplicate_of(ids, published, [original, copy, copy, signature(lines(OTHER))])
    assert found == ["a-copy", "a-copy", None, None]


def test_the_original_is_the_earliest_dated():
    s = signature(lines(STORY))
    assert duplicate_of(["b", "a", "c"], ["2023-01-05", "2023-01-07", "2023-02"], [s, s, s]) == [None, "b", "b"]


def random_article(rng: random.Random, words: list[str]) -> str:
    return "\n".join(" ".join(rng.choice(words) for _ in range(rng.randint(15, 40))) for _ in range(6))


def test_lsh_finds_the_copies_among_many_articles():
    rng = random.Random(7)
    words = sorted({w for w in (STORY + OTHER).lower().split() if w.isalpha()})
    texts = [random_article(rng, words) for _ in range(300)]
    texts += ["A new headline\n" + texts[10], texts[200] + "\nShare this article", texts[10]]
    found = copies([signature(lines(t)) for t in texts])
    assert sorted(found) == [(10, 300), (10, 302), (200, 301), (300, 302)]


def test_the_articles_table_gets_its_duplicate_of():
    s, t = signature(lines(STORY)), signature(lines(OTHER))
    articles = pa.table({"article_id": ["a", "b", "c"], "published": ["2023", None, "2024"],
                         "duplicate_of": ["stale", None, None]})
    signatures = pa.table({"article_id": ["c", "a", "b"], "signature": pa.array([s, s, t], pa.binary())})
    assert with_duplicates(articles, signatures).column("duplicate_of").to_pylist() == [None, None, "a"]


def _pairs_one_by_one(matrix: np.ndarray) -> set[tuple[int, int]]:
    """``candidate_pairs`` the slow way: rows equal on a band, a large bucket paired with its first."""
    pairs: set[tuple[int, int]] = set()
    for band in range(duplicates.BANDS):
        buckets: dict[bytes, list[int]] = {}
        for row in range(len(matrix)):
            key = matrix[row, band * duplicates.ROWS:(band + 1) * duplicates.ROWS].tobytes()
            buckets.setdefault(key, []).append(row)
        for members in buckets.values():
            if len(members) > duplicates.MAX_BUCKET_PAIRS:
                pairs.update((members[0], m) for m in members[1:])
            else:
                pairs.update(itertools.combinations(members, 2))
    return pairs


@pytest.mark.parametrize("seed", range(4))
def test_candidate_pairs_are_the_rows_equal_on_a_band(seed: int):
    """Buckets of every size, one larger than ``MAX_BUCKET_PAIRS``, rows shared by several buckets."""
    rng = np.random.default_rng(seed)
    n = 120
    matrix = rng.integers(0, 2**32, size=(n, duplicates.SKETCH_BINS), dtype=np.uint64).astype(np.uint32)
    for _ in range(40):  # copy a band of one row into a few others
        band, source = rng.integers(duplicates.BANDS), rng.integers(n)
        cols = slice(band * duplicates.ROWS, (band + 1) * duplicates.ROWS)
        matrix[rng.choice(n, size=rng.integers(1, 6), replace=False), cols] = matrix[source, cols]
    big = rng.choice(n, size=duplicates.MAX_BUCKET_PAIRS + 5, replace=False)
    matrix[big, :duplicates.ROWS] = matrix[big[0], :duplicates.ROWS]
    found = duplicates.candidate_pairs(matrix)
    assert [tuple(p) for p in found.tolist()] == sorted(_pairs_one_by_one(matrix))


@pytest.mark.parametrize("seed", range(3))
def test_stories_are_the_components_of_the_copies(seed: int):
    """``story_roots`` skips the candidate pairs already joined; its stories are still exactly the
    connected components of every pair ``copies`` finds (chains of copies, each a little changed)."""
    rng = random.Random(seed)
    words = sorted({w for w in (STORY + OTHER).lower().split() if w.isalpha()})
    texts = [random_article(rng, words) for _ in range(60)]
    for _ in range(120):  # copies of copies, each with a new line of its own
        texts.append(rng.choice(texts) + "\n" + " ".join(rng.choice(words) for _ in range(3)))
    rng.shuffle(texts)
    signatures = [signature(lines(t)) for t in texts] + [None]
    expected = list(range(len(signatures)))

    def root(i: int) -> int:
        return i if expected[i] == i else root(expected[i])

    for i, j in copies(signatures):
        a, b = sorted((root(i), root(j)))
        expected[b] = a
    found = story_roots(signatures)
    assert found == [root(i) for i in range(len(signatures))]
    assert len(set(found)) < len(signatures) - 60  # the copies were found
