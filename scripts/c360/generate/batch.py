"""In-memory row batches and their conversion to contract-typed Arrow tables."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from . import formatting as fmt
from .schema import ARROW_TYPES, Table


@dataclass
class Batch:
    """Rows of one raw table in the generator's internal representation.

    ``data`` maps every contract column to a numpy array (integer-coded roles,
    numeric types) or a ``pyarrow`` string array (``text`` role).  ``person``
    is the global person index behind each row (``-1`` for tables that do not
    describe a person).  ``offset`` holds UTC offsets in minutes for tables
    whose timestamps are written as local time.
    """

    table: Table
    data: dict[str, np.ndarray | pa.Array]
    person: np.ndarray
    offset: np.ndarray | None = None

    def __post_init__(self) -> None:
        names = [c.name for c in self.table.columns]
        if sorted(self.data) != sorted(names):
            missing = set(names) - set(self.data)
            extra = set(self.data) - set(names)
            raise ValueError(f"{self.table.qualified}: missing columns {missing}, unexpected {extra}")
        n = len(self.person)
        for name, values in self.data.items():
            if len(values) != n:
                raise ValueError(f"{self.table.qualified}.{name}: {len(values)} values for {n} rows")
        if self.table.ts_style == "offset" and (self.offset is None or len(self.offset) != n):
            raise ValueError(f"{self.table.qualified}: local timestamps need one UTC offset per row")

    def __len__(self) -> int:
        return len(self.person)

    def take(self, rows: np.ndarray) -> Batch:
        """Rows ``rows`` (repetitions allowed), in that order."""
        idx = pa.array(rows)
        data = {k: (v.take(idx) if isinstance(v, pa.Array) else v[rows]) for k, v in self.data.items()}
        offset = None if self.offset is None else self.offset[rows]
        return Batch(self.table, data, self.person[rows], offset)


def to_arrow(batch: Batch) -> pa.Table:
    """Render ``batch`` into an Arrow table with the contract's exact schema."""
    table = batch.table
    arrays = []
    for col in table.columns:
        values = batch.data[col.name]
        if col.role in ("key", "ref"):
            arr = fmt.ids(values, col.prefix, col.width)
        elif col.role == "ts":
            if table.ts_style == "offset":
                arr = fmt.local(values, batch.offset)
            elif table.ts_style == "zulu":
                arr = fmt.zulu(values)
            else:
                arr = fmt.utc(values)
        elif col.role == "loaded":
            arr = fmt.utc(values)
        elif col.role == "date":
            arr = fmt.dates(values)
        elif col.role == "money":
            arr = fmt.money(values)
        elif col.role == "score":
            arr = fmt.integers(values)
        elif col.role == "text":
            arr = values if isinstance(values, pa.Array) else pa.array(values, pa.string())
        else:
            arr = pa.array(values)
        arrays.append(pc.cast(arr, ARROW_TYPES[col.dtype]))
    return pa.Table.from_arrays(arrays, schema=table.arrow_schema)

