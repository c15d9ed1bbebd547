"""Per-article extractions kept while a build runs, so that an interrupted build resumes.

A build appends each article's extraction to a journal as soon as it has it. When the
build succeeds its tables hold every row (the next run keeps the rows of unchanged
articles from them), so the journal is removed (``clear``): it would take as much room
as the tables again. When the build fails or is interrupted, the journal stays, and the
next run reads it instead of extracting those articles again.

An entry is keyed by the article's path, the hash of its bytes, its id (which
depends on the other files: ``a.md`` takes ``a`` from ``a.txt``) and the extractor
version (a hash of the extractor's code, lexicons and gazetteer): editing an article,
or the extractor, misses it. Journals live under ``<cache>/<version>/``, one file per
run that wrote entries. A journal is a sequence of records, each a header (the entry's
key, the length of what follows) and the pickled ``(extraction, text)``. Appending to
one file costs a write per article where a file per article cost a create and a rename
(a tenth of a full build's time); a record cut short by a killed process is the last of
its file, and is ignored.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import pickle
import re
import shutil
import struct
import uuid
from pathlib import Path
from typing import BinaryIO

from etl.extract import Extraction

#: A record's header: the entry's key (a SHA-256 digest) and the payload's length in bytes.
_HEADER = struct.Struct("<32sQ")
_SUFFIX = ".journal"


def pack(extraction: Extraction, text: str) -> bytes:
    """What the journal keeps of an article (``put``): built where the article was extracted, a worker
    process hands it over as it is, and it is written without being pickled again."""
    return pickle.dumps((extraction, text), protocol=pickle.HIGHEST_PROTOCOL)


def unpack(payload: bytes) -> tuple[Extraction, str]:
    return pickle.loads(payload)


class Journal:
    def __init__(self, root: Path, version: str) -> None:
        self.root = root
        self.version = version
        self.folder = root / version
        self._index: dict[bytes, tuple[Path, int, int]] | None = None
        self._journal: BinaryIO | None = None

    @staticmethod
    def _key(relative: str, sha: str, article_id: str) -> bytes:
        return hashlib.sha256(f"{relative}\0{sha}\0{article_id}".encode()).digest()

    @property
    def index(self) -> dict[bytes, tuple[Path, int, int]]:
        """Each entry's journal, offset and length, read from the records' headers once."""
        if self._index is None:
            self._index = {}
            for journal in sorted(self.folder.glob(f"*{_SUFFIX}")) if self.folder.is_dir() else ():
                with contextlib.suppress(OSError):
                    self._index.update(_records(journal))
        return self._index

    def has(self, relative: str, sha: str, article_id: str) -> bool:
        """Whether an entry is there (it may still turn out unreadable: see ``get``)."""
        return self._key(relative, sha, article_id) in self.index

    def get(self, relative: str, sha: str, article_id: str) -> tuple[Extraction, str] | None:
        """The cached (extraction, text) of an article, or ``None``."""
        where = self.index.get(self._key(relative, sha, article_id))
        if where is None:
            return None
        journal, offset, length = where
        try:
            with open(journal, "rb") as f:
                f.seek(offset)
                return unpack(f.read(length))
        except (OSError, pickle.UnpicklingError, EOFError, AttributeError, ImportError, ValueError):
            return None  # missing or unreadable: extract again

    def put(self, relative: str, sha: str, article_id: str, payload: bytes) -> None:
        """Append an article's entry (``pack``) to this run's journal."""
        if self._journal is None:
            self.folder.mkdir(parents=True, exist_ok=True)
            # a name of its own: a run never appends to another's journal, whose end may be cut short
            self._journal = open(self.folder / f"{uuid.uuid4().hex}{_SUFFIX}", "ab")  # noqa: SIM115
        self._journal.write(_HEADER.pack(self._key(relative, sha, article_id), len(payload)))
        self._journal.write(payload)

    def close(self) -> None:
        """Write out what this run appended (its entries then serve the next run, should this one fail)."""
        if self._journal is not None:
            self._journal.close()
            self._journal = None

    def clear(self) -> None:
        """Remove every entry, of every extractor version (the build they were for has succeeded).

        Only folders named like an extractor version are removed, and the cache folder itself when
        that leaves it empty: whatever else a user keeps there stays.
        """
        self.close()
        self._index = None
        if not self.root.is_dir():
            return
        for child in self.root.iterdir():
            if child.is_dir() and _VERSION_NAME.fullmatch(child.name):
                shutil.rmtree(child, ignore_errors=True)
        with contextlib.suppress(OSError):
            self.root.rmdir()


def _records(journal: Path) -> dict[bytes, tuple[Path, int, int]]:
    """The whole records of a journal, by key (a later record of a key replaces an earlier one)."""
    found: dict[bytes, tuple[Path, int, int]] = {}
    size = os.path.getsize(journal)
    with open(journal, "rb") as f:
        offset = 0
        while offset + _HEADER.size <= size:
            key, length = _HEADER.unpack(f.read(_HEADER.size))
            offset += _HEADER.size
            if offset + length > size:
                break  # cut short: the run writing it was killed
            found[key] = (journal, offset, length)
            offset += length
            f.seek(offset)
    return found


#: What ``etl.version.extractor_version`` returns: a folder of ours.
_VERSION_NAME = re.compile(r"[0-9a-f]{16}")
