"""The upsell ceiling on generated data: how well any ranking could do.

The generator draws what a person buys from a known process: each person
has preferences over categories (spread evenly over a category's
subcategories); the first line of an order follows the person's preferences
and the subcategory the previous order opened with (a transition matrix of
the catalogue), and further lines follow the preferences and the order's
first line. An oracle that knows each person's true preferences and that
process can rank the subcategories a customer does not own by their exact
chance of being the first new one bought: no model that learns from the
data can expect a better hit rate. Comparing the model and the most popular
subcategories with that oracle, on the same customers of the same
out-of-time window, shows how much of the possible gain a ranking reaches.

The oracle rebuilds the generator's population from the dataset's manifest
(seed, customers, as-of date), checks it against ``truth/persons``, finds
each customer's person through ``truth/record_persons`` and the identity
map, and estimates each chance by simulating the customer's next orders.
"""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow.parquet as pq

from c360.project import C360Error, Project
from c360.scoring import data, upsell
from c360.scoring.config import ScoringConfig
from c360.warehouse import read_sql

#: Orders simulated per draw before giving up on a new subcategory.
MAX_ORDERS = 12


def generator_world(dataset: Path):
    """(population, catalogue) of the generator run that wrote ``dataset``,
    rebuilt from its manifest and checked against its truth tables."""
    from c360.generate.catalog import build_catalog
    from c360.generate.clock import Clock
    from c360.generate.pools import build_pools
    from c360.generate.population import build_population
    from c360.generate.seeding import Streams

    manifest = json.loads((dataset / "manifest.json").read_text())
    streams = Streams(int(manifest["seed"]))
    clock = Clock(date.fromisoformat(manifest["as_of"]))
    pools = build_pools(streams)
    catalog = build_catalog(streams, pools, clock)
    pop = build_population(int(manifest["customers"]), streams, pools, clock, len(catalog.categories),
                           int(manifest["chunk_size"]))
    health = pq.read_table(dataset / "truth" / "persons.parquet", columns=["latent_health"]).column(0).to_numpy()
    if len(health) != pop.n or not np.allclose(health, pop.health):
        raise C360Error(f"the generator no longer reproduces the population of {dataset} "
                        f"(generator version {manifest.get('generator_version')}): no ceiling")
    return pop, catalog


def customer_persons(project: Project, dataset: Path) -> pd.Series:
    """customer_id -> person number (0-based): the person most of the
    customer's source records belong to."""
    identity = read_sql(project, f"""
        select source_name, table_name, record_id, customer_id
        from {data.relation(project, "marts", "customer_identity_map")}
    """)
    truth = pq.read_table(dataset / "truth" / "record_persons.parquet").to_pandas()
    truth = truth.astype({"source_name": str, "table_name": str, "person_id": str})
    merged = identity.merge(truth.rename(columns={"record_key": "record_id"}),
                            on=["source_name", "table_name", "record_id"])
    top = (merged.groupby(["customer_id", "person_id"]).size().rename("records").reset_index()
           .sort_values(["customer_id", "records", "person_id"], ascending=[True, False, True])
           .drop_duplicates("customer_id"))
    return pd.Series(top["person_id"].str.removeprefix("PER-").astype(int).to_numpy() - 1,
                     index=top["customer_id"].to_numpy())


def first_new_chances(pref: np.ndarray, transition: np.ndarray, lead: np.ndarray, owned: np.ndarray,
                      draws: int, rng: np.random.Generator) -> np.ndarray:
    """(customers, S) estimated chance that each subcategory is the first new
    one a customer buys: ``draws`` simulations of the next orders from the
    generator's process (c360.generate.commerce: the first line from the
    person's preferences and the transition out of the previous order's
    first line, further lines from preferences and the transition out of the
    first line);
    subcategories are numbered in alphabetical order, and within an order
    the alphabetically first new one counts first, as in the evaluation."""
    from c360.generate.commerce import (
        MAX_EXTRA_LINES,
        extra_lines,
        first_line_probabilities,
        follow_line_probabilities,
    )
    from c360.generate.context import categorical

    n, s = pref.shape
    who = np.repeat(np.arange(n), draws)
    previous = np.repeat(lead, draws)
    first_new = np.full(len(who), -1)
    for _ in range(MAX_ORDERS):
        open_ = np.flatnonzero(first_new < 0)
        if not len(open_):
            break
        p, pr = pref[who[open_]], previous[open_]
        first = categorical(rng, first_line_probabilities(p, transition[pr]))
        lines = np.full((len(open_), 1 + MAX_EXTRA_LINES), -1)
        lines[:, 0] = first
        extra = extra_lines(rng, len(open_))
        follow = follow_line_probabilities(p, transition[first])
        for j in range(1, 1 + MAX_EXTRA_LINES):
            drawn = categorical(rng, follow)
            lines[:, j] = np.where(extra >= j, drawn, -1)
        fresh = (lines >= 0) & ~owned[who[open_][:, None], np.maximum(lines, 0)]
        best = np.where(fresh, lines, s).min(axis=1)
        found = best < s
        first_new[open_[found]] = best[found]
        previous[open_] = first
    counts = np.zeros((n, s))
    done = first_new >= 0
    np.add.at(counts, (who[done], first_new[done]), 1)
    return counts / draws


def upsell_ceiling(project: Project, dataset: Path, as_of: date, config: ScoringConfig,
                   draws: int = 2000, seed: int = 0) -> dict:
    """Hit rates at k on the upsell model's out-of-time window: the oracle's,
    and the most popular subcategories', on the customers whose person is
    known; with the ratio between them (the most the model could reach)."""
    pop, catalog = generator_world(dataset)
    lines = data.order_lines(project, as_of)
    subs = sorted(lines["subcategory"].unique())
    unknown = sorted(set(subs) - set(catalog.subcategories))
    if unknown:
        raise C360Error(f"subcategories the generator does not know: {', '.join(unknown)}")
    from c360.generate.commerce import subcategory_preferences
    from c360.scoring.run import upsell_plan

    _, test_date = upsell_plan(as_of, config)
    k = upsell.knowledge(lines, test_date, subs)
    _, first_new = upsell.bought_after(lines, k, config.upsell_horizon_days)
    persons = customer_persons(project, dataset).reindex(k.customers)
    evaluated = np.array(sorted(p for p in first_new if not np.isnan(persons.iloc[p])), dtype=int)
    if not len(evaluated):
        return {"customers_evaluated": 0}
    # the generator's subcategory order -> the evaluation's (sorted names)
    to_eval = np.array([subs.index(name) if name in subs else -1 for name in catalog.subcategories])
    in_eval = to_eval >= 0
    person = persons.iloc[evaluated].to_numpy().astype(int)
    pref_gen = subcategory_preferences(pop.category_pref[person], catalog)
    # in the evaluation's order; subcategories never sold by the as-of date are left out
    pref = np.zeros((len(evaluated), len(subs)))
    pref[:, to_eval[in_eval]] = pref_gen[:, in_eval]
    transition = np.zeros((len(subs), len(subs)))
    transition[np.ix_(to_eval[in_eval], to_eval[in_eval])] = catalog.transition[np.ix_(in_eval, in_eval)]
    pref /= pref.sum(axis=1, keepdims=True)
    transition /= np.maximum(transition.sum(axis=1, keepdims=True), 1e-12)
    lead = k.lead_of_last[evaluated].astype(int)
    chances = first_new_chances(pref, transition, lead, k.owned[evaluated], draws, np.random.default_rng(seed))
    top = config.upsell_top_k
    chances = np.where(k.owned[evaluated], -1.0, chances - 1e-9 * np.arange(len(subs)))
    picks = np.argsort(-chances, axis=1)[:, :top]
    truth = np.array([first_new[p] for p in evaluated])
    oracle = float((picks == truth[:, None]).any(axis=1).mean())
    ranked = upsell.popular_ranking(k, top)
    popular = upsell.hit_rate(ranked[ranked["pos"].isin(evaluated)], {p: first_new[p] for p in evaluated})
    return {"k": top, "customers_evaluated": int(len(evaluated)), "draws": draws,
            "oracle_hit_rate": round(oracle, 4), "popular_hit_rate": round(popular, 4),
            "oracle_ratio_to_popular": round(oracle / popular, 3) if popular else None}
