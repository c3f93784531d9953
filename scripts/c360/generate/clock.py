"""The simulated time window and load-time (``_loaded_at``) conventions.

Business events happen in ``[start, cutoff)`` where ``cutoff`` is midnight UTC
at the start of ``as_of``.  Entity extracts land between 01:00 and 05:00 UTC on
``as_of``; event rows land minutes to hours after their event, never later
than their extract.  So ``_loaded_at`` is always at least one minute after the
row's latest business timestamp.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np

from .formatting import DAY, ZoneOffsets, epoch_seconds

HISTORY_DAYS = 3 * 365


@dataclass(frozen=True)
class Clock:
    """Time window of one run."""

    as_of: dt.date

    @property
    def cutoff(self) -> int:
        return epoch_seconds(self.as_of)

    @property
    def start(self) -> int:
        return self.cutoff - HISTORY_DAYS * DAY

    @property
    def extract(self) -> int:
        """Earliest extract instant (01:00 UTC on ``as_of``)."""
        return self.cutoff + 3600

    def zones(self) -> ZoneOffsets:
        first = (self.as_of - dt.timedelta(days=HISTORY_DAYS + 400)).year
        return ZoneOffsets(first, self.as_of.year + 1)

    def extract_times(self, rng: np.random.Generator, n: int) -> np.ndarray:
        """``_loaded_at`` of entity rows: the nightly extract on ``as_of``."""
        return self.extract + rng.integers(0, 4 * 3600, n)

    def load_times(self, rng: np.random.Generator, latest_event: np.ndarray) -> np.ndarray:
        """``_loaded_at`` of event rows: a lag of minutes to hours, capped by the extract."""
        lag = np.clip(rng.lognormal(np.log(20 * 60), 1.2, len(latest_event)), 60, 2 * DAY).astype(np.int64)
        return np.minimum(latest_event + lag, self.extract_times(rng, len(latest_event)))
