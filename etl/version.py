"""The extractor's version: a hash of its code, lexicons and gazetteer.

Cached extractions, kept rows and prepared resources are keyed by it, so changing
any file that can change what is extracted throws them away.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from importlib import resources

from etl.places import GAZETTEER


def extractor_version() -> str:
    """A hash of every ``.py`` and ``.toml`` file of the ``etl`` package, and of the gazetteer."""
    h = hashlib.sha256()
    files = sorted((p for p in _walk(resources.files("etl")) if p.name.endswith((".py", ".toml"))),
                   key=lambda p: str(p))
    for p in [*files, GAZETTEER] if GAZETTEER.exists() else files:
        h.update(str(p.name).encode())
        h.update(p.read_bytes())
    return h.hexdigest()[:16]


def _walk(node) -> Iterator:
    for child in node.iterdir():
        if child.is_dir():
            if child.name != "__pycache__":
                yield from _walk(child)
        else:
            yield child
