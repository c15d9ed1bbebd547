"""Find the article files under the seeds folder, open them safely, and hash them.

Nothing outside the seeds folder is ever read: a symbolic link is followed only when its target
lies inside the folder (and is a regular file), and every file is opened without blocking and
checked to be a regular file of at most ``MAX_FILE_BYTES``. Whatever is not read is a problem row
with its reason, never an exception: one bad file leaves the others to be built.
"""

from __future__ import annotations

import errno
import hashlib
import os
import stat
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from etl.reading import MAX_FILE_BYTES, SUFFIXES, article_id_for

#: A file modified this close (seconds) to the scan that hashed it is hashed again next time, even
#: if its size and modification time look unchanged (it may have changed within the clock's tick).
RACY_SECONDS = 2.0
_KINDS = ((stat.S_ISFIFO, "a FIFO"), (stat.S_ISSOCK, "a socket"), (stat.S_ISCHR, "a device"),
          (stat.S_ISBLK, "a device"))


class NotReadable(Exception):
    """The file is not read; the message is the reason for ``problems.csv``."""


@dataclass(frozen=True)
class Source:
    """An article file: where it is, its path under the seeds folder, the hash of its bytes, its id."""

    path: Path
    relative: str
    sha256: str
    article_id: str = ""
    size: int = 0
    mtime_ns: int = 0


def problem(relative: str, reason: str) -> dict:
    return {"file": relative, "problem": reason}


def find_articles(seeds: Path) -> tuple[list[Path], list[dict]]:
    """Article files under ``seeds`` (recursively, sorted), and problem rows for everything else
    there: other file types, hidden files, links that lead out of the folder or nowhere, FIFOs..."""
    found: list[str] = []
    problems: list[dict] = []
    root = os.path.realpath(seeds)
    for relative, reason in _walk(str(seeds), "", root):
        if reason is not None:
            problems.append(problem(relative, reason))
            continue
        suffix = os.path.splitext(relative)[1]
        if suffix.lower() in SUFFIXES:
            found.append(relative)
        else:
            reason = f"not an article file type ({suffix or 'no extension'}); skipped"
            problems.append(problem(relative, reason))
    found.sort()
    problems.sort(key=lambda p: p["file"])
    return [seeds / r for r in found], problems


def _walk(folder: str, prefix: str, root: str) -> Iterator[tuple[str, str | None]]:
    """``(relative path, None)`` for each regular file (or link to one inside ``root``) under
    ``folder``, and ``(relative path, reason)`` for each entry that is not read."""
    try:
        entries = list(os.scandir(folder))
    except OSError as e:
        yield prefix.rstrip("/") or ".", f"cannot list the folder ({e.strerror or e}); skipped"
        return
    for entry in entries:
        relative = prefix + entry.name
        if entry.name.startswith("."):  # editor backups, .git, uploads being written
            kind = "folder" if entry.is_dir(follow_symlinks=False) else "file"
            yield relative, f"hidden {kind}; skipped"
            continue
        try:
            if entry.is_symlink():
                reason = _link_reason(entry.path, root)
                yield relative, reason
                continue
            if entry.is_dir(follow_symlinks=False):
                yield from _walk(entry.path, f"{relative}/", root)
                continue
            mode = entry.stat(follow_symlinks=False).st_mode
        except OSError as e:
            yield relative, f"cannot read the file ({e.strerror or e}); skipped"
            continue
        yield relative, None if stat.S_ISREG(mode) else f"not a regular file ({_kind(mode)}); skipped"


def _link_reason(path: str, root: str) -> str | None:
    """Why a symbolic link is not read, or ``None`` when it leads to a regular file inside ``root``."""
    try:
        target = os.path.realpath(path, strict=True)
    except OSError as e:
        if e.errno == errno.ELOOP or "loop" in str(e).lower():
            return "symlink loop; skipped"
        return "broken symlink (its target does not exist); skipped"
    if not target.startswith(os.path.join(root, "")):
        what = "folder" if os.path.isdir(target) else "file"
        return f"symlink to a {what} outside the articles folder; skipped"
    try:
        mode = os.stat(target).st_mode
    except OSError as e:
        return f"cannot read the file ({e.strerror or e}); skipped"
    if stat.S_ISDIR(mode):
        return "symlink to a folder (not followed: it could loop); skipped"
    if not stat.S_ISREG(mode):
        return f"symlink to something that is not a regular file ({_kind(mode)}); skipped"
    return None


def _kind(mode: int) -> str:
    return next((name for test, name in _KINDS if test(mode)), "not a file")


def open_article(path: Path, root: Path) -> tuple[int, os.stat_result]:
    """A read-only descriptor of the article file at ``path`` and its status; raises ``NotReadable``.

    Checked again at the moment of reading (the folder may have changed since it was listed): a
    link must still lead inside ``root``, the file must be regular (opened without blocking: a
    FIFO would wait forever) and within the size limit.
    """
    real = os.path.realpath(path)
    if real != os.path.abspath(path) and not real.startswith(os.path.join(os.path.realpath(root), "")):
        raise NotReadable("symlink to a file outside the articles folder; skipped")
    try:
        fd = os.open(real, os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_NOCTTY", 0))
    except OSError as e:
        raise NotReadable(f"cannot read the file ({e.strerror or e}); skipped") from e
    try:
        st = os.fstat(fd)
        if not stat.S_ISREG(st.st_mode):
            raise NotReadable(f"not a regular file ({_kind(st.st_mode)}); skipped")
        if st.st_size > MAX_FILE_BYTES:
            raise NotReadable(f"too large ({st.st_size / 1e6:.3g} MB; the limit is "
                              f"{MAX_FILE_BYTES / 1e6:.3g} MB); skipped")
    except BaseException:
        os.close(fd)
        raise
    return fd, st


def read_article(path: Path, root: Path) -> bytes:
    """The bytes of an article file (see ``open_article``); raises ``NotReadable``."""
    fd, _ = open_article(path, root)
    try:
        with os.fdopen(fd, "rb") as f:
            fd = -1
            data = f.read(MAX_FILE_BYTES + 1)  # never more, should the file grow meanwhile
    except OSError as e:
        raise NotReadable(f"cannot read the file ({e.strerror or e}); skipped") from e
    finally:
        if fd >= 0:
            os.close(fd)
    if len(data) > MAX_FILE_BYTES:
        raise NotReadable(f"too large (over {MAX_FILE_BYTES / 1e6:.3g} MB); skipped")
    return data


def article_ids(relatives: list[str]) -> dict[str, str]:
    """Each file's article id: its path without extension, or with it when another file took that.

    >>> article_ids(["a.md", "a.txt", "b.txt"])
    {'a.md': 'a', 'a.txt': 'a.txt', 'b.txt': 'b'}
    """
    ids: dict[str, str] = {}
    taken: set[str] = set()
    for relative in sorted(relatives):
        candidate = article_id_for(relative)  # a path find_articles made: already POSIX
        n = 1
        while candidate in taken:
            candidate = relative if n == 1 else f"{relative}~{n}"
            n += 1
        ids[relative] = candidate
        taken.add(candidate)
    return ids


def hash_sources(files: list[Path], seeds: Path, known: dict | None = None
                 ) -> tuple[list[Source], list[dict]]:
    """Each readable file as a ``Source``, and a problem row for each that cannot be read.

    ``known`` (a build's ``files`` record: path -> [size, mtime_ns, sha256]) lets a file whose
    size and modification time are unchanged skip re-reading. Such a file, when it is a regular file
    and no link, is not even opened: nothing of it is read, so there is nothing to check before reading
    (its rows come from the cache; should it change, ``open_article`` checks it when it is read).
    """
    known = known or {}
    root = os.path.join(str(seeds), "")
    relatives = [_relative(str(p), root) for p in files]
    readable: list[tuple[Path, str, os.stat_result, str]] = []
    problems = []
    for path, relative in zip(files, relatives, strict=True):
        record = known.get(relative)
        if record:
            st = _unchanged(path, record)
            if st is not None:
                readable.append((path, relative, st, record[2]))
                continue
        try:
            fd, st = open_article(path, seeds)
        except NotReadable as e:
            problems.append(problem(relative, str(e)))
            continue
        try:
            if record and record[0] == st.st_size and record[1] == st.st_mtime_ns:
                sha = record[2]
            else:
                with os.fdopen(os.dup(fd), "rb") as f:
                    sha = hashlib.file_digest(f, "sha256").hexdigest()
        except OSError as e:
            problems.append(problem(relative, f"cannot read the file ({e.strerror or e}); skipped"))
            continue
        finally:
            os.close(fd)
        readable.append((path, relative, st, sha))
    ids = article_ids([relative for _, relative, _, _ in readable])
    sources = [Source(path, relative, sha, ids[relative], st.st_size, st.st_mtime_ns)
               for path, relative, st, sha in readable]
    return sources, problems


def _unchanged(path: Path, record: list) -> os.stat_result | None:
    """The status of a regular file (not a link) whose size and modification time are ``record``'s;
    ``None`` for anything else."""
    try:
        st = os.stat(path, follow_symlinks=False)
    except OSError:
        return None
    same = record[0] == st.st_size and record[1] == st.st_mtime_ns
    return st if same and stat.S_ISREG(st.st_mode) and st.st_size <= MAX_FILE_BYTES else None


def _relative(path: str, root: str) -> str:
    # the usual case, a path find_articles made, needs no relpath (slow on 10,000 files)
    path = path[len(root):] if path.startswith(root) else os.path.relpath(path, root)
    return path.replace(os.sep, "/")


def files_record(sources: list[Source], scanned_ns: int) -> dict:
    """What ``hash_sources`` may trust next time: files not modified just before this scan."""
    safe_before = scanned_ns - int(RACY_SECONDS * 1e9)
    return {s.relative: [s.size, s.mtime_ns, s.sha256] for s in sources if s.mtime_ns < safe_before}


def corpus_fingerprint(sources: list[Source], version: str) -> str:
    """Identity of a corpus: every article's path and content hash, plus the extractor version."""
    h = hashlib.sha256(version.encode())
    for s in sources:
        h.update(f"{s.relative}\0{s.sha256}\n".encode())
    return h.hexdigest()
