"""Read an article file into text, saying what was assumed on the way.

Plain text (``.txt``, ``.md``) in any common encoding, and saved web pages
(``.html``, ``.htm``) through trafilatura's main-text extractor. The text
returned is what every offset in the tables points into; it is never altered
after decoding (line endings included).
"""

from __future__ import annotations

import codecs
import hashlib
import posixpath
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

TEXT_SUFFIXES = frozenset({".txt", ".md"})
HTML_SUFFIXES = frozenset({".html", ".htm"})
SUFFIXES = TEXT_SUFFIXES | HTML_SUFFIXES
#: Files larger than this are not read (bytes).
MAX_FILE_BYTES = 200 * 1024 * 1024
#: Leading bytes of common binary formats -> their name.
MAGIC = {
    b"\x89PNG": "PNG", b"%PDF": "PDF", b"PK\x03\x04": "ZIP", b"GIF8": "GIF", b"\xff\xd8\xff": "JPEG",
    b"\x1f\x8b": "gzip", b"\x7fELF": "an executable", b"Rar!": "RAR", b"7z\xbc\xaf": "7-Zip",
    b"\xd0\xcf\x11\xe0": "an Office document", b"RIFF": "RIFF media", b"OggS": "Ogg media",
}
_BOMS = ((codecs.BOM_UTF32_LE, "utf-32"), (codecs.BOM_UTF32_BE, "utf-32"),
         (codecs.BOM_UTF8, "utf-8-sig"), (codecs.BOM_UTF16_LE, "utf-16"), (codecs.BOM_UTF16_BE, "utf-16"))
ASCII_MAX, LATIN_EXTENDED_A_MAX = 0x7F, 0x17F
#: Share of non-ASCII characters that must be Latin letters for Windows-1252 to be trusted.
MIN_LATIN_SHARE = 0.8
#: ...and at most this share of all letters (French has about 4% accented letters).
MAX_ACCENTED_SHARE = 0.3
#: A web page whose main text has fewer words than this holds no article.
MIN_HTML_WORDS = 8
#: Share of control characters above which decoded bytes are not text...
MAX_CONTROL_SHARE = 0.01
#: ...unless there are no more than this many (a stray NUL in a short article).
MAX_STRAY_CONTROLS = 8
_SNIFF_BYTES = 64 * 1024
#: Control characters that plain text does not hold (tabs, line and page breaks excepted).
_CONTROL_BYTES = bytes(range(0x00, 0x09)) + bytes(range(0x0E, 0x20))


class Unreadable(Exception):
    """The file holds no article text; the message says why in plain words."""


@dataclass(frozen=True)
class Document:
    file: str  # path under the seeds folder, POSIX separators
    article_id: str  # that path without its extension
    text: str
    sha256: str
    problems: tuple[str, ...] = ()
    html_metadata: tuple[tuple[str, str], ...] = ()


def article_id_for(relative: PurePosixPath | str) -> str:
    """The stable id of an article: its path under the seeds folder (``/``-separated) without extension.

    >>> article_id_for(PurePosixPath("2024/kien-giang.txt"))
    '2024/kien-giang'
    """
    return posixpath.splitext(str(relative))[0]


def read_document(path: Path, root: Path) -> Document:
    """Read one article; raise ``Unreadable`` when it holds no text."""
    relative = PurePosixPath(path.relative_to(root).as_posix())
    size = path.stat().st_size
    if size > MAX_FILE_BYTES:
        raise Unreadable(f"too large ({size / 1e6:.0f} MB; the limit is {MAX_FILE_BYTES / 1e6:.0f} MB)")
    data = path.read_bytes()
    sha = hashlib.sha256(data).hexdigest()
    return document_from_bytes(data, relative, sha)


def document_from_bytes(data: bytes, relative: PurePosixPath, sha: str | None = None,
                        article_id: str | None = None) -> Document:
    sha = sha or hashlib.sha256(data).hexdigest()
    if not data:
        raise Unreadable("empty file")
    text, problems = decode(data)
    metadata: tuple[tuple[str, str], ...] = ()
    if relative.suffix.lower() in HTML_SUFFIXES:
        text, metadata = html_to_text(text)
        problems = (*problems, "main text extracted from HTML")
    if not text.strip():
        raise Unreadable("only whitespace")
    return Document(str(relative), article_id or article_id_for(relative), text, sha, problems, metadata)


def decode(data: bytes) -> tuple[str, tuple[str, ...]]:
    """Decode bytes to text: BOM, then UTF-16 without one, then UTF-8 (with a few invalid bytes
    replaced), then the best guess; whatever was assumed is reported."""
    for magic, name in MAGIC.items():
        if data.startswith(magic):
            raise Unreadable(f"not text (looks like {name})")
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            text = data.decode(encoding, errors="replace")
            return _check_text(text), (() if encoding == "utf-8-sig" else (f"decoded as {encoding} (BOM)",))
    utf16 = _utf16_without_bom(data)
    if utf16 is not None:
        return _check_text(data.decode(utf16, errors="replace")), (f"decoded as {utf16} (no BOM)",)
    try:
        return _check_text(data.decode("utf-8")), ()
    except UnicodeDecodeError:
        pass
    text, n_invalid = _mostly_utf8(data)
    if text is not None:
        noun = "byte" if n_invalid == 1 else "bytes"
        return _check_text(text), (f"{n_invalid} invalid UTF-8 {noun} replaced by U+FFFD",)
    encoding = _guess_encoding(data)
    text = data.decode(encoding, errors="replace")
    return _check_text(text), (f"decoded as {encoding}",)


#: UTF-16 without a BOM: at least this share of the bytes of one parity are zero (the high bytes of
#: Latin text)...
UTF16_ZERO_SHARE = 0.7
#: ...and at most this share of the other parity's (the low bytes: letters, digits, spaces).
UTF16_OTHER_ZERO_SHARE = 0.05


def _utf16_without_bom(data: bytes) -> str | None:
    """``utf-16-le`` or ``utf-16-be`` when the bytes look like Latin text in it, else ``None``.

    >>> _utf16_without_bom("Trade rose".encode("utf-16-le")), _utf16_without_bom(b"Trade rose")
    ('utf-16-le', None)
    """
    sample = data[:_SNIFF_BYTES]
    if len(sample) < 2 or sample.count(0) < len(sample) // 4:
        return None
    even, odd = sample[0::2], sample[1::2]
    even_zero, odd_zero = even.count(0) / len(even), odd.count(0) / max(len(odd), 1)
    if odd_zero >= UTF16_ZERO_SHARE and even_zero <= UTF16_OTHER_ZERO_SHARE:
        return "utf-16-le"
    if even_zero >= UTF16_ZERO_SHARE and odd_zero <= UTF16_OTHER_ZERO_SHARE:
        return "utf-16-be"
    return None


#: UTF-8 but for a few bytes: at most this many invalid bytes...
MAX_INVALID_UTF8 = 3
#: ...or at most one for this many valid characters beyond ASCII (which only UTF-8 would give).
VALID_PER_INVALID = 10
_NON_ASCII_BYTES = bytes(range(0x80, 0x100))


def _mostly_utf8(data: bytes) -> tuple[str | None, int]:
    """The text, with its invalid bytes replaced, when ``data`` is UTF-8 but for a few bytes.

    A text saved in another encoding has an invalid byte at almost every accented letter, and no
    valid sequence beyond ASCII; one UTF-8 text damaged in a few places has many valid ones.

    >>> _mostly_utf8("Pour la prospérité des deux pays".encode() + b"\\xff")
    ('Pour la prospérité des deux pays\\ufffd', 1)
    >>> _mostly_utf8("prospérité".encode("cp1252"))
    (None, 2)
    """
    text = data.decode("utf-8", errors="replace")
    n_invalid = text.count("\ufffd") - data.count("\ufffd".encode())
    n_ascii = len(data.translate(None, _NON_ASCII_BYTES))
    n_valid_beyond_ascii = len(text) - n_ascii - n_invalid
    if n_valid_beyond_ascii > 0 and (n_invalid <= MAX_INVALID_UTF8
                                     or n_invalid * VALID_PER_INVALID <= n_valid_beyond_ascii):
        return text, n_invalid
    return None, n_invalid


#: Single-byte Latin code pages a guesser confuses on short text; Windows-1252 is preferred among them.
LATIN_CODEPAGES = frozenset({
    "ascii", "latin_1", "iso8859_1", "iso8859_2", "iso8859_9", "iso8859_15", "cp1250", "cp1252", "cp1254",
    "cp1257", "cp850", "cp437", "mac_roman", "mac_latin2", "utf_8",
})


def _guess_encoding(data: bytes) -> str:
    sample = data[:_SNIFF_BYTES]
    try:
        from charset_normalizer import from_bytes
        best = from_bytes(sample).best()
    except Exception:  # the guesser failing is not fatal: Windows-1252 decodes almost every byte
        best = None
    try:
        latin = data.decode("cp1252")
    except UnicodeDecodeError:
        latin = None
    if latin is not None and (best is None or best.encoding in LATIN_CODEPAGES or _looks_latin(latin)):
        return "cp1252"  # the usual encoding of Western European text saved on Windows
    if best is not None:
        return best.encoding  # a non-Latin script (Cyrillic, CJK...)
    return "latin-1"


def _looks_latin(text: str) -> bool:
    """Western text, whatever a guesser says: the characters beyond ASCII are mostly Latin letters
    (é, ç, â) and few among the letters (Cyrillic read as Windows-1252 is all "accented" letters)."""
    sample = text[:_SNIFF_BYTES]
    letters = sum(1 for c in sample if c.isalpha())
    extra = [c for c in sample if ord(c) > ASCII_MAX]
    latin = sum(1 for c in extra if c.isalpha() and ord(c) <= LATIN_EXTENDED_A_MAX)
    return not extra or (latin >= MIN_LATIN_SHARE * len(extra) and len(extra) <= MAX_ACCENTED_SHARE * letters)


def _check_text(text: str) -> str:
    if not text:
        return text
    sample = text[:_SNIFF_BYTES]
    # counted in the UTF-8 bytes, where each is one byte and no other character has such a byte
    # (ten times faster than a regular expression)
    encoded = sample.encode("utf-8", "surrogatepass")
    controls = len(encoded) - len(encoded.translate(None, _CONTROL_BYTES))
    if controls > max(MAX_STRAY_CONTROLS, MAX_CONTROL_SHARE * len(sample)):  # a stray NUL is not binary
        raise Unreadable("not text (binary content)")
    return text


def html_to_text(html: str) -> tuple[str, tuple[tuple[str, str], ...]]:
    """The main text of a saved web page (headline first) and what trafilatura knows of it."""
    try:
        import trafilatura
    except ImportError as e:  # pragma: no cover - a dependency of the project
        raise Unreadable("cannot read HTML: trafilatura is not installed") from e
    body = trafilatura.extract(html, include_comments=False, include_tables=True, favor_recall=True) or ""
    meta = trafilatura.extract_metadata(html)
    fields = {}
    if meta is not None:
        for key in ("title", "author", "date", "sitename"):
            value = getattr(meta, key, None)
            if value:
                fields[key] = str(value)
    if len(body.split()) < MIN_HTML_WORDS:
        raise Unreadable("no article text found in the HTML page")
    title = fields.get("title", "").strip()
    text = f"{title}\n\n{body}" if title and not body.startswith(title) else body
    return text, tuple(sorted(fields.items()))
