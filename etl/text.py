"""Views of an article's text that keep every offset traceable to the original.

Matching happens on a *normalised view*: line-break hyphenation removed
(``Vi-etnam`` -> ``Vietnam``), then case and accents folded one character for
one character. Spans found in the view are mapped back to the original text,
so ``text[start:end]`` is always the surface as written.
"""

from __future__ import annotations

import bisect
import re
import unicodedata
from dataclasses import dataclass, field
from functools import cached_property, lru_cache
from typing import TYPE_CHECKING, NamedTuple

if TYPE_CHECKING:  # numpy is imported where it is used: most of the module needs none
    import numpy as np

# --- folding ---------------------------------------------------------------------------------

#: Characters folded to something other than their Unicode base letter.
_SPECIAL_FOLDS = {
    "đ": "d", "Đ": "d", "ø": "o", "Ø": "o", "ł": "l", "Ł": "l", "ß": "s", "æ": "a", "Æ": "a",
    "œ": "o", "Œ": "o", "ı": "i",
    "\u2019": "'", "\u2018": "'", "\u02bc": "'", "`": "'", "\u00b4": "'",
    "\u2013": "-", "\u2014": "-", "\u2012": "-", "\u2010": "-", "\u2011": "-", "\u2212": "-",
    "\u00a0": " ", "\u202f": " ", "\u2009": " ", "\u2007": " ",
    "\u201c": '"', "\u201d": '"', "\u00ab": '"', "\u00bb": '"',
}
#: Unicode blocks whose letters are folded to a base letter (Latin, Latin-1, Latin Extended, Vietnamese).
_FOLDED_RANGES = ((0x00C0, 0x024F), (0x1E00, 0x1EFF))


def _build_fold_table() -> dict[int, str]:
    table: dict[int, str] = {ord(c): c.lower() for c in "ABCDEFGHIJKLMNOPQRSTUVWXYZ"}
    for lo, hi in _FOLDED_RANGES:
        for code in range(lo, hi + 1):
            ch = chr(code)
            base = unicodedata.normalize("NFD", ch)[0].lower()
            if len(base) == 1 and base.isascii():
                table[code] = base
    for ch, folded in _SPECIAL_FOLDS.items():
        table[ord(ch)] = folded
    return table


#: A str indexed by code point is a much faster translate table than a dict; characters beyond
#: it (outside the Basic Multilingual Plane) are left as they are.
_FOLD_MAP = _build_fold_table()
FOLD_TABLE = "".join(_FOLD_MAP.get(i, chr(i)) for i in range(0x10000))


#: From this length on, a text that is not plain ASCII is folded through a numpy array of
#: ``FOLD_TABLE``: ``str.translate`` looks each non-ASCII character up one at a time.
ARRAY_FOLD_MIN = 256


def fold(text: str) -> str:
    """Lower-case and strip accents, one character for one character.

    >>> fold("Hà Nội – Việt Nam")
    'ha noi - viet nam'
    >>> len(fold("Đồng Tháp")) == len("Đồng Tháp")
    True
    >>> long = "Đồng Tháp – Việt Nam 😀 " * 20
    >>> fold(long) == long.translate(FOLD_TABLE)
    True
    """
    if len(text) >= ARRAY_FOLD_MIN and not text.isascii():
        folded = _fold_array(text)
        if len(folded) == len(text):  # else two lone surrogates were read as one pair
            return folded
    return text.translate(FOLD_TABLE)


def _fold_array(text: str) -> str:
    """``FOLD_TABLE`` applied to each UTF-16 code unit: characters beyond the Basic Multilingual
    Plane are surrogate pairs, and surrogates map to themselves."""
    import numpy as np

    codes = np.frombuffer(text.encode("utf-16-le", "surrogatepass"), dtype=np.uint16)
    return _fold_codes()[codes].tobytes().decode("utf-16-le", "surrogatepass")


@lru_cache(maxsize=1)
def _fold_codes() -> np.ndarray:
    import numpy as np

    return np.frombuffer(FOLD_TABLE.encode("utf-16-le", "surrogatepass"), dtype=np.uint16)


#: Folded text with every character that is not a letter or digit turned into a space.
BOUNDARY_TABLE = "".join(chr(i) if chr(i).isalnum() else " " for i in range(0x10000))


#: After one of these (and white space), a word opens a sentence, a line, a quotation or a clause after a
#: dash: its capital says nothing of a name.
SENTENCE_OPENERS = frozenset('.!?:"“«(\n–—-')


def opens_sentence(text: str, start: int) -> bool:
    """Whether the word at ``start`` opens the text, a sentence, a line or a quotation (the last of the
    three characters before it that is not white space is one of ``SENTENCE_OPENERS``).

    >>> [opens_sentence("Pol Pot. Trade rose in Hue", i) for i in (0, 9, 23)]
    [True, True, False]
    """
    before = text[max(0, start - 3):start].rstrip(" \t")
    return not before or before[-1] in SENTENCE_OPENERS


def boundary_view(folded: str) -> str:
    """``folded`` with punctuation and spaces as single spaces, same length: words are space-delimited.

    >>> boundary_view("l'export-import (2022)")
    'l export import  2022 '
    """
    return folded.translate(BOUNDARY_TABLE)


def fold_key(text: str) -> str:
    """A comparison key: folded, with spaces, hyphens and apostrophes dropped.

    >>> fold_key("Kompong Trach") == fold_key("Kompong-trach") == "kompongtrach"
    True
    """
    return re.sub(r"[\s\-'.]+", "", fold(text))


# --- ASCII names and place ids ----------------------------------------------------------------

_UNDECOMPOSABLE = str.maketrans({
    "Đ": "D", "đ": "d", "Ð": "D", "ð": "d", "Ø": "O", "ø": "o", "Ł": "L", "ł": "l", "ß": "ss",
    "Æ": "AE", "æ": "ae",
    "Œ": "OE", "œ": "oe", "ı": "i", "’": "'", "‘": "'", "ʻ": "'", "ʼ": "'", "‐": "-", "–": "-",
})


def fold_ascii(text: str) -> str:
    """ASCII spelling of a name, without diacritics: the gazetteer's names and ids are made from it.

    >>> fold_ascii("Thành phố Hồ Chí Minh")
    'Thanh pho Ho Chi Minh'
    >>> fold_ascii("Đắk Lắk")
    'Dak Lak'
    """
    decomposed = unicodedata.normalize("NFKD", text.translate(_UNDECOMPOSABLE))
    plain = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return plain.encode("ascii", "ignore").decode()


def slugify(text: str) -> str:
    """Lower-case ASCII slug with hyphens: a place id. The gazetteer builder and the map both make
    ids with it, so a province of the boundary file and its gazetteer row share one.

    >>> slugify("Ba Ria-Vung Tau")
    'ba-ria-vung-tau'
    >>> slugify("Vietnam-Cambodia Friendship Monument (Kampong Cham)")
    'vietnam-cambodia-friendship-monument-kampong-cham'
    """
    return re.sub(r"[^a-z0-9]+", "-", fold_ascii(text).lower()).strip("-")


# --- line-break hyphenation ----------------------------------------------------------------

#: A hyphen inside a word whose second part starts in lower case: "Vi-etnam", "be-tween".
_HYPHENATED = re.compile(r"\b([^\W\d_]{1,30})-([a-zà-ÿ][^\W\d_]{0,30})\b")
_HYPHEN = re.compile("-")
#: How far a ``_HYPHENATED`` match reaches before its hyphen (its first part), and after the end of
#: the hyphen (its second part, up to 31 letters, and the character its closing ``\b`` looks at).
_HYPHENATED_BEFORE, _HYPHENATED_AFTER = 30, 32
#: A joined word must be at least this common (Zipf scale) to undo the hyphen.
MIN_JOINED_ZIPF = 3.0


@lru_cache(maxsize=65536)
def word_zipf_in(word: str, lang: str) -> float:
    """How common ``word`` is in ``lang`` (wordfreq's Zipf scale; 0 for an unknown word or language)."""
    from etl.frequency import zipf

    return zipf(word, lang)


@lru_cache(maxsize=65536)
def word_zipf(word: str) -> float:
    """How common ``word`` is in the most common of the lexicons' languages (0: unknown)."""
    from etl.frequency import zipf
    from etl.lexicon import load_common  # etl.lexicon imports this module

    return max(zipf(word, lang) for lang in load_common().words.frequency_languages)


@lru_cache(maxsize=65536)
def should_join(left: str, right: str, extra_words: frozenset[str] = frozenset()) -> bool:
    """Whether ``left-right`` is one word split at a line break.

    It is when the joined word is common (or a known name) and more common than the
    hyphenated pair read as two words.

    >>> should_join("Vi", "etnam"), should_join("be", "tween"), should_join("long", "term")
    (True, True, False)
    """
    joined = (left + right).lower()
    if fold(joined) in extra_words:
        return True
    z = word_zipf(joined)
    return z >= MIN_JOINED_ZIPF and z > word_zipf(f"{left} {right}".lower())


@dataclass(frozen=True)
class TextView:
    """The original text, its dehyphenated form and that form folded.

    ``removed`` holds the original offsets of the characters taken out, sorted: hyphens at line
    breaks, and invisible format characters (``FORMAT_CHARACTERS``).
    """

    original: str
    norm: str
    folded: str
    removed: tuple[int, ...]
    #: What steps of the extraction find in this text and share (``Lexicon.scan``), by whom found it.
    memo: dict = field(default_factory=dict, compare=False, repr=False)

    @cached_property
    def digit_runs(self) -> list[tuple[int, int]]:
        """Spans of the runs of decimal digits (what ``\\d+`` finds), found once for every pattern
        that contains a digit (dates, times, years)."""
        return digit_runs(self.folded)

    @cached_property
    def bounded(self) -> str:
        """``boundary_view(folded)``, made once for every phrase finder that reads it."""
        return boundary_view(self.folded)

    @cached_property
    def _removed_in_view(self) -> list[int]:
        """Where each removed hyphen stood in the view: the offset of the character after it there."""
        return [pos - k for k, pos in enumerate(self.removed)]  # k hyphens before it are gone

    def to_original(self, i: int) -> int:
        """Map an offset in ``norm``/``folded`` to the original text."""
        if not self.removed:  # most texts: the view has the original's offsets
            return i
        # each removed hyphen that stood at or before the offset shifts it by one
        return i + bisect.bisect_right(self._removed_in_view, i)

    def to_view(self, i: int) -> int:
        """Map an offset in the original text to ``norm``/``folded``."""
        return i - bisect.bisect_left(self.removed, i)

    def folded_original(self) -> str:
        """``fold(original)``, without folding the text again: ``folded`` with the removed characters
        (hyphens, format characters) back."""
        parts = []
        prev = 0
        for at, pos in zip(self._removed_in_view, self.removed, strict=True):
            parts.append(self.folded[prev:at])
            parts.append(fold(self.original[pos]))
            prev = at
        parts.append(self.folded[prev:])
        return "".join(parts)

    def span(self, start: int, end: int) -> tuple[int, int]:
        """Map a half-open span of the view to the original text."""
        if not self.removed:
            return start, max(start, end)
        if end <= start:
            s = self.to_original(start)
            return s, s
        return self.to_original(start), self.to_original(end - 1) + 1


_DIGIT = re.compile(r"\d+")


def digit_runs(text: str) -> list[tuple[int, int]]:
    """Spans of the runs of decimal digits in ``text``, as ``re.finditer(r"\\d+", text)`` finds them.

    A table lookup over the text's code units in numpy: a regular expression steps through every
    character in Python's ``re``, at a few nanoseconds each.

    >>> digit_runs("Le 7 janvier 1979, 12 345 t")
    [(3, 4), (13, 17), (19, 21), (22, 25)]
    """
    import numpy as np

    codes = np.frombuffer(text.encode("utf-16-le", "surrogatepass"), dtype=np.uint16)
    if len(codes) != len(text):  # characters beyond the Basic Multilingual Plane: digits among them too
        return [m.span() for m in _DIGIT.finditer(text)]
    digits = _digit_codes()[codes].view(np.int8)
    edges = np.flatnonzero(np.diff(digits, prepend=np.int8(0), append=np.int8(0)))
    bounds = edges.tolist()
    return list(zip(bounds[0::2], bounds[1::2], strict=True))


@lru_cache(maxsize=1)
def _digit_codes() -> np.ndarray:
    """Whether each code point of the Basic Multilingual Plane is a decimal digit (``\\d``: Unicode Nd)."""
    import numpy as np

    return np.array([chr(i).isdecimal() for i in range(0x10000)])


#: Invisible characters that only steer how text is shown or joined (zero-width space and joiners,
#: soft hyphen, direction marks and overrides, word joiner...): matching reads through them, so
#: "$4\u200b0 million" is 40 million, and offsets still point into the text as written.
FORMAT_CHARACTERS = re.compile(  # every character of Unicode category Cf (a test compares with unicodedata)
    "["
    "\u00ad\u0600-\u0605\u061c\u06dd\u070f\u0890-\u0891\u08e2\u180e\u200b-\u200f\u202a-\u202e"
    "\u2060-\u2064\u2066-\u206f\ufeff\ufff9-\ufffb\U000110bd\U000110cd\U00013430-\U00013438"
    "\U0001bca0-\U0001bca3\U0001d173-\U0001d17a\U000e0001\U000e0020-\U000e007f"
    "]"
)


def format_positions(text: str) -> list[int]:
    """Where ``FORMAT_CHARACTERS`` stand in ``text``: a table lookup over its code units in numpy (the
    regular expression takes half a millisecond on an article of 7 KB).

    >>> format_positions("a\u200bb\u202ec"), format_positions("a\u200bb😀\u200c")
    ([1, 3], [1, 4])
    """
    import numpy as np

    codes = np.frombuffer(text.encode("utf-16-le", "surrogatepass"), dtype=np.uint16)
    if len(codes) != len(text):  # beyond the Basic Multilingual Plane: offsets differ from code units
        return [m.start() for m in FORMAT_CHARACTERS.finditer(text)]
    return np.flatnonzero(_format_codes()[codes]).tolist()


@lru_cache(maxsize=1)
def _format_codes() -> np.ndarray:
    """Whether each code point of the Basic Multilingual Plane is a format character."""
    import numpy as np

    table = np.zeros(0x10000, dtype=bool)
    # one search over every code point at once (a match per code point took 70 ms)
    every = "".join(map(chr, range(0x10000)))
    table[[m.start() for m in FORMAT_CHARACTERS.finditer(every)]] = True
    return table


#: Characters that set the direction of the text after them (marks, embeddings, overrides,
#: isolates): shown as they are, one in a title or quote reverses what follows it on screen.
BIDI_CONTROLS = "\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"
#: ``str.translate`` table that turns each into a zero-width space: same length, so offsets into a
#: text still hold, and no effect on how the text around it is shown.
NEUTRAL_BIDI = str.maketrans(dict.fromkeys(BIDI_CONTROLS, "\u200b"))


def make_view(text: str, known_words: frozenset[str] = frozenset()) -> TextView:
    """Build the normalised view of ``text``; ``known_words`` are folded names that justify a join.

    >>> view = make_view("$4\u200b0 mil\u00adlion")
    >>> view.norm, view.span(0, 3), view.span(4, 11)
    ('$40 million', (0, 4), (5, 13))
    """
    from etl.scanner import finditer_in, windows  # etl.scanner imports this module

    removed: list[int] = []
    # Every match holds a hyphen, and most of an article is far from any: searching only around
    # hyphens finds the same matches several times faster than trying every word start.
    near = windows(text, _HYPHEN, _HYPHENATED_BEFORE, _HYPHENATED_AFTER)
    for m in finditer_in(_HYPHENATED, text, near):
        if should_join(m.group(1), m.group(2), known_words):
            removed.append(m.start(2) - 1)
    if not text.isascii():
        invisible = format_positions(text)
        if invisible:
            removed = sorted({*removed, *invisible})
    if not removed:
        return TextView(text, text, fold(text), ())
    parts = []
    prev = 0
    for pos in removed:
        parts.append(text[prev:pos])
        prev = pos + 1
    parts.append(text[prev:])
    norm = "".join(parts)
    return TextView(text, norm, fold(norm), tuple(removed))


# --- sentences -------------------------------------------------------------------------------

class Sentence(NamedTuple):
    index: int
    start: int
    end: int
    paragraph: int


#: End of sentence: terminal punctuation, closing quotes, space, then something that starts a sentence.
#: (``[.!?…][.!?…]*`` rather than ``[.!?…]+``: a pattern that opens with a plain character class is
#: searched faster, ``re`` skipping straight to the next punctuation mark.)
_SENTENCE_END = re.compile(
    r"""(?P<punct>[.!?…][.!?…]*)["'”’»)\]]*  # terminal punctuation and closers
        (?P<space>[ \t\u00a0]+                  # the space between sentences, or none on a page
         |(?<=[a-zà-ÿ0-9]{2}[.!?])(?=[A-ZÀ-ÖØ-ÞĐ][a-zà-ÿ]))  # that lost it ("années.Concernant")
        (?=["'“‘«(\[]?[A-ZÀ-ÖØ-ÞĐ0-9])          # the next sentence starts with a capital or a digit
    """,
    re.VERBOSE,
)
_PARAGRAPH = re.compile(r"[^\r\n]+")
_WORD_BEFORE = re.compile(r"([\w.]+)$")


def split_sentences(text: str, abbreviations: frozenset[str]) -> list[Sentence]:
    """Split ``text`` into sentences: every line is a paragraph, split at terminal punctuation.

    ``abbreviations`` (without their final dot) never end a sentence.

    >>> [text[s.start:s.end] for text in ["M. Dau a dit. Le Vietnam aide.\\nFin"]
    ...  for s in split_sentences(text, frozenset({"M"}))]
    ['M. Dau a dit.', 'Le Vietnam aide.', 'Fin']
    """
    sentences: list[Sentence] = []
    for para_index, para in enumerate(_PARAGRAPH.finditer(text)):
        p_start, p_end = para.span()
        start = p_start
        for m in _SENTENCE_END.finditer(text, p_start, p_end):
            if m.group("punct") == "." and _is_abbreviation(text, p_start, m.start(), abbreviations):
                continue
            _append(sentences, text, start, m.start("space"), para_index)
            start = m.end()
        _append(sentences, text, start, p_end, para_index)
    return sentences


def _is_abbreviation(text: str, floor: int, dot: int, abbreviations: frozenset[str]) -> bool:
    m = _WORD_BEFORE.search(text, max(floor, dot - 12), dot)
    if not m:
        return False
    word = m.group(1).rstrip(".")
    # a single capital letter is an initial ("R. de Corée", "Nguyen V. Dau")
    return word in abbreviations or (len(word) == 1 and word.isupper())


def _append(out: list[Sentence], text: str, start: int, end: int, paragraph: int) -> None:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    if end > start:
        out.append(Sentence(len(out), start, end, paragraph))
