"""The simulated people: identities, households, latent health and lifecycle.

The population is built once for all persons with vectorised draws; it is
small (a few dozen arrays of length ``persons``) compared with the activity
tables, which are generated chunk by chunk from it.  Identifiers that must be
unique across the whole run (emails, handles, phone numbers) are resolved here.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from .clock import Clock
from .formatting import DAY
from .pools import Pools
from .schema import NULL
from .seeding import Streams
from .vocab import (
    COMPANY_SUFFIXES,
    COMPANY_TLDS,
    COUNTRY_WEIGHTS,
    DE_AREA_CODES,
    EMAIL_DOMAINS,
    GB_AREA_CODES,
    INDUSTRIES,
    JOB_TITLES,
    STREET_SUFFIXES,
    US_AREA_CODES,
)

PROSPECT_RATIO = 0.25
HOUSEHOLD_JOIN_RATE = 0.11
CHANNELS = ("web", "app", "pos", "phone", "partner")
CHANNEL_ALPHA = np.array([3.0, 1.6, 3.0, 0.6, 0.8])
SEGMENTS = ("consumer", "small_business", "corporate")
PHONE_SPACE = 8_000_000
MAX_PERSONS = PHONE_SPACE
_PERMUTE_MULT = 7_368_787


def scramble(idx: np.ndarray, salt: int, space: int = 100_000_000) -> np.ndarray:
    """Bijective, random-looking integer per person (stable customer numbers)."""
    mult = (_PERMUTE_MULT + 2 * salt * 10) | 1
    while np.gcd(mult, space) != 1:
        mult += 2
    return (idx.astype(np.int64) * mult + 1_000_003 * (salt + 1)) % space


def _sigmoid(x: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-x))


def _join(*parts) -> pa.Array:
    return pc.binary_join_element_wise(*parts, "")


def _digits(values: np.ndarray, width: int) -> pa.Array:
    return pc.utf8_lpad(pc.cast(pa.array(values), pa.string()), width=width, padding="0")


def _dedupe(local: pa.Array, tail: pa.Array | str, rng: np.random.Generator) -> pa.Array:
    """``local + tail`` made unique by appending digits to the local part of later duplicates.

    Null locals stay null and never count as duplicates.
    """
    while True:
        full = _join(local, tail)
        valid = full.is_valid().to_numpy(zero_copy_only=False)
        dup = pd.Series(full.to_numpy(zero_copy_only=False)).duplicated().to_numpy() & valid
        if not dup.any():
            return full
        digits = pc.cast(pa.array(rng.integers(2, 9999, int(dup.sum()))), pa.string())
        local = pc.replace_with_mask(local, pa.array(dup), _join(local.filter(pa.array(dup)), digits))


@dataclass
class Population:
    """Per-person arrays for every simulated person (index = person number - 1)."""

    n: int
    is_customer: np.ndarray
    country: np.ndarray
    zone: np.ndarray
    first: np.ndarray
    last: np.ndarray
    birth_day: np.ndarray
    household: np.ndarray
    email_home: pa.Array
    email_work: pa.Array
    company: pa.Array
    phone_e164: pa.Array
    phone_parts: tuple[pa.Array, pa.Array, pa.Array]
    handle: pa.Array
    segment: np.ndarray
    business: np.ndarray
    industry: np.ndarray
    job_title: np.ndarray
    street: np.ndarray          # (2, n) street pool index: before / after the move
    street_suffix: np.ndarray   # (2, n)
    house_number: np.ndarray    # (2, n)
    area: np.ndarray            # (2, n) city/postcode pool index
    moved_at: np.ndarray
    became_lead_at: np.ndarray
    first_purchase_at: np.ndarray
    churned_at: np.ndarray
    reactivated_at: np.ndarray
    health: np.ndarray
    decline_start: np.ndarray
    decline_end: np.ndarray
    decline_drop: np.ndarray
    order_rate: np.ndarray
    channel_pref: np.ndarray    # (n, 5)
    category_pref: np.ndarray   # (n, categories)
    has_app: np.ndarray
    app_created_at: np.ndarray
    loyalty_member: np.ndarray
    usage_rate: np.ndarray      # sessions per device per day at full activity
    marketing_start: np.ndarray

    # --- latent state over time -------------------------------------------------
    def _decline_fraction(self, idx: np.ndarray, t: np.ndarray) -> np.ndarray:
        start, end = self.decline_start[idx], self.decline_end[idx]
        has = start != NULL
        span = np.where(has, np.maximum(end - start, DAY), DAY)
        frac = np.clip((t - np.where(has, start, t)) / span, 0.0, 1.0)
        back = (self.reactivated_at[idx] != NULL) & (t >= self.reactivated_at[idx])
        return np.where(has & ~back, frac, 0.0)

    def health_at(self, idx: np.ndarray, t: np.ndarray) -> np.ndarray:
        """Latent health of persons ``idx`` at instants ``t`` (declines before churn)."""
        return self.health[idx] - self.decline_drop[idx] * self._decline_fraction(idx, t)

    def activity(self, idx: np.ndarray, t: np.ndarray) -> np.ndarray:
        """Engagement multiplier in [0, 1]: fades before churn, zero while churned."""
        level = 1.0 - 0.85 * self._decline_fraction(idx, t)
        churned = (self.churned_at[idx] != NULL) & (t >= self.churned_at[idx])
        back = (self.reactivated_at[idx] != NULL) & (t >= self.reactivated_at[idx])
        return np.where(back, 0.8, np.where(churned, 0.0, level))

    def customer_at(self, idx: np.ndarray, t: np.ndarray) -> np.ndarray:
        """Whether persons ``idx`` are active (non-churned) customers at ``t``."""
        fp = self.first_purchase_at[idx]
        churned = (self.churned_at[idx] != NULL) & (t >= self.churned_at[idx])
        back = (self.reactivated_at[idx] != NULL) & (t >= self.reactivated_at[idx])
        return (fp != NULL) & (t >= fp) & (~churned | back)

    def address_set(self, idx: np.ndarray, t: np.ndarray) -> np.ndarray:
        """0 for the original address, 1 for the address after the person moved."""
        moved = self.moved_at[idx]
        return ((moved != NULL) & (t >= moved)).astype(np.int64)


def build_population(
    customers: int, streams: Streams, pools: Pools, clock: Clock, categories: int, chunk_size: int
) -> Population:
    """Draw every person of the run.

    Household members are consecutive persons inside one chunk of
    ``chunk_size`` persons, so every household is generated by a single chunk.
    """
    rng = streams.rng("population")
    n = customers + round(PROSPECT_RATIO * customers)
    idx = np.arange(n)
    is_customer = np.zeros(n, bool)
    is_customer[rng.permutation(n)[:customers]] = True

    country = rng.choice(3, n, p=COUNTRY_WEIGHTS)
    us_zone = rng.choice(4, n, p=[0.47, 0.29, 0.07, 0.17])
    sex = rng.integers(0, 2, n)
    birth_day = (clock.cutoff // DAY) - rng.integers(18 * 365, 85 * 365, n)

    # Households: a joiner shares the household of the person before it.
    joiner = rng.random(n) < HOUSEHOLD_JOIN_RATE
    joiner[::chunk_size] = False
    household = np.maximum.accumulate(np.where(joiner, 0, idx))
    country = country[household]
    zone = np.where(country == 0, us_zone, country + 3)[household]

    first = np.empty(n, np.int32)
    last = np.empty(n, np.int32)
    for c in range(3):
        rows = np.flatnonzero(country == c)
        for s in range(2):
            sub = rows[sex[rows] == s]
            pool = pools.first_names[c][s]
            first[sub] = pool[rng.integers(len(pool), size=len(sub))]
        last[rows] = pools.last_names[c][rng.integers(len(pools.last_names[c]), size=len(rows))]
    last = last[household]

    # Addresses (per household), before and after a possible move.
    street = np.empty((2, n), np.int64)
    area = np.empty((2, n), np.int64)
    for c in range(3):
        rows = np.flatnonzero(country == c)
        street[:, rows] = rng.integers(len(pools.streets[c]), size=(2, len(rows)))
        area[:, rows] = rng.integers(len(pools.cities[c]), size=(2, len(rows)))
    street_suffix = rng.integers(len(STREET_SUFFIXES), size=(2, n))
    house_number = np.minimum(rng.geometric(0.015, size=(2, n)), 9999)
    moves = rng.random(n) < 0.10
    moved_at = np.where(moves, rng.integers(clock.start + 60 * DAY, clock.cutoff - 30 * DAY, n), NULL)
    street, area = street[:, household], area[:, household]
    street_suffix, house_number = street_suffix[:, household], house_number[:, household]
    moved_at = moved_at[household]

    # Lifecycle.
    first_purchase = np.where(is_customer, rng.integers(clock.start, clock.cutoff - 14 * DAY, n), NULL)
    converted_lead = is_customer & (rng.random(n) < 0.25)
    prospect_lead = ~is_customer & (rng.random(n) < 0.55)
    became_lead = np.full(n, NULL)
    became_lead[converted_lead] = np.maximum(
        first_purchase[converted_lead] - rng.integers(DAY, 90 * DAY, converted_lead.sum()), clock.start)
    became_lead[prospect_lead] = rng.integers(clock.start, clock.cutoff - DAY, prospect_lead.sum())

    health = rng.normal(0.0, 1.0, n)
    churn_window = (clock.cutoff - DAY) - (first_purchase + 60 * DAY)
    can_churn = is_customer & (churn_window > 30 * DAY)
    churns = can_churn & (rng.random(n) < _sigmoid(-1.25 - 1.4 * health))
    churned_at = np.where(churns, first_purchase + 60 * DAY + (rng.random(n) * np.maximum(churn_window, 0)).astype(
        np.int64), NULL)
    gap = (30 * DAY + rng.exponential(150 * DAY, n)).astype(np.int64)
    returns = churns & (rng.random(n) < 0.42) & (churned_at + gap < clock.cutoff - DAY)
    reactivated_at = np.where(returns, churned_at + gap, NULL)

    decline_start = np.where(
        churns, np.maximum(first_purchase, churned_at - rng.integers(90 * DAY, 150 * DAY, n)), NULL)
    decline_end = np.where(churns, churned_at, NULL)
    at_risk = is_customer & ~churns & (rng.random(n) < _sigmoid(-2.3 - 1.0 * health))
    risk_start = np.maximum(first_purchase, clock.cutoff - rng.integers(20 * DAY, 110 * DAY, n))
    decline_start = np.where(at_risk, risk_start, decline_start)
    decline_end = np.where(at_risk, risk_start + 120 * DAY, decline_end)
    decline_drop = np.where(decline_start != NULL, rng.uniform(1.2, 2.5, n), 0.0)

    # Identity attributes.
    email_home, email_work, company, segment, business = _emails(rng, pools, country, first, last, birth_day)
    phone_e164, phone_parts = _phones(rng, idx, country)
    handle = _handles(rng, pools, first, last, birth_day)

    has_app = is_customer & (rng.random(n) < 0.5)
    app_created_at = np.where(
        has_app, np.clip(first_purchase + rng.integers(-30 * DAY, 200 * DAY, n), clock.start, clock.cutoff - DAY), NULL)
    channel_pref = rng.gamma(CHANNEL_ALPHA, size=(n, len(CHANNELS)))
    channel_pref[:, 1] *= has_app
    channel_pref /= channel_pref.sum(axis=1, keepdims=True)
    order_rate = rng.lognormal(np.log(1.9), 0.6, n) * np.where(business, 1.6, 1.0) * (1 + 0.12 * np.clip(health, -2, 2))

    newsletter = ~is_customer & (rng.random(n) < 0.45)
    marketing_start = np.where(
        is_customer, np.where(became_lead != NULL, np.minimum(became_lead, first_purchase), first_purchase),
        np.where(prospect_lead, became_lead,
                 np.where(newsletter, rng.integers(clock.start, clock.cutoff - DAY, n), NULL)))

    return Population(
        n=n, is_customer=is_customer, country=country, zone=zone, first=first, last=last, birth_day=birth_day,
        household=household, email_home=email_home, email_work=email_work, company=company,
        phone_e164=phone_e164, phone_parts=phone_parts, handle=handle, segment=segment, business=business,
        industry=rng.integers(len(INDUSTRIES), size=n), job_title=rng.integers(len(JOB_TITLES), size=n),
        street=street, street_suffix=street_suffix, house_number=house_number, area=area, moved_at=moved_at,
        became_lead_at=became_lead, first_purchase_at=first_purchase, churned_at=churned_at,
        reactivated_at=reactivated_at, health=health, decline_start=decline_start, decline_end=decline_end,
        decline_drop=decline_drop, order_rate=order_rate, channel_pref=channel_pref,
        category_pref=rng.dirichlet(np.full(categories, 0.8), size=n),
        has_app=has_app, app_created_at=app_created_at, loyalty_member=is_customer & (rng.random(n) < 0.55),
        usage_rate=rng.lognormal(np.log(0.012), 0.7, n), marketing_start=marketing_start,
    )


def _emails(rng, pools: Pools, country, first, last, birth_day):
    n = len(country)
    f, l_ = pools.slug(first), pools.slug(last)
    fi = pc.utf8_slice_codeunits(f, 0, 1)
    yy = _digits((birth_day.astype("datetime64[D]").astype("datetime64[Y]").astype(np.int64) + 1970) % 100, 2)
    nn = pc.cast(pa.array(rng.integers(1, 999, n)), pa.string())
    patterns = [
        _join(f, ".", l_), _join(f, l_), _join(fi, l_), _join(f, "_", l_), _join(f, ".", l_, yy),
        _join(f, pc.utf8_slice_codeunits(l_, 0, 1), nn), _join(l_, ".", f),
    ]
    local = pc.choose(pa.array(rng.choice(7, n, p=[.26, .12, .16, .08, .16, .12, .10]).astype(np.int8)), *patterns)
    domain_choice = rng.choice(7, n, p=[.34, .16, .14, .12, .10, .08, .06])
    domains = pa.array(np.array(EMAIL_DOMAINS, dtype=object)[country, domain_choice], pa.string())

    has_work = rng.random(n) < 0.30
    business = has_work & (rng.random(n) < 0.27)
    segment = np.where(business, np.where(rng.random(n) < 0.6, 1, 2), 0)
    company_last = np.empty(n, np.int64)
    for c in range(3):
        rows = np.flatnonzero(country == c)
        company_last[rows] = pools.last_names[c][rng.integers(len(pools.last_names[c]), size=len(rows))]
    suffix = np.array(COMPANY_SUFFIXES, dtype=object)[country, rng.integers(6, size=n)]
    company_name = _join(pools.variant(company_last, np.zeros(n, np.int64)), " ", pa.array(suffix, pa.string()))
    company_domain = _join(pools.slug(company_last), pa.array(np.array(COMPANY_TLDS)[country]))
    work_local = pc.choose(pa.array(rng.integers(0, 3, n).astype(np.int8)), _join(f, ".", l_), _join(fi, l_),
                           _join(f, "_", l_))

    no_work = pa.array(~has_work)
    work_local = pc.if_else(no_work, pa.scalar(None, pa.string()), work_local)
    both = _dedupe(pa.concat_arrays([local, work_local]),
                   _join("@", pa.concat_arrays([domains, company_domain])), rng)
    company = pc.if_else(no_work, pa.scalar(None, pa.string()), company_name)
    return both.slice(0, n), both.slice(n, n), company, segment, business


def _phones(rng, idx, country):
    """Canonical E.164 numbers plus the three display groups of each number.

    The subscriber digits encode a bijective scramble of the person index, so
    numbers are unique across the run without any lookup.
    """
    n = len(idx)
    j = scramble(idx, 0, PHONE_SPACE)
    kind = np.where(country == 0, 0, np.where(country == 2, 3, 2))
    gb_area = np.array([a for a, _ in GB_AREA_CODES])[rng.integers(len(GB_AREA_CODES), size=n)]
    kind = np.where((kind == 2) & (gb_area == "20"), 1, kind)
    area = np.select(
        [kind == 0, kind == 3],
        [np.array(US_AREA_CODES)[rng.integers(len(US_AREA_CODES), size=n)],
         np.array([a for a, _ in DE_AREA_CODES])[rng.integers(len(DE_AREA_CODES), size=n)]],
        gb_area,
    )
    sub = pc.cast(pa.array(j + 2_000_000), pa.string())
    london = _join(pa.array(np.array(["3", "7", "8"])[rng.integers(3, size=n)]), _digits(j, 7))
    choice = pa.array(kind.astype(np.int8))
    # US: exchange + line; London: 4 + 4; other GB: 3 + 4; Germany: one block.
    b = pc.choose(choice, _digits(200 + j // 10_000, 3), pc.utf8_slice_codeunits(london, 0, 4),
                  pc.utf8_slice_codeunits(sub, 0, 3), sub)
    c = pc.choose(choice, _digits(j % 10_000, 4), pc.utf8_slice_codeunits(london, 4),
                  pc.utf8_slice_codeunits(sub, 3), pa.array(np.full(n, "")))
    a = pa.array(area)
    code = pa.array(np.array(["1", "44", "49"])[country])
    return _join("+", code, a, b, c), (a, b, c)


def _handles(rng, pools: Pools, first, last, birth_day):
    n = len(first)
    has = rng.random(n) < 0.30
    f, l_ = pools.slug(first), pools.slug(last)
    yy = _digits((birth_day.astype("datetime64[D]").astype("datetime64[Y]").astype(np.int64) + 1970) % 100, 2)
    nn = pc.cast(pa.array(rng.integers(1, 99, n)), pa.string())
    patterns = [_join(f, l_), _join(f, "_", l_), _join(f, ".", l_, yy), _join(pc.utf8_slice_codeunits(f, 0, 1), l_, nn),
                _join(f, nn), _join("the", f, l_)]
    base = pc.choose(pa.array(rng.integers(0, len(patterns), n).astype(np.int8)), *patterns)
    base = pc.if_else(pa.array(has), base, pa.scalar(None, pa.string()))
    return _dedupe(base, "", rng)
