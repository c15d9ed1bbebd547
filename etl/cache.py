"""A cache of per-article extractions, so re-runs only extract what changed.

An entry is keyed by the article's path, the hash of its bytes and the extractor
version (a hash of the extractor's code, lexicons and gazetteer): editing an
article, or the extractor, misses the cache. Entries live under
``<cache>/<version>/``; other versions' folders are removed when a run finishes.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import pickle
import shutil
import threading
from pathlib import Path

from etl.extract import Extraction


class ExtractionCache:
    def __init__(self, root: Path, version: str) -> None:
        self.root = root
        self.version = version
        self.folder = root / version
        self.used: set[str] = set()
        self._folders: set[str] = set()

    def _entry(self, relative: str, sha: str) -> str:
        key = hashlib.sha256(f"{relative}\0{sha}".encode()).hexdigest()
        return os.path.join(self.folder, key[:2], f"{key}.pickle")

    def get(self, relative: str, sha: str) -> tuple[Extraction, str] | None:
        """The cached (extraction, text) of an article, or ``None``."""
        path = self._entry(relative, sha)
        self.used.add(path)
        try:
            with open(path, "rb") as f:
                return pickle.load(f)
        except (OSError, pickle.UnpicklingError, EOFError, AttributeError, ImportError):
            return None  # missing or unreadable: extract again

    def has(self, relative: str, sha: str) -> bool:
        """Whether an entry is there (it may still turn out unreadable: see ``get``)."""
        return os.path.exists(self._entry(relative, sha))

    def keep(self, relative: str, sha: str) -> None:
        """Keep this article's entry (if any) through ``prune`` without reading it."""
        self.used.add(self._entry(relative, sha))

    def put(self, relative: str, sha: str, extraction: Extraction, text: str) -> None:
        """Store an article's entry: written beside its place, then renamed (a reader never sees half)."""
        path = self._entry(relative, sha)
        self.used.add(path)  # kept through ``prune``: this run's tables hold it
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

    def prune(self) -> None:
        """Remove other versions' folders and entries this run did not ask for."""
        if not self.root.is_dir():
            return
        for child in self.root.iterdir():
            if child.is_dir() and child.name != self.version:
                shutil.rmtree(child, ignore_errors=True)
        for entry in self.folder.glob("*/*.pickle"):
            if str(entry) not in self.used:
                entry.unlink(missing_ok=True)
        for left in self.folder.glob("*/*.tmp"):  # from a run that was killed while writing
            left.unlink(missing_ok=True)
