"""An article's metadata: title, outlet, byline, language and publication date.

The date is read, in order of trust, from a ``date 2024-01-07`` line, an update
line (``Update: 19:00 | 29/12/2020``), a dateline (``Soc Trang, 18 juillet
(VNA)``, whose missing year comes from the text), and otherwise inferred from
the latest year the text reports as past, saying so in ``published_basis``.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass
from functools import cache

import numpy as np

from etl.lexicon import Common, Lexicon, load_common, words_pattern
from etl.periods import Period
from etl.prepared import kept_arrays
from etl.sections import Line, is_furniture
from etl.text import fold

#: Characters of body text given to the language detector.
#: How ``published_basis`` says the date, or its year, was inferred from the text rather than read from
#: a dateline (the dashboard marks such a date "inferred" wherever it shows it).
INFERRED, YEAR_INFERRED = "inferred from text", "year from text"
LANGUAGE_SAMPLE_CHARS = 600
#: A title line is at most this long; longer first lines are paragraphs.
MAX_TITLE_CHARS = 200
#: A title taken from a first sentence is cut to this length.
TITLE_FROM_SENTENCE_CHARS = 120
#: The dateline and byline are looked for in this many characters at each end of the body.
EDGE_CHARS = 400
#: A dateline is looked for in this many first lines.
DATE_LINES = 8
#: A date alone this many lines after page furniture is the furniture's (a weather widget's).
FURNITURE_BEFORE_DATE = 2
#: A line that is a date and nothing else is at most this long (``_date_alone``).
MAX_DATE_LINE_CHARS = 60
#: A dateline's comma comes within this many characters of its line's start (``_dateline_pattern``: a page's
#: date, then a place of at most 41 characters).
DATELINE_COMMA_WITHIN = 80
#: The agency in brackets that closes a dateline, and the dash after it: "(VNA) – ".
_AGENCY_AFTER = re.compile(r"[^()\n]{1,40}\)\s*[-–—:]?\s*")
_ISO_DATE = re.compile(r"(\d{4})-(\d{2})-(\d{2})")
#: A saved page's date: a day, month and year, or a month and year, or a year ("2022-09"), its month and
#: day maybe of one digit.
_PAGE_DATE = re.compile(r"(\d{4})(?:-(\d{1,2})(?:-(\d{1,2}))?)?(?![\w-])")
_NUMERIC_DATE = re.compile(r"(\d{1,2})/(\d{1,2})/(\d{4})")
_NAME_TOKEN = re.compile(r"^[A-ZÀ-ÖØ-ÞĐ][\w'’.-]*$")
_BYLINE_WORDS = (2, 4)
#: A byline is looked for in this many first lines (and the last one).
BYLINE_LINES = 6


@dataclass(frozen=True)
class Metadata:
    title: str
    outlet: str | None
    author: str | None
    published: str | None
    published_basis: str | None
    language: str


def detect_language(text: str) -> str:
    """ISO 639-1 code of the text's language (py3langid's model); ``und`` when there is no text."""
    sample = text[:LANGUAGE_SAMPLE_CHARS]
    if not any(c.isalpha() for c in sample):
        return "und"
    return _language_model().classify(sample)


class LanguageModel:
    """py3langid's naive Bayes model over byte n-grams, scored with numpy.

    py3langid walks its n-gram automaton one byte at a time in Python, each step waiting for the
    memory read of the step before. The automaton's state after a byte depends only on the last
    ``depth`` bytes (its longest n-gram, in bytes), so here every position of the sample is walked
    at once, ``depth`` steps from the start state: the same states, found in a few array
    operations whose memory reads overlap. Its decisions are py3langid's (a test compares them).
    """

    def __init__(self, arrays: dict[str, np.ndarray]) -> None:
        # plain arrays over the mapped files: indexing a ``np.memmap`` goes through Python code
        arrays = {name: a.view(np.ndarray) for name, a in arrays.items()}
        self.ptc = arrays["ptc"]  # feature x language log-probabilities
        self.pc = arrays["pc"]  # language priors
        self.classes: list[str] = arrays["classes"].tolist()
        self.nextmove = arrays["nextmove"]
        self.rowbase = arrays["row"].astype(np.int64) << 8  # a state's row of 256 moves
        self.output = arrays["output"]  # the feature a state counts, or -1
        self.depth = int(arrays["depth"])
        # a language listed twice (a script variant) keeps its better score in its first column
        first: dict[str, int] = {}
        self.aliases: list[tuple[int, int]] = []
        for i, c in enumerate(self.classes):
            if first.setdefault(c, i) != i:
                self.aliases.append((first[c], i))

    def classify(self, text: str) -> str:
        if text.isupper():
            text = text.lower()
        data = np.frombuffer(unicodedata.normalize("NFC", text).encode("utf-8", "surrogatepass"), np.uint8)
        n = len(data)
        state = np.zeros(n, np.int64)
        for k in range(min(self.depth, n) - 1, -1, -1):  # position i reads byte i - k
            state[k:] = self.nextmove[self.rowbase[state[k:]] + data[: n - k]]
        features = self.output[state]
        features = np.sort(features[features >= 0])
        if not len(features):
            return "und"
        # each feature once, with its count (``np.r_`` and ``np.unique`` cost more than the arithmetic)
        bounds = np.concatenate(([0], np.flatnonzero(features[1:] != features[:-1]) + 1, [len(features)]))
        counts = np.diff(bounds).astype(np.float32)
        scores = np.log1p(counts) @ self.ptc[features[bounds[:-1]]] + self.pc
        for keep, drop in self.aliases:
            scores[keep] = max(scores[keep], scores[drop])
            scores[drop] = -np.inf
        return self.classes[int(scores.argmax())]


def _automaton_depth(nextmove: np.ndarray, row: np.ndarray) -> int:
    """The length in bytes of the longest string the automaton's states stand for (breadth first)."""
    rowbase = row.astype(np.int64) << 8
    seen = np.zeros(len(row), bool)
    seen[0] = True
    frontier, depth = np.array([0]), 0
    while True:
        moves = nextmove[(rowbase[frontier][:, None] + np.arange(256)).ravel()]
        new = np.unique(moves[~seen[moves]])
        if not len(new):
            return depth
        seen[new] = True
        frontier, depth = new, depth + 1


@cache
def _language_model() -> LanguageModel:
    """py3langid's model. Decompressing it takes half a second: its arrays are kept as files mapped
    into memory (``etl.prepared.kept_arrays``), and each sample reads only the weights of its features."""
    import py3langid
    from py3langid.langid import MODEL_DIR, MODEL_FILE, LanguageIdentifier

    model = MODEL_DIR / MODEL_FILE
    stat = model.stat()
    key = f"2-{py3langid.__version__}-{stat.st_size}-{stat.st_mtime_ns}"  # 2: the arrays kept since depth

    def build() -> dict[str, np.ndarray]:
        full = LanguageIdentifier.from_model_file(model)
        nextmove, row = np.asarray(full.tk_nextmove), np.asarray(full.tk_row)
        # The weights are float16, which numpy multiplies without BLAS: as float32 a sample is
        # scored in a third of the time, with the same decisions.
        return {"ptc": np.asarray(full.nb_ptc, np.float32), "pc": np.asarray(full.nb_pc, np.float32),
                "classes": np.array(full.nb_classes), "nextmove": nextmove, "row": row,
                "output": np.asarray(full.tk_output), "depth": np.array(_automaton_depth(nextmove, row))}

    names = ("ptc", "pc", "classes", "nextmove", "row", "output", "depth")
    return LanguageModel(kept_arrays("langid", key, names, build))


def is_headline(line: str) -> bool:
    """Whether a line reads as a headline: short, with no full stop at its end."""
    return len(line) <= MAX_TITLE_CHARS and not re.search(r"[.!?]\s*$", line)


def find_title(body_lines: list[Line], first_sentence: str | None) -> str:
    for line in body_lines:
        text = _strip_date_line(line.text)
        if not text:
            continue
        if is_headline(text):
            return text
        break
    sentence = _strip_date_line(first_sentence or "")
    if len(sentence) > TITLE_FROM_SENTENCE_CHARS:
        sentence = sentence[:TITLE_FROM_SENTENCE_CHARS].rsplit(" ", 1)[0] + "…"
    return sentence


def _strip_date_line(text: str) -> str:
    """A line without the ``date 2024-01-07`` a saved page opens with (``common.toml``'s ``date_line``)."""
    return _date_line_pattern().sub("", text).strip()


@cache
def _date_line_pattern() -> re.Pattern[str]:
    """"date 2024-01-07", "date 2024-1-7", or a part of it ("date 2022-09")."""
    label = re.escape(load_common().metadata.date_line)
    return re.compile(rf"^\s*{label}\s+\d{{4}}(?:-\d{{1,2}}){{0,2}}(?![\w-])\s*", re.IGNORECASE)


def heading_dates(lines: list[Line], folded: str, lexicons: Sequence[Lexicon]) -> list[tuple[int, int]]:
    """Where the first lines (``DATE_LINES``) open with the date of the page ("date 2024-01-07") or of the
    dateline ("HANOI, January 7, 2024 (VNA) –"): offsets in the text (``folded``: ``fold`` of it). Their
    years say when the article was written, not when its figures were.
    """
    spans = []
    for line in lines[:DATE_LINES]:
        head = folded[line.start:min(line.end, line.start + EDGE_CHARS)]
        m = _date_line_pattern().match(head)
        end = m.end() if m else 0
        for lex in lexicons if _may_be_dateline(head) else ():
            d = _dateline_pattern(lex).match(head)  # after the page's date, if it has one
            if d:
                agency = _AGENCY_AFTER.match(head, d.end()) if head[d.end() - 1] == "(" else None
                end = max(end, agency.end() if agency else d.end())
                break
        if end:
            spans.append((line.start, line.start + end))
    return spans


def find_outlet(body: str, common: Common) -> str | None:
    """The agency that signs the article: in its dateline, first or last lines, not a photo credit."""
    outlets = common.outlets
    credits = common.metadata.credit_words
    pattern, credit = _outlet_patterns(tuple(outlets), tuple(credits))
    edges = [(0, min(len(body), EDGE_CHARS)), (max(0, len(body) - EDGE_CHARS), len(body))]
    for lo, hi in edges:
        for m in pattern.finditer(body, lo, hi):
            if credit.search(fold(body[max(0, m.start() - 20):m.start()])):
                continue
            return outlets[m.group(1)]
    return None


@cache
def _outlet_patterns(outlets: tuple[str, ...], credits: tuple[str, ...]
                     ) -> tuple[re.Pattern[str], re.Pattern[str]]:
    """An outlet's name, and a photo credit before it: built once, not for every article."""
    return (re.compile(rf"(?<![\w])({words_pattern(list(outlets), fold_words=False)})(?![\w])"),
            re.compile(rf"(?:{words_pattern(credits)})\s*[:：]?\s*[(\[]?\s*$"))


def find_author(lines: list[Line], lexicons: Iterable[Lexicon], places: Collection[str]) -> str | None:
    """A byline: "By X", "X / Share:", or a last line that is just a name."""
    lexicons = list(lexicons)
    for line in lines[:BYLINE_LINES]:
        for lex in lexicons:
            suffixes, prefixes = _byline_words(lex)
            for suffix, folded_suffix in suffixes:
                if line.folded.endswith(folded_suffix):
                    name = line.text[: -len(suffix)].strip(" /|")
                    if _looks_like_name(name, places):
                        return name
            for prefix in prefixes:
                m = prefix.match(line.text)
                if m and _looks_like_name(m.group(1), places):
                    return m.group(1).strip()
    if lines and _looks_like_name(lines[-1].text, places) and not is_furniture(lines[-1].folded, lexicons):
        return lines[-1].text
    return None


@cache
def _byline_words(lex: Lexicon) -> tuple[list[tuple[str, str]], list[re.Pattern[str]]]:
    """A lexicon's byline suffixes (as written, and folded) and "By X" patterns, built once."""
    suffixes = [(suffix, fold(suffix)) for suffix in lex.metadata.byline_suffixes]
    prefixes = [re.compile(rf"{re.escape(prefix)}\s+(.+)$", re.IGNORECASE)
                for prefix in lex.metadata.byline_prefixes]
    return suffixes, prefixes


def _looks_like_name(text: str, places: Collection[str]) -> bool:
    tokens = text.split()
    lo, hi = _BYLINE_WORDS
    return (lo <= len(tokens) <= hi and all(_NAME_TOKEN.match(t) for t in tokens)
            and fold(text) not in places and not any(c.isdigit() for c in text))


def find_published(text: str, body_lines: list[Line], lexicons: Iterable[Lexicon], body_periods: list[Period],
                   completed_years: set[int], lines: list[Line] | None = None
                   ) -> tuple[str | None, str | None]:
    """(ISO date at its known precision, how it was found); ``lines``: all the text's lines, furniture
    included (``body_lines`` without it)."""
    lexicons = list(lexicons)
    head = text[:EDGE_CHARS * 2]
    date_line = re.escape(load_common().metadata.date_line)
    m = re.search(rf"(?<![\w]){date_line}\s+" + _PAGE_DATE.pattern, head, re.IGNORECASE)
    if m:
        return _iso(m.group(1), m.group(2), m.group(3)), "date line"
    folded_head = fold(head)
    for lex in lexicons:
        m = _update_line_pattern(lex).search(folded_head)
        if m:
            day, month, year = m.group(1), m.group(2), m.group(3)
            return _iso(year, month, day), "update line"
    alone = _date_alone(body_lines if lines is None else lines, lexicons)
    if alone is not None:
        return alone, "date line"
    dateline = _dateline(body_lines, lexicons)
    latest = _latest_year(body_periods)
    latest_completed = max(completed_years, default=None)
    if dateline is not None:
        day, month, year = dateline
        if year is not None:
            return _iso(str(year), str(month), str(day)), "dateline"
        if latest is not None:
            return (_iso(str(latest), str(month), str(day)),
                    f"dateline ({YEAR_INFERRED}: latest year mentioned, {latest})")
    if latest_completed is not None and (latest is None or latest_completed >= latest):
        return str(latest_completed + 1), (
            f"{INFERRED}: reports the period ending {latest_completed} as past, "
            f"so written in {latest_completed + 1} at the earliest")
    if latest is None:
        return None, None
    return str(latest), f"{INFERRED}: latest year mentioned, {latest}"


@cache
def _update_line_pattern(lex: Lexicon) -> re.Pattern[str]:
    """"Update: 19:00 | 29/12/2020": a label, maybe a time, then the date."""
    labels = words_pattern(lex.dates.update_labels)
    return re.compile(rf"(?:{labels})\s*:?\s*(?:\d{{1,2}}[:h]\d{{2}}\s*[|,-]?\s*)?" + _NUMERIC_DATE.pattern)


def _dateline(lines: list[Line], lexicons: Sequence[Lexicon]) -> tuple[int, int, int | None] | None:
    """(day, month, year or None) from "Soc Trang, 18 juillet (VNA)" or "HANOI, January 7 (VNA)"."""
    for line in lines[:DATE_LINES]:
        head = line.folded[:EDGE_CHARS]  # the line folded (by ``lines_of``): fold(line.text)
        for lex in lexicons if _may_be_dateline(head) else ():
            months = lex.dates.months.folded
            m = _dateline_pattern(lex).match(head)
            if m:
                day = int(m.group(1) or m.group(4))
                month = months[m.group(2) or m.group(3)]
                year = int(m.group(5)) if m.group(5) else None
                return day, month, year
    return None


def _date_alone(lines: list[Line], lexicons: Sequence[Lexicon]) -> str | None:
    """The date of a line near the top that is a date and nothing else, maybe after a weekday or a label and
    before a time ("Wednesday, September 30, 2009", "Dec 11, 2023 / 21:37", "Published: December 25, 2014"):
    the page's date, at its precision. Not one within two lines after page furniture: a weather widget's
    date ("31.7 C / Ho Chi Minh City / Monday, November 25, 2024") is the day the page was saved."""
    head = lines[:DATE_LINES + FURNITURE_BEFORE_DATE]
    for i, line in enumerate(head):
        if len(line.folded) > MAX_DATE_LINE_CHARS or not any(c.isdigit() for c in line.folded):
            continue
        if any(is_furniture(before.folded, lexicons) for before in head[max(0, i - FURNITURE_BEFORE_DATE):i]):
            continue
        for lex in lexicons:
            m = _date_alone_pattern(lex).fullmatch(line.folded)
            if m:
                found = _month_name_date(m.group("date"), lex)
                if found is not None:
                    return found
    return None


def _month_name_date(text: str, lex: Lexicon) -> str | None:
    """"september 30, 2009", "02 february 2015", "30 septembre 2009" as an ISO date."""
    year = re.search(r"\b(\d{4})\b", text)
    months = lex.dates.months.folded
    month = next((n for w, n in months.items() if re.search(rf"\b{re.escape(w)}\b", text)), None)
    day = re.search(r"\b(\d{1,2})(?!\d)", text.replace(year.group(1), "") if year else text)
    if year is None or month is None:
        return None
    return _iso(year.group(1), str(month), day.group(1) if day else None)


@cache
def _date_alone_pattern(lex: Lexicon) -> re.Pattern[str]:
    weekdays = words_pattern(lex.dates.weekdays)
    labels = words_pattern(lex.dates.update_labels)
    times = words_pattern(lex.dates.time_markers)
    return re.compile(
        rf"\W*(?:(?:{labels})\s*:?\s*)?(?:(?:{weekdays})\.?,?\s+)?(?P<date>{lex.patterns['date'].pattern})"
        rf"(?:\s*[/|,–-]?\s*\d{{1,2}}[:h]\d{{2}}\s*(?:{times})?)?\W*", lex.patterns["date"].flags)


def _may_be_dateline(head: str) -> bool:
    """Whether a line can open with a dateline: its place ends with a comma near the start (most lines have
    none there, and are not tried with every language's pattern)."""
    return head.find(",", 0, DATELINE_COMMA_WITHIN) >= 0


@cache
def _dateline_pattern(lex: Lexicon) -> re.Pattern[str]:
    """"Soc Trang, 18 juillet (VNA)", "HANOI, January 7 - ...": a place, a day and month, a separator."""
    alt = words_pattern(list(lex.dates.months.folded), fold_words=False)
    first = words_pattern(lex.dates.first_day_suffixes)
    date_line = re.escape(fold(load_common().metadata.date_line))
    return re.compile(rf"^\s*(?:{date_line}\s+\S+\s+)?[^\W\d_][^,]{{1,40}},\s*"
                      rf"(?:(\d{{1,2}})(?:{first})?\s+({alt})|({alt})\s+(\d{{1,2}}))(?:,?\s+(\d{{4}}))?\s*(?:\(|-|–|—)")


def _latest_year(periods: list[Period]) -> int | None:
    """The latest year the text places an event in: not a deadline, nor the end of a planned range
    ("2024-2028"), but the end of a range of full dates ("07-01-1979 – 07-01-2020"), which is now."""
    years = set()
    for p in periods:
        if p.deadline:
            continue
        if p.first is not None:
            years.add(p.first)
        if p.last is not None and (p.full_dates or p.first == p.last):
            years.add(p.last)
    return max(years, default=None)


def _iso(year: str, month: str | None, day: str | None) -> str | None:
    """An ISO date at the precision it is known ("2022", "2022-09", "2022-09-14").

    >>> _iso("2022", "9", None), _iso("2022", "13", "1"), _iso("2022", "09", "14"), _iso("2022", None, None)
    ('2022-09', '2022', '2022-09-14', '2022')
    """
    y = int(year)
    if month is None or not 1 <= int(month) <= 12:
        return f"{y:04d}"
    if day is None or not 1 <= int(day) <= 31:
        return f"{y:04d}-{int(month):02d}"
    return f"{y:04d}-{int(month):02d}-{int(day):02d}"
