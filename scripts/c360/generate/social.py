"""Social media mentions by people with a public handle."""

from __future__ import annotations

import numpy as np
import pyarrow as pa

from .batch import Batch
from .context import Chunk, poisson_times
from .formatting import DAY
from .schema import TABLE_BY_NAME
from .text import social_post, tone
from .vocab import BRAND, COMPETITORS, SOCIAL_PLATFORMS

CUSTOMER_RATE = 0.6 / 365
PROSPECT_RATE = 1.2 / 365


def generate_mentions(chunk: Chunk) -> Batch:
    """``social.mentions``: tone follows health; prospects often talk about competitors."""
    world, pop, render, clock = chunk.world, chunk.world.pop, chunk.world.render, chunk.world.clock
    rng = chunk.rng("social")
    authors = chunk.persons[pop.handle.is_valid().to_numpy(zero_copy_only=False)[chunk.persons]]
    customer = pop.is_customer[authors]
    start = np.where(customer, np.maximum(pop.first_purchase_at[authors] - 180 * DAY, clock.start), clock.start)
    rate = np.where(customer, CUSTOMER_RATE * np.exp(-0.4 * (pop.health[authors] - pop.decline_drop[authors])),
                    PROSPECT_RATE)
    person, t = poisson_times(rng, authors, rate, start, np.full(len(authors), clock.cutoff))
    is_customer = pop.is_customer[person]
    boost = np.exp(-0.4 * (pop.health_at(person, t) - (pop.health[person] - pop.decline_drop[person])))
    keep = rng.random(len(t)) < np.where(is_customer, boost, 1.0)
    person, t, is_customer = person[keep], t[keep], is_customer[keep]
    n = len(person)
    health = np.where(is_customer, pop.health_at(person, t), rng.normal(0, 1, n))
    ours = rng.random(n) < np.where(is_customer, 0.8, 0.5)
    brand = pa.array(np.where(ours, BRAND, np.array(COMPETITORS)[rng.integers(len(COMPETITORS), size=n)]))
    mood = tone(rng, health)
    likes = np.floor(rng.lognormal(1.0, 1.4, n) * np.where(mood == 0, 2.0, 1.0)).astype(np.int64)
    return Batch(TABLE_BY_NAME["social.mentions"], {
        "mention_id": world.ids.take("mention", n),
        "platform": pa.array(np.array(SOCIAL_PLATFORMS)[rng.choice(5, n, p=[0.3, 0.25, 0.2, 0.1, 0.15])]),
        "author_handle": render.handles(rng, person),
        "author_display_name": render.display_names(rng, person),
        "brand": brand,
        "text": social_post(rng, mood, brand),
        "posted_at": t,
        "like_count": likes,
        "_loaded_at": clock.load_times(rng, t),
    }, person=person)
