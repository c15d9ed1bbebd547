"""``python -m etl`` (and the ``vnkh-etl`` script): the command line of ``etl.cli``, in a process set
up for it: one BLAS thread, Arrow on the C allocator, the garbage collector's thresholds raised,
pyarrow kept from importing pandas. Each is measured on a one-article re-run at 10,000 articles,
where the fixed costs of a process are most of the time; whole builds run as fast or faster."""

import gc
import os
import sys

from etl.process import use_c_allocator

# One BLAS thread (numpy's matrix products, in language detection: one small product an article).
# OpenBLAS starts a thread per core, which spin for a while after each product, on cores the
# command's own worker processes need. Set before numpy is imported; workers inherit it.
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
use_c_allocator()  # before pyarrow is imported: every allocation

#: The cyclic garbage collector's thresholds for the command (Python's: 700, 10, 10). Loading what
#: extraction needs makes large tables that live as long as the process (gazetteer, lexicons, the
#: scanner's keys), and with the default thresholds the collector went through everything three
#: times while they were made: 0.1-0.15 s of a one-article re-run (0.05 s with these). Few of the
#: command's objects are in cycles; these thresholds still collect them.
GC_THRESHOLDS = (50_000, 20, 100)


def arrow_without_pandas() -> None:
    """Let pyarrow find pandas missing, once, before anything has imported it.

    pyarrow imports pandas (when it is installed) the first time it converts anything, only to
    recognise pandas objects. The command never gives it any, and the import is 0.2-0.3 s of a
    one-article re-run. An import that fails while pyarrow first looks makes it note pandas as
    absent; pyarrow imports it after all when asked for pandas (``to_pandas``), as does any
    ``import pandas``. Only for a process that is the command: in another, a pandas object given to
    pyarrow later would not be recognised as one.
    """
    if "pandas" in sys.modules:
        return
    import pyarrow as pa

    sys.meta_path.insert(0, _NoPandas)
    try:
        pa.array([0])
    finally:
        sys.meta_path.remove(_NoPandas)


class _NoPandas:
    """An import finder for which pandas cannot be found."""

    @staticmethod
    def find_spec(name: str, path: object = None, target: object = None) -> None:
        if name == "pandas":
            raise ModuleNotFoundError("pandas is not imported by the command", name=name)


def prepare() -> None:
    """Set this process up as the command's (see the module's docstring): call it before anything
    imports pandas or makes an Arrow array (importing this module, before numpy and pyarrow are,
    sets their BLAS threads and allocator)."""
    gc.set_threshold(*GC_THRESHOLDS)  # worker processes start as copies of this one: theirs too
    arrow_without_pandas()


def finish() -> None:
    """Before the process exits: the collection Python makes as it exits would go through every
    object once more (75 ms after a one-article re-run); the tables are written and closed, nothing
    left matters."""
    gc.freeze()


def command() -> int:
    prepare()
    from etl.cli import main

    try:
        return main()
    finally:
        finish()


if __name__ == "__main__":
    sys.exit(command())
