"""Pools of names, streets and places built once per run with Faker.

Faker is used only here, to draw realistic first names, last names, streets,
cities and postal codes for the three locales.  Everything downstream samples
from these pools with numpy.  Each distinct name also gets a fixed table of
spelling variants (nickname, typos, transliteration, case) so that record-level
name noise is a vectorised lookup.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pyarrow as pa
from faker import Faker

from .seeding import Streams
from .vocab import LOCALES, NICKNAMES, TRANSLITERATION

FIRST_DRAWS = 3000
LAST_DRAWS = 3000
STREET_DRAWS = 1500
AREA_DRAWS = 800

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
        places = sorted({(fake.city(), fake.postcode()) for _ in range(AREA_DRAWS)})
        cities.append(np.array([c for c, _ in places], dtype=object))
        postcodes.append(np.array([p for _, p in places], dtype=object))

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
    )
