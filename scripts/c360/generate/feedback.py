"""Survey responses (NPS and post-ticket CSAT) and warranty / insurance claims."""

from __future__ import annotations

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from .batch import Batch
from .commerce import OrderFacts
from .context import Chunk, poisson_times
from .formatting import DAY
from .identity import NULL_STRING, drop
from .schema import CLAIM_STATUSES, NULL, TABLE_BY_NAME
from .support import TicketFacts
from .text import survey_comment
from .vocab import CLAIM_DESCRIPTIONS

SURVEY_CHANNELS = ("email", "in_app", "sms")
NPS_INVITES_PER_DAY = 1 / 180
NPS_RESPONSE_RATE = 0.3
CSAT_RESPONSE_RATE = 0.3
CLAIM_RATE = 0.03
MIN_FIRST_CHUNK = 6  # so that even tiny datasets have claims to plant defects on


def generate_surveys(chunk: Chunk, tickets: TicketFacts) -> Batch:
    """``feedback.survey_responses``: periodic NPS and CSAT after solved tickets."""
    world, pop, render, clock = chunk.world, chunk.world.pop, chunk.world.render, chunk.world.clock
    rng = chunk.rng("surveys")
    cust = chunk.customers
    person, t = poisson_times(rng, cust, np.full(len(cust), NPS_INVITES_PER_DAY),
                              pop.first_purchase_at[cust] + 14 * DAY, np.full(len(cust), clock.cutoff - DAY))
    responds = pop.customer_at(person, t) & (rng.random(len(t)) < NPS_RESPONSE_RATE)
    person, t = person[responds], t[responds] + rng.integers(3600, 3 * DAY, responds.sum())
    person, t = person[t < clock.cutoff], t[t < clock.cutoff]
    health = pop.health_at(person, t)
    nps = np.clip(np.round(7.2 + 1.7 * health + rng.normal(0, 1.2, len(t))), 0, 10).astype(np.int64)
    nps_mood = np.digitize(nps, [6.5, 8.5])

    solved = np.flatnonzero((tickets.resolved_at != NULL) & (rng.random(len(tickets.person)) < CSAT_RESPONSE_RATE))
    csat_time = tickets.resolved_at[solved] + rng.integers(1800, 3 * DAY, len(solved))
    solved, csat_time = solved[csat_time < clock.cutoff], csat_time[csat_time < clock.cutoff]
    csat = np.clip(np.round(4.2 + 0.9 * tickets.health[solved] - 0.8 * tickets.escalated[solved]
                            + rng.normal(0, 0.8, len(solved))), 1, 5).astype(np.int64)

    person = np.concatenate([person, tickets.person[solved]])
    when = np.concatenate([t, csat_time])
    score = np.concatenate([nps, csat])
    mood = np.concatenate([nps_mood, np.digitize(csat, [2.5, 3.5])])
    is_nps = np.r_[np.ones(len(t), bool), np.zeros(len(solved), bool)]
    ticket = np.r_[np.full(len(t), NULL), tickets.ticket_id[solved]]
    n = len(person)
    channel = np.where(pop.has_app[person] & (rng.random(n) < 0.3), 1, np.where(rng.random(n) < 0.15, 2, 0))
    email = pc.if_else(pa.array(channel == 2), NULL_STRING, render.emails(rng, person, work_share=0.05))
    phone = pc.if_else(pa.array(channel == 2), render.phones(rng, person), NULL_STRING)
    extreme = (mood != 1)
    comment = pc.if_else(pa.array(rng.random(n) < np.where(extreme, 0.45, 0.2)),
                         survey_comment(rng, mood), NULL_STRING)
    return Batch(TABLE_BY_NAME["feedback.survey_responses"], {
        "response_id": world.ids.take("response", n),
        "survey_type": pa.array(np.where(is_nps, "nps", "csat")),
        "survey_channel": pa.array(np.array(SURVEY_CHANNELS)[channel]),
        "respondent_email": email,
        "respondent_phone": phone,
        "ticket_id": ticket,
        "score": score,
        "comment": comment,
        "responded_at": when,
        "_loaded_at": clock.load_times(rng, when),
    }, person=person)


def generate_claims(chunk: Chunk, facts: OrderFacts) -> Batch:
    """``feedback.claims`` on protectable products; claimants identified without email."""
    world, pop, render, clock, cat = (chunk.world, chunk.world.pop, chunk.world.render, chunk.world.clock,
                                      chunk.world.catalog)
    rng = chunk.rng("claims")
    eligible = np.flatnonzero(facts.order_completed & cat.protectable[facts.line_sub])
    u = rng.random(len(eligible))
    wanted = max(int((u < CLAIM_RATE).sum()), MIN_FIRST_CHUNK if chunk.index == 0 else 0)
    line = np.sort(eligible[np.argsort(u)[:wanted]])
    bought = facts.line_time[line]
    filed = bought + (rng.uniform(0.05, 1.0, len(line)) * np.minimum(700 * DAY, clock.cutoff - 1 - bought)).astype(
        np.int64)
    person = facts.line_person[line]
    n = len(person)
    insurance = rng.random(n) < 0.3
    decided = filed + rng.integers(2 * DAY, 40 * DAY, n)
    decided = np.where(decided < clock.cutoff, decided, NULL)
    outcome = rng.choice([1, 2, 3], n, p=[0.3, 0.3, 0.4])
    status = np.where(decided == NULL, 0, outcome)
    descriptions = CLAIM_DESCRIPTIONS["warranty"] + CLAIM_DESCRIPTIONS["insurance"]
    k = len(CLAIM_DESCRIPTIONS["warranty"])
    description = pa.array(descriptions).take(pa.array(np.where(insurance, k, 0) + rng.integers(0, k, n)))
    first, last = render.names(rng, person, nickname=0.05)
    street, city, postal = render.addresses(rng, person, filed)
    amount = (facts.line_price[line] * rng.uniform(0.3, 1.0, n)).astype(np.int64) + 1
    return Batch(TABLE_BY_NAME["feedback.claims"], {
        "claim_id": world.ids.take("claim", n),
        "claim_type": pa.array(np.where(insurance, "insurance", "warranty")),
        "claimant_first_name": first,
        "claimant_last_name": last,
        "claimant_phone": drop(rng, render.phones(rng, person), 0.05),
        "claimant_birth_date": np.where(rng.random(n) < 0.95, pop.birth_day[person], NULL),
        "claimant_street": street,
        "claimant_city": city,
        "claimant_postal_code": postal,
        "claimant_country": render.countries(rng, person, (0.3, 0.2, 0.4, 0.1)),
        "product_id": facts.line_product[line] + 1,
        "order_id": np.where(rng.random(n) < 0.4, facts.line_order[line], NULL),
        "description": description,
        "amount_claimed": amount,
        "status": pa.array(np.array(CLAIM_STATUSES)[status]),
        "filed_at": filed,
        "decided_at": decided,
        "_loaded_at": clock.load_times(rng, np.maximum(filed, decided)),
    }, person=person)
