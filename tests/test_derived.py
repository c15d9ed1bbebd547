"""What pages derive from the shared tables (``pages.lib.data.derived``): computed once per view."""

from __future__ import annotations

import threading
from dataclasses import replace

from pages.lib import data
from tests.views import small_view


def test_derived_values_are_computed_once_per_view():
    view = small_view()
    calls = []
    assert data.derived(view, "n", lambda: calls.append(1) or 7) == 7
    assert data.derived(view, "n", lambda: calls.append(1) or 8) == 7
    assert calls == [1]
    narrowed = replace(view, claims=view.claims.head(1))
    assert data.derived(narrowed, "n", lambda: 9) == 9, "a narrowed view derives its own values"
    assert data.derived(view, ("n", "other"), lambda: 10) == 10, "the key names what the value depends on"


def test_clearing_the_caches_forgets_derived_values():
    view = small_view()
    assert data.derived(view, "n", lambda: 7) == 7
    data.clear_caches()
    assert data.derived(view, "n", lambda: 8) == 8


def test_a_value_asked_for_while_another_thread_computes_it_is_waited_for():
    view = small_view()
    started, release = threading.Event(), threading.Event()
    calls = []

    def slow() -> int:
        calls.append(1)
        started.set()
        release.wait(5)
        return 7

    first = threading.Thread(target=data.derived, args=(view, "n", slow))
    first.start()
    assert started.wait(5)
    waiting = []
    second = threading.Thread(target=lambda: waiting.append(data.derived(view, "n", lambda: calls.append(2) or 8)))
    second.start()
    second.join(0.3)  # it gets to ``derived`` while the first caller is still computing
    release.set()
    first.join(5)
    second.join(5)
    assert waiting == [7] and calls == [1], "the second caller took the first one's value"
