"""Per-article extractions kept while a build runs, so that an interrupted build resumes.

A build writes each article's extraction here as soon as it has it. When the build
succeeds its tables hold every row (the next run keeps the rows of unchanged articles
from them), so the entries are removed (``clear``): they would take as much room as
the tables again. When it fails or is interrupted, they stay, and the next run reads
them instead of extracting those articles again.

An entry is keyed by the article's path, the hash of its bytes and the extractor
version (a hash of the extractor's code, lexicons and gazetteer): editing an
article, or the extractor, misses it. Entries live under ``<cache>/<version>/``.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import pickle
import re
import shutil
import threading
from pathlib import Path

from etl.extract import Extraction


class ExtractionCache:
    def __init__(self, root: Path, version: str) -> None:
        self.root = root
        self.version = version
        self.folder = root / version
        self._folders: set[str] = set()

    def _entry(self, relative: str, sha: str) -> str:
        key = hashlib.sha256(f"{relative}\0{sha}".encode()).hexdigest()
        return os.path.join(self.folder, key[:2], f"{key}.pickle")

    def get(self, relative: str, sha: str) -> tuple[Extraction, str] | None:
        """The cached (extraction, text) of an article, or ``None``."""
        try:
            with open(self._entry(relative, sha), "rb") as f:
                return pickle.load(f)
        except (OSError, pickle.UnpicklingError, EOFError, AttributeError, ImportError):
            return None  # missing or unreadable: extract again

    def has(self, relative: str, sha: str) -> bool:
        """Whether an entry is there (it may still turn out unreadable: see ``get``)."""
        return os.path.exists(self._entry(relative, sha))

    def put(self, relative: str, sha: str, extraction: Extraction, text: str) -> None:
        """Store an article's entry: written beside its place, then renamed (a reader never sees half)."""
        path = self._entry(relative, sha)
        folder = os.path.dirname(path)
        if folder not in self._folders:  # one of 256: made once per run, not once per article
            os.makedirs(folder, exist_ok=True)
            self._folders.add(folder)
        # the run holds the output's lock, so no other writer uses this process's and thread's name
        tmp = f"{path}.{os.getpid()}.{threading.get_ident()}.tmp"
        try:
            with open(tmp, "wb") as f:
                pickle.dump((extraction, text), f, protocol=pickle.HIGHEST_PROTOCOL)
            os.replace(tmp, path)
        except BaseException:
            with contextlib.suppress(OSError):
                os.unlink(tmp)
            raise

    def clear(self) -> None:
        """Remove every entry, of every extractor version (the build they were for has succeeded).

        Only folders named like an extractor version are removed, and the cache folder itself when
        that leaves it empty: whatever else a user keeps there stays.
        """
        if not self.root.is_dir():
            return
        for child in self.root.iterdir():
            if child.is_dir() and _VERSION_NAME.fullmatch(child.name):
                shutil.rmtree(child, ignore_errors=True)
        with contextlib.suppress(OSError):
            self.root.rmdir()


#: What ``etl.version.extractor_version`` returns: a folder of ours.
_VERSION_NAME = re.compile(r"[0-9a-f]{16}")
