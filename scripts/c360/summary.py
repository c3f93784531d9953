"""Row counts per layer of a built DuckDB warehouse."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from c360.project import C360Error

#: Layer of a relation, by the custom schema suffix dbt gives it.
LAYERS = ("staging", "quality", "intermediate", "marts", "reference")
RAW_SCHEMA_PREFIX = "raw_"


@dataclass(frozen=True)
class RelationCount:
    layer: str
    schema: str
    name: str
    kind: str
    rows: int


def layer_of(schema: str) -> str | None:
    if schema.startswith(RAW_SCHEMA_PREFIX):
        return "raw"
    for layer in LAYERS:
        if schema == layer or schema.endswith("_" + layer):
            return layer
    return None


def relation_counts(warehouse: Path) -> list[RelationCount]:
    """Rows of every relation in the warehouse's layers (raw views included)."""
    import duckdb

    if not warehouse.exists():
        raise C360Error(f"no warehouse at {warehouse}: run `c360 build` or `make demo` first")
    with duckdb.connect(str(warehouse), read_only=True) as connection:
        relations = connection.execute(
            """
            select table_schema, table_name, table_type
            from information_schema.tables
            order by table_schema, table_name
            """
        ).fetchall()
        counts = []
        for schema, name, table_type in relations:
            layer = layer_of(schema)
            if layer is None:
                continue
            (rows,) = connection.execute(f'select count(*) from "{schema}"."{name}"').fetchone()
            kind = "view" if table_type == "VIEW" else "table"
            counts.append(RelationCount(layer, schema, name, kind, int(rows)))
    return counts


@dataclass(frozen=True)
class SourceTableCount:
    source_name: str
    table_name: str
    raw: int
    staged: int
    quarantined: int

    @property
    def erased(self) -> int:
        """Raw rows left out by honoured erasure requests: the rest (the
        build's data test raw_rows_accounted_for holds raw = staged +
        quarantined + erased)."""
        return self.raw - self.staged - self.quarantined


def source_table_counts(warehouse: Path, counts: list[RelationCount]) -> list[SourceTableCount]:
    """Raw rows of each source table next to its staged and quarantined rows."""
    import duckdb

    staged = {c.name: c.rows for c in counts if c.layer == "staging" and c.name.startswith("stg_")}
    quarantine = next((c for c in counts if c.layer == "quality" and c.name == "dq_quarantine"), None)
    quarantined: dict[tuple[str, str], int] = {}
    if quarantine is not None:
        with duckdb.connect(str(warehouse), read_only=True) as connection:
            rows = connection.execute(
                f'select source_name, table_name, count(*) from "{quarantine.schema}".dq_quarantine group by all'
            ).fetchall()
        quarantined = {(source, table): int(n) for source, table, n in rows}
    result = []
    for count in counts:
        if count.layer != "raw":
            continue
        source_name = count.schema[len(RAW_SCHEMA_PREFIX):]
        result.append(SourceTableCount(
            source_name, count.name, count.rows,
            staged.get(f"stg_{source_name}__{count.name}", 0),
            quarantined.get((source_name, count.name), 0),
        ))
    return result


#: customer_360 columns shown by `c360 demo`.
EXAMPLE_COLUMNS = ("customer_id", "first_name", "last_name", "lifecycle_stage", "revenue_lifetime",
                   "health_score", "distress_index", "distress_reason_1", "churn_score", "upsell_recommendation")


def customer_360_examples(warehouse: Path, limit: int = 5) -> tuple[list[str], list[tuple]]:
    """A few customers of customer_360 (buyers with a health score, the most
    distressed first), as (column names, rows); empty when it is not built."""
    import duckdb

    with duckdb.connect(str(warehouse), read_only=True) as connection:
        found = connection.execute(
            "select table_schema from information_schema.tables where table_name = 'customer_360'"
        ).fetchone()
        if found is None:
            return list(EXAMPLE_COLUMNS), []
        rows = connection.execute(
            f"""
            select {", ".join(EXAMPLE_COLUMNS)}
            from "{found[0]}".customer_360
            where is_customer and health_score is not null
            order by distress_index desc, customer_id
            limit {int(limit)}
            """
        ).fetchall()
    return list(EXAMPLE_COLUMNS), rows


@dataclass(frozen=True)
class GeocodeCoverage:
    entity: str
    rows: int
    geocoded: int
    levels: dict[str, int]

    @property
    def share(self) -> float:
        return self.geocoded / self.rows if self.rows else 0.0


def geocode_coverage(warehouse: Path) -> list[GeocodeCoverage]:
    """Customers, stores and orders with coordinates (rpt_geocode_coverage),
    with their rows per match level; empty when it is not built."""
    import duckdb

    with duckdb.connect(str(warehouse), read_only=True) as connection:
        found = connection.execute(
            "select table_schema from information_schema.tables where table_name = 'rpt_geocode_coverage'"
        ).fetchone()
        if found is None:
            return []
        rows = connection.execute(
            f"""
            select entity, match_level, is_geocoded, row_count
            from "{found[0]}".rpt_geocode_coverage
            order by entity, row_count desc, match_level
            """
        ).fetchall()
    result = []
    for entity in ("customers", "stores", "orders"):
        mine = [r for r in rows if r[0] == entity]
        if mine:
            result.append(GeocodeCoverage(
                entity, sum(r[3] for r in mine), sum(r[3] for r in mine if r[2]), {r[1]: r[3] for r in mine}))
    return result
