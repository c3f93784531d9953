"""Planting of malformed rows, and the truth that describes them.

Every table receives about 0.5% quarantine-worthy rows (at least two in the
first chunk) plus field-level ``invalid_email`` values where it has an email
column.  Each planted row carries exactly one defect and starts from a clean
row; duplicates copy clean rows.  Defects are applied to the internal
representation where possible (null keys, future timestamps, negative
amounts, out-of-range scores, duplicates) and as string overrides after
formatting otherwise (blank keys, unparseable timestamps, non-numeric
amounts, invalid emails).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from .batch import Batch, to_arrow
from .formatting import DAY
from .schema import NULL, Table

QUARANTINE_RATE = 0.005
INVALID_EMAIL_RATE = 0.003
MIN_PER_TABLE = 2

BAD_TIMESTAMPS = ("not a date", "2024-13-45 99:99:99", "31/02/2024 25:61", "??", "yesterday", "2023-02-30T25:00")
BAD_AMOUNTS = ("N/A", "twelve", "12,99 EUR", "n/a", "$-", "1.2.3")
NPS_OUT_OF_RANGE = (11, -1, 99, 12)
CSAT_OUT_OF_RANGE = (6, 0, -1, 99, 10)


def _load_floor(batch: Batch) -> np.ndarray:
    """Earliest admissible ``_loaded_at`` per row: its latest business timestamp.

    Rows without any business timestamp may have been loaded up to a day earlier.
    """
    loaded = batch.data["_loaded_at"]
    stamps = [batch.data[c] for c in batch.table.names("ts")]
    latest = np.maximum.reduce(stamps) if stamps else np.full(len(batch), NULL)
    return np.where(latest == NULL, loaded - DAY, latest)


def _count(rng, n: int, rate: float, first_chunk: bool) -> int:
    k = int(rng.binomial(n, rate)) if n else 0
    if first_chunk:
        k = max(k, MIN_PER_TABLE)
    return min(k, n // 2)


def _eligible(batch: Batch, defect: str) -> np.ndarray:
    """Rows on which ``defect`` can be planted so that it triggers exactly its rule."""
    table = batch.table
    n = len(batch)
    if defect == "negative_amount":
        return batch.data[table.names("money")[0]] > 0
    if defect == "non_numeric_amount":
        return batch.data[table.names("money")[0]] != NULL
    if defect == "conflicting_duplicate":
        return batch.data["_loaded_at"] - _load_floor(batch) >= 2
    if defect == "out_of_range_score":
        return batch.data["score"] != NULL
    return np.ones(n, bool)


def _conflict_values(rng, table: Table, values, n: int):
    """Different but individually valid values for a conflicting duplicate."""
    kind = table.conflict.kind
    if kind == "vocab":
        vocab = np.array(table.conflict.values)
        codes = pd.Categorical(values.to_numpy(zero_copy_only=False), categories=vocab).codes.astype(np.int64)
        shifted = (np.maximum(codes, 0) + rng.integers(1, len(vocab), n)) % len(vocab)
        return pa.array(vocab[shifted])
    if kind == "upper":
        upper = pc.utf8_upper(values)
        lower = pc.utf8_lower(values)
        changed = pc.if_else(pc.equal(upper, values), lower, upper)
        return pc.if_else(pc.equal(changed, values), pc.binary_join_element_wise(values, " (old)", ""), changed)
    if kind == "money":
        return values + np.maximum(100, (values * rng.uniform(0.05, 0.3, n)).astype(np.int64))
    return values + rng.integers(1, 4, n)


def _invalid_emails(rng, values: pa.Array) -> pa.Array:
    """Malformed versions of valid addresses: ``a.b@``, ``a b@x.com``, ``a.b.x.com``, ``@x.com``."""
    clean = pc.utf8_trim_whitespace(values)
    spaced = pc.if_else(pc.match_substring_regex(clean, r"^[^@]*[._][^@]*@"),
                        pc.replace_substring_regex(clean, r"[._]", " ", max_replacements=1),
                        pc.replace_substring(clean, "@", " @", max_replacements=1))
    variants = [
        pc.replace_substring_regex(clean, "@.*$", "@"),
        spaced,
        pc.replace_substring(clean, "@", ".", max_replacements=1),
        pc.replace_substring_regex(clean, "^[^@]*@", "@"),
    ]
    return pc.choose(pa.array(rng.integers(0, 4, len(values)).astype(np.int8)), *variants)


@dataclass
class Planted:
    """A formatted table with its planted defects and person mapping.

    ``malformed`` holds the ``truth/malformed_rows`` columns for this batch;
    ``record_keys`` / ``record_person`` map every keyed original row (not the
    planted copies) to its person, for person-level tables.
    """

    table: pa.Table
    malformed: dict[str, list]
    record_keys: pa.Array | None = None
    record_person: np.ndarray | None = None


@dataclass
class _Marks:
    """Which rows carry which defect, first as source rows, later as output positions."""

    rows: dict[str, np.ndarray]          # quarantine defect -> source rows
    email_rows: dict[str, np.ndarray]    # email column -> source rows
    blank_keys: np.ndarray               # per null_key row: blank string instead of null
    columns: dict[str, list[str]] = field(default_factory=dict)  # defect -> column per row
    position: np.ndarray = field(default_factory=lambda: np.empty(0, np.int64))
    copies: dict[str, np.ndarray] = field(default_factory=dict)  # duplicate defect -> copy positions


def _choose(batch: Batch, rng, first_chunk: bool, protected: np.ndarray | None) -> _Marks:
    """Pick disjoint, clean rows for every defect of the table."""
    table = batch.table
    free = np.ones(len(batch), bool) if protected is None else ~protected
    k = _count(rng, len(batch), QUARANTINE_RATE, first_chunk)
    defects = list(table.defects)
    kinds = np.array(defects)[np.resize(rng.permutation(len(defects)), k)]
    rows: dict[str, np.ndarray] = {}
    for defect in defects:
        pool = np.flatnonzero(free & _eligible(batch, defect))
        picked = np.sort(rng.choice(pool, min(int((kinds == defect).sum()), len(pool)), replace=False))
        free[picked] = False
        rows[defect] = picked
    email_rows: dict[str, np.ndarray] = {}
    for col in table.email_columns:
        present = np.flatnonzero(free & batch.data[col].is_valid().to_numpy(zero_copy_only=False))
        picked = np.sort(rng.choice(present, _count(rng, len(present), INVALID_EMAIL_RATE, first_chunk),
                                    replace=False))
        free[picked] = False
        email_rows[col] = picked
    return _Marks(rows, email_rows, rng.random(len(rows["null_key"])) < 0.5)


def _mutate(batch: Batch, marks: _Marks, rng) -> Batch:
    """Defects expressible in the internal representation, on the original rows."""
    table = batch.table
    data = dict(batch.data)

    def edit(col: str, rows: np.ndarray, values) -> None:
        data[col] = data[col].copy()
        data[col][rows] = values

    null_rows = marks.rows["null_key"]
    edit(table.key.name, null_rows[~marks.blank_keys], NULL)
    marks.columns["null_key"] = [table.key.name] * len(null_rows)
    if "future_timestamp" in marks.rows:
        rows = marks.rows["future_timestamp"]
        edit(table.main_ts, rows, data["_loaded_at"][rows] + rng.integers(2 * DAY, 400 * DAY, len(rows)))
        marks.columns["future_timestamp"] = [table.main_ts] * len(rows)
    if "negative_amount" in marks.rows:
        col = table.names("money")[0]
        rows = marks.rows["negative_amount"]
        edit(col, rows, -data[col][rows])
        marks.columns["negative_amount"] = [col] * len(rows)
    if "out_of_range_score" in marks.rows:
        rows = marks.rows["out_of_range_score"]
        is_nps = pc.equal(data["survey_type"].take(pa.array(rows)), "nps").to_numpy(zero_copy_only=False)
        edit("score", rows, np.where(is_nps, rng.choice(NPS_OUT_OF_RANGE, len(rows)),
                                     rng.choice(CSAT_OUT_OF_RANGE, len(rows))))
        marks.columns["out_of_range_score"] = ["score"] * len(rows)
    return Batch(table, data, batch.person, batch.offset)


def _duplicate(batch: Batch, marks: _Marks, rng) -> Batch:
    """Insert exact and conflicting copies at random positions; record every row's new position."""
    table = batch.table
    n = len(batch)
    exact = marks.rows.get("exact_duplicate", np.empty(0, np.int64))
    conflict = marks.rows.get("conflicting_duplicate", np.empty(0, np.int64))
    sources = np.concatenate([exact, conflict])
    order = np.argsort(np.concatenate([np.arange(n) * 2, rng.integers(0, max(n, 1), len(sources)) * 2 + 1]),
                       kind="stable")
    marks.position = np.empty(len(order), np.int64)
    marks.position[order] = np.arange(len(order))
    out = batch.take(np.concatenate([np.arange(n), sources])[order])
    copies = marks.position[n:]
    marks.copies = {"exact_duplicate": copies[: len(exact)], "conflicting_duplicate": copies[len(exact):]}
    marks.columns["exact_duplicate"] = [table.key.name] * len(exact)
    marks.columns["conflicting_duplicate"] = [table.conflict.column] * len(conflict)

    pos = marks.copies["conflicting_duplicate"]
    if len(pos):
        col = table.conflict.column
        values = out.data[col]
        if isinstance(values, pa.Array):
            mask = np.zeros(len(out), bool)
            mask[pos] = True
            changed = _conflict_values(rng, table, values.take(pa.array(pos)), len(pos))
            out.data[col] = pc.replace_with_mask(values, pa.array(mask), changed.take(pa.array(np.argsort(pos))))
        else:
            out.data[col] = values.copy()
            out.data[col][pos] = _conflict_values(rng, table, values[pos], len(pos))
        floor = _load_floor(out)[pos]
        loaded = out.data["_loaded_at"].copy()
        loaded[pos] = floor + (loaded[pos] - floor) // 2
        out.data["_loaded_at"] = loaded
    return out


def _string_defects(arrow: pa.Table, batch: Batch, marks: _Marks, rng) -> pa.Table:
    """Blank keys, unparseable timestamps, non-numeric amounts and invalid emails."""
    table = batch.table
    position = marks.position
    overrides: list[tuple[str, np.ndarray, pa.Array]] = []
    blank = position[marks.rows["null_key"][marks.blank_keys]]
    overrides.append((table.key.name, blank, pa.array(rng.choice(["", " ", "   "], len(blank)), pa.string())))
    rows = marks.rows.get("unparseable_timestamp", np.empty(0, np.int64))
    ts_cols = table.names("ts") or ["_loaded_at"]
    present = np.stack([batch.data[c][rows] != NULL for c in ts_cols]).reshape(len(ts_cols), len(rows))
    pick = np.argmax(np.where(present, rng.random(present.shape), -1.0), axis=0)
    marks.columns["unparseable_timestamp"] = [ts_cols[i] for i in pick]
    for ci, col in enumerate(ts_cols):
        at = position[rows[pick == ci]]
        overrides.append((col, at, pa.array(rng.choice(BAD_TIMESTAMPS, len(at)), pa.string())))
    if "non_numeric_amount" in marks.rows:
        col = table.names("money")[0]
        at = position[marks.rows["non_numeric_amount"]]
        overrides.append((col, at, pa.array(rng.choice(BAD_AMOUNTS, len(at)), pa.string())))
        marks.columns["non_numeric_amount"] = [col] * len(at)
    for col, rows in marks.email_rows.items():
        at = position[rows]
        overrides.append((col, at, _invalid_emails(rng, arrow.column(col).combine_chunks().take(pa.array(at)))))
    for col, at, values in overrides:
        if len(at):
            mask = np.zeros(arrow.num_rows, bool)
            mask[at] = True
            idx = arrow.schema.get_field_index(col)
            column = pc.replace_with_mask(arrow.column(col).combine_chunks(), pa.array(mask),
                                          values.take(pa.array(np.argsort(at))))
            arrow = arrow.set_column(idx, arrow.schema.field(idx), column)
    return arrow


def _truth(table: Table, keys: pa.Array, marks: _Marks) -> dict[str, list]:
    """Rows of ``malformed_rows`` for this batch."""
    out: dict[str, list] = {c: [] for c in ("record_key", "defect", "column_name", "expected_outcome",
                                             "expected_rule")}

    def add(positions: np.ndarray | None, count: int, defect: str, columns: list[str], field_level: bool) -> None:
        out["record_key"].extend([None] * count if positions is None else keys.take(pa.array(positions)).to_pylist())
        out["defect"].extend([defect] * count)
        out["column_name"].extend(columns)
        out["expected_outcome"].extend(["null_field" if field_level else "quarantine"] * count)
        out["expected_rule"].extend([None if field_level else defect] * count)

    for defect in table.defects:
        if defect == "null_key":
            add(None, len(marks.rows[defect]), defect, marks.columns[defect], False)
        elif defect in marks.copies:
            add(marks.copies[defect], len(marks.copies[defect]), defect, marks.columns[defect], False)
        else:
            positions = marks.position[marks.rows[defect]]
            add(positions, len(positions), defect, marks.columns[defect], False)
    for col, rows in marks.email_rows.items():
        add(marks.position[rows], len(rows), "invalid_email", [col] * len(rows), True)
    out["source_name"] = [table.source] * len(out["defect"])
    out["table_name"] = [table.name] * len(out["defect"])
    return out


def plant(batch: Batch, rng: np.random.Generator, first_chunk: bool,
          protected: np.ndarray | None = None) -> Planted:
    """Plant defects into ``batch`` and format it; ``protected`` rows stay clean."""
    table = batch.table
    marks = _choose(batch, rng, first_chunk, protected)
    final = _duplicate(_mutate(batch, marks, rng), marks, rng)
    arrow = _string_defects(to_arrow(final), batch, marks, rng)
    keys = arrow.column(table.key.name).combine_chunks()
    result = Planted(arrow, _truth(table, keys, marks))
    if table.person_level:
        original = np.ones(len(final), bool)
        for copies in marks.copies.values():
            original[copies] = False
        original[marks.position[marks.rows["null_key"]]] = False
        result.record_keys = keys.filter(pa.array(original))
        result.record_person = final.person[original]
    return result
