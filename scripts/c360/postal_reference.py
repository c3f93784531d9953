"""Build the postal-area reference seed (seeds/location/postal_areas.csv).

One row per postal area: a US ZIP3 prefix, a GB postcode area (the letters
of the outward code) or a DE Leitregion (the first two digits), with the
country's first-level region, a representative place name and the area's
centre.  Built offline from two packages of the countries-states-cities
database (ODbL 1.0), installed for their data only (requirements/data.txt):

* ``countrystatecity-postal-codes`` — US ZIP codes with state and
  coordinates, GB postcode areas with post town, county and coordinates,
  DE postal codes with Land and locality (no coordinates);
* ``countrystatecity-countries`` — states and cities with coordinates, for
  region names, US place names and the centres of DE Leitregionen.

Run ``python -m c360.postal_reference`` to rebuild the seed; the output is
deterministic for the pinned package versions.
"""

from __future__ import annotations

import csv
import importlib.util
import json
import math
import sys
from collections import Counter, defaultdict
from pathlib import Path

from .project import C360Error

SEED = Path("seeds") / "location" / "postal_areas.csv"
COLUMNS = ("country_code", "postal_area", "region_code", "region_name", "place_name",
           "latitude", "longitude", "postal_code_count")
COUNTRIES = ("US", "GB", "DE")
# US ZIP3 prefixes of territories and military mail are outside the three markets.
US_STATES_EXCLUDED = {"PR", "VI", "GU", "AS", "MP", "FM", "MH", "PW", "AA", "AE", "AP"}


def _package_data(package: str) -> Path:
    spec = importlib.util.find_spec(package)
    if spec is None or not spec.submodule_search_locations:
        raise C360Error(f"{package} is not installed: pip install --no-deps -r requirements/data.txt")
    return Path(next(iter(spec.submodule_search_locations))) / "data" / "by-country"


def _load(path: Path) -> list[dict]:
    with path.open(encoding="utf-8") as fh:
        return json.load(fh)


def _float(value) -> float | None:
    return None if value in (None, "") else float(value)


def _distance(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle distance in km (the same formula as the haversine_km macro)."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    a = (math.sin((p2 - p1) / 2) ** 2
         + math.cos(p1) * math.cos(p2) * math.sin(math.radians(lon2 - lon1) / 2) ** 2)
    return 2 * 6371.0088 * math.asin(min(1.0, math.sqrt(a)))


def _states(countries: Path, country: str) -> dict[str, dict]:
    return {s["state_code"]: s for s in _load(countries / country / "states.json") if s.get("state_code")}


def _cities(countries: Path, country: str, state: str) -> list[dict]:
    path = countries / country / "states" / state / "cities.json"
    return [c for c in _load(path) if _float(c.get("latitude")) is not None] if path.is_file() else []


def _row(country, area, region_code, region_name, place, lat, lon, count) -> dict:
    return dict(zip(COLUMNS, (country, area, region_code, region_name, place,
                              f"{lat:.4f}", f"{lon:.4f}", str(count)), strict=True))


def _us(postal: Path, countries: Path) -> list[dict]:
    states = _states(countries, "US")
    groups: dict[str, list[dict]] = defaultdict(list)
    for r in _load(postal / "US" / "postcodes.json"):
        if r["stateCode"] not in US_STATES_EXCLUDED and r["latitude"] is not None:
            groups[r["code"][:3]].append(r)
    rows = []
    for area, members in sorted(groups.items()):
        state = Counter(m["stateCode"] for m in members).most_common(1)[0][0]
        inside = [m for m in members if m["stateCode"] == state]
        lat = sum(m["latitude"] for m in inside) / len(inside)
        lon = sum(m["longitude"] for m in inside) / len(inside)
        cities = _cities(countries, "US", state)
        if state not in states or not cities:
            continue
        place = min(cities, key=lambda c: (_distance(lat, lon, float(c["latitude"]), float(c["longitude"])),
                                           c["name"]))["name"]
        rows.append(_row("US", area, state, states[state]["name"], place, lat, lon, len(members)))
    return rows


def _gb(postal: Path, countries: Path) -> list[dict]:
    states = {code: s for code, s in _states(countries, "GB").items()
              if _float(s.get("latitude")) is not None and s.get("type") not in ("country", "province")}
    rows = []
    for r in _load(postal / "GB" / "postcodes.json"):
        if r["latitude"] is None:
            continue
        lat, lon = r["latitude"], r["longitude"]
        state = r["stateCode"] if r["stateCode"] in states else min(
            states, key=lambda code: _distance(lat, lon, float(states[code]["latitude"]),
                                               float(states[code]["longitude"])))
        rows.append(_row("GB", r["code"], state, states[state]["name"], r["localityName"], lat, lon, 1))
    return sorted(rows, key=lambda row: row["postal_area"])


def _de(postal: Path, countries: Path) -> list[dict]:
    states = _states(countries, "DE")
    groups: dict[str, list[dict]] = defaultdict(list)
    for r in _load(postal / "DE" / "postcodes.json"):
        groups[r["code"][:2]].append(r)
    city_cache: dict[str, dict[str, tuple[float, float]]] = {}
    rows = []
    for area, members in sorted(groups.items()):
        state = Counter(m["stateCode"] for m in members).most_common(1)[0][0]
        if state not in city_cache:
            city_cache[state] = {c["name"]: (float(c["latitude"]), float(c["longitude"]))
                                 for c in _cities(countries, "DE", state)}
        localities = Counter(m["localityName"] for m in members if m["stateCode"] == state)
        # The Leitregion's centre: its localities' coordinates weighted by their number of postal codes.
        located = [(city_cache[state][name], n) for name, n in localities.items() if name in city_cache[state]]
        if not located:
            # No locality listed under its own name (München is listed as Munich): use the listed
            # places named after the area's localities ("Garching bei München").
            located = [(coords, n) for name, n in localities.items() for city, coords in city_cache[state].items()
                       if f" {name}" in city]
        if not located:
            continue
        weight = sum(n for _, n in located)
        lat = sum(c[0] * n for c, n in located) / weight
        lon = sum(c[1] * n for c, n in located) / weight
        place = min(localities.items(), key=lambda item: (-item[1], item[0]))[0]
        rows.append(_row("DE", area, state, states[state]["native"], place, lat, lon, len(members)))
    return rows


def build_reference() -> list[dict]:
    """Rows of the postal-area reference, sorted by country and area."""
    postal = _package_data("countrystatecity_postal_codes")
    countries = _package_data("countrystatecity_countries")
    return _us(postal, countries) + _gb(postal, countries) + _de(postal, countries)


def write_reference(project_dir: Path) -> Path:
    path = project_dir / SEED
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", newline="", encoding="utf-8") as fh:
        writer = csv.DictWriter(fh, fieldnames=COLUMNS, lineterminator="\n")
        writer.writeheader()
        writer.writerows(build_reference())
    return path


def read_reference(project_dir: Path) -> list[dict]:
    """The committed seed's rows (what the demo-data generator draws addresses from)."""
    path = project_dir / SEED
    if not path.is_file():
        raise C360Error(f"{path} is missing: rebuild it with python -m c360.postal_reference")
    with path.open(encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


if __name__ == "__main__":
    target = Path(sys.argv[1]) if len(sys.argv) > 1 else Path(__file__).resolve().parents[2]
    print(write_reference(target))
