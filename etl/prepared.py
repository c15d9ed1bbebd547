"""Slow-to-build resources, built once and kept on disk for the next process.

Every process that extracts (each run, each worker) needs the gazetteer's alias
automaton and the language model; building them costs about a second, more than
extracting one article. ``kept`` pickles what ``build`` returns under the user's
cache folder (``VNKH_CACHE_HOME``, else ``$XDG_CACHE_HOME/vn-kh-monitor``, else
``~/.cache/vn-kh-monitor``), named by a key that changes whenever the inputs do.
Anything wrong with that folder (missing, read-only, a damaged file) only means
building again. Large arrays are kept as ``.npy`` files and mapped into memory
(``kept_arrays``): opening them costs nothing, and only the pages used are read.
"""

from __future__ import annotations

import os
import pickle
import shutil
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

import numpy as np

T = TypeVar("T")
CACHE_ENV = "VNKH_CACHE_HOME"


def cache_home() -> Path:
    if os.environ.get(CACHE_ENV):
        return Path(os.environ[CACHE_ENV])
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "vn-kh-monitor"


def kept(name: str, key: str, build: Callable[[], T]) -> T:
    """``build()``, or the copy an earlier process kept under ``name`` and ``key``."""
    path = cache_home() / f"{name}-{key}.pickle"
    try:
        with path.open("rb") as f:
            return pickle.load(f)
    except Exception:  # missing, damaged, or written by another library version: build it
        pass
    value = build()
    _keep(path, name, value)
    return value


def _keep(path: Path, name: str, value: object) -> None:
    tmp = None
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, suffix=".tmp")
        with os.fdopen(fd, "wb") as f:
            pickle.dump(value, f, protocol=pickle.HIGHEST_PROTOCOL)
        os.replace(tmp, path)
        tmp = None
        _remove_stale(path, name)
    except (OSError, pickle.PicklingError, TypeError):
        pass  # nowhere to keep it: the next process builds it again
    finally:
        if tmp is not None:
            Path(tmp).unlink(missing_ok=True)


def kept_arrays(name: str, key: str, names: tuple[str, ...],
                build: Callable[[], dict[str, np.ndarray]]) -> dict[str, np.ndarray]:
    """``build()``'s arrays (``names``), or the copies an earlier process kept, mapped read-only into
    memory."""
    folder = cache_home() / f"{name}-{key}"
    try:
        return {n: np.load(folder / f"{n}.npy", mmap_mode="r", allow_pickle=False) for n in names}
    except (OSError, ValueError):  # missing or damaged: build again
        pass
    arrays = build()
    try:
        folder.parent.mkdir(parents=True, exist_ok=True)
        tmp = Path(tempfile.mkdtemp(dir=folder.parent, prefix=f".{name}-"))
        try:
            for n, array in arrays.items():
                np.save(tmp / f"{n}.npy", array, allow_pickle=False)
            shutil.rmtree(folder, ignore_errors=True)  # a damaged copy
            os.replace(tmp, folder)
        finally:
            shutil.rmtree(tmp, ignore_errors=True)
        _remove_stale(folder, name)
    except OSError:
        pass  # nowhere to keep them: the next process builds them again
    return arrays


def _remove_stale(path: Path, name: str) -> None:
    """Other copies of ``name`` (other keys, files or folders)."""
    for stale in path.parent.glob(f"{name}-*"):
        if stale != path:
            if stale.is_dir():
                shutil.rmtree(stale, ignore_errors=True)
            else:
                stale.unlink(missing_ok=True)
