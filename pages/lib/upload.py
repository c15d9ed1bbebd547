"""Add uploaded articles to the corpus and rebuild the tables: the dashboard's "Add articles" step.

``add_and_rebuild`` is the whole step, with no Streamlit in it:

    load    - write the uploads into the seeds folder (``etl.ingest``: safe names, size limit,
              duplicates by content, each file written whole or not at all)
    process - run the ETL when something was added (incremental and atomic: it extracts only
              the new articles, and the old tables stay whole if it fails)
    report  - read back, for every added file, its claims, place mentions and problems

A failure to save or to build becomes one plain sentence in ``UploadOutcome.error``, not a traceback.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
from filelock import FileLock, Timeout

from etl import ingest, pipeline
from etl.outdir import OutputFolder
from etl.reading import SUFFIXES
from etl.schema import ARTICLES, PROBLEMS

#: File types the uploader offers, without the dot (the ETL's own list).
ACCEPTED_TYPES = tuple(sorted(s.lstrip(".") for s in SUFFIXES))
BYTES_PER_MB = 1024 * 1024  # Streamlit's upload limits count mebibytes
#: The uploader's per-file limit in MB, the same as ``etl.ingest``'s.
MAX_UPLOAD_MB = ingest.MAX_UPLOAD_BYTES // BYTES_PER_MB
WAITING = "Another build of the tables is in progress; waiting for it to finish…"

logger = logging.getLogger(__name__)

Upload = tuple[str, bytes]
Build = Callable[[Path, Path], pipeline.RunResult]
Notify = Callable[[str], None]


@dataclass(frozen=True)
class AddedFile:
    """A file written into the corpus, and what the rebuilt tables say about it."""

    file: str  # its name in the seeds folder
    title: str | None = None  # None when the ETL could not read it
    n_claims: int = 0
    n_mentions: int = 0
    problems: tuple[str, ...] = ()

    @property
    def read(self) -> bool:
        return self.title is not None

    def describe(self) -> str:
        """One line for the reader.

        >>> AddedFile("a.txt", "Trade grows", 3, 1).describe()
        'a.txt: “Trade grows”, 3 claims and 1 place mention found'
        >>> AddedFile("x.txt", problems=("not text (looks like PNG)",)).describe()
        'x.txt: could not be read (not text (looks like PNG)); it is in the corpus but not in the tables'
        """
        if not self.read:
            why = "; ".join(self.problems) or "unknown reason"
            return f"{self.file}: could not be read ({why}); it is in the corpus but not in the tables"
        line = (
            f"{self.file}: “{self.title}”, {_count(self.n_claims, 'claim')} and "
            f"{_count(self.n_mentions, 'place mention')} found"
        )
        return line + (f" (note: {'; '.join(self.problems)})" if self.problems else "")


@dataclass(frozen=True)
class UploadOutcome:
    """What adding a batch of files did."""

    saved: tuple[str, ...] = ()  # names written into the seeds folder
    added: tuple[AddedFile, ...] = ()  # the saved files as the rebuilt tables see them
    duplicates: tuple[tuple[str, str], ...] = ()  # (uploaded name, file already in the corpus)
    rejected: tuple[tuple[str, str], ...] = ()  # (uploaded name, reason)
    rebuilt: pipeline.RunResult | None = None  # None when nothing was saved or the build failed
    error: str | None = None

    @property
    def unread(self) -> tuple[AddedFile, ...]:
        return tuple(a for a in self.added if not a.read)

    def duplicate_lines(self) -> list[str]:
        """
        >>> UploadOutcome(duplicates=(("copy.txt", "old.txt"),)).duplicate_lines()
        ['copy.txt: already in the corpus as old.txt']
        """
        return [f"{name}: already in the corpus as {existing}" for name, existing in self.duplicates]

    def rejected_lines(self) -> list[str]:
        return [f"{name}: {reason}" for name, reason in self.rejected]

    def summary(self) -> str:
        """One line for the progress box's label.

        >>> UploadOutcome(duplicates=(("a.txt", "b.txt"),)).summary()
        'Nothing added: 1 file already in the corpus'
        >>> UploadOutcome(saved=("a.txt",), error="disk full").summary()
        'Added 1 file, but the tables were not rebuilt'
        """
        skipped = [
            f"{_count(len(self.duplicates), 'file')} already in the corpus" if self.duplicates else "",
            f"{_count(len(self.rejected), 'file')} refused" if self.rejected else "",
        ]
        skipped_text = ", ".join(p for p in skipped if p)
        if not self.saved:
            return f"Nothing added: {skipped_text}" if skipped_text else "Nothing added"
        added = f"Added {_count(len(self.saved), 'file')}"
        if self.unread:
            added += f" ({len(self.unread)} could not be read)"
        if self.rebuilt is None:
            built = "but the tables were not rebuilt"
        else:
            built = (
                f"tables rebuilt: {_count(self.rebuilt.n_articles, 'article')}, "
                f"{_count(self.rebuilt.n_claims, 'claim')}"
            )
        return ", ".join(p for p in (added, skipped_text, built) if p)


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}{'' if n == 1 else 's'}"


def lock_file(out: Path) -> Path:
    """The lock ``etl.pipeline.run`` takes while it builds ``out``."""
    return OutputFolder(out).lock_file


def build_running(out: Path) -> bool:
    """True when another build of ``out`` holds the ETL's lock right now (this one would wait)."""
    lock = FileLock(str(lock_file(out)))
    try:
        lock.acquire(timeout=0)
    except Timeout:
        return True
    except OSError:  # no folder to lock in yet: nothing can be building there
        return False
    lock.release()
    return False


def default_build(seeds: Path, out: Path) -> pipeline.RunResult:
    return pipeline.run(seeds, out, workers=1, progress=False)


def add_and_rebuild(
    uploads: list[Upload],
    seeds: Path,
    out: Path,
    build: Build = default_build,
    notify: Notify = lambda message: None,
) -> UploadOutcome:
    """Add ``(name, content)`` uploads to ``seeds``, rebuild ``out`` if any was new, report per file.

    ``build`` runs the ETL (the dashboard passes its own, which also clears the cached tables);
    ``notify`` hears each step, for a progress box.
    """
    # load
    if not seeds.is_dir():  # made again here it would hold only these files: see ``ingest.add_articles``
        return UploadOutcome(error=f"The articles folder {seeds.name} is missing (moved or deleted since the "
                                   "tables were built): nothing was saved and the tables are unchanged. "
                                   "Put the folder back, then add the files again.")
    replaced = pipeline.seeds_replaced(seeds, OutputFolder(out).read_build())
    notify(f"Saving {_count(len(uploads), 'file')} into the articles folder…")
    before = corpus_files(seeds)
    try:
        report = ingest.add_articles(uploads, seeds)
    except OSError as error:
        saved = tuple(sorted(corpus_files(seeds) - before))
        done = (
            f" Saved before the error: {', '.join(saved)}; the tables were not rebuilt, "
            "press “Rebuild data” to include them."
            if saved
            else " Nothing was added."
        )
        return UploadOutcome(saved, error=f"Could not save the files ({_reason(error)}).{done}")
    saved, duplicates, rejected = tuple(report.added), tuple(report.duplicates), tuple(report.rejected)
    if not saved:
        return UploadOutcome(duplicates=duplicates, rejected=rejected)

    # process
    if replaced:  # a rebuild would drop the articles that are gone: the user decides, not an upload
        return UploadOutcome(
            saved, duplicates=duplicates, rejected=rejected,
            error=f"The files were saved, but the tables were not rebuilt: {replaced}. Press “Rebuild "
            "data” to rebuild the tables from the folder as it is now.",
        )
    if build_running(out):
        notify(WAITING)
    notify(f"Extracting figures and places from {_count(len(saved), 'new file')}…")
    result, failure = _rebuild(build, seeds, out)
    if result is None:
        return UploadOutcome(
            saved,
            duplicates=duplicates,
            rejected=rejected,
            error=f"The files were saved, but the tables could not be rebuilt: {failure}. "
            "The previous tables are unchanged; press “Rebuild data” to try again.",
        )

    # report
    return UploadOutcome(saved, tuple(added_files(saved, out)), duplicates, rejected, rebuilt=result)


def corpus_files(seeds: Path) -> set[str]:
    """Names of the visible files directly in ``seeds`` (where ``etl.ingest`` writes)."""
    if not seeds.is_dir():
        return set()
    return {p.name for p in seeds.iterdir() if p.is_file() and not p.name.startswith(".")}


def _rebuild(build: Build, seeds: Path, out: Path) -> tuple[pipeline.RunResult | None, str]:
    """The build's result, or ``None`` and why it failed in one line."""
    try:
        return build(seeds, out), ""
    except pipeline.EtlError as error:
        return None, str(error)
    except Exception as error:  # the ETL writes atomically, so the old tables are whole: say why plainly
        logger.exception("rebuilding the tables after an upload failed")
        return None, f"{type(error).__name__}: {error}"


def _reason(error: OSError) -> str:
    return error.strerror or str(error)


def added_files(names: tuple[str, ...], out: Path) -> list[AddedFile]:
    """Each added file's title, claims, place mentions and problems, from the tables in ``out``."""
    articles = pd.read_parquet(out / f"{ARTICLES.name}.parquet").set_index("file")
    problems = pd.read_parquet(out / f"{PROBLEMS.name}.parquet")
    found = []
    for name in names:
        met = tuple(problems.loc[problems["file"] == name, "problem"])
        if name not in articles.index:
            found.append(AddedFile(name, problems=met))
            continue
        article = articles.loc[name]
        found.append(
            AddedFile(name, str(article["title"]), int(article["n_claims"]), int(article["n_mentions"]), met)
        )
    return found
