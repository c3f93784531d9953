"""Row counts per layer of a built DuckDB warehouse."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from c360.project import C360Error

#: Layer of a relation, by the custom schema suffix dbt gives it.
LAYERS = ("staging", "quality", "intermediate", "marts", "reference")


@dataclass(frozen=True)
class RelationCount:
    layer: str
    schema: str
    name: str
    kind: str
    rows: int


def layer_of(schema: str) -> str | None:
    for layer in LAYERS:
        if schema == layer or schema.endswith("_" + layer):
            return layer
    return None


def relation_counts(warehouse: Path) -> list[RelationCount]:
    """Rows of every table in the warehouse's layers (views are listed with their rows too)."""
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
