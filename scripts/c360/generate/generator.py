"""Orchestration: build the world, generate chunk after chunk, write everything."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator
from contextlib import nullcontext
from pathlib import Path

import numpy as np
import pyarrow as pa
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from .batch import Batch
from .billing import generate_billing
from .catalog import build_catalog
from .clock import Clock
from .commerce import generate_orders
from .context import Chunk, World
from .crm import generate_crm
from .defects import plant
from .feedback import generate_claims, generate_surveys
from .identity import Renderer
from .marketing import generate_touches
from .output import DatasetWriter
from .pools import build_pools
from .population import MAX_PERSONS, PROSPECT_RATIO, build_population
from .privacy import generate_consents, generate_erasures, plan_consents
from .seeding import Streams
from .social import generate_mentions
from .support import generate_support
from .truth import lifecycle_table, malformed_table, persons_table, record_persons_table, violations_table
from .usage import generate_usage

GENERATOR_VERSION = "1.0.0"
CHUNK_SIZE = 50_000
MAX_CUSTOMERS = int(MAX_PERSONS / (1 + PROSPECT_RATIO)) - 1
EARLIEST_AS_OF = dt.date(2000, 1, 1)


def _validate(customers: int, seed: int, out: Path, as_of: dt.date) -> None:
    if isinstance(customers, bool) or not isinstance(customers, (int, np.integer)):
        raise ValueError(f"customers must be an integer, got {customers!r}")
    if not 1 <= customers <= MAX_CUSTOMERS:
        raise ValueError(f"customers must be between 1 and {MAX_CUSTOMERS:,}, got {customers:,}")
    if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)) or seed < 0:
        raise ValueError(f"seed must be a non-negative integer, got {seed!r}")
    if not isinstance(as_of, dt.date) or isinstance(as_of, dt.datetime):
        raise ValueError(f"as_of must be a datetime.date, got {as_of!r}")
    if as_of < EARLIEST_AS_OF:
        raise ValueError(f"as_of must not be before {EARLIEST_AS_OF}, got {as_of}")
    if out.exists() and not out.is_dir():
        raise ValueError(f"out must be a directory, {out} is a file")


def _chunk_batches(chunk: Chunk, truth: list[pa.Table]) -> Iterator[tuple[Batch, np.ndarray | None]]:
    """Every raw batch of one chunk with the rows that must stay free of defects.

    Truth tables produced along the way (consent violations) are appended to ``truth``.
    """
    yield from ((b, None) for b in generate_crm(chunk))
    orders, lines, facts = generate_orders(chunk)
    yield orders, None
    yield lines, None
    yield from ((b, None) for b in generate_billing(chunk, facts))
    yield from ((b, None) for b in generate_usage(chunk))
    tickets, messages, ticket_facts = generate_support(chunk)
    yield tickets, None
    yield messages, None
    yield generate_surveys(chunk, ticket_facts), None
    yield generate_claims(chunk, facts), None
    yield generate_mentions(chunk), None
    plan = plan_consents(chunk)
    touches = generate_touches(chunk, plan)
    protected = np.isin(touches.touches.data["touch_id"], touches.violation_touch)
    yield touches.touches, protected
    truth.append(violations_table(touches.violation_touch, touches.violation_person, touches.violation_reason))
    yield generate_consents(chunk, plan, touches.unsubscribes), None
    yield generate_erasures(chunk), None


def _emit(writer: DatasetWriter, batch: Batch, rng: np.random.Generator, first_chunk: bool,
          protected: np.ndarray | None, person_range: tuple[int, int]) -> int:
    planted = plant(batch, rng, first_chunk, protected)
    table = batch.table
    writer.write(table.qualified, planted.table)
    malformed = malformed_table(planted.malformed)
    if malformed.num_rows:
        writer.write("truth.malformed_rows", malformed)
    if planted.record_keys is not None and len(planted.record_keys):
        writer.write("truth.record_persons",
                     record_persons_table(table, planted.record_keys, planted.record_person, *person_range))
    return planted.table.num_rows


def generate_dataset(customers: int, seed: int, out: Path, as_of: dt.date = dt.date(2026, 10, 31),
                     progress: bool = True) -> dict:
    """Generate the Alder & Pine demo dataset under ``out``.

    Writes ``raw/<source>/<table>.parquet``, ``truth/*.parquet`` and
    ``manifest.json``.  Returns the number of rows written per file, keyed
    ``"<source>.<table>"`` for raw tables and ``"truth.<name>"`` for truth
    tables.  The output depends only on ``(customers, seed, as_of)``.
    """
    out = Path(out)
    _validate(customers, seed, out, as_of)
    streams = Streams(int(seed))
    clock = Clock(as_of)
    pools = build_pools(streams)
    catalog = build_catalog(streams, pools, clock)
    pop = build_population(int(customers), streams, pools, clock, len(catalog.categories), CHUNK_SIZE)
    world = World(streams, clock, clock.zones(), pop, catalog, Renderer(pools, pop))
    starts = range(0, pop.n, CHUNK_SIZE)

    display = Progress(TextColumn("[bold]{task.description}"), BarColumn(), MofNCompleteColumn(),
                       TextColumn("{task.fields[rows]:,} rows"), TimeElapsedColumn(),
                       console=Console(stderr=True)) if progress else nullcontext()
    out.mkdir(parents=True, exist_ok=True)
    with display, DatasetWriter(out) as writer:
        task = display.add_task("chunks", total=len(starts), rows=0) if progress else None
        written = 0
        for batch in (catalog.products, catalog.stores, catalog.campaigns):
            written += _emit(writer, batch, streams.rng("defects", batch.table.qualified), True, None, (0, 0))
        for index, lo in enumerate(starts):
            hi = min(lo + CHUNK_SIZE, pop.n)
            chunk = Chunk(world, index, np.arange(lo, hi))
            violations: list[pa.Table] = []
            for batch, protected in _chunk_batches(chunk, violations):
                rng = streams.rng("chunk", index, "defects", batch.table.qualified)
                written += _emit(writer, batch, rng, index == 0, protected, (lo, hi))
            for table in violations:
                writer.write("truth.consent_violations", table)
            writer.write("truth.persons", persons_table(pop, pools, chunk.persons))
            writer.write("truth.lifecycle", lifecycle_table(pop, chunk.persons))
            if task is not None:
                display.update(task, advance=1, rows=written)

    counts = dict(sorted(writer.rows.items()))
    manifest = {
        "generator_version": GENERATOR_VERSION,
        "seed": int(seed),
        "customers": int(customers),
        "persons": int(pop.n),
        "as_of": as_of.isoformat(),
        "chunk_size": CHUNK_SIZE,
        "raw_tables": {name: rows for name, rows in counts.items() if not name.startswith("truth.")},
        "truth_tables": {name.removeprefix("truth."): rows for name, rows in counts.items()
                         if name.startswith("truth.")},
    }
    (out / "manifest.json").write_text(json.dumps(manifest, indent=2, sort_keys=True) + "\n")
    return counts
