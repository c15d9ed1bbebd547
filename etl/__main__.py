"""``python -m etl`` (and the ``vnkh-etl`` script): the command line of ``etl.cli``, started
without pandas."""

import sys


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


def command() -> int:
    arrow_without_pandas()
    from etl.cli import main

    return main()


if __name__ == "__main__":
    sys.exit(command())
