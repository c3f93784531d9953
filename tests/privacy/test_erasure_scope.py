"""Every table holding a person's rows is in the erasure's scope, and every
base model of such a table leaves registered rows out (no build needed)."""

from __future__ import annotations

import re

from erasure_scan import PROJECT_DIR, project_vars

from c360.generate.schema import TABLES

NOT_PERSONAL = {"commerce.products", "commerce.stores", "marketing.campaigns"}


def erasure_scope() -> set[str]:
    """Staged tables erasure reaches: person records read from their own staging model, and
    the linked tables of c360_erasure.links."""
    settings = project_vars()
    scope = set()
    for table, mapping in settings["c360_identity"]["records"].items():
        source_name, table_name = table.split(".")
        if mapping.get("model", f"stg_{source_name}__{table_name}") == f"stg_{source_name}__{table_name}":
            scope.add(table)
    return scope | set(settings["c360_erasure"]["links"])


def staged_tables() -> set[str]:
    return {f"{source}.{table}" for source, tables in project_vars()["c360_staged_tables"].items()
            for table in tables}


def test_every_staged_table_with_a_persons_rows_is_in_scope():
    assert staged_tables() - erasure_scope() == NOT_PERSONAL
    # the generator's ground truth agrees on which tables hold persons' rows
    assert {t.qualified for t in TABLES if t.person_level} <= erasure_scope()
    assert {t.qualified for t in TABLES if not t.person_level} == NOT_PERSONAL


def test_every_link_names_columns_of_its_tables():
    from c360.contract import source_declarations

    columns = {f"{s['name']}.{t['name']}": {c["name"] for c in t["columns"]}
               for s in source_declarations(PROJECT_DIR) for t in s["tables"]}
    seen = set(project_vars()["c360_identity"]["records"])
    for table, links in project_vars()["c360_erasure"]["links"].items():
        for link in links:
            other = link.get("parent") or link["referenced_by"]
            assert other in seen, f"{table}: {other} must come first"
            if "parent" in link:
                assert link["column"] in columns[table]
                assert link.get("parent_column", link["column"]) in columns.get(other, {link["column"]})
            else:
                assert link["column"] in columns[other]
        seen.add(table)


def test_every_base_model_in_scope_leaves_registered_rows_out():
    for table in sorted(erasure_scope()):
        source_name, table_name = table.split(".")
        sql = (PROJECT_DIR / "models" / "staging" / source_name / "base"
               / f"base_{source_name}__{table_name}.sql").read_text()
        assert re.search(r"^where \{\{ c360\.not_erased\('" + re.escape(table) + r"'\) \}\}$", sql, re.M), table
