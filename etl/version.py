"""The extractor's version: a hash of the code a build runs, its lexicons and the gazetteer.

Cached extractions (the journal), kept rows (an unchanged article keeps the previous build's
rows, and its CSV bytes, only under the same version) and prepared resources (``etl.prepared``) are
keyed by it, so changing any file that can change what is extracted, or how it is written,
throws them away.

What is hashed: every ``.py`` and ``.toml`` file of the ``etl`` package but those under
``etl/tools/``, and ``data/gazetteer.csv``.

* ``etl/tools/`` is left out: the benchmarks, the synthetic corpus, the gazetteer's builder and
  the README's table documentation never run in a build (no module of the build imports them),
  so editing them cannot change a table. What the gazetteer's builder makes, the gazetteer
  itself, is hashed.
* The modules that run the build, compute the extractions elsewhere and write the tables
  (``pipeline``, ``engines``, ``reuse``, ``output``, ``rows``, ``schema``, ``journal``...) stay in,
  although most edits to them change no extraction: they decide which rows are kept and write
  the bytes the next build copies as they are, and a change in how a cell is written must not
  leave the kept articles' rows as they were beside new ones. Telling which edit could matter
  would be a judgement made at every edit; a needless re-extraction costs seconds, a stale row
  stays in the tables.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from importlib import resources
from importlib.resources.abc import Traversable
from pathlib import Path

from etl.places import GAZETTEER

#: Folders of the ``etl`` package that no build runs (see the module docstring).
NOT_BUILD = ("tools",)
#: The files that make the extractor: code, lexicons and settings.
SUFFIXES = (".py", ".toml")


def extractor_version() -> str:
    """The version of the installed ``etl`` package and gazetteer (see the module docstring)."""
    return version_of(resources.files("etl"), GAZETTEER)


def version_of(package: Traversable, gazetteer: Path) -> str:
    """A hash of the files of ``package`` that a build runs (``build_files``) and of ``gazetteer``
    (when it exists)."""
    h = hashlib.sha256()
    files = build_files(package)
    for p in [*files, gazetteer] if gazetteer.exists() else files:
        h.update(str(p.name).encode())
        h.update(p.read_bytes())
    return h.hexdigest()[:16]


def build_files(package: Traversable) -> list[Traversable]:
    """The ``.py`` and ``.toml`` files under ``package``, but those in its ``NOT_BUILD`` folders, by path."""
    tops = (child for child in package.iterdir() if child.name not in NOT_BUILD)
    return sorted((p for top in tops for p in _files(top)), key=str)


def _files(node: Traversable) -> Iterator[Traversable]:
    if node.is_dir():
        if node.name != "__pycache__":
            for child in node.iterdir():
                yield from _files(child)
    elif node.name.endswith(SUFFIXES):
        yield node
