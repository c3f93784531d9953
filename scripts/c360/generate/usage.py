"""App accounts, devices, sessions and click-stream events.

Each device browses anonymously (``user_id`` null) until the person logs in on
it; from then on the same ``device_id`` carries the ``user_id``.  Prospects'
devices never log in.  Session frequency follows the person's activity, so
usage fades in the months before churn and stops while churned.
"""

from __future__ import annotations

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from .batch import Batch
from .context import Chunk, group_rank, poisson_times, run_starts
from .formatting import DAY
from .identity import NULL_STRING
from .population import scramble
from .schema import EVENT_TYPES, NULL, TABLE_BY_NAME
from .vocab import APP_SCREENS, FEATURES, LANDING_PAGES, SEARCH_TERMS, UTM, WEB_PAGES

PLATFORMS = ("ios", "android", "web")
WEB = 2
PAGE_VIEW, SCREEN_VIEW, SEARCH, ADD_TO_CART, FEATURE_USE, LOGIN, LOGOUT = range(7)


class _Names:
    """Vocabulary of event names with index ranges per event type."""

    def __init__(self, product_count: int) -> None:
        groups = {
            PAGE_VIEW: list(WEB_PAGES),
            SCREEN_VIEW: list(APP_SCREENS),
            SEARCH: [f"search:{t}" for t in SEARCH_TERMS],
            ADD_TO_CART: [f"add_to_cart:PRD-{i:04d}" for i in range(1, product_count + 1)],
            FEATURE_USE: list(FEATURES),
            LOGIN: ["login"],
            LOGOUT: ["logout"],
        }
        self.start = np.zeros(len(groups), np.int64)
        self.size = np.zeros(len(groups), np.int64)
        values: list[str] = []
        for kind, names in groups.items():
            self.start[kind], self.size[kind] = len(values), len(names)
            values.extend(names)
        self.values = pa.array(values)

    def draw(self, rng, kind: np.ndarray) -> pa.Array:
        return self.values.take(pa.array(self.start[kind] + (rng.random(len(kind)) * self.size[kind]).astype(np.int64)))


def _devices(rng, chunk: Chunk):
    """App accounts and devices of the chunk.

    Returns ``(app persons, account created_at, signup platform)`` and, per
    device sorted by owner, ``(owner, platform, first_seen, last_seen, login)``
    where ``login`` is NULL for devices that never log in.
    """
    pop, clock = chunk.world.pop, chunk.world.clock
    persons = chunk.persons
    app = persons[pop.has_app[persons]]
    created = pop.app_created_at[app]
    signup_platform = rng.choice(3, len(app), p=[0.4, 0.35, 0.25])

    # The sign-up device: anonymous browsing first, then the login that creates the account.
    owner = [app]
    platform = [signup_platform]
    first_seen = [np.maximum(created - rng.integers(0, 45 * DAY, len(app)), clock.start)]
    login = [created]
    # Further devices of app users, most of which log in after a while.
    copies = (rng.random(len(app)) < 0.5).astype(np.int64) + (rng.random(len(app)) < 0.15)
    extra = np.repeat(app, copies)
    extra_seen = np.minimum(np.repeat(created, copies) + rng.integers(0, 400 * DAY, len(extra)), clock.cutoff - DAY)
    owner.append(extra)
    platform.append(rng.choice(3, len(extra), p=[0.35, 0.3, 0.35]))
    first_seen.append(extra_seen)
    login.append(np.where(rng.random(len(extra)) < 0.8,
                          np.minimum(extra_seen + rng.integers(0, 20 * DAY, len(extra)), clock.cutoff - 1), NULL))
    # Customers without an app account browse the web shop anonymously.
    others = persons[pop.is_customer[persons] & ~pop.has_app[persons]]
    others = others[rng.random(len(others)) < 0.6]
    owner.append(others)
    platform.append(np.full(len(others), WEB))
    first_seen.append(np.maximum(pop.first_purchase_at[others] - rng.integers(0, 60 * DAY, len(others)), clock.start))
    login.append(np.full(len(others), NULL))
    # Prospects: anonymous devices only, used for a while.
    prospects = persons[~pop.is_customer[persons]]
    copies = (rng.random(len(prospects)) < 0.6) * (1 + (rng.random(len(prospects)) < 0.3))
    prospects = np.repeat(prospects, copies)
    owner.append(prospects)
    platform.append(rng.choice(3, len(prospects), p=[0.2, 0.15, 0.65]))
    first_seen.append(rng.integers(clock.start, clock.cutoff - DAY, len(prospects)))
    login.append(np.full(len(prospects), NULL))

    owner, platform, first_seen, login = map(np.concatenate, (owner, platform, first_seen, login))
    last_seen = np.where(pop.is_customer[owner], clock.cutoff,
                         np.minimum(first_seen + rng.integers(30 * DAY, 400 * DAY, len(owner)), clock.cutoff))
    order = np.lexsort((first_seen, owner))
    devices = tuple(a[order] for a in (owner, platform, first_seen, last_seen, login))
    return (app, created, signup_platform), devices


def _event_types(rng, n_events: np.ndarray, is_web: np.ndarray, first_login: np.ndarray,
                 logged_in: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Event type per event and its session (row index into the sessions)."""
    session = np.repeat(np.arange(len(n_events)), n_events)
    rank = group_rank(session)
    web = is_web[session]
    u = rng.random(len(session))
    view = np.where(web, PAGE_VIEW, SCREEN_VIEW)
    kind = np.where(u < 0.62, view, np.where(u < 0.76, SEARCH, np.where(u < 0.87, ADD_TO_CART,
                                                                          np.where(web, PAGE_VIEW, FEATURE_USE))))
    kind = np.where(rank == 0, np.where(first_login[session], LOGIN, view), kind)
    last = rank == n_events[session] - 1
    logout = last & (rank > 0) & logged_in[session] & (rng.random(len(session)) < 0.05)
    return np.where(logout, LOGOUT, kind), session


def generate_usage(chunk: Chunk) -> tuple[Batch, Batch, Batch]:
    """``usage.app_users``, ``usage.sessions`` and ``usage.events``."""
    world, pop, render, clock = chunk.world, chunk.world.pop, chunk.world.render, chunk.world.clock
    rng = chunk.rng("usage")
    (app, created, signup_platform), (owner, platform, first_seen, last_seen, login) = _devices(rng, chunk)
    device_ids = world.ids.take("device", len(owner))

    app_users = Batch(TABLE_BY_NAME["usage.app_users"], {
        "user_id": scramble(app, 4),
        "email": render.emails(rng, app, work_share=0.05),
        "display_name": render.display_names(rng, app),
        "signup_platform": pa.array(np.array(PLATFORMS)[signup_platform]),
        "created_at": created,
        "_loaded_at": clock.extract_times(rng, len(app)),
    }, person=app)

    # Sessions: Poisson per device, thinned by the owner's activity at that time.
    rate = pop.usage_rate[owner] * np.where(pop.is_customer[owner], 1.0, 0.6)
    dev, start = poisson_times(rng, np.arange(len(owner)), rate, first_seen, last_seen)
    keep = rng.random(len(dev)) < pop.activity(owner[dev], start)
    order = np.lexsort((start[keep], dev[keep]))
    dev, start = dev[keep][order], start[keep][order]

    n_events = 1 + rng.poisson(3.0, len(dev))
    gaps = rng.exponential(45.0, int(n_events.sum())).astype(np.int64) + 1
    first_event = np.cumsum(n_events) - n_events
    elapsed = np.cumsum(gaps)
    session_of_event = np.repeat(np.arange(len(dev)), n_events)
    offset = elapsed - elapsed[first_event][session_of_event]
    end = start + offset[first_event + n_events - 1] + rng.integers(5, 90, len(dev))
    inside = end < clock.cutoff
    dev, start, end, n_events = dev[inside], start[inside], end[inside], n_events[inside]
    offset = offset[inside[session_of_event]]

    logged_in = (login[dev] != NULL) & (start >= login[dev])
    first_login = logged_in & run_starts(dev, logged_in)
    is_web = platform[dev] == WEB
    kind, ev_session = _event_types(rng, n_events, is_web, first_login, logged_in)
    user = np.where(logged_in, scramble(owner[dev], 4), NULL)
    person = owner[dev]
    session_ids = world.ids.take("session", len(dev))
    platforms = pa.array(np.array(PLATFORMS)[platform[dev]])
    utm = np.where(is_web & (rng.random(len(dev)) < 0.4), rng.integers(len(UTM), size=len(dev)), -1)
    utm_source = pa.array(np.array([u[0] for u in UTM] + [""])[utm])
    utm_medium = pa.array(np.array([u[1] for u in UTM] + [""])[utm])
    no_utm = pa.array(utm < 0)
    landing = pa.array(np.array(LANDING_PAGES)[rng.integers(len(LANDING_PAGES), size=len(dev))])
    views = np.bincount(ev_session, weights=(kind == PAGE_VIEW) | (kind == SCREEN_VIEW), minlength=len(dev))

    sessions = Batch(TABLE_BY_NAME["usage.sessions"], {
        "session_id": session_ids,
        "device_id": device_ids[dev],
        "user_id": user,
        "platform": platforms,
        "started_at": start,
        "ended_at": end,
        "landing_page": pc.if_else(pa.array(is_web), landing, NULL_STRING),
        "utm_source": pc.if_else(no_utm, NULL_STRING, utm_source),
        "utm_medium": pc.if_else(no_utm, NULL_STRING, utm_medium),
        "page_views": views.astype(np.int64),
        "_loaded_at": clock.load_times(rng, end),
    }, person=person)
    occurred = start[ev_session] + offset
    events = Batch(TABLE_BY_NAME["usage.events"], {
        "event_id": world.ids.take("event", len(ev_session)),
        "session_id": session_ids[ev_session],
        "device_id": device_ids[dev][ev_session],
        "user_id": user[ev_session],
        "platform": platforms.take(pa.array(ev_session)),
        "event_type": pa.array(np.array(EVENT_TYPES)[kind]),
        "event_name": _Names(len(world.catalog.product_sub)).draw(rng, kind),
        "occurred_at": occurred,
        "_loaded_at": clock.load_times(rng, occurred),
    }, person=person[ev_session])
    return app_users, sessions, events
