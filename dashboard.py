"""Vietnam–Cambodia cooperation monitor: the Streamlit entry point.

    streamlit run dashboard.py

Streamlit runs this file as the script of every session (``pages.lib.app.main``: the pages, the
table check and the sidebar's filters). ``streamlit run`` also imports it as a module, finds
``app`` (``st.App``) and serves it; as the server starts, a thread reads the tables and derives
the overview of the unfiltered view (``pages.lib.app.warm_up``), so that the first visitor does
not wait for it.
"""

from __future__ import annotations

import contextlib
import threading
from collections.abc import AsyncIterator

import streamlit as st


@contextlib.asynccontextmanager
async def warm_up_at_start(_app: object) -> AsyncIterator[None]:
    # imported here, once the runtime has started: the app's cached functions then use its caches
    from etl.process import use_c_allocator
    from pages.lib.app import warm_up

    use_c_allocator()  # as the ETL command does
    threading.Thread(target=warm_up, name="warm-up", daemon=True).start()
    yield


if __name__ == "__main__":  # a session's run of the script
    from pages.lib.app import main

    main()
else:  # imported by `streamlit run dashboard.py`, which serves this app
    app = st.App(__file__, lifespan=warm_up_at_start)
