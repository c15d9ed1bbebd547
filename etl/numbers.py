"""Turn the text of a number into a float, leniently.

Digits follow either convention (``1 234,5``, ``1,234.5``, ``1.234.567,89``,
``2.76``, ``2,75``); when a single separator is ambiguous the article's
language decides (its lexicon's decimal separator). Number words go through
text2num. Every function returns ``None`` for text that is not a number.
"""

from __future__ import annotations

import re
from functools import lru_cache

_SPACES = re.compile(r"[ \u00a0\u202f\u2009]")
_GROUP = 3  # digits in a thousands group


def parse_number(raw: str, decimal_separator: str = ".", thousands_separators: tuple[str, ...] = (",",)
                 ) -> float | None:
    """Parse digits with thousands and decimal separators.

    >>> parse_number("1 234,5", ",", (" ", "."))
    1234.5
    >>> parse_number("1,234.5"), parse_number("2.76"), parse_number("2,75")
    (1234.5, 2.76, 2.75)
    >>> parse_number("1.234.567,89", ",", (" ", "."))
    1234567.89
    >>> parse_number("1,234"), parse_number("1,234", ",", (" ", "."))
    (1234.0, 1.234)
    >>> parse_number("12..5") is None
    True
    """
    if raw.isascii() and raw.isdigit():  # most numbers: no separator to weigh
        return float(raw)
    s = _SPACES.sub("", raw.strip())
    if not s or not s[0].isdigit() or not s[-1].isdigit():
        return None
    seps = [c for c in s if c in ".,"]
    if not seps:
        return _float(s)
    if "." in seps and "," in seps:
        # Both kinds: the last one is the decimal point, the other groups thousands.
        dec_at = max(s.rfind("."), s.rfind(","))
        dec, grp = s[dec_at], ("," if s[dec_at] == "." else ".")
        if s.count(dec) > 1 or not _grouped(s[:dec_at], grp):
            return None
        return _float(s[:dec_at].replace(grp, "") + "." + s[dec_at + 1:])
    sep = seps[0]
    if len(seps) > 1:
        # "1,234,567" or "1.234.567": a repeated separator groups thousands.
        return _float(s.replace(sep, "")) if _grouped(s, sep) else None
    head, tail = s.split(sep)
    if len(tail) == _GROUP and sep in thousands_separators and sep != decimal_separator:
        return _float(head + tail)
    return _float(f"{head}.{tail}")


def _grouped(integer: str, grp: str) -> bool:
    """True for digits grouped by threes: "1,234,567"."""
    parts = integer.split(grp)
    return 0 < len(parts[0]) <= _GROUP and all(len(p) == _GROUP for p in parts[1:])


def _float(s: str) -> float | None:
    try:
        return float(s)
    except ValueError:
        return None


@lru_cache(maxsize=4096)  # a few words ("two", "deux", "un million") make most of them
def parse_number_words(text: str, lang: str) -> float | None:
    """The value of number words (``onze``, ``deux cents``, ``three million``) or ``None``.

    >>> parse_number_words("deux cents", "fr"), parse_number_words("three million", "en")
    (200.0, 3000000.0)
    >>> parse_number_words("three years", "en") is None
    True
    """
    try:
        from text_to_num import text2num
        return float(text2num(text.lower(), lang))
    except (ValueError, TypeError, ImportError):
        return None
    except Exception:  # text2num can raise other errors on odd input; not a number then
        return None
