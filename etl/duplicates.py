"""Republished copies: articles whose body text is (nearly) that of an earlier article.

An agency story is republished by several outlets, under another headline, with another outlet line
and other page furniture around it; counted once per copy, each of its figures would count several
times. Two steps find the copies, the first while each article is extracted, the second over all
articles when the tables are saved:

1. ``signature``: the body (page furniture left out) is folded and cut into shingles, every run of
   ``SHINGLE_WORDS`` words, and its set of shingles is summarised in ``SKETCH_BINS`` numbers by
   one-permutation MinHash (Li, Owen and Zhang 2012): each shingle is hashed once (a polynomial hash
   of its characters, computed for all shingles at once from prefix sums, then mixed), the hash's top
   bits choose a bin and each bin keeps the smallest hash it gets; an empty bin borrows the value of
   the next full bin, shifted (densification by rotation, Shrivastava and Li 2014). Two articles then
   hold the same value in a bin with probability equal to the Jaccard similarity of their shingle sets,
   as with ``SKETCH_BINS`` independent permutations, at the cost of one hash per shingle (the
   ``datasketch`` library's MinHash with 128 permutations takes about twice as long as the whole
   extraction of the article, and importing it takes a second). The signature is kept with the
   article's text (``texts.parquet``) and carried over for an unchanged article like its rows, so an
   incremental build reads no text again.
2. ``duplicate_of``: locality-sensitive hashing finds candidate pairs in time linear in the corpus:
   each signature is cut into ``BANDS`` bands of ``ROWS`` values, and two articles are candidates when
   they are equal on a whole band (with 16 bands of 8, a pair of similarity 0.8 is a candidate with
   probability 0.95, one of 0.9 with 0.9996, one of 0.5 with 0.06). A candidate pair is a copy when
   the share of equal values over the whole signature, the estimate of the pair's similarity, is at
   least ``MIN_SIMILARITY``. Copies are grouped (a copy of a copy is a copy of the same story), and
   each group's original is its earliest article: by publication date when both dates are known and
   do not overlap (``2023`` and ``2023-05-02`` overlap), else by article id. Every other article of the
   group has the original's id as ``duplicate_of``. All of it is deterministic.
"""

from __future__ import annotations

from collections.abc import Iterable
from functools import cache

import numpy as np
import pyarrow as pa

from etl.arrays import unique
from etl.text import boundary_view

#: Words per shingle: long enough that two different articles share few shingles, short enough that
#: a changed headline or outlet line changes few of them.
SHINGLE_WORDS = 5
#: Values in a signature (a power of two: a hash's top bits choose its bin).
SKETCH_BINS = 128
#: LSH bands and the values in each (``BANDS * ROWS == SKETCH_BINS``).
BANDS, ROWS = 16, 8
#: Estimated Jaccard similarity of the shingle sets from which two articles are one story.
MIN_SIMILARITY = 0.8
#: Characters of a body that its signature reads at most: a copy is a copy from its start, and a
#: 50 MB file must not become a gigabyte of hashes.
MAX_SIGNATURE_CHARS = 200_000
#: A bucket of more candidates than this pairs each with its first only, not each with each (a bucket
#: is small unless many articles are one text; then every one is still compared with one of them).
MAX_BUCKET_PAIRS = 32

#: Candidate pairs compared at once (two slices of their signatures: 8 MB).
PAIRS_PER_CHUNK = 8192

_BIN_BITS = SKETCH_BINS.bit_length() - 1
_VALUE_MASK = np.uint64(0xFFFFFFFF)
#: The polynomial hash's base (odd, so invertible modulo 2**64) and its inverse.
_BASE = 0x100000001B3
_BASE_INVERSE = pow(_BASE, -1, 1 << 64)
#: What an empty bin adds to the value it borrows, per bin it borrows across.
_ROTATION = np.uint32(0x9E3779B1)
_U64 = np.uint64


def signature(folded_lines: Iterable[str]) -> bytes | None:
    """The MinHash signature of a body given as its folded lines (``SKETCH_BINS`` unsigned 32-bit values,
    little-endian), or ``None`` when it has no word.

    >>> a = signature(["the two sides signed eleven agreements on trade and rice exports"])
    >>> len(a), a == signature(["the two sides signed eleven agreements, on trade and rice exports."])
    (512, True)
    >>> signature([" ", ""]) is None
    True
    """
    codes = _codes(_body(folded_lines))
    if codes is None:
        return None
    return sketch(_shingle_hashes(codes)).astype("<u4").tobytes()


def _body(folded_lines: Iterable[str]) -> str:
    """The lines joined by spaces, up to ``MAX_SIGNATURE_CHARS``."""
    kept, size = [], 0
    for line in folded_lines:
        kept.append(line[:MAX_SIGNATURE_CHARS - size])
        size += len(kept[-1])
        if size >= MAX_SIGNATURE_CHARS:
            break
    return " ".join(kept)


#: ``boundary_view`` of ASCII text, as a bytes table: most bodies are ASCII once folded, and a bytes
#: translate is some ten times faster than a str one.
_ASCII_BOUNDARY = bytes(ord(c) if c.isascii() and c.isalnum() else ord(" ") for c in map(chr, range(256)))


def _codes(text: str) -> np.ndarray | None:
    """The code points of ``text``'s words (letters and digits; punctuation is a space) joined by one space,
    plus one (so that no character is zero), or ``None`` when it has no word.

    >>> _codes("l'export (2022)").tolist() == [ord(c) + 1 for c in "l export 2022"], _codes(" ,; ")
    (True, None)
    """
    if text.isascii():
        joined = b" ".join(text.encode("ascii").translate(_ASCII_BOUNDARY).split())
        if not joined:
            return None
        return np.frombuffer(joined, dtype=np.uint8).astype(_U64) + _U64(1)
    words = boundary_view(text).split()
    return _code_points(" ".join(words)) if words else None


def _code_points(text: str) -> np.ndarray:
    """The code points of ``text``, plus one, as 64-bit integers."""
    return np.frombuffer(text.encode("utf-32-le"), dtype=np.uint32).astype(_U64) + _U64(1)


def shingle_hashes(words: list[str]) -> np.ndarray:
    """A 64-bit hash of every run of ``SHINGLE_WORDS`` words (one run of them all when there are fewer).

    Each is the polynomial hash of the run's characters (words joined by one space), computed for all
    runs at once from prefix sums, then mixed (``_mix``): the same run gives the same hash in any text.

    >>> h = shingle_hashes("a b c d e f a b c d e".split())
    >>> len(h), bool(h[0] == h[6]), bool(h[0] == h[1])
    (7, True, False)
    """
    return _shingle_hashes(_code_points(" ".join(words)))


def _shingle_hashes(codes: np.ndarray) -> np.ndarray:
    """``shingle_hashes`` of the words whose code points (plus one) joined by single spaces are ``codes``.

    numpy's arithmetic on arrays of unsigned integers wraps around without a warning: modulo 2**64 is
    what is meant (on a scalar it would warn).
    """
    n = len(codes)
    spaces = np.flatnonzero(codes == _U64(ord(" ") + 1))
    if len(spaces) < SHINGLE_WORDS - 1:
        lo, hi = np.array([0]), np.array([n])
    else:
        lo = np.empty(len(spaces) - SHINGLE_WORDS + 2, dtype=np.int64)
        lo[0] = 0
        lo[1:] = spaces[:len(spaces) - SHINGLE_WORDS + 1] + 1
        hi = np.empty_like(lo)
        hi[:-1] = spaces[SHINGLE_WORDS - 1:]
        hi[-1] = n
    powers, inverse_powers = _powers(n)
    prefix = np.empty(n + 1, dtype=_U64)
    prefix[0] = 0
    np.cumsum(codes * inverse_powers[:n], dtype=_U64, out=prefix[1:])
    return _mix((prefix[hi] - prefix[lo]) * powers[hi - 1])


@cache
def _powers_up_to(size: int) -> tuple[np.ndarray, np.ndarray]:
    with np.errstate(over="ignore"):
        base = np.full(size, _BASE, dtype=_U64)
        base[0] = 1
        inverse = np.full(size, _BASE_INVERSE, dtype=_U64)
        inverse[0] = 1
        return np.cumprod(base, dtype=_U64), np.cumprod(inverse, dtype=_U64)


def _powers(n: int) -> tuple[np.ndarray, np.ndarray]:
    """``_BASE`` and its inverse to the powers 0 to ``n - 1`` (modulo 2**64), or further."""
    return _powers_up_to(1 << max(n - 1, 1).bit_length())


def _mix(x: np.ndarray) -> np.ndarray:
    """SplitMix64's finaliser: every bit of the result depends on every bit of ``x`` (an array: wrapping
    around is meant)."""
    x = (x ^ (x >> _U64(30))) * _U64(0xBF58476D1CE4E5B9)
    x = (x ^ (x >> _U64(27))) * _U64(0x94D049BB133111EB)
    return x ^ (x >> _U64(31))


def sketch(hashes: np.ndarray) -> np.ndarray:
    """The one-permutation MinHash of a non-empty set of 64-bit hashes: ``SKETCH_BINS`` 32-bit values.

    >>> s = sketch(np.array([5, 7], dtype=np.uint64) | (np.array([8, 24], dtype=np.uint64) << np.uint64(57)))
    >>> int(s[8]), int(s[7]) == int(s[8] + _ROTATION), int(s[24]) == int(s[9])  # bins 8 and 24 are full
    (0, True, False)
    """
    h = np.sort(hashes)  # a hash met twice changes no bin's smallest
    bins = (h >> _U64(64 - _BIN_BITS)).astype(np.int64)
    every = np.arange(SKETCH_BINS)
    first = np.minimum(np.searchsorted(bins, every), len(h) - 1)  # the bin's smallest hash, if it has one
    full = np.flatnonzero(bins[first] == every)
    values = ((h[first] >> _U64(64 - _BIN_BITS - 32)) & _VALUE_MASK).astype(np.uint32)
    donor = full[np.searchsorted(full, every) % len(full)]  # the next full bin, round the end
    return values[donor] + ((donor - every) % SKETCH_BINS).astype(np.uint32) * _ROTATION


def similarity(a: bytes, b: bytes) -> float:
    """The estimated Jaccard similarity of two signatures' shingle sets.

    >>> s = signature(["one two three four five six seven"])
    >>> similarity(s, s)
    1.0
    """
    return float(np.mean(_matrix([a]) == _matrix([b])))


def _matrix(signatures: list[bytes]) -> np.ndarray:
    return np.frombuffer(b"".join(signatures), dtype="<u4").reshape(len(signatures), SKETCH_BINS)


def candidate_pairs(matrix: np.ndarray) -> np.ndarray:
    """Pairs of rows (i < j) equal on at least one band of ``ROWS`` values, as an array of shape (n, 2),
    sorted. A bucket of more than ``MAX_BUCKET_PAIRS`` rows pairs each with its first row only."""
    n = len(matrix)
    weights = _U64(_BASE) ** np.arange(ROWS, dtype=_U64)
    found = []  # each pair as one number, i * n + j
    for band in range(BANDS):
        values = matrix[:, band * ROWS:(band + 1) * ROWS].astype(_U64)
        with np.errstate(over="ignore"):
            keys = _mix((values * weights).sum(axis=1, dtype=_U64))
        order = np.lexsort((np.arange(n), keys))  # by key, rows of one key in row order
        starts = np.flatnonzero(np.r_[True, np.diff(keys[order]) != 0])
        sizes = np.diff(np.r_[starts, n])
        # a large bucket: each row with the bucket's first (its smallest row)
        first = np.repeat(order[starts], sizes)
        large = np.repeat(sizes > MAX_BUCKET_PAIRS, sizes) & (first != order)
        found.append(first[large] * n + order[large])
        # a small bucket: every pair (the buckets of one size at once)
        for size in unique(sizes[(sizes > 1) & (sizes <= MAX_BUCKET_PAIRS)]).tolist():
            members = order[starts[sizes == size][:, None] + np.arange(size)]  # a row per bucket
            i, j = np.triu_indices(size, 1)
            found.append((members[:, i] * n + members[:, j]).ravel())
    codes = unique(np.concatenate(found))  # one array per band at least
    return np.stack([codes // n, codes % n], axis=1)


def copies(signatures: list[bytes | None]) -> list[tuple[int, int]]:
    """The pairs of articles (by position, i < j) whose signatures make them one story."""
    held = [i for i, s in enumerate(signatures) if s is not None]
    if len(held) < 2:
        return []
    matrix = _matrix([signatures[i] for i in held])  # type: ignore[misc]
    pairs = candidate_pairs(matrix)
    if not len(pairs):
        return []
    same = np.concatenate([  # the share of equal values, a slice of pairs at a time (bounded memory)
        np.count_nonzero(matrix[chunk[:, 0]] == matrix[chunk[:, 1]], axis=1) / SKETCH_BINS >= MIN_SIMILARITY
        for chunk in np.array_split(pairs, -(-len(pairs) // PAIRS_PER_CHUNK))])
    return [(held[i], held[j]) for i, j in pairs[same].tolist()]


def _date_bounds(published: str | None) -> tuple[str, str] | None:
    """The first and last day an ISO date of any precision may stand for, as comparable strings.

    >>> _date_bounds("2023"), _date_bounds("2023-05"), _date_bounds(None)
    (('2023-00-00', '2023-99-99'), ('2023-05-00', '2023-05-99'), None)
    """
    if not published:
        return None
    padded = published[:10]
    return padded + "-00-00"[len(padded) - 4:], padded + "-99-99"[len(padded) - 4:]


def earlier(a: tuple[str, str | None], b: tuple[str, str | None]) -> bool:
    """Whether article ``a`` (id, publication date) comes before ``b``: by date when both are known and
    cannot be the same day, else by id.

    >>> earlier(("b", "2020-01-02"), ("a", "2021")), earlier(("b", "2021-03"), ("a", "2021"))
    (True, False)
    >>> earlier(("a", None), ("b", "1999"))
    True
    """
    da, db = _date_bounds(a[1]), _date_bounds(b[1])
    if da is not None and db is not None:
        if da[1] < db[0]:
            return True
        if db[1] < da[0]:
            return False
    return a[0] < b[0]


def story_roots(signatures: list[bytes | None]) -> list[int]:
    """For each article (by position), the first article of its story: the smallest position among the
    articles joined to it by a chain of copies (an article without a signature is its own story).

    The stories are the connected components of ``copies``' pairs, found without checking them all: the
    candidate pairs are checked a slice at a time, and a pair whose two articles are already one story
    is not checked (a story republished many times gives a candidate pair for almost every two of its
    copies, and one chain through them is enough).
    """
    parent = list(range(len(signatures)))

    def root(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    held = [i for i, s in enumerate(signatures) if s is not None]
    if len(held) >= 2:
        matrix = _matrix([signatures[i] for i in held])  # type: ignore[misc]
        pairs = candidate_pairs(matrix)
        rows = np.array(held)
        for chunk in np.array_split(pairs, -(-len(pairs) // PAIRS_PER_CHUNK)) if len(pairs) else []:
            roots = _roots(np.array(parent))[rows][chunk]  # the story of each row, as it stands
            chunk = chunk[roots[:, 0] != roots[:, 1]]
            same = np.count_nonzero(matrix[chunk[:, 0]] == matrix[chunk[:, 1]], axis=1) / SKETCH_BINS
            for i, j in chunk[same >= MIN_SIMILARITY].tolist():
                a, b = root(held[i]), root(held[j])
                if a != b:
                    parent[max(a, b)] = min(a, b)
    return [root(i) for i in range(len(signatures))]


def _roots(parent: np.ndarray) -> np.ndarray:
    """Each element's root in a forest given as each element's parent (a root is its own parent).

    >>> _roots(np.array([0, 0, 1, 2, 4])).tolist()
    [0, 0, 0, 0, 4]
    """
    while True:
        grand = parent[parent]
        if np.array_equal(grand, parent):
            return parent
        parent = grand


def duplicate_of(article_ids: list[str], published: list[str | None],
                 signatures: list[bytes | None]) -> list[str | None]:
    """For each article, the id of the original it is a copy of, or ``None`` (see the module docstring).

    The original of a group of copies is found by going through its articles in id order and keeping
    the one no later article comes before, so the result does not depend on the order given.
    """
    groups: dict[int, list[int]] = {}
    for i, r in enumerate(story_roots(signatures)):
        groups.setdefault(r, []).append(i)
    result: list[str | None] = [None] * len(article_ids)
    for members in groups.values():
        if len(members) < 2:
            continue
        members.sort(key=lambda i: article_ids[i])
        original = members[0]
        for m in members[1:]:
            if earlier((article_ids[m], published[m]), (article_ids[original], published[original])):
                original = m
        for m in members:
            if m != original:
                result[m] = article_ids[original]
    return result


def with_duplicates(articles: pa.Table, signatures: pa.Table) -> pa.Table:
    """``articles`` (the articles table, any ``duplicate_of`` it holds ignored) with ``duplicate_of``
    decided over all of them; ``signatures``: ``article_id`` and ``signature`` (``texts.parquet``)."""
    by_id = dict(zip(signatures.column("article_id").to_pylist(), signatures.column("signature").to_pylist(),
                     strict=True))
    ids = articles.column("article_id").to_pylist()
    found = duplicate_of(ids, articles.column("published").to_pylist(), [by_id.get(a) for a in ids])
    column = pa.array(found, pa.string())
    if "duplicate_of" in articles.column_names:
        return articles.set_column(articles.column_names.index("duplicate_of"), "duplicate_of", column)
    return articles.append_column("duplicate_of", column)
