"""Where the time goes: per-stage wall-clock totals, for the benchmark.

Off by default (one attribute test per stage); ``python -m etl.tools.bench`` turns it on.

>>> timer = StageTimer(enabled=True)
>>> with timer.stage("numbers"):
...     pass
>>> "numbers" in timer.totals
True
"""

from __future__ import annotations

import time
from collections import defaultdict
from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager, nullcontext

#: The stages the benchmark reports, in pipeline order.
STAGES = ("reading", "sentences", "numbers", "places", "categories", "metadata", "writing")


_OFF = nullcontext()


class StageTimer:
    def __init__(self, enabled: bool = False) -> None:
        self.enabled = enabled
        self.totals: dict[str, float] = defaultdict(float)

    def stage(self, name: str) -> AbstractContextManager[None]:
        """A block whose time counts for ``name``; nothing to do while the timer is off (a shared empty
        block: extraction enters about ten an article)."""
        return self._timed(name) if self.enabled else _OFF

    @contextmanager
    def _timed(self, name: str) -> Iterator[None]:
        start = time.perf_counter()
        try:
            yield
        finally:
            self.totals[name] += time.perf_counter() - start

    def reset(self) -> None:
        self.totals.clear()


#: The process-wide timer the pipeline reports to.
TIMER = StageTimer()
