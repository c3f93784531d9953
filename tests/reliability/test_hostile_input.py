"""Hostile input: every raw table of a generated dataset receives adversarial
rows (`c360 corrupt`); the build succeeds, every injected row is quarantined
by the rule its truth names or staged where its value is legal text, raw rows
= staged + quarantined everywhere, and no injected text reaches an audience
that may not see it.
"""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pyarrow.parquet as pq
import pytest
import yaml
from reliability_helpers import PROJECT_DIR, c360_command

from c360.dbt import default_disabled_sources, environment, run_dbt
from c360.generate import generate_dataset
from c360.generate.corrupt import LONG_TEXT, TRUTH_FILE, corrupt_dataset
from c360.leak_scan import audience_tables, audience_text_columns, leaks, load_personal_values, shown_classes
from c360.project import Project


def staged_tables() -> list[tuple[str, str]]:
    registry = yaml.safe_load((PROJECT_DIR / "dbt_project.yml").read_text())["vars"]["c360_staged_tables"]
    disabled = default_disabled_sources(PROJECT_DIR)
    return [(source, table) for source, tables in registry.items() if source not in disabled for table in tables]


@pytest.fixture(scope="module")
def corrupted(tmp_path_factory) -> Path:
    """A small dataset corrupted through the command line, built with every test."""
    folder = tmp_path_factory.mktemp("corrupted")
    generate_dataset(customers=300, seed=3, out=folder, progress=False)
    result = subprocess.run(c360_command("corrupt", str(folder / "raw")), capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    assert "adversarial rows" in result.stdout
    project = Project.resolve(warehouse=folder / "c360.duckdb", raw_path=folder / "raw", target="duckdb")
    run_dbt(project, "build")  # raises if any model, data test or unit test fails
    return folder


@pytest.fixture(scope="module")
def db(corrupted):
    import duckdb

    connection = duckdb.connect(str(corrupted / "c360.duckdb"), read_only=True)
    yield connection
    connection.close()


@pytest.fixture(scope="module")
def injected(corrupted) -> list[dict]:
    return pq.read_table(corrupted / "truth" / TRUTH_FILE).to_pylist()


def truth_rows(folder: Path) -> str:
    """SQL of every row expected in quarantine: planted by the generator, or injected."""
    truth = folder / "truth"
    return f"""
        select source_name, table_name, record_key, expected_rule
        from read_parquet('{truth / "malformed_rows.parquet"}') where expected_outcome = 'quarantine'
        union all
        select source_name, table_name, record_key, expected_rule
        from read_parquet('{truth / TRUTH_FILE}') where expected_outcome = 'quarantine'"""


def test_every_raw_table_received_every_kind_of_hostile_row(injected):
    tables = {(row["source_name"], row["table_name"]) for row in injected}
    assert tables == set(staged_tables())
    kinds = {row["injection"] for row in injected}
    assert kinds >= {
        "null_key", "blank_key", "exact_duplicate", "conflicting_duplicate", "very_long_string",
        "very_long_free_text", "control_characters", "timestamp_as_number", "amount_as_boolean", "score_as_text",
        "date_in_1900", "date_in_2100", "birth_date_in_1900", "birth_date_in_2100", "negative_amount",
        "non_numeric_amount", "amount_overflow", "nps_11", "csat_0", "unicode_and_emoji", "sql_looking_text",
        "quotes_and_backslashes", "multiline_free_text",
    }
    assert {row["expected_outcome"] for row in injected} == {"quarantine", "staged"}


def test_every_raw_row_is_staged_or_quarantined(db, corrupted):
    for source, table in staged_tables():
        raw = db.execute("select count(*) from read_parquet(?)",
                         [str(corrupted / "raw" / source / f"{table}.parquet")]).fetchone()[0]
        staged = db.execute(f"select count(*) from main_staging.stg_{source}__{table}").fetchone()[0]
        quarantined = db.execute("select count(*) from main_quality.dq_quarantine "
                                 "where source_name = ? and table_name = ?", [source, table]).fetchone()[0]
        assert raw == staged + quarantined, f"{source}.{table}: {raw} raw != {staged} + {quarantined}"


def test_quarantine_holds_the_planted_and_the_injected_rows_by_their_rules(db, corrupted):
    expected = db.execute(f"select source_name, table_name, expected_rule, count(*) from ({truth_rows(corrupted)}) "
                          "group by all order by all").fetchall()
    found = db.execute("select source_name, table_name, dq_rule, count(*) from main_quality.dq_quarantine "
                       "group by all order by all").fetchall()
    assert found == expected
    expected_keys = set(db.execute(f"select * from ({truth_rows(corrupted)}) where record_key is not null")
                        .fetchall())
    found_keys = set(db.execute("select source_name, table_name, record_key, dq_rule from main_quality.dq_quarantine "
                                "where record_key is not null").fetchall())
    assert found_keys == expected_keys


def test_each_injected_row_is_quarantined_with_its_reason_or_staged(db, injected):
    quarantined = set(db.execute(
        "select source_name, table_name, record_key, dq_rule from main_quality.dq_quarantine").fetchall())
    wrong = []
    for row in injected:
        source, table, key = row["source_name"], row["table_name"], row["record_key"]
        if row["expected_outcome"] == "quarantine":
            if key is not None and (source, table, key, row["expected_rule"]) not in quarantined:
                wrong.append((row["injection"], source, table, key, "not quarantined as " + row["expected_rule"]))
            continue
        model = f"main_staging.stg_{source}__{table}"
        key_column = db.execute(f"select * from {model} limit 0").description[0][0]
        if db.execute(f"select count(*) from {model} where {key_column} = ?", [key]).fetchone()[0] != 1:
            wrong.append((row["injection"], source, table, key, "not staged"))
    assert not wrong


def test_quarantine_keeps_the_hostile_values_as_they_arrived(db, injected):
    rows = {(r["table_name"], r["record_key"]): r for r in injected
            if r["injection"] in ("very_long_string", "control_characters")}
    checked = 0
    for table, key, raw_values in db.execute(
            "select table_name, record_key, raw_values from main_quality.dq_quarantine "
            "where dq_rule in ('value_too_long', 'control_characters')").fetchall():
        row = rows.get((table, key))
        if row is None:
            continue
        value = json.loads(raw_values)[row["column_name"]]
        assert row["marker"] in value
        if row["injection"] == "very_long_string":
            assert len(value) == LONG_TEXT
        else:
            assert "\x00" in value and "\x1b" in value
        checked += 1
    assert checked == len(rows)


def test_no_injected_text_reaches_an_audience_that_may_not_see_it(db, injected):
    # the policy scan over every staged personal value, injected ones included
    load_personal_values(db, PROJECT_DIR)
    found, scanned = leaks(db, PROJECT_DIR)
    assert not found and scanned > 100
    # every injected marker: a quarantined row's text reaches no audience at all, a
    # staged row's only an audience that is shown the class of its column
    classes = {}
    for path in (PROJECT_DIR / "models" / "staging").glob("*/_*__models.yml"):
        for model in yaml.safe_load(path.read_text()).get("models", []):
            for column in model.get("columns", []):
                classes[(model["name"], column["name"])] = (column.get("meta") or {}).get("personal_data")
    markers = [r for r in injected if r["marker"]]
    for table, audience in audience_tables(db):
        shown = shown_classes(PROJECT_DIR, audience)
        for column in audience_text_columns(db, table):
            present = {m for (m,) in db.execute(
                f"select distinct m.marker from main_audiences.{table} as v "
                f"inner join (select unnest(?) as marker) as m on contains(lower(v.{column}), m.marker)",
                [[r["marker"] for r in markers]]).fetchall()}
            for row in markers:
                if row["marker"] not in present:
                    continue
                assert row["expected_outcome"] == "staged", f"{row['marker']} (quarantined) in {table}.{column}"
                class_name = classes.get((f"stg_{row['source_name']}__{row['table_name']}", row["column_name"]))
                assert class_name is None or class_name in shown, \
                    f"{row['injection']} ({class_name}) reaches {table}.{column}, hidden from {audience}"
    # the markers can be found: staged free text does reach the marts
    assert db.execute("select count(*) from main_marts.fct_social_mentions where contains(mention_text, 'c360inj')"
                      ).fetchone()[0] > 0


def test_a_dataset_is_corrupted_the_same_way_once(tmp_path):
    first, second = tmp_path / "a", tmp_path / "b"
    for folder in (first, second):
        generate_dataset(customers=50, seed=5, out=folder, progress=False)
        counts = corrupt_dataset(folder, seed=1)
    assert counts and all(n >= 10 for n in counts.values())
    for path in sorted((first / "raw").glob("*/*.parquet")) + [first / "truth" / TRUTH_FILE]:
        twin = second / path.relative_to(first)
        assert pq.read_table(path).equals(pq.read_table(twin)), path
    manifest = json.loads((first / "manifest.json").read_text())
    assert manifest["corrupted"]["injected_rows"] == counts
    with pytest.raises(ValueError, match="already corrupted"):
        corrupt_dataset(first)


def test_the_hostile_rows_are_quarantined_the_same_on_postgresql(corrupted, postgres_env):
    """The same rows, loaded with `c360 load`'s loader (U+0000, which PostgreSQL
    text cannot hold, becomes U+001A) and staged on PostgreSQL."""
    import duckdb

    from c360.warehouse import load_raw_postgres, postgres_connection

    with environment(postgres_env):
        project = Project.resolve(raw_path=corrupted / "raw", target="postgres")
        load_raw_postgres(project, corrupted / "raw", sources=sorted({s for s, _ in staged_tables()}))
        run_dbt(project, "build", ["--select", "staging"])
        with postgres_connection(project) as connection, connection.cursor() as cursor:
            cursor.execute("select source_name, table_name, record_key, dq_rule from c360_quality.dq_quarantine")
            found = sorted(cursor.fetchall(), key=str)
    with duckdb.connect(str(corrupted / "c360.duckdb"), read_only=True) as db:
        expected = sorted(db.execute(truth_rows(corrupted)).fetchall(), key=str)
    assert found == expected
