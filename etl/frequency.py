"""How common a word is (wordfreq's Zipf scale), without importing wordfreq in every process.

Importing wordfreq costs about a third of a second (it imports langcodes, ftfy and regex, and looks for
its data folder by walking the call stack), more than extracting an article; a one-article re-run and
every worker paid it. Here each language's "small" list is read once, by wordfreq, into a plain
dictionary of word frequencies kept in the prepared-resource cache (``etl.prepared``), keyed by the list
file's size and time. A word, or a few words separated by single spaces, made of lower-case Latin
letters only (apostrophes between two of them aside) is then scored as wordfreq scores it: its tokens
are its words (wordfreq's tokenizer splits such a text at its spaces and after an elided article, "l'",
"qu'", and changes nothing else but a typographic apostrophe, made straight, in a language whose
preprocessing is plain NFC and case folding, which the kept list records), a missing token makes the
text unknown, and the frequencies of several tokens combine as ``1/f = 1/f1 + 1/f2 + ...``, rounded to
three significant digits as wordfreq rounds them. Anything else is asked of wordfreq itself. A test
compares the two on every word of the test articles and on the lists' own words.
"""

from __future__ import annotations

import importlib.util
import math
import os
import re
import unicodedata
from functools import cache, lru_cache
from typing import NamedTuple

from etl.prepared import kept

#: The list every score here is read from: it holds every word of Zipf 3 or more, all the extractor
#: asks about, and loads in a fraction of the time of the large one.
WORDLIST = "small"


def _latin_letters() -> str:
    """Lower-case Latin letters (Vietnamese ones too) that case folding and NFC leave as they are (not
    "ß", which folds to "ss"), as a regular expression's character class."""
    kept = [chr(c) for c in (*range(0x61, 0x7B), *range(0xC0, 0x250), *range(0x1E00, 0x1F00))
            if chr(c).isalpha() and chr(c).islower() and chr(c).casefold() == chr(c)
            and unicodedata.normalize("NFC", chr(c)) == chr(c)]
    return "[" + "".join(re.escape(c) for c in kept) + "]"


#: Words of such letters, perhaps joined by apostrophes ("people’s", "aujourd'hui"), one space apart.
_WORD = rf"{_latin_letters()}+(?:['’]{_latin_letters()}+)*"
_SIMPLE = re.compile(rf"{_WORD}(?: {_WORD})*")
#: What wordfreq's tokenizer cuts off the start of a word: one or two letters, a straight apostrophe, then
#: a vowel or "h" ("l'eau", "qu'il", "s'exprimant"; not "it's", and not after a typographic apostrophe).
_VOWEL = "[AEHIOUYÁÉÍÓÚÀÈÌÒÙÂÊÎÔÛÅÏÖŒaehiouyáéíóúàèìòùâêîôûåïöœ]"  # wordfreq's INITIAL_VOWEL_EXPR
_ELIDED = re.compile(rf"({_latin_letters()}{{1,2}})'(?={_VOWEL})")
#: What a wordfreq language's preprocessing must be for ``_SIMPLE`` text to be its own tokens.
_PLAIN = {"tokenizer": "regex", "normal_form": "NFC", "remove_marks": False, "dotless_i": False,
          "diacritics_under": None, "transliteration": None, "lookup_transliteration": None}
#: wordfreq's floor for an unknown word when the minimum Zipf asked for is 0.
_UNKNOWN = 10**0 / 1e9
#: Changes whenever what is kept changes shape.
_FORMAT = "1"


class _Kept(NamedTuple):
    plain: bool  # the language's preprocessing leaves ``_SIMPLE`` text as its tokens
    frequencies: dict[str, float]  # wordfreq's ``get_frequency_dict``: token -> frequency


def zipf(text: str, lang: str) -> float:
    """``wordfreq.zipf_frequency(text, lang, wordlist="small")``; 0 when wordfreq or its list for
    ``lang`` is missing.

    >>> zipf("between", "en") > 5 > zipf("betw een", "en"), zipf("vietnamcambodia", "en")
    (True, 0.0)
    """
    words = _kept(lang)
    if words is None:
        return 0.0
    if words.plain and _SIMPLE.fullmatch(text):
        return _zipf_of_tokens(_tokens(text), words.frequencies)
    return _wordfreq_zipf(text, lang)


def _tokens(text: str) -> list[str]:
    """wordfreq's tokens of a ``_SIMPLE`` text (its words, elided articles cut off, apostrophes straight).

    >>> _tokens("l'eau qu’il it's s'y")
    ['l', 'eau', "qu'il", "it's", 's', 'y']
    """
    tokens = []
    for word in text.split(" "):
        while elided := _ELIDED.match(word):
            tokens.append(elided.group(1))
            word = word[elided.end():]
        tokens.append(word.replace("’", "'"))
    return tokens


def _zipf_of_tokens(tokens: list[str], frequencies: dict[str, float]) -> float:
    """wordfreq's ``_word_frequency`` and ``zipf_frequency`` for tokens without digits."""
    one_over = 0.0
    for token in tokens:
        frequency = frequencies.get(token)
        if frequency is None:
            return round(math.log(_UNKNOWN, 10) + 9, 2)
        one_over += 1.0 / frequency
    unrounded = max(1.0 / one_over, _UNKNOWN)
    leading_zeroes = math.floor(-math.log(unrounded, 10))
    return round(math.log(round(unrounded, leading_zeroes + 3), 10) + 9, 2)


@lru_cache(maxsize=4096)
def _wordfreq_zipf(text: str, lang: str) -> float:
    from wordfreq import zipf_frequency

    try:
        return zipf_frequency(text, lang, wordlist=WORDLIST)
    except LookupError:
        return 0.0


@cache
def _kept(lang: str) -> _Kept | None:
    """The list of ``lang``, from the cache or read by wordfreq; ``None`` without wordfreq or its list."""
    spec = importlib.util.find_spec("wordfreq")  # finds the package without importing it
    if spec is None or not spec.submodule_search_locations:
        return None
    data = os.path.join(next(iter(spec.submodule_search_locations)), "data", f"{WORDLIST}_{lang}.msgpack.gz")
    try:
        st = os.stat(data)
    except OSError:  # no list of that name: wordfreq may still match the language to another one
        return _Kept(False, {})
    key = f"{lang}-{st.st_size}-{st.st_mtime_ns}-{_FORMAT}"
    return kept(f"wordfreq-{WORDLIST}-{lang}", key, lambda: _read(lang))


#: Texts whose tokens wordfreq is asked for when a list is kept: should another version of wordfreq
#: tokenize any of them otherwise than ``_tokens``, every text of that language is asked of wordfreq.
_PROBES = ("trade", "l'eau", "qu'il", "s'y", "l'h'x", "it's", "de'accord", "aujourd'hui", "qu’il",
           "people’s party", "rock'n'roll", "nguyễn đắk", "đồng", "œuvre", "déjà vu", "ÿ", "a b c")


def _read(lang: str) -> _Kept:
    from wordfreq import get_frequency_dict
    from wordfreq.language_info import get_language_info
    from wordfreq.tokens import lossy_tokenize

    info = get_language_info(lang)
    plain = (all(info.get(name) == value for name, value in _PLAIN.items())
             and all(_SIMPLE.fullmatch(p) and lossy_tokenize(p, lang) == _tokens(p) for p in _PROBES))
    return _Kept(plain, dict(get_frequency_dict(lang, WORDLIST)))
