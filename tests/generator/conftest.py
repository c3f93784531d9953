"""Shared, session-scoped datasets for the generator tests."""

from __future__ import annotations

import datetime as dt
from functools import cached_property
from pathlib import Path

import pandas as pd
import pyarrow.parquet as pq
import pytest

from c360.generate import generate_dataset
from c360.generate.schema import TABLE_BY_NAME

AS_OF = dt.date(2026, 10, 31)
QUARANTINE_ROW_DEFECTS = {
    "unparseable_timestamp", "future_timestamp", "non_numeric_amount", "negative_amount", "out_of_range_score",
}


class Dataset:
    """A generated dataset with cached pandas views of its tables."""

    def __init__(self, root: Path, counts: dict, as_of: dt.date) -> None:
        self.root = root
        self.as_of = as_of
        self.counts = counts
        self._raw: dict[str, pd.DataFrame] = {}

    def raw_path(self, qualified: str) -> Path:
        source, name = qualified.split(".")
        return self.root / "raw" / source / f"{name}.parquet"

    def raw(self, qualified: str) -> pd.DataFrame:
        if qualified not in self._raw:
            self._raw[qualified] = pq.read_table(self.raw_path(qualified)).to_pandas()
        return self._raw[qualified]

    def truth(self, name: str) -> pd.DataFrame:
        return pq.read_table(self.root / "truth" / f"{name}.parquet").to_pandas()

    @cached_property
    def malformed(self) -> pd.DataFrame:
        return self.truth("malformed_rows")

    @cached_property
    def record_persons(self) -> pd.DataFrame:
        frame = self.truth("record_persons")
        for col in ("source_name", "table_name", "person_id"):
            frame[col] = frame[col].astype(str)
        return frame

    @cached_property
    def persons(self) -> pd.DataFrame:
        return self.truth("persons").set_index("person_id")

    def clean(self, qualified: str) -> pd.DataFrame:
        """Rows that survive the staging rules: what downstream models see."""
        table = TABLE_BY_NAME[qualified]
        key = table.key.name
        frame = self.raw(qualified)
        bad = self.malformed[(self.malformed.source_name == table.source) & (self.malformed.table_name == table.name)]
        drop = set(bad[bad.defect.isin(QUARANTINE_ROW_DEFECTS)].record_key)
        keep = frame[key].notna() & (frame[key].str.strip() != "") & ~frame[key].isin(drop)
        frame = frame[keep].drop_duplicates()
        return frame.sort_values("_loaded_at").drop_duplicates(key, keep="last")

    def with_person(self, qualified: str) -> pd.DataFrame:
        """Clean rows of a person-level table joined to their true person."""
        table = TABLE_BY_NAME[qualified]
        rp = self.record_persons
        rp = rp[(rp.source_name == table.source) & (rp.table_name == table.name)]
        return self.clean(qualified).merge(rp[["record_key", "person_id"]], left_on=table.key.name,
                                           right_on="record_key", how="left")


@pytest.fixture(scope="session")
def generated(tmp_path_factory) -> Dataset:
    """The main test dataset (1,500 customers)."""
    root = tmp_path_factory.mktemp("main")
    counts = generate_dataset(1500, 11, root, as_of=AS_OF, progress=False)
    return Dataset(root, counts, AS_OF)


@pytest.fixture(scope="session")
def small_runs(tmp_path_factory) -> tuple[Path, Path, Path]:
    """Two runs with the same seed and one with another seed (300 customers)."""
    roots = []
    for name, seed in (("a", 5), ("b", 5), ("c", 6)):
        root = tmp_path_factory.mktemp(name)
        generate_dataset(300, seed, root, as_of=AS_OF, progress=False)
        roots.append(root)
    return tuple(roots)
