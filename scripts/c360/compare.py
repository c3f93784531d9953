"""Comparing one relation as two builds made it (two engines, incremental and full)."""

from __future__ import annotations

import datetime as dt
import decimal
import math

import pandas as pd

#: Numbers are equal when they agree to this many decimal places.
DECIMALS = 6


def _normal(value):
    """One engine-independent form of a cell: None for every null, numbers
    rounded, timestamps as naive UTC ISO text, dates as ISO text."""
    if value is None or value is pd.NA or value is pd.NaT:
        return None
    if isinstance(value, float) and math.isnan(value):
        return None
    if isinstance(value, bool):
        return value
    if isinstance(value, int | float | decimal.Decimal):
        return round(float(value), DECIMALS)
    if isinstance(value, pd.Timestamp):
        value = value.to_pydatetime()
    if isinstance(value, dt.datetime):
        if value.tzinfo is not None:
            value = value.astimezone(dt.UTC).replace(tzinfo=None)
        return value.isoformat(sep=" ")
    if isinstance(value, dt.date):
        # DuckDB hands dates to pandas as midnight timestamps
        return dt.datetime(value.year, value.month, value.day).isoformat(sep=" ")
    return value


def _same(left, right) -> bool:
    return (_normal(left) is None and _normal(right) is None) or _normal(left) == _normal(right)


def normalised(frame: pd.DataFrame, key: list[str]) -> pd.DataFrame:
    """The frame with columns in name order, cells normalised, rows sorted."""
    frame = frame[sorted(frame.columns)].astype(object)
    frame = frame.map(_normal)
    return frame.sort_values(key, na_position="first").reset_index(drop=True)


def differences(left: pd.DataFrame, right: pd.DataFrame, key: list[str], limit: int = 5) -> list[str]:
    """Human-readable differences between two builds of one relation (empty when equal)."""
    problems = []
    if sorted(left.columns) != sorted(right.columns):
        return [f"columns differ: {sorted(set(left.columns) ^ set(right.columns))}"]
    if len(left) != len(right):
        problems.append(f"{len(left)} rows != {len(right)} rows")
    a, b = normalised(left, key), normalised(right, key)
    merged = a.merge(b, on=key, how="outer", suffixes=("_left", "_right"), indicator=True)
    only = merged[merged["_merge"] != "both"]
    if len(only):
        problems.append(f"{len(only)} keys on one side only, e.g. {only[key].head(limit).to_dict('records')}")
    both = merged[merged["_merge"] == "both"]
    for column in a.columns:
        if column in key:
            continue
        unequal = both[[not _same(x, y) for x, y in zip(both[f"{column}_left"], both[f"{column}_right"],
                                                            strict=True)]]
        if len(unequal):
            sample = unequal[[*key, f"{column}_left", f"{column}_right"]].head(limit).to_dict("records")
            problems.append(f"{column}: {len(unequal)} rows differ, e.g. {sample}")
    return problems
