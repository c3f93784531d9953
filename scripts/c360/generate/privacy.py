"""Consent history and erasure requests.

:class:`ConsentPlan` fixes, per person of a chunk, when each purpose was
granted and withdrawn.  Marketing respects it (apart from a few planted
violations) and the consent table records it, together with the withdrawals
that follow unsubscribes.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from .batch import Batch
from .context import Chunk
from .formatting import DAY
from .identity import NULL_STRING, drop
from .schema import NULL, TABLE_BY_NAME
from .vocab import CONSENT_SOURCES

PURPOSES = ("email_marketing", "sms_marketing", "analytics", "personalisation", "profiling")
EMAIL, SMS = 0, 1
ERASURE_RATE = 0.005
ERASURE_MIN_FIRST_CHUNK = 6
ERASURE_CHANNELS = ("web_form", "email", "phone", "in_store")


def _sigmoid(x):
    return 1.0 / (1.0 + np.exp(-x))


@dataclass
class ConsentPlan:
    """Grant and withdrawal instants (NULL when absent), shape (purposes, persons of the chunk)."""

    persons: np.ndarray
    granted: np.ndarray
    withdrawn: np.ndarray
    source: np.ndarray

    def column(self, persons: np.ndarray) -> np.ndarray:
        """Position of global person indices within the plan."""
        return np.searchsorted(self.persons, persons)


def plan_consents(chunk: Chunk) -> ConsentPlan:
    pop, clock = chunk.world.pop, chunk.world.clock
    rng = chunk.rng("consent-plan")
    p = chunk.persons
    n = len(p)
    start = pop.marketing_start[p]
    has = start != NULL
    health = pop.health[p] - 0.5 * pop.decline_drop[p]
    granted = np.full((len(PURPOSES), n), NULL)
    withdrawn = np.full((len(PURPOSES), n), NULL)
    granted[EMAIL] = np.where(has & (rng.random(n) < 0.9), start, NULL)
    sms_at = start + rng.integers(0, 200 * DAY, n)
    granted[SMS] = np.where(has & (rng.random(n) < 0.35) & (sms_at < clock.cutoff), sms_at, NULL)
    app = pop.app_created_at[p]
    granted[2] = np.where((app != NULL) & (rng.random(n) < 0.85), app, NULL)
    granted[3] = np.where((app != NULL) & (rng.random(n) < 0.7), app, NULL)
    granted[4] = np.where(has & (rng.random(n) < 0.3), start, NULL)
    withdraw_p = np.stack([_sigmoid(-2.0 - 0.9 * health), _sigmoid(-2.2 - 0.9 * health),
                           np.full(n, 0.05), np.full(n, 0.05), np.full(n, 0.08)])
    base = np.where(granted != NULL, granted, clock.start)
    when = base + (rng.random(granted.shape) * (clock.cutoff - 1 - base)).astype(np.int64)
    withdrawn = np.where((granted != NULL) & (rng.random(granted.shape) < withdraw_p), when, withdrawn)
    source = rng.integers(len(CONSENT_SOURCES) - 1, size=granted.shape)
    return ConsentPlan(p, granted, withdrawn, source)


def generate_consents(chunk: Chunk, plan: ConsentPlan, unsubscribes: tuple[np.ndarray, np.ndarray, np.ndarray]
                      ) -> Batch:
    """``privacy.consents``: grants, withdrawals and unsubscribe-driven withdrawals.

    ``unsubscribes`` holds (person, instant, purpose) of marketing unsubscribes.
    """
    world, render, clock = chunk.world, chunk.world.render, chunk.world.clock
    rng = chunk.rng("consents")
    purpose_idx, col = np.nonzero(plan.granted != NULL)
    w_purpose, w_col = np.nonzero(plan.withdrawn != NULL)
    u_person, u_time, u_purpose = unsubscribes
    recorded_unsub = rng.random(len(u_person)) < 0.7
    u_time = u_time + rng.integers(60, 2 * DAY, len(u_person))
    recorded_unsub &= u_time < clock.cutoff
    person = np.concatenate([plan.persons[col], plan.persons[w_col], u_person[recorded_unsub]])
    purpose = np.concatenate([purpose_idx, w_purpose, u_purpose[recorded_unsub]])
    when = np.concatenate([plan.granted[purpose_idx, col], plan.withdrawn[w_purpose, w_col], u_time[recorded_unsub]])
    status = np.r_[np.zeros(len(col), int), np.ones(len(w_col) + recorded_unsub.sum(), int)]
    source = np.concatenate([plan.source[purpose_idx, col], plan.source[w_purpose, w_col],
                             np.full(recorded_unsub.sum(), len(CONSENT_SOURCES) - 1)])
    order = np.lexsort((when, person))
    person, purpose, when, status, source = (a[order] for a in (person, purpose, when, status, source))
    n = len(person)
    email = drop(rng, render.emails(rng, person, work_share=0.05), 0.05)
    email = pc.if_else(pa.array((purpose == SMS) & (rng.random(n) < 0.6)), NULL_STRING, email)
    phone = pc.if_else(pa.array((purpose == SMS) | (rng.random(n) < 0.2)), render.phones(rng, person), NULL_STRING)
    return Batch(TABLE_BY_NAME["privacy.consents"], {
        "consent_id": world.ids.take("consent", n),
        "subject_email": email,
        "subject_phone": phone,
        "purpose": pa.array(np.array(PURPOSES)[purpose]),
        "status": pa.array(np.where(status == 0, "granted", "withdrawn")),
        "source_system": pa.array(np.array(CONSENT_SOURCES)[source]),
        "recorded_at": when,
        "_loaded_at": clock.load_times(rng, when),
    }, person=person)


def generate_erasures(chunk: Chunk) -> Batch:
    """``privacy.erasure_requests`` for about 0.5% of persons (a few more in tiny datasets)."""
    world, render, clock = chunk.world, chunk.world.render, chunk.world.clock
    rng = chunk.rng("erasure")
    chosen = rng.random(len(chunk.persons)) < ERASURE_RATE
    if chunk.index == 0 and chosen.sum() < ERASURE_MIN_FIRST_CHUNK:
        chosen[rng.permutation(len(chunk.persons))[:ERASURE_MIN_FIRST_CHUNK]] = True
    person = chunk.persons[chosen]
    n = len(person)
    requested = rng.integers(clock.start + 180 * DAY, clock.cutoff - DAY, n)
    completed = requested + rng.integers(DAY, 30 * DAY, n)
    rejected = rng.random(n) < 0.1
    done = ~rejected & (completed < clock.cutoff)
    status = np.where(rejected, 2, np.where(done, 1, 0))
    completed = np.where(status == 0, NULL, np.minimum(completed, clock.cutoff - 1))
    return Batch(TABLE_BY_NAME["privacy.erasure_requests"], {
        "request_id": world.ids.take("erasure", n),
        "subject_email": drop(rng, render.emails(rng, person), 0.1),
        "subject_phone": drop(rng, render.phones(rng, person), 0.6),
        "subject_name": render.full_names(rng, person),
        "received_via": pa.array(np.array(ERASURE_CHANNELS)[rng.choice(4, n, p=[0.5, 0.3, 0.1, 0.1])]),
        "requested_at": requested,
        "status": pa.array(np.array(("received", "completed", "rejected"))[status]),
        "completed_at": completed,
        "_loaded_at": clock.load_times(rng, np.maximum(requested, completed)),
    }, person=person)
