"""Does personal data reach an audience the privacy policy does not show it to?

The scan takes every personal value the warehouse staged (emails, phones,
names, street addresses, social handles: every staged column whose YAML
declares that class) and searches every text column of every audience view
for it. A hit is a leak unless the policy shows that class to that audience
(`c360_privacy` in dbt_project.yml). DuckDB warehouses.
"""

from __future__ import annotations

from pathlib import Path

import yaml

from c360.postal_reference import read_reference

SCANNED_CLASSES = ("email", "phone", "name", "street_address", "social_handle")
#: names shorter than this are too common as parts of other values to count
MIN_NAME_LENGTH = 5


def policy(project_dir: Path) -> dict:
    return yaml.safe_load((Path(project_dir) / "dbt_project.yml").read_text())["vars"]["c360_privacy"]


def classified_staging_columns(project_dir: Path) -> dict[str, list[tuple[str, str]]]:
    """class -> [(staging model, column)] from the staging YAML `meta`."""
    found: dict[str, list[tuple[str, str]]] = {}
    for path in sorted((Path(project_dir) / "models" / "staging").glob("*/_*__models.yml")):
        for model in yaml.safe_load(path.read_text()).get("models", []):
            for column in model.get("columns", []):
                class_name = (column.get("meta") or {}).get("personal_data")
                if class_name:
                    found.setdefault(class_name, []).append((model["name"], column["name"]))
    return found


def load_personal_values(db, project_dir: Path) -> dict[str, int]:
    """Fill the temp table ``personal_values (value, class_name)`` with every
    staged personal value, lower-cased; returns values per class."""
    parts = []
    for class_name, columns in classified_staging_columns(project_dir).items():
        if class_name not in SCANNED_CLASSES:
            continue
        for model, column in columns:
            exists = db.execute(
                "select count(*) from information_schema.columns where table_name = ? and column_name = ?",
                [model, column]).fetchone()[0]
            if exists:
                parts.append(f"select lower(trim(cast({column} as varchar))) as value, '{class_name}' as class_name "
                             f"from main_staging.{model} where {column} is not null")
    db.execute("create or replace temp table personal_values as select distinct * from ("
               + " union all ".join(parts) + ") where length(value) >= 3")
    db.execute(f"delete from personal_values where class_name = 'name' and length(value) < {MIN_NAME_LENGTH}")
    # Names that are also names of places or regions (Archer, Bradford) are
    # places in the city and region columns that show them, not people.
    places = sorted({row[key].strip().lower() for row in read_reference(Path(project_dir))
                     for key in ("place_name", "region_name")})
    db.execute("delete from personal_values where class_name = 'name' and value in (select unnest(?))", [places])
    return dict(db.execute("select class_name, count(*) from personal_values group by 1").fetchall())


def audience_tables(db) -> list[tuple[str, str]]:
    """(audience view, audience) of every audience view in the warehouse."""
    return [(row[0], row[0].rsplit("__", 1)[1]) for row in db.execute(
        "select table_name from information_schema.tables where table_schema = 'main_audiences'").fetchall()]


def shown_classes(project_dir: Path, audience: str) -> set[str]:
    treatments = policy(project_dir)["audiences"][audience].get("treatments") or {}
    return {class_name for class_name, treatment in treatments.items() if treatment == "show"}


def audience_text_columns(db, table: str) -> list[str]:
    return [row[0] for row in db.execute(
        "select column_name from information_schema.columns where table_schema = 'main_audiences' "
        "and table_name = ? and data_type = 'VARCHAR'", [table]).fetchall()]


def leaks(db, project_dir: Path) -> tuple[list[tuple[str, str, str, int, str]], int]:
    """([(view, column, class, hits, example)] where a personal value reaches
    an audience that may not see its class, number of columns scanned).
    Needs ``load_personal_values`` first."""
    found, scanned = [], 0
    for table, audience in audience_tables(db):
        shown = shown_classes(project_dir, audience)
        for column in audience_text_columns(db, table):
            scanned += 1
            hits = db.execute(f"""
                select p.class_name, count(*), min(v.value)
                from (select lower(trim({column})) as value from main_audiences.{table}) as v
                inner join personal_values as p
                    on v.value = p.value
                    or (p.class_name in ('email', 'phone') and length(v.value) > length(p.value)
                        and contains(v.value, p.value))
                group by p.class_name
            """).fetchall()
            found += [(table, column, class_name, count, example)
                      for class_name, count, example in hits if class_name not in shown]
    return found, scanned
