"""Vectorised rendering of internal values into the contract's string forms.

All functions take numpy arrays (integer-coded, :data:`schema.NULL` for
missing) and return ``pyarrow`` string arrays.  The heavy lifting happens in
Arrow compute kernels, so millions of values format in well under a second.
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from .schema import NULL

DAY = 86_400
STRING = pa.string()

# Time zones used for local timestamps: standard offset (minutes) and DST rule.
ZONES = (
    ("America/New_York", -300, "us"),
    ("America/Chicago", -360, "us"),
    ("America/Denver", -420, "us"),
    ("America/Los_Angeles", -480, "us"),
    ("Europe/London", 0, "eu"),
    ("Europe/Berlin", 60, "eu"),
)
ZONE_STD = np.array([z[1] for z in ZONES], dtype=np.int64)


def epoch_seconds(day: dt.date) -> int:
    """UTC midnight of ``day`` as epoch seconds."""
    return int((day - dt.date(1970, 1, 1)).days) * DAY


def _nth_sunday(year: int, month: int, n: int) -> dt.date:
    first = dt.date(year, month, 1)
    first_sunday = first + dt.timedelta(days=(6 - first.weekday()) % 7)
    return first_sunday + dt.timedelta(weeks=n - 1)


def _last_sunday(year: int, month: int) -> dt.date:
    nxt = dt.date(year + (month == 12), month % 12 + 1, 1)
    last = nxt - dt.timedelta(days=1)
    return last - dt.timedelta(days=(last.weekday() + 1) % 7)


def _dst_window(year: int, std_minutes: int, rule: str) -> tuple[int, int]:
    """UTC start/end (epoch seconds) of daylight saving time in ``year``."""
    if rule == "us":
        start = epoch_seconds(_nth_sunday(year, 3, 2)) + 2 * 3600 - std_minutes * 60
        end = epoch_seconds(_nth_sunday(year, 11, 1)) + 1 * 3600 - std_minutes * 60
    else:
        start = epoch_seconds(_last_sunday(year, 3)) + 3600
        end = epoch_seconds(_last_sunday(year, 10)) + 3600
    return start, end


class ZoneOffsets:
    """UTC offsets (minutes) of the supported zones for a range of years."""

    def __init__(self, first_year: int, last_year: int) -> None:
        self.first_year = first_year
        years = range(first_year, last_year + 1)
        windows = np.array([[_dst_window(y, std, rule) for y in years] for _, std, rule in ZONES], dtype=np.int64)
        self._start = windows[:, :, 0]
        self._end = windows[:, :, 1]

    def offsets(self, zone: np.ndarray, seconds: np.ndarray) -> np.ndarray:
        """Offset in minutes for each (zone index, UTC instant) pair."""
        years = seconds.astype("datetime64[s]").astype("datetime64[Y]").astype(np.int64) + 1970
        y = np.clip(years - self.first_year, 0, self._start.shape[1] - 1)
        in_dst = (seconds >= self._start[zone, y]) & (seconds < self._end[zone, y])
        return ZONE_STD[zone] + 60 * in_dst


def _offset_strings(minutes: np.ndarray) -> pa.Array:
    """``+HH:MM`` strings for offsets in minutes (via a small lookup)."""
    values = np.arange(-12 * 60, 14 * 60 + 1, 15)
    labels = pa.array([f"{'+' if v >= 0 else '-'}{abs(v) // 60:02d}:{abs(v) % 60:02d}" for v in values])
    return labels.take(pa.array((minutes - values[0]) // 15))


def _mask(values: np.ndarray) -> np.ndarray | None:
    missing = values == NULL
    return missing if missing.any() else None


def ids(values: np.ndarray, prefix: str, width: int) -> pa.Array:
    """``<prefix><zero padded number>``; :data:`NULL` becomes null."""
    digits = pc.utf8_lpad(pc.cast(pa.array(values, mask=_mask(values)), pa.string()), width=width, padding="0")
    return pc.binary_join_element_wise(prefix, digits, "")


def utc(seconds: np.ndarray) -> pa.Array:
    """``YYYY-MM-DD HH:MM:SS`` (UTC)."""
    return pc.cast(pa.array(seconds, type=pa.timestamp("s"), mask=_mask(seconds)), pa.string())


def zulu(seconds: np.ndarray) -> pa.Array:
    """``YYYY-MM-DDTHH:MM:SSZ`` (UTC)."""
    text = pc.replace_substring(utc(seconds), " ", "T", max_replacements=1)
    return pc.binary_join_element_wise(text, "Z", "")


def local(seconds: np.ndarray, offset_minutes: np.ndarray) -> pa.Array:
    """``YYYY-MM-DDTHH:MM:SS+HH:MM``: local wall time with its UTC offset."""
    missing = seconds == NULL
    shifted = np.where(missing, NULL, seconds + offset_minutes * 60)
    text = pc.replace_substring(utc(shifted), " ", "T", max_replacements=1)
    return pc.binary_join_element_wise(text, _offset_strings(offset_minutes), "")


def dates(days: np.ndarray) -> pa.Array:
    """``YYYY-MM-DD`` from days since the epoch."""
    return pc.cast(pa.array(days.astype(np.int32), type=pa.date32(), mask=_mask(days)), pa.string())


def money(cents: np.ndarray) -> pa.Array:
    """Two-decimal amounts such as ``129.99`` or ``-5.00``; :data:`NULL` becomes null."""
    missing = cents == NULL
    magnitude = np.abs(np.where(missing, 0, cents))
    units = pc.cast(pa.array(magnitude // 100), pa.string())
    frac = pc.utf8_lpad(pc.cast(pa.array(magnitude % 100), pa.string()), width=2, padding="0")
    sign = pc.if_else(pa.array((cents < 0) & ~missing), pa.scalar("-"), pa.scalar(""))
    text = pc.binary_join_element_wise(pc.binary_join_element_wise(sign, units, ""), frac, ".")
    if missing.any():
        text = pc.if_else(pa.array(missing), pa.scalar(None, pa.string()), text)
    return text


def integers(values: np.ndarray) -> pa.Array:
    """Integers as strings; :data:`NULL` becomes null."""
    return pc.cast(pa.array(values, mask=_mask(values)), pa.string())


def scatter(n: int, parts: list[tuple[np.ndarray, pa.Array]], type_: pa.DataType = STRING) -> pa.Array:
    """Assemble an array of length ``n`` from ``(row indices, values)`` parts.

    Rows not covered by any part are null.
    """
    idx = [np.asarray(rows, dtype=np.int64) for rows, _ in parts]
    vals = [values.cast(type_) for _, values in parts]
    covered = np.concatenate(idx) if idx else np.empty(0, np.int64)
    missing = np.setdiff1d(np.arange(n), covered, assume_unique=True)
    if len(missing):
        idx.append(missing)
        vals.append(pa.nulls(len(missing), type_))
    if not idx:
        return pa.array([], type_)
    order = np.argsort(np.concatenate(idx), kind="stable")
    return pa.concat_arrays(vals).take(pa.array(order))


def masked(values: pa.Array, mask: np.ndarray, transform) -> pa.Array:
    """Apply ``transform`` to the rows selected by ``mask`` only."""
    if not mask.any():
        return values
    return pc.replace_with_mask(values, pa.array(mask), transform(values.filter(pa.array(mask))))
