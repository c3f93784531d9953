"""The erasure leak scan, shared by the DuckDB and PostgreSQL tests.

Before erasure: the generator's truth says which person every staged row
belongs to, so the personal values of the persons with honoured erasure
requests can be collected from the first build's staging (columns whose YAML
`meta` declares a direct-identifier class, and the id columns identity
resolution matches on), keeping only values no other person has. After the
build that erases them: every text column of every relation but the raw
landing views is searched for those values.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pandas as pd
import yaml

PROJECT_DIR = Path(__file__).resolve().parents[2]

#: personal-data classes that identify a person directly (dates and
#: quasi-identifiers such as postal codes and cities are shared by many)
SCANNED_CLASSES = ("email", "phone", "name", "street_address", "social_handle", "device_id", "account_number")
#: id columns identity resolution matches on (c360_identity.records), scanned as account numbers
ID_TYPES = ("crm_contact_id", "web_customer_id", "loyalty_number", "billing_customer_id", "app_user_id",
            "device_id")
#: classes searched inside longer text too (raw values kept as JSON, lists); names and
#: streets only as whole values
CONTAINED_CLASSES = ("email", "phone", "device_id", "account_number")
MIN_LENGTH = {"name": 5}


def project_vars() -> dict:
    return yaml.safe_load((PROJECT_DIR / "dbt_project.yml").read_text())["vars"]


def honoured_statuses() -> list[str]:
    return project_vars()["c360_erasure"]["honoured_statuses"]


def primary_keys() -> dict[str, str]:
    """stg model -> key column (the source's meta.primary_key)."""
    keys = {}
    for path in (PROJECT_DIR / "models" / "staging").glob("*/_*__sources.yml"):
        for source in yaml.safe_load(path.read_text())["sources"]:
            for table in source["tables"]:
                keys[f"stg_{source['name']}__{table['name']}"] = table["meta"]["primary_key"]
    return keys


def personal_columns(disabled: set[str]) -> dict[str, dict[str, str]]:
    """stg model -> {column: class} of the columns whose values identify a person."""
    found: dict[str, dict[str, str]] = {}
    for path in (PROJECT_DIR / "models" / "staging").glob("*/_*__models.yml"):
        for model in yaml.safe_load(path.read_text()).get("models", []):
            for column in model.get("columns", []):
                class_name = (column.get("meta") or {}).get("personal_data")
                if class_name in SCANNED_CLASSES:
                    found.setdefault(model["name"], {})[column["name"]] = class_name
    for table, mapping in project_vars()["c360_identity"]["records"].items():
        source_name, table_name = table.split(".")
        model = mapping.get("model", f"stg_{source_name}__{table_name}")
        for id_type in ID_TYPES:
            if mapping.get(id_type):
                found.setdefault(model, {}).setdefault(mapping[id_type], "account_number")
    return {model: columns for model, columns in found.items() if model.split("__")[0][4:] not in disabled}


def personal_values(dataset: Path, staged: Callable[[str, list[str]], pd.DataFrame], erased: set[str],
                    disabled: set[str], left_out: set[str] = frozenset()) -> pd.DataFrame:
    """(value, class_name, contained) of every personal value of the ``erased`` persons that
    no other person's staged rows hold. ``staged(model, columns)`` reads a staging model of
    the first build; values in ``left_out`` (records no method can tie to anyone) are skipped."""
    truth = pd.read_parquet(dataset / "truth" / "record_persons.parquet")
    truth = truth.assign(source_name=truth.source_name.astype(str), table_name=truth.table_name.astype(str),
                         person_id=truth.person_id.astype(str))
    keys = primary_keys()
    parts = []
    for model, columns in personal_columns(disabled).items():
        source_name, table_name = model[4:].split("__")
        key = keys[model]
        frame = staged(model, [key, *columns])
        rows = truth[(truth.source_name == source_name) & (truth.table_name == table_name)]
        frame = frame.merge(rows[["record_key", "person_id"]], left_on=key, right_on="record_key")
        for column, class_name in columns.items():
            values = frame[[column, "person_id"]].dropna()
            parts.append(pd.DataFrame({"value": values[column].astype(str).str.strip().str.lower(),
                                       "class_name": class_name, "person_id": values["person_id"]}))
    values = pd.concat(parts, ignore_index=True)
    values = values[values.value.str.len() >= values.class_name.map(MIN_LENGTH).fillna(3)]
    owners = values.groupby("value")["person_id"].agg(lambda persons: set(persons) <= erased)
    only_erased = set(owners[owners].index) - {value.lower() for value in left_out}
    kept = values[values.value.isin(only_erased)].drop_duplicates(["value", "class_name"])
    kept = kept.drop_duplicates("value")[["value", "class_name"]].reset_index(drop=True)
    return kept.assign(contained=kept.class_name.isin(CONTAINED_CLASSES))


def is_scanned_schema(schema: str) -> bool:
    """Every schema but the raw landing (the source systems' copy, outside c360's reach)."""
    return not (schema.startswith("raw_") or schema in ("information_schema", "pg_catalog", "pg_toast")
                or schema.startswith("pg_temp") or schema.startswith("pg_toast"))


def scan(columns: list[tuple[str, str, str]], fetch: Callable[[str], list[tuple]], contains: str) -> list[tuple]:
    """(schema, relation, column, class, value) of every erased value found in the text
    ``columns`` (schema, relation, column) of the scanned schemas, with ``fetch(sql)``
    running a query where the values are a table `erased_values`; ``contains`` is the
    engine's substring test of `x.v` for `p.value`."""
    hits = []
    for schema, table, column in columns:
        if not is_scanned_schema(schema):
            continue
        found = fetch(f"""
            select distinct p.class_name, p.value
            from (
                select distinct lower(cast("{column}" as varchar)) as v
                from "{schema}"."{table}" where "{column}" is not null
            ) as x
            inner join erased_values as p
                on x.v = p.value or (p.contained and {contains})
        """)
        hits += [(schema, table, column, class_name, value) for class_name, value in found]
    return hits
