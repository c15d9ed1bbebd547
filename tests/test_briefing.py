"""The briefing page: one self-contained HTML file, plotly inline, no external request."""

from __future__ import annotations

import re

import plotly.offline
import pytest

from pages.lib import briefing
from tests.views import empty_view, small_view

EXTERNAL_ATTRIBUTE = re.compile(r"""\b(?:src|href)\s*=\s*["']?\s*(?:https?:)?//""", re.IGNORECASE)


SCRIPT = re.compile(r"<script\b[^>]*>.*?</script>", re.DOTALL | re.IGNORECASE)


@pytest.fixture(scope="module")
def briefing_page(geometry) -> str:
    return briefing.briefing_html(small_view(), geometry)


def test_briefing_carries_plotly_inline(briefing_page: str):
    assert plotly.offline.get_plotlyjs()[:500] in briefing_page
    assert briefing_page.count(plotly.offline.get_plotlyjs()[:500]) == 1
    assert not re.search(r"<script[^>]*\bsrc=", briefing_page, re.IGNORECASE)


def test_briefing_makes_no_external_request(briefing_page: str):
    markup = SCRIPT.sub("<script></script>", briefing_page)  # plotly.js holds link text for its own UI
    assert not EXTERNAL_ATTRIBUTE.search(markup)
    assert "@import" not in markup and "fonts.googleapis" not in briefing_page
    assert "cdn.plot.ly" not in SCRIPT.sub("", briefing_page)


def test_briefing_has_key_figures_charts_and_escaped_sources(briefing_page: str):
    assert "Key figures" in briefing_page and "&gt; $548M" in briefing_page
    assert briefing_page.count('class="plotly-graph-div"') == 5  # USD, VND, map, matrix, network
    assert "Trade hit &lt;b&gt;$548M&lt;/b&gt;." in briefing_page
    assert "<b>$20B</b> (trade, target)" in briefing_page
    assert "<b>$548M</b>" not in SCRIPT.sub("", briefing_page)


def test_briefing_copes_with_an_empty_view(geometry):
    empty = empty_view()
    page = briefing.briefing_html(empty, geometry, plotlyjs="")
    assert "No money figure" in page and "No trade, investment or aid figure" in page
