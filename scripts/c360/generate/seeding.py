"""Named, reproducible random streams derived from one integer seed.

Every stream is a child of ``numpy.random.SeedSequence(seed)`` identified by a
path of names and integers (for example ``("chunk", 3, "orders")``).  A stream
therefore depends only on the seed and its path, never on how many other
streams were drawn before it, which keeps every table stable when another
table's logic changes and makes chunk output independent of the chunk count.
"""

from __future__ import annotations

import zlib

import numpy as np


def _path_key(part: str | int) -> int:
    if isinstance(part, (int, np.integer)):
        return int(part)
    return zlib.crc32(part.encode("utf-8"))


class Streams:
    """Factory of independent ``numpy.random.Generator`` objects."""

    def __init__(self, seed: int) -> None:
        self._root = np.random.SeedSequence(seed)

    def seed_sequence(self, *path: str | int) -> np.random.SeedSequence:
        """Return the child ``SeedSequence`` addressed by ``path``."""
        key = self._root.spawn_key + tuple(_path_key(p) for p in path)
        return np.random.SeedSequence(self._root.entropy, spawn_key=key)

    def rng(self, *path: str | int) -> np.random.Generator:
        """Return a PCG64 generator for ``path``."""
        return np.random.Generator(np.random.PCG64(self.seed_sequence(*path)))

    def int_seed(self, *path: str | int) -> int:
        """Return a 32-bit integer seed for libraries that need one (Faker)."""
        return int(self.seed_sequence(*path).generate_state(1, dtype=np.uint32)[0])
