"""Orders and order lines in every channel, driven by lifecycle and affinities.

Order times follow a per-person Poisson process thinned by the person's
activity (fading before churn, zero while churned).  The first line of each
order moves along a subcategory Markov chain (a coffee machine makes coffee
and filters likely next) mixed with the person's category preferences.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from .batch import Batch
from .context import Chunk, categorical, group_rank, poisson_times
from .identity import NULL_STRING
from .population import CHANNELS, scramble
from .schema import NULL, ORDER_STATUSES, TABLE_BY_NAME
from .vocab import CURRENCIES, FX, PARTNERS

WEB, APP, POS, PHONE, PARTNER = range(5)
CONSUMABLES = ("coffee", "filters", "grill_accessories", "basics")
JUNK_RATE = 0.008  # share of pos / phone orders carrying a placeholder identifier


@dataclass
class OrderFacts:
    """What later tables (claims, subscriptions) need to know about purchases."""

    line_person: np.ndarray
    line_time: np.ndarray
    line_order: np.ndarray
    line_product: np.ndarray
    line_sub: np.ndarray
    line_price: np.ndarray  # local-currency unit price, cents
    order_completed: np.ndarray  # per line: the order was completed


#: An order's first line: this share from the person's preferences, the rest
#: from the subcategory transition out of the previous order's first line.
FIRST_LINE_PREFERENCE = 0.45
#: Further lines: this share from preferences, the rest from the transition
#: out of the order's own first line.
FOLLOW_LINE_PREFERENCE = 0.5
#: Lines after the first: Poisson with this mean, at most MAX_EXTRA_LINES.
EXTRA_LINES_MEAN = 1.1
MAX_EXTRA_LINES = 7


def subcategory_preferences(category_pref: np.ndarray, catalog) -> np.ndarray:
    """(persons, subcategories) preference: each category's share split evenly
    among its subcategories."""
    counts = np.bincount(catalog.category_of_sub, minlength=len(catalog.categories))
    return category_pref[:, catalog.category_of_sub] / counts[catalog.category_of_sub]


def first_line_probabilities(pref: np.ndarray, transition_rows: np.ndarray) -> np.ndarray:
    """Chances of an order's first-line subcategory after a previous order."""
    return FIRST_LINE_PREFERENCE * pref + (1 - FIRST_LINE_PREFERENCE) * transition_rows


def follow_line_probabilities(pref: np.ndarray, transition_rows: np.ndarray) -> np.ndarray:
    """Chances of a further line's subcategory, given the order's first line."""
    return FOLLOW_LINE_PREFERENCE * pref + (1 - FOLLOW_LINE_PREFERENCE) * transition_rows


def extra_lines(rng, n: int) -> np.ndarray:
    """Number of lines after the first, for ``n`` orders."""
    return np.minimum(rng.poisson(EXTRA_LINES_MEAN, n), MAX_EXTRA_LINES)


def _subcategory_preferences(chunk: Chunk, persons: np.ndarray) -> np.ndarray:
    return subcategory_preferences(chunk.world.pop.category_pref[persons], chunk.world.catalog)


def _first_line_subcategories(rng, chunk: Chunk, person: np.ndarray, rank: np.ndarray) -> np.ndarray:
    """Walk the subcategory Markov chain along each person's ordered orders."""
    transition = chunk.world.catalog.transition
    sub = np.zeros(len(person), np.int64)
    for r in range(int(rank.max()) + 1 if len(rank) else 0):
        rows = np.flatnonzero(rank == r)
        pref = _subcategory_preferences(chunk, person[rows])
        probs = pref if r == 0 else first_line_probabilities(pref, transition[sub[rows - 1]])
        sub[rows] = categorical(rng, probs)
    return sub


def _pick_products(rng, chunk: Chunk, sub: np.ndarray, t: np.ndarray) -> np.ndarray:
    """A product of each subcategory that was already launched at ``t``."""
    cat = chunk.world.catalog
    product = np.empty(len(sub), np.int64)
    for s, members in enumerate(cat.sub_products):
        rows = np.flatnonzero(sub == s)
        if not len(rows):
            continue
        launched = np.searchsorted(cat.product_launch[members], t[rows], side="right")
        product[rows] = members[(rng.random(len(rows)) * np.maximum(launched, 1)).astype(np.int64)]
    return product


def pick_stores(rng, chunk: Chunk, person: np.ndarray, t: np.ndarray) -> np.ndarray:
    """Store (0-based) of in-store orders: mostly the person's home store, always open at ``t``."""
    cat = chunk.world.catalog
    country = chunk.world.pop.country[person]
    store = np.empty(len(person), np.int64)
    for c in range(3):
        rows = np.flatnonzero(country == c)
        local = np.flatnonzero(cat.store_country == c)
        home = local[scramble(person[rows], 7, len(local) * 1_000) % len(local)]
        other = local[rng.integers(len(local), size=len(rows))]
        pick = np.where(rng.random(len(rows)) < 0.8, home, other)
        tt = t[rows]
        is_open = (cat.store_open[pick] <= tt) & ((cat.store_close[pick] == NULL) | (tt < cat.store_close[pick]))
        store[rows] = np.where(is_open, pick, local[0])
    return store


def generate_orders(chunk: Chunk) -> tuple[Batch, Batch, OrderFacts]:
    """``commerce.orders`` and ``commerce.order_lines`` for the chunk's customers."""
    world, pop, cat, render = chunk.world, chunk.world.pop, chunk.world.catalog, chunk.world.render
    rng = chunk.rng("orders")
    cust = chunk.customers
    fp = pop.first_purchase_at[cust]
    rows, t = poisson_times(rng, cust, pop.order_rate[cust] / 365.0, fp + 3600, np.full(len(cust), world.clock.cutoff))
    keep = rng.random(len(rows)) < pop.activity(rows, t)
    person = np.concatenate([cust, rows[keep]])
    t = np.concatenate([fp, t[keep]])
    order = np.lexsort((t, person))
    person, t = person[order], t[order]
    n = len(person)
    rank = group_rank(person)

    channel = categorical(rng, pop.channel_pref[person])
    pos = channel == POS
    store = np.where(pos, pick_stores(rng, chunk, person, t), -1)
    health = pop.health_at(person, t)
    u = rng.random(n)
    p_return = 0.04 + 0.04 * (health < -1.0)
    status = np.where(u < 0.03, 1, np.where(u < 0.03 + p_return, 2, 0))

    # Lines.
    n_lines = 1 + extra_lines(rng, n)
    line_order = np.repeat(np.arange(n), n_lines)
    line_rank = group_rank(line_order)
    first_sub = _first_line_subcategories(rng, chunk, person, rank)
    lp = person[line_order]
    pref = _subcategory_preferences(chunk, lp)
    follow = categorical(rng, follow_line_probabilities(pref, cat.transition[first_sub[line_order]]))
    line_sub = np.where(line_rank == 0, first_sub[line_order], follow)
    lt = t[line_order]
    product = _pick_products(rng, chunk, line_sub, lt)
    country = pop.country[lp]
    fx = np.array(FX)[country]
    unit = np.maximum(np.round(cat.product_price[product] * fx / 100.0).astype(np.int64) * 100 - 1, 99)
    consumable = np.isin(np.array(cat.subcategories)[line_sub], CONSUMABLES)
    quantity = np.where(consumable, 1 + rng.poisson(0.8, len(lp)), 1 + (rng.random(len(lp)) < 0.05))
    discounted = rng.random(len(lp)) < np.where(pop.loyalty_member[lp] & pos[line_order], 0.35, 0.15)
    discount = np.where(discounted, (quantity * unit * rng.uniform(0.05, 0.25, len(lp))).astype(np.int64), 0)
    total = np.bincount(line_order, weights=quantity * unit - discount, minlength=n).astype(np.int64)

    order_ids = world.ids.take("order", n)
    line_ids = world.ids.take("order_line", len(lp))

    # Identity as captured by each channel.
    first, last = render.names(rng, person)
    email = render.emails(rng, person, work_share=np.where(pop.business[person], 0.8, 0.05))
    email_missing = np.select([pos, channel == PHONE, channel == PARTNER], [0.85, 0.4, 0.3], 0.0)
    email = pc.if_else(pa.array(rng.random(n) < email_missing), NULL_STRING, email)
    phone = render.phones(rng, person)
    phone_missing = np.select([channel == PHONE, pos], [0.0, 0.7], 0.5)
    phone = pc.if_else(pa.array(rng.random(n) < phone_missing), NULL_STRING, phone)
    junk_rows = (pos | (channel == PHONE)) & (rng.random(n) < JUNK_RATE)
    junk_email_rows = junk_rows & (rng.random(n) < 0.5)
    email = pc.if_else(pa.array(junk_email_rows), render.junk_emails(rng, person), email)
    phone = pc.if_else(pa.array(junk_rows & ~junk_email_rows), render.junk_phones(rng, n), phone)
    street, city, postal = render.addresses(rng, person, t)
    shipped = pa.array(~pos | (rng.random(n) < 0.05))
    ship_country = render.countries(rng, person, (0.45, 0.2, 0.25, 0.1))
    loyalty = np.where(pos & pop.loyalty_member[person] & (rng.random(n) < 0.9),
                       scramble(person, 3, 10_000_000_000), NULL)
    web_customer = np.where((channel == WEB) | (channel == APP), scramble(person, 1), NULL)
    partner = np.where(channel == PARTNER, rng.integers(len(PARTNERS), size=n), 0)
    zone = np.where(pos, cat.store_zone[np.maximum(store, 0)], pop.zone[person])

    orders = Batch(TABLE_BY_NAME["commerce.orders"], {
        "order_id": order_ids,
        "channel": pa.array(np.array(CHANNELS)[channel]),
        "store_id": np.where(pos, store + 1, NULL),
        "partner_name": pc.if_else(pa.array(channel == PARTNER), pa.array(np.array(PARTNERS)[partner]), NULL_STRING),
        "web_customer_id": web_customer,
        "loyalty_number": loyalty,
        "customer_email": email,
        "customer_phone": phone,
        "customer_first_name": first,
        "customer_last_name": last,
        "ship_street": pc.if_else(shipped, street, NULL_STRING),
        "ship_city": pc.if_else(shipped, city, NULL_STRING),
        "ship_postal_code": pc.if_else(shipped, postal, NULL_STRING),
        "ship_country": pc.if_else(shipped, ship_country, NULL_STRING),
        "ordered_at": t,
        "currency": pa.array(np.array(CURRENCIES)[pop.country[person]]),
        "order_total": total,
        "status": pa.array(np.array(ORDER_STATUSES)[status]),
        "_loaded_at": world.clock.load_times(rng, t),
    }, person=person, offset=world.zones.offsets(zone, t))
    lines = Batch(TABLE_BY_NAME["commerce.order_lines"], {
        "order_line_id": line_ids,
        "order_id": order_ids[line_order],
        "product_id": product + 1,
        "quantity": quantity.astype(np.int64),
        "unit_price": unit,
        "discount_amount": discount,
        "_loaded_at": orders.data["_loaded_at"][line_order] + rng.integers(0, 120, len(lp)),
    }, person=lp)
    facts = OrderFacts(lp, lt, order_ids[line_order], product, line_sub, unit, status[line_order] == 0)
    return orders, lines, facts
