"""Support tickets and their message threads.

Ticket frequency, urgency, escalation and the tone of the customer's messages
all follow the person's latent health at the time: a declining customer files
more, angrier and more urgent tickets.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from .batch import Batch
from .commerce import pick_stores
from .context import Chunk, group_rank, poisson_times
from .formatting import DAY
from .identity import NULL_STRING, with_junk
from .schema import NULL, TABLE_BY_NAME, TICKET_STATUSES
from .text import customer_message, tone
from .vocab import AGENT_REPLIES, TICKET_CATEGORIES, TICKET_SUBJECTS

CHANNELS = ("email", "chat", "phone", "in_person")
PRIORITIES = ("low", "normal", "high", "urgent")
BASE_RATE = 0.35 / 365  # tickets per customer-day at health 0
HEALTH_EFFECT = 0.9
JUNK_RATE = 0.007


@dataclass
class TicketFacts:
    """Tickets as later tables (CSAT surveys) need them."""

    person: np.ndarray
    ticket_id: np.ndarray
    resolved_at: np.ndarray
    health: np.ndarray
    escalated: np.ndarray


def generate_support(chunk: Chunk) -> tuple[Batch, Batch, TicketFacts]:
    """``support.tickets`` and ``support.ticket_messages``."""
    world, pop, render, clock, cat = (chunk.world, chunk.world.pop, chunk.world.render, chunk.world.clock,
                                      chunk.world.catalog)
    rng = chunk.rng("support")
    cust = chunk.customers
    worst = pop.health[cust] - pop.decline_drop[cust]
    peak_rate = BASE_RATE * np.exp(-HEALTH_EFFECT * worst)
    person, t = poisson_times(rng, cust, peak_rate, pop.first_purchase_at[cust] + DAY,
                              np.full(len(cust), clock.cutoff))
    health = pop.health_at(person, t)
    accept = np.exp(-HEALTH_EFFECT * (health - (pop.health[person] - pop.decline_drop[person])))
    recently_churned = (pop.churned_at[person] != NULL) & (t < pop.churned_at[person] + 20 * DAY)
    accept *= pop.customer_at(person, t) | recently_churned
    keep = rng.random(len(t)) < accept
    person, t, health = person[keep], t[keep], health[keep]
    n = len(person)

    channel = rng.choice(4, n, p=[0.35, 0.3, 0.25, 0.1])
    in_person = channel == 3
    store = np.where(in_person, pick_stores(rng, chunk, person, t), -1)
    urgency = -health + rng.normal(0, 0.8, n)
    priority = np.digitize(urgency, [-0.9, 0.9, 1.9])
    escalated = rng.random(n) < 1 / (1 + np.exp(2.6 + 1.2 * health))
    category = rng.choice(len(TICKET_CATEGORIES), n)
    subjects = [TICKET_SUBJECTS[c] for c in TICKET_CATEGORIES]
    subject = pa.array([s for group in subjects for s in group]).take(
        pa.array(category * 3 + rng.integers(0, 3, n)))

    speed = np.array([3.0, 1.5, 0.7, 0.3])[priority]
    first_response = t + (rng.lognormal(np.log(2 * 3600), 0.8, n) * speed).astype(np.int64) + 60
    resolved = first_response + (rng.lognormal(np.log(26 * 3600), 0.9, n) * np.where(escalated, 3.5, 1.0)).astype(
        np.int64)
    first_response = np.where(first_response < clock.cutoff, first_response, NULL)
    resolved = np.where(resolved < clock.cutoff, resolved, NULL)
    closed = (resolved != NULL) & (resolved < clock.cutoff - 4 * DAY) & (rng.random(n) < 0.8)
    status = np.select([closed, resolved != NULL, first_response == NULL], [4, 3, 0],
                       np.where(rng.random(n) < 0.6, 1, 2))

    email = render.emails(rng, person, work_share=0.1)
    email = pc.if_else(pa.array(rng.random(n) < np.array([0.0, 0.15, 0.6, 0.8])[channel]), NULL_STRING, email)
    email = with_junk(rng, email, render.junk_emails(rng, person), JUNK_RATE)
    phone = pc.if_else(pa.array(rng.random(n) < np.array([0.85, 0.75, 0.05, 0.5])[channel]), NULL_STRING,
                       render.phones(rng, person))
    phone = with_junk(rng, phone, render.junk_phones(rng, n), JUNK_RATE)
    ticket_ids = world.ids.take("ticket", n)
    latest = np.maximum.reduce([t, first_response, resolved])
    zone = np.where(in_person, cat.store_zone[np.maximum(store, 0)], pop.zone[person])
    tickets = Batch(TABLE_BY_NAME["support.tickets"], {
        "ticket_id": ticket_ids,
        "requester_email": email,
        "requester_phone": phone,
        "requester_name": render.full_names(rng, person, nickname=0.25),
        "channel": pa.array(np.array(CHANNELS)[channel]),
        "store_id": np.where(in_person, store + 1, NULL),
        "priority": pa.array(np.array(PRIORITIES)[priority]),
        "status": pa.array(np.array(TICKET_STATUSES)[status]),
        "category": pa.array(np.array(TICKET_CATEGORIES)[category]),
        "subject": subject,
        "is_escalated": escalated,
        "opened_at": t,
        "first_response_at": first_response,
        "resolved_at": resolved,
        "_loaded_at": clock.load_times(rng, latest),
    }, person=person, offset=world.zones.offsets(zone, t))

    # Messages: customer and agent alternate between opening and resolution.
    n_msg = 2 + np.minimum(rng.poisson(1.5, n), 6)
    msg_ticket = np.repeat(np.arange(n), n_msg)
    rank = group_rank(msg_ticket)
    thread_end = np.where(resolved != NULL, resolved, np.minimum(t + 7 * DAY, clock.cutoff - 60))
    span = np.maximum(thread_end - t, 0)[msg_ticket]
    u = np.where(rank == 0, 0.0, rng.random(len(msg_ticket)))
    order = np.lexsort((u, msg_ticket))
    sent = t[msg_ticket] + (u[order] * span).astype(np.int64)
    from_customer = rank % 2 == 0
    mood = tone(rng, health[msg_ticket])
    body = pc.if_else(pa.array(from_customer), customer_message(rng, mood),
                      pa.array(AGENT_REPLIES).take(pa.array(rng.integers(len(AGENT_REPLIES), size=len(rank)))))
    messages = Batch(TABLE_BY_NAME["support.ticket_messages"], {
        "message_id": world.ids.take("message", len(msg_ticket)),
        "ticket_id": ticket_ids[msg_ticket],
        "author_type": pa.array(np.where(from_customer, "customer", "agent")),
        "body": body,
        "sent_at": sent,
        "_loaded_at": clock.load_times(rng, sent),
    }, person=person[msg_ticket])
    return tickets, messages, TicketFacts(person, ticket_ids, resolved, health, escalated)
