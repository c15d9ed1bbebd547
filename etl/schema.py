"""The output tables, declared once.

Every table the ETL writes is described here: its columns, their types, whether
they may be empty, and what they mean. The writer, ``datapackage.json``, the
validation before writing and the dashboard's data dictionary all read these
definitions, so a column is added or documented in exactly one place.

The meanings follow ``CONTRACT.md`` (contract version 1).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from functools import cached_property

import pyarrow as pa
import pyarrow.compute as pc

CONTRACT_VERSION = 1

#: Frictionless Table Schema field types used by the tables.
STRING, INTEGER, NUMBER, BOOLEAN = "string", "integer", "number", "boolean"
#: Raw bytes: only in ``texts.parquet`` (not one of the tables, not in the data package).
BINARY = "binary"

#: Each field type as Arrow stores it and as pandas holds it (nullable types; text is ``string``).
ARROW_TYPES = {STRING: pa.string(), INTEGER: pa.int64(), NUMBER: pa.float64(), BOOLEAN: pa.bool_(),
               BINARY: pa.binary()}
PANDAS_TYPES = {STRING: "string", INTEGER: "Int64", NUMBER: "Float64", BOOLEAN: "boolean", BINARY: "object"}


class SchemaError(ValueError):
    """Rows that do not fit their table's declaration: a column it does not have, an empty required
    cell, a value outside a column's enumeration. Always a bug in the code that made the rows."""


#: Values allowed in the categorical columns; the datapackage declares them as enums.
KINDS = ("currency", "percent", "energy", "count", "duration", "length", "area", "mass", "power", "volume")
QUALIFIERS = ("exact", "approx", "more_than", "less_than", "at_least", "up_to", "range")
CATEGORIES = (
    "trade", "investment", "aid", "energy", "education", "health", "agriculture", "tourism",
    "border", "security_defence", "history", "diplomacy", "culture", "infrastructure", "other",
)
SECTIONS = ("body", "related")
LEVELS = ("country", "province", "district", "city", "border_gate", "landmark", "region", "river")
RELATIONS = ("agreement", "aid", "trade", "visit", "other")
#: Where a claim's scope came from (``etl.scope``).
SCOPE_BASES = ("sentence", "paragraph", "article")
#: Whether the sources of a fact agree (``etl.facts``).
AGREEMENTS = ("single", "agree", "differ")
#: How a cell lists several ids (``place_ids``, ``scope_place_ids``, ``claim_ids``): joined with this, in
#: CSV and Parquet alike (the contract's ``str``).
ID_SEPARATOR = ";"


def join_ids(ids: Iterable[str]) -> str | None:
    """Ids as one cell; empty (``None``) when there are none.

    >>> join_ids(["kien-giang", "kampot"]), join_ids([])
    ('kien-giang;kampot', None)
    """
    return ID_SEPARATOR.join(ids) or None


def split_ids(cell: object) -> list[str]:
    """The ids of a cell ``join_ids`` made; none for an empty cell (``None``, NA, NaN).

    >>> split_ids("kien-giang;kampot"), split_ids(None), split_ids(float("nan"))
    (['kien-giang', 'kampot'], [], [])
    """
    return [p for p in cell.split(ID_SEPARATOR) if p] if isinstance(cell, str) else []


@dataclass(frozen=True)
class Column:
    name: str
    type: str
    description: str
    required: bool = True
    enum: tuple[str, ...] | None = None

    @property
    def is_text(self) -> bool:
        return self.type == STRING

    @property
    def arrow_type(self) -> pa.DataType:
        return ARROW_TYPES[self.type]

    @property
    def pandas_type(self) -> str:
        return PANDAS_TYPES[self.type]

    @property
    def field(self) -> pa.Field:
        """The column as an Arrow field: a required column is not nullable."""
        return pa.field(self.name, self.arrow_type, nullable=not self.required)


@dataclass(frozen=True)
class Table:
    name: str
    title: str
    description: str
    key: tuple[str, ...]
    columns: tuple[Column, ...]

    @property
    def column_names(self) -> list[str]:
        return [c.name for c in self.columns]

    def column(self, name: str) -> Column:
        for c in self.columns:
            if c.name == name:
                return c
        raise KeyError(f"{self.name} has no column {name!r}")

    @cached_property
    def arrow_schema(self) -> pa.Schema:
        """The columns as Arrow fields (see ``Column.field``), in order."""
        return pa.schema([c.field for c in self.columns])

    def check_keys(self, rows: Iterable[dict]) -> None:
        """Raise ``SchemaError`` when a row has a key that is not one of the columns (a misspelt
        column would otherwise become a silent empty one). Missing keys are empty cells.

        >>> PROBLEMS.check_keys([{"file": "a.txt", "probelm": "unreadable"}])
        Traceback (most recent call last):
        ...
        etl.schema.SchemaError: problems has no column 'probelm'
        """
        names = self._names
        for row in rows:
            if not names.issuperset(row):
                unknown = sorted(set(row) - names)
                raise SchemaError(f"{self.name} has no column{'s' if len(unknown) > 1 else ''} "
                                  f"{', '.join(map(repr, unknown))}")

    def check(self, data: pa.Table) -> None:
        """Raise ``SchemaError`` when ``data`` (rows of this table, plain or dictionary-encoded text)
        leaves a required cell empty or holds a value outside a column's enumeration.

        >>> PROBLEMS.check(pa.table({"file": ["a.txt"], "problem": [None]}))
        Traceback (most recent call last):
        ...
        etl.schema.SchemaError: problems.problem is required but 1 row leaves it empty
        """
        for col in self.columns:
            values = data.column(col.name)
            if col.required and values.null_count:
                n = values.null_count
                raise SchemaError(f"{self.name}.{col.name} is required but {n} row{'s' if n > 1 else ''} "
                                  f"leave{'' if n > 1 else 's'} it empty")
            if col.enum and len(values):
                allowed = pc.is_in(values, value_set=pa.array(col.enum), skip_nulls=True)
                if not pc.all(pc.or_kleene(allowed, pc.is_null(values))).as_py():
                    bad = sorted(set(pc.filter(values, pc.invert(allowed)).to_pylist()) - {None})
                    raise SchemaError(f"{self.name}.{col.name} must be one of {', '.join(col.enum)}; "
                                      f"found {', '.join(map(repr, bad[:5]))}")

    @cached_property
    def _names(self) -> frozenset[str]:
        return frozenset(c.name for c in self.columns)


def _c(name: str, type_: str, description: str, required: bool = True,
       enum: tuple[str, ...] | None = None) -> Column:
    return Column(name, type_, description, required, enum)


_EVIDENCE = (
    _c("article_id", STRING, "The article (see articles.article_id)."),
    _c("sentence_id", INTEGER, "Index of the sentence in the article, counting from 0."),
    _c("section", STRING, "`body` for the article itself, `related` for page furniture "
       "(teaser blocks, navigation, advertising).", enum=SECTIONS),
)

ARTICLES = Table(
    "articles", "Articles",
    "One row per article read from the seeds folder.",
    key=("article_id",),
    columns=(
        _c("article_id", STRING, "Stable id: the file's path under the seeds folder, without extension."),
        _c("file", STRING, "The file's path under the seeds folder, with extension."),
        _c("title", STRING, "Headline as printed in the article (or its first sentence when it has none)."),
        _c("outlet", STRING, "News outlet or agency when the text names it (VNA, VNS, TGVN...).", False),
        _c("author", STRING, "Byline when present.", False),
        _c("published", STRING, "Publication date, ISO, at the precision known: 2024-01-07, 2020-01 or 2018.",
           False),
        _c("published_basis", STRING, "How the date was found: `dateline`, `update line`, `date line`, "
           "or `inferred from text: ...`.", False),
        _c("language", STRING, "ISO 639-1 code of the article's language, from a language detector."),
        _c("sha256", STRING, "SHA-256 of the file's bytes."),
        _c("n_sentences", INTEGER, "Sentences in the article body."),
        _c("n_claims", INTEGER, "Quantitative claims in the article body."),
        _c("n_mentions", INTEGER, "Place mentions in the article body."),
        _c("duplicate_of", STRING, "The article_id of an earlier article with (nearly) the same body text: "
           "this one is a republished or syndicated copy of it (found by MinHash over the body's word "
           "shingles; earlier: by publication date, else by article_id).", False),
    ),
)

CLAIMS = Table(
    "claims", "Quantitative claims",
    "One row per quantitative claim (a number that measures something), tied to its sentence and span.",
    key=("claim_id",),
    columns=(
        _c("claim_id", STRING, "`{article_id}#c{n}`, n counting from 1 in text order."),
        *_EVIDENCE,
        _c("text", STRING, "The claim's surface text, exactly as in the file."),
        _c("char_start", INTEGER, "Offset of `text` in the file's decoded text (Python slicing)."),
        _c("char_end", INTEGER, "End offset of `text` in the file's decoded text (exclusive)."),
        _c("value", NUMBER, "Normalised value in `unit`; for a range, its midpoint."),
        _c("low", NUMBER, "Lower end of a range.", False),
        _c("high", NUMBER, "Upper end of a range.", False),
        _c("unit", STRING, "ISO 4217 code for money; percent, kWh, count, year, month, day, km, ha, "
           "tonne, MW or m3."),
        _c("kind", STRING, "What sort of quantity it is.", enum=KINDS),
        _c("qualifier", STRING, "How the figure is hedged: exact, approx (about, près de), more_than, "
           "less_than, at_least, up_to, range.", enum=QUALIFIERS),
        _c("what", STRING, "What is measured or counted, in the article's words.", False),
        _c("category", STRING, "What the figure is about, from the multilingual lexicon.", enum=CATEGORIES),
        _c("period_start", INTEGER, "First year the figure covers, when the sentence says.", False),
        _c("period_end", INTEGER, "Last year the figure covers, when the sentence says.", False),
        _c("target", BOOLEAN, "True for a goal or plan rather than an achieved figure."),
        _c("place_ids", STRING, "`;`-joined ids of the places named in the same sentence.", False),
        _c("quote", STRING, "The whole sentence (a run of over 1,000 characters without sentence "
                            "punctuation is quoted in part: 300 characters around the figure, "
                            "marked with …)."),
        _c("fact_id", STRING, "The fact the claim reports (see facts.fact_id): claims of one or several "
           "articles that give the same measure (unit, category, target, period, scope, and what is "
           "measured: exports or imports, which way, of what) share it."),
        _c("scope_place_ids", STRING, "`;`-joined ids of the places the figure is about: the sentence's "
           "(and the place a phrase such as 'the province' refers to), else those named before it in "
           "its paragraph, else the article's main places.", False),
        _c("scope_basis", STRING, "Where `scope_place_ids` came from: `sentence`, `paragraph` or `article`.",
           False, enum=SCOPE_BASES),
    ),
)

PLACES = Table(
    "places", "Places",
    "One row per place mentioned at least once, geocoded from the project's gazetteer.",
    key=("place_id",),
    columns=(
        _c("place_id", STRING, "Stable slug, e.g. kien-giang, ha-tien-border-gate."),
        _c("name", STRING, "Canonical English name, ASCII."),
        _c("name_local", STRING, "Name with diacritics in the country's language.", False),
        _c("country", STRING, "ISO 3166-1 alpha-2; empty for a region or river that spans countries.", False),
        _c("level", STRING, "What kind of place it is.", enum=LEVELS),
        _c("province_id", STRING, "Id of the province that contains it (by geometry).", False),
        _c("lat", NUMBER, "Latitude, WGS84 (degrees)."),
        _c("lon", NUMBER, "Longitude, WGS84 (degrees)."),
        _c("border_province", BOOLEAN, "Its province touches the Vietnam-Cambodia land border "
           "(computed from the boundary geometry)."),
        _c("merged_into_2025", STRING, "Vietnam: the province it belongs to since the 1 July 2025 "
           "reorganisation.", False),
        _c("source", STRING, "Where the gazetteer row comes from (data package or curated)."),
        _c("n_mentions", INTEGER, "Mentions in article bodies."),
        _c("n_articles", INTEGER, "Articles whose body mentions it."),
    ),
)

MENTIONS = Table(
    "mentions", "Place mentions",
    "One row per place mention, tied to its sentence and span.",
    key=("mention_id",),
    columns=(
        _c("mention_id", STRING, "`{article_id}#m{n}`, n counting from 1 in text order."),
        *_EVIDENCE,
        _c("place_id", STRING, "The place (see places.place_id)."),
        _c("surface", STRING, "The mention exactly as in the file."),
        _c("char_start", INTEGER, "Offset of `surface` in the file's decoded text."),
        _c("char_end", INTEGER, "End offset of `surface` (exclusive)."),
    ),
)

LINKS = Table(
    "links", "Cooperation links",
    "Cooperation between places on both sides of the border: one row per (sentence, place pair, sector).",
    key=("article_id", "sentence_id", "place_a", "place_b", "sector"),
    columns=(
        *_EVIDENCE,
        _c("place_a", STRING, "Place id, on the Vietnamese side when there is one."),
        _c("place_b", STRING, "Place id of the partner."),
        _c("sector", STRING, "Field of cooperation (one of the claim categories).", enum=CATEGORIES),
        _c("relation", STRING, "agreement, aid, trade, visit or other.", enum=RELATIONS),
        _c("quote", STRING, "The sentence (a run of over 1,000 characters: 300 characters around the first "
                            "place, marked with …)."),
    ),
)

FACTS = Table(
    "facts", "Facts",
    "One row per reported figure: the claims, in one or several articles, that report the same measure. "
    "Republished copies of an article count once.",
    key=("fact_id",),
    columns=(
        _c("fact_id", STRING, "Stable id: `{measure}.{hash}`, the measure reported (from the lexicon's "
           "[fact_measures], with its direction, e.g. `exports-vn-kh`; else the category), then a hash of "
           "the whole fact key."),
        _c("category", STRING, "What the figure is about (as in claims).", enum=CATEGORIES),
        _c("unit", STRING, "Unit of value, low and high (as in claims)."),
        _c("kind", STRING, "What sort of quantity it is (as in claims).", enum=KINDS),
        _c("target", BOOLEAN, "True for a goal or plan rather than an achieved figure."),
        _c("period_start", INTEGER, "First year the figure covers (as in claims).", False),
        _c("period_end", INTEGER, "Last year the figure covers (as in claims).", False),
        _c("scope_place_ids", STRING, "`;`-joined ids of the places the figure is about (as in claims).",
           False),
        _c("what", STRING, "What is measured, in the words of the fact's most precise claim.", False),
        _c("value", NUMBER, "Median of the values the sources give (each article once)."),
        _c("low", NUMBER, "Smallest value reported (the low end of a range included)."),
        _c("high", NUMBER, "Largest value reported (the high end of a range included)."),
        _c("n_claims", INTEGER, "Claims that report it."),
        _c("n_articles", INTEGER, "Articles that report it, republished copies not counted."),
        _c("n_outlets", INTEGER, "Outlets of those articles (an article whose outlet is not known counts "
           "as one)."),
        _c("first_published", STRING, "Publication date of the earliest article that reports it.", False),
        _c("last_published", STRING, "Publication date of the latest article that reports it.", False),
        _c("agreement", STRING, "`single` (one article), `agree` (one value is consistent with every "
           "claim, hedges and rounding considered: 'more than $10B' agrees with $10.6B) or `differ`.",
           enum=AGREEMENTS),
        _c("claim_ids", STRING, "`;`-joined ids of its claims, in article and text order."),
    ),
)

PROBLEMS = Table(
    "problems", "Problems",
    "One row per file that could not be read, or was read only in part or with an assumption.",
    key=("file", "problem"),
    columns=(
        _c("file", STRING, "The file's path under the seeds folder."),
        _c("problem", STRING, "What happened, in plain words."),
    ),
)

TABLES: tuple[Table, ...] = (ARTICLES, CLAIMS, PLACES, MENTIONS, LINKS, FACTS, PROBLEMS)
TABLES_BY_NAME = {t.name: t for t in TABLES}

#: The text every offset counts in, one row per article. Written as Parquet only (``texts.parquet``),
#: beside the tables but not one of them: not in the contract or the data package.
TEXTS = Table(
    "texts", "Article texts",
    "The decoded text of each article (for a web page, its extracted main text).",
    key=("article_id",),
    columns=(
        _c("article_id", STRING, "The article (see articles.article_id)."),
        _c("text", STRING, "The text that char_start and char_end count in (Python string offsets)."),
        _c("signature", BINARY, "MinHash signature of the body's word shingles (``etl.duplicates``), "
           "kept so that republished copies are found without reading the texts again.", False),
    ),
)
