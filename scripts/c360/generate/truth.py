"""Ground-truth tables: persons, lifecycle, record-to-person map, defects, violations."""

from __future__ import annotations

import numpy as np
import pyarrow as pa

from . import formatting as fmt
from .pools import Pools
from .population import SEGMENTS, Population
from .schema import NULL, PREFIX, TRUTH_SCHEMAS, Table

PERSON_PREFIX, PERSON_WIDTH = "PER-", 7
HOUSEHOLD_PREFIX = "HH-"


def person_ids(idx: np.ndarray) -> pa.Array:
    return fmt.ids(idx + 1, PERSON_PREFIX, PERSON_WIDTH)


def _timestamps(values: np.ndarray) -> pa.Array:
    return pa.array(values, type=pa.timestamp("s", tz="UTC"), mask=values == NULL)


def persons_table(pop: Population, pools: Pools, idx: np.ndarray) -> pa.Table:
    """``truth/persons`` rows for persons ``idx``; the home place is the address after any move."""
    home = (pop.moved_at[idx] != NULL).astype(np.int64)
    area, region, lat, lon = pools.place_truth(pop.country[idx], pop.area[home, idx])
    return pa.Table.from_arrays([
        person_ids(idx),
        pa.array(pop.is_customer[idx]),
        pa.array(~pop.is_customer[idx]),
        pa.array(pools.names[pop.first[idx]], pa.string()),
        pa.array(pools.names[pop.last[idx]], pa.string()),
        pa.array(pop.birth_day[idx].astype(np.int32), pa.date32()),
        pa.array(np.array(["US", "GB", "DE"])[pop.country[idx]]),
        fmt.ids(pop.household[idx] + 1, HOUSEHOLD_PREFIX, PERSON_WIDTH),
        pop.email_home.take(pa.array(idx)),
        pop.email_work.take(pa.array(idx)),
        pop.phone_e164.take(pa.array(idx)),
        pop.handle.take(pa.array(idx)),
        pa.array(np.array(SEGMENTS)[pop.segment[idx]]),
        pa.array(pop.health[idx]),
        _timestamps(pop.became_lead_at[idx]),
        _timestamps(pop.first_purchase_at[idx]),
        _timestamps(pop.churned_at[idx]),
        _timestamps(pop.reactivated_at[idx]),
        _timestamps(pop.moved_at[idx]),
        pa.array(area, pa.string()),
        pa.array(region, pa.string()),
        pa.array(lat, pa.float64()),
        pa.array(lon, pa.float64()),
    ], schema=TRUTH_SCHEMAS["persons"])


def lifecycle_table(pop: Population, idx: np.ndarray) -> pa.Table:
    """``truth/lifecycle``: one row per lifecycle event, ordered by person and time."""
    events = (("became_lead", pop.became_lead_at), ("first_purchase", pop.first_purchase_at),
              ("churned", pop.churned_at), ("reactivated", pop.reactivated_at))
    person, name, when = [], [], []
    for label, values in events:
        present = idx[values[idx] != NULL]
        person.append(present)
        name.append(np.full(len(present), label))
        when.append(values[present])
    person, name, when = map(np.concatenate, (person, name, when))
    order = np.lexsort((when, person))
    return pa.Table.from_arrays(
        [person_ids(person[order]), pa.array(name[order]), _timestamps(when[order])],
        schema=TRUTH_SCHEMAS["lifecycle"])


def record_persons_table(table: Table, keys: pa.Array, person: np.ndarray, lo: int, hi: int) -> pa.Table:
    """``truth/record_persons`` rows: dictionary-encoded, with the chunk's person ids as dictionary."""
    n = len(keys)
    zeros = pa.array(np.zeros(n, np.int8))
    return pa.Table.from_arrays([
        pa.DictionaryArray.from_arrays(zeros, pa.array([table.source])),
        pa.DictionaryArray.from_arrays(zeros, pa.array([table.name])),
        keys,
        pa.DictionaryArray.from_arrays(pa.array((person - lo).astype(np.int32)), person_ids(np.arange(lo, hi))),
    ], schema=TRUTH_SCHEMAS["record_persons"])


def malformed_table(columns: dict[str, list]) -> pa.Table:
    schema = TRUTH_SCHEMAS["malformed_rows"]
    return pa.Table.from_pydict({f.name: columns[f.name] for f in schema}, schema=schema)


def violations_table(touch: np.ndarray, person: np.ndarray, reason: np.ndarray) -> pa.Table:
    prefix, width = PREFIX["touch"]
    return pa.Table.from_arrays(
        [fmt.ids(touch, prefix, width), person_ids(person), pa.array(reason, pa.string())],
        schema=TRUTH_SCHEMAS["consent_violations"])

