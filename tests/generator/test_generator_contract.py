"""Raw tables follow the data contract: columns, types and value formats."""

from __future__ import annotations

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from c360.generate.schema import TABLES

TYPES = {"S": pa.string(), "I": pa.int64(), "D": pa.float64(), "B": pa.bool_()}
FORMATS = {
    "utc": r"^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$",
    "offset": r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}[+-]\d{2}:\d{2}$",
    "zulu": r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$",
}
EMAIL = r"^\s*[^@\s]+@[^@\s]+\.[A-Za-z]+\s*$"


@pytest.mark.parametrize("table", TABLES, ids=lambda t: t.qualified)
def test_columns_order_and_types(generated, table):
    schema = pq.read_schema(generated.raw_path(table.qualified))
    assert schema.names == [c.name for c in table.columns]
    assert [f.type for f in schema] == [TYPES[c.dtype] for c in table.columns]
    assert schema.names[-1] == "_loaded_at"


def _utc(frame: pd.DataFrame, col: str) -> pd.Series:
    return pd.to_datetime(frame[col], utc=True, format="ISO8601")


@pytest.mark.parametrize("table", TABLES, ids=lambda t: t.qualified)
def test_clean_rows_have_valid_formats(generated, table):
    clean = generated.clean(table.qualified)
    assert len(clean) > 0
    loaded = _utc(clean, "_loaded_at")
    assert clean["_loaded_at"].str.match(FORMATS["utc"]).all()
    cutoff = pd.Timestamp(generated.as_of, tz="UTC")
    assert (loaded < cutoff + pd.Timedelta(hours=6)).all()
    for col in table.names("ts"):
        values = clean[col].dropna()
        assert values.str.match(FORMATS[table.ts_style]).all(), col
        instants = _utc(clean.loc[values.index], col)
        assert (instants < cutoff).all(), f"{col} after as_of"
        assert (instants <= loaded.loc[values.index]).all(), f"{col} after _loaded_at"
    for col in table.names("money"):
        assert clean[col].dropna().str.match(r"^\d+\.\d{2}$").all(), col
    for col in table.names("date"):
        assert clean[col].dropna().str.match(r"^\d{4}-\d{2}-\d{2}$").all(), col
    invalid = generated.malformed[(generated.malformed.defect == "invalid_email")
                                & (generated.malformed.table_name == table.name)]
    for col in table.email_columns:
        values = clean.loc[~clean[table.key.name].isin(invalid.record_key), col].dropna()
        assert values.str.match(EMAIL).all(), col


def test_local_offsets_follow_country(generated):
    orders = generated.clean("commerce.orders")
    offsets = orders.ordered_at.str[-6:]
    by_currency = offsets.groupby(orders.currency).agg(set)
    assert by_currency["USD"] <= {"-04:00", "-05:00", "-06:00", "-07:00", "-08:00"}
    assert by_currency["GBP"] == {"+00:00", "+01:00"}
    assert by_currency["EUR"] == {"+01:00", "+02:00"}


def test_order_totals_match_lines(generated):
    orders = generated.clean("commerce.orders").set_index("order_id")
    lines = generated.clean("commerce.order_lines")
    amount = lines.quantity * lines.unit_price.astype(float) - lines.discount_amount.astype(float)
    totals = amount.groupby(lines.order_id).sum().round(2)
    bad_orders = set(generated.malformed.record_key[generated.malformed.table_name == "orders"])
    raw_lines = generated.raw("commerce.order_lines")
    touched = raw_lines.order_line_id.isna() | (raw_lines.order_line_id.fillna("").str.strip() == "") | \
        raw_lines.order_line_id.isin(generated.malformed.record_key)
    bad_orders |= set(raw_lines.order_id[touched])
    complete = totals.index.difference(list(bad_orders)).intersection(orders.index)
    assert len(complete) > 100
    pd.testing.assert_series_equal(orders.loc[complete, "order_total"].astype(float), totals.loc[complete],
                                   check_names=False)


def test_static_tables_sizes(generated):
    assert 150 <= generated.counts["commerce.products"] <= 300
    assert 40 <= generated.counts["commerce.stores"] <= 80
    stores = generated.clean("commerce.stores")
    assert stores.closed_at.notna().sum() >= 2
    assert stores.latitude.between(25, 60).all()
