"""Settings of a whole process that serve both the ETL command (``etl.__main__``) and the dashboard's
server (``dashboard.py``)."""

from __future__ import annotations

import os
import sys

#: The environment variable with which a user chooses Arrow's allocator (``system``, ``jemalloc``,
#: ``mimalloc``); when it is set, the choice is the user's.
ARROW_POOL_ENV = "ARROW_DEFAULT_MEMORY_POOL"


def use_c_allocator() -> None:
    """Arrow's buffers from the C library's allocator rather than the mimalloc Arrow bundles, unless
    ``ARROW_DEFAULT_MEMORY_POOL`` says otherwise.

    Both processes read and write tables in threads, where mimalloc held on to more memory: a
    one-article re-run at 10,000 articles kept 520 MB resident (360 MB with this), and the kernel
    zeroing its fresh pages was 29% of that re-run's CPU time (2.4 -> 1.9 CPU-s); the dashboard's
    server with those tables, 0.88 GB (0.77 GB). Whole builds and page times stay the same.

    Before pyarrow is imported (the command) the choice is made for every allocation, through the
    environment (worker processes inherit it); after (the server: Streamlit imported pyarrow), for
    those made from then on: some of Arrow's own still come from mimalloc (a re-run made that way
    kept 490 MB).
    """
    if "pyarrow" not in sys.modules:
        os.environ.setdefault(ARROW_POOL_ENV, "system")
    elif os.environ.get(ARROW_POOL_ENV) is None:
        import pyarrow as pa

        pa.set_memory_pool(pa.system_memory_pool())
