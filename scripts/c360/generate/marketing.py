"""Campaign touches: sends and the engagement that follows them.

Audiences depend on the campaign objective (prospects for acquisition, active
customers for retention and upsell, churned customers for winback) and on
consent.  Opens and clicks rise with latent health; unhappy people unsubscribe.
After a withdrawal or an unsubscribe a person gets no more sends on that
channel, except for a small planted share recorded as consent violations.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from .batch import Batch
from .context import Chunk
from .identity import NULL_STRING
from .privacy import EMAIL, SMS, ConsentPlan
from .schema import NULL, TABLE_BY_NAME, TOUCH_TYPES

AUDIENCE_SHARE = 0.12
VIOLATION_SHARE = 0.01
SEND, OPEN, CLICK, UNSUBSCRIBE, BOUNCE = range(5)
CH_EMAIL, CH_SMS, CH_PUSH = range(3)
ACQUISITION, RETENTION, UPSELL, WINBACK = range(4)


@dataclass
class TouchOutcome:
    """Touches plus what privacy and the truth need from them."""

    touches: Batch
    unsubscribes: tuple[np.ndarray, np.ndarray, np.ndarray]
    violation_touch: np.ndarray
    violation_person: np.ndarray
    violation_reason: np.ndarray


def _sigmoid(x):
    return 1.0 / (1.0 + np.exp(-x))


def _candidate_sends(rng, chunk: Chunk, plan: ConsentPlan):
    """(person, campaign, send instant) of every campaign's audience before suppression."""
    pop, cat, clock = chunk.world.pop, chunk.world.catalog, chunk.world.clock
    p = chunk.persons
    persons, campaigns, times = [], [], []
    for c, launch in enumerate(cat.campaign_launch):
        objective, channel = cat.campaign_objective[c], cat.campaign_channel[c]
        at = np.full(len(p), launch)
        fp = pop.first_purchase_at[p]
        if objective == ACQUISITION:
            target = ((fp == NULL) | (fp > launch)) & (pop.marketing_start[p] != NULL) & (
                pop.marketing_start[p] <= launch)
        elif objective == WINBACK:
            target = (pop.churned_at[p] != NULL) & (pop.churned_at[p] <= launch) & ~pop.customer_at(p, at)
        else:
            target = pop.customer_at(p, at)
        if channel == CH_PUSH:
            reachable = (pop.app_created_at[p] != NULL) & (pop.app_created_at[p] <= launch)
        else:
            granted = plan.granted[EMAIL if channel == CH_EMAIL else SMS]
            reachable = (granted != NULL) & (granted <= launch)
        chosen = p[target & reachable & (rng.random(len(p)) < AUDIENCE_SHARE)]
        persons.append(chosen)
        campaigns.append(np.full(len(chosen), c))
        times.append(launch + rng.integers(0, 36 * 3600, len(chosen)))
    person, campaign, t = map(np.concatenate, (persons, campaigns, times))
    keep = t < clock.cutoff
    return person[keep], campaign[keep], t[keep]


def generate_touches(chunk: Chunk, plan: ConsentPlan) -> TouchOutcome:
    """``marketing.touches`` for the chunk, honouring consent and unsubscribes."""
    world, pop, cat, render, clock = (chunk.world, chunk.world.pop, chunk.world.catalog, chunk.world.render,
                                      chunk.world.clock)
    rng = chunk.rng("marketing")
    person, campaign, t = _candidate_sends(rng, chunk, plan)
    channel = cat.campaign_channel[campaign]
    purpose = np.where(channel == CH_SMS, SMS, EMAIL)
    health = pop.health_at(person, t)
    col = plan.column(person)
    withdrawn = plan.withdrawn[purpose, col]
    after_withdrawal = (channel != CH_PUSH) & (withdrawn != NULL) & (t > withdrawn)

    # The first unsubscribe per person and channel (among allowed sends) blocks later sends.
    wants_out = (channel != CH_PUSH) & ~after_withdrawal & (rng.random(len(t)) < _sigmoid(-4.0 - 1.0 * health))
    key = person * 4 + channel
    order = np.lexsort((t, key))
    first_out = np.full(len(t), np.iinfo(np.int64).max)
    flagged = order[wants_out[order]]
    if len(flagged):
        keys, first = np.unique(key[flagged], return_index=True)
        first_time = t[flagged][first]
        pos = np.searchsorted(keys, key)
        found = (pos < len(keys)) & (keys[np.minimum(pos, len(keys) - 1)] == key)
        first_out = np.where(found, first_time[np.minimum(pos, len(keys) - 1)], first_out)
    after_unsubscribe = t > first_out
    blocked = after_withdrawal | after_unsubscribe
    violation = blocked & (rng.random(len(t)) < VIOLATION_SHARE)
    keep = ~blocked | violation
    person, campaign, t, channel, purpose, health, violation, after_withdrawal = (
        a[keep] for a in (person, campaign, t, channel, purpose, health, violation, after_withdrawal))
    unsubscribes_here = (wants_out[keep]) & (t == first_out[keep])
    n = len(person)

    # Engagement following each regular send.
    engaged = ~violation
    bounce = engaged & (channel == CH_EMAIL) & (rng.random(n) < 0.02)
    opens = engaged & ~bounce & (channel != CH_SMS) & (rng.random(n) < _sigmoid(-0.5 + 0.9 * health))
    click_p = np.where(channel == CH_SMS, 0.06, 0.3 * _sigmoid(0.5 + 0.8 * health))
    clicks = engaged & ~bounce & np.where(channel == CH_SMS, True, opens) & (rng.random(n) < click_p)
    open_t = t + rng.lognormal(np.log(3 * 3600), 1.0, n).astype(np.int64) + 60
    click_t = np.where(channel == CH_SMS, t, open_t) + rng.integers(5, 1800, n)
    unsub_t = np.where(opens, open_t, t) + rng.integers(30, 3600, n)
    rows = [
        (np.arange(n), SEND, t),
        (np.flatnonzero(bounce), BOUNCE, t + 30),
        (np.flatnonzero(opens), OPEN, open_t),
        (np.flatnonzero(clicks), CLICK, click_t),
        (np.flatnonzero(unsubscribes_here & ~violation), UNSUBSCRIBE, unsub_t),
    ]
    send = np.concatenate([r for r, _, _ in rows])
    kind = np.concatenate([np.full(len(r), k) for r, k, _ in rows])
    when = np.concatenate([tt[r] for r, _, tt in rows])
    inside = when < clock.cutoff
    send, kind, when = send[inside], kind[inside], when[inside]
    order = np.lexsort((kind, when))
    send, kind, when = send[order], kind[order], when[order]
    m = len(send)
    tp = person[send]
    tchannel = channel[send]
    touch_ids = world.ids.take("touch", m)
    email = pc.if_else(pa.array(tchannel == CH_SMS), NULL_STRING, render.emails(rng, tp, work_share=0.1))
    phone = pc.if_else(pa.array(tchannel == CH_SMS), render.phones(rng, tp), NULL_STRING)
    categories = np.array(cat.categories)[cat.campaign_category[campaign[send]]]
    url = pc.binary_join_element_wise(
        "https://www.alderandpine.com/c/", pa.array(categories), "?utm_source=crm&utm_campaign=cmp-",
        pc.cast(pa.array(campaign[send] + 1), pa.string()), "")
    touches = Batch(TABLE_BY_NAME["marketing.touches"], {
        "touch_id": touch_ids,
        "campaign_id": campaign[send] + 1,
        "recipient_email": email,
        "recipient_phone": phone,
        "event_type": pa.array(np.array(TOUCH_TYPES)[kind]),
        "occurred_at": when,
        "link_url": pc.if_else(pa.array(kind == CLICK), url, NULL_STRING),
        "_loaded_at": clock.load_times(rng, when),
    }, person=tp)
    unsub_rows = kind == UNSUBSCRIBE
    violating = (kind == SEND) & violation[send]
    return TouchOutcome(
        touches=touches,
        unsubscribes=(tp[unsub_rows], when[unsub_rows], purpose[send][unsub_rows]),
        violation_touch=touch_ids[violating],
        violation_person=tp[violating],
        violation_reason=np.where(after_withdrawal[send][violating], "after_withdrawal", "after_unsubscribe"),
    )
