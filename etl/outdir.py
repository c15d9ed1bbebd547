"""The output folder: what it holds, whether this tool may replace it, and how it is replaced.

One object knows the folder's layout, so the pipeline, the dashboard and the tests never spell a
path of it again::

    out/                        the tables, replaced whole by each build (``swap_in``)
        build.json              the build's record; its ``generator`` marks the folder as this tool's
        datapackage.json, <table>.csv, <table>.parquet, texts.parquet, csv_index.parquet
        .etl/lock               taken by a build for its whole run (carried into each new folder)
        .etl/journal/           per-article extractions of a build that did not finish (etl.journal)
    .out.new-XXXX/              a build in progress: the next ``out``, on the same file system
    .out.old/                   the previous ``out`` for the instant between the two renames

A folder is replaced only when it is missing, empty, or holds nothing but what this tool writes
beside a ``build.json`` of its own: pointed at a user's folder, a build refuses instead of
deleting it (``check_replaceable``).
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import uuid
from pathlib import Path

from filelock import FileLock

from etl.schema import TABLES, TEXTS

#: ``build.json``'s ``generator``: the signature that says a folder was written by this tool.
SIGNATURE = "vn-kh-monitor"
BUILD_FILE = "build.json"
DATAPACKAGE_FILE = "datapackage.json"
TEXTS_FILE = f"{TEXTS.name}.parquet"
#: Where each article's rows start in each CSV file (see ``etl.reuse.CsvIndexBuilder``).
CSV_INDEX_FILE = "csv_index.parquet"
#: The tool's own workspace inside the output folder (lock, journal).
WORKSPACE = ".etl"
#: Keys that a ``build.json`` written before the signature existed always had.
_LEGACY_KEYS = ("fingerprint", "extractor_version")
#: How many foreign entries a refusal names before "…".
NAMED_ENTRIES = 3


class Refused(Exception):
    """The output folder may not be replaced; the message says why in one line."""


def table_files() -> frozenset[str]:
    """Every file name a build writes into the output folder."""
    names = {BUILD_FILE, DATAPACKAGE_FILE, TEXTS_FILE, CSV_INDEX_FILE}
    for table in TABLES:
        names |= {f"{table.name}.csv", f"{table.name}.parquet"}
    return frozenset(names)


class OutputFolder:
    """The folder a build writes its tables into (``path``), and the files beside it that a build uses."""

    def __init__(self, path: Path) -> None:
        self.given = str(path)  # as the user wrote it, for messages
        # absolute but not resolved: a link named as the output folder is refused, not followed
        self.path = Path(os.path.abspath(path))

    def __repr__(self) -> str:
        return f"OutputFolder({str(self.path)!r})"

    # --- layout -------------------------------------------------------------------------------

    @property
    def build_file(self) -> Path:
        return self.path / BUILD_FILE

    @property
    def texts_file(self) -> Path:
        return self.path / TEXTS_FILE

    @property
    def csv_index_file(self) -> Path:
        return self.path / CSV_INDEX_FILE

    @property
    def workspace(self) -> Path:
        return self.path / WORKSPACE

    @property
    def lock_file(self) -> Path:
        return self.workspace / "lock"

    @property
    def journal(self) -> Path:
        """Where ``etl.journal.Journal`` keeps the extractions of an unfinished build."""
        return self.workspace / "journal"

    @property
    def old(self) -> Path:
        return self.path.with_name(f".{self.path.name}.old")

    def file(self, name: str) -> Path:
        return self.path / name

    def stagings(self) -> list[Path]:
        """Folders of builds in progress, or abandoned by a process that was killed."""
        return sorted(self.path.parent.glob(f".{self.path.name}.new-*"))

    # --- ownership ----------------------------------------------------------------------------

    def check_replaceable(self, seeds: Path | None = None) -> None:
        """Raise ``Refused`` unless a build may replace this folder: it is missing, empty, or holds
        only what this tool writes beside its own ``build.json``; and it neither is, holds, nor lies
        inside the articles folder ``seeds``."""
        name = self.given
        if seeds is not None:
            out, src = os.path.realpath(self.path), os.path.realpath(seeds)
            if out == src or _inside(out, src) or _inside(src, out):
                where = ("is" if out == src else "is inside" if _inside(out, src) else "holds")
                raise Refused(f"refusing to write the tables to {name}: it {where} the articles folder; "
                              "choose another --out")
        if self.path.is_symlink():
            raise Refused(f"refusing to replace {name}: it is a symbolic link; choose another --out")
        if not self.path.exists():
            return
        if not self.path.is_dir():
            raise Refused(f"refusing to replace {name}: it is a file, not a folder of tables; "
                          "choose another --out")
        try:
            entries = sorted(os.listdir(self.path))
        except OSError as e:
            raise Refused(f"cannot look into {name} ({e.strerror or e}); choose another --out") from e
        if not entries or entries == [WORKSPACE]:
            return
        owned = table_files() | {WORKSPACE}
        foreign = [e for e in entries if e not in owned]
        if not self.is_ours():
            foreign = entries
        if foreign:
            shown = [f"{e}/" if (self.path / e).is_dir() else e for e in foreign[:NAMED_ENTRIES]]
            more = "…" if len(foreign) > NAMED_ENTRIES else ""
            raise Refused(f"refusing to replace {name}: it holds files this tool did not write "
                          f"({', '.join(shown)}{more}); choose another --out")

    def is_ours(self) -> bool:
        """Whether the folder's ``build.json`` was written by this tool."""
        build = self.read_build()
        return build.get("generator") == SIGNATURE or all(k in build for k in _LEGACY_KEYS)

    def read_build(self) -> dict:
        """``build.json``, or ``{}`` when there is none or it cannot be read."""
        try:
            build = json.loads(self.build_file.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return {}
        return build if isinstance(build, dict) else {}

    # --- integrity ----------------------------------------------------------------------------

    @staticmethod
    def outputs_record(folder: Path) -> dict[str, list[int]]:
        """Size and modification time of every table file in ``folder`` (a build's, before it is
        swapped in: the renames keep both)."""
        record = {}
        for name in sorted(table_files() - {BUILD_FILE}):
            with contextlib.suppress(FileNotFoundError):
                st = os.stat(folder / name)
                record[name] = [st.st_size, st.st_mtime_ns]
        return record

    def changed_files(self, build: dict | None = None) -> list[str]:
        """The files that changed, or went missing, since the build recorded in ``build`` wrote them
        (a build that recorded nothing is taken as whole)."""
        build = self.read_build() if build is None else build
        changed = []
        for name, (size, mtime_ns) in sorted((build.get("outputs") or {}).items()):
            try:
                st = os.stat(self.path / name)
            except OSError:
                changed.append(name)
                continue
            if (st.st_size, st.st_mtime_ns) != (size, mtime_ns):
                changed.append(name)
        return changed

    # --- building -----------------------------------------------------------------------------

    def prepare(self) -> bool:
        """Make the folder and its workspace; True when the folder was made now."""
        created = not self.path.exists()
        self.workspace.mkdir(parents=True, exist_ok=True)
        return created

    def lock(self) -> FileLock:
        """The lock a build holds for its whole run (call ``prepare`` first)."""
        return FileLock(str(self.lock_file))

    def staging(self) -> Path:
        """A new, empty folder for the next build, beside this one (a rename swaps it in)."""
        while True:
            path = self.path.with_name(f".{self.path.name}.new-{uuid.uuid4().hex[:12]}")
            try:
                path.mkdir(mode=0o777)  # as any folder the user makes (mkdtemp's is private)
                return path
            except FileExistsError:
                continue

    def swap_in(self, new: Path) -> None:
        """Replace the folder by ``new``, keeping the lock file (the same file: a build waiting for
        the lock keeps waiting on the one the running build holds)."""
        (new / WORKSPACE).mkdir(exist_ok=True)
        if self.lock_file.exists():
            try:
                os.link(self.lock_file, new / WORKSPACE / "lock")
            except OSError:  # no hard links here: a new lock file (the swap below is instant)
                (new / WORKSPACE / "lock").touch()
        if self.old.exists():
            shutil.rmtree(self.old)
        if self.path.exists():
            os.replace(self.path, self.old)
        os.replace(new, self.path)
        shutil.rmtree(self.old, ignore_errors=True)

    def recover(self) -> None:
        """Put the previous tables back if a build died between the two renames of ``swap_in``, and
        remove the folders of builds that were killed."""
        if self.old.exists() and not self.path.exists():
            os.replace(self.old, self.path)
        for stale in self.stagings():
            shutil.rmtree(stale, ignore_errors=True)

    def remove_if_unused(self) -> None:
        """Remove the folder if it holds nothing but the lock (a first build that failed before it
        wrote anything; an interrupted one keeps its journal, to resume from)."""
        with contextlib.suppress(OSError):
            if sorted(os.listdir(self.path)) == [WORKSPACE] and not any(self.journal.rglob("*.journal")):
                shutil.rmtree(self.path)


def _inside(path: str, folder: str) -> bool:
    """Whether ``path`` lies strictly inside ``folder`` (both real, absolute paths).

    >>> _inside("/a/b/c", "/a/b"), _inside("/a/bc", "/a/b"), _inside("/a/b", "/a/b")
    (True, False, False)
    """
    return path.startswith(os.path.join(folder, ""))
