"""Record-level renderings of a person's identity, with realistic noise.

Every function takes the global person index of each row and returns Arrow
string arrays: the same person is written differently from record to record
(nicknames, typos, case and whitespace noise, phone formats, address
abbreviations, country spellings), exactly as real source systems do.
"""

from __future__ import annotations

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from .formatting import masked, scatter
from .pools import (
    V_CANONICAL,
    V_DOUBLE,
    V_DROP,
    V_LOWER,
    V_NICK,
    V_NICK_ALT,
    V_SWAP,
    V_TRANSLIT,
    V_UPPER,
    Pools,
)
from .population import Population
from .vocab import (
    COUNTRY_VARIANTS,
    JOB_TITLES,
    JUNK_EMAILS,
    JUNK_PHONES,
    ROLE_EMAIL_LOCALS,
    STREET_ABBREVIATIONS,
    STREET_SUFFIXES,
)

NULL_STRING = pa.scalar(None, pa.string())

# Phone layouts per country: pieces are literals or the part names "A", "B", "C".
PHONE_LAYOUTS = (
    (("(", "A", ") ", "B", "-", "C"), ("A", ".", "B", ".", "C"), ("A", "-", "B", "-", "C"),
     ("+1 ", "A", " ", "B", " ", "C"), ("1-", "A", "-", "B", "-", "C"), ("A", "B", "C")),
    (("+44 ", "A", " ", "B", " ", "C"), ("+44 (0)", "A", " ", "B", " ", "C"), ("0044 ", "A", " ", "B", " ", "C")),
    (("+49 ", "A", " ", "B", "C"), ("0049 ", "A", " ", "B", "C"), ("+49 (0)", "A", " ", "B", "C")),
)
US_PHONE_WEIGHTS = (0.30, 0.10, 0.25, 0.15, 0.05, 0.15)
EU_PHONE_WEIGHTS = (0.55, 0.20, 0.25)


def _join(*parts) -> pa.Array:
    return pc.binary_join_element_wise(*parts, "")


def pad_whitespace(values: pa.Array) -> pa.Array:
    return _join(" ", values, "  ")


class Renderer:
    """Renders noisy identity attributes for rows of person indices."""

    def __init__(self, pools: Pools, pop: Population) -> None:
        self.pools = pools
        self.pop = pop
        self._street_offset = np.cumsum([0] + [len(s) for s in pools.streets[:-1]])
        self._area_offset = np.cumsum([0] + [len(c) for c in pools.cities[:-1]])
        self._streets = pa.array(np.concatenate(pools.streets), pa.string())
        self._cities = pa.array(np.concatenate(pools.cities), pa.string())
        self._postcodes = pa.array(np.concatenate(pools.postcodes), pa.string())
        self._countries = pa.array([v for row in COUNTRY_VARIANTS for v in row], pa.string())
        self._suffixes = pa.array(STREET_SUFFIXES, pa.string())
        self._job_titles = pa.array(JOB_TITLES, pa.string())

    # --- names --------------------------------------------------------------------
    def _name_variant(self, rng, name_idx, country, nickname: float, typo: float) -> pa.Array:
        n = len(name_idx)
        u = rng.random(n)
        variant = np.full(n, V_CANONICAL)
        nick = (u < nickname) & self.pools.has_nickname[name_idx]
        variant[nick] = np.where(rng.random(nick.sum()) < 0.7, V_NICK, V_NICK_ALT)
        typo_rows = (u >= nickname) & (u < nickname + typo)
        variant[typo_rows] = rng.choice([V_SWAP, V_DROP, V_DOUBLE], typo_rows.sum())
        case_rows = (u >= nickname + typo) & (u < nickname + typo + 0.02)
        variant[case_rows] = rng.choice([V_UPPER, V_LOWER], case_rows.sum())
        translit = (country == 2) & (u >= 0.5) & (u < 0.8)
        variant[translit] = V_TRANSLIT
        return self.pools.variant(name_idx, variant)

    def names(self, rng, p: np.ndarray, nickname: float = 0.15, typo: float = 0.03,
              swap: float = 0.01) -> tuple[pa.Array, pa.Array]:
        """First and last name per row: nicknames, typos, transliteration, swaps, stray spaces."""
        country = self.pop.country[p]
        first = self._name_variant(rng, self.pop.first[p], country, nickname, typo)
        last = self._name_variant(rng, self.pop.last[p], country, 0.0, typo)
        swapped = pa.array(rng.random(len(p)) < swap)
        first, last = pc.if_else(swapped, last, first), pc.if_else(swapped, first, last)
        first = masked(first, rng.random(len(p)) < 0.01, pad_whitespace)
        return first, last

    def full_names(self, rng, p: np.ndarray, **kw) -> pa.Array:
        """``First Last`` free-form names (occasionally ``Last, First`` or double spaces)."""
        first, last = self.names(rng, p, **kw)
        u = rng.random(len(p))
        return pc.choose(pa.array(np.select([u < 0.04, u < 0.06], [1, 2], 0).astype(np.int8)),
                         _join(first, " ", last), _join(last, ", ", first), _join(first, "  ", last))

    def display_names(self, rng, p: np.ndarray) -> pa.Array:
        """Short display names such as ``Bob S.`` or ``bobsmith``."""
        first, last = self.names(rng, p, nickname=0.4, typo=0.0, swap=0.0)
        u = rng.random(len(p))
        choice = np.select([u < 0.5, u < 0.8], [0, 1], 2).astype(np.int8)
        return pc.choose(pa.array(choice), _join(first, " ", pc.utf8_slice_codeunits(last, 0, 1), "."),
                         _join(first, " ", last), pc.utf8_lower(_join(first, last)))

    # --- emails ---------------------------------------------------------------------
    def emails(self, rng, p: np.ndarray, work_share: float = 0.0, noise: float = 0.08) -> pa.Array:
        """Email per row: home address, or the work address for ``work_share`` of rows that have one."""
        home = self.pop.email_home.take(pa.array(p))
        work = self.pop.email_work.take(pa.array(p))
        use_work = pa.array(rng.random(len(p)) < work_share)
        values = pc.if_else(pc.and_(use_work, pc.is_valid(work)), work, home)
        return self.email_noise(rng, values, noise)

    @staticmethod
    def email_noise(rng, values: pa.Array, rate: float) -> pa.Array:
        """Case changes and surrounding whitespace on ``rate`` of the values."""
        u = rng.random(len(values))
        values = masked(values, u < rate * 0.35, pc.utf8_capitalize)
        values = masked(values, (u >= rate * 0.35) & (u < rate * 0.55), pc.utf8_upper)
        values = masked(values, (u >= rate * 0.55) & (u < rate * 0.75), pc.utf8_title)
        return masked(values, u >= 1 - rate * 0.25, pad_whitespace)

    # --- phones ---------------------------------------------------------------------
    def phones(self, rng, p: np.ndarray) -> pa.Array:
        """Phone numbers in varied national / international layouts."""
        n = len(p)
        country = self.pop.country[p]
        layout = np.where(country == 0, rng.choice(6, n, p=US_PHONE_WEIGHTS), rng.choice(3, n, p=EU_PHONE_WEIGHTS))
        taken = pa.array(p)
        parts = {k: v.take(taken) for k, v in zip("ABC", self.pop.phone_parts, strict=True)}
        pieces = []
        for c in range(3):
            for li, pattern in enumerate(PHONE_LAYOUTS[c]):
                rows = np.flatnonzero((country == c) & (layout == li))
                if len(rows):
                    sel = pa.array(rows)
                    pieces.append((rows, _join(*[parts[x].take(sel) if x in parts else x for x in pattern])))
        return scatter(n, pieces)

    # --- addresses ------------------------------------------------------------------
    def addresses(self, rng, p: np.ndarray, t: np.ndarray, noise: float = 0.3):
        """Street, city and postal code valid at ``t`` (old address before a move)."""
        n = len(p)
        which = self.pop.address_set(p, t)
        country = self.pop.country[p]
        street = self._streets.take(pa.array(self._street_offset[country] + self.pop.street[which, p]))
        number = pc.cast(pa.array(self.pop.house_number[which, p]), pa.string())
        suffix = self._suffixes.take(pa.array(self.pop.street_suffix[which, p]))
        english = _join(number, " ", street, " ", suffix)
        german = _join(street, " ", number)
        line = pc.if_else(pa.array(country == 2), german, english)
        line = self._abbreviate(rng, line, noise)
        area = self._area_offset[country] + self.pop.area[which, p]
        city = self._cities.take(pa.array(area))
        postal = self._postcodes.take(pa.array(area))
        u = rng.random(n)
        postal = masked(postal, u < 0.04, pc.utf8_lower)
        postal = masked(postal, (u >= 0.04) & (u < 0.08), lambda v: pc.replace_substring(v, " ", ""))
        postal = masked(postal, u >= 0.97, pad_whitespace)
        return line, city, postal

    @staticmethod
    def _abbreviate(rng, line: pa.Array, rate: float) -> pa.Array:
        choice = np.where(rng.random(len(line)) < rate, rng.integers(1, 4, len(line)), 0)
        for v in (1, 2, 3):
            def apply(values, v=v):
                for pattern, variants in STREET_ABBREVIATIONS:
                    values = pc.replace_substring_regex(values, pattern, variants[(v - 1) % len(variants)])
                return values
            line = masked(line, choice == v, apply)
        return line

    # --- other attributes --------------------------------------------------------------
    def countries(self, rng, p: np.ndarray, weights=(0.7, 0.1, 0.15, 0.05)) -> pa.Array:
        """Country names in ISO and free-text variants."""
        variant = rng.choice(4, len(p), p=weights)
        return self._countries.take(pa.array(self.pop.country[p] * 4 + variant))

    def handles(self, rng, p: np.ndarray) -> pa.Array:
        """Social handles as typed by people: optional ``@`` and case changes."""
        values = self.pop.handle.take(pa.array(p))
        u = rng.random(len(p))
        values = masked(values, u < 0.4, lambda v: _join("@", v))
        return masked(values, (u > 0.8) & (u < 0.9), pc.utf8_capitalize)

    def job_titles(self, p: np.ndarray) -> pa.Array:
        return self._job_titles.take(pa.array(self.pop.job_title[p]))

    # --- junk identifiers -----------------------------------------------------------
    def junk_emails(self, rng, p: np.ndarray) -> pa.Array:
        """Placeholder or role addresses that identify nobody."""
        placeholder = pa.array(np.array(JUNK_EMAILS)[rng.integers(len(JUNK_EMAILS), size=len(p))])
        company = pc.fill_null(pc.utf8_lower(pc.replace_substring_regex(
            self.pop.email_work.take(pa.array(p)), r"^[^@]*@", "")), "alderandpine.com")
        role = _join(pa.array(np.array(ROLE_EMAIL_LOCALS)[rng.integers(len(ROLE_EMAIL_LOCALS), size=len(p))]),
                     "@", company)
        return pc.if_else(pa.array(rng.random(len(p)) < 0.75), placeholder, role)

    @staticmethod
    def junk_phones(rng, n: int) -> pa.Array:
        return pa.array(np.array(JUNK_PHONES)[rng.integers(len(JUNK_PHONES), size=n)])


def with_junk(rng, values: pa.Array, junk: pa.Array, rate: float) -> pa.Array:
    """Replace ``rate`` of the rows by the corresponding junk identifier."""
    mask = rng.random(len(values)) < rate
    return pc.if_else(pa.array(mask), junk, values) if mask.any() else values


def drop(rng, values: pa.Array, share_missing: float) -> pa.Array:
    """Null out ``share_missing`` of the values (source did not capture them)."""
    mask = rng.random(len(values)) < share_missing
    return pc.if_else(pa.array(mask), NULL_STRING, values) if mask.any() else values

