"""Everything a table generator needs to produce one chunk of persons."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from .catalog import Catalog
from .clock import Clock
from .formatting import DAY, ZoneOffsets
from .identity import Renderer
from .population import Population
from .seeding import Streams


class IdAllocator:
    """Sequential record numbers per kind, continuing from chunk to chunk."""

    def __init__(self) -> None:
        self._next: dict[str, int] = {}

    def take(self, kind: str, n: int) -> np.ndarray:
        start = self._next.get(kind, 1)
        self._next[kind] = start + n
        return np.arange(start, start + n, dtype=np.int64)


@dataclass
class World:
    """Run-wide state shared by all chunks."""

    streams: Streams
    clock: Clock
    zones: ZoneOffsets
    pop: Population
    catalog: Catalog
    render: Renderer
    ids: IdAllocator = field(default_factory=IdAllocator)


@dataclass
class Chunk:
    """One contiguous slice of persons and its random streams."""

    world: World
    index: int
    persons: np.ndarray

    def rng(self, name: str) -> np.random.Generator:
        return self.world.streams.rng("chunk", self.index, name)

    @property
    def customers(self) -> np.ndarray:
        return self.persons[self.world.pop.is_customer[self.persons]]


def poisson_times(rng: np.random.Generator, persons: np.ndarray, rate_per_day: np.ndarray,
                  start: np.ndarray, end: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Homogeneous Poisson event times per person on ``[start, end)``.

    Returns the person of each event and its epoch-second time, grouped by person.
    """
    span = np.maximum(end - start, 0)
    counts = rng.poisson(rate_per_day * span / DAY)
    rows = np.repeat(persons, counts)
    times = np.repeat(start, counts) + (rng.random(rows.size) * np.repeat(span, counts)).astype(np.int64)
    return rows, times


def categorical(rng: np.random.Generator, probs: np.ndarray) -> np.ndarray:
    """One draw per row of a (rows, k) probability matrix."""
    cum = np.cumsum(probs, axis=1)
    u = rng.random(len(probs)) * cum[:, -1]
    return np.minimum((u[:, None] > cum).sum(axis=1), probs.shape[1] - 1)


def run_starts(*keys: np.ndarray) -> np.ndarray:
    """True where a row starts a new run of equal, adjacent values of ``keys``."""
    n = len(keys[0])
    starts = np.ones(n, bool)
    if n > 1:
        starts[1:] = np.logical_or.reduce([k[1:] != k[:-1] for k in keys])
    return starts


def group_rank(keys: np.ndarray) -> np.ndarray:
    """Position of each row within its run of equal, adjacent ``keys``."""
    first = np.maximum.accumulate(np.where(run_starts(keys), np.arange(len(keys)), 0))
    return np.arange(len(keys)) - first
