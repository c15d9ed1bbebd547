"""Properties on arbitrary text: the extractor never raises, and every span matches its surface."""

from __future__ import annotations

import re

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from etl.lexicon import SCANNED_STARTS, load
from etl.numbers import parse_number
from etl.quantities import find_quantities
from etl.text import TextView, make_view, split_sentences
from tests.conftest import run_extract

# Text built from pieces that exercise the grammar, mixed with arbitrary characters.
PIECES = st.sampled_from([
    "plus de", "près de", "environ", "more than", "about", "up to", "between", "and", "et", "à", "-", "–",
    "$", "US$", "USD", "€", "%", "kWh", "km", "ha", "millions", "milliards", "billion", "million",
    "de", "of", "dollars", "étudiants", "students", "years", "ans", "2015", "1979-1989", "07-01-2020",
    "onze", "three", "tens of thousands of", "des milliers de", "Kien Giang", "Kompongtrach", "Việt Nam",
    "Vi-etnam", "Cambo-dian", "be-tween", ".", ",", "\n", " ", "1 234,5", "1,234.5", "2.76", "0", "00",
    "9" * 30, "٣", "1e10", "$$$", "1.234.567,89",
])
TEXT = st.lists(st.one_of(PIECES, st.text(max_size=8)), max_size=40).map(" ".join)
SETTINGS = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@pytest.mark.parametrize("lang", ["en", "fr"])
@SETTINGS
@given(text=TEXT)
def test_quantities_never_raise_and_spans_match(lang, text):
    view = make_view(text)
    for q in find_quantities(view, load(lang)):
        start, end = view.span(q.start, q.end)
        assert 0 <= start < end <= len(text)
        assert q.value == q.value  # not NaN


@SETTINGS
@given(text=TEXT)
def test_extract_never_raises_and_every_span_matches_its_text(text):
    if not text.strip():
        return
    result = run_extract(text)
    for c in result.claims:
        assert text[c["char_start"]:c["char_end"]] == c["text"]
        assert c["quote"] in text
    for m in result.mentions:
        assert text[m["char_start"]:m["char_end"]] == m["surface"]


@SETTINGS
@given(text=st.text(max_size=300))
def test_view_maps_every_offset_back(text):
    view = make_view(text)
    for i in range(len(view.norm)):
        assert view.norm[i] == text[view.to_original(i)]


@SETTINGS
@given(text=st.text(min_size=1, max_size=200), data=st.data())
def test_view_offsets_map_back_whatever_characters_were_removed(text, data):
    removed = sorted(data.draw(st.sets(st.integers(0, len(text) - 1))))
    norm = "".join(c for i, c in enumerate(text) if i not in set(removed))
    view = TextView(text, norm, norm, tuple(removed))
    kept = [i for i in range(len(text)) if i not in set(removed)]
    assert [view.to_original(i) for i in range(len(norm))] == kept
    assert all(view.to_view(o) == i for i, o in enumerate(kept))


@SETTINGS
@given(text=st.text(max_size=300))
def test_sentences_are_inside_the_text(text):
    for s in split_sentences(text, frozenset()):
        assert 0 <= s.start < s.end <= len(text) and text[s.start:s.end].strip()


@given(raw=st.text(alphabet="0123456789., ", max_size=20))
def test_parse_number_is_lenient(raw):
    value = parse_number(raw)
    assert value is None or value >= 0


#: The mutation fuzz stops after this many articles or this many seconds, whichever comes first.
FUZZ_ARTICLES, FUZZ_SECONDS = 300, 20.0


def test_fuzz_extract_on_mutated_seed_articles():
    """Seed articles cut, spliced, duplicated and sprinkled with odd characters: never raises."""
    import random
    import time
    from pathlib import Path

    rng = random.Random(1234)
    seeds = [p.read_text(encoding="utf-8") for p in sorted((Path(__file__).parents[1] / "seeds").glob("*.txt"))]
    odd = ["\x00", "\ufeff", "‐", "-\n", "٣", "$", "%", "€", "1.2.3", "  ", "\r", "é", "《", "🙂", "<script>"]
    deadline = time.monotonic() + FUZZ_SECONDS
    for _ in range(FUZZ_ARTICLES):
        if time.monotonic() > deadline:
            break
        text = rng.choice(seeds)
        for _ in range(rng.randint(1, 6)):
            i, j = sorted(rng.randrange(len(text) + 1) for _ in range(2))
            op = rng.randrange(4)
            if op == 0:
                text = text[:i] + text[j:]
            elif op == 1:
                text = text[:i] + text[i:j] * 2 + text[j:]
            elif op == 2:
                text = text[:i] + rng.choice(odd) + text[i:]
            else:
                text = text[:i] + rng.choice(seeds)[i:j] + text[j:]
        if not text.strip():
            continue
        result = run_extract(text)
        for c in result.claims:
            assert text[c["char_start"]:c["char_end"]] == c["text"]
        for m in result.mentions:
            assert text[m["char_start"]:m["char_end"]] == m["surface"]


DATE_TEXT = st.lists(st.one_of(st.sampled_from([
    "7", "28th", "1er", "janvier", "January", "sept.", "Sept", "septembre", "août", "mai", "may", "2020",
    "1979", "2100", "21000", "12:30", "8h", "9 am", "/", "-", "–", ".", ",", " ", "\n", "l'", "x", "_",
    "٣", "𝟏", "07-01-2020", "2024-01-07",
]), st.text(max_size=4)), max_size=30).flatmap(lambda parts: st.sampled_from(["", " "]).map(
    lambda glue: glue.join(parts)))


@pytest.mark.parametrize("lang", ["en", "fr"])
@SETTINGS
@given(text=DATE_TEXT)
def test_dates_and_years_are_what_their_patterns_find_in_the_whole_text(lang, text):
    """Dates are tried only where one can open, years come from the runs of digits: the same matches."""
    from etl.periods import _YEAR, find_dates, year_spans

    lex, view = load(lang), make_view(text)
    assert [m.span() for m in find_dates(view, lex)] == [m.span() for m in lex.patterns["date"].finditer(view.folded)]
    assert year_spans(view) == [m.span() for m in _YEAR.finditer(view.folded)]
    assert view.digit_runs == [m.span() for m in re.finditer(r"\d+", view.folded)]


PERIOD_TEXT = st.lists(st.one_of(st.sampled_from([
    "since", "depuis", "from", "de", "between", "entre", "and", "et", "to", "à", "until", "jusqu'en", "by", "d'ici",
    "in", "en", "during", "pendant", "the", "le", "launch", "lancement", "of", "these", "ces", "operations",
    "opérations", "establishment", "today", "aujourd'hui", "2001", "1979", "2024", "2020-2025", "-", ",", ".",
    "$5 million", "300 tonnes", "a" * 14, "\n",
]), st.text(max_size=4)), max_size=40).map(" ".join)


@pytest.mark.parametrize("lang", ["en", "fr"])
@SETTINGS
@given(text=PERIOD_TEXT)
@example(text="depuis le lancement de ces opérations en 2001, 300 tonnes")
@example(text="since the establishment of these aaaaaaaaaaaaaa operations in 2001, $5 million")
def test_periods_found_near_years_are_those_found_in_the_whole_text(lang, text):
    """Period patterns are tried only around years (``YEAR_CONTEXT_BEFORE``, ``YEAR_CONTEXT``): wide enough
    for the longest match of each, "since the launch of these operations in 2001" among them."""
    import etl.periods as periods

    lex, view = load(lang), make_view(text)
    near = periods.find_periods(view, lex)
    with pytest.MonkeyPatch.context() as m:
        m.setattr(periods, "around", lambda spans, before, after, length: [(0, length)] if spans else [])
        whole = periods.find_periods(view, lex)
    assert near == whole


@SETTINGS
@given(text=DATE_TEXT, before=st.integers(0, 9), after=st.integers(0, 9))
def test_windows_around_known_spans_are_the_windows_of_their_pattern(text, before, after):
    from etl.scanner import around, windows

    digits = re.compile(r"\d+")
    spans = [m.span() for m in digits.finditer(text)]
    assert around(spans, before, after, len(text)) == windows(text, digits, before, after)


CURRENCY_PIECES = st.sampled_from(["$", "US$", "US $", "USD", "VNDong", "€", "₫", "៛", "HK$", "S$", "KHR", "usd",
                                   "D", "g", " ", "\n", "\t", "5", "0.5", "reached", "trade", "(", "-", "Ð"])


@pytest.mark.parametrize("lang", ["en", "fr"])
@settings(max_examples=400, deadline=None)
@given(pieces=st.lists(st.one_of(CURRENCY_PIECES, st.text(max_size=3)), max_size=12), glue=st.sampled_from(["", " "]))
@example(pieces=["USD", " ", "\n"], glue="")  # "$" before a final line break: the code ends three before
@example(pieces=["trade", "US$"], glue=" ")
def test_a_currency_before_a_number_is_what_the_plain_search_finds(lang, pieces, glue):
    """The check of the last three characters skips the search only where it could find nothing."""
    from etl.quantities import _currency_before, _currency_reach

    lex = load(lang)
    text = glue.join(pieces) + "5"
    view = make_view(text)
    start = len(view.norm) - 1
    plain = lex.patterns["currency_before"].search(view.norm, max(0, start - _currency_reach(lex)), start)
    found = _currency_before(view, lex, start)
    assert (found and found.span()) == (plain and plain.span())


WORD_BEFORE = re.compile(r"([^\W\d_][\w.'’-]*)[^\S\r\n]+$")
WORD_PIECES = st.sampled_from(["Route", "the", "d'", "l’", "Mr.", "x_y", "A-1", "12", "²", "٣", " ", "  ", "\t",
                               "\n", "\r", "\u00a0", "\u3000", "\x1c", ",", "(", "é", "Ω", "😀"])


@settings(max_examples=600, deadline=None)
@given(pieces=st.lists(st.one_of(WORD_PIECES, st.text(max_size=3)), max_size=10), cut=st.integers(0, 12))
@example(pieces=["x", " ", "\n"], cut=0)
@example(pieces=["Route", "\u00a0"], cut=2)
def test_the_word_before_a_number_is_what_the_pattern_finds(pieces, cut):
    """``_word_before`` reads from the end what a regex search tries at every position of the window."""
    from etl.quantities import _word_before

    text = "".join(pieces)
    lo = min(cut, len(text))
    m = WORD_BEFORE.search(text, lo, len(text))
    assert _word_before(text, lo, len(text)) == (m and m.span(1))


def _listed_pieces(lang: str) -> list[str]:
    from etl.lexicon import phrases_before

    return sorted({w for phrases in phrases_before(load(lang)).values() for w in phrases})


@pytest.mark.parametrize("lang", ["en", "fr"])
@settings(max_examples=300, deadline=None)
@given(data=st.data())
def test_a_listed_phrase_before_a_number_is_what_the_plain_search_finds(lang, data):
    """Skipping the search where the last word ends no listed phrase never skips a match."""
    from etl.lexicon import phrases_before
    from etl.quantities import LEFT_WINDOW, _listed_before

    lex = load(lang)
    pieces = st.one_of(st.sampled_from([*_listed_pieces(lang), " ", "  ", ",", "\n", "'", "’", "😀", "Plus", "n°"]),
                       st.text(max_size=3))
    text = data.draw(st.lists(pieces, max_size=10).map(lambda p: data.draw(st.sampled_from(["", " "])).join(p)))
    view = make_view(text + " 5")
    pos = len(view.norm) - 1
    for name in phrases_before(lex):
        plain = lex.patterns[name].search(view.folded, max(0, pos - LEFT_WINDOW), pos)
        found = _listed_before(view, lex, name, pos)
        assert (found and found.span()) == (plain and plain.span()), name


#: The scanned start lists and the patterns that open with their words (``etl.lexicon.SCANNED_STARTS``).
STARTED_PATTERNS = [("numbers", "number_words", "number_words"), ("numbers", "vague", "vague"),
                    ("months", "months", "month"), ("targets", "cues", "target_cue"),
                    ("targets", "near_cues", "near_target_cue"), ("targets", "modal_cues", "modal_cue"),
                    ("targets", "trailing_cues", "trailing_target_cue")]


def _started_text(lang: str) -> st.SearchStrategy[str]:
    """Text of a language's listed words (cut, glued and separated every way), among arbitrary characters."""
    lex = load(lang)
    words = sorted({w.rstrip("*") for _, (section, keys) in SCANNED_STARTS.items()
                    for key in keys for w in getattr(getattr(lex, section), key)})
    piece = st.one_of(st.sampled_from(words), st.sampled_from(words).map(lambda w: w[: len(w) // 2]),
                      st.sampled_from(["to", "d", "s", "a", "un", "-", "'", "’", "\n", "  ", "day", "aujourd"]),
                      st.text(max_size=4))
    return st.lists(piece, max_size=12).flatmap(
        lambda pieces: st.lists(st.sampled_from(["", " ", "-", "'", "’", "\u00a0", "\n"]),
                                min_size=len(pieces), max_size=len(pieces))
        .map(lambda seps: "".join(s + p for s, p in zip(seps, pieces, strict=True))))


def _assert_found_at_the_starts(lang: str, finder: str, group: str, pattern: str, text: str) -> None:
    from etl.scanner import finditer_at

    lex = load(lang)
    view = make_view(text)
    starts = lex.scan(view).starts(finder)[group]
    compiled = lex.patterns[pattern]
    assert ([m.span() for m in finditer_at(compiled, view.folded, starts)]
            == [m.span() for m in compiled.finditer(view.folded)])
    return [m.group() for m in compiled.finditer(view.folded)]


@pytest.mark.parametrize(("lang", "text", "found"), [
    ("en", "Today they want to  reach 5 and, tomorrow, to\nreach 6", ["to  reach", "to\nreach"]),
    ("en", "Trade is\u00a0expected to top; it is expected", ["is expected", "expected to"]),
    ("fr", "Afin d’atteindre 5, les deux provinces s'efforcent d'atteindre 6",
     ["d'atteindre", "s'efforcent"]),
])
def test_a_cue_of_several_words_is_found_whatever_separates_them(lang, text, found):
    """Whatever separates a cue's words, it is found where the patterns find it (tried at its first word's
    starts only); words that merely begin like its first word ("today", "s'") cost no try. ``found``: as
    in the folded text."""
    words = []
    for finder, group, pattern in STARTED_PATTERNS:
        words += _assert_found_at_the_starts(lang, finder, group, pattern, text)
    assert set(found) <= set(words)


@pytest.mark.parametrize("lang", ["en", "fr"])
@pytest.mark.parametrize(("finder", "group", "pattern"), STARTED_PATTERNS)
@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_patterns_tried_at_the_scanned_word_starts_find_what_they_find_anywhere(lang, finder, group, pattern, data):
    """A word-start key keeps every position where a pattern can match: "to " for "to reach", "d " for
    "d'atteindre", "thousands" for "thousands" (followed by "of" or nothing)."""
    _assert_found_at_the_starts(lang, finder, group, pattern, data.draw(_started_text(lang)))
