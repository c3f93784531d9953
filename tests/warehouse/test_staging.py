"""The staged warehouse held to the generator's ground truth.

One dataset is generated and built with `dbt build` (every model, data test and
unit test) once per session; these tests then compare the warehouse with the
raw files and with truth/.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
import yaml

from c360.dbt import default_disabled_sources, run_dbt
from c360.project import C360Error, Project

pytestmark = pytest.mark.dbt


def staged_tables(project_dir: Path) -> list[tuple[str, str]]:
    """The registered tables of the sources the project builds by default."""
    registry = yaml.safe_load((project_dir / "dbt_project.yml").read_text())["vars"]["c360_staged_tables"]
    disabled = default_disabled_sources(project_dir)
    return [(source, table) for source, tables in registry.items() if source not in disabled for table in tables]


@pytest.fixture(scope="module")
def db(warehouse):
    import duckdb

    connection = duckdb.connect(str(warehouse), read_only=True)
    yield connection
    connection.close()


def raw_count(db, dataset: Path, source: str, table: str) -> int:
    path = dataset / "raw" / source / f"{table}.parquet"
    return db.execute("select count(*) from read_parquet(?)", [str(path)]).fetchone()[0]


def test_every_raw_row_is_staged_or_quarantined(db, dataset, project_dir):
    for source, table in staged_tables(project_dir):
        raw = raw_count(db, dataset, source, table)
        staged = db.execute(f"select count(*) from main_staging.stg_{source}__{table}").fetchone()[0]
        quarantined = db.execute(
            "select count(*) from main_quality.dq_quarantine where source_name = ? and table_name = ?",
            [source, table],
        ).fetchone()[0]
        assert raw > 0, f"{source}.{table} is empty"
        assert raw == staged + quarantined, f"{source}.{table}: {raw} raw != {staged} + {quarantined}"


def test_quarantine_holds_exactly_the_planted_defects(db, dataset):
    truth = db.execute(
        """
        select source_name, table_name, expected_rule, count(*)
        from read_parquet(?)
        where expected_outcome = 'quarantine'
        group by all order by all
        """,
        [str(dataset / "truth" / "malformed_rows.parquet")],
    ).fetchall()
    found = db.execute(
        """
        select source_name, table_name, dq_rule, count(*)
        from main_quality.dq_quarantine
        group by all order by all
        """
    ).fetchall()
    assert found == truth


def test_quarantined_keys_are_the_planted_ones(db, dataset):
    planted = set(db.execute(
        """
        select source_name, table_name, record_key, expected_rule
        from read_parquet(?)
        where expected_outcome = 'quarantine' and record_key is not null
        """,
        [str(dataset / "truth" / "malformed_rows.parquet")],
    ).fetchall())
    quarantined = set(db.execute(
        """
        select source_name, table_name, record_key, dq_rule
        from main_quality.dq_quarantine
        where record_key is not null
        """
    ).fetchall())
    assert quarantined == planted


def test_quarantine_keeps_the_raw_values(db):
    rows = db.execute(
        "select table_name, record_key, dq_rule, raw_values from main_quality.dq_quarantine"
    ).fetchall()
    assert rows
    for table_name, record_key, dq_rule, raw_values in rows:
        values = json.loads(raw_values)
        assert "_loaded_at" in values, (table_name, dq_rule)
        if record_key is not None:
            assert record_key in {str(v).strip() for v in values.values() if v is not None}


def test_invalid_emails_are_nulled_and_flagged_not_dropped(db, dataset):
    invalid = db.execute(
        """
        select source_name, table_name, record_key, column_name
        from read_parquet(?)
        where expected_outcome = 'null_field' and defect = 'invalid_email'
        """,
        [str(dataset / "truth" / "malformed_rows.parquet")],
    ).fetchall()
    assert invalid, "the generator planted no invalid emails"
    keys = db.execute(
        "select source_name, table_name, record_key from main_quality.dq_quarantine where record_key is not null"
    ).fetchall()
    quarantined = set(keys)
    checked = 0
    for source, table, key, column in invalid:
        if (source, table, key) in quarantined:
            continue
        model = f"main_staging.stg_{source}__{table}"
        key_column = db.execute(f"select * from {model} limit 0").description[0][0]
        row = db.execute(
            f"select {column}, is_valid_{column} from {model} where {key_column} = ?", [key]
        ).fetchone()
        assert row is not None, f"{source}.{table} {key} was dropped"
        assert row == (None, False), f"{source}.{table} {key}: {row}"
        checked += 1
    assert checked > 0


def test_contact_phones_and_emails_normalise_to_the_persons_own(db, dataset):
    truth = dataset / "truth"
    rows = db.execute(
        """
        select
            count(*) as contacts,
            count(c.phone) as with_phone,
            count(case when c.phone = p.phone then 1 end) as phone_matches,
            count(c.email) as with_email,
            count(case when c.email in (p.email_home, p.email_work) then 1 end) as email_matches
        from main_staging.stg_crm__contacts as c
        inner join read_parquet(?) as r
            on r.source_name = 'crm' and r.table_name = 'contacts' and r.record_key = c.contact_id
        inner join read_parquet(?) as p on p.person_id = r.person_id
        """,
        [str(truth / "record_persons.parquet"), str(truth / "persons.parquet")],
    ).fetchone()
    contacts, with_phone, phone_matches, with_email, email_matches = rows
    assert contacts > 0 and with_phone > 0 and with_email > 0
    assert phone_matches == with_phone
    assert email_matches == with_email


def test_country_codes_are_iso(db):
    values = {row[0] for row in db.execute(
        "select distinct country_code from main_staging.stg_crm__contacts"
    ).fetchall()}
    assert values and values <= {"US", "GB", "DE"}


def test_order_timestamps_are_utc(db, dataset):
    """The earliest staged order of each customer is their true first purchase, in UTC."""
    truth = dataset / "truth"
    mismatches, compared = db.execute(
        """
        with first_orders as (
            select r.person_id, min(o.ordered_at) as first_ordered_at
            from main_staging.stg_commerce__orders as o
            inner join read_parquet(?) as r
                on r.source_name = 'commerce' and r.table_name = 'orders' and r.record_key = o.order_id
            group by r.person_id
        )
        select
            count(case when f.first_ordered_at != p.first_purchase_at then 1 end),
            count(*)
        from first_orders as f
        inner join read_parquet(?) as p using (person_id)
        where p.first_purchase_at is not null
        """,
        [str(truth / "record_persons.parquet"), str(truth / "persons.parquet")],
    ).fetchone()
    assert compared > 0
    # A first order that was planted as malformed is quarantined, so the
    # earliest staged order may be the second one for those customers only.
    planted = db.execute(
        "select count(*) from read_parquet(?) where table_name = 'orders'",
        [str(truth / "malformed_rows.parquet")],
    ).fetchone()[0]
    assert mismatches <= planted


def test_a_business_with_only_crm_and_orders_builds(dataset, tmp_path, duckdb_connect):
    raw = tmp_path / "raw"
    for source in ("crm", "commerce"):
        shutil.copytree(dataset / "raw" / source, raw / source)
    project = Project.resolve(warehouse=tmp_path / "small.duckdb", raw_path=raw, target="duckdb")
    run_dbt(project, "build", only_sources=["crm", "commerce"])
    db = duckdb_connect(tmp_path / "small.duckdb")
    tables = {row[0] for row in db.execute(
        "select table_name from information_schema.tables where table_schema = 'main_staging'"
    ).fetchall()}
    assert "stg_crm__contacts" in tables and "stg_commerce__orders" in tables
    assert not any(name.startswith(("stg_billing", "stg_usage", "stg_support")) for name in tables)
    sources = {row[0] for row in db.execute(
        "select distinct source_name from main_quality.dq_quarantine"
    ).fetchall()}
    assert sources == {"crm", "commerce"}


def test_a_failed_build_leaves_the_published_warehouse_unchanged(warehouse, tmp_path):
    published = tmp_path / "published.duckdb"
    shutil.copyfile(warehouse, published)
    before = published.read_bytes()
    empty_raw = tmp_path / "no-raw-files"
    empty_raw.mkdir()
    project = Project.resolve(warehouse=published, raw_path=empty_raw, target="duckdb")
    with pytest.raises(C360Error, match="left unchanged"):
        run_dbt(project, "build", ["--select", "staging.crm"])
    assert published.read_bytes() == before
    assert not published.with_name(published.name + ".building").exists()


def test_source_freshness_is_measured_for_every_source(warehouse, dataset, project_dir, tmp_path):
    """Freshness reads `_loaded_at` text safely: every table gets a verdict, none errors."""
    from dbt.cli.main import dbtRunner

    from c360.dbt import dbt_arguments, environment

    # A copy: other tests of the session keep read-only connections to the warehouse.
    copy = tmp_path / "freshness.duckdb"
    shutil.copyfile(warehouse, copy)
    project = Project.resolve(warehouse=copy, raw_path=dataset / "raw", target="duckdb")
    args = dbt_arguments(project, "source", ["freshness"])
    with environment({"C360_WAREHOUSE": str(copy)}):
        result = dbtRunner().invoke(args)
    assert result.exception is None
    sources = [r for r in result.result.results if r.node.resource_type == "source"]
    statuses = {f"{r.node.source_name}.{r.node.name}": str(r.status) for r in sources}
    assert len(statuses) == len(staged_tables(project_dir))
    # The test dataset is dated in the past, so tables may be stale, never broken.
    assert set(statuses.values()) <= {"pass", "warn", "error"}, statuses
    assert all(r.max_loaded_at is not None for r in sources)
