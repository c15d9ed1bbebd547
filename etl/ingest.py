"""Add uploaded article files to the corpus folder, safely.

Each file gets a safe name (no path separators, no ``..``, no hidden files, only
``.txt``/``.md``/``.html``/``.htm``), a size limit, and a content hash: an exact
duplicate of an article already in the corpus is skipped and reported, and a
different article never overwrites one with the same name (it gets a numbered
name instead). Files are written to a temporary name and renamed into place, so
a failure never leaves half an article behind.
"""

from __future__ import annotations

import errno
import hashlib
import os
import re
import tempfile
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path, PurePath

from etl.reading import SUFFIXES

#: Largest file accepted (bytes).
MAX_UPLOAD_BYTES = 5 * 1024 * 1024
MAX_NAME_CHARS = 120
_UNSAFE = re.compile(r"[^\w.-]+")


@dataclass
class IngestReport:
    added: list[str] = field(default_factory=list)  # names written into the corpus
    duplicates: list[tuple[str, str]] = field(default_factory=list)  # (uploaded name, existing file)
    rejected: list[tuple[str, str]] = field(default_factory=list)  # (uploaded name, reason)


def safe_name(name: str) -> str | None:
    """A file name safe to write into the corpus folder, or ``None`` when nothing usable is left.

    >>> safe_name("../../etc/passwd.txt"), safe_name("Rapport (VNA) é.html"), safe_name(".bashrc")
    ('passwd.txt', 'Rapport_VNA_e.html', None)
    """
    base = PurePath(name.replace("\\", "/")).name
    base = unicodedata.normalize("NFKD", base).encode("ascii", "ignore").decode()
    stem, dot, suffix = base.rpartition(".")
    if not dot or f".{suffix.lower()}" not in SUFFIXES:
        return None
    stem = _UNSAFE.sub("_", stem).strip("._-")[:MAX_NAME_CHARS]
    if not stem:
        return None
    return f"{stem}.{suffix.lower()}"


def corpus_hashes(seeds: Path) -> dict[str, str]:
    """Content hash -> file (relative path) of every article already in the corpus (read as the ETL
    reads them: nothing outside the folder, no FIFO, nothing over the size limit)."""
    from etl.discover import find_articles, hash_sources

    files, _ = find_articles(seeds)
    sources, _ = hash_sources(files, seeds)
    hashes: dict[str, str] = {}
    for source in sources:
        hashes.setdefault(source.sha256, source.relative)
    return hashes


def add_articles(uploads: list[tuple[str, bytes]], seeds: Path, max_bytes: int = MAX_UPLOAD_BYTES
                 ) -> IngestReport:
    """Write ``(name, content)`` uploads into ``seeds``; say what was added, skipped or refused.

    The folder must exist: made here, after the corpus's folder was deleted, it would hold only
    the uploads, and a rebuild from it would drop every other article from the tables.
    """
    if not seeds.is_dir():
        raise FileNotFoundError(errno.ENOENT, "the articles folder is missing", str(seeds))
    report = IngestReport()
    known = corpus_hashes(seeds)
    for name, data in uploads:
        safe = safe_name(name)
        if safe is None:
            report.rejected.append((name, "not an accepted file (.txt, .md, .html, .htm)"))
            continue
        if len(data) > max_bytes:
            report.rejected.append((name, f"too large ({len(data) / 1e6:.1f} MB; the limit is "
                                          f"{max_bytes / 1e6:.0f} MB per file)"))
            continue
        if not data.strip():
            report.rejected.append((name, "empty file"))
            continue
        digest = hashlib.sha256(data).hexdigest()
        if digest in known:
            report.duplicates.append((name, known[digest]))
            continue
        target = _write_new(seeds, safe, data)
        known[digest] = target.name
        report.added.append(target.name)
    return report


def _write_new(seeds: Path, name: str, data: bytes) -> Path:
    """Write ``data`` as ``name`` in ``seeds``, or as "name-2", "name-3"... when that is taken.

    The bytes go to a hidden temporary file first (the ETL skips hidden files, so it never
    reads half an article); a hard link then claims the name only if it is still free,
    so a concurrent upload can never overwrite another article.
    """
    fd, tmp = tempfile.mkstemp(dir=seeds, prefix=".upload-", suffix=".part")
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        stem, suffix = Path(name).stem, Path(name).suffix
        candidate, n = name, 2
        while True:
            try:
                os.link(tmp, seeds / candidate)
                return seeds / candidate
            except FileExistsError:
                candidate, n = f"{stem}-{n}{suffix}", n + 1
    finally:
        Path(tmp).unlink(missing_ok=True)
