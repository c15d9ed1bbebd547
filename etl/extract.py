"""From one article to its rows: a pure function, no disk, no global state.

``extract(document, gazetteer)`` returns the article's row and its claims,
mentions and links, each row tied to its sentence and character span in the
document's text. Because it is pure it can be mapped over articles by any engine
(a process pool, Dask).
"""

from __future__ import annotations

import bisect
import itertools
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import cache

from etl.categories import KIND_CATEGORY, KeywordHits, categorise, measure_words, refers_back
from etl.duplicates import signature
from etl.facts import with_fact_ids
from etl.lexicon import Lexicon, available_languages, folded, load, load_common
from etl.measures import claim_measures
from etl.metadata import (
    detect_language,
    find_author,
    find_outlet,
    find_published,
    find_title,
    heading_dates,
    is_headline,
)
from etl.periods import Period, find_dates, find_periods, period_for
from etl.places import Gazetteer, Mention, find_mentions, place_finders
from etl.quantities import CHANGE_WINDOW, Quantity, find_quantities, overlaps, starts_a_change
from etl.reading import Document
from etl.scanner import Scanner
from etl.schema import join_ids
from etl.scope import with_scope
from etl.sections import Line, lines_of, related_spans, section_at
from etl.targets import target_cue
from etl.text import FORMAT_CHARACTERS, Sentence, TextView, fold, make_view, split_sentences
from etl.timing import TIMER

BODY, RELATED = "body", "related"
VN, KH = "VN", "KH"
#: A figure's category, period and goal words are looked for this far around it (characters);
#: keywords further away weigh almost nothing, and the bound keeps huge sentences linear.
CONTEXT_WINDOW = 1000
#: No period expression is longer than this ("(January 7, 1979 - January 7, 2024)").
MAX_PERIOD_CHARS = 200
#: Keywords elsewhere in the paragraph count within this distance.
PARAGRAPH_WINDOW = 3000
#: Relations in the order they win when a sentence has several cue words.
RELATION_ORDER = ("agreement", "aid", "trade", "visit", "other")
#: A sentence up to this long is quoted whole; a longer run (a line without sentence punctuation)
#: is quoted in part, ``QUOTE_WINDOW`` characters around the figure or place, so that a row's quote
#: is bounded and the tables grow in proportion to the text, whatever its punctuation.
MAX_QUOTE_CHARS = 1000
QUOTE_WINDOW = 300
ELLIPSIS = "…"
#: A figure larger than this (in any unit) is no measure of anything: a run of digits, not a claim.
#: (Vietnam's yearly GDP in dong is about 1e16.)
MAX_VALUE = 1e18
#: Cooperation links one sentence gives at most (place pairs × sectors, in the order they are
#: found): a list of a hundred places would otherwise give thousands of rows.
MAX_LINKS_PER_SENTENCE = 100


@dataclass(frozen=True)
class Reading:
    """What extraction has read of one article, handed to each step that makes rows from it."""

    doc: Document
    view: TextView
    lines: list[Line]
    body_lines: list[Line]
    sentences: list[Sentence]
    sections: list[str]  # of each sentence: body or related
    lexicons: Sequence[Lexicon]  # every language's: page furniture and people's titles come in any
    language: str
    heading: list[tuple[int, int]] = field(default_factory=list)  # the page's date, the dateline's (offsets)
    starts: list[int] = field(default_factory=list, repr=False)  # of each sentence, for sentence_of

    def sentence_of(self, original_offset: int) -> int:
        """The index of the sentence holding an offset of the original text."""
        return max(bisect.bisect_right(self.starts, original_offset) - 1, 0)


@dataclass(frozen=True)
class Extraction:
    article: dict
    claims: list[dict] = field(default_factory=list)
    mentions: list[dict] = field(default_factory=list)
    links: list[dict] = field(default_factory=list)
    problems: list[dict] = field(default_factory=list)
    signature: bytes | None = None  # of the body, to find republished copies (etl.duplicates)


@cache
def all_lexicons() -> tuple[Lexicon, ...]:
    return tuple(lex for lang in available_languages() if (lex := load(lang)) is not None)


@cache
def _abbreviations(lexicons: tuple[Lexicon, ...]) -> frozenset[str]:
    """Every lexicon's abbreviations: a full stop after one ends no sentence."""
    return frozenset(a for lx in lexicons for a in lx.sentences.abbreviations)


@cache
def _scanner(lex: Lexicon | None, gazetteer: Gazetteer) -> Scanner:
    """Everything an article is scanned for: its lexicon's word lists and what ``find_mentions`` reads
    (each pass of an automaton costs about the same, whatever it finds)."""
    phrases, starts = lex.scanned_lists() if lex is not None else ({}, {})
    place_phrases, keys = place_finders(gazetteer, all_lexicons())
    return Scanner({**phrases, **place_phrases}, starts, keys)


def extract(doc: Document, gazetteer: Gazetteer, language: str | None = None) -> Extraction:
    """All rows of one article; ``language`` overrides the detector (ISO 639-1)."""
    text = doc.text
    lexicons = all_lexicons()
    with TIMER.stage("sentences"):
        view = make_view(text, gazetteer.known_words)
        folded_text = view.folded_original()
        lines = lines_of(text, folded_text)
        related = related_spans(text, lexicons, lines)
        body_lines = [line for line in lines if section_at(related, line.start) == BODY]
        sentences = split_sentences(text, _abbreviations(lexicons))
        sections = [section_at(related, s.start) for s in sentences]
    with TIMER.stage("metadata"):
        language = language or detect_language("\n".join(line.text for line in body_lines) or text)
    lex = load(language)
    with TIMER.stage("sentences"):
        # one pass of one automaton for the lexicon's word lists, people's titles and place names
        scanner = _scanner(lex, gazetteer)
        scan = lex.scan(view, scanner) if lex is not None else scanner.scan(view.folded, view.bounded)
    with TIMER.stage("numbers"):
        dates = find_dates(view, lex) if lex is not None else []  # no quantity, and the years of periods
        quantities, too_large = _sane(find_quantities(view, lex, dates, gazetteer.known_words)
                                      if lex is not None else [])
    with TIMER.stage("places"):
        mentions = find_mentions(view, gazetteer, lexicons, scan)
    reading = Reading(doc, view, lines, body_lines, sentences, sections, lexicons, language,
                      heading_dates(body_lines, folded_text, lexicons), [s.start for s in sentences])
    mention_rows, places_by_sentence, first_mention = _mention_rows(reading, mentions)
    claim_rows: list[dict] = []
    body_periods: list[Period] = []
    completed_years: set[int] = set()
    keywords: KeywordHits | None = None
    if lex is not None:
        periods: dict[int, list[Period]] = {s.index: [] for s in sentences}
        with TIMER.stage("numbers"):
            figures = [(q.start, q.end) for q in quantities]
            for period in find_periods(view, lex, dates):
                if overlaps(figures, period.start, period.end):
                    continue  # "of 1998 million kWh": a figure
                start = view.to_original(period.start)
                if not overlaps(reading.heading, start, start + 1):  # the page's date, the dateline's
                    periods[reading.sentence_of(start)].append(period)
        with TIMER.stage("categories"):
            keywords = KeywordHits(view, lex)
            measures = KeywordHits(view, lex, "measures")
            claim_rows = _claim_rows(reading, lex, quantities, places_by_sentence, periods, keywords,
                                     measures)
        ranges: set[tuple[int, int]] = set()
        for sid, section in enumerate(sections):
            if section == BODY:
                body_periods += periods[sid]
                ranges |= {(p.first, p.last) for p in periods[sid] if p.first and p.last and p.first < p.last
                           and not p.full_dates}
        # a range of years is over when a figure achieved in it is reported ("exports of 2017-2018"), not
        # when it is named ("a memorandum for 2023-2028")
        completed_years = {r["period_end"] for r in claim_rows if r["section"] == BODY and not r["target"]
                           and (r["period_start"], r["period_end"]) in ranges}
    with TIMER.stage("categories"):
        link_lex = lex or lexicons[0]
        # the claims' category keywords serve the links too: the same lexicon, found once
        if keywords is None:  # no lexicon for the article: links use the first one's keywords
            keywords = KeywordHits(view, link_lex)
        link_rows, capped = _link_rows(reading, link_lex, places_by_sentence, first_mention, gazetteer,
                                       keywords, KeywordHits(view, link_lex, "links"))
    with TIMER.stage("metadata"):
        article = _article_row(reading, gazetteer, body_periods, completed_years, claim_rows, mention_rows)
    with TIMER.stage("categories"):  # what each figure is about, the fact it reports (etl.scope, etl.facts)
        claim_rows = with_scope(claim_rows, mention_rows, reading, lex, gazetteer)
        found = claim_measures(claim_rows, reading, lex, mention_rows, gazetteer)
        claim_rows = with_fact_ids(claim_rows, found, article, gazetteer)
    problems = [{"file": doc.file, "problem": p} for p in doc.problems]
    if too_large:
        problems.append({"file": doc.file, "problem": f"{_plural(too_large, 'unreadable figure')} "
                                                      f"(beyond {MAX_VALUE:.0e}) not taken as claims"})
    if capped:
        problems.append({"file": doc.file, "problem": f"{_plural(capped, 'sentence')} named so many place "
                                                      f"pairs that only the first {MAX_LINKS_PER_SENTENCE} "
                                                      "cooperation links of each were kept"})
    if lex is None and language != "und":
        problems.append({"file": doc.file, "problem": f"language '{language}' has no lexicon: "
                                                      "places found, no claims extracted"})
    return Extraction(article, claim_rows, mention_rows, link_rows, problems,
                      signature(line.folded for line in body_lines))


def _article_row(reading: Reading, gazetteer: Gazetteer, body_periods: list[Period],
                 completed_years: set[int], claim_rows: list[dict], mention_rows: list[dict]) -> dict:
    """The article's row: its metadata, and its counts over the body."""
    doc, text, lines, body_lines = reading.doc, reading.doc.text, reading.lines, reading.body_lines
    sentences, sections, lexicons = reading.sentences, reading.sections, reading.lexicons
    first_body = next((s for s, sec in zip(sentences, sections, strict=True) if sec == BODY), None)
    published, basis = find_published(text, body_lines, lexicons, body_periods, completed_years, lines)
    meta = {
        "title": _visible(find_title(body_lines,
                                     text[first_body.start:first_body.end] if first_body else None)),
        "outlet": find_outlet("\n".join(line.text for line in body_lines), load_common()),
        "author": _visible(find_author(lines, lexicons, gazetteer.aliases.keys())),
        "published": published,
        "published_basis": basis,
    }
    return {
        "article_id": doc.article_id, "file": doc.file, **meta, "language": reading.language,
        "sha256": doc.sha256,
        "n_sentences": sum(1 for sec in sections if sec == BODY),
        "n_claims": sum(1 for c in claim_rows if c["section"] == BODY),
        "n_mentions": sum(1 for m in mention_rows if m["section"] == BODY),
    }


def _plural(n: int, noun: str) -> str:
    return f"{n} {noun}{'' if n == 1 else 's'}"


def _visible(text: str | None) -> str | None:
    """Metadata as shown: without invisible format characters (a right-to-left override in a title
    would reverse it, and what follows it, on every page that shows it).

    >>> _visible("Trade \u202egrows"), _visible(None)
    ('Trade grows', None)
    """
    return FORMAT_CHARACTERS.sub("", text) if text else text


def _sane(quantities: list[Quantity]) -> tuple[list[Quantity], int]:
    """The quantities whose values are finite and at most ``MAX_VALUE``, and how many were not."""
    kept = [q for q in quantities
            if all(v is None or abs(v) <= MAX_VALUE for v in (q.value, q.low, q.high))]
    return kept, len(quantities) - len(kept)


def quote(text: str, s: Sentence, start: int, end: int) -> str:
    """The sentence ``s``, or, when it is longer than ``MAX_QUOTE_CHARS``, the part of it around
    ``text[start:end]`` (``QUOTE_WINDOW`` characters, cut at spaces, marked with ellipses).

    >>> line = " ".join(f"w{i}" for i in range(400)) + " 40 tonnes " + "x " * 400
    >>> at = line.index("40 tonnes")
    >>> q = quote(line, Sentence(0, 0, len(line), 0), at, at + 9)
    >>> q.startswith("…") and q.endswith("…") and "40 tonnes" in q and len(q) <= QUOTE_WINDOW + 2
    True
    """
    if s.end - s.start <= MAX_QUOTE_CHARS:
        return text[s.start:s.end]
    room = max(QUOTE_WINDOW - (end - start), 0)
    lo = max(s.start, start - room // 2)
    hi = min(s.end, end + (room - (start - lo)))
    lo = max(s.start, min(lo, hi - QUOTE_WINDOW))
    if lo > s.start:  # start at a word
        space = text.find(" ", lo, start)
        lo = space + 1 if space >= 0 else lo
    if hi < s.end:  # end at a word
        space = text.rfind(" ", end, hi)
        hi = space if space >= 0 else hi
    return (ELLIPSIS if lo > s.start else "") + text[lo:hi].strip() + (ELLIPSIS if hi < s.end else "")


def _mention_rows(reading: Reading, mentions: list[Mention]
                  ) -> tuple[list[dict], dict[int, list[str]], dict[tuple[int, str], tuple[int, int]]]:
    """The mention rows; the places of each sentence, in order; each place's first span in each sentence."""
    doc, view, sections, sentence_of = reading.doc, reading.view, reading.sections, reading.sentence_of
    rows = []
    by_sentence: dict[int, list[str]] = {}
    first: dict[tuple[int, str], tuple[int, int]] = {}
    for n, m in enumerate(mentions, start=1):
        start, end = view.span(m.start, m.end)
        sid = sentence_of(start)
        rows.append({
            "mention_id": f"{doc.article_id}#m{n}", "article_id": doc.article_id, "sentence_id": sid,
            "section": sections[sid] if sections else BODY, "place_id": m.place_id,
            "surface": doc.text[start:end], "char_start": start, "char_end": end,
        })
        ids = by_sentence.setdefault(sid, [])
        if m.place_id not in ids:
            ids.append(m.place_id)
            first[sid, m.place_id] = (start, end)
    return rows, by_sentence, first


def _claim_rows(reading: Reading, lex: Lexicon, quantities: list[Quantity],
                places_by_sentence: dict[int, list[str]], periods_by_sentence: dict[int, list[Period]],
                keywords: KeywordHits, measures: KeywordHits) -> list[dict]:
    """The claim rows of the article's figures, each with its sentence's attributes."""
    doc, view, sentences, sections = reading.doc, reading.view, reading.sentences, reading.sections
    sentence_of = reading.sentence_of
    rows: list[dict] = []
    by_sentence: dict[int, list[Quantity]] = {}
    paragraphs: dict[int, list[Sentence]] = {}
    for x in sentences:
        paragraphs.setdefault(x.paragraph, []).append(x)
    for q in quantities:
        by_sentence.setdefault(sentence_of(view.to_original(q.start)), []).append(q)
    headline = _headline(reading)
    for sid, qs in by_sentence.items():
        s = sentences[sid]
        lo, hi = view.to_view(s.start), view.to_view(s.end)
        periods = periods_by_sentence[sid]
        para = paragraphs[s.paragraph]
        p_lo, p_hi = view.to_view(para[0].start), view.to_view(para[-1].end)
        starts = [o.start for o in qs]
        period_starts = [p.start for p in periods]
        breaks = [m.start() for m in lex.patterns["clause_break"].finditer(view.folded, lo, hi)
                  ] if periods else []
        whole = doc.text[s.start:s.end] if s.end - s.start <= MAX_QUOTE_CHARS else None
        # what a figure measures is not the dateline before it ("HANOI, January 7 (VNA) - Trade reached")
        heading_ends = [view.to_view(b) for a, b in reading.heading if s.start <= a < s.end]
        previous_end, previous_what = max([lo, *heading_ends]), None
        before_change = lo  # where the figure before a change's first one ends ("... from 50 to 120 MW")
        # whether each figure and the next give a change from the one to the other ("from 50 to 120 MW")
        changes = [starts_a_change(view, lex, a, b) for a, b in itertools.pairwise(qs)] + [False]
        in_headline = sid == headline
        for i, q in enumerate(qs):
            # Everything a figure looks at lies within a window around it, so a text with no
            # sentence break (one line of 1 MB) costs time in proportion to its length.
            w_lo, w_hi = max(lo, q.start - CONTEXT_WINDOW), min(hi, q.end + CONTEXT_WINDOW)
            hits = keywords.between(w_lo, w_hi)
            para_hits = keywords.between(max(p_lo, q.start - PARAGRAPH_WINDOW),
                                         min(p_hi, q.end + PARAGRAPH_WINDOW)) if len(para) > 1 else hits
            if changes[i]:
                cue, before_change = None, previous_end  # the value a change starts from: no goal
            elif i and changes[i - 1]:  # where a change ends: its goal verb stands before "from"
                near_from = qs[i - 1].start - CHANGE_WINDOW
                cue = target_cue(view, lex, lo, q.start, q.end, before_change, near_from, in_headline)
            else:
                cue = target_cue(view, lex, lo, q.start, q.end, previous_end, headline=in_headline)
            near = qs[bisect.bisect_left(starts, w_lo):bisect.bisect_right(starts, w_hi)]
            others = [(o.start, o.end) for o in near if o is not q]
            splits = cue is not None and cue.start < q.start and cue.splits_periods
            goal_before = cue.start if splits else None
            nearby = periods[bisect.bisect_left(period_starts, w_lo - MAX_PERIOD_CHARS):
                             bisect.bisect_right(period_starts, w_hi)]
            first, last = period_for(nearby, q.start, q.end, others, after=goal_before, breaks=breaks)
            deadline = any(p.deadline and (p.first, p.last) == (first, last) for p in nearby)
            start, end = view.span(q.start, q.end)
            rows.append({
                "article_id": doc.article_id, "sentence_id": sid, "section": sections[sid],
                "text": doc.text[start:end], "char_start": start, "char_end": end,
                "value": q.value, "low": q.low, "high": q.high, "unit": q.unit, "kind": q.kind,
                "qualifier": q.qualifier,
                "what": (what := _what(view, lex, q, max(previous_end, goal_before or lo), hi,
                                       previous_what)),
                "category": _category(reading, lex, rows, q, sid, previous_end, hits, para_hits,
                                      measures.between(w_lo, w_hi)),
                "period_start": first, "period_end": last, "target": cue is not None or deadline,
                "place_ids": join_ids(places_by_sentence.get(sid, [])),
                # one string for the sentence's claims (pickled once, too), unless it is too long
                "quote": whole if whole is not None else quote(doc.text, s, start, end),
            })
            previous_end, previous_what = q.end, (q.unit, what)
    rows.sort(key=lambda r: r["char_start"])
    for n, row in enumerate(rows, start=1):
        row["claim_id"] = f"{doc.article_id}#c{n}"
    return rows


def _headline(reading: Reading) -> int | None:
    """The sentence that is the article's headline: its first body line, whole, without a full stop at
    its end (``None`` when it opens with a sentence of the text)."""
    if not reading.body_lines:
        return None
    line = reading.body_lines[0]
    if not is_headline(line.text):
        return None
    sid = reading.sentence_of(line.start)
    s = reading.sentences[sid]
    return sid if s.start <= line.start and line.end <= s.end else None


def _category(reading: Reading, lex: Lexicon, rows: list[dict], q: Quantity, sid: int, previous_end: int,
              hits: list[tuple[int, int, str]], para_hits: list[tuple[int, int, str]],
              measure_hits: list[tuple[int, int, str]]) -> str:
    """The category of figure ``q`` of sentence ``sid`` (``rows``: the claims before it): the previous
    figure's when the sentence refers back to it ("Ce chiffre représente..."), or when the sentence names no
    measure and the previous sentence of its paragraph gave a figure of the same unit ("L'an dernier, le
    Cambodge a exporté 620.106 tonnes de riz. Cette année, le pays vise 800.000 tonnes."); else
    ``categorise``."""
    view = reading.view
    if rows and refers_back(view, lex, previous_end, q.start):
        return rows[-1]["category"]
    measured = measure_words(view, lex, measure_hits, q.start, q.end)
    if not measured and rows and rows[-1]["unit"] == q.unit and q.kind not in KIND_CATEGORY:
        before = rows[-1]["sentence_id"]
        sentences = reading.sentences
        if before == sid - 1 and sentences[before].paragraph == sentences[sid].paragraph:
            return rows[-1]["category"]
    return categorise(hits, para_hits, q.start, q.end, q.kind, measured)


#: The phrase that says what a figure measures is at most this many words.
WHAT_WORDS = 12
_CLAUSE = re.compile(r"[,;:]")
_BRACKETS = "()[]«»\"“”"


def _what(view: TextView, lex: Lexicon, q: Quantity, lo: int, hi: int,
          previous: tuple[str, str | None] | None) -> str | None:
    """What the figure measures, in the article's words.

    The counted noun when there is one ("cadres civils et politiques"); else the words
    of its clause before it, from ``lo`` (the sentence, the previous figure or a goal
    word), trimmed of verbs and prepositions ("chiffre d'affaires ... des exportations");
    for a duration, the words after it ("after victory over the Pol Pot regime");
    else the subject of the previous figure of the same unit in the sentence.
    """
    if q.counted:
        return q.counted
    trim = folded(lex.what.trim)
    before = _trimmed(_CLAUSE.split(view.norm[lo:q.start])[-1].split(), trim)[-WHAT_WORDS:]
    if before:
        return " ".join(before)
    if q.kind == "duration":
        after = _trimmed(_CLAUSE.split(view.norm[q.end:hi])[0].split(), trim)[:WHAT_WORDS]
        if after and not any(c.isdigit() for c in "".join(after)):
            return " ".join(after)
    return previous[1] if previous and previous[0] == q.unit else None


def _trimmed(words: list[str], trim: frozenset[str]) -> list[str]:
    words = [w.strip(_BRACKETS) for w in words]
    words = [w for w in words if w]
    while words and fold(words[-1]).strip(".") in trim:
        words.pop()
    while words and fold(words[0]).strip(".") in trim:
        words.pop(0)
    return words


def _link_rows(reading: Reading, lex: Lexicon, places_by_sentence: dict[int, list[str]],
               first_mention: dict[tuple[int, str], tuple[int, int]], gazetteer: Gazetteer,
               keywords: KeywordHits, relation_words: KeywordHits) -> tuple[list[dict], int]:
    """The cooperation links of each sentence, and how many sentences had more than
    ``MAX_LINKS_PER_SENTENCE`` (only the first of theirs are kept)."""
    doc, view, sentences, sections = reading.doc, reading.view, reading.sentences, reading.sections
    rows = []
    capped = 0
    for sid, place_ids in sorted(places_by_sentence.items()):
        places = [gazetteer.places[p] for p in place_ids if p in gazetteer.places]
        vn = [p for p in places if p.country == VN]
        kh = [p for p in places if p.country == KH]
        pairs = [(a, b) for a in vn for b in kh if not (a.level == "country" and b.level == "country")]
        if not pairs:
            continue
        s = sentences[sid]
        lo, hi = view.to_view(s.start), view.to_view(s.end)
        relations = {value for _, _, value in relation_words.between(lo, hi)}
        relation = next((r for r in RELATION_ORDER if r in relations), None)
        if relation is None:
            continue
        sectors = sorted({c for _, _, c in keywords.between(lo, hi)}) or ["other"]
        whole = doc.text[s.start:s.end] if s.end - s.start <= MAX_QUOTE_CHARS else None
        links = [(a, b, sector) for a, b in pairs for sector in sectors]
        if len(links) > MAX_LINKS_PER_SENTENCE:
            links, capped = links[:MAX_LINKS_PER_SENTENCE], capped + 1
        for a, b, sector in links:
            rows.append({
                "article_id": doc.article_id, "sentence_id": sid, "section": sections[sid],
                "place_a": a.place_id, "place_b": b.place_id, "sector": sector, "relation": relation,
                # one string for the sentence's links (pickled once, too), unless it is too long
                "quote": whole if whole is not None else quote(doc.text, s, *first_mention[sid, a.place_id]),
            })
    return rows, capped
