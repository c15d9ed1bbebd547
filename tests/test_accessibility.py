"""Colour is never the only sign: what a chart tells by colour it also tells by shape, fill or words,
and its colours stay apart for readers with a colour-vision deficiency (simulated, ``tests.cvd``)."""

from __future__ import annotations

import itertools

import pytest

from pages.lib import charts, theme
from tests import cvd
from tests.views import claim, figure_traces, with_sources

CATEGORIES = list(theme.CATEGORY_COLOURS)


def every_kind_of_money_figure():
    rows = [claim(i, category=category, target=target, value=10 ** (6 + i % 4), period_start=2020, period_end=2020)
            for i, (category, target) in enumerate(itertools.product(CATEGORIES, (False, True)), start=1)]
    return charts.trade_chart(with_sources(rows))


@pytest.mark.parametrize("deficiency", ["normal", *cvd.MATRICES])
def test_category_colours_stay_apart(deficiency):
    def seen(colour):
        rgb = cvd.hex_rgb(colour)
        return rgb if deficiency == "normal" else cvd.simulate(rgb, deficiency)

    for (a, ca), (b, cb) in itertools.combinations(theme.CATEGORY_COLOURS.items(), 2):
        assert cvd.delta_e(seen(ca), seen(cb)) >= cvd.CONFUSABLE, (deficiency, a, b)
    assert cvd.delta_e(seen(theme.VN_COLOUR), seen(theme.KH_COLOUR)) >= cvd.CONFUSABLE


def test_every_money_figure_series_has_its_own_shape():
    """Two series of the trade chart never differ by colour alone: category by shape, status by fill."""
    points = figure_traces(every_kind_of_money_figure(), "figures")
    assert len(points) == 2 * len(CATEGORIES)
    shapes = [t.marker.symbol[0] for t in points]
    assert len(set(shapes)) == len(shapes), shapes
    for t in points:
        assert t.marker.symbol[0].endswith("-open") == bool(t.meta["target"])


def test_aid_targets_are_hatched_not_only_coloured():
    rows = [claim(1, category="aid", unit="count", kind="count", value=50),
            claim(2, category="aid", unit="count", kind="count", value=70, target=True)]
    fig = charts.aid_chart(with_sources(rows))
    bars = {t.name: t for t in fig.data if t.type == "bar"}
    assert bars["Target"].marker.pattern.shape == theme.TARGET_PATTERN
    assert not bars["Achieved"].marker.pattern.shape


def test_map_key_names_each_country_in_words(geometry):
    from pages.lib import maps
    from tests.views import small_view

    view = small_view()
    fig = maps.province_map(geometry, view.places, view.mentions, view.claims, view.links, "")
    words = {a.text for a in fig.layout.annotations if a.name == maps.ROLE_RAMP}
    assert {"Vietnam", "Cambodia"} <= words
