"""The error a build reports to its caller in one line (the command line, the dashboard).

Its own module so that the engines can raise it (a missing optional engine) without importing
the pipeline that imports them.
"""


class EtlError(Exception):
    """Nothing could be produced; the message says why in one line."""
