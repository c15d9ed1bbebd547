"""The briefing as one self-contained HTML file.

``briefing_html`` is a pure function of the filtered tables and the map geometry. The
file carries plotly.js inline (once), uses system fonts, and makes no request at
all, so it opens offline in any browser. All article text is escaped.
"""

from __future__ import annotations

import html
from dataclasses import dataclass
from datetime import UTC, datetime

import pandas as pd
import plotly.graph_objects as go
import plotly.offline

from pages.lib import charts, crosscheck, facts, theme
from pages.lib.maps import MapGeometry, province_map
from pages.lib.tables import Tables
from pages.lib.wording import counted, mended

#: Figures in the file: no logo link, no mode bar calls out of the page.
FIGURE_CONFIG = {"displaylogo": False, "responsive": True}
#: Money quotes listed in the sources section, largest first.
MAX_MONEY_QUOTES = 30
TITLE = "Vietnam–Cambodia cooperation: briefing"
NO_MONEY = "No money figure in the selected articles."
NO_LINK = "No cooperation link in the selected articles."

STYLE = """
body { font-family: %(font)s; margin: 0 auto; max-width: 1100px; padding: 1.5rem 2rem 4rem; color: #1a1a1a;
       font-size: 18px; line-height: 1.5; }
h1 { font-size: 2.2rem; margin-bottom: .2rem; }
h2 { font-size: 1.6rem; border-bottom: 3px solid %(vn)s; padding-bottom: .2rem; margin-top: 2.5rem; }
.sources li { margin-bottom: .6rem; font-size: .95rem; }
footer { margin-top: 3rem; font-size: .85rem; color: #555; }
@media print { h2 { page-break-before: always; } }
"""
#: The key-figure cards, shared by the HTML file and the briefing page; ``%(amount)s`` sets their size.
CARD_STYLE = """
.meta { color: #555; font-size: .95rem; }
.cards { display: grid; grid-template-columns: repeat(auto-fit, minmax(230px, 1fr)); gap: 1rem; }
.card { border: 1px solid #ddd; border-left: 6px solid %(kh)s; border-radius: 6px; padding: .8rem 1rem;
        overflow-wrap: anywhere; }
.card .amount { font-size: %(amount)s; font-weight: 700; line-height: 1.2; }
.card .heading { text-transform: uppercase; letter-spacing: .05em; font-size: .85rem; color: #555; }
.card .detail { font-size: .95rem; }
blockquote { margin: .3rem 0 .8rem; padding-left: .8rem; border-left: 3px solid #ccc; color: #333; }
"""
FILE_AMOUNT_SIZE = "2.1rem"


def card_style(amount_size: str = FILE_AMOUNT_SIZE) -> str:
    return CARD_STYLE % {"kh": theme.KH_COLOUR, "amount": amount_size}


def _e(value: object) -> str:
    """Escape any cell for HTML; missing values become an empty string."""
    return "" if value is None or (not isinstance(value, str) and pd.isna(value)) else html.escape(str(value))


def _figure(fig: go.Figure) -> str:
    return fig.to_html(full_html=False, include_plotlyjs=False, config=FIGURE_CONFIG)


def key_figure_cards(figures: pd.DataFrame) -> str:
    """The key figures as escaped HTML cards (style: ``card_style``)."""
    if figures.empty:
        return "<p>No trade, investment or aid figure in the selected articles.</p>"
    cards = []
    for row in figures.itertuples():
        period = "".join(f" · {_e(part)}" for part in (row.scope, row.period) if part)
        cards.append(
            f'<div class="card"><div class="heading">{_e(row.heading)}</div>'
            f'<div class="amount">{_e(row.amount)}</div>'
            f'<div class="detail">{_e(row.what)}{period} · {_e(row.qualifier)}</div>'
            f"<blockquote>{_e(mended(row.quote))}</blockquote>"
            f'<div class="meta">{_e(row.source)}</div></div>'
        )
    return f'<div class="cards">{"".join(cards)}</div>'


def sources(articles: pd.DataFrame) -> list[str]:
    """The articles of a briefing, oldest first, each as a reader cites it (an inferred date says so)."""
    dated = articles.sort_values("published")
    basis = dated["published_basis"] if "published_basis" in dated else pd.Series(None, index=dated.index)
    return [
        f"{facts.source_text(a.title, a.outlet, a.published, facts.is_inferred(b))} — file {a.file}, "
        f"language {a.language}"
        for a, b in zip(dated.itertuples(), basis, strict=True)
    ]


def money_quotes(claims: pd.DataFrame) -> pd.DataFrame:
    """The money figures a briefing quotes at its end, largest first (``MAX_MONEY_QUOTES`` at most)."""
    return (
        facts.labelled(facts.money_claims(claims))
        .sort_values("value", ascending=False, key=facts.drawable_values)  # infinite or missing ones last
        .head(MAX_MONEY_QUOTES)
    )


def quote_kind(c: object) -> str:
    """What a quoted figure is: "trade, target, 2025"."""
    target = ", target" if facts.is_target(c.target) else ""
    period = f", {c.period}" if c.period else ""
    return f"{c.category}{target}{period}"


def _sources(articles: pd.DataFrame, claims: pd.DataFrame) -> str:
    items = [f"<li>{_e(line)}</li>" for line in sources(articles)]
    quotes = [
        f"<li><b>{_e(c.label)}</b> ({_e(quote_kind(c))}): "
        f"<blockquote>{_e(mended(c.quote))}</blockquote>"
        f'<span class="meta">{_e(c.source)} · {_e(c.claim_id)}</span></li>'
        for c in money_quotes(claims).itertuples()
    ]
    return (
        f'<h3>Articles</h3><ol class="sources">{"".join(items)}</ol>'
        f'<h3>Money figures quoted</h3><ol class="sources">{"".join(quotes) or "<li>None.</li>"}</ol>'
    )


#: Where the time the briefing was made goes when it is made before it is downloaded (see ``stamped``).
MADE_MARK = "<!--made-->"


def _made(when: datetime) -> str:
    return _e(when.astimezone(UTC).isoformat(timespec="minutes"))


def stamped(html: str, when: datetime | None = None) -> str:
    """A briefing made ahead (``briefing_html`` without ``generated``: the dashboard keeps one per view)
    with the time it is handed out written in.

    >>> stamped("made <!--made-->", datetime(2026, 1, 2, 3, 4, tzinfo=UTC))
    'made 2026-01-02T03:04+00:00'
    """
    return html.replace(MADE_MARK, _made(when or datetime.now(UTC)), 1)


@dataclass(frozen=True)
class Parts:
    """What a briefing holds, made once from a view, for the HTML file and the PDF alike."""

    claims: pd.DataFrame  # one row per fact, with sources
    key_figures: pd.DataFrame
    trade: list[go.Figure]  # one chart per currency
    map: go.Figure
    cooperation: list[go.Figure]  # the matrix and the network, or nothing
    source: str
    built: str


def parts(view: Tables, geometry: MapGeometry) -> Parts:
    """The briefing's content: each figure counts once, however many claims and articles report it
    (``crosscheck.fact_rows``)."""
    labelled = facts.labelled(facts.with_sources(view.claims, view.articles))
    claims = crosscheck.fact_rows(labelled, view.articles)
    source = theme.source_line(view.articles)
    names = dict(zip(view.places["place_id"], view.places["name"], strict=True))
    cooperation = [
        charts.cooperation_matrix(view.links, view.places, source),
        charts.partner_network(view.links, view.places, source=source),
    ] if not view.links.empty else []
    return Parts(
        claims=claims,
        key_figures=charts.key_figures(claims, names),
        trade=[charts.trade_chart(claims, currency, source) for currency in facts.currencies(claims)],
        map=province_map(geometry, view.places, view.mentions, view.claims, view.links, source,
                         show_links=True),
        cooperation=cooperation,
        source=source,
        built=str(view.build.get("built_at", "unknown")),
    )


def briefing_html(
    view: Tables,
    geometry: MapGeometry,
    *,
    scope: str = "all articles",
    plotlyjs: str | None = None,
    generated: datetime | None = None,
) -> str:
    """The whole briefing — key figures, trade chart, map, cooperation, sources — as one HTML page.
    ``generated``: the time it says it was made; without it, a mark ``stamped`` fills in."""
    made = parts(view, geometry)
    trade = "".join(_figure(f) for f in made.trade) or f"<p>{NO_MONEY}</p>"
    cooperation = "".join(_figure(f) for f in made.cooperation) or f"<p>{NO_LINK}</p>"
    sections = [
        ("Key figures", key_figure_cards(made.key_figures)),
        ("Trade and investment", trade),
        ("Where: provinces named in the articles", _figure(made.map)),
        ("Cooperation between provinces", cooperation),
        ("Sources", _sources(view.articles, made.claims)),
    ]
    body = "".join(f"<section><h2>{_e(title)}</h2>{content}</section>" for title, content in sections)
    style = STYLE % {"font": theme.FONT_FAMILY, "vn": theme.VN_COLOUR} + card_style()
    bundle = plotlyjs if plotlyjs is not None else plotly.offline.get_plotlyjs()
    return (
        '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{_e(TITLE)}</title><style>{style}</style>"
        f'<script type="text/javascript">{bundle}</script></head><body>'
        f"<header><h1>{_e(TITLE)}</h1>"
        f'<p class="meta">Scope: {_e(scope)} · {counted(len(view.articles), "article")}, '
        f'{counted(len(view.claims), "claim")} · '
        f"data built {_e(made.built)} · briefing made {MADE_MARK if generated is None else _made(generated)}"
        "</p></header>"
        f"{body}<footer>{_e(theme.BOUNDARY_ATTRIBUTION)} Figures are as the articles report them; "
        "check the quoted sentence before citing a figure.</footer></body></html>"
    )
