"""Pools of names, streets and places built once per run.

Faker is used only here, to draw realistic first names, last names and
streets for the three locales.  Places (city and postal code) are drawn from
the postal-area reference the warehouse geocodes with
(seeds/location/postal_areas.csv), so that addresses fall in real postal
areas; a planted share of places carries a postal code the reference does not
know or one that is not a postal code at all.  Everything downstream samples
from these pools with numpy.  Each distinct name also gets a fixed table of
spelling variants (nickname, typos, transliteration, case) so that record-level
name noise is a vectorised lookup.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pyarrow as pa
from faker import Faker

from ..postal_reference import read_reference
from .seeding import Streams
from .vocab import LOCALES, NICKNAMES, TRANSLITERATION

FIRST_DRAWS = 3000
LAST_DRAWS = 3000
STREET_DRAWS = 1500
AREA_DRAWS = 800
COUNTRY_CODES = ("US", "GB", "DE")
# Shares of places whose postal code is in no postal area of the reference /
# is not a postal code at all (the warehouse reports both as not geocoded).
UNKNOWN_AREA_SHARE = 0.02
MALFORMED_SHARE = 0.015
MALFORMED_CODES = ("N/A", "-", "00", "unknown", "TBA", "?")
GB_UNIT_LETTERS = "ABDEFGHJLNPQRSTUWXYZ"

# Columns of the name-variant table.
V_CANONICAL, V_NICK, V_NICK_ALT, V_SWAP, V_DROP, V_DOUBLE, V_TRANSLIT, V_UPPER, V_LOWER = range(9)
N_VARIANTS = 9


def transliterate(name: str) -> str:
    return "".join(TRANSLITERATION.get(ch, ch) for ch in name)


def _slug(name: str) -> str:
    return "".join(ch for ch in transliterate(name).lower() if "a" <= ch <= "z")


def _typos(name: str, rng: np.random.Generator) -> tuple[str, str, str]:
    """Adjacent transposition, dropped letter and doubled letter of ``name``."""
    if len(name) < 3:
        return name, name, name
    i = int(rng.integers(1, len(name) - 1))
    swapped = name[:i] + name[i + 1] + name[i] + name[i + 2:]
    dropped = name[:i] + name[i + 1:]
    doubled = name[:i] + name[i] + name[i:]
    return swapped, dropped, doubled


@dataclass
class Pools:
    """Name, street and place pools for the three locales (index 0=US, 1=GB, 2=DE)."""

    names: np.ndarray
    variants: pa.Array
    slugs: pa.Array
    has_nickname: np.ndarray
    first_names: list[list[np.ndarray]]
    last_names: list[np.ndarray]
    streets: list[np.ndarray]
    cities: list[np.ndarray]
    postcodes: list[np.ndarray]
    places: list[np.ndarray]        # per locale: row of ``reference`` of each place; -1 when not geocodable
    reference: list[dict]           # rows of the postal-area reference

    def place_truth(self, country: np.ndarray, area: np.ndarray) -> tuple[list, list, list, list]:
        """Postal area, region code, latitude and longitude of places (None when not geocodable)."""
        rows = [int(self.places[c][a]) for c, a in zip(country, area, strict=True)]
        ref = [self.reference[r] if r >= 0 else None for r in rows]
        return ([r and r["postal_area"] for r in ref], [r and r["region_code"] for r in ref],
                [r and float(r["latitude"]) for r in ref], [r and float(r["longitude"]) for r in ref])

    def variant(self, name_idx: np.ndarray, variant: np.ndarray) -> pa.Array:
        """Spelling ``variant`` of the names ``name_idx``."""
        return self.variants.take(pa.array(name_idx.astype(np.int64) * N_VARIANTS + variant))

    def slug(self, name_idx: np.ndarray) -> pa.Array:
        """Lower-case ASCII form used in emails and handles."""
        return self.slugs.take(pa.array(name_idx))


def build_pools(streams: Streams) -> Pools:
    """Draw the pools for this run; deterministic for the run's seed."""
    drawn_first: list[list[list[str]]] = []
    drawn_last: list[list[str]] = []
    streets, cities, postcodes = [], [], []
    for li, locale in enumerate(LOCALES):
        fake = Faker(locale)
        fake.seed_instance(streams.int_seed("faker", locale))
        drawn_first.append([
            [fake.first_name_male() for _ in range(FIRST_DRAWS)],
            [fake.first_name_female() for _ in range(FIRST_DRAWS)],
        ])
        drawn_last.append([fake.last_name() for _ in range(LAST_DRAWS)])
        raw_streets = [fake.street_name() for _ in range(STREET_DRAWS)]
        if li < 2:
            # English street names: keep the name part, the suffix is drawn later.
            raw_streets = [s.rsplit(" ", 1)[0] if " " in s else s for s in raw_streets]
        streets.append(np.array(sorted(set(raw_streets)), dtype=object))
    reference = read_reference(Path(__file__).resolve().parents[3])
    places = []
    for li in range(len(LOCALES)):
        city, postcode, place = _places(streams.rng("pools", "places", COUNTRY_CODES[li]), reference, li)
        cities.append(city)
        postcodes.append(postcode)
        places.append(place)

    every_name = sorted({n for loc in drawn_first for sex in loc for n in sex} | {n for loc in drawn_last for n in loc})
    index = {n: i for i, n in enumerate(every_name)}
    rng = streams.rng("pools", "typos")
    table: list[str] = []
    for name in every_name:
        nicks = NICKNAMES.get(name, ())
        swapped, dropped, doubled = _typos(name, rng)
        table.extend([
            name,
            nicks[0] if nicks else name,
            nicks[-1] if nicks else name,
            swapped,
            dropped,
            doubled,
            transliterate(name),
            name.upper(),
            name.lower(),
        ])
    return Pools(
        names=np.array(every_name, dtype=object),
        variants=pa.array(table, pa.string()),
        slugs=pa.array([_slug(n) or "user" for n in every_name], pa.string()),
        has_nickname=np.array([n in NICKNAMES for n in every_name]),
        first_names=[[np.array([index[n] for n in sex], dtype=np.int32) for sex in loc] for loc in drawn_first],
        last_names=[np.array([index[n] for n in loc], dtype=np.int32) for loc in drawn_last],
        streets=streets,
        cities=cities,
        postcodes=postcodes,
        places=places,
        reference=reference,
    )


def _render_postcode(rng: np.random.Generator, country: int, area: str) -> str:
    """A postal code inside ``area``: ZIP3 + 2 digits, GB area + district + unit, Leitregion + 3 digits."""
    if country == 0:
        return f"{area}{rng.integers(100):02d}"
    if country == 1:
        first = GB_UNIT_LETTERS[rng.integers(len(GB_UNIT_LETTERS))]
        letters = first + GB_UNIT_LETTERS[rng.integers(len(GB_UNIT_LETTERS))]
        return f"{area}{rng.integers(1, 21)} {rng.integers(10)}{letters}"
    return f"{area}{rng.integers(1000):03d}"


def _unknown_areas(country: int, known: set[str]) -> list[str]:
    """Well-formed area prefixes that no postal area of the reference covers."""
    if country == 1:
        candidates = [a + b for a in "QVXZ" for b in "ABCDEFGHJKLMNPRSTUWY"]
    else:
        candidates = [f"{i:0{3 if country == 0 else 2}d}" for i in range(1000 if country == 0 else 100)]
    return [a for a in candidates if a not in known]


def _places(rng: np.random.Generator, reference: list[dict], country: int):
    """``AREA_DRAWS`` (city, postal code, reference row) places of one locale."""
    rows = [i for i, r in enumerate(reference) if r["country_code"] == COUNTRY_CODES[country]]
    known = {reference[i]["postal_area"] for i in rows}
    unknown = _unknown_areas(country, known)
    kind = rng.random(AREA_DRAWS)
    city, postcode, place = [], [], []
    for u in kind:
        row = rows[rng.integers(len(rows))]
        city.append(reference[row]["place_name"])
        if u < UNKNOWN_AREA_SHARE:
            postcode.append(_render_postcode(rng, country, unknown[rng.integers(len(unknown))]))
            place.append(-1)
        elif u < UNKNOWN_AREA_SHARE + MALFORMED_SHARE:
            postcode.append(MALFORMED_CODES[rng.integers(len(MALFORMED_CODES))])
            place.append(-1)
        else:
            postcode.append(_render_postcode(rng, country, reference[row]["postal_area"]))
            place.append(row)
    return np.array(city, dtype=object), np.array(postcode, dtype=object), np.array(place, dtype=np.int64)
